"""Forum rules shared by the generator, the site and the task samplers.

One implementation each of what a listing shows (sorting by hot/new/top/most commented, the
top time filter, search), how a vote changes the cached scores, and what "now" is, so that the
pages and the samplers' SQL always agree.
"""

from __future__ import annotations

import math
import re
import sqlite3
from datetime import datetime, timedelta
from typing import Any

DATE_FORMAT = "%Y-%m-%d %H:%M:%S"
#: the forum's "now": the seeded data ends before it; new posts and comments come after it
FORUM_NOW = "2023-06-01 09:00:00"
PAGE_SIZE = 25  # posts per listing page
SORTS = ("hot", "new", "top", "most_commented")
SORT_LABELS = {"hot": "Hot", "new": "New", "top": "Top", "most_commented": "Most commented"}
#: the top listing's time filter (``?t=``): days back from FORUM_NOW (None: all time)
PERIODS: dict[str, int | None] = {"day": 1, "week": 7, "month": 30, "year": 365, "all": None}
PERIOD_LABELS = {"day": "Past day", "week": "Past week", "month": "Past month",
                 "year": "Past year", "all": "All time"}
_HOT_EPOCH = datetime(2005, 12, 8, 7, 46, 43)

#: SQL: the number of live comments of the post ``p``
COMMENT_COUNT_SQL = ("(SELECT count(*) FROM comments c WHERE c.post_id = p.id "
                     "AND c.deleted = 0)")


def hot_rank(score: int, created_at: str) -> float:
    """Reddit's hot ranking: the order of magnitude of the score plus time (12.5 h per x10)."""
    order = math.log10(max(abs(score), 1))
    sign = (score > 0) - (score < 0)
    seconds = (datetime.strptime(created_at, DATE_FORMAT) - _HOT_EPOCH).total_seconds()
    return round(sign * order + seconds / 45000, 7)


def slugify(title: str, limit: int = 60) -> str:
    """The URL slug of a post title (``"Is Dune worth it?"`` -> ``"is-dune-worth-it"``)."""
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower().replace("'", "")).strip("-")
    if len(slug) > limit:
        slug = slug[:limit].rsplit("-", 1)[0]
    return slug or "post"


def post_path(forum: str, post_id: int, title: str) -> str:
    """``/f/<forum>/<id>/<slug>``: a post's page."""
    return f"/f/{forum}/{post_id}/{slugify(title)}"


def forum_now(conn: sqlite3.Connection) -> str:
    """The timestamp of a new post or comment: after everything already stored."""
    latest = conn.execute(
        "SELECT max(t) FROM (SELECT max(created_at) AS t FROM posts "
        "UNION ALL SELECT max(created_at) FROM comments)").fetchone()[0]
    if not latest or latest < FORUM_NOW:
        return FORUM_NOW
    return (datetime.strptime(latest, DATE_FORMAT) + timedelta(minutes=3)).strftime(DATE_FORMAT)


def period_start(period: str) -> str | None:
    """The earliest ``created_at`` the top filter ``period`` keeps (None: all time)."""
    days = PERIODS.get(period)
    if days is None:
        return None
    start = datetime.strptime(FORUM_NOW, DATE_FORMAT) - timedelta(days=days)
    return start.strftime(DATE_FORMAT)


def order_clause(sort: str) -> str:
    """The ``ORDER BY`` of a listing over ``posts p`` (ties: newest first, then id)."""
    if sort == "new":
        return "p.created_at DESC, p.id DESC"
    if sort == "top":
        return "(p.upvotes - p.downvotes) DESC, p.created_at DESC, p.id DESC"
    if sort == "most_commented":
        return f"{COMMENT_COUNT_SQL} DESC, p.created_at DESC, p.id DESC"
    if sort == "hot":
        return "p.hot DESC, p.id DESC"
    raise ValueError(f"unknown sort {sort!r}; expected one of {', '.join(SORTS)}")


def search_tokens(query: str) -> list[str]:
    """The lower-cased words of a search query."""
    return [t for t in re.split(r"\s+", query.lower().strip()) if t]


def _like(token: str) -> str:
    return "%" + token.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def search_clause(query: str) -> tuple[str, list[str]]:
    """SQL ``WHERE`` text and parameters: every word of ``query`` in a post's title or body
    (case-insensitive). An empty query matches nothing."""
    tokens = search_tokens(query)
    if not tokens:
        return "0", []
    parts, params = [], []
    for t in tokens:
        parts.append("(lower(p.title) LIKE ? ESCAPE '\\' OR lower(p.body) LIKE ? ESCAPE '\\')")
        params += [_like(t), _like(t)]
    return " AND ".join(parts), params


def search_order(query: str) -> tuple[str, list[str]]:
    """``ORDER BY`` text and parameters for search results: posts whose title holds the whole
    query first, then by how many query words the title holds, then newest first."""
    tokens = search_tokens(query)
    if not tokens:
        return "p.created_at DESC, p.id DESC", []
    words = " + ".join("(lower(p.title) LIKE ? ESCAPE '\\')" for _ in tokens)
    return (f"(instr(lower(p.title), ?) > 0) DESC, ({words}) DESC, p.created_at DESC, p.id DESC",
            [query.lower().strip(), *(_like(t) for t in tokens)])


