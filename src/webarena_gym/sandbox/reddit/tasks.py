"""Task templates and oracle solvers for the ``reddit`` site (the Postmill-like forum).

The templates mirror WebArena's Postmill tasks, all as the signed-in default account
(MarvelsGrantMan136): reading forums, posts, comments and profiles (``string_match``), opening
sorted listings, searches and profiles (``url_match``), and changing state through the forum's
forms: votes, subscriptions, posts, comments, edits, deletions and the biography
(``program_html`` on the page that shows the change).

Samplers read the seeded forum through the ``db`` connection they are given and compute the
answer with the same listing rules the site uses (:mod:`webarena_gym.sandbox.reddit.rules`);
they reject instantiations a person could read two ways (ties at the top of a listing, comments
whose text repeats on a post). Oracles act like a careful member: they use the header's links,
the forum list, sort tabs, search, profiles and paging, open what they need by clicking the links
they see, and answer only what the pages they were shown say; the sampler's truth tells them
what to look for and is checked against what they read.
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
    count_posts,
    list_posts,
    listing_where,
    search_clause,
    search_posts,
)
from webarena_gym.sandbox.templates.base import (
    RUNNERS_UP,
    AnswerTemplate,
    EditTemplate,
    NavigationTemplate,
    Sample,
    ScriptedTemplate,
    Steps,
    TaskTemplate,
    act,
    click,
    expect_equal,
    expect_text,
    finish,
    html_check,
    search,
    select,
    type_text,
)
from webarena_gym.sandbox.templates.page import OracleError, Page, normalize_space

SITE = "reddit"
FORUM = "__REDDIT__"
ME = DEFAULT_USERNAME
PROFILE_PAGE = 25
_POINTS = re.compile(r"(-?\d+) points?\b")
_COUNT = re.compile(r"^(\d+) comments?$")

# Texts the agent is asked to write: distinct from anything the generator writes.
REPLY_TEXTS = (
    "Thanks for laying this out so clearly, it changed my mind.",
    "I tried this last month and can confirm it works.",
    "Bookmarked. Would love a follow-up post in a few weeks.",
    "Counterpoint: it depends a lot on your budget and your patience.",
    "This is the most useful thread I have read here in a while.",
    "Could you share a bit more detail about how you got started?",
    "Same experience here, glad I am not the only one.",
    "Respectfully disagree, but I appreciate the write-up.",
    "Saving this for the weekend, thanks for posting it.",
    "Great question, I have been wondering about the same thing.",
    "My two cents: start small and see how it goes.",
    "Following this thread because I am in the exact same spot.",
)
NEW_POSTS = (
    ("Weekly check-in: what are you working on?", "Share what you are up to this week, big or small."),
    ("Recommendations for a total beginner?", "I am new here and would love a few pointers to get started."),
    ("What is one thing you wish you knew earlier?", "Looking for hard-won lessons from people with more experience."),
    ("Favorite discovery of the month", "Mine was a small thing that made a big difference. What about you?"),
    ("Is it just me or has this gotten harder lately?", "Curious whether others have noticed the same change over the past year."),
    ("Hidden gems thread", "Post something great that deserves more attention than it gets."),
    ("Looking for honest opinions before I commit", "I have read the reviews but would rather hear from real people."),
    ("Unpopular opinions thread", "Keep it civil, but tell us what you really think."),
    ("What got you into this hobby?", "I started by accident three years ago and never looked back."),
    ("Mistakes I made so you don't have to", "A short list from my first year, happy to answer questions."),
)
NEW_BIOS = (
    "Comic book collector and weekend hiker from Pittsburgh.",
    "Sci-fi reader, amateur cook, and occasional poster.",
    "Here for the book threads and the coffee gear.",
    "Pittsburgh born and raised. Always up for a movie recommendation.",
    "Software tester by day, board gamer by night.",
    "Trying to read one book a week this year.",
    "Coffee first, questions later.",
    "Lifelong Steelers fan and part-time DIYer.",
)
NEW_BODIES = (
    "Update: I have since changed my mind about this, thanks to the replies.",
    "Edited to add: the discussion below answered most of my questions.",
    "Update: solved it, thanks everyone for the suggestions.",
    "Edit: I posted this a while ago and my opinion has changed a lot since.",
    "Update: I ended up going with the first suggestion and it worked great.",
)
NEW_LINKS = (
    ("https://www.theverge.com/2023/6/1/right-to-repair-update", "Right-to-repair update worth reading"),
    ("https://arstechnica.com/2023/06/battery-tech-explained", "Battery tech, explained without the hype"),
    ("https://www.nasa.gov/2023/06/artemis-progress-report", "Artemis progress report is out"),
    ("https://www.wired.com/2023/06/the-quiet-return-of-film-cameras", "The quiet return of film cameras"),
    ("https://www.sciencedaily.com/2023/06/sleep-and-memory-study", "New sleep and memory study"),
    ("https://pitchfork.com/2023/06/best-albums-so-far", "The best albums of the year so far"),
)


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


def _vote_state(selector: str, direction: str) -> str:
    """JS: ``'true'`` when the vote arrow of ``direction`` (up/down) under ``selector`` is on."""
    return (f"document.querySelector({_js(selector + ' .vote-' + direction)})"
            ".getAttribute('aria-pressed')")


def _my_comments_under(selector: str) -> str:
    """JS: the texts of my comments matched by ``selector`` (articles), joined by " | "."""
    return (f"[...document.querySelectorAll({_js(selector)})]"
            f".filter(a => (a.querySelector('.comment-author') || {{}}).innerText === {_js(ME)})"
            ".map(a => a.querySelector('.comment-body').innerText.trim()).join(' | ')")


_TOP_LEVEL = "#comments > ul > li > article"


class _ForumTemplate(ScriptedTemplate):
    """A forum task as the signed-in default account, from the front page."""

    sites = (SITE,)


# ---- information seeking (string_match) ----


class ForumSubscribers(_ForumTemplate, AnswerTemplate):
    """The subscriber count of a forum (the forum list)."""

    id = "reddit/forum_subscribers"
    intent_template = "How many subscribers does the {{forum}} forum have?"
    difficulty = "easy"

    def sample(self, rng, db):
        forum = rng.choice(_forum_names(db))
        n = db.execute("SELECT count(*) FROM subscriptions WHERE forum_id = ?",
                       (_forum_id(db, forum),)).fetchone()[0]
        return Sample({"forum": forum}, {"answer": str(n)})

    def steps(self, sample, page):
        forum = sample.params["forum"]
        page = yield act(click(page.link("Forums", exact=True)),
                         "The list of forums shows subscriber counts.")
        n = str(forum_table(page)[forum]["subscribers"])
        yield self.reply(sample, n, f"The {forum} row lists {n} subscribers.")


class LatestPostTitle(_ForumTemplate, AnswerTemplate):
    """The newest post of a forum (the New tab)."""

    id = "reddit/latest_post_title"
    intent_template = "What is the title of the most recent post in the {{forum}} forum?"
    difficulty = "easy"

    def sample(self, rng, db):
        forum = rng.choice(_forum_names(db))
        rows = _listing(db, forum, "new", limit=1 + RUNNERS_UP)
        top = _unique_top(rows, "created_at")
        if top is None:
            return None
        return Sample({"forum": forum}, {"answer": top["title"], "distractors": _titles(rows[1:])})

    def steps(self, sample, page):
        page = yield from _open_forum(page, sample.params["forum"])
        page = yield from _sort_tab(page, "new")
        title = post_rows(page)[0]["title"]
        yield self.reply(sample, title, f"Sorted by new, the first post is {title!r}.")


class PostAuthor(_ForumTemplate, AnswerTemplate):
    """Who submitted a post (search its title)."""

    id = "reddit/post_author"
    intent_template = "Who posted \"{{title}}\" in the {{forum}} forum? Give the username."
    difficulty = "easy"

    def sample(self, rng, db):
        row = _pick_post(rng, db)
        if row is None:
            return None
        return Sample({"title": row["title"], "forum": row["forum_name"]},
                      {"answer": row["username"], "distractors": _other_authors(db, row)})

    def steps(self, sample, page):
        title = sample.params["title"]
        page = yield act(search(page.field("q"), title), f"Search the forum for {title!r}.")
        author = post_row(page, title)["author"]
        yield self.reply(sample, author, f"The result says it was submitted by {author}.")


class PostCommentCount(_ForumTemplate, AnswerTemplate):
    """How many comments a post has (search its title)."""

    id = "reddit/post_comment_count"
    intent_template = "How many comments does the post \"{{title}}\" in {{forum}} have?"
    difficulty = "easy"

    def sample(self, rng, db):
        row = _pick_post(rng, db, "1 AND (SELECT count(*) FROM comments c WHERE "
                                  "c.post_id = p.id) > 0")
        if row is None:
            return None
        return Sample({"title": row["title"], "forum": row["forum_name"]},
                      {"answer": str(row["comment_count"])})

    def steps(self, sample, page):
        title = sample.params["title"]
        page = yield act(search(page.field("q"), title), f"Search the forum for {title!r}.")
        n = str(post_row(page, title)["comments"])
        yield self.reply(sample, n, f"The post's row says it has {n} comments.")


class TopPostInForum(_ForumTemplate, AnswerTemplate):
    """The highest-scoring post of a forum, of all time or of the past year (the Top tab)."""

    id = "reddit/top_post_in_forum"
    intent_template = "What is the title of the highest-scoring post in {{forum}} {{period}}?"
    difficulty = "medium"
    PERIODS = {"of all time": "all", "in the past year": "year"}

    def sample(self, rng, db):
        forum = rng.choice(_forum_names(db))
        period = rng.choice(list(self.PERIODS))
        rows = _listing(db, forum, "top", self.PERIODS[period], limit=1 + RUNNERS_UP)
        top = _unique_top(rows, "score")
        if top is None:
            return None
        return Sample({"forum": forum, "period": period},
                      {"answer": top["title"], "distractors": _titles(rows[1:])})

    def steps(self, sample, page):
        period = self.PERIODS[sample.params["period"]]
        page = yield from _open_forum(page, sample.params["forum"])
        page = yield from _sort_tab(page, "top")
        if period == "year":
            page = yield act(click(page.link("Past year", exact=True)),
                             "Limit the top posts to the past year.")
        title = post_rows(page)[0]["title"]
        yield self.reply(sample, title, f"The first post sorted by top is {title!r}.")


class MostCommentedPost(_ForumTemplate, AnswerTemplate):
    """The post of a forum with the most comments (the Most commented tab)."""

    id = "reddit/most_commented_post"
    intent_template = "Which post in the {{forum}} forum has received the most comments?"
    difficulty = "medium"

    def sample(self, rng, db):
        forum = rng.choice(_forum_names(db))
        rows = _listing(db, forum, "most_commented", limit=1 + RUNNERS_UP)
        top = _unique_top(rows, "comment_count")
        if top is None:
            return None
        return Sample({"forum": forum}, {"answer": top["title"], "comments": top["comment_count"],
                                         "distractors": _titles(rows[1:])})

    def steps(self, sample, page):
        page = yield from _open_forum(page, sample.params["forum"])
        page = yield from _sort_tab(page, "most_commented")
        row = post_rows(page)[0]
        yield self.reply(sample, row["title"], f"Sorted by comments, {row['title']!r} leads with "
                         f"{row['comments']} comments.")


class _CountOnProfile(_ForumTemplate, AnswerTemplate):
    """Count a user's submissions or comments on the profile's tab, page by page."""

    start_path = "/user/{{user}}"
    tab = ""

    def steps(self, sample, page):
        page = yield act(click(page.link(self.tab, exact=True)),
                         f"The {self.tab} tab lists everything of this kind.")
        total = 0
        while True:
            total += len(post_rows(page) if self.tab == "Submissions" else profile_comments(page))
            following = _next_page(page)
            if following is None:
                break
            page = yield act(click(following), f"{total} so far; go on to the next page.")
        yield self.reply(sample, str(total), f"Counting every page, {sample.params['user']} "
                         f"has {total} {self.tab.lower()}.")


class UserPostCount(_CountOnProfile):
    """How many posts a user has submitted (their Submissions tab)."""

    id = "reddit/user_post_count"
    intent_template = "How many posts has {{user}} submitted to the forums?"
    difficulty = "medium"
    tab = "Submissions"

    def sample(self, rng, db):
        rows = db.execute("SELECT u.username, count(*) AS n FROM posts p JOIN users u "
                          "ON u.id = p.user_id GROUP BY u.id HAVING n BETWEEN 3 AND 60 "
                          "ORDER BY u.id").fetchall()
        row = rng.choice(rows)
        return Sample({"user": row["username"]}, {"answer": str(row["n"])})


class UserCommentCount(_CountOnProfile):
    """How many comments a user has written (their Comments tab)."""

    id = "reddit/user_comment_count"
    intent_template = "How many comments has {{user}} written?"
    difficulty = "medium"
    tab = "Comments"

    def sample(self, rng, db):
        rows = db.execute("SELECT u.username, count(*) AS n FROM comments c JOIN users u "
                          "ON u.id = c.user_id WHERE c.deleted = 0 GROUP BY u.id "
                          "HAVING n BETWEEN 5 AND 70 ORDER BY u.id").fetchall()
        row = rng.choice(rows)
        return Sample({"user": row["username"]}, {"answer": str(row["n"])})


def _latest_author(db: sqlite3.Connection, forum: str) -> sqlite3.Row | None:
    """The author (users row) of a forum's newest post, when no other post ties for newest."""
    top = _unique_top(_listing(db, forum, "new", limit=2), "created_at")
    if top is None:
        return None
    return db.execute("SELECT * FROM users WHERE id = ?", (top["user_id"],)).fetchone()


