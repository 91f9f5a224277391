"""The ``shopping`` site through HTTP: pages render, forms work, logins and read-only mode hold."""

from __future__ import annotations

import json
import re
import sqlite3
import warnings
from importlib import resources

import pytest

from webarena_gym.sandbox.shopping.app import create_app
from webarena_gym.sandbox.store import (
    DEFAULT_CUSTOMER_EMAIL,
    DEFAULT_CUSTOMER_PASSWORD,
    default_customer_id,
    generate_store,
)

with warnings.catch_warnings():  # Starlette 1.x nudges towards httpx2; httpx is what we have
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

SCHEMA = resources.files("webarena_gym.sandbox.store").joinpath("schema.sql").read_text()


@pytest.fixture(scope="module")
def template_db() -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:", check_same_thread=False)
    conn.executescript(SCHEMA)
    generate_store(conn, seed=0)
    return conn


class HostState:
    """What the sandbox host gives each request: the tenant's db, read-only flag, site URLs."""

    def __init__(self, app, conn: sqlite3.Connection, readonly: bool = False) -> None:
        self.app, self.conn, self.readonly = app, conn, readonly

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            scope.setdefault("state", {}).update(
                db=self.conn, readonly=self.readonly,
                site_urls={"shopping": "http://testserver"})
        await self.app(scope, receive, send)


def make_db(template: sqlite3.Connection) -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:", check_same_thread=False)
    template.backup(conn)
    conn.row_factory = sqlite3.Row
    return conn


@pytest.fixture
def db(template_db) -> sqlite3.Connection:
    return make_db(template_db)


@pytest.fixture
def client(db) -> TestClient:
    return TestClient(HostState(create_app(), db))


def sign_in(client: TestClient) -> None:
    r = client.post("/customer/account/loginPost/", data={
        "login[username]": DEFAULT_CUSTOMER_EMAIL, "login[password]": DEFAULT_CUSTOMER_PASSWORD})
    assert r.status_code == 200 and "Welcome, Emma Lopez!" in r.text


@pytest.fixture
def emma(client) -> TestClient:
    sign_in(client)
    return client


def one(db, sql, *params):
    return db.execute(sql, params).fetchone()


def product_names(html: str) -> list[str]:
    return re.findall(r'class="product-item-link" href="[^"]+">([^<]+)</a>', html)


def prices(html: str) -> list[float]:
    """The price each grid item sells for (special price when there is one)."""
    values = []
    for item in html.split('class="item product product-item"')[1:]:
        found = re.search(r'class="price">\$([\d,.]+)<', item)
        values.append(float(found.group(1).replace(",", "")))
    return values


# ------------------------------------------------------------------ catalogue pages

def test_home_and_menu(client, db):
    r = client.get("/")
    assert r.status_code == 200
    assert "One Stop Market" in r.text and "Hot Sellers" in r.text
    assert 'id="search"' in r.text and 'name="q"' in r.text
    assert "Sign In" in r.text and "Welcome, Emma" not in r.text
    for (name,) in db.execute("SELECT name FROM categories WHERE parent_id IS NULL"):
        assert name.replace("&", "&amp;") in r.text
    assert len(product_names(r.text)) == 8
    assert client.get("/static/styles.css").headers["content-type"].startswith("text/css")


def test_category_sorting_and_pagination(client, db):
    top = one(db, "SELECT * FROM categories WHERE parent_id IS NULL ORDER BY position LIMIT 1")
    r = client.get(f"/{top['url_key']}.html")
    assert r.status_code == 200 and top["name"].replace("&", "&amp;") in r.text
    total = one(db, "SELECT count(*) FROM products p JOIN categories c ON c.id = p.category_id "
                    "WHERE c.parent_id = ? AND p.status = 1", top["id"])[0]
    assert f"Items 1-12 of {total}" in r.text
    assert len(product_names(r.text)) == 12
    # sort by price ascending, then page 2 continues the order
    r1 = client.get(f"/{top['url_key']}.html?product_list_order=price&product_list_dir=asc")
    r2 = client.get(f"/{top['url_key']}.html?product_list_order=price&product_list_dir=asc&p=2")
    p1, p2 = prices(r1.text), prices(r2.text)
    assert p1 == sorted(p1) and p2 == sorted(p2) and p1[-1] <= p2[0]
    assert "Items 13-24" in r2.text
    desc = prices(client.get(f"/{top['url_key']}.html?product_list_order=price"
                             "&product_list_dir=desc").text)
    assert desc == sorted(desc, reverse=True)
    names = product_names(client.get(f"/{top['url_key']}.html?product_list_order=name").text)
    assert names == sorted(names)
    r = client.get(f"/{top['url_key']}.html?product_list_limit=24")
    assert len(product_names(r.text)) == min(24, total)
    # subcategory: breadcrumbs back to its parent
    sub = one(db, "SELECT * FROM categories WHERE parent_id = ? ORDER BY position", top["id"])
    r = client.get(f"/{sub['url_key']}.html")
    assert r.status_code == 200 and f'href="/{top["url_key"]}.html"' in r.text


