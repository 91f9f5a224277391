"""The shopping_admin site through HTTP: sign-in, every page, grids, order actions, edit forms,
review moderation, reports (checked against SQL on the seeded store) and read-only mode."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from importlib import resources

import pytest
from lxml import html
from starlette.testclient import TestClient

from webarena_gym.sandbox.shopping_admin.app import create_app
from webarena_gym.sandbox.store.generate import generate_store

STORE_URL = "http://127.0.0.1:7770"


@pytest.fixture(scope="module")
def template_db() -> Iterator[sqlite3.Connection]:
    conn = sqlite3.connect(":memory:", check_same_thread=False)
    schema = resources.files("webarena_gym.sandbox").joinpath("store/schema.sql")
    conn.executescript(schema.read_text(encoding="utf-8"))
    generate_store(conn, 0)
    conn.commit()
    yield conn
    conn.close()


@pytest.fixture
def conn(template_db: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    copy = sqlite3.connect(":memory:", check_same_thread=False)
    template_db.backup(copy)
    copy.row_factory = sqlite3.Row
    yield copy
    copy.close()


class _Platform:
    """What the sandbox host does for a site: the tenant's db and flags on every request."""

    def __init__(self, app, conn: sqlite3.Connection, readonly: bool = False) -> None:
        self.app, self.conn, self.readonly = app, conn, readonly

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http":
            scope.setdefault("state", {}).update(
                db=self.conn, readonly=self.readonly,
                site_urls={"shopping": STORE_URL, "shopping_admin": "http://testserver/admin"})
        await self.app(scope, receive, send)


def _login(client: TestClient) -> None:
    response = client.post("/admin/", data={"login[username]": "admin",
                                            "login[password]": "admin1234"})
    assert response.status_code == 200 and "Dashboard" in response.text


@pytest.fixture
def platform(conn: sqlite3.Connection) -> _Platform:
    return _Platform(create_app(), conn)


@pytest.fixture
def client(platform: _Platform) -> Iterator[TestClient]:
    with TestClient(platform) as test_client:
        _login(test_client)
        yield test_client


def _doc(response) -> html.HtmlElement:
    assert response.status_code == 200, response.text[:500]
    return html.fromstring(response.text)


def _grid_rows(response, table_class: str) -> list[list[str]]:
    doc = _doc(response)
    rows = doc.xpath(f"//table[contains(@class, '{table_class}')]/tbody/tr"
                     "[not(contains(@class, 'no-data'))]")
    return [[" ".join(td.text_content().split()) for td in row.xpath("./td")] for row in rows]


def _records(response) -> int:
    return int(_doc(response).xpath("string(//span[@class='records-count'])"))


def _money(value: float) -> str:
    return f"${value:,.2f}"


# -- sign-in ---------------------------------------------------------------------------------


def test_login_logout_and_redirect(platform: _Platform) -> None:
    with TestClient(platform) as client:
        response = client.get("/admin/sales/order/?status=pending", follow_redirects=False)
        assert response.status_code == 302
        assert response.headers["location"].startswith("/admin/?next=/admin/sales/order/")

        doc = _doc(client.get("/admin"))
        assert doc.xpath("//input[@id='username']/@name") == ["login[username]"]
        assert doc.xpath("//input[@id='login']/@type") == ["password"]
        assert doc.xpath("string(//button[contains(@class, 'action-login')])").strip() == "Sign in"

        bad = client.post("/admin/", data={"login[username]": "admin",
                                           "login[password]": "wrong"})
        assert bad.status_code == 401 and "sign-in was incorrect" in bad.text

        good = client.post("/admin/", data={"login[username]": "admin",
                                            "login[password]": "admin1234",
                                            "next": "/admin/sales/order/?status=pending"})
        assert str(good.url).endswith("/admin/sales/order/?status=pending")
        assert "Orders" in good.text
        assert client.get("/admin", follow_redirects=False).status_code == 302

        out = client.get("/admin/admin/auth/logout/")
        assert "You have logged out." in out.text and 'id="username"' in out.text
        again = client.get("/admin/admin/dashboard/", follow_redirects=False)
        assert again.status_code == 302


