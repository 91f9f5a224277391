"""Issues and merge requests: lists with GitLab's filters, the detail pages, and their forms
(create, comment, close/reopen, merge, assign, label, milestone).

Both kinds share the code: a :class:`Kind` says which tables, URL segment and words each uses.
URLs are GitLab's: ``/<ns>/<p>/-/issues`` (``?state=opened|closed|all``, ``label_name[]=``,
``assignee_username=``, ``author_username=``, ``milestone_title=``, ``search=``, ``sort=``),
``/<ns>/<p>/-/issues/<iid>``, ``/<ns>/<p>/-/issues/new``, and the same under
``/-/merge_requests`` (states ``opened|merged|closed|all``).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from webarena_gym.sandbox.common import Pagination, db, drops_blank_params, not_found, read_form
from webarena_gym.sandbox.gitlab import queries
from webarena_gym.sandbox.gitlab.queries import DEVELOPER, REPORTER
from webarena_gym.sandbox.gitlab.web import ProjectView, project_view, render_project, site


@dataclass(frozen=True)
class Kind:
    """Issues or merge requests: their tables, URL segment and words."""

    table: str
    note_type: str
    segment: str
    label_table: str
    assignee_table: str
    key: str
    states: tuple[str, ...]
    sigil: str
    noun: str
    label_kind: str


ISSUES = Kind("gl_issues", "issue", "issues", "gl_issue_labels", "gl_issue_assignees",
              "issue_id", queries.ISSUE_STATES, "#", "issue", "issue")
MERGE_REQUESTS = Kind("gl_merge_requests", "merge_request", "merge_requests", "gl_mr_labels",
                      "gl_mr_assignees", "mr_id", queries.MR_STATES, "!", "merge request", "mr")
STATE_TABS = {"opened": "Open", "merged": "Merged", "closed": "Closed", "all": "All"}


def _filters(request: Request, kind: Kind) -> dict[str, Any]:
    q = request.query_params
    state = q.get("state", "opened")
    sort = q.get("sort", "created_date")
    return {
        "state": state if state in kind.states else "opened",
        "labels": [v for v in q.getlist("label_name[]") if v],
        "assignee": q.get("assignee_username", ""),
        "author": q.get("author_username", ""),
        "milestone": q.get("milestone_title", "") if kind is ISSUES else "",
        "search": q.get("search", "").strip(),
        "sort": sort if sort in queries.ISSUE_SORTS else "created_date",
    }


def decorate_items(conn: sqlite3.Connection, kind: Kind,
                   rows: list[sqlite3.Row]) -> list[dict[str, Any]]:
    """Issue or merge request rows with their labels, assignees, author, comment count (and reviewers, milestone)."""
    ids = [r["id"] for r in rows]
    labels = queries.labels_of(conn, kind.label_kind, ids)
    assignees = queries.people_of(conn, kind.assignee_table, kind.key, ids)
    reviewers = queries.people_of(conn, "gl_mr_reviewers", "mr_id", ids) \
        if kind is MERGE_REQUESTS else {}
    comments = queries.comment_counts(conn, kind.note_type, ids)
    authors = {r["id"]: r for r in conn.execute(
        f"SELECT * FROM gl_users WHERE id IN ({','.join('?' * len(ids))})",
        [r["author_id"] for r in rows])} if rows else {}
    milestones = {}
    if kind is ISSUES:
        milestones = {r["id"]: r for r in conn.execute(
            "SELECT * FROM gl_milestones WHERE id IN (SELECT milestone_id FROM gl_issues WHERE "
            f"id IN ({','.join('?' * len(ids))}))", ids)} if rows else {}
    return [dict(r, labels=labels[r["id"]], assignees=assignees[r["id"]],
                 reviewers=reviewers.get(r["id"], []), comments=comments[r["id"]],
                 author=authors.get(r["author_id"]),
                 milestone=milestones.get(r["milestone_id"]) if kind is ISSUES else None)
            for r in rows]


def _list(kind: Kind):  # noqa: ANN202 - a route endpoint
    @drops_blank_params  # as GitLab's filter bar, the URL names only the filters in use
    async def endpoint(request: Request) -> Response:
        """The issue (merge request) list of a project with GitLab's filters and tabs."""
        view = project_view(request)
        conn = db(request)
        f = _filters(request, kind)
        common = dict(labels=f["labels"], assignee=f["assignee"], author=f["author"],
                      milestone=f["milestone"], search=f["search"], table=kind.table)
        counts = {}
        for state in kind.states:
            where, args = queries.issue_filter(view.id, state=state, **common)
            counts[state] = conn.execute(f"SELECT count(*) FROM {kind.table} i WHERE {where}",
                                         args).fetchone()[0]
        where, args = queries.issue_filter(view.id, state=f["state"], **common)
        pager = Pagination.from_request(request, counts[f["state"]], queries.ISSUES_PER_PAGE,
                                        page_param="page")
        rows = conn.execute(
            f"SELECT i.* FROM {kind.table} i WHERE {where} ORDER BY "
            f"{queries.ISSUE_SORTS[f['sort']][1]} LIMIT ? OFFSET ?",
            [*args, pager.limit, pager.offset]).fetchall()
        return render_project(
            request, "issues.html", view, tab=kind.segment, kind=kind, filters=f, counts=counts,
            pager=pager, items=decorate_items(conn, kind, rows), tabs=STATE_TABS,
            sorts={k: v[0] for k, v in queries.ISSUE_SORTS.items()},
            labels=_project_labels(conn, view.id), members=queries.members(conn, view.row),
            milestones=_milestones(conn, view.id))
    return endpoint


