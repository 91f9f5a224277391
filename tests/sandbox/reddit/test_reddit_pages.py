"""The ``reddit`` site through HTTP: data, listings, posts and comments, votes, profiles, forms,
logins and read-only mode."""

from __future__ import annotations

import html
import re
import sqlite3
import warnings
from importlib import resources

import pytest

from webarena_gym.sandbox.reddit import rules
from webarena_gym.sandbox.reddit.app import create_app
from webarena_gym.sandbox.reddit.generate import (
    DEFAULT_PASSWORD,
    DEFAULT_USERNAME,
    default_user_id,
    generate_forum,
)

with warnings.catch_warnings():  # Starlette 1.x nudges towards httpx2; httpx is what we have
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

SCHEMA = resources.files("webarena_gym.sandbox").joinpath("reddit/schema.sql").read_text()


def build(seed: int = 0) -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:", check_same_thread=False)
    conn.row_factory = sqlite3.Row
    conn.executescript(SCHEMA)
    generate_forum(conn, seed)
    return conn


@pytest.fixture(scope="module")
def template_db() -> sqlite3.Connection:
    return build(0)


class HostState:
    """What the sandbox host gives each request: the tenant's db, read-only flag, site URLs."""

    def __init__(self, app, conn: sqlite3.Connection, readonly: bool = False) -> None:
        self.app, self.conn, self.readonly = app, conn, readonly

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            scope.setdefault("state", {}).update(
                db=self.conn, readonly=self.readonly,
                site_urls={"reddit": "http://testserver", "shopping": "http://shop.test"})
        await self.app(scope, receive, send)


def make_db(template: sqlite3.Connection) -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:", check_same_thread=False)
    template.backup(conn)
    conn.row_factory = sqlite3.Row
    return conn


@pytest.fixture
def db(template_db) -> sqlite3.Connection:
    return make_db(template_db)


@pytest.fixture
def client(db) -> TestClient:
    return TestClient(HostState(create_app(), db))


def sign_in(client: TestClient) -> None:
    r = client.post("/login_check", data={"_username": DEFAULT_USERNAME,
                                          "_password": DEFAULT_PASSWORD})
    assert r.status_code == 200 and f'href="/user/{DEFAULT_USERNAME}"' in r.text
    assert "Log out" in r.text


@pytest.fixture
def me(client) -> TestClient:
    sign_in(client)
    return client


def one(db, sql, *params):
    return db.execute(sql, params).fetchone()


def titles(text: str) -> list[str]:
    return [html.unescape(t) for t in
            re.findall(r'class="submission-link" href="[^"]+">([^<]+)</a>', text)]


def referer(path: str) -> dict[str, str]:
    return {"referer": f"http://testserver{path}"}


# ------------------------------------------------------------------ data

