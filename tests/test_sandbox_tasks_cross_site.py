"""The ``cross_site`` task templates: configs load, and the oracle crosses sites by links.

The oracle runs one instance of every template through one real ``SandboxEnv`` (real Chromium
on the real sites), reset per task; a wrong answer must score 0.
"""

from __future__ import annotations

import json
import random

import pytest

from webarena_gym.actions import Action, format_action
from webarena_gym.sandbox.cross_site import tasks as cross_site
from webarena_gym.sandbox.demonstrations import rollout
from webarena_gym.sandbox.templates import (
    SAMPLING_KEY,
    TEST_DATA_SEED,
    _draw,
    _site_data,
    template,
)
from webarena_gym.sandbox.templates.base import Sample, TaskTemplate
from webarena_gym.tasks import load_task_configs

TEMPLATES: list[TaskTemplate] = [cls() for cls in cross_site.TEMPLATES]
IDS = [t.id for t in TEMPLATES]


def _samples(t: TaskTemplate, n: int = 3) -> list[Sample]:
    rng = random.Random(f"{SAMPLING_KEY}/test/{t.id}")
    return _draw(t, rng, _site_data(TEST_DATA_SEED), n, set())


def _config(t: TaskTemplate, sample: Sample, suffix: str = "0") -> dict:
    return t.config(sample, f"{t.id}/{suffix}")


def test_catalogue_is_registered():
    assert len(TEMPLATES) >= 4 and len(set(IDS)) == len(IDS)
    assert all(i.startswith("cross_site/") and len(t.sites) >= 2
               for i, t in zip(IDS, TEMPLATES, strict=True))
    assert len({t.sites for t in TEMPLATES}) >= 2
    assert any(t.unseen for t in TEMPLATES) and not all(t.unseen for t in TEMPLATES)
    for t in TEMPLATES:
        assert template(t.id).__class__ is t.__class__


@pytest.mark.parametrize("t", TEMPLATES, ids=IDS)
def test_samples_are_distinct_and_configs_load(t):
    samples = _samples(t, 3)
    assert len(samples) == 3
    assert len({json.dumps(s.params, sort_keys=True) for s in samples}) == 3
    configs = [_config(t, s, str(i)) for i, s in enumerate(samples)]
    json.dumps(configs)
    for config, task in zip(configs, load_task_configs(configs), strict=True):
        assert task.intent == config["intent"] and "{{" not in task.intent
        assert config["start_url"].startswith(f"__{t.sites[0].upper()}__")
        assert config["sites"] == list(t.sites)
    assert [s.params for s in _samples(t, 3)] == [s.params for s in samples]


@pytest.fixture(scope="module")
def cross_env():
    from webarena_gym.sandbox.env import SandboxEnv

    configs = [_config(t, _samples(t, 1)[0]) for t in TEMPLATES]
    try:
        env = SandboxEnv(task_configs=configs, max_steps=20)
    except Exception as exc:  # noqa: BLE001 - a machine without Chromium
        if "chromium" in str(exc).lower() or "executable" in str(exc).lower():
            pytest.skip(f"no Chromium: {exc}")
        raise
    try:
        yield env, {c["task_id"]: c for c in configs}
    finally:
        env.close()


def test_oracle_solves_one_instance_of_every_template(cross_env):
    env, configs = cross_env
    failures = []
    for task_id, config in configs.items():
        trajectory = rollout(env, config)
        if trajectory.reward != 1.0:
            failures.append(f"{task_id}: reward {trajectory.reward}, {trajectory.error}")
        # the episode ended on the second site, reached through a link
        assert trajectory.num_steps >= 2
    assert not failures, "\n".join(failures)


def test_wrong_answer_scores_zero(cross_env):
    env, configs = cross_env
    config = configs[f"{TEMPLATES[0].id}/0"]
    env.reset(options={"task_id": config["task_id"]})
    response = f"<answer>{format_action(Action('exit', None, '$0.01'))}</answer>"
    _, reward, terminated, _, _ = env.step(response)
    assert terminated and reward == 0.0
