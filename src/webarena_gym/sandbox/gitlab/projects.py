"""Project pages: overview (README and files), tree and blob views, commits, branches, labels,
milestones, members (invite, change role, remove), stars, forks, settings and new projects.

URLs are GitLab's: ``/<ns>/<p>``, ``/<ns>/<p>/-/tree/<branch>/<path>``,
``/<ns>/<p>/-/blob/<branch>/<path>``, ``/<ns>/<p>/-/commits/<branch>``,
``/<ns>/<p>/-/project_members``, ``/<ns>/<p>/-/forks``, ``/<ns>/<p>/-/starrers``,
``/projects/new``.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from webarena_gym.sandbox.common import Pagination, db, not_found, read_form, referer_path
from webarena_gym.sandbox.gitlab import queries, repos
from webarena_gym.sandbox.gitlab.queries import MAINTAINER, OWNER
from webarena_gym.sandbox.gitlab.vocab import RESERVED_PATHS, ROLE_LEVELS, ROLE_NAMES
from webarena_gym.sandbox.gitlab.web import ProjectView, project_view, render_project, site

_PATH = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9._-]*$")
VISIBILITY_LABELS = {"private": "Private", "internal": "Internal", "public": "Public"}
_VISIBILITY_RANK = {"private": 0, "internal": 1, "public": 2}


# -- repository ------------------------------------------------------------------------------


def _branches(conn: sqlite3.Connection, project_id: int) -> list[sqlite3.Row]:
    return conn.execute("SELECT * FROM gl_branches WHERE project_id = ? ORDER BY name",
                        (project_id,)).fetchall()


def _split_ref(conn: sqlite3.Connection, view: ProjectView, rest: str) -> tuple[str, str]:
    """``'feature/x/src/app.py'`` -> ``('feature/x', 'src/app.py')`` (the longest branch that
    prefixes the path, as GitLab resolves refs with slashes); 404 for an unknown branch."""
    rest = rest.strip("/")
    for branch in sorted((b["name"] for b in _branches(conn, view.id)), key=len, reverse=True):
        if rest == branch or rest.startswith(branch + "/"):
            return branch, rest[len(branch):].strip("/")
    raise not_found()


def _files(conn: sqlite3.Connection, project_id: int) -> dict[str, str]:
    return {r["path"]: r["content"] for r in conn.execute(
        "SELECT path, content FROM gl_files WHERE project_id = ? ORDER BY path", (project_id,))}


def tree_entries(paths: list[str], directory: str) -> list[dict[str, str]] | None:
    """The folders then files directly inside ``directory`` (``''`` for the root), or None
    when no file lies under it."""
    prefix = directory + "/" if directory else ""
    dirs: dict[str, None] = {}
    files: list[str] = []
    for path in paths:
        if not path.startswith(prefix):
            continue
        head, sep, _ = path[len(prefix):].partition("/")
        if sep:
            dirs[head] = None
        else:
            files.append(head)
    if not dirs and not files:
        return None
    return ([{"name": d, "type": "tree", "path": prefix + d} for d in sorted(dirs)]
            + [{"name": f, "type": "blob", "path": prefix + f} for f in sorted(files)])


def _crumbs(path: str) -> list[tuple[str, str]]:
    parts = path.split("/") if path else []
    return [(part, "/".join(parts[: i + 1])) for i, part in enumerate(parts)]


def _commits_of(conn: sqlite3.Connection, view: ProjectView, branch: str) -> tuple[str, list]:
    """SQL and args selecting a branch's commits: the default branch's own, and for other
    branches the default branch's up to the moment the branch was created."""
    default = view.row["default_branch"]
    if branch == default:
        return "project_id = ? AND branch = ?", [view.id, branch]
    created = conn.execute("SELECT created_at FROM gl_branches WHERE project_id = ? AND "
                           "name = ?", (view.id, branch)).fetchone()[0]
    return ("project_id = ? AND (branch = ? OR (branch = ? AND committed_at <= ?))",
            [view.id, branch, default, created])


def latest_commit(conn: sqlite3.Connection, view: ProjectView, branch: str) -> sqlite3.Row | None:
    """The newest commit of a branch."""
    where, args = _commits_of(conn, view, branch)
    return conn.execute(f"SELECT * FROM gl_commits WHERE {where} ORDER BY committed_at DESC, "
                        "id DESC LIMIT 1", args).fetchone()


