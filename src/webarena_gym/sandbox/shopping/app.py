"""The ``shopping`` site: a storefront like WebArena's One Stop Market (Magento 2).

Magento's URLs, so that WebArena-style task configs read naturally: ``/<url_key>.html`` for
categories and products, ``/catalogsearch/result/?q=``, ``/checkout/cart/``, ``/customer/...``,
``/sales/order/...``, ``/wishlist/``. Every page is server-rendered (Jinja2 templates beside this
file) with plain forms, so it works without JavaScript.

The host gives every request ``request.state.db`` (the tenant's store database,
``sqlite3.Row`` rows), ``request.state.readonly`` (refuse writes) and ``request.state.site_urls``;
the app relies on nothing else.
"""

from __future__ import annotations

import functools
import json
import sqlite3
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from webarena_gym.sandbox.common import (
    ErrorPage,
    Pagination,
    SignIn,
    SiteKit,
    db,
    json_list,
    local_path,
    not_found,
    query_int,
    read_form,
    referer_path,
    static_file,
)
from webarena_gym.sandbox.store.catalog import (
    PAYMENT_METHOD,
    SHIPPING_METHODS,
    effective_price,
    format_address,
    next_increment_id,
    order_clause,
    search_clause,
    search_relevance,
    shipping_amount,
    store_now,
)
from webarena_gym.sandbox.store.vocab import US_STATES

STORE_NAME = "One Stop Market"
HERE = Path(__file__).parent

GRID_LIMITS = (12, 24, 36)
HISTORY_LIMITS = (10, 20, 50)
SORTS = {"position": "Position", "name": "Product Name", "price": "Price"}
SIGN_IN = SignIn("/customer/account/login/", "referer")
SIGN_IN_FAILED = ("The account sign-in was incorrect or your account is disabled temporarily. "
                  "Please wait and try again later.")


# ---------------------------------------------------------------- the site

def _header(request: Request, customer: sqlite3.Row | None) -> dict[str, Any]:
    """What every page's header shows: the customer's cart count and the category menu."""
    conn = db(request)
    cart_count = 0
    if customer is not None:
        cart_count = conn.execute("SELECT coalesce(sum(qty), 0) FROM cart_items "
                                  "WHERE customer_id = ?", (customer["id"],)).fetchone()[0]
    return {"cart_count": cart_count, "menu": _menu(conn), "store_name": STORE_NAME}


site = SiteKit(
    "shopping", HERE / "templates",
    user_query="SELECT * FROM customers WHERE id = ?", user_var="customer",
    sign_in=SIGN_IN, page_context=_header,
    read_only=ErrorPage(403, "message.html", {
        "title": "Read-only store",
        "text": "This store is open for browsing only: changes (cart, orders, reviews, account) "
                "are not saved here."}),
    not_found_page=ErrorPage(404, "message.html", {
        "title": "Whoops, our bad...",
        "text": "The page you requested was not found, and we have a fine guess why: the "
                "address may be mistyped, or the page may no longer exist.",
        "link": ("/", "Go to the home page")}),
)


