"""The ``map`` task templates: samplers, configs, and the oracles on the real map site.

The oracle runs one instance of every template through one real ``SandboxEnv`` (real Chromium
on the real map), reset per task; wrong answers and do-nothing episodes must score 0.
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
from webarena_gym.sandbox.map import tasks as map_tasks
from webarena_gym.sandbox.templates import SAMPLING_KEY, TEST_DATA_SEED, _draw, _site_data, template
from webarena_gym.sandbox.templates.base import Sample, TaskTemplate
from webarena_gym.sandbox.templates.page import Page
from webarena_gym.tasks import load_task_configs

TEMPLATES: list[TaskTemplate] = [cls() for cls in map_tasks.TEMPLATES]
IDS = [t.id for t in TEMPLATES]


def _samples(t: TaskTemplate, n: int = 3) -> list[Sample]:
    rng = random.Random(f"{SAMPLING_KEY}/test-map/{t.id}")
    return _draw(t, rng, _site_data(TEST_DATA_SEED), n, set())


def _config(t: TaskTemplate, sample: Sample, suffix: str = "0") -> dict:
    return t.config(sample, f"{t.id}/{suffix}")


# -- the catalogue --------------------------------------------------------------------------------


def test_catalogue_is_large_varied_and_registered():
    assert len(TEMPLATES) >= 24
    assert len(set(IDS)) == len(IDS)
    assert all(i.startswith("map/") and t.sites == ("map",) and not t.require_login
               for i, t in zip(IDS, TEMPLATES, strict=True))
    unseen = [t for t in TEMPLATES if t.unseen]
    assert 4 <= len(unseen) <= 5 and len(TEMPLATES) - len(unseen) >= 20
    assert {t.difficulty for t in TEMPLATES} == {"easy", "medium", "hard"}
    kinds = Counter(t.evaluation(_samples(t, 1)[0])["eval_types"][0] for t in TEMPLATES)
    assert kinds["string_match"] >= len(TEMPLATES) * 0.5
    assert kinds["url_match"] >= 5
    assert kinds["program_html"] >= 2
    for t in TEMPLATES:  # the registry knows them (test splits are built from it)
        assert template(t.id).__class__ is t.__class__


@pytest.mark.parametrize("t", TEMPLATES, ids=IDS)
def test_samples_are_distinct_and_configs_load_and_round_trip(t):
    samples = _samples(t, 3)
    assert len(samples) == 3, f"{t.id} gave {len(samples)} distinct samples on seed 0"
    assert len({json.dumps(s.params, sort_keys=True) for s in samples}) == 3
    configs = [_config(t, s, str(i)) for i, s in enumerate(samples)]
    json.dumps(configs)  # the truth and params are JSON
    loaded = load_task_configs(configs)
    for config, task in zip(configs, loaded, strict=True):
        assert task.intent == config["intent"] and "{{" not in task.intent
        assert load_task_configs([task.to_dict()])[0] == task
        assert config["start_url"] == "__MAP__/" and config["storage_state"] is None
    assert [s.params for s in _samples(t, 3)] == [s.params for s in samples]  # seeded


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


# -- the oracles on the real map ------------------------------------------------------------------


@pytest.fixture(scope="module")
def map_env():
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


@pytest.mark.timeout(600)
def test_oracle_solves_one_instance_of_every_template(map_env):
    env, configs = map_env
    failures, timings = [], []
    for task_id, config in configs.items():
        start = time.perf_counter()
        trajectory = rollout(env, config)
        timings.append((time.perf_counter() - start, trajectory.num_steps, task_id))
        if trajectory.reward != 1.0:
            failures.append(f"{task_id}: reward {trajectory.reward}, {trajectory.error}")
        assert all(step.response.startswith("<think>") for step in trajectory.steps)
    total = sum(t for t, _, _ in timings)
    steps = sum(n for _, n, _ in timings)
    print(f"\noracle: {len(timings)} tasks, {steps} steps, {total:.1f}s")
    assert not failures, "\n".join(failures)


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
