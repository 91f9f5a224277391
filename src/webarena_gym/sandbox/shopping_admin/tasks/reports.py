"""Reports: search terms, sales by month and bestsellers."""

from __future__ import annotations

from datetime import date, datetime

from webarena_gym.sandbox.shopping_admin.tasks.common import (
    _AdminTemplate,
    _pick_month,
    _range_args,
    _run_report,
    month_bounds,
    plain_money,
    table_rows,
)
from webarena_gym.sandbox.templates.base import (
    RUNNERS_UP,
    AnswerTemplate,
    Sample,
    act,
    amount,
    click,
)
from webarena_gym.sandbox.templates.page import OracleError


class TopSearchTerms(_AdminTemplate, AnswerTemplate):
    """The most used search terms, from the search terms report."""

    id = "shopping_admin/top_search_terms"
    intent_template = "What are the top-{{n}} search terms in our store?"
    difficulty = "easy"
    start_path = "/sales/order/"

    def sample(self, rng, db):
        n = rng.randint(1, 5)
        rows = db.execute("SELECT query, uses FROM search_terms ORDER BY uses DESC, id "
                          "LIMIT ?", (n + RUNNERS_UP,)).fetchall()
        if len(rows) <= n or rows[n - 1]["uses"] == rows[n]["uses"]:
            return None  # a tie at the cut makes "top-n" ambiguous
        return Sample({"n": n}, {"answer": [r["query"] for r in rows[:n]],
                                 "distractors": [r["query"] for r in rows[n:]]})

    def steps(self, sample, page):
        n = int(sample.params["n"])
        page = yield act(click(page.link("Search Terms", exact=True, nth=1)),
                         "Reports > Search Terms lists search terms by uses, most used first.")
        rows = table_rows(page, "Uses")
        terms = [r["Search Query"] for r in rows[:n]]
        yield self.reply(sample, terms, f"The first {n} rows of the report (sorted by uses, "
                         f"descending) are {', '.join(terms)}.", say=", ".join(terms))


class MonthlySalesTotal(_AdminTemplate, AnswerTemplate):
    """Sales Total of a month (the sales report by month)."""

    id = "shopping_admin/monthly_sales_total"
    intent_template = "What was the total sales (Sales Total) in {{month}}?"
    difficulty = "medium"

    def sample(self, rng, db):
        label, start, end = _pick_month(rng)
        total = db.execute("SELECT SUM(grand_total) FROM orders WHERE status != 'canceled' "
                           "AND created_at >= ? AND created_at <= ?",
                           _range_args(start, end)).fetchone()[0]
        return Sample({"month": label}, {"answer": amount(total)})

    def steps(self, sample, page):
        start, end = month_bounds(sample.params["month"])
        page = yield from _run_report(page, "Orders", 1, "Month", start, end)
        row = next(r for r in table_rows(page, "Sales Total")
                   if r["Interval"] == f"{start:%b %Y}")
        total = plain_money(row["Sales Total"])
        yield self.reply(sample, total, f"The {row['Interval']} line of the sales report shows "
                         f"a Sales Total of {total}.")


