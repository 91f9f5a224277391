"""Rules the gitlab site and its task samplers must agree on: paths, access, counts, filters.

Both the app and the samplers (which see every sandbox database attached on one connection)
call these, so a task's ground truth is computed exactly as the page shows it.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from webarena_gym.sandbox.gitlab.vocab import ROLE_NAMES

DATE_FORMAT = "%Y-%m-%d %H:%M:%S"
SITE_NOW = "2023-06-01 09:00:00"  # the site's clock starts here; every write moves it on
ISSUES_PER_PAGE = 20
PROJECTS_PER_PAGE = 20
COMMITS_PER_PAGE = 20
ISSUE_STATES = ("opened", "closed", "all")
MR_STATES = ("opened", "merged", "closed", "all")
VISIBILITIES = ("private", "internal", "public")
GUEST, REPORTER, DEVELOPER, MAINTAINER, OWNER = 10, 20, 30, 40, 50


def role_name(level: int) -> str:
    """``30`` -> ``'Developer'``."""
    return ROLE_NAMES.get(level, "")


def site_now(conn: sqlite3.Connection) -> str:
    """A timestamp for a new write: a minute after the latest activity (never before
    :data:`SITE_NOW`), so the site's clock is deterministic and always moves forward."""
    latest = conn.execute(
        "SELECT max(t) FROM (SELECT max(created_at) AS t FROM gl_notes UNION ALL "
        "SELECT max(created_at) FROM gl_projects UNION ALL SELECT max(updated_at) FROM gl_issues "
        "UNION ALL SELECT max(updated_at) FROM gl_merge_requests UNION ALL "
        "SELECT max(starred_at) FROM gl_stars)").fetchone()[0] or SITE_NOW
    base = max(latest, SITE_NOW)
    return (datetime.strptime(base, DATE_FORMAT) + timedelta(minutes=1)).strftime(DATE_FORMAT)


def slugify(name: str) -> str:
    """A project path from its name, as GitLab derives it (``My App!`` -> ``my-app``)."""
    slug = re.sub(r"[^a-z0-9._-]+", "-", name.strip().lower())
    return re.sub(r"-{2,}", "-", slug).strip("-._")


# -- users, namespaces, projects ------------------------------------------------------------


def user_by_username(conn: sqlite3.Connection, username: str) -> sqlite3.Row | None:
    """The user with this username (case-insensitive), or None."""
    return conn.execute("SELECT * FROM gl_users WHERE lower(username) = lower(?)",
                        (username,)).fetchone()


def namespace_title(conn: sqlite3.Connection, namespace: str) -> str:
    """What pages call a namespace: the group's name, or the user's full name."""
    row = conn.execute("SELECT name FROM gl_groups WHERE path = ?", (namespace,)).fetchone()
    if row is None:
        row = conn.execute("SELECT name FROM gl_users WHERE username = ?", (namespace,)).fetchone()
    return row[0] if row else namespace


def project_title(conn: sqlite3.Connection, project: sqlite3.Row) -> str:
    """``'One Stop Market / Storefront'``: how lists and headers name a project."""
    return f"{namespace_title(conn, project['namespace'])} / {project['name']}"


def project_by_path(conn: sqlite3.Connection, namespace: str, path: str) -> sqlite3.Row | None:
    """The project at ``/<namespace>/<path>`` (case-insensitive, as GitLab's routes)."""
    return conn.execute("SELECT * FROM gl_projects WHERE lower(namespace) = lower(?) AND "
                        "lower(path) = lower(?)", (namespace, path)).fetchone()


def full_path(project: sqlite3.Row | dict[str, Any]) -> str:
    """``onestopmarket/storefront``."""
    return f"{project['namespace']}/{project['path']}"


# -- access ---------------------------------------------------------------------------------


