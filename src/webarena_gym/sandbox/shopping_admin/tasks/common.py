"""What the admin's templates share: formats, grid and form readers, the samplers' picks of
customers, products and dates, the oracles' building blocks (open a customer, a product, an
order; filter dates; show all rows; run a report) and their base class.
"""

from __future__ import annotations

import calendar
import random
import re
import sqlite3
from collections import Counter
from datetime import date, datetime, timedelta

from webarena_gym.sandbox.templates.base import (
    ScriptedTemplate,
    Steps,
    act,
    click,
    search,
    select,
    type_text,
)
from webarena_gym.sandbox.templates.page import OracleError, Page, normalize_space

SITE = "shopping_admin"
ADMIN = "__SHOPPING_ADMIN__"
#: the seeded order history spans these days (store/generate.py)
FIRST_DAY, LAST_DAY = date(2021, 1, 1), date(2023, 5, 31)
STATUS_LABELS = {"pending": "Pending", "processing": "Processing", "complete": "Complete",
                 "closed": "Closed", "canceled": "Canceled", "on hold": "On Hold"}
_RECORDS = re.compile(r"(\d+) records found")
_SORT_SUFFIX = re.compile(r"\s*\((?:ascending|descending)\)$")
_MONEY = re.compile(r"-?\$[\d,]+\.\d{2}")


# -- formatting shared by intents and oracles -----------------------------------------------------


def day_label(day: date) -> str:
    """``Jan 5, 2023``: how intents name a day."""
    return f"{day:%b} {day.day}, {day.year}"


def day_input(day: date) -> str:
    """``01/05/2023``: what the admin's date fields take (their placeholder says MM/DD/YYYY)."""
    return f"{day:%m/%d/%Y}"


def parse_day(label: str) -> date:
    """The inverse of :func:`day_label`."""
    return datetime.strptime(label, "%b %d, %Y").date()


def month_bounds(label: str) -> tuple[date, date]:
    """``January 2023`` -> the first and last day of that month."""
    first = datetime.strptime(label, "%B %Y").date()
    return first, first.replace(day=calendar.monthrange(first.year, first.month)[1])


def plain_money(text: str) -> str:
    """``$1,234.50`` -> ``1,234.50``."""
    return text.strip().lstrip("$")


# -- reading pages --------------------------------------------------------------------------------


def _header(cell: str) -> str:
    return _SORT_SUFFIX.sub("", cell)


def table_rows(page: Page, column: str) -> list[dict[str, str]]:
    """The rows of the first table whose header row has ``column``, as header -> cell text.

    Rows that do not have one cell per header (a "no records" line) are left out.
    """
    for table in page.tables():
        if not table:
            continue
        header = [_header(c) for c in table[0]]
        if column in header:
            return [dict(zip(header, row, strict=True)) for row in table[1:]
                    if len(row) == len(header)]
    raise OracleError(f"no table with a {column!r} column on {page.url}")


def records_found(page: Page) -> int:
    """The grid's "N records found"."""
    match = _RECORDS.search(page.text)
    if match is None:
        raise OracleError(f"no 'records found' line on {page.url}")
    return int(match.group(1))


def row_element(page: Page, cell: str, tag: str = "a", text: str | None = None,
                **attrs: str) -> str:
    """The number of a ``tag`` element inside the table row that has a cell equal to ``cell``."""
    wanted = cell.lower()
    for row in page.root.iter("tr"):
        cells = [normalize_space(c.text_content()).lower() for c in row if c.tag in ("td", "th")]
        if wanted not in cells:
            continue
        for element in row.iter(tag):
            if element.get("id") is None:
                continue
            if text is not None and text.lower() not in normalize_space(element.text_content()).lower():
                continue
            if all(element.get(k.replace("_", "-")) == v for k, v in attrs.items()):
                return str(element.get("id"))
    raise OracleError(f"no <{tag}> {text or ''!r} in a row with {cell!r} on {page.url}")


