"""A vector env spread over several Chromium processes (``num_browsers``, browser shards)."""

from __future__ import annotations

import asyncio

import gymnasium as gym
import numpy as np
import pytest
from helpers import browser_pids, oracle_scripts, task

import webarena_gym  # noqa: F401 - registers the ids
from webarena_gym import WebArenaEnv
from webarena_gym.sandbox.templates import load_split
from webarena_gym.vector import (
    CORES_PER_BROWSER,
    WebArenaVectorEnv,
    browser_shards,
    default_num_browsers,
    unbatch,
)


def test_shards_are_contiguous_blocks_and_follow_the_cores():
    assert browser_shards(8, 2) == [0, 0, 0, 0, 1, 1, 1, 1]
    assert browser_shards(6, 4) == [0, 0, 1, 2, 2, 3]
    assert browser_shards(2, 5) == [0, 1]  # never more browsers than envs
    assert browser_shards(3, 1) == [0, 0, 0]
    assert default_num_browsers(16, cores=2) == 1
    assert default_num_browsers(16, cores=64) == 64 // CORES_PER_BROWSER
    assert default_num_browsers(3, cores=64) == 3
    for bad in (0, -1, 1.5, True):
        with pytest.raises(ValueError, match="num_browsers"):
            browser_shards(4, bad)


def test_group_rollouts_on_two_browsers_score_on_their_own_tenants():
    """Four rollouts of one cart task, two per Chromium process: each writes its own tenant's
    cart (all four pass), the sync and asyncio APIs both run every shard, nothing is left."""
    configs = load_split("test", sites=["shopping"])
    config = next(c for c in configs if c["task_id"] == "shopping/cart_add_with_options/0")
    venv = gym.make_vec("WebArenaSandbox-v0", num_envs=4, num_browsers=2, task_configs=[config])
    try:
        assert isinstance(venv, WebArenaVectorEnv) and len(venv.runtimes) == 2
        assert "num_browsers=2" in repr(venv)
        assert [venv.runtimes.index(env.runtime) for env in venv.envs] == [0, 0, 1, 1]
        obs, infos = venv.reset(options={"task_id": config["task_id"]})
        assert len(browser_pids()) == 2 and len(set(infos["tenant"])) == 4
        scripts = oracle_scripts(config, 4)
        total = np.zeros(4)
        while not venv.done.all():
            actions = [None if done else script.send(o)
                       for done, script, o in zip(venv.done, scripts, unbatch(obs), strict=True)]
            obs, rewards, *_ = venv.step(actions)
            total += rewards
        assert total.tolist() == [1.0] * 4

        async def again() -> list[str]:
            await venv.areset(options={"task_id": config["task_id"]})
            obs, *_ = await venv.astep(['exit(message="")'] * 4)
            return list(obs["url"])

        assert len(asyncio.run(again())) == 4 and venv.done.all()
    finally:
        venv.close()
    assert browser_pids() == []


def test_a_vector_env_needs_its_envs_to_pick_no_shard():
    with pytest.raises(TypeError, match="num_browsers"):
        gym.make_vec("WebArenaSandbox-v0", num_envs=2, browser_shard=1)
    with pytest.raises(ValueError, match="num_browsers"):
        gym.make_vec("WebArenaSandbox-v0", num_envs=2, num_browsers=0)
    with pytest.raises(ValueError, match="num_workers"):
        gym.make_vec("WebArenaSandbox-v0", num_envs=2, ray_address="127.0.0.1:6379")


def test_envs_on_different_browsers_step_together(page_server):
    """Envs built with other browser settings (another shard) join one vector env: each runs
    on its own browser's loop, all in one step."""
    cfg = task(1, f"{page_server}/vector/index.html", {})
    envs = [WebArenaEnv([cfg], max_episode_steps=3), WebArenaEnv([cfg], browser_shard=3)]
    venv = WebArenaVectorEnv(envs=envs)
    try:
        assert len(venv.runtimes) == 2
        venv.reset(options={"task_id": "1"})
        assert len(browser_pids()) == 2
        obs, _r, terminated, *_ = venv.step(['do(action="Scroll Down")', 'exit(message="")'])
        assert terminated.tolist() == [False, True] and not obs["last_action_error"][0]
    finally:
        venv.close()
    assert browser_pids() == []
