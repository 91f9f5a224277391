"""The ``reddit`` site: a forum like WebArena's Postmill.

Postmill's URLs, so that WebArena-style task configs read naturally: ``/`` (the front page:
the signed-in user's subscriptions, else every forum), ``/all``, ``/forums``, ``/f/<forum>``
and ``/f/<forum>/<sort>``, ``/f/<forum>/<id>/<slug>`` (a post and its comments),
``/f/<forum>/<id>/-/comment/<cid>`` (a comment's thread, where replies are written),
``/submit[/<forum>]``, ``/user/<name>`` (and ``/submissions``, ``/comments``),
``/search?q=``, ``/login``, ``/logout``, ``/registration``. Listings sort by hot, new, top
(``?t=day|week|month|year|all``) and most commented, 25 posts a page (``?p=N``). Every page is
server-rendered (Jinja2 templates beside this file) with plain forms; no JavaScript.

The host gives every request ``request.state.db`` (the tenant's forum database,
``sqlite3.Row`` rows), ``request.state.readonly`` (refuse writes) and
``request.state.site_urls``; the app relies on nothing else.
"""

from __future__ import annotations

import functools
import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from webarena_gym.sandbox.common import (
    ErrorPage,
    Pagination,
    SignIn,
    SiteKit,
    db,
    local_path,
    not_found,
    read_form,
    referer_path,
    site_url,
    static_file,
)
from webarena_gym.sandbox.reddit import rules
from webarena_gym.sandbox.reddit.rules import DATE_FORMAT, PAGE_SIZE

SITE_NAME = "Postmill"
HERE = Path(__file__).parent
SIGN_IN = SignIn("/login", "_target_path", notice="You need to log in to do that.")
PROFILE_PAGE = 25  # rows per page of a profile's tabs
MAX_TITLE = 300
MAX_TEXT = 10000
SHOP_PLACEHOLDER = "__SHOPPING__"
SHOP_FALLBACK = "http://onestopmarket.example"


def when(value: str | None) -> str:
    """``'2023-03-11 14:03:00'`` -> ``'March 11, 2023 at 2:03 PM'``."""
    if not value:
        return ""
    d = datetime.strptime(value, DATE_FORMAT)
    return f"{d:%B} {d.day}, {d.year} at {d.hour % 12 or 12}:{d.minute:02d} {'AM' if d.hour < 12 else 'PM'}"


def day(value: str | None) -> str:
    """``'2023-03-11 14:03:00'`` -> ``'March 11, 2023'``."""
    if not value:
        return ""
    d = datetime.strptime(value, DATE_FORMAT)
    return f"{d:%B} {d.day}, {d.year}"


def plural(n: int, word: str) -> str:
    """``1 comment``, ``2 comments``."""
    return f"{n} {word}{'' if n == 1 else 's'}"


site = SiteKit(
    "reddit", HERE / "templates",
    filters={"when": when, "day": day, "slug": rules.slugify},
    globals={"plural": plural, "post_path": rules.post_path, "sort_labels": rules.SORT_LABELS,
             "period_labels": rules.PERIOD_LABELS},
    user_query="SELECT * FROM users WHERE id = ?",
    sign_in=SIGN_IN, page_context=lambda request, user: {"site_name": SITE_NAME},
    read_only=ErrorPage(403, "message.html", {
        "title": "Read-only forum",
        "text": "This forum is open for browsing only: posts, comments, votes and "
                "subscriptions are not saved here."}),
    not_found_page=ErrorPage(404, "message.html", {
        "title": "Page not found",
        "text": "The page you requested does not exist. The forum, post or user may have been "
                "deleted, or the address is mistyped.",
        "link": ("/", "Go to the front page")}),
)


# ---------------------------------------------------------------- request helpers

def _forum(request: Request) -> sqlite3.Row:
    row = db(request).execute("SELECT * FROM forums WHERE name = ?",
                              (request.path_params["forum"],)).fetchone()
    if row is None:
        raise not_found()
    return row


