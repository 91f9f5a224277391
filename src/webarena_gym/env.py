"""``WebArenaEnv``: a gymnasium environment over WebArena-style tasks in a real Chromium.

One episode = one task: ``reset()`` opens a fresh browser context on the task's start URL(s),
``step(text)`` parses the model's text into an action (DESIGN 3.3), runs it, and returns the
simplified HTML of the page (DESIGN 3.2). The reward is computed once, when the episode ends:
1.0 when every evaluator of the task passes, else 0.0 (DESIGN 3.4).
"""

from __future__ import annotations

import io
import os
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np
from playwright.async_api import Error as PlaywrightError

from webarena_gym.actions import (
    LABEL_ATTRIBUTE,
    MAX_ACTION_CHARS,
    Action,
    ActionExecutionError,
    ActionParseError,
    execute_action,
    parse_action,
)
from webarena_gym.browser import BrowserRuntime, Session, get_runtime, origin_of
from webarena_gym.evaluation import EvalResult, Judge, default_judge, evaluate_task
from webarena_gym.observation import PageObservation, observe_page
from webarena_gym.spaces import UnicodeText
from webarena_gym.tasks import TaskConfig, load_task_configs

MAX_TEXT = 1_000_000  # hard cap on any observation string, whatever max_obs_chars says

# Where clicking element N leads: the link (or form) target and its absolute URL.
_CLICK_TARGET_JS = f"""id => {{
    const el = document.querySelector('[{LABEL_ATTRIBUTE}="' + id + '"]');
    const link = el && el.closest('a[href], area[href]');
    const owner = link || (el && el.form);
    const target = owner ? (owner.getAttribute('target') || '').toLowerCase() : '';
    return {{
        newTab: target !== '' && !['_self', '_top', '_parent'].includes(target),
        href: link ? link.href : '',
    }};
}}"""


class WebArenaEnvError(RuntimeError):
    """The env cannot do what was asked (bad option, start page that never loads, closed env)."""