def _menu(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    rows = conn.execute("SELECT * FROM categories ORDER BY position, id").fetchall()
    tops = [dict(r, children=[]) for r in rows if r["parent_id"] is None]
    by_id = {t["id"]: t for t in tops}
    for r in rows:
        if r["parent_id"] in by_id:
            by_id[r["parent_id"]]["children"].append(dict(r))
    return tops


def _rating_map(conn: sqlite3.Connection, ids: list[int]) -> dict[int, tuple[float, int]]:
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    return {r[0]: (r[1], r[2]) for r in conn.execute(
        f"SELECT product_id, avg(rating), count(*) FROM reviews WHERE status = 'approved' "
        f"AND product_id IN ({marks}) GROUP BY product_id", ids)}


def _cards(conn: sqlite3.Connection, rows: list[sqlite3.Row]) -> list[dict[str, Any]]:
    """Product rows as grid cards (with rating summary and option flags)."""
    ratings = _rating_map(conn, [r["id"] for r in rows])
    cards = []
    for r in rows:
        avg, n = ratings.get(r["id"], (0.0, 0))
        cards.append(dict(r, rating_percent=round(avg * 20), review_count=n,
                          has_options=bool(r["colors"] or r["sizes"])))
    return cards


def _listing(request: Request, where: str, params: list, *, relevance: tuple[str, list] | None
             = None) -> dict[str, Any]:
    """Sorted, paginated product cards for a category or a search."""
    conn, q = db(request), request.query_params
    default_order = "relevance" if relevance else "position"
    order = q.get("product_list_order", default_order)
    if order not in SORTS and order != default_order:
        order = default_order
    direction = q.get("product_list_dir", "desc" if order == "relevance" else "asc")
    direction = direction if direction in ("asc", "desc") else "asc"
    limit = query_int(q, "product_list_limit", GRID_LIMITS[0], GRID_LIMITS)
    total = conn.execute(f"SELECT count(*) FROM products p WHERE {where}", params).fetchone()[0]
    pager = Pagination.from_request(request, total, limit)
    rel_sql, rel_params = relevance if relevance else (None, [])
    rows = conn.execute(
        f"SELECT p.* FROM products p WHERE {where} "
        f"ORDER BY {order_clause(order, direction, rel_sql)} LIMIT ? OFFSET ?",
        [*params, *(rel_params if order == "relevance" else []), limit, pager.offset],
    ).fetchall()
    sorts = dict(SORTS)
    if relevance:
        sorts = {"relevance": "Relevance", **{k: v for k, v in SORTS.items() if k != "position"}}
    return {"products": _cards(conn, rows), "pager": pager, "order": order,
            "direction": direction, "limit": limit, "limits": GRID_LIMITS, "sorts": sorts}


# ---------------------------------------------------------------- catalogue

async def home(request: Request) -> Response:
    """The home page: categories and the store's best sellers."""
    conn = db(request)
    rows = conn.execute(
        "SELECT p.* FROM products p JOIN (SELECT product_id, sum(qty) AS sold FROM order_items "
        "GROUP BY product_id) s ON s.product_id = p.id WHERE p.status = 1 AND p.is_in_stock = 1 "
        "ORDER BY s.sold DESC, p.id LIMIT 8").fetchall()
    return site.render(request, "home.html", title="Home Page", products=_cards(conn, rows))


async def catalog_page(request: Request) -> Response:
    """``/<url_key>.html``: a category page or a product page."""
    key = request.path_params["key"]
    conn = db(request)
    category = conn.execute("SELECT * FROM categories WHERE url_key = ?", (key,)).fetchone()
    if category is not None:
        return _category(request, category)
    product = conn.execute("SELECT * FROM products WHERE url_key = ? AND status = 1",
                           (key,)).fetchone()
    if product is not None:
        return _product(request, product)
    raise not_found()


def _category(request: Request, category: sqlite3.Row) -> Response:
    conn = db(request)
    ids = [category["id"]] + [r[0] for r in conn.execute(
        "SELECT id FROM categories WHERE parent_id = ?", (category["id"],))]
    where = f"p.status = 1 AND p.category_id IN ({','.join('?' * len(ids))})"
    listing = _listing(request, where, ids)
    parent = None
    if category["parent_id"] is not None:
        parent = conn.execute("SELECT * FROM categories WHERE id = ?",
                              (category["parent_id"],)).fetchone()
    siblings_of = category["id"] if parent is None else parent["id"]
    subcategories = conn.execute(
        "SELECT c.*, (SELECT count(*) FROM products p WHERE p.category_id = c.id "
        "AND p.status = 1) AS n FROM categories c WHERE c.parent_id = ? ORDER BY c.position",
        (siblings_of,)).fetchall()
    return site.render(request, "category.html", title=category["name"], category=category,
                       parent=parent, subcategories=subcategories, **listing)


def _product(request: Request, product: sqlite3.Row) -> Response:
    conn = db(request)
    category = conn.execute("SELECT * FROM categories WHERE id = ?",
                            (product["category_id"],)).fetchone()
    parent = conn.execute("SELECT * FROM categories WHERE id = ?",
                          (category["parent_id"],)).fetchone() if category["parent_id"] else None
    reviews = conn.execute(
        "SELECT * FROM reviews WHERE product_id = ? AND status = 'approved' "
        "ORDER BY created_at DESC, id DESC", (product["id"],)).fetchall()
    avg = sum(r["rating"] for r in reviews) / len(reviews) if reviews else 0.0
    who = site.user(request)
    return site.render(
        request, "product.html", title=product["name"], product=product, category=category,
        parent=parent, reviews=reviews, rating_percent=round(avg * 20),
        rating_average=round(avg, 1), colors=json_list(product["colors"]),
        sizes=json_list(product["sizes"]), final_price=effective_price(product),
        nickname=who["first_name"] if who else "",
    )


async def search(request: Request) -> Response:
    """``/catalogsearch/result/?q=``: every word in the name or description; counted in terms."""
    conn = db(request)
    query = request.query_params.get("q", "").strip()
    where, params = search_clause(query)
    listing = _listing(request, where, params, relevance=search_relevance(query))
    fresh = "p" not in request.query_params and "product_list_order" not in request.query_params
    if query and fresh and not getattr(request.state, "readonly", False):
        total = listing["pager"].total
        updated = conn.execute(
            "UPDATE search_terms SET uses = uses + 1, results = ? WHERE lower(query) = lower(?)",
            (total, query)).rowcount
        if not updated:
            conn.execute("INSERT INTO search_terms (query, uses, results) VALUES (?, 1, ?)",
                         (query, total))
        conn.commit()
    return site.render(request, "search.html", title=f"Search results for: '{query}'", query=query,
                       **listing)


@site.writes
async def review_post(request: Request) -> Response:
    """Post a review; it waits for moderation (``pending``)."""
    conn = db(request)
    pid = request.path_params["id"]
    product = _enabled_product(conn, pid)
    if product is None:
        raise not_found()
    data = await read_form(request)
    target = f"/{product['url_key']}.html#reviews"
    rating = data.get("rating", "")
    fields = [data.get(k, "").strip() for k in ("nickname", "title", "detail")]
    if not all(fields) or rating not in ("1", "2", "3", "4", "5"):
        return site.redirect(target, "Please fill in the nickname, summary and review, and "
                             "choose a rating.", "error")
    who = site.user(request)
    conn.execute(
        "INSERT INTO reviews (product_id, customer_id, nickname, title, detail, rating, status, "
        "created_at) VALUES (?, ?, ?, ?, ?, ?, 'pending', ?)",
        (product["id"], who["id"] if who else None, *fields, int(rating), store_now(conn)))
    conn.commit()
    return site.redirect(target, "You submitted your review for moderation.", "success")


# ---------------------------------------------------------------- cart and checkout

def _cart(conn: sqlite3.Connection, customer_id: int) -> tuple[list[dict[str, Any]], float, int]:
    rows = conn.execute(
        "SELECT c.id AS item_id, c.qty AS item_qty, c.options AS item_options, p.* "
        "FROM cart_items c JOIN products p ON p.id = c.product_id WHERE c.customer_id = ? "
        "ORDER BY c.id", (customer_id,)).fetchall()
    items = []
    for r in rows:
        price = effective_price(r)
        items.append(dict(r, unit_price=price, row_total=round(price * r["item_qty"], 2)))
    subtotal = round(sum(i["row_total"] for i in items), 2)
    return items, subtotal, sum(i["item_qty"] for i in items)


def _qty(raw: str) -> int | None:
    raw = raw.strip()
    return int(raw) if raw.isdigit() and 0 < int(raw) <= 10000 else None


def _add_to_cart(conn: sqlite3.Connection, customer_id: int, product: sqlite3.Row, qty: int,
                 options: dict[str, str] | None) -> str | None:
    """Put ``qty`` of ``product`` in the cart (merging same options); an error text or None."""
    if product["is_in_stock"] == 0 or product["qty"] <= 0:
        return f"{product['name']} is out of stock."
    opts = json.dumps(options) if options else None
    row = conn.execute(
        "SELECT id, qty FROM cart_items WHERE customer_id = ? AND product_id = ? "
        "AND options IS ?", (customer_id, product["id"], opts)).fetchone()
    if (row["qty"] if row else 0) + qty > product["qty"]:
        return f"The requested qty of {product['name']} is not available."
    if row:
        conn.execute("UPDATE cart_items SET qty = qty + ? WHERE id = ?", (qty, row["id"]))
    else:
        conn.execute("INSERT INTO cart_items (customer_id, product_id, options, qty) "
                     "VALUES (?, ?, ?, ?)", (customer_id, product["id"], opts, qty))
    return None


async def cart(request: Request) -> Response:
    """``/checkout/cart/``: the shopping cart."""
    who = site.user(request)
    items, subtotal, count = _cart(db(request), who["id"]) if who else ([], 0.0, 0)
    return site.render(request, "cart.html", title="Shopping Cart", items=items, subtotal=subtotal,
                       count=count)


def _enabled_product(conn: sqlite3.Connection, product_id: object) -> sqlite3.Row | None:
    """The product with this id (an int, or a form's digit string) if it is enabled, else None."""
    text = str(product_id)
    if not text.isdigit():
        return None
    return conn.execute("SELECT * FROM products WHERE id = ? AND status = 1",
                        (int(text),)).fetchone()


@site.writes
@site.login_required
async def cart_add(request: Request) -> Response:
    """Add a product (with its options and qty) to the cart."""
    conn, who = db(request), site.user(request)
    data = await read_form(request)
    product = _enabled_product(conn, data.get("product", ""))
    if product is None:
        return site.redirect(referer_path(request), "This product is not available.", "error")
    page = f"/{product['url_key']}.html"
    options = {}
    for label, choices in (("Color", json_list(product["colors"])),
                           ("Size", json_list(product["sizes"]))):
        if choices:
            value = data.get(label.lower(), "")
            if value not in choices:
                return site.redirect(page, "You need to choose options for your item.", "error")
            options[label] = value
    qty = _qty(data.get("qty", "1"))
    if qty is None:
        return site.redirect(page, "Please enter a quantity greater than 0.", "error")
    error = _add_to_cart(conn, who["id"], product, qty, options)
    if error:
        return site.redirect(page, error, "error")
    conn.commit()
    return site.redirect(referer_path(request, page),
                         f"You added {product['name']} to your shopping cart.", "success")


@site.writes
@site.login_required
async def cart_update(request: Request) -> Response:
    """Update the quantities in the cart (``cart[<item id>][qty]``; 0 removes the item)."""
    conn, who = db(request), site.user(request)
    data = await read_form(request)
    items, _, _ = _cart(conn, who["id"])
    for item in items:
        raw = data.get(f"cart[{item['item_id']}][qty]")
        if raw is None:
            continue
        raw = raw.strip()
        if raw == "0":
            conn.execute("DELETE FROM cart_items WHERE id = ?", (item["item_id"],))
            continue
        qty = _qty(raw)
        if qty is None or qty > item["qty"]:
            conn.rollback()
            return site.redirect("/checkout/cart/",
                                 f"The requested qty of {item['name']} is not available.", "error")
        conn.execute("UPDATE cart_items SET qty = ? WHERE id = ?", (qty, item["item_id"]))
    conn.commit()
    return site.redirect("/checkout/cart/", "Your shopping cart was updated.", "success")


@site.writes
@site.login_required
async def cart_delete(request: Request) -> Response:
    """Remove one item from the cart."""
    conn, who = db(request), site.user(request)
    conn.execute("DELETE FROM cart_items WHERE id = ? AND customer_id = ?",
                 (request.path_params["id"], who["id"]))
    conn.commit()
    return site.redirect("/checkout/cart/", "The item was removed from your shopping cart.",
                         "success")


def _addresses(conn: sqlite3.Connection, customer_id: int) -> list[sqlite3.Row]:
    return conn.execute(
        "SELECT * FROM addresses WHERE customer_id = ? "
        "ORDER BY is_default_shipping DESC, is_default_billing DESC, id", (customer_id,)).fetchall()


@site.login_required
async def checkout(request: Request) -> Response:
    """``/checkout/``: shipping address, shipping method, payment, review and Place Order."""
    conn, who = db(request), site.user(request)
    items, subtotal, count = _cart(conn, who["id"])
    if not items:
        return site.redirect("/checkout/cart/")
    methods = [(code, label, shipping_amount(code, subtotal, count))
               for code, label in SHIPPING_METHODS.items()]
    return site.render(request, "checkout.html", title="Checkout", items=items, subtotal=subtotal,
                       count=count, addresses=_addresses(conn, who["id"]), methods=methods,
                       payment_method=PAYMENT_METHOD, states=US_STATES)


_ADDRESS_FIELDS = ("firstname", "lastname", "street", "city", "region", "postcode", "telephone")


def _address_from_form(data: dict[str, str]) -> dict[str, str] | None:
    values = {k: data.get(k, "").strip() for k in _ADDRESS_FIELDS}
    if not all(values.values()) or values["region"] not in US_STATES:
        return None
    return {"first_name": values["firstname"], "last_name": values["lastname"],
            "street": values["street"], "city": values["city"], "region": values["region"],
            "postcode": values["postcode"], "phone": values["telephone"],
            "country": "United States"}


@site.writes
@site.login_required
async def place_order(request: Request) -> Response:
    """Place the order: a new ``pending`` order with the next number; the cart is emptied."""
    conn, who = db(request), site.user(request)
    data = await read_form(request)
    items, subtotal, count = _cart(conn, who["id"])
    if not items:
        return site.redirect("/checkout/cart/")
    method = data.get("shipping_method", "")
    if method not in SHIPPING_METHODS:
        return site.redirect("/checkout/", "Please choose a shipping method.", "error")
    choice = data.get("address_id", "new")
    if choice == "new":
        address = _address_from_form(data)
        if address is None:
            return site.redirect("/checkout/",
                                 "Please fill in every field of the new shipping address.", "error")
        if data.get("save_in_address_book"):
            _save_address(conn, who["id"], address, None, False, False)
    else:
        row = conn.execute("SELECT * FROM addresses WHERE id = ? AND customer_id = ?",
                           (int(choice) if choice.isdigit() else 0, who["id"])).fetchone()
        if row is None:
            return site.redirect("/checkout/", "Please choose a shipping address.", "error")
        address = dict(row)
    for item in items:
        if item["status"] != 1 or not item["is_in_stock"] or item["item_qty"] > item["qty"]:
            return site.redirect("/checkout/cart/",
                                 f"The requested qty of {item['name']} is not available.", "error")
    billing_row = conn.execute("SELECT * FROM addresses WHERE customer_id = ? AND "
                               "is_default_billing = 1", (who["id"],)).fetchone()
    shipping_text = format_address(address)
    billing_text = format_address(billing_row) if billing_row else shipping_text
    ship = shipping_amount(method, subtotal, count)
    increment = next_increment_id(conn)
    cur = conn.execute(
        "INSERT INTO orders (increment_id, customer_id, customer_email, customer_name, status, "
        "created_at, subtotal, shipping_amount, discount_amount, grand_total, shipping_method, "
        "payment_method, shipping_address, billing_address) "
        "VALUES (?, ?, ?, ?, 'pending', ?, ?, ?, 0, ?, ?, ?, ?, ?)",
        (increment, who["id"], who["email"], f"{who['first_name']} {who['last_name']}",
         store_now(conn), subtotal, ship, round(subtotal + ship, 2), SHIPPING_METHODS[method],
         PAYMENT_METHOD, shipping_text, billing_text))
    order_id = cur.lastrowid
    for item in items:
        conn.execute(
            "INSERT INTO order_items (order_id, product_id, sku, name, options, price, qty) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (order_id, item["id"], item["sku"], item["name"], item["item_options"],
             item["unit_price"], item["item_qty"]))
        conn.execute("UPDATE products SET qty = qty - ? WHERE id = ?", (item["item_qty"], item["id"]))
    conn.execute("DELETE FROM cart_items WHERE customer_id = ?", (who["id"],))
    conn.commit()
    return site.redirect("/checkout/onepage/success/")