def test_product_page(client, db):
    p = one(db, "SELECT * FROM products WHERE status = 1 AND sizes IS NOT NULL AND "
                "special_price IS NULL ORDER BY id LIMIT 1")
    r = client.get(f"/{p['url_key']}.html")
    assert r.status_code == 200
    html = r.text.replace("&#39;", "'").replace("&amp;", "&")
    assert p["name"] in html and p["sku"] in html and f"${p['price']:,.2f}" in html
    assert 'name="color"' in r.text and 'name="size"' in r.text and 'id="qty"' in r.text
    assert "Add to Cart" in r.text and "Add to Wish List" in r.text
    approved = db.execute("SELECT title FROM reviews WHERE product_id = ? AND status = 'approved'",
                          (p["id"],)).fetchall()
    assert f"Reviews ({len(approved)})" in r.text
    special = one(db, "SELECT * FROM products WHERE status = 1 AND special_price IS NOT NULL "
                      "ORDER BY id LIMIT 1")
    r = client.get(f"/{special['url_key']}.html")
    assert "special-price" in r.text and "Regular Price" in r.text
    out = one(db, "SELECT * FROM products WHERE status = 1 AND is_in_stock = 0 LIMIT 1")
    assert "Out of stock" in client.get(f"/{out['url_key']}.html").text
    disabled = one(db, "SELECT * FROM products WHERE status = 2 LIMIT 1")
    r = client.get(f"/{disabled['url_key']}.html")
    assert r.status_code == 404 and "Whoops, our bad" in r.text


def test_search_sorting_pagination_and_terms(client, db):
    r = client.get("/catalogsearch/result/?q=coffee")
    assert r.status_code == 200 and "Search results for: &#39;coffee&#39;" in r.text
    total = one(db, "SELECT results FROM search_terms WHERE query = 'coffee'")
    assert total is not None and total[0] > 12
    assert f"of {total[0]}" in r.text
    uses = one(db, "SELECT uses FROM search_terms WHERE query = 'coffee'")[0]
    r = client.get("/catalogsearch/result/?q=coffee&product_list_order=price&product_list_dir=asc")
    p1 = prices(r.text)
    assert p1 == sorted(p1)
    p2 = prices(client.get("/catalogsearch/result/?q=coffee&product_list_order=price"
                           "&product_list_dir=asc&p=2").text)
    assert p2 and p1[-1] <= p2[0]
    # only fresh searches count as a use
    assert one(db, "SELECT uses FROM search_terms WHERE query = 'coffee'")[0] == uses
    client.get("/catalogsearch/result/?q=Zyxwv+Nothing")
    row = one(db, "SELECT uses, results FROM search_terms WHERE query = 'Zyxwv Nothing'")
    assert tuple(row) == (1, 0)
    assert "Your search returned no results." in client.get("/catalogsearch/result/?q=zyxwv").text


# ------------------------------------------------------------------ login

def test_login_logout_and_protected_pages(client):
    for url in ("/customer/account/", "/sales/order/history/", "/wishlist/",
                "/customer/address/", "/newsletter/manage/", "/checkout/"):
        r = client.get(url, follow_redirects=False)
        assert r.status_code == 302 and r.headers["location"].startswith("/customer/account/login/")
    r = client.get("/customer/account/login/")
    for needle in ('id="email"', 'name="login[username]"', 'id="pass"',
                   'name="login[password]"', 'id="send2"', "Sign In"):
        assert needle in r.text
    r = client.post("/customer/account/loginPost/", data={
        "login[username]": DEFAULT_CUSTOMER_EMAIL, "login[password]": "wrong"})
    assert "The account sign-in was incorrect" in r.text and "Welcome, Emma" not in r.text
    assert "wag_shopping" not in client.cookies
    # the login page sends the customer back to where the redirect came from
    r = client.get("/wishlist/")
    r = client.post("/customer/account/loginPost/", data={
        "login[username]": DEFAULT_CUSTOMER_EMAIL, "login[password]": DEFAULT_CUSTOMER_PASSWORD,
        "referer": "/wishlist/"})
    assert r.url.path == "/wishlist/" and "Welcome, Emma Lopez!" in r.text
    assert "wag_shopping" in client.cookies
    r = client.get("/customer/account/logout/")
    assert "You are signed out" in r.text and "Welcome, Emma" not in r.text
    assert client.get("/customer/account/", follow_redirects=False).status_code == 302


