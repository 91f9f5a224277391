"""The ``gitlab`` site through HTTP: data, pages, forms, permissions, logins and read-only mode."""

from __future__ import annotations

import html
import re
import sqlite3
import warnings
from importlib import resources

import pytest

from webarena_gym.sandbox.db import template_connection
from webarena_gym.sandbox.gitlab import queries
from webarena_gym.sandbox.gitlab.app import create_app
from webarena_gym.sandbox.gitlab.generate import default_user_id, generate_gitlab
from webarena_gym.sandbox.gitlab.markdown import render_markdown
from webarena_gym.sandbox.gitlab.vocab import DEFAULT_PASSWORD, DEFAULT_USERNAME, USER_PASSWORD
from webarena_gym.sandbox.registry import SITES

with warnings.catch_warnings():  # Starlette 1.x nudges towards httpx2; httpx is what we have
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

SCHEMA = resources.files("webarena_gym.sandbox").joinpath("gitlab/schema.sql").read_text()
SHOP = "/onestopmarket/storefront"


def _generate(seed: int) -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:", check_same_thread=False)
    conn.executescript(SCHEMA)
    generate_gitlab(conn, seed)
    return conn


@pytest.fixture(scope="module")
def template_db() -> sqlite3.Connection:
    return _generate(0)


class HostState:
    """What the sandbox host gives each request: the tenant's db, read-only flag, site URLs."""

    def __init__(self, app, conn: sqlite3.Connection, readonly: bool = False) -> None:
        self.app, self.conn, self.readonly = app, conn, readonly

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            scope.setdefault("state", {}).update(db=self.conn, readonly=self.readonly,
                                                 site_urls={"gitlab": "http://testserver"})
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


def sign_in(client: TestClient, username: str = DEFAULT_USERNAME,
            password: str = DEFAULT_PASSWORD) -> None:
    r = client.post("/users/sign_in", data={"user[login]": username, "user[password]": password})
    assert r.status_code == 200 and f"@{username}" in r.text, r.text[:300]


@pytest.fixture
def bb(client) -> TestClient:
    sign_in(client)
    return client


def one(db, sql, *params):
    return db.execute(sql, params).fetchone()


def alerts(html: str) -> list[str]:
    return re.findall(r'role="alert">([^<]*)<', html)


def project(db, path: str) -> sqlite3.Row:
    namespace, name = path.strip("/").split("/")
    return queries.project_by_path(db, namespace, name)


# ------------------------------------------------------------------ data

def test_data_is_seeded_deterministic_and_realistic(template_db):
    db = template_db
    db.row_factory = sqlite3.Row
    tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    assert tables and all(t.startswith("gl_") for t in tables)
    counts = {t: one(db, f"SELECT count(*) FROM {t}")[0] for t in tables}
    assert counts["gl_users"] == 100 and counts["gl_groups"] == 10
    assert 60 <= counts["gl_projects"] <= 110
    assert counts["gl_issues"] >= 300 and counts["gl_merge_requests"] >= 150
    assert counts["gl_labels"] and counts["gl_milestones"] and counts["gl_notes"] > 1000
    dates = one(db, "SELECT min(created_at), max(created_at) FROM gl_issues")
    assert dates[0] >= "2021" and dates[1] < "2023-06"
    # the default account (SiteSpec) exists and owns, belongs to and stars projects
    spec = SITES["gitlab"]
    me = one(db, spec.user_query, spec.default_account.username)
    assert me is not None and me[0] == default_user_id(db)
    assert one(db, "SELECT password FROM gl_users WHERE id = ?", me[0])[0] == \
        spec.default_account.password
    assert one(db, "SELECT count(*) FROM gl_projects WHERE owner_id = ?", me[0])[0] >= 5
    assert one(db, "SELECT count(*) FROM gl_group_members WHERE user_id = ?", me[0])[0] >= 3
    assert one(db, "SELECT count(*) FROM gl_project_members m JOIN gl_projects p ON "
                   "p.id = m.project_id WHERE m.user_id = ? AND p.owner_id IS NULL", me[0])[0] >= 3
    assert one(db, "SELECT count(*) FROM gl_projects WHERE forked_from_id IS NOT NULL")[0] >= 5
    # same seed, same data; another seed, other data
    again = _generate(0)
    assert again.execute("SELECT * FROM gl_issues ORDER BY id").fetchall() == \
        [tuple(r) for r in db.execute("SELECT * FROM gl_issues ORDER BY id")]
    other = _generate(1)
    assert other.execute("SELECT title FROM gl_issues ORDER BY id LIMIT 20").fetchall() != \
        [tuple(r) for r in db.execute("SELECT title FROM gl_issues ORDER BY id LIMIT 20")]


