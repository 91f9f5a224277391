"""The admin app: sign-in, the dashboard and the URL map of every section.

URLs follow Magento's admin (``/admin/sales/order/view/order_id/N/``) because WebArena's task
configs use them. Everything is under ``/admin``; the site's base URL is
``http://127.0.0.1:PORT/admin`` (WebArena's ``__SHOPPING_ADMIN__``).
"""

from __future__ import annotations

from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from webarena_gym.sandbox.common import Endpoint, db, read_form
from webarena_gym.sandbox.shopping_admin import catalog, customers, reports, reviews, sales
from webarena_gym.sandbox.shopping_admin.web import BASE, safe_next, site

LOGIN_ERROR = ("The account sign-in was incorrect or your account is disabled temporarily. "
               "Please wait and try again later.")
DASHBOARD_TABS = {"bestsellers": "Bestsellers", "new_customers": "New Customers",
                  "customers": "Customers"}


async def login_page(request: Request) -> Response:
    """``/admin``: the sign-in form, or the dashboard when already signed in."""
    if site.user(request) is not None:
        return site.redirect(safe_next(request.query_params.get("next")), status_code=302)
    return site.render(request, "login.html", next=request.query_params.get("next", ""),
                       username="", error="")


async def login_submit(request: Request) -> Response:
    """POST ``/admin/``: check ``login[username]`` / ``login[password]`` and sign in."""
    form = await read_form(request)
    username, password = form.field("login[username]"), form.get("login[password]", "")
    target = form.field("next")
    admin = db(request).execute("SELECT id, password FROM admin_users WHERE username = ?",
                                (username,)).fetchone()
    if admin is None or admin["password"] != password:
        return site.render(request, "login.html", status_code=401, next=target, username=username,
                           error=LOGIN_ERROR)
    return site.sign_in(site.redirect(safe_next(target)), admin["id"])


async def logout(request: Request) -> Response:
    """``/admin/admin/auth/logout/``: sign out and show the sign-in form."""
    return site.sign_out(site.redirect(f"{BASE}/", "You have logged out."))


@site.login_required
async def dashboard(request: Request) -> Response:
    """``/admin/admin/dashboard/``: lifetime sales, last orders, search terms, bestsellers."""
    conn = db(request)
    tab = request.query_params.get("tab", "bestsellers")
    tab = tab if tab in DASHBOARD_TABS else "bestsellers"
    lifetime, average = reports.lifetime_sales(conn)
    last_orders = conn.execute(
        "SELECT o.id, o.customer_name, o.grand_total, "
        "(SELECT COALESCE(SUM(qty), 0) FROM order_items WHERE order_id = o.id) AS items "
        "FROM orders o ORDER BY o.created_at DESC, o.id DESC LIMIT 5").fetchall()
    last_terms = conn.execute(
        "SELECT query, results, uses FROM search_terms ORDER BY id DESC LIMIT 5").fetchall()
    top_terms = conn.execute(
        "SELECT query, results, uses FROM search_terms ORDER BY uses DESC, query LIMIT 5"
    ).fetchall()
    rows: list = []
    if tab == "bestsellers":
        rows = reports.bestsellers(conn, "lifetime", None, None)
    else:
        order = ("c.created_at DESC, c.id DESC" if tab == "new_customers"
                 else "total DESC, c.id")
        rows = conn.execute(
            "SELECT c.id, c.first_name || ' ' || c.last_name AS name, "
            "COUNT(o.id) AS orders, COALESCE(SUM(o.grand_total), 0) AS total "
            "FROM customers c LEFT JOIN orders o ON o.customer_id = c.id "
            f"AND o.status != 'canceled' GROUP BY c.id ORDER BY {order} LIMIT 5").fetchall()
    return site.render(request, "dashboard.html", lifetime=lifetime, average=average,
                       last_orders=last_orders, last_terms=last_terms, top_terms=top_terms,
                       tab=tab, tabs=DASHBOARD_TABS, rows=rows)


async def root(request: Request) -> Response:
    """``/``: the admin lives under ``/admin``."""
    return site.redirect(f"{BASE}/", status_code=302)


def _r(path: str, endpoint: Endpoint, methods: tuple[str, ...] = ("GET",)) -> Route:
    return Route(BASE + path, endpoint, methods=list(methods))


ROUTES = [
    Route("/", root),
    _r("", login_page),
    _r("/", login_page),
    _r("/", login_submit, ("POST",)),
    _r("/admin/", dashboard),
    _r("/admin/index/index/", dashboard),
    _r("/admin/dashboard/", dashboard),
    _r("/admin/dashboard/index/", dashboard),
    _r("/admin/auth/logout/", logout),
    # Sales
    _r("/sales/order/", sales.orders_grid),
    _r("/sales/order/index/", sales.orders_grid),
    _r("/sales/order/view/order_id/{order_id:int}/", sales.order_view),
    _r("/sales/order/cancel/order_id/{order_id:int}/", sales.order_cancel, ("POST",)),
    _r("/sales/order/hold/order_id/{order_id:int}/", sales.order_hold, ("POST",)),
    _r("/sales/order/unhold/order_id/{order_id:int}/", sales.order_unhold, ("POST",)),
    _r("/sales/order/invoice/order_id/{order_id:int}/", sales.order_invoice, ("POST",)),
    _r("/sales/order/ship/order_id/{order_id:int}/", sales.order_ship, ("POST",)),
    _r("/sales/order/addComment/order_id/{order_id:int}/", sales.order_add_comment,
       ("POST",)),
    # Catalog
    _r("/catalog/product/", catalog.products_grid),
    _r("/catalog/product/index/", catalog.products_grid),
    _r("/catalog/product/edit/id/{product_id:int}/", catalog.product_edit),
    _r("/catalog/product/save/id/{product_id:int}/", catalog.product_save, ("POST",)),
    _r("/catalog/product/new/", catalog.product_new),
    _r("/catalog/product/new/set/4/type/simple/", catalog.product_new),
    _r("/catalog/product/save/", catalog.product_create, ("POST",)),
    # Customers
    _r("/customer/index/", customers.customers_grid),
    _r("/customer/index/index/", customers.customers_grid),
    _r("/customer/index/edit/id/{customer_id:int}/", customers.customer_edit),
    _r("/customer/index/save/id/{customer_id:int}/", customers.customer_save, ("POST",)),
    # Reviews
    _r("/review/product/", reviews.reviews_grid),
    _r("/review/product/index/", reviews.reviews_grid),
    _r("/review/product/pending/", reviews.pending_reviews_grid),
    _r("/review/product/edit/id/{review_id:int}/", reviews.review_edit),
    _r("/review/product/save/id/{review_id:int}/", reviews.review_save, ("POST",)),
    _r("/review/product/delete/id/{review_id:int}/", reviews.review_delete, ("POST",)),
    _r("/review/product/massAction/", reviews.reviews_mass_action, ("POST",)),
    # Reports
    _r("/reports/report_sales/bestsellers/", reports.bestsellers_page),
    _r("/reports/report_sales/sales/", reports.sales_page),
    _r("/search/term/report/", reports.search_terms_page),
    _r("/search/term/index/", reports.search_terms_page),
    Mount(BASE + "/static", StaticFiles(directory=Path(__file__).parent / "static"),
          name="static"),
]


def create_app() -> Starlette:
    """The admin's Starlette app (the host adds the tenant's database to every request)."""
    return site.app(ROUTES)
