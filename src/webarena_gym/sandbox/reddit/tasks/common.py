"""What the forum's templates share: page readers (listings, comments, profiles, the forum
list), the samplers' listings and picks, the oracles' building blocks (open a forum, a post, my
profile; sort; page on) and their base class.
"""

from __future__ import annotations

import json
import re
import sqlite3
from typing import Any

from lxml import html as lxml_html

from webarena_gym.sandbox.reddit.generate import DEFAULT_USERNAME, default_user_id
from webarena_gym.sandbox.reddit.rules import (
    PAGE_SIZE,
    SORT_LABELS,
    list_posts,
    listing_where,
    search_posts,
)
from webarena_gym.sandbox.templates.base import (
    RUNNERS_UP,
    ScriptedTemplate,
    Steps,
    act,
    click,
    search,
)
from webarena_gym.sandbox.templates.page import OracleError, Page, normalize_space

SITE = "reddit"
FORUM = "__REDDIT__"
ME = DEFAULT_USERNAME
PROFILE_PAGE = 25
_POINTS = re.compile(r"(-?\d+) points?\b")
_COUNT = re.compile(r"^(\d+) comments?$")


def _js(text: str) -> str:
    """A JavaScript string literal."""
    return json.dumps(text)


# -- reading pages ----------------------------------------------------------------------------


def _vote_buttons(element: lxml_html.HtmlElement) -> dict[str, Any]:
    """The up and down vote buttons (numbers) and the current vote (1, -1, 0) in ``element``.

    The arrows are told apart by their titles: ``Upvote`` / ``Retract upvote`` and the same for
    downvotes (the retract titles mark the vote already cast)."""
    found: dict[str, Any] = {"up": None, "down": None, "my_vote": 0}
    for b in element.iter("button"):
        title = (b.get("title") or "").lower()
        if b.get("id") is None or not title.endswith("vote"):
            continue
        direction = "up" if title.endswith("upvote") else "down"
        if found[direction] is None:
            found[direction] = str(b.get("id"))
            if title.startswith("retract"):
                found["my_vote"] = 1 if direction == "up" else -1
    return found


def _score_span(element: lxml_html.HtmlElement) -> int | None:
    for span in element.iter("span"):
        if (span.get("title") or "").startswith("+"):
            return int(normalize_space(span.text_content()))
    return None


def post_rows(page: Page) -> list[dict[str, Any]]:
    """The posts of a listing (or the post of a post page): title, link number, score, author,
    forum, comment count, vote buttons, and the comments link."""
    rows = []
    for art in page.root.iter("article"):
        heading = next(iter(art.iter("h1", "h2")), None)
        if heading is None:
            continue
        link = next((a for a in heading.iter("a") if a.get("id") is not None), None)
        byline = next((p for p in art.iter("p") if "Submitted by" in p.text_content()), None)
        if link is None or byline is None:
            continue
        links = [a for a in byline.iter("a") if a.get("id") is not None]
        comments = next((a for a in art.iter("a") if a.get("id") is not None and
                         _COUNT.match(normalize_space(a.text_content()))), None)
        count = _COUNT.match(normalize_space(comments.text_content())) if comments is not None \
            else None
        rows.append({
            "title": normalize_space(link.text_content()), "link": str(link.get("id")),
            "score": _score_span(art), "author": normalize_space(links[0].text_content()),
            "author_link": str(links[0].get("id")),
            "forum": normalize_space(links[-1].text_content()).removeprefix("f/"),
            "comments": int(count.group(1)) if count else 0,
            "comments_link": str(comments.get("id")) if comments is not None else None,
            "element": art, **_vote_buttons(art),
        })
    return rows


def post_row(page: Page, title: str) -> dict[str, Any]:
    """The listing row of the post titled exactly ``title``."""
    for row in post_rows(page):
        if row["title"] == title:
            return row
    raise OracleError(f"no post {title!r} listed on {page.url}")