def _open_latest_author(page: Page, forum: str) -> Steps:
    page = yield from _open_forum(page, forum)
    page = yield from _sort_tab(page, "new")
    row = post_rows(page)[0]
    page = yield act(click(row["author_link"]), f"The newest post is by {row['author']}; open "
                     "their profile.")
    return page


class AuthorBio(_ForumTemplate, AnswerTemplate):
    """The biography of the author of a forum's newest post (forum > New > profile)."""

    id = "reddit/author_bio"
    intent_template = ("What does the biography of the user who made the latest post in the "
                       "{{forum}} forum say?")
    difficulty = "medium"

    def sample(self, rng, db):
        forum = rng.choice(_forum_names(db))
        author = _latest_author(db, forum)
        if author is None or not author["bio"]:
            return None
        return Sample({"forum": forum}, {"answer": author["bio"], "user": author["username"]})

    def steps(self, sample, page):
        page = yield from _open_latest_author(page, sample.params["forum"])
        bio = biography(page)
        yield self.reply(sample, bio, f"The profile's biography reads: {bio}")


class NegativeCommentsOfAuthor(_ForumTemplate, AnswerTemplate):
    """Count the downvoted comments of the author of a forum's newest post (WebArena-like)."""

    id = "reddit/negative_comments_of_author"
    intent_template = ("How many comments by the user who made the latest post in the {{forum}} "
                       "forum have received more downvotes than upvotes?")
    difficulty = "hard"

    def sample(self, rng, db):
        forum = rng.choice(_forum_names(db))
        author = _latest_author(db, forum)
        if author is None:
            return None
        n, negative = db.execute(
            "SELECT count(*), coalesce(sum(upvotes < downvotes), 0) FROM comments "
            "WHERE user_id = ? AND deleted = 0", (author["id"],)).fetchone()
        if not 3 <= n <= 100 or negative == 0:
            return None
        return Sample({"forum": forum}, {"answer": str(negative), "user": author["username"]})

    def steps(self, sample, page):
        page = yield from _open_latest_author(page, sample.params["forum"])
        page = yield act(click(page.link("Comments", exact=True)),
                         "Open the author's Comments tab to see every comment's score.")
        negative = 0
        while True:
            negative += sum(1 for c in profile_comments(page) if (c["score"] or 0) < 0)
            following = _next_page(page)
            if following is None:
                break
            page = yield act(click(following), f"{negative} with a negative score so far; next "
                             "page.")
        yield self.reply(sample, str(negative), f"{negative} of the author's comments have a "
                         "negative score, i.e. more downvotes than upvotes.")


