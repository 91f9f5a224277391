"""RayVectorEnv: the vector env whose envs live in Ray actors, on a local Ray the tests start.

The shared vector-env tests (tests/core/test_vector.py) run on it too, through their
``make_vector`` fixture, which takes :func:`ray_cluster` from here. Every test here that needs
Ray skips, saying why, when the ``ray`` extra is not installed.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import gymnasium as gym
import pytest
from helpers import chromium_pids, descendant_pids

import webarena_gym  # noqa: F401 - registers the ids
from webarena_gym.env import WebArenaEnvError
from webarena_gym.episodes import run_episodes
from webarena_gym.ray_vector import RAY_EXTRA, RayVectorEnv, split_envs
from webarena_gym.sandbox.templates import load_split, sample_of
from webarena_gym.vector import VectorResetError, unbatch

EXIT = 'exit(message="")'
NO_RAY = f"Ray is not installed (the optional extra: {RAY_EXTRA})"


def _ray_processes() -> list[int]:
    """This process's descendants that are Ray's own (gcs_server, raylet, workers...)."""
    found = []
    for pid in descendant_pids():
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if b"/ray/" in cmdline or cmdline.startswith(b"ray::"):  # Ray's binaries, its workers
            found.append(pid)
    return found


def _wait_until_gone(pids: list[int], timeout: float = 15.0) -> list[int]:
    """The pids of ``pids`` still alive (not zombies) after waiting up to ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while True:
        alive = []
        for pid in pids:
            try:
                state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
            except OSError:
                continue
            if state != "Z":
                alive.append(pid)
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.2)


@contextlib.contextmanager
def _loopback_ray_env() -> Iterator[None]:
    """No RAY_ADDRESS (a cluster of the user's is not the test's), and Ray on the loopback
    address: Ray resolves 127.0.0.1 to the machine's reachable address unless "clusters" are off
    (read when ray is first imported); then the head, raylet and workers bind to 127.0.0.1."""
    saved = {k: os.environ.get(k) for k in ("RAY_ADDRESS", "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER")}
    os.environ.pop("RAY_ADDRESS", None)
    os.environ["RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"] = "0"
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@pytest.fixture(scope="module")
def ray_cluster():
    """A local Ray for the module: 2 CPUs, on the loopback address, no dashboard; shut down
    (with every process it started) at the end. Skips when Ray is not installed."""
    with _loopback_ray_env():
        ray = pytest.importorskip("ray", reason=NO_RAY)
        if ray.is_initialized():
            pytest.fail("Ray is already initialised in this process; the test starts its own")
        # address="local": a new Ray of its own, even where `ray start` left a cluster running.
        ray.init(address="local", num_cpus=2, include_dashboard=False,
                 namespace="webarena-gym-tests")
        try:
            yield ray
        finally:
            ray.shutdown()
            assert _wait_until_gone(_ray_processes()) == [], "Ray processes outlived shutdown"


@pytest.fixture(scope="module")
def shop_configs():
    configs = load_split("test", sites=["shopping"])
    by_id = {c["task_id"]: c for c in configs}
    return [by_id["shopping/cart_add_with_options/0"], by_id["shopping/wishlist_add/0"],
            *configs[:2]]


# -- no Ray needed -------------------------------------------------------------------------------
def test_without_ray_the_error_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)  # "import ray" raises ImportError
    with pytest.raises(ImportError, match=r'pip install "webarena-gym\[ray\]"'):
        RayVectorEnv("WebArenaSandbox-v0", num_envs=2, num_workers=2)


def test_arguments_are_checked_before_ray_starts():
    with pytest.raises(ValueError, match="num_workers=3 is more than num_envs=2"):
        RayVectorEnv(num_envs=2, num_workers=3)
    with pytest.raises(ValueError, match="num_envs must be a positive int"):
        RayVectorEnv(num_envs=0)
    with pytest.raises(ValueError, match=r"worker_options \['lifetime', 'name'\]"):
        RayVectorEnv(num_envs=2, worker_options={"name": "envs", "lifetime": "detached"})
    assert split_envs(5, 2) == [(0, 3), (3, 2)]
    assert split_envs(4, 4) == [(0, 1), (1, 1), (2, 1), (3, 1)]


