"""Posting: votes, new posts and links, replies, edits and deletions."""

from __future__ import annotations

import sqlite3

from webarena_gym.sandbox.reddit.rules import list_posts
from webarena_gym.sandbox.reddit.tasks.common import (
    FORUM,
    ME,
    _comments_of,
    _forum_names,
    _ForumTemplate,
    _js,
    _listing,
    _me,
    _next_page,
    _next_post_id,
    _open_forum,
    _open_post,
    _open_profile,
    _pick_post,
    _post_url,
    _sort_tab,
    _unique_body,
    _unique_top,
    comment_item,
    comment_items,
    post_row,
    post_rows,
    profile_comments,
)
from webarena_gym.sandbox.templates.base import (
    EditTemplate,
    Sample,
    Steps,
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
