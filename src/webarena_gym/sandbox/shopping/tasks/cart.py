"""The wish list, the cart and checkout."""

from __future__ import annotations

import json

from lxml import html as lxml_html

from webarena_gym.sandbox.shopping.tasks.common import (
    SHOP,
    _emma,
    _js,
    _open_product,
    _pick_product,
    _ShopTemplate,
    button_in,
    card_of,
)
from webarena_gym.sandbox.templates.base import (
    EditTemplate,
    Sample,
    act,
    click,
    expect_text,
    finish,
    html_check,
    select,
    type_text,
)
from webarena_gym.sandbox.templates.page import OracleError, Page, normalize_space

SHIPPING_LABELS = {"Flat Rate": "Flat Rate - Fixed", "Best Way": "Best Way - Table Rate"}


def _cart_rows_locator(name: str) -> str:
    """JS: the cart rows of product ``name`` as ``"<options> qty=<n>"``, joined by ``" | "``."""
    return ("[...document.querySelectorAll('#shopping-cart-table tr.item-info')]"
            f".filter(r => r.querySelector('.product-item-name').innerText.trim() === {_js(name)})"
            ".map(r => [...r.querySelectorAll('.item-options dd')].map(d => d.innerText.trim())"
            ".join(',') + ' qty=' + r.querySelector('input.qty').value).join(' | ')")


_WISHLIST = "document.querySelector('.products-grid.wishlist').outerText"


class WishlistAdd(_ShopTemplate, EditTemplate):
    """Add a product to the wish list (product page)."""

    id = "shopping/wishlist_add"
    intent_template = "Add {{product}} to my wish list."
    difficulty = "medium"

    def sample(self, rng, db):
        wished = [r[0] for r in db.execute(
            "SELECT p.name FROM wishlist_items w JOIN products p ON p.id = w.product_id "
            "WHERE w.customer_id = ?", (_emma(db),))]
        row = _pick_product(rng, db, "p.id NOT IN (SELECT product_id FROM wishlist_items "
                            "WHERE customer_id = ?)", (_emma(db),))
        if row is None or any(row["name"].lower() in w.lower() for w in wished):
            return None
        return Sample({"product": row["name"]})

    def checks(self, sample):
        return [html_check(f"{SHOP}/wishlist/", _WISHLIST,
                           must_include=[sample.params["product"]])]

    def steps(self, sample, page):
        name = sample.params["product"]
        page = yield from _open_product(page, name)
        page = yield act(click(page.button("Add to Wish List")), f"Add {name} to the wish list.")
        expect_text(page, "has been added to your Wish List")
        yield finish(f"The wish list now has {name}.")


class WishlistRemove(_ShopTemplate, EditTemplate):
    """Remove a product from the wish list (My Wish List)."""

    id = "shopping/wishlist_remove"
    intent_template = "Remove {{product}} from my wish list."
    difficulty = "easy"

    def sample(self, rng, db):
        names = [r[0] for r in db.execute(
            "SELECT p.name FROM wishlist_items w JOIN products p ON p.id = w.product_id "
            "WHERE w.customer_id = ? ORDER BY w.id", (_emma(db),))]
        name = rng.choice(names)
        others = [n for n in names if n != name]
        if any(name.lower() in n.lower() for n in others):
            return None
        return Sample({"product": name}, {"others": others})

    def checks(self, sample):
        return [html_check(f"{SHOP}/wishlist/", _WISHLIST,
                           must_include=sample.truth["others"],
                           must_exclude=[sample.params["product"]])]

    def steps(self, sample, page):
        name = sample.params["product"]
        page = yield act(click(page.link("My Wish List", exact=True)), "Open My Wish List.")
        card = card_of(page, name)
        page = yield act(click(button_in(card["element"], "Remove")),
                         f"Remove {name} with the Remove item button of its card.")
        expect_text(page, "has been removed from your Wish List")
        yield finish(f"{name} is off the wish list.")


