"""The ``gitlab`` task templates: samplers, configs, and the oracles on the real site.

The oracle runs one instance of every template through one real ``SandboxEnv`` (real Chromium
on the real gitlab site), reset per task; wrong answers and do-nothing episodes must score 0.
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
from webarena_gym.sandbox.gitlab import queries
from webarena_gym.sandbox.gitlab import tasks as gitlab
from webarena_gym.sandbox.gitlab.tasks import issues as gitlab_issues
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

TEMPLATES: list[TaskTemplate] = [cls() for cls in gitlab.TEMPLATES]
IDS = [t.id for t in TEMPLATES]


def _samples(t: TaskTemplate, n: int = 3) -> list[Sample]:
    rng = random.Random(f"{SAMPLING_KEY}/test-gitlab/{t.id}")
    return _draw(t, rng, _site_data(TEST_DATA_SEED), n, set())


def _config(t: TaskTemplate, sample: Sample, suffix: str = "0") -> dict:
    return t.config(sample, f"{t.id}/{suffix}")


# -- the catalogue --------------------------------------------------------------------------------


def test_catalogue_is_large_varied_and_registered():
    assert len(TEMPLATES) >= 24
    assert len(set(IDS)) == len(IDS)
    assert all(i.startswith("gitlab/") and t.sites == ("gitlab",)
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
    keys = {json.dumps(s.params, sort_keys=True) for s in samples}
    assert len(keys) == 3
    configs = [_config(t, s, str(i)) for i, s in enumerate(samples)]
    json.dumps(configs)  # the truth and params are JSON
    loaded = load_task_configs(configs)
    for config, task in zip(configs, loaded, strict=True):
        assert task.intent == config["intent"] and "{{" not in task.intent
        assert load_task_configs([task.to_dict()])[0] == task
        assert config["start_url"].startswith("__GITLAB__")
    assert [s.params for s in _samples(t, 3)] == [s.params for s in samples]  # seeded


def test_samplers_reject_ambiguous_instances():
    db = _site_data(TEST_DATA_SEED)
    for seed in range(30):  # "the most commented open issue" is never a tie
        s = gitlab.MostCommentedOpenIssue().sample(random.Random(seed), db)
        if s is None:
            continue
        p = queries.project_by_path(db, *s.params["project"].split("/"))
        counts = [n for _, n in gitlab_issues._open_issue_comments(db, p["id"])]
        assert counts[0] > counts[1]
    for seed in range(30):  # an issue named by its title is the only one with that title
        s = gitlab.CloseIssue().sample(random.Random(seed), db)
        if s is None:
            continue
        p = queries.project_by_path(db, *s.params["project"].split("/"))
        assert db.execute("SELECT count(*) FROM gl_issues WHERE project_id = ? AND title = ?",
                          (p["id"], s.params["issue"])).fetchone()[0] == 1


def test_page_helpers_read_tables_tabs_and_sections():
    page = Page({"html": (
        '<html><body><a id="1">Open 3</a><a id="2">Closed 10</a><a id="3">All 13</a>'
        '<table><tr><th>#</th><th>Title</th><th>Comments</th></tr>'
        '<tr><td>#4</td><td><a id="5">Fix it</a></td><td>2</td></tr></table>'
        '<section><h2>Assignees</h2><li><a id="6">Ann Lee</a> @ann</li>'
        '<select id="7" name="assignee_id"><option selected="true">Bo (@bo)</option>'
        '<option>Cy (@cy)</option></select></section></body></html>')})
    assert gitlab.tab_count(page, "Closed") == 10 and gitlab.tab_link(page, "All") == "3"
    rows = gitlab.list_rows(page)
    assert [(r["#"], r["Title"], r["Comments"], r["_link"]) for r in rows] == [
        ("#4", "Fix it", "2", "5")]
    assert gitlab.names_in(gitlab.section_after(page, "Assignees")) == ["ann"]
    assert gitlab.selected_option(page, "7") == "Bo (@bo)"


# -- the oracles on the real site -----------------------------------------------------------------


@pytest.fixture(scope="module")
def gitlab_env():
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
def test_oracle_solves_one_instance_of_every_template(gitlab_env):
    env, configs = gitlab_env
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


@pytest.mark.parametrize("template_id", ["gitlab/star_count", "gitlab/member_role"])
def test_wrong_answers_score_zero(gitlab_env, template_id):
    env, configs = gitlab_env
    task_id = f"{template_id}/0"
    wrong = "-1" if template_id.endswith("count") else "Nobody"
    assert _exit_with(env, task_id, wrong) == 0.0
    truth = configs[task_id]["eval"]["reference_answers"]["must_include"][0]
    assert _exit_with(env, task_id, truth) == 1.0  # and the right one passes


@pytest.mark.timeout(300)
def test_doing_nothing_scores_zero_on_every_state_change(gitlab_env):
    env, configs = gitlab_env
    html_tasks = [i for i, c in configs.items() if c["eval"]["eval_types"] == ["program_html"]]
    url_tasks = [i for i, c in configs.items() if c["eval"]["eval_types"] == ["url_match"]]
    assert len(html_tasks) >= 8 and len(url_tasks) >= 3
    passed = [i for i in html_tasks + url_tasks if _exit_with(env, i, "") != 0.0]
    assert not passed, f"doing nothing passes {passed}"