def access_level(conn: sqlite3.Connection, project: sqlite3.Row, user_id: int | None) -> int:
    """The user's effective role in a project: the higher of the direct membership and the
    group's (0 when neither)."""
    if user_id is None:
        return 0
    levels = [r[0] for r in conn.execute(
        "SELECT access_level FROM gl_project_members WHERE project_id = ? AND user_id = ?",
        (project["id"], user_id))]
    if project["group_id"] is not None:
        levels += [r[0] for r in conn.execute(
            "SELECT access_level FROM gl_group_members WHERE group_id = ? AND user_id = ?",
            (project["group_id"], user_id))]
    return max(levels, default=0)


def can_view(conn: sqlite3.Connection, project: sqlite3.Row, user_id: int | None) -> bool:
    """Public projects: everyone; internal: signed-in users; private: members only."""
    if project["visibility"] == "public":
        return True
    if user_id is None:
        return False
    return project["visibility"] == "internal" or access_level(conn, project, user_id) > 0


def visible_clause(user_id: int | None, alias: str = "p") -> tuple[str, list[Any]]:
    """SQL (over projects ``alias``) selecting the projects a user may see."""
    if user_id is None:
        return f"{alias}.visibility = 'public'", []
    return (f"({alias}.visibility IN ('public', 'internal') OR EXISTS (SELECT 1 FROM "
            f"gl_project_members m WHERE m.project_id = {alias}.id AND m.user_id = ?) OR "
            f"EXISTS (SELECT 1 FROM gl_group_members g WHERE g.group_id = {alias}.group_id "
            "AND g.user_id = ?))", [user_id, user_id])


def member_clause(user_id: int, alias: str = "p") -> tuple[str, list[Any]]:
    """SQL (over projects ``alias``) selecting the projects the user is a member of."""
    return (f"(EXISTS (SELECT 1 FROM gl_project_members m WHERE m.project_id = {alias}.id AND "
            f"m.user_id = ?) OR EXISTS (SELECT 1 FROM gl_group_members g WHERE g.group_id = "
            f"{alias}.group_id AND g.user_id = ?))", [user_id, user_id])


def members(conn: sqlite3.Connection, project: sqlite3.Row) -> list[dict[str, Any]]:
    """The project's members as its Members page lists them: direct members and the group's
    (inherited) members, each once with the higher role, ordered by role then name."""
    found: dict[int, dict[str, Any]] = {}
    rows = conn.execute(
        "SELECT u.*, m.access_level, m.created_at AS since, 'direct' AS source FROM "
        "gl_project_members m JOIN gl_users u ON u.id = m.user_id WHERE m.project_id = ?",
        (project["id"],)).fetchall()
    if project["group_id"] is not None:
        rows += conn.execute(
            "SELECT u.*, m.access_level, m.created_at AS since, 'group' AS source FROM "
            "gl_group_members m JOIN gl_users u ON u.id = m.user_id WHERE m.group_id = ?",
            (project["group_id"],)).fetchall()
    for row in rows:
        current = found.get(row["id"])
        if current is None or row["access_level"] > current["access_level"]:
            found[row["id"]] = dict(row)
    return sorted(found.values(), key=lambda m: (-m["access_level"], m["name"].lower()))


# -- counts ---------------------------------------------------------------------------------


def star_count(conn: sqlite3.Connection, project_id: int) -> int:
    """How many users starred the project."""
    return conn.execute("SELECT count(*) FROM gl_stars WHERE project_id = ?",
                        (project_id,)).fetchone()[0]


def fork_count(conn: sqlite3.Connection, project_id: int) -> int:
    """How many projects were forked from the project."""
    return conn.execute("SELECT count(*) FROM gl_projects WHERE forked_from_id = ?",
                        (project_id,)).fetchone()[0]