def _post(request: Request) -> tuple[sqlite3.Row, sqlite3.Row]:
    """The forum and post of ``/f/<forum>/<id>...`` (404 when the post is not in that forum)."""
    forum = _forum(request)
    rows = rules.list_posts(db(request), "p.id = ? AND p.forum_id = ?",
                            [request.path_params["post_id"], forum["id"]], "new")
    if not rows:
        raise not_found()
    return forum, rows[0]


def _comment(request: Request, post: sqlite3.Row) -> sqlite3.Row:
    row = db(request).execute(
        "SELECT c.*, u.username FROM comments c JOIN users u ON u.id = c.user_id "
        "WHERE c.id = ? AND c.post_id = ?", (request.path_params["comment_id"], post["id"])
    ).fetchone()
    if row is None:
        raise not_found()
    return row


def link_url(request: Request, url: str | None) -> str | None:
    """A link post's URL as the browser should follow it (store links point at the shop)."""
    if not url or not url.startswith(SHOP_PLACEHOLDER):
        return url
    return (site_url(request, "shopping") or SHOP_FALLBACK) + url[len(SHOP_PLACEHOLDER):]


def _domain(url: str | None) -> str:
    return (urlsplit(url).hostname or "") if url else ""


def _my_votes(request: Request, kind: str, ids: list[int]) -> dict[int, int]:
    who = site.user(request)
    if who is None or not ids:
        return {}
    table, column = ("post_votes", "post_id") if kind == "post" else ("comment_votes",
                                                                      "comment_id")
    marks = ",".join("?" * len(ids))
    return {r[0]: r[1] for r in db(request).execute(
        f"SELECT {column}, value FROM {table} WHERE user_id = ? AND {column} IN ({marks})",
        (who["id"], *ids))}


def _post_views(request: Request, rows: list[sqlite3.Row]) -> list[dict[str, Any]]:
    votes = _my_votes(request, "post", [r["id"] for r in rows])
    views = []
    for r in rows:
        url = link_url(request, r["url"])
        views.append(dict(r, link=url, domain=_domain(url), my_vote=votes.get(r["id"], 0),
                          path=rules.post_path(r["forum_name"], r["id"], r["title"])))
    return views


def _subscribed_ids(request: Request) -> list[int]:
    who = site.user(request)
    if who is None:
        return []
    return [r[0] for r in db(request).execute(
        "SELECT forum_id FROM subscriptions WHERE user_id = ? ORDER BY forum_id", (who["id"],))]


# ---------------------------------------------------------------- listings

def _sort_and_period(request: Request, sort: str) -> tuple[str, str]:
    if sort not in rules.SORTS:
        raise not_found()
    period = request.query_params.get("t", "all")
    return sort, period if period in rules.PERIODS else "all"


def _listing(request: Request, where: str, params: list[Any], sort: str) -> dict[str, Any]:
    conn = db(request)
    total = rules.count_posts(conn, where, params)
    pager = Pagination.from_request(request, total, PAGE_SIZE)
    rows = rules.list_posts(conn, where, params, sort, PAGE_SIZE, pager.offset)
    return {"posts": _post_views(request, rows), "pager": pager}


async def front(request: Request) -> Response:
    """``/`` and ``/<sort>``: the signed-in user's subscribed forums (all forums otherwise)."""
    sort, period = _sort_and_period(request, request.path_params.get("sort", "hot"))
    subscribed = _subscribed_ids(request)
    ids = subscribed or None
    where, params = rules.listing_where(sort=sort, period=period, forum_ids=ids)
    heading = "Your subscriptions" if subscribed else "All forums"
    return site.render(request, "listing.html", title=SITE_NAME, heading=heading, sort=sort,
                       period=period, sort_base="", front=True,
                       **_listing(request, where, params, sort))


async def all_posts(request: Request) -> Response:
    """``/all`` and ``/all/<sort>``: every forum's posts."""
    sort, period = _sort_and_period(request, request.path_params.get("sort", "hot"))
    where, params = rules.listing_where(sort=sort, period=period)
    return site.render(request, "listing.html", title=f"All forums | {SITE_NAME}",
                       heading="All forums", sort=sort, period=period, sort_base="/all",
                       **_listing(request, where, params, sort))


