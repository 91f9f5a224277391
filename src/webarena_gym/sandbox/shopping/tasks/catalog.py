"""The catalogue: searches, category listings, prices, reviews; writing a review."""

from __future__ import annotations

import re

from webarena_gym.sandbox.shopping.tasks.common import (
    GRID_PAGE,
    SHOP,
    _all_kinds,
    _categories,
    _category_path,
    _emma,
    _js,
    _kind_queries,
    _open_category,
    _open_product,
    _pick_product,
    _ShopTemplate,
    _sort,
    _to_float,
    card_of,
    product_cards,
    product_reviews,
)
from webarena_gym.sandbox.store import vocab
from webarena_gym.sandbox.store.catalog import category_products, effective_price, search_products
from webarena_gym.sandbox.templates.base import (
    AnswerTemplate,
    EditTemplate,
    NavigationTemplate,
    Sample,
    act,
    amount,
    click,
    expect_equal,
    expect_text,
    finish,
    html_check,
    search,
    type_text,
)
from webarena_gym.sandbox.templates.page import OracleError


def _mentions(text: str, phrase: str) -> bool:
    return re.search(r"\b" + re.escape(phrase.lower()) + r"\b", text.lower()) is not None


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