# -- a Ray of its own (before the module's Ray starts) ---------------------------------------------
def test_a_ray_the_env_started_stops_when_the_last_env_closes(shop_configs):
    """Ray not initialised: the vector envs start a local one (ray_address="local"), share it,
    and the last one to close shuts it down, with every Ray process."""
    with _loopback_ray_env():
        ray = pytest.importorskip("ray", reason=NO_RAY)
        if ray.is_initialized():
            pytest.skip("Ray is already initialised in this process")
        kwargs = {"task_configs": shop_configs[:1]}
        first = RayVectorEnv(num_envs=1, env_kwargs=kwargs, ray_address="local")
        try:
            second = RayVectorEnv(num_envs=1, env_kwargs=kwargs, ray_address="local")
            assert ray.is_initialized() and _ray_processes()
        finally:
            first.close()
        assert ray.is_initialized()  # the second still uses it
        second.close()
        assert not ray.is_initialized()
        assert _wait_until_gone(_ray_processes()) == []


# -- on the module's Ray -------------------------------------------------------------------------
def _oracle_policy(configs, wrong):
    """A scripted policy: each task's oracle, except episode ``wrong``, which answers wrongly."""
    by_id = {c["task_id"]: c for c in configs}
    scripts = {}

    def policy(episodes):
        out = []
        for e in episodes:
            if e.index == wrong:
                out.append('exit(message="no idea")')
                continue
            if e.index not in scripts:
                template, sample = sample_of(by_id[e.task_id])
                scripts[e.index] = template.solve(sample)
                next(scripts[e.index])
            out.append(scripts[e.index].send(e.observation))
        return out

    return policy


def test_run_episodes_gives_the_same_rewards_as_on_the_local_env(ray_cluster, shop_configs):
    """The trainer's episode loop, unchanged, over 2 workers: five episodes (one task twice) on
    three envs, so finished envs take the next task with masked resets across workers."""
    ids = [c["task_id"] for c in shop_configs]
    tasks = [ids[0], ids[1], ids[0], ids[2], ids[3]]
    results = {}
    for name in ("local", "ray"):
        if name == "local":
            venv = gym.make_vec("WebArenaSandbox-v0", num_envs=3, task_configs=shop_configs)
        else:  # gym.make_vec with num_workers: the Ray-backed vector env
            venv = gym.make_vec("WebArenaSandbox-v0", num_envs=3, num_workers=2,
                                num_browsers=1, task_configs=shop_configs)
            assert isinstance(venv, RayVectorEnv) and venv.num_workers == 2
        try:
            episodes = run_episodes(venv, tasks, _oracle_policy(shop_configs, wrong=3))
        finally:
            venv.close()
        results[name] = [(e.task_id, e.reward, e.terminated, len(e.steps), e.error)
                         for e in episodes]
    assert [r[1] for r in results["local"]] == [1.0, 1.0, 1.0, 0.0, 1.0]
    assert results["ray"] == results["local"]


