"""The ``map`` task templates: samplers, configs; wrong answers on the real site.

The oracles run in ``tests/sandbox/test_oracles.py`` (one parametrised test for every site).
Here one real ``SandboxEnv`` holds one instance of every template (``helpers.site_env``),
reset per task: a wrong answer, and an episode that does nothing, must score 0.
"""

from __future__ import annotations

import random

import pytest
from helpers import site_env

from webarena_gym.actions import Action, format_action
from webarena_gym.sandbox.map import tasks as map_tasks
from webarena_gym.sandbox.templates import TEST_DATA_SEED, _site_data
from webarena_gym.sandbox.templates.base import Sample, TaskTemplate
from webarena_gym.sandbox.templates.page import Page

TEMPLATES: list[TaskTemplate] = [cls() for cls in map_tasks.TEMPLATES]
IDS = [t.id for t in TEMPLATES]


def _config(t: TaskTemplate, sample: Sample, suffix: str = "0") -> dict:
    return t.config(sample, f"{t.id}/{suffix}")


# -- samplers and page readers (no browser) -----------------------------------------------------


def test_nearest_instances_are_clear_and_answers_follow_the_pages_formats():
    db = _site_data(TEST_DATA_SEED)
    data = map_tasks.map_data(db)
    for seed in range(20):  # the nearest is clearly nearest, and also the quickest on foot
        s = map_tasks.NearestCategory().sample(random.Random(seed), db)
        if s is None:
            continue
        result = data.index.search(f"{s.params['category']} near {s.params['place']}")
        assert result.places[0].name == s.truth["answer"]
        assert result.distances[1] >= result.distances[0] * 1.25
    assert map_tasks.clock_variants("17:00") == ["17:00", "5:00 pm", "5:00pm", "5 pm", "5pm"]
    assert map_tasks.clock_variants("07:30") == ["07:30", "7:30", "7:30 am", "7:30am"]
    assert "midnight" in map_tasks.clock_variants("24:00")
    assert map_tasks.duration_minutes("1 h 5 min") == 65 and map_tasks.duration_minutes("9 min") == 9


def test_page_readers():
    results = ('<html><body><h2>Cafes near X</h2><p>Found 2 results</p><ol><li><a id="4">Blue '
               'Cup</a><div>Cafe · 3255 Baum Blvd, Pittsburgh, Pennsylvania 15213</div><div>'
               'Coordinates: 40.43672, -80.00312 · Distance: 0.56 km</div></li></ol></body></html>')
    page = Page({"html": results})
    assert map_tasks.result_count(page) == 2
    assert map_tasks.result_rows(page) == [{
        "name": "Blue Cup", "link": "4", "category": "Cafe",
        "address": "3255 Baum Blvd, Pittsburgh, Pennsylvania 15213",
        "coordinates": "40.43672, -80.00312", "km": 0.56}]
    route = ('<html><body><p>Distance: 12.3 km. Time: 1 h 5 min.</p><table><tr><th>#</th><th>'
             'Instruction</th><th>Distance</th></tr><tr><td>1</td><td>Head north on Forbes Ave'
             '</td><td>300 m</td></tr></table></body></html>')
    page = Page({"html": route})
    assert map_tasks.route_summary(page) == ("12.3 km", "1 h 5 min")
    assert map_tasks.route_steps(page) == ["Head north on Forbes Ave"]


# -- wrong answers and doing nothing on the real site ---------------------------------------------


@pytest.fixture(scope="module")
def map_env():
    """One env holding one instance of every template (the oracles: test_oracles.py)."""
    with site_env("map") as env_and_configs:
        yield env_and_configs


def _exit_with(env, task_id: str, answer: str) -> float:
    env.reset(options={"task_id": task_id})
    _obs, reward, terminated, _truncated, _info = env.step(
        format_action(Action("exit", None, answer)))
    assert terminated
    return reward


@pytest.mark.parametrize("template_id, wrong", [("map/drive_distance", "99.9 km"),
                                                ("map/nearest_category", "Nowhere Diner"),
                                                ("map/count_in_town", "1000")])
def test_wrong_answers_score_zero(map_env, template_id, wrong):
    env, configs = map_env
    task_id = f"{template_id}/0"
    assert _exit_with(env, task_id, wrong) == 0.0
    truth = configs[task_id]["eval"]["reference_answers"]["must_include"][0].split(" |OR| ")[0]
    assert _exit_with(env, task_id, truth) == 1.0  # and the right one passes


def test_doing_nothing_scores_zero_on_pages_to_reach(map_env):
    env, configs = map_env
    kinds = ("url_match", "program_html")
    tasks = [i for i, c in configs.items() if c["eval"]["eval_types"][0] in kinds]
    assert len(tasks) >= 7
    passed = [i for i in tasks if _exit_with(env, i, "") != 0.0]
    assert not passed, f"doing nothing passes {passed}"
