"""The sandbox as a service: a control API next to the sites, and the client envs use.

``webarena-gym serve`` runs the sites (:func:`webarena_gym.sandbox.host.serve`) and, on a port of
its own, this module's :class:`ControlServer`: a small JSON API through which envs in other
processes, or on other machines, do what an in-process env does with its
:class:`~webarena_gym.sandbox.host.SandboxHost` (create, restore and drop tenants, sign the
default account in, restart a stopped site). ``SandboxEnv(sandbox_url=URL)``, or the variable
``WEBARENA_GYM_SANDBOX_URL``, makes an env use it through :class:`RemoteSandboxHost`.

The control API listens on its own port, never on a site's origin: an env's browser reaches
only the task's site origins (the network fence of :mod:`webarena_gym.browser.session`), so an
agent's page cannot call it. It has no authentication: bind it to 127.0.0.1 or to a private
network that only your workers reach.

Endpoints (JSON answers; a request body is JSON sent as ``Content-Type: application/json``, which
a web page cannot send cross-origin without a CORS preflight that this API never grants; an
error is ``{"error": "..."}`` with a 4xx/5xx status):

* ``GET /``: what the service is (name, version, seed, sites, tenant count and limits, and
  how many requests it has answered).
* ``GET /sites``: ``{"sites": {name: url}}``, the URLs as the caller reaches them.
* ``POST /sites`` ``{"sites": [...]}``: start those sites (if not running); ``{"sites": ...}``.
* ``POST /sites/restart`` ``{"sites": [...]}``: restart stopped servers; ``{"restarted": [...]}``.
* ``GET /tenants``: ``{"tenants": [...]}``, the tenants created through the API.
* ``POST /tenants`` ``{"seed": 0}``: a new tenant; ``{"tenant": id, "idle_expiry_s": s}``.
* ``POST /tenants/{id}/restore`` ``{"databases": [...]}``: ``{"restore_ms": ms}``.
* ``DELETE /tenants/{id}``: ``{"dropped": bool}``.
* ``GET /tenants/{id}/user-id/{site}``: ``{"user_id": n}``, the site's default account.
* ``GET /tenants/{id}/session-cookie/{site}?domain=HOST``: ``{"cookie": {...}}``, a session
  cookie signing that account in (signed with the service's secret).

Tenant lifetime: an env that dies without ``close()`` cannot drop its tenant, so a tenant that
has seen neither an API call nor a site request for ``tenant_idle_s`` (default
:data:`TENANT_IDLE_S`) is dropped; a later call with its id says it expired. At most
``max_tenants`` (default :data:`MAX_TENANTS`) live at once; one more is refused with a 503 that
says so.
"""

from __future__ import annotations

import collections
import importlib.metadata
import json
import os
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

import uvicorn

from webarena_gym.sandbox.db import UnknownTenantError
from webarena_gym.sandbox.host import (
    SandboxHost,
    SandboxHostError,
    _url_host,
    serve_in_thread,
)
from webarena_gym.sandbox.registry import DATABASES, SITES

SERVICE_NAME = "webarena-gym-sandbox"
#: the environment variable ``SandboxEnv`` reads its ``sandbox_url`` from when none is given
SANDBOX_URL_ENV = "WEBARENA_GYM_SANDBOX_URL"
#: a tenant unused (no API call, no site request) for this many seconds is dropped
TENANT_IDLE_S = 1800.0
#: at most this many tenants created through the API live at once
MAX_TENANTS = 256
#: a control request's body is small JSON
MAX_REQUEST_BYTES = 64 * 1024
_EXPIRED_MEMORY = 4096  # ids of expired tenants remembered, for a clear error


class SandboxServiceError(SandboxHostError):
    """The sandbox service cannot be reached, or it refused a request (the message says why)."""


def sandbox_url_from_env(sandbox_url: str | None = None) -> str | None:
    """``sandbox_url`` if given, else ``$WEBARENA_GYM_SANDBOX_URL`` (``None`` when unset/empty)."""
    if sandbox_url is None:
        sandbox_url = os.environ.get(SANDBOX_URL_ENV, "").strip() or None
    return sandbox_url


# -- the server ----------------------------------------------------------------------------------


