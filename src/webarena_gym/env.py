"""``WebArenaEnv``: a gymnasium environment over WebArena-style tasks in a real Chromium.

One episode = one task: ``reset()`` opens a fresh browser context on the task's start URL(s),
``step(text)`` parses the model's text into an action (DESIGN 3.3), runs it, and returns the
simplified HTML of the page (DESIGN 3.2). The reward is computed once, when the episode ends:
1.0 when every evaluator of the task passes, else 0.0 (DESIGN 3.4).
"""

from __future__ import annotations

import asyncio
import io
import os
import time
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np
from PIL import Image
from playwright.async_api import Error as PlaywrightError

from webarena_gym.actions import (
    MAX_ACTION_CHARS,
    Action,
    ActionExecutionError,
    ActionParseError,
    parse_action,
)
from webarena_gym.actions.execute import execute_action
from webarena_gym.browser import BrowserRuntime, Session, get_runtime, origin_of
from webarena_gym.browser.discovery import ChromiumNotFoundError
from webarena_gym.evaluation import EvalResult, Judge, default_judge, evaluate_task
from webarena_gym.evaluation.answer_guard import DEFAULT_GUARD_MODE, check_guard_mode
from webarena_gym.evaluation.evaluate import unscored_result
from webarena_gym.evaluation.modes import VAB, WEBARENA, check_eval_mode
from webarena_gym.observation import (
    LABEL_ATTRIBUTE,
    PageObservation,
    check_obs_format,
    observe_page,
)
from webarena_gym.spaces import UnicodeText
from webarena_gym.tasks import TaskConfig, load_task_configs

RESET_ATTEMPTS = 2  # a reset whose browser dies under it relaunches it and tries once more
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


async def _stop_loading(page: Any, timeout_s: float = 5.0) -> None:
    """Stop ``page``'s pending navigation (Chromium's ``Page.stopLoading``), as the browser's
    stop button does; a failure is ignored (the step's deadline still bounds what follows)."""
    try:
        cdp = await asyncio.wait_for(page.context.new_cdp_session(page), timeout_s)
        try:
            await asyncio.wait_for(cdp.send("Page.stopLoading"), timeout_s)
        finally:
            await asyncio.wait_for(cdp.detach(), timeout_s)
    except (asyncio.TimeoutError, PlaywrightError):
        pass


#: VAB's runner stops an episode after this many unparseable actions in a row ...
EARLY_STOP_PARSE_FAILURES = 3
#: ... or this many identical actions in a row (identical ``type`` actions anywhere).
EARLY_STOP_REPEATS = 5


def early_stop_reason(
    actions: Sequence[Action | None],
    parse_failures: int = EARLY_STOP_PARSE_FAILURES,
    repeats: int = EARLY_STOP_REPEATS,
) -> str | None:
    """Why VAB's runner (``early_stop`` of ``VAB-WebArena-Lite/new/run.py``) would stop after
    ``actions`` (None = an unparseable one), or None to go on.

    The last ``parse_failures`` actions all unparseable; or, for a last action other than
    ``type``, the last ``repeats`` actions all equal to it; for a ``type`` action, ``repeats``
    equal ones anywhere in the episode.
    """
    recent = list(actions[-parse_failures:])
    if len(recent) >= parse_failures and all(a is None for a in recent):
        return f"Failed to parse actions for {parse_failures} times"
    if not actions or actions[-1] is None:
        return None
    last = actions[-1]
    if last.name.lower() != "type":
        recent = list(actions[-repeats:])
        if len(recent) >= repeats and all(a == last for a in recent):
            return f"Same action for {repeats} times"
    elif sum(a == last for a in actions) >= repeats:
        return f"Same typing action for {repeats} times"
    return None