def test_login_ignores_offsite_next(platform: _Platform) -> None:
    with TestClient(platform) as client:
        response = client.post("/admin/", data={"login[username]": "admin",
                                                "login[password]": "admin1234",
                                                "next": "https://evil.example/"},
                               follow_redirects=False)
        assert response.headers["location"] == "/admin/admin/dashboard/"


# -- every page renders ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/admin/admin/dashboard/", ["Lifetime Sales", "Average Order", "Last Orders",
                                     "Last Search Terms", "Top Search Terms", "Bestsellers"]),
        ("/admin/admin/dashboard/?tab=new_customers", ["New Customers"]),
        ("/admin/admin/dashboard/?tab=customers", ["Customers"]),
        ("/admin/sales/order/", ["Purchase Date", "Bill-to Name", "Grand Total", "View"]),
        ("/admin/sales/order/view/order_id/1/", ["Order # 000000001", "Items Ordered",
                                                 "Order Totals", "Billing Address",
                                                 "Submit Comment", "Check / Money order"]),
        ("/admin/catalog/product/", ["SKU", "Quantity", "Edit"]),
        ("/admin/catalog/product/edit/id/1/", ["product[name]", "Save", "View in store"]),
        ("/admin/customer/index/", ["Customer Since", "State/Province"]),
        ("/admin/customer/index/edit/id/1/", ["Emma Lopez", "Personal Information"]),
        ("/admin/customer/index/edit/id/1/?tab=account", ["customer[email]", "Save Customer"]),
        ("/admin/customer/index/edit/id/1/?tab=addresses", ["Default Billing Address"]),
        ("/admin/customer/index/edit/id/1/?tab=orders", ["records found"]),
        ("/admin/customer/index/edit/id/1/?tab=reviews", ["Product Reviews"]),
        ("/admin/review/product/", ["Nickname", "Rating", "Edit"]),
        ("/admin/review/product/pending/", ["Pending Reviews"]),
        ("/admin/review/product/edit/id/1/", ["Summary of Review", "Save Review",
                                              "Delete Review"]),
        ("/admin/reports/report_sales/bestsellers/", ["Show Report", "sales_report_from"]),
        ("/admin/reports/report_sales/sales/", ["Show Report", "sales_report_period_type"]),
        ("/admin/search/term/report/", ["Search Query", "Results", "Uses"]),
        ("/admin/search/term/index/", ["Search Query"]),
    ],
)
def test_pages_render(client: TestClient, path: str, expected: list[str]) -> None:
    response = client.get(path)
    assert response.status_code == 200
    for text in expected:
        assert text in response.text, (path, text)
    doc = html.fromstring(response.text)
    menu = {" ".join(a.text_content().split()) for a in doc.xpath("//nav[@class='admin__menu']//a")}
    assert {"Dashboard", "Orders", "Products", "All Customers", "All Reviews", "Bestsellers",
            "Search Terms"} <= menu


def test_missing_records_are_404(client: TestClient) -> None:
    assert client.get("/admin/sales/order/view/order_id/999999/").status_code == 404
    assert client.get("/admin/catalog/product/edit/id/999999/").status_code == 404


def test_static_css(client: TestClient) -> None:
    assert client.get("/admin/static/admin.css").status_code == 200


def test_dashboard_figures(client: TestClient, conn: sqlite3.Connection) -> None:
    total, count = conn.execute("SELECT SUM(grand_total), COUNT(*) FROM orders "
                                "WHERE status != 'canceled'").fetchone()
    doc = _doc(client.get("/admin/admin/dashboard/"))
    assert doc.xpath("string(//*[@id='lifetime_sales'])") == _money(total)
    assert doc.xpath("string(//*[@id='average_order'])") == _money(total / count)
    top = conn.execute("SELECT query FROM search_terms ORDER BY uses DESC, query LIMIT 5")
    shown = doc.xpath("//section[contains(@class, 'top-search-terms')]//tbody/tr/td[1]/text()")
    assert shown == [row[0] for row in top]


# -- orders grid -----------------------------------------------------------------------------


