"""``WebArenaVectorEnv``: N envs on one or more browsers, stepped concurrently.

Every sub-env is a :class:`~webarena_gym.env.WebArenaEnv` (or the sandbox's subclass) with its
own browser context (and, on the sandbox, its own tenant state). Envs of one browser shard share
a Chromium and its event-loop thread; ``num_browsers`` in the factories
(:func:`browser_shards`) spreads the envs over several Chromium processes, each on its own
thread (:func:`default_num_browsers` follows the machine's cores). ``step(actions)`` runs the
N steps as concurrent coroutines on their browsers' loops, so while one page loads, the others'
clicks, page loads and observations go on; it returns when all N are done. For more than one
process (or machine), :class:`webarena_gym.ray_vector.RayVectorEnv` runs vector envs like this
one inside Ray actors behind the same API.

Autoreset is disabled (``metadata["autoreset_mode"]`` is ``AutoresetMode.DISABLED``): an env
whose episode ended *waits*. It ignores its action (pass ``None``), and every later ``step``
repeats its final observation with reward 0.0 and its final ``terminated``/``truncated`` flags,
until it is reset. :attr:`WebArenaVectorEnv.done` says which episodes have ended. This is what
GRPO needs: G rollouts of one task start together (``reset(options={"task_id": t})``), and the
group is complete when every one of them has ended.

Reset options:

* ``{"task_id": t}``: every env on task ``t`` (a group of G rollouts of one task);
* ``{"task_id": [t_0, ..., t_{N-1}]}``: one task per env (K tasks x G rollouts in one batch);
* ``{"reset_mask": np.array([...], dtype=bool)}``: reset only these envs (gymnasium's
  convention), combinable with ``task_id``.

Failures are per env. A ``step`` in which one env raises ends that env's episode (truncated,
reward 0, ``infos["error"]`` says why, logged) and keeps the others' results, as a browser crash
does in a single env. A ``reset`` in which some envs fail raises :class:`VectorResetError`,
which holds the failed envs' errors and the others' first observations (those envs were reset).

Observations are batched as gymnasium batches a ``Dict`` of text spaces: a dict of tuples,
``obs["html"][i]`` is env i's page. :func:`unbatch` gives one dict per env.

asyncio applications await :meth:`WebArenaVectorEnv.areset` / :meth:`WebArenaVectorEnv.astep`
(or a single env's ``areset`` / ``astep``) from their own event loop.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import logging
import os
from collections.abc import Callable, Coroutine, Mapping, Sequence
from typing import Any

import numpy as np
from gymnasium.vector import AutoresetMode, VectorEnv
from gymnasium.vector.utils import batch_space, concatenate, create_empty_array

from webarena_gym.browser.runtime import BrowserRuntime
from webarena_gym.env import WebArenaEnv, WebArenaEnvError

Obs = dict[str, str]
StepResult = tuple[Obs, float, bool, bool, dict[str, Any]]

logger = logging.getLogger(__name__)


class VectorResetError(WebArenaEnvError):
    """Some envs of a vector reset failed; the others were reset and their episodes run.

    Attributes:
        errors: env index -> why its reset failed (that env counts as ended).
        observations: env index -> first observation, for every env that was reset.
    """

    def __init__(self, errors: Mapping[int, str], observations: Mapping[int, Obs]) -> None:
        self.errors = dict(errors)
        self.observations = dict(observations)
        first = min(self.errors)
        others = f" ({len(self.errors) - 1} more envs failed too)" if len(self.errors) > 1 else ""
        super().__init__(f"env {first}: reset failed: {self.errors[first]}{others}")


def unbatch(observations: Mapping[str, Sequence[str]]) -> list[Obs]:
    """A batched observation (dict of tuples) as one observation dict per env."""
    keys = list(observations)
    if not keys:
        return []
    return [
        {k: observations[k][i] for k in keys} for i in range(len(observations[keys[0]]))
    ]


def unbatch_info(infos: Mapping[str, Any], index: int) -> dict[str, Any]:
    """Env ``index``'s info from gymnasium's batched infos (arrays with ``_key`` masks, dicts
    batched key by key): the keys that env set, with its values (None values were left out)."""
    info: dict[str, Any] = {}
    for key, value in infos.items():
        if key.startswith("_"):
            continue
        if isinstance(value, Mapping):
            nested = unbatch_info(value, index)
            if nested:
                info[key] = nested
        elif f"_{key}" in infos and infos[f"_{key}"][index]:
            info[key] = value[index]
    return info


#: Cores per browser process in :func:`default_num_browsers`. One env step keeps about 1.2-1.4
#: cores busy (Chromium's browser, renderer and GPU processes work in parallel, ~75% of its
#: CPU); a Chromium's browser process serialises every context's navigations and CDP traffic,
#: so a machine gets one browser per few cores rather than one for all.
CORES_PER_BROWSER = 4


def available_cores() -> int:
    """The cores this process may run on (its CPU affinity where the OS reports it)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # not Linux
        return max(1, os.cpu_count() or 1)