def test_account_pages_render(emma, db):
    cid = default_customer_id(db)
    r = emma.get("/customer/account/")
    assert "Contact Information" in r.text and DEFAULT_CUSTOMER_EMAIL in r.text
    assert "box box-address-shipping" in r.text and "Recent Orders" in r.text
    for url, needle in [("/customer/account/edit/", "Edit Account Information"),
                        ("/customer/address/", "Default Billing Address"),
                        ("/customer/address/new/", "Add New Address"),
                        ("/newsletter/manage/", 'title="General Subscription"'),
                        ("/review/customer/", "My Product Reviews"),
                        ("/wishlist/", "products-grid wishlist"),
                        ("/checkout/cart/", "shopping-cart-table"),
                        ("/checkout/", "Place Order")]:
        r = emma.get(url)
        assert r.status_code == 200 and needle in r.text, url
    count = one(db, "SELECT count(*) FROM orders WHERE customer_id = ?", cid)[0]
    r = emma.get("/sales/order/history/")
    assert f"of {count} total" in r.text and "View Order" in r.text and "Reorder" in r.text
    newest = db.execute("SELECT increment_id FROM orders WHERE customer_id = ? "
                        "ORDER BY created_at DESC", (cid,)).fetchall()
    shown = re.findall(r'data-th="Order #" class="col id">(\d+)<', r.text)
    assert shown == [n[0] for n in newest[:10]]
    page2 = re.findall(r'data-th="Order #" class="col id">(\d+)<',
                       emma.get("/sales/order/history/?p=2").text)
    assert page2 == [n[0] for n in newest[10:20]]
    order = one(db, "SELECT * FROM orders WHERE customer_id = ? ORDER BY id LIMIT 1", cid)
    r = emma.get(f"/sales/order/view/order_id/{order['id']}/")
    assert f"Order # {order['increment_id']}" in r.text
    assert "order-details-items ordered" in r.text and "Grand Total" in r.text
    assert f"${order['grand_total']:,.2f}" in r.text and order["shipping_method"] in r.text
    # somebody else's order is not shown
    other = one(db, "SELECT id FROM orders WHERE customer_id != ? LIMIT 1", cid)[0]
    r = emma.get(f"/sales/order/view/order_id/{other}/", follow_redirects=False)
    assert r.status_code == 302


# ------------------------------------------------------------------ cart, checkout, orders