def _forum_context(request: Request, forum: sqlite3.Row) -> dict[str, Any]:
    conn = db(request)
    who = site.user(request)
    subscribers = conn.execute("SELECT count(*) FROM subscriptions WHERE forum_id = ?",
                               (forum["id"],)).fetchone()[0]
    subscribed = who is not None and conn.execute(
        "SELECT 1 FROM subscriptions WHERE forum_id = ? AND user_id = ?",
        (forum["id"], who["id"])).fetchone() is not None
    posts = conn.execute("SELECT count(*) FROM posts WHERE forum_id = ?",
                         (forum["id"],)).fetchone()[0]
    return {"forum": forum, "subscribers": subscribers, "subscribed": subscribed,
            "post_total": posts}


async def forum_page(request: Request) -> Response:
    """``/f/<forum>`` and ``/f/<forum>/<sort>``: a forum's posts and sidebar."""
    forum = _forum(request)
    sort, period = _sort_and_period(request, request.path_params.get("sort", "hot"))
    where, params = rules.listing_where(forum["id"], sort, period)
    return site.render(request, "listing.html", title=f"{forum['name']} | {SITE_NAME}",
                       heading=forum["title"], sort=sort, period=period,
                       sort_base=f"/f/{forum['name']}", **_forum_context(request, forum),
                       **_listing(request, where, params, sort))


FORUM_ORDERS = {"by_name": ("Name", "f.name COLLATE NOCASE"),
                "by_subscribers": ("Subscribers", "subscribers DESC, f.name COLLATE NOCASE"),
                "by_submissions": ("Submissions", "submissions DESC, f.name COLLATE NOCASE")}


async def forums(request: Request) -> Response:
    """``/forums`` (by name), ``/forums/by_subscribers``, ``/forums/by_submissions``."""
    order = request.path_params.get("order", "by_name")
    if order not in FORUM_ORDERS:
        raise not_found()
    rows = db(request).execute(
        "SELECT f.*, (SELECT count(*) FROM subscriptions s WHERE s.forum_id = f.id) AS "
        "subscribers, (SELECT count(*) FROM posts p WHERE p.forum_id = f.id) AS submissions "
        f"FROM forums f ORDER BY {FORUM_ORDERS[order][1]}").fetchall()
    return site.render(request, "forums.html", title=f"Forums | {SITE_NAME}", forums=rows,
                       order=order, orders=FORUM_ORDERS)


@site.login_required
async def subscriptions(request: Request) -> Response:
    """``/subscriptions``: the forums the signed-in user subscribes to."""
    rows = db(request).execute(
        "SELECT f.*, (SELECT count(*) FROM subscriptions x WHERE x.forum_id = f.id) AS "
        "subscribers, (SELECT count(*) FROM posts p WHERE p.forum_id = f.id) AS submissions "
        "FROM subscriptions s JOIN forums f ON f.id = s.forum_id WHERE s.user_id = ? "
        "ORDER BY f.name COLLATE NOCASE", (site.user(request)["id"],)).fetchall()
    return site.render(request, "forums.html", title=f"Subscriptions | {SITE_NAME}", forums=rows,
                       order=None, orders=FORUM_ORDERS, mine=True)


async def search(request: Request) -> Response:
    """``/search?q=``: posts whose title or body holds every word of the query."""
    conn = db(request)
    query = request.query_params.get("q", "").strip()
    where, params = rules.search_clause(query)
    total = rules.count_posts(conn, where, params)
    pager = Pagination.from_request(request, total, PAGE_SIZE)
    rows = rules.search_posts(conn, query, PAGE_SIZE, pager.offset)
    return site.render(request, "search.html", title=f"Search: {query} | {SITE_NAME}", query=query,
                       posts=_post_views(request, rows), pager=pager)


# ---------------------------------------------------------------- posts and comments