class CompareSubscribers(_ForumTemplate, AnswerTemplate):
    """Which of three forums has the most subscribers (the forum list)."""

    id = "reddit/compare_subscribers"
    intent_template = "Which of these forums has the most subscribers: {{a}}, {{b}} or {{c}}?"
    difficulty = "medium"
    unseen = True
    exclude_key = "others"

    def sample(self, rng, db):
        names = rng.sample(_forum_names(db), 3)
        if any(x.lower() in y.lower() for x in names for y in names if x != y):
            return None
        counts = {n: db.execute("SELECT count(*) FROM subscriptions WHERE forum_id = ?",
                                (_forum_id(db, n),)).fetchone()[0] for n in names}
        ranked = sorted(names, key=lambda n: -counts[n])
        if counts[ranked[0]] == counts[ranked[1]]:
            return None
        return Sample(dict(zip("abc", names, strict=True)),
                      {"answer": ranked[0], "others": ranked[1:]})

    def steps(self, sample, page):
        names = [sample.params[k] for k in "abc"]
        page = yield act(click(page.link("Forums", exact=True)),
                         "The list of forums shows subscriber counts.")
        table = forum_table(page)
        best = max(names, key=lambda n: table[n]["subscribers"])
        counts = ", ".join(f"{n} {table[n]['subscribers']}" for n in names)
        yield self.reply(sample, best, f"Subscribers: {counts}; {best} has the most.")