def test_data_is_deterministic_varied_and_holds_the_default_account(template_db):
    db = template_db
    counts = {t: one(db, f"SELECT count(*) FROM {t}")[0]
              for t in ("users", "forums", "posts", "comments", "post_votes", "subscriptions")}
    assert counts["users"] >= 300 and 20 <= counts["forums"] <= 30
    assert counts["posts"] >= 2000 and counts["comments"] >= 8000
    assert one(db, "SELECT count(DISTINCT title) FROM posts")[0] == counts["posts"]
    assert one(db, "SELECT min(created_at), max(created_at) FROM posts")[:] >= ("2021", "2023")
    assert one(db, "SELECT max(created_at) FROM comments")[0] < rules.FORUM_NOW
    me = default_user_id(db)
    assert one(db, "SELECT password FROM users WHERE id = ?", me)[0] == DEFAULT_PASSWORD
    for table in ("posts", "comments", "subscriptions", "post_votes", "comment_votes"):
        assert one(db, f"SELECT count(*) FROM {table} WHERE user_id = ?", me)[0] >= 5, table
    # the cached scores agree with the votes; nobody votes on their own comment
    counted = dict(db.execute("SELECT post_id, sum(value = 1) - sum(value = -1) FROM post_votes "
                              "GROUP BY post_id").fetchall())
    assert all(counted.get(r[0], 0) == r[1] for r in db.execute(
        "SELECT id, upvotes - downvotes FROM posts"))
    assert one(db, "SELECT count(*) FROM comment_votes v JOIN comments c ON c.id = v.comment_id "
                   "WHERE c.user_id = v.user_id")[0] == 0
    assert one(db, "SELECT count(*) FROM comments WHERE upvotes < downvotes")[0] > 100
    # the same seed gives the same forum; another seed another one
    from webarena_gym.sandbox.db import template_connection

    again = template_connection("forum", 0)  # built apart, by the host's template machinery
    assert again.execute("SELECT title, body FROM posts ORDER BY id LIMIT 50").fetchall() == \
        db.execute("SELECT title, body FROM posts ORDER BY id LIMIT 50").fetchall()
    other = build(1)
    assert other.execute("SELECT title FROM posts ORDER BY id LIMIT 20").fetchall() != \
        db.execute("SELECT title FROM posts ORDER BY id LIMIT 20").fetchall()


def test_product_forums_talk_about_the_stores_products(template_db):
    from webarena_gym.sandbox.db import template_connection

    store = template_connection("store", 0)
    names = {r[0] for r in store.execute("SELECT name FROM products WHERE status = 1")}
    deals = template_db.execute("SELECT p.title, p.body, p.url FROM posts p JOIN forums f ON "
                                "f.id = p.forum_id WHERE f.name = 'deals'").fetchall()
    assert len(deals) >= 30
    assert all(any(n in d["title"] for n in names) for d in deals)
    keys = {r[0] for r in store.execute("SELECT url_key FROM products")}
    links = [d["url"] for d in deals if d["url"]]
    assert links and all(u.startswith("__SHOPPING__/") and u[13:-5] in keys for u in links)


# ------------------------------------------------------------------ listings

def test_front_page_forums_and_sorting(client, db):
    r = client.get("/")
    assert r.status_code == 200 and "All forums" in r.text and "Log in" in r.text
    assert titles(r.text) == [p["title"] for p in rules.list_posts(
        db, "1", [], "hot", rules.PAGE_SIZE)]
    forum = one(db, "SELECT * FROM forums WHERE name = 'books'")
    for sort in rules.SORTS:
        path = "/f/books" + ("" if sort == "hot" else f"/{sort}")
        r = client.get(path)
        assert r.status_code == 200, path
        where, params = rules.listing_where(forum["id"], sort)
        assert titles(r.text) == [p["title"] for p in rules.list_posts(db, where, params, sort,
                                                                       rules.PAGE_SIZE)], sort
    # top with a time filter, and page 2 continuing the order
    where, params = rules.listing_where(forum["id"], "top", "year")
    expected = [p["title"] for p in rules.list_posts(db, where, params, "top")]
    assert titles(client.get("/f/books/top?t=year").text) == expected[:25]
    assert titles(client.get("/f/books/top?t=year&p=2").text) == expected[25:50]
    r = client.get("/forums/by_subscribers")
    counts = [int(n) for n in re.findall(r"<td>(\d+)</td><td>\d+</td></tr>", r.text)]
    assert counts == sorted(counts, reverse=True) and len(counts) == one(
        db, "SELECT count(*) FROM forums")[0]
    assert client.get("/f/nosuchforum").status_code == 404
    assert client.get("/f/books/sideways").status_code == 404


def test_front_page_of_a_member_shows_subscriptions(me, db):
    r = me.get("/new")
    assert "Your subscriptions" in r.text
    subscribed = {r[0] for r in db.execute(
        "SELECT f.name FROM subscriptions s JOIN forums f ON f.id = s.forum_id "
        "WHERE s.user_id = ?", (default_user_id(db),))}
    shown = set(re.findall(r'class="submission-forum" href="/f/([^"]+)"', r.text))
    assert shown and shown <= subscribed
    assert len(set(re.findall(r'class="submission-forum" href="/f/([^"]+)"',
                              me.get("/all/new").text))) > len(shown) - 1