async def overview(request: Request) -> Response:
    """``/<ns>/<p>``: the project's header, files of the default branch and its README."""
    view = project_view(request)
    conn = db(request)
    branch = view.row["default_branch"]
    files = _files(conn, view.id)
    where, args = _commits_of(conn, view, branch)
    commits = conn.execute(f"SELECT count(*) FROM gl_commits WHERE {where}", args).fetchone()[0]
    return render_project(
        request, "project.html", view, tab="overview", branch=branch,
        entries=tree_entries(list(files), "") or [], readme=files.get("README.md"),
        commit_count=commits, branch_count=len(_branches(conn, view.id)),
        last_commit=latest_commit(conn, view, branch))


async def tree(request: Request) -> Response:
    """``/-/tree/<branch>/<path>``: a folder's files."""
    view = project_view(request)
    conn = db(request)
    branch, path = _split_ref(conn, view, request.path_params["rest"])
    entries = tree_entries(list(_files(conn, view.id)), path)
    if entries is None:
        raise not_found()
    return render_project(request, "tree.html", view, tab="files", branch=branch, here=path,
                          entries=entries, crumbs=_crumbs(path),
                          branches=_branches(conn, view.id),
                          last_commit=latest_commit(conn, view, branch))


async def blob(request: Request) -> Response:
    """``/-/blob/<branch>/<path>``: one file's content."""
    view = project_view(request)
    conn = db(request)
    branch, path = _split_ref(conn, view, request.path_params["rest"])
    row = conn.execute("SELECT content FROM gl_files WHERE project_id = ? AND path = ?",
                       (view.id, path)).fetchone()
    if row is None:
        raise not_found()
    content = row["content"]
    return render_project(request, "blob.html", view, tab="files", branch=branch, here=path,
                          crumbs=_crumbs(path), content=content,
                          lines=content.count("\n") + (not content.endswith("\n")),
                          size=len(content.encode()), is_markdown=path.endswith(".md"))


async def commits(request: Request) -> Response:
    """``/-/commits/<branch>``: the branch's commits, newest first, 20 a page."""
    view = project_view(request)
    conn = db(request)
    rest = request.path_params.get("rest") or view.row["default_branch"]
    branch, _ = _split_ref(conn, view, rest)
    where, args = _commits_of(conn, view, branch)
    total = conn.execute(f"SELECT count(*) FROM gl_commits WHERE {where}", args).fetchone()[0]
    pager = Pagination.from_request(request, total, queries.COMMITS_PER_PAGE, page_param="page")
    rows = conn.execute(f"SELECT * FROM gl_commits WHERE {where} ORDER BY committed_at DESC, "
                        "id DESC LIMIT ? OFFSET ?", [*args, pager.limit, pager.offset]).fetchall()
    return render_project(request, "commits.html", view, tab="commits", branch=branch,
                          commits=rows, pager=pager, branches=_branches(conn, view.id))


async def commit(request: Request) -> Response:
    """``/-/commit/<sha>``: one commit (short or full sha)."""
    view = project_view(request)
    sha = request.path_params["sha"].lower()
    row = db(request).execute("SELECT * FROM gl_commits WHERE project_id = ? AND sha LIKE ? "
                              "ORDER BY id LIMIT 1", (view.id, sha + "%")).fetchone()
    if row is None or len(sha) < 7:
        raise not_found()
    return render_project(request, "commit.html", view, tab="commits", commit=row)


async def branches(request: Request) -> Response:
    """``/-/branches``: every branch, with its open merge request."""
    view = project_view(request)
    conn = db(request)
    rows = []
    for b in _branches(conn, view.id):
        mr = conn.execute("SELECT iid, title FROM gl_merge_requests WHERE project_id = ? AND "
                          "source_branch = ? AND state = 'opened'", (view.id, b["name"])).fetchone()
        rows.append(dict(b, mr=mr, last=latest_commit(conn, view, b["name"])))
    return render_project(request, "branches.html", view, tab="branches", branches=rows)


# -- labels and milestones -----------------------------------------------------------------