def test_storefront_issues_name_real_store_products_and_orders(template_db):
    store = template_connection("store", 0)
    products = {r[0] for r in store.execute("SELECT name FROM products")}
    orders = {r[0] for r in store.execute("SELECT increment_id FROM orders")}
    titles = [r[0] for r in template_db.execute(
        "SELECT i.title FROM gl_issues i JOIN gl_projects p ON p.id = i.project_id "
        "WHERE p.namespace = 'onestopmarket' AND p.path = 'storefront'")]
    named = [t for t in titles if any(p in t for p in products)]
    numbered = [n for t in titles for n in re.findall(r"#(\d{9})", t)]
    assert len(named) >= 5 and numbered and set(numbered) <= orders


# ------------------------------------------------------------------ pages

PAGES = [
    ("/dashboard/projects", "Yours"), ("/dashboard/projects/starred", "Starred"),
    ("/explore/projects", "Explore projects"), ("/explore/groups", "A11y Guild"),
    ("/dashboard/groups", "Your groups"), ("/dashboard/issues", "Assignee: @byteblaze"),
    ("/dashboard/merge_requests", "Merge requests"), ("/byteblaze", "Personal projects"),
    ("/onestopmarket", "Storefront"), ("/groups/onestopmarket/-/group_members", "Group members"),
    ("/-/profile", "Update profile settings"), ("/projects/new", "Create blank project"),
    (SHOP, "README.md"), (f"{SHOP}/-/tree/main", "src"), (f"{SHOP}/-/tree/main/src", "index.js"),
    (f"{SHOP}/-/blob/main/package.json", "version"), (f"{SHOP}/-/commits/main", "Switch to"),
    (f"{SHOP}/-/branches", "default"), (f"{SHOP}/-/labels", "open issue"),
    (f"{SHOP}/-/milestones?state=all", "Milestones"), (f"{SHOP}/-/issues", "New issue"),
    (f"{SHOP}/-/issues/new", "Create issue"), (f"{SHOP}/-/merge_requests?state=all", "Merged"),
    (f"{SHOP}/-/project_members", "Invite members"), (f"{SHOP}/-/starrers", "Starrers"),
    (f"{SHOP}/-/forks", "Forks"), (f"{SHOP}/-/forks/new", "Fork project"),
    (f"{SHOP}/-/edit", "General settings"), ("/search?search=storefront", "Projects"),
]


def test_pages_render(bb):
    for url, needle in PAGES:
        r = bb.get(url)
        assert r.status_code == 200 and needle in r.text, url
    assert bb.get("/static/gitlab.css").headers["content-type"].startswith("text/css")
    for url in ("/nobody-here", "/onestopmarket/nope", f"{SHOP}/-/issues/9999",
                f"{SHOP}/-/blob/main/nope.txt", f"{SHOP}/-/tree/no-branch"):
        r = bb.get(url)
        assert r.status_code == 404 and "Page Not Found" in r.text, url