def test_add_to_cart_checkout_and_order(emma, db):
    cid = default_customer_id(db)
    p = one(db, "SELECT * FROM products WHERE status = 1 AND is_in_stock = 1 AND colors IS NOT NULL "
                "AND sizes IS NOT NULL AND qty > 5 ORDER BY id DESC LIMIT 1")
    colors, sizes = json.loads(p["colors"]), json.loads(p["sizes"])
    # options are required
    r = emma.post("/checkout/cart/add/", data={"product": p["id"], "qty": "1"})
    assert "You need to choose options for your item." in r.text
    r = emma.post("/checkout/cart/add/", data={"product": p["id"], "qty": "2",
                                                "color": colors[-1], "size": sizes[0]})
    assert "to your shopping cart" in r.text
    r = emma.get("/checkout/cart/")
    assert f"<dd>{colors[-1]}</dd>" in r.text and f"<dd>{sizes[0]}</dd>" in r.text
    items = db.execute("SELECT id, product_id, qty FROM cart_items WHERE customer_id = ?",
                       (cid,)).fetchall()
    mine = next(i for i in items if i["product_id"] == p["id"])
    # update one qty, remove the other items
    emma.post("/checkout/cart/updatePost/", data={f"cart[{mine['id']}][qty]": "3"})
    assert one(db, "SELECT qty FROM cart_items WHERE id = ?", mine["id"])[0] == 3
    for other in items:
        if other["id"] != mine["id"]:
            r = emma.post(f"/checkout/cart/delete/id/{other['id']}/")
            assert "removed from your shopping cart" in r.text
    before = one(db, "SELECT max(increment_id) FROM orders")[0]
    address = one(db, "SELECT * FROM addresses WHERE customer_id = ? AND is_default_shipping = 0",
                  cid)
    r = emma.post("/checkout/placeOrder/", data={
        "address_id": str(address["id"]), "shipping_method": "flatrate",
        "payment_method": "checkmo"})
    assert r.url.path == "/checkout/onepage/success/" and "Thank you for your purchase!" in r.text
    order = one(db, "SELECT * FROM orders ORDER BY id DESC LIMIT 1")
    assert order["increment_id"] == f"{int(before) + 1:09d}" and order["increment_id"] in r.text
    assert order["status"] == "pending" and order["customer_id"] == cid
    price = p["special_price"] if p["special_price"] else p["price"]
    assert order["subtotal"] == pytest.approx(3 * price)
    assert order["shipping_amount"] == 15.0
    assert order["grand_total"] == pytest.approx(3 * price + 15)
    assert address["street"] in order["shipping_address"]
    assert one(db, "SELECT count(*) FROM cart_items WHERE customer_id = ?", cid)[0] == 0
    assert "counter-number\">0<" in r.text
    r = emma.get("/sales/order/history/")
    assert order["increment_id"] in r.text.split("</tr>")[1]  # the newest row comes first
    r = emma.get(f"/sales/order/view/order_id/{order['id']}/")
    assert "Pending" in r.text and "Cancel Order" in r.text and colors[-1] in r.text


def test_checkout_with_new_address_and_table_rate(emma, db):
    cid = default_customer_id(db)
    r = emma.post("/checkout/placeOrder/", data={"address_id": "new", "shipping_method": "tablerate"})
    assert "Please fill in every field" in r.text
    r = emma.post("/checkout/placeOrder/", data={
        "address_id": "new", "shipping_method": "tablerate", "firstname": "Emma",
        "lastname": "Lopez", "street": "9 Elm St", "city": "Boston", "region": "Massachusetts",
        "postcode": "02115", "telephone": "617-555-0100", "save_in_address_book": "1"})
    assert "Thank you for your purchase!" in r.text
    order = one(db, "SELECT * FROM orders ORDER BY id DESC LIMIT 1")
    assert order["shipping_method"] == "Best Way - Table Rate"
    assert "9 Elm St\nBoston, Massachusetts, 02115" in order["shipping_address"]
    assert one(db, "SELECT count(*) FROM addresses WHERE customer_id = ? AND street = '9 Elm St'",
               cid)[0] == 1


def test_cancel_pending_order(emma, db):
    cid = default_customer_id(db)
    order = one(db, "SELECT * FROM orders WHERE customer_id = ? AND status = 'pending' "
                    "ORDER BY created_at DESC LIMIT 1", cid)
    r = emma.post(f"/sales/order/cancel/order_id/{order['id']}/")
    assert "You canceled the order." in r.text and "Cancel Order" not in r.text
    assert one(db, "SELECT status FROM orders WHERE id = ?", order["id"])[0] == "canceled"
    comment = one(db, "SELECT * FROM order_comments WHERE order_id = ? ORDER BY id DESC", order["id"])
    assert comment["status"] == "canceled" and "canceled" in comment["comment"]
    complete = one(db, "SELECT id FROM orders WHERE customer_id = ? AND status = 'complete'", cid)
    r = emma.post(f"/sales/order/cancel/order_id/{complete[0]}/")
    assert "Only pending orders can be canceled." in r.text


def test_reorder(emma, db):
    cid = default_customer_id(db)
    order = one(db, "SELECT o.id FROM orders o WHERE customer_id = ? AND NOT EXISTS (SELECT 1 FROM "
                    "order_items i JOIN products p ON p.id = i.product_id WHERE i.order_id = o.id "
                    "AND (p.status != 1 OR p.is_in_stock = 0)) ORDER BY o.id LIMIT 1", cid)
    before = one(db, "SELECT coalesce(sum(qty), 0) FROM cart_items WHERE customer_id = ?", cid)[0]
    added = one(db, "SELECT sum(qty) FROM order_items WHERE order_id = ?", order[0])[0]
    r = emma.post(f"/sales/order/reorder/order_id/{order[0]}/")
    assert r.url.path == "/checkout/cart/"
    after = one(db, "SELECT sum(qty) FROM cart_items WHERE customer_id = ?", cid)[0]
    assert after == before + added


