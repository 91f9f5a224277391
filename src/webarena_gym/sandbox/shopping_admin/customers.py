"""Customers > All Customers: the customers grid and the customer page (account, addresses,
orders, reviews)."""

from __future__ import annotations

import re
import sqlite3

from starlette.requests import Request
from starlette.responses import Response

from webarena_gym.sandbox.common import Message, db, drops_blank_params, read_form
from webarena_gym.sandbox.shopping_admin.formatting import parse_date_input
from webarena_gym.sandbox.shopping_admin.grid import Column, Filter, GridSpec, options, run_grid
from webarena_gym.sandbox.shopping_admin.web import BASE, NOT_FOUND, site

CUSTOMER_GROUPS = ("General", "Wholesale", "Retailer")
GENDERS = ("Male", "Female", "Not Specified")
CUSTOMER_TABS = {"view": "Customer View", "account": "Account Information",
                 "addresses": "Addresses", "orders": "Orders", "reviews": "Product Reviews"}
_BILLING = ("(SELECT {col} FROM addresses a WHERE a.customer_id = c.id "
            "ORDER BY a.is_default_billing DESC, a.id LIMIT 1)")
NAME_SQL = "(c.first_name || ' ' || c.last_name)"

CUSTOMERS_GRID = GridSpec(
    select=f"c.id, {NAME_SQL} AS name, c.email, c.group_name, c.phone, c.created_at, "
    f"{_BILLING.format(col='postcode')} AS postcode, {_BILLING.format(col='region')} AS region, "
    f"{_BILLING.format(col='country')} AS country",
    source="customers c",
    columns=(
        Column("id", "ID", "c.id"),
        Column("name", "Name", "c.last_name || ' ' || c.first_name"),
        Column("email", "Email", "c.email"),
        Column("group", "Group", "c.group_name"),
        Column("phone", "Phone", "c.phone"),
        Column("postcode", "ZIP", _BILLING.format(col="postcode")),
        Column("country", "Country"),
        Column("region", "State/Province", _BILLING.format(col="region")),
        Column("created_at", "Customer Since", "c.created_at"),
        Column("action", "Action"),
    ),
    filters=(
        Filter("name", "Name", NAME_SQL),
        Filter("email", "Email", "c.email"),
        Filter("group", "Group", "c.group_name", "select", options(CUSTOMER_GROUPS)),
        Filter("region", "State/Province", _BILLING.format(col="region")),
        Filter("created_at", "Customer Since", "c.created_at", "date_range"),
    ),
    keyword_sql=(NAME_SQL, "c.email", "c.phone"),
    keyword_label="Search by name, email or phone",
    default_sort="id",
    default_dir="asc",
    tiebreak_sql="c.id",
)

# form field -> customers column
CUSTOMER_FIELDS = {
    "customer[firstname]": "first_name",
    "customer[lastname]": "last_name",
    "customer[email]": "email",
    "customer[group_id]": "group_name",
    "customer[telephone]": "phone",
    "customer[gender]": "gender",
    "customer[dob]": "date_of_birth",
}
NEWSLETTER_FIELD = "customer[newsletter]"


def validate_customer(conn: sqlite3.Connection, customer_id: int, values: dict[str, str]
                      ) -> tuple[dict[str, object], list[str]]:
    """Check the posted account form (column -> text); returns (column -> value, errors)."""
    errors: list[str] = []
    clean: dict[str, object] = dict(values)
    for column, label in (("first_name", "First Name"), ("last_name", "Last Name"),
                          ("email", "Email")):
        if not values[column]:
            errors.append(f"{label} is a required field.")
    email = values["email"]
    if email and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
        errors.append(f"'{email}' is not a valid email address.")
    elif email and conn.execute("SELECT 1 FROM customers WHERE lower(email) = lower(?) "
                                "AND id != ?", (email, customer_id)).fetchone():
        errors.append("A customer with the same email address already exists.")
    if values["group_name"] not in _groups(conn):
        errors.append("Group: please choose a customer group.")
    if values["date_of_birth"]:
        day = parse_date_input(values["date_of_birth"])
        if day is None:
            errors.append("Date of Birth: please enter a date as MM/DD/YYYY.")
        clean["date_of_birth"] = day.isoformat() if day else None
    else:
        clean["date_of_birth"] = None
    clean["phone"] = values["phone"] or None
    clean["gender"] = values["gender"] or None
    return clean, errors


def _groups(conn: sqlite3.Connection) -> list[str]:
    extra = [r[0] for r in conn.execute("SELECT DISTINCT group_name FROM customers")
             if r[0] not in CUSTOMER_GROUPS]
    return [*CUSTOMER_GROUPS, *sorted(extra)]