def _project_labels(conn: sqlite3.Connection, project_id: int) -> list[sqlite3.Row]:
    return conn.execute("SELECT * FROM gl_labels WHERE project_id = ? ORDER BY lower(name)",
                        (project_id,)).fetchall()


def _milestones(conn: sqlite3.Connection, project_id: int) -> list[sqlite3.Row]:
    return conn.execute("SELECT * FROM gl_milestones WHERE project_id = ? ORDER BY due_date, id",
                        (project_id,)).fetchall()


def _item(request: Request, kind: Kind, view: ProjectView) -> sqlite3.Row:
    row = db(request).execute(f"SELECT * FROM {kind.table} WHERE project_id = ? AND iid = ?",
                              (view.id, request.path_params["iid"])).fetchone()
    if row is None:
        raise not_found()
    return row


def _can_manage(view: ProjectView, item: sqlite3.Row, uid: int | None) -> bool:
    """Reporters and up manage issues; authors may close and reopen their own."""
    return uid is not None and (view.can(REPORTER) or item["author_id"] == uid)


def _show(kind: Kind):  # noqa: ANN202 - a route endpoint
    async def endpoint(request: Request) -> Response:
        """An issue (merge request): description, sidebar, activity and the comment form."""
        view = project_view(request)
        conn = db(request)
        item = decorate_items(conn, kind, [_item(request, kind, view)])[0]
        notes = conn.execute(
            "SELECT n.*, u.name AS author_name, u.username AS author_username FROM gl_notes n "
            "JOIN gl_users u ON u.id = n.author_id WHERE n.noteable_type = ? AND "
            "n.noteable_id = ? ORDER BY n.created_at, n.id", (kind.note_type, item["id"])
        ).fetchall()
        uid = site.user_id(request)
        on = {label["id"] for label in item["labels"]}
        assigned = {u["id"] for u in item["assignees"]}
        return render_project(
            request, "issue.html", view, tab=kind.segment, kind=kind, item=item, notes=notes,
            page_title=f"{item['title']} ({kind.sigil}{item['iid']})",
            can_manage=view.can(REPORTER) and uid is not None,
            can_close=_can_manage(view, item, uid),
            can_merge=kind is MERGE_REQUESTS and view.can(DEVELOPER),
            other_labels=[lb for lb in _project_labels(conn, view.id) if lb["id"] not in on],
            assignable=[m for m in queries.members(conn, view.row) if m["id"] not in assigned],
            milestones=_milestones(conn, view.id) if kind is ISSUES else [],
            self_assignable=uid is not None and uid not in assigned and view.can(REPORTER))
    return endpoint