def test_orders_grid_filters_match_sql(client: TestClient, conn: sqlite3.Connection) -> None:
    expected = conn.execute(
        "SELECT increment_id FROM orders WHERE status = 'pending' AND created_at >= "
        "'2022-03-01 00:00:00' AND created_at <= '2022-08-31 23:59:59' "
        "ORDER BY created_at DESC, id DESC").fetchall()
    url = ("/admin/sales/order/?status=pending&created_at_from=03/01/2022"
           "&created_at_to=08/31/2022&limit=200")
    response = client.get(url)
    assert _records(response) == len(expected) > 0
    assert [row[0] for row in _grid_rows(response, "data-grid-orders")] == [
        r[0] for r in expected]
    current = _doc(response).xpath("string(//div[@class='admin__data-grid-filters-current'])")
    assert "Status: Pending" in current and "Purchase Date: 03/01/2022 - 08/31/2022" in current

    low = client.get("/admin/sales/order/?grand_total_from=500&sort=grand_total&dir=asc")
    totals = conn.execute("SELECT grand_total FROM orders WHERE grand_total >= 500 "
                          "ORDER BY grand_total, id DESC").fetchall()
    assert _records(low) == len(totals)
    assert [row[5] for row in _grid_rows(low, "data-grid-orders")] == [
        _money(r[0]) for r in totals[:20]]


def test_orders_grid_keyword_and_pagination(client: TestClient,
                                            conn: sqlite3.Connection) -> None:
    name = conn.execute("SELECT customer_name FROM orders WHERE id = 1").fetchone()[0]
    count = conn.execute("SELECT COUNT(*) FROM orders WHERE customer_name LIKE ? OR "
                         "customer_email LIKE ? OR increment_id LIKE ?",
                         (f"%{name}%",) * 3).fetchone()[0]
    response = client.get("/admin/sales/order/", params={"search": name})
    assert _records(response) == count
    assert all(row[2] == name for row in _grid_rows(response, "data-grid-orders"))
    assert f"Keyword: {name}" in _doc(response).xpath(
        "string(//div[@class='admin__data-grid-filters-current'])")

    ordered = [r[0] for r in conn.execute(
        "SELECT increment_id FROM orders ORDER BY created_at DESC, id DESC")]
    first = client.get("/admin/sales/order/")
    assert "Page 1 of 150" in first.text
    assert [r[0] for r in _grid_rows(first, "data-grid-orders")] == ordered[:20]
    second = client.get("/admin/sales/order/?page=2")
    assert [r[0] for r in _grid_rows(second, "data-grid-orders")] == ordered[20:40]
    wide = client.get("/admin/sales/order/?limit=50&page=3")
    assert [r[0] for r in _grid_rows(wide, "data-grid-orders")] == ordered[100:150]
    # The "Next page" link carries the filters along.
    filtered = _doc(client.get("/admin/sales/order/?status=complete"))
    next_href = filtered.xpath("//a[contains(@class, 'action-next')]/@href")[0]
    assert "status=complete" in next_href and "page=2" in next_href


def test_orders_grid_bad_date_is_reported(client: TestClient) -> None:
    response = client.get("/admin/sales/order/?created_at_from=yesterday")
    assert "is not a date" in response.text and _records(response) == 3000


# -- order page and actions ------------------------------------------------------------------


def _order_with(conn: sqlite3.Connection, status: str) -> int:
    return conn.execute("SELECT id FROM orders WHERE status = ? ORDER BY id LIMIT 1",
                        (status,)).fetchone()[0]


def _status(conn: sqlite3.Connection, order_id: int) -> str:
    return conn.execute("SELECT status FROM orders WHERE id = ?", (order_id,)).fetchone()[0]


def test_order_view_shows_items_and_totals(client: TestClient, conn: sqlite3.Connection) -> None:
    order = conn.execute("SELECT * FROM orders WHERE id = 5").fetchone()
    doc = _doc(client.get("/admin/sales/order/view/order_id/5/"))
    assert doc.xpath("string(//*[@id='order_status'])") == order["status"].title()
    text = " ".join(doc.text_content().split())
    assert _money(order["grand_total"]) in text
    for item in conn.execute("SELECT * FROM order_items WHERE order_id = 5"):
        assert item["sku"] in text and item["name"] in text