@site.login_required
async def checkout_success(request: Request) -> Response:
    """The thank-you page with the new order's number."""
    order = db(request).execute("SELECT * FROM orders WHERE customer_id = ? ORDER BY id DESC "
                                "LIMIT 1", (site.user(request)["id"],)).fetchone()
    return site.render(request, "success.html", title="Thank you for your purchase!", order=order)


# ---------------------------------------------------------------- customer account

async def login(request: Request) -> Response:
    """The sign-in page (fields ``login[username]``, ``login[password]``, button ``send2``)."""
    if site.user(request) is not None:
        return site.redirect("/customer/account/")
    return site.render(request, "login.html", title="Customer Login",
                       referer=request.query_params.get("referer", ""))


async def login_post(request: Request) -> Response:
    """Check the email and password; sign in, or back to the form with an error."""
    data = await read_form(request)
    email = data.get("login[username]", "").strip()
    row = db(request).execute("SELECT * FROM customers WHERE lower(email) = lower(?)",
                              (email,)).fetchone()
    referer = local_path(data.get("referer", ""))
    if row is None or row["password"] != data.get("login[password]", ""):
        return site.redirect(SIGN_IN.url_to(referer), SIGN_IN_FAILED, "error")
    return site.sign_in(site.redirect(referer or "/customer/account/"), row["id"])