def test_overview_tree_blob_and_commits(bb, db):
    p = project(db, SHOP)
    r = bb.get(SHOP)
    stars = queries.star_count(db, p["id"])
    assert f"{stars} star" in r.text and "Default branch" in r.text
    commits = one(db, "SELECT count(*) FROM gl_commits WHERE project_id = ? AND branch = 'main'",
                  p["id"])[0]
    assert f"{commits} Commits" in r.text
    r = bb.get(f"{SHOP}/-/commits/main")
    assert f"{commits} commits" in r.text
    newest = one(db, "SELECT * FROM gl_commits WHERE project_id = ? ORDER BY committed_at DESC "
                     "LIMIT 1", p["id"])
    assert newest["sha"][:8] in r.text.split("</tr>")[1]
    assert bb.get(f"{SHOP}/-/commit/{newest['sha'][:8]}").status_code == 200
    # a branch whose name has a slash resolves in tree and blob URLs
    branch = one(db, "SELECT name FROM gl_branches WHERE name LIKE '%/%' AND project_id = ?",
                 p["id"])
    if branch:
        assert bb.get(f"{SHOP}/-/blob/{branch[0]}/README.md").status_code == 200
        assert bb.get(f"{SHOP}/-/commits/{branch[0]}").status_code == 200


def test_issue_list_filters_and_tabs(bb, db):
    p = project(db, SHOP)
    label = one(db, "SELECT l.name FROM gl_labels l JOIN gl_issue_labels x ON x.label_id = l.id "
                    "WHERE l.project_id = ? GROUP BY l.id ORDER BY count(*) DESC", p["id"])[0]
    for state in ("opened", "closed", "all"):
        where, args = queries.issue_filter(p["id"], state=state, labels=[label])
        n = one(db, f"SELECT count(*) FROM gl_issues i WHERE {where}", *args)[0]
        r = bb.get(f"{SHOP}/-/issues", params={"state": state, "label_name[]": label})
        tab = {"opened": "Open", "closed": "Closed", "all": "All"}[state]
        assert re.search(rf">{tab} <span class=\"badge\">{n}<", r.text), state
    # blank fields of the filter form are dropped with a redirect
    r = bb.get(f"{SHOP}/-/issues?state=opened&label_name%5B%5D=&assignee_username=&search=",
               follow_redirects=False)
    assert r.status_code == 302 and r.headers["location"].endswith("/-/issues?state=opened")
    person = one(db, "SELECT u.username FROM gl_issue_assignees a JOIN gl_users u ON u.id = "
                     "a.user_id JOIN gl_issues i ON i.id = a.issue_id WHERE i.project_id = ?",
                 p["id"])[0]
    where, args = queries.issue_filter(p["id"], state="all", assignee=person)
    titles = {r[0] for r in db.execute(f"SELECT title FROM gl_issues i WHERE {where}", args)}
    r = bb.get(f"{SHOP}/-/issues?state=all&assignee_username={person}")
    shown = {html.unescape(t) for t in re.findall(r'/-/issues/\d+">([^<]+)</a>', r.text)}
    assert shown == titles if len(titles) <= 20 else (len(shown) == 20 and shown <= titles)
    r = bb.get(f"{SHOP}/-/issues?state=all&sort=created_asc")
    assert "#1<" in r.text.split("</tr>")[1]


