"""WebArenaVectorEnv: N envs on one browser, concurrent steps, group resets, waiting envs."""

from __future__ import annotations

import asyncio

import gymnasium as gym
import numpy as np
import pytest
from helpers import browser_pids, oracle_scripts, task
from test_ray_vector import ray_cluster  # noqa: F401 - the Ray of make_vector's "ray" variant

import webarena_gym  # noqa: F401 - registers the ids
from webarena_gym import WebArenaEnv, WebArenaEnvError
from webarena_gym.ray_vector import RayVectorEnv
from webarena_gym.sandbox.templates import load_split
from webarena_gym.vector import WebArenaVectorEnv, unbatch

EXIT = 'exit(message="")'


@pytest.fixture(scope="module")
def shop_configs():
    configs = load_split("test", sites=["shopping"])
    by_id = {c["task_id"]: c for c in configs}
    return [by_id["shopping/cart_add_with_options/0"], by_id["shopping/wishlist_add/0"],
            *configs[:2]]


@pytest.fixture(params=["local", "ray"])
def make_vector(request):
    """``make_vector(num_envs, **env_kwargs)``: a ``WebArenaSandbox-v0`` vector env, local
    (``gym.make_vec``) or Ray-backed (:class:`RayVectorEnv`, 2 workers on a local Ray; skipped
    when Ray is not installed); closed after the test."""
    if request.param == "ray":
        request.getfixturevalue("ray_cluster")
    made = []

    def make(num_envs, **kwargs):
        if request.param == "ray":
            venv = RayVectorEnv("WebArenaSandbox-v0", num_envs=num_envs, num_workers=2,
                                env_kwargs=kwargs)
        else:
            venv = gym.make_vec("WebArenaSandbox-v0", num_envs=num_envs, **kwargs)
        made.append(venv)
        return venv

    yield make
    for venv in made:
        venv.close()


def test_make_vec_group_rollouts_are_isolated(make_vector, shop_configs):
    """Three rollouts of one cart task at once: each adds to its own cart, so all three pass."""
    config = shop_configs[0]
    venv = make_vector(3, task_configs=shop_configs)
    try:
        assert isinstance(venv, (WebArenaVectorEnv, RayVectorEnv))
        assert venv.metadata["autoreset_mode"] == gym.vector.AutoresetMode.DISABLED
        obs, infos = venv.reset(options={"task_id": config["task_id"]})
        assert set(obs) == {"intent", "url", "html", "last_action_error"}
        assert len(set(obs["intent"])) == 1 and len(obs["html"]) == 3
        assert len(set(infos["tenant"])) == 3  # one private state per rollout
        scripts = oracle_scripts(config, 3)
        total = np.zeros(3)
        while not venv.done.all():
            actions = [None if done else script.send(o)
                       for done, script, o in zip(venv.done, scripts, unbatch(obs), strict=True)]
            obs, rewards, terminated, truncated, infos = venv.step(actions)
            total += rewards
        assert total.tolist() == [1.0, 1.0, 1.0]
        assert venv.observation_space.contains(obs)
    finally:
        venv.close()


def test_finished_envs_wait_and_masks_reset_some(make_vector, shop_configs):
    ids = [c["task_id"] for c in shop_configs[:3]]
    venv = make_vector(3, task_configs=shop_configs)
    try:
        obs, _ = venv.reset(options={"task_id": ids})
        assert [o["intent"] for o in unbatch(obs)] == [c["intent"] for c in shop_configs[:3]]
        obs, rewards, terminated, truncated, _ = venv.step([EXIT, 'do(action="Scroll Down")',
                                                            'do(action="Scroll Down")'])
        assert terminated.tolist() == [True, False, False]
        assert venv.done.tolist() == [True, False, False]
        final = venv.observations[0]
        with pytest.raises(TypeError, match="env 1"):
            venv.step([None, None, EXIT])
        obs, rewards, terminated, truncated, infos = venv.step([None, EXIT,
                                                                'do(action="Scroll Up")'])
        # env 0 waited: same final observation, no reward, still terminated
        assert unbatch(obs)[0] == final and rewards[0] == 0.0 and terminated[0]
        assert not infos["_step"][0] and infos["_step"][1]
        assert venv.done.tolist() == [True, True, False]
        obs, _ = venv.reset(options={"task_id": [ids[2], None, None],
                                     "reset_mask": np.array([True, False, False])})
        assert venv.done.tolist() == [False, True, False]
        assert unbatch(obs)[0]["intent"] == shop_configs[2]["intent"]
        venv.step([EXIT, None, EXIT])
        with pytest.raises(WebArenaEnvError, match="every episode has ended"):
            venv.step([EXIT] * 3)
        first = venv.reset_tasks({1: ids[0]})  # the masked reset, by env index
        assert list(first) == [1] and first[1]["intent"] == shop_configs[0]["intent"]
        assert venv.done.tolist() == [True, False, True]
        venv.step([None, EXIT, None])
        with pytest.raises(KeyError, match="env 1: task_id 'nope'"):
            venv.reset(options={"task_id": [ids[0], "nope", ids[0]]})
        assert venv.done.all()  # the bad id reset nothing
        with pytest.raises(ValueError, match="one action per env"):
            venv.step([EXIT])
    finally:
        venv.close()


