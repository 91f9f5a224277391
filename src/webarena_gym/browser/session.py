"""One env's browser state: a ``BrowserContext`` (own cookies and storage) and its active page.

All methods are coroutines meant to run on the :class:`~webarena_gym.browser.BrowserRuntime`'s
loop. Navigation outside the allowed origins, and every ``file:`` URL, is aborted at the network
layer; the aborted navigations are recorded so the env can report them in the observation.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Iterable, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager
from typing import Any
from urllib.parse import urlsplit

from playwright.async_api import BrowserContext, Page, Request, Route
from playwright.async_api import Error as PlaywrightError

from webarena_gym.browser.runtime import BrowserRuntime

DEFAULT_VIEWPORT = {"width": 1280, "height": 720}


def origin_of(url: str) -> str:
    """``scheme://host:port`` of a URL (the port made explicit)."""
    parts = urlsplit(url)
    if not parts.scheme or not parts.hostname:
        raise ValueError(f"{url!r} has no scheme and host; give URLs like http://127.0.0.1:7770")
    port = parts.port or {"http": 80, "https": 443}.get(parts.scheme, 0)
    return f"{parts.scheme}://{parts.hostname}:{port}".lower()


def _origin_regex(origins: Iterable[str]) -> re.Pattern[str]:
    """A pattern matching every URL NOT on one of ``origins`` (evaluated by Playwright's driver).

    Routing only the disallowed URLs keeps allowed requests off the Python side entirely.
    ``data:``, ``blob:`` and ``about:`` URLs stay allowed; ``file:`` never is.
    """
    alternatives = []
    for origin in sorted(set(origins)):
        scheme, rest = origin.split("://", 1)
        host, port = rest.rsplit(":", 1)
        default = {"http": "80", "https": "443"}.get(scheme)
        port_part = f"(?::{port})?" if port == default else f":{port}"
        alternatives.append(f"{re.escape(scheme)}://{re.escape(host)}{port_part}(?:[/?#]|$)")
    allowed = "|".join(["data:", "blob:", "about:"] + alternatives)
    return re.compile(f"^(?!(?:{allowed}))", re.IGNORECASE)