def test_order_cancel_hold_unhold(client: TestClient, conn: sqlite3.Connection) -> None:
    pending = _order_with(conn, "pending")
    page = client.post(f"/admin/sales/order/cancel/order_id/{pending}/")
    assert "You canceled the order." in page.text
    assert _doc(page).xpath("string(//*[@id='order_status'])") == "Canceled"
    assert _status(conn, pending) == "canceled"
    refused = client.post(f"/admin/sales/order/cancel/order_id/{pending}/")
    assert "cannot cancel" in refused.text and _status(conn, pending) == "canceled"

    processing = _order_with(conn, "processing")
    client.post(f"/admin/sales/order/hold/order_id/{processing}/")
    assert _status(conn, processing) == "on hold"
    page = client.get(f"/admin/sales/order/view/order_id/{processing}/")
    assert 'id="order-view-unhold-button"' in page.text
    assert 'id="order-view-cancel-button"' not in page.text
    page = client.post(f"/admin/sales/order/unhold/order_id/{processing}/")
    assert "released the order from holding status" in page.text
    assert _status(conn, processing) == "processing"


def test_order_invoice_and_ship(client: TestClient, conn: sqlite3.Connection) -> None:
    pending = _order_with(conn, "pending")
    client.post(f"/admin/sales/order/invoice/order_id/{pending}/")
    assert _status(conn, pending) == "processing"
    client.post(f"/admin/sales/order/ship/order_id/{pending}/")
    assert _status(conn, pending) == "complete"
    page = client.get(f"/admin/sales/order/view/order_id/{pending}/")
    assert not re.search(r'id="order-view-(cancel|hold|invoice|ship)-button"', page.text)


def test_order_comment(client: TestClient, conn: sqlite3.Connection) -> None:
    pending = _order_with(conn, "pending")
    page = client.post(f"/admin/sales/order/addComment/order_id/{pending}/",
                       data={"history[comment]": "Called the customer about the address.",
                             "history[status]": "processing",
                             "history[is_customer_notified]": "1"})
    assert "Called the customer about the address." in page.text
    row = conn.execute("SELECT comment, status, notify_customer FROM order_comments "
                       "WHERE order_id = ? ORDER BY id DESC LIMIT 1", (pending,)).fetchone()
    assert tuple(row) == ("Called the customer about the address.", "processing", 1)
    assert _status(conn, pending) == "processing"
    empty = client.post(f"/admin/sales/order/addComment/order_id/{pending}/",
                        data={"history[comment]": "", "history[status]": "processing"})
    assert "Please enter a comment." in empty.text


# -- products --------------------------------------------------------------------------------


def test_products_grid_filters(client: TestClient, conn: sqlite3.Connection) -> None:
    expected = conn.execute("SELECT id FROM products WHERE price >= 20 AND price <= 50 AND "
                            "qty <= 100 AND status = 1 ORDER BY price DESC, id").fetchall()
    response = client.get("/admin/catalog/product/?price_from=20&price_to=50&qty_to=100"
                          "&status=1&sort=price&dir=desc&limit=200")
    assert _records(response) == len(expected)
    assert [int(r[0]) for r in _grid_rows(response, "data-grid-products")] == [
        r[0] for r in expected][:200]
    sku = conn.execute("SELECT sku FROM products WHERE id = 7").fetchone()[0]
    rows = _grid_rows(client.get("/admin/catalog/product/", params={"search": sku}),
                      "data-grid-products")
    assert any(r[3] == sku for r in rows)
    configurable = conn.execute("SELECT COUNT(*) FROM products WHERE colors IS NOT NULL OR "
                                "sizes IS NOT NULL").fetchone()[0]
    assert _records(client.get("/admin/catalog/product/?type=configurable")) == configurable