def _edit_url(customer_id: int, tab: str = "") -> str:
    return f"{BASE}/customer/index/edit/id/{customer_id}/" + (f"?tab={tab}" if tab else "")


@site.login_required
@drops_blank_params
async def customers_grid(request: Request) -> Response:
    """``/admin/customer/index/``: the customers grid."""
    grid = run_grid(db(request), CUSTOMERS_GRID, request.query_params, request.url.path)
    return site.render(request, "customers.html", grid=grid)


def _render_customer(request: Request, customer: sqlite3.Row, tab: str,
                     values: dict[str, object], errors: list[str],
                     status_code: int = 200) -> Response:
    conn = db(request)
    cid = customer["id"]
    context: dict[str, object] = {}
    if tab == "view":
        context["stats"] = conn.execute(
            "SELECT COUNT(*) AS orders, COALESCE(SUM(grand_total), 0) AS total FROM orders "
            "WHERE customer_id = ? AND status != 'canceled'", (cid,)).fetchone()
    if tab in ("view", "addresses"):
        context["addresses"] = conn.execute(
            "SELECT * FROM addresses WHERE customer_id = ? "
            "ORDER BY is_default_billing DESC, is_default_shipping DESC, id", (cid,)).fetchall()
    if tab == "orders":
        context["orders"] = conn.execute(
            "SELECT * FROM orders WHERE customer_id = ? ORDER BY created_at DESC, id DESC",
            (cid,)).fetchall()
    if tab == "reviews":
        context["reviews"] = conn.execute(
            "SELECT r.*, p.name AS product_name, p.sku FROM reviews r "
            "JOIN products p ON p.id = r.product_id WHERE r.customer_id = ? "
            "ORDER BY r.created_at DESC, r.id DESC", (cid,)).fetchall()
    return site.render(
        request, "customer_edit.html", status_code=status_code, customer=customer, tab=tab,
        tabs=CUSTOMER_TABS, values=values, groups=_groups(conn), genders=GENDERS,
        messages=[Message("error", e) for e in errors], **context,
    )


@site.login_required
async def customer_edit(request: Request) -> Response:
    """``/admin/customer/index/edit/id/N/[?tab=view|account|addresses|orders|reviews]``."""
    customer = db(request).execute("SELECT * FROM customers WHERE id = ?",
                                   (request.path_params["customer_id"],)).fetchone()
    if customer is None:
        return site.error(request, NOT_FOUND,
                          what="Something went wrong: this customer no longer exists.")
    tab = request.query_params.get("tab", "view")
    if tab not in CUSTOMER_TABS:
        tab = "view"
    values = {column: customer[column] or "" for column in CUSTOMER_FIELDS.values()}
    values["newsletter"] = customer["newsletter"]
    birthday = parse_date_input(customer["date_of_birth"] or "")
    values["date_of_birth"] = f"{birthday:%m/%d/%Y}" if birthday else ""
    return _render_customer(request, customer, tab, values, [])


@site.login_required
@site.writes
async def customer_save(request: Request) -> Response:
    """POST ``/admin/customer/index/save/id/N/``: save the account information.

    "Save Customer" returns to the grid; "Save and Continue Edit" (``back=edit``) stays.
    """
    conn = db(request)
    customer = conn.execute("SELECT * FROM customers WHERE id = ?",
                            (request.path_params["customer_id"],)).fetchone()
    if customer is None:
        return site.error(request, NOT_FOUND,
                          what="Something went wrong: this customer no longer exists.")
    form = await read_form(request)
    posted: dict[str, str] = {}
    for name, column in CUSTOMER_FIELDS.items():
        posted[column] = form.field(name) if name in form else (customer[column] or "")
    clean, errors = validate_customer(conn, customer["id"], posted)
    if errors:
        values: dict[str, object] = dict(posted)
        values["newsletter"] = 1 if form.field(NEWSLETTER_FIELD) == "1" else 0
        return _render_customer(request, customer, "account", values, errors, 400)
    clean["newsletter"] = (int(form.field(NEWSLETTER_FIELD) == "1") if NEWSLETTER_FIELD in form
                           else customer["newsletter"])
    assignments = ", ".join(f"{column} = ?" for column in clean)
    conn.execute(f"UPDATE customers SET {assignments} WHERE id = ?",
                 [*clean.values(), customer["id"]])
    conn.commit()
    if form.field("back") == "edit":
        return site.redirect(_edit_url(customer["id"], "account"), "You saved the customer.")
    return site.redirect(f"{BASE}/customer/index/", "You saved the customer.")