async def logout(request: Request) -> Response:
    """Sign out and say so."""
    response = site.render(request, "message.html", title="You are signed out", as_user=None,
                           text="You have signed out and will go to our homepage in 5 seconds.",
                           link=("/", "Continue Shopping"))
    return site.sign_out(response)


def _recent_orders(conn: sqlite3.Connection, customer_id: int, limit: int,
                   offset: int = 0) -> list[dict[str, Any]]:
    rows = conn.execute("SELECT * FROM orders WHERE customer_id = ? ORDER BY created_at DESC, "
                        "id DESC LIMIT ? OFFSET ?", (customer_id, limit, offset)).fetchall()
    return [dict(r, ship_to=r["shipping_address"].split("\n", 1)[0]) for r in rows]


@site.login_required
async def account(request: Request) -> Response:
    """``/customer/account/``: the account dashboard."""
    conn, who = db(request), site.user(request)
    addresses = _addresses(conn, who["id"])
    return site.render(
        request, "account.html", title="My Account",
        billing=next((a for a in addresses if a["is_default_billing"]), None),
        shipping=next((a for a in addresses if a["is_default_shipping"]), None),
        orders=_recent_orders(conn, who["id"], 5))


@site.login_required
async def account_edit(request: Request) -> Response:
    """``/customer/account/edit/``: name, email and password."""
    return site.render(request, "account_edit.html", title="Edit Account Information")


