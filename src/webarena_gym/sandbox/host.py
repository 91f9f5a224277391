"""The sandbox host: every site its own Starlette app on its own port, served by uvicorn.

Each site runs on a background daemon thread (``127.0.0.1``, an ephemeral port unless a port
base is given), wrapped in :class:`TenantMiddleware`, which picks the tenant's database from the
``X-WebArena-Tenant`` header the env's browser context sends (page scripts cannot drop it).

In-process use: :func:`get_host` returns the process's host, started lazily; envs
:meth:`~SandboxHost.acquire` it (starting the sites they need) and
:meth:`~SandboxHost.release` it on ``close()``; the last release stops every server, and so does
interpreter exit. Standalone use: :func:`serve` (``webarena-gym serve``) for a person to browse,
and, with its control API (:mod:`webarena_gym.sandbox.service`), for envs in other processes or
on other machines (``SandboxEnv(sandbox_url=...)``).

Contract for the site apps, set on every request: ``request.state.db`` (the tenant's
``sqlite3.Connection`` to the site's database, rows as ``sqlite3.Row``), ``request.state.tenant``
(``str`` or ``None``), ``request.state.readonly`` (``bool``) and ``request.state.site_urls``
(site name -> base URL of every running site, for cross-site links).
"""

from __future__ import annotations

import asyncio
import atexit
import html
import os
import socket
import sqlite3
import sys
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, TextIO

import uvicorn

from webarena_gym.sandbox.auth import session_cookie
from webarena_gym.sandbox.db import TenantDatabases, UnknownTenantError
from webarena_gym.sandbox.registry import SITES, SiteSpec

TENANT_HEADER = "X-WebArena-Tenant"
_TENANT_KEY = TENANT_HEADER.lower().encode("latin-1")
DEFAULT_HOST = "127.0.0.1"
START_TIMEOUT_S = 15.0
#: A request body must arrive within this time and size before the tenant's lock is taken, so
#: that a client that sends half a request cannot hold the tenant (and its env's reset) hostage.
BODY_TIMEOUT_S = 30.0
MAX_BODY_BYTES = 16 * 1024 * 1024

Scope = dict[str, Any]


class SandboxHostError(RuntimeError):
    """A site that cannot start (unknown name, port taken, app that fails to load)."""


def _page(status: int, title: str, message: str) -> tuple[int, bytes]:
    body = (
        f"<!doctype html><html><head><title>{html.escape(title)}</title></head>"
        f"<body><h1>{html.escape(title)}</h1><p>{html.escape(message)}</p></body></html>"
    )
    return status, body.encode("utf-8")


