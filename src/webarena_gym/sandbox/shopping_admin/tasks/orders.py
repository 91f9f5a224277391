"""Sales > Orders: the orders grid and its filters, order pages; cancelling orders and
commenting on them."""

from __future__ import annotations

from typing import Any

from webarena_gym.sandbox.shopping_admin.tasks.common import (
    ADMIN,
    STATUS_LABELS,
    _AdminTemplate,
    _filter_dates,
    _open_order,
    _orders_named,
    _pick_customer,
    _pick_range,
    _range_args,
    day_input,
    day_label,
    ordered_items,
    parse_day,
    plain_money,
    records_found,
    row_element,
    table_rows,
)
from webarena_gym.sandbox.templates.base import (
    AnswerTemplate,
    EditTemplate,
    NavigationTemplate,
    Sample,
    act,
    amount,
    click,
    expect_text,
    finish,
    html_check,
    search,
    select,
    type_text,
)
from webarena_gym.sandbox.templates.page import OracleError


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