@site.writes
@site.login_required
async def account_edit_post(request: Request) -> Response:
    """Save name and email; change the password when asked (both need the current password)."""
    conn, who = db(request), site.user(request)
    data = await read_form(request)
    first, last = data.get("firstname", "").strip(), data.get("lastname", "").strip()
    email = data.get("email", "").strip()
    new_password = data.get("password", "")
    fail = functools.partial(site.redirect, "/customer/account/edit/", kind="error")
    if not first or not last or "@" not in email:
        return fail("Please enter your first name, last name and a valid email address.")
    sensitive = email.lower() != who["email"].lower() or new_password
    if sensitive and data.get("current_password", "") != who["password"]:
        return fail("The password doesn't match this account. Verify the password and try again.")
    if new_password:
        if len(new_password) < 8:
            return fail("The password needs at least 8 characters.")
        if new_password != data.get("password_confirmation", ""):
            return fail("Please enter the same value again.")
    taken = conn.execute("SELECT 1 FROM customers WHERE lower(email) = lower(?) AND id != ?",
                         (email, who["id"])).fetchone()
    if taken:
        return fail("A customer with the same email address already exists.")
    conn.execute("UPDATE customers SET first_name = ?, last_name = ?, email = ?, password = ? "
                 "WHERE id = ?", (first, last, email, new_password or who["password"], who["id"]))
    conn.commit()
    return site.redirect("/customer/account/", "You saved the account information.", "success")


