"""Per-tenant SQLite state for the sandbox sites (DESIGN 3.5).

Each database (``store``, ...) has one **template** per seed: an in-memory SQLite filled by the
database's generator, built once per process (lazily, thread-safe). Every tenant (one env) gets
its own in-memory copy of the templates its task needs, made with SQLite's backup API; restoring
a tenant copies the template again, which takes milliseconds. Connections are never shared
between tenants.

Locking: each tenant has a lock. The host holds it while a request of that tenant runs, and a
restore holds it while it swaps the tenant's connections, so a reset never lands in the middle of
a request and two requests of one tenant never interleave their transactions.
"""

from __future__ import annotations

import os
import secrets
import sqlite3
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from webarena_gym.sandbox.registry import DATABASES, DatabaseSpec


class UnknownTenantError(KeyError):
    """A tenant id that was never created, or was dropped."""


def _database_spec(database: str) -> DatabaseSpec:
    try:
        return DATABASES[database]
    except KeyError:
        raise KeyError(
            f"no sandbox database {database!r}; known: {', '.join(sorted(DATABASES))}"
        ) from None


def _schema_sql(spec: DatabaseSpec) -> str:
    """The schema text: a package-relative path under ``webarena_gym.sandbox``, or absolute."""
    if Path(spec.schema).is_absolute():
        return Path(spec.schema).read_text(encoding="utf-8")
    resource = resources.files("webarena_gym.sandbox").joinpath(spec.schema)
    return resource.read_text(encoding="utf-8")


def _connect() -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:", check_same_thread=False)
    conn.row_factory = sqlite3.Row
    return conn


@dataclass
class _Template:
    conn: sqlite3.Connection
    lock: threading.Lock = field(default_factory=threading.Lock)

    def copy(self) -> sqlite3.Connection:
        """A fresh in-memory connection holding the template's data."""
        target = _connect()
        with self.lock:  # one reader of the source connection at a time
            self.conn.backup(target)
        return target


_templates: dict[tuple[str, int], _Template] = {}
_building: dict[tuple[str, int], threading.Lock] = {}
_templates_lock = threading.Lock()


def _template(database: str, seed: int) -> _Template:
    """The seeded template of ``database``, built on first use (once per process and seed)."""
    key = (database, int(seed))
    found = _templates.get(key)
    if found is not None:
        return found
    spec = _database_spec(database)
    with _templates_lock:
        build_lock = _building.setdefault(key, threading.Lock())
    with build_lock:  # other databases and seeds build in parallel; this one only once
        found = _templates.get(key)
        if found is not None:
            return found
        conn = _connect()
        try:
            conn.executescript(_schema_sql(spec))
            spec.generate()(conn, int(seed))
            conn.commit()
        except Exception:
            conn.close()
            raise
        template = _Template(conn)
        _templates[key] = template
        return template


def template_connection(database: str, seed: int = 0) -> sqlite3.Connection:
    """A read-only copy of the seeded template of ``database`` (``PRAGMA query_only``).

    Each call makes a new copy; writes through it raise ``sqlite3.OperationalError``.
    """
    conn = _template(database, seed).copy()
    conn.execute("PRAGMA query_only = ON")
    return conn


def clear_templates() -> None:
    """Forget the built templates (tests that swap the database registry call this)."""
    with _templates_lock:
        _templates.clear()
        _building.clear()


def _forget_after_fork() -> None:
    # SQLite connections must not cross a fork: a forked child builds its own templates.
    global _templates_lock
    _templates.clear()
    _building.clear()
    _templates_lock = threading.Lock()


os.register_at_fork(after_in_child=_forget_after_fork)


@dataclass
class _Tenant:
    seed: int
    readonly: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)
    connections: dict[str, sqlite3.Connection] = field(default_factory=dict)