def comment_items(page: Page) -> list[dict[str, Any]]:
    """The comments of a post page or a comment's thread: author, score, body, action numbers."""
    items = []
    for art in page.root.iter("article"):
        if next(iter(art.iter("h1", "h2")), None) is not None:
            continue
        parts = [c for c in art if isinstance(c.tag, str)]
        if len(parts) < 2 or parts[0].tag != "p":
            continue
        meta = normalize_space(parts[0].text_content())
        author_link = next((a for a in parts[0].iter("a") if a.get("id") is not None), None)
        points = _POINTS.search(meta)
        actions = {normalize_space(a.text_content()): str(a.get("id"))
                   for a in art.iter("a", "button") if a.get("id") is not None}
        items.append({
            "author": normalize_space(author_link.text_content()) if author_link is not None
            else "[deleted]",
            "score": int(points.group(1)) if points else None,
            "body": normalize_space(parts[1].text_content()),
            "reply": actions.get("Reply"), "edit": actions.get("Edit"),
            "delete": actions.get("Delete"), "element": art, **_vote_buttons(art),
        })
    return items


def comment_item(page: Page, author: str, body: str) -> dict[str, Any]:
    """The comment by ``author`` whose text is ``body``."""
    for item in comment_items(page):
        if item["author"] == author and item["body"] == normalize_space(body):
            return item
    raise OracleError(f"no comment by {author} saying {body[:60]!r} on {page.url}")


def profile_comments(page: Page) -> list[dict[str, Any]]:
    """The comments of a profile's tab: post title, body, score, permalink number."""
    items = []
    for art in page.root.iter("article"):
        parts = [c for c in art if isinstance(c.tag, str)]
        if len(parts) < 3 or "commented on" not in parts[0].text_content():
            continue
        links = [a for a in parts[0].iter("a") if a.get("id") is not None]
        footer = normalize_space(parts[2].text_content())
        points = _POINTS.search(footer)
        permalink = next((a for a in parts[2].iter("a") if a.get("id") is not None), None)
        items.append({
            "post": normalize_space(links[1].text_content()) if len(links) > 1 else "",
            "body": normalize_space(parts[1].text_content()),
            "score": int(points.group(1)) if points else None,
            "permalink": str(permalink.get("id")) if permalink is not None else None,
        })
    return items


def forum_table(page: Page) -> dict[str, dict[str, Any]]:
    """The forum list: name -> subscribers, submissions and the link number."""
    found = {}
    for tr in page.root.iter("tr"):
        cells = [c for c in tr if c.tag == "td"]
        if len(cells) != 4:
            continue
        link = next((a for a in cells[0].iter("a") if a.get("id") is not None), None)
        name = normalize_space(cells[0].text_content())
        found[name] = {"subscribers": int(normalize_space(cells[2].text_content())),
                       "submissions": int(normalize_space(cells[3].text_content())),
                       "link": str(link.get("id")) if link is not None else None}
    return found


def biography(page: Page) -> str:
    """The biography shown in a profile's sidebar (``''`` when the user has none)."""
    for section in page.root.iter("section"):
        heading = next(iter(section.iter("h2")), None)
        registered = next((p for p in section.iter("p") if "Registered" in p.text_content()), None)
        if heading is None or registered is None:
            continue
        bio = registered.getprevious()
        text = normalize_space(bio.text_content()) if bio is not None and bio is not heading else ""
        return "" if text == "No biography yet." else text
    raise OracleError(f"no profile sidebar on {page.url}")


# -- sampling helpers -------------------------------------------------------------------------


def _me(db: sqlite3.Connection) -> int:
    return default_user_id(db)


def _forum_names(db: sqlite3.Connection) -> list[str]:
    return [r[0] for r in db.execute("SELECT name FROM forums ORDER BY id")]


def _forum_id(db: sqlite3.Connection, name: str) -> int:
    return db.execute("SELECT id FROM forums WHERE name = ?", (name,)).fetchone()[0]


def _listing(db: sqlite3.Connection, forum: str, sort: str, period: str = "all",
             limit: int | None = None) -> list[sqlite3.Row]:
    where, params = listing_where(_forum_id(db, forum), sort, period)
    return list_posts(db, where, params, sort, limit)


