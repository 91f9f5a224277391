"""Catalog > Products: the products grid and the product form (fields named as Magento's)."""

from __future__ import annotations

import sqlite3

from starlette.requests import Request
from starlette.responses import Response

from webarena_gym.sandbox.common import Message, db, drops_blank_params, read_form, site_url
from webarena_gym.sandbox.shopping_admin.grid import Column, Filter, GridSpec, run_grid
from webarena_gym.sandbox.shopping_admin.web import BASE, NOT_FOUND, site
from webarena_gym.sandbox.store.catalog import slugify, store_now

# A product with color or size options is shown as configurable, as in Magento.
TYPE_SQL = ("CASE WHEN p.colors IS NOT NULL OR p.sizes IS NOT NULL "
            "THEN 'configurable' ELSE 'simple' END")
PRODUCT_TYPES = {"simple": "Simple Product", "configurable": "Configurable Product"}
PRODUCT_STATUSES = {"1": "Enabled", "2": "Disabled"}

PRODUCTS_GRID = GridSpec(
    select=f"p.id, p.name, p.sku, p.price, p.special_price, p.qty, p.is_in_stock, p.status, "
    f"{TYPE_SQL} AS type, c.name AS category",
    source="products p LEFT JOIN categories c ON c.id = p.category_id",
    columns=(
        Column("id", "ID", "p.id"),
        Column("name", "Name", "p.name"),
        Column("type", "Type", TYPE_SQL),
        Column("sku", "SKU", "p.sku"),
        Column("price", "Price", "p.price"),
        Column("qty", "Quantity", "p.qty"),
        Column("category", "Category", "c.name"),
        Column("status", "Status", "p.status"),
        Column("action", "Action"),
    ),
    filters=(
        Filter("name", "Name", "p.name"),
        Filter("sku", "SKU", "p.sku"),
        Filter("price", "Price", "p.price", "number_range"),
        Filter("qty", "Quantity", "p.qty", "number_range"),
        Filter("status", "Status", "p.status", "select", tuple(PRODUCT_STATUSES.items())),
        Filter("type", "Type", TYPE_SQL, "select", tuple(PRODUCT_TYPES.items())),
    ),
    keyword_sql=("p.name", "p.sku"),
    keyword_label="Search by name or SKU",
    default_sort="id",
    default_dir="asc",
    tiebreak_sql="p.id",
)

# form field -> products column
PRODUCT_FIELDS = {
    "product[name]": "name",
    "product[sku]": "sku",
    "product[price]": "price",
    "product[special_price]": "special_price",
    "product[quantity_and_stock_status][qty]": "qty",
    "product[quantity_and_stock_status][is_in_stock]": "is_in_stock",
    "product[status]": "status",
    "product[category_ids]": "category_id",
    "product[weight]": "weight",
    "product[description]": "description",
    "product[short_description]": "short_description",
}


def _number(text: str) -> float | None:
    try:
        return float(text.replace(",", "").replace("$", ""))
    except ValueError:
        return None


def validate_product(conn: sqlite3.Connection, product_id: int, values: dict[str, str]
                     ) -> tuple[dict[str, object], list[str]]:
    """Check the posted form (column -> text); returns (column -> value to store, errors)."""
    errors: list[str] = []
    clean: dict[str, object] = {}
    name, sku = values["name"], values["sku"]
    if not name:
        errors.append("Product Name is a required field.")
    if not sku:
        errors.append("SKU is a required field.")
    elif conn.execute("SELECT 1 FROM products WHERE sku = ? AND id != ?",
                      (sku, product_id)).fetchone():
        errors.append(f"The value specified in the SKU field ({sku}) is already used by "
                      "another product.")
    clean["name"], clean["sku"] = name, sku
    price = _number(values["price"])
    if price is None or price < 0:
        errors.append("Price: please enter a number 0 or greater.")
    clean["price"] = round(price, 2) if price is not None else None
    if values["special_price"]:
        special = _number(values["special_price"])
        if special is None or special < 0:
            errors.append("Special Price: please enter a number 0 or greater, or leave it empty.")
        clean["special_price"] = round(special, 2) if special is not None else None
    else:
        clean["special_price"] = None
    qty = _number(values["qty"])
    if qty is None or qty != int(qty):
        errors.append("Quantity: please enter a whole number.")
    clean["qty"] = int(qty) if qty is not None and qty == int(qty) else None
    clean["is_in_stock"] = 0 if values["is_in_stock"] == "0" else 1
    clean["status"] = 2 if values["status"] == "2" else 1
    if values["weight"]:
        weight = _number(values["weight"])
        if weight is None or weight < 0:
            errors.append("Weight: please enter a number 0 or greater.")
        clean["weight"] = weight
    else:
        clean["weight"] = None
    if not values["category_id"].isdigit() or not conn.execute(
            "SELECT 1 FROM categories WHERE id = ?", (int(values["category_id"]),)).fetchone():
        errors.append("Categories: please choose a category.")
    else:
        clean["category_id"] = int(values["category_id"])
    clean["description"] = values["description"]
    clean["short_description"] = values["short_description"]
    return clean, errors