def _comment_tree(request: Request, post_id: int, root: int | None = None) -> list[dict]:
    """The post's comments as nested dicts (``replies``), best first; from ``root`` when given."""
    rows = db(request).execute(
        "SELECT c.*, u.username, (c.upvotes - c.downvotes) AS score FROM comments c "
        "JOIN users u ON u.id = c.user_id WHERE c.post_id = ? "
        "ORDER BY score DESC, c.created_at, c.id", (post_id,)).fetchall()
    votes = _my_votes(request, "comment", [r["id"] for r in rows])
    nodes = {r["id"]: dict(r, replies=[], my_vote=votes.get(r["id"], 0)) for r in rows}
    top = []
    for r in rows:
        node = nodes[r["id"]]
        if root is not None and r["id"] == root:
            top.append(node)
        elif r["parent_id"] is not None and r["parent_id"] in nodes:
            nodes[r["parent_id"]]["replies"].append(node)
        elif root is None:
            top.append(node)
    return top


async def post_page(request: Request) -> Response:
    """``/f/<forum>/<id>[/<slug>]``: a post, the comment form and the comment threads."""
    forum, row = _post(request)
    post = _post_views(request, [row])[0]
    return site.render(request, "post.html", title=f"{post['title']} | {SITE_NAME}", post=post,
                       comments=_comment_tree(request, post["id"]), permalink=None,
                       **_forum_context(request, forum))


async def comment_page(request: Request) -> Response:
    """``/f/<forum>/<id>/-/comment/<cid>``: one comment's thread and the form to reply to it."""
    forum, row = _post(request)
    comment = _comment(request, row)
    post = _post_views(request, [row])[0]
    return site.render(request, "post.html", title=f"Comment on {post['title']} | {SITE_NAME}",
                       post=post, comments=_comment_tree(request, post["id"], comment["id"]),
                       permalink=comment, **_forum_context(request, forum))


def _clean_text(value: str, limit: int) -> str:
    return value.replace("\r\n", "\n").strip()[:limit]


@site.writes
@site.login_required
async def comment_post(request: Request) -> Response:
    """Post a comment on a post, or a reply to a comment (``/comment[/<cid>]``)."""
    forum, post = _post(request)
    conn, who = db(request), site.user(request)
    parent = _comment(request, post) if "comment_id" in request.path_params else None
    data = await read_form(request)
    body = _clean_text(data.get("comment[body]", ""), MAX_TEXT)
    page = rules.post_path(forum["name"], post["id"], post["title"])
    if parent is not None:
        page = f"/f/{forum['name']}/{post['id']}/-/comment/{parent['id']}"
    if not body:
        return site.redirect(page, "The comment must not be empty.", "error")
    if parent is not None and parent["deleted"]:
        return site.redirect(page, "You cannot reply to a deleted comment.", "error")
    cur = conn.execute(
        "INSERT INTO comments (post_id, parent_id, user_id, body, created_at) "
        "VALUES (?, ?, ?, ?, ?)",
        (post["id"], parent["id"] if parent else None, who["id"], body, rules.forum_now(conn)))
    conn.commit()
    target = rules.post_path(forum["name"], post["id"], post["title"]) + f"#comment-{cur.lastrowid}"
    return site.redirect(target, "Your comment was posted.", "success")


def _own(request: Request, row: sqlite3.Row) -> bool:
    who = site.user(request)
    return who is not None and row["user_id"] == who["id"]


async def comment_edit(request: Request) -> Response:
    """``.../-/comment/<cid>/edit``: edit one's own comment."""
    forum, post = _post(request)
    comment = _comment(request, post)
    if site.user(request) is None:
        return site.redirect(SIGN_IN.url)
    if not _own(request, comment) or comment["deleted"]:
        return site.redirect(rules.post_path(forum["name"], post["id"], post["title"]),
                             "You can only edit your own comments.", "error")
    return site.render(request, "comment_edit.html", title=f"Edit comment | {SITE_NAME}",
                       forum=forum, post=post, comment=comment)


@site.writes
@site.login_required
async def comment_edit_post(request: Request) -> Response:
    """Save an edited comment."""
    forum, post = _post(request)
    comment = _comment(request, post)
    page = rules.post_path(forum["name"], post["id"], post["title"])
    if not _own(request, comment) or comment["deleted"]:
        return site.redirect(page, "You can only edit your own comments.", "error")
    body = _clean_text((await read_form(request)).get("comment[body]", ""), MAX_TEXT)
    if not body:
        return site.redirect(f"/f/{forum['name']}/{post['id']}/-/comment/{comment['id']}/edit",
                             "The comment must not be empty.", "error")
    conn = db(request)
    conn.execute("UPDATE comments SET body = ?, edited_at = ? WHERE id = ?",
                 (body, rules.forum_now(conn), comment["id"]))
    conn.commit()
    return site.redirect(f"{page}#comment-{comment['id']}", "The comment was edited.", "success")