async def _send_page(send: Any, status: int, body: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/html; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
                (b"cache-control", b"no-store"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


NO_TENANT_PAGE = _page(
    400,
    "No sandbox tenant",
    f"This request lacks a known {TENANT_HEADER} header. The sandbox sites serve each env's "
    "own state: open them through a SandboxEnv (gym.make('WebArenaSandbox-v0')), or run "
    "`webarena-gym serve` to browse the seeded data read-only.",
)
SLOW_BODY_PAGE = _page(
    408, "Request timeout", f"The request body did not arrive within {BODY_TIMEOUT_S:g} s."
)
BODY_TOO_LARGE_PAGE = _page(
    413, "Request too large", f"Request bodies are limited to {MAX_BODY_BYTES} bytes."
)
READONLY_PAGE = _page(
    403,
    "Read-only sandbox",
    "This is the read-only view of the seeded data (no tenant): changes are not saved. "
    "Use a SandboxEnv for a private, writable copy.",
)


class TenantMiddleware:
    """ASGI middleware giving each request its tenant's database (see the module docstring).

    A request without a tenant gets the read-only template when the host is in serve mode, and
    a 400 page otherwise; a request naming an unknown tenant always gets the 400 page. A tenant's requests run one at a time, under the
    tenant's lock, which a restore also takes.
    """

    def __init__(self, app: Any, site: SiteSpec, host: SandboxHost) -> None:
        self.app = app
        self.site = site
        self.host = host

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        tenants = self.host.tenants
        tenant: str | None = None
        for key, value in scope.get("headers", ()):
            if key == _TENANT_KEY:
                tenant = value.decode("latin-1").strip() or None
                break
        if tenant is None or tenant not in tenants:
            # In serve mode a person (no header) browses the read-only data; a header naming a
            # tenant that is gone (its env closed, or it expired) is an error, not other data.
            if not self.host.serve_mode or tenant is not None:
                await _send_page(send, *NO_TENANT_PAGE)
                return
        if tenant is not None:
            # The whole body first, outside the lock (bounded in time and size).
            try:
                messages = await asyncio.wait_for(_read_body(receive), BODY_TIMEOUT_S)
            except asyncio.TimeoutError:
                await _send_page(send, *SLOW_BODY_PAGE)
                return
            except _BodyTooLarge:
                await _send_page(send, *BODY_TOO_LARGE_PAGE)
                return
            receive = _replay(messages, receive)
            hook = self.host.on_tenant_request
            if hook is not None:
                hook(tenant)  # the service's idle expiry: a tenant in use is not idle
        lock = None
        if tenant is not None:
            try:
                lock = tenants.lock(tenant)
            except UnknownTenantError:  # dropped just now: its env closed
                await _send_page(send, *NO_TENANT_PAGE)
                return
            # Poll instead of blocking: the lock is a thread lock and this is the event loop.
            while not lock.acquire(blocking=False):
                await asyncio.sleep(0.002)
        try:
            try:
                db = tenants.connection(tenant, self.site.database)
            except UnknownTenantError:
                await _send_page(send, *NO_TENANT_PAGE)
                return
            state = scope.setdefault("state", {})
            state["db"] = db
            state["tenant"] = tenant
            state["readonly"] = tenant is None
            state["site_urls"] = self.host.site_urls_for(scope)
            await self.app(scope, receive, send)
        finally:
            if lock is not None:
                lock.release()


class _BodyTooLarge(Exception):
    pass


async def _read_body(receive: Any) -> list[dict[str, Any]]:
    """Every ``http.request`` message of a request (or up to its disconnect)."""
    messages, size = [], 0
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            return messages
        size += len(message.get("body", b""))
        if size > MAX_BODY_BYTES:
            raise _BodyTooLarge
        if not message.get("more_body", False):
            return messages


def _replay(messages: list[dict[str, Any]], receive: Any) -> Any:
    """An ASGI ``receive`` that returns ``messages`` first, then defers to ``receive``."""
    pending = list(messages)

    async def replay() -> dict[str, Any]:
        if pending:
            return pending.pop(0)
        return await receive()

    return replay


def _readonly_handler(request: Any, exc: Exception) -> Any:
    """Starlette exception handler: a write to the read-only view gets a 403 page, not a 500."""
    from starlette.responses import HTMLResponse

    if getattr(request.state, "readonly", False) and "readonly" in str(exc):
        status, body = READONLY_PAGE
        return HTMLResponse(body.decode("utf-8"), status_code=status)
    raise exc


@dataclass
class _RunningSite:
    spec: SiteSpec
    server: uvicorn.Server
    thread: threading.Thread
    sock: socket.socket
    port: int
    url: str


WILDCARD_HOSTS = ("0.0.0.0", "", "::")


def _url_host(host: str) -> str:
    if host in WILDCARD_HOSTS:
        return DEFAULT_HOST  # a wildcard bind is reachable on the loopback address too
    return f"[{host}]" if ":" in host else host


def serve_in_thread(
    app: Any, sock: socket.socket, thread_name: str, what: str
) -> tuple[uvicorn.Server, threading.Thread]:
    """Serve ``app`` with uvicorn on the bound ``sock`` from a daemon thread; return once it
    accepts connections.

    Raises:
        SandboxHostError: the server stopped or did not start within ``START_TIMEOUT_S``
            (``what`` names it; the socket is closed).
    """
    config = uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False,
                            timeout_graceful_shutdown=2)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name=thread_name,
                              daemon=True)
    thread.start()
    deadline = time.monotonic() + START_TIMEOUT_S
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            thread.join(5)
            sock.close()
            raise SandboxHostError(f"{what} did not start (see the uvicorn error above)")
        time.sleep(0.005)
    return server, thread