class SearchCount(_ForumTemplate, AnswerTemplate):
    """How many posts a search finds (the results page's count)."""

    id = "reddit/search_count"
    intent_template = "How many posts mention \"{{query}}\" in their title or text?"
    difficulty = "easy"
    unseen = True

    def sample(self, rng, db):
        from webarena_gym.sandbox.reddit.vocab import FORUMS

        spec = rng.choice([f for f in FORUMS if f.subjects])
        query = rng.choice(spec.subjects).removeprefix("the ").removeprefix("a ")
        where, params = search_clause(query)
        n = count_posts(db, where, params)
        # every word of the query may match apart; ask only when the phrase count agrees
        phrase = db.execute("SELECT count(*) FROM posts WHERE instr(lower(title || ' ' || "
                            "body), ?) > 0", (query.lower(),)).fetchone()[0]
        if not 2 <= n <= 40 or phrase != n:
            return None
        return Sample({"query": query}, {"answer": str(n)})

    def steps(self, sample, page):
        query = sample.params["query"]
        page = yield act(search(page.field("q"), query), f"Search the forum for {query!r}.")
        found = re.search(r"(\d+) results?\b", page.text)
        if found is None:
            raise OracleError(f"no result count on {page.url}")
        yield self.reply(sample, found.group(1),
                         f"The search page reports {found.group(1)} results.")


# ---- navigation (url_match) ----


class ForumSorted(_ForumTemplate, NavigationTemplate):
    """Open a forum sorted by new, top or most commented (the listing's URL)."""

    id = "reddit/forum_sorted"
    intent_template = "Show me the posts of the {{forum}} forum sorted by {{order}}."
    difficulty = "easy"
    ORDERS = {"newest first": "new", "top score": "top", "number of comments": "most_commented"}

    def sample(self, rng, db):
        return Sample({"forum": rng.choice(_forum_names(db)),
                       "order": rng.choice(list(self.ORDERS))})

    def target(self, sample):
        return self.url(f"/f/{sample.params['forum']}/{self.ORDERS[sample.params['order']]}")

    def steps(self, sample, page):
        page = yield from _open_forum(page, sample.params["forum"])
        page = yield from _sort_tab(page, self.ORDERS[sample.params["order"]])
        yield finish(f"The {sample.params['forum']} forum is sorted by "
                     f"{sample.params['order']}.")


class ForumTopPeriod(_ForumTemplate, NavigationTemplate):
    """Open a forum's top posts of a time range (the listing's URL with ``?t=``)."""

    id = "reddit/forum_top_period"
    intent_template = "Show me the top posts of the past {{period}} in the {{forum}} forum."
    difficulty = "medium"
    PERIODS = ("day", "week", "month", "year")

    def sample(self, rng, db):
        return Sample({"forum": rng.choice(_forum_names(db)),
                       "period": rng.choice(self.PERIODS)})

    def target(self, sample):
        return self.url(f"/f/{sample.params['forum']}/top", t=sample.params["period"])

    def steps(self, sample, page):
        period = sample.params["period"]
        page = yield from _open_forum(page, sample.params["forum"])
        page = yield from _sort_tab(page, "top")
        page = yield act(click(page.link(f"Past {period}", exact=True)),
                         f"Limit the top posts to the past {period}.")
        yield finish(f"These are the top posts of the past {period}.")