@site.writes
@site.login_required
async def comment_delete(request: Request) -> Response:
    """Delete one's own comment: gone, or ``[deleted]`` when replies hang below it."""
    forum, post = _post(request)
    comment = _comment(request, post)
    page = rules.post_path(forum["name"], post["id"], post["title"])
    if not _own(request, comment):
        return site.redirect(page, "You can only delete your own comments.", "error")
    conn = db(request)
    if conn.execute("SELECT 1 FROM comments WHERE parent_id = ?", (comment["id"],)).fetchone():
        conn.execute("UPDATE comments SET body = '[deleted]', deleted = 1 WHERE id = ?",
                     (comment["id"],))
    else:
        conn.execute("DELETE FROM comment_votes WHERE comment_id = ?", (comment["id"],))
        conn.execute("DELETE FROM comments WHERE id = ?", (comment["id"],))
    conn.commit()
    return site.redirect(page, "The comment was deleted.", "success")


def _submit_form(request: Request, **context: Any) -> Response:
    conn = db(request)
    names = [r[0] for r in conn.execute("SELECT name FROM forums ORDER BY name COLLATE NOCASE")]
    return site.render(request, "submit.html", forum_names=names, **context)


@site.login_required
async def submit(request: Request) -> Response:
    """``/submit`` and ``/submit/<forum>``: the form for a new post."""
    chosen = request.path_params.get("forum", "")
    if chosen:
        chosen = _forum(request)["name"]
    return _submit_form(request, title=f"Create submission | {SITE_NAME}", chosen=chosen,
                        post=None, action="/submit")


def _post_fields(data: dict[str, str]) -> tuple[str, str | None, str, str | None]:
    """(title, url, body, error) from a submit or edit form."""
    title = " ".join(data.get("title", "").split())[:MAX_TITLE]
    url = data.get("url", "").strip() or None
    body = _clean_text(data.get("body", ""), MAX_TEXT)
    if not title:
        return title, url, body, "The title must not be empty."
    if url is not None and not url.startswith(("http://", "https://")):
        return title, url, body, "The URL must start with http:// or https://."
    if url is None and not body:
        return title, url, body, "A text post needs a body (or give a URL)."
    return title, url, body, None