class SandboxHost:
    """The sandbox's web servers and the tenants' databases.

    Args:
        host: the address to bind (``127.0.0.1``: reachable from this machine only).
        port_base: site ``s`` listens on ``port_base + s.port_offset``; ``None``: ephemeral ports.
        serve_mode: requests without a known tenant see the read-only template (``serve``)
            instead of a 400 page.
        seed: the data seed of the read-only template (tenants choose their own seeds).
    """

    def __init__(
        self,
        *,
        host: str = DEFAULT_HOST,
        port_base: int | None = None,
        serve_mode: bool = False,
        seed: int = 0,
    ) -> None:
        self.host = host
        self.port_base = port_base
        self.serve_mode = serve_mode
        self.tenants = TenantDatabases(readonly_seed=seed)
        self._running: dict[str, _RunningSite] = {}
        self._site_urls: dict[str, str] = {}
        self._site_urls_view = MappingProxyType(self._site_urls)  # what the apps see
        self._users = 0
        self._lock = threading.RLock()
        #: called with the tenant id before each of a tenant's requests (the control API's
        #: idle expiry sets it); must be quick and thread-safe
        self.on_tenant_request: Callable[[str], None] | None = None

    # -- sites ---------------------------------------------------------------------------
    @property
    def site_urls(self) -> dict[str, str]:
        """Site name -> base URL of every running site (the admin's includes ``/admin``)."""
        return dict(self._site_urls)

    def site_urls_for(self, scope: Scope) -> Mapping[str, str]:
        """The site URLs as the requesting browser reaches them (for cross-site links).

        Bound to a wildcard address, the sites are named by the host the request came to, so
        that a person on another machine gets links that work; otherwise :attr:`site_urls`.
        """
        if self.host not in WILDCARD_HOSTS:
            return self._site_urls_view
        name = ""
        for key, value in scope.get("headers", ()):
            if key == b"host":
                name = value.decode("latin-1").rsplit(":", 1)[0] if value else ""
                break
        if not name or name == DEFAULT_HOST:
            return self._site_urls_view
        return {
            site: f"http://{name}:{running.port}{running.spec.base_path}"
            for site, running in list(self._running.items())
        }

    def port(self, site: str) -> int:
        """The port ``site`` listens on (it must be running)."""
        return self._running[site].port

    def start_sites(self, sites: Iterable[str]) -> dict[str, str]:
        """Start the named sites that are not running yet; return every running site's URL.

        Raises:
            SandboxHostError: an unknown site, a port already in use, or an app that fails.
        """
        names = list(dict.fromkeys(sites))
        unknown = [s for s in names if s not in SITES]
        if unknown:
            raise SandboxHostError(
                f"unknown sandbox site(s) {unknown}; available: {', '.join(sorted(SITES))}"
            )
        with self._lock:
            for name in names:
                if name not in self._running:
                    self._start_site(SITES[name])
            return dict(self._site_urls)

    def restart_stopped_sites(self, sites: Iterable[str]) -> list[str]:
        """Start again, on their own ports (so that URLs stay valid), those of the named running
        sites whose server has stopped (a crashed or killed server thread); return their names.

        Raises:
            SandboxHostError: a site that cannot start again (its port was taken meanwhile).
        """
        restarted = []
        with self._lock:
            for name in dict.fromkeys(sites):
                running = self._running.get(name)
                if running is None or (running.thread.is_alive()
                                       and not running.server.should_exit):
                    continue
                running.server.should_exit = True
                running.thread.join(5)
                running.sock.close()
                del self._running[name]
                self._start_site(running.spec, port=running.port)
                restarted.append(name)
        return restarted

    def _bind(self, spec: SiteSpec, port: int | None = None) -> socket.socket:
        if port is None:
            port = 0 if self.port_base is None else self.port_base + spec.port_offset
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((self.host, port))
        except OSError as exc:
            sock.close()
            raise SandboxHostError(
                f"site {spec.name!r} cannot listen on {self.host}:{port}: {exc.strerror}. "
                "Choose another --port-base (or none, for ephemeral ports)."
            ) from None
        return sock

    def _start_site(self, spec: SiteSpec, port: int | None = None) -> None:
        try:
            app = spec.create_app()
        except Exception as exc:
            raise SandboxHostError(
                f"site {spec.name!r}: building its app ({spec.app}) failed: "
                f"{type(exc).__name__}: {exc}"
            ) from exc
        handlers = getattr(app, "exception_handlers", None)
        if isinstance(handlers, dict) and sqlite3.OperationalError not in handlers:
            app.add_exception_handler(sqlite3.OperationalError, _readonly_handler)
        sock = self._bind(spec, port)
        port = sock.getsockname()[1]
        server, thread = serve_in_thread(
            TenantMiddleware(app, spec, self), sock, f"webarena-gym-site-{spec.name}",
            f"site {spec.name!r} on {self.host}:{port}",
        )
        url = f"http://{_url_host(self.host)}:{port}{spec.base_path}"
        self._running[spec.name] = _RunningSite(spec, server, thread, sock, port, url)
        # Copy on write: a request may be iterating over the mapping on a server thread.
        self._site_urls = {**self._site_urls, spec.name: url}
        self._site_urls_view = MappingProxyType(self._site_urls)

    def is_running(self) -> bool:
        """Whether any site is being served."""
        return bool(self._running)

    def threads(self) -> list[threading.Thread]:
        """The server threads of the running sites."""
        return [r.thread for r in self._running.values()]

    def stop(self) -> None:
        """Stop every site's server and wait for its thread (idempotent)."""
        with self._lock:
            running = list(self._running.values())
            self._running.clear()
            self._site_urls = {}
            self._site_urls_view = MappingProxyType(self._site_urls)
            for site in running:
                site.server.should_exit = True
            for site in running:
                site.thread.join(5)
                if site.thread.is_alive():  # a request that never ends: stop waiting for it
                    site.server.force_exit = True
                    site.thread.join(5)
                site.sock.close()

    # -- tenants (the calls an env makes; RemoteSandboxHost has the same) ---------------
    def create_tenant(self, seed: int = 0) -> str:
        """A new tenant whose databases come from the templates of ``seed``; its id."""
        return self.tenants.create(seed)

    def restore_tenant(self, tenant: str, databases: Iterable[str]) -> float:
        """Reset the tenant's ``databases`` to their seeded templates; the milliseconds taken."""
        return self.tenants.restore(tenant, databases)

    def drop_tenant(self, tenant: str) -> None:
        """Forget the tenant and free its databases (an unknown id is ignored)."""
        self.tenants.drop(tenant)

    def default_user_id(self, tenant: str, site: str) -> int:
        """The user id of ``site``'s default account in the tenant's data.

        Raises:
            SandboxHostError: an unknown site, a site without a demo account, or an account
                missing from the data.
            UnknownTenantError: the tenant does not exist.
        """
        spec = SITES.get(site)
        if spec is None:
            raise SandboxHostError(f"unknown sandbox site {site!r}; available: "
                                   f"{', '.join(sorted(SITES))}")
        if not spec.accounts or not spec.user_query:
            raise SandboxHostError(
                f"site {site!r} has no demo account (SiteSpec.accounts / user_query), so its "
                "require_login tasks cannot start signed in; set require_login to false"
            )
        with self.tenants.lock(tenant):
            conn = self.tenants.connection(tenant, spec.database)
            row = conn.execute(spec.user_query, (spec.default_account.username,)).fetchone()
        if row is None:
            raise SandboxHostError(
                f"site {site!r}: the default account {spec.default_account.username!r} is not "
                f"in the data of seed {self.tenants.seed(tenant)}; the {spec.database} "
                "generator must create it"
            )
        return int(row[0])

    def session_cookie(self, tenant: str, site: str, domain: str) -> dict[str, str]:
        """A Playwright cookie signing ``site``'s default account in (see :meth:`default_user_id`),
        signed with this host's secret; ``domain`` is the host name the browser reaches it at."""
        return session_cookie(site, self.default_user_id(tenant, site), domain)

    # -- users ---------------------------------------------------------------------------
    def acquire(self, sites: Iterable[str]) -> dict[str, str]:
        """Register a user (an env) and start the ``sites`` it needs; return the site URLs."""
        with self._lock:
            self._users += 1
            try:
                return self.start_sites(sites)
            except BaseException:
                self.release()
                raise

    def release(self) -> None:
        """Unregister a user; the last one out stops every server."""
        with self._lock:
            self._users = max(0, self._users - 1)
            if self._users == 0:
                self.stop()

    @property
    def users(self) -> int:
        """How many envs hold the host."""
        return self._users


