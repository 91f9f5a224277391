"""Request plumbing shared by the gitlab site's pages: templates, the signed-in user, forms,
redirects with flash messages, and the project a ``/<namespace>/<project>/...`` URL names.

The host puts the tenant's database on ``request.state.db``, ``request.state.readonly`` (refuse
writes) and ``request.state.site_urls`` on every request; nothing else is assumed.
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from webarena_gym.sandbox import auth
from webarena_gym.sandbox.common import clear_flash, date_long, flash, make_templates, take_flash
from webarena_gym.sandbox.gitlab import queries
from webarena_gym.sandbox.gitlab.markdown import render_markdown

SITE = "gitlab"
SIGN_IN = "/users/sign_in"
Handler = Callable[[Request], Awaitable[Response]]


def short_date(value: str | None) -> str:
    """``'2023-03-11 14:03:00'`` -> ``'Mar 11, 2023'`` (GitLab's date format)."""
    if not value:
        return ""
    long = date_long(value)
    month, rest = long.split(" ", 1)
    return f"{month[:3]} {rest}"


TEMPLATES = make_templates(Path(__file__).parent / "templates").env
TEMPLATES.filters.update(markdown=render_markdown, gl_date=short_date, role=queries.role_name)


def db(request: Request) -> sqlite3.Connection:
    """The tenant's gitlab database."""
    return request.state.db


def current_user(request: Request) -> sqlite3.Row | None:
    """The signed-in user's row, or None (also when the id is unknown in this database)."""
    if not hasattr(request.state, "user"):
        uid = auth.current_user_id(request, SITE)
        row = None
        if uid is not None:
            row = db(request).execute("SELECT * FROM gl_users WHERE id = ?", (uid,)).fetchone()
        request.state.user = row
    return request.state.user


def user_id(request: Request) -> int | None:
    """The signed-in user's id, or None."""
    user = current_user(request)
    return None if user is None else int(user["id"])


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> Response:
    """Render a page with the signed-in user, pending messages and ``context``."""
    page = TEMPLATES.get_template(template).render(
        request=request, user=context.pop("as_user", current_user(request)),
        messages=take_flash(request, SITE), path=request.url.path, **context)
    response = HTMLResponse(page, status_code=status_code)
    clear_flash(request, response, SITE)
    return response


def redirect(url: str, message: str | None = None, kind: str = "notice",
             request: Request | None = None) -> Response:
    """A 302 to ``url`` carrying a one-shot message for the next page."""
    response = RedirectResponse(url, status_code=302)
    return flash(response, SITE, kind, message, request) if message else response


def back(request: Request, fallback: str) -> str:
    """Where to return after a form: the ``Referer`` when it is on this site, else ``fallback``."""
    ref = request.headers.get("referer", "")
    base = str(request.base_url).rstrip("/")
    return (ref[len(base):] or fallback) if ref.startswith(base) else fallback


async def read_form(request: Request) -> dict[str, list[str]]:
    """The posted form: name -> values (blank values kept)."""
    body = (await request.body()).decode("utf-8", errors="replace")
    return parse_qs(body, keep_blank_values=True)


def field(form: dict[str, list[str]], name: str, default: str = "") -> str:
    """The last value posted for ``name``, stripped."""
    values = form.get(name)
    return values[-1].strip() if values else default


def sign_in_url(request: Request) -> str:
    """The sign-in page, returning here afterwards (GET pages only)."""
    if request.method != "GET":
        target = back(request, "")
    else:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return SIGN_IN + (f"?redirect_to={quote(target, safe='/')}" if target else "")


def login_required(handler: Handler) -> Handler:
    """Send visitors who are not signed in to the sign-in page (and back afterwards)."""

    @functools.wraps(handler)
    async def wrapper(request: Request) -> Response:
        if current_user(request) is None:
            return RedirectResponse(sign_in_url(request), status_code=302)
        return await handler(request)

    return wrapper


def writes(handler: Handler) -> Handler:
    """:func:`login_required`, and refuse the write with a friendly page on a read-only copy."""

    @functools.wraps(handler)
    async def wrapper(request: Request) -> Response:
        if getattr(request.state, "readonly", False):
            return render(request, "message.html", status_code=403, title="Read-only GitLab",
                          text="This GitLab is open for browsing only: changes (issues, "
                               "comments, members, stars, projects) are not saved here.")
        return await handler(request)

    return login_required(wrapper)


def not_found() -> HTTPException:
    """GitLab answers 404 for what does not exist and for what the user may not see."""
    return HTTPException(404)


@dataclass
class ProjectView:
    """The project a URL names, with what every project page shows around it."""

    row: sqlite3.Row
    title: str  # "One Stop Market / Storefront"
    url: str  # "/onestopmarket/storefront"
    access: int
    starred: bool
    stars: int
    forks: int
    open_issues: int
    open_mrs: int
    forked_from: sqlite3.Row | None

    @property
    def id(self) -> int:
        """The project's id."""
        return int(self.row["id"])

    def can(self, level: int) -> bool:
        """Whether the user's role is at least ``level``."""
        return self.access >= level


def project_view(request: Request) -> ProjectView:
    """The project of ``/{namespace}/{project}/...``; 404 when missing or not visible."""
    conn = db(request)
    row = queries.project_by_path(conn, request.path_params["namespace"],
                                  request.path_params["project"])
    uid = user_id(request)
    if row is None or not queries.can_view(conn, row, uid):
        raise not_found()
    counts = queries.project_counts(conn, [row["id"]])[row["id"]]
    starred = uid is not None and conn.execute(
        "SELECT 1 FROM gl_stars WHERE user_id = ? AND project_id = ?", (uid, row["id"])
    ).fetchone() is not None
    forked_from = None
    if row["forked_from_id"] is not None:
        forked_from = conn.execute("SELECT * FROM gl_projects WHERE id = ?",
                                   (row["forked_from_id"],)).fetchone()
    return ProjectView(row, queries.project_title(conn, row), "/" + queries.full_path(row),
                       queries.access_level(conn, row, uid), starred, counts["stars"],
                       counts["forks"], counts["issues"], counts["mrs"], forked_from)


def render_project(request: Request, template: str, view: ProjectView, *, tab: str,
                   status_code: int = 200, **context: Any) -> Response:
    """Render a project page (the sidebar highlights ``tab``); the title names the page and
    the project, as GitLab's do (``Issues · One Stop Market / Storefront``)."""
    page = context.pop("page_title", _TAB_TITLES.get(tab, ""))
    context.setdefault("title", f"{page} · {view.title}" if page else view.title)
    return render(request, template, status_code, project=view, tab=tab, **context)


_TAB_TITLES = {"files": "Files", "commits": "Commits", "branches": "Branches",
               "issues": "Issues", "labels": "Labels", "milestones": "Milestones",
               "merge_requests": "Merge requests", "members": "Members",
               "settings": "General settings"}