def _touch(conn: sqlite3.Connection, kind: Kind, item_id: int, now: str) -> None:
    conn.execute(f"UPDATE {kind.table} SET updated_at = ? WHERE id = ?", (now, item_id))
    conn.execute("UPDATE gl_projects SET last_activity_at = ? WHERE id = (SELECT project_id "
                 f"FROM {kind.table} WHERE id = ?)", (now, item_id))


def _system_note(conn: sqlite3.Connection, kind: Kind, item_id: int, uid: int, body: str) -> None:
    now = queries.site_now(conn)
    conn.execute("INSERT INTO gl_notes (noteable_type, noteable_id, author_id, body, system, "
                 "created_at) VALUES (?, ?, ?, ?, 1, ?)", (kind.note_type, item_id, uid, body, now))
    _touch(conn, kind, item_id, now)


def _item_url(view: ProjectView, kind: Kind, iid: int) -> str:
    return f"{view.url}/-/{kind.segment}/{iid}"


def _comment(kind: Kind):  # noqa: ANN202 - a route endpoint
    @site.login_required
    @site.writes
    async def endpoint(request: Request) -> Response:
        """Add a comment (``note``)."""
        view = project_view(request)
        item = _item(request, kind, view)
        form = await read_form(request)
        body = form.field("note")
        url = _item_url(view, kind, item["iid"])
        if not body:
            return site.redirect(url, "Comment can't be blank.", "alert", request)
        conn = db(request)
        now = queries.site_now(conn)
        cur = conn.execute("INSERT INTO gl_notes (noteable_type, noteable_id, author_id, body, "
                           "system, created_at) VALUES (?, ?, ?, ?, 0, ?)",
                           (kind.note_type, item["id"], site.user_id(request), body, now))
        _touch(conn, kind, item["id"], now)
        conn.commit()
        return site.redirect(f"{url}#note_{cur.lastrowid}", "Your comment was added.", "notice",
                             request)
    return endpoint


_TRANSITIONS = {"close": ("opened", "closed"), "reopen": ("closed", "opened"),
                "merge": ("opened", "merged")}


def _change_state(kind: Kind):  # noqa: ANN202 - a route endpoint
    @site.login_required
    @site.writes
    async def endpoint(request: Request) -> Response:
        """Close, reopen or (merge requests, Developers and up) merge."""
        view = project_view(request)
        item = _item(request, kind, view)
        action = request.path_params["action"]
        url = _item_url(view, kind, item["iid"])
        uid = site.user_id(request)
        allowed = _can_manage(view, item, uid)
        if action == "merge":
            allowed = kind is MERGE_REQUESTS and view.can(DEVELOPER)
        if action not in _TRANSITIONS or (action == "merge" and kind is ISSUES):
            raise not_found()
        if not allowed:
            return site.redirect(url, f"You are not allowed to {action} this {kind.noun}.", "alert",
                                 request)
        before, after = _TRANSITIONS[action]
        if item["state"] != before:
            state = item["state"].replace("opened", "open")
            return site.redirect(url, f"This {kind.noun} is already {state}.", "alert", request)
        conn = db(request)
        now = queries.site_now(conn)
        stamp = {"closed": "closed_at", "merged": "merged_at"}.get(after)
        sets = "state = ?" + (f", {stamp} = ?" if stamp else "")
        if kind is ISSUES and after == "opened":
            sets += ", closed_at = NULL"
        conn.execute(f"UPDATE {kind.table} SET {sets} WHERE id = ?",
                     (after, *((now,) if stamp else ()), item["id"]))
        _system_note(conn, kind, item["id"], uid, {"opened": "reopened"}.get(after, after))
        conn.commit()
        words = {"closed": "closed", "opened": "reopened", "merged": "merged"}[after]
        return site.redirect(url, f"The {kind.noun} was {words}.", "notice", request)
    return endpoint


