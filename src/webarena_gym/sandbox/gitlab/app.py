"""The ``gitlab`` site: code hosting like WebArena's GitLab (users, groups, projects, files,
commits, issues, merge requests, members, stars, forks, profile, search).

GitLab's URLs, so that WebArena-style task configs read naturally: ``/users/sign_in``,
``/dashboard/projects``, ``/explore/projects``, ``/<namespace>`` (a user's profile or a group),
``/<namespace>/<project>`` and everything under ``/<namespace>/<project>/-/...`` (see
:mod:`.projects` and :mod:`.issues`), ``/projects/new``, ``/-/profile``, ``/search?search=``.
Every page is server-rendered (Jinja2 templates beside this file) with plain forms.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from webarena_gym.sandbox.common import (
    Pagination,
    db,
    local_path,
    not_found,
    read_form,
    static_file,
)
from webarena_gym.sandbox.gitlab import issues, projects, queries
from webarena_gym.sandbox.gitlab.vocab import STATUSES
from webarena_gym.sandbox.gitlab.web import SIGN_IN, site

HERE = Path(__file__).parent
PROJECT_SORTS = {
    "latest_activity_desc": ("Last updated", "p.last_activity_at DESC, p.id DESC"),
    "name_asc": ("Name", "lower(p.name) ASC, p.id"),
    "stars_desc": ("Most stars", "stars DESC, p.last_activity_at DESC"),
    "created_desc": ("Created date", "p.created_at DESC, p.id DESC"),
}
SEARCH_SCOPES = {"projects": "Projects", "issues": "Issues", "users": "Users"}


# ---------------------------------------------------------------- sign in

async def home(request: Request) -> Response:
    """``/``: the projects dashboard when signed in, the sign-in page otherwise."""
    target = "/dashboard/projects" if site.user(request) else SIGN_IN.url
    return site.redirect(target)


async def sign_in_page(request: Request) -> Response:
    """``/users/sign_in``: the sign-in form (``user[login]``, ``user[password]``)."""
    if site.user(request) is not None:
        return site.redirect("/dashboard/projects")
    return site.render(request, "sign_in.html", title="Sign in",
                       redirect_to=request.query_params.get("redirect_to", ""))


async def sign_in_post(request: Request) -> Response:
    """Check the username (or email) and password; sign in, or back with an error."""
    form = await read_form(request)
    login = form.field("user[login]")
    row = db(request).execute("SELECT * FROM gl_users WHERE lower(username) = lower(?) OR "
                              "lower(email) = lower(?)", (login, login)).fetchone()
    password = form.get("user[password]", "")
    target = local_path(form.field("redirect_to"))
    if row is None or row["password"] != password:
        return site.render(request, "sign_in.html", status_code=401, title="Sign in",
                           redirect_to=target, login=login, error="Invalid login or password.")
    return site.sign_in(site.redirect(target or "/dashboard/projects"), row["id"])


async def sign_out(request: Request) -> Response:
    """``/users/sign_out``: sign out and go to the sign-in page."""
    return site.sign_out(site.redirect(SIGN_IN.url, "Signed out successfully.", "notice"))


# ---------------------------------------------------------------- project lists

def _project_list(request: Request, where: str, args: list[Any], default_sort: str
                  ) -> dict[str, Any]:
    """Filtered (``name``), sorted (``sort``), paginated project rows for a list page."""
    conn = db(request)
    q = request.query_params
    name = q.get("name", "").strip()
    if name:
        where += " AND (lower(p.name) LIKE ? OR lower(p.path) LIKE ? OR lower(p.namespace || " \
                 "'/' || p.path) LIKE ?)"
        args = [*args, *[f"%{name.lower()}%"] * 3]
    sort = q.get("sort", default_sort)
    sort = sort if sort in PROJECT_SORTS else default_sort
    total = conn.execute(f"SELECT count(*) FROM gl_projects p WHERE {where}", args).fetchone()[0]
    pager = Pagination.from_request(request, total, queries.PROJECTS_PER_PAGE, page_param="page")
    rows = conn.execute(
        "SELECT p.*, (SELECT count(*) FROM gl_stars s WHERE s.project_id = p.id) AS stars "
        f"FROM gl_projects p WHERE {where} ORDER BY {PROJECT_SORTS[sort][1]} LIMIT ? OFFSET ?",
        [*args, pager.limit, pager.offset]).fetchall()
    return {"projects": _project_items(conn, rows, site.user_id(request)), "pager": pager,
            "name": name, "sort": sort, "sorts": {k: v[0] for k, v in PROJECT_SORTS.items()}}


def _project_items(conn: sqlite3.Connection, rows: list[sqlite3.Row],
                   uid: int | None) -> list[dict[str, Any]]:
    counts = queries.project_counts(conn, [r["id"] for r in rows])
    return [dict(r, title=queries.project_title(conn, r), full_path=queries.full_path(r),
                 role=queries.access_level(conn, r, uid), **counts[r["id"]]) for r in rows]


@site.login_required
async def dashboard_projects(request: Request) -> Response:
    """``/dashboard/projects``: the projects the user is a member of."""
    uid = site.user_id(request)
    where, args = queries.member_clause(uid)
    return site.render(request, "project_list.html", title="Projects", tab="yours",
                       **_project_list(request, where, args, "latest_activity_desc"),
                       **_dashboard_counts(request))


@site.login_required
async def dashboard_starred(request: Request) -> Response:
    """``/dashboard/projects/starred``: the projects the user starred."""
    uid = site.user_id(request)
    visible, args = queries.visible_clause(uid)
    where = f"{visible} AND p.id IN (SELECT project_id FROM gl_stars WHERE user_id = ?)"
    return site.render(request, "project_list.html", title="Starred projects", tab="starred",
                       **_project_list(request, where, [*args, uid], "latest_activity_desc"),
                       **_dashboard_counts(request))


def _dashboard_counts(request: Request) -> dict[str, int]:
    conn, uid = db(request), site.user_id(request)
    member, args = queries.member_clause(uid)
    return {
        "yours_count": conn.execute(f"SELECT count(*) FROM gl_projects p WHERE {member}",
                                    args).fetchone()[0],
        "starred_count": conn.execute("SELECT count(*) FROM gl_stars WHERE user_id = ?",
                                      (uid,)).fetchone()[0],
    }


async def explore_projects(request: Request) -> Response:
    """``/explore/projects``: every project the visitor may see."""
    where, args = queries.visible_clause(site.user_id(request))
    return site.render(request, "project_list.html", title="Explore projects", tab="explore",
                       **_project_list(request, where, args, "latest_activity_desc"))


async def explore_starred(request: Request) -> Response:
    """``/explore/projects/starred``: every visible project, most starred first."""
    where, args = queries.visible_clause(site.user_id(request))
    return site.render(request, "project_list.html", title="Most starred projects",
                       tab="explore_starred", **_project_list(request, where, args, "stars_desc"))


def _group_rows(conn: sqlite3.Connection, where: str, args: list[Any]) -> list[dict[str, Any]]:
    rows = conn.execute(f"SELECT g.* FROM gl_groups g WHERE {where} ORDER BY lower(g.name)",
                        args).fetchall()
    return [dict(g, projects=conn.execute("SELECT count(*) FROM gl_projects WHERE group_id = ?",
                                          (g["id"],)).fetchone()[0],
                 members=conn.execute("SELECT count(*) FROM gl_group_members WHERE group_id = ?",
                                      (g["id"],)).fetchone()[0]) for g in rows]


def _visible_groups(uid: int | None) -> tuple[str, list[Any]]:
    if uid is None:
        return "g.visibility = 'public'", []
    return ("(g.visibility IN ('public', 'internal') OR EXISTS (SELECT 1 FROM gl_group_members m "
            "WHERE m.group_id = g.id AND m.user_id = ?))", [uid])


@site.login_required
async def dashboard_groups(request: Request) -> Response:
    """``/dashboard/groups``: the groups the user belongs to."""
    rows = _group_rows(db(request), "EXISTS (SELECT 1 FROM gl_group_members m WHERE "
                       "m.group_id = g.id AND m.user_id = ?)", [site.user_id(request)])
    return site.render(request, "groups.html", title="Groups", tab="yours", groups=rows)


async def explore_groups(request: Request) -> Response:
    """``/explore/groups``: every group the visitor may see."""
    where, args = _visible_groups(site.user_id(request))
    return site.render(request, "groups.html", title="Explore groups", tab="explore",
                       groups=_group_rows(db(request), where, args))


# ---------------------------------------------------------------- dashboard issues and MRs

def _dashboard_items(request: Request, kind: issues.Kind) -> Response:
    conn, uid = db(request), site.user_id(request)
    q = request.query_params
    me = site.user(request)["username"]
    people = {"assignee_username": q.get("assignee_username", ""),
              "author_username": q.get("author_username", ""),
              "reviewer_username": q.get("reviewer_username", "")}
    if not any(people.values()):
        people["assignee_username"] = me
    state = q.get("state", "opened")
    state = state if state in kind.states else "opened"
    visible, args = queries.visible_clause(uid)
    where = [visible]
    if people["assignee_username"]:
        where.append(f"i.id IN (SELECT a.{kind.key} FROM {kind.assignee_table} a JOIN gl_users u "
                     "ON u.id = a.user_id WHERE lower(u.username) = lower(?))")
        args.append(people["assignee_username"])
    if people["author_username"]:
        where.append("i.author_id IN (SELECT id FROM gl_users WHERE lower(username) = lower(?))")
        args.append(people["author_username"])
    if people["reviewer_username"] and kind is issues.MERGE_REQUESTS:
        where.append("i.id IN (SELECT r.mr_id FROM gl_mr_reviewers r JOIN gl_users u ON u.id = "
                     "r.user_id WHERE lower(u.username) = lower(?))")
        args.append(people["reviewer_username"])
    counts = {}
    for s in kind.states:
        extra = "" if s == "all" else f" AND i.state = '{s}'"
        counts[s] = conn.execute(
            f"SELECT count(*) FROM {kind.table} i JOIN gl_projects p ON p.id = i.project_id "
            f"WHERE {' AND '.join(where)}{extra}", args).fetchone()[0]
    extra = "" if state == "all" else f" AND i.state = '{state}'"
    pager = Pagination.from_request(request, counts[state], queries.ISSUES_PER_PAGE,
                                    page_param="page")
    rows = conn.execute(
        f"SELECT i.*, p.namespace, p.path AS project_path, p.name AS project_name FROM "
        f"{kind.table} i JOIN gl_projects p ON p.id = i.project_id WHERE {' AND '.join(where)}"
        f"{extra} ORDER BY i.updated_at DESC, i.id DESC LIMIT ? OFFSET ?",
        [*args, pager.limit, pager.offset]).fetchall()
    items = issues.decorate_items(conn, kind, rows)
    for item in items:
        item["project_title"] = queries.namespace_title(conn, item["namespace"]) + " / " + \
            item["project_name"]
    return site.render(request, "dashboard_items.html", title="Issues" if kind is issues.ISSUES
                       else "Merge requests", kind=kind, items=items, counts=counts, state=state,
                       pager=pager, who=people, tabs=issues.STATE_TABS)


@site.login_required
async def dashboard_issues(request: Request) -> Response:
    """``/dashboard/issues``: issues across projects (assigned to me unless filtered)."""
    return _dashboard_items(request, issues.ISSUES)


@site.login_required
async def dashboard_merge_requests(request: Request) -> Response:
    """``/dashboard/merge_requests``: merge requests across projects."""
    return _dashboard_items(request, issues.MERGE_REQUESTS)


# ---------------------------------------------------------------- search

async def search(request: Request) -> Response:
    """``/search?search=&scope=projects|issues|users``: GitLab's global search."""
    conn, uid = db(request), site.user_id(request)
    term = request.query_params.get("search", "").strip()
    scope = request.query_params.get("scope", "projects")
    scope = scope if scope in SEARCH_SCOPES else "projects"
    found: dict[str, list] = {"projects": [], "issues": [], "users": []}
    if term:
        found["projects"] = queries.search_projects(conn, term, uid)
        found["issues"] = queries.search_issues(conn, term, uid)
        needle = f"%{term.lower()}%"
        found["users"] = conn.execute(
            "SELECT * FROM gl_users WHERE lower(username) LIKE ? OR lower(name) LIKE ? "
            "ORDER BY lower(name)", (needle, needle)).fetchall()
    pager = Pagination.from_request(request, len(found[scope]), queries.PROJECTS_PER_PAGE,
                                    page_param="page")
    rows = found[scope][pager.offset:pager.offset + pager.limit]
    if scope == "projects":
        rows = _project_items(conn, rows, uid)
    elif scope == "issues":
        rows = [dict(r, project_title=queries.namespace_title(conn, r["namespace"]) + " / "
                     + r["project_name"]) for r in rows]
    return site.render(request, "search.html", title="Search", term=term, scope=scope,
                       scopes=SEARCH_SCOPES, counts={k: len(v) for k, v in found.items()},
                       results=rows, pager=pager)