def episode_step_limit(max_episode_steps: int, max_steps: int | None = None) -> int:
    """The episode step limit of an env's arguments: ``max_episode_steps`` (Gymnasium's name),
    or ``max_steps`` (this package's name before) with a ``DeprecationWarning``.

    Raises:
        ValueError: the limit is below 1.
    """
    if max_steps is not None:
        warnings.warn("max_steps= is now max_episode_steps= (Gymnasium's name)",
                      DeprecationWarning, stacklevel=3)
        max_episode_steps = max_steps
    if isinstance(max_episode_steps, bool) or not isinstance(max_episode_steps, int) \
            or max_episode_steps < 1:
        raise ValueError(f"max_episode_steps must be an integer of at least 1, "
                         f"got {max_episode_steps!r}")
    return max_episode_steps


class WebArenaEnv(gym.Env[dict[str, str], str]):
    """WebArena-style tasks as a gymnasium environment.

    Args:
        task_configs: ``TaskConfig`` objects, WebArena-schema dicts, or a path to a JSON file /
            folder of configs (see :func:`webarena_gym.tasks.load_task_configs`).
        site_urls: site name -> base URL (``{"shopping": "http://host:7770", ...}``) used to
            substitute ``__SHOPPING__``-style placeholders and to decide the allowed origins.
        max_episode_steps: actions per episode (Gymnasium's name); reaching it truncates the
            episode (scored as WebArena does, with an empty answer). ``max_steps``, its name
            before, is still accepted with a ``DeprecationWarning``.
        viewport_only: observe only what is inside the viewport instead of the whole page.
        max_obs_chars: cap on the simplified HTML's length (cut at an element boundary; in
            the ``webrl`` format a plain cut, default 15,872 characters as WebRL's prompt).
        obs_format: ``"default"`` (this package's simplified HTML) or ``"webrl"`` (the HTML,
            numbering and viewport-only view of WebRL / WebAgent-R1, for models trained on
            WebRL data); see :mod:`webarena_gym.observation`.
        render_mode: ``"rgb_array"`` for screenshots through :meth:`render`.
        executable_path: the Chromium to launch (else :func:`~webarena_gym.browser.find_chromium`).
        headless: run Chromium without a window.
        browser_endpoint: use a remote browser (Playwright server ``ws://`` or CDP ``http://``).
        browser_shard: which of the process's browsers the env uses: envs with the same
            browser settings and shard share one Chromium and its event-loop thread; each shard
            is a Chromium process of its own. Vector envs set it (their ``num_browsers``).
        auth_dir: folder of WebArena's login storage states (``shopping_state.json``, ...) used
            by tasks with ``require_login``; default ``./.auth`` as WebArena's auto-login writes.
        judge: fuzzy-match judge (default: :func:`~webarena_gym.evaluation.default_judge`).
        allowed_origins: ``"task"`` (the task's sites and start URLs, the default), ``"any"``,
            or an explicit list of origins.
        action_timeout_ms: how long an action may wait for its element.
        navigation_timeout_ms: how long a page may take to load.
        viewport: page size, default 1280x720.
        extra_http_headers: headers sent with every request of every episode.
        step_timeout_s: the most a whole ``step()`` may take (action, page load, observation
            and, on the last step, evaluation); ``None``: no bound. A page that never answers
            or a script that never stops cannot hang the env past it: the stuck page is
            discarded, the last page that was observed is reopened and the episode goes on
            with a message in ``last_action_error`` (a stall on the episode's last step ends
            it with reward 0 and ``info["error"]``). Keep it well above
            ``navigation_timeout_ms`` plus ``eval_timeout_s`` so that slow pages load and
            evaluations finish rather than stall (default 120 s; the sandbox's 60 s).
        answer_guard: which answers must not list candidates instead of choosing one
            (:mod:`webarena_gym.evaluation.answer_guard`): ``"config"`` (default) checks the
            guard a config states in ``eval.answer_guard`` (every sandbox answer task has one;
            WebArena's configs have none and score exactly as in WebArena), ``"auto"`` also
            derives one for WebArena ``string_match`` configs (an answer-length bound and, for
            numeric answers, no numbers besides the reference's and the intent's), ``"off"``
            scores every answer as WebArena does. A guard's verdict is the ``answer_guard``
            entry of ``info["eval"]["evaluators"]``.
        max_action_chars: the longest action text that is parsed (default
            :data:`~webarena_gym.actions.MAX_ACTION_CHARS`, 65,536 characters); a longer one
            is a malformed action (a parse error in the observation, the episode goes on).
            ``None``: no cap (parsing is linear time either way).
        eval_mode: whose evaluator semantics score episodes
            (:mod:`webarena_gym.evaluation.modes`): ``"webarena"`` (WebArena's harness, this
            class's default), ``"vab"`` (VisualAgentBench's WebArena-Lite harness, the
            default of ``WebArenaLite-v0``) or ``"gym"`` (this project's, the sandbox's
            default). ``info["eval"]["eval_mode"]`` reports it.
        early_stop: end an episode as VAB's runner does, after
            :data:`EARLY_STOP_PARSE_FAILURES` consecutive unparseable actions or
            :data:`EARLY_STOP_REPEATS` identical actions in a row (scored with an empty
            answer, ``info["early_stop"]`` says why). ``None``: on in ``"vab"`` mode only.
    """

    metadata = {"render_modes": ["rgb_array"], "render_fps": 1}

    #: How long a ``program_html`` page may take to go network-idle after ``load`` (WebArena's
    #: GitLab renders with scripts; the sandbox's server-rendered sites set 0).
    eval_settle_ms: int = 3000

    #: Whether pages' own scripts run while ``program_html`` checks read them. WebArena's real
    #: sites render with scripts (GitLab's Vue views, Magento's admin forms), so WebArena scores
    #: with them on; the sandbox's server-rendered sites set False, so that no script an agent
    #: stored in a site can fake what a check reads. Set it per env (``env.eval_page_scripts =
    #: False``) for sites whose checked pages need no scripts.
    eval_page_scripts: bool = True

    #: The evaluation mode when ``eval_mode`` is not given.
    default_eval_mode: str = WEBARENA

    #: Bound in seconds on reading an episode's ``program_html`` pages, all checks together; a
    #: check whose page is not read by then (it keeps loading, or loops in a script) scores 0.
    eval_timeout_s: float = 60.0

    def __init__(
        self,
        task_configs: Sequence[TaskConfig | Mapping[str, Any]] | str | os.PathLike[str],
        site_urls: Mapping[str, str] | None = None,
        *,
        max_episode_steps: int = 15,
        max_steps: int | None = None,
        viewport_only: bool = False,
        max_obs_chars: int | None = None,
        obs_format: str = "default",
        render_mode: str | None = None,
        executable_path: str | None = None,
        headless: bool = True,
        browser_endpoint: str | None = None,
        browser_shard: int = 0,
        auth_dir: str | os.PathLike[str] | None = None,
        judge: Judge | None = None,
        allowed_origins: str | Sequence[str] = "task",
        action_timeout_ms: int = 5000,
        navigation_timeout_ms: int = 15000,
        viewport: Mapping[str, int] | None = None,
        extra_http_headers: Mapping[str, str] | None = None,
        step_timeout_s: float | None = 120.0,
        answer_guard: str = DEFAULT_GUARD_MODE,
        max_action_chars: int | None = MAX_ACTION_CHARS,
        eval_mode: str | None = None,
        early_stop: bool | None = None,
    ) -> None:
        max_episode_steps = episode_step_limit(max_episode_steps, max_steps)
        if step_timeout_s is not None and not step_timeout_s > 0:
            raise ValueError(f"step_timeout_s must be positive or None, got {step_timeout_s}")
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
        self.answer_guard = check_guard_mode(answer_guard)
        self.eval_mode = check_eval_mode(
            self.default_eval_mode if eval_mode is None else eval_mode
        )
        self.early_stop = (self.eval_mode == VAB) if early_stop is None else bool(early_stop)
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
        self.max_episode_steps = max_episode_steps
        self.viewport_only = viewport_only
        self.max_obs_chars = max_obs_chars
        self.obs_format = check_obs_format(obs_format)
        self.render_mode = render_mode
        self.auth_dir = Path(auth_dir) if auth_dir is not None else None
        self.judge = judge
        self.allowed_origins = allowed_origins
        self.action_timeout_ms = action_timeout_ms
        self.navigation_timeout_ms = navigation_timeout_ms
        self.viewport = dict(viewport) if viewport else None
        self.extra_http_headers = dict(extra_http_headers or {})
        self.step_timeout_s = step_timeout_s
        self.max_action_chars = max_action_chars
        self.runtime: BrowserRuntime = get_runtime(
            executable_path, headless=headless, browser_endpoint=browser_endpoint,
            shard=browser_shard,
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
        self._last_url = ""  # the last page observed: reopened when a step stalls
        self._holding_runtime = False
        self._closed = False

    # -- helpers that subclasses (the sandbox) extend ----------------------------------------
    def _session_options(self, task: TaskConfig) -> dict[str, Any]:
        """Keyword arguments for this episode's :class:`Session` (headers, login, origins)."""
        allowed = self._allowed_origins(task)
        options: dict[str, Any] = {
            "extra_http_headers": dict(self.extra_http_headers),
            # The headers (the sandbox's tenant id) go to the task's sites only, never to an
            # origin an "any" env lets the agent reach.
            "header_origins": allowed if allowed is not None else self._task_origins(task),
            "storage_state": self._storage_state(task),
            "viewport": self.viewport,
            "geolocation": task.geolocation or None,
            "default_timeout_ms": self.navigation_timeout_ms,
            "allowed_origins": allowed,
        }
        return options

    async def _prepare_episode(self, task: TaskConfig) -> None:
        """Hook run before the session opens (the sandbox restores the tenant's state here)."""

    def _allowed_origins(self, task: TaskConfig) -> set[str] | None:
        if self.allowed_origins == "any":
            return None
        if not isinstance(self.allowed_origins, str):
            return {origin_of(o) for o in self.allowed_origins}
        return self._task_origins(task)

    def _task_origins(self, task: TaskConfig) -> set[str]:
        """The origins of the task's start URLs and sites."""
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
        for attempt in range(RESET_ATTEMPTS):
            try:
                await self._reset_async(task)
                self.task, self.steps, self.done = task, 0, False
                self.actions, self.last_eval, self._last_url = [], None, ""
                obs, page_obs = await self._observe(error="")
                break
            except (PlaywrightError, RuntimeError, asyncio.TimeoutError) as exc:
                if not self._reset_retryable(exc):
                    raise
                self.done = True
                if attempt == RESET_ATTEMPTS - 1:
                    reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                    raise WebArenaEnvError(
                        f"Task {task.task_id}: the browser died while the episode was starting, "
                        f"{RESET_ATTEMPTS} times in a row (last: {reason}). Check that Chromium "
                        "runs on this machine (`webarena-gym doctor`) and has memory to spare, "
                        "then call reset() again."
                    ) from None
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
            if self._browser_gone(exc):
                raise  # the browser died: _reset_episode relaunches it and tries again
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
        ``max_episode_steps`` truncates. A browser crash truncates with ``info["error"]`` set.
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
        """One step (runs on the browser's loop), bounded by ``step_timeout_s``; see :meth:`step`."""
        assert self.session is not None
        self.steps += 1
        parsed: Action | None = None
        parse_error: str | None = None
        try:
            parsed = parse_action(action, max_chars=self.max_action_chars)
        except ActionParseError as exc:
            parse_error = str(exc)
        self.actions.append(parsed)
        if not self.session.is_open:
            return self._crashed(None)
        try:
            if self.step_timeout_s is None:
                return await self._run_step(parsed, parse_error)
            return await asyncio.wait_for(self._run_step(parsed, parse_error),
                                          self.step_timeout_s)
        except asyncio.TimeoutError:
            return await self._recover(
                parsed, parse_error,
                f"The step did not finish within {self.step_timeout_s:g} s (a page that never "
                "answers, or a script that never stops)",
            )
        except (PlaywrightError, RuntimeError) as exc:
            if self._browser_gone(exc):
                return self._crashed(exc)
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            return await self._recover(parsed, parse_error, f"The step failed ({first})")

    async def _run_step(
        self, parsed: Action | None, parse_error: str | None
    ) -> tuple[dict[str, str], float, bool, bool, dict[str, Any]]:
        """Act, observe and (on the last step) evaluate; :meth:`_step_episode` bounds it."""
        assert self.session is not None
        error = parse_error or ""
        terminated = truncated = False
        extra: dict[str, Any] = {}
        if parsed is not None and parsed.name == "exit":
            terminated = True
        elif parsed is not None:
            try:
                error = await self._execute_async(parsed)
            except PlaywrightError as exc:
                if self._browser_gone(exc):
                    raise
                error = f"The action failed: {str(exc).splitlines()[0]}"
        stop_reason = None if terminated or not self.early_stop else early_stop_reason(self.actions)
        if stop_reason is not None:
            terminated = True
            extra["early_stop"] = stop_reason
        if not terminated and self.steps >= self.max_episode_steps:
            truncated = True
        obs, page_obs = await self._observe(error)
        reward = 0.0
        if terminated or truncated:
            answer = (parsed.argument or "") if terminated and parsed is not None else ""
            if stop_reason is not None:
                answer = f"Early stop: {stop_reason}"  # VAB's runner's stop action
            reward = await self._evaluate(answer)
            extra["eval"] = self.last_eval.to_info() if self.last_eval else None
            if extra["eval"] is not None and self.task is not None:
                # A task without evaluators (an instruction-only task) is not scored here.
                extra["eval"]["needs_outcome_judge"] = bool(self.task.eval.needs_outcome_judge)
            self.done = True
        info = self._info(page_obs, parsed)
        info["parse_error"] = parse_error
        info.update(extra)
        return obs, reward, terminated, truncated, info

    def _reset_retryable(self, exc: BaseException) -> bool:
        """Whether a reset failed because the browser died under it (worth one more try)."""
        if isinstance(exc, (WebArenaEnvError, ChromiumNotFoundError)):
            return False
        text = str(exc).lower()
        return (not self.runtime.is_browser_alive() or "crash" in text or "target closed" in text
                or "has been closed" in text)

    def _browser_gone(self, exc: BaseException | None = None) -> bool:
        """Whether the browser, the context or the active page died (not a page's slowness)."""
        if self.session is None or not self.session.is_open:
            return True
        text = str(exc or "").lower()
        return "crash" in text or "target closed" in text or "has been closed" in text

    async def _recover(
        self, parsed: Action | None, parse_error: str | None, what: str
    ) -> tuple[dict[str, str], float, bool, bool, dict[str, Any]]:
        """After a stalled or failed step: discard the stuck page, reopen the last observed
        page, observe it, and go on (or end the episode when this was its last step)."""
        assert self.session is not None and self.task is not None
        session = self.session
        url = self._last_url
        bound = self.navigation_timeout_ms / 1000 + 10
        try:
            await asyncio.wait_for(session.replace_page(url), bound)
            obs, page_obs = await asyncio.wait_for(
                self._observe(f"{what}; the page was closed and {url or 'a blank page'} "
                              "reopened."), bound)
        except (asyncio.TimeoutError, PlaywrightError, RuntimeError) as exc:
            if self._browser_gone(exc):
                return self._crashed(exc)
            return self._ended_with_error(f"{what}, and reopening {url!r} failed too; the "
                                          "episode is cut short.")
        last = (parsed is not None and parsed.name == "exit") or self.steps >= self.max_episode_steps
        info = self._info(page_obs, parsed)
        info["parse_error"] = parse_error
        if last:
            self.done = True
            message = f"{what}; the episode ended unscored (reward 0)."
            info["error"] = message
            obs["last_action_error"] = message
            terminated = parsed is not None and parsed.name == "exit"
            return obs, 0.0, terminated, not terminated, info
        return obs, 0.0, False, False, info

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
        page = self.session.page
        bound = self.navigation_timeout_ms / 1000
        try:
            # Chromium does not evaluate in a page while a navigation is pending: a request
            # that is never answered would hold the observation until the step's deadline.
            page_obs = await asyncio.wait_for(self._observe_page(page), bound)
        except asyncio.TimeoutError:
            await _stop_loading(page)
            page_obs = await asyncio.wait_for(self._observe_page(page), bound)
            error = error or (f"The page did not load within {bound:g} s; loading was stopped "
                              "and the page is shown as it was.")
        url = self.session.page.url
        if url.lower().startswith(("http:", "https:")):
            self._last_url = url
        obs = {
            "intent": self.task.intent,
            "url": url,
            "html": page_obs.html[:MAX_TEXT],
            "last_action_error": error[:MAX_TEXT],
        }
        return obs, page_obs

    async def _observe_page(self, page: Any) -> PageObservation:
        return await observe_page(page, viewport_only=self.viewport_only,
                                  max_chars=self.max_obs_chars, obs_format=self.obs_format)

    async def _evaluate(self, answer: str) -> float:
        assert self.session is not None and self.task is not None
        session, task = self.session, self.task
        if task.eval.needs_outcome_judge:
            self.last_eval = unscored_result(task, answer)
            return float(self.last_eval.reward)
        judge = self.judge if self.judge is not None else default_judge(self.eval_mode)
        final_url = session.page.url
        scripts = self.eval_page_scripts
        if "program_html" not in task.eval.eval_types:
            self.last_eval = await evaluate_task(
                task, answer=answer, final_url=final_url, context=None,
                site_urls=self.site_urls, judge=judge, answer_guard=self.answer_guard,
                eval_mode=self.eval_mode,
            )
            return float(self.last_eval.reward)
        # The checks read pages in a context of their own (the agent's cookies, the same
        # fence), without page scripts unless the sites need them, closed afterwards.
        async with session.evaluation_context(page_scripts=scripts) as context:
            self.last_eval = await evaluate_task(
                task,
                answer=answer,
                final_url=final_url,
                context=context,
                site_urls=self.site_urls,
                judge=judge,
                page_timeout_ms=self.navigation_timeout_ms,
                settle_ms=self.eval_settle_ms if scripts else 0,
                timeout_s=self.eval_timeout_s,
                answer_guard=self.answer_guard,
                eval_mode=self.eval_mode,
                live_page=session.page,
            )
        return float(self.last_eval.reward)

    def _crashed(
        self, exc: BaseException | None
    ) -> tuple[dict[str, str], float, bool, bool, dict[str, Any]]:
        """The episode ends truncated: the browser or the page's renderer died."""
        message = (
            "The browser (or the page's renderer) crashed or was closed during this step; the "
            "episode is cut short. The next reset() relaunches it (or reconnects to a remote "
            "browser)."
        )
        obs, reward, terminated, truncated, info = self._ended_with_error(message)
        if exc is not None:
            info["exception"] = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return obs, reward, terminated, truncated, info

    def _ended_with_error(
        self, message: str
    ) -> tuple[dict[str, str], float, bool, bool, dict[str, Any]]:
        """End the episode truncated, unscored, with ``message`` as ``info["error"]``."""
        assert self.task is not None
        self.done = True
        obs = {
            "intent": self.task.intent,
            "url": "",
            "html": "",
            "last_action_error": message,
        }
        info = {"task_id": self.task.task_id, "step": self.steps, "error": message}
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

    @property
    def max_steps(self) -> int:
        """Deprecated name of :attr:`max_episode_steps`."""
        return self.max_episode_steps

    def render(self) -> np.ndarray | None:
        """A screenshot of the active page as an ``(H, W, 3)`` uint8 array (``rgb_array``)."""
        if self.render_mode is None:
            return None
        if self.session is None or not self.session.is_open:
            raise WebArenaEnvError("nothing to render: call reset() first")
        png = self.runtime.run(self.session.page.screenshot(type="png"))
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
