"""Gymnasium spaces for text observations and actions."""

from __future__ import annotations

import string
from typing import Any

from gymnasium import spaces

_PRINTABLE = frozenset(string.printable)


class UnicodeText(spaces.Text):
    """A :class:`gymnasium.spaces.Text` that contains any Python ``str`` up to ``max_length``.

    Gymnasium's ``Text`` only admits a finite character set; pages and model outputs hold any
    Unicode character. Sampling still draws from printable ASCII.
    """

    def __init__(self, max_length: int, *, min_length: int = 0, seed: int | None = None) -> None:
        super().__init__(max_length, min_length=min_length, charset=_PRINTABLE, seed=seed)

    def contains(self, x: Any) -> bool:
        """Any ``str`` whose length lies within ``[min_length, max_length]``."""
        return isinstance(x, str) and self.min_length <= len(x) <= self.max_length

    def __repr__(self) -> str:
        return f"UnicodeText({self.min_length}, {self.max_length})"