class SearchFor(_ForumTemplate, NavigationTemplate):
    """Run a search (the results page's URL)."""

    id = "reddit/search_for"
    intent_template = "Search the forum for posts about \"{{query}}\"."
    difficulty = "easy"

    def sample(self, rng, db):
        from webarena_gym.sandbox.reddit.vocab import FORUMS

        spec = rng.choice([f for f in FORUMS if f.subjects])
        return Sample({"query": rng.choice(spec.subjects)})

    def target(self, sample):
        return self.url("/search", q=sample.params["query"])

    def steps(self, sample, page):
        query = sample.params["query"]
        page = yield act(search(page.field("q"), query), f"Type {query!r} into the search box.")
        expect_text(page, f'Search results for "{query}"')
        yield finish("The search results are shown.")


class AuthorProfile(_ForumTemplate, NavigationTemplate):
    """Open the profile of a post's author (search, then the author link)."""

    id = "reddit/author_profile"
    intent_template = "Open the profile page of the user who posted \"{{title}}\"."
    difficulty = "medium"
    unseen = True

    def sample(self, rng, db):
        row = _pick_post(rng, db, "p.user_id != ?", (_me(db),))
        if row is None:
            return None
        return Sample({"title": row["title"]}, {"answer": row["username"]})

    def target(self, sample):
        return self.url(f"/user/{sample.truth['answer']}")

    def steps(self, sample, page):
        title = sample.params["title"]
        page = yield act(search(page.field("q"), title), f"Search the forum for {title!r}.")
        row = post_row(page, title)
        expect_equal(row["author"], sample.truth["answer"], "author")
        page = yield act(click(row["author_link"]), f"It was posted by {row['author']}; open "
                         "their profile.")
        yield finish(f"This is {row['author']}'s profile.")


# ---- changes of state (program_html) ----


class VotePost(_ForumTemplate, EditTemplate):
    """Upvote or downvote a post (the vote arrows of its search result)."""

    id = "reddit/vote_post"
    intent_template = "{{vote}} the post \"{{title}}\" in the {{forum}} forum."
    difficulty = "easy"
    VOTES = {"Upvote": ("up", "1"), "Downvote": ("down", "-1")}

    def sample(self, rng, db):
        row = _pick_post(rng, db, "p.user_id != ? AND p.id NOT IN (SELECT post_id FROM "
                                  "post_votes WHERE user_id = ?)", (_me(db), _me(db)))
        if row is None:
            return None
        return Sample({"vote": rng.choice(list(self.VOTES)), "title": row["title"],
                       "forum": row["forum_name"]}, {"post_id": row["id"]})

    def checks(self, sample):
        direction = self.VOTES[sample.params["vote"]][0]
        return [html_check(_post_url(sample.params["forum"], sample.truth["post_id"]),
                           _vote_state(f"#post-{sample.truth['post_id']}", direction),
                           exact_match="true")]

    def steps(self, sample, page):
        title, vote = sample.params["title"], sample.params["vote"]
        page = yield act(search(page.field("q"), title), f"Search the forum for {title!r}.")
        row = post_row(page, title)
        direction = self.VOTES[vote][0]
        page = yield act(click(row[direction]), f"{vote} it with the arrow beside its score.")
        expect_equal(post_row(page, title)["my_vote"], int(self.VOTES[vote][1]), "vote")
        yield finish(f"The {direction}vote arrow of the post is now on.")


class UpvoteTopComment(_ForumTemplate, EditTemplate):
    """Upvote the highest-scoring comment of a post (compare every comment's points)."""

    id = "reddit/upvote_top_comment"
    intent_template = "Upvote the highest-scoring comment on the post \"{{title}}\"."
    difficulty = "medium"

    def sample(self, rng, db):
        row = _pick_post(rng, db, "(SELECT count(*) FROM comments c WHERE c.post_id = p.id "
                                  "AND c.deleted = 0) BETWEEN 3 AND 30")
        if row is None:
            return None
        comments = sorted((c for c in _comments_of(db, row["id"]) if not c["deleted"]),
                          key=lambda c: -c["score"])
        best = comments[0]
        if best["score"] == comments[1]["score"] or best["user_id"] == _me(db):
            return None
        if db.execute("SELECT 1 FROM comment_votes WHERE user_id = ? AND comment_id = ?",
                      (_me(db), best["id"])).fetchone():
            return None
        return Sample({"title": row["title"]},
                      {"forum": row["forum_name"], "post_id": row["id"],
                       "comment_id": best["id"], "author": best["username"]})

    def checks(self, sample):
        t = sample.truth
        return [html_check(_post_url(t["forum"], t["post_id"]),
                           _vote_state(f"#comment-{t['comment_id']}", "up"),
                           exact_match="true")]

    def steps(self, sample, page):
        page = yield from _open_post(page, sample.params["title"])
        items = [c for c in comment_items(page) if c["score"] is not None]
        best = max(items, key=lambda c: c["score"])
        expect_equal(best["author"], sample.truth["author"], "top comment's author")
        page = yield act(click(best["up"]), f"The comment by {best['author']} has the most "
                         f"points ({best['score']}); upvote it.")
        expect_equal(comment_item(page, best["author"], best["body"])["my_vote"], 1, "vote")
        yield finish("The top comment is upvoted.")