def test_search(client, db):
    post = one(db, "SELECT * FROM posts ORDER BY id LIMIT 1 OFFSET 100")
    r = client.get("/search", params={"q": post["title"]})
    assert titles(r.text)[0] == post["title"]
    r = client.get("/search?q=dune")
    where, params = rules.search_clause("dune")
    assert f"{rules.count_posts(db, where, params)} results" in r.text
    assert "Please enter a search term." in client.get("/search?q=").text


# ------------------------------------------------------------------ posts, comments, votes

def test_post_page_and_comment_threads(client, db):
    post = one(db, "SELECT p.*, f.name AS forum FROM posts p JOIN forums f ON f.id = p.forum_id "
                   "WHERE (SELECT count(*) FROM comments c WHERE c.post_id = p.id AND "
                   "c.parent_id IS NOT NULL) > 2 LIMIT 1")
    path = rules.post_path(post["forum"], post["id"], post["title"])
    r = client.get(path)
    assert r.status_code == 200 and titles(r.text)[0] == post["title"]
    assert client.get(f"/f/{post['forum']}/{post['id']}").status_code == 200
    assert client.get(f"/f/not{post['forum']}/{post['id']}").status_code == 404
    reply = one(db, "SELECT c.*, u.username AS parent_user FROM comments c JOIN comments pc ON "
                    "pc.id = c.parent_id JOIN users u ON u.id = pc.user_id WHERE c.post_id = ? "
                    "AND pc.deleted = 0 LIMIT 1", post["id"])
    assert f'aria-label="Replies to {reply["parent_user"]}"' in r.text
    r = client.get(f"/f/{post['forum']}/{post['id']}/-/comment/{reply['parent_id']}")
    assert r.status_code == 200 and f'id="comment-{reply["id"]}"' in r.text
    assert "Log in</a> to comment" in r.text


def test_vote_toggle_and_switch(me, db):
    post = one(db, "SELECT p.*, f.name AS forum FROM posts p JOIN forums f ON f.id = p.forum_id "
                   "WHERE p.user_id != ? AND p.id NOT IN (SELECT post_id FROM post_votes WHERE "
                   "user_id = ?) LIMIT 1", default_user_id(db), default_user_id(db))
    page = f"/f/{post['forum']}/{post['id']}"
    score = post["upvotes"] - post["downvotes"]
    r = me.post(f"/sv/{post['id']}", data={"choice": "1"}, headers=referer(page))
    assert r.url.path == page and 'title="Retract upvote" aria-pressed="true"' in r.text
    assert one(db, "SELECT upvotes - downvotes FROM posts WHERE id = ?", post["id"])[0] == score + 1
    me.post(f"/sv/{post['id']}", data={"choice": "-1"}, headers=referer(page))
    assert one(db, "SELECT upvotes - downvotes FROM posts WHERE id = ?", post["id"])[0] == score - 1
    me.post(f"/sv/{post['id']}", data={"choice": "-1"}, headers=referer(page))  # retract
    row = one(db, "SELECT upvotes - downvotes, hot, created_at FROM posts WHERE id = ?", post["id"])
    assert row[0] == score and row[1] == rules.hot_rank(score, row[2])
    assert one(db, "SELECT count(*) FROM post_votes WHERE post_id = ? AND user_id = ?",
               post["id"], default_user_id(db))[0] == 0
    comment = one(db, "SELECT * FROM comments WHERE post_id = ? AND deleted = 0 LIMIT 1",
                  post["id"]) or one(db, "SELECT * FROM comments WHERE deleted = 0 LIMIT 1")
    before = one(db, "SELECT downvotes FROM comments WHERE id = ?", comment["id"])[0]
    mine = one(db, "SELECT value FROM comment_votes WHERE comment_id = ? AND user_id = ?",
               comment["id"], default_user_id(db))
    if mine is None:
        me.post(f"/cv/{comment['id']}", data={"choice": "-1"}, headers=referer(page))
        assert one(db, "SELECT downvotes FROM comments WHERE id = ?", comment["id"])[0] == before + 1


