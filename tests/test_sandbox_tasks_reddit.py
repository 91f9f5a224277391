"""The ``reddit`` task templates: samplers, configs, page readers, and the oracles on the forum.

The oracle runs one instance of every template through one real ``SandboxEnv`` (real Chromium
on the real forum), reset per task; wrong answers and do-nothing episodes must score 0.
Timings are printed (``pytest -s``), not asserted.
"""

from __future__ import annotations

import json
import random
import time
from collections import Counter

import pytest

from webarena_gym.actions import Action, format_action
from webarena_gym.sandbox.demonstrations import rollout
from webarena_gym.sandbox.reddit import tasks as reddit
from webarena_gym.sandbox.reddit.tasks import common as reddit_common
from webarena_gym.sandbox.templates import (
    SAMPLING_KEY,
    TEST_DATA_SEED,
    _draw,
    _site_data,
    template,
)
from webarena_gym.sandbox.templates.base import Sample, TaskTemplate
from webarena_gym.sandbox.templates.page import Page
from webarena_gym.tasks import load_task_configs

TEMPLATES: list[TaskTemplate] = [cls() for cls in reddit.TEMPLATES]
IDS = [t.id for t in TEMPLATES]


def _samples(t: TaskTemplate, n: int = 3) -> list[Sample]:
    rng = random.Random(f"{SAMPLING_KEY}/test-reddit/{t.id}")
    return _draw(t, rng, _site_data(TEST_DATA_SEED), n, set())


def _config(t: TaskTemplate, sample: Sample, suffix: str = "0") -> dict:
    return t.config(sample, f"{t.id}/{suffix}")


# -- the catalogue --------------------------------------------------------------------------------


def test_catalogue_is_large_varied_and_registered():
    assert len(TEMPLATES) >= 24
    assert len(set(IDS)) == len(IDS)
    assert all(i.startswith("reddit/") and t.sites == ("reddit",)
               for i, t in zip(IDS, TEMPLATES, strict=True))
    unseen = [t for t in TEMPLATES if t.unseen]
    assert 4 <= len(unseen) <= 5 and len(TEMPLATES) - len(unseen) >= 20
    assert {t.difficulty for t in TEMPLATES} == {"easy", "medium", "hard"}
    kinds = Counter(t.evaluation(_samples(t, 1)[0])["eval_types"][0] for t in TEMPLATES)
    assert kinds["string_match"] >= len(TEMPLATES) * 0.4
    assert kinds["program_html"] >= len(TEMPLATES) * 0.3
    assert kinds["url_match"] >= 3
    for t in TEMPLATES:  # the registry knows them (test splits are built from it)
        assert template(t.id).__class__ is t.__class__


@pytest.mark.parametrize("t", TEMPLATES, ids=IDS)
def test_samples_are_distinct_and_configs_load_and_round_trip(t):
    samples = _samples(t, 3)
    assert len(samples) == 3, f"{t.id} gave {len(samples)} distinct samples on seed 0"
    assert len({json.dumps(s.params, sort_keys=True) for s in samples}) == 3
    configs = [_config(t, s, str(i)) for i, s in enumerate(samples)]
    json.dumps(configs)  # the truth and params are JSON
    for config, task in zip(configs, load_task_configs(configs), strict=True):
        assert task.intent == config["intent"] and "{{" not in task.intent
        assert load_task_configs([task.to_dict()])[0] == task
        assert config["start_url"].startswith("__REDDIT__")
    # the same RNG draws the same instances (the fixed splits depend on it)
    assert [s.params for s in _samples(t, 3)] == [s.params for s in samples]


def test_samplers_reject_ties_and_repeated_comments():
    db = _site_data(TEST_DATA_SEED)
    for seed in range(30):
        s = reddit.MostCommentedPost().sample(random.Random(seed), db)
        if s is not None:
            rows = reddit_common._listing(db, s.params["forum"], "most_commented", limit=2)
            assert rows[0]["comment_count"] > rows[1]["comment_count"]
        s = reddit.ReplyToComment().sample(random.Random(seed), db)
        if s is not None:
            bodies = [c["body"] for c in reddit_common._comments_of(db, s.truth["post_id"])]
            assert bodies.count(s.params["comment"]) == 1
        s = reddit.CompareSubscribers().sample(random.Random(seed), db)
        if s is not None:
            assert s.truth["answer"] not in s.truth["others"]