def test_issue_lifecycle(bb, db):
    me = default_user_id(db)
    r = bb.post(f"{SHOP}/-/issues", data={"issue[title]": "Checkout button misaligned",
                                           "issue[description]": "It is **off** by 2px."})
    assert "Issue #" in r.text and "Checkout button misaligned" in r.text
    assert "<strong>off</strong>" in r.text
    issue = one(db, "SELECT * FROM gl_issues ORDER BY id DESC LIMIT 1")
    url = f"{SHOP}/-/issues/{issue['iid']}"
    assert r.url.path == url and issue["author_id"] == me and issue["state"] == "opened"
    assert "Title can&#39;t be blank." in bb.post(f"{SHOP}/-/issues", data={}).text
    r = bb.post(f"{url}/notes", data={"note": "Looking into it <script>x</script>"})
    assert "Your comment was added." in r.text and "&lt;script&gt;" in r.text
    label = one(db, "SELECT * FROM gl_labels WHERE project_id = ? AND name = 'bug'",
                issue["project_id"])
    bb.post(f"{url}/labels", data={"label_id": str(label["id"])})
    assert one(db, "SELECT count(*) FROM gl_issue_labels WHERE issue_id = ?", issue["id"])[0] == 1
    bb.post(f"{url}/assignees", data={"assignee_id": "me"})
    other = queries.members(db, project(db, SHOP))[0]
    bb.post(f"{url}/assignees", data={"assignee_id": str(other["id"])})
    assigned = {r[0] for r in db.execute("SELECT user_id FROM gl_issue_assignees WHERE "
                                         "issue_id = ?", (issue["id"],))}
    assert assigned == {me, other["id"]}
    r = bb.post(f"{url}/assignees", data={"remove_id": str(me)})
    assert re.search(r'class="issuable-assignees">.*@' + re.escape(other["username"]), r.text,
                     re.S)
    r = bb.post(f"{url}/close")
    assert "The issue was closed." in r.text and 'class="issuable-state">Closed<' in r.text
    assert one(db, "SELECT closed_at FROM gl_issues WHERE id = ?", issue["id"])[0]
    r = bb.post(f"{url}/reopen")
    assert 'class="issuable-state">Open<' in r.text
    assert "already open" in bb.post(f"{url}/reopen").text
    notes = [r[0] for r in db.execute("SELECT body FROM gl_notes WHERE noteable_type = 'issue' "
                                      "AND noteable_id = ? AND system = 1 ORDER BY id",
                                      (issue["id"],))]
    assert notes[0] == "added ~bug label" and "closed" in notes and "reopened" in notes
    milestone = one(db, "SELECT id, title FROM gl_milestones WHERE project_id = ?",
                    issue["project_id"])
    r = bb.post(f"{url}/milestone", data={"milestone_id": str(milestone["id"])})
    assert milestone["title"] in r.text.split('class="issuable-milestone"')[1][:300]


def test_merge_requests(bb, db):
    p = project(db, SHOP)
    mr = one(db, "SELECT * FROM gl_merge_requests WHERE project_id = ? AND state = 'opened'",
             p["id"])
    url = f"{SHOP}/-/merge_requests/{mr['iid']}"
    r = bb.get(url)
    assert f"requested to merge <code class=\"source-branch\">{mr['source_branch']}</code>" in r.text
    r = bb.post(f"{url}/notes", data={"note": "LGTM"})
    assert "LGTM" in r.text
    r = bb.post(f"{url}/merge")
    assert "The merge request was merged." in r.text
    assert one(db, "SELECT state FROM gl_merge_requests WHERE id = ?", mr["id"])[0] == "merged"
    other = one(db, "SELECT * FROM gl_merge_requests WHERE project_id = ? AND state = 'opened' "
                    "AND id != ?", p["id"], mr["id"])
    r = bb.post(f"{SHOP}/-/merge_requests/{other['iid']}/close")
    assert 'class="issuable-state">Closed<' in r.text
    counts = {s: one(db, "SELECT count(*) FROM gl_merge_requests WHERE project_id = ? AND "
                         "state = ?", p["id"], s)[0] for s in ("opened", "merged", "closed")}
    r = bb.get(f"{SHOP}/-/merge_requests?state=merged")
    assert f'Merged <span class="badge">{counts["merged"]}<' in r.text


def test_members_invite_change_remove_and_permissions(bb, client, db):
    p = project(db, "/byteblaze/empathy-prompts")
    url = "/byteblaze/empathy-prompts/-/project_members"
    members = {m["id"] for m in queries.members(db, p)}
    person = one(db, f"SELECT * FROM gl_users WHERE id NOT IN ({','.join('?' * len(members))}) "
                     "ORDER BY id LIMIT 1", *members)
    r = bb.post(url, data={"user": person["username"], "access_level": "30"})
    assert "Members were successfully added." in r.text
    assert one(db, "SELECT access_level FROM gl_project_members WHERE project_id = ? AND "
                   "user_id = ?", p["id"], person["id"])[0] == 30
    assert "already a member" in bb.post(url, data={"user": person["username"],
                                                    "access_level": "10"}).text
    assert "was not found" in bb.post(url, data={"user": "no-such-user",
                                                 "access_level": "10"}).text
    r = bb.post(f"{url}/{person['id']}", data={"access_level": "Maintainer"})
    assert f"Role of {person['name']} was updated to Maintainer." in r.text
    r = bb.post(f"{url}/{default_user_id(db)}", data={"access_level": "10"})
    assert "cannot change the role" in r.text  # the owner of a personal project stays Owner
    r = bb.post(f"{url}/{person['id']}/remove")
    assert "was removed from the project" in r.text
    assert one(db, "SELECT count(*) FROM gl_project_members WHERE project_id = ? AND "
                   "user_id = ?", p["id"], person["id"])[0] == 0
    # a Reporter (byteblaze in toolsmiths) cannot manage members
    r = bb.post("/toolsmiths/ci-templates/-/project_members",
                data={"user": person["username"], "access_level": "30"})
    assert "not allowed to invite" in r.text
    assert "Invite members" not in bb.get("/toolsmiths/ci-templates/-/project_members").text