# ---------------------------------------------------------------- users and groups

async def namespace_page(request: Request) -> Response:
    """``/<namespace>``: a user's profile or a group's page."""
    conn, uid = db(request), site.user_id(request)
    name = request.path_params["namespace"]
    person = queries.user_by_username(conn, name)
    visible, args = queries.visible_clause(uid)
    if person is not None:
        personal = conn.execute(
            "SELECT p.*, (SELECT count(*) FROM gl_stars s WHERE s.project_id = p.id) AS stars "
            f"FROM gl_projects p WHERE p.owner_id = ? AND {visible} ORDER BY "
            "p.last_activity_at DESC", [person["id"], *args]).fetchall()
        starred = conn.execute(
            "SELECT p.*, (SELECT count(*) FROM gl_stars s WHERE s.project_id = p.id) AS stars "
            f"FROM gl_projects p JOIN gl_stars st ON st.project_id = p.id WHERE st.user_id = ? "
            f"AND {visible} ORDER BY st.starred_at DESC", [person["id"], *args]).fetchall()
        groups = _group_rows(conn, "EXISTS (SELECT 1 FROM gl_group_members m WHERE m.group_id = "
                             "g.id AND m.user_id = ?) AND " + _visible_groups(uid)[0],
                             [person["id"], *_visible_groups(uid)[1]])
        return site.render(request, "profile.html", title=person["name"], person=person,
                           personal=_project_items(conn, personal, uid),
                           starred=_project_items(conn, starred, uid), groups=groups)
    group = conn.execute("SELECT * FROM gl_groups WHERE lower(path) = lower(?)", (name,)).fetchone()
    if group is None or not conn.execute(
            f"SELECT 1 FROM gl_groups g WHERE g.id = ? AND {_visible_groups(uid)[0]}",
            [group["id"], *_visible_groups(uid)[1]]).fetchone():
        raise not_found()
    rows = conn.execute(
        "SELECT p.*, (SELECT count(*) FROM gl_stars s WHERE s.project_id = p.id) AS stars FROM "
        f"gl_projects p WHERE p.group_id = ? AND {visible} ORDER BY lower(p.name)",
        [group["id"], *args]).fetchall()
    return site.render(request, "group.html", title=group["name"], group=group,
                       projects=_project_items(conn, rows, uid))


