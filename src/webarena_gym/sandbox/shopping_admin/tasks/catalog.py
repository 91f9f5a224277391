"""Catalog > Products: stock, prices, status and descriptions."""

from __future__ import annotations

from typing import Any

from webarena_gym.sandbox.shopping_admin.tasks.common import (
    ADMIN,
    _AdminTemplate,
    _open_product,
    _pick_product,
    _value_of,
    row_element,
    table_rows,
)
from webarena_gym.sandbox.templates.base import (
    AnswerTemplate,
    EditTemplate,
    NavigationTemplate,
    Sample,
    act,
    click,
    expect_text,
    finish,
    html_check,
    search,
    select,
    type_text,
)
from webarena_gym.sandbox.templates.page import OracleError, Page


class ProductQuantity(_AdminTemplate, AnswerTemplate):
    """Read a product's stock quantity off the products grid."""

    id = "shopping_admin/product_quantity"
    intent_template = "How many units of {{product}} do we have in stock?"
    difficulty = "easy"
    start_path = "/catalog/product/"

    def sample(self, rng, db):
        row = _pick_product(rng, db)
        if row is None:
            return None
        return Sample({"product": row["name"]}, {"answer": str(row["qty"]), "product_id": row["id"]})

    def steps(self, sample, page):
        name = sample.params["product"]
        page = yield act(search(page.field("search"), name), f"Search the products for {name}.")
        row = next(r for r in table_rows(page, "Quantity") if r["Name"] == name)
        yield self.reply(sample, row["Quantity"], f"The products grid shows a quantity of "
                         f"{row['Quantity']} for {name}.")


class ProductsInPriceRange(_AdminTemplate, NavigationTemplate):
    """Filter the products grid by a price range."""

    id = "shopping_admin/products_in_price_range"
    intent_template = "Show me the products priced between ${{low}} and ${{high}}."
    difficulty = "medium"

    def sample(self, rng, db):
        low = rng.choice((5, 10, 15, 20, 25, 30, 40, 50, 75, 100, 150, 200))
        high = low + rng.choice((5, 10, 20, 25, 50, 100))
        return Sample({"low": low, "high": high})

    def target(self, sample):
        low, high = sample.params["low"], sample.params["high"]
        return " |OR| ".join(self.url("/catalog/product/", price_from=a, price_to=b)
                             for a, b in ((low, high), (f"{low}.00", f"{high}.00")))

    def steps(self, sample, page):
        low, high = sample.params["low"], sample.params["high"]
        page = yield act(click(page.link("Products", exact=True)),
                         "Products are listed under Catalog > Products.")
        page = yield act(type_text(page.field("price_from"), str(low)),
                         f"Set the Price filter's lower bound to {low}.")
        page = yield act(type_text(page.field("price_to"), str(high)),
                         f"... and its upper bound to {high}.")
        page = yield act(click(page.button("Apply Filters")), "Apply the filter.")
        yield finish(f"The grid now lists the products priced from ${low} to ${high}.")


def _product_url(truth: dict[str, Any]) -> str:
    return f"{ADMIN}/catalog/product/edit/id/{truth['product_id']}/"


class _ProductEdit(_AdminTemplate, EditTemplate):
    """Open a product's form, change one field, save."""

    field_name: str = ""
    where: str = "1"

    def change(self, page: Page, sample: Sample) -> str:
        """The response that makes the change on the product form."""
        raise NotImplementedError

    def steps(self, sample, page):
        name = sample.params["product"]
        page = yield from _open_product(page, name)
        page = yield self.change(page, sample)
        page = yield act(click(page.button("Save")), "Save the product.")
        expect_text(page, "You saved the product.")
        yield finish(f"{name} is saved with the change.")


class ProductPrice(_ProductEdit):
    id = "shopping_admin/product_price"
    intent_template = "Change the price of {{product}} to ${{price}}."
    difficulty = "medium"

    def sample(self, rng, db):
        row = _pick_product(rng, db)
        if row is None:
            return None
        price = max(1.99, int(row["price"] * rng.uniform(0.7, 1.3)) + 0.99)
        if abs(price - row["price"]) < 0.5:
            return None
        return Sample({"product": row["name"], "price": f"{price:.2f}"},
                      {"product_id": row["id"], "old_price": f"{row['price']:.2f}"})

    def checks(self, sample):
        return [html_check(_product_url(sample.truth), _value_of("product[price]"),
                           exact_match=sample.params["price"])]

    def change(self, page, sample):
        price = sample.params["price"]
        return act(type_text(page.field("product[price]"), price), f"Set the price to {price}.")


