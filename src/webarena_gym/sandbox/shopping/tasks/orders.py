"""My orders: totals, statuses, items and dates (My Orders, the order pages); cancel, reorder."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from webarena_gym.actions import Action
from webarena_gym.sandbox.shopping.tasks.common import (
    SHOP,
    STATUS_LABELS,
    _emma,
    _items,
    _my_orders,
    _open_my_orders,
    _ShopTemplate,
    _to_float,
    long_date,
    month_label,
    order_date,
    order_row,
    order_rows,
    ordered_items,
    parse_month,
    parse_short_date,
    short_date,
)
from webarena_gym.sandbox.templates.base import (
    AnswerTemplate,
    EditTemplate,
    Sample,
    act,
    amount,
    click,
    expect_equal,
    expect_text,
    finish,
    html_check,
)
from webarena_gym.sandbox.templates.page import OracleError

_CART_NAMES = ("[...document.querySelectorAll('#shopping-cart-table .product-item-name')]"
               ".map(e => e.innerText.trim()).join(' | ')")

_ORDER_STATUS = "document.querySelector('.order-status').outerText"


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