def project_counts(conn: sqlite3.Connection, ids: Sequence[int]) -> dict[int, dict[str, int]]:
    """Stars, forks and open issues of several projects at once (for lists)."""
    result = {i: {"stars": 0, "forks": 0, "issues": 0, "mrs": 0} for i in ids}
    if not ids:
        return result
    marks = ",".join("?" * len(ids))
    for key, sql in (
        ("stars", f"SELECT project_id, count(*) FROM gl_stars WHERE project_id IN ({marks}) "
                  "GROUP BY project_id"),
        ("forks", f"SELECT forked_from_id, count(*) FROM gl_projects WHERE forked_from_id IN "
                  f"({marks}) GROUP BY forked_from_id"),
        ("issues", f"SELECT project_id, count(*) FROM gl_issues WHERE state = 'opened' AND "
                   f"project_id IN ({marks}) GROUP BY project_id"),
        ("mrs", f"SELECT project_id, count(*) FROM gl_merge_requests WHERE state = 'opened' AND "
                f"project_id IN ({marks}) GROUP BY project_id"),
    ):
        for pid, n in conn.execute(sql, list(ids)):
            result[pid][key] = n
    return result


def comment_count(conn: sqlite3.Connection, kind: str, noteable_id: int) -> int:
    """User comments (not system notes) on an issue or merge request."""
    return conn.execute("SELECT count(*) FROM gl_notes WHERE noteable_type = ? AND "
                        "noteable_id = ? AND system = 0", (kind, noteable_id)).fetchone()[0]


# -- issues ---------------------------------------------------------------------------------


def issue_filter(project_id: int, *, state: str = "opened", labels: Iterable[str] = (),
                 assignee: str = "", author: str = "", milestone: str = "",
                 search: str = "", table: str = "gl_issues") -> tuple[str, list[Any]]:
    """SQL over issues ``i`` (or merge requests with ``table``) matching a list's filters.

    ``assignee`` is a username, ``None`` (unassigned) or ``Any`` (assigned to someone);
    ``labels`` must all be present; ``search`` matches the title or description.
    """
    kind = "issue" if table == "gl_issues" else "mr"
    where, args = ["i.project_id = ?"], [project_id]
    if state != "all":
        where.append("i.state = ?")
        args.append(state)
    label_table = "gl_issue_labels" if kind == "issue" else "gl_mr_labels"
    assignee_table = "gl_issue_assignees" if kind == "issue" else "gl_mr_assignees"
    key = "issue_id" if kind == "issue" else "mr_id"
    for label in labels:
        where.append(f"EXISTS (SELECT 1 FROM {label_table} x JOIN gl_labels l ON l.id = "
                     f"x.label_id WHERE x.{key} = i.id AND l.name = ?)")
        args.append(label)
    if assignee in ("None", "Any"):
        negate = "NOT " if assignee == "None" else ""
        where.append(f"{negate}EXISTS (SELECT 1 FROM {assignee_table} a WHERE a.{key} = i.id)")
    elif assignee:
        where.append(f"EXISTS (SELECT 1 FROM {assignee_table} a JOIN gl_users u ON u.id = "
                     f"a.user_id WHERE a.{key} = i.id AND lower(u.username) = lower(?))")
        args.append(assignee)
    if author:
        where.append("i.author_id IN (SELECT id FROM gl_users WHERE lower(username) = lower(?))")
        args.append(author)
    if milestone and table == "gl_issues":
        where.append("i.milestone_id IN (SELECT id FROM gl_milestones WHERE title = ?)")
        args.append(milestone)
    if search:
        for word in search.lower().split():
            where.append("(lower(i.title) LIKE ? OR lower(i.description) LIKE ?)")
            args += [f"%{word}%", f"%{word}%"]
    return " AND ".join(where), args


ISSUE_SORTS = {
    "created_date": ("Created date", "i.created_at DESC, i.iid DESC"),
    "updated_desc": ("Updated date", "i.updated_at DESC, i.iid DESC"),
    "created_asc": ("Oldest created", "i.created_at ASC, i.iid ASC"),
    "title_asc": ("Title", "lower(i.title) ASC, i.iid ASC"),
}


