"""Cross-site task templates: facts read on one site, followed by a link onto another.

The action grammar has no "go to URL" and no tab switching, so every template here crosses
sites the way a person does in one tab: by following a link that one site shows to another.
The sandbox has two such links:

* a forum link post in f/deals (and others) points at a product page of the shop;
* the admin's product form has a "View in store" link to the storefront product page.

Each template starts on the first site of ``sites`` and ends on the second.
"""

from __future__ import annotations

import re
import sqlite3

from webarena_gym.sandbox.store.catalog import effective_price
from webarena_gym.sandbox.templates.base import (
    AnswerTemplate,
    Sample,
    Steps,
    act,
    amount,
    click,
)
from webarena_gym.sandbox.templates.page import OracleError, Page

SHOP_PREFIX = "__SHOPPING__/"


# -- sampling helpers -----------------------------------------------------------------------------


def _linked_products(db: sqlite3.Connection) -> list[sqlite3.Row]:
    """Forum posts linking to an enabled shop product whose title is unique, with the product."""
    rows = db.execute(
        "SELECT p.id AS post_id, p.title, f.name AS forum, p.url, pr.id AS product_id, "
        "pr.name AS product, pr.price, pr.special_price "
        "FROM posts p JOIN forums f ON f.id = p.forum_id "
        "JOIN products pr ON p.url = ? || pr.url_key || '.html' "
        "WHERE pr.status = 1 AND (SELECT count(*) FROM posts q WHERE q.title = p.title) = 1 "
        "ORDER BY p.id", (SHOP_PREFIX,)).fetchall()
    return rows


def _reviews(db: sqlite3.Connection, product_id: int) -> list[int]:
    return [r[0] for r in db.execute(
        "SELECT rating FROM reviews WHERE product_id = ? AND status = 'approved'",
        (product_id,))]


def _average(ratings: list[int]) -> str:
    return f"{round(sum(ratings) / len(ratings), 1)}"


# -- page readers ---------------------------------------------------------------------------------


def product_price(page: Page) -> str:
    """The price a product page charges (the special price when there is one), ``1,234.50``."""
    for element in page.root.iter():
        if not isinstance(element.tag, str):
            continue
        if "price-box" in (element.get("class") or ""):
            prices = re.findall(r"\$([\d,]+\.\d\d)", element.text_content())
            if prices:
                return prices[0]
    match = re.search(r"\$([\d,]+\.\d\d)", page.text.split("Add to Cart")[0].split(
        "Reviews (")[0][-400:])
    if match is None:
        raise OracleError(f"no price on {page.url}: {page.text[:300]}")
    return match.group(1)


def review_summary(page: Page) -> tuple[str, str]:
    """``(average, count)`` from a product page (``"4.3"``, ``"12"``); ``("", "0")`` if none."""
    count = re.search(r"Reviews \((\d+)\)", page.text)
    if count is None:
        raise OracleError(f"no review count on {page.url}")
    average = re.search(r"([\d.]+) out of 5 stars", page.text)
    return (average.group(1) if average else "", count.group(1))


def _follow_post_link(page: Page, url_key: str, title: str) -> str:
    """The number of the post's link to the shop (its URL shown under the title)."""
    for element in page.elements("a"):
        if url_key in element.text_content() or url_key in (element.get("href") or ""):
            return str(element.get("id"))
    raise OracleError(f"no link to the shop in the post {title!r} on {page.url}")


# -- templates ------------------------------------------------------------------------------------


class _ForumToShop(AnswerTemplate):
    """Start on a forum post that links to a shop product; follow the link."""

    sites = ("reddit", "shopping")
    start_path = "/f/{{forum}}/{{post_id}}"

    def _pick(self, rng, db, with_reviews: bool = False) -> sqlite3.Row | None:
        rows = _linked_products(db)
        if with_reviews:
            rows = [r for r in rows if _reviews(db, r["product_id"])]
        return rng.choice(rows) if rows else None

    def _to_product(self, sample: Sample, page: Page) -> Steps:
        key = sample.truth["url_key"]
        page = yield act(click(_follow_post_link(page, key, sample.params["title"])),
                         "The post links to the product in the shop; follow the link.")
        return page


