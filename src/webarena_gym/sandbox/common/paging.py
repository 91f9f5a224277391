"""Paging: one page of a long listing and the links to the others; integer query parameters."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request


@dataclass(frozen=True)
class Pagination:
    """One page of a listing: which rows to fetch and the links to the other pages.

    Attributes:
        page: the current page (1-based, clamped to the existing pages).
        limit: rows per page.
        total: rows in the whole listing.
        path: the listing's path; ``params`` are its other query parameters (kept in links).
    """

    page: int
    limit: int
    total: int
    path: str
    params: tuple[tuple[str, str], ...] = ()
    page_param: str = "p"

    @classmethod
    def from_request(cls, request: Request, total: int, limit: int,
                     page_param: str = "p") -> Pagination:
        """The pagination a request asks for (``?p=N``), keeping its other query parameters."""
        raw = request.query_params.get(page_param, "1")
        page = int(raw) if raw.isdigit() else 1
        pages = max(1, math.ceil(total / limit))
        params = tuple((k, v) for k, v in request.query_params.multi_items() if k != page_param)
        return cls(min(max(page, 1), pages), limit, total, request.url.path, params, page_param)

    @property
    def pages(self) -> int:
        """How many pages there are (at least 1)."""
        return max(1, math.ceil(self.total / self.limit))

    @property
    def offset(self) -> int:
        """The SQL ``OFFSET`` of this page."""
        return (self.page - 1) * self.limit

    @property
    def first(self) -> int:
        """1-based index of the first row shown (0 when empty)."""
        return 0 if self.total == 0 else self.offset + 1

    @property
    def last(self) -> int:
        """1-based index of the last row shown."""
        return min(self.total, self.offset + self.limit)

    def url(self, page: int, **override: Any) -> str:
        """The link to ``page``, with query parameters overridden by ``override``."""
        params = [(k, v) for k, v in self.params if k not in override]
        params += [(k, str(v)) for k, v in override.items() if v is not None]
        if page > 1:
            params.append((self.page_param, str(page)))
        return self.path + ("?" + urlencode(params) if params else "")

    def window(self, size: int = 5) -> list[int]:
        """Page numbers to link around the current page."""
        start = max(1, min(self.page - size // 2, self.pages - size + 1))
        return list(range(start, min(self.pages, start + size - 1) + 1))


def query_int(params: Mapping[str, str], key: str, default: int, allowed: tuple[int, ...] = ()) -> int:
    """An integer query parameter, or ``default`` when missing, malformed or not in ``allowed``."""
    raw = params.get(key, "")
    value = int(raw) if raw.isdigit() else default
    return value if not allowed or value in allowed else default
