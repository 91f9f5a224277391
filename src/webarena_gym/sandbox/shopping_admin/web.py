"""The admin's site kit (:data:`site`): its templates, the signed-in admin, its sign-in page
under ``/admin`` and its read-only and not-found pages, in the admin's layout.
"""

from __future__ import annotations

from pathlib import Path

from webarena_gym.sandbox.common import ErrorPage, SignIn, SiteKit
from webarena_gym.sandbox.shopping_admin import formatting

BASE = "/admin"

site = SiteKit(
    "shopping_admin", Path(__file__).parent / "templates",
    filters={"datetime": formatting.datetime_label, "date": formatting.date_label,
             "order_status": formatting.order_status_label,
             "review_status": formatting.review_status_label},
    user_query="SELECT * FROM admin_users WHERE id = ?", user_var="admin",
    sign_in=SignIn(f"{BASE}/", "next", keep_query=True, safe="/", back_after_post=False),
    page_context=lambda request, admin: {"base": BASE},
    read_only=ErrorPage(403, "readonly.html"),
    redirect_status=303,  # after a POST, as Magento's admin
)
#: The admin's 404 page (``what`` says what is missing); unknown URLs get a plain 404.
NOT_FOUND = ErrorPage(404, "not_found.html")


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a path inside the admin, else the dashboard."""
    if target and target.startswith(BASE + "/") and not target.startswith("//"):
        return target
    return f"{BASE}/admin/dashboard/"