@site.writes
@site.login_required
async def submit_post(request: Request) -> Response:
    """Create a post in the chosen forum, then show it."""
    conn, who = db(request), site.user(request)
    data = await read_form(request)
    forum = conn.execute("SELECT * FROM forums WHERE name = ?",
                         (data.get("forum", ""),)).fetchone()
    title, url, body, error = _post_fields(data)
    if forum is None:
        error = "Please choose a forum."
    if error:
        target = "/submit" + (f"/{forum['name']}" if forum is not None else "")
        return site.redirect(target, error, "error")
    now = rules.forum_now(conn)
    cur = conn.execute(
        "INSERT INTO posts (forum_id, user_id, title, url, body, created_at, hot) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (forum["id"], who["id"], title, url, body, now, rules.hot_rank(0, now)))
    conn.commit()
    return site.redirect(rules.post_path(forum["name"], cur.lastrowid, title),
                         "Your submission was posted.", "success")


async def post_edit(request: Request) -> Response:
    """``/f/<forum>/<id>/-/edit``: edit one's own post."""
    forum, post = _post(request)
    if site.user(request) is None:
        return site.redirect(SIGN_IN.url)
    if not _own(request, post):
        return site.redirect(rules.post_path(forum["name"], post["id"], post["title"]),
                             "You can only edit your own submissions.", "error")
    return _submit_form(request, title=f"Edit submission | {SITE_NAME}", chosen=forum["name"],
                        post=dict(post, link=link_url(request, post["url"])),
                        action=f"/f/{forum['name']}/{post['id']}/-/edit")


@site.writes
@site.login_required
async def post_edit_post(request: Request) -> Response:
    """Save an edited post (title, URL, body; the forum stays)."""
    forum, post = _post(request)
    page = rules.post_path(forum["name"], post["id"], post["title"])
    if not _own(request, post):
        return site.redirect(page, "You can only edit your own submissions.", "error")
    title, url, body, error = _post_fields(await read_form(request))
    if url is not None and url == link_url(request, post["url"]):
        url = post["url"]  # a store link, shown with the shop's address, stays as stored
    if error:
        return site.redirect(f"/f/{forum['name']}/{post['id']}/-/edit", error, "error")
    conn = db(request)
    conn.execute("UPDATE posts SET title = ?, url = ?, body = ?, edited_at = ? WHERE id = ?",
                 (title, url, body, rules.forum_now(conn), post["id"]))
    conn.commit()
    return site.redirect(rules.post_path(forum["name"], post["id"], title),
                         "The submission was edited.", "success")


@site.writes
@site.login_required
async def post_delete(request: Request) -> Response:
    """Delete one's own post with its comments and votes."""
    forum, post = _post(request)
    if not _own(request, post):
        return site.redirect(rules.post_path(forum["name"], post["id"], post["title"]),
                             "You can only delete your own submissions.", "error")
    conn = db(request)
    conn.execute("DELETE FROM comment_votes WHERE comment_id IN "
                 "(SELECT id FROM comments WHERE post_id = ?)", (post["id"],))
    conn.execute("DELETE FROM comments WHERE post_id = ?", (post["id"],))
    conn.execute("DELETE FROM post_votes WHERE post_id = ?", (post["id"],))
    conn.execute("DELETE FROM posts WHERE id = ?", (post["id"],))
    conn.commit()
    return site.redirect(f"/f/{forum['name']}", "The submission was deleted.", "success")


async def _vote(request: Request, kind: str) -> Response:
    conn, who = db(request), site.user(request)
    item_id = request.path_params["id"]
    table = "posts" if kind == "post" else "comments"
    row = conn.execute(f"SELECT user_id FROM {table} WHERE id = ?", (item_id,)).fetchone()
    if row is None:
        raise not_found()
    choice = (await read_form(request)).get("choice", "")
    if choice not in ("1", "-1"):
        return site.redirect(referer_path(request), "Choose an upvote or a downvote.", "error")
    current = conn.execute(
        f"SELECT value FROM {'post_votes' if kind == 'post' else 'comment_votes'} "
        f"WHERE user_id = ? AND {kind}_id = ?", (who["id"], item_id)).fetchone()
    value = int(choice)
    if current is not None and current[0] == value:
        value = 0  # clicking an active arrow again retracts the vote
    rules.cast_vote(conn, kind, who["id"], item_id, value)
    conn.commit()
    fragment = f"#{kind}-{item_id}" if kind == "comment" else ""
    return site.redirect(referer_path(request).split("#")[0] + fragment)


@site.writes
@site.login_required
async def vote_post(request: Request) -> Response:
    """``POST /sv/<id>``: vote on a post (``choice`` 1 or -1; the same again retracts)."""
    return await _vote(request, "post")


@site.writes
@site.login_required
async def vote_comment(request: Request) -> Response:
    """``POST /cv/<id>``: vote on a comment."""
    return await _vote(request, "comment")


@site.writes
@site.login_required
async def subscribe(request: Request) -> Response:
    """``POST /f/<forum>/subscribe`` and ``/unsubscribe``."""
    forum = _forum(request)
    conn, who = db(request), site.user(request)
    if request.url.path.endswith("/unsubscribe"):
        conn.execute("DELETE FROM subscriptions WHERE user_id = ? AND forum_id = ?",
                     (who["id"], forum["id"]))
        text = f"You are no longer subscribed to {forum['name']}."
    else:
        conn.execute("INSERT OR IGNORE INTO subscriptions VALUES (?, ?, ?)",
                     (who["id"], forum["id"], rules.forum_now(conn)))
        text = f"You are now subscribed to {forum['name']}."
    conn.commit()
    return site.redirect(referer_path(request, f"/f/{forum['name']}"), text, "success")


# ---------------------------------------------------------------- users

def _profile_user(request: Request) -> sqlite3.Row:
    row = db(request).execute("SELECT * FROM users WHERE username = ?",
                              (request.path_params["username"],)).fetchone()
    if row is None:
        raise not_found()
    return row


def _user_comments(request: Request, user_id: int, limit: int, offset: int) -> list[dict]:
    rows = db(request).execute(
        "SELECT c.*, (c.upvotes - c.downvotes) AS score, p.title AS post_title, "
        "f.name AS forum_name FROM comments c JOIN posts p ON p.id = c.post_id "
        "JOIN forums f ON f.id = p.forum_id WHERE c.user_id = ? AND c.deleted = 0 "
        "ORDER BY c.created_at DESC, c.id DESC LIMIT ? OFFSET ?",
        (user_id, limit, offset)).fetchall()
    votes = _my_votes(request, "comment", [r["id"] for r in rows])
    return [dict(r, my_vote=votes.get(r["id"], 0),
                 post_url=rules.post_path(r["forum_name"], r["post_id"], r["post_title"]))
            for r in rows]


async def user_page(request: Request) -> Response:
    """``/user/<name>`` (overview), ``/submissions`` and ``/comments``: a profile's tabs."""
    person = _profile_user(request)
    conn = db(request)
    tab = request.path_params.get("tab", "overview")
    if tab not in ("overview", "submissions", "comments"):
        raise not_found()
    n_posts = conn.execute("SELECT count(*) FROM posts WHERE user_id = ?",
                           (person["id"],)).fetchone()[0]
    n_comments = conn.execute("SELECT count(*) FROM comments WHERE user_id = ? AND deleted = 0",
                              (person["id"],)).fetchone()[0]
    context: dict[str, Any] = {"person": person, "tab": tab, "posts": [], "comments": []}
    if tab == "submissions":
        pager = Pagination.from_request(request, n_posts, PROFILE_PAGE)
        rows = rules.list_posts(conn, "p.user_id = ?", [person["id"]], "new", PROFILE_PAGE,
                                pager.offset)
        context.update(posts=_post_views(request, rows), pager=pager)
    elif tab == "comments":
        pager = Pagination.from_request(request, n_comments, PROFILE_PAGE)
        context.update(comments=_user_comments(request, person["id"], PROFILE_PAGE,
                                               pager.offset), pager=pager)
    else:  # the five newest of each
        rows = rules.list_posts(conn, "p.user_id = ?", [person["id"]], "new", 5)
        context.update(posts=_post_views(request, rows),
                       comments=_user_comments(request, person["id"], 5, 0))
    own = site.user(request) is not None and site.user(request)["id"] == person["id"]
    return site.render(request, "user.html", title=f"{person['username']} | {SITE_NAME}",
                       own=own, **context)


async def bio_edit(request: Request) -> Response:
    """``/user/<name>/edit_biography``: one's own biography."""
    person = _profile_user(request)
    who = site.user(request)
    if who is None:
        return site.redirect(SIGN_IN.url)
    if who["id"] != person["id"]:
        return site.redirect(f"/user/{person['username']}", "You can only edit your own biography.",
                             "error")
    return site.render(request, "bio_edit.html", title=f"Edit biography | {SITE_NAME}",
                       person=person)


@site.writes
@site.login_required
async def bio_edit_post(request: Request) -> Response:
    """Save the biography."""
    person = _profile_user(request)
    who = site.user(request)
    if who["id"] != person["id"]:
        return site.redirect(f"/user/{person['username']}", "You can only edit your own biography.",
                             "error")
    bio = _clean_text((await read_form(request)).get("biography", ""), 1000)
    db(request).execute("UPDATE users SET bio = ? WHERE id = ?", (bio, who["id"]))
    db(request).commit()
    return site.redirect(f"/user/{person['username']}", "Your biography was saved.", "success")


# ---------------------------------------------------------------- sign in

async def login(request: Request) -> Response:
    """``/login``: fields ``_username`` and ``_password``."""
    if site.user(request) is not None:
        return site.redirect("/")
    return site.render(request, "login.html", title=f"Log in | {SITE_NAME}",
                       target=request.query_params.get("_target_path", ""))


async def login_check(request: Request) -> Response:
    """Check the username and password; sign in, or back to the form with an error."""
    data = await read_form(request)
    row = db(request).execute("SELECT * FROM users WHERE username = ?",
                              (data.get("_username", "").strip(),)).fetchone()
    target = local_path(data.get("_target_path", ""))
    if row is None or row["password"] != data.get("_password", ""):
        return site.redirect(SIGN_IN.url_to(target), "Invalid credentials.", "error")
    return site.sign_in(site.redirect(target or "/"), row["id"])


async def logout(request: Request) -> Response:
    """Sign out and go to the front page."""
    return site.sign_out(site.redirect("/", "You have been logged out.", "notice"))


async def registration(request: Request) -> Response:
    """``/registration``: the sign-up form."""
    if site.user(request) is not None:
        return site.redirect("/")
    return site.render(request, "registration.html", title=f"Sign up | {SITE_NAME}")


@site.writes
async def registration_post(request: Request) -> Response:
    """Create an account and sign in."""
    conn = db(request)
    data = await read_form(request)
    name = data.get("username", "").strip()
    password = data.get("password", "")
    fail = functools.partial(site.redirect, "/registration", kind="error")
    if not (3 <= len(name) <= 25) or not all(c.isalnum() or c in "_-" for c in name):
        return fail("The username must be 3 to 25 letters, digits, - or _.")
    if len(password) < 8:
        return fail("The password must have at least 8 characters.")
    if password != data.get("password_repeat", ""):
        return fail("The passwords do not match.")
    if conn.execute("SELECT 1 FROM users WHERE username = ?", (name,)).fetchone():
        return fail("That username is taken.")
    cur = conn.execute("INSERT INTO users (username, password, bio, created_at) "
                       "VALUES (?, ?, '', ?)", (name, password, rules.forum_now(conn)))
    conn.commit()
    response = site.redirect("/", f"Welcome to {SITE_NAME}, {name}!", "success")
    return site.sign_in(response, cur.lastrowid)


def create_app() -> Starlette:
    """The forum's Starlette app (needs the host's ``request.state.db``)."""
    post = "/f/{forum}/{post_id:int}"
    comment = post + "/-/comment/{comment_id:int}"
    routes = [
        Route("/", front),
        Route("/static/styles.css", static_file(HERE / "styles.css")),
        Route("/all", all_posts),
        Route("/all/{sort}", all_posts),
        Route("/forums", forums),
        Route("/forums/{order}", forums),
        Route("/subscriptions", subscriptions),
        Route("/search", search),
        Route("/submit", submit),
        Route("/submit", submit_post, methods=["POST"]),
        Route("/submit/{forum}", submit),
        Route("/sv/{id:int}", vote_post, methods=["POST"]),
        Route("/cv/{id:int}", vote_comment, methods=["POST"]),
        Route("/login", login),
        Route("/login_check", login_check, methods=["POST"]),
        Route("/logout", logout),
        Route("/registration", registration),
        Route("/registration", registration_post, methods=["POST"]),
        Route("/user/{username}", user_page),
        Route("/user/{username}/edit_biography", bio_edit),
        Route("/user/{username}/edit_biography", bio_edit_post, methods=["POST"]),
        Route("/user/{username}/{tab}", user_page),
        Route("/f/{forum}", forum_page),
        Route("/f/{forum}/subscribe", subscribe, methods=["POST"]),
        Route("/f/{forum}/unsubscribe", subscribe, methods=["POST"]),
        Route(post, post_page),
        Route(post + "/-/edit", post_edit),
        Route(post + "/-/edit", post_edit_post, methods=["POST"]),
        Route(post + "/-/delete", post_delete, methods=["POST"]),
        Route(post + "/comment", comment_post, methods=["POST"]),
        Route(comment, comment_page),
        Route(comment + "/reply", comment_post, methods=["POST"]),
        Route(comment + "/edit", comment_edit),
        Route(comment + "/edit", comment_edit_post, methods=["POST"]),
        Route(comment + "/delete", comment_delete, methods=["POST"]),
        Route(post + "/{slug}", post_page),
        Route("/f/{forum}/{sort}", forum_page),
        Route("/{sort}", front),
    ]
    return site.app(routes)