class Session:
    """A browser context with its active page, for one env.

    Args:
        runtime: the process's browser runtime.
        allowed_origins: origins the agent may load (``None``: any http(s) origin).
        extra_http_headers: headers sent with every request (e.g. the sandbox tenant id).
        storage_state: a Playwright storage-state file or dict (logged-in cookies).
        viewport: page size in CSS pixels.
        geolocation: ``{"latitude": .., "longitude": ..}`` to grant, as WebArena's map tasks do.
        default_timeout_ms: timeout for navigation and element operations.
    """

    def __init__(
        self,
        runtime: BrowserRuntime,
        *,
        allowed_origins: Iterable[str] | None = None,
        extra_http_headers: Mapping[str, str] | None = None,
        storage_state: str | Mapping[str, Any] | None = None,
        viewport: Mapping[str, int] | None = None,
        geolocation: Mapping[str, float] | None = None,
        default_timeout_ms: int = 15000,
    ) -> None:
        self.runtime = runtime
        self.allowed_origins = None if allowed_origins is None else set(allowed_origins)
        self.extra_http_headers = dict(extra_http_headers or {})
        self.storage_state = storage_state
        self.viewport = dict(viewport or DEFAULT_VIEWPORT)
        self.geolocation = dict(geolocation) if geolocation else None
        self.default_timeout_ms = default_timeout_ms
        self.context: BrowserContext | None = None
        self._pages: list[Page] = []
        self._blocked: list[str] = []
        self._blocked_event: asyncio.Event | None = None
        self._scratch = 0
        self._crashed = False  # an agent page's renderer died

    async def start(self) -> None:
        """Open the context and one blank page (launching or relaunching Chromium if needed)."""
        browser = await self.runtime.get_browser()
        kwargs: dict[str, Any] = {
            "viewport": self.viewport,
            "extra_http_headers": self.extra_http_headers or None,
            "storage_state": self.storage_state,
            "service_workers": "block",
        }
        if self.geolocation:
            kwargs.update(geolocation=self.geolocation, permissions=["geolocation"])
        self.context = await browser.new_context(**kwargs)
        self.context.set_default_timeout(self.default_timeout_ms)
        self.context.set_default_navigation_timeout(self.default_timeout_ms)
        pattern = _origin_regex(self.allowed_origins) if self.allowed_origins is not None else (
            re.compile(r"^file:", re.IGNORECASE)
        )
        await self.context.route(pattern, self._block)
        self.context.on("page", self._on_page)
        await self.context.new_page()

    def _on_page(self, page: Page) -> None:
        # Tabs the agent opens (target=_blank, window.open) become the active page; scratch
        # pages the evaluator opens do not.
        if self._scratch:
            return
        self._pages.append(page)
        page.on("close", lambda p: self._pages.remove(p) if p in self._pages else None)
        page.on("crash", self._on_crash)

    def _on_crash(self, _page: Page) -> None:
        self._crashed = True

    async def _block(self, route: Route, request: Request) -> None:
        if request.is_navigation_request():
            self._blocked.append(request.url)
            if self._blocked_event is not None:
                self._blocked_event.set()
            # A 204 answer to a navigation leaves the page where it was (no error page to undo).
            await route.fulfill(status=204, body="")
            return
        await route.abort("blockedbyclient")

    @property
    def page(self) -> Page:
        """The active page: the most recently opened tab that is still open."""
        if not self._pages:
            raise RuntimeError("the session has no open page; call reset() to start a new one")
        return self._pages[-1]

    @property
    def is_open(self) -> bool:
        """Whether the context exists, its browser is connected and a page is open (and no
        renderer of the agent's pages crashed)."""
        return (self.context is not None and self.runtime.is_browser_alive()
                and bool(self._pages) and not self._crashed)

    def is_allowed(self, url: str) -> bool:
        """Whether navigating to ``url`` is allowed in this session."""
        if url.lower().startswith("file:"):
            return False
        if self.allowed_origins is None or not url.lower().startswith(("http:", "https:")):
            return True
        try:
            return origin_of(url) in self.allowed_origins
        except ValueError:
            return True

    async def wait_blocked(self, timeout_s: float) -> bool:
        """Wait until a navigation has been blocked (True), or ``timeout_s`` passes (False)."""
        if self._blocked:
            return True
        self._blocked_event = asyncio.Event()
        try:
            await asyncio.wait_for(self._blocked_event.wait(), timeout_s)
            return True
        except asyncio.TimeoutError:
            return False
        finally:
            self._blocked_event = None

    def pop_blocked(self) -> list[str]:
        """Navigations aborted since the last call (outside the allowed origins, or ``file:``)."""
        blocked, self._blocked = self._blocked, []
        return blocked

    async def goto(self, url: str, *, wait_until: str = "load") -> None:
        """Navigate the active page; a blocked or failed navigation raises ``PlaywrightError``."""
        if url.lower().startswith("file:"):
            self._blocked.append(url)
            raise PlaywrightError(f"net::ERR_BLOCKED_BY_CLIENT: file: URLs are not allowed ({url})")
        await self.page.goto(url, wait_until=wait_until)  # type: ignore[arg-type]

    async def open_start_urls(self, urls: list[str]) -> None:
        """Open each start URL in its own tab (WebArena's ``|AND|``); the first one stays active."""
        for index, url in enumerate(urls):
            if index > 0:
                assert self.context is not None
                await self.context.new_page()
            await self.goto(url)
        if len(urls) > 1:
            first = self._pages[-len(urls)]
            self._pages.remove(first)
            self._pages.append(first)
            await first.bring_to_front()

    async def replace_page(self, url: str, *, close_timeout_s: float = 5.0) -> None:
        """Make a fresh page the active one, open ``url`` in it ('' leaves it blank) and close
        the old active page, which may be stuck (a script in an endless loop, a load that
        never ends): its close is bounded by ``close_timeout_s`` and its failure ignored."""
        assert self.context is not None, "start() the session first"
        old = self._pages.pop() if self._pages else None
        await self.context.new_page()  # _on_page makes it the active page
        if old is not None:
            try:
                await asyncio.wait_for(old.close(run_before_unload=False), close_timeout_s)
            except (asyncio.TimeoutError, PlaywrightError):
                pass
        if url:
            await self.goto(url)

    @contextmanager
    def tab_tracking_paused(self) -> Iterator[None]:
        """Pages opened inside this block (by the evaluator) never become the active page."""
        self._scratch += 1
        try:
            yield
        finally:
            self._scratch -= 1

    @asynccontextmanager
    async def scratch_page(self) -> AsyncIterator[Page]:
        """A separate page in this context (for evaluation), never the agent's; closed after."""
        assert self.context is not None, "start() the session first"
        with self.tab_tracking_paused():
            page = await self.context.new_page()
        try:
            yield page
        finally:
            try:
                await page.close()
            except PlaywrightError:
                pass

    async def close(self) -> None:
        """Close the context and its pages (safe to call twice, or after a browser crash)."""
        context, self.context = self.context, None
        self._pages.clear()
        if context is not None:
            try:
                await context.close()
            except Exception:  # noqa: BLE001 - the browser may already be gone
                pass