def test_product_edit_saves_every_field(client: TestClient, conn: sqlite3.Connection) -> None:
    category = conn.execute("SELECT id FROM categories ORDER BY id DESC LIMIT 1").fetchone()[0]
    form = {
        "product[name]": "Renamed Test Kettle",
        "product[sku]": "TEST-KETTLE-1",
        "product[price]": "42.50",
        "product[special_price]": "39.99",
        "product[quantity_and_stock_status][qty]": "17",
        "product[quantity_and_stock_status][is_in_stock]": "0",
        "product[status]": "2",
        "product[category_ids]": str(category),
        "product[weight]": "2.5",
        "product[description]": "A new description.",
        "product[short_description]": "Short.",
    }
    page = client.post("/admin/catalog/product/save/id/3/", data=form)
    assert "You saved the product." in page.text
    assert str(page.url).endswith("/admin/catalog/product/edit/id/3/")
    row = conn.execute("SELECT * FROM products WHERE id = 3").fetchone()
    assert (row["name"], row["sku"], row["price"], row["special_price"], row["qty"],
            row["is_in_stock"], row["status"], row["category_id"], row["weight"],
            row["description"], row["short_description"]) == (
        "Renamed Test Kettle", "TEST-KETTLE-1", 42.5, 39.99, 17, 0, 2, category, 2.5,
        "A new description.", "Short.")
    doc = _doc(page)
    assert doc.xpath("//input[@name='product[price]']/@value") == ["42.50"]
    assert doc.xpath("//select[@name='product[status]']/option[@selected]/@value") == ["2"]
    assert doc.xpath("//a[contains(@class, 'view-in-store')]/@href") == [
        f"{STORE_URL}/{row['url_key']}.html"]
    # A partial post changes only what it sends; clearing the special price removes it.
    client.post("/admin/catalog/product/save/id/3/",
                data={"product[price]": "45", "product[special_price]": ""})
    row = conn.execute("SELECT * FROM products WHERE id = 3").fetchone()
    assert (row["price"], row["special_price"], row["name"]) == (45.0, None,
                                                                 "Renamed Test Kettle")


def test_product_edit_rejects_bad_values(client: TestClient, conn: sqlite3.Connection) -> None:
    other_sku = conn.execute("SELECT sku FROM products WHERE id = 4").fetchone()[0]
    before = tuple(conn.execute("SELECT * FROM products WHERE id = 3").fetchone())
    page = client.post("/admin/catalog/product/save/id/3/",
                       data={"product[price]": "cheap", "product[sku]": other_sku,
                             "product[quantity_and_stock_status][qty]": "1.5"})
    assert page.status_code == 400
    assert "Price: please enter a number" in page.text and "already used" in page.text
    assert "Quantity: please enter a whole number." in page.text
    assert tuple(conn.execute("SELECT * FROM products WHERE id = 3").fetchone()) == before


def test_product_new(client: TestClient, conn: sqlite3.Connection) -> None:
    assert "Add Product" in client.get("/admin/catalog/product/").text
    assert client.get("/admin/catalog/product/new/").status_code == 200
    missing = client.post("/admin/catalog/product/save/", data={"product[name]": "Tea Pot"})
    assert missing.status_code == 400 and "SKU is a required field." in missing.text
    category = conn.execute("SELECT id FROM categories LIMIT 1").fetchone()[0]
    page = client.post("/admin/catalog/product/save/", data={
        "product[name]": "Blue Enamel Tea Pot", "product[sku]": "TEAPOT-BLUE",
        "product[price]": "24.99", "product[quantity_and_stock_status][qty]": "8",
        "product[category_ids]": str(category), "product[description]": "Holds 1 liter."})
    assert "You saved the product." in page.text
    row = conn.execute("SELECT * FROM products WHERE sku = 'TEAPOT-BLUE'").fetchone()
    assert (row["name"], row["price"], row["qty"], row["status"], row["url_key"]) == (
        "Blue Enamel Tea Pot", 24.99, 8, 1, "blue-enamel-tea-pot")
    assert str(page.url).endswith(f"/admin/catalog/product/edit/id/{row['id']}/")