async def labels(request: Request) -> Response:
    """``/-/labels``: the project's labels with their open issue counts."""
    view = project_view(request)
    rows = db(request).execute(
        "SELECT l.*, (SELECT count(*) FROM gl_issue_labels x JOIN gl_issues i ON i.id = "
        "x.issue_id WHERE x.label_id = l.id AND i.state = 'opened') AS open_issues FROM "
        "gl_labels l WHERE l.project_id = ? ORDER BY lower(l.name)", (view.id,)).fetchall()
    return render_project(request, "labels.html", view, tab="labels", labels=rows)


def _milestone_rows(conn: sqlite3.Connection, where: str, args: list[Any]) -> list[dict[str, Any]]:
    rows = conn.execute(f"SELECT * FROM gl_milestones WHERE {where} ORDER BY due_date, id",
                        args).fetchall()
    result = []
    for m in rows:
        opened, closed = (conn.execute("SELECT count(*) FROM gl_issues WHERE milestone_id = ? AND "
                                       "state = ?", (m["id"], s)).fetchone()[0]
                          for s in ("opened", "closed"))
        total = opened + closed
        result.append(dict(m, open_issues=opened, closed_issues=closed,
                           percent=round(100 * closed / total) if total else 0))
    return result


async def milestones(request: Request) -> Response:
    """``/-/milestones``: open (``?state=opened``), closed or all milestones."""
    view = project_view(request)
    state = request.query_params.get("state", "opened")
    state = state if state in ("opened", "closed", "all") else "opened"
    where, args = "project_id = ?", [view.id]
    if state != "all":
        where += " AND state = ?"
        args.append("active" if state == "opened" else "closed")
    return render_project(request, "milestones.html", view, tab="milestones", state=state,
                          milestones=_milestone_rows(db(request), where, args))


async def milestone(request: Request) -> Response:
    """``/-/milestones/<id>``: one milestone and its issues."""
    view = project_view(request)
    conn = db(request)
    rows = _milestone_rows(conn, "project_id = ? AND id = ?", [view.id, request.path_params["id"]])
    if not rows:
        raise not_found()
    issues = conn.execute("SELECT * FROM gl_issues WHERE milestone_id = ? ORDER BY state DESC, "
                          "iid", (rows[0]["id"],)).fetchall()
    return render_project(request, "milestone.html", view, tab="milestones",
                          milestone=rows[0], issues=issues)


# -- members -------------------------------------------------------------------------------


def _is_personal_owner(view: ProjectView, uid: int) -> bool:
    return view.row["owner_id"] == uid


def _roles_for(view: ProjectView) -> dict[int, str]:
    """The roles the current user may give: up to Maintainer, Owner only for owners."""
    return {k: v for k, v in ROLE_NAMES.items() if k < OWNER or view.can(OWNER)}


async def members_page(request: Request) -> Response:
    """``/-/project_members``: members (direct and inherited), and for Maintainers the forms to
    invite, change roles and remove."""
    view = project_view(request)
    conn = db(request)
    group = None
    if view.row["group_id"] is not None:
        group = conn.execute("SELECT * FROM gl_groups WHERE id = ?",
                             (view.row["group_id"],)).fetchone()
    search = request.query_params.get("search", "").strip().lower()
    rows = queries.members(conn, view.row)
    if search:
        rows = [m for m in rows if search in m["name"].lower() or search in m["username"].lower()]
    return render_project(request, "members.html", view, tab="members", members=rows,
                          group=group, can_manage=view.can(MAINTAINER) and site.user_id(request),
                          roles=_roles_for(view), search=search)


def _level(raw: str) -> int | None:
    if raw.isdigit() and int(raw) in ROLE_NAMES:
        return int(raw)
    return ROLE_LEVELS.get(raw.strip().title())