class _ApiError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class _Leases:
    """The API's tenants and when each was last used; expired ids are remembered a while."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.last_used: dict[str, float] = {}
        self.expired: collections.OrderedDict[str, float] = collections.OrderedDict()

    def touch(self, tenant: str) -> None:
        with self._lock:
            if tenant in self.last_used:  # only the API's live tenants
                self.last_used[tenant] = time.monotonic()

    def live(self) -> list[str]:
        with self._lock:
            return sorted(self.last_used)

    def add(self, tenant: str) -> None:
        with self._lock:
            self.last_used[tenant] = time.monotonic()

    def remove(self, tenant: str) -> bool:
        with self._lock:
            return self.last_used.pop(tenant, None) is not None

    def idle(self, idle_s: float) -> list[str]:
        """Remove and return the tenants unused for ``idle_s`` seconds."""
        now = time.monotonic()
        with self._lock:
            gone = [t for t, used in self.last_used.items() if now - used >= idle_s]
            for tenant in gone:
                del self.last_used[tenant]
                self.expired[tenant] = idle_s
                while len(self.expired) > _EXPIRED_MEMORY:
                    self.expired.popitem(last=False)
        return gone


class ControlServer:
    """The control API of a :class:`~webarena_gym.sandbox.host.SandboxHost` (see the module
    docstring), on its own port, served by uvicorn on a background thread.

    Args:
        sandbox: the host whose tenants and sites the API manages (``serve_mode=True`` for
            ``webarena-gym serve``).
        port: the port to listen on (``0``: an ephemeral one); the address is the host's.
        tenant_idle_s: drop a tenant unused for this many seconds.
        max_tenants: refuse to create more than this many live tenants.
        reap_interval_s: how often idle tenants are looked for (default: a quarter of
            ``tenant_idle_s``, at most 30 s).

    Use as a context manager, or :meth:`start` and :meth:`stop`.
    """

    def __init__(
        self,
        sandbox: SandboxHost,
        *,
        port: int = 0,
        tenant_idle_s: float = TENANT_IDLE_S,
        max_tenants: int = MAX_TENANTS,
        reap_interval_s: float | None = None,
    ) -> None:
        if tenant_idle_s <= 0:
            raise ValueError(f"tenant_idle_s must be > 0 seconds, got {tenant_idle_s!r}")
        if max_tenants < 1:
            raise ValueError(f"max_tenants must be at least 1, got {max_tenants!r}")
        self.sandbox = sandbox
        self.requested_port = int(port)
        self.tenant_idle_s = float(tenant_idle_s)
        self.max_tenants = int(max_tenants)
        self.reap_interval_s = (min(30.0, self.tenant_idle_s / 4) if reap_interval_s is None
                                else float(reap_interval_s))
        self.leases = _Leases()
        self.port: int | None = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._sock: socket.socket | None = None
        self._reaper: threading.Thread | None = None
        self._stop = threading.Event()
        self._create_lock = threading.Lock()
        #: how many API requests it has answered (``GET /`` reports it)
        self.requests_served = 0

    @property
    def url(self) -> str:
        """The API's base URL (on the loopback address when bound to a wildcard address)."""
        if self.port is None:
            raise RuntimeError("the control server is not running; call start() first")
        return f"http://{_url_host(self.sandbox.host)}:{self.port}"

    # -- lifetime ---------------------------------------------------------------------------
    def start(self) -> None:
        """Bind the port and serve the API; start dropping idle tenants.

        Raises:
            SandboxHostError: the port is taken, or the server does not start.
        """
        if self._thread is not None:
            return
        family = socket.AF_INET6 if ":" in self.sandbox.host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((self.sandbox.host, self.requested_port))
        except OSError as exc:
            sock.close()
            raise SandboxHostError(
                f"the control API cannot listen on {self.sandbox.host}:{self.requested_port}: "
                f"{exc.strerror}. Choose another --control-port (0: an ephemeral port)."
            ) from None
        server, thread = serve_in_thread(
            create_control_app(self), sock, "webarena-gym-sandbox-control",
            f"the control API on {self.sandbox.host}:{sock.getsockname()[1]}",
        )
        self._server, self._thread, self._sock = server, thread, sock
        self.port = sock.getsockname()[1]
        self.sandbox.on_tenant_request = self.leases.touch
        self._stop.clear()
        self._reaper = threading.Thread(target=self._reap_loop, daemon=True,
                                        name="webarena-gym-sandbox-reaper")
        self._reaper.start()

    def stop(self) -> None:
        """Stop the API and the reaper, and drop the API's tenants (idempotent)."""
        self._stop.set()
        server, thread, sock = self._server, self._thread, self._sock
        self._server = self._thread = self._sock = None
        if server is not None and thread is not None:
            server.should_exit = True
            thread.join(5)
            if thread.is_alive():
                server.force_exit = True
                thread.join(5)
        if sock is not None:
            sock.close()
        if self._reaper is not None:
            self._reaper.join(5)
            self._reaper = None
        if self.sandbox.on_tenant_request == self.leases.touch:
            self.sandbox.on_tenant_request = None
        for tenant in self.leases.live():
            self.leases.remove(tenant)
            self.sandbox.drop_tenant(tenant)
        self.port = None

    def __enter__(self) -> ControlServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def threads(self) -> list[threading.Thread]:
        """The API's server and reaper threads (while running)."""
        return [t for t in (self._thread, self._reaper) if t is not None]

    def _reap_loop(self) -> None:
        while not self._stop.wait(self.reap_interval_s):
            self.reap()

    def reap(self) -> list[str]:
        """Drop the tenants unused for ``tenant_idle_s``; return their ids."""
        gone = self.leases.idle(self.tenant_idle_s)
        for tenant in gone:
            self.sandbox.drop_tenant(tenant)
        return gone

    # -- the operations ---------------------------------------------------------------------
    def check_tenant(self, tenant: str) -> str:
        """``tenant`` if the API created it and it is live (its lease renewed), else a 404."""
        if tenant in self.leases.live():
            self.leases.touch(tenant)
            return tenant
        if tenant in self.leases.expired:
            raise _ApiError(404, (
                f"tenant {tenant!r} expired: it was unused for {self.leases.expired[tenant]:g} s "
                "and was dropped. Make a new env (its reset() then starts on a new tenant)."
            ))
        raise _ApiError(404, f"unknown tenant {tenant!r}: never created by this service, or "
                             "already dropped (its env was closed)")

    def create_tenant(self, seed: int) -> str:
        """A new tenant (under the cap); registered for idle expiry."""
        with self._create_lock:
            live = len(self.leases.live())
            if live >= self.max_tenants:
                raise _ApiError(503, (
                    f"the sandbox service already holds {live} tenants, its limit "
                    f"(--max-tenants {self.max_tenants}). Close envs you no longer use "
                    f"(env.close()), wait for unused tenants to expire (after "
                    f"{self.tenant_idle_s:g} s idle), or restart `webarena-gym serve` with a "
                    "higher --max-tenants."
                ))
            tenant = self.sandbox.create_tenant(seed)
            self.leases.add(tenant)
        return tenant

    def drop_tenant(self, tenant: str) -> bool:
        """Drop an API tenant; whether it was live."""
        known = self.leases.remove(tenant)
        if known:
            self.sandbox.drop_tenant(tenant)
        return known