_hosts: dict[tuple[str, int | None], SandboxHost] = {}
_hosts_lock = threading.Lock()


def get_host(host: str = DEFAULT_HOST, port_base: int | None = None) -> SandboxHost:
    """The process's sandbox host for this address (created on first call, started lazily).

    Tenants choose their data seed, so envs of every seed share one host.
    """
    with _hosts_lock:
        key = (host, port_base)
        found = _hosts.get(key)
        if found is None:
            found = _hosts[key] = SandboxHost(host=host, port_base=port_base)
        return found


@atexit.register
def _stop_all() -> None:
    for sandbox in list(_hosts.values()):
        sandbox.stop()


def _forget_after_fork() -> None:
    # A forked child inherits the hosts but not their server threads: it starts its own.
    global _hosts_lock
    _hosts.clear()
    _hosts_lock = threading.Lock()


os.register_at_fork(after_in_child=_forget_after_fork)


#: the control API listens on ``port_base + CONTROL_PORT_OFFSET`` (7779 for the default base),
#: clear of the sites' offsets (0 to 4)
CONTROL_PORT_OFFSET = 9


def serve(
    sites: Iterable[str] | None = None,
    host: str = DEFAULT_HOST,
    port_base: int | None = 7770,
    seed: int = 0,
    *,
    control_port: int | None = None,
    tenant_idle_s: float | None = None,
    max_tenants: int | None = None,
    stop_event: threading.Event | None = None,
    out: TextIO | None = None,
) -> Mapping[str, str]:
    """Serve the sites standalone until Ctrl-C (or ``stop_event``), printing URLs and accounts.

    Requests without a tenant see the read-only seeded data; requests with a tenant (an env's
    browser) use that tenant's data. Returns the URLs it served.

    Args:
        control_port: also serve the control API (:mod:`webarena_gym.sandbox.service`) on this
            port of ``host`` (``0``: an ephemeral port), for ``SandboxEnv(sandbox_url=...)``;
            ``None``: no control API.
        tenant_idle_s: the control API drops a tenant unused for this long (default
            :data:`~webarena_gym.sandbox.service.TENANT_IDLE_S`).
        max_tenants: the control API's cap on live tenants (default
            :data:`~webarena_gym.sandbox.service.MAX_TENANTS`).
    """
    out = out or sys.stdout
    names = list(sites) if sites else list(SITES)
    sandbox = SandboxHost(host=host, port_base=port_base, serve_mode=True, seed=seed)
    control = None
    try:
        urls = sandbox.start_sites(names)
        for database in dict.fromkeys(SITES[n].database for n in names):
            sandbox.tenants.connection(None, database)  # build the data now, not on first click
        if control_port is not None:
            from webarena_gym.sandbox.service import ControlServer

            limits: dict[str, Any] = {}
            if tenant_idle_s is not None:
                limits["tenant_idle_s"] = tenant_idle_s
            if max_tenants is not None:
                limits["max_tenants"] = max_tenants
            control = ControlServer(sandbox, port=control_port, **limits)
            control.start()
        print(f"webarena-gym sandbox (seed {seed}), read-only without a tenant:", file=out)
        for name in names:
            spec = SITES[name]
            print(f"  {name:<15} {urls[name]:<32} {spec.title}", file=out)
            for account in spec.accounts:
                print(f"  {'':<15} login {account.username} / {account.password} "
                      f"({account.description})", file=out)
        if control is not None:
            print(f"Control API for envs: {control.url} (SandboxEnv(sandbox_url=...) or "
                  f"WEBARENA_GYM_SANDBOX_URL); a tenant unused for {control.tenant_idle_s:g} s "
                  f"is dropped, at most {control.max_tenants} tenants.", file=out)
        if host not in ("127.0.0.1", "localhost", "::1"):
            print(f"Listening on {host}: reachable from other machines.", file=out)
        print("Press Ctrl-C to stop.", file=out, flush=True)
        stop = stop_event or threading.Event()
        try:
            while not stop.wait(0.5):
                pass
        except KeyboardInterrupt:
            pass
        return urls
    finally:
        if control is not None:
            control.stop()
        sandbox.stop()