async def group_members(request: Request) -> Response:
    """``/groups/<group>/-/group_members``: a group's members and roles."""
    conn, uid = db(request), site.user_id(request)
    group = conn.execute("SELECT * FROM gl_groups WHERE lower(path) = lower(?)",
                         (request.path_params["group"],)).fetchone()
    if group is None or not conn.execute(
            f"SELECT 1 FROM gl_groups g WHERE g.id = ? AND {_visible_groups(uid)[0]}",
            [group["id"], *_visible_groups(uid)[1]]).fetchone():
        raise not_found()
    rows = conn.execute("SELECT u.*, m.access_level, m.created_at AS since FROM gl_group_members m "
                        "JOIN gl_users u ON u.id = m.user_id WHERE m.group_id = ? ORDER BY "
                        "m.access_level DESC, lower(u.name)", (group["id"],)).fetchall()
    return site.render(request, "group_members.html", title=f"{group['name']} members", group=group,
                       members=rows)


@site.login_required
async def profile_settings(request: Request) -> Response:
    """``/-/profile``: Edit profile (name, status, bio, location, job title)."""
    return site.render(request, "profile_edit.html", title="Edit profile", emojis=_emojis())


def _emojis() -> list[str]:
    return list(dict.fromkeys(e for e, _ in STATUSES))


