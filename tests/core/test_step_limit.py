"""The episode step limit is Gymnasium's ``max_episode_steps``: the envs' argument, what
``gym.make_vec`` passes on, and ``max_steps`` (the name before) still works with a warning."""

from __future__ import annotations

import gymnasium as gym
import pytest
from helpers import require_chromium

import webarena_gym  # noqa: F401  (registers the ids)
from webarena_gym.env import episode_step_limit
from webarena_gym.sandbox.templates import load_split


def test_the_limit_is_checked_and_the_old_name_warns():
    assert episode_step_limit(7) == 7
    with pytest.warns(DeprecationWarning, match="max_episode_steps"):
        assert episode_step_limit(15, max_steps=3) == 3
    for bad in (0, -1, 2.5, True, "5"):
        with pytest.raises(ValueError, match="max_episode_steps"):
            episode_step_limit(bad)


def test_make_vec_passes_max_episode_steps_to_every_env():
    require_chromium()
    config = load_split("test", sites=["map"])[0]
    venv = gym.make_vec("WebArenaSandbox-v0", num_envs=2, task_configs=[config],
                        max_episode_steps=2)
    try:
        assert [env.max_episode_steps for env in venv.envs] == [2, 2]
        venv.reset(options={"task_id": config["task_id"]})
        for _ in range(2):
            _obs, _r, terminated, truncated, _info = venv.step(['do(action="Scroll Down")'] * 2)
        assert list(truncated) == [True, True] and not any(terminated)  # ended by the env: scored
    finally:
        venv.close()
