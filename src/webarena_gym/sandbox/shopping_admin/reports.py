"""Reports computed live from the orders: bestsellers and sales by period, dashboard figures.

The rules, also shown as notes on the report pages:

* An order belongs to the day, month or year of its purchase date (``orders.created_at``).
* Order status "Any" counts every order except canceled ones; "Specified" counts exactly the
  chosen statuses (canceled included when chosen).
* Bestsellers: per interval, products by units ordered (descending, then by name), the top
  :data:`BESTSELLERS_PER_INTERVAL`; Price is the product's catalog price.
* Sales: Orders, Sales Items (units) and Sales Total (grand totals) of the counted orders;
  Invoiced is the grand total of counted orders that are processing, complete or closed;
  Refunded of closed ones; Canceled of canceled orders in the status selection.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from starlette.requests import Request
from starlette.responses import Response

from webarena_gym.sandbox.common import db, drops_blank_params
from webarena_gym.sandbox.shopping_admin.formatting import ORDER_STATUSES, parse_date_input
from webarena_gym.sandbox.shopping_admin.grid import Column, Filter, GridSpec, run_grid
from webarena_gym.sandbox.shopping_admin.web import site

PERIODS: dict[str, str] = {"day": "Day", "month": "Month", "year": "Year"}
_PERIOD_KEY = {"day": 10, "month": 7, "year": 4, "lifetime": 0}  # prefix of created_at
BESTSELLERS_PER_INTERVAL = 5
INVOICED_STATUSES = ("processing", "complete", "closed")


def interval_label(key: str) -> str:
    """``2023-01-15`` -> ``Jan 15, 2023``; ``2023-01`` -> ``Jan 2023``; ``2023`` -> ``2023``."""
    if len(key) == 10:
        day = date.fromisoformat(key)
        return f"{day:%b} {day.day}, {day.year}"
    if len(key) == 7:
        return f"{date.fromisoformat(key + '-01'):%b %Y}"
    return key


def _status_clause(statuses: Sequence[str] | None, column: str = "o.status"
                   ) -> tuple[str, list[str]]:
    if not statuses:
        return f"{column} != 'canceled'", []
    return f"{column} IN ({','.join('?' * len(statuses))})", list(statuses)


def _range_clause(start: date | None, end: date | None) -> tuple[str, list[str]]:
    clauses, args = [], []
    if start:
        clauses.append("o.created_at >= ?")
        args.append(f"{start.isoformat()} 00:00:00")
    if end:
        clauses.append("o.created_at <= ?")
        args.append(f"{end.isoformat()} 23:59:59")
    return (" AND ".join(clauses) or "1"), args


@dataclass
class BestsellerRow:
    """One line of the bestsellers report."""

    interval: str  # the period key: '2023-01-15', '2023-01' or '2023'
    label: str  # how the interval is shown: 'Jan 2023'
    product_id: int
    name: str
    price: float
    qty: int


def bestsellers(
    conn: sqlite3.Connection,
    period: str,
    start: date | None,
    end: date | None,
    statuses: Sequence[str] | None = None,
    per_interval: int = BESTSELLERS_PER_INTERVAL,
) -> list[BestsellerRow]:
    """Products by units ordered per ``period`` (day/month/year/lifetime) between two dates.

    Dates are inclusive; None leaves that side open. ``statuses``: None for "Any" (all but canceled), else exactly these order statuses.
    Intervals come in time order; within one, by units descending, then product name.
    """
    width = _PERIOD_KEY[period]
    status_sql, status_args = _status_clause(statuses)
    range_sql, range_args = _range_clause(start, end)
    rows = conn.execute(
        f"""SELECT substr(o.created_at, 1, {width}) AS interval, i.product_id,
                   COALESCE(p.name, MAX(i.name)) AS name, COALESCE(p.price, MAX(i.price)) AS price,
                   SUM(i.qty) AS qty
            FROM order_items i JOIN orders o ON o.id = i.order_id
            LEFT JOIN products p ON p.id = i.product_id
            WHERE {status_sql} AND {range_sql}
            GROUP BY interval, i.product_id
            ORDER BY interval, qty DESC, name, i.product_id""",
        [*status_args, *range_args],
    ).fetchall()
    result: list[BestsellerRow] = []
    taken: dict[str, int] = {}
    for row in rows:
        if taken.get(row["interval"], 0) >= per_interval:
            continue
        taken[row["interval"]] = taken.get(row["interval"], 0) + 1
        result.append(BestsellerRow(row["interval"], interval_label(row["interval"]),
                                    row["product_id"], row["name"], row["price"], row["qty"]))
    return result


@dataclass
class SalesRow:
    """One line (an interval, or the totals) of the sales report."""

    interval: str
    label: str
    orders: int = 0
    items: int = 0
    total: float = 0.0
    invoiced: float = 0.0
    refunded: float = 0.0
    canceled: float = 0.0


def sales(
    conn: sqlite3.Connection,
    period: str,
    start: date | None,
    end: date | None,
    statuses: Sequence[str] | None = None,
) -> tuple[list[SalesRow], SalesRow]:
    """The sales report per ``period`` between two dates: (rows in time order, totals row)."""
    width = _PERIOD_KEY[period]
    range_sql, range_args = _range_clause(start, end)
    selection = list(statuses) if statuses else None
    rows: dict[str, SalesRow] = {}
    query = f"""SELECT substr(o.created_at, 1, {width}) AS interval, o.status, o.grand_total,
                       (SELECT COALESCE(SUM(qty), 0) FROM order_items WHERE order_id = o.id) AS units
                FROM orders o WHERE {range_sql} ORDER BY o.created_at"""
    for order in conn.execute(query, range_args):
        status = order["status"]
        if selection is not None and status not in selection:
            continue
        row = rows.setdefault(order["interval"],
                              SalesRow(order["interval"], interval_label(order["interval"])))
        if status == "canceled":
            row.canceled += order["grand_total"]
        if status == "canceled" and selection is None:
            continue
        row.orders += 1
        row.items += order["units"]
        row.total += order["grand_total"]
        if status in INVOICED_STATUSES:
            row.invoiced += order["grand_total"]
        if status == "closed":
            row.refunded += order["grand_total"]
    ordered = [rows[key] for key in sorted(rows)]
    totals = SalesRow("", "Total")
    for row in ordered:
        totals.orders += row.orders
        totals.items += row.items
        for name in ("total", "invoiced", "refunded", "canceled"):
            setattr(totals, name, getattr(totals, name) + getattr(row, name))
    return ordered, totals


def lifetime_sales(conn: sqlite3.Connection) -> tuple[float, float]:
    """(lifetime sales, average order): grand totals of all orders except canceled ones."""
    total, count = conn.execute(
        "SELECT COALESCE(SUM(grand_total), 0), COUNT(*) FROM orders WHERE status != 'canceled'"
    ).fetchone()
    return total, (total / count if count else 0.0)


# -- pages -----------------------------------------------------------------------------------


@dataclass
class ReportFilter:
    """The report form: period, date range and order statuses (GET parameters as Magento's)."""

    period: str = "day"
    start_text: str = ""
    end_text: str = ""
    start: date | None = None
    end: date | None = None
    specified: bool = False
    statuses: tuple[str, ...] = ()
    submitted: bool = False
    errors: tuple[str, ...] = ()

    @property
    def status_selection(self) -> tuple[str, ...] | None:
        """None for "Any", else the chosen statuses."""
        return self.statuses if self.specified and self.statuses else None


def read_report_filter(request: Request) -> ReportFilter:
    """Parse ``period_type``, ``from``, ``to``, ``show_order_statuses``, ``order_statuses``."""
    query = request.query_params
    flt = ReportFilter(
        period=query.get("period_type", "day") if query.get("period_type") in PERIODS else "day",
        start_text=query.get("from", "").strip(),
        end_text=query.get("to", "").strip(),
        specified=query.get("show_order_statuses") == "1",
        statuses=tuple(s for s in query.getlist("order_statuses") if s in ORDER_STATUSES),
        submitted="from" in query or "to" in query,
    )
    if not flt.submitted:
        return flt
    errors = []
    for label, text, attr in (("From", flt.start_text, "start"), ("To", flt.end_text, "end")):
        if not text:
            errors.append(f"{label}: this is a required field.")
            continue
        day = parse_date_input(text)
        if day is None:
            errors.append(f"{label}: '{text}' is not a date (use MM/DD/YYYY).")
        setattr(flt, attr, day)
    if flt.start and flt.end and flt.start > flt.end:
        errors.append("The From date must be before the To date.")
    flt.errors = tuple(errors)
    return flt


def _report_page(request: Request, template: str, title: str, **context: object) -> Response:
    return site.render(request, template, title=title, periods=PERIODS, statuses=ORDER_STATUSES,
                       per_interval=BESTSELLERS_PER_INTERVAL, **context)


@site.login_required
async def bestsellers_page(request: Request) -> Response:
    """``/admin/reports/report_sales/bestsellers/``: the bestsellers report."""
    flt = read_report_filter(request)
    rows = None
    if flt.submitted and not flt.errors:
        rows = bestsellers(db(request), flt.period, flt.start, flt.end, flt.status_selection)
    return _report_page(request, "report_bestsellers.html", "Bestsellers Report", flt=flt,
                        rows=rows)


@site.login_required
async def sales_page(request: Request) -> Response:
    """``/admin/reports/report_sales/sales/``: the sales (orders) report."""
    flt = read_report_filter(request)
    rows = totals = None
    if flt.submitted and not flt.errors:
        rows, totals = sales(db(request), flt.period, flt.start, flt.end, flt.status_selection)
    return _report_page(request, "report_sales.html", "Sales Report", flt=flt, rows=rows,
                        totals=totals)


SEARCH_TERMS_GRID = GridSpec(
    select="t.id, t.query, t.results, t.uses",
    source="search_terms t",
    columns=(
        Column("id", "ID", "t.id"),
        Column("query", "Search Query", "t.query"),
        Column("results", "Results", "t.results"),
        Column("uses", "Uses", "t.uses"),
    ),
    filters=(
        Filter("query", "Search Query", "t.query"),
        Filter("results", "Results", "t.results", "number_range"),
        Filter("uses", "Uses", "t.uses", "number_range"),
    ),
    default_sort="uses",
    default_dir="desc",
    tiebreak_sql="t.id",
)


@site.login_required
@drops_blank_params
async def search_terms_page(request: Request) -> Response:
    """``/admin/search/term/report/`` (also ``/admin/search/term/index/``): search terms."""
    grid = run_grid(db(request), SEARCH_TERMS_GRID, request.query_params, request.url.path)
    title = ("Search Terms Report" if request.url.path.rstrip("/").endswith("report")
             else "Search Terms")
    return site.render(request, "search_terms.html", grid=grid, title=title)
