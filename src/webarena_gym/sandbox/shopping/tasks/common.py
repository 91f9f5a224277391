"""What the storefront's templates share: formats, page readers, the samplers' queries of the
store, the oracles' building blocks (open a product, My Orders, a category; sort a listing) and
their base class.
"""

from __future__ import annotations

import json
import re
import sqlite3
from datetime import date, datetime
from typing import Any

from lxml import html as lxml_html

from webarena_gym.sandbox.store import vocab
from webarena_gym.sandbox.store.catalog import search_products
from webarena_gym.sandbox.store.generate import default_customer_id
from webarena_gym.sandbox.templates.base import ScriptedTemplate, Steps, act, click, search, select
from webarena_gym.sandbox.templates.page import OracleError, Page, normalize_space

SITE = "shopping"
SHOP = "__SHOPPING__"
GRID_PAGE = 12  # products per page of a listing (the shop's default)
STATUS_LABELS = {"pending": "Pending", "processing": "Processing", "complete": "Complete",
                 "canceled": "Canceled", "closed": "Closed", "on hold": "On Hold"}

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


# -- the base class of the site's templates -------------------------------------------------------


class _ShopTemplate(ScriptedTemplate):
    """A storefront task as the signed-in default customer, from the home page."""

    sites = (SITE,)
