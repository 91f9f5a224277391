"""Request plumbing shared by the admin's pages: templates, sign-in, forms, flash messages.

The host puts the tenant's database on ``request.state.db``, ``request.state.readonly`` (refuse
writes) and ``request.state.site_urls`` (site -> base URL) on every request.
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from webarena_gym.sandbox.auth import current_user_id
from webarena_gym.sandbox.common import clear_flash, flash, make_templates, take_flash
from webarena_gym.sandbox.shopping_admin import formatting

SITE = "shopping_admin"
BASE = "/admin"

Handler = Callable[[Request], Awaitable[Response]]

TEMPLATES = make_templates(Path(__file__).parent / "templates").env
TEMPLATES.filters.update(
    datetime=formatting.datetime_label,
    date=formatting.date_label,
    order_status=formatting.order_status_label,
    review_status=formatting.review_status_label,
)


def db(request: Request) -> sqlite3.Connection:
    """The tenant's store database."""
    return request.state.db


def site_url(request: Request, site: str) -> str:
    """The base URL of a sibling site (``shopping``), or an empty string when unknown."""
    return (getattr(request.state, "site_urls", None) or {}).get(site, "").rstrip("/")


def current_admin(request: Request) -> sqlite3.Row | None:
    """The signed-in admin user's row, or None."""
    admin_id = current_user_id(request, SITE)
    if admin_id is None:
        return None
    return db(request).execute("SELECT * FROM admin_users WHERE id = ?", (admin_id,)).fetchone()


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a path inside the admin, else the dashboard."""
    if target and target.startswith(BASE + "/") and not target.startswith("//"):
        return target
    return f"{BASE}/admin/dashboard/"


def admin_page(handler: Handler) -> Handler:
    """Require a signed-in admin; otherwise send the browser to the sign-in page."""

    @functools.wraps(handler)
    async def wrapper(request: Request) -> Response:
        admin = current_admin(request)
        if admin is None:
            here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            target = here if request.method == "GET" else ""
            suffix = f"?next={quote(target, safe='/')}" if target else ""
            return RedirectResponse(f"{BASE}/{suffix}", status_code=302)
        request.state.admin = admin
        return await handler(request)

    return wrapper


def grid_page(handler: Handler) -> Handler:
    """:func:`admin_page` for grids: drop empty query parameters (as a plain GET form sends
    them) with a redirect, so a filtered grid's URL names only the filters in use."""

    @functools.wraps(handler)
    async def wrapper(request: Request) -> Response:
        pairs = request.query_params.multi_items()
        kept = [(k, v) for k, v in pairs if v.strip()]
        if len(kept) != len(pairs):
            query = urlencode(kept)
            return RedirectResponse(request.url.path + (f"?{query}" if query else ""),
                                    status_code=302)
        return await handler(request)

    return admin_page(wrapper)


def admin_write(handler: Handler) -> Handler:
    """:func:`admin_page`, and refuse the write with a friendly page on a read-only copy."""

    async def refuse_readonly(request: Request) -> Response:
        if getattr(request.state, "readonly", False):
            return render(request, "readonly.html", status_code=403)
        return await handler(request)

    return admin_page(functools.wraps(handler)(refuse_readonly))


async def read_form(request: Request) -> dict[str, list[str]]:
    """The posted ``application/x-www-form-urlencoded`` form: name -> values (blanks kept)."""
    body = (await request.body()).decode("utf-8", errors="replace")
    return parse_qs(body, keep_blank_values=True)


def field(form: dict[str, list[str]], name: str, default: str = "") -> str:
    """The last value posted for ``name`` (the checkbox-after-hidden idiom wins), stripped."""
    values = form.get(name)
    return values[-1].strip() if values else default


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> Response:
    """Render a page template with the admin, the menu, pending messages and ``context``."""
    queued = [{"kind": kind, "text": text} for kind, text in take_flash(request, SITE)]
    messages = queued + context.pop("messages", [])
    page = TEMPLATES.get_template(template).render(
        request=request,
        admin=getattr(request.state, "admin", None),
        base=BASE,
        messages=messages,
        **context,
    )
    response = HTMLResponse(page, status_code=status_code)
    clear_flash(request, response, SITE)
    return response


def redirect(url: str, message: str | None = None, kind: str = "success") -> Response:
    """303 to ``url`` (after a POST), carrying a message to show on the next page."""
    response = RedirectResponse(url, status_code=303)
    return flash(response, SITE, kind, message) if message else response


def not_found(request: Request, what: str) -> Response:
    """A 404 page inside the admin's layout."""
    return render(request, "not_found.html", status_code=404, what=what)