def test_text_is_escaped(client: TestClient) -> None:
    client.post("/admin/catalog/product/save/id/3/", data={"product[name]": "<b>Bold</b> Pot"})
    page = client.get("/admin/catalog/product/?search=Bold")
    assert "&lt;b&gt;Bold&lt;/b&gt; Pot" in page.text and "<b>Bold</b>" not in page.text


def test_grid_drops_empty_parameters(client: TestClient) -> None:
    response = client.get("/admin/sales/order/?search=&status=pending&created_at_from=",
                          follow_redirects=False)
    assert response.status_code == 302
    assert response.headers["location"] == "/admin/sales/order/?status=pending"


# -- customers -------------------------------------------------------------------------------


def test_customers_grid(client: TestClient, conn: sqlite3.Connection) -> None:
    wholesale = conn.execute("SELECT COUNT(*) FROM customers WHERE group_name = 'Wholesale'"
                             ).fetchone()[0]
    response = client.get("/admin/customer/index/?group=Wholesale")
    assert _records(response) == wholesale
    assert {r[3] for r in _grid_rows(response, "data-grid-customers")} == {"Wholesale"}
    found = client.get("/admin/customer/index/?email=emma.lopez")
    assert [r[2] for r in _grid_rows(found, "data-grid-customers")] == ["emma.lopez@gmail.com"]
    assert _records(client.get("/admin/customer/index/?name=Emma+Lopez")) >= 1


def test_customer_edit_saves(client: TestClient, conn: sqlite3.Connection) -> None:
    page = client.post("/admin/customer/index/save/id/1/", data={
        "customer[firstname]": "Emily", "customer[lastname]": "Lopez-Hart",
        "customer[email]": "emily.hart@example.com", "customer[group_id]": "Wholesale",
        "customer[telephone]": "555-0100", "customer[gender]": "Female",
        "customer[dob]": "04/12/1990", "customer[newsletter]": "0"})
    assert "You saved the customer." in page.text
    assert str(page.url).endswith("/admin/customer/index/")
    row = conn.execute("SELECT * FROM customers WHERE id = 1").fetchone()
    assert (row["first_name"], row["last_name"], row["email"], row["group_name"], row["phone"],
            row["date_of_birth"], row["newsletter"]) == (
        "Emily", "Lopez-Hart", "emily.hart@example.com", "Wholesale", "555-0100",
        "1990-04-12", 0)
    taken = conn.execute("SELECT email FROM customers WHERE id = 2").fetchone()[0]
    dup = client.post("/admin/customer/index/save/id/1/",
                      data={"customer[email]": taken, "back": "edit"})
    assert dup.status_code == 400 and "same email address already exists" in dup.text
    stay = client.post("/admin/customer/index/save/id/1/",
                       data={"customer[lastname]": "Hart", "back": "edit"})
    assert str(stay.url).endswith("/admin/customer/index/edit/id/1/?tab=account")
    assert conn.execute("SELECT last_name FROM customers WHERE id = 1").fetchone()[0] == "Hart"


def test_customer_orders_tab(client: TestClient, conn: sqlite3.Connection) -> None:
    count = conn.execute("SELECT COUNT(*) FROM orders WHERE customer_id = 1").fetchone()[0]
    page = client.get("/admin/customer/index/edit/id/1/?tab=orders")
    assert f"{count} records found" in page.text


# -- reviews ---------------------------------------------------------------------------------


def test_reviews_grid_filters(client: TestClient, conn: sqlite3.Connection) -> None:
    pending = conn.execute("SELECT COUNT(*) FROM reviews WHERE status = 'pending'").fetchone()[0]
    assert _records(client.get("/admin/review/product/pending/")) == pending
    assert _records(client.get("/admin/review/product/?status=pending")) == pending
    word = "quality"
    count = conn.execute("SELECT COUNT(*) FROM reviews WHERE rating = 5 AND "
                         "(title LIKE ? OR detail LIKE ?)", (f"%{word}%",) * 2).fetchone()[0]
    assert _records(client.get(f"/admin/review/product/?rating=5&search={word}")) == count
    nickname = conn.execute("SELECT nickname FROM reviews WHERE id = 1").fetchone()[0]
    rows = _grid_rows(client.get("/admin/review/product/", params={"nickname": nickname}),
                      "data-grid-reviews")
    assert rows and all(nickname in r[4] for r in rows)


