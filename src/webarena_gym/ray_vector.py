"""``RayVectorEnv``: a vector env whose envs run in Ray actors, on one machine or a cluster.

Optional: needs the ``ray`` extra (``pip install "webarena-gym[ray]"``); nothing here imports Ray
until a :class:`RayVectorEnv` is built.

Each of the ``num_workers`` workers is a Ray actor (:class:`EnvWorker`, a process of its own)
that builds a :class:`~webarena_gym.vector.WebArenaVectorEnv` of its share of the envs with
``gymnasium.make_vec(env_id, num_envs=k, **env_kwargs)``: it owns its Chromium, its event-loop
thread and, on the sandbox, its own sites and tenants. Envs are numbered globally: worker 0
holds envs ``0..k_0-1``, worker 1 the next ``k_1``, and so on (shares differ by at most one).

The facade has the API and the semantics of :class:`~webarena_gym.vector.WebArenaVectorEnv`
(read its module docstring): autoreset disabled, finished envs wait, reset options ``task_id``
(one id or one per env) and ``reset_mask``, :meth:`RayVectorEnv.reset_tasks`,
:attr:`RayVectorEnv.done`, :attr:`RayVectorEnv.observations`, ``areset``/``astep``, ``call``,
``get_attr``, ``set_attr``. The argument checks are the local env's own; an unknown task id
raises ``KeyError`` before any env resets; a failed reset raises
:class:`~webarena_gym.vector.VectorResetError` with global env indices; a step that fails in one
env ends that env's episode only; infos are batched as the local env batches them. All workers
step at once (their calls are submitted together, then awaited), so
:func:`webarena_gym.episodes.run_episodes` and the trainer's rollouts run on it unchanged.

A worker that dies (its process killed, its node lost) fails its envs, not the run: their steps
end truncated with ``infos["error"]``, their resets fail with :class:`VectorResetError`. With
``worker_options={"max_restarts": 1}`` Ray starts it again (fresh envs) and the next reset works.

Ray: if it is not initialised, the vector env calls ``ray.init(address=ray_address)``: with
None, Ray's own lookup (the ``RAY_ADDRESS`` environment variable, the cluster ``ray start`` last
started on this machine, else a new local Ray); ``"local"`` always starts a new one. When the
last vector env that needed it closes, it calls ``ray.shutdown()`` (a local Ray stops; a cluster
is only disconnected from). A Ray the caller initialised is used as it is and never shut down.

Example::

    venv = RayVectorEnv("WebArenaSandbox-v0", num_envs=8, num_workers=4,
                        env_kwargs={"split": "train", "max_episode_steps": 15})
    episodes = run_episodes(venv, task_ids, policy)
    venv.close()
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import os
import re
import threading
import time
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from webarena_gym.env import WebArenaEnvError
from webarena_gym.vector import (
    EpisodeStateVectorEnv,
    VectorResetError,
    WebArenaVectorEnv,
    check_num_envs,
    default_num_browsers,
    reset_calls,
    step_calls,
    unbatch_info,
)

logger = logging.getLogger(__name__)

#: How to install what this module needs.
RAY_EXTRA = 'pip install "webarena-gym[ray]"'

#: Ray options of every worker unless ``worker_options`` says otherwise.
DEFAULT_WORKER_OPTIONS: dict[str, Any] = {"num_cpus": 1}

#: Seconds the workers get to be placed and to build their envs (``start_timeout_s``).
START_TIMEOUT_S = 300.0

#: Seconds a closing worker gets to close its envs (and Chromium) before it is killed.
CLOSE_TIMEOUT_S = 60.0

ResetCall = tuple[int, int | None, dict[str, Any]]


def import_ray() -> Any:
    """The ``ray`` module; an ImportError that says how to install it when it is missing."""
    try:
        import ray
    except ImportError as exc:
        raise ImportError(
            f"RayVectorEnv needs Ray, which is not installed ({exc}). Install the extra: "
            f"{RAY_EXTRA}; or use the local vector env, gym.make_vec('WebArenaSandbox-v0', "
            "num_envs=N)."
        ) from exc
    return ray


# -- Ray start-up ----------------------------------------------------------------------------------
_ray_lock = threading.Lock()
_ray_started_here = False  # this module called ray.init (so it may shut it down)
_ray_users = 0  # open RayVectorEnvs on the Ray this module started


def _acquire_ray(ray: Any, address: str | None) -> bool:
    """Make sure Ray is initialised; True if this vector env counts as a user of a Ray that this
    module started (and so must call :func:`_release_ray` when it closes)."""
    global _ray_started_here, _ray_users
    with _ray_lock:
        if ray.is_initialized():
            if address is not None:
                logger.info("Ray is already initialised; ray_address=%r is not used", address)
            if _ray_started_here:
                _ray_users += 1
                return True
            return False
        # None: ray.init's own lookup (RAY_ADDRESS, the cluster `ray start` last started on this
        # machine, else a new local Ray); "local" always starts a new one.
        ray.init(address=address or os.environ.get("RAY_ADDRESS") or None)
        _ray_started_here, _ray_users = True, 1
        return True


def _release_ray(ray: Any) -> None:
    """One user fewer of the Ray this module initialised; the last one calls ``ray.shutdown()``
    (which stops a local Ray it started, and only disconnects from a cluster)."""
    global _ray_started_here, _ray_users
    with _ray_lock:
        _ray_users -= 1
        if _ray_users <= 0 and _ray_started_here:
            _ray_started_here, _ray_users = False, 0
            if ray.is_initialized():
                ray.shutdown()


# -- the worker (a Ray actor) ----------------------------------------------------------------------
class EnvWorker:
    """One worker of a :class:`RayVectorEnv`: envs ``first_index..first_index+num_envs-1`` as a
    local :class:`~webarena_gym.vector.WebArenaVectorEnv` in this process (its own Chromium and
    event loop). Runs as a Ray actor; its methods take and return local env indices and plain
    picklable values, and the facade maps them to global ones.

    Args:
        env_id: a registered id whose vector entry point builds a ``WebArenaVectorEnv``
            (``"WebArenaSandbox-v0"``, ``"WebArenaLite-v0"``).
        num_envs: this worker's share of the envs.
        env_kwargs: keyword arguments of ``gymnasium.make_vec`` (each env's options).
        first_index: the global index of this worker's first env (for messages).
    """

    def __init__(
        self, env_id: str, num_envs: int, env_kwargs: Mapping[str, Any], first_index: int
    ) -> None:
        import gymnasium as gym

        import webarena_gym  # noqa: F401 - registers the ids

        kwargs = dict(env_kwargs)
        cpus = _assigned_cpus()
        if "num_browsers" not in kwargs and cpus is not None:
            # One Chromium per CORES_PER_BROWSER of the CPUs Ray gave this worker (the machine's
            # core count would start a browser per 4 cores in every worker).
            kwargs["num_browsers"] = default_num_browsers(num_envs, cpus)
        venv = gym.make_vec(env_id, num_envs=num_envs, **kwargs)
        if not isinstance(venv, WebArenaVectorEnv):
            venv.close()
            raise TypeError(
                f"gym.make_vec({env_id!r}) built a {type(venv).__name__}, not a "
                "WebArenaVectorEnv; RayVectorEnv runs the ids whose vector entry point builds "
                "one (WebArenaSandbox-v0, WebArenaLite-v0)"
            )
        self.venv = venv
        self.first_index = first_index

    def describe(self) -> dict[str, Any]:
        """Spaces, render mode, spec, each env's task ids, and where this worker runs."""
        venv = self.venv
        try:
            import ray

            node = ray.util.get_node_ip_address()
        except Exception:  # noqa: BLE001 - informational only
            node = None
        return {
            "single_observation_space": venv.single_observation_space,
            "single_action_space": venv.single_action_space,
            "render_mode": venv.render_mode,
            "spec": venv.spec,
            "task_ids": self.task_ids(),
            "pid": os.getpid(),
            "node_ip": node,
            "num_envs": venv.num_envs,
            "first_index": self.first_index,
        }

    def task_ids(self) -> list[list[str]]:
        """The task ids each env holds (what reset's ``task_id`` may name)."""
        return [list(env._tasks_by_id) for env in self.venv.envs]

    def reset(self, calls: Sequence[ResetCall]) -> dict[str, Any]:
        """Reset local envs: ``calls`` holds ``(local index, seed, options)`` per env, as
        ``WebArenaVectorEnv._reset_calls`` makes them (the options differ in ``task_id`` only).

        Returns ``observations`` and ``infos`` of the envs reset and ``errors`` of those that
        failed (local index -> why), instead of raising :class:`VectorResetError`.
        """
        venv = self.venv
        n = venv.num_envs
        mask = np.zeros(n, dtype=np.bool_)
        seeds: list[int | None] = [None] * n
        task_ids: list[Any] = [None] * n
        common: dict[str, Any] = {}
        for i, seed, options in calls:
            mask[i], seeds[i] = True, seed
            common = {k: v for k, v in options.items() if k != "task_id"}
            task_ids[i] = options.get("task_id")
        try:
            _obs, infos = venv.reset(
                seed=seeds, options={**common, "task_id": task_ids, "reset_mask": mask}
            )
        except VectorResetError as exc:
            return {"observations": exc.observations, "infos": {}, "errors": exc.errors}
        own = venv.observations
        return {
            "observations": {i: own[i] for i, _s, _o in calls},
            "infos": {i: _plain_info(unbatch_info(infos, i)) for i, _s, _o in calls},
            "errors": {},
        }

    def step(self, actions: Sequence[str | None]) -> dict[str, Any]:
        """Step the local envs (``None`` for those whose episode ended): the stepped envs'
        observations and infos (by local index), every env's reward and flags as lists."""
        _obs, rewards, terminated, truncated, infos = self.venv.step(actions)
        observations = self.venv.observations
        stepped = [i for i, a in enumerate(actions) if a is not None]
        env_infos = {i: _plain_info(unbatch_info(infos, i)) for i in stepped}
        for i in stepped:
            # The local env names its own index in a failed step's message; use the global one.
            local, glob = f"env {i}: ", f"env {self.first_index + i}: "
            error = env_infos[i].get("error")
            if isinstance(error, str) and error.startswith(local):
                env_infos[i]["error"] = glob + error[len(local):]
                last = observations[i].get("last_action_error", "")
                if last.startswith(local):
                    observations[i]["last_action_error"] = glob + last[len(local):]
        return {
            "observations": {i: observations[i] for i in stepped},
            "rewards": rewards.tolist(),
            "terminated": terminated.tolist(),
            "truncated": truncated.tolist(),
            "infos": env_infos,
        }

    def call(self, name: str, args: Sequence[Any], kwargs: Mapping[str, Any]) -> tuple[Any, ...]:
        """``WebArenaVectorEnv.call`` on the local envs."""
        return self.venv.call(name, *args, **kwargs)

    def get_attr(self, name: str) -> tuple[Any, ...]:
        """``WebArenaVectorEnv.get_attr`` on the local envs."""
        return self.venv.get_attr(name)

    def set_attr(self, name: str, values: Sequence[Any]) -> None:
        """``WebArenaVectorEnv.set_attr`` with one value per local env."""
        self.venv.set_attr(name, list(values))

    def render(self) -> tuple[Any, ...] | None:
        """One screenshot per local env (``render_mode="rgb_array"``)."""
        return self.venv.render()

    def close(self) -> None:
        """Close the local envs (their tenants, sites' hold, and Chromium)."""
        self.venv.close()


def _assigned_cpus() -> int | None:
    """The CPUs Ray assigned to the calling actor (None outside Ray, or when it has none)."""
    try:
        import ray

        cpus = ray.get_runtime_context().get_assigned_resources().get("CPU")
    except Exception:  # noqa: BLE001 - not in a Ray worker
        return None
    return max(1, int(cpus)) if cpus else None


def _plain_info(info: dict[str, Any]) -> dict[str, Any]:
    """An unbatched info with numpy bools as Python bools: gymnasium batches a ``bool`` into a
    bool array but an ``np.bool_`` into an object array, so the facade re-batches what the env
    gave. (Numpy numbers keep their dtype either way.)"""
    out: dict[str, Any] = {}
    for key, value in info.items():
        if isinstance(value, dict):
            out[key] = _plain_info(value)
        elif isinstance(value, np.bool_):
            out[key] = bool(value)
        else:
            out[key] = value
    return out


_remote_worker: Any = None


def _remote_worker_class(ray: Any) -> Any:
    """:class:`EnvWorker` as a Ray actor class (made once)."""
    global _remote_worker
    if _remote_worker is None:
        _remote_worker = ray.remote(EnvWorker)
    return _remote_worker


def split_envs(num_envs: int, num_workers: int) -> list[tuple[int, int]]:
    """``(first global index, number of envs)`` of each worker: shares differ by at most one,
    the larger ones first."""
    base, extra = divmod(num_envs, num_workers)
    shares, first = [], 0
    for w in range(num_workers):
        k = base + (1 if w < extra else 0)
        shares.append((first, k))
        first += k
    return shares


# -- the facade ------------------------------------------------------------------------------------
class RayVectorEnv(EpisodeStateVectorEnv):
    """N envs spread over Ray actors, with :class:`~webarena_gym.vector.WebArenaVectorEnv`'s API
    (see the module docstring).

    Args:
        env_id: the env id each worker builds with ``gymnasium.make_vec``
            (``"WebArenaSandbox-v0"`` or ``"WebArenaLite-v0"``).
        num_envs: envs in all (global indices ``0..num_envs-1``).
        num_workers: Ray actors to spread them over (each its own process, Chromium and
            event loop); at most ``num_envs``.
        env_kwargs: keyword arguments of ``gymnasium.make_vec`` in each worker, i.e. every env's
            options (``task_configs``, ``split``, ``max_episode_steps``, ...). They travel to the
            workers, so they must pickle.
        ray_address: the Ray cluster to connect to when Ray is not initialised yet
            (``"head:6379"``, ``"ray://head:10001"``, ``"auto"``; ``"local"``: a new local Ray);
            default: ``ray.init``'s lookup (``RAY_ADDRESS``, else a ``ray start`` cluster of this
            machine, else a new local Ray).
        worker_options: Ray actor options of every worker (``num_cpus``, ``resources``,
            ``scheduling_strategy``, ``max_restarts``, ``runtime_env``, ...; not ``name`` or
            ``lifetime``: the workers are this vector env's own); default ``{"num_cpus": 1}``.
            A worker with no ``num_browsers`` in ``env_kwargs`` runs one Chromium per 4 of its
            ``num_cpus``.
        start_timeout_s: how long the workers may take to be placed and to build their envs
            (a cluster without the CPUs they ask for never places them); ``None``: no bound.

    Raises:
        ImportError: Ray is not installed.
        ValueError: ``num_envs`` / ``num_workers`` are not positive, more workers than envs, or
            ``worker_options`` names the workers.
        WebArenaEnvError: a worker failed to build its envs (the message has its error).
    """

    def __init__(
        self,
        env_id: str = "WebArenaSandbox-v0",
        num_envs: int = 1,
        *,
        num_workers: int = 1,
        env_kwargs: Mapping[str, Any] | None = None,
        ray_address: str | None = None,
        worker_options: Mapping[str, Any] | None = None,
        start_timeout_s: float | None = START_TIMEOUT_S,
    ) -> None:
        check_num_envs(num_envs)
        if not isinstance(num_workers, int) or num_workers < 1:
            raise ValueError(f"num_workers must be a positive int, got {num_workers!r}")
        if num_workers > num_envs:
            raise ValueError(
                f"num_workers={num_workers} is more than num_envs={num_envs}; every worker "
                "needs at least one env (use num_workers <= num_envs)"
            )
        unsupported = sorted({"name", "lifetime"} & set(worker_options or {}))
        if unsupported:
            raise ValueError(
                f"worker_options {unsupported} are not supported: a RayVectorEnv owns its "
                "workers (anonymous, ended by close()); to share a cluster between training "
                "ranks, give each rank its own RayVectorEnv with its share of the envs"
            )
        ray = import_ray()
        self._ray = ray
        self._counted_ray_user = _acquire_ray(ray, ray_address)
        self.env_id = env_id
        self._shares = split_envs(num_envs, num_workers)
        self._workers: list[Any] = []
        options = {**DEFAULT_WORKER_OPTIONS, **dict(worker_options or {})}
        kwargs = dict(env_kwargs or {})
        try:
            actor = _remote_worker_class(ray).options(**options)
            self._workers = [actor.remote(env_id, k, kwargs, first) for first, k in self._shares]
            described = self._gather_sync([w.describe.remote() for w in self._workers],
                                          timeout=start_timeout_s)
            for w, result in enumerate(described):
                if isinstance(result, ray.exceptions.GetTimeoutError):
                    raise WebArenaEnvError(
                        f"RayVectorEnv: worker {w} did not start within {start_timeout_s} s: "
                        f"Ray may have no node with the resources it asks for ({options}; "
                        f"available now: {ray.available_resources()}); lower worker_options' "
                        "num_cpus, add nodes, or raise start_timeout_s"
                    ) from None
                if isinstance(result, BaseException):
                    first, k = self._shares[w]
                    raise WebArenaEnvError(
                        f"RayVectorEnv: worker {w} (envs {first}..{first + k - 1}) could not "
                        f"build gym.make_vec({env_id!r}, num_envs={k}, **env_kwargs): "
                        f"{_root_cause(result)}"
                    ) from result
        except BaseException:
            self._stop_workers()  # the workers that did start close their envs
            raise
        first = described[0]
        self.worker_info: list[dict[str, Any]] = [
            {k: d[k] for k in ("pid", "node_ip", "first_index", "num_envs")} for d in described
        ]
        self._init_episode_state(num_envs, first["single_observation_space"],
                                 first["single_action_space"])
        self.render_mode = first["render_mode"]
        spec = first["spec"]
        if spec is not None and "num_envs" in spec.kwargs:  # make_vec's record of the share
            spec = dataclasses.replace(spec, kwargs={**spec.kwargs, "num_envs": num_envs})
        self.spec = spec
        self._set_task_ids([d["task_ids"] for d in described])
        self._task_of: list[Any] = [None] * num_envs

    # -- state -----------------------------------------------------------------------------------
    @property
    def num_workers(self) -> int:
        """How many Ray actors hold the envs."""
        return len(self._shares)

    def _worker_of(self, i: int) -> tuple[int, int]:
        """``(worker, local index)`` of global env ``i``."""
        for w, (first, k) in enumerate(self._shares):
            if first <= i < first + k:
                return w, i - first
        raise IndexError(f"env {i} is not in 0..{self.num_envs - 1}")

    def _set_task_ids(self, per_worker: Sequence[Sequence[Sequence[str]]]) -> None:
        unique: dict[tuple[str, ...], frozenset[str]] = {}
        self._task_ids = []
        for envs in per_worker:
            for ids in envs:
                key = tuple(ids)
                self._task_ids.append(unique.setdefault(key, frozenset(key)))

    # -- reset -----------------------------------------------------------------------------------
    def reset(
        self, *, seed: int | Sequence[int | None] | None = None,
        options: dict[str, Any] | None = None,
    ) -> tuple[dict[str, tuple[str, ...]], dict[str, Any]]:
        """Reset every env (or those of ``options["reset_mask"]``), all workers at once; as
        :meth:`WebArenaVectorEnv.reset <webarena_gym.vector.WebArenaVectorEnv.reset>`.

        Raises:
            KeyError: a task id is not one of that env's tasks (nothing was reset).
            VectorResetError: some envs' resets failed (global indices); the others were reset.
        """
        calls, refs = self._submit_reset(seed, options)
        return self._finish_reset(calls, self._gather_sync(refs))

    async def areset(
        self, *, seed: int | Sequence[int | None] | None = None,
        options: dict[str, Any] | None = None,
    ) -> tuple[dict[str, tuple[str, ...]], dict[str, Any]]:
        """:meth:`reset` for asyncio code: awaits the workers' results from any event loop."""
        calls, refs = self._submit_reset(seed, options)
        return self._finish_reset(calls, await self._gather_async(refs))

    def _submit_reset(
        self, seed: int | Sequence[int | None] | None, options: dict[str, Any] | None
    ) -> tuple[dict[int, list[ResetCall]], dict[int, Any]]:
        """Check the arguments (the local env's own checks, task ids included, with global
        indices), then send each worker its resets; ``(calls per worker, ref per worker)``."""
        calls = reset_calls(self.num_envs, seed, options,
                            lambda i, task_id: task_id in self._task_ids[i])
        per_worker: dict[int, list[ResetCall]] = {}
        for i, env_seed, env_options in calls:
            w, local = self._worker_of(i)
            per_worker.setdefault(w, []).append((local, env_seed, env_options))
        refs = {w: self._workers[w].reset.remote(c) for w, c in per_worker.items()}
        return per_worker, refs

    def _finish_reset(
        self, calls: dict[int, list[ResetCall]], results: dict[int, Any]
    ) -> tuple[dict[str, tuple[str, ...]], dict[str, Any]]:
        errors: dict[int, str] = {}
        env_infos: dict[int, dict[str, Any]] = {}
        for w, result in results.items():
            first = self._shares[w][0]
            if isinstance(result, BaseException):
                self._raise_unless_worker_died(result)
                message = self._worker_died(w, result)
                errors.update({first + i: message for i, _s, _o in calls[w]})
                continue
            errors.update({first + i: e for i, e in result["errors"].items()})
            for i, obs in result["observations"].items():
                self._env_obs[first + i] = obs
            for i, info in result["infos"].items():
                env_infos[first + i] = info
        infos: dict[str, Any] = {}
        reset = []
        for w in sorted(calls):
            first = self._shares[w][0]
            for i, _s, _o in calls[w]:
                g = first + i
                if g in errors:
                    self._done[g] = True
                    continue
                reset.append(g)
                self._terminations[g] = self._truncations[g] = self._done[g] = False
                if g in env_infos:
                    self._task_of[g] = env_infos[g].get("task_id")
                    infos = self._add_info(infos, env_infos[g], g)
        if errors:
            raise VectorResetError(
                dict(sorted(errors.items())), {g: dict(self._env_obs[g]) for g in reset}
            )
        return self._batch(), infos

    # -- step ------------------------------------------------------------------------------------
    def step(
        self, actions: Sequence[str | None]
    ) -> tuple[dict[str, tuple[str, ...]], np.ndarray, np.ndarray, np.ndarray, dict[str, Any]]:
        """Step every env whose episode is running, all workers at once; the others wait. As
        :meth:`WebArenaVectorEnv.step <webarena_gym.vector.WebArenaVectorEnv.step>`: one action
        per env (``None`` for envs whose episode ended), gymnasium's vector returns."""
        stepped, refs = self._submit_step(actions)
        return self._finish_step(stepped, self._gather_sync(refs))

    async def astep(
        self, actions: Sequence[str | None]
    ) -> tuple[dict[str, tuple[str, ...]], np.ndarray, np.ndarray, np.ndarray, dict[str, Any]]:
        """:meth:`step` for asyncio code: awaits the workers' results from any event loop."""
        stepped, refs = self._submit_step(actions)
        return self._finish_step(stepped, await self._gather_async(refs))

    def _submit_step(self, actions: Sequence[str | None]) -> tuple[list[int], dict[int, Any]]:
        """Check the actions (the local env's checks), send each worker with a running episode
        its actions; ``(global indices stepped, ref per worker)``."""
        calls = step_calls(self.num_envs, self._done, actions)
        stepped = [i for i, _a in calls]
        refs = {}
        for w, (first, k) in enumerate(self._shares):
            local = [None if self._done[first + j] else actions[first + j] for j in range(k)]
            if any(a is not None for a in local):  # a worker whose envs all wait is not called
                refs[w] = self._workers[w].step.remote(local)
        return stepped, refs

    def _finish_step(
        self, stepped: list[int], results: dict[int, Any]
    ) -> tuple[dict[str, tuple[str, ...]], np.ndarray, np.ndarray, np.ndarray, dict[str, Any]]:
        rewards = np.zeros(self.num_envs, dtype=np.float64)
        died: dict[int, str] = {}
        for w, result in results.items():
            if isinstance(result, BaseException):
                self._raise_unless_worker_died(result)
                died[w] = self._worker_died(w, result)
        infos: dict[str, Any] = {}
        for g in stepped:
            w, i = self._worker_of(g)
            if w in died:
                infos = self._step_failed(infos, g, died[w])
                continue
            result = results[w]
            rewards[g] = result["rewards"][i]
            infos = self._record_step(infos, g, result["observations"][i],
                                      bool(result["terminated"][i]),
                                      bool(result["truncated"][i]), result["infos"].get(i, {}))
        return self._step_return(rewards, infos)

    def _step_failed(self, infos: dict[str, Any], g: int, reason: str) -> dict[str, Any]:
        """End env ``g``'s episode after its worker died mid-step (truncated, as the local env
        ends an env whose step raised)."""
        return self._end_failed_step(infos, g, f"env {g}: step failed: {reason}",
                                     self._task_of[g])

    # -- Ray plumbing ----------------------------------------------------------------------------
    def _gather_sync(
        self, refs: Sequence[Any] | Mapping[int, Any], timeout: float | None = None
    ) -> Any:
        """Every ref's value or exception (all were submitted before: they ran concurrently);
        ``timeout`` bounds the whole wait (a ref not ready by then gives ``GetTimeoutError``)."""
        items = refs.items() if isinstance(refs, Mapping) else enumerate(refs)
        deadline = None if timeout is None else time.monotonic() + timeout
        out = {}
        for key, ref in items:
            try:
                left = None if deadline is None else max(0.0, deadline - time.monotonic())
                out[key] = self._ray.get(ref, timeout=left)
            except Exception as exc:  # noqa: BLE001 - sorted out by the caller
                out[key] = exc
        return out if isinstance(refs, Mapping) else [out[k] for k in range(len(refs))]

    async def _gather_async(self, refs: Mapping[int, Any]) -> dict[int, Any]:
        keys = list(refs)
        results = await asyncio.gather(*(refs[k] for k in keys), return_exceptions=True)
        for result in results:
            if isinstance(result, BaseException) and not isinstance(result, Exception):
                raise result  # an interrupt or a cancellation stops the whole call
        return dict(zip(keys, results, strict=True))

    def _raise_unless_worker_died(self, exc: BaseException) -> None:
        """A dead worker fails its envs; any other error (a bug, a bad argument the worker's own
        checks caught) is raised as is."""
        if not isinstance(exc, self._ray.exceptions.RayActorError):
            raise exc

    def _worker_died(self, w: int, exc: BaseException) -> str:
        first, k = self._shares[w]
        message = (f"worker {w} (envs {first}..{first + k - 1}) is gone: {_first_line(exc)}; "
                   "give it worker_options={'max_restarts': N} to have Ray restart it")
        logger.warning("RayVectorEnv: %s", message)
        return message

    # -- the rest of the VectorEnv API -----------------------------------------------------------
    def _per_worker(self, method: str, *args: Any) -> tuple[Any, ...]:
        """Call ``method`` on every worker at once; their per-env tuples joined in env order."""
        refs = [getattr(w, method).remote(*args) for w in self._workers]
        return tuple(x for part in self._ray.get(refs) for x in part)

    def render(self) -> tuple[Any, ...] | None:
        """One screenshot per env (``render_mode="rgb_array"``)."""
        if self.render_mode is None:
            return None
        return self._per_worker("render")

    def call(self, name: str, *args: Any, **kwargs: Any) -> tuple[Any, ...]:
        """Call (or read) ``name`` on every env, in its worker; one result per env (results
        travel back, so they must pickle)."""
        return self._per_worker("call", name, args, kwargs)

    def get_attr(self, name: str) -> tuple[Any, ...]:
        """The attribute ``name`` of every env (values must pickle)."""
        return self._per_worker("get_attr", name)

    def set_attr(self, name: str, values: Any) -> None:
        """Set ``name`` on every env: one value for all, or a list with one per env."""
        if not isinstance(values, (list, tuple)):
            values = [values] * self.num_envs
        if len(values) != self.num_envs:
            raise ValueError(f"give one value per env ({self.num_envs}), got {len(values)}")
        self._ray.get([
            w.set_attr.remote(name, list(values[first:first + k]))
            for w, (first, k) in zip(self._workers, self._shares, strict=True)
        ])
        # The envs' tasks may have changed: reset checks task ids against them.
        self._set_task_ids(self._ray.get([w.task_ids.remote() for w in self._workers]))

    def close_extras(self, **kwargs: Any) -> None:
        """Close every worker's envs (their Chromium, tenants), then end the worker processes;
        shut Ray down if this module started it and no other vector env uses it."""
        self._stop_workers()

    def _stop_workers(self) -> None:
        """Close the workers' envs (up to CLOSE_TIMEOUT_S), kill the workers, release Ray."""
        ray = self._ray
        try:
            if self._workers:
                refs = [w.close.remote() for w in self._workers]
                try:
                    ray.wait(refs, num_returns=len(refs), timeout=CLOSE_TIMEOUT_S)
                except Exception:  # noqa: BLE001 - closing must go on
                    pass
                for w, ref in enumerate(refs):
                    try:
                        ray.get(ref, timeout=0)
                    except ray.exceptions.RayActorError:
                        pass  # a dead worker's process (and Chromium) is gone already
                    except Exception as exc:  # noqa: BLE001 - closing must go on
                        logger.warning("RayVectorEnv: worker %d did not close cleanly: %s",
                                       w, _first_line(exc))
            for w in self._workers:
                try:
                    ray.kill(w)
                except Exception:  # noqa: BLE001
                    pass
            self._workers = []
        finally:
            if self._counted_ray_user:
                self._counted_ray_user = False
                _release_ray(ray)

    def __repr__(self) -> str:
        return (f"RayVectorEnv({self.env_id}, num_envs={self.num_envs}, "
                f"num_workers={self.num_workers})")


def _first_line(exc: BaseException) -> str:
    lines = [line for line in str(exc).splitlines() if line.strip()]
    text = lines[0] if lines else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


_EXCEPTION_LINE = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception|Exit|Interrupt)\b.*:")


def _root_cause(exc: BaseException) -> str:
    """The line of a Ray error that names the original exception (Ray's message holds the
    worker's whole traceback), else its first line."""
    for line in reversed(str(exc).splitlines()):
        if _EXCEPTION_LINE.match(line.strip()):
            return line.strip()
    return _first_line(exc)
