"""Signed session cookies for the sandbox sites.

Each site has its own cookie (``wag_<site>``): cookies ignore ports, and every site lives on
127.0.0.1. The value is ``<user id>.<HMAC>`` signed with the host's secret, so a page cannot
forge a login; logging out deletes the cookie. The env pre-signs cookies for tasks with
``require_login`` (:func:`session_cookie`), as WebArena starts those tasks from a saved login.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from starlette.requests import Request
from starlette.responses import Response

_SECRET = secrets.token_bytes(32)


def cookie_name(site: str) -> str:
    """The session cookie's name for ``site``."""
    return f"wag_{site}"


def _sign(site: str, user_id: int) -> str:
    mac = hmac.new(_SECRET, f"{site}:{user_id}".encode(), hashlib.sha256).hexdigest()[:32]
    return f"{user_id}.{mac}"


def session_cookie(site: str, user_id: int, domain: str = "127.0.0.1") -> dict[str, str]:
    """A Playwright cookie (name, value, domain, path) that signs ``user_id`` in to ``site``.

    ``domain`` is the host name the sites are reached at (their URLs' host).
    """
    return {"name": cookie_name(site), "value": _sign(site, user_id), "domain": domain,
            "path": "/"}


def current_user_id(request: Request, site: str) -> int | None:
    """The signed-in user's id on ``site``, or None."""
    raw = request.cookies.get(cookie_name(site), "")
    user, _, _mac = raw.partition(".")
    if not user.isdigit() or not hmac.compare_digest(raw, _sign(site, int(user))):
        return None
    return int(user)


def sign_in(response: Response, site: str, user_id: int) -> Response:
    """Set the session cookie of ``site`` for ``user_id`` on ``response``."""
    response.set_cookie(cookie_name(site), _sign(site, user_id), path="/", httponly=True,
                        samesite="lax")
    return response


def sign_out(response: Response, site: str) -> Response:
    """Delete the session cookie of ``site``."""
    response.delete_cookie(cookie_name(site), path="/")
    return response