def test_async_api_worker_death_and_close_leave_no_chromium(ray_cluster, shop_configs):
    """areset/astep, reset_tasks, get_attr/set_attr/call across workers; a worker killed mid-run
    fails only its env (global index in the errors); close ends every worker's Chromium."""
    ids = [c["task_id"] for c in shop_configs]
    venv = RayVectorEnv("WebArenaSandbox-v0", num_envs=2, num_workers=2,
                        env_kwargs={"task_configs": shop_configs, "max_episode_steps": 5})
    try:
        assert repr(venv) == "RayVectorEnv(WebArenaSandbox-v0, num_envs=2, num_workers=2)"
        assert venv.metadata["autoreset_mode"] == gym.vector.AutoresetMode.DISABLED
        assert venv.spec.id == "WebArenaSandbox-v0"
        workers = [w["pid"] for w in venv.worker_info]
        assert len(set(workers)) == 2 and os.getpid() not in workers
        assert [w["first_index"] for w in venv.worker_info] == [0, 1]

        async def episode():
            obs, infos = await venv.areset(seed=3, options={"task_id": [ids[1], ids[2]]})
            assert infos["task_id"].tolist() == [ids[1], ids[2]]
            return obs, await venv.astep(['do(action="Scroll Down")', EXIT])

        obs, (obs2, rewards, terminated, truncated, infos) = asyncio.run(episode())
        assert [o["intent"] for o in unbatch(obs)] == [shop_configs[1]["intent"],
                                                       shop_configs[2]["intent"]]
        assert terminated.tolist() == [False, True] and venv.done.tolist() == [False, True]
        assert infos["_eval"].tolist() == [False, True]
        assert venv.observation_space.contains(obs2)
        assert venv.get_attr("max_episode_steps") == (5, 5)
        venv.set_attr("max_episode_steps", [4, 6])
        assert venv.get_attr("max_episode_steps") == (4, 6)
        assert venv.call("render") == (None, None)  # no render_mode: no screenshots
        first = venv.reset_tasks({1: ids[3]})
        assert list(first) == [1] and first[1]["intent"] == shop_configs[3]["intent"]
        assert venv.done.tolist() == [False, False]

        # Both workers run a Chromium of their own, none runs in this process's tree directly.
        browsers = {pid: chromium_pids(pid) for pid in workers}
        assert all(browsers.values()), browsers
        # A worker dies (its node lost, OOM-killed): only its env fails, by its global index.
        os.kill(workers[1], signal.SIGKILL)
        assert _wait_until_gone([workers[1]]) == []
        _obs, _r, terminated, truncated, infos = venv.step(['do(action="Scroll Up")',
                                                            'do(action="Scroll Up")'])
        assert truncated.tolist() == [False, True] and venv.done.tolist() == [False, True]
        assert infos["error"][1].startswith("env 1: step failed: worker 1 (envs 1..1) is gone")
        assert not infos["_error"][0]
        assert venv.observations[1]["last_action_error"] == infos["error"][1]
        with pytest.raises(VectorResetError) as failed:
            venv.reset(options={"task_id": ids[0]})
        assert list(failed.value.errors) == [1] and list(failed.value.observations) == [0]
        assert venv.done.tolist() == [False, True]
        assert _wait_until_gone(browsers[workers[1]]) == []  # the dead worker's browser too
    finally:
        venv.close()
    assert _wait_until_gone([pid for pids in browsers.values() for pid in pids]) == []
    assert _wait_until_gone(workers) == []
    assert chromium_pids() == []  # nothing anywhere under this process


def test_a_worker_that_cannot_build_its_envs_says_why(ray_cluster, shop_configs):
    with pytest.raises(WebArenaEnvError, match=r"worker 0 \(envs 0..0\) could not build .*"
                                               r"ValueError: unknown sandbox site"):
        RayVectorEnv("WebArenaSandbox-v0", num_envs=2, num_workers=2,
                     env_kwargs={"task_configs": shop_configs, "sites": ["nope"]})
    deadline = time.monotonic() + 15  # the dead workers' CPUs come back
    while ray_cluster.available_resources().get("CPU", 0) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert ray_cluster.available_resources().get("CPU", 0) == 2


def test_workers_the_cluster_cannot_place_time_out_with_a_clear_error(ray_cluster, shop_configs):
    """A worker asking for more CPUs than the local Ray has is never placed: the constructor
    gives up after start_timeout_s, says why, and leaves nothing behind."""
    with pytest.raises(WebArenaEnvError, match=r"worker 0 did not start within 3 s.*num_cpus"):
        RayVectorEnv("WebArenaSandbox-v0", num_envs=1, num_workers=1,
                     env_kwargs={"task_configs": shop_configs},
                     worker_options={"num_cpus": 64}, start_timeout_s=3)
    assert ray_cluster.available_resources().get("CPU", 0) == 2
