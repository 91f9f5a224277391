"""Marketing > All Reviews: the reviews grid, pending reviews, review editing and moderation.

The status select uses Magento's ids: 1 Approved, 2 Pending, 3 Not Approved.
"""

from __future__ import annotations

import sqlite3

from starlette.requests import Request
from starlette.responses import Response

from webarena_gym.sandbox.common import Message, db, drops_blank_params, read_form
from webarena_gym.sandbox.shopping_admin.formatting import REVIEW_STATUSES
from webarena_gym.sandbox.shopping_admin.grid import Column, Filter, GridSpec, options, run_grid
from webarena_gym.sandbox.shopping_admin.web import BASE, NOT_FOUND, site

STATUS_IDS = {"1": "approved", "2": "pending", "3": "not_approved"}
STATUS_ID_OF = {status: sid for sid, status in STATUS_IDS.items()}
MASS_ACTIONS = {"approve": "Update Status: Approved", "pending": "Update Status: Pending",
                "not_approve": "Update Status: Not Approved", "delete": "Delete"}
_MASS_STATUS = {"approve": "approved", "pending": "pending", "not_approve": "not_approved"}


def _reviews_grid(base_where: str = "") -> GridSpec:
    return GridSpec(
        select="r.id, r.created_at, r.status, r.title, r.nickname, r.detail, r.rating, "
        "r.customer_id, p.id AS product_id, p.name AS product_name, p.sku",
        source="reviews r JOIN products p ON p.id = r.product_id",
        columns=(
            Column("id", "ID", "r.id"),
            Column("created_at", "Created", "r.created_at"),
            Column("status", "Status", "r.status"),
            Column("title", "Title", "r.title"),
            Column("nickname", "Nickname", "r.nickname"),
            Column("detail", "Review"),
            Column("rating", "Rating", "r.rating"),
            Column("type", "Type"),
            Column("product", "Product", "p.name"),
            Column("sku", "SKU", "p.sku"),
            Column("action", "Action"),
        ),
        filters=(
            *(() if base_where else (
                Filter("status", "Status", "r.status", "select",
                       options(list(REVIEW_STATUSES), REVIEW_STATUSES)),)),
            Filter("rating", "Rating", "CAST(r.rating AS TEXT)", "select",
                   tuple((str(n), f"{n} star{'s' if n > 1 else ''}") for n in range(1, 6))),
            Filter("product", "Product", "p.name"),
            Filter("sku", "SKU", "p.sku"),
            Filter("nickname", "Nickname", "r.nickname"),
            Filter("title", "Title", "r.title"),
            Filter("created_at", "Created", "r.created_at", "date_range"),
        ),
        keyword_sql=("r.title", "r.detail"),
        keyword_label="Search by keyword in title or review",
        default_sort="created_at",
        default_dir="desc",
        tiebreak_sql="r.id DESC",
        base_where=base_where,
    )


REVIEWS_GRID = _reviews_grid()
PENDING_REVIEWS_GRID = _reviews_grid("r.status = 'pending'")


async def _reviews_page(request: Request, spec: GridSpec, title: str) -> Response:
    grid = run_grid(db(request), spec, request.query_params, request.url.path)
    return site.render(request, "reviews.html", grid=grid, title=title, mass_actions=MASS_ACTIONS)


@site.login_required
@drops_blank_params
async def reviews_grid(request: Request) -> Response:
    """``/admin/review/product/``: all reviews."""
    return await _reviews_page(request, REVIEWS_GRID, "Reviews")


@site.login_required
@drops_blank_params
async def pending_reviews_grid(request: Request) -> Response:
    """``/admin/review/product/pending/``: reviews waiting for moderation."""
    return await _reviews_page(request, PENDING_REVIEWS_GRID, "Pending Reviews")


def _review(request: Request) -> sqlite3.Row | None:
    return db(request).execute(
        "SELECT r.*, p.name AS product_name, p.sku, c.first_name, c.last_name "
        "FROM reviews r JOIN products p ON p.id = r.product_id "
        "LEFT JOIN customers c ON c.id = r.customer_id WHERE r.id = ?",
        (request.path_params["review_id"],)).fetchone()


