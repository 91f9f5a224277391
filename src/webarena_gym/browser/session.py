"""One env's browser state: a ``BrowserContext`` (own cookies and storage) and its active page.

All methods are coroutines meant to run on the :class:`~webarena_gym.browser.BrowserRuntime`'s
loop.

What a page may reach is fenced at two layers:

* Requests Playwright can route (documents, subresources, fetch/XHR, beacons, workers' requests)
  to anything but the allowed origins, or with a scheme other than http(s) (``file:``,
  ``chrome:``, ...), are aborted before they leave the browser; aborted navigations are
  recorded so the env can report them in the observation.
* Connections routing never sees (WebSockets, speculative prefetches, preconnects, WebRTC's
  TCP relays) go through a per-context proxy that is a bound loopback port nobody listens on;
  only the allowed http(s) origins bypass it. So such a connection to any other host or port,
  or any ``ws:``/``wss:`` connection, fails inside Chromium and opens no TCP connection to its
  target.

Navigations that Chromium itself refuses to a page (``location = "file:///..."``,
``chrome://`` URLs, top-level ``data:`` URLs) never reach the network; Chromium reports them on
the page's console, and the session records them as blocked too.

``extra_http_headers`` (the sandbox's tenant id) are added by a route handler to requests for
the header origins only, never set on the whole context, so no other origin ever receives them.
"""

from __future__ import annotations

import asyncio
import re
import socket
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager
from typing import Any
from urllib.parse import urlsplit

from playwright.async_api import BrowserContext, ConsoleMessage, Page, Request, Route
from playwright.async_api import Error as PlaywrightError

from webarena_gym.browser.runtime import BrowserRuntime

DEFAULT_VIEWPORT = {"width": 1280, "height": 720}

#: Schemes whose navigations are refused: Chromium refuses them to a page itself (local
#: resources, browser pages, top-level ``data:``), and the session's route refuses them to the
#: browser. Other non-http(s) schemes never leave the page (``about:``, ``blob:``,
#: ``javascript:``) or go to an external handler (``mailto:``), which headless Chromium has not.
_REFUSED_SCHEMES = (
    "file:", "data:", "filesystem:", "view-source:", "chrome:", "chrome-extension:",
    "chrome-untrusted:", "devtools:", "ws:", "wss:",
)

#: Chromium's console messages for navigations it refused before any request was made.
_REFUSED_NAVIGATION = re.compile(
    r"^Not allowed to (?:load local resource|navigate top frame to data URL): (\S+)"
)

# How long closing an evaluation context may take before it is left to the browser.
_CLOSE_TIMEOUT_S = 10.0

_refusing_socket: socket.socket | None = None
_refusing_lock = threading.Lock()


def refusing_proxy() -> str:
    """``http://127.0.0.1:PORT`` of a loopback port this process holds bound but never listens on.

    Used as the proxy of every browser context: a connection Chromium sends through it is
    refused at once (the kernel answers RST), and no other program can listen on the port
    while this process holds it. The socket lives as long as the process.
    """
    global _refusing_socket
    with _refusing_lock:
        if _refusing_socket is None:
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.bind(("127.0.0.1", 0))  # bound, never listen(): connections are refused
            _refusing_socket = sock
        return f"http://127.0.0.1:{_refusing_socket.getsockname()[1]}"


def origin_of(url: str) -> str:
    """``scheme://host:port`` of a URL (the port made explicit)."""
    parts = urlsplit(url)
    if not parts.scheme or not parts.hostname:
        raise ValueError(f"{url!r} has no scheme and host; give URLs like http://127.0.0.1:7770")
    port = parts.port or {"http": 80, "https": 443}.get(parts.scheme, 0)
    return f"{parts.scheme}://{parts.hostname}:{port}".lower()


def _origin_alternatives(origins: Iterable[str]) -> list[str]:
    """Regex alternatives matching URLs on each of ``origins`` (default ports optional)."""
    alternatives = []
    for origin in sorted(set(origins)):
        scheme, rest = origin.split("://", 1)
        host, port = rest.rsplit(":", 1)
        default = {"http": "80", "https": "443"}.get(scheme)
        port_part = f"(?::{port})?" if port == default else f":{port}"
        alternatives.append(f"{re.escape(scheme)}://{re.escape(host)}{port_part}(?:[/?#]|$)")
    return alternatives


def _origin_regex(origins: Iterable[str] | None) -> re.Pattern[str]:
    """A pattern matching every URL NOT on one of ``origins`` (evaluated by Playwright's driver).

    Routing only the disallowed URLs keeps allowed requests off the Python side entirely.
    ``data:``, ``blob:`` and ``about:`` URLs stay allowed (images, a page's own blobs); every
    other scheme (``file:``, ``chrome:``, ``ws:``, ...) never is. ``None``: any http(s) origin.
    """
    alternatives = ["https?:"] if origins is None else _origin_alternatives(origins)
    allowed = "|".join(["data:", "blob:", "about:"] + alternatives)
    return re.compile(f"^(?!(?:{allowed}))", re.IGNORECASE)


