"""Sales > Orders: the orders grid, the order page and its actions (cancel, hold, invoice, ...).

Order workflow (kept small but consistent): ``pending`` -Invoice-> ``processing`` -Ship->
``complete``; Cancel from pending or processing; Hold from pending or processing and Unhold back
to the status it had (remembered by the "Order put on hold." comment that Hold writes).
"""

from __future__ import annotations

import json
import sqlite3

from starlette.requests import Request
from starlette.responses import Response

from webarena_gym.sandbox.common import Endpoint, db, drops_blank_params, read_form
from webarena_gym.sandbox.shopping_admin.formatting import ORDER_STATUSES
from webarena_gym.sandbox.shopping_admin.grid import Column, Filter, GridSpec, options, run_grid
from webarena_gym.sandbox.shopping_admin.web import BASE, NOT_FOUND, site
from webarena_gym.sandbox.store.catalog import store_now

ORDERS_GRID = GridSpec(
    select="o.id, o.increment_id, o.created_at, o.customer_name, o.customer_email, "
    "o.shipping_address, o.grand_total, o.status",
    source="orders o",
    columns=(
        Column("increment_id", "ID", "o.increment_id"),
        Column("created_at", "Purchase Date", "o.created_at"),
        Column("billing_name", "Bill-to Name", "o.customer_name"),
        Column("shipping_name", "Ship-to Name"),
        Column("customer_email", "Customer Email", "o.customer_email"),
        Column("grand_total", "Grand Total", "o.grand_total"),
        Column("status", "Status", "o.status"),
        Column("action", "Action"),
    ),
    filters=(
        Filter("status", "Status", "o.status", "select", options(list(ORDER_STATUSES),
                                                                   ORDER_STATUSES)),
        Filter("created_at", "Purchase Date", "o.created_at", "date_range"),
        Filter("grand_total", "Grand Total", "o.grand_total", "number_range"),
        Filter("billing_name", "Bill-to Name", "o.customer_name"),
    ),
    keyword_sql=("o.increment_id", "o.customer_name", "o.customer_email"),
    keyword_label="Search by order #, customer name or email",
    default_sort="created_at",
    default_dir="desc",
    tiebreak_sql="o.id DESC",
)

# action -> (statuses it applies to, the status it leads to, success message)
ORDER_ACTIONS: dict[str, tuple[tuple[str, ...], str, str]] = {
    "cancel": (("pending", "processing"), "canceled", "You canceled the order."),
    "hold": (("pending", "processing"), "on hold", "You put the order on hold."),
    "unhold": (("on hold",), "", "You released the order from holding status."),
    "invoice": (("pending",), "processing", "The invoice has been created."),
    "ship": (("processing",), "complete", "The shipment has been created."),
}
HOLD_COMMENT = "Order put on hold."
# statuses the comment form offers: the current one and the natural next step
COMMENT_STATUSES: dict[str, tuple[str, ...]] = {
    "pending": ("pending", "processing"),
    "processing": ("processing", "complete"),
}


def first_line(address: str) -> str:
    """The first line of a formatted address: the addressee's name."""
    return (address or "").strip().splitlines()[0].strip() if (address or "").strip() else ""


def available_actions(status: str) -> list[str]:
    """The order actions allowed in ``status``."""
    return [name for name, (sources, _, _) in ORDER_ACTIONS.items() if status in sources]


def apply_order_action(conn: sqlite3.Connection, order: sqlite3.Row, action: str) -> str:
    """Apply ``action`` to ``order`` and commit; returns the new status.

    Raises:
        ValueError: the action does not apply to the order's status (message fit for a page).
    """
    sources, target, _ = ORDER_ACTIONS[action]
    status = order["status"]
    if status not in sources:
        raise ValueError(f"You cannot {action} an order with status "
                         f"{ORDER_STATUSES.get(status, status)}.")
    if action == "hold":
        conn.execute("INSERT INTO order_comments (order_id, comment, status, notify_customer, "
                     "created_at) VALUES (?, ?, ?, 0, ?)",
                     (order["id"], HOLD_COMMENT, status, store_now(conn)))
    if action == "unhold":
        before = conn.execute(
            "SELECT status FROM order_comments WHERE order_id = ? AND comment = ? "
            "ORDER BY created_at DESC, id DESC LIMIT 1", (order["id"], HOLD_COMMENT)).fetchone()
        target = before["status"] if before and before["status"] != "on hold" else "pending"
    conn.execute("UPDATE orders SET status = ? WHERE id = ?", (target, order["id"]))
    conn.commit()
    return target


