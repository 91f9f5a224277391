"""``SandboxEnv`` (``WebArenaSandbox-v0``): WebArena-style tasks on the embedded sites.

The env is a :class:`~webarena_gym.env.WebArenaEnv` whose sites run in-process
(:mod:`webarena_gym.sandbox.host`), or in a sandbox service that ``webarena-gym serve`` runs
(``sandbox_url=``, :mod:`webarena_gym.sandbox.service`). Each env is a tenant with its own
databases: ``reset()`` restores them from the seeded templates (milliseconds), its browser
context sends the tenant id on every request, and tasks with ``require_login`` start with
signed session cookies. Parallel envs on one task never see each other's writes.
"""

from __future__ import annotations

import asyncio
import os
import warnings
from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from gymnasium.vector import VectorEnv

from webarena_gym.env import WebArenaEnv, WebArenaEnvError
from webarena_gym.registration import SANDBOX_ID, make_vector
from webarena_gym.sandbox.host import TENANT_HEADER, SandboxHost, SandboxHostError, get_host
from webarena_gym.sandbox.registry import SITES
from webarena_gym.sandbox.service import (
    RemoteSandboxHost,
    SandboxServiceError,
    sandbox_url_from_env,
)
from webarena_gym.tasks import (
    TaskConfig,
    load_task_configs,
    sites_needed,
    substitute_placeholders,
)

TaskSource = Sequence[TaskConfig | Mapping[str, Any]] | str | os.PathLike[str]


def load_sandbox_tasks(
    task_configs: TaskSource | None, split: str, sites: Iterable[str] | None, seed: int
) -> list[TaskConfig]:
    """The env's tasks, placeholders unsubstituted: ``task_configs``, else the sandbox split.

    The split comes from ``webarena_gym.sandbox.templates.load_split(split, sites, seed)``.
    """
    if task_configs is not None:
        if isinstance(task_configs, (str, os.PathLike)):
            return load_task_configs(task_configs)
        items = list(task_configs)
        if all(isinstance(t, TaskConfig) for t in items):
            return items  # type: ignore[return-value]
        return load_task_configs([t.to_dict() if isinstance(t, TaskConfig) else t for t in items])
    try:
        from webarena_gym.sandbox.templates import load_split
    except ImportError as exc:
        raise WebArenaEnvError(
            f"SandboxEnv has no tasks: pass task_configs=[...], or install the sandbox task "
            f"templates (importing webarena_gym.sandbox.templates failed: {exc})"
        ) from exc
    return load_task_configs(load_split(split=split, sites=sites, seed=seed))


def task_sites(task: TaskConfig) -> list[str]:
    """The sites a task uses: its ``sites`` plus any whose placeholder it mentions."""
    return list(dict.fromkeys([*task.sites, *sorted(sites_needed([task]))]))