class Subscribe(_ForumTemplate, EditTemplate):
    """Subscribe to a forum (its sidebar button)."""

    id = "reddit/subscribe"
    intent_template = "Subscribe to the {{forum}} forum."
    difficulty = "easy"

    def sample(self, rng, db):
        rows = db.execute("SELECT name FROM forums WHERE id NOT IN (SELECT forum_id FROM "
                          "subscriptions WHERE user_id = ?) ORDER BY id", (_me(db),)).fetchall()
        return Sample({"forum": rng.choice(rows)["name"]})

    def checks(self, sample):
        return [html_check(f"{FORUM}/f/{sample.params['forum']}",
                           "document.querySelector('.forum-info form button').innerText",
                           exact_match="Unsubscribe")]

    def steps(self, sample, page):
        forum = sample.params["forum"]
        page = yield from _open_forum(page, forum)
        page = yield act(click(page.button("Subscribe", exact=True)),
                         f"Subscribe with the button in the {forum} sidebar.")
        expect_text(page, f"You are now subscribed to {forum}")
        yield finish(f"I am subscribed to {forum}.")


class Unsubscribe(_ForumTemplate, EditTemplate):
    """Unsubscribe from a forum (Subscriptions > the forum > its sidebar button)."""

    id = "reddit/unsubscribe"
    intent_template = "Unsubscribe me from the {{forum}} forum."
    difficulty = "easy"

    def sample(self, rng, db):
        rows = db.execute("SELECT f.name FROM subscriptions s JOIN forums f ON f.id = s.forum_id "
                          "WHERE s.user_id = ? ORDER BY f.id", (_me(db),)).fetchall()
        return Sample({"forum": rng.choice(rows)["name"]})

    def checks(self, sample):
        return [html_check(f"{FORUM}/f/{sample.params['forum']}",
                           "document.querySelector('.forum-info form button').innerText",
                           exact_match="Subscribe")]

    def steps(self, sample, page):
        forum = sample.params["forum"]
        page = yield act(click(page.link("Subscriptions", exact=True)),
                         "My subscriptions list the forums I follow.")
        page = yield act(click(page.link(forum, exact=True)), f"Open {forum}.")
        page = yield act(click(page.button("Unsubscribe", exact=True)),
                         "Unsubscribe with the sidebar button.")
        expect_text(page, f"You are no longer subscribed to {forum}")
        yield finish(f"I am no longer subscribed to {forum}.")


def _submit(page: Page, forum: str, title: str, body: str = "", url: str = "") -> Steps:
    """Header Submit > fill the form > Create submission."""
    page = yield act(click(page.link("Submit", exact=True)), "Open the submission form.")
    if url:
        page = yield act(type_text(page.field("url"), url), "Enter the link.")
    page = yield act(type_text(page.field("title"), title), "Enter the title.")
    if body:
        page = yield act(type_text(page.field("body"), body), "Enter the body text.")
    page = yield act(select(page.field("forum"), forum), f"Post it in {forum}.")
    page = yield act(click(page.button("Create submission")), "Submit the post.")
    expect_text(page, "Your submission was posted")
    return page


class CreatePost(_ForumTemplate, EditTemplate):
    """Create a text post in a forum (the submission form)."""

    id = "reddit/create_post"
    intent_template = ("Create a post in the {{forum}} forum titled \"{{title}}\" with the text "
                       "\"{{body}}\".")
    difficulty = "medium"

    def sample(self, rng, db):
        title, body = rng.choice(NEW_POSTS)
        return Sample({"forum": rng.choice(_forum_names(db)), "title": title, "body": body},
                      {"post_id": _next_post_id(db)})

    def checks(self, sample):
        p = sample.params
        return [html_check(_post_url(p["forum"], sample.truth["post_id"]),
                           "document.querySelector('.submission-main').innerText",
                           must_include=[p["title"], p["body"], ME])]

    def steps(self, sample, page):
        p = sample.params
        page = yield from _submit(page, p["forum"], p["title"], p["body"])
        yield finish(f"The post {p['title']!r} is up in {p['forum']}.")


class CreateLinkPost(_ForumTemplate, EditTemplate):
    """Share a link in a forum (the submission form's URL field)."""

    id = "reddit/create_link_post"
    intent_template = "Share the link {{url}} in the {{forum}} forum with the title \"{{title}}\"."
    difficulty = "medium"
    unseen = True

    def sample(self, rng, db):
        url, title = rng.choice(NEW_LINKS)
        return Sample({"forum": rng.choice(_forum_names(db)), "url": url, "title": title},
                      {"post_id": _next_post_id(db)})

    def checks(self, sample):
        p = sample.params
        url = _post_url(p["forum"], sample.truth["post_id"])
        return [
            html_check(url, "document.querySelector('.submission-main .submission-title')"
                            ".innerText", exact_match=p["title"]),
            html_check(url, "document.querySelector('.submission-url').innerText",
                       exact_match=p["url"])]

    def steps(self, sample, page):
        p = sample.params
        page = yield from _submit(page, p["forum"], p["title"], url=p["url"])
        yield finish(f"The link is shared in {p['forum']}.")


def _reply_text(rng, comments: list[sqlite3.Row]) -> str | None:
    text = rng.choice(REPLY_TEXTS)
    return None if any(text in c["body"] for c in comments) else text


def _comment_on_open_post(page: Page, text: str) -> Steps:
    page = yield act(type_text(page.field("comment[body]"), text), "Write the comment.")
    page = yield act(click(page.button("Post comment")), "Post it.")
    expect_text(page, "Your comment was posted")
    return page