def test_page_readers():
    listing = ('<html><body><article><form><button id="1" title="Upvote">&#9650;</button>'
               '<span title="+9 / -2">7</span><button id="2" title="Retract downvote">&#9660;'
               '</button></form><div><h2><a id="3">Is Dune worth reading?</a></h2><p>Submitted '
               'by <a id="4">bob</a> on <time title="x">May 1, 2023</time> in <a id="5">f/books'
               '</a></p><a id="6">12 comments</a></div></article></body></html>')
    row = reddit.post_row(Page({"html": listing}), "Is Dune worth reading?")
    assert {k: row[k] for k in ("link", "score", "author", "forum", "comments", "up", "down",
                                "my_vote", "author_link")} == {
        "link": "3", "score": 7, "author": "bob", "forum": "books", "comments": 12, "up": "1",
        "down": "2", "my_vote": -1, "author_link": "4"}
    thread = ('<html><body><ul><li><article><p><a id="7">amy</a> -3 points <time>May 2, 2023'
              '</time></p><div>Nope.</div><div><form><button id="8" title="Retract upvote">'
              '&#9650;</button><span title="+1 / -4">-3</span><button id="9" title="Downvote">'
              '&#9660;</button></form><a id="10">Reply</a><a id="11">Edit</a><button id="12">'
              'Delete</button></div></article></li></ul></body></html>')
    item = reddit.comment_item(Page({"html": thread}), "amy", "Nope.")
    assert (item["score"], item["up"], item["my_vote"], item["reply"], item["edit"],
            item["delete"]) == (-3, "8", 1, "10", "11", "12")
    profile = ('<html><body><article><p><a id="1">amy</a> commented on <a id="2">A post</a> in '
               '<a id="3">f/books</a></p><div>Hi there.</div><p>-1 points <time>x</time>'
               '<a id="4">Permalink</a></p></article></body></html>')
    assert reddit.profile_comments(Page({"html": profile})) == [
        {"post": "A post", "body": "Hi there.", "score": -1, "permalink": "4"}]
    forums = ('<html><body><table><tr><th>Forum</th></tr><tr><td><a id="5">books</a></td>'
              '<td>Books</td><td>118</td><td>144</td></tr></table></body></html>')
    assert reddit.forum_table(Page({"html": forums})) == {
        "books": {"subscribers": 118, "submissions": 144, "link": "5"}}


# -- the oracles on the real forum ----------------------------------------------------------------


@pytest.fixture(scope="module")
def forum_env():
    """One env holding one instance of every template."""
    from webarena_gym.sandbox.env import SandboxEnv

    configs = [_config(t, _samples(t, 1)[0]) for t in TEMPLATES]
    try:
        env = SandboxEnv(task_configs=configs, max_steps=30)
    except Exception as exc:  # noqa: BLE001 - a machine without Chromium
        if "chromium" in str(exc).lower() or "executable" in str(exc).lower():
            pytest.skip(f"no Chromium: {exc}")
        raise
    try:
        yield env, {c["task_id"]: c for c in configs}
    finally:
        env.close()


@pytest.mark.timeout(900)
def test_oracle_solves_one_instance_of_every_template(forum_env):
    env, configs = forum_env
    failures, timings = [], []
    for task_id, config in configs.items():
        start = time.perf_counter()
        trajectory = rollout(env, config)
        elapsed = time.perf_counter() - start
        timings.append((elapsed, trajectory.num_steps, task_id))
        if trajectory.reward != 1.0:
            failures.append(f"{task_id}: reward {trajectory.reward}, {trajectory.error}")
        assert all(step.action is not None for step in trajectory.steps)
        assert all(step.response.startswith("<think>") for step in trajectory.steps)
    total = sum(t for t, _, _ in timings)
    steps = sum(n for _, n, _ in timings)
    print(f"\noracle: {len(timings)} tasks, {steps} steps, {total:.1f}s "
          f"({total / max(steps, 1):.2f}s per step)")
    for elapsed, n, task_id in sorted(timings, reverse=True)[:5]:
        print(f"  slowest: {task_id}: {n} steps in {elapsed:.1f}s")
    assert not failures, "\n".join(failures)


def _exit_with(env, task_id: str, answer: str) -> float:
    env.reset(options={"task_id": task_id})
    _obs, reward, terminated, _truncated, _info = env.step(
        format_action(Action("exit", None, answer)))
    assert terminated
    return reward


@pytest.mark.parametrize("template_id", ["reddit/forum_subscribers", "reddit/post_author"])
def test_wrong_answers_score_zero(forum_env, template_id):
    env, configs = forum_env
    task_id = f"{template_id}/0"
    assert _exit_with(env, task_id, "0" if template_id.endswith("subscribers") else "nobody") \
        == 0.0
    truth = configs[task_id]["eval"]["reference_answers"]["must_include"][0]
    assert _exit_with(env, task_id, truth) == 1.0  # and the right one passes


@pytest.mark.timeout(300)
def test_doing_nothing_scores_zero(forum_env):
    env, configs = forum_env
    tasks = [i for i, c in configs.items() if c["eval"]["eval_types"] != ["string_match"]]
    assert len(tasks) >= 12
    passed = [i for i in tasks if _exit_with(env, i, "") != 0.0]
    assert not passed, f"doing nothing passes {passed}"