# ------------------------------------------------------------------ reviews, wishlist, account

def test_review_post_is_pending(client, db):
    p = one(db, "SELECT * FROM products WHERE status = 1 ORDER BY id LIMIT 1")
    r = client.post(f"/review/product/post/id/{p['id']}/", data={
        "nickname": "Sam", "title": "Solid", "detail": "Battery life is great.", "rating": "4"})
    assert "You submitted your review for moderation." in r.text
    row = one(db, "SELECT * FROM reviews ORDER BY id DESC LIMIT 1")
    assert (row["product_id"], row["status"], row["rating"], row["customer_id"]) == (
        p["id"], "pending", 4, None)
    assert "Battery life is great." not in client.get(f"/{p['url_key']}.html").text
    r = client.post(f"/review/product/post/id/{p['id']}/", data={"nickname": "Sam"})
    assert "choose a rating" in r.text


def test_wishlist_add_remove_and_to_cart(emma, db):
    cid = default_customer_id(db)
    p = one(db, "SELECT * FROM products WHERE status = 1 AND is_in_stock = 1 AND colors IS NULL "
                "AND sizes IS NULL AND id NOT IN (SELECT product_id FROM wishlist_items WHERE "
                "customer_id = ?) ORDER BY id LIMIT 1", cid)
    r = emma.post("/wishlist/index/add/", data={"product": p["id"]})
    assert "has been added to your Wish List" in r.text
    item = one(db, "SELECT id FROM wishlist_items WHERE customer_id = ? AND product_id = ?",
               cid, p["id"])
    assert item is not None
    r = emma.post(f"/wishlist/index/cart/item/{item[0]}/")
    assert "to your shopping cart" in r.text
    assert one(db, "SELECT count(*) FROM wishlist_items WHERE id = ?", item[0])[0] == 0
    assert one(db, "SELECT count(*) FROM cart_items WHERE customer_id = ? AND product_id = ?",
               cid, p["id"])[0] == 1
    first = one(db, "SELECT w.id, p.name FROM wishlist_items w JOIN products p ON "
                    "p.id = w.product_id WHERE customer_id = ? LIMIT 1", cid)
    r = emma.post(f"/wishlist/index/remove/item/{first[0]}/")
    assert "has been removed from your Wish List" in r.text
    assert one(db, "SELECT count(*) FROM wishlist_items WHERE id = ?", first[0])[0] == 0


def test_address_add_edit_delete(emma, db):
    cid = default_customer_id(db)
    fields = {"firstname": "Emma", "lastname": "Lopez", "telephone": "555-0100",
              "street": "77 Pine St", "city": "Denver", "region": "Colorado", "postcode": "80202"}
    r = emma.post("/customer/address/formPost/", data=fields)
    assert "You saved the address." in r.text and "77 Pine St" in r.text
    new = one(db, "SELECT * FROM addresses WHERE customer_id = ? AND street = '77 Pine St'", cid)
    assert new["is_default_shipping"] == 0
    r = emma.get(f"/customer/address/edit/id/{new['id']}/")
    assert 'value="77 Pine St"' in r.text and "<option value=\"Colorado\" selected>" in r.text
    r = emma.post("/customer/address/formPost/", data={
        **fields, "id": str(new["id"]), "city": "Boulder", "default_shipping": "1"})
    row = one(db, "SELECT * FROM addresses WHERE id = ?", new["id"])
    assert row["city"] == "Boulder" and row["is_default_shipping"] == 1
    assert one(db, "SELECT count(*) FROM addresses WHERE customer_id = ? AND "
                   "is_default_shipping = 1", cid)[0] == 1
    r = emma.post("/customer/address/formPost/", data={**fields, "region": "Atlantis"})
    assert "Please fill in every required field" in r.text
    other = one(db, "SELECT id FROM addresses WHERE customer_id = ? AND is_default_billing = 0 "
                    "AND is_default_shipping = 0", cid)
    r = emma.post(f"/customer/address/delete/id/{other[0]}/")
    assert "You deleted the address." in r.text
    assert one(db, "SELECT count(*) FROM addresses WHERE id = ?", other[0])[0] == 0