@site.login_required
async def address_book(request: Request) -> Response:
    """``/customer/address/``: default and additional addresses."""
    addresses = _addresses(db(request), site.user(request)["id"])
    return site.render(
        request, "address_book.html", title="Address Book",
        billing=next((a for a in addresses if a["is_default_billing"]), None),
        shipping=next((a for a in addresses if a["is_default_shipping"]), None),
        others=[a for a in addresses if not a["is_default_billing"] and not a["is_default_shipping"]])


@site.login_required
async def address_form(request: Request) -> Response:
    """``/customer/address/new/`` and ``/customer/address/edit/id/N/``."""
    conn, who = db(request), site.user(request)
    address = None
    if "id" in request.path_params:
        address = conn.execute("SELECT * FROM addresses WHERE id = ? AND customer_id = ?",
                               (request.path_params["id"], who["id"])).fetchone()
        if address is None:
            return site.redirect("/customer/address/")
    title = "Edit Address" if address else "Add New Address"
    return site.render(request, "address_form.html", title=title, address=address, states=US_STATES)


def _save_address(conn: sqlite3.Connection, customer_id: int, a: dict[str, str],
                  address_id: int | None, billing: bool, shipping: bool) -> None:
    if not conn.execute("SELECT 1 FROM addresses WHERE customer_id = ?", (customer_id,)).fetchone():
        billing = shipping = True  # the first address is the default one
    if billing:
        conn.execute("UPDATE addresses SET is_default_billing = 0 WHERE customer_id = ?",
                     (customer_id,))
    if shipping:
        conn.execute("UPDATE addresses SET is_default_shipping = 0 WHERE customer_id = ?",
                     (customer_id,))
    values = (a["first_name"], a["last_name"], a["street"], a["city"], a["region"],
              a["postcode"], a["phone"])
    if address_id is None:
        conn.execute(
            "INSERT INTO addresses (customer_id, first_name, last_name, street, city, region, "
            "postcode, phone, is_default_billing, is_default_shipping) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", (customer_id, *values, int(billing),
                                                      int(shipping)))
    else:
        conn.execute(
            "UPDATE addresses SET first_name = ?, last_name = ?, street = ?, city = ?, "
            "region = ?, postcode = ?, phone = ?, "
            "is_default_billing = max(is_default_billing, ?), "
            "is_default_shipping = max(is_default_shipping, ?) WHERE id = ?",
            (*values, int(billing), int(shipping), address_id))


@site.writes
@site.login_required
async def address_post(request: Request) -> Response:
    """Save a new or edited address (``id`` field for an edit)."""
    conn, who = db(request), site.user(request)
    data = await read_form(request)
    address_id = None
    if data.get("id"):
        row = conn.execute("SELECT id FROM addresses WHERE id = ? AND customer_id = ?",
                           (data["id"], who["id"])).fetchone()
        if row is None:
            return site.redirect("/customer/address/")
        address_id = row["id"]
    address = _address_from_form(data)
    if address is None:
        target = f"/customer/address/edit/id/{address_id}/" if address_id else "/customer/address/new/"
        return site.redirect(target,
                             "Please fill in every required field (choose a state from the list).",
                             "error")
    _save_address(conn, who["id"], address, address_id, bool(data.get("default_billing")),
                  bool(data.get("default_shipping")))
    conn.commit()
    return site.redirect("/customer/address/", "You saved the address.", "success")


@site.writes
@site.login_required
async def address_delete(request: Request) -> Response:
    """Delete an additional (non-default) address."""
    conn, who = db(request), site.user(request)
    deleted = conn.execute(
        "DELETE FROM addresses WHERE id = ? AND customer_id = ? AND is_default_billing = 0 "
        "AND is_default_shipping = 0", (request.path_params["id"], who["id"])).rowcount
    conn.commit()
    if not deleted:
        return site.redirect("/customer/address/", "We can't delete a default address.", "error")
    return site.redirect("/customer/address/", "You deleted the address.", "success")


@site.login_required
async def order_history(request: Request) -> Response:
    """``/sales/order/history/``: My Orders, newest first, paginated."""
    conn, who = db(request), site.user(request)
    total = conn.execute("SELECT count(*) FROM orders WHERE customer_id = ?",
                         (who["id"],)).fetchone()[0]
    limit = query_int(request.query_params, "limit", HISTORY_LIMITS[0], HISTORY_LIMITS)
    pager = Pagination.from_request(request, total, limit)
    return site.render(request, "order_history.html", title="My Orders", pager=pager,
                       limit=limit, limits=HISTORY_LIMITS,
                       orders=_recent_orders(conn, who["id"], limit, pager.offset))


