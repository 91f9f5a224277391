"""Environment ids and their factories.

``import webarena_gym`` registers the ids; ``gym.make("webarena_gym:WebArenaLite-v0")`` imports
and registers in one go. The ``gymnasium.envs`` entry point in ``pyproject.toml`` points here
for Gymnasium versions that load plugins.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import gymnasium as gym
from gymnasium.vector import VectorEnv

from webarena_gym.env import WebArenaEnv
from webarena_gym.tasks import (
    SITE_ENV_VARS,
    load_task_configs,
    site_urls_from_env,
    sites_needed,
    webarena_lite_config_path,
)
from webarena_gym.vector import make_vector_env

LITE_ID = "WebArenaLite-v0"
SANDBOX_ID = "WebArenaSandbox-v0"


class MissingSitesError(RuntimeError):
    """The WebArena sites a task suite needs have no URL."""


def make_webarena_lite(
    config_path: str | os.PathLike[str] | None = None,
    site_urls: Mapping[str, str] | None = None,
    task_ids: Iterable[int | str] | None = None,
    **kwargs: Any,
) -> WebArenaEnv:
    """Build ``WebArenaLite-v0``: the 165 WebArena-Lite tasks on the user's WebArena sites.

    Configs come from ``config_path``, ``WEBARENA_LITE_CONFIG`` or the installed
    ``browsergym-webarenalite`` package; site URLs from ``site_urls`` or the ``WA_*`` variables.
    Fails at once, naming what is missing, when either is absent. Episodes are scored in
    ``eval_mode="vab"`` (VisualAgentBench's WebArena-Lite harness, what the WebArena-Lite
    papers report) unless ``eval_mode`` is given; ``early_stop`` follows the mode.
    """
    try:
        path = webarena_lite_config_path(config_path)
    except FileNotFoundError as exc:
        raise MissingSitesError(
            f"{exc}\nNo WebArena deployment? gym.make('WebArenaSandbox-v0') runs embedded sites "
            "with no set-up."
        ) from None
    raw = load_task_configs(path)
    if task_ids is not None:
        wanted = {str(t) for t in task_ids}
        raw = [t for t in raw if str(t.task_id) in wanted]
        missing_ids = wanted - {str(t.task_id) for t in raw}
        if missing_ids:
            raise KeyError(f"task ids {sorted(missing_ids)} are not in {path}")
    urls = dict(site_urls_from_env())
    urls.update({k: v.rstrip("/") for k, v in (site_urls or {}).items()})
    missing = sorted(sites_needed(raw) - set(urls))
    if missing:
        names = ", ".join(SITE_ENV_VARS[s] for s in missing)
        raise MissingSitesError(
            f"WebArenaLite-v0 needs the URLs of your WebArena sites; not set: {names}. "
            "Export them (e.g. WA_SHOPPING=http://<host>:7770) or pass site_urls={...}. "
            "No WebArena deployment? gym.make('WebArenaSandbox-v0') runs embedded sites with "
            "no set-up."
        )
    tasks = load_task_configs([t.to_dict() for t in raw], site_urls=urls)
    # Scored as the published WebArena-Lite numbers are: VAB's harness, VAB's early stop.
    kwargs.setdefault("eval_mode", "vab")
    return WebArenaEnv(tasks, urls, **kwargs)


def make_lite_vector_env(
    num_envs: int = 1, *, num_browsers: int | None = None, num_workers: int | None = None,
    ray_address: str | None = None, **kwargs: Any,
) -> VectorEnv:
    """``gym.make_vec("WebArenaLite-v0", num_envs=N, **kwargs)``: N envs on the user's WebArena
    sites (see :func:`make_webarena_lite`), placed as :func:`make_vector` says."""
    return make_vector(make_webarena_lite, LITE_ID, num_envs, kwargs, num_browsers=num_browsers,
                       num_workers=num_workers, ray_address=ray_address)


def make_vector(
    make_env: Callable[..., WebArenaEnv], env_id: str, num_envs: int,
    kwargs: Mapping[str, Any], *, num_browsers: int | None = None,
    num_workers: int | None = None, ray_address: str | None = None,
) -> VectorEnv:
    """The vector env of a registered id (its ``vector_entry_point``'s work).

    Args:
        make_env: builds one env (``**kwargs`` and ``browser_shard``).
        env_id: the registered id (what Ray workers build).
        num_envs: envs in all.
        kwargs: every env's options.
        num_browsers: Chromium processes the envs are spread over (per worker with
            ``num_workers``); default one per 4 cores
            (:func:`~webarena_gym.vector.default_num_browsers`).
        num_workers: run the envs in this many Ray worker processes
            (:class:`~webarena_gym.ray_vector.RayVectorEnv`, the ``ray`` extra), each with its
            own Chromium (and sandbox sites and tenants); None: all in this process.
        ray_address: the Ray cluster of the workers (default ``RAY_ADDRESS``, else a local Ray).
    """
    if num_workers is None:
        if ray_address is not None:
            raise ValueError("ray_address is for Ray worker processes: give num_workers= too")
        return make_vector_env(make_env, num_envs, num_browsers, kwargs)
    # Optional dependency (the ray extra): imported only when worker processes are asked for.
    from webarena_gym.ray_vector import RayVectorEnv

    env_kwargs = dict(kwargs)
    if num_browsers is not None:
        env_kwargs["num_browsers"] = num_browsers
    return RayVectorEnv(env_id, num_envs, num_workers=num_workers, env_kwargs=env_kwargs,
                        ray_address=ray_address)


def register_envs() -> None:
    """Register this package's env ids with gymnasium (idempotent)."""
    if LITE_ID not in gym.registry:
        gym.register(
            id=LITE_ID,
            entry_point="webarena_gym.registration:make_webarena_lite",
            vector_entry_point="webarena_gym.registration:make_lite_vector_env",
            nondeterministic=True,  # live sites change under the agent
        )
    if SANDBOX_ID not in gym.registry:
        gym.register(
            id=SANDBOX_ID,
            # String entry points: the sandbox (uvicorn, the sites) loads on first make(); the
            # core never imports it.
            entry_point="webarena_gym.sandbox.env:SandboxEnv",
            vector_entry_point="webarena_gym.sandbox.env:make_sandbox_vector_env",
        )