def test_account_edit_and_newsletter(emma, db):
    cid = default_customer_id(db)
    r = emma.post("/customer/account/editPost/", data={
        "firstname": "Emily", "lastname": "Lopez", "email": DEFAULT_CUSTOMER_EMAIL})
    assert "You saved the account information." in r.text and "Welcome, Emily Lopez!" in r.text
    r = emma.post("/customer/account/editPost/", data={
        "firstname": "Emily", "lastname": "Lopez", "email": "emily@example.com",
        "current_password": "nope"})
    assert "The password doesn&#39;t match" in r.text
    r = emma.post("/customer/account/editPost/", data={
        "firstname": "Emily", "lastname": "Lopez", "email": DEFAULT_CUSTOMER_EMAIL,
        "current_password": DEFAULT_CUSTOMER_PASSWORD, "password": "NewPass.456",
        "password_confirmation": "NewPass.456"})
    assert one(db, "SELECT password FROM customers WHERE id = ?", cid)[0] == "NewPass.456"
    subscribed = one(db, "SELECT newsletter FROM customers WHERE id = ?", cid)[0]
    data = {} if subscribed else {"is_subscribed": "1"}
    emma.post("/newsletter/manage/save/", data=data)
    assert one(db, "SELECT newsletter FROM customers WHERE id = ?", cid)[0] == 1 - subscribed


# ------------------------------------------------------------------ read-only tenants

def test_readonly_refuses_writes(template_db):
    conn = make_db(template_db)
    client = TestClient(HostState(create_app(), conn, readonly=True))
    sign_in(client)  # signing in writes nothing
    cid = default_customer_id(conn)
    before = {t: one(conn, f"SELECT count(*) FROM {t}")[0]
              for t in ("cart_items", "reviews", "orders", "wishlist_items", "search_terms")}
    p = one(conn, "SELECT * FROM products WHERE status = 1 AND colors IS NULL AND sizes IS NULL "
                  "AND is_in_stock = 1 LIMIT 1")
    for url, data in [("/checkout/cart/add/", {"product": p["id"]}),
                      (f"/review/product/post/id/{p['id']}/", {"nickname": "a", "title": "b",
                                                               "detail": "c", "rating": "5"}),
                      ("/checkout/placeOrder/", {"shipping_method": "flatrate"}),
                      ("/wishlist/index/add/", {"product": p["id"]})]:
        r = client.post(url, data=data)
        assert r.status_code == 403 and "open for browsing only" in r.text, url
    pending = one(conn, "SELECT id FROM orders WHERE customer_id = ? AND status = 'pending'", cid)
    assert client.post(f"/sales/order/cancel/order_id/{pending[0]}/").status_code == 403
    client.get("/catalogsearch/result/?q=brandnewterm")
    after = {t: one(conn, f"SELECT count(*) FROM {t}")[0] for t in before}
    assert after == before
    assert one(conn, "SELECT status FROM orders WHERE id = ?", pending[0])[0] == "pending"


def test_empty_search_and_unknown_pages(client):
    for url in ("/catalogsearch/result/?q=", "/catalogsearch/result/", "/catalogsearch/result/?q=+"):
        r = client.get(url)
        assert r.status_code == 200 and "Please enter a search term." in r.text
    r = client.get("/no-such-thing.html")
    assert r.status_code == 404 and "Whoops, our bad" in r.text
    assert client.get("/catalogsearch/result/?q=tea&p=abc&product_list_limit=7").status_code == 200


def test_search_page_lists_what_search_products_returns(client, db):
    from webarena_gym.sandbox.store import search_products

    for order, direction in (("relevance", "desc"), ("name", "desc"), ("price", "asc")):
        expected = [p["name"] for p in search_products(db, "wireless", order, direction)][12:24]
        r = client.get(f"/catalogsearch/result/?q=wireless&product_list_order={order}"
                       f"&product_list_dir={direction}&p=2")
        assert [n.replace("&#39;", "'").replace("&amp;", "&") for n in product_names(r.text)] \
            == expected


def test_grid_add_to_cart_of_a_product_with_options_asks_for_them(emma, db):
    p = one(db, "SELECT * FROM products WHERE status = 1 AND is_in_stock = 1 AND sizes IS NOT NULL "
                "LIMIT 1")
    r = emma.post("/checkout/cart/add/", data={"product": p["id"]},
                  headers={"referer": "http://testserver/"})
    assert r.url.path == f"/{p['url_key']}.html"
    assert "You need to choose options for your item." in r.text