def _unique_top(rows: list[sqlite3.Row], key: str) -> sqlite3.Row | None:
    """The first row when its ``key`` beats the second's (no tie at the top)."""
    if not rows or (len(rows) > 1 and rows[0][key] == rows[1][key]):
        return None
    return rows[0]


def _searchable(db: sqlite3.Connection, title: str) -> bool:
    """Whether searching a post's full title lists it on the first page of results."""
    return any(r["title"] == title for r in search_posts(db, title, PAGE_SIZE))


def _titles(rows: list[sqlite3.Row]) -> list[str]:
    """The titles of ``rows`` (the other posts of a listing: wrong candidates)."""
    return [r["title"] for r in rows]


def _other_authors(db: sqlite3.Connection, post: sqlite3.Row) -> list[str]:
    """Wrong candidates for the author of ``post``: the authors of the other results of a
    search for its title and of its forum's newest posts."""
    rows = [*search_posts(db, post["title"], PAGE_SIZE),
            *_listing(db, post["forum_name"], "new", limit=PAGE_SIZE)]
    names = dict.fromkeys(r["username"] for r in rows if r["username"] != post["username"])
    return list(names)[:RUNNERS_UP]


def _pick_post(rng, db: sqlite3.Connection, where: str = "1", args: tuple = (),
               tries: int = 20) -> sqlite3.Row | None:
    """A post (``where`` over ``posts p``, with its forum name) that a title search finds."""
    rows = list_posts(db, where, list(args), "new")
    for _ in range(tries):
        if not rows:
            return None
        row = rng.choice(rows)
        if _searchable(db, row["title"]):
            return row
        rows.remove(row)
    return None


def _comments_of(db: sqlite3.Connection, post_id: int) -> list[sqlite3.Row]:
    return db.execute("SELECT c.*, u.username, c.upvotes - c.downvotes AS score FROM comments c "
                      "JOIN users u ON u.id = c.user_id WHERE c.post_id = ? ORDER BY c.id",
                      (post_id,)).fetchall()


def _unique_body(comments: list[sqlite3.Row], comment: sqlite3.Row) -> bool:
    return sum(normalize_space(c["body"]) == normalize_space(comment["body"])
               for c in comments) == 1


def _next_post_id(db: sqlite3.Connection) -> int:
    return db.execute("SELECT coalesce(max(id), 0) + 1 FROM posts").fetchone()[0]


# -- oracle building blocks -------------------------------------------------------------------


def _open_forum(page: Page, forum: str) -> Steps:
    """Forums (header) > the forum's row in the list."""
    page = yield act(click(page.link("Forums", exact=True)), "Open the list of forums.")
    page = yield act(click(page.link(forum, exact=True)), f"Open the {forum} forum.")
    return page


def _sort_tab(page: Page, sort: str) -> Steps:
    label = SORT_LABELS[sort]
    page = yield act(click(page.link(label, exact=True)), f"Sort the posts by {label}.")
    return page


def _open_post(page: Page, title: str) -> Steps:
    """Search the post's title and open it from the results."""
    page = yield act(search(page.field("q"), title), f"Search the forum for {title!r}.")
    row = post_row(page, title)
    page = yield act(click(row["link"]), f"Open the post {title!r}.")
    return page


def _open_profile(page: Page, tab: str | None = None) -> Steps:
    """My profile (the username in the header), then a tab (Submissions, Comments)."""
    page = yield act(click(page.link(ME, exact=True)), "Open my profile from the header.")
    if tab:
        page = yield act(click(page.link(tab, exact=True)), f"Open the {tab} tab.")
    return page


def _next_page(page: Page) -> str | None:
    return page.maybe("Next", "a", exact=True)


# -- evaluation helpers -----------------------------------------------------------------------


def _post_url(forum: str, post_id: int) -> str:
    return f"{FORUM}/f/{forum}/{post_id}"


# -- the base class of the site's templates -------------------------------------------------------


class _ForumTemplate(ScriptedTemplate):
    """A forum task as the signed-in default account, from the front page."""

    sites = (SITE,)
