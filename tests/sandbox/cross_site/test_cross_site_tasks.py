"""The ``cross_site`` task templates: configs load; wrong answers on the real site.

The oracles run in ``tests/sandbox/test_oracles.py`` (one parametrised test for every site).
Here one real ``SandboxEnv`` holds one instance of every template (``helpers.site_env``),
reset per task: a wrong answer, and an episode that does nothing, must score 0.
"""

from __future__ import annotations

import pytest
from helpers import site_env

from webarena_gym.actions import Action, format_action
from webarena_gym.sandbox.cross_site import tasks as cross_site
from webarena_gym.sandbox.templates.base import Sample, TaskTemplate

TEMPLATES: list[TaskTemplate] = [cls() for cls in cross_site.TEMPLATES]
IDS = [t.id for t in TEMPLATES]


def _config(t: TaskTemplate, sample: Sample, suffix: str = "0") -> dict:
    return t.config(sample, f"{t.id}/{suffix}")


@pytest.fixture(scope="module")
def cross_env():
    """One env holding one instance of every template (the oracles: test_oracles.py)."""
    with site_env("cross_site") as env_and_configs:
        yield env_and_configs


def test_wrong_answer_scores_zero(cross_env):
    env, configs = cross_env
    config = configs[f"{TEMPLATES[0].id}/0"]
    env.reset(options={"task_id": config["task_id"]})
    response = f"<answer>{format_action(Action('exit', None, '$0.01'))}</answer>"
    _, reward, terminated, _, _ = env.step(response)
    assert terminated and reward == 0.0