def _order(request: Request) -> sqlite3.Row | None:
    return db(request).execute("SELECT * FROM orders WHERE id = ?",
                               (request.path_params["order_id"],)).fetchone()


def _view_url(order_id: int) -> str:
    return f"{BASE}/sales/order/view/order_id/{order_id}/"


@site.login_required
@drops_blank_params
async def orders_grid(request: Request) -> Response:
    """``/admin/sales/order/``: the orders grid."""
    grid = run_grid(db(request), ORDERS_GRID, request.query_params, request.url.path)
    return site.render(request, "orders.html", grid=grid, first_line=first_line)


@site.login_required
async def order_view(request: Request) -> Response:
    """``/admin/sales/order/view/order_id/N/``: one order."""
    conn = db(request)
    order = _order(request)
    if order is None:
        return site.error(request, NOT_FOUND, what="This order no longer exists.")
    items = []
    for item in conn.execute("SELECT * FROM order_items WHERE order_id = ? ORDER BY id",
                             (order["id"],)):
        try:
            opts = json.loads(item["options"]) if item["options"] else {}
        except ValueError:
            opts = {}
        items.append({"row": item, "options": opts, "subtotal": item["price"] * item["qty"]})
    comments = conn.execute(
        "SELECT * FROM order_comments WHERE order_id = ? ORDER BY created_at DESC, id DESC",
        (order["id"],)).fetchall()
    customer = None
    if order["customer_id"] is not None:
        customer = conn.execute("SELECT * FROM customers WHERE id = ?",
                                (order["customer_id"],)).fetchone()
    status = order["status"]
    return site.render(
        request, "order_view.html", order=order, items=items, comments=comments,
        customer=customer, actions=available_actions(status),
        comment_statuses=COMMENT_STATUSES.get(status, (status,)),
        items_qty=sum(i["row"]["qty"] for i in items),
    )


def _order_action(action: str) -> Endpoint:
    @site.login_required
    @site.writes
    async def handler(request: Request) -> Response:
        order = _order(request)
        if order is None:
            return site.error(request, NOT_FOUND, what="This order no longer exists.")
        try:
            apply_order_action(db(request), order, action)
        except ValueError as error:
            return site.redirect(_view_url(order["id"]), str(error), "error")
        return site.redirect(_view_url(order["id"]), ORDER_ACTIONS[action][2])

    handler.__name__ = f"order_{action}"
    handler.__doc__ = f"POST ``/admin/sales/order/{action}/order_id/N/``."
    return handler


order_cancel = _order_action("cancel")
order_hold = _order_action("hold")
order_unhold = _order_action("unhold")
order_invoice = _order_action("invoice")
order_ship = _order_action("ship")


@site.login_required
@site.writes
async def order_add_comment(request: Request) -> Response:
    """POST ``/admin/sales/order/addComment/order_id/N/``: comment, optionally a new status."""
    conn = db(request)
    order = _order(request)
    if order is None:
        return site.error(request, NOT_FOUND, what="This order no longer exists.")
    form = await read_form(request)
    comment = form.field("history[comment]")
    status = form.field("history[status]", order["status"])
    notify = 1 if form.field("history[is_customer_notified]") in ("1", "on") else 0
    if not comment:
        return site.redirect(_view_url(order["id"]), "Please enter a comment.", "error")
    if status not in COMMENT_STATUSES.get(order["status"], (order["status"],)):
        return site.redirect(_view_url(order["id"]), "That status is not available for this order.",
                             "error")
    conn.execute("INSERT INTO order_comments (order_id, comment, status, notify_customer, "
                 "created_at) VALUES (?, ?, ?, ?, ?)",
                 (order["id"], comment, status, notify, store_now(conn)))
    conn.execute("UPDATE orders SET status = ? WHERE id = ?", (status, order["id"]))
    conn.commit()
    return site.redirect(_view_url(order["id"]), "You added a comment to the order.")