@site.login_required
@site.writes
async def profile_update(request: Request) -> Response:
    """Save the profile form (``user[name]``, ``user[status][emoji]``,
    ``user[status][message]``, ``user[bio]``, ``user[location]``, ``user[job_title]``)."""
    form = await read_form(request)
    name = form.field("user[name]")
    if not name:
        return site.redirect("/-/profile", "Name can't be blank.", "alert", request)
    emoji = form.field("user[status][emoji]")
    message = form.field("user[status][message]")
    if emoji not in _emojis():
        emoji = ""
    if message and not emoji:
        emoji = "💬"  # GitLab gives a status message the speech balloon by default
    conn = db(request)
    conn.execute("UPDATE gl_users SET name = ?, status_emoji = ?, status_message = ?, bio = ?, "
                 "location = ?, job_title = ? WHERE id = ?",
                 (name, emoji if message else "", message, form.field("user[bio]"),
                  form.field("user[location]"), form.field("user[job_title]"),
                  site.user_id(request)))
    conn.commit()
    return site.redirect("/-/profile", "Profile was successfully updated.", "notice", request)


# ---------------------------------------------------------------- the app

def _project_routes() -> list[Route]:
    base = "/{namespace}/{project}"
    p, i = projects, issues
    table: list[tuple[str, Any, list[str]]] = [
        ("", p.overview, ["GET"]),
        ("/-/tree/{rest:path}", p.tree, ["GET"]),
        ("/-/blob/{rest:path}", p.blob, ["GET"]),
        ("/-/commits", p.commits, ["GET"]),
        ("/-/commits/{rest:path}", p.commits, ["GET"]),
        ("/-/commit/{sha}", p.commit, ["GET"]),
        ("/-/branches", p.branches, ["GET"]),
        ("/-/labels", p.labels, ["GET"]),
        ("/-/milestones", p.milestones, ["GET"]),
        ("/-/milestones/{id:int}", p.milestone, ["GET"]),
        ("/-/project_members", p.members_page, ["GET"]),
        ("/-/project_members", p.member_invite, ["POST"]),
        ("/-/project_members/{user_id:int}", p.member_update, ["POST"]),
        ("/-/project_members/{user_id:int}/remove", p.member_remove, ["POST"]),
        ("/-/toggle_star", p.toggle_star, ["POST"]),
        ("/-/starrers", p.starrers, ["GET"]),
        ("/-/forks", p.forks, ["GET"]),
        ("/-/forks", p.fork_create, ["POST"]),
        ("/-/forks/new", p.fork_new, ["GET"]),
        ("/-/edit", p.project_edit, ["GET"]),
        ("/-/edit", p.project_update, ["POST"]),
        ("/-/issues", i.issue_list, ["GET"]),
        ("/-/issues", i.issue_create, ["POST"]),
        ("/-/issues/new", i.issue_new, ["GET"]),
        ("/-/issues/{iid:int}", i.issue_show, ["GET"]),
        ("/-/issues/{iid:int}/notes", i.issue_comment, ["POST"]),
        ("/-/issues/{iid:int}/assignees", i.issue_assignees, ["POST"]),
        ("/-/issues/{iid:int}/labels", i.issue_labels, ["POST"]),
        ("/-/issues/{iid:int}/milestone", i.issue_milestone, ["POST"]),
        ("/-/issues/{iid:int}/{action}", i.issue_state, ["POST"]),
        ("/-/merge_requests", i.mr_list, ["GET"]),
        ("/-/merge_requests/{iid:int}", i.mr_show, ["GET"]),
        ("/-/merge_requests/{iid:int}/notes", i.mr_comment, ["POST"]),
        ("/-/merge_requests/{iid:int}/assignees", i.mr_assignees, ["POST"]),
        ("/-/merge_requests/{iid:int}/labels", i.mr_labels, ["POST"]),
        ("/-/merge_requests/{iid:int}/{action}", i.mr_state, ["POST"]),
    ]
    return [Route(base + suffix, endpoint, methods=methods) for suffix, endpoint, methods in table]