def test_review_approve_and_delete(client: TestClient, conn: sqlite3.Connection) -> None:
    review = conn.execute("SELECT id FROM reviews WHERE status = 'pending' LIMIT 1"
                          ).fetchone()[0]
    page = client.post(f"/admin/review/product/save/id/{review}/",
                       data={"status_id": "1", "nickname": "Sam", "title": "Fine",
                             "detail": "Works as described.", "rating": "4"})
    assert "You saved the review." in page.text
    row = conn.execute("SELECT * FROM reviews WHERE id = ?", (review,)).fetchone()
    assert (row["status"], row["nickname"], row["title"], row["detail"], row["rating"]) == (
        "approved", "Sam", "Fine", "Works as described.", 4)
    page = client.post(f"/admin/review/product/delete/id/{review}/")
    assert "The review has been deleted." in page.text
    assert conn.execute("SELECT 1 FROM reviews WHERE id = ?", (review,)).fetchone() is None


def test_reviews_mass_action(client: TestClient, conn: sqlite3.Connection) -> None:
    ids = [r[0] for r in conn.execute("SELECT id FROM reviews WHERE status = 'pending' "
                                      "ORDER BY id LIMIT 3")]
    page = client.post("/admin/review/product/massAction/",
                       data={"reviews[]": [str(i) for i in ids[:2]], "massaction": "approve",
                             "back": "/admin/review/product/pending/"})
    assert "A total of 2 record(s) have been updated." in page.text
    assert str(page.url).endswith("/admin/review/product/pending/")
    statuses = [conn.execute("SELECT status FROM reviews WHERE id = ?", (i,)).fetchone()[0]
                for i in ids]
    assert statuses == ["approved", "approved", "pending"]
    client.post("/admin/review/product/massAction/",
                data={"reviews[]": [str(ids[2])], "massaction": "delete"})
    assert conn.execute("SELECT 1 FROM reviews WHERE id = ?", (ids[2],)).fetchone() is None


# -- reports ---------------------------------------------------------------------------------


def test_bestsellers_month_matches_sql(client: TestClient, conn: sqlite3.Connection) -> None:
    expected = conn.execute(
        "SELECT p.name, SUM(i.qty) AS qty FROM order_items i JOIN orders o ON o.id = i.order_id "
        "JOIN products p ON p.id = i.product_id WHERE o.status != 'canceled' AND "
        "o.created_at BETWEEN '2023-01-01 00:00:00' AND '2023-01-31 23:59:59' "
        "GROUP BY i.product_id ORDER BY qty DESC, p.name LIMIT 5").fetchall()
    response = client.get("/admin/reports/report_sales/bestsellers/",
                          params={"period_type": "month", "from": "01/01/2023",
                                  "to": "01/31/2023", "show_order_statuses": "0"})
    rows = _grid_rows(response, "report-bestsellers")
    assert [(r[0], r[1], int(r[3])) for r in rows] == [
        ("Jan 2023", name, qty) for name, qty in expected]


def test_bestsellers_year_and_specified_status(client: TestClient,
                                               conn: sqlite3.Connection) -> None:
    response = client.get("/admin/reports/report_sales/bestsellers/",
                          params={"period_type": "year", "from": "1/1/2021", "to": "12/31/2022",
                                  "show_order_statuses": "1", "order_statuses": "canceled"})
    rows = _grid_rows(response, "report-bestsellers")
    assert [r[0] for r in rows] == ["2021"] * 5 + ["2022"] * 5
    top = conn.execute(
        "SELECT p.name, SUM(i.qty) AS qty FROM order_items i JOIN orders o ON o.id = i.order_id "
        "JOIN products p ON p.id = i.product_id WHERE o.status = 'canceled' AND "
        "o.created_at LIKE '2022%' GROUP BY i.product_id ORDER BY qty DESC, p.name LIMIT 1"
    ).fetchone()
    assert (rows[5][1], int(rows[5][3])) == (top["name"], top["qty"])


