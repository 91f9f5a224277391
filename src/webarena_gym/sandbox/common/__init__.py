"""Helpers shared by the sandbox's server-rendered sites: formats, templates, paging, messages.

A site builds its templates with :func:`make_templates` (which registers the format filters
below), pages long listings with :class:`Pagination`, and passes one-shot messages across a
redirect with :func:`flash` / :func:`take_flash` (a cookie per site, since all sites share the
127.0.0.1 cookie jar).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.templating import Jinja2Templates

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")


def money(value: float | None) -> str:
    """``1234.5`` -> ``'$1,234.50'`` (negative amounts as ``'-$5.00'``)."""
    if value is None:
        return ""
    sign = "-" if value < 0 else ""
    return f"{sign}${abs(value):,.2f}"


def _parse(value: str) -> datetime:
    return datetime.fromisoformat(value)


def date_short(value: str) -> str:
    """``'2023-03-11 14:03:00'`` -> ``'3/11/23'`` (Magento's grid format)."""
    d = _parse(value)
    return f"{d.month}/{d.day}/{d.year % 100:02d}"


def date_long(value: str) -> str:
    """``'2023-03-11 14:03:00'`` -> ``'March 11, 2023'``."""
    d = _parse(value)
    return f"{_MONTHS[d.month - 1]} {d.day}, {d.year}"


def datetime_long(value: str) -> str:
    """``'2023-03-11 14:03:00'`` -> ``'Mar 11, 2023, 2:03:00 PM'`` (Magento's admin format)."""
    d = _parse(value)
    hour = d.hour % 12 or 12
    half = "AM" if d.hour < 12 else "PM"
    return f"{_MONTHS[d.month - 1][:3]} {d.day}, {d.year}, {hour}:{d.minute:02d}:{d.second:02d} {half}"


def options_dict(value: str | None) -> dict[str, str]:
    """A JSON options column (``{"Color": "Blue"}``) as a dict; empty for NULL."""
    return json.loads(value) if value else {}


def json_list(value: str | None) -> list[str]:
    """A JSON list column (``["S", "M"]``) as a list; empty for NULL."""
    return json.loads(value) if value else []


def make_templates(directory: str | Path) -> Jinja2Templates:
    """Jinja2 templates from ``directory`` with the filters ``money``, ``date_short``,
    ``date_long``, ``datetime_long``, ``options`` and ``json_list``.

    Every template is autoescaped, whatever its file name (Starlette's default escapes only
    ``.html``, ``.htm`` and ``.xml``): the sites show text that users and agents wrote.
    """
    templates = Jinja2Templates(directory=str(directory))
    templates.env.autoescape = True
    templates.env.filters.update(money=money, date_short=date_short, date_long=date_long,
                                 datetime_long=datetime_long, options=options_dict,
                                 json_list=json_list)
    templates.env.trim_blocks = True
    templates.env.lstrip_blocks = True
    return templates


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


def _flash_cookie(site: str) -> str:
    return f"wag_{site}_flash"


def flash(response: Response, site: str, kind: str, text: str,
          request: Request | None = None) -> Response:
    """Queue a one-shot message (``kind``: success, error, notice) for the next page shown.

    Pass ``request`` to keep messages already queued on it (two messages in one redirect chain).
    """
    messages = take_flash(request, site) if request is not None else []
    messages.append([kind, text])
    response.set_cookie(_flash_cookie(site), quote(json.dumps(messages)), path="/",
                        httponly=True, samesite="lax")
    return response


def take_flash(request: Request, site: str) -> list[list[str]]:
    """The messages queued for this request (``[[kind, text], ...]``); see :func:`clear_flash`."""
    raw = request.cookies.get(_flash_cookie(site))
    if not raw:
        return []
    try:
        messages = json.loads(unquote(raw))
    except ValueError:
        return []
    return [[str(m[0]), str(m[1])] for m in messages if isinstance(m, list) and len(m) == 2]


def clear_flash(request: Request, response: Response, site: str) -> None:
    """Delete the message cookie on ``response`` when the request carried one (messages shown)."""
    if _flash_cookie(site) in request.cookies:
        response.delete_cookie(_flash_cookie(site), path="/")


def query_int(params: Mapping[str, str], key: str, default: int, allowed: tuple[int, ...] = ()) -> int:
    """An integer query parameter, or ``default`` when missing, malformed or not in ``allowed``."""
    raw = params.get(key, "")
    value = int(raw) if raw.isdigit() else default
    return value if not allowed or value in allowed else default
