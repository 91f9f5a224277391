"""Marketing > reviews: counting, approving and deleting them."""

from __future__ import annotations

import re

from webarena_gym.sandbox.shopping_admin.tasks.common import (
    ADMIN,
    _AdminTemplate,
    _pick_product,
    _value_of,
    records_found,
    table_rows,
)
from webarena_gym.sandbox.templates.base import (
    AnswerTemplate,
    EditTemplate,
    Sample,
    act,
    click,
    expect_equal,
    expect_text,
    finish,
    html_check,
    select,
    type_text,
)
from webarena_gym.sandbox.templates.page import OracleError


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
