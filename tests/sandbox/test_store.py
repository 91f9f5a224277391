"""The seeded store data: deterministic, in range, consistent, with Emma's history."""

from __future__ import annotations

import json
import sqlite3
import time
from importlib import resources

import pytest

from webarena_gym.sandbox.store import (
    DEFAULT_CUSTOMER_EMAIL,
    DEFAULT_CUSTOMER_PASSWORD,
    ORDER_STATUSES,
    count_search_results,
    default_customer_id,
    generate_store,
    shipping_amount,
)

TABLES = ("categories", "products", "customers", "addresses", "orders", "order_items",
          "order_comments", "reviews", "cart_items", "wishlist_items", "search_terms",
          "admin_users")


def build(seed: int) -> sqlite3.Connection:
    schema = resources.files("webarena_gym.sandbox.store").joinpath("schema.sql").read_text()
    conn = sqlite3.connect(":memory:")
    conn.row_factory = sqlite3.Row
    conn.executescript(schema)
    start = time.perf_counter()
    generate_store(conn, seed)
    print(f"generate_store(seed={seed}): {time.perf_counter() - start:.3f} s")
    return conn


@pytest.fixture(scope="module")
def db() -> sqlite3.Connection:
    return build(0)


def dump(conn: sqlite3.Connection) -> dict[str, list[tuple]]:
    return {t: [tuple(r) for r in conn.execute(f"SELECT * FROM {t} ORDER BY id")] for t in TABLES}


def test_same_seed_same_rows_and_other_seed_differs(db):
    assert dump(build(0)) == dump(db)
    other = dump(build(1))
    assert other["products"] != dump(db)["products"]
    assert other["orders"] != dump(db)["orders"]


def count(db, sql, *params):
    return db.execute(sql, params).fetchone()[0]


def test_counts_in_range(db):
    assert count(db, "SELECT count(*) FROM categories WHERE parent_id IS NULL") == 8
    assert count(db, "SELECT count(*) FROM categories WHERE parent_id IS NOT NULL") >= 25
    assert 400 <= count(db, "SELECT count(*) FROM products") <= 600
    assert 140 <= count(db, "SELECT count(*) FROM customers") <= 160
    assert 2800 <= count(db, "SELECT count(*) FROM orders") <= 3200
    assert 1800 <= count(db, "SELECT count(*) FROM reviews") <= 2200
    assert 180 <= count(db, "SELECT count(*) FROM search_terms") <= 220
    assert count(db, "SELECT count(*) FROM admin_users WHERE username='admin' "
                     "AND password='admin1234'") == 1
    # some variety the tasks rely on
    assert count(db, "SELECT count(*) FROM products WHERE special_price IS NOT NULL") > 20
    assert count(db, "SELECT count(*) FROM products WHERE is_in_stock = 0") > 5
    assert count(db, "SELECT count(*) FROM products WHERE status = 2") > 0
    assert count(db, "SELECT count(*) FROM products WHERE sizes IS NOT NULL") > 20
    statuses = {r[0] for r in db.execute("SELECT DISTINCT status FROM orders")}
    assert statuses == set(ORDER_STATUSES)
    first, last = db.execute("SELECT min(created_at), max(created_at) FROM orders").fetchone()
    assert first.startswith("2021-01") and last.startswith("2023-05")
    assert count(db, "SELECT count(*) FROM reviews WHERE status='pending'") > 50


def test_ratings_skew_positive(db):
    avg = count(db, "SELECT avg(rating) FROM reviews")
    assert 3.5 < avg < 4.5
    assert count(db, "SELECT count(*) FROM reviews WHERE detail LIKE '%battery life%'") > 10


