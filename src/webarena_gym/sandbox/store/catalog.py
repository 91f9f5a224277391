"""Store rules shared by the generator, the storefront and the admin: search, shipping, prices.

One implementation each, so that the seeded ``search_terms.results``, the shop's search page and
the task samplers always agree.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

#: shipping method code -> the label stored in ``orders.shipping_method``
SHIPPING_METHODS: dict[str, str] = {
    "flatrate": "Flat Rate - Fixed",
    "tablerate": "Best Way - Table Rate",
}
PAYMENT_METHOD = "Check / Money order"
FLAT_RATE_PER_ITEM = 5.0
#: (subtotal below, cost) for the Best Way table rate; free from $100
TABLE_RATES: tuple[tuple[float, float], ...] = ((50.0, 15.0), (100.0, 10.0))

#: the store's "now": new orders and reviews are dated from here on (seeded data ends before)
STORE_OPENS_NOW = "2023-06-01 09:00:00"
DATE_FORMAT = "%Y-%m-%d %H:%M:%S"


def slugify(text: str) -> str:
    """A URL key: ``"Home & Kitchen"`` -> ``"home-kitchen"``."""
    text = text.lower().replace("'", "").replace("&", " ")
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def effective_price(row: Mapping[str, Any]) -> float:
    """What a product sells for now: its special price when set and lower, else its price."""
    special = row["special_price"]
    return float(special) if special is not None and special < row["price"] else float(row["price"])


def shipping_amount(method: str, subtotal: float, qty: int) -> float:
    """The shipping cost of an order: ``flatrate`` is $5 per item, ``tablerate`` by subtotal."""
    if method == "flatrate":
        return round(FLAT_RATE_PER_ITEM * qty, 2)
    if method == "tablerate":
        for below, cost in TABLE_RATES:
            if subtotal < below:
                return cost
        return 0.0
    raise ValueError(f"unknown shipping method {method!r}; expected one of {list(SHIPPING_METHODS)}")


def format_address(a: Mapping[str, Any]) -> str:
    """An address row as the multi-line text orders store (name, street, city, country, phone)."""
    return (f"{a['first_name']} {a['last_name']}\n{a['street']}\n"
            f"{a['city']}, {a['region']}, {a['postcode']}\n{a['country']}\nT: {a['phone']}")


def search_tokens(query: str) -> list[str]:
    """The lower-cased words of a search query."""
    return [t for t in re.split(r"\s+", query.lower().strip()) if t]


def _like(token: str) -> str:
    return "%" + token.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def search_clause(query: str) -> tuple[str, list[str]]:
    """SQL ``WHERE`` text and parameters for the shop's search over ``products p``.

    A product matches when every word of the query occurs in its name or description
    (case-insensitive) and it is enabled. Empty queries match nothing.
    """
    tokens = search_tokens(query)
    if not tokens:
        return "0", []
    parts, params = ["p.status = 1"], []
    for t in tokens:
        parts.append("(lower(p.name) LIKE ? ESCAPE '\\' OR lower(p.description) LIKE ? ESCAPE '\\')")
        params += [_like(t), _like(t)]
    return " AND ".join(parts), params


def search_relevance(query: str) -> tuple[str, list[str]]:
    """SQL expression (and parameters) scoring a match: query words found in the name count most."""
    tokens = search_tokens(query)
    if not tokens:
        return "p.id", []
    expr = " + ".join("(lower(p.name) LIKE ? ESCAPE '\\')" for _ in tokens)
    return f"({expr})", [_like(t) for t in tokens]


#: SQL for what a product ``p`` sells for (its special price when lower)
PRICE_SQL = ("(CASE WHEN p.special_price IS NOT NULL AND p.special_price < p.price "
             "THEN p.special_price ELSE p.price END)")


def order_clause(order: str, direction: str, relevance: str | None = None) -> str:
    """The shop's ``ORDER BY`` for a product listing over ``products p``.

    ``order`` is ``position`` (catalogue order), ``name``, ``price`` (the price it sells for) or
    ``relevance`` (searches: the SQL of :func:`search_relevance`; its parameters come last);
    ``direction`` is ``asc`` or ``desc``. Ties keep catalogue order.
    """
    desc = "DESC" if direction == "desc" else "ASC"
    if order == "name":
        return f"p.name {desc}, p.id"
    if order == "price":
        return f"{PRICE_SQL} {desc}, p.id"
    if order == "relevance" and relevance:
        return f"{relevance} {desc}, p.id"
    return f"p.id {desc}"


def search_products(conn: sqlite3.Connection, query: str, order: str = "relevance",
                    direction: str = "desc") -> list[sqlite3.Row]:
    """Every product the shop's search lists for ``query``, in the order it lists them."""
    where, params = search_clause(query)
    relevance, rel_params = search_relevance(query)
    return conn.execute(
        f"SELECT p.* FROM products p WHERE {where} ORDER BY "
        f"{order_clause(order, direction, relevance)}",
        params + (rel_params if order == "relevance" else [])).fetchall()


def category_products(conn: sqlite3.Connection, category_id: int, order: str = "position",
                      direction: str = "asc") -> list[sqlite3.Row]:
    """Every product a category page lists (its own and its subcategories'), in shop order."""
    return conn.execute(
        "SELECT p.* FROM products p WHERE p.status = 1 AND p.category_id IN "
        "(SELECT id FROM categories WHERE id = ? OR parent_id = ?) "
        f"ORDER BY {order_clause(order, direction)}", (category_id, category_id)).fetchall()


def count_search_results(conn: sqlite3.Connection, query: str) -> int:
    """How many products the shop's search finds for ``query``."""
    where, params = search_clause(query)
    return conn.execute(f"SELECT count(*) FROM products p WHERE {where}", params).fetchone()[0]


def store_now(conn: sqlite3.Connection) -> str:
    """The timestamp for a new order, comment or review: after everything already stored."""
    latest = conn.execute(
        "SELECT max(t) FROM (SELECT max(created_at) AS t FROM orders "
        "UNION ALL SELECT max(created_at) FROM order_comments "
        "UNION ALL SELECT max(created_at) FROM reviews)"
    ).fetchone()[0]
    if not latest or latest < STORE_OPENS_NOW:
        return STORE_OPENS_NOW
    return (datetime.strptime(latest, DATE_FORMAT) + timedelta(minutes=7)).strftime(DATE_FORMAT)


def next_increment_id(conn: sqlite3.Connection) -> str:
    """The order number the next order gets (``'000003001'``)."""
    last = conn.execute("SELECT max(CAST(increment_id AS INTEGER)) FROM orders").fetchone()[0]
    return f"{(last or 0) + 1:09d}"