def _member(conn: sqlite3.Connection, view: ProjectView, raw: str) -> sqlite3.Row | None:
    if not raw.isdigit():
        return None
    return next((m for m in queries.members(conn, view.row) if m["id"] == int(raw)), None)


def _assignees(kind: Kind):  # noqa: ANN202 - a route endpoint
    @site.login_required
    @site.writes
    async def endpoint(request: Request) -> Response:
        """Assign a project member (``assignee_id``) or unassign one (``remove_id``)."""
        view = project_view(request)
        item = _item(request, kind, view)
        form = await read_form(request)
        url = _item_url(view, kind, item["iid"])
        uid = site.user_id(request)
        if not view.can(REPORTER):
            return site.redirect(url, f"You are not allowed to assign this {kind.noun}.", "alert",
                                 request)
        conn = db(request)
        raw_add = form.field("assignee_id")
        if raw_add == "me":
            raw_add = str(uid)
        if form.field("remove_id"):
            person = conn.execute("SELECT * FROM gl_users WHERE id = ?",
                                  (form.field("remove_id"),)).fetchone()
            if person is not None and conn.execute(
                    f"DELETE FROM {kind.assignee_table} WHERE {kind.key} = ? AND user_id = ?",
                    (item["id"], person["id"])).rowcount:
                _system_note(conn, kind, item["id"], uid, f"unassigned @{person['username']}")
        else:
            person = _member(conn, view, raw_add)
            if person is None:
                return site.redirect(url, "Choose a project member to assign.", "alert", request)
            if conn.execute(f"INSERT OR IGNORE INTO {kind.assignee_table} VALUES (?, ?)",
                            (item["id"], person["id"])).rowcount:
                _system_note(conn, kind, item["id"], uid, f"assigned to @{person['username']}")
        conn.commit()
        return site.redirect(url)
    return endpoint


def _labels(kind: Kind):  # noqa: ANN202 - a route endpoint
    @site.login_required
    @site.writes
    async def endpoint(request: Request) -> Response:
        """Add a project label (``label_id``) or remove one (``remove_id``)."""
        view = project_view(request)
        item = _item(request, kind, view)
        form = await read_form(request)
        url = _item_url(view, kind, item["iid"])
        uid = site.user_id(request)
        if not view.can(REPORTER):
            return site.redirect(url, f"You are not allowed to label this {kind.noun}.", "alert",
                                 request)
        conn = db(request)
        removing = form.field("remove_id")
        label = conn.execute("SELECT * FROM gl_labels WHERE id = ? AND project_id = ?",
                             (removing or form.field("label_id"), view.id)).fetchone()
        if label is None:
            return site.redirect(url, "Choose a label of this project.", "alert", request)
        if removing:
            changed = conn.execute(f"DELETE FROM {kind.label_table} WHERE {kind.key} = ? AND "
                                   "label_id = ?", (item["id"], label["id"])).rowcount
            note = f"removed ~{label['name']} label"
        else:
            changed = conn.execute(f"INSERT OR IGNORE INTO {kind.label_table} VALUES (?, ?)",
                                   (item["id"], label["id"])).rowcount
            note = f"added ~{label['name']} label"
        if changed:
            _system_note(conn, kind, item["id"], uid, note)
        conn.commit()
        return site.redirect(url)
    return endpoint