def create_app() -> Starlette:
    """The gitlab site's Starlette app (needs the host's ``request.state.db``)."""
    routes = [
        Route("/", home),
        Route("/static/gitlab.css", static_file(HERE / "styles.css")),
        Route(SIGN_IN.url, sign_in_page, methods=["GET"]),
        Route(SIGN_IN.url, sign_in_post, methods=["POST"]),
        Route("/users/sign_out", sign_out, methods=["GET", "POST"]),
        Route("/dashboard/projects", dashboard_projects),
        Route("/dashboard/projects/starred", dashboard_starred),
        Route("/dashboard/groups", dashboard_groups),
        Route("/dashboard/issues", dashboard_issues),
        Route("/dashboard/merge_requests", dashboard_merge_requests),
        Route("/explore", explore_projects),
        Route("/explore/projects", explore_projects),
        Route("/explore/projects/starred", explore_starred),
        Route("/explore/groups", explore_groups),
        Route("/projects/new", projects.project_new, methods=["GET"]),
        Route("/projects", projects.project_create, methods=["POST"]),
        Route("/search", search),
        Route("/-/profile", profile_settings, methods=["GET"]),
        Route("/-/profile", profile_update, methods=["POST"]),
        Route("/groups/{group}/-/group_members", group_members),
        Route("/{namespace}", namespace_page),
        *_project_routes(),
    ]
    return site.app(routes)