class ForumDealPrice(_ForumToShop):
    """The shop's current price of the product a forum post links to."""

    id = "cross_site/forum_deal_price"
    intent_template = ("The post \"{{title}}\" in f/{{forum}} links to a product in One Stop "
                       "Market. What does that product cost in the shop right now?")
    difficulty = "easy"

    def sample(self, rng, db):
        row = self._pick(rng, db)
        if row is None:
            return None
        key = row["url"][len(SHOP_PREFIX):-len(".html")]
        return Sample({"title": row["title"], "forum": row["forum"], "post_id": row["post_id"]},
                      {"answer": amount(effective_price(row)), "product": row["product"],
                       "url_key": key})

    def steps(self, sample, page):
        page = yield from self._to_product(sample, page)
        price = product_price(page)
        yield self.reply(sample, price, f"The product page shows the price ${price}.",
                         say=f"${price}")


class ForumDealReviews(_ForumToShop):
    """Average rating and number of reviews of the product a forum post links to."""

    id = "cross_site/forum_deal_reviews"
    intent_template = ("Someone in f/{{forum}} posted \"{{title}}\". How many reviews does the "
                       "linked product have in One Stop Market, and what is its average rating "
                       "out of 5?")
    difficulty = "medium"
    unseen = True

    def sample(self, rng, db):
        row = self._pick(rng, db, with_reviews=True)
        if row is None:
            return None
        ratings = _reviews(db, row["product_id"])
        key = row["url"][len(SHOP_PREFIX):-len(".html")]
        return Sample({"title": row["title"], "forum": row["forum"], "post_id": row["post_id"]},
                      {"answer": [str(len(ratings)), _average(ratings)],
                       "product": row["product"], "url_key": key})

    def steps(self, sample, page):
        page = yield from self._to_product(sample, page)
        average, count = review_summary(page)
        yield self.reply(sample, [count, average], f"The product page shows {count} reviews "
                         f"averaging {average} stars.",
                         say=f"{count} reviews, average rating {average} out of 5")


class _AdminToStore(AnswerTemplate):
    """Start on the admin's form of a product; its "View in store" link opens the storefront."""

    sites = ("shopping_admin", "shopping")
    start_path = "/catalog/product/edit/id/{{product_id}}/"

    def _to_store(self, page: Page) -> Steps:
        page = yield act(click(page.link("View in store")),
                         "The product form links to the storefront page.")
        return page


class AdminProductStoreReviews(_AdminToStore):
    """From the admin's product form, open the storefront page and count its reviews."""

    id = "cross_site/admin_product_store_reviews"
    intent_template = ("Starting from the admin page of product #{{product_id}}, view it in the "
                       "store: how many customer reviews does its storefront page list?")
    difficulty = "medium"

    def sample(self, rng, db):
        rows = db.execute("SELECT id FROM products WHERE status = 1 ORDER BY id").fetchall()
        if not rows:
            return None
        product_id = rng.choice(rows)["id"]
        n = len(_reviews(db, product_id))
        return Sample({"product_id": product_id}, {"answer": str(n)})

    def steps(self, sample, page):
        page = yield from self._to_store(page)
        _, count = review_summary(page)
        yield self.reply(sample, count, f"The storefront page lists {count} reviews.")


class AdminProductStorePrice(_AdminToStore):
    """From the admin's product form, the price a shopper pays in the store."""

    id = "cross_site/admin_product_store_price"
    intent_template = ("What price does a shopper see in the store for product #{{product_id}} "
                       "of the admin catalog? Check its storefront page.")
    difficulty = "easy"

    def sample(self, rng, db):
        rows = db.execute("SELECT * FROM products WHERE status = 1 AND special_price IS NOT NULL "
                          "AND special_price < price ORDER BY id").fetchall()
        if not rows:
            rows = db.execute("SELECT * FROM products WHERE status = 1 ORDER BY id").fetchall()
        if not rows:
            return None
        row = rng.choice(rows)
        return Sample({"product_id": row["id"]}, {"answer": amount(effective_price(row))})

    def steps(self, sample, page):
        page = yield from self._to_store(page)
        price = product_price(page)
        yield self.reply(sample, price, f"The storefront page charges ${price}.", say=f"${price}")


TEMPLATES = [ForumDealPrice, ForumDealReviews, AdminProductStoreReviews, AdminProductStorePrice]
