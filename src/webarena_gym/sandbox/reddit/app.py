"""The ``reddit`` site's Starlette app. Skeleton: being built for issue 6."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route


async def _home(request: Request) -> HTMLResponse:
    return HTMLResponse("<html><body><h1>Postmill-like forum</h1><p>Not built yet.</p></body></html>")


def create_app() -> Starlette:
    """Build the ``reddit`` app."""
    return Starlette(routes=[Route("/", _home)])
