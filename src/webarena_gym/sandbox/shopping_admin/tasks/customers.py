"""Customers: phone numbers, lifetime sales, states and groups."""

from __future__ import annotations

from collections import Counter

from webarena_gym.sandbox.shopping_admin.tasks.common import (
    _MONEY,
    ADMIN,
    _AdminTemplate,
    _filter_dates,
    _open_customer,
    _pick_customer,
    _pick_range,
    _range_args,
    _show_all_rows,
    _substring_free,
    _value_of,
    day_label,
    field_value,
    parse_day,
    plain_money,
    records_found,
    table_rows,
)
from webarena_gym.sandbox.templates.base import (
    RUNNERS_UP,
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
    search,
    select,
    type_text,
)
from webarena_gym.sandbox.templates.page import OracleError


class CustomerPhone(_AdminTemplate, AnswerTemplate):
    """Read a customer's phone number off the customers grid."""

    id = "shopping_admin/customer_phone"
    intent_template = "What is the phone number of our customer {{customer}}?"
    difficulty = "easy"
    start_path = "/customer/index/"

    def sample(self, rng, db):
        row = _pick_customer(rng, db, "c.phone IS NOT NULL")
        if row is None:
            return None
        return Sample({"customer": row["name"]}, {"answer": row["phone"], "customer_id": row["id"]})

    def steps(self, sample, page):
        name = sample.params["customer"]
        page = yield act(search(page.field("search"), name), f"Search the customers for {name}.")
        row = next(r for r in table_rows(page, "Phone") if r["Name"] == name)
        yield self.reply(sample, row["Phone"],
                         f"{name}'s row lists the phone number {row['Phone']}.")


class CustomerLifetimeSales(_AdminTemplate, AnswerTemplate):
    """Read a customer's lifetime sales off the customer view."""

    id = "shopping_admin/customer_lifetime_sales"
    intent_template = "What are the lifetime sales of customer {{customer}}?"
    difficulty = "medium"

    def sample(self, rng, db):
        row = _pick_customer(rng, db, "EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = "
                             "c.id AND o.status != 'canceled')")
        if row is None:
            return None
        total = db.execute("SELECT SUM(grand_total) FROM orders WHERE customer_id = ? AND "
                           "status != 'canceled'", (row["id"],)).fetchone()[0]
        return Sample({"customer": row["name"]}, {"answer": amount(total),
                                                  "customer_id": row["id"]})

    def steps(self, sample, page):
        name = sample.params["customer"]
        page = yield from _open_customer(page, name)
        line = field_value(page, "Orders")
        total = plain_money(_MONEY.search(line).group(0))
        yield self.reply(sample, total, f"The Customer View says: Orders {line}.")


class TopCustomerPhone(_AdminTemplate, AnswerTemplate):
    """Count orders per customer over a date range, then look the winner up (two sections)."""

    id = "shopping_admin/top_customer_phone"
    intent_template = ("Which customer placed the most orders between {{start}} and {{end}}? "
                       "Give me their name and phone number.")
    difficulty = "hard"
    start_path = "/sales/order/"

    def sample(self, rng, db):
        start, end = _pick_range(rng, 5, 12)
        rows = db.execute("SELECT customer_name, COUNT(*) AS n FROM orders WHERE created_at >= ? "
                          "AND created_at <= ? GROUP BY customer_name ORDER BY n DESC, "
                          "customer_name", _range_args(start, end)).fetchall()
        if len(rows) < 2 or rows[0]["n"] == rows[1]["n"] or rows[0]["n"] < 2:
            return None
        name = rows[0]["customer_name"]
        if name not in _substring_free(db, "customers"):
            return None  # a guest, or a name another customer's contains
        customer = db.execute("SELECT * FROM customers WHERE first_name || ' ' || last_name = ?",
                              (name,)).fetchone()
        if customer is None or not customer["phone"]:
            return None
        owners = {r[0] for r in db.execute(
            "SELECT customer_id FROM orders WHERE customer_name = ? AND created_at >= ? AND "
            "created_at <= ?", (name, *_range_args(start, end)))}
        if owners != {customer["id"]}:
            return None  # a guest with the same name ordered too
        return Sample({"start": day_label(start), "end": day_label(end)},
                      {"answer": [name, customer["phone"]], "orders": rows[0]["n"],
                       "distractors": [r["customer_name"] for r in rows[1:1 + RUNNERS_UP]]})

    def steps(self, sample, page):
        start, end = parse_day(sample.params["start"]), parse_day(sample.params["end"])
        page = yield from _filter_dates(page, start, end)
        page = yield act(click(page.button("Apply Filters")), "Apply the date filter.")
        page = yield from _show_all_rows(page)
        counts = Counter(r["Bill-to Name"] for r in table_rows(page, "Bill-to Name"))
        if sum(counts.values()) != records_found(page):
            raise OracleError("not every order of the range is on the page")
        (name, most), (_, second) = counts.most_common(2)
        if most == second:
            raise OracleError("a tie for the most orders")
        page = yield act(click(page.link("All Customers")),
                         f"{name} placed the most orders ({most}); look up their phone number "
                         "under Customers > All Customers.")
        page = yield act(search(page.field("search"), name), f"Search the customers for {name}.")
        row = next(r for r in table_rows(page, "Phone") if r["Name"] == name)
        phone = row["Phone"]
        yield self.reply(sample, [name, phone], f"{name} placed {most} of the orders in the "
                         f"range (next best {second}); their phone number is {phone}.",
                         say=f"{name}, {phone}")