def test_report_requires_dates(client: TestClient) -> None:
    response = client.get("/admin/reports/report_sales/bestsellers/?from=13/45/2023&to=")
    assert "is not a date" in response.text and "this is a required field" in response.text


def test_sales_report_matches_sql(client: TestClient, conn: sqlite3.Connection) -> None:
    response = client.get("/admin/reports/report_sales/sales/",
                          params={"period_type": "month", "from": "2022-01-01",
                                  "to": "2022-03-31"})
    rows = _grid_rows(response, "report-sales")
    assert [r[0] for r in rows] == ["Jan 2022", "Feb 2022", "Mar 2022"]
    for row, month in zip(rows, ("2022-01", "2022-02", "2022-03"), strict=True):
        orders, total, invoiced = conn.execute(
            "SELECT COUNT(*), SUM(grand_total), SUM(CASE WHEN status IN "
            "('processing', 'complete', 'closed') THEN grand_total ELSE 0 END) FROM orders "
            "WHERE status != 'canceled' AND created_at LIKE ?", (f"{month}%",)).fetchone()
        items = conn.execute("SELECT SUM(i.qty) FROM order_items i JOIN orders o ON "
                             "o.id = i.order_id WHERE o.status != 'canceled' AND "
                             "o.created_at LIKE ?", (f"{month}%",)).fetchone()[0]
        canceled = conn.execute("SELECT COALESCE(SUM(grand_total), 0) FROM orders WHERE "
                                "status = 'canceled' AND created_at LIKE ?",
                                (f"{month}%",)).fetchone()[0]
        assert row[1:5] == [str(orders), str(items), _money(total), _money(invoiced)]
        assert row[6] == _money(canceled)
    total_orders = conn.execute("SELECT COUNT(*) FROM orders WHERE status != 'canceled' AND "
                                "created_at LIKE '2022-0_%' AND created_at < '2022-04'"
                                ).fetchone()[0]
    footer = _doc(response).xpath("//table[contains(@class, 'report-sales')]/tfoot/tr/th/text()")
    assert footer[:2] == ["Total", str(total_orders)]


def test_search_terms_report(client: TestClient, conn: sqlite3.Connection) -> None:
    top = [r[0] for r in conn.execute("SELECT query FROM search_terms "
                                      "ORDER BY uses DESC, id LIMIT 20")]
    response = client.get("/admin/search/term/report/")
    assert _records(response) == conn.execute("SELECT COUNT(*) FROM search_terms").fetchone()[0]
    assert [r[1] for r in _grid_rows(response, "data-grid-search-terms")] == top
    by_query = client.get("/admin/search/term/report/?sort=query&dir=asc&page=2")
    names = [r[0] for r in conn.execute("SELECT query FROM search_terms ORDER BY query, id")]
    assert [r[1] for r in _grid_rows(by_query, "data-grid-search-terms")] == names[20:40]
    few = client.get("/admin/search/term/report/?results_to=0")
    zero = conn.execute("SELECT COUNT(*) FROM search_terms WHERE results <= 0").fetchone()[0]
    assert _records(few) == zero


# -- read-only copies ------------------------------------------------------------------------


def test_readonly_refuses_writes(conn: sqlite3.Connection) -> None:
    before_status = _status(conn, _order_with(conn, "pending"))
    pending = _order_with(conn, "pending")
    with TestClient(_Platform(create_app(), conn, readonly=True)) as client:
        _login(client)  # signing in writes nothing
        assert client.get("/admin/sales/order/").status_code == 200
        page = client.post(f"/admin/sales/order/cancel/order_id/{pending}/")
        assert page.status_code == 403 and "read-only" in page.text
        page = client.post("/admin/catalog/product/save/id/3/", data={"product[name]": "X"})
        assert page.status_code == 403
        page = client.post("/admin/review/product/delete/id/1/")
        assert page.status_code == 403
    assert _status(conn, pending) == before_status
    assert conn.execute("SELECT name FROM products WHERE id = 3").fetchone()[0] != "X"
    assert conn.execute("SELECT 1 FROM reviews WHERE id = 1").fetchone() is not None