def field_value(page: Page, label: str) -> str:
    """The ``<td>`` next to the ``<th>`` labelled ``label`` (order and customer pages)."""
    for row in page.root.iter("tr"):
        cells = [c for c in row if c.tag in ("td", "th")]
        if len(cells) == 2 and normalize_space(cells[0].text_content()) == label:
            return normalize_space(cells[1].text_content())
    raise OracleError(f"no {label!r} line on {page.url}")


def ordered_items(page: Page) -> list[str]:
    """Product names of an order page's "Items Ordered" table (options left out)."""
    names = []
    for table in page.root.iter("table"):
        header = [normalize_space(c.text_content()) for c in next(table.iter("tr"), [])]
        if header[:2] != ["Product", "SKU"]:
            continue
        for row in list(table.iter("tr"))[1:]:
            first = next((c for c in row if c.tag == "td"), None)
            if first is None:
                continue
            title = first.find("div")
            names.append(normalize_space((title if title is not None else first).text_content()))
    if not names:
        raise OracleError(f"no ordered items on {page.url}")
    return names


# -- sampling helpers -----------------------------------------------------------------------------

_UNIQUE_CACHE: dict[tuple[int, str], tuple[sqlite3.Connection, frozenset[str]]] = {}


def _substring_free(db: sqlite3.Connection, kind: str) -> frozenset[str]:
    """Names that no other name contains (case-insensitively): a grid's LIKE filter on one of
    them finds only its own records. ``kind``: ``products`` or ``customers``."""
    key = (id(db), kind)
    cached = _UNIQUE_CACHE.get(key)
    if cached is not None and cached[0] is db:
        return cached[1]
    if kind == "products":
        names = [r[0] for r in db.execute("SELECT name FROM products")]
    else:
        names = [r[0] for r in db.execute("SELECT first_name || ' ' || last_name FROM customers")]
    lowered = [n.lower() for n in names]
    counts = Counter(lowered)
    joined = "\n".join(lowered)
    unique = frozenset(n for n, low in zip(names, lowered, strict=True)
                       if counts[low] == 1 and joined.count(low) == 1)
    _UNIQUE_CACHE[key] = (db, unique)
    return unique


def _pick_product(rng: random.Random, db: sqlite3.Connection, where: str = "1",
                  args: tuple = ()) -> sqlite3.Row | None:
    rows = db.execute(f"SELECT * FROM products p WHERE {where} ORDER BY p.id", args).fetchall()
    rows = [r for r in rows if r["name"] in _substring_free(db, "products")]
    return rng.choice(rows) if rows else None


def _orders_named(db: sqlite3.Connection, name: str) -> list[sqlite3.Row]:
    """Orders whose Bill-to Name contains ``name`` (what the grid's name filter finds)."""
    return db.execute("SELECT * FROM orders WHERE customer_name LIKE ? ORDER BY id",
                      (f"%{name}%",)).fetchall()


def _pick_customer(rng: random.Random, db: sqlite3.Connection, where: str = "1",
                   args: tuple = (), own_orders: bool = False) -> sqlite3.Row | None:
    """A customer whose name no other customer's contains; with ``own_orders``, also no order
    of someone else (a guest) has a Bill-to Name containing it."""
    rows = db.execute(f"SELECT c.*, c.first_name || ' ' || c.last_name AS name FROM customers c "
                      f"WHERE {where} ORDER BY c.id", args).fetchall()
    unique = _substring_free(db, "customers")
    rows = [r for r in rows if r["name"] in unique]
    for _ in range(20):
        if not rows:
            return None
        row = rng.choice(rows)
        if not own_orders or all(o["customer_id"] == row["id"]
                                 for o in _orders_named(db, row["name"])):
            return row
        rows.remove(row)
    return None


def _pick_range(rng: random.Random, min_days: int, max_days: int) -> tuple[date, date]:
    span = rng.randint(min_days, max_days)
    start = FIRST_DAY + timedelta(days=rng.randrange((LAST_DAY - FIRST_DAY).days - span))
    return start, start + timedelta(days=span - 1)