class CartAddWithOptions(_ShopTemplate, EditTemplate):
    """Add a product with chosen options and quantity to the cart (product page form)."""

    id = "shopping/cart_add_with_options"
    intent_template = "Add {{qty}} {{product}} ({{options}}) to my shopping cart."
    difficulty = "medium"

    def sample(self, rng, db):
        row = _pick_product(rng, db, "p.colors IS NOT NULL AND p.is_in_stock = 1 AND p.qty >= 5 "
                            "AND p.id NOT IN (SELECT product_id FROM cart_items)")
        if row is None:
            return None
        color = rng.choice(json.loads(row["colors"]))
        size = rng.choice(json.loads(row["sizes"])) if row["sizes"] else None
        qty = rng.randint(1, 4)
        words = f"color {color}" + (f", size {size}" if size else "")
        chosen = ",".join(v for v in (color, size) if v)
        return Sample({"qty": qty, "product": row["name"], "options": words},
                      {"color": color, "size": size, "answer": f"{chosen} qty={qty}"})

    def checks(self, sample):
        return [html_check(f"{SHOP}/checkout/cart/",
                           _cart_rows_locator(sample.params["product"]),
                           exact_match=sample.truth["answer"])]

    def steps(self, sample, page):
        name, qty = sample.params["product"], str(sample.params["qty"])
        color, size = sample.truth["color"], sample.truth["size"]
        page = yield from _open_product(page, name)
        page = yield act(select(page.field("color"), color), f"Choose the color {color}.")
        if size:
            page = yield act(select(page.field("size"), size), f"Choose the size {size}.")
        if page.value(page.field("qty")) != qty:
            page = yield act(type_text(page.field("qty"), qty), f"Set the quantity to {qty}.")
        page = yield act(click(page.button("Add to Cart")), "Add it to the cart.")
        expect_text(page, f"You added {name} to your shopping cart")
        yield finish(f"{qty} x {name} ({sample.params['options']}) are in the cart.")


class CartUpdateQty(_ShopTemplate, EditTemplate):
    """Change the quantity of a cart item (cart page)."""

    id = "shopping/cart_update_qty"
    intent_template = "Change the quantity of {{product}} in my cart to {{qty}}."
    difficulty = "easy"

    def sample(self, rng, db):
        rows = db.execute("SELECT c.qty AS in_cart, p.* FROM cart_items c JOIN products p ON "
                          "p.id = c.product_id WHERE c.customer_id = ? ORDER BY c.id",
                          (_emma(db),)).fetchall()
        row = rng.choice(rows)
        qty = rng.randint(1, min(8, row["qty"]))
        if qty == row["in_cart"] or [r["name"] for r in rows].count(row["name"]) > 1:
            return None
        options = db.execute("SELECT options FROM cart_items WHERE customer_id = ? AND "
                             "product_id = ?", (_emma(db), row["id"])).fetchone()[0]
        chosen = ",".join(json.loads(options).values()) if options else ""
        return Sample({"product": row["name"], "qty": qty}, {"answer": f"{chosen} qty={qty}"})

    def checks(self, sample):
        return [html_check(f"{SHOP}/checkout/cart/",
                           _cart_rows_locator(sample.params["product"]),
                           exact_match=sample.truth["answer"])]

    def steps(self, sample, page):
        name, qty = sample.params["product"], str(sample.params["qty"])
        page = yield act(click(page.link("My Cart")), "Open the shopping cart.")
        field = _cart_qty_field(page, name)
        page = yield act(type_text(field, qty), f"Set the quantity of {name} to {qty}.")
        page = yield act(click(page.button("Update Shopping Cart")), "Save the new quantity.")
        expect_text(page, "Your shopping cart was updated")
        yield finish(f"The cart now holds {qty} x {name}.")


def _cart_row(page: Page, name: str) -> lxml_html.HtmlElement:
    for tr in page.root.iter("tr"):
        link = next((a for a in tr.iter("a") if a.get("id") is not None), None)
        if link is not None and normalize_space(link.text_content()) == name:
            return tr
    raise OracleError(f"no cart row {name!r} on {page.url}")


def _cart_qty_field(page: Page, name: str) -> str:
    row = _cart_row(page, name)
    for element in row.iter("input"):
        if (element.get("name") or "").endswith("[qty]") and element.get("id") is not None:
            return str(element.get("id"))
    raise OracleError(f"no quantity field for {name!r} on {page.url}")