class ReplyToPost(_ForumTemplate, EditTemplate):
    """Comment on a post (its comment form)."""

    id = "reddit/reply_to_post"
    intent_template = "Reply to the post \"{{title}}\" in {{forum}} with \"{{text}}\"."
    difficulty = "medium"

    def sample(self, rng, db):
        row = _pick_post(rng, db)
        if row is None:
            return None
        text = _reply_text(rng, _comments_of(db, row["id"]))
        if text is None:
            return None
        return Sample({"title": row["title"], "forum": row["forum_name"], "text": text},
                      {"post_id": row["id"]})

    def checks(self, sample):
        p = sample.params
        return [html_check(_post_url(p["forum"], sample.truth["post_id"]),
                           _my_comments_under(_TOP_LEVEL), must_include=[p["text"]])]

    def steps(self, sample, page):
        page = yield from _open_post(page, sample.params["title"])
        page = yield from _comment_on_open_post(page, sample.params["text"])
        yield finish("My reply is posted under the post.")


class ReplyToComment(_ForumTemplate, EditTemplate):
    """Reply to one comment of a post (its Reply link, then the reply form)."""

    id = "reddit/reply_to_comment"
    intent_template = ("On the post \"{{title}}\", reply to {{user}}'s comment \"{{comment}}\" "
                       "with \"{{text}}\".")
    difficulty = "medium"

    def sample(self, rng, db):
        row = _pick_post(rng, db, "(SELECT count(*) FROM comments c WHERE c.post_id = p.id) "
                                  "BETWEEN 2 AND 25")
        if row is None:
            return None
        comments = _comments_of(db, row["id"])
        comment = rng.choice(comments)
        if comment["deleted"] or comment["user_id"] == _me(db) or not _unique_body(comments,
                                                                                  comment):
            return None
        text = _reply_text(rng, comments)
        if text is None:
            return None
        return Sample({"title": row["title"], "user": comment["username"],
                       "comment": comment["body"], "text": text},
                      {"forum": row["forum_name"], "post_id": row["id"],
                       "comment_id": comment["id"]})

    def checks(self, sample):
        t = sample.truth
        replies = f"#comment-{t['comment_id']} ~ ul > li > article"
        return [html_check(_post_url(t["forum"], t["post_id"]),
                           _my_comments_under(replies),
                           must_include=[sample.params["text"]])]

    def steps(self, sample, page):
        p = sample.params
        page = yield from _open_post(page, p["title"])
        item = comment_item(page, p["user"], p["comment"])
        page = yield act(click(item["reply"]), f"Open the Reply link of {p['user']}'s comment.")
        page = yield act(type_text(page.field("comment[body]"), p["text"]), "Write the reply.")
        page = yield act(click(page.button("Post reply")), "Post the reply.")
        expect_text(page, "Your comment was posted")
        yield finish(f"My reply to {p['user']} is posted.")


class ReplyMostCommented(_ForumTemplate, EditTemplate):
    """Find a forum's most commented post and comment on it (Most commented tab, then reply)."""

    id = "reddit/reply_most_commented"
    intent_template = ("Find the post with the most comments in the {{forum}} forum and reply to "
                       "it with \"{{text}}\".")
    difficulty = "hard"

    def sample(self, rng, db):
        forum = rng.choice(_forum_names(db))
        top = _unique_top(_listing(db, forum, "most_commented", limit=2), "comment_count")
        if top is None:
            return None
        text = _reply_text(rng, _comments_of(db, top["id"]))
        if text is None:
            return None
        return Sample({"forum": forum, "text": text}, {"post_id": top["id"],
                                                       "title": top["title"]})

    def checks(self, sample):
        p = sample.params
        return [html_check(_post_url(p["forum"], sample.truth["post_id"]),
                           _my_comments_under(_TOP_LEVEL), must_include=[p["text"]])]

    def steps(self, sample, page):
        page = yield from _open_forum(page, sample.params["forum"])
        page = yield from _sort_tab(page, "most_commented")
        row = post_rows(page)[0]
        expect_equal(row["title"], sample.truth["title"], "most commented")
        page = yield act(click(row["link"]), f"{row['title']!r} has the most comments "
                         f"({row['comments']}); open it.")
        page = yield from _comment_on_open_post(page, sample.params["text"])
        yield finish("My reply is posted on the most commented post.")


def _my_posts(db: sqlite3.Connection) -> list[sqlite3.Row]:
    return list_posts(db, "p.user_id = ?", [_me(db)], "new")


def _open_my_post(page: Page, title: str) -> Steps:
    """My profile > Submissions (paging on) > the post."""
    page = yield from _open_profile(page, "Submissions")
    while True:
        row = next((r for r in post_rows(page) if r["title"] == title), None)
        if row is not None:
            break
        following = _next_page(page)
        if following is None:
            raise OracleError(f"my submission {title!r} is not on my profile")
        page = yield act(click(following), "Not on this page; go on to the next one.")
    page = yield act(click(row["link"]), f"Open my post {title!r}.")
    return page


class EditPostBody(_ForumTemplate, EditTemplate):
    """Replace the text of one of my posts (profile > post > Edit)."""

    id = "reddit/edit_post_body"
    intent_template = "Change the text of my post \"{{title}}\" to \"{{body}}\"."
    difficulty = "medium"

    def sample(self, rng, db):
        row = rng.choice(_my_posts(db))
        return Sample({"title": row["title"], "body": rng.choice(NEW_BODIES)},
                      {"forum": row["forum_name"], "post_id": row["id"]})

    def checks(self, sample):
        t = sample.truth
        return [html_check(_post_url(t["forum"], t["post_id"]),
                           "document.querySelector('.submission-main .submission-body')"
                           ".innerText", exact_match=sample.params["body"])]

    def steps(self, sample, page):
        page = yield from _open_my_post(page, sample.params["title"])
        page = yield act(click(page.link("Edit", exact=True)), "Edit the post.")
        page = yield act(type_text(page.field("body"), sample.params["body"]),
                         "Replace the body with the new text.")
        page = yield act(click(page.button("Save", exact=True)), "Save the post.")
        expect_text(page, "The submission was edited")
        yield finish("The post's text is updated.")