def test_comment_reply_edit_and_delete(me, db):
    post = one(db, "SELECT p.*, f.name AS forum FROM posts p JOIN forums f ON f.id = p.forum_id "
                   "WHERE p.id = 42")
    page = rules.post_path(post["forum"], post["id"], post["title"])
    r = me.post(f"/f/{post['forum']}/{post['id']}/comment", data={"comment[body]": "First!"})
    assert "Your comment was posted." in r.text and "First!" in r.text
    top = one(db, "SELECT * FROM comments WHERE body = 'First!'")
    assert top["user_id"] == default_user_id(db) and top["parent_id"] is None
    assert top["created_at"] >= rules.FORUM_NOW
    r = me.post(f"/f/{post['forum']}/{post['id']}/-/comment/{top['id']}/reply",
                data={"comment[body]": "Replying to myself"})
    reply = one(db, "SELECT * FROM comments WHERE body = 'Replying to myself'")
    assert reply["parent_id"] == top["id"]
    assert f'aria-label="Replies to {DEFAULT_USERNAME}"' in r.text
    edit = f"/f/{post['forum']}/{post['id']}/-/comment/{top['id']}/edit"
    assert me.get(edit).status_code == 200
    r = me.post(edit, data={"comment[body]": "First, edited"})
    assert "The comment was edited." in r.text and "First, edited" in r.text
    # a comment with replies stays as [deleted]; a leaf disappears
    me.post(f"/f/{post['forum']}/{post['id']}/-/comment/{top['id']}/delete")
    assert one(db, "SELECT deleted, body FROM comments WHERE id = ?", top["id"])[:] == (1, "[deleted]")
    me.post(f"/f/{post['forum']}/{post['id']}/-/comment/{reply['id']}/delete")
    assert one(db, "SELECT count(*) FROM comments WHERE id = ?", reply["id"])[0] == 0
    assert "First, edited" not in me.get(page).text
    # someone else's comment cannot be edited or deleted
    other = one(db, "SELECT c.id, c.post_id, f.name FROM comments c JOIN posts p ON p.id = "
                    "c.post_id JOIN forums f ON f.id = p.forum_id WHERE c.user_id != ? "
                    "AND c.deleted = 0 LIMIT 1", default_user_id(db))
    r = me.post(f"/f/{other['name']}/{other['post_id']}/-/comment/{other['id']}/delete")
    assert "You can only delete your own comments." in r.text
    assert me.post(f"/f/{post['forum']}/{post['id']}/comment",
                   data={"comment[body]": "  "}).text.count("must not be empty") == 1


def test_submit_edit_and_delete_post(me, db):
    r = me.get("/submit/books")
    assert '<option value="books" selected>' in r.text
    r = me.post("/submit", data={"forum": "books", "title": "A brand new post", "body": "Hello"})
    new = one(db, "SELECT * FROM posts WHERE title = 'A brand new post'")
    assert r.url.path == f"/f/books/{new['id']}/a-brand-new-post"
    assert new["id"] == one(db, "SELECT max(id) FROM posts")[0]
    assert titles(me.get("/f/books/new").text)[0] == "A brand new post"
    r = me.post("/submit", data={"forum": "books", "title": "Link", "url": "ftp://x"})
    assert "The URL must start with http" in r.text
    r = me.post("/submit", data={"forum": "", "title": "No forum", "body": "x"})
    assert "Please choose a forum." in r.text
    r = me.post("/submit", data={"forum": "space", "title": "A link", "url": "https://nasa.gov/x"})
    assert 'href="https://nasa.gov/x"' in r.text
    r = me.post(f"/f/books/{new['id']}/-/edit", data={"title": "A brand new post",
                                                        "body": "Changed body"})
    assert "The submission was edited." in r.text and "Changed body" in r.text
    r = me.post(f"/f/books/{new['id']}/-/delete")
    assert "The submission was deleted." in r.text
    assert one(db, "SELECT count(*) FROM posts WHERE id = ?", new["id"])[0] == 0
    other = one(db, "SELECT p.id, f.name FROM posts p JOIN forums f ON f.id = p.forum_id "
                    "WHERE p.user_id != ? LIMIT 1", default_user_id(db))
    r = me.post(f"/f/{other['name']}/{other['id']}/-/delete")
    assert "You can only delete your own submissions." in r.text