class ProductOutOfStock(_ProductEdit):
    id = "shopping_admin/product_out_of_stock"
    intent_template = "Mark {{product}} as out of stock."
    difficulty = "medium"

    def sample(self, rng, db):
        row = _pick_product(rng, db, "p.is_in_stock = 1")
        return None if row is None else Sample({"product": row["name"]},
                                               {"product_id": row["id"]})

    def checks(self, sample):
        return [html_check(
            _product_url(sample.truth),
            _value_of("product[quantity_and_stock_status][is_in_stock]"), exact_match="0")]

    def change(self, page, sample):
        return act(select(page.field("product[quantity_and_stock_status][is_in_stock]"),
                          "Out of Stock"), "Set Stock Status to Out of Stock.")


class ProductDisable(_ProductEdit):
    id = "shopping_admin/product_disable"
    intent_template = "Disable the product {{product}} so that it no longer shows in the store."
    difficulty = "medium"

    def sample(self, rng, db):
        row = _pick_product(rng, db, "p.status = 1")
        return None if row is None else Sample({"product": row["name"]},
                                               {"product_id": row["id"]})

    def checks(self, sample):
        return [html_check(_product_url(sample.truth), _value_of("product[status]"),
                           exact_match="2")]

    def change(self, page, sample):
        return act(select(page.field("product[status]"), "No"), "Set Enable Product to No.")


def raised_price(price: str, percent: int) -> str | None:
    """``price`` raised by ``percent``, rounded to the cent; None when it ends in half a cent
    (which way to round would be a matter of taste)."""
    cents = round(float(price.replace(",", "")) * 100) * (100 + percent)
    if cents % 100 == 50:
        return None
    return f"{(cents + 50) // 100 / 100:.2f}"


class ProductPricesRaise(_AdminTemplate, EditTemplate):
    """Raise two products' prices by a percentage (two product forms, arithmetic)."""

    id = "shopping_admin/product_prices_raise"
    intent_template = "Raise the prices of {{first}} and {{second}} by {{percent}}%."
    difficulty = "hard"

    def sample(self, rng, db):
        first, second = _pick_product(rng, db), _pick_product(rng, db)
        if first is None or second is None or first["id"] == second["id"]:
            return None
        percent = rng.choice((5, 10, 15, 20, 25))
        prices = [raised_price(f"{p['price']:.2f}", percent) for p in (first, second)]
        if None in prices:
            return None
        return Sample({"first": first["name"], "second": second["name"], "percent": percent},
                      {"product_ids": [first["id"], second["id"]], "prices": prices})

    def checks(self, sample):
        return [html_check(_product_url({"product_id": pid}), _value_of("product[price]"),
                           exact_match=price)
                for pid, price in zip(sample.truth["product_ids"], sample.truth["prices"],
                                      strict=True)]

    def steps(self, sample, page):
        percent = int(sample.params["percent"])
        for k, name in enumerate((sample.params["first"], sample.params["second"])):
            if k == 0:
                page = yield from _open_product(page, name)
            else:
                page = yield act(search(page.field("search"), name),
                                 f"Search the products grid for {name}.")
                page = yield act(click(row_element(page, name, "a", "Edit")),
                                 f"Open the edit form of {name}.")
            old = page.value(page.field("product[price]"))
            new = raised_price(old, percent)
            if new is None:
                raise OracleError(f"{old} raised by {percent}% ends in half a cent")
            page = yield act(type_text(page.field("product[price]"), new),
                             f"The price is {old}; {percent}% more is {new}.")
            page = yield act(click(page.button("Save")), "Save the product.")
            expect_text(page, "You saved the product.")
            if k == 0:
                page = yield act(click(page.link("Back", exact=True)),
                                 "Back to the products grid for the second product.")
        yield finish(f"Both prices are raised by {percent}%.")


_DESCRIPTION_ADDITIONS = (
    "Now with a two-year warranty.",
    "Ships in recyclable packaging.",
    "Back in stock with free shipping on orders over $50.",
    "Limited edition: available while supplies last.",
    "Rated a top pick by our customers this season.",
    "New formula, same great quality.",
)


class ProductDescription(_ProductEdit):
    id = "shopping_admin/product_description"
    intent_template = 'Update the description of {{product}} to "{{description}}"'
    difficulty = "medium"

    def sample(self, rng, db):
        row = _pick_product(rng, db)
        if row is None:
            return None
        opener = row["short_description"].rstrip(".")
        text = f"{opener}. {rng.choice(_DESCRIPTION_ADDITIONS)}"
        return Sample({"product": row["name"], "description": text}, {"product_id": row["id"]})

    def checks(self, sample):
        return [html_check(_product_url(sample.truth),
                           _value_of("product[description]"),
                           exact_match=sample.params["description"])]

    def change(self, page, sample):
        return act(type_text(page.field("product[description]"), sample.params["description"]),
                   "Replace the Description with the new text.")