class Checkout(_ShopTemplate, EditTemplate):
    """Buy one product alone: clear the cart, add it, choose address and shipping, place."""

    id = "shopping/checkout"
    intent_template = ("Buy {{product}}{{options}} and nothing else (take everything else out of "
                       "my cart first). Ship it to my {{city}} address with {{shipping}} shipping.")
    difficulty = "hard"

    def sample(self, rng, db):
        row = _pick_product(rng, db, "p.is_in_stock = 1 AND p.qty >= 2 AND p.id NOT IN "
                            "(SELECT product_id FROM cart_items)")
        if row is None:
            return None
        color = rng.choice(json.loads(row["colors"])) if row["colors"] else None
        size = rng.choice(json.loads(row["sizes"])) if row["sizes"] else None
        words = ", ".join(f"{k} {v}" for k, v in (("color", color), ("size", size)) if v)
        cities = [r["city"] for r in db.execute("SELECT city FROM addresses WHERE customer_id = ? "
                                                "ORDER BY id", (_emma(db),))]
        city = rng.choice(cities)
        if cities.count(city) > 1:
            return None
        cart = [r[0] for r in db.execute("SELECT p.name FROM cart_items c JOIN products p ON "
                                         "p.id = c.product_id WHERE c.customer_id = ?",
                                         (_emma(db),))]
        if any(row["name"].lower() in n.lower() or n.lower() in row["name"].lower()
               for n in cart):
            return None
        next_id = db.execute("SELECT max(id) + 1 FROM orders").fetchone()[0]
        return Sample({"product": row["name"], "options": f" ({words})" if words else "",
                       "city": city, "shipping": rng.choice(list(SHIPPING_LABELS))},
                      {"color": color, "size": size, "order_id": next_id, "cart": cart})

    def checks(self, sample):
        url = f"{SHOP}/sales/order/view/order_id/{sample.truth['order_id']}/"
        p = sample.params
        options = [v for v in (sample.truth["color"], sample.truth["size"]) if v]
        return [
            html_check(url, "document.querySelector('.table-order-items').outerText",
                        must_include=[p["product"], *options],
                        must_exclude=list(sample.truth["cart"])),
            html_check(url, "document.querySelector('.box-order-shipping-address').outerText",
                        must_include=[p["city"]]),
            html_check(url, "document.querySelector('.box-order-shipping-method').outerText",
                        must_include=[SHIPPING_LABELS[p["shipping"]]]),
        ]

    def steps(self, sample, page):
        p = sample.params
        name, city, color, size = p["product"], p["city"], sample.truth["color"], sample.truth["size"]
        page = yield act(click(page.link("My Cart")), "First empty the cart of other items.")
        while page.maybe("Remove item", "button"):
            row = next(r for r in page.root.iter("tr") if r.find(".//button") is not None
                       and "Remove" in normalize_space(r.text_content()))
            item = normalize_space(next(a for a in row.iter("a")).text_content())
            page = yield act(click(button_in(row, "Remove item")), f"Remove {item} from the cart.")
        page = yield from _open_product(page, name)
        for label, value in (("color", color), ("size", size)):
            if value:
                page = yield act(select(page.field(label), value), f"Choose the {label} {value}.")
        page = yield act(click(page.button("Add to Cart")), f"Put {name} in the cart.")
        expect_text(page, f"You added {name} to your shopping cart")
        page = yield act(click(page.link("My Cart")), "Go to the cart to check out.")
        page = yield act(click(page.link("Proceed to Checkout")), "Proceed to checkout.")
        address = _radio_labelled(page, "address_id", city)
        page = yield act(click(address), f"Ship to my {city} address.")
        page = yield act(click(_shipping_radio(page, p["shipping"])),
                         f"Choose {p['shipping']} shipping.")
        page = yield act(click(page.button("Place Order")), "Place the order.")
        expect_text(page, "Your order number is")
        yield finish(f"The order of {name} to {city} with {p['shipping']} is placed.")


def _radio_labelled(page: Page, name: str, text: str) -> str:
    """The radio button ``name`` whose label (the next element) contains ``text``."""
    for element in page.elements("input", name=name):
        label = element.getnext()
        if label is not None and text.lower() in normalize_space(label.text_content()).lower():
            return str(element.get("id"))
    raise OracleError(f"no {name} option labelled {text!r} on {page.url}")


def _shipping_radio(page: Page, carrier: str) -> str:
    for tr in page.root.iter("tr"):
        if carrier.lower() in normalize_space(tr.text_content()).lower():
            for element in tr.iter("input"):
                if element.get("name") == "shipping_method" and element.get("id") is not None:
                    return str(element.get("id"))
    raise OracleError(f"no shipping method {carrier!r} on {page.url}")