def test_private_projects_and_sign_in(client, db):
    private = one(db, "SELECT * FROM gl_projects WHERE visibility = 'private' AND owner_id = ?",
                  default_user_id(db))
    url = f"/{private['namespace']}/{private['path']}"
    assert client.get(url).status_code == 404
    for protected in ("/dashboard/projects", "/-/profile", "/projects/new",
                      f"{SHOP}/-/issues/new"):
        r = client.get(protected, follow_redirects=False)
        assert r.status_code == 302 and r.headers["location"].startswith("/users/sign_in"), protected
    r = client.post("/users/sign_in", data={"user[login]": DEFAULT_USERNAME,
                                            "user[password]": "wrong"})
    assert r.status_code == 401 and "Invalid login or password." in r.text
    r = client.post("/users/sign_in", data={"user[login]": DEFAULT_USERNAME,
                                            "user[password]": DEFAULT_PASSWORD,
                                            "redirect_to": url})
    assert r.url.path == url and private["name"] in r.text
    r = client.get("/users/sign_out")
    assert "Signed out successfully." in r.text and r.url.path == "/users/sign_in"
    assert client.get(url).status_code == 404
    # another user cannot see byteblaze's private project either
    stranger = one(db, "SELECT username FROM gl_users WHERE id NOT IN (SELECT user_id FROM "
                       "gl_project_members WHERE project_id = ?) ORDER BY id DESC LIMIT 1",
                   private["id"])[0]
    sign_in(client, stranger, USER_PASSWORD)
    assert client.get(url).status_code == 404
    assert private["path"] not in client.get("/byteblaze").text


def test_star_fork_and_new_project(bb, db):
    me = default_user_id(db)
    target = one(db, "SELECT p.* FROM gl_projects p WHERE p.visibility = 'public' AND "
                     "p.owner_id IS NULL AND p.id NOT IN (SELECT project_id FROM gl_stars WHERE "
                     "user_id = ?) ORDER BY p.id LIMIT 1", me)
    url = f"/{target['namespace']}/{target['path']}"
    before = queries.star_count(db, target["id"])
    r = bb.post(f"{url}/-/toggle_star", headers={"referer": f"http://testserver{url}"})
    assert "Unstar" in r.text and f"{before + 1} star" in r.text
    assert "@byteblaze" in bb.get(f"{url}/-/starrers").text
    bb.post(f"{url}/-/toggle_star")
    assert queries.star_count(db, target["id"]) == before
    r = bb.post(f"{url}/-/forks", data={"namespace": DEFAULT_USERNAME, "name": target["name"],
                                        "path": target["path"], "visibility": "public"})
    assert "The project was successfully forked." in r.text
    assert "Forked from" in r.text and r.url.path == f"/byteblaze/{target['path']}"
    fork = project(db, f"/byteblaze/{target['path']}")
    assert fork["forked_from_id"] == target["id"]
    assert one(db, "SELECT count(*) FROM gl_files WHERE project_id = ?", fork["id"])[0] == \
        one(db, "SELECT count(*) FROM gl_files WHERE project_id = ?", target["id"])[0]
    again = bb.post(f"{url}/-/forks", data={"namespace": DEFAULT_USERNAME,
                                            "path": target["path"], "visibility": "public"})
    assert "has already been taken" in again.text
    r = bb.post("/projects", data={"project[name]": "Team Handbook", "project[namespace]":
                                   DEFAULT_USERNAME, "project[visibility]": "internal",
                                   "project[initialize_with_readme]": "1"})
    assert "Project &#39;Team Handbook&#39; was successfully created." in r.text
    assert r.url.path == "/byteblaze/team-handbook" and "Internal" in r.text
    assert "README.md" in r.text
    r = bb.post("/projects", data={"project[name]": "Empty One", "project[visibility]": "private"})
    assert "The repository for this project is empty" in r.text
    r = bb.post("/projects", data={"project[name]": "x", "project[namespace]": "datawise",
                                   "project[visibility]": "public"})
    assert "not allowed to create projects in this namespace" in r.text
    assert "can&#39;t be blank" in bb.post("/projects", data={"project[name]": ""}).text