@site.login_required
@site.writes
async def member_invite(request: Request) -> Response:
    """Invite a user (``user``: username, ``@username`` or email) with ``access_level``."""
    view = project_view(request)
    url = f"{view.url}/-/project_members"
    if not view.can(MAINTAINER):
        return site.redirect(url, "You are not allowed to invite members.", "alert", request)
    form = await read_form(request)
    conn = db(request)
    wanted = form.field("user").lstrip("@")
    person = conn.execute("SELECT * FROM gl_users WHERE lower(username) = lower(?) OR "
                          "lower(email) = lower(?)", (wanted, wanted)).fetchone()
    level = _level(form.field("access_level"))
    if person is None:
        return site.redirect(url, f"User {wanted!r} was not found.", "alert", request)
    if level is None or level not in _roles_for(view):
        return site.redirect(url, "Choose a role you are allowed to give.", "alert", request)
    direct = conn.execute("SELECT 1 FROM gl_project_members WHERE project_id = ? AND "
                          "user_id = ?", (view.id, person["id"])).fetchone()
    if direct is not None:
        return site.redirect(url, f"{person['name']} is already a member of this project.", "alert",
                             request)
    now = queries.site_now(conn)
    conn.execute("INSERT INTO gl_project_members VALUES (?, ?, ?, ?)",
                 (view.id, person["id"], level, now))
    conn.execute("UPDATE gl_projects SET last_activity_at = ? WHERE id = ?", (now, view.id))
    conn.commit()
    return site.redirect(url, "Members were successfully added.", "notice", request)


def _direct_member(conn: sqlite3.Connection, view: ProjectView, raw: str) -> sqlite3.Row | None:
    return conn.execute("SELECT m.*, u.name, u.username FROM gl_project_members m JOIN gl_users u "
                        "ON u.id = m.user_id WHERE m.project_id = ? AND m.user_id = ?",
                        (view.id, raw)).fetchone()


@site.login_required
@site.writes
async def member_update(request: Request) -> Response:
    """Change a direct member's role (``access_level``)."""
    view = project_view(request)
    url = f"{view.url}/-/project_members"
    conn = db(request)
    member = _direct_member(conn, view, request.path_params["user_id"])
    form = await read_form(request)
    level = _level(form.field("access_level"))
    if not view.can(MAINTAINER) or member is None or _is_personal_owner(view, member["user_id"]):
        return site.redirect(url, "You cannot change the role of this member.", "alert", request)
    if level is None or level not in _roles_for(view):
        return site.redirect(url, "Choose a role you are allowed to give.", "alert", request)
    conn.execute("UPDATE gl_project_members SET access_level = ? WHERE project_id = ? AND "
                 "user_id = ?", (level, view.id, member["user_id"]))
    conn.commit()
    return site.redirect(url, f"Role of {member['name']} was updated to {ROLE_NAMES[level]}.",
                         "notice", request)


@site.login_required
@site.writes
async def member_remove(request: Request) -> Response:
    """Remove a direct member."""
    view = project_view(request)
    url = f"{view.url}/-/project_members"
    conn = db(request)
    member = _direct_member(conn, view, request.path_params["user_id"])
    if not view.can(MAINTAINER) or member is None or _is_personal_owner(view, member["user_id"]):
        return site.redirect(url, "You cannot remove this member.", "alert", request)
    conn.execute("DELETE FROM gl_project_members WHERE project_id = ? AND user_id = ?",
                 (view.id, member["user_id"]))
    conn.commit()
    return site.redirect(url, f"{member['name']} was removed from the project.", "notice", request)


# -- stars and forks -----------------------------------------------------------------------


@site.login_required
@site.writes
async def toggle_star(request: Request) -> Response:
    """Star the project, or unstar it when already starred."""
    view = project_view(request)
    conn = db(request)
    uid = site.user_id(request)
    if view.starred:
        conn.execute("DELETE FROM gl_stars WHERE user_id = ? AND project_id = ?", (uid, view.id))
    else:
        conn.execute("INSERT INTO gl_stars VALUES (?, ?, ?)", (uid, view.id,
                                                               queries.site_now(conn)))
    conn.commit()
    return site.redirect(referer_path(request, view.url))


async def starrers(request: Request) -> Response:
    """``/-/starrers``: who starred the project, newest first."""
    view = project_view(request)
    rows = db(request).execute(
        "SELECT u.*, s.starred_at FROM gl_stars s JOIN gl_users u ON u.id = s.user_id WHERE "
        "s.project_id = ? ORDER BY s.starred_at DESC, u.id", (view.id,)).fetchall()
    return render_project(request, "starrers.html", view, tab="overview", starrers=rows,
                          page_title="Starrers")