def default_num_browsers(num_envs: int, cores: int | None = None) -> int:
    """How many Chromium processes ``num_envs`` envs get by default: one per
    :data:`CORES_PER_BROWSER` cores, at least one, at most one per env."""
    cores = available_cores() if cores is None else cores
    return max(1, min(num_envs, cores // CORES_PER_BROWSER))


def browser_shards(num_envs: int, num_browsers: int | None = None) -> list[int]:
    """The browser shard of each env: contiguous blocks, so that a group's rollouts
    (consecutive envs) share a browser. ``None``: :func:`default_num_browsers`.

    Raises:
        ValueError: ``num_browsers`` is not a positive int.
    """
    check_num_envs(num_envs)
    if num_browsers is None:
        num_browsers = default_num_browsers(num_envs)
    if isinstance(num_browsers, bool) or not isinstance(num_browsers, int) or num_browsers < 1:
        raise ValueError(f"num_browsers must be a positive int or None, got {num_browsers!r}")
    num_browsers = min(num_browsers, num_envs)
    return [i * num_browsers // num_envs for i in range(num_envs)]


class EpisodeStateVectorEnv(VectorEnv):
    """What :class:`WebArenaVectorEnv` and :class:`~webarena_gym.ray_vector.RayVectorEnv`
    share: each env's latest observation and episode flags, the batching of observations and
    infos, and the masked reset by env index. Subclasses call :meth:`_init_episode_state` once
    their single spaces are known and implement ``reset``."""

    metadata = {"autoreset_mode": AutoresetMode.DISABLED, "render_modes": ["rgb_array"]}

    def _init_episode_state(
        self, num_envs: int, single_observation_space: Any, single_action_space: Any
    ) -> None:
        self.num_envs = num_envs
        self.single_observation_space = single_observation_space
        self.single_action_space = single_action_space
        self.observation_space = batch_space(single_observation_space, num_envs)
        self.action_space = batch_space(single_action_space, num_envs)
        self._observations = create_empty_array(single_observation_space, n=num_envs,
                                                fn=np.empty)
        self._env_obs: list[Obs] = [
            {"intent": "", "url": "", "html": "", "last_action_error": ""}
            for _ in range(num_envs)
        ]
        self._terminations = np.zeros(num_envs, dtype=np.bool_)
        self._truncations = np.zeros(num_envs, dtype=np.bool_)
        # Until its first reset an env has no episode: it counts as ended.
        self._done = np.ones(num_envs, dtype=np.bool_)

    @property
    def done(self) -> np.ndarray:
        """``(num_envs,)`` bool: whose episode has ended (those envs wait for a reset)."""
        return self._done.copy()

    @property
    def observations(self) -> list[Obs]:
        """The latest observation of every env, one dict per env."""
        return [dict(o) for o in self._env_obs]

    def reset_tasks(
        self, task_ids: Mapping[int, str], *, seed: int | Sequence[int | None] | None = None
    ) -> dict[int, Obs]:
        """Reset env ``i`` on task ``task_ids[i]`` for each ``i`` given, concurrently; the
        others go on (a masked ``reset``). Returns the new observation of each env reset.

        Raises:
            KeyError: a task id is not one of that env's tasks (nothing was reset).
            VectorResetError: as ``reset``.
        """
        mask = np.zeros(self.num_envs, dtype=np.bool_)
        per_env: list[str | None] = [None] * self.num_envs
        for i, task_id in task_ids.items():
            mask[i], per_env[i] = True, task_id
        self.reset(seed=seed, options={"task_id": per_env, "reset_mask": mask})
        return {i: dict(self._env_obs[i]) for i in task_ids}

    def _record_step(
        self, infos: dict[str, Any], i: int, obs: Obs, terminated: bool, truncated: bool,
        info: dict[str, Any],
    ) -> dict[str, Any]:
        """Keep env ``i``'s step result; returns the batched infos with its info added."""
        self._env_obs[i] = obs
        self._terminations[i], self._truncations[i] = terminated, truncated
        self._done[i] = terminated or truncated
        return self._add_info(infos, info, i)

    def _end_failed_step(
        self, infos: dict[str, Any], i: int, message: str, task_id: Any
    ) -> dict[str, Any]:
        """End env ``i``'s episode after its step failed (truncated, reward 0, ``message`` in
        its observation's ``last_action_error`` and ``infos["error"]``)."""
        self._done[i] = self._truncations[i] = True
        self._terminations[i] = False
        self._env_obs[i] = {**self._env_obs[i], "last_action_error": message}
        return self._add_info(infos, {"task_id": task_id, "error": message}, i)

    def _step_return(
        self, rewards: np.ndarray, infos: dict[str, Any]
    ) -> tuple[dict[str, tuple[str, ...]], np.ndarray, np.ndarray, np.ndarray, dict[str, Any]]:
        """The vector step's return value from the kept per-env results."""
        return (self._batch(), rewards, self._terminations.copy(), self._truncations.copy(),
                infos)

    def _add_info(
        self, vector_infos: dict[str, Any], env_info: dict[str, Any], env_num: int
    ) -> dict[str, Any]:
        """gymnasium's info batching, with None values left out (their ``_key`` mask stays
        False): ``info["action"]`` is a dict, or None when the response did not parse, and
        gymnasium cannot batch a dict for one env and None for another within one step."""
        kept = {k: v for k, v in env_info.items() if v is not None}
        return super()._add_info(vector_infos, kept, env_num)

    def _batch(self) -> dict[str, tuple[str, ...]]:
        self._observations = concatenate(
            self.single_observation_space, self._env_obs, self._observations
        )
        return dict(self._observations)


class WebArenaVectorEnv(EpisodeStateVectorEnv):
    """N WebArena envs on one or more browsers, stepped concurrently (see the module docstring).

    Args:
        env_fns: callables that each build one env.
        envs: already built envs, instead of ``env_fns``; the vector env closes them.

    Envs on different browsers (another ``browser_shard``, ``headless`` or
    ``browser_endpoint``) step concurrently too, each group on its browser's loop.

    Use :func:`webarena_gym.sandbox.env.make_sandbox_vector_env` /
    :func:`webarena_gym.registration.make_lite_vector_env` (what
    ``gym.make_vec("WebArenaSandbox-v0", num_envs=N)`` / ``("WebArenaLite-v0", ...)`` call).
    """

    def __init__(
        self,
        env_fns: Sequence[Callable[[], WebArenaEnv]] | None = None,
        *,
        envs: Sequence[WebArenaEnv] | None = None,
    ) -> None:
        if (env_fns is None) == (envs is None):
            raise ValueError("give exactly one of env_fns= (env factories) or envs= (built envs)")
        built: list[WebArenaEnv] = []
        try:
            for fn in env_fns or ():
                built.append(fn())
        except BaseException:
            for env in built:
                env.close()
            raise
        self.envs: list[WebArenaEnv] = list(envs) if envs is not None else built
        if not self.envs:
            raise ValueError("a vector env needs at least one env")
        for i, env in enumerate(self.envs):
            if not isinstance(env, WebArenaEnv):
                raise TypeError(f"env {i} is a {type(env).__name__}, not a WebArenaEnv")
        #: The browsers the envs run on, in order of first use (one per shard).
        self.runtimes: list[BrowserRuntime] = list(
            {id(env.runtime): env.runtime for env in self.envs}.values()
        )
        self.runtime = self.runtimes[0]
        first = self.envs[0]
        self._init_episode_state(len(self.envs), first.observation_space, first.action_space)
        self.render_mode = first.render_mode
        self.spec = getattr(first, "spec", None)

    # -- reset -----------------------------------------------------------------------------------
    def reset(
        self, *, seed: int | Sequence[int | None] | None = None,
        options: dict[str, Any] | None = None,
    ) -> tuple[dict[str, tuple[str, ...]], dict[str, Any]]:
        """Reset every env (or those of ``options["reset_mask"]``) concurrently.

        Args:
            seed: ``None``, an int (env i gets ``seed + i``), or one seed per env.
            options: ``task_id`` (one id for all, or a list with one per env) and
                ``reset_mask`` (see the module docstring).

        Raises:
            VectorResetError: some envs' resets failed (the message names the first); the
                others were reset (their observations are in the exception), the failed ones
                count as ended.
        """
        calls = self._reset_calls(seed, options)
        results = self._run([(i, self.envs[i].areset(seed=s, options=o)) for i, s, o in calls])
        return self._finish_reset(calls, results)

    async def areset(
        self, *, seed: int | Sequence[int | None] | None = None,
        options: dict[str, Any] | None = None,
    ) -> tuple[dict[str, tuple[str, ...]], dict[str, Any]]:
        """:meth:`reset` for asyncio code, awaitable from any event loop."""
        calls = self._reset_calls(seed, options)
        results = await self._arun(
            [(i, self.envs[i].areset(seed=s, options=o)) for i, s, o in calls]
        )
        return self._finish_reset(calls, results)

    def _reset_calls(
        self, seed: int | Sequence[int | None] | None, options: dict[str, Any] | None
    ) -> list[tuple[int, int | None, dict[str, Any]]]:
        """``(env index, seed, options)`` for every env to reset; checks the arguments."""
        return reset_calls(self.num_envs, seed, options,
                           lambda i, task_id: task_id in self.envs[i]._tasks_by_id)

    def _finish_reset(
        self, calls: list[tuple[int, int | None, dict[str, Any]]], results: list[Any]
    ) -> tuple[dict[str, tuple[str, ...]], dict[str, Any]]:
        infos: dict[str, Any] = {}
        errors: dict[int, str] = {}
        for (i, _seed, _options), result in zip(calls, results, strict=True):
            if isinstance(result, BaseException):
                _raise_if_fatal(result)
                self._done[i] = True
                errors[i] = _describe(result)
                logger.warning("env %d: reset failed: %s", i, errors[i], exc_info=result)
                continue
            obs, info = result
            self._env_obs[i] = obs
            self._terminations[i] = self._truncations[i] = self._done[i] = False
            infos = self._add_info(infos, info, i)
        if errors:
            reset = {i: dict(self._env_obs[i]) for i, _s, _o in calls if i not in errors}
            raise VectorResetError(errors, reset)
        return self._batch(), infos

    # -- step ------------------------------------------------------------------------------------
    def step(
        self, actions: Sequence[str | None]
    ) -> tuple[dict[str, tuple[str, ...]], np.ndarray, np.ndarray, np.ndarray, dict[str, Any]]:
        """Step every env whose episode is running, concurrently; the others wait.

        Args:
            actions: one text action per env; an env whose episode has ended ignores its
                action (pass ``None``).

        Returns:
            ``(observations, rewards, terminations, truncations, infos)`` as gymnasium's vector
            envs return them (arrays of shape ``(num_envs,)``, infos a dict of arrays with
            ``_key`` masks); waiting envs repeat their final observation with reward 0. An env
            whose step raised is truncated with reward 0 and ``infos["error"]``; the others'
            results stand.
        """
        calls = self._step_calls(actions)
        return self._finish_step(calls, self._run([(i, self.envs[i].astep(a)) for i, a in calls]))

    async def astep(
        self, actions: Sequence[str | None]
    ) -> tuple[dict[str, tuple[str, ...]], np.ndarray, np.ndarray, np.ndarray, dict[str, Any]]:
        """:meth:`step` for asyncio code, awaitable from any event loop."""
        calls = self._step_calls(actions)
        results = await self._arun([(i, self.envs[i].astep(a)) for i, a in calls])
        return self._finish_step(calls, results)

    def _step_calls(self, actions: Sequence[str | None]) -> list[tuple[int, str]]:
        return step_calls(self.num_envs, self._done, actions)

    def _finish_step(
        self, calls: list[tuple[int, str]], results: list[Any]
    ) -> tuple[dict[str, tuple[str, ...]], np.ndarray, np.ndarray, np.ndarray, dict[str, Any]]:
        rewards = np.zeros(self.num_envs, dtype=np.float64)
        infos: dict[str, Any] = {}
        for (i, _action), result in zip(calls, results, strict=True):
            if isinstance(result, BaseException):
                _raise_if_fatal(result)
                infos = self._step_failed(infos, i, result)
                continue
            obs, reward, terminated, truncated, info = result
            rewards[i] = reward
            infos = self._record_step(infos, i, obs, terminated, truncated, info)
        return self._step_return(rewards, infos)

    def _step_failed(self, infos: dict[str, Any], i: int, exc: BaseException) -> dict[str, Any]:
        """End env ``i``'s episode after its step raised (truncated, as a crashed browser)."""
        message = f"env {i}: step failed: {_describe(exc)}"
        logger.warning("%s", message, exc_info=exc)
        task = self.envs[i].task
        return self._end_failed_step(infos, i, message,
                                     task.task_id if task is not None else None)

    # -- running the envs' coroutines on their browsers' loops -----------------------------------
    def _by_runtime(
        self, calls: list[tuple[int, Coroutine[Any, Any, Any]]]
    ) -> list[tuple[BrowserRuntime, list[int], list[Coroutine[Any, Any, Any]]]]:
        groups: dict[int, tuple[BrowserRuntime, list[int], list[Coroutine[Any, Any, Any]]]] = {}
        for position, (i, coro) in enumerate(calls):
            runtime = self.envs[i].runtime
            group = groups.setdefault(id(runtime), (runtime, [], []))
            group[1].append(position)
            group[2].append(coro)
        return list(groups.values())

    def _run(self, calls: list[tuple[int, Coroutine[Any, Any, Any]]]) -> list[Any]:
        """Run each env's coroutine on its browser's loop, all at once; results or exceptions,
        in the order of ``calls``."""
        results: list[Any] = [None] * len(calls)
        started: list[tuple[list[int], concurrent.futures.Future[list[Any]]]] = []
        try:
            groups = self._by_runtime(calls)
            for index, (runtime, positions, coros) in enumerate(groups):
                try:
                    started.append((positions, runtime.submit(_gather(coros))))
                except BaseException:
                    for _runtime, _positions, later in groups[index + 1:]:
                        for coro in later:
                            coro.close()
                    raise
            for positions, future in started:
                for position, result in zip(positions, future.result(), strict=True):
                    results[position] = result
        except BaseException:
            for _positions, future in started:
                future.cancel()
            raise
        return results

    async def _arun(self, calls: list[tuple[int, Coroutine[Any, Any, Any]]]) -> list[Any]:
        """:meth:`_run` for asyncio code on any loop (a browser's own loop included)."""
        results: list[Any] = [None] * len(calls)
        groups = self._by_runtime(calls)
        done = await asyncio.gather(
            *(runtime.run_async(_gather(coros)) for runtime, _positions, coros in groups)
        )
        for (_runtime, positions, _coros), group_results in zip(groups, done, strict=True):
            for position, result in zip(positions, group_results, strict=True):
                results[position] = result
        return results

    # -- the rest of the VectorEnv API -----------------------------------------------------------
    def render(self) -> tuple[Any, ...] | None:
        """One screenshot per env (``render_mode="rgb_array"``)."""
        if self.render_mode is None:
            return None
        return tuple(env.render() for env in self.envs)

    def call(self, name: str, *args: Any, **kwargs: Any) -> tuple[Any, ...]:
        """Call (or read) ``name`` on every env; one result per env."""
        results = []
        for env in self.envs:
            attr = getattr(env, name)
            results.append(attr(*args, **kwargs) if callable(attr) else attr)
        return tuple(results)

    def get_attr(self, name: str) -> tuple[Any, ...]:
        """The attribute ``name`` of every env."""
        return tuple(getattr(env, name) for env in self.envs)

    def set_attr(self, name: str, values: Any) -> None:
        """Set ``name`` on every env: one value for all, or a list with one per env."""
        if not isinstance(values, (list, tuple)):
            values = [values] * self.num_envs
        if len(values) != self.num_envs:
            raise ValueError(f"give one value per env ({self.num_envs}), got {len(values)}")
        for env, value in zip(self.envs, values, strict=True):
            setattr(env, name, value)

    def close_extras(self, **kwargs: Any) -> None:
        """Close every env (their contexts, tenants; the last env closes Chromium)."""
        for env in self.envs:
            env.close()

    def __repr__(self) -> str:
        spec = self.spec.id if self.spec is not None else type(self.envs[0]).__name__
        browsers = f", num_browsers={len(self.runtimes)}" if len(self.runtimes) > 1 else ""
        return f"WebArenaVectorEnv({spec}, num_envs={self.num_envs}{browsers})"


def reset_calls(
    num_envs: int, seed: int | Sequence[int | None] | None, options: dict[str, Any] | None,
    has_task: Callable[[int, str], bool],
) -> list[tuple[int, int | None, dict[str, Any]]]:
    """``(env index, seed, options)`` for every env a vector reset resets (see the module
    docstring for the options); checks the arguments, and every task id with ``has_task(env
    index, task id)`` before anything is reset.

    Raises:
        ValueError: a malformed ``reset_mask``, seed list or ``task_id`` list.
        KeyError: a task id that is not one of its env's tasks.
    """
    n = num_envs
    options = dict(options or {})
    mask = options.pop("reset_mask", None)
    if mask is None:
        mask = np.ones(n, dtype=np.bool_)
    elif not (isinstance(mask, np.ndarray) and mask.dtype == np.bool_ and mask.shape == (n,)):
        raise ValueError(f"options['reset_mask'] must be a bool numpy array of shape ({n},)")
    if seed is None:
        seeds: list[int | None] = [None] * n
    elif isinstance(seed, (int, np.integer)):
        seeds = [int(seed) + i for i in range(n)]
    else:
        seeds = list(seed)
        if len(seeds) != n:
            raise ValueError(f"got {len(seeds)} seeds for {n} envs; give one per env")
    task_ids = options.pop("task_id", None)
    if isinstance(task_ids, (list, tuple, np.ndarray)):
        if len(task_ids) != n:
            raise ValueError(
                f"options['task_id'] has {len(task_ids)} ids for {n} envs; give one id "
                "(all envs on one task) or one per env"
            )
        per_env = list(task_ids)
    else:
        per_env = [task_ids] * n
    calls = []
    for i in range(n):
        if mask[i]:
            env_options = dict(options)
            if per_env[i] is not None:
                env_options["task_id"] = per_env[i]
            calls.append((i, seeds[i], env_options))
    # Check the task ids before any env resets, so that a typo resets nothing.
    for i, _seed, env_options in calls:
        task_id = env_options.get("task_id")
        if task_id is not None and not has_task(i, str(task_id)):
            raise KeyError(f"env {i}: task_id {str(task_id)!r} is not one of its tasks")
    return calls


def step_calls(num_envs: int, done: np.ndarray, actions: Sequence[str | None]
               ) -> list[tuple[int, str]]:
    """``(env index, action)`` for every env a vector step steps (those whose episode runs);
    checks the actions.

    Raises:
        ValueError: not one action per env.
        WebArenaEnvError: every episode has ended.
        TypeError: a running env's action is not text.
    """
    if isinstance(actions, str) or len(actions) != num_envs:
        raise ValueError(
            f"step() takes one action per env ({num_envs}), as a list or tuple"
        )
    if done.all():
        raise WebArenaEnvError("every episode has ended; call reset() to start new ones")
    calls = []
    for i, action in enumerate(actions):
        if done[i]:
            continue
        if not isinstance(action, str):
            raise TypeError(
                f"env {i}: actions are text (str), got {type(action).__name__} "
                "(None is only for envs whose episode has ended)"
            )
        calls.append((i, action))
    return calls


async def _gather(coros: list[Coroutine[Any, Any, Any]]) -> list[Any]:
    """Run the coroutines concurrently; results or exceptions, in order."""
    return list(await asyncio.gather(*coros, return_exceptions=True))


def _raise_if_fatal(exc: BaseException) -> None:
    # An interrupt stops the whole run; any other failure stays the failing env's.
    if not isinstance(exc, Exception) or isinstance(exc, asyncio.CancelledError):
        raise exc


def _describe(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def make_vector_env(
    make_env: Callable[..., WebArenaEnv], num_envs: int, num_browsers: int | None,
    kwargs: Mapping[str, Any],
) -> WebArenaVectorEnv:
    """``num_envs`` envs built by ``make_env(browser_shard=..., **kwargs)``, spread over
    ``num_browsers`` Chromium processes (:func:`browser_shards`), as one vector env."""
    if "browser_shard" in kwargs:
        raise TypeError("a vector env sets each env's browser_shard itself; give num_browsers= "
                        "(how many Chromium processes the envs are spread over) instead")
    shards = browser_shards(num_envs, num_browsers)
    return WebArenaVectorEnv(
        [functools.partial(make_env, browser_shard=shard, **kwargs) for shard in shards]
    )


def check_num_envs(num_envs: int) -> None:
    """Raise a ValueError unless ``num_envs`` (a vector env factory's argument) is a positive int."""
    if not isinstance(num_envs, int) or num_envs < 1:
        raise ValueError(f"num_envs must be a positive int, got {num_envs!r}")