class CustomersInState(_AdminTemplate, AnswerTemplate):
    """Count customers by state (customers grid filter)."""

    id = "shopping_admin/customers_in_state"
    intent_template = "How many of our customers have their billing address in {{state}}?"
    difficulty = "medium"
    start_path = "/customer/index/"

    _BILLING_REGION = ("(SELECT a.region FROM addresses a WHERE a.customer_id = c.id "
                       "ORDER BY a.is_default_billing DESC, a.id LIMIT 1)")

    def sample(self, rng, db):
        regions = [r[0] for r in db.execute(f"SELECT DISTINCT {self._BILLING_REGION} AS r FROM "
                                            "customers c WHERE r IS NOT NULL ORDER BY r")]
        state = rng.choice(regions)
        if any(state != other and state.lower() in other.lower() for other in regions):
            return None  # "Virginia" would also find "West Virginia"
        count = db.execute(f"SELECT COUNT(*) FROM customers c WHERE {self._BILLING_REGION} = ?",
                           (state,)).fetchone()[0]
        return Sample({"state": state}, {"answer": str(count)})

    def steps(self, sample, page):
        state = sample.params["state"]
        page = yield act(type_text(page.field("region"), state),
                         f"Filter the customers by State/Province {state}.")
        page = yield act(click(page.button("Apply Filters")), "Apply the filter.")
        count = records_found(page)
        if count <= 20 and any(r["State/Province"] != state
                               for r in table_rows(page, "State/Province")):
            raise OracleError(f"the filter matched other states than {state}")
        yield self.reply(sample, str(count), f"{count} customers are found with {state} as their "
                         "billing state.")


class CompareCustomerSales(_AdminTemplate, AnswerTemplate):
    """Compare two customers' lifetime sales (two customer pages)."""

    id = "shopping_admin/compare_customer_sales"
    intent_template = "Who has the higher lifetime sales: {{first}} or {{second}}?"
    difficulty = "hard"
    unseen = True
    start_path = "/customer/index/"
    exclude_key = "other"

    def sample(self, rng, db):
        where = ("EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id "
                 "AND o.status != 'canceled')")
        first, second = _pick_customer(rng, db, where), _pick_customer(rng, db, where)
        if first is None or second is None or first["id"] == second["id"]:
            return None
        totals = [db.execute("SELECT SUM(grand_total) FROM orders WHERE customer_id = ? AND "
                             "status != 'canceled'", (c["id"],)).fetchone()[0]
                  for c in (first, second)]
        if abs(totals[0] - totals[1]) < 1:
            return None
        winner, loser = (first, second) if totals[0] > totals[1] else (second, first)
        return Sample({"first": first["name"], "second": second["name"]},
                      {"answer": winner["name"], "other": loser["name"],
                       "totals": [amount(t) for t in totals]})

    def steps(self, sample, page):
        names = [sample.params["first"], sample.params["second"]]
        totals: list[float] = []
        for name in names:
            page = yield from _open_customer(page, name)
            line = field_value(page, "Orders")
            totals.append(float(plain_money(_MONEY.search(line).group(0)).replace(",", "")))
        expect_equal([amount(t) for t in totals], sample.truth["totals"], "lifetime sales")
        winner = names[0] if totals[0] > totals[1] else names[1]
        yield self.reply(sample, winner, f"Lifetime sales: {names[0]} {amount(totals[0])}, "
                         f"{names[1]} {amount(totals[1])}; {winner} is higher.")


class CustomerGroup(_AdminTemplate, EditTemplate):
    id = "shopping_admin/customer_group"
    intent_template = "Move customer {{customer}} to the {{group}} customer group."
    difficulty = "medium"

    def sample(self, rng, db):
        row = _pick_customer(rng, db)
        if row is None:
            return None
        group = rng.choice([g for g in ("General", "Wholesale", "Retailer")
                            if g != row["group_name"]])
        return Sample({"customer": row["name"], "group": group}, {"customer_id": row["id"]})

    def checks(self, sample):
        url = f"{ADMIN}/customer/index/edit/id/{sample.truth['customer_id']}/?tab=account"
        return [html_check(url, _value_of("customer[group_id]"),
                           exact_match=sample.params["group"])]

    def steps(self, sample, page):
        name, group = sample.params["customer"], sample.params["group"]
        page = yield from _open_customer(page, name)
        page = yield act(click(page.link("Account Information")),
                         "The group is set on the Account Information tab.")
        page = yield act(select(page.field("customer[group_id]"), group),
                         f"Choose the group {group}.")
        page = yield act(click(page.button("Save Customer")), "Save the customer.")
        expect_text(page, "You saved the customer.")
        yield finish(f"{name} is now in the {group} group.")