async def forks(request: Request) -> Response:
    """``/-/forks``: the projects forked from this one (that the user may see)."""
    view = project_view(request)
    conn = db(request)
    visible, args = queries.visible_clause(site.user_id(request))
    rows = conn.execute(f"SELECT p.* FROM gl_projects p WHERE p.forked_from_id = ? AND {visible} "
                        "ORDER BY p.created_at DESC", [view.id, *args]).fetchall()
    counts = queries.project_counts(conn, [r["id"] for r in rows])
    items = [dict(r, title=queries.project_title(conn, r), **counts[r["id"]]) for r in rows]
    return render_project(request, "forks.html", view, tab="overview", forks=items,
                          page_title="Forks")


def creatable_namespaces(conn: sqlite3.Connection, user: sqlite3.Row) -> list[dict[str, str]]:
    """Where the user may create (or fork) projects: their own namespace and the groups in
    which they are a Maintainer or Owner."""
    found = [{"path": user["username"], "title": f"{user['name']} (@{user['username']})"}]
    for g in conn.execute("SELECT g.* FROM gl_groups g JOIN gl_group_members m ON m.group_id = "
                          "g.id WHERE m.user_id = ? AND m.access_level >= ? ORDER BY g.name",
                          (user["id"], MAINTAINER)):
        found.append({"path": g["path"], "title": g["name"]})
    return found


@site.login_required
async def fork_new(request: Request) -> Response:
    """``/-/forks/new``: choose where to fork the project and how to name it."""
    view = project_view(request)
    conn = db(request)
    return render_project(request, "fork_new.html", view, tab="overview", page_title="Fork project",
                          namespaces=creatable_namespaces(conn, site.user(request)),
                          visibilities={k: v for k, v in VISIBILITY_LABELS.items()
                                        if _VISIBILITY_RANK[k] <= _VISIBILITY_RANK[
                                            view.row["visibility"]]})


def _insert_project(conn: sqlite3.Connection, user: sqlite3.Row, namespace: str, path: str,
                    name: str, description: str, visibility: str, files: dict[str, str],
                    forked_from: sqlite3.Row | None) -> int:
    """Create a project (personal or in a group) with its files, branch and first commit."""
    now = queries.site_now(conn)
    group = conn.execute("SELECT id FROM gl_groups WHERE path = ?", (namespace,)).fetchone()
    branch = forked_from["default_branch"] if forked_from else "main"
    cur = conn.execute(
        "INSERT INTO gl_projects (namespace, path, name, description, visibility, group_id, "
        "owner_id, creator_id, default_branch, forked_from_id, created_at, last_activity_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (namespace, path, name, description, visibility, group["id"] if group else None,
         None if group else user["id"], user["id"], branch,
         forked_from["id"] if forked_from else None, now, now))
    pid = int(cur.lastrowid)
    if group is None:
        conn.execute("INSERT INTO gl_project_members VALUES (?, ?, ?, ?)",
                     (pid, user["id"], OWNER, now))
    conn.executemany("INSERT INTO gl_files VALUES (?, ?, ?)",
                     [(pid, p, c) for p, c in sorted(files.items())])
    if files or forked_from:
        conn.execute("INSERT INTO gl_branches VALUES (?, ?, ?)", (pid, branch, now))
    if forked_from is not None:
        conn.execute("INSERT INTO gl_commits (project_id, sha, branch, author_id, author_name, "
                     "author_email, title, message, committed_at) SELECT ?, sha, branch, "
                     "author_id, author_name, author_email, title, message, committed_at FROM "
                     "gl_commits WHERE project_id = ? AND branch = ? ORDER BY id",
                     (pid, forked_from["id"], branch))
    elif files:
        sha = hashlib.sha1(f"{namespace}/{path}@{now}".encode()).hexdigest()
        conn.execute("INSERT INTO gl_commits (project_id, sha, branch, author_id, author_name, "
                     "author_email, title, message, committed_at) VALUES (?, ?, ?, ?, ?, ?, "
                     "'Initial commit', 'Initial commit', ?)",
                     (pid, sha, branch, user["id"], user["name"], user["email"], now))
    return pid


