"""Admin data grids: keyword search, filters, sorting and pagination as GET query parameters.

Every grid state has a URL (``/admin/sales/order/?status=pending&sort=grand_total&dir=desc``),
so a filtered grid can be bookmarked, reached by URL and checked by ``url_match``. A grid is a
:class:`GridSpec` (SQL pieces and the filters it offers); :func:`run_grid` reads the request's
query, runs the count and page queries and returns what the templates render.
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlencode

from webarena_gym.sandbox.shopping_admin.formatting import parse_date_input

PAGE_SIZES = (20, 30, 50, 100, 200)
DEFAULT_PAGE_SIZE = 20


@dataclass(frozen=True)
class Column:
    """A grid column: its sort key (the ``sort`` parameter), header and SQL sort expression."""

    key: str
    label: str
    sort_sql: str | None = None  # None: not sortable


@dataclass(frozen=True)
class Filter:
    """A filter field.

    ``kind`` is ``text`` (SQL ``LIKE %value%``), ``select`` (equality with an option value),
    ``number_range`` or ``date_range`` (``<param>_from`` / ``<param>_to``, inclusive; dates are
    whole days).
    """

    param: str
    label: str
    sql: str
    kind: str = "text"
    options: tuple[tuple[str, str], ...] = ()  # (value, label) for selects

    @property
    def params(self) -> tuple[str, ...]:
        """The query parameters this filter reads."""
        if self.kind.endswith("_range"):
            return (f"{self.param}_from", f"{self.param}_to")
        return (self.param,)


@dataclass(frozen=True)
class GridSpec:
    """What a grid shows: ``SELECT select FROM source``, its columns, filters and keyword search."""

    select: str
    source: str
    columns: tuple[Column, ...]
    filters: tuple[Filter, ...] = ()
    keyword_sql: tuple[str, ...] = ()  # expressions the keyword box searches (LIKE, any matches)
    keyword_label: str = "Search by keyword"
    default_sort: str = ""
    default_dir: str = "asc"
    tiebreak_sql: str = ""  # appended to ORDER BY so pages are stable
    base_where: str = ""  # a fixed condition (e.g. pending reviews only)


@dataclass
class ActiveFilter:
    """One line of the "Active filters" bar, with a link that removes it."""

    label: str
    value: str
    remove_url: str


@dataclass
class GridResult:
    """One rendered state of a grid."""

    spec: GridSpec
    path: str
    query: dict[str, str]
    rows: list[sqlite3.Row]
    total: int
    page: int
    pages: int
    limit: int
    sort: str
    dir: str
    active: list[ActiveFilter] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def url(self, **changes: object) -> str:
        """This grid's URL with some parameters changed (``None`` or ``""`` removes one)."""
        query = dict(self.query)
        for key, value in changes.items():
            if value is None or value == "":
                query.pop(key, None)
            else:
                query[key] = str(value)
        return self.path + ("?" + urlencode(query) if query else "")

    def sort_url(self, key: str) -> str:
        """The link of a column header: sort by it, or flip the direction when already sorted."""
        direction = "desc" if self.sort == key and self.dir == "asc" else "asc"
        return self.url(sort=key, dir=direction, page=None)

    def value(self, param: str) -> str:
        """The current value of a query parameter (for refilling the filter form)."""
        return self.query.get(param, "")

    @property
    def first_row(self) -> int:
        """1-based index of the first row on this page (0 when empty)."""
        return 0 if not self.total else (self.page - 1) * self.limit + 1

    @property
    def last_row(self) -> int:
        """1-based index of the last row on this page."""
        return min(self.total, self.page * self.limit)

    @property
    def kept_params(self) -> list[tuple[str, str]]:
        """Filter, keyword and sort parameters, for hidden fields of the page-size form."""
        return [(k, v) for k, v in self.query.items() if k not in ("page", "limit")]


def _number(text: str) -> float | None:
    try:
        return float(text.replace(",", "").replace("$", ""))
    except ValueError:
        return None


