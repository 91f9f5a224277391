"""The embedded sandbox (DESIGN 3.5): WebArena-style sites served in-process on 127.0.0.1.

* :mod:`~webarena_gym.sandbox.registry`: the registry of sites and databases.
* ``webarena_gym.sandbox.<site>``: one folder per site: its app, data generator, vocabulary
  and task templates (``<site>.tasks``); :mod:`~webarena_gym.sandbox.cross_site` the templates
  that span sites, :mod:`~webarena_gym.sandbox.templates` their base classes and the splits.
* :mod:`~webarena_gym.sandbox.db`: seeded templates and per-tenant SQLite copies.
* :mod:`~webarena_gym.sandbox.host`: the uvicorn servers, tenant routing, ``serve``.
* :mod:`~webarena_gym.sandbox.env`: ``SandboxEnv``, registered as ``WebArenaSandbox-v0``.

Names are imported on first use, so importing a site package does not start anything.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "SandboxEnv": "webarena_gym.sandbox.env",
    "make_sandbox_vector_env": "webarena_gym.sandbox.env",
    "SandboxHost": "webarena_gym.sandbox.host",
    "SandboxHostError": "webarena_gym.sandbox.host",
    "TENANT_HEADER": "webarena_gym.sandbox.host",
    "get_host": "webarena_gym.sandbox.host",
    "serve": "webarena_gym.sandbox.host",
    "TenantDatabases": "webarena_gym.sandbox.db",
    "template_connection": "webarena_gym.sandbox.db",
    "SITES": "webarena_gym.sandbox.registry",
    "DATABASES": "webarena_gym.sandbox.registry",
    "SPLITS": "webarena_gym.sandbox.templates",
    "write_demos": "webarena_gym.sandbox.demonstrations",
    "load_split": "webarena_gym.sandbox.templates",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'webarena_gym.sandbox' has no attribute {name!r}")