def _check_new_project(conn: sqlite3.Connection, user: sqlite3.Row, namespace: str, path: str,
                       name: str, visibility: str) -> str | None:
    """Why a new project cannot be created there, or None."""
    if not name:
        return "Project name can't be blank."
    if not _PATH.match(path) or path.endswith((".git", ".atom")) or path in RESERVED_PATHS:
        return ("Project path can contain only letters, digits, '_', '-' and '.', and must "
                "start with a letter or digit.")
    if namespace not in {n["path"] for n in creatable_namespaces(conn, user)}:
        return "You are not allowed to create projects in this namespace."
    if visibility not in VISIBILITY_LABELS:
        return "Choose a visibility level."
    if queries.project_by_path(conn, namespace, path) is not None:
        return f"Path '{path}' has already been taken in {namespace}."
    return None


@site.login_required
@site.writes
async def fork_create(request: Request) -> Response:
    """Fork into a namespace (``namespace``, ``name``, ``path``, ``visibility``)."""
    view = project_view(request)
    form = await read_form(request)
    conn = db(request)
    user = site.user(request)
    name = form.field("name", view.row["name"]) or view.row["name"]
    path = form.field("path") or queries.slugify(name)
    namespace = form.field("namespace", user["username"])
    visibility = form.field("visibility", "private")
    problem = _check_new_project(conn, user, namespace, path, name, visibility)
    if problem is None and _VISIBILITY_RANK[visibility] > _VISIBILITY_RANK[view.row["visibility"]]:
        problem = "A fork cannot be more visible than the project it comes from."
    if problem:
        return site.redirect(f"{view.url}/-/forks/new", problem, "alert", request)
    _insert_project(conn, user, namespace, path, name, view.row["description"], visibility,
                    {r["path"]: r["content"] for r in conn.execute(
                        "SELECT path, content FROM gl_files WHERE project_id = ?", (view.id,))},
                    view.row)
    conn.commit()
    return site.redirect(f"/{namespace}/{path}", "The project was successfully forked.", "notice",
                         request)


# -- new project and settings --------------------------------------------------------------


@site.login_required
async def project_new(request: Request) -> Response:
    """``/projects/new``: the Create blank project form."""
    conn = db(request)
    user = site.user(request)
    return site.render(request, "project_new.html", title="New project",
                       namespaces=creatable_namespaces(conn, user), visibilities=VISIBILITY_LABELS,
                       chosen=request.query_params.get("namespace", user["username"]))


@site.login_required
@site.writes
async def project_create(request: Request) -> Response:
    """Create a project (``project[name]``, ``project[path]``, ``project[namespace]``,
    ``project[description]``, ``project[visibility]``, ``project[initialize_with_readme]``)."""
    form = await read_form(request)
    conn = db(request)
    user = site.user(request)
    name = form.field("project[name]")
    path = form.field("project[path]") or queries.slugify(name)
    namespace = form.field("project[namespace]", user["username"])
    visibility = form.field("project[visibility]", "private")
    description = form.field("project[description]")
    problem = _check_new_project(conn, user, namespace, path, name, visibility)
    if problem:
        return site.redirect("/projects/new", problem, "alert", request)
    files = repos.readme_only(name, description) \
        if form.field("project[initialize_with_readme]") else {}
    _insert_project(conn, user, namespace, path, name, description, visibility, files, None)
    conn.commit()
    return site.redirect(f"/{namespace}/{path}", f"Project '{name}' was successfully created.",
                         "notice", request)


@site.login_required
async def project_edit(request: Request) -> Response:
    """``/-/edit``: name, description and visibility (Maintainers and up)."""
    view = project_view(request)
    if not view.can(MAINTAINER):
        raise not_found()
    return render_project(request, "project_edit.html", view, tab="settings",
                          visibilities=VISIBILITY_LABELS)


@site.login_required
@site.writes
async def project_update(request: Request) -> Response:
    """Save the project's name, description and visibility."""
    view = project_view(request)
    if not view.can(MAINTAINER):
        raise not_found()
    form = await read_form(request)
    name = form.field("project[name]")
    visibility = form.field("project[visibility]", view.row["visibility"])
    if not name or visibility not in VISIBILITY_LABELS:
        return site.redirect(f"{view.url}/-/edit", "Name can't be blank; choose a visibility.",
                             "alert", request)
    conn = db(request)
    conn.execute("UPDATE gl_projects SET name = ?, description = ?, visibility = ? WHERE id = ?",
                 (name, form.field("project[description]"), visibility, view.id))
    conn.commit()
    return site.redirect(f"{view.url}/-/edit", f"Project '{name}' was successfully updated.",
                         "notice", request)

