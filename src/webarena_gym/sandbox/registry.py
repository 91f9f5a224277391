"""The sandbox's sites and databases: the one registry the host, the env and the tasks read.

A site is one folder, ``webarena_gym.sandbox.<site>``: a Starlette app (``create_app()`` in
its ``app`` module) served on its own 127.0.0.1 port, and its task templates (its ``tasks``
package). Sites that share data share a *database* (``shopping`` and ``shopping_admin`` both
read the ``store``, as one Magento backs both in WebArena). Each database has a generator that
fills a fresh SQLite connection from a seed; the host keeps one seeded template per database
and gives every tenant its own copy. Templates that span sites live in
:mod:`webarena_gym.sandbox.cross_site`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Account:
    """A demo account: how a person (or the env's pre-login) signs in."""

    username: str
    password: str
    description: str


@dataclass(frozen=True)
class SiteSpec:
    """One embedded site.

    Attributes:
        name: the WebArena site name (``shopping``), also the ``__SHOPPING__`` placeholder's site.
        database: the database it reads and writes (shared with sibling sites).
        app: ``"module:function"`` returning the Starlette app.
        port_offset: its port is ``port_base + port_offset`` when a port base is given.
        accounts: demo accounts; the first is the one tasks with ``require_login`` start as.
        title: a human name for ``webarena-gym serve``.
        templates: the module whose ``TEMPLATES`` lists the site's task templates (``""``:
            none).
        base_path: the path the app serves under, part of its base URL (``/admin`` for the shop
            admin, as WebArena's ``__SHOPPING_ADMIN__`` is ``http://host:7780/admin``).
        user_query: SQL giving an account's user id from its username (one ``?``); the env
            signs ``require_login`` tasks in as the default account with it.
    """

    name: str
    database: str
    app: str
    port_offset: int
    accounts: tuple[Account, ...]
    title: str
    templates: str = ""
    base_path: str = ""
    user_query: str = ""

    def create_app(self) -> Any:
        """Import and build the site's Starlette app."""
        return _load(self.app)()

    @property
    def generator(self) -> str:
        """``"module:function"`` of the generator of the site's database."""
        return DATABASES[self.database].generator

    @property
    def default_account(self) -> Account:
        """The account that tasks with ``require_login`` start signed in as."""
        return self.accounts[0]


@dataclass(frozen=True)
class DatabaseSpec:
    """A database: its schema file and its generator ``(connection, seed) -> None``."""

    name: str
    schema: str  # package-relative path of the .sql file
    generator: str  # "module:function"

    def generate(self) -> Callable[..., None]:
        """The generator function."""
        return _load(self.generator)


def _load(target: str) -> Any:
    module, _, attr = target.partition(":")
    return getattr(importlib.import_module(module), attr)


DATABASES: dict[str, DatabaseSpec] = {
    "store": DatabaseSpec(
        "store", "store/schema.sql", "webarena_gym.sandbox.store.generate:generate_store"
    ),
    "forum": DatabaseSpec(
        "forum", "reddit/schema.sql", "webarena_gym.sandbox.reddit.generate:generate_forum"
    ),
    "gitlab": DatabaseSpec(
        "gitlab", "gitlab/schema.sql", "webarena_gym.sandbox.gitlab.generate:generate_gitlab"
    ),
    "map": DatabaseSpec("map", "map/schema.sql", "webarena_gym.sandbox.map.generate:generate_map"),
}

SITES: dict[str, SiteSpec] = {
    "shopping": SiteSpec(
        name="shopping",
        database="store",
        app="webarena_gym.sandbox.shopping.app:create_app",
        templates="webarena_gym.sandbox.shopping.tasks",
        port_offset=0,
        accounts=(Account("emma.lopez@gmail.com", "Password.123", "customer Emma Lopez"),),
        title="One Stop Market (storefront)",
        user_query="SELECT id FROM customers WHERE email = ?",
    ),
    "shopping_admin": SiteSpec(
        name="shopping_admin",
        database="store",
        app="webarena_gym.sandbox.shopping_admin.app:create_app",
        templates="webarena_gym.sandbox.shopping_admin.tasks",
        port_offset=1,
        accounts=(Account("admin", "admin1234", "store administrator"),),
        title="One Stop Market admin",
        base_path="/admin",
        user_query="SELECT id FROM admin_users WHERE username = ?",
    ),
    "reddit": SiteSpec(
        name="reddit",
        database="forum",
        app="webarena_gym.sandbox.reddit.app:create_app",
        templates="webarena_gym.sandbox.reddit.tasks",
        port_offset=2,
        accounts=(Account("MarvelsGrantMan136", "test1234", "forum member"),),
        title="Postmill forum",
        user_query="SELECT id FROM users WHERE username = ?",
    ),
    "gitlab": SiteSpec(
        name="gitlab",
        database="gitlab",
        app="webarena_gym.sandbox.gitlab.app:create_app",
        templates="webarena_gym.sandbox.gitlab.tasks",
        port_offset=3,
        accounts=(Account("byteblaze", "hello1234", "developer Byte Blaze"),),
        title="GitLab (code hosting)",
        user_query="SELECT id FROM gl_users WHERE username = ?",
    ),
    "map": SiteSpec(
        name="map",
        database="map",
        app="webarena_gym.sandbox.map.app:create_app",
        templates="webarena_gym.sandbox.map.tasks",
        port_offset=4,
        accounts=(),
        title="OpenStreetMap (places and directions)",
    ),
}

#: the templates that span sites (a forum post linking to the shop, the admin's store link)
CROSS_SITE_TEMPLATES = "webarena_gym.sandbox.cross_site.tasks"


def template_modules() -> tuple[str, ...]:
    """The modules that list task templates (``TEMPLATES``): each site's, in :data:`SITES`
    order, then the cross-site ones. The order is the order of the splits."""
    return (*(spec.templates for spec in SITES.values() if spec.templates), CROSS_SITE_TEMPLATES)