class DeletePost(_ForumTemplate, EditTemplate):
    """Delete one of my posts (profile > post > Delete)."""

    id = "reddit/delete_post"
    intent_template = "Delete my post \"{{title}}\"."
    difficulty = "medium"
    unseen = True

    def sample(self, rng, db):
        rows = _my_posts(db)
        row = rng.choice(rows)
        others = [r["title"] for r in rows if r["id"] != row["id"]]
        if any(row["title"].lower() in o.lower() for o in others):
            return None
        return Sample({"title": row["title"]}, {"keep": others[0]})

    def checks(self, sample):
        return [html_check(f"{FORUM}/user/{ME}/submissions",
                           "document.querySelector('main').innerText",
                           must_include=[sample.truth["keep"]],
                           must_exclude=[sample.params["title"]])]

    def steps(self, sample, page):
        page = yield from _open_my_post(page, sample.params["title"])
        page = yield act(click(page.button("Delete", exact=True)), "Delete the post.")
        expect_text(page, "The submission was deleted")
        yield finish("The post is deleted.")


class DeleteComment(_ForumTemplate, EditTemplate):
    """Delete one of my comments (profile > Comments > Permalink > Delete)."""

    id = "reddit/delete_comment"
    intent_template = "Delete my comment \"{{comment}}\" on the post \"{{title}}\"."
    difficulty = "medium"

    def sample(self, rng, db):
        rows = db.execute("SELECT c.*, p.title, f.name AS forum FROM comments c JOIN posts p ON "
                          "p.id = c.post_id JOIN forums f ON f.id = p.forum_id WHERE "
                          "c.user_id = ? AND c.deleted = 0 ORDER BY c.id", (_me(db),)).fetchall()
        row = rng.choice(rows)
        if not _unique_body(_comments_of(db, row["post_id"]), row):
            return None
        return Sample({"comment": row["body"], "title": row["title"]},
                      {"forum": row["forum"], "post_id": row["post_id"]})

    def checks(self, sample):
        t = sample.truth
        locator = ("(() => { const s = document.querySelector('#comments'); if (!s) return "
                   "'no comments section'; return [...s.querySelectorAll('.comment-body')]"
                   f".some(b => b.innerText.trim() === {_js(sample.params['comment'])}) "
                   "? 'present' : 'deleted'; })()")
        return [html_check(_post_url(t["forum"], t["post_id"]), locator,
                           exact_match="deleted")]

    def steps(self, sample, page):
        p = sample.params
        page = yield from _open_profile(page, "Comments")
        while True:
            item = next((c for c in profile_comments(page) if c["post"] == p["title"] and
                         c["body"] == normalize_space(p["comment"])), None)
            if item is not None:
                break
            following = _next_page(page)
            if following is None:
                raise OracleError(f"my comment {p['comment'][:40]!r} is not on my profile")
            page = yield act(click(following), "Not on this page; go on to the next one.")
        page = yield act(click(item["permalink"]), "Open the comment's own page.")
        mine = comment_item(page, ME, p["comment"])
        page = yield act(click(mine["delete"]), "Delete the comment.")
        expect_text(page, "The comment was deleted")
        yield finish("The comment is deleted.")


class ChangeBio(_ForumTemplate, EditTemplate):
    """Set my biography (profile > Edit biography)."""

    id = "reddit/change_bio"
    intent_template = "Change my profile's biography to \"{{bio}}\"."
    difficulty = "easy"

    def sample(self, rng, db):
        return Sample({"bio": rng.choice(NEW_BIOS)})

    def checks(self, sample):
        return [html_check(f"{FORUM}/user/{ME}",
                           "document.querySelector('.user-bio').innerText",
                           exact_match=sample.params["bio"])]

    def steps(self, sample, page):
        page = yield from _open_profile(page)
        page = yield act(click(page.link("Edit biography", exact=True)),
                         "Open the biography form.")
        page = yield act(type_text(page.field("biography"), sample.params["bio"]),
                         "Write the new biography.")
        page = yield act(click(page.button("Save", exact=True)), "Save it.")
        expect_text(page, "Your biography was saved")
        yield finish("The biography is updated.")


TEMPLATES: list[type[TaskTemplate]] = [
    # information seeking
    ForumSubscribers,
    LatestPostTitle,
    PostAuthor,
    PostCommentCount,
    TopPostInForum,
    MostCommentedPost,
    UserPostCount,
    UserCommentCount,
    AuthorBio,
    NegativeCommentsOfAuthor,
    CompareSubscribers,
    SearchCount,
    # navigation
    ForumSorted,
    ForumTopPeriod,
    SearchFor,
    AuthorProfile,
    # changes of state
    VotePost,
    UpvoteTopComment,
    Subscribe,
    Unsubscribe,
    CreatePost,
    CreateLinkPost,
    ReplyToPost,
    ReplyToComment,
    ReplyMostCommented,
    EditPostBody,
    DeletePost,
    DeleteComment,
    ChangeBio,
]