# -- the app --------------------------------------------------------------------------------------


def _names(body: dict[str, Any], field: str, known: Iterable[str]) -> list[str]:
    value = body.get(field)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _ApiError(400, f"field {field!r} must be a list of names, got {value!r}")
    known = set(known)
    unknown = [v for v in value if v not in known]
    if unknown:
        raise _ApiError(400, f"field {field!r}: unknown name(s) {unknown}; known: "
                             f"{', '.join(sorted(known))}")
    return list(dict.fromkeys(value))


def create_control_app(control: ControlServer) -> Any:
    """The Starlette app of the control API of ``control`` (see the module docstring)."""
    from starlette.applications import Starlette
    from starlette.concurrency import run_in_threadpool
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    sandbox = control.sandbox
    Handler = Callable[[Request, dict[str, Any]], Awaitable[dict[str, Any]]]

    def endpoint(handler: Handler) -> Callable[[Request], Awaitable[JSONResponse]]:
        async def run(request: Request) -> JSONResponse:
            try:
                control.requests_served += 1
                body: dict[str, Any] = {}
                if request.method in ("POST", "PUT"):
                    # A web page can send a "simple" cross-origin POST (form or text/plain)
                    # without asking; a JSON one needs a CORS preflight, which fails here.
                    kind = request.headers.get("content-type", "").split(";")[0].strip()
                    if kind.lower() != "application/json":
                        raise _ApiError(415, "send the body as JSON with the header "
                                             "Content-Type: application/json")
                    raw = await request.body()
                    if len(raw) > MAX_REQUEST_BYTES:
                        raise _ApiError(413, f"request body over {MAX_REQUEST_BYTES} bytes")
                    if raw.strip():
                        try:
                            body = json.loads(raw)
                        except ValueError:
                            raise _ApiError(400, "the request body is not JSON") from None
                        if not isinstance(body, dict):
                            raise _ApiError(400, "the request body must be a JSON object")
                answer = await handler(request, body)
                return JSONResponse({"service": SERVICE_NAME, **answer})
            except _ApiError as exc:
                return JSONResponse({"service": SERVICE_NAME, "error": str(exc)}, exc.status)
            except (SandboxHostError, UnknownTenantError) as exc:
                message = exc.args[0] if exc.args else str(exc)
                return JSONResponse({"service": SERVICE_NAME, "error": message}, 400)
            except Exception as exc:  # noqa: BLE001 - the client gets the reason, not a hang
                return JSONResponse(
                    {"service": SERVICE_NAME,
                     "error": f"internal error: {type(exc).__name__}: {exc}"}, 500)

        return run

    def urls(request: Request) -> dict[str, str]:
        return dict(sandbox.site_urls_for(request.scope))

    async def info(request: Request, body: dict[str, Any]) -> dict[str, Any]:
        try:
            version = importlib.metadata.version("webarena-gym")
        except importlib.metadata.PackageNotFoundError:
            version = "unknown"
        return {"version": version, "seed": sandbox.tenants.seed(None), "sites": urls(request),
                "tenants": len(control.leases.live()), "max_tenants": control.max_tenants,
                "tenant_idle_s": control.tenant_idle_s, "requests": control.requests_served}

    async def list_sites(request: Request, body: dict[str, Any]) -> dict[str, Any]:
        return {"sites": urls(request)}

    async def start_sites(request: Request, body: dict[str, Any]) -> dict[str, Any]:
        names = _names(body, "sites", SITES)
        await run_in_threadpool(sandbox.start_sites, names)
        return {"sites": urls(request)}

    async def restart_sites(request: Request, body: dict[str, Any]) -> dict[str, Any]:
        names = _names(body, "sites", SITES)
        return {"restarted": await run_in_threadpool(sandbox.restart_stopped_sites, names)}

    async def list_tenants(request: Request, body: dict[str, Any]) -> dict[str, Any]:
        return {"tenants": control.leases.live()}

    async def create_tenant(request: Request, body: dict[str, Any]) -> dict[str, Any]:
        seed = body.get("seed", 0)
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise _ApiError(400, f"field 'seed' must be an integer, got {seed!r}")
        tenant = control.create_tenant(seed)
        return {"tenant": tenant, "idle_expiry_s": control.tenant_idle_s}

    async def restore(request: Request, body: dict[str, Any]) -> dict[str, Any]:
        tenant = control.check_tenant(request.path_params["tenant"])
        databases = _names(body, "databases", DATABASES)
        ms = await run_in_threadpool(sandbox.restore_tenant, tenant, databases)
        return {"restore_ms": ms}

    async def drop(request: Request, body: dict[str, Any]) -> dict[str, Any]:
        return {"dropped": control.drop_tenant(request.path_params["tenant"])}

    async def user_id(request: Request, body: dict[str, Any]) -> dict[str, Any]:
        tenant = control.check_tenant(request.path_params["tenant"])
        site = request.path_params["site"]
        return {"user_id": await run_in_threadpool(sandbox.default_user_id, tenant, site)}

    async def cookie(request: Request, body: dict[str, Any]) -> dict[str, Any]:
        tenant = control.check_tenant(request.path_params["tenant"])
        site = request.path_params["site"]
        domain = request.query_params.get("domain", "").strip()
        if not domain:
            raise _ApiError(400, "query parameter 'domain' (the sites' host name) is required")
        return {"cookie": await run_in_threadpool(sandbox.session_cookie, tenant, site, domain)}

    routes = [
        Route("/", endpoint(info), methods=["GET"]),
        Route("/sites", endpoint(list_sites), methods=["GET"]),
        Route("/sites", endpoint(start_sites), methods=["POST"]),
        Route("/sites/restart", endpoint(restart_sites), methods=["POST"]),
        Route("/tenants", endpoint(list_tenants), methods=["GET"]),
        Route("/tenants", endpoint(create_tenant), methods=["POST"]),
        Route("/tenants/{tenant}/restore", endpoint(restore), methods=["POST"]),
        Route("/tenants/{tenant}", endpoint(drop), methods=["DELETE"]),
        Route("/tenants/{tenant}/user-id/{site}", endpoint(user_id), methods=["GET"]),
        Route("/tenants/{tenant}/session-cookie/{site}", endpoint(cookie), methods=["GET"]),
    ]
    return Starlette(routes=routes)