@site.login_required
@site.writes
async def issue_milestone(request: Request) -> Response:
    """Set (``milestone_id``) or clear (empty) an issue's milestone."""
    view = project_view(request)
    item = _item(request, ISSUES, view)
    form = await read_form(request)
    url = _item_url(view, ISSUES, item["iid"])
    if not view.can(REPORTER):
        return site.redirect(url, "You are not allowed to change the milestone.", "alert", request)
    conn = db(request)
    raw = form.field("milestone_id")
    milestone = conn.execute("SELECT * FROM gl_milestones WHERE id = ? AND project_id = ?",
                             (raw, view.id)).fetchone() if raw else None
    if raw and milestone is None:
        return site.redirect(url, "Choose a milestone of this project.", "alert", request)
    new_id = milestone["id"] if milestone else None
    if new_id != item["milestone_id"]:
        conn.execute("UPDATE gl_issues SET milestone_id = ? WHERE id = ?", (new_id, item["id"]))
        note = f"changed milestone to %{milestone['title']}" if milestone else "removed milestone"
        _system_note(conn, ISSUES, item["id"], site.user_id(request), note)
        conn.commit()
    return site.redirect(url)


@site.login_required
async def issue_new(request: Request) -> Response:
    """``/<ns>/<p>/-/issues/new``: the New issue form."""
    view = project_view(request)
    conn = db(request)
    return render_project(request, "issue_new.html", view, tab="issues",
                          labels=_project_labels(conn, view.id),
                          members=queries.members(conn, view.row),
                          milestones=_milestones(conn, view.id), page_title="New issue",
                          prefill=request.query_params.get("issue[title]", ""))


@site.login_required
@site.writes
async def issue_create(request: Request) -> Response:
    """Create an issue (``issue[title]``, ``issue[description]``; Reporters and up may also
    set ``issue[assignee_id]``, ``issue[label_id]`` and ``issue[milestone_id]``)."""
    view = project_view(request)
    form = await read_form(request)
    conn = db(request)
    title, description = form.field("issue[title]"), form.field("issue[description]")
    if not title:
        return site.redirect(f"{view.url}/-/issues/new", "Title can't be blank.", "alert", request)
    uid = site.user_id(request)
    now = queries.site_now(conn)
    iid = conn.execute("SELECT coalesce(max(iid), 0) + 1 FROM gl_issues WHERE project_id = ?",
                       (view.id,)).fetchone()[0]
    milestone = None
    if view.can(REPORTER) and form.field("issue[milestone_id]"):
        row = conn.execute("SELECT id FROM gl_milestones WHERE id = ? AND project_id = ?",
                           (form.field("issue[milestone_id]"), view.id)).fetchone()
        milestone = row["id"] if row else None
    cur = conn.execute(
        "INSERT INTO gl_issues (project_id, iid, title, description, author_id, state, "
        "milestone_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'opened', ?, ?, ?)",
        (view.id, iid, title, description, uid, milestone, now, now))
    if view.can(REPORTER):
        for raw in form.getlist("issue[label_id]"):
            label = conn.execute("SELECT id FROM gl_labels WHERE id = ? AND project_id = ?",
                                 (raw, view.id)).fetchone()
            if label is not None:
                conn.execute("INSERT OR IGNORE INTO gl_issue_labels VALUES (?, ?)",
                             (cur.lastrowid, label["id"]))
        for raw in form.getlist("issue[assignee_id]"):
            person = _member(conn, view, raw.strip())
            if person is not None:
                conn.execute("INSERT OR IGNORE INTO gl_issue_assignees VALUES (?, ?)",
                             (cur.lastrowid, person["id"]))
    conn.execute("UPDATE gl_projects SET last_activity_at = ? WHERE id = ?", (now, view.id))
    conn.commit()
    return site.redirect(_item_url(view, ISSUES, iid), f"Issue #{iid} was created.", "notice",
                         request)


issue_list = _list(ISSUES)
issue_show = _show(ISSUES)
issue_comment = _comment(ISSUES)
issue_state = _change_state(ISSUES)
issue_assignees = _assignees(ISSUES)
issue_labels = _labels(ISSUES)
mr_list = _list(MERGE_REQUESTS)
mr_show = _show(MERGE_REQUESTS)
mr_comment = _comment(MERGE_REQUESTS)
mr_state = _change_state(MERGE_REQUESTS)
mr_assignees = _assignees(MERGE_REQUESTS)
mr_labels = _labels(MERGE_REQUESTS)