def test_store_links_point_at_the_shop(client, db):
    post = one(db, "SELECT p.*, f.name AS forum FROM posts p JOIN forums f ON f.id = p.forum_id "
                   "WHERE p.url LIKE '__SHOPPING__/%' LIMIT 1")
    r = client.get(f"/f/{post['forum']}/{post['id']}")
    assert f'href="http://shop.test/{post["url"][13:]}"' in r.text


def test_editing_a_store_link_post_keeps_its_link(me, db):
    uid = default_user_id(db)
    post = one(db, "SELECT p.*, f.name AS forum FROM posts p JOIN forums f ON f.id = p.forum_id "
                   "WHERE p.url LIKE '__SHOPPING__/%' LIMIT 1")
    db.execute("UPDATE posts SET user_id = ? WHERE id = ?", (uid, post["id"]))
    edit = f"/f/{post['forum']}/{post['id']}/-/edit"
    shown = f"http://shop.test/{post['url'][13:]}"
    assert f'value="{shown}"' in me.get(edit).text
    r = me.post(edit, data={"title": post["title"], "url": shown, "body": "New words"})
    assert "The submission was edited." in r.text
    assert one(db, "SELECT url, body FROM posts WHERE id = ?", post["id"])[:] == (post["url"],
                                                                                  "New words")


# ------------------------------------------------------------------ users and subscriptions

def test_profile_tabs_and_biography(me, db):
    uid = default_user_id(db)
    r = me.get(f"/user/{DEFAULT_USERNAME}")
    assert "Edit biography" in r.text and "Recent comments" in r.text
    posts = one(db, "SELECT count(*) FROM posts WHERE user_id = ?", uid)[0]
    assert len(titles(me.get(f"/user/{DEFAULT_USERNAME}/submissions").text)) == min(posts, 25)
    busy = one(db, "SELECT u.username, count(*) AS n FROM comments c JOIN users u ON "
                   "u.id = c.user_id WHERE c.deleted = 0 GROUP BY u.id HAVING n > 30 LIMIT 1")
    shown = 0
    for page in range(1, 10):
        text = me.get(f"/user/{busy['username']}/comments?p={page}").text
        shown += text.count(" commented on ")
        if ">Next</a>" not in text:
            break
    assert shown == busy["n"]
    r = me.post(f"/user/{DEFAULT_USERNAME}/edit_biography", data={"biography": "New bio here"})
    assert "Your biography was saved." in r.text and "New bio here" in r.text
    other = one(db, "SELECT username FROM users WHERE id != ? LIMIT 1", uid)[0]
    assert "Edit biography" not in me.get(f"/user/{other}").text
    r = me.post(f"/user/{other}/edit_biography", data={"biography": "hacked"})
    assert "You can only edit your own biography." in r.text
    assert me.get("/user/nobody-at-all").status_code == 404