class BestsellersTopN(_AdminTemplate, AnswerTemplate):
    """Top-n products by units ordered in a month or a year (bestsellers report)."""

    id = "shopping_admin/bestsellers_top_n"
    intent_template = "What are the top-{{n}} best-selling products in {{period}}?"
    difficulty = "medium"

    def sample(self, rng, db):
        n = rng.randint(1, 5)
        if rng.random() < 0.3:
            year = rng.choice((2021, 2022))
            period, start, end = str(year), date(year, 1, 1), date(year, 12, 31)
        else:
            period, start, end = _pick_month(rng)
        rows = db.execute(
            "SELECT COALESCE(p.name, MAX(i.name)) AS name, SUM(i.qty) AS qty FROM order_items i "
            "JOIN orders o ON o.id = i.order_id LEFT JOIN products p ON p.id = i.product_id "
            "WHERE o.status != 'canceled' AND o.created_at >= ? AND o.created_at <= ? "
            "GROUP BY i.product_id ORDER BY qty DESC, name", _range_args(start, end)).fetchall()
        if len(rows) <= n or rows[n - 1]["qty"] == rows[n]["qty"]:
            return None
        return Sample({"n": n, "period": period},
                      {"answer": [r["name"] for r in rows[:n]],
                       "distractors": [r["name"] for r in rows[n:n + RUNNERS_UP]]})

    def steps(self, sample, page):
        n, period = int(sample.params["n"]), str(sample.params["period"])
        if period.isdigit():
            kind, start, end = "Year", date(int(period), 1, 1), date(int(period), 12, 31)
        else:
            kind, (start, end) = "Month", month_bounds(period)
        page = yield from _run_report(page, "Bestsellers", 0, kind, start, end)
        rows = table_rows(page, "Order Quantity")
        if len(rows) > n and rows[n - 1]["Order Quantity"] == rows[n]["Order Quantity"]:
            raise OracleError("a tie at the cut of the top-n")
        names = [r["Product"] for r in rows[:n]]
        yield self.reply(sample, names, f"The report's first {n} lines for {period} are the "
                         "best sellers by units ordered.", say="; ".join(names))


class ExtremeMonth(_AdminTemplate, AnswerTemplate):
    """The month of a year with the highest/lowest sales or order count (sales report)."""

    id = "shopping_admin/extreme_month"
    intent_template = "In {{year}}, which month had the {{which}} {{metric}}?"
    difficulty = "medium"
    unseen = True

    _METRICS = {"Sales Total": ("SUM(grand_total)", "Sales Total"),
                "number of orders": ("COUNT(*)", "Orders")}

    def sample(self, rng, db):
        year, which = rng.choice((2021, 2022)), rng.choice(("highest", "lowest"))
        metric = rng.choice(list(self._METRICS))
        rows = db.execute(f"SELECT substr(created_at, 1, 7) AS m, {self._METRICS[metric][0]} AS v "
                          "FROM orders WHERE status != 'canceled' AND created_at LIKE ? "
                          "GROUP BY m ORDER BY v " + ("DESC" if which == "highest" else "ASC"),
                          (f"{year}-%",)).fetchall()
        if round(rows[0]["v"], 2) == round(rows[1]["v"], 2):
            return None
        month = date.fromisoformat(rows[0]["m"] + "-01")
        others = [date.fromisoformat(r["m"] + "-01") for r in rows[1:]]
        return Sample({"year": year, "which": which, "metric": metric},
                      {"answer": f"{month:%B} |OR| {month:%b %Y}",
                       "distractors": [f"{m:%B}" for m in others]})

    def steps(self, sample, page):
        year, which = int(sample.params["year"]), sample.params["which"]
        column = self._METRICS[sample.params["metric"]][1]
        page = yield from _run_report(page, "Orders", 1, "Month", date(year, 1, 1),
                                      date(year, 12, 31))
        rows = [r for r in table_rows(page, column) if r["Interval"] != "Total"]

        def value(row: dict[str, str]) -> float:
            return float(plain_money(row[column]).replace(",", ""))

        ranked = sorted(rows, key=value, reverse=(which == "highest"))
        if value(ranked[0]) == value(ranked[1]):
            raise OracleError("a tie for the extreme month")
        label = ranked[0]["Interval"]
        month = parse_month_label(label)
        yield self.reply(sample, f"{month:%B} |OR| {month:%b %Y}",
                         f"By month, {label} has the {which} {column} ({ranked[0][column]}).",
                         say=f"{month:%B} {year}")


def parse_month_label(label: str) -> date:
    """``Mar 2022`` (a report interval) -> 2022-03-01."""
    return datetime.strptime(label, "%b %Y").date()