class SandboxEnv(WebArenaEnv):
    """WebArena-style tasks on the embedded sandbox sites, one private tenant per env.

    ``gym.make("WebArenaSandbox-v0")`` (after ``import webarena_gym``) or ``SandboxEnv(...)``.

    ## Description
    Five sites run in-process on 127.0.0.1 (``shopping``, ``shopping_admin``, ``reddit``,
    ``gitlab``, ``map``), or in a ``webarena-gym serve`` service (``sandbox_url``), with seeded
    data; tasks come from task templates in WebArena's config schema (splits ``train``,
    unbounded; ``test``, 360 tasks; ``test_unseen``, 78 tasks of templates that ``train`` never
    uses; ``easy_train`` / ``easy_test`` / ``easy_test_unseen``, the short-horizon curriculum). A real Chromium (Playwright) browses them. Each env is a tenant
    with its own databases, so parallel envs never see each other's writes.

    ## Observation space
    ``Dict(intent, url, html, last_action_error)``, all text: the task's intent, the page's URL,
    the page as simplified HTML in which every interactable element carries a number
    (``<button id="12">Add to Cart</button>``), and the last action's error ("" if none).

    ## Action space
    Text as an LLM writes it (``Text``), parsed by :func:`webarena_gym.actions.parse_action`:
    ``do(action="Click", element="12")``, ``do(action="Type", argument="blue", element="3")``,
    ``do(action="Search", ...)``, ``Hover``, ``Select Dropdown Option``, ``Scroll Up/Down``,
    ``Press Enter``, ``Go Backward/Forward``, ``Wait``, and ``exit(message="answer")`` to end
    the episode with an answer. Text that does not parse is an observation error, not a crash.

    ## Reward
    Binary and rule-based, given once when the episode ends: 1.0 if the task's evaluators pass
    (``string_match`` on the answer, ``url_match`` on the last page, ``program_html`` on the
    sites' pages), else 0.0; 0.0 on every other step. ``info["eval"]`` holds each evaluator's
    verdict and the mode (``"gym"``, this project's semantics; answers that enumerate
    candidates fail).

    ## Starting state
    ``reset(options={"task_id": ...})`` (or the next task in turn) restores the tenant's
    databases for the task's sites from the seeded templates (milliseconds), opens the task's
    start page in a fresh browser context (logged in where the task needs it) and returns the
    first observation.

    ## Episode end
    Terminated by ``exit(...)`` (scored); truncated after ``max_episode_steps`` actions (scored with an
    empty answer, as WebArena does), when the browser crashes or a step overruns its deadline
    (``info["error"]``; never a hang).

    ## Arguments
    * ``task_configs``: tasks in WebArena's schema with ``__SHOPPING__``-style placeholders
      (dicts, ``TaskConfig`` objects, or a JSON path). ``None``: the sandbox's ``split``.
    * ``sites``: sandbox sites to start (default: the sites the tasks use); with
      ``task_configs=None`` they also select the split's tasks.
    * ``split``: a split name (above) when tasks come from the templates.
    * ``seed``: the site-data seed: the same seed always gives the same sites.
    * ``sandbox_url``: the control API URL of a sandbox service (``webarena-gym serve`` prints
      it, ``http://HOST:7779``): the env's tenant and sites live there instead of in this
      process, so workers on several machines can share one sandbox host. ``None`` (default):
      ``$WEBARENA_GYM_SANDBOX_URL`` if set, else the in-process host. The service must be
      reachable from this process and its sites from the browser.
    * ``max_episode_steps``: actions per episode (Gymnasium's name; ``gym.make_vec`` passes
      it here). ``max_steps``, the name before, still works with a ``DeprecationWarning``.
    * ``**kwargs``: the other :class:`~webarena_gym.env.WebArenaEnv` options
      (``viewport_only``, ``max_obs_chars``, ``obs_format``, ``render_mode``,
      ``executable_path``, ``headless``, ``step_timeout_s``, ``eval_mode``, ...).

    ``reset()``'s ``info`` adds ``restore_ms`` (the tenant's database restore) and ``tenant``.

    ## Version history
    * v0: the first version. Task ids and the fixed splits are versioned separately (files
      ``<split>.v2.json``); a change to either gets a new version, never an edit in place.
    """

    eval_settle_ms = 0  # server-rendered pages: nothing loads after "load"
    # The sandbox scores with this project's own semantics (its configs are written for them:
    # answer guards, numbers compared by value, every required_contents kind checked).
    default_eval_mode = "gym"
    # The sites render on the server and ship no scripts: checks read the pages with page
    # scripts off, so a script an agent stored in a site cannot fake what they read.
    eval_page_scripts = False
    eval_timeout_s = 30.0

    def __init__(
        self,
        task_configs: TaskSource | None = None,
        *,
        sites: Iterable[str] | None = None,
        split: str = "test",
        seed: int = 0,
        sandbox_url: str | None = None,
        max_episode_steps: int = 15,
        max_steps: int | None = None,
        **kwargs: Any,
    ) -> None:
        if "site_urls" in kwargs:
            raise TypeError("SandboxEnv serves its own sites; it takes no site_urls= "
                            "(use WebArenaEnv for sites elsewhere)")
        chosen = None if sites is None else list(dict.fromkeys(sites))
        unknown = [s for s in chosen or [] if s not in SITES]
        if unknown:
            raise ValueError(f"unknown sandbox site(s) {unknown}; available: "
                             f"{', '.join(sorted(SITES))}")
        raw = load_sandbox_tasks(task_configs, split, chosen, seed)
        if not raw:
            raise ValueError("SandboxEnv has no tasks: task_configs is empty")
        self._task_sites = {str(t.task_id): task_sites(t) for t in raw}
        needed = list(dict.fromkeys(s for names in self._task_sites.values() for s in names))
        for task in raw:
            missing = [s for s in self._task_sites[str(task.task_id)]
                       if s not in SITES or (chosen is not None and s not in chosen)]
            if missing:
                have = chosen if chosen is not None else sorted(SITES)
                raise ValueError(
                    f"task {task.task_id} uses site(s) {missing}, which this env does not "
                    f"serve (sites: {', '.join(have)}); add them to sites= or drop the task"
                )
        start = chosen if chosen is not None else needed
        self.data_seed = int(seed)
        self.sandbox_url = sandbox_url_from_env(sandbox_url)
        self.host: SandboxHost | RemoteSandboxHost = (
            get_host() if self.sandbox_url is None else RemoteSandboxHost(self.sandbox_url)
        )
        self.tenant: str | None = None
        self.last_restore_ms: float | None = None
        self._user_ids: dict[str, int] = {}
        self._cookies: dict[tuple[str, str], dict[str, str]] = {}
        self._holding_host = False
        urls = self.host.acquire(start)
        self._holding_host = True
        try:
            self.tenant = self.host.create_tenant(self.data_seed)
            own = {s: urls[s] for s in start}
            tasks = [substitute_placeholders(t, own) for t in raw]
            # Local pages: a step that takes a minute is stuck (WebArenaEnv allows 120 s).
            kwargs.setdefault("step_timeout_s", 60.0)
            super().__init__(tasks, own, max_episode_steps=max_episode_steps,
                             max_steps=max_steps, **kwargs)
        except BaseException:
            self._release_sandbox()
            raise

    # -- the hooks of WebArenaEnv --------------------------------------------------------------
    def _databases(self, task: TaskConfig) -> list[str]:
        return list(dict.fromkeys(SITES[s].database for s in self._task_sites[str(task.task_id)]))

    async def _prepare_episode(self, task: TaskConfig) -> None:
        """Restore the tenant's databases for the task's sites (off the browser loop)."""
        assert self.tenant is not None
        # A site server that died (killed thread, crash) is started again on its port.
        await asyncio.to_thread(self.host.restart_stopped_sites, self._task_sites[str(task.task_id)])
        self.last_restore_ms = await asyncio.to_thread(
            self.host.restore_tenant, self.tenant, self._databases(task)
        )

    def _session_options(self, task: TaskConfig) -> dict[str, Any]:
        options = super()._session_options(task)
        options["extra_http_headers"][TENANT_HEADER] = self.tenant
        return options

    def _storage_state(self, task: TaskConfig) -> dict[str, Any] | None:  # type: ignore[override]
        """Signed session cookies of each site's default account for ``require_login`` tasks."""
        if not task.require_login:
            return None
        cookies = []
        for site in self._task_sites[str(task.task_id)]:
            domain = urlsplit(self.site_urls[site]).hostname or "127.0.0.1"
            # The host signs the cookie (a service signs with its own secret).
            if (site, domain) not in self._cookies:
                assert self.tenant is not None
                try:
                    self._cookies[site, domain] = self.host.session_cookie(
                        self.tenant, site, domain)
                except SandboxHostError as exc:
                    raise WebArenaEnvError(str(exc)) from None
            cookies.append(self._cookies[site, domain])
        return {"cookies": cookies, "origins": []}

    def _default_user_id(self, site: str) -> int:
        """The user id of ``site``'s default account in this env's data."""
        if site in self._user_ids:
            return self._user_ids[site]
        assert self.tenant is not None
        try:
            self._user_ids[site] = self.host.default_user_id(self.tenant, site)
        except SandboxHostError as exc:
            raise WebArenaEnvError(str(exc)) from None
        return self._user_ids[site]

    async def _reset_episode(self, task: TaskConfig) -> tuple[dict[str, str], dict[str, Any]]:
        """Start an episode (see :meth:`WebArenaEnv.reset`) on freshly restored site state."""
        obs, info = await super()._reset_episode(task)
        info["restore_ms"] = self.last_restore_ms
        info["tenant"] = self.tenant
        return obs, info

    def close(self) -> None:
        """Close the browser context, drop the tenant's databases and release the host."""
        try:
            super().close()
        finally:
            self._release_sandbox()

    def _release_sandbox(self) -> None:
        tenant, self.tenant = getattr(self, "tenant", None), None
        if tenant is not None:
            try:
                self.host.drop_tenant(tenant)
            except SandboxServiceError as exc:  # the service went away: its lease ends it
                warnings.warn(f"SandboxEnv.close(): tenant {tenant} was not dropped ({exc}); "
                              f"the service drops it once it is idle", stacklevel=3)
        if getattr(self, "_holding_host", False):
            self._holding_host = False
            self.host.release()


def make_sandbox_vector_env(
    num_envs: int = 1, *, num_browsers: int | None = None, num_workers: int | None = None,
    ray_address: str | None = None, **kwargs: Any,
) -> VectorEnv:
    """``gym.make_vec("WebArenaSandbox-v0", num_envs=N, **kwargs)``: N sandbox envs, each
    with its own tenant; ``kwargs`` go to every :class:`SandboxEnv`.

    Args:
        num_envs: envs in all.
        num_browsers: Chromium processes the envs are spread over (per worker with
            ``num_workers``); default one per 4 cores
            (:func:`~webarena_gym.vector.default_num_browsers`).
        num_workers: run the envs in this many Ray worker processes
            (:class:`~webarena_gym.ray_vector.RayVectorEnv`, the ``ray`` extra), each with
            its own Chromium, sites and tenants; None: all in this process.
        ray_address: the Ray cluster of the workers (default ``RAY_ADDRESS``, else a local Ray).
    """
    return make_vector(SandboxEnv, SANDBOX_ID, num_envs, kwargs, num_browsers=num_browsers,
                       num_workers=num_workers, ray_address=ray_address)