def _range_args(start: date, end: date) -> tuple[str, str]:
    return f"{start.isoformat()} 00:00:00", f"{end.isoformat()} 23:59:59"


def _pick_month(rng: random.Random) -> tuple[str, date, date]:
    year = rng.choice((2021, 2022, 2023))
    month = rng.randint(1, 5 if year == 2023 else 12)
    first = date(year, month, 1)
    label = f"{first:%B %Y}"
    return (label, *month_bounds(label))


# -- oracle building blocks -----------------------------------------------------------------------


def _open_customer(page: Page, name: str) -> Steps:
    """From any admin page: All Customers, search the name, open the customer's page.

    Yields the responses; returns (via StopIteration) the observation of the customer page.
    """
    page = yield act(click(page.link("All Customers")), "Customers are under Customers > All "
                     "Customers.")
    page = yield act(search(page.field("search"), name),
                     f"Search the customers grid for {name}.")
    page = yield act(click(row_element(page, name, "a", "Edit")),
                     f"Open {name}'s customer page from the grid row.")
    return page


def _open_product(page: Page, name: str) -> Steps:
    """From any admin page: Catalog > Products, search the name, open the product's form."""
    page = yield act(click(page.link("Products", exact=True)),
                     "Products are edited under Catalog > Products.")
    page = yield act(search(page.field("search"), name), f"Search the products grid for {name}.")
    page = yield act(click(row_element(page, name, "a", "Edit")),
                     f"Open the edit form of {name}.")
    return page


def _open_order(page: Page, number: str, *, menu: bool = True) -> Steps:
    """Find an order by its number in the orders grid and open it."""
    if menu:
        page = yield act(click(page.link("Orders", exact=True)),
                         "Orders are listed under Sales > Orders.")
    page = yield act(search(page.field("search"), number),
                     f"Search the orders grid for order #{number}.")
    page = yield act(click(row_element(page, number, "a", "View")),
                     f"Open order #{number}.")
    return page


def _filter_dates(page: Page, start: date, end: date, what: str = "Purchase Date",
                  prefix: str = "created_at") -> Steps:
    """Type a date range into a grid's from/to fields (without applying)."""
    page = yield act(type_text(page.field(f"{prefix}_from"), day_input(start)),
                     f"Set the {what} filter to start on {day_label(start)}.")
    page = yield act(type_text(page.field(f"{prefix}_to"), day_input(end)),
                     f"... and to end on {day_label(end)}.")
    return page


def _show_all_rows(page: Page) -> Steps:
    """Raise the grid's page size so that every record is on one page (at most 200)."""
    total = records_found(page)
    if total <= 20:
        return page
    size = next(s for s in ("30", "50", "100", "200") if int(s) >= min(total, 200))
    page = yield act(select(page.field("limit"), size),
                     f"{total} records do not fit on one page of 20; show {size} per page.")
    page = yield act(click(page.button("Show", exact=True)), "Apply the new page size.")
    return page


def _run_report(page: Page, link: str, nth: int, period: str, start: date,
                end: date) -> Steps:
    """Open a report from the Reports menu and run it for a period and date range."""
    page = yield act(click(page.link(link, exact=True, nth=nth)),
                     f"The figures are in Reports > {link}.")
    page = yield act(select(page.field("period_type"), period),
                     f"Group the report by {period.lower()}.")
    page = yield act(type_text(page.field("from"), day_input(start)),
                     f"Report from {day_label(start)}.")
    page = yield act(type_text(page.field("to"), day_input(end)), f"... to {day_label(end)}.")
    page = yield act(click(page.button("Show Report")), "Run the report.")
    return page


# -- the base class of the site's templates -------------------------------------------------------


class _AdminTemplate(ScriptedTemplate):
    """An admin task as the signed-in administrator, from the dashboard."""

    sites = (SITE,)
    start_path = "/admin/dashboard/"


def _value_of(name: str) -> str:
    return f"document.querySelector('[name=\"{name}\"]').value"
