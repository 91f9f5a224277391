"""One-shot messages across a redirect ("You saved the address."), a cookie per site.

All sites share the 127.0.0.1 cookie jar, so each site has its own cookie (``wag_<site>_flash``).
The page that shows the messages deletes the cookie (:func:`clear_flash`).
"""

from __future__ import annotations

import json
from typing import NamedTuple
from urllib.parse import quote, unquote

from starlette.requests import Request
from starlette.responses import Response


class Message(NamedTuple):
    """A message for the next page: ``kind`` (success, error, notice, alert...) and ``text``.

    Templates may unpack it (``{% for kind, text in messages %}``) or read its fields.
    """

    kind: str
    text: str


def _flash_cookie(site: str) -> str:
    return f"wag_{site}_flash"


def flash(response: Response, site: str, kind: str, text: str,
          request: Request | None = None) -> Response:
    """Queue a one-shot message (``kind``: success, error, notice) for the next page shown.

    Pass ``request`` to keep messages already queued on it (two messages in one redirect chain).
    """
    messages = take_flash(request, site) if request is not None else []
    messages.append(Message(kind, text))
    response.set_cookie(_flash_cookie(site), quote(json.dumps(messages)), path="/",
                        httponly=True, samesite="lax")
    return response


def take_flash(request: Request, site: str) -> list[Message]:
    """The messages queued for this request; see :func:`clear_flash`."""
    raw = request.cookies.get(_flash_cookie(site))
    if not raw:
        return []
    try:
        messages = json.loads(unquote(raw))
    except ValueError:
        return []
    return [Message(str(m[0]), str(m[1])) for m in messages
            if isinstance(m, list) and len(m) == 2]


def clear_flash(request: Request, response: Response, site: str) -> None:
    """Delete the message cookie on ``response`` when the request carried one (messages shown)."""
    if _flash_cookie(site) in request.cookies:
        response.delete_cookie(_flash_cookie(site), path="/")
