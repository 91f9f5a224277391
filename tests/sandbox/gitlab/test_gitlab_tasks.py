"""The ``gitlab`` task templates: samplers, configs; wrong answers on the real site.

The oracles run in ``tests/sandbox/test_oracles.py`` (one parametrised test for every site).
Here one real ``SandboxEnv`` holds one instance of every template (``helpers.site_env``),
reset per task: a wrong answer, and an episode that does nothing, must score 0.
"""

from __future__ import annotations

import random

import pytest
from helpers import site_env

from webarena_gym.actions import Action, format_action
from webarena_gym.sandbox.gitlab import queries
from webarena_gym.sandbox.gitlab import tasks as gitlab
from webarena_gym.sandbox.gitlab.tasks import issues as gitlab_issues
from webarena_gym.sandbox.templates import (
    TEST_DATA_SEED,
    _site_data,
)
from webarena_gym.sandbox.templates.base import Sample, TaskTemplate
from webarena_gym.sandbox.templates.page import Page

TEMPLATES: list[TaskTemplate] = [cls() for cls in gitlab.TEMPLATES]
IDS = [t.id for t in TEMPLATES]


def _config(t: TaskTemplate, sample: Sample, suffix: str = "0") -> dict:
    return t.config(sample, f"{t.id}/{suffix}")


# -- samplers and page readers (no browser) -----------------------------------------------------


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


# -- wrong answers and doing nothing on the real site ---------------------------------------------


@pytest.fixture(scope="module")
def gitlab_env():
    """One env holding one instance of every template (the oracles: test_oracles.py)."""
    with site_env("gitlab") as env_and_configs:
        yield env_and_configs


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