# -- the client -----------------------------------------------------------------------------------


class RemoteSandboxHost:
    """A sandbox service's control API, with the methods ``SandboxEnv`` calls on a host.

    Standard library only (``urllib``). The service outlives its envs: :meth:`release` does
    nothing, and the env's :meth:`drop_tenant` on ``close()`` frees its data.

    Args:
        url: the control API's base URL, as ``webarena-gym serve`` prints it
            (``http://HOST:7779``).
        timeout_s: seconds to wait for an answer (starting a site builds its data: seconds).

    Raises:
        ValueError: ``url`` is not an ``http(s)://host:port`` URL.
    """

    def __init__(self, url: str, *, timeout_s: float = 120.0) -> None:
        parts = urllib.parse.urlsplit(str(url).strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(
                f"sandbox_url {url!r} is not an http(s) URL; give the control API URL that "
                "`webarena-gym serve` prints, e.g. http://127.0.0.1:7779"
            )
        self.url = str(url).strip().rstrip("/")
        self.timeout_s = timeout_s

    def __repr__(self) -> str:
        return f"RemoteSandboxHost({self.url!r})"

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.url + path, data=data, method=method,
            headers={"Content-Type": "application/json", "Accept": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as response:
                raw = response.read()
        except urllib.error.HTTPError as exc:
            raw = exc.read()
            answer = self._decode(raw, f"{method} {path}", exc.code)
            message = answer.get("error") or f"HTTP {exc.code}"
            raise SandboxServiceError(
                f"the sandbox service at {self.url} refused {method} {path}: {message}"
            ) from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise SandboxServiceError(
                f"cannot reach the sandbox service at {self.url} ({reason}). Start it with "
                "`webarena-gym serve` on that machine and give the control API URL it prints "
                f"(sandbox_url= or ${SANDBOX_URL_ENV}), or leave both unset to run the sites "
                "in this process."
            ) from None
        return self._decode(raw, f"{method} {path}", 200)

    def _decode(self, raw: bytes, what: str, status: int) -> dict[str, Any]:
        try:
            answer = json.loads(raw)
        except ValueError:
            answer = None
        if not isinstance(answer, dict) or answer.get("service") != SERVICE_NAME:
            raise SandboxServiceError(
                f"{self.url} answered {what} with HTTP {status}, but it is not a webarena-gym "
                "sandbox control API (a site's URL?). Give the control API URL that "
                "`webarena-gym serve` prints (its 'Control API for envs' line)."
            )
        return answer

    # -- what SandboxEnv calls --------------------------------------------------------------
    def acquire(self, sites: Iterable[str]) -> dict[str, str]:
        """Start the ``sites`` on the service if needed; every running site's URL."""
        return dict(self._call("POST", "/sites", {"sites": list(sites)})["sites"])

    def release(self) -> None:
        """Nothing to do: the service keeps serving after its envs close."""

    def restart_stopped_sites(self, sites: Iterable[str]) -> list[str]:
        """Restart the stopped servers among ``sites``; their names."""
        return list(self._call("POST", "/sites/restart", {"sites": list(sites)})["restarted"])

    @property
    def site_urls(self) -> dict[str, str]:
        """Site name -> URL of every running site, as this client reaches them."""
        return dict(self._call("GET", "/sites")["sites"])

    def tenants(self) -> list[str]:
        """The live tenants created through the API."""
        return list(self._call("GET", "/tenants")["tenants"])

    def create_tenant(self, seed: int = 0) -> str:
        """A new tenant on the service with the data of ``seed``; its id."""
        return str(self._call("POST", "/tenants", {"seed": int(seed)})["tenant"])

    def restore_tenant(self, tenant: str, databases: Iterable[str]) -> float:
        """Reset the tenant's ``databases`` on the service; the milliseconds it took there."""
        path = f"/tenants/{urllib.parse.quote(tenant, safe='')}/restore"
        return float(self._call("POST", path, {"databases": list(databases)})["restore_ms"])

    def drop_tenant(self, tenant: str) -> None:
        """Drop the tenant on the service (an unknown id is ignored)."""
        self._call("DELETE", f"/tenants/{urllib.parse.quote(tenant, safe='')}")

    def default_user_id(self, tenant: str, site: str) -> int:
        """The user id of ``site``'s default account in the tenant's data."""
        path = f"/tenants/{urllib.parse.quote(tenant, safe='')}/user-id/{site}"
        return int(self._call("GET", path)["user_id"])

    def session_cookie(self, tenant: str, site: str, domain: str) -> dict[str, str]:
        """A session cookie for ``site``'s default account, signed by the service."""
        path = (f"/tenants/{urllib.parse.quote(tenant, safe='')}/session-cookie/{site}?"
                + urllib.parse.urlencode({"domain": domain}))
        return dict(self._call("GET", path)["cookie"])