def _categories(conn: sqlite3.Connection) -> list[tuple[int, str]]:
    rows = conn.execute("SELECT id, parent_id, name FROM categories").fetchall()
    by_id = {r["id"]: r for r in rows}

    def path(row: sqlite3.Row) -> str:
        names, seen = [row["name"]], {row["id"]}
        while row["parent_id"] in by_id and row["parent_id"] not in seen:
            row = by_id[row["parent_id"]]
            seen.add(row["id"])
            names.append(row["name"])
        return " / ".join(reversed(names))

    return sorted(((r["id"], path(r)) for r in rows), key=lambda item: item[1])


def _edit_url(product_id: int) -> str:
    return f"{BASE}/catalog/product/edit/id/{product_id}/"


@site.login_required
@drops_blank_params
async def products_grid(request: Request) -> Response:
    """``/admin/catalog/product/``: the products grid."""
    grid = run_grid(db(request), PRODUCTS_GRID, request.query_params, request.url.path)
    return site.render(request, "products.html", grid=grid, types=PRODUCT_TYPES,
                       statuses=PRODUCT_STATUSES)


def _render_form(request: Request, product: sqlite3.Row | None, values: dict[str, object],
                 errors: list[str], status_code: int = 200) -> Response:
    conn = db(request)
    store = site_url(request, "shopping")
    return site.render(
        request, "product_edit.html", status_code=status_code, product=product, values=values,
        categories=_categories(conn), statuses=PRODUCT_STATUSES,
        store_url=f"{store}/{product['url_key']}.html" if store and product else "",
        messages=[Message("error", e) for e in errors],
    )


@site.login_required
async def product_edit(request: Request) -> Response:
    """``/admin/catalog/product/edit/id/N/``: the product form."""
    product = db(request).execute("SELECT * FROM products WHERE id = ?",
                                  (request.path_params["product_id"],)).fetchone()
    if product is None:
        return site.error(request, NOT_FOUND, what="This product no longer exists.")
    values = {column: product[column] for column in PRODUCT_FIELDS.values()}
    for column in ("price", "special_price"):
        values[column] = "" if product[column] is None else f"{product[column]:.2f}"
    values["weight"] = "" if product["weight"] is None else f"{product['weight']:g}"
    return _render_form(request, product, values, [])


@site.login_required
@site.writes
async def product_save(request: Request) -> Response:
    """POST ``/admin/catalog/product/save/id/N/``: save the product form."""
    conn = db(request)
    product = conn.execute("SELECT * FROM products WHERE id = ?",
                           (request.path_params["product_id"],)).fetchone()
    if product is None:
        return site.error(request, NOT_FOUND, what="This product no longer exists.")
    form = await read_form(request)
    # A field left out of the post keeps its value (a partial form must not wipe a product).
    posted = {}
    for name, column in PRODUCT_FIELDS.items():
        current = "" if product[column] is None else str(product[column])
        posted[column] = form.field(name) if name in form else current
    clean, errors = validate_product(conn, product["id"], posted)
    if errors:
        return _render_form(request, product, posted, errors, status_code=400)
    assignments = ", ".join(f"{column} = ?" for column in clean)
    conn.execute(f"UPDATE products SET {assignments} WHERE id = ?",
                 [*clean.values(), product["id"]])
    conn.commit()
    return site.redirect(_edit_url(product["id"]), "You saved the product.")


NEW_PRODUCT_VALUES: dict[str, object] = {
    "name": "", "sku": "", "price": "", "special_price": "", "qty": "0", "is_in_stock": 1,
    "status": 1, "category_id": "", "weight": "", "description": "", "short_description": "",
}


def _unique_url_key(conn: sqlite3.Connection, name: str) -> str:
    base = slugify(name) or "product"
    key, n = base, 1
    while conn.execute("SELECT 1 FROM products WHERE url_key = ?", (key,)).fetchone():
        n += 1
        key = f"{base}-{n}"
    return key


@site.login_required
async def product_new(request: Request) -> Response:
    """``/admin/catalog/product/new/``: an empty product form (a simple product)."""
    return _render_form(request, None, dict(NEW_PRODUCT_VALUES), [])


@site.login_required
@site.writes
async def product_create(request: Request) -> Response:
    """POST ``/admin/catalog/product/save/``: create a product from the form."""
    conn = db(request)
    form = await read_form(request)
    posted = {column: form.field(name, str(NEW_PRODUCT_VALUES[column]))
              for name, column in PRODUCT_FIELDS.items()}
    clean, errors = validate_product(conn, 0, posted)
    if errors:
        return _render_form(request, None, posted, errors, status_code=400)
    clean["url_key"] = _unique_url_key(conn, str(clean["name"]))
    clean["created_at"] = store_now(conn)
    columns = ", ".join(clean)
    cursor = conn.execute(f"INSERT INTO products ({columns}) VALUES "
                          f"({', '.join('?' * len(clean))})", list(clean.values()))
    conn.commit()
    return site.redirect(_edit_url(cursor.lastrowid), "You saved the product.")
