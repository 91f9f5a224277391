"""Actions: the text an LLM writes, parsed, formatted back, and performed on a page (DESIGN 3.3).

* :mod:`~webarena_gym.actions.grammar`: ``parse_action``, ``format_action``, the ``Action``
  record, ``ACTION_SPECS`` and the errors (pure Python: no Playwright);
* :mod:`~webarena_gym.actions.execute`: ``execute_action`` on a Playwright page.

``from webarena_gym.actions import parse_action, execute_action, ...`` works for both; the
executor's names load :mod:`~webarena_gym.actions.execute` (and Playwright) on first use, so that
a trainer without a browser stack can import the grammar.
"""

from __future__ import annotations

import importlib
from typing import Any

from webarena_gym.actions.grammar import (
    ACTION_SPECS,
    MAX_ACTION_CHARS,
    Action,
    ActionExecutionError,
    ActionParseError,
    ActionSpec,
    format_action,
    parse_action,
)

_EXECUTE_NAMES = ("LABEL_ATTRIBUTE", "execute_action")

__all__ = [
    "ACTION_SPECS",
    "LABEL_ATTRIBUTE",
    "MAX_ACTION_CHARS",
    "Action",
    "ActionExecutionError",
    "ActionParseError",
    "ActionSpec",
    "execute_action",
    "format_action",
    "parse_action",
]


def __getattr__(name: str) -> Any:
    # Lazy: the executor imports Playwright, an optional dependency for grammar-only users.
    if name in _EXECUTE_NAMES:
        return getattr(importlib.import_module("webarena_gym.actions.execute"), name)
    raise AttributeError(f"module 'webarena_gym.actions' has no attribute {name!r}")