def test_slow_page_does_not_hold_up_other_envs(page_server):
    """Two envs stepped concurrently: the one clicking a fast link finishes first."""
    cfg = task(1, f"{page_server}/vector/index.html", {})
    envs = [WebArenaEnv([cfg], max_episode_steps=5) for _ in range(2)]
    venv = WebArenaVectorEnv(envs=envs)
    finished: list[str] = []

    async def main() -> None:
        obs, _ = await venv.areset(options={"task_id": "1"})
        html = unbatch(obs)[0]["html"]

        def number(text: str) -> str:
            import re
            return re.search(rf'id="(\d+)"[^>]*>{text}<', html).group(1)

        async def click(env: WebArenaEnv, text: str) -> None:
            obs, *_ = await env.astep(f'do(action="Click", element="{number(text)}")')
            finished.append(obs["url"].rsplit("/", 1)[-1])

        await asyncio.gather(click(envs[0], "Slow page"), click(envs[1], "Fast page"))

    try:
        asyncio.run(main())
        assert finished == ["second.html", "slow?s=2"]
        # the vector step waits for both, then returns both
        venv.reset(options={"task_id": "1"})
        obs, *_ = venv.step(['do(action="Go Backward")'] * 2)
        assert len(obs["url"]) == 2
    finally:
        venv.close()
    assert browser_pids() == []


def test_gymnasium_async_vector_env_over_the_plain_env(shop_configs):
    """gymnasium's own AsyncVectorEnv (one process per env) keeps working."""
    venv = gym.make_vec("WebArenaSandbox-v0", num_envs=2, vectorization_mode="async",
                        task_configs=shop_configs[:2])
    try:
        obs, _ = venv.reset(seed=0, options={"task_id": shop_configs[1]["task_id"]})
        assert len(obs["html"]) == 2 and all(obs["html"])
        _obs, rewards, terminated, _truncated, _ = venv.step((EXIT, EXIT))
        assert terminated.tolist() == [True, True] and rewards.tolist() == [0.0, 0.0]
    finally:
        venv.close()
    assert browser_pids() == []  # the workers had their own browsers; this process none


def test_vector_env_takes_factories_or_envs():
    """Envs on different browsers are allowed (tests/core/test_vector_shards.py); the
    constructor needs exactly one of env_fns and envs."""
    with pytest.raises(ValueError, match="exactly one"):
        WebArenaVectorEnv()
    with pytest.raises(ValueError, match="at least one env"):
        WebArenaVectorEnv(envs=[])


def test_infos_batch_a_parse_error_beside_a_valid_action(make_vector, shop_configs):
    """One env's response does not parse (its info["action"] is None) while the other's does
    (a dict): the step batches both, and the None entry's mask stays False."""
    venv = make_vector(2, task_configs=shop_configs)
    try:
        venv.reset(options={"task_id": shop_configs[0]["task_id"]})
        obs, _r, _t, _tr, infos = venv.step(["not an action", 'do(action="Scroll Down")'])
        assert obs["last_action_error"][0] and not obs["last_action_error"][1]
        assert infos["_action"].tolist() == [False, True]
    finally:
        venv.close()