def _render_review(request: Request, review: sqlite3.Row, values: dict[str, object],
                   errors: list[str], status_code: int = 200) -> Response:
    return site.render(request, "review_edit.html", status_code=status_code, review=review,
                       values=values, statuses=STATUS_IDS,
                       messages=[Message("error", e) for e in errors])


@site.login_required
async def review_edit(request: Request) -> Response:
    """``/admin/review/product/edit/id/N/``: the review form."""
    review = _review(request)
    if review is None:
        return site.error(request, NOT_FOUND, what="The review you requested does not exist.")
    values = {"status_id": STATUS_ID_OF.get(review["status"], "2"), "nickname": review["nickname"],
              "title": review["title"], "detail": review["detail"],
              "rating": str(review["rating"])}
    return _render_review(request, review, values, [])


@site.login_required
@site.writes
async def review_save(request: Request) -> Response:
    """POST ``/admin/review/product/save/id/N/``: save status, nickname, title, detail, rating."""
    conn = db(request)
    review = _review(request)
    if review is None:
        return site.error(request, NOT_FOUND, what="The review you requested does not exist.")
    form = await read_form(request)
    current = {"status_id": STATUS_ID_OF.get(review["status"], "2"),
               "nickname": review["nickname"], "title": review["title"],
               "detail": review["detail"], "rating": str(review["rating"])}
    values = {k: form.field(k) if k in form else v for k, v in current.items()}
    errors = [f"{label} is a required field." for key, label in
              (("nickname", "Nickname"), ("title", "Summary of Review"), ("detail", "Review"))
              if not values[key]]
    if values["status_id"] not in STATUS_IDS:
        errors.append("Status: please choose a status.")
    if values["rating"] not in ("1", "2", "3", "4", "5"):
        errors.append("Rating: please choose 1 to 5 stars.")
    if errors:
        return _render_review(request, review, values, errors, 400)
    conn.execute("UPDATE reviews SET status = ?, nickname = ?, title = ?, detail = ?, rating = ? "
                 "WHERE id = ?", (STATUS_IDS[values["status_id"]], values["nickname"],
                                  values["title"], values["detail"], int(values["rating"]),
                                  review["id"]))
    conn.commit()
    return site.redirect(f"{BASE}/review/product/", "You saved the review.")


@site.login_required
@site.writes
async def review_delete(request: Request) -> Response:
    """POST ``/admin/review/product/delete/id/N/``: delete the review."""
    conn = db(request)
    review = _review(request)
    if review is None:
        return site.error(request, NOT_FOUND, what="The review you requested does not exist.")
    conn.execute("DELETE FROM reviews WHERE id = ?", (review["id"],))
    conn.commit()
    return site.redirect(f"{BASE}/review/product/", "The review has been deleted.")


@site.login_required
@site.writes
async def reviews_mass_action(request: Request) -> Response:
    """POST ``/admin/review/product/massAction/``: approve/pend/reject/delete checked reviews."""
    conn = db(request)
    form = await read_form(request)
    back = form.field("back")
    back = back if back.startswith(f"{BASE}/review/product/") else f"{BASE}/review/product/"
    ids = [int(v) for v in form.getlist("reviews[]") if v.isdigit()]
    action = form.field("massaction")
    if not ids:
        return site.redirect(back, "Please select review(s).", "error")
    if action not in MASS_ACTIONS:
        return site.redirect(back, "Please select an action.", "error")
    marks = ",".join("?" * len(ids))
    if action == "delete":
        count = conn.execute(f"DELETE FROM reviews WHERE id IN ({marks})", ids).rowcount
        conn.commit()
        return site.redirect(back, f"A total of {count} record(s) have been deleted.")
    count = conn.execute(f"UPDATE reviews SET status = ? WHERE id IN ({marks})",
                         [_MASS_STATUS[action], *ids]).rowcount
    conn.commit()
    return site.redirect(back, f"A total of {count} record(s) have been updated.")
