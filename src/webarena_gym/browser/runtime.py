"""One Chromium per Python process, driven by Playwright's async API on its own event-loop thread.

Synchronous callers (a ``gymnasium.Env`` on any thread, or code inside a running asyncio loop)
submit coroutines with :meth:`BrowserRuntime.run`; asyncio callers on another loop can use
:meth:`BrowserRuntime.run_async`. Playwright's sync API breaks across threads and inside running
loops; this design does not.

Lifetime: envs :meth:`~BrowserRuntime.acquire` the runtime and :meth:`~BrowserRuntime.release`
it on ``close()``; when the last user releases it, Chromium and the Playwright driver stop. An
``atexit`` hook stops whatever is left, so no Chromium outlives the interpreter.
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import os
import threading
from collections.abc import Coroutine, Sequence
from typing import Any, TypeVar

from playwright.async_api import Browser, Playwright, async_playwright

from webarena_gym.browser.discovery import ChromiumChoice, find_chromium

T = TypeVar("T")

QUIET_ARGS = (
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-default-apps",
    "--disable-dev-shm-usage",
    "--disable-breakpad",
    "--disable-crash-reporter",
)


#: how long connecting to a remote browser (``browser_endpoint``) may take
CONNECT_TIMEOUT_MS = 30_000


class BrowserCrashedError(RuntimeError):
    """The browser went away in the middle of an episode; the next ``reset()`` relaunches it."""


class RemoteBrowserError(ConnectionError):
    """The remote browser (``browser_endpoint``) cannot be reached: it is not started, or it
    stopped. Never replaced by a local launch; the message names the endpoint and the remedy."""


def launch_args(extra: Sequence[str] = ()) -> list[str]:
    """Chromium flags that keep it quiet on a closed network (``--no-sandbox`` only as root)."""
    args = list(QUIET_ARGS)
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.append("--no-sandbox")
    args.extend(extra)
    return args


class BrowserRuntime:
    """A Chromium shared by every env of the process, on a private event-loop thread.

    Args:
        executable_path: the Chromium binary; ``None`` uses :func:`find_chromium`'s order.
        headless: run without a window.
        extra_args: more Chromium flags.
        browser_endpoint: connect to a remote browser instead of launching one
            (``ws://`` for a Playwright server, ``http://`` for ``connect_over_cdp``). After a
            crash or disconnect it reconnects there, never launching a local browser instead;
            an endpoint that does not answer raises :class:`RemoteBrowserError`. A Playwright
            server started with ``python -m playwright run-server --port N`` launches a browser
            per connection with the launch options in the endpoint's ``launch-options`` query
            parameter (JSON; an ``executablePath`` or ``args`` there needs its ``--unsafe``):
            ``ws://HOST:N/?launch-options={"executablePath":"/usr/bin/chromium"}`` (URL-encoded).
            ``headless``, ``executable_path`` and ``extra_args`` apply to local launches only.
    """

    def __init__(
        self,
        executable_path: str | None = None,
        *,
        headless: bool = True,
        extra_args: Sequence[str] = (),
        browser_endpoint: str | None = None,
    ) -> None:
        self.executable_path = executable_path
        self.headless = headless
        self.extra_args = tuple(extra_args)
        self.browser_endpoint = browser_endpoint
        self.chromium: ChromiumChoice | None = None
        self.launch_count = 0
        self._lock = threading.Lock()
        self._users = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._playwright: Playwright | None = None
        self._browser: Browser | None = None
        self._browser_lock: asyncio.Lock | None = None

    # -- the loop thread -------------------------------------------------------------------
    def _ensure_loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None or not self._thread or not self._thread.is_alive():
                loop = asyncio.new_event_loop()
                ready = threading.Event()

                def serve() -> None:
                    asyncio.set_event_loop(loop)
                    loop.call_soon(ready.set)
                    loop.run_forever()

                thread = threading.Thread(target=serve, name="webarena-gym-browser", daemon=True)
                thread.start()
                ready.wait()
                self._loop, self._thread = loop, thread
                self._browser_lock = None
            return self._loop

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        """The event loop every Playwright object of this runtime belongs to."""
        return self._ensure_loop()

    def is_running(self) -> bool:
        """Whether the loop thread is up (it starts on first use and stops at shutdown)."""
        return self._thread is not None and self._thread.is_alive()

    def in_loop_thread(self) -> bool:
        """True when called from the runtime's own event-loop thread."""
        return self._thread is not None and threading.current_thread() is self._thread

    def submit(self, coro: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
        """Start ``coro`` on the browser's loop; its result comes through the returned future.

        Raises:
            RuntimeError: when called from the loop thread itself (waiting on the future there
                would deadlock; await the coroutine instead).
        """
        if self.in_loop_thread():
            coro.close()
            raise RuntimeError(
                "BrowserRuntime.run() was called from the browser's own event loop; "
                "await the coroutine instead."
            )
        return asyncio.run_coroutine_threadsafe(coro, self._ensure_loop())

    def run(self, coro: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
        """Run ``coro`` on the browser's loop and block until it finishes.

        Raises:
            RuntimeError: when called from the loop thread itself (it would deadlock).
            TimeoutError: when ``timeout`` seconds pass first (the coroutine is cancelled).
        """
        future = self.submit(coro)
        try:
            return future.result(timeout)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise TimeoutError(f"browser operation did not finish within {timeout} s") from None

    async def run_async(self, coro: Coroutine[Any, Any, T]) -> T:
        """Await ``coro`` on the browser's loop from a coroutine running on any other loop."""
        if self.in_loop_thread():
            return await coro
        future = asyncio.run_coroutine_threadsafe(coro, self._ensure_loop())
        return await asyncio.wrap_future(future)

    # -- the browser -----------------------------------------------------------------------
    async def get_browser(self) -> Browser:
        """The connected browser, launched (or relaunched after a crash) when needed."""
        if self._browser_lock is None:
            self._browser_lock = asyncio.Lock()
        async with self._browser_lock:
            if self._browser is not None and self._browser.is_connected():
                return self._browser
            if self._browser is not None:  # crashed or closed: drop it, launch anew
                try:
                    await self._browser.close()
                except Exception:  # noqa: BLE001 - already gone
                    pass
                self._browser = None
            if self._playwright is None:
                self._playwright = await async_playwright().start()
            if self.browser_endpoint:
                # Never a local launch in its place: a remote browser that is gone is an error.
                self._browser = await self._connect(self.browser_endpoint)
            else:
                self.chromium = find_chromium(self.executable_path)
                self._browser = await self._playwright.chromium.launch(
                    executable_path=self.chromium.path,
                    headless=self.headless,
                    args=launch_args(self.extra_args),
                )
            self.launch_count += 1
            return self._browser

    async def _connect(self, endpoint: str) -> Browser:
        assert self._playwright is not None
        try:
            if endpoint.startswith(("ws://", "wss://")):
                return await self._playwright.chromium.connect(
                    endpoint, timeout=CONNECT_TIMEOUT_MS)
            return await self._playwright.chromium.connect_over_cdp(
                endpoint, timeout=CONNECT_TIMEOUT_MS)
        except Exception as exc:  # noqa: BLE001 - Playwright's errors name no remedy
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise RemoteBrowserError(
                f"cannot connect to the remote browser at browser_endpoint={endpoint!r} "
                f"({first}). Start the browser server there (a Playwright server: "
                "`python -m playwright run-server --port PORT`, ws://; or Chromium with "
                "--remote-debugging-port=PORT, http://), check the address, or leave "
                "browser_endpoint unset to launch a local Chromium."
            ) from None

    def is_browser_alive(self) -> bool:
        """Whether a browser is launched and still connected."""
        return self._browser is not None and self._browser.is_connected()

    # -- users and shutdown ----------------------------------------------------------------
    def acquire(self) -> None:
        """Register a user (an env); the runtime stays up while it has users."""
        with self._lock:
            self._users += 1

    def release(self) -> None:
        """Unregister a user; the last one out stops Chromium and the loop thread."""
        with self._lock:
            self._users = max(0, self._users - 1)
            last = self._users == 0
        if last:
            self.shutdown()

    @property
    def users(self) -> int:
        """How many envs currently hold the runtime."""
        return self._users

    async def _close_async(self) -> None:
        browser, playwright = self._browser, self._playwright
        self._browser = self._playwright = None
        if browser is not None:
            try:
                await browser.close()
            except Exception:  # noqa: BLE001 - a crashed browser is already closed
                pass
        if playwright is not None:
            try:
                await playwright.stop()
            except Exception:  # noqa: BLE001
                pass

    def shutdown(self) -> None:
        """Close the browser and the Playwright driver and stop the loop thread (idempotent)."""
        with self._lock:
            loop, thread = self._loop, self._thread
            self._loop = self._thread = None
        if loop is None or thread is None or not thread.is_alive():
            return
        if threading.current_thread() is thread:  # pragma: no cover - defensive
            loop.create_task(self._close_async()).add_done_callback(lambda _: loop.stop())
            return
        try:
            asyncio.run_coroutine_threadsafe(self._close_async(), loop).result(30)
        except Exception:  # noqa: BLE001 - shutting down regardless
            pass
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        if not thread.is_alive():
            loop.close()


_runtimes: dict[tuple[str | None, bool, str | None, int], BrowserRuntime] = {}
_runtimes_lock = threading.Lock()


def get_runtime(
    executable_path: str | None = None,
    *,
    headless: bool = True,
    browser_endpoint: str | None = None,
    shard: int = 0,
) -> BrowserRuntime:
    """The process-wide runtime for these settings (one Chromium per distinct setting).

    ``shard`` picks one of several runtimes with the same settings: each shard is its own
    Chromium (or its own connection to ``browser_endpoint``) on its own event-loop thread, so
    envs on different shards share no browser process (a vector env's ``num_browsers``).
    """
    if isinstance(shard, bool) or not isinstance(shard, int) or shard < 0:
        raise ValueError(f"browser shard must be a non-negative int, got {shard!r}")
    key = (None if executable_path is None else str(executable_path), headless,
           browser_endpoint, shard)
    with _runtimes_lock:
        runtime = _runtimes.get(key)
        if runtime is None:
            runtime = _runtimes[key] = BrowserRuntime(
                key[0], headless=headless, browser_endpoint=browser_endpoint
            )
        return runtime


@atexit.register
def _shutdown_all() -> None:
    for runtime in list(_runtimes.values()):
        runtime.shutdown()


def _forget_after_fork() -> None:
    # A forked child (multiprocessing, gymnasium's AsyncVectorEnv) inherits the runtimes but not
    # their loop threads: it starts its own and leaves the parent's Chromium alone.
    global _runtimes_lock
    _runtimes.clear()
    _runtimes_lock = threading.Lock()


os.register_at_fork(after_in_child=_forget_after_fork)
