"""The ``reddit`` task templates: samplers, configs, page readers; wrong answers on the real site.

The oracles run in ``tests/sandbox/test_oracles.py`` (one parametrised test for every site).
Here one real ``SandboxEnv`` holds one instance of every template (``helpers.site_env``),
reset per task: a wrong answer, and an episode that does nothing, must score 0.
"""

from __future__ import annotations

import random

import pytest
from helpers import site_env

from webarena_gym.actions import Action, format_action
from webarena_gym.sandbox.reddit import tasks as reddit
from webarena_gym.sandbox.reddit.tasks import common as reddit_common
from webarena_gym.sandbox.templates import (
    TEST_DATA_SEED,
    _site_data,
)
from webarena_gym.sandbox.templates.base import Sample, TaskTemplate
from webarena_gym.sandbox.templates.page import Page

TEMPLATES: list[TaskTemplate] = [cls() for cls in reddit.TEMPLATES]
IDS = [t.id for t in TEMPLATES]


def _config(t: TaskTemplate, sample: Sample, suffix: str = "0") -> dict:
    return t.config(sample, f"{t.id}/{suffix}")


# -- samplers and page readers (no browser) -----------------------------------------------------


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


# -- wrong answers and doing nothing on the real site ---------------------------------------------


@pytest.fixture(scope="module")
def forum_env():
    """One env holding one instance of every template (the oracles: test_oracles.py)."""
    with site_env("reddit") as env_and_configs:
        yield env_and_configs


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