class WebArenaEnv(gym.Env[dict[str, str], str]):
    """WebArena-style tasks as a gymnasium environment.

    Args:
        task_configs: ``TaskConfig`` objects, WebArena-schema dicts, or a path to a JSON file /
            folder of configs (see :func:`webarena_gym.tasks.load_task_configs`).
        site_urls: site name -> base URL (``{"shopping": "http://host:7770", ...}``) used to
            substitute ``__SHOPPING__``-style placeholders and to decide the allowed origins.
        max_steps: actions per episode; reaching it truncates the episode (scored as WebArena
            does, with an empty answer).
        viewport_only: observe only what is inside the viewport instead of the whole page.
        max_obs_chars: cap on the simplified HTML's length (cut at an element boundary).
        render_mode: ``"rgb_array"`` for screenshots through :meth:`render`.
        executable_path: the Chromium to launch (else :func:`~webarena_gym.browser.find_chromium`).
        headless: run Chromium without a window.
        browser_endpoint: use a remote browser (Playwright server ``ws://`` or CDP ``http://``).
        auth_dir: folder of WebArena's login storage states (``shopping_state.json``, ...) used
            by tasks with ``require_login``; default ``./.auth`` as WebArena's auto-login writes.
        judge: fuzzy-match judge (default: :func:`~webarena_gym.evaluation.default_judge`).
        allowed_origins: ``"task"`` (the task's sites and start URLs, the default), ``"any"``,
            or an explicit list of origins.
        action_timeout_ms: how long an action may wait for its element.
        navigation_timeout_ms: how long a page may take to load.
        viewport: page size, default 1280x720.
        extra_http_headers: headers sent with every request of every episode.
        max_action_chars: the longest action text that is parsed (default
            :data:`~webarena_gym.actions.MAX_ACTION_CHARS`, 65,536 characters); a longer one
            is a malformed action (a parse error in the observation, the episode goes on).
            ``None``: no cap (parsing is linear time either way).
    """

    metadata = {"render_modes": ["rgb_array"], "render_fps": 1}

    #: How long a ``program_html`` page may take to go network-idle after ``load`` (WebArena's
    #: GitLab renders with scripts; the sandbox's server-rendered sites set 0).
    eval_settle_ms: int = 3000

    def __init__(
        self,
        task_configs: Sequence[TaskConfig | Mapping[str, Any]] | str | os.PathLike[str],
        site_urls: Mapping[str, str] | None = None,
        *,
        max_steps: int = 15,
        viewport_only: bool = False,
        max_obs_chars: int | None = None,
        render_mode: str | None = None,
        executable_path: str | None = None,
        headless: bool = True,
        browser_endpoint: str | None = None,
        auth_dir: str | os.PathLike[str] | None = None,
        judge: Judge | None = None,
        allowed_origins: str | Sequence[str] = "task",
        action_timeout_ms: int = 5000,
        navigation_timeout_ms: int = 15000,
        viewport: Mapping[str, int] | None = None,
        extra_http_headers: Mapping[str, str] | None = None,
        max_action_chars: int | None = MAX_ACTION_CHARS,
    ) -> None:
        if max_steps < 1:
            raise ValueError(f"max_steps must be at least 1, got {max_steps}")
        if max_action_chars is not None and (
            isinstance(max_action_chars, bool)
            or not isinstance(max_action_chars, int)
            or max_action_chars < 1
        ):
            raise ValueError(
                f"max_action_chars must be a positive integer or None, got {max_action_chars!r}"
            )
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise ValueError(f"render_mode must be None or 'rgb_array', got {render_mode!r}")
        if isinstance(allowed_origins, str) and allowed_origins not in ("task", "any"):
            raise ValueError("allowed_origins must be 'task', 'any' or a list of origins")
        self.site_urls = {k: v.rstrip("/") for k, v in (site_urls or {}).items()}
        if isinstance(task_configs, (str, os.PathLike)) or (
            task_configs and not isinstance(task_configs[0], TaskConfig)  # type: ignore[index]
        ):
            tasks = load_task_configs(task_configs, site_urls=self.site_urls or None)  # type: ignore[arg-type]
        else:
            tasks = list(task_configs)  # type: ignore[arg-type]
        if not tasks:
            raise ValueError("task_configs is empty: give at least one task")
        self.tasks: list[TaskConfig] = tasks
        self._tasks_by_id = {str(t.task_id): t for t in tasks}
        self.max_steps = max_steps
        self.viewport_only = viewport_only
        self.max_obs_chars = max_obs_chars
        self.render_mode = render_mode
        self.auth_dir = Path(auth_dir) if auth_dir is not None else None
        self.judge = judge
        self.allowed_origins = allowed_origins
        self.action_timeout_ms = action_timeout_ms
        self.navigation_timeout_ms = navigation_timeout_ms
        self.viewport = dict(viewport) if viewport else None
        self.extra_http_headers = dict(extra_http_headers or {})
        self.max_action_chars = max_action_chars
        self.runtime: BrowserRuntime = get_runtime(
            executable_path, headless=headless, browser_endpoint=browser_endpoint
        )

        text_len = min(max_obs_chars or MAX_TEXT, MAX_TEXT)
        self.observation_space = gym.spaces.Dict(
            {
                "intent": UnicodeText(MAX_TEXT),
                "url": UnicodeText(MAX_TEXT),
                "html": UnicodeText(text_len + 200),  # room for the truncation marker
                "last_action_error": UnicodeText(MAX_TEXT),
            }
        )
        self.action_space = UnicodeText(MAX_TEXT)

        self.session: Session | None = None
        self.task: TaskConfig | None = None
        self.steps = 0
        self.done = True
        self.actions: list[Action | None] = []
        self.last_eval: EvalResult | None = None
        self._holding_runtime = False
        self._closed = False

    # -- helpers that subclasses (the sandbox) extend ----------------------------------------
    def _session_options(self, task: TaskConfig) -> dict[str, Any]:
        """Keyword arguments for this episode's :class:`Session` (headers, login, origins)."""
        options: dict[str, Any] = {
            "extra_http_headers": dict(self.extra_http_headers),
            "storage_state": self._storage_state(task),
            "viewport": self.viewport,
            "geolocation": task.geolocation or None,
            "default_timeout_ms": self.navigation_timeout_ms,
            "allowed_origins": self._allowed_origins(task),
        }
        return options

    async def _prepare_episode(self, task: TaskConfig) -> None:
        """Hook run before the session opens (the sandbox restores the tenant's state here)."""

    def _allowed_origins(self, task: TaskConfig) -> set[str] | None:
        if self.allowed_origins == "any":
            return None
        if not isinstance(self.allowed_origins, str):
            return {origin_of(o) for o in self.allowed_origins}
        urls = list(task.start_urls)
        urls += [self.site_urls[s] for s in task.sites if s in self.site_urls]
        return {origin_of(u) for u in urls if "://" in u}

    def _storage_state(self, task: TaskConfig) -> str | None:
        if not task.require_login or not task.storage_state:
            return None
        auth_dir = self.auth_dir or Path(".auth")
        path = auth_dir / Path(task.storage_state).name
        if not path.is_file():
            raise WebArenaEnvError(
                f"Task {task.task_id} requires login but {path} does not exist. Create the login "
                f"states with `webarena-gym login --auth-dir {auth_dir}` (uses WebArena's "
                "standard accounts), or pass auth_dir= pointing at WebArena's .auth folder."
            )
        return str(path)

    # -- gymnasium API --------------------------------------------------------------------------
    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[dict[str, str], dict[str, Any]]:
        """Start an episode on ``options["task_id"]``, or on a task drawn with the env's RNG.

        A crashed or closed browser is relaunched here.

        Raises:
            KeyError: the task id is not among this env's tasks.
            WebArenaEnvError: the start page does not load, or the env was closed.
        """
        task = self._begin_reset(seed, options)
        return self.runtime.run(self._reset_episode(task))

    async def areset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[dict[str, str], dict[str, Any]]:
        """:meth:`reset` for asyncio code: awaitable from any event loop, never blocks it.

        Many envs' ``areset``/``astep`` awaited together run concurrently on the one browser.
        """
        task = self._begin_reset(seed, options)
        return await self.runtime.run_async(self._reset_episode(task))

    def _begin_reset(self, seed: int | None, options: dict[str, Any] | None) -> TaskConfig:
        """The synchronous part of a reset: seed, check the options, pick the task."""
        super().reset(seed=seed)
        if self._closed:
            raise WebArenaEnvError("this env was closed; make a new one")
        options = dict(options or {})
        unknown = set(options) - {"task_id"}
        if unknown:
            raise ValueError(f"unknown reset option(s) {sorted(unknown)}; supported: task_id")
        if options.get("task_id") is not None:
            key = str(options["task_id"])
            if key not in self._tasks_by_id:
                some = ", ".join(list(self._tasks_by_id)[:10])
                raise KeyError(f"task_id {key!r} is not one of this env's tasks (e.g. {some})")
            task = self._tasks_by_id[key]
        else:
            task = self.tasks[int(self.np_random.integers(len(self.tasks)))]
        if not self._holding_runtime:
            self.runtime.acquire()
            self._holding_runtime = True
        return task

    async def _reset_episode(self, task: TaskConfig) -> tuple[dict[str, str], dict[str, Any]]:
        """Open the task's episode and observe it (runs on the browser's loop)."""
        started = time.perf_counter()
        self.done = True  # until the start page has loaded
        await self._reset_async(task)
        self.task, self.steps, self.done = task, 0, False
        self.actions, self.last_eval = [], None
        obs, page_obs = await self._observe(error="")
        info = self._info(page_obs)
        info["reset_seconds"] = time.perf_counter() - started
        return obs, info

    async def _reset_async(self, task: TaskConfig) -> None:
        if self.session is not None:
            await self.session.close()
            self.session = None
        await self._prepare_episode(task)
        session = Session(self.runtime, **self._session_options(task))
        await session.start()
        self.session = session
        try:
            await session.open_start_urls(task.start_urls)
        except PlaywrightError as exc:
            blocked = session.pop_blocked()
            reason = (
                f"it is outside the allowed origins {sorted(session.allowed_origins or [])}"
                if blocked
                else str(exc).splitlines()[0]
            )
            raise WebArenaEnvError(
                f"Task {task.task_id}: the start page {task.start_url!r} did not load: {reason}. "
                "Check that the site is up and its URL (site_urls / WA_* variables) is right."
            ) from None

    def step(self, action: str) -> tuple[dict[str, str], float, bool, bool, dict[str, Any]]:
        """Run the model's text ``action``; reward is 0 until the episode ends.

        A malformed action, an unknown element or a blocked URL is not an exception: the step
        counts, ``last_action_error`` says what went wrong. ``exit(...)`` terminates; reaching
        ``max_steps`` truncates. A browser crash truncates with ``info["error"]`` set.
        ``info["action"]`` is the parsed action as a dict (None when the text did not parse),
        ``info["parse_error"]`` the parser's message (None when it parsed).
        """
        self._check_step(action)
        return self.runtime.run(self._step_episode(action))

    async def astep(self, action: str) -> tuple[dict[str, str], float, bool, bool, dict[str, Any]]:
        """:meth:`step` for asyncio code: awaitable from any event loop, never blocks it."""
        self._check_step(action)
        return await self.runtime.run_async(self._step_episode(action))

    def _check_step(self, action: Any) -> None:
        if self.session is None or self.task is None:
            raise WebArenaEnvError("call reset() before step()")
        if self.done:
            raise WebArenaEnvError("the episode has ended; call reset() to start a new one")
        if not isinstance(action, str):
            raise TypeError(f"actions are text (str), got {type(action).__name__}")

    async def _step_episode(
        self, action: str
    ) -> tuple[dict[str, str], float, bool, bool, dict[str, Any]]:
        """One step (runs on the browser's loop); see :meth:`step`."""
        assert self.session is not None
        self.steps += 1
        error = ""
        parsed: Action | None = None
        parse_error: str | None = None
        terminated = truncated = False
        extra: dict[str, Any] = {}
        try:
            parsed = parse_action(action, max_chars=self.max_action_chars)
        except ActionParseError as exc:
            error = parse_error = str(exc)
        self.actions.append(parsed)
        if not self.session.is_open:
            return self._crashed(None)
        if parsed is not None and parsed.name == "exit":
            terminated = True
        elif parsed is not None:
            try:
                error = await self._execute_async(parsed)
            except PlaywrightError as exc:
                if not self.session.is_open:
                    return self._crashed(exc)
                error = f"The action failed: {str(exc).splitlines()[0]}"
        if not terminated and self.steps >= self.max_steps:
            truncated = True
        try:
            obs, page_obs = await self._observe(error)
        except PlaywrightError as exc:
            if not self.session.is_open:
                return self._crashed(exc)
            raise
        reward = 0.0
        if terminated or truncated:
            answer = (parsed.argument or "") if terminated and parsed is not None else ""
            reward = await self._evaluate(answer)
            extra["eval"] = self.last_eval.to_info() if self.last_eval else None
            self.done = True
        info = self._info(page_obs, parsed)
        info["parse_error"] = parse_error
        info.update(extra)
        return obs, reward, terminated, truncated, info

    async def _execute_async(self, action: Action) -> str:
        """Run one action; return the model-facing error ('' when it worked)."""
        assert self.session is not None
        session = self.session
        page = session.page
        target = {"newTab": False, "href": ""}
        if action.name == "Click":
            target = await page.evaluate(_CLICK_TARGET_JS, action.element)
        try:
            if target["newTab"] and session.is_allowed(target["href"] or page.url):
                # A link with a target opens a tab: wait for it, so that the observation shows it.
                async with page.context.expect_page(timeout=self.navigation_timeout_ms) as tab:
                    await execute_action(page, action, timeout_ms=self.action_timeout_ms)
                await (await tab.value).wait_for_load_state("domcontentloaded")
            else:
                await execute_action(page, action, timeout_ms=self.action_timeout_ms)
            error = ""
        except ActionExecutionError as exc:
            error = str(exc)
        if target["href"] and not session.is_allowed(target["href"]):
            # The block happens in the network layer, after the click returns: wait for it.
            await session.wait_blocked(timeout_s=self.action_timeout_ms / 1000)
        blocked = session.pop_blocked()
        if blocked:
            error = (
                f"Navigation to {blocked[-1]} was blocked: it is outside this task's web sites. "
                "The page was left as it was."
            )
        return error

    async def _observe(self, error: str) -> tuple[dict[str, str], PageObservation]:
        assert self.session is not None and self.task is not None
        page_obs = await observe_page(
            self.session.page, viewport_only=self.viewport_only, max_chars=self.max_obs_chars
        )
        obs = {
            "intent": self.task.intent,
            "url": self.session.page.url,
            "html": page_obs.html[:MAX_TEXT],
            "last_action_error": error[:MAX_TEXT],
        }
        return obs, page_obs

    async def _evaluate(self, answer: str) -> float:
        assert self.session is not None and self.task is not None
        session, task = self.session, self.task
        with session.tab_tracking_paused():  # evaluation pages never become the agent's
            self.last_eval = await evaluate_task(
                task,
                answer=answer,
                final_url=session.page.url,
                context=session.context,
                site_urls=self.site_urls,
                judge=self.judge if self.judge is not None else default_judge(),
                page_timeout_ms=self.navigation_timeout_ms,
                settle_ms=self.eval_settle_ms,
            )
        return float(self.last_eval.reward)

    def _crashed(
        self, exc: BaseException | None
    ) -> tuple[dict[str, str], float, bool, bool, dict[str, Any]]:
        assert self.task is not None
        self.done = True
        message = (
            "The browser crashed or was closed during this step; the episode is cut short. "
            "The next reset() relaunches it."
        )
        obs = {
            "intent": self.task.intent,
            "url": "",
            "html": "",
            "last_action_error": message,
        }
        info = {"task_id": self.task.task_id, "step": self.steps, "error": message}
        if exc is not None:
            info["exception"] = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return obs, 0.0, False, True, info

    def _info(self, page_obs: PageObservation, action: Action | None = None) -> dict[str, Any]:
        assert self.task is not None
        return {
            "task_id": self.task.task_id,
            "sites": list(self.task.sites),
            "step": self.steps,
            "action": None if action is None else action.__dict__.copy(),
            "num_elements": page_obs.num_elements,
            "raw_html_chars": page_obs.raw_chars,
            "obs_truncated": page_obs.truncated,
        }

    def render(self) -> np.ndarray | None:
        """A screenshot of the active page as an ``(H, W, 3)`` uint8 array (``rgb_array``)."""
        if self.render_mode is None:
            return None
        if self.session is None or not self.session.is_open:
            raise WebArenaEnvError("nothing to render: call reset() first")
        png = self.runtime.run(self.session.page.screenshot(type="png"))
        from PIL import Image

        with Image.open(io.BytesIO(png)) as image:
            return np.asarray(image.convert("RGB"))

    def close(self) -> None:
        """Close this env's browser context; the last env of the process stops Chromium."""
        if self._closed:
            return
        self._closed = True
        session, self.session = self.session, None
        if session is not None and self.runtime.is_running():
            try:
                self.runtime.run(session.close(), timeout=30)
            except Exception:  # noqa: BLE001 - closing must not raise
                pass
        if self._holding_runtime:
            self._holding_runtime = False
            self.runtime.release()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # noqa: BLE001 - never raise from a finalizer
            pass