def _origins_regex(origins: Iterable[str]) -> re.Pattern[str]:
    """A pattern matching every URL on one of ``origins`` (nothing when there are none)."""
    alternatives = _origin_alternatives(origins)
    if not alternatives:
        return re.compile(r"(?!)")
    return re.compile(f"^(?:{'|'.join(alternatives)})", re.IGNORECASE)


class Session:
    """A browser context with its active page, for one env.

    Args:
        runtime: the process's browser runtime.
        allowed_origins: origins the agent may load (``None``: any http(s) origin).
        extra_http_headers: headers added to every request for ``header_origins`` (e.g. the
            sandbox tenant id); requests for other origins never carry them.
        header_origins: the origins that receive ``extra_http_headers``; default
            ``allowed_origins`` (when both are ``None``: every origin).
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
        header_origins: Iterable[str] | None = None,
        storage_state: str | Mapping[str, Any] | None = None,
        viewport: Mapping[str, int] | None = None,
        geolocation: Mapping[str, float] | None = None,
        default_timeout_ms: int = 15000,
    ) -> None:
        self.runtime = runtime
        self.allowed_origins = None if allowed_origins is None else set(allowed_origins)
        self.extra_http_headers = dict(extra_http_headers or {})
        if header_origins is not None:
            self.header_origins: set[str] | None = set(header_origins)
        else:
            self.header_origins = (
                None if self.allowed_origins is None else set(self.allowed_origins)
            )
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
        self.context = await self._new_context(
            self.storage_state, page_scripts=True, on_blocked=self._block
        )
        self.context.on("page", self._on_page)
        await self.context.new_page()

    async def _new_context(
        self,
        storage_state: str | Mapping[str, Any] | None,
        *,
        page_scripts: bool,
        on_blocked: Callable[[Route, Request], Awaitable[None]],
    ) -> BrowserContext:
        """A context with this session's fence: proxy, blocking route, scoped headers."""
        browser = await self.runtime.get_browser()
        kwargs: dict[str, Any] = {
            "viewport": self.viewport,
            "storage_state": storage_state,
            "service_workers": "block",
            "java_script_enabled": page_scripts,
            "proxy": self._proxy_settings(),
        }
        if self.extra_http_headers and self.header_origins is None:
            kwargs["extra_http_headers"] = self.extra_http_headers  # asked for on every origin
        if self.geolocation:
            kwargs.update(geolocation=self.geolocation, permissions=["geolocation"])
        context = await browser.new_context(**kwargs)
        try:
            context.set_default_timeout(self.default_timeout_ms)
            context.set_default_navigation_timeout(self.default_timeout_ms)
            if self.extra_http_headers and self.header_origins:
                await context.route(_origins_regex(self.header_origins), self._add_headers)
            # Registered last, so it wins over the header route wherever both match.
            await context.route(_origin_regex(self.allowed_origins), on_blocked)
        except BaseException:
            await _close_quietly(context)
            raise
        return context

    def _proxy_settings(self) -> dict[str, str]:
        """Every connection but those to the allowed http(s) origins goes to a refusing proxy.

        Chromium sends WebSockets, speculative prefetches and preconnects, which routing never
        sees, through the proxy too; only the bypass list connects directly. Playwright makes
        Chromium proxy loopback addresses as well (it adds ``<-loopback>``).
        """
        if self.allowed_origins is None:
            bypass = "http://*, https://*"
        else:
            bypass = ", ".join(sorted(self.allowed_origins))
        settings = {"server": refusing_proxy()}
        if bypass:
            settings["bypass"] = bypass
        return settings

    def _on_page(self, page: Page) -> None:
        # Tabs the agent opens (target=_blank, window.open) become the active page; scratch
        # pages the evaluator opens do not.
        if self._scratch:
            return
        self._pages.append(page)
        page.on("close", lambda p: self._pages.remove(p) if p in self._pages else None)
        page.on("crash", self._on_crash)
        page.on("console", self._on_console)

    def _on_crash(self, _page: Page) -> None:
        self._crashed = True

    def _on_console(self, message: ConsoleMessage) -> None:
        # Chromium refuses a page's navigation to file:, chrome: or a top-level data: URL
        # itself, before any request: its console message is the only trace of it.
        if message.type != "error":
            return
        refused = _REFUSED_NAVIGATION.match(message.text)
        if refused:
            self._record_blocked(refused.group(1))

    def _record_blocked(self, url: str) -> None:
        self._blocked.append(url)
        if self._blocked_event is not None:
            self._blocked_event.set()

    async def _block(self, route: Route, request: Request) -> None:
        if request.is_navigation_request():
            self._record_blocked(request.url)
        await _refuse(route, request)

    async def _add_headers(self, route: Route, request: Request) -> None:
        # Replaces any same-named header a page script set (case-insensitively), so a page
        # cannot pick another tenant.
        names = {name.lower() for name in self.extra_http_headers}
        headers = {k: v for k, v in request.headers.items() if k.lower() not in names}
        headers.update(self.extra_http_headers)
        try:
            await route.continue_(headers=headers)
        except PlaywrightError:
            pass  # the page or context closed while the request waited

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
        """Whether a page may navigate to ``url`` in this session.

        http(s) URLs must be on an allowed origin; ``file:``, ``chrome:``, top-level ``data:``
        and the other local or browser schemes are refused; ``about:``, ``blob:`` and
        ``javascript:`` URLs (which stay in the page) are allowed.
        """
        lowered = url.strip().lower()
        if lowered.startswith(("http:", "https:")):
            if self.allowed_origins is None:
                return True
            try:
                return origin_of(url) in self.allowed_origins
            except ValueError:
                return False
        return not lowered.startswith(_REFUSED_SCHEMES)

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
        """Navigations refused since the last call (outside the allowed origins, or a scheme
        other than http(s) such as ``file:`` or ``chrome:``)."""
        blocked, self._blocked = self._blocked, []
        return blocked

    async def goto(self, url: str, *, wait_until: str = "load") -> None:
        """Navigate the active page; a blocked or failed navigation raises ``PlaywrightError``."""
        lowered = url.strip().lower()
        if not lowered.startswith(("http:", "https:", "about:")):
            self._record_blocked(url)
            scheme = lowered.split(":", 1)[0] or "scheme-less"
            raise PlaywrightError(
                f"net::ERR_BLOCKED_BY_CLIENT: {scheme}: URLs are not allowed ({url}); "
                "only the task's http(s) sites can be opened"
            )
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
        """A separate page in this context, never the agent's; closed after. (The evaluator
        reads pages in an :meth:`evaluation_context` instead.)"""
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

    @asynccontextmanager
    async def evaluation_context(
        self, *, page_scripts: bool = False
    ) -> AsyncIterator[BrowserContext]:
        """A fresh context for the evaluator, closed afterwards; the agent's pages are untouched.

        It carries the agent's cookies (and, with page scripts on, its local storage), the same
        origin fence, proxy and scoped headers. With ``page_scripts=False`` no page script
        runs in it at all (inline, event handlers, ``<script src>``), so a page shows exactly
        what its server sent, while Playwright's own ``page.evaluate`` (the checks' locators)
        still works.

        Raises:
            RuntimeError: the session was not started (or was closed).
        """
        if self.context is None:
            raise RuntimeError("the session has no browser context; start() it first")
        state = await self._state_for_evaluation(self.context, page_scripts)
        context = await self._new_context(state, page_scripts=page_scripts, on_blocked=_refuse)
        try:
            yield context
        finally:
            await _close_quietly(context)

    async def _state_for_evaluation(
        self, context: BrowserContext, page_scripts: bool
    ) -> dict[str, Any]:
        """The agent context's cookies, plus local storage when scripts will run to read it."""
        if page_scripts:
            try:
                with self.tab_tracking_paused():
                    state = await asyncio.wait_for(context.storage_state(), _CLOSE_TIMEOUT_S)
                return dict(state)
            except (PlaywrightError, asyncio.TimeoutError):
                pass  # a page stuck in a script: the cookies alone still sign the checks in
        return {"cookies": await context.cookies(), "origins": []}

    async def close(self) -> None:
        """Close the context and its pages (safe to call twice, or after a browser crash)."""
        context, self.context = self.context, None
        self._pages.clear()
        if context is not None:
            try:
                await context.close()
            except Exception:  # noqa: BLE001 - the browser may already be gone
                pass


async def _refuse(route: Route, request: Request) -> None:
    """Stop a request to a disallowed URL before it leaves the browser."""
    try:
        if request.is_navigation_request():
            # A 204 answer to a navigation leaves the page where it was (no error page to undo).
            await route.fulfill(status=204, body="")
        else:
            await route.abort("blockedbyclient")
    except PlaywrightError:
        pass  # the page or context closed while the request waited


async def _close_quietly(context: BrowserContext) -> None:
    """Close a context, waiting at most ``_CLOSE_TIMEOUT_S`` (never for a stuck renderer)."""
    try:
        await asyncio.wait_for(context.close(), _CLOSE_TIMEOUT_S)
    except Exception:  # noqa: BLE001 - the browser may already be gone
        pass