class TenantDatabases:
    """The databases of every tenant of a host: create, restore, look up, drop.

    A tenant is a string id; its databases are in-memory copies of the seeded templates.
    The pseudo-tenant ``None`` is the read-only template view (``PRAGMA query_only``) that
    ``webarena-gym serve`` shows to requests without a tenant.
    """

    def __init__(self, readonly_seed: int = 0) -> None:
        self._tenants: dict[str | None, _Tenant] = {None: _Tenant(readonly_seed, readonly=True)}
        self._lock = threading.Lock()

    def create(self, seed: int = 0, tenant_id: str | None = None) -> str:
        """Register a new tenant whose databases come from the templates of ``seed``.

        Databases are copied on :meth:`restore` (or on first use). Returns the tenant id
        (a random one unless ``tenant_id`` is given).
        """
        tenant_id = tenant_id or f"t-{secrets.token_hex(8)}"
        with self._lock:
            if tenant_id in self._tenants:
                raise ValueError(f"tenant {tenant_id!r} already exists; drop it first")
            self._tenants[tenant_id] = _Tenant(int(seed))
        return tenant_id

    def _get(self, tenant_id: str | None) -> _Tenant:
        try:
            return self._tenants[tenant_id]
        except KeyError:
            raise UnknownTenantError(
                f"unknown sandbox tenant {tenant_id!r}; create it with TenantDatabases.create()"
            ) from None

    def __contains__(self, tenant_id: object) -> bool:
        return tenant_id in self._tenants

    def tenants(self) -> list[str]:
        """Ids of the live tenants (not the read-only view)."""
        return [t for t in self._tenants if t is not None]

    def lock(self, tenant_id: str | None) -> threading.Lock:
        """The tenant's lock (held by the host for the duration of each of its requests)."""
        return self._get(tenant_id).lock

    def seed(self, tenant_id: str | None) -> int:
        """The data seed of the tenant's templates."""
        return self._get(tenant_id).seed

    def restore(self, tenant_id: str, databases: Iterable[str], seed: int | None = None) -> float:
        """Reset the tenant's ``databases`` to their seeded templates; return the milliseconds.

        The copies are made before the tenant's lock is taken, so the lock is held only for the
        swap (which waits for a running request of the tenant to finish).

        Args:
            tenant_id: a tenant from :meth:`create`.
            databases: database names (``store``); other databases of the tenant are kept.
            seed: switch the tenant to another data seed (default: keep its seed).
        """
        started = time.perf_counter()
        tenant = self._get(tenant_id)
        if tenant.readonly:
            raise ValueError("the read-only template view cannot be restored")
        seed = tenant.seed if seed is None else int(seed)
        fresh = {name: _template(name, seed).copy() for name in dict.fromkeys(databases)}
        with tenant.lock:
            if seed != tenant.seed:
                tenant.connections.clear()  # copies of the old seed must not survive a switch
                tenant.seed = seed
            # Old copies are not closed: whoever still references one (a test, the tasks'
            # samplers) keeps a valid connection; garbage collection frees them.
            tenant.connections.update(fresh)
        return (time.perf_counter() - started) * 1000

    def connection(self, tenant_id: str | None, database: str) -> sqlite3.Connection:
        """The tenant's connection to ``database``, copied from the template on first use.

        Raises:
            UnknownTenantError: the tenant does not exist (never created, or dropped).
        """
        tenant = self._get(tenant_id)
        conn = tenant.connections.get(database)
        if conn is not None:
            return conn
        conn = _template(database, tenant.seed).copy()
        if tenant.readonly:
            conn.execute("PRAGMA query_only = ON")
        # setdefault: of two first uses racing, both get the same copy.
        return tenant.connections.setdefault(database, conn)

    def drop(self, tenant_id: str) -> None:
        """Forget the tenant and free its databases (unknown ids are ignored)."""
        if tenant_id is None:
            return
        with self._lock:
            tenant = self._tenants.pop(tenant_id, None)
        if tenant is not None:
            with tenant.lock:
                tenant.connections.clear()