def labels_of(conn: sqlite3.Connection, kind: str, ids: Sequence[int]) -> dict[int, list[sqlite3.Row]]:
    """Labels of several issues (``kind='issue'``) or merge requests (``'mr'``), by id."""
    table, key = ("gl_issue_labels", "issue_id") if kind == "issue" else ("gl_mr_labels", "mr_id")
    result: dict[int, list[sqlite3.Row]] = {i: [] for i in ids}
    if ids:
        marks = ",".join("?" * len(ids))
        for row in conn.execute(f"SELECT x.{key} AS owner, l.* FROM {table} x JOIN gl_labels l "
                                f"ON l.id = x.label_id WHERE x.{key} IN ({marks}) "
                                "ORDER BY lower(l.name)", list(ids)):
            result[row["owner"]].append(row)
    return result


def people_of(conn: sqlite3.Connection, table: str, key: str,
              ids: Sequence[int]) -> dict[int, list[sqlite3.Row]]:
    """Assignees or reviewers (``table``/``key`` of the link table) of several items, by id."""
    result: dict[int, list[sqlite3.Row]] = {i: [] for i in ids}
    if ids:
        marks = ",".join("?" * len(ids))
        for row in conn.execute(f"SELECT x.{key} AS owner, u.* FROM {table} x JOIN gl_users u "
                                f"ON u.id = x.user_id WHERE x.{key} IN ({marks}) "
                                "ORDER BY lower(u.name)", list(ids)):
            result[row["owner"]].append(row)
    return result


def comment_counts(conn: sqlite3.Connection, kind: str, ids: Sequence[int]) -> dict[int, int]:
    """User comments per issue (``kind='issue'``) or merge request (``'merge_request'``)."""
    result = dict.fromkeys(ids, 0)
    if ids:
        marks = ",".join("?" * len(ids))
        for owner, n in conn.execute(f"SELECT noteable_id, count(*) FROM gl_notes WHERE "
                                     f"noteable_type = ? AND system = 0 AND noteable_id IN "
                                     f"({marks}) GROUP BY noteable_id", [kind, *ids]):
            result[owner] = n
    return result


# -- search ---------------------------------------------------------------------------------


def search_projects(conn: sqlite3.Connection, term: str, user_id: int | None) -> list[sqlite3.Row]:
    """Projects the user may see whose path, full path, name or description contains every
    word of ``term``; best matches (exact path or name) first, then by stars."""
    words = term.lower().split()
    if not words:
        return []
    visible, args = visible_clause(user_id)
    where = [visible]
    for word in words:
        where.append("(lower(p.namespace || '/' || p.path) LIKE ? OR lower(p.name) LIKE ? OR "
                     "lower(p.description) LIKE ?)")
        args += [f"%{word}%"] * 3
    needle = term.strip().lower()
    return conn.execute(
        "SELECT p.*, (SELECT count(*) FROM gl_stars s WHERE s.project_id = p.id) AS stars FROM "
        f"gl_projects p WHERE {' AND '.join(where)} ORDER BY "
        "(lower(p.namespace || '/' || p.path) = ? OR lower(p.path) = ? OR lower(p.name) = ?) DESC, "
        "stars DESC, p.id", [*args, needle, needle, needle]).fetchall()


def search_issues(conn: sqlite3.Connection, term: str, user_id: int | None) -> list[sqlite3.Row]:
    """Issues of visible projects whose title contains every word of ``term``, newest first."""
    words = term.lower().split()
    if not words:
        return []
    visible, args = visible_clause(user_id)
    where = [visible] + ["lower(i.title) LIKE ?"] * len(words)
    args += [f"%{w}%" for w in words]
    return conn.execute(
        "SELECT i.*, p.namespace, p.path AS project_path, p.name AS project_name FROM gl_issues i "
        f"JOIN gl_projects p ON p.id = i.project_id WHERE {' AND '.join(where)} "
        "ORDER BY i.created_at DESC, i.id DESC", args).fetchall()