def test_order_totals_consistent(db):
    rows = db.execute(
        "SELECT o.id, o.subtotal, o.shipping_amount, o.discount_amount, o.grand_total, "
        "o.shipping_method, sum(i.price * i.qty) AS items, sum(i.qty) AS qty, count(i.id) AS n "
        "FROM orders o JOIN order_items i ON i.order_id = o.id GROUP BY o.id").fetchall()
    assert len(rows) == count(db, "SELECT count(*) FROM orders")
    for r in rows:
        assert 1 <= r["n"] <= 4
        assert r["subtotal"] == pytest.approx(r["items"], abs=0.005)
        assert r["grand_total"] == pytest.approx(
            r["subtotal"] + r["shipping_amount"] - r["discount_amount"], abs=0.005)
        method = "flatrate" if r["shipping_method"].startswith("Flat") else "tablerate"
        assert r["shipping_amount"] == shipping_amount(method, r["subtotal"], r["qty"])
    increments = [r[0] for r in db.execute("SELECT increment_id FROM orders ORDER BY created_at")]
    assert increments == sorted(increments)


def test_emma_history(db):
    emma = db.execute("SELECT * FROM customers WHERE email=?", (DEFAULT_CUSTOMER_EMAIL,)).fetchone()
    assert emma["password"] == DEFAULT_CUSTOMER_PASSWORD
    assert (emma["first_name"], emma["last_name"]) == ("Emma", "Lopez")
    assert default_customer_id(db) == emma["id"]
    orders = db.execute("SELECT status, created_at FROM orders WHERE customer_id=?",
                        (emma["id"],)).fetchall()
    assert 15 <= len(orders) <= 30
    assert {o["status"] for o in orders} == set(ORDER_STATUSES)
    assert sum(o["status"] == "pending" for o in orders) >= 3
    assert {o["created_at"][:4] for o in orders} == {"2021", "2022", "2023"}
    assert 2 <= count(db, "SELECT count(*) FROM addresses WHERE customer_id=?", emma["id"]) <= 3
    assert count(db, "SELECT count(*) FROM wishlist_items WHERE customer_id=?", emma["id"]) >= 3
    assert count(db, "SELECT count(*) FROM cart_items WHERE customer_id=?", emma["id"]) >= 1
    assert 2 <= count(db, "SELECT count(*) FROM reviews WHERE customer_id=?", emma["id"]) <= 3
    options = [json.loads(r[0]) for r in db.execute(
        "SELECT options FROM cart_items WHERE customer_id=? AND options IS NOT NULL",
        (emma["id"],))]
    assert options and set(options[0]) == {"Color", "Size"}


def test_search_term_results_match_the_shop_search(db):
    for query, results in db.execute("SELECT query, results FROM search_terms"):
        assert results == count_search_results(db, query), query


def test_urls_and_categories(db):
    for key, parent in db.execute("SELECT c.url_key, p.url_key FROM categories c "
                                  "JOIN categories p ON p.id = c.parent_id"):
        assert key.startswith(parent + "/")
    assert count(db, "SELECT count(*) FROM products WHERE url_key GLOB '*[^a-z0-9-]*'") == 0
    leaf = count(db, "SELECT count(*) FROM products p JOIN categories c ON c.id = p.category_id "
                     "WHERE c.parent_id IS NULL")
    assert leaf == 0


def test_listing_helpers_match_the_shop_order(db):
    from webarena_gym.sandbox.store import category_products, search_products

    by_price = search_products(db, "coffee", "price", "asc")
    assert len(by_price) == count_search_results(db, "coffee")
    prices = [p["special_price"] if p["special_price"] is not None and
              p["special_price"] < p["price"] else p["price"] for p in by_price]
    assert prices == sorted(prices)
    relevant = search_products(db, "coffee maker")
    assert all("coffee" in p["name"].lower() for p in relevant[:5])
    top = db.execute("SELECT id FROM categories WHERE parent_id IS NULL LIMIT 1").fetchone()[0]
    names = [p["name"] for p in category_products(db, top, "name", "asc")]
    assert names == sorted(names) and len(names) > 40