def test_subscribe_and_unsubscribe(me, db):
    uid = default_user_id(db)
    forum = one(db, "SELECT * FROM forums WHERE id NOT IN (SELECT forum_id FROM subscriptions "
                    "WHERE user_id = ?) LIMIT 1", uid)
    before = one(db, "SELECT count(*) FROM subscriptions WHERE forum_id = ?", forum["id"])[0]
    r = me.post(f"/f/{forum['name']}/subscribe", headers=referer(f"/f/{forum['name']}"))
    assert f"You are now subscribed to {forum['name']}." in r.text and "Unsubscribe" in r.text
    assert f"{before + 1} subscribers" in r.text
    assert f'href="/f/{forum["name"]}"' in me.get("/subscriptions").text
    r = me.post(f"/f/{forum['name']}/unsubscribe", headers=referer(f"/f/{forum['name']}"))
    assert f"{before} subscriber" in r.text and ">Subscribe</button>" in r.text


# ------------------------------------------------------------------ sign in, sign up, read-only

def test_login_logout_registration_and_protected_pages(client, db):
    r = client.get("/submit")
    assert r.url.path == "/login" and "You need to log in to do that." in r.text
    r = client.post("/login_check", data={"_username": DEFAULT_USERNAME, "_password": "wrong"})
    assert "Invalid credentials." in r.text
    r = client.post("/login_check", data={"_username": DEFAULT_USERNAME,
                                          "_password": DEFAULT_PASSWORD,
                                          "_target_path": "/submit"})
    assert r.url.path == "/submit"
    r = client.get("/logout")
    assert "You have been logged out." in r.text and "Log in" in r.text
    r = client.post("/registration", data={"username": "new_member", "password": "longpass1",
                                           "password_repeat": "longpass1"})
    assert "Welcome to Postmill, new_member!" in r.text
    assert one(db, "SELECT count(*) FROM users WHERE username = 'new_member'")[0] == 1
    client.get("/logout")
    r = client.post("/registration", data={"username": DEFAULT_USERNAME, "password": "longpass1",
                                           "password_repeat": "longpass1"})
    assert "That username is taken." in r.text
    assert client.post("/sv/1", data={"choice": "1"}).url.path == "/login"


def test_readonly_refuses_writes(template_db):
    conn = make_db(template_db)
    client = TestClient(HostState(create_app(), conn, readonly=True))
    sign_in(client)  # signing in writes nothing
    before = {t: one(conn, f"SELECT count(*) FROM {t}")[0]
              for t in ("posts", "comments", "post_votes", "subscriptions", "users")}
    post = one(conn, "SELECT p.id, f.name FROM posts p JOIN forums f ON f.id = p.forum_id LIMIT 1")
    for url, data in [("/submit", {"forum": "books", "title": "t", "body": "b"}),
                      (f"/f/{post['name']}/{post['id']}/comment", {"comment[body]": "x"}),
                      (f"/sv/{post['id']}", {"choice": "1"}),
                      ("/f/books/subscribe", {}),
                      (f"/user/{DEFAULT_USERNAME}/edit_biography", {"biography": "x"}),
                      ("/registration", {"username": "abcdef", "password": "12345678",
                                         "password_repeat": "12345678"})]:
        r = client.post(url, data=data)
        assert r.status_code == 403 and "open for browsing only" in r.text, url
    assert {t: one(conn, f"SELECT count(*) FROM {t}")[0] for t in before} == before


def test_tenants_are_isolated():
    from webarena_gym.sandbox.db import TenantDatabases

    tenants = TenantDatabases()
    a, b = tenants.create(0), tenants.create(0)
    tenants.restore(a, ["forum"])
    tenants.restore(b, ["forum"])
    conn_a = tenants.connection(a, "forum")
    conn_a.execute("DELETE FROM comments")
    conn_a.commit()
    assert tenants.connection(b, "forum").execute("SELECT count(*) FROM comments").fetchone()[0] > 0
    tenants.restore(a, ["forum"])
    assert tenants.connection(a, "forum").execute("SELECT count(*) FROM comments").fetchone()[0] > 0
