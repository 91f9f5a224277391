"""People: what profiles show (submissions, comments, biographies); my biography."""

from __future__ import annotations

import sqlite3

from webarena_gym.sandbox.reddit.tasks.common import (
    FORUM,
    ME,
    _forum_names,
    _ForumTemplate,
    _listing,
    _me,
    _next_page,
    _open_forum,
    _open_profile,
    _pick_post,
    _sort_tab,
    _unique_top,
    biography,
    post_row,
    post_rows,
    profile_comments,
)
from webarena_gym.sandbox.templates.base import (
    AnswerTemplate,
    EditTemplate,
    NavigationTemplate,
    Sample,
    Steps,
    act,
    click,
    expect_equal,
    expect_text,
    finish,
    html_check,
    search,
    type_text,
)
from webarena_gym.sandbox.templates.page import Page

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