def _own_order(request: Request) -> sqlite3.Row | None:
    return db(request).execute("SELECT * FROM orders WHERE id = ? AND customer_id = ?",
                               (request.path_params["order_id"], site.user(request)["id"])
                               ).fetchone()


@site.login_required
async def order_view(request: Request) -> Response:
    """``/sales/order/view/order_id/N/``: one order with its items, totals and addresses."""
    order = _own_order(request)
    if order is None:
        return site.redirect("/sales/order/history/")
    conn = db(request)
    items = conn.execute("SELECT i.*, p.url_key, p.status AS product_status FROM order_items i "
                         "LEFT JOIN products p ON p.id = i.product_id WHERE i.order_id = ? "
                         "ORDER BY i.id", (order["id"],)).fetchall()
    comments = conn.execute("SELECT * FROM order_comments WHERE order_id = ? AND "
                            "notify_customer = 1 ORDER BY created_at, id",
                            (order["id"],)).fetchall()
    return site.render(request, "order_view.html", title=f"Order # {order['increment_id']}",
                       order=order, items=items, comments=comments)


@site.writes
@site.login_required
async def order_cancel(request: Request) -> Response:
    """Cancel a ``pending`` order (and note it in the order's comments)."""
    order = _own_order(request)
    if order is None:
        return site.redirect("/sales/order/history/")
    target = f"/sales/order/view/order_id/{order['id']}/"
    if order["status"] != "pending":
        return site.redirect(target, "Only pending orders can be canceled.", "error")
    conn = db(request)
    conn.execute("UPDATE orders SET status = 'canceled' WHERE id = ?", (order["id"],))
    conn.execute("INSERT INTO order_comments (order_id, comment, status, notify_customer, "
                 "created_at) VALUES (?, 'Order canceled by the customer.', 'canceled', 1, ?)",
                 (order["id"], store_now(conn)))
    conn.commit()
    return site.redirect(target, "You canceled the order.", "success")


@site.writes
@site.login_required
async def order_reorder(request: Request) -> Response:
    """Put an order's items back in the cart."""
    order = _own_order(request)
    if order is None:
        return site.redirect("/sales/order/history/")
    conn, who = db(request), site.user(request)
    errors = []
    for item in conn.execute("SELECT * FROM order_items WHERE order_id = ?", (order["id"],)):
        product = _enabled_product(conn, item["product_id"])
        error = (f"{item['name']} is no longer available." if product is None else
                 _add_to_cart(conn, who["id"], product, item["qty"],
                              json.loads(item["options"]) if item["options"] else None))
        if error:
            errors.append(error)
    conn.commit()
    if errors:
        return site.redirect("/checkout/cart/", " ".join(errors), "error")
    return site.redirect("/checkout/cart/", f"You added the items of order # "
                         f"{order['increment_id']} to your shopping cart.", "success")


@site.login_required
async def my_reviews(request: Request) -> Response:
    """``/review/customer/``: the customer's own reviews."""
    conn, who = db(request), site.user(request)
    total = conn.execute("SELECT count(*) FROM reviews WHERE customer_id = ?",
                         (who["id"],)).fetchone()[0]
    pager = Pagination.from_request(request, total, 10)
    reviews = conn.execute(
        "SELECT r.*, p.name AS product_name, p.url_key FROM reviews r JOIN products p "
        "ON p.id = r.product_id WHERE r.customer_id = ? ORDER BY r.created_at DESC, r.id DESC "
        "LIMIT ? OFFSET ?", (who["id"], pager.limit, pager.offset)).fetchall()
    return site.render(request, "my_reviews.html", title="My Product Reviews", reviews=reviews,
                       pager=pager)


# ---------------------------------------------------------------- wishlist and newsletter

@site.login_required
async def wishlist(request: Request) -> Response:
    """``/wishlist/``: My Wish List."""
    conn = db(request)
    rows = conn.execute(
        "SELECT w.id AS item_id, w.added_at, p.* FROM wishlist_items w JOIN products p "
        "ON p.id = w.product_id WHERE w.customer_id = ? ORDER BY w.added_at DESC, w.id DESC",
        (site.user(request)["id"],)).fetchall()
    return site.render(request, "wishlist.html", title="My Wish List", items=_cards(conn, rows))


@site.writes
@site.login_required
async def wishlist_add(request: Request) -> Response:
    """Add a product to the wish list."""
    conn, who = db(request), site.user(request)
    data = await read_form(request)
    product = _enabled_product(conn, data.get("product", ""))
    if product is None:
        return site.redirect("/wishlist/", "This product is not available.", "error")
    conn.execute("INSERT OR IGNORE INTO wishlist_items (customer_id, product_id, added_at) "
                 "VALUES (?, ?, ?)", (who["id"], product["id"], store_now(conn)))
    conn.commit()
    return site.redirect("/wishlist/", f"{product['name']} has been added to your Wish List.",
                         "success")


