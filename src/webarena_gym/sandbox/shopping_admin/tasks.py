"""Task templates and oracle solvers for the ``shopping_admin`` site (the store's admin).

The templates mirror WebArena's Magento-admin tasks: reading figures off grids, order pages and
reports (``string_match``), filtering grids (``url_match``, with a ``program_html`` check on the
grid's active-filters line where a URL alone would be too strict), and changing the store's
state through forms and actions (``program_html`` on the changed record's admin page).

Samplers read the seeded store through the ``db`` connection they are given and reject
instantiations that would be ambiguous (ties in a ranking, a name that a grid's substring filter
would confuse with another). Oracles act like a competent admin user: they use the menu, the
grids' keyword search, filters, page size and sorting, and open records by clicking the links
they see; everything they answer or type comes from the observation and the intent.
"""

from __future__ import annotations

import calendar
import random
import re
import sqlite3
from collections import Counter
from datetime import date, datetime, timedelta
from typing import Any

from webarena_gym.sandbox.templates.base import (
    RUNNERS_UP,
    AnswerTemplate,
    EditTemplate,
    NavigationTemplate,
    Sample,
    ScriptedTemplate,
    Steps,
    TaskTemplate,
    act,
    amount,
    click,
    expect_equal,
    expect_text,
    finish,
    html_check,
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


# -- the templates --------------------------------------------------------------------------------


class _AdminTemplate(ScriptedTemplate):
    """An admin task as the signed-in administrator, from the dashboard."""

    sites = (SITE,)
    start_path = "/admin/dashboard/"


def _value_of(name: str) -> str:
    return f"document.querySelector('[name=\"{name}\"]').value"


# ---- information seeking (string_match) ----


class OrderGrandTotal(_AdminTemplate, AnswerTemplate):
    """Read one order's total off the orders grid."""

    id = "shopping_admin/order_grand_total"
    intent_template = "What is the grand total of order #{{number}}?"
    difficulty = "easy"
    start_path = "/sales/order/"

    def sample(self, rng, db):
        row = rng.choice(db.execute("SELECT increment_id, grand_total FROM orders "
                                    "ORDER BY id").fetchall())
        return Sample({"number": row["increment_id"]}, {"answer": amount(row["grand_total"])})

    def steps(self, sample, page):
        number = sample.params["number"]
        page = yield act(search(page.field("search"), number),
                         f"Search the orders grid for order #{number}.")
        row = next(r for r in table_rows(page, "Grand Total") if r["ID"] == number)
        total = plain_money(row["Grand Total"])
        yield self.reply(sample, total,
                         f"The grid row of order #{number} shows a grand total of {total}.")


class CustomerPhone(_AdminTemplate, AnswerTemplate):
    """Read a customer's phone number off the customers grid."""

    id = "shopping_admin/customer_phone"
    intent_template = "What is the phone number of our customer {{customer}}?"
    difficulty = "easy"
    start_path = "/customer/index/"

    def sample(self, rng, db):
        row = _pick_customer(rng, db, "c.phone IS NOT NULL")
        if row is None:
            return None
        return Sample({"customer": row["name"]}, {"answer": row["phone"], "customer_id": row["id"]})

    def steps(self, sample, page):
        name = sample.params["customer"]
        page = yield act(search(page.field("search"), name), f"Search the customers for {name}.")
        row = next(r for r in table_rows(page, "Phone") if r["Name"] == name)
        yield self.reply(sample, row["Phone"],
                         f"{name}'s row lists the phone number {row['Phone']}.")


class ProductQuantity(_AdminTemplate, AnswerTemplate):
    """Read a product's stock quantity off the products grid."""

    id = "shopping_admin/product_quantity"
    intent_template = "How many units of {{product}} do we have in stock?"
    difficulty = "easy"
    start_path = "/catalog/product/"

    def sample(self, rng, db):
        row = _pick_product(rng, db)
        if row is None:
            return None
        return Sample({"product": row["name"]}, {"answer": str(row["qty"]), "product_id": row["id"]})

    def steps(self, sample, page):
        name = sample.params["product"]
        page = yield act(search(page.field("search"), name), f"Search the products for {name}.")
        row = next(r for r in table_rows(page, "Quantity") if r["Name"] == name)
        yield self.reply(sample, row["Quantity"], f"The products grid shows a quantity of "
                         f"{row['Quantity']} for {name}.")


class TopSearchTerms(_AdminTemplate, AnswerTemplate):
    """The most used search terms, from the search terms report."""

    id = "shopping_admin/top_search_terms"
    intent_template = "What are the top-{{n}} search terms in our store?"
    difficulty = "easy"
    start_path = "/sales/order/"

    def sample(self, rng, db):
        n = rng.randint(1, 5)
        rows = db.execute("SELECT query, uses FROM search_terms ORDER BY uses DESC, id "
                          "LIMIT ?", (n + RUNNERS_UP,)).fetchall()
        if len(rows) <= n or rows[n - 1]["uses"] == rows[n]["uses"]:
            return None  # a tie at the cut makes "top-n" ambiguous
        return Sample({"n": n}, {"answer": [r["query"] for r in rows[:n]],
                                 "distractors": [r["query"] for r in rows[n:]]})

    def steps(self, sample, page):
        n = int(sample.params["n"])
        page = yield act(click(page.link("Search Terms", exact=True, nth=1)),
                         "Reports > Search Terms lists search terms by uses, most used first.")
        rows = table_rows(page, "Uses")
        terms = [r["Search Query"] for r in rows[:n]]
        yield self.reply(sample, terms, f"The first {n} rows of the report (sorted by uses, "
                         f"descending) are {', '.join(terms)}.", say=", ".join(terms))


class OrdersByStatusInRange(_AdminTemplate, AnswerTemplate):
    """Count orders with a status in a date range (grid filters)."""

    id = "shopping_admin/orders_by_status_in_range"
    intent_template = "How many {{status}} orders were placed between {{start}} and {{end}}?"
    difficulty = "medium"
    start_path = "/sales/order/"

    def sample(self, rng, db):
        status = rng.choice(list(STATUS_LABELS))
        start, end = _pick_range(rng, 20, 200)
        count = db.execute("SELECT COUNT(*) FROM orders WHERE status = ? AND created_at >= ? "
                           "AND created_at <= ?", (status, *_range_args(start, end))).fetchone()[0]
        if count == 0:
            return None
        return Sample({"status": status, "start": day_label(start), "end": day_label(end)},
                      {"answer": str(count)})

    def steps(self, sample, page):
        status = STATUS_LABELS[sample.params["status"]]
        start, end = parse_day(sample.params["start"]), parse_day(sample.params["end"])
        page = yield act(select(page.field("status"), status),
                         f"Filter the orders grid to status {status}.")
        page = yield from _filter_dates(page, start, end)
        page = yield act(click(page.button("Apply Filters")), "Apply the filters.")
        count = records_found(page)
        yield self.reply(sample, str(count), f"The filtered grid says {count} records found.")


class ReviewStarCount(_AdminTemplate, AnswerTemplate):
    """Count a product's reviews with a given rating (reviews grid filters)."""

    id = "shopping_admin/review_star_count"
    intent_template = "How many {{stars}}-star reviews has {{product}} received?"
    difficulty = "medium"

    def sample(self, rng, db):
        product = _pick_product(rng, db, "(SELECT COUNT(*) FROM reviews r WHERE "
                                "r.product_id = p.id) >= 3")
        if product is None:
            return None
        stars = rng.randint(1, 5)
        count = db.execute("SELECT COUNT(*) FROM reviews WHERE product_id = ? AND rating = ?",
                           (product["id"], stars)).fetchone()[0]
        if count == 0:
            return None
        return Sample({"stars": stars, "product": product["name"]}, {"answer": str(count)})

    def steps(self, sample, page):
        name, stars = sample.params["product"], int(sample.params["stars"])
        page = yield act(click(page.link("All Reviews")),
                         "Reviews are under Marketing > All Reviews.")
        page = yield act(type_text(page.field("product"), name),
                         f"Filter the reviews by product {name}.")
        label = f"{stars} star" + ("s" if stars > 1 else "")
        page = yield act(select(page.field("rating"), label), f"... and by rating {label}.")
        page = yield act(click(page.button("Apply Filters")), "Apply the filters.")
        count = records_found(page)
        if any(r["Product"] != name for r in table_rows(page, "Rating")):
            raise OracleError(f"the product filter matched other products than {name}")
        yield self.reply(sample, str(count), f"{count} reviews of {name} have {label}.")


class OrderItems(_AdminTemplate, AnswerTemplate):
    """List the products of one order (order page)."""

    id = "shopping_admin/order_items"
    intent_template = "Which products were bought in order #{{number}}?"
    difficulty = "medium"
    start_path = "/sales/order/"

    def sample(self, rng, db):
        orders = db.execute("SELECT o.id, o.increment_id FROM orders o WHERE (SELECT COUNT("
                            "DISTINCT name) FROM order_items i WHERE i.order_id = o.id) "
                            "BETWEEN 2 AND 4 ORDER BY o.id").fetchall()
        order = rng.choice(orders)
        names = [r[0] for r in db.execute("SELECT name FROM order_items WHERE order_id = ? "
                                          "ORDER BY id", (order["id"],))]
        return Sample({"number": order["increment_id"]}, {"answer": names})

    def steps(self, sample, page):
        number = sample.params["number"]
        page = yield from _open_order(page, number, menu=False)
        names = ordered_items(page)
        yield self.reply(sample, names, f"The Items Ordered table of order #{number} lists "
                         f"{len(names)} products.", say="; ".join(names))


class CustomerLifetimeSales(_AdminTemplate, AnswerTemplate):
    """Read a customer's lifetime sales off the customer view."""

    id = "shopping_admin/customer_lifetime_sales"
    intent_template = "What are the lifetime sales of customer {{customer}}?"
    difficulty = "medium"

    def sample(self, rng, db):
        row = _pick_customer(rng, db, "EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = "
                             "c.id AND o.status != 'canceled')")
        if row is None:
            return None
        total = db.execute("SELECT SUM(grand_total) FROM orders WHERE customer_id = ? AND "
                           "status != 'canceled'", (row["id"],)).fetchone()[0]
        return Sample({"customer": row["name"]}, {"answer": amount(total),
                                                  "customer_id": row["id"]})

    def steps(self, sample, page):
        name = sample.params["customer"]
        page = yield from _open_customer(page, name)
        line = field_value(page, "Orders")
        total = plain_money(_MONEY.search(line).group(0))
        yield self.reply(sample, total, f"The Customer View says: Orders {line}.")


class MonthlySalesTotal(_AdminTemplate, AnswerTemplate):
    """Sales Total of a month (the sales report by month)."""

    id = "shopping_admin/monthly_sales_total"
    intent_template = "What was the total sales (Sales Total) in {{month}}?"
    difficulty = "medium"

    def sample(self, rng, db):
        label, start, end = _pick_month(rng)
        total = db.execute("SELECT SUM(grand_total) FROM orders WHERE status != 'canceled' "
                           "AND created_at >= ? AND created_at <= ?",
                           _range_args(start, end)).fetchone()[0]
        return Sample({"month": label}, {"answer": amount(total)})

    def steps(self, sample, page):
        start, end = month_bounds(sample.params["month"])
        page = yield from _run_report(page, "Orders", 1, "Month", start, end)
        row = next(r for r in table_rows(page, "Sales Total")
                   if r["Interval"] == f"{start:%b %Y}")
        total = plain_money(row["Sales Total"])
        yield self.reply(sample, total, f"The {row['Interval']} line of the sales report shows "
                         f"a Sales Total of {total}.")


class BestsellersTopN(_AdminTemplate, AnswerTemplate):
    """Top-n products by units ordered in a month or a year (bestsellers report)."""

    id = "shopping_admin/bestsellers_top_n"
    intent_template = "What are the top-{{n}} best-selling products in {{period}}?"
    difficulty = "medium"

    def sample(self, rng, db):
        n = rng.randint(1, 5)
        if rng.random() < 0.3:
            year = rng.choice((2021, 2022))
            period, start, end = str(year), date(year, 1, 1), date(year, 12, 31)
        else:
            period, start, end = _pick_month(rng)
        rows = db.execute(
            "SELECT COALESCE(p.name, MAX(i.name)) AS name, SUM(i.qty) AS qty FROM order_items i "
            "JOIN orders o ON o.id = i.order_id LEFT JOIN products p ON p.id = i.product_id "
            "WHERE o.status != 'canceled' AND o.created_at >= ? AND o.created_at <= ? "
            "GROUP BY i.product_id ORDER BY qty DESC, name", _range_args(start, end)).fetchall()
        if len(rows) <= n or rows[n - 1]["qty"] == rows[n]["qty"]:
            return None
        return Sample({"n": n, "period": period},
                      {"answer": [r["name"] for r in rows[:n]],
                       "distractors": [r["name"] for r in rows[n:n + RUNNERS_UP]]})

    def steps(self, sample, page):
        n, period = int(sample.params["n"]), str(sample.params["period"])
        if period.isdigit():
            kind, start, end = "Year", date(int(period), 1, 1), date(int(period), 12, 31)
        else:
            kind, (start, end) = "Month", month_bounds(period)
        page = yield from _run_report(page, "Bestsellers", 0, kind, start, end)
        rows = table_rows(page, "Order Quantity")
        if len(rows) > n and rows[n - 1]["Order Quantity"] == rows[n]["Order Quantity"]:
            raise OracleError("a tie at the cut of the top-n")
        names = [r["Product"] for r in rows[:n]]
        yield self.reply(sample, names, f"The report's first {n} lines for {period} are the "
                         "best sellers by units ordered.", say="; ".join(names))


class TopCustomerPhone(_AdminTemplate, AnswerTemplate):
    """Count orders per customer over a date range, then look the winner up (two sections)."""

    id = "shopping_admin/top_customer_phone"
    intent_template = ("Which customer placed the most orders between {{start}} and {{end}}? "
                       "Give me their name and phone number.")
    difficulty = "hard"
    start_path = "/sales/order/"

    def sample(self, rng, db):
        start, end = _pick_range(rng, 5, 12)
        rows = db.execute("SELECT customer_name, COUNT(*) AS n FROM orders WHERE created_at >= ? "
                          "AND created_at <= ? GROUP BY customer_name ORDER BY n DESC, "
                          "customer_name", _range_args(start, end)).fetchall()
        if len(rows) < 2 or rows[0]["n"] == rows[1]["n"] or rows[0]["n"] < 2:
            return None
        name = rows[0]["customer_name"]
        if name not in _substring_free(db, "customers"):
            return None  # a guest, or a name another customer's contains
        customer = db.execute("SELECT * FROM customers WHERE first_name || ' ' || last_name = ?",
                              (name,)).fetchone()
        if customer is None or not customer["phone"]:
            return None
        owners = {r[0] for r in db.execute(
            "SELECT customer_id FROM orders WHERE customer_name = ? AND created_at >= ? AND "
            "created_at <= ?", (name, *_range_args(start, end)))}
        if owners != {customer["id"]}:
            return None  # a guest with the same name ordered too
        return Sample({"start": day_label(start), "end": day_label(end)},
                      {"answer": [name, customer["phone"]], "orders": rows[0]["n"],
                       "distractors": [r["customer_name"] for r in rows[1:1 + RUNNERS_UP]]})

    def steps(self, sample, page):
        start, end = parse_day(sample.params["start"]), parse_day(sample.params["end"])
        page = yield from _filter_dates(page, start, end)
        page = yield act(click(page.button("Apply Filters")), "Apply the date filter.")
        page = yield from _show_all_rows(page)
        counts = Counter(r["Bill-to Name"] for r in table_rows(page, "Bill-to Name"))
        if sum(counts.values()) != records_found(page):
            raise OracleError("not every order of the range is on the page")
        (name, most), (_, second) = counts.most_common(2)
        if most == second:
            raise OracleError("a tie for the most orders")
        page = yield act(click(page.link("All Customers")),
                         f"{name} placed the most orders ({most}); look up their phone number "
                         "under Customers > All Customers.")
        page = yield act(search(page.field("search"), name), f"Search the customers for {name}.")
        row = next(r for r in table_rows(page, "Phone") if r["Name"] == name)
        phone = row["Phone"]
        yield self.reply(sample, [name, phone], f"{name} placed {most} of the orders in the "
                         f"range (next best {second}); their phone number is {phone}.",
                         say=f"{name}, {phone}")


class CustomersInState(_AdminTemplate, AnswerTemplate):
    """Count customers by state (customers grid filter)."""

    id = "shopping_admin/customers_in_state"
    intent_template = "How many of our customers have their billing address in {{state}}?"
    difficulty = "medium"
    start_path = "/customer/index/"

    _BILLING_REGION = ("(SELECT a.region FROM addresses a WHERE a.customer_id = c.id "
                       "ORDER BY a.is_default_billing DESC, a.id LIMIT 1)")

    def sample(self, rng, db):
        regions = [r[0] for r in db.execute(f"SELECT DISTINCT {self._BILLING_REGION} AS r FROM "
                                            "customers c WHERE r IS NOT NULL ORDER BY r")]
        state = rng.choice(regions)
        if any(state != other and state.lower() in other.lower() for other in regions):
            return None  # "Virginia" would also find "West Virginia"
        count = db.execute(f"SELECT COUNT(*) FROM customers c WHERE {self._BILLING_REGION} = ?",
                           (state,)).fetchone()[0]
        return Sample({"state": state}, {"answer": str(count)})

    def steps(self, sample, page):
        state = sample.params["state"]
        page = yield act(type_text(page.field("region"), state),
                         f"Filter the customers by State/Province {state}.")
        page = yield act(click(page.button("Apply Filters")), "Apply the filter.")
        count = records_found(page)
        if count <= 20 and any(r["State/Province"] != state
                               for r in table_rows(page, "State/Province")):
            raise OracleError(f"the filter matched other states than {state}")
        yield self.reply(sample, str(count), f"{count} customers are found with {state} as their "
                         "billing state.")


class CompareCustomerSales(_AdminTemplate, AnswerTemplate):
    """Compare two customers' lifetime sales (two customer pages)."""

    id = "shopping_admin/compare_customer_sales"
    intent_template = "Who has the higher lifetime sales: {{first}} or {{second}}?"
    difficulty = "hard"
    unseen = True
    start_path = "/customer/index/"
    exclude_key = "other"

    def sample(self, rng, db):
        where = ("EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id "
                 "AND o.status != 'canceled')")
        first, second = _pick_customer(rng, db, where), _pick_customer(rng, db, where)
        if first is None or second is None or first["id"] == second["id"]:
            return None
        totals = [db.execute("SELECT SUM(grand_total) FROM orders WHERE customer_id = ? AND "
                             "status != 'canceled'", (c["id"],)).fetchone()[0]
                  for c in (first, second)]
        if abs(totals[0] - totals[1]) < 1:
            return None
        winner, loser = (first, second) if totals[0] > totals[1] else (second, first)
        return Sample({"first": first["name"], "second": second["name"]},
                      {"answer": winner["name"], "other": loser["name"],
                       "totals": [amount(t) for t in totals]})

    def steps(self, sample, page):
        names = [sample.params["first"], sample.params["second"]]
        totals: list[float] = []
        for name in names:
            page = yield from _open_customer(page, name)
            line = field_value(page, "Orders")
            totals.append(float(plain_money(_MONEY.search(line).group(0)).replace(",", "")))
        expect_equal([amount(t) for t in totals], sample.truth["totals"], "lifetime sales")
        winner = names[0] if totals[0] > totals[1] else names[1]
        yield self.reply(sample, winner, f"Lifetime sales: {names[0]} {amount(totals[0])}, "
                         f"{names[1]} {amount(totals[1])}; {winner} is higher.")


class ExtremeMonth(_AdminTemplate, AnswerTemplate):
    """The month of a year with the highest/lowest sales or order count (sales report)."""

    id = "shopping_admin/extreme_month"
    intent_template = "In {{year}}, which month had the {{which}} {{metric}}?"
    difficulty = "medium"
    unseen = True

    _METRICS = {"Sales Total": ("SUM(grand_total)", "Sales Total"),
                "number of orders": ("COUNT(*)", "Orders")}

    def sample(self, rng, db):
        year, which = rng.choice((2021, 2022)), rng.choice(("highest", "lowest"))
        metric = rng.choice(list(self._METRICS))
        rows = db.execute(f"SELECT substr(created_at, 1, 7) AS m, {self._METRICS[metric][0]} AS v "
                          "FROM orders WHERE status != 'canceled' AND created_at LIKE ? "
                          "GROUP BY m ORDER BY v " + ("DESC" if which == "highest" else "ASC"),
                          (f"{year}-%",)).fetchall()
        if round(rows[0]["v"], 2) == round(rows[1]["v"], 2):
            return None
        month = date.fromisoformat(rows[0]["m"] + "-01")
        others = [date.fromisoformat(r["m"] + "-01") for r in rows[1:]]
        return Sample({"year": year, "which": which, "metric": metric},
                      {"answer": f"{month:%B} |OR| {month:%b %Y}",
                       "distractors": [f"{m:%B}" for m in others]})

    def steps(self, sample, page):
        year, which = int(sample.params["year"]), sample.params["which"]
        column = self._METRICS[sample.params["metric"]][1]
        page = yield from _run_report(page, "Orders", 1, "Month", date(year, 1, 1),
                                      date(year, 12, 31))
        rows = [r for r in table_rows(page, column) if r["Interval"] != "Total"]

        def value(row: dict[str, str]) -> float:
            return float(plain_money(row[column]).replace(",", ""))

        ranked = sorted(rows, key=value, reverse=(which == "highest"))
        if value(ranked[0]) == value(ranked[1]):
            raise OracleError("a tie for the extreme month")
        label = ranked[0]["Interval"]
        month = parse_month_label(label)
        yield self.reply(sample, f"{month:%B} |OR| {month:%b %Y}",
                         f"By month, {label} has the {which} {column} ({ranked[0][column]}).",
                         say=f"{month:%B} {year}")


def parse_month_label(label: str) -> date:
    """``Mar 2022`` (a report interval) -> 2022-03-01."""
    return datetime.strptime(label, "%b %Y").date()


# ---- navigation (url_match, alone or with program_html on the final page) ----

#: JS: the grid's line of active filters (a URL does not show them)
_ACTIVE_FILTERS = "document.querySelector('.admin__data-grid-filters-current').innerText"


class OrdersWithStatus(_AdminTemplate, NavigationTemplate):
    """Filter the orders grid by status."""

    id = "shopping_admin/orders_with_status"
    intent_template = "Show me all {{status}} orders."
    difficulty = "easy"

    def sample(self, rng, db):
        status = rng.choice(list(STATUS_LABELS))
        return Sample({"status": status}, {"value": status})

    def target(self, sample):
        return self.url("/sales/order/", status=sample.truth["value"])

    def steps(self, sample, page):
        label = STATUS_LABELS[sample.params["status"]]
        page = yield act(click(page.link("Orders", exact=True)),
                         "Orders are listed under Sales > Orders.")
        page = yield act(select(page.field("status"), label), f"Filter by status {label}.")
        page = yield act(click(page.button("Apply Filters")), "Apply the filter.")
        yield finish(f"The grid now shows only {label} orders.")


class ProductsInPriceRange(_AdminTemplate, NavigationTemplate):
    """Filter the products grid by a price range."""

    id = "shopping_admin/products_in_price_range"
    intent_template = "Show me the products priced between ${{low}} and ${{high}}."
    difficulty = "medium"

    def sample(self, rng, db):
        low = rng.choice((5, 10, 15, 20, 25, 30, 40, 50, 75, 100, 150, 200))
        high = low + rng.choice((5, 10, 20, 25, 50, 100))
        return Sample({"low": low, "high": high})

    def target(self, sample):
        low, high = sample.params["low"], sample.params["high"]
        return " |OR| ".join(self.url("/catalog/product/", price_from=a, price_to=b)
                             for a, b in ((low, high), (f"{low}.00", f"{high}.00")))

    def steps(self, sample, page):
        low, high = sample.params["low"], sample.params["high"]
        page = yield act(click(page.link("Products", exact=True)),
                         "Products are listed under Catalog > Products.")
        page = yield act(type_text(page.field("price_from"), str(low)),
                         f"Set the Price filter's lower bound to {low}.")
        page = yield act(type_text(page.field("price_to"), str(high)),
                         f"... and its upper bound to {high}.")
        page = yield act(click(page.button("Apply Filters")), "Apply the filter.")
        yield finish(f"The grid now lists the products priced from ${low} to ${high}.")


class CustomerOrders(_AdminTemplate, NavigationTemplate):
    """Show one customer's orders (the orders grid filtered to them)."""

    id = "shopping_admin/customer_orders"
    intent_template = "Show me the orders of customer {{customer}}."
    difficulty = "medium"

    def sample(self, rng, db):
        row = _pick_customer(rng, db, "(SELECT COUNT(*) FROM orders o WHERE o.customer_id = c.id)"
                             " >= 2", own_orders=True)
        if row is None:
            return None
        count = len(_orders_named(db, row["name"]))
        return Sample({"customer": row["name"]}, {"count": str(count), "customer_id": row["id"]})

    def target(self, sample):
        return self.url("/sales/order/")

    def page_checks(self, sample):
        return [html_check("last", "document.querySelector('.records-count').textContent",
                           exact_match=sample.truth["count"]),
                html_check("last", _ACTIVE_FILTERS, must_include=[sample.params["customer"]])]

    def steps(self, sample, page):
        name = sample.params["customer"]
        page = yield act(click(page.link("Orders", exact=True)),
                         "Orders are listed under Sales > Orders.")
        page = yield act(type_text(page.field("billing_name"), name),
                         f"Filter the orders by Bill-to Name {name}.")
        page = yield act(click(page.button("Apply Filters")), "Apply the filter.")
        if records_found(page) <= 20 and any(r["Bill-to Name"] != name
                                             for r in table_rows(page, "Bill-to Name")):
            raise OracleError(f"the name filter matched other names than {name}")
        yield finish(f"The grid now lists the {records_found(page)} orders of {name}.")


class OrdersSortedByTotal(_AdminTemplate, NavigationTemplate):
    """Filter the orders grid by a date range and sort it by grand total, highest first."""

    id = "shopping_admin/orders_sorted_by_total"
    intent_template = ("Show me the orders placed between {{start}} and {{end}}, with the "
                       "highest grand total first.")
    difficulty = "medium"
    unseen = True

    def sample(self, rng, db):
        start, end = _pick_range(rng, 3, 60)
        return Sample({"start": day_label(start), "end": day_label(end)},
                      {"filter": f"{day_input(start)} - {day_input(end)}"})

    def target(self, sample):
        return self.url("/sales/order/")

    def page_checks(self, sample):
        return [html_check("last", _ACTIVE_FILTERS,
                           must_include=[f"Purchase Date: {sample.truth['filter']}"]),
                html_check("last", "document.querySelector('th._descend').innerText",
                           must_include=["Grand Total"])]

    def steps(self, sample, page):
        start, end = parse_day(sample.params["start"]), parse_day(sample.params["end"])
        page = yield act(click(page.link("Orders", exact=True)),
                         "Orders are listed under Sales > Orders.")
        page = yield from _filter_dates(page, start, end)
        page = yield act(click(page.button("Apply Filters")), "Apply the date filter.")
        page = yield act(click(page.link("Grand Total", exact=True)),
                         "Sort by Grand Total (the first click sorts ascending).")
        page = yield act(click(page.link("Grand Total (ascending)")),
                         "Click the header again to sort descending, highest first.")
        page.link("Grand Total (descending)")  # sorted as asked
        yield finish("The orders of the range are listed, highest grand total first.")


# ---- changes of state (program_html) ----


def _product_url(truth: dict[str, Any]) -> str:
    return f"{ADMIN}/catalog/product/edit/id/{truth['product_id']}/"


class _ProductEdit(_AdminTemplate, EditTemplate):
    """Open a product's form, change one field, save."""

    field_name: str = ""
    where: str = "1"

    def change(self, page: Page, sample: Sample) -> str:
        """The response that makes the change on the product form."""
        raise NotImplementedError

    def steps(self, sample, page):
        name = sample.params["product"]
        page = yield from _open_product(page, name)
        page = yield self.change(page, sample)
        page = yield act(click(page.button("Save")), "Save the product.")
        expect_text(page, "You saved the product.")
        yield finish(f"{name} is saved with the change.")


class ProductPrice(_ProductEdit):
    id = "shopping_admin/product_price"
    intent_template = "Change the price of {{product}} to ${{price}}."
    difficulty = "medium"

    def sample(self, rng, db):
        row = _pick_product(rng, db)
        if row is None:
            return None
        price = max(1.99, int(row["price"] * rng.uniform(0.7, 1.3)) + 0.99)
        if abs(price - row["price"]) < 0.5:
            return None
        return Sample({"product": row["name"], "price": f"{price:.2f}"},
                      {"product_id": row["id"], "old_price": f"{row['price']:.2f}"})

    def checks(self, sample):
        return [html_check(_product_url(sample.truth), _value_of("product[price]"),
                           exact_match=sample.params["price"])]

    def change(self, page, sample):
        price = sample.params["price"]
        return act(type_text(page.field("product[price]"), price), f"Set the price to {price}.")


class ProductOutOfStock(_ProductEdit):
    id = "shopping_admin/product_out_of_stock"
    intent_template = "Mark {{product}} as out of stock."
    difficulty = "medium"

    def sample(self, rng, db):
        row = _pick_product(rng, db, "p.is_in_stock = 1")
        return None if row is None else Sample({"product": row["name"]},
                                               {"product_id": row["id"]})

    def checks(self, sample):
        return [html_check(
            _product_url(sample.truth),
            _value_of("product[quantity_and_stock_status][is_in_stock]"), exact_match="0")]

    def change(self, page, sample):
        return act(select(page.field("product[quantity_and_stock_status][is_in_stock]"),
                          "Out of Stock"), "Set Stock Status to Out of Stock.")


class ProductDisable(_ProductEdit):
    id = "shopping_admin/product_disable"
    intent_template = "Disable the product {{product}} so that it no longer shows in the store."
    difficulty = "medium"

    def sample(self, rng, db):
        row = _pick_product(rng, db, "p.status = 1")
        return None if row is None else Sample({"product": row["name"]},
                                               {"product_id": row["id"]})

    def checks(self, sample):
        return [html_check(_product_url(sample.truth), _value_of("product[status]"),
                           exact_match="2")]

    def change(self, page, sample):
        return act(select(page.field("product[status]"), "No"), "Set Enable Product to No.")


def raised_price(price: str, percent: int) -> str | None:
    """``price`` raised by ``percent``, rounded to the cent; None when it ends in half a cent
    (which way to round would be a matter of taste)."""
    cents = round(float(price.replace(",", "")) * 100) * (100 + percent)
    if cents % 100 == 50:
        return None
    return f"{(cents + 50) // 100 / 100:.2f}"


class ProductPricesRaise(_AdminTemplate, EditTemplate):
    """Raise two products' prices by a percentage (two product forms, arithmetic)."""

    id = "shopping_admin/product_prices_raise"
    intent_template = "Raise the prices of {{first}} and {{second}} by {{percent}}%."
    difficulty = "hard"

    def sample(self, rng, db):
        first, second = _pick_product(rng, db), _pick_product(rng, db)
        if first is None or second is None or first["id"] == second["id"]:
            return None
        percent = rng.choice((5, 10, 15, 20, 25))
        prices = [raised_price(f"{p['price']:.2f}", percent) for p in (first, second)]
        if None in prices:
            return None
        return Sample({"first": first["name"], "second": second["name"], "percent": percent},
                      {"product_ids": [first["id"], second["id"]], "prices": prices})

    def checks(self, sample):
        return [html_check(_product_url({"product_id": pid}), _value_of("product[price]"),
                           exact_match=price)
                for pid, price in zip(sample.truth["product_ids"], sample.truth["prices"],
                                      strict=True)]

    def steps(self, sample, page):
        percent = int(sample.params["percent"])
        for k, name in enumerate((sample.params["first"], sample.params["second"])):
            if k == 0:
                page = yield from _open_product(page, name)
            else:
                page = yield act(search(page.field("search"), name),
                                 f"Search the products grid for {name}.")
                page = yield act(click(row_element(page, name, "a", "Edit")),
                                 f"Open the edit form of {name}.")
            old = page.value(page.field("product[price]"))
            new = raised_price(old, percent)
            if new is None:
                raise OracleError(f"{old} raised by {percent}% ends in half a cent")
            page = yield act(type_text(page.field("product[price]"), new),
                             f"The price is {old}; {percent}% more is {new}.")
            page = yield act(click(page.button("Save")), "Save the product.")
            expect_text(page, "You saved the product.")
            if k == 0:
                page = yield act(click(page.link("Back", exact=True)),
                                 "Back to the products grid for the second product.")
        yield finish(f"Both prices are raised by {percent}%.")


_DESCRIPTION_ADDITIONS = (
    "Now with a two-year warranty.",
    "Ships in recyclable packaging.",
    "Back in stock with free shipping on orders over $50.",
    "Limited edition: available while supplies last.",
    "Rated a top pick by our customers this season.",
    "New formula, same great quality.",
)


class ProductDescription(_ProductEdit):
    id = "shopping_admin/product_description"
    intent_template = 'Update the description of {{product}} to "{{description}}"'
    difficulty = "medium"

    def sample(self, rng, db):
        row = _pick_product(rng, db)
        if row is None:
            return None
        opener = row["short_description"].rstrip(".")
        text = f"{opener}. {rng.choice(_DESCRIPTION_ADDITIONS)}"
        return Sample({"product": row["name"], "description": text}, {"product_id": row["id"]})

    def checks(self, sample):
        return [html_check(_product_url(sample.truth),
                           _value_of("product[description]"),
                           exact_match=sample.params["description"])]

    def change(self, page, sample):
        return act(type_text(page.field("product[description]"), sample.params["description"]),
                   "Replace the Description with the new text.")


def _order_url(order_id: int) -> str:
    return f"{ADMIN}/sales/order/view/order_id/{order_id}/"


_ORDER_STATUS_JS = "document.querySelector('#order_status').textContent"


class CancelOrder(_AdminTemplate, EditTemplate):
    id = "shopping_admin/cancel_order"
    intent_template = "Cancel order #{{number}}."
    difficulty = "medium"

    def sample(self, rng, db):
        row = rng.choice(db.execute("SELECT id, increment_id FROM orders WHERE status IN "
                                    "('pending', 'processing') ORDER BY id").fetchall())
        return Sample({"number": row["increment_id"]}, {"order_id": row["id"]})

    def checks(self, sample):
        return [html_check(_order_url(sample.truth["order_id"]), _ORDER_STATUS_JS,
                           exact_match="Canceled")]

    def steps(self, sample, page):
        number = sample.params["number"]
        page = yield from _open_order(page, number)
        page = yield act(click(page.button("Cancel", exact=True)), "Cancel the order.")
        expect_text(page, "You canceled the order.")
        yield finish(f"Order #{number} is canceled.")


_ORDER_COMMENTS = (
    "Customer called to confirm the delivery address.",
    "Gift wrapping requested by the customer.",
    "Please ship with the next carrier pickup.",
    "Customer asked for delivery after 5 PM.",
    "Replacement item approved by the store manager.",
    "Leave the package at the back door.",
    "Customer prefers to be contacted by email.",
)


class OrderComment(_AdminTemplate, EditTemplate):
    id = "shopping_admin/order_comment"
    intent_template = 'Add the comment "{{comment}}" to order #{{number}}.'
    difficulty = "medium"
    start_path = "/sales/order/"

    def sample(self, rng, db):
        row = rng.choice(db.execute("SELECT id, increment_id FROM orders WHERE status IN "
                                    "('pending', 'processing', 'complete') ORDER BY id").fetchall())
        return Sample({"number": row["increment_id"], "comment": rng.choice(_ORDER_COMMENTS)},
                      {"order_id": row["id"]})

    def checks(self, sample):
        return [html_check(_order_url(sample.truth["order_id"]),
                           "document.querySelector('.note-list').innerText",
                           must_include=[sample.params["comment"]])]

    def steps(self, sample, page):
        number, comment = sample.params["number"], sample.params["comment"]
        page = yield from _open_order(page, number, menu=False)
        page = yield act(type_text(page.field("history[comment]"), comment),
                         "Write the comment in the order's notes.")
        page = yield act(click(page.button("Submit Comment")), "Submit the comment.")
        expect_text(page, "You added a comment to the order.")
        yield finish(f"The comment is added to order #{number}.")


def _review_url(review_id: int) -> str:
    return f"{ADMIN}/review/product/edit/id/{review_id}/"


class ApprovePendingReviews(_AdminTemplate, EditTemplate):
    id = "shopping_admin/approve_pending_reviews"
    intent_template = "Approve all pending reviews of {{product}}."
    difficulty = "hard"

    def sample(self, rng, db):
        row = _pick_product(rng, db, "(SELECT COUNT(*) FROM reviews r WHERE r.product_id = p.id "
                            "AND r.status = 'pending') >= 2")
        if row is None:
            return None
        ids = [r[0] for r in db.execute("SELECT id FROM reviews WHERE product_id = ? AND status = "
                                        "'pending' ORDER BY id", (row["id"],))]
        return Sample({"product": row["name"]}, {"review_ids": ids})

    def checks(self, sample):
        return [html_check(_review_url(rid), _value_of("status_id"), exact_match="1")
                           for rid in sample.truth["review_ids"]]

    def steps(self, sample, page):
        name = sample.params["product"]
        page = yield act(click(page.link("Pending Reviews")),
                         "Marketing > Pending Reviews lists the reviews waiting for moderation.")
        page = yield act(type_text(page.field("product"), name),
                         f"Filter the pending reviews by product {name}.")
        page = yield act(click(page.button("Apply Filters")), "Apply the filter.")
        rows = [r for r in table_rows(page, "Rating") if r["Product"] == name]
        if not rows or len(rows) != records_found(page):
            raise OracleError("the pending reviews of the product are not all on the page")
        ids = [r["ID"] for r in rows]
        expect_equal(sorted(int(i) for i in ids), sample.truth["review_ids"], "pending reviews")
        for rid in ids:
            page = yield act(click(page.find(None, "input", aria_label=f"Select review {rid}")),
                             f"Select pending review {rid}.")
        page = yield act(select(page.field("massaction"), "Update Status: Approved"),
                         "Choose the action Update Status: Approved.")
        page = yield act(click(page.button("Submit", exact=True)),
                         "Submit the action for the selected reviews.")
        expect_text(page, f"A total of {len(ids)} record(s) have been updated.")
        yield finish(f"The {len(ids)} pending reviews of {name} are approved.")


class CustomerGroup(_AdminTemplate, EditTemplate):
    id = "shopping_admin/customer_group"
    intent_template = "Move customer {{customer}} to the {{group}} customer group."
    difficulty = "medium"

    def sample(self, rng, db):
        row = _pick_customer(rng, db)
        if row is None:
            return None
        group = rng.choice([g for g in ("General", "Wholesale", "Retailer")
                            if g != row["group_name"]])
        return Sample({"customer": row["name"], "group": group}, {"customer_id": row["id"]})

    def checks(self, sample):
        url = f"{ADMIN}/customer/index/edit/id/{sample.truth['customer_id']}/?tab=account"
        return [html_check(url, _value_of("customer[group_id]"),
                           exact_match=sample.params["group"])]

    def steps(self, sample, page):
        name, group = sample.params["customer"], sample.params["group"]
        page = yield from _open_customer(page, name)
        page = yield act(click(page.link("Account Information")),
                         "The group is set on the Account Information tab.")
        page = yield act(select(page.field("customer[group_id]"), group),
                         f"Choose the group {group}.")
        page = yield act(click(page.button("Save Customer")), "Save the customer.")
        expect_text(page, "You saved the customer.")
        yield finish(f"{name} is now in the {group} group.")


_WORD = re.compile(r"[a-z]{5,}")


class DeleteReviewsMentioning(_AdminTemplate, EditTemplate):
    id = "shopping_admin/delete_reviews_mentioning"
    intent_template = 'Delete the reviews of {{product}} that mention "{{word}}".'
    difficulty = "hard"
    unseen = True

    def sample(self, rng, db):
        row = _pick_product(rng, db, "(SELECT COUNT(*) FROM reviews r WHERE "
                            "r.product_id = p.id) >= 3")
        if row is None:
            return None
        reviews = db.execute("SELECT id, title, detail FROM reviews WHERE product_id = ? "
                             "ORDER BY id", (row["id"],)).fetchall()
        texts = {r["id"]: f"{r['title']} {r['detail']}".lower() for r in reviews}
        words = sorted({w for t in texts.values() for w in _WORD.findall(t)})
        rng.shuffle(words)
        for word in words:
            hits = [rid for rid, text in texts.items() if word in text]
            whole = [rid for rid, text in texts.items() if re.search(rf"\b{word}\b", text)]
            if hits == whole and 1 <= len(hits) <= 3 and len(hits) < len(texts):
                kept = next(r for r in reviews if r["id"] not in hits)
                return Sample({"product": row["name"], "word": word},
                              {"review_ids": hits, "kept_id": kept["id"],
                               "kept_title": kept["title"]})
        return None

    def checks(self, sample):
        truth = sample.truth
        gone = [html_check(_review_url(rid), "", must_include=[
            "The review you requested does not exist."]) for rid in truth["review_ids"]]
        kept = html_check(_review_url(truth["kept_id"]), _value_of("title"),
                           exact_match=truth["kept_title"])
        return [*gone, kept]

    def steps(self, sample, page):
        name, word = sample.params["product"], sample.params["word"]
        page = yield act(click(page.link("All Reviews")),
                         "Reviews are under Marketing > All Reviews.")
        page = yield act(type_text(page.field("product"), name),
                         f"Filter the reviews by product {name}.")
        page = yield act(type_text(page.field("search"), word),
                         f"Search the review texts for '{word}'.")
        page = yield act(click(page.button("Apply Filters")), "Apply the filters.")
        rows = [r for r in table_rows(page, "Rating") if r["Product"] == name]
        if not rows or len(rows) != records_found(page):
            raise OracleError("the matching reviews are not all on the page")
        ids = [r["ID"] for r in rows]
        if sorted(int(i) for i in ids) != sorted(sample.truth["review_ids"]):
            raise OracleError(f"found reviews {ids}, expected {sample.truth['review_ids']}")
        for rid in ids:
            page = yield act(click(page.find(None, "input", aria_label=f"Select review {rid}")),
                             f"Select review {rid}, which mentions '{word}'.")
        page = yield act(select(page.field("massaction"), "Delete"), "Choose the action Delete.")
        page = yield act(click(page.button("Submit", exact=True)),
                         "Submit the action for the selected reviews.")
        expect_text(page, f"A total of {len(ids)} record(s) have been deleted.")
        yield finish(f"The {len(ids)} reviews of {name} mentioning '{word}' are deleted.")


class CancelPendingOrdersOfCustomer(_AdminTemplate, EditTemplate):
    id = "shopping_admin/cancel_pending_orders_of_customer"
    intent_template = "Cancel all pending orders of {{customer}}."
    difficulty = "hard"
    unseen = True
    start_path = "/sales/order/"

    def sample(self, rng, db):
        row = _pick_customer(rng, db, "(SELECT COUNT(*) FROM orders o WHERE o.customer_id = c.id "
                             "AND o.status = 'pending') BETWEEN 2 AND 3", own_orders=True)
        if row is None:
            return None
        orders = db.execute("SELECT id FROM orders WHERE customer_id = ? AND status = 'pending' "
                            "ORDER BY id", (row["id"],)).fetchall()
        other = db.execute("SELECT id, status FROM orders WHERE customer_id = ? AND status != "
                           "'pending' ORDER BY id DESC LIMIT 1", (row["id"],)).fetchone()
        truth: dict[str, Any] = {"order_ids": [o["id"] for o in orders]}
        if other is not None:
            truth["other_id"], truth["other_status"] = other["id"], STATUS_LABELS[other["status"]]
        return Sample({"customer": row["name"]}, truth)

    def checks(self, sample):
        truth = sample.truth
        checks = [html_check(_order_url(oid), _ORDER_STATUS_JS, exact_match="Canceled")
                  for oid in truth["order_ids"]]
        if "other_id" in truth:  # the customer's other orders stay as they were
            checks.append(html_check(_order_url(truth["other_id"]), _ORDER_STATUS_JS,
                                      exact_match=truth["other_status"]))
        return checks

    def steps(self, sample, page):
        name = sample.params["customer"]
        page = yield act(type_text(page.field("billing_name"), name),
                         f"Filter the orders by Bill-to Name {name}.")
        page = yield act(select(page.field("status"), "Pending"), "... and by status Pending.")
        page = yield act(click(page.button("Apply Filters")), "Apply the filters.")
        rows = table_rows(page, "Bill-to Name")
        if len(rows) != records_found(page) or any(r["Bill-to Name"] != name for r in rows):
            raise OracleError("the pending orders of the customer are not all on the page")
        numbers = [r["ID"] for r in rows]
        for k, number in enumerate(numbers):
            if k:
                page = yield act(search(page.field("search"), number),
                                 f"Find the next pending order, #{number}.")
            page = yield act(click(row_element(page, number, "a", "View")),
                             f"Open order #{number}.")
            page = yield act(click(page.button("Cancel", exact=True)), "Cancel this order.")
            expect_text(page, "You canceled the order.")
            if k + 1 < len(numbers):
                page = yield act(click(page.link("Back", exact=True)),
                                 "Back to the orders grid for the next one.")
        yield finish(f"All {len(numbers)} pending orders of {name} are canceled.")


TEMPLATES: list[type[TaskTemplate]] = [
    # information seeking
    OrderGrandTotal,
    CustomerPhone,
    ProductQuantity,
    TopSearchTerms,
    OrdersByStatusInRange,
    ReviewStarCount,
    OrderItems,
    CustomerLifetimeSales,
    MonthlySalesTotal,
    BestsellersTopN,
    TopCustomerPhone,
    CustomersInState,
    CompareCustomerSales,
    ExtremeMonth,
    # navigation
    OrdersWithStatus,
    ProductsInPriceRange,
    CustomerOrders,
    OrdersSortedByTotal,
    # changes of state
    ProductPrice,
    ProductPricesRaise,
    ProductOutOfStock,
    ProductDisable,
    ProductDescription,
    CancelOrder,
    OrderComment,
    ApprovePendingReviews,
    CustomerGroup,
    DeleteReviewsMentioning,
    CancelPendingOrdersOfCustomer,
]