def test_profile_status_and_search(bb, db):
    r = bb.post("/-/profile", data={"user[name]": "Byte Blaze", "user[status][message]":
                                    "Reviewing merge requests", "user[bio]": "New bio.",
                                    "user[location]": "Lisbon", "user[job_title]": "Engineer"})
    assert "Profile was successfully updated." in r.text
    r = bb.get("/byteblaze")
    assert 'class="status-message">Reviewing merge requests<' in r.text
    assert 'class="bio">New bio.<' in r.text and "Lisbon" in r.text
    r = bb.get("/search?search=onestopmarket/storefront")
    assert re.search(r'class="project-link" href="/onestopmarket/storefront">One Stop Market / '
                     r'Storefront<', r.text)
    r = bb.get("/search?search=Order&scope=issues")
    assert "/onestopmarket/storefront/-/issues/" in r.text
    person = one(db, "SELECT * FROM gl_users WHERE username != ? ORDER BY id LIMIT 1",
                 DEFAULT_USERNAME)
    r = bb.get(f"/search?search={person['name']}&scope=users")
    assert f'href="/{person["username"]}">{person["name"]}<' in r.text
    assert "Enter a search term" in bb.get("/search").text


def test_readonly_refuses_writes(template_db):
    conn = make_db(template_db)
    client = TestClient(HostState(create_app(), conn, readonly=True))
    sign_in(client)  # signing in writes nothing
    before = {t: one(conn, f"SELECT count(*) FROM {t}")[0]
              for t in ("gl_issues", "gl_notes", "gl_stars", "gl_projects", "gl_project_members")}
    for url, data in [(f"{SHOP}/-/issues", {"issue[title]": "x"}),
                      (f"{SHOP}/-/issues/1/notes", {"note": "x"}),
                      (f"{SHOP}/-/issues/1/close", {}), (f"{SHOP}/-/toggle_star", {}),
                      ("/projects", {"project[name]": "x"}),
                      (f"{SHOP}/-/project_members", {"user": "root", "access_level": "10"}),
                      ("/-/profile", {"user[name]": "x"})]:
        r = client.post(url, data=data)
        assert r.status_code == 403 and "open for browsing only" in r.text, url
    after = {t: one(conn, f"SELECT count(*) FROM {t}")[0] for t in before}
    assert after == before


def test_markdown_is_escaped_and_structured():
    out = render_markdown("# Title\n\nSome `code` and **bold** <b>raw</b>\n\n- one\n- two\n\n"
                           "```\n<x>\n```\n[link](https://example.com) [bad](javascript:x)")
    assert "<h1>Title</h1>" in out and "<code>code</code>" in out
    assert "<strong>bold</strong>" in out and "&lt;b&gt;raw&lt;/b&gt;" in out
    compact = re.sub(r">\s+<", "><", str(out))  # whitespace between block tags is not shown
    assert "<ul><li>one</li><li>two</li></ul>" in compact
    assert re.search(r"<pre><code>&lt;x&gt;\s*</code></pre>", out)
    assert '<a href="https://example.com">link</a>' in out and 'href="javascript' not in out