def _wish_item(request: Request) -> sqlite3.Row | None:
    return db(request).execute(
        "SELECT w.id AS item_id, p.* FROM wishlist_items w JOIN products p ON p.id = w.product_id "
        "WHERE w.id = ? AND w.customer_id = ?",
        (request.path_params["id"], site.user(request)["id"])).fetchone()


@site.writes
@site.login_required
async def wishlist_remove(request: Request) -> Response:
    """Remove an item from the wish list."""
    item = _wish_item(request)
    if item is not None:
        db(request).execute("DELETE FROM wishlist_items WHERE id = ?", (item["item_id"],))
        db(request).commit()
    name = item["name"] if item else "The item"
    return site.redirect("/wishlist/", f"{name} has been removed from your Wish List.", "success")


@site.writes
@site.login_required
async def wishlist_to_cart(request: Request) -> Response:
    """Move an item to the cart (products with options go to their page to choose them)."""
    item = _wish_item(request)
    if item is None:
        return site.redirect("/wishlist/")
    conn, who = db(request), site.user(request)
    if item["colors"] or item["sizes"] or item["status"] != 1:
        return site.redirect(f"/{item['url_key']}.html",
                             "You need to choose options for your item.", "notice")
    error = _add_to_cart(conn, who["id"], item, 1, None)
    if error:
        return site.redirect("/wishlist/", error, "error")
    conn.execute("DELETE FROM wishlist_items WHERE id = ?", (item["item_id"],))
    conn.commit()
    return site.redirect("/wishlist/", f"You added {item['name']} to your shopping cart.",
                         "success")


@site.login_required
async def newsletter(request: Request) -> Response:
    """``/newsletter/manage/``: the General Subscription checkbox."""
    return site.render(request, "newsletter.html", title="Newsletter Subscription")


@site.writes
@site.login_required
async def newsletter_post(request: Request) -> Response:
    """Save the subscription."""
    data = await read_form(request)
    subscribed = 1 if data.get("is_subscribed") else 0
    db(request).execute("UPDATE customers SET newsletter = ? WHERE id = ?",
                        (subscribed, site.user(request)["id"]))
    db(request).commit()
    text = ("We have saved your subscription." if subscribed
            else "We have removed your newsletter subscription.")
    return site.redirect("/customer/account/", text, "success")


def create_app() -> Starlette:
    """The storefront's Starlette app (needs the host's ``request.state.db``)."""
    routes = [
        Route("/", home),
        Route("/static/styles.css", static_file(HERE / "styles.css")),
        Route("/catalogsearch/result/", search),
        Route("/catalogsearch/result/index/", search),
        Route("/review/product/post/id/{id:int}/", review_post, methods=["POST"]),
        Route("/review/customer/", my_reviews),
        Route("/checkout/cart/", cart),
        Route("/checkout/cart/add/", cart_add, methods=["POST"]),
        Route("/checkout/cart/updatePost/", cart_update, methods=["POST"]),
        Route("/checkout/cart/delete/id/{id:int}/", cart_delete, methods=["POST"]),
        Route("/checkout/", checkout),
        Route("/checkout/placeOrder/", place_order, methods=["POST"]),
        Route("/checkout/onepage/success/", checkout_success),
        Route("/customer/account/login/", login),
        Route("/customer/account/loginPost/", login_post, methods=["POST"]),
        Route("/customer/account/logout/", logout),
        Route("/customer/account/", account),
        Route("/customer/account/edit/", account_edit),
        Route("/customer/account/editPost/", account_edit_post, methods=["POST"]),
        Route("/customer/address/", address_book),
        Route("/customer/address/new/", address_form),
        Route("/customer/address/edit/id/{id:int}/", address_form),
        Route("/customer/address/formPost/", address_post, methods=["POST"]),
        Route("/customer/address/delete/id/{id:int}/", address_delete, methods=["POST"]),
        Route("/sales/order/history/", order_history),
        Route("/sales/order/view/order_id/{order_id:int}/", order_view),
        Route("/sales/order/cancel/order_id/{order_id:int}/", order_cancel, methods=["POST"]),
        Route("/sales/order/reorder/order_id/{order_id:int}/", order_reorder, methods=["POST"]),
        Route("/wishlist/", wishlist),
        Route("/wishlist/index/add/", wishlist_add, methods=["POST"]),
        Route("/wishlist/index/remove/item/{id:int}/", wishlist_remove, methods=["POST"]),
        Route("/wishlist/index/cart/item/{id:int}/", wishlist_to_cart, methods=["POST"]),
        Route("/newsletter/manage/", newsletter),
        Route("/newsletter/manage/save/", newsletter_post, methods=["POST"]),
        Route("/{key:path}.html", catalog_page),
    ]
    return site.app(routes)