LISTING_COLUMNS = (
    "p.*, f.name AS forum_name, u.username AS username, "
    f"(p.upvotes - p.downvotes) AS score, {COMMENT_COUNT_SQL} AS comment_count"
)
LISTING_FROM = "posts p JOIN forums f ON f.id = p.forum_id JOIN users u ON u.id = p.user_id"


def listing_where(forum_id: int | None = None, sort: str = "hot", period: str = "all",
                  forum_ids: list[int] | None = None) -> tuple[str, list[Any]]:
    """The ``WHERE`` of a listing: one forum, a set of forums (a front page), or all; the top
    sort's time filter."""
    parts, params = ["1"], []
    if forum_id is not None:
        parts.append("p.forum_id = ?")
        params.append(forum_id)
    if forum_ids is not None:
        parts.append(f"p.forum_id IN ({','.join('?' * len(forum_ids))})" if forum_ids else "0")
        params += forum_ids
    start = period_start(period) if sort == "top" else None
    if start is not None:
        parts.append("p.created_at >= ?")
        params.append(start)
    return " AND ".join(parts), params


def list_posts(conn: sqlite3.Connection, where: str, params: list[Any], sort: str,
               limit: int | None = None, offset: int = 0) -> list[sqlite3.Row]:
    """Posts of a listing (``where`` over ``posts p``) in the site's order, with ``forum_name``,
    ``username``, ``score`` and ``comment_count``."""
    sql = (f"SELECT {LISTING_COLUMNS} FROM {LISTING_FROM} WHERE {where} "
           f"ORDER BY {order_clause(sort)}")
    args = list(params)
    if limit is not None:
        sql += " LIMIT ? OFFSET ?"
        args += [limit, offset]
    return conn.execute(sql, args).fetchall()


def count_posts(conn: sqlite3.Connection, where: str, params: list[Any]) -> int:
    """How many posts a listing has."""
    return conn.execute(f"SELECT count(*) FROM posts p WHERE {where}", params).fetchone()[0]


def search_posts(conn: sqlite3.Connection, query: str, limit: int | None = None,
                 offset: int = 0) -> list[sqlite3.Row]:
    """The search page's results for ``query``, in its order."""
    where, params = search_clause(query)
    order, order_params = search_order(query)
    sql = (f"SELECT {LISTING_COLUMNS} FROM {LISTING_FROM} WHERE {where} ORDER BY {order}")
    args: list[Any] = [*params, *order_params]
    if limit is not None:
        sql += " LIMIT ? OFFSET ?"
        args += [limit, offset]
    return conn.execute(sql, args).fetchall()


# -- votes ------------------------------------------------------------------------------------

_VOTABLE = {"post": ("posts", "post_votes", "post_id"),
            "comment": ("comments", "comment_votes", "comment_id")}


def cast_vote(conn: sqlite3.Connection, kind: str, user_id: int, item_id: int,
              value: int) -> int:
    """Set ``user_id``'s vote on a post or comment to ``value`` (1, -1, or 0 to retract),
    keeping the cached ``upvotes``/``downvotes`` (and a post's ``hot``) in step.

    Returns the vote now recorded (0 when none). Does not commit.
    """
    if kind not in _VOTABLE:
        raise ValueError(f"unknown vote target {kind!r}; expected post or comment")
    if value not in (-1, 0, 1):
        raise ValueError(f"a vote is 1, -1 or 0, not {value!r}")
    table, votes, column = _VOTABLE[kind]
    row = conn.execute(f"SELECT value FROM {votes} WHERE user_id = ? AND {column} = ?",
                       (user_id, item_id)).fetchone()
    old = row[0] if row else 0
    if old == value:
        return value
    if value == 0:
        conn.execute(f"DELETE FROM {votes} WHERE user_id = ? AND {column} = ?",
                     (user_id, item_id))
    else:
        conn.execute(f"INSERT OR REPLACE INTO {votes} (user_id, {column}, value) VALUES (?, ?, ?)",
                     (user_id, item_id, value))
    up = (value == 1) - (old == 1)
    down = (value == -1) - (old == -1)
    conn.execute(f"UPDATE {table} SET upvotes = upvotes + ?, downvotes = downvotes + ? "
                 "WHERE id = ?", (up, down, item_id))
    if kind == "post":
        refresh_hot(conn, item_id)
    return value


def refresh_hot(conn: sqlite3.Connection, post_id: int) -> None:
    """Recompute a post's cached hot rank from its score and date."""
    row = conn.execute("SELECT upvotes - downvotes, created_at FROM posts WHERE id = ?",
                       (post_id,)).fetchone()
    if row is not None:
        conn.execute("UPDATE posts SET hot = ? WHERE id = ?", (hot_rank(row[0], row[1]),
                                                               post_id))
