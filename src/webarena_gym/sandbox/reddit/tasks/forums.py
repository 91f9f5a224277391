"""Forums: subscribers, listings sorted by new, top and comments, search; subscribing."""

from __future__ import annotations

import re

from webarena_gym.sandbox.reddit.rules import count_posts, search_clause
from webarena_gym.sandbox.reddit.tasks.common import (
    FORUM,
    _forum_id,
    _forum_names,
    _ForumTemplate,
    _listing,
    _me,
    _open_forum,
    _other_authors,
    _pick_post,
    _sort_tab,
    _titles,
    _unique_top,
    forum_table,
    post_row,
    post_rows,
)
from webarena_gym.sandbox.templates.base import (
    RUNNERS_UP,
    AnswerTemplate,
    EditTemplate,
    NavigationTemplate,
    Sample,
    act,
    click,
    expect_text,
    finish,
    html_check,
    search,
)
from webarena_gym.sandbox.templates.page import OracleError


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
