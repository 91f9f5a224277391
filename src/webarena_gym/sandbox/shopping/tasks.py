"""Task templates and oracle solvers for the ``shopping`` site (the storefront).

The templates mirror WebArena's One Stop Shop tasks, all as the signed-in default customer
(Emma Lopez): reading her orders, prices, ratings and reviews (``string_match``), navigating
to searches and sorted listings (``url_match``), and changing her state through the shop's
forms: wish list, cart, checkout, orders, address book, reviews and account (``program_html``
on the page that shows the change).

Samplers read the seeded store through the ``db`` connection they are given and compute the
answer with the same rules the shop uses (:mod:`webarena_gym.sandbox.store.catalog`); they
reject instantiations a person could read two ways (ties, names a search would not list on its
first page, products that appear in several of the orders a question could mean). Oracles act
like a careful shopper: they use the header, the menu, the account sidebar, search, sorting and
paging, open what they need by clicking the links they see, and answer only what the pages
they were shown say; the sampler's truth tells them what to look for and is checked against
what they read.
"""

from __future__ import annotations

import json
import re
import sqlite3
from datetime import date, datetime
from typing import Any

from lxml import html as lxml_html

from webarena_gym.actions import Action
from webarena_gym.sandbox.store import vocab
from webarena_gym.sandbox.store.catalog import (
    category_products,
    effective_price,
    search_products,
)
from webarena_gym.sandbox.store.generate import DEFAULT_CUSTOMER_PASSWORD, default_customer_id
from webarena_gym.sandbox.templates.base import (
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

SITE = "shopping"
SHOP = "__SHOPPING__"
GRID_PAGE = 12  # products per page of a listing (the shop's default)
STATUS_LABELS = {"pending": "Pending", "processing": "Processing", "complete": "Complete",
                 "canceled": "Canceled", "closed": "Closed", "on hold": "On Hold"}
SHIPPING_LABELS = {"Flat Rate": "Flat Rate - Fixed", "Best Way": "Best Way - Table Rate"}
_MONEY = re.compile(r"\$([\d,]+\.\d{2})")


# -- formatting shared by samplers and oracles ----------------------------------------------------


def _to_float(text: str) -> float:
    return float(text.replace(",", ""))


def short_date(stamp: str) -> str:
    """``'2023-04-26 12:54:46'`` -> ``'4/26/23'`` (the My Orders grid's format)."""
    d = datetime.fromisoformat(stamp)
    return f"{d.month}/{d.day}/{d.year % 100:02d}"


def long_date(stamp: str) -> str:
    """``'2023-04-26 12:54:46'`` -> ``'April 26, 2023'`` (the order page's format)."""
    d = datetime.fromisoformat(stamp)
    return f"{d:%B} {d.day}, {d.year}"


def parse_short_date(text: str) -> date:
    """The inverse of :func:`short_date`."""
    return datetime.strptime(text.strip(), "%m/%d/%y").date()


def month_label(d: date) -> str:
    """``April 2023``."""
    return f"{d:%B %Y}"


def parse_month(label: str) -> date:
    """``April 2023`` -> the first of that month."""
    return datetime.strptime(label, "%B %Y").date()


def _js(text: str) -> str:
    """A JavaScript string literal."""
    return json.dumps(text)


# -- reading pages ----------------------------------------------------------------------------


def product_cards(page: Page) -> list[dict[str, Any]]:
    """The product grid of a listing: name, link number, shown price, review count, text.

    A card is the element around a product's name link that also shows its price (grids of
    one product lose their list wrapper in the simplified HTML, so the card is found from the
    link, not from the list).
    """
    cards = []
    for link in page.root.iter("a"):
        card = link.getparent()
        if link.get("id") is None or card is None:
            continue
        first = next((a for a in card.iter("a") if a.get("id") is not None), None)
        name = normalize_space(link.text_content())
        if first is not link or not name or re.fullmatch(r"\d+ Reviews?", name):
            continue
        text = normalize_space(card.text_content())
        price = _MONEY.search(text)
        if price is None:
            continue  # not a product card
        reviews = re.search(r"(\d+) Reviews?\b", text)
        cards.append({"name": name, "link": str(link.get("id")), "price": price.group(1),
                      "reviews": int(reviews.group(1)) if reviews else 0, "text": text,
                      "element": card})
    return cards


def card_of(page: Page, name: str) -> dict[str, Any]:
    """The grid card of the product named exactly ``name``."""
    for card in product_cards(page):
        if card["name"] == name:
            return card
    raise OracleError(f"no product card {name!r} on {page.url}")


def button_in(element: lxml_html.HtmlElement, text: str) -> str:
    """The number of the button with ``text`` inside ``element``."""
    for button in element.iter("button", "input"):
        label = normalize_space(button.text_content()) or button.get("title") or button.get("value") or ""
        if button.get("id") is not None and text.lower() in label.lower():
            return str(button.get("id"))
    raise OracleError(f"no button {text!r} in {normalize_space(element.text_content())[:200]!r}")


def order_rows(page: Page) -> list[dict[str, Any]]:
    """The rows of the My Orders grid (number, date, total, status and the action numbers)."""
    rows = []
    for tr in page.root.iter("tr"):
        cells = [c for c in tr if c.tag == "td"]
        if len(cells) != 6:
            continue
        texts = [normalize_space(c.text_content()) for c in cells]
        if not re.fullmatch(r"\d{9}", texts[0]):
            continue
        view = next((a.get("id") for a in cells[5].iter("a") if a.get("id")), None)
        reorder = next((b.get("id") for b in cells[5].iter("button") if b.get("id")), None)
        rows.append({"number": texts[0], "date": texts[1], "ship_to": texts[2],
                     "total": texts[3].lstrip("$"), "status": texts[4], "view": view,
                     "reorder": reorder})
    return rows


def order_row(page: Page, number: str) -> dict[str, Any]:
    """The My Orders row of order ``number``."""
    for row in order_rows(page):
        if row["number"] == number:
            return row
    raise OracleError(f"no order #{number} in the grid on {page.url}")


def ordered_items(page: Page) -> list[str]:
    """Product names in an order page's Items Ordered table (options left out)."""
    names = []
    for table in page.root.iter("table"):
        header = [normalize_space(c.text_content()) for c in next(table.iter("tr"), [])]
        if header[:2] != ["Product Name", "SKU"]:
            continue
        for tr in list(table.iter("tr"))[1:]:
            cells = [c for c in tr if c.tag == "td"]
            if len(cells) != 5:
                continue
            first = cells[0]
            label = next((a for a in first.iter("a")), None)
            if label is not None:
                names.append(normalize_space(label.text_content()))
            else:
                options = first.find("dl")
                text = normalize_space(first.text_content())
                if options is not None:
                    text = text[: len(text) - len(normalize_space(options.text_content()))].strip()
                names.append(text)
    if not names:
        raise OracleError(f"no ordered items on {page.url}")
    return names


def order_date(page: Page) -> str:
    """``April 26, 2023`` from an order page's "Order Date:" line."""
    match = re.search(r"Order Date:\s*([A-Z][a-z]+ \d{1,2}, \d{4})", page.text)
    if match is None:
        raise OracleError(f"no order date on {page.url}")
    return match.group(1)


def product_reviews(page: Page) -> list[dict[str, str]]:
    """The reviews on a product page: title, rating, text and nickname."""
    reviews = []
    for p in page.root.iter("p"):
        byline = normalize_space(p.text_content())
        details = p.getparent()
        item = details.getparent() if details is not None else None
        if not byline.startswith("Review by ") or item is None:
            continue
        parts = [normalize_space(d.text_content()) for d in item if d.tag == "div" and d is not details]
        if len(parts) < 3:
            raise OracleError(f"cannot read the review by {byline[10:]!r} on {page.url}")
        reviews.append({"title": parts[0], "rating": parts[1], "detail": parts[2],
                        "nickname": byline[len("Review by "):].strip()})
    return reviews


def _mentions(text: str, phrase: str) -> bool:
    return re.search(r"\b" + re.escape(phrase.lower()) + r"\b", text.lower()) is not None


# -- sampling helpers -----------------------------------------------------------------------------


def _emma(db: sqlite3.Connection) -> int:
    return default_customer_id(db)


def _searchable(db: sqlite3.Connection, name: str) -> bool:
    """Whether searching a product's full name lists it on the first page of results."""
    return any(r["name"] == name for r in search_products(db, name)[:GRID_PAGE])


def _pick_product(rng, db: sqlite3.Connection, where: str = "1", args: tuple = (),
                  tries: int = 20) -> sqlite3.Row | None:
    """An enabled product (matching ``where`` over ``p``) that a search for its name finds."""
    rows = db.execute(f"SELECT p.* FROM products p WHERE p.status = 1 AND ({where}) "
                      "ORDER BY p.id", args).fetchall()
    for _ in range(tries):
        if not rows:
            return None
        row = rng.choice(rows)
        if _searchable(db, row["name"]):
            return row
        rows.remove(row)
    return None


def _my_orders(db: sqlite3.Connection) -> list[sqlite3.Row]:
    """The default customer's orders, newest first (as My Orders lists them)."""
    return db.execute("SELECT * FROM orders WHERE customer_id = ? ORDER BY created_at DESC, "
                      "id DESC", (_emma(db),)).fetchall()


def _items(db: sqlite3.Connection, order_id: int) -> list[sqlite3.Row]:
    return db.execute("SELECT * FROM order_items WHERE order_id = ? ORDER BY id",
                      (order_id,)).fetchall()


_KIND_CACHE: dict[int, tuple[sqlite3.Connection, list]] = {}


def _kind_queries(db: sqlite3.Connection) -> list[tuple[str, list[sqlite3.Row]]]:
    """Search words for kinds of product (``headphones``) whose every result is that kind,
    with 3 to 36 results (one page of 36)."""
    cached = _KIND_CACHE.get(id(db))
    if cached is not None and cached[0] is db:
        return cached[1]
    found = []
    for kind in _all_kinds():
        query = kind.noun.lower()
        rows = search_products(db, query)
        if 3 <= len(rows) <= 36 and all(query in r["name"].lower() for r in rows):
            found.append((query, rows))
    found = list({q: (q, rows) for q, rows in found}.values())
    _KIND_CACHE[id(db)] = (db, found)
    return found


def _all_kinds() -> list[vocab.Kind]:
    return [k for subs in vocab.CATALOG.values() for kinds in subs.values() for k in kinds]


def _categories(db: sqlite3.Connection) -> list[sqlite3.Row]:
    """Categories whose name no other category's name contains (unambiguous links)."""
    rows = db.execute("SELECT * FROM categories ORDER BY id").fetchall()
    names = [r["name"].lower() for r in rows]
    return [r for r in rows if sum(r["name"].lower() in n for n in names) == 1]


def _category_path(db: sqlite3.Connection, category: sqlite3.Row) -> list[str]:
    """Menu names to click to reach a category: its parent first."""
    if category["parent_id"] is None:
        return [category["name"]]
    parent = db.execute("SELECT name FROM categories WHERE id = ?",
                        (category["parent_id"],)).fetchone()
    return [parent["name"], category["name"]]


# -- oracle building blocks -----------------------------------------------------------------------


def _open_product(page: Page, name: str) -> Steps:
    """Search the product's name and open its page from the results."""
    page = yield act(search(page.field("q"), name), f"Search the store for {name}.")
    page = yield act(click(card_of(page, name)["link"]), f"Open the product page of {name}.")
    return page


def _open_my_orders(page: Page, *, all_rows: bool = True) -> Steps:
    """From any page: My Account > My Orders; with ``all_rows``, 50 orders per page."""
    page = yield act(click(page.link("My Account", exact=True)),
                     "My orders are listed under My Account.")
    page = yield act(click(page.link("My Orders", exact=True)), "Open My Orders.")
    total = re.search(r"of (\d+) total", page.text)
    if all_rows and total and int(total.group(1)) > 10 and page.maybe("50", "a", exact=True):
        page = yield act(click(page.link("50", exact=True)),
                         f"{total.group(1)} orders do not fit on a page of 10; show 50 per page.")
    return page


def _open_category(page: Page, path: list[str]) -> Steps:
    """Click through the menu (top category) and the sidebar (subcategory)."""
    page = yield act(click(page.link(path[0], exact=True)),
                     f"Open the {path[0]} category from the menu.")
    if len(path) > 1:
        page = yield act(click(page.link(path[1], exact=True)),
                         f"Open the {path[1]} subcategory from the sidebar.")
    return page


def _sort(page: Page, order: str, direction: str) -> Steps:
    """Sort a listing by ``order`` (a label of the Sort By list) in ``direction`` (asc/desc)."""
    unsorted = page
    sorter = page.field("product_list_order")
    if _selected(page, sorter) != order:
        page = yield act(select(sorter, order), f"Sort the products by {order}.")
    want = "Set Descending Direction" if direction == "desc" else "Set Ascending Direction"
    if page.maybe(want, "a"):
        words = "high to low" if direction == "desc" else "low to high"
        if order == "Product Name":
            words = "Z to A" if direction == "desc" else "A to Z"
        page = yield act(click(page.link(want)), f"Switch the order to {words}.")
    if page is unsorted:
        raise OracleError(f"the listing on {page.url} is already sorted as asked")
    return page


def _selected(page: Page, element_id: str) -> str:
    for element in page.elements("select"):
        if element.get("id") == element_id:
            for option in element.iter("option"):
                if option.get("selected") in ("true", "selected", ""):
                    return normalize_space(option.text_content())
    return ""


# -- evaluation helpers ---------------------------------------------------------------------------


def _cart_rows_locator(name: str) -> str:
    """JS: the cart rows of product ``name`` as ``"<options> qty=<n>"``, joined by ``" | "``."""
    return ("[...document.querySelectorAll('#shopping-cart-table tr.item-info')]"
            f".filter(r => r.querySelector('.product-item-name').innerText.trim() === {_js(name)})"
            ".map(r => [...r.querySelectorAll('.item-options dd')].map(d => d.innerText.trim())"
            ".join(',') + ' qty=' + r.querySelector('input.qty').value).join(' | ')")


_CART_NAMES = ("[...document.querySelectorAll('#shopping-cart-table .product-item-name')]"
               ".map(e => e.innerText.trim()).join(' | ')")
_WISHLIST = "document.querySelector('.products-grid.wishlist').outerText"
_ORDER_STATUS = "document.querySelector('.order-status').outerText"


# -- the templates --------------------------------------------------------------------------------


class _ShopTemplate(ScriptedTemplate):
    """A storefront task as the signed-in default customer, from the home page."""

    sites = (SITE,)


# ---- information seeking (string_match) ----


class LatestOrderTotal(_ShopTemplate, AnswerTemplate):
    """The total of the newest order with a status (My Orders grid)."""

    id = "shopping/latest_order_total"
    intent_template = "What is the total of my latest {{status}} order?"
    difficulty = "easy"

    def sample(self, rng, db):
        status = rng.choice(list(STATUS_LABELS))
        orders = [o for o in _my_orders(db) if o["status"] == status]
        if not orders:
            return None
        return Sample({"status": status}, {"answer": amount(orders[0]["grand_total"]),
                                           "number": orders[0]["increment_id"]})

    def steps(self, sample, page):
        label = STATUS_LABELS[sample.params["status"]]
        page = yield from _open_my_orders(page)
        row = next((r for r in order_rows(page) if r["status"] == label), None)
        if row is None:
            raise OracleError(f"no {label} order in My Orders")
        yield self.reply(sample, row["total"], f"My Orders lists the newest orders first; the "
                         f"first {label} one, #{row['number']}, totals ${row['total']}.")


class OrderStatus(_ShopTemplate, AnswerTemplate):
    """The status of one of my orders (My Orders grid)."""

    id = "shopping/order_status"
    intent_template = "What is the status of my order #{{number}}?"
    difficulty = "easy"

    def sample(self, rng, db):
        order = rng.choice(_my_orders(db))
        return Sample({"number": order["increment_id"]},
                      {"answer": STATUS_LABELS[order["status"]]})

    def distractors(self, sample):
        return [label for label in STATUS_LABELS.values() if label != sample.truth["answer"]]

    def steps(self, sample, page):
        number = sample.params["number"]
        page = yield from _open_my_orders(page)
        status = order_row(page, number)["status"]
        yield self.reply(sample, status, f"The row of order #{number} says {status}.")


class SpendInMonth(_ShopTemplate, AnswerTemplate):
    """Sum the totals of a month's orders, skipping canceled ones (My Orders grid)."""

    id = "shopping/spend_in_month"
    intent_template = ("How much did I spend on shopping in {{month}}? Count every order I "
                       "placed that month except canceled ones.")
    difficulty = "medium"

    def sample(self, rng, db):
        orders = _my_orders(db)
        months = sorted({o["created_at"][:7] for o in orders})
        month = rng.choice(months)
        kept = [o for o in orders if o["created_at"][:7] == month and o["status"] != "canceled"]
        if not kept:
            return None
        label = month_label(datetime.strptime(month, "%Y-%m").date())
        total = round(sum(o["grand_total"] for o in kept), 2)
        return Sample({"month": label}, {"answer": amount(total), "orders": len(kept)})

    def steps(self, sample, page):
        first = parse_month(sample.params["month"])
        page = yield from _open_my_orders(page)
        rows = [r for r in order_rows(page)
                if (d := parse_short_date(r["date"])).year == first.year and d.month == first.month]
        kept = [r for r in rows if r["status"] != "Canceled"]
        total = amount(round(sum(_to_float(r["total"]) for r in kept), 2))
        numbers = ", ".join("#" + r["number"] for r in kept)
        yield self.reply(sample, total, f"Orders of {sample.params['month']} that were not "
                         f"canceled: {numbers}; their totals add up to ${total}.")


class OrdersInPeriod(_ShopTemplate, AnswerTemplate):
    """Count my orders placed between two months (My Orders grid, all pages)."""

    id = "shopping/orders_in_period"
    intent_template = "How many orders did I place from {{start}} through {{end}}?"
    difficulty = "medium"

    def sample(self, rng, db):
        months = [date(y, m, 1) for y in (2021, 2022, 2023) for m in range(1, 13)
                  if (y, m) <= (2023, 5)]
        i, j = sorted(rng.sample(range(len(months)), 2))
        start, end = months[i], months[j]
        if j - i < 3:
            return None
        count = sum(1 for o in _my_orders(db)
                    if start.isoformat()[:7] <= o["created_at"][:7] <= end.isoformat()[:7])
        if count < 2:
            return None
        return Sample({"start": month_label(start), "end": month_label(end)},
                      {"answer": str(count)})

    def steps(self, sample, page):
        start, end = parse_month(sample.params["start"]), parse_month(sample.params["end"])
        page = yield from _open_my_orders(page)
        dates = [parse_short_date(r["date"]) for r in order_rows(page)]
        count = sum(1 for d in dates if (start.year, start.month) <= (d.year, d.month)
                    <= (end.year, end.month))
        yield self.reply(sample, str(count), f"{count} rows of My Orders are dated from "
                         f"{sample.params['start']} through {sample.params['end']}.")


class UnitsInPeriod(_ShopTemplate, AnswerTemplate):
    """Sum the units of every order of a period: open each order in turn (many pages)."""

    id = "shopping/units_in_period"
    intent_template = ("How many items (units) did I order in total from {{start}} through "
                       "{{end}}, not counting canceled orders?")
    difficulty = "hard"

    def sample(self, rng, db):
        orders = [o for o in _my_orders(db) if o["status"] != "canceled"]
        months = sorted({o["created_at"][:7] for o in orders})
        i, j = sorted(rng.sample(range(len(months)), 2))
        start, end = months[i], months[j]
        chosen = [o for o in orders if start <= o["created_at"][:7] <= end]
        if not 3 <= len(chosen) <= 6:
            return None
        units = sum(i["qty"] for o in chosen for i in _items(db, o["id"]))
        first, last = (datetime.strptime(m, "%Y-%m").date() for m in (start, end))
        return Sample({"start": month_label(first), "end": month_label(last)},
                      {"answer": str(units), "orders": [o["increment_id"] for o in chosen]})

    def steps(self, sample, page):
        start, end = parse_month(sample.params["start"]), parse_month(sample.params["end"])
        page = yield from _open_my_orders(page)

        def wanted(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
            return [r for r in rows if r["status"] != "Canceled" and (start.year, start.month)
                    <= ((d := parse_short_date(r["date"])).year, d.month) <= (end.year, end.month)]

        numbers = [r["number"] for r in wanted(order_rows(page))]
        expect_equal(numbers, sample.truth["orders"], "orders of the period")
        units = 0
        for index, number in enumerate(numbers):
            row = order_row(page, number)
            page = yield act(click(row["view"]), f"Open order #{number} to count its units "
                             f"({index + 1} of {len(numbers)} orders in the period).")
            qtys = [int(q) for q in re.findall(r"Ordered (\d+)", page.text)]
            units += sum(qtys)
            if index + 1 < len(numbers):
                page = yield act(Action("Go Backward"), f"Order #{number} has {sum(qtys)} "
                                 f"unit(s); {units} so far. Back to the list.")
        yield self.reply(sample, str(units),
                         f"The {len(numbers)} orders hold {units} units in all.")


class OrderProducts(_ShopTemplate, AnswerTemplate):
    """The products of one of my orders (order page)."""

    id = "shopping/order_products"
    intent_template = "Which products did I buy in my order #{{number}}?"
    difficulty = "medium"

    def sample(self, rng, db):
        order = rng.choice(_my_orders(db))
        names = [i["name"] for i in _items(db, order["id"])]
        return Sample({"number": order["increment_id"]}, {"answer": names})

    def steps(self, sample, page):
        number = sample.params["number"]
        page = yield from _open_my_orders(page)
        page = yield act(click(order_row(page, number)["view"]), f"Open order #{number}.")
        names = ordered_items(page)
        yield self.reply(sample, names, f"The Items Ordered table of order #{number} lists "
                         f"{len(names)} product(s).", say="; ".join(names))


class LastPurchaseDate(_ShopTemplate, AnswerTemplate):
    """When I last bought a product: open my orders, newest first, until it shows up."""

    id = "shopping/last_purchase_date"
    intent_template = "When did I last buy {{product}}?"
    difficulty = "hard"
    MAX_OPENED = 7  # the answer is among the first orders a shopper would open

    def sample(self, rng, db):
        orders = [o for o in _my_orders(db) if o["status"] != "canceled"][: self.MAX_OPENED]
        if not orders:
            return None
        order = rng.choice(orders)
        item = rng.choice(_items(db, order["id"]))
        newer = [o for o in _my_orders(db) if o["created_at"] > order["created_at"]]
        if any(any(i["name"] == item["name"] for i in _items(db, o["id"])) for o in newer):
            return None  # bought again later (or in a canceled order later): not this one
        stamp = order["created_at"]
        others = [long_date(o["created_at"]) for o in orders if o["id"] != order["id"]]
        return Sample({"product": item["name"]},
                      {"answer": long_date(stamp), "number": order["increment_id"],
                       "alternatives": [short_date(stamp), stamp[:10]],
                       "distractors": list(dict.fromkeys(others))})

    def reference(self, sample):
        return [" |OR| ".join([sample.truth["answer"], *sample.truth["alternatives"]])]

    def steps(self, sample, page):
        name = sample.params["product"]
        page = yield from _open_my_orders(page, all_rows=False)
        for index in range(10):
            rows = [r for r in order_rows(page) if r["status"] != "Canceled"]
            if index >= len(rows):
                break
            row = rows[index]
            page = yield act(click(row["view"]), f"Look for {name} in order #{row['number']} "
                             "(orders are newest first; canceled ones are not purchases).")
            if name in ordered_items(page):
                day = order_date(page)
                yield self.reply(sample, day, f"Order #{row['number']}, placed on {day}, is the "
                                 f"newest order with {name}.")
                return
            page = yield act(click(page.link("Back to My Orders")),
                             f"Order #{row['number']} has no {name}; back to My Orders.")
        raise OracleError(f"{name} is in none of the newest orders")


class PriceRange(_ShopTemplate, AnswerTemplate):
    """The cheapest and dearest result of a search (sort by price both ways)."""

    id = "shopping/price_range"
    intent_template = "What is the price range of {{kind}} products in this shop?"
    difficulty = "medium"

    def sample(self, rng, db):
        query, _rows = rng.choice(_kind_queries(db))
        low = search_products(db, query, "price", "asc")[0]
        high = search_products(db, query, "price", "desc")[0]
        return Sample({"kind": query}, {"answer": [amount(effective_price(low)),
                                                   amount(effective_price(high))]})

    def steps(self, sample, page):
        query = sample.params["kind"]
        page = yield act(search(page.field("q"), query), f"Search the store for {query}.")
        page = yield from _sort(page, "Price", "asc")
        low = product_cards(page)[0]["price"]
        page = yield from _sort(page, "Price", "desc")
        high = product_cards(page)[0]["price"]
        yield self.reply(sample, [low, high], f"Sorted by price, the cheapest {query} cost "
                         f"${low} and the most expensive ${high}.", say=f"${low} - ${high}")


class ReviewCount(_ShopTemplate, AnswerTemplate):
    """How many reviews a product has (product page)."""

    id = "shopping/review_count"
    intent_template = "How many reviews does {{product}} have?"
    difficulty = "easy"

    def sample(self, rng, db):
        row = _pick_product(rng, db, "(SELECT count(*) FROM reviews r WHERE r.product_id = p.id "
                            "AND r.status = 'approved') >= 1")
        if row is None:
            return None
        count = db.execute("SELECT count(*) FROM reviews WHERE product_id = ? AND status = "
                           "'approved'", (row["id"],)).fetchone()[0]
        return Sample({"product": row["name"]}, {"answer": str(count)})

    def steps(self, sample, page):
        name = sample.params["product"]
        page = yield from _open_product(page, name)
        match = re.search(r"Reviews \((\d+)\)", page.text)
        if match is None:
            raise OracleError(f"no review count on the page of {name}")
        yield self.reply(sample, match.group(1), f"The Reviews section of {name} says "
                         f"{match.group(1)} reviews.")


class ExtremeInCategory(_ShopTemplate, AnswerTemplate):
    """The cheapest or the most expensive product of a category (sort by price)."""

    id = "shopping/extreme_in_category"
    intent_template = "What is the {{extreme}} product in the {{category}} category?"
    difficulty = "medium"

    def sample(self, rng, db):
        category = rng.choice(_categories(db))
        extreme = rng.choice(("cheapest", "most expensive"))
        rows = category_products(db, category["id"], "price",
                                 "asc" if extreme == "cheapest" else "desc")
        if len(rows) < 2 or effective_price(rows[0]) == effective_price(rows[1]):
            return None
        return Sample({"extreme": extreme, "category": category["name"]},
                      {"answer": rows[0]["name"], "path": _category_path(db, category),
                       "distractors": [r["name"] for r in rows[1:GRID_PAGE]]})

    def steps(self, sample, page):
        desc = sample.params["extreme"] != "cheapest"
        page = yield from _open_category(page, sample.truth["path"])
        page = yield from _sort(page, "Price", "desc" if desc else "asc")
        first = product_cards(page)[0]
        order = "high to low" if desc else "low to high"
        yield self.reply(sample, first["name"], f"Sorted by price {order}, the first product is "
                         f"{first['name']} at ${first['price']}.")


class CountUnderPrice(_ShopTemplate, AnswerTemplate):
    """Count a category's products under a price: sort by price, page through."""

    id = "shopping/count_under_price"
    intent_template = "How many products in the {{category}} category cost less than ${{price}}?"
    difficulty = "medium"

    def sample(self, rng, db):
        tops = [c for c in _categories(db) if c["parent_id"] is None]
        category = rng.choice(tops)
        prices = [effective_price(r) for r in category_products(db, category["id"], "price")]
        if len(prices) < GRID_PAGE + 2:
            return None
        k = rng.randint(GRID_PAGE + 1, min(len(prices) - 1, 3 * GRID_PAGE))
        low, high = prices[k - 1], prices[k]
        threshold = int(low) + 1
        if threshold > high:
            return None
        return Sample({"category": category["name"], "price": str(threshold)},
                      {"answer": str(k)})

    def steps(self, sample, page):
        limit = float(sample.params["price"])
        name = sample.params["category"]
        page = yield from _open_category(page, [name])
        page = yield from _sort(page, "Price", "asc")
        count = 0
        while True:
            prices = [_to_float(c["price"]) for c in product_cards(page)]
            count += sum(1 for p in prices if p < limit)
            if any(p >= limit for p in prices) or page.maybe("Next", "a", exact=True) is None:
                break
            page = yield act(click(page.link("Next", exact=True)),
                             f"All {len(prices)} products here cost less than ${limit:.0f}; "
                             "see the next page.")
        yield self.reply(sample, str(count), f"Sorted by price, {count} products cost less than "
                         f"${limit:.0f}.")


class ComparePrices(_ShopTemplate, AnswerTemplate):
    """Which of two products is cheaper, and by how much (two searches)."""

    id = "shopping/compare_prices"
    intent_template = ("Which is cheaper, \"{{a}}\" or \"{{b}}\", and by how much? Answer with "
                       "the name of the cheaper one and the difference.")
    difficulty = "medium"
    unseen = True
    exclude_key = "dearer"

    def sample(self, rng, db):
        a = _pick_product(rng, db)
        if a is None:
            return None
        b = _pick_product(rng, db, "p.category_id = ? AND p.id != ?", (a["category_id"], a["id"]))
        if b is None or effective_price(a) == effective_price(b):
            return None
        cheap, dear = (a, b) if effective_price(a) < effective_price(b) else (b, a)
        if dear["name"].lower() in cheap["name"].lower():
            return None
        diff = round(abs(effective_price(a) - effective_price(b)), 2)
        return Sample({"a": a["name"], "b": b["name"]},
                      {"answer": [cheap["name"], amount(diff)], "dearer": dear["name"]})

    def steps(self, sample, page):
        names = [sample.params["a"], sample.params["b"]]
        prices = []
        for name in names:
            page = yield act(search(page.field("q"), name), f"Search for {name} to see its price.")
            prices.append(_to_float(card_of(page, name)["price"]))
        cheap = names[0] if prices[0] < prices[1] else names[1]
        diff = amount(round(abs(prices[0] - prices[1]), 2))
        yield self.reply(sample, [cheap, diff], f"{names[0]} costs ${prices[0]:.2f} "
                         f"and {names[1]} ${prices[1]:.2f}.", say=f"{cheap} is cheaper, by ${diff}")


class ReviewersMentioning(_ShopTemplate, AnswerTemplate):
    """Reviewers of a product whose review mentions an aspect (product page reviews)."""

    id = "shopping/reviewers_mentioning"
    intent_template = ("Which reviewers of {{product}} mention the {{aspect}} in their "
                       "reviews? Give their nicknames.")
    difficulty = "medium"
    unseen = True
    exclude_key = "others"

    def sample(self, rng, db):
        row = _pick_product(rng, db, "(SELECT count(*) FROM reviews r WHERE r.product_id = p.id "
                            "AND r.status = 'approved') >= 3")
        if row is None:
            return None
        reviews = db.execute("SELECT * FROM reviews WHERE product_id = ? AND status = 'approved'",
                             (row["id"],)).fetchall()
        nicks = [r["nickname"] for r in reviews]
        if len(set(n.lower() for n in nicks)) != len(nicks):
            return None
        aspects = sorted({a for k in _all_kinds() for a in k.aspects
                          if any(_mentions(f"{r['title']} {r['detail']}", a) for r in reviews)})
        if not aspects:
            return None
        aspect = rng.choice(aspects)
        yes = [r["nickname"] for r in reviews if _mentions(f"{r['title']} {r['detail']}", aspect)]
        no = [n for n in nicks if n not in yes
              and not any(n.lower() in y.lower() or y.lower() in n.lower() for y in yes)]
        if len(yes) > 4 or not no:
            return None
        return Sample({"product": row["name"], "aspect": aspect},
                      {"answer": sorted(yes), "others": sorted(no)})

    def steps(self, sample, page):
        name, aspect = sample.params["product"], sample.params["aspect"]
        page = yield from _open_product(page, name)
        reviews = product_reviews(page)
        yes = sorted(r["nickname"] for r in reviews
                     if _mentions(f"{r['title']} {r['detail']}", aspect))
        yield self.reply(sample, yes, f"Of the {len(reviews)} reviews of {name}, those by "
                         f"{', '.join(yes)} talk about the {aspect}.", say=", ".join(yes))


# ---- navigation (url_match) ----


class SearchFor(_ShopTemplate, NavigationTemplate):
    """Run a search (the results page's URL)."""

    id = "shopping/search_for"
    intent_template = "Search for \"{{query}}\""
    difficulty = "easy"

    def sample(self, rng, db):
        rows = db.execute("SELECT query FROM search_terms ORDER BY id").fetchall()
        return Sample({"query": rng.choice(rows)["query"]})

    def target(self, sample):
        return self.url("/catalogsearch/result/", q=sample.params["query"])

    def steps(self, sample, page):
        query = sample.params["query"]
        page = yield act(search(page.field("q"), query), f"Type {query!r} into the search box.")
        expect_text(page, f"Search results for: '{query}'")
        yield finish("The search results are shown.")


class CategorySorted(_ShopTemplate, NavigationTemplate):
    """Open a category sorted by price in a direction (the listing's URL)."""

    id = "shopping/category_sorted"
    intent_template = "Show me the {{category}} products sorted by price, {{direction}}."
    difficulty = "medium"
    DIRECTIONS = {"lowest first": "asc", "highest first": "desc"}

    def sample(self, rng, db):
        category = rng.choice(_categories(db))
        direction = rng.choice(list(self.DIRECTIONS))
        return Sample({"category": category["name"], "direction": direction},
                      {"url_key": category["url_key"], "path": _category_path(db, category)})

    def target(self, sample):
        return self.url(f"/{sample.truth['url_key']}.html", product_list_order="price",
                        product_list_dir=self.DIRECTIONS[sample.params["direction"]])

    def steps(self, sample, page):
        page = yield from _open_category(page, sample.truth["path"])
        page = yield from _sort(page, "Price", self.DIRECTIONS[sample.params["direction"]])
        yield finish(f"The {sample.params['category']} listing is sorted by price, "
                     f"{sample.params['direction']}.")


class SearchSorted(_ShopTemplate, NavigationTemplate):
    """Search, then sort the results by name or price (the results page's URL)."""

    id = "shopping/search_sorted"
    intent_template = "Search for \"{{query}}\" and sort the results by {{order}}."
    difficulty = "medium"
    ORDERS = {"price, from low to high": ("price", "asc", "Price"),
              "price, from high to low": ("price", "desc", "Price"),
              "product name, from A to Z": ("name", "asc", "Product Name"),
              "product name, from Z to A": ("name", "desc", "Product Name")}

    def sample(self, rng, db):
        rows = db.execute("SELECT query FROM search_terms WHERE results >= 2 "
                          "ORDER BY id").fetchall()
        return Sample({"query": rng.choice(rows)["query"], "order": rng.choice(list(self.ORDERS))})

    def target(self, sample):
        order, direction, _label = self.ORDERS[sample.params["order"]]
        return self.url("/catalogsearch/result/", q=sample.params["query"],
                        product_list_order=order, product_list_dir=direction)

    def steps(self, sample, page):
        query = sample.params["query"]
        _order, direction, label = self.ORDERS[sample.params["order"]]
        page = yield act(search(page.field("q"), query), f"Search the store for {query!r}.")
        page = yield from _sort(page, label, direction)
        yield finish(f"The results for {query!r} are sorted by {sample.params['order']}.")


class MostReviewedProduct(_ShopTemplate, NavigationTemplate):
    """Open the product with the most reviews among a search's results (compare all cards)."""

    id = "shopping/most_reviewed_product"
    intent_template = "Open the page of the {{kind}} with the most reviews in this shop."
    difficulty = "medium"
    unseen = True

    def sample(self, rng, db):
        query, rows = rng.choice(_kind_queries(db))
        counts = []
        for r in rows:
            n = db.execute("SELECT count(*) FROM reviews WHERE product_id = ? AND status = "
                           "'approved'", (r["id"],)).fetchone()[0]
            counts.append((n, r))
        counts.sort(key=lambda x: -x[0])
        if len(counts) < 4 or counts[0][0] == counts[1][0]:
            return None
        best = counts[0][1]
        return Sample({"kind": query}, {"answer": best["name"], "url_key": best["url_key"]})

    def target(self, sample):
        return self.url(f"/{sample.truth['url_key']}.html")

    def steps(self, sample, page):
        query = sample.params["kind"]
        page = yield act(search(page.field("q"), query), f"Search the store for {query}.")
        if page.maybe("36", "a", exact=True) and re.search(r"Items 1-12 of", page.text):
            page = yield act(click(page.link("36", exact=True)),
                             "Show 36 per page to compare every result at once.")
        cards = product_cards(page)
        best = max(cards, key=lambda c: c["reviews"])
        expect_equal(best["name"], sample.truth["answer"], "most reviewed")
        page = yield act(click(best["link"]), f"{best['name']} has the most reviews "
                         f"({best['reviews']}); open it.")
        yield finish(f"This is the page of {best['name']}.")


# ---- changes of state (program_html) ----


class WishlistAdd(_ShopTemplate, EditTemplate):
    """Add a product to the wish list (product page)."""

    id = "shopping/wishlist_add"
    intent_template = "Add {{product}} to my wish list."
    difficulty = "medium"

    def sample(self, rng, db):
        wished = [r[0] for r in db.execute(
            "SELECT p.name FROM wishlist_items w JOIN products p ON p.id = w.product_id "
            "WHERE w.customer_id = ?", (_emma(db),))]
        row = _pick_product(rng, db, "p.id NOT IN (SELECT product_id FROM wishlist_items "
                            "WHERE customer_id = ?)", (_emma(db),))
        if row is None or any(row["name"].lower() in w.lower() for w in wished):
            return None
        return Sample({"product": row["name"]})

    def checks(self, sample):
        return [html_check(f"{SHOP}/wishlist/", _WISHLIST,
                           must_include=[sample.params["product"]])]

    def steps(self, sample, page):
        name = sample.params["product"]
        page = yield from _open_product(page, name)
        page = yield act(click(page.button("Add to Wish List")), f"Add {name} to the wish list.")
        expect_text(page, "has been added to your Wish List")
        yield finish(f"The wish list now has {name}.")


class WishlistRemove(_ShopTemplate, EditTemplate):
    """Remove a product from the wish list (My Wish List)."""

    id = "shopping/wishlist_remove"
    intent_template = "Remove {{product}} from my wish list."
    difficulty = "easy"

    def sample(self, rng, db):
        names = [r[0] for r in db.execute(
            "SELECT p.name FROM wishlist_items w JOIN products p ON p.id = w.product_id "
            "WHERE w.customer_id = ? ORDER BY w.id", (_emma(db),))]
        name = rng.choice(names)
        others = [n for n in names if n != name]
        if any(name.lower() in n.lower() for n in others):
            return None
        return Sample({"product": name}, {"others": others})

    def checks(self, sample):
        return [html_check(f"{SHOP}/wishlist/", _WISHLIST,
                           must_include=sample.truth["others"],
                           must_exclude=[sample.params["product"]])]

    def steps(self, sample, page):
        name = sample.params["product"]
        page = yield act(click(page.link("My Wish List", exact=True)), "Open My Wish List.")
        card = card_of(page, name)
        page = yield act(click(button_in(card["element"], "Remove")),
                         f"Remove {name} with the Remove item button of its card.")
        expect_text(page, "has been removed from your Wish List")
        yield finish(f"{name} is off the wish list.")


class CartAddWithOptions(_ShopTemplate, EditTemplate):
    """Add a product with chosen options and quantity to the cart (product page form)."""

    id = "shopping/cart_add_with_options"
    intent_template = "Add {{qty}} {{product}} ({{options}}) to my shopping cart."
    difficulty = "medium"

    def sample(self, rng, db):
        row = _pick_product(rng, db, "p.colors IS NOT NULL AND p.is_in_stock = 1 AND p.qty >= 5 "
                            "AND p.id NOT IN (SELECT product_id FROM cart_items)")
        if row is None:
            return None
        color = rng.choice(json.loads(row["colors"]))
        size = rng.choice(json.loads(row["sizes"])) if row["sizes"] else None
        qty = rng.randint(1, 4)
        words = f"color {color}" + (f", size {size}" if size else "")
        chosen = ",".join(v for v in (color, size) if v)
        return Sample({"qty": qty, "product": row["name"], "options": words},
                      {"color": color, "size": size, "answer": f"{chosen} qty={qty}"})

    def checks(self, sample):
        return [html_check(f"{SHOP}/checkout/cart/",
                           _cart_rows_locator(sample.params["product"]),
                           exact_match=sample.truth["answer"])]

    def steps(self, sample, page):
        name, qty = sample.params["product"], str(sample.params["qty"])
        color, size = sample.truth["color"], sample.truth["size"]
        page = yield from _open_product(page, name)
        page = yield act(select(page.field("color"), color), f"Choose the color {color}.")
        if size:
            page = yield act(select(page.field("size"), size), f"Choose the size {size}.")
        if page.value(page.field("qty")) != qty:
            page = yield act(type_text(page.field("qty"), qty), f"Set the quantity to {qty}.")
        page = yield act(click(page.button("Add to Cart")), "Add it to the cart.")
        expect_text(page, f"You added {name} to your shopping cart")
        yield finish(f"{qty} x {name} ({sample.params['options']}) are in the cart.")


class CartUpdateQty(_ShopTemplate, EditTemplate):
    """Change the quantity of a cart item (cart page)."""

    id = "shopping/cart_update_qty"
    intent_template = "Change the quantity of {{product}} in my cart to {{qty}}."
    difficulty = "easy"

    def sample(self, rng, db):
        rows = db.execute("SELECT c.qty AS in_cart, p.* FROM cart_items c JOIN products p ON "
                          "p.id = c.product_id WHERE c.customer_id = ? ORDER BY c.id",
                          (_emma(db),)).fetchall()
        row = rng.choice(rows)
        qty = rng.randint(1, min(8, row["qty"]))
        if qty == row["in_cart"] or [r["name"] for r in rows].count(row["name"]) > 1:
            return None
        options = db.execute("SELECT options FROM cart_items WHERE customer_id = ? AND "
                             "product_id = ?", (_emma(db), row["id"])).fetchone()[0]
        chosen = ",".join(json.loads(options).values()) if options else ""
        return Sample({"product": row["name"], "qty": qty}, {"answer": f"{chosen} qty={qty}"})

    def checks(self, sample):
        return [html_check(f"{SHOP}/checkout/cart/",
                           _cart_rows_locator(sample.params["product"]),
                           exact_match=sample.truth["answer"])]

    def steps(self, sample, page):
        name, qty = sample.params["product"], str(sample.params["qty"])
        page = yield act(click(page.link("My Cart")), "Open the shopping cart.")
        field = _cart_qty_field(page, name)
        page = yield act(type_text(field, qty), f"Set the quantity of {name} to {qty}.")
        page = yield act(click(page.button("Update Shopping Cart")), "Save the new quantity.")
        expect_text(page, "Your shopping cart was updated")
        yield finish(f"The cart now holds {qty} x {name}.")


def _cart_row(page: Page, name: str) -> lxml_html.HtmlElement:
    for tr in page.root.iter("tr"):
        link = next((a for a in tr.iter("a") if a.get("id") is not None), None)
        if link is not None and normalize_space(link.text_content()) == name:
            return tr
    raise OracleError(f"no cart row {name!r} on {page.url}")


def _cart_qty_field(page: Page, name: str) -> str:
    row = _cart_row(page, name)
    for element in row.iter("input"):
        if (element.get("name") or "").endswith("[qty]") and element.get("id") is not None:
            return str(element.get("id"))
    raise OracleError(f"no quantity field for {name!r} on {page.url}")


class Checkout(_ShopTemplate, EditTemplate):
    """Buy one product alone: clear the cart, add it, choose address and shipping, place."""

    id = "shopping/checkout"
    intent_template = ("Buy {{product}}{{options}} and nothing else (take everything else out of "
                       "my cart first). Ship it to my {{city}} address with {{shipping}} shipping.")
    difficulty = "hard"

    def sample(self, rng, db):
        row = _pick_product(rng, db, "p.is_in_stock = 1 AND p.qty >= 2 AND p.id NOT IN "
                            "(SELECT product_id FROM cart_items)")
        if row is None:
            return None
        color = rng.choice(json.loads(row["colors"])) if row["colors"] else None
        size = rng.choice(json.loads(row["sizes"])) if row["sizes"] else None
        words = ", ".join(f"{k} {v}" for k, v in (("color", color), ("size", size)) if v)
        cities = [r["city"] for r in db.execute("SELECT city FROM addresses WHERE customer_id = ? "
                                                "ORDER BY id", (_emma(db),))]
        city = rng.choice(cities)
        if cities.count(city) > 1:
            return None
        cart = [r[0] for r in db.execute("SELECT p.name FROM cart_items c JOIN products p ON "
                                         "p.id = c.product_id WHERE c.customer_id = ?",
                                         (_emma(db),))]
        if any(row["name"].lower() in n.lower() or n.lower() in row["name"].lower()
               for n in cart):
            return None
        next_id = db.execute("SELECT max(id) + 1 FROM orders").fetchone()[0]
        return Sample({"product": row["name"], "options": f" ({words})" if words else "",
                       "city": city, "shipping": rng.choice(list(SHIPPING_LABELS))},
                      {"color": color, "size": size, "order_id": next_id, "cart": cart})

    def checks(self, sample):
        url = f"{SHOP}/sales/order/view/order_id/{sample.truth['order_id']}/"
        p = sample.params
        options = [v for v in (sample.truth["color"], sample.truth["size"]) if v]
        return [
            html_check(url, "document.querySelector('.table-order-items').outerText",
                        must_include=[p["product"], *options],
                        must_exclude=list(sample.truth["cart"])),
            html_check(url, "document.querySelector('.box-order-shipping-address').outerText",
                        must_include=[p["city"]]),
            html_check(url, "document.querySelector('.box-order-shipping-method').outerText",
                        must_include=[SHIPPING_LABELS[p["shipping"]]]),
        ]

    def steps(self, sample, page):
        p = sample.params
        name, city, color, size = p["product"], p["city"], sample.truth["color"], sample.truth["size"]
        page = yield act(click(page.link("My Cart")), "First empty the cart of other items.")
        while page.maybe("Remove item", "button"):
            row = next(r for r in page.root.iter("tr") if r.find(".//button") is not None
                       and "Remove" in normalize_space(r.text_content()))
            item = normalize_space(next(a for a in row.iter("a")).text_content())
            page = yield act(click(button_in(row, "Remove item")), f"Remove {item} from the cart.")
        page = yield from _open_product(page, name)
        for label, value in (("color", color), ("size", size)):
            if value:
                page = yield act(select(page.field(label), value), f"Choose the {label} {value}.")
        page = yield act(click(page.button("Add to Cart")), f"Put {name} in the cart.")
        expect_text(page, f"You added {name} to your shopping cart")
        page = yield act(click(page.link("My Cart")), "Go to the cart to check out.")
        page = yield act(click(page.link("Proceed to Checkout")), "Proceed to checkout.")
        address = _radio_labelled(page, "address_id", city)
        page = yield act(click(address), f"Ship to my {city} address.")
        page = yield act(click(_shipping_radio(page, p["shipping"])),
                         f"Choose {p['shipping']} shipping.")
        page = yield act(click(page.button("Place Order")), "Place the order.")
        expect_text(page, "Your order number is")
        yield finish(f"The order of {name} to {city} with {p['shipping']} is placed.")


def _radio_labelled(page: Page, name: str, text: str) -> str:
    """The radio button ``name`` whose label (the next element) contains ``text``."""
    for element in page.elements("input", name=name):
        label = element.getnext()
        if label is not None and text.lower() in normalize_space(label.text_content()).lower():
            return str(element.get("id"))
    raise OracleError(f"no {name} option labelled {text!r} on {page.url}")


def _shipping_radio(page: Page, carrier: str) -> str:
    for tr in page.root.iter("tr"):
        if carrier.lower() in normalize_space(tr.text_content()).lower():
            for element in tr.iter("input"):
                if element.get("name") == "shipping_method" and element.get("id") is not None:
                    return str(element.get("id"))
    raise OracleError(f"no shipping method {carrier!r} on {page.url}")


class CancelPendingOrder(_ShopTemplate, EditTemplate):
    """Cancel one pending order, named by a product in it, its date or its total."""

    id = "shopping/cancel_pending_order"
    intent_template = "Cancel my pending order {{which}}."
    difficulty = "medium"

    def sample(self, rng, db):
        pending = [o for o in _my_orders(db) if o["status"] == "pending"]
        order = rng.choice(pending)
        others = [o for o in pending if o["id"] != order["id"]]
        way = rng.choice(("product", "product", "date", "total"))
        truth = {"order_id": order["id"], "number": order["increment_id"],
                 "other_ids": [o["id"] for o in others], "way": way}
        if way == "product":
            item = rng.choice(_items(db, order["id"]))
            if any(any(i["name"] == item["name"] for i in _items(db, o["id"])) for o in others):
                return None
            truth["product"] = item["name"]
            which = f"that includes {item['name']}"
        elif way == "date":
            if any(o["created_at"][:10] == order["created_at"][:10] for o in others):
                return None
            truth["date"] = short_date(order["created_at"])
            which = f"from {long_date(order['created_at'])}"
        else:
            if any(o["grand_total"] == order["grand_total"] for o in others):
                return None
            truth["total"] = amount(order["grand_total"])
            which = f"with the total of ${amount(order['grand_total'])}"
        return Sample({"which": which}, truth)

    def checks(self, sample):
        view = f"{SHOP}/sales/order/view/order_id/{{}}/"
        checks = [html_check(view.format(sample.truth["order_id"]), _ORDER_STATUS,
                              exact_match="Canceled")]
        checks += [html_check(view.format(i), _ORDER_STATUS, exact_match="Pending")
                   for i in sample.truth["other_ids"]]
        return checks

    def steps(self, sample, page):
        truth = sample.truth
        page = yield from _open_my_orders(page)
        pending = [r for r in order_rows(page) if r["status"] == "Pending"]
        if truth["way"] != "product":
            key, value = ("date", truth["date"]) if truth["way"] == "date" else \
                ("total", truth["total"])
            row = next((r for r in pending if r[key] == value), None)
            if row is None:
                raise OracleError(f"no pending order with {key} {value}")
            page = yield act(click(row["view"]), f"The pending order with {key} {value} is "
                             f"#{row['number']}; open it.")
        else:
            name = truth["product"]
            for index in range(len(pending)):
                row = pending[index]
                page = yield act(click(row["view"]), f"Check whether pending order "
                                 f"#{row['number']} has {name}.")
                if name in ordered_items(page):
                    break
                page = yield act(Action("Go Backward"), f"Order #{row['number']} has no {name}; "
                                 "go back to the list of orders.")
                pending = [r for r in order_rows(page) if r["status"] == "Pending"]
            else:
                raise OracleError(f"no pending order with {name}")
        expect_equal(row["number"], truth["number"], "order")
        page = yield act(click(page.button("Cancel Order")), f"Cancel order #{row['number']}.")
        expect_text(page, "You canceled the order")
        yield finish(f"Order #{row['number']} is canceled.")


class AddAddress(_ShopTemplate, EditTemplate):
    """Add an address to the address book (address form)."""

    id = "shopping/add_address"
    intent_template = ("Add a new address to my address book: {{street}}, {{city}}, {{state}} "
                       "{{zip}}, phone number {{phone}}.")
    difficulty = "hard"

    def sample(self, rng, db):
        city, state, zip3, area = rng.choice(vocab.CITIES)
        street = f"{rng.randint(10, 9899)} {rng.choice(vocab.STREET_NAMES)}"
        postcode = f"{zip3}{rng.randint(1, 99):02d}"
        phone = f"{area}-555-{rng.randint(100, 9999):04d}"
        taken = db.execute("SELECT 1 FROM addresses WHERE customer_id = ? AND street = ?",
                           (_emma(db), street)).fetchone()
        if taken:
            return None
        return Sample({"street": street, "city": city, "state": state, "zip": postcode,
                       "phone": phone})

    def checks(self, sample):
        p = sample.params
        locator = ("[...document.querySelectorAll('#additional-addresses-table tr')]"
                   f".filter(r => r.innerText.includes({_js(p['street'])}))"
                   ".map(r => r.innerText).join(' | ')")
        return [html_check(f"{SHOP}/customer/address/", locator,
                           must_include=[p["street"], p["city"], p["state"], p["zip"],
                                         p["phone"]])]

    def steps(self, sample, page):
        p = sample.params
        page = yield act(click(page.link("My Account", exact=True)), "Addresses are kept under "
                         "My Account.")
        page = yield act(click(page.link("Address Book", exact=True)), "Open the Address Book.")
        page = yield act(click(page.link("Add New Address")), "Add a new address.")
        for field, key, what in (("telephone", "phone", "phone number"),
                                 ("street", "street", "street address"), ("city", "city", "city"),
                                 ("postcode", "zip", "zip code")):
            page = yield act(type_text(page.field(field), p[key]), f"Enter the {what} {p[key]}.")
        page = yield act(select(page.field("region"), p["state"]),
                         f"Choose the state {p['state']}.")
        page = yield act(click(page.button("Save Address")), "Save the address.")
        expect_text(page, "You saved the address")
        yield finish("The new address is in the address book.")


class ChangeAddressPhone(_ShopTemplate, EditTemplate):
    """Change the phone number of one of my addresses (address form)."""

    id = "shopping/change_address_phone"
    intent_template = "Change the phone number of my {{city}} address to {{phone}}."
    difficulty = "medium"

    def sample(self, rng, db):
        rows = db.execute("SELECT * FROM addresses WHERE customer_id = ? ORDER BY id",
                          (_emma(db),)).fetchall()
        row = rng.choice(rows)
        if [r["city"] for r in rows].count(row["city"]) > 1:
            return None
        phone = f"{row['phone'][:3]}-555-{rng.randint(100, 9999):04d}"
        if phone == row["phone"]:
            return None
        return Sample({"city": row["city"], "phone": phone},
                      {"old": row["phone"], "default": bool(row["is_default_billing"]
                                                            or row["is_default_shipping"])})

    def checks(self, sample):
        city = sample.params["city"]
        locator = ("[...document.querySelectorAll('.column.main address, "
                   "#additional-addresses-table tr')]"
                   f".filter(e => e.innerText.includes({_js(city)}))"
                   ".map(e => e.innerText).join(' | ')")
        return [html_check(f"{SHOP}/customer/address/", locator,
                           must_include=[city, sample.params["phone"]],
                           must_exclude=[sample.truth["old"]])]

    def steps(self, sample, page):
        city, phone = sample.params["city"], sample.params["phone"]
        page = yield act(click(page.link("My Account", exact=True)), "Addresses are kept under "
                         "My Account.")
        page = yield act(click(page.link("Address Book", exact=True)), "Open the Address Book.")
        edit = _address_edit_link(page, city)
        page = yield act(click(edit), f"Edit the {city} address.")
        page = yield act(type_text(page.field("telephone"), phone), f"Enter the phone {phone}.")
        page = yield act(click(page.button("Save Address")), "Save the address.")
        expect_text(page, "You saved the address")
        yield finish(f"The {city} address now has the phone number {phone}.")


def _address_edit_link(page: Page, city: str) -> str:
    """The edit link of the address (a default box or a table row) in ``city``."""
    for row in page.root.iter("tr"):
        cells = [normalize_space(c.text_content()) for c in row if c.tag == "td"]
        if city in cells:
            return next(str(a.get("id")) for a in row.iter("a") if a.get("id") is not None
                        and normalize_space(a.text_content()) == "Edit")
    for address in page.root.iter("address"):
        if city in normalize_space(address.text_content()):
            link = address.getnext()
            while link is not None and not (link.tag == "a" and link.get("id") is not None):
                link = link.getnext()
            if link is not None:
                return str(link.get("id"))
    raise OracleError(f"no address in {city} on {page.url}")


class WriteReview(_ShopTemplate, EditTemplate):
    """Write a review of a product (product page form)."""

    id = "shopping/write_review"
    intent_template = ("Write a {{rating}}-star review of {{product}} with the summary "
                       "\"{{title}}\" and the text \"{{text}}\".")
    difficulty = "medium"

    def sample(self, rng, db):
        bought = db.execute("SELECT DISTINCT i.product_id FROM order_items i JOIN orders o ON "
                            "o.id = i.order_id WHERE o.customer_id = ? AND o.status = 'complete'",
                            (_emma(db),)).fetchall()
        ids = ",".join(str(r[0]) for r in bought) or "0"
        row = _pick_product(rng, db, f"p.id IN ({ids}) AND p.id NOT IN (SELECT product_id FROM "
                            "reviews WHERE customer_id = ?)", (_emma(db),))
        if row is None:
            return None
        rating = rng.randint(1, 5)
        title = rng.choice(vocab.REVIEW_TITLES[rating])
        bank = vocab.REVIEW_GOOD_GENERIC if rating >= 3 else vocab.REVIEW_BAD_GENERIC
        text = " ".join(rng.sample(bank, 2))
        return Sample({"rating": rating, "product": row["name"], "title": title, "text": text})

    def checks(self, sample):
        p = sample.params
        locator = ("[...document.querySelectorAll('#my-reviews-table tbody tr')]"
                   f".filter(r => r.innerText.includes({_js(p['product'])}))"
                   ".map(r => r.innerText).join(' | ')")
        return [html_check(f"{SHOP}/review/customer/", locator,
                           must_include=[p["product"], f"{p['rating']} out of 5",
                                         p["title"], p["text"]])]

    def steps(self, sample, page):
        p = sample.params
        page = yield from _open_product(page, p["product"])
        star = page.find(None, "input", name="rating", value=str(p["rating"]))
        page = yield act(click(star), f"Give {p['rating']} stars.")
        page = yield act(type_text(page.field("title"), p["title"]), "Type the summary.")
        page = yield act(type_text(page.field("detail"), p["text"]), "Type the review text.")
        page = yield act(click(page.button("Submit Review")), "Submit the review.")
        expect_text(page, "You submitted your review for moderation")
        yield finish("The review is submitted and waits for moderation.")


class Reorder(_ShopTemplate, EditTemplate):
    """Put the items of a past order back in the cart (the Reorder button)."""

    id = "shopping/reorder"
    intent_template = "Put everything from my order #{{number}} back into my shopping cart."
    difficulty = "medium"
    unseen = True

    def sample(self, rng, db):
        order = rng.choice(_my_orders(db))
        items = _items(db, order["id"])
        cart = [r[0] for r in db.execute("SELECT p.name FROM cart_items c JOIN products p ON "
                                         "p.id = c.product_id WHERE c.customer_id = ?",
                                         (_emma(db),))]
        for item in items:
            p = db.execute("SELECT * FROM products WHERE id = ?", (item["product_id"],)).fetchone()
            if p["status"] != 1 or not p["is_in_stock"] or p["qty"] < item["qty"]:
                return None
            if any(item["name"].lower() in n.lower() for n in cart):
                return None
        return Sample({"number": order["increment_id"]},
                      {"answer": [i["name"] for i in items]})

    def checks(self, sample):
        return [html_check(f"{SHOP}/checkout/cart/", _CART_NAMES,
                           must_include=sample.truth["answer"])]

    def steps(self, sample, page):
        number = sample.params["number"]
        page = yield from _open_my_orders(page)
        page = yield act(click(order_row(page, number)["reorder"]),
                         f"The Reorder button of order #{number} puts its items in the cart.")
        expect_text(page, f"You added the items of order # {number}")
        yield finish(f"The items of order #{number} are in the cart.")


class ChangeEmail(_ShopTemplate, EditTemplate):
    """Change the account's email (account information form, with the current password)."""

    id = "shopping/change_email"
    intent_template = ("Change the email address of my account to {{email}}. My current "
                       "password is {{password}}.")
    difficulty = "medium"
    unseen = True

    def sample(self, rng, db):
        first = rng.choice(("emma", "emma.l", "e.lopez", "emmalopez", "lopez.emma"))
        email = f"{first}{rng.randint(1, 99)}@{rng.choice(vocab.EMAIL_DOMAINS)}"
        if db.execute("SELECT 1 FROM customers WHERE lower(email) = ?", (email,)).fetchone():
            return None
        old = db.execute("SELECT email FROM customers WHERE id = ?", (_emma(db),)).fetchone()[0]
        return Sample({"email": email, "password": DEFAULT_CUSTOMER_PASSWORD}, {"old": old})

    def checks(self, sample):
        return [html_check(
            f"{SHOP}/customer/account/",
            "document.querySelector('.box-information .box-content').outerText",
            must_include=[sample.params["email"]], must_exclude=[sample.truth["old"]])]

    def steps(self, sample, page):
        email = sample.params["email"]
        page = yield act(click(page.link("My Account", exact=True)), "Open My Account.")
        page = yield act(click(page.link("Account Information", exact=True)),
                         "The email is edited under Account Information.")
        page = yield act(type_text(page.field("email"), email), f"Enter the new email {email}.")
        page = yield act(type_text(page.field("current_password"), sample.params["password"]),
                         "Changing the email needs the current password.")
        page = yield act(click(page.button("Save")), "Save the account information.")
        expect_text(page, "You saved the account information")
        yield finish(f"The account's email is now {email}.")


TEMPLATES: list[type[TaskTemplate]] = [
    # information seeking
    LatestOrderTotal,
    OrderStatus,
    SpendInMonth,
    OrdersInPeriod,
    UnitsInPeriod,
    OrderProducts,
    LastPurchaseDate,
    PriceRange,
    ReviewCount,
    ExtremeInCategory,
    CountUnderPrice,
    ComparePrices,
    ReviewersMentioning,
    # navigation
    SearchFor,
    CategorySorted,
    SearchSorted,
    MostReviewedProduct,
    # changes of state
    WishlistAdd,
    WishlistRemove,
    CartAddWithOptions,
    CartUpdateQty,
    Checkout,
    CancelPendingOrder,
    AddAddress,
    ChangeAddressPhone,
    WriteReview,
    Reorder,
    ChangeEmail,
]
