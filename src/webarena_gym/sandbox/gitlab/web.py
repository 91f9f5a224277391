"""The gitlab site's kit (:data:`site`) and what every project page shows: the project a
``/<namespace>/<project>/...`` URL names, with its counts and the user's role.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from webarena_gym.sandbox.common import ErrorPage, SignIn, SiteKit, date_long, db, not_found
from webarena_gym.sandbox.gitlab import queries
from webarena_gym.sandbox.gitlab.markdown import render_markdown

SIGN_IN = SignIn("/users/sign_in", "redirect_to", keep_query=True, safe="/")


def short_date(value: str | None) -> str:
    """``'2023-03-11 14:03:00'`` -> ``'Mar 11, 2023'`` (GitLab's date format)."""
    if not value:
        return ""
    long = date_long(value)
    month, rest = long.split(" ", 1)
    return f"{month[:3]} {rest}"


site = SiteKit(
    "gitlab", Path(__file__).parent / "templates",
    filters={"markdown": render_markdown, "gl_date": short_date, "role": queries.role_name},
    user_query="SELECT * FROM gl_users WHERE id = ?",
    sign_in=SIGN_IN,
    read_only=ErrorPage(403, "message.html", {
        "title": "Read-only GitLab",
        "text": "This GitLab is open for browsing only: changes (issues, comments, members, "
                "stars, projects) are not saved here."}),
    not_found_page=ErrorPage(404, "message.html", {
        "title": "Page Not Found",
        "text": "Make sure the address is correct and the page hasn't moved. Please contact "
                "your GitLab administrator if you think this is a mistake."}),
)


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
    uid = site.user_id(request)
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
    return site.render(request, template, status_code, project=view, tab=tab, **context)


_TAB_TITLES = {"files": "Files", "commits": "Commits", "branches": "Branches",
               "issues": "Issues", "labels": "Labels", "milestones": "Milestones",
               "merge_requests": "Merge requests", "members": "Members",
               "settings": "General settings"}