def run_grid(
    conn: sqlite3.Connection, spec: GridSpec, params: Mapping[str, str], path: str
) -> GridResult:
    """Run ``spec`` for the request's query ``params``; unknown or bad values are ignored."""
    query = {k: v.strip() for k, v in params.items() if v.strip()}
    where: list[str] = [spec.base_where] if spec.base_where else []
    args: list[object] = []
    active: list[ActiveFilter] = []
    errors: list[str] = []
    result = GridResult(spec, path, query, [], 0, 1, 1, DEFAULT_PAGE_SIZE, "", "asc")

    keyword = query.get("search", "")
    if keyword and spec.keyword_sql:
        where.append("(" + " OR ".join(f"{expr} LIKE ?" for expr in spec.keyword_sql) + ")")
        args.extend([f"%{keyword}%"] * len(spec.keyword_sql))
        active.append(ActiveFilter("Keyword", keyword, result.url(search=None, page=None)))

    for flt in spec.filters:
        if flt.kind in ("text", "select"):
            value = query.get(flt.param, "")
            if not value:
                continue
            if flt.kind == "text":
                where.append(f"{flt.sql} LIKE ?")
                args.append(f"%{value}%")
                shown = value
            else:
                labels = dict(flt.options)
                if value not in labels:
                    continue
                where.append(f"{flt.sql} = ?")
                args.append(value)
                shown = labels[value]
            active.append(ActiveFilter(flt.label, shown, result.url(**{flt.param: None},
                                                                    page=None)))
            continue
        low, high = (query.get(p, "") for p in flt.params)
        shown_from = shown_to = ""
        for text, op, suffix in ((low, ">=", " 00:00:00"), (high, "<=", " 23:59:59")):
            if not text:
                continue
            if flt.kind == "date_range":
                day = parse_date_input(text)
                if day is None:
                    errors.append(f"{flt.label}: '{text}' is not a date (use MM/DD/YYYY).")
                    continue
                where.append(f"{flt.sql} {op} ?")
                args.append(day.isoformat() + suffix)
                shown = f"{day:%m/%d/%Y}"
            else:
                number = _number(text)
                if number is None:
                    errors.append(f"{flt.label}: '{text}' is not a number.")
                    continue
                where.append(f"{flt.sql} {op} ?")
                args.append(number)
                shown = text
            if op == ">=":
                shown_from = shown
            else:
                shown_to = shown
        if shown_from or shown_to:
            if shown_from and shown_to:
                shown = f"{shown_from} - {shown_to}"
            else:
                shown = f"from {shown_from}" if shown_from else f"to {shown_to}"
            active.append(ActiveFilter(flt.label, shown, result.url(
                **{p: None for p in flt.params}, page=None)))

    where_sql = (" WHERE " + " AND ".join(where)) if where else ""
    total = conn.execute(f"SELECT COUNT(*) FROM {spec.source}{where_sql}", args).fetchone()[0]

    columns = {c.key: c for c in spec.columns if c.sort_sql}
    sort = query.get("sort", "")
    if sort not in columns:
        sort = spec.default_sort
    direction = query.get("dir", "").lower()
    if direction not in ("asc", "desc"):
        direction = spec.default_dir if sort == spec.default_sort else "asc"
    order = ""
    if sort in columns:
        order = f" ORDER BY {columns[sort].sort_sql} {direction.upper()}"
        if spec.tiebreak_sql:
            order += f", {spec.tiebreak_sql}"

    try:
        limit = int(query.get("limit", DEFAULT_PAGE_SIZE))
    except ValueError:
        limit = DEFAULT_PAGE_SIZE
    if limit not in PAGE_SIZES:
        limit = DEFAULT_PAGE_SIZE
    pages = max(1, math.ceil(total / limit))
    try:
        page = min(max(1, int(query.get("page", 1))), pages)
    except ValueError:
        page = 1

    rows = conn.execute(
        f"SELECT {spec.select} FROM {spec.source}{where_sql}{order} LIMIT ? OFFSET ?",
        [*args, limit, (page - 1) * limit],
    ).fetchall()
    result.rows, result.total, result.page, result.pages = rows, total, page, pages
    result.limit, result.sort, result.dir = limit, sort, direction
    result.active, result.errors = active, errors
    return result


def options(values: Sequence[str], labels: Mapping[str, str] | None = None
            ) -> tuple[tuple[str, str], ...]:
    """Select options from values, labelled by ``labels`` (or the value itself)."""
    return tuple((v, (labels or {}).get(v, v)) for v in values)
