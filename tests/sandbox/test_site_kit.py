"""The site kit (``webarena_gym.sandbox.common``) through HTTP, on a tiny site built with it.

The site has a notes table per tenant, accounts, a page that needs a user, a form that writes,
a filter form and its own error pages. A small ASGI layer plays the sandbox host: it gives each
request its tenant's database (by the tenant header) and the read-only flag, as the host does.
"""

from __future__ import annotations

import sqlite3
import warnings
from pathlib import Path

import pytest
from markupsafe import escape
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from webarena_gym.sandbox import auth
from webarena_gym.sandbox.common import (
    ErrorPage,
    Message,
    SignIn,
    SiteKit,
    db,
    drops_blank_params,
    local_path,
    not_found,
    read_form,
    referer_path,
)

with warnings.catch_warnings():  # Starlette 1.x nudges towards httpx2; httpx is what we have
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

SITE = "kit_test"
PAYLOAD = '<script>alert("x")</script><img src=x onerror=alert(1)>'
TEMPLATES = {
    "base.html": "<html><body><header>{% if user %}Hello {{ user.name }}{% else %}Sign in"
                 "{% endif %} | {{ motto }}</header>{% for kind, text in messages %}"
                 "<p class='{{ kind }}'>{{ text }}</p>{% endfor %}{% block main %}{% endblock %}"
                 "</body></html>",
    "notes.html": "{% extends 'base.html' %}{% block main %}<h1>{{ title }}</h1>"
                  "{% for n in notes %}<li>{{ n.body }}</li>{% endfor %}{% endblock %}",
    "message.html": "{% extends 'base.html' %}{% block main %}<h1>{{ title }}</h1>"
                    "<p>{{ text }}</p>{% endblock %}",
    "note.txt": "{{ text }}",
}


def build_site(folder: Path, *, redirect_status: int = 302, with_404: bool = True) -> SiteKit:
    """A site made with the kit: its own sign-in, header, read-only and not-found pages."""
    for name, text in TEMPLATES.items():
        (folder / name).write_text(text)
    return SiteKit(
        SITE, folder,
        user_query="SELECT * FROM users WHERE id = ?",
        sign_in=SignIn("/login", "next", keep_query=True, safe="/", notice="Please sign in."),
        page_context=lambda request, user: {"motto": "Notes for everyone"},
        read_only=ErrorPage(403, "message.html", {"title": "Read-only notes",
                                                  "text": "Nothing is saved here."}),
        not_found_page=ErrorPage(404, "message.html", {"title": "No such page",
                                                       "text": "Check the address."})
        if with_404 else None,
        redirect_status=redirect_status,
    )


def build_app(site: SiteKit):
    async def notes(request: Request) -> Response:
        rows = db(request).execute("SELECT body FROM notes ORDER BY id").fetchall()
        return site.render(request, "notes.html", title=request.query_params.get("t", "Notes"),
                           notes=rows)

    @site.writes
    @site.login_required
    async def add_note(request: Request) -> Response:
        form = await read_form(request)
        body = form.field("body")
        if not body:
            return site.redirect("/", "Write something first.", "error")
        conn = db(request)
        conn.execute("INSERT INTO notes (body, user_id) VALUES (?, ?)",
                     (body, site.user_id(request)))
        conn.commit()
        return site.redirect("/", "Your note was saved.", "success")

    @site.login_required
    async def mine(request: Request) -> Response:
        return site.render(request, "notes.html", title=f"Notes of {site.user(request)['name']}",
                           notes=[])

    async def echo(request: Request) -> Response:
        form = await read_form(request)
        return Response(repr((dict(form), form.getlist("tag"), form.field("name", "-"),
                              form.field("missing", "-"))))

    @drops_blank_params
    async def search(request: Request) -> Response:
        return Response(str(request.url.query))

    async def missing(request: Request) -> Response:
        raise not_found()

    async def note_txt(request: Request) -> Response:
        return site.render(request, "note.txt", text=request.query_params.get("text", ""))

    async def signed_out(request: Request) -> Response:
        return site.sign_out(site.render(request, "notes.html", as_user=None, title="Bye",
                                         notes=[], messages=[Message("notice", "Signed out.")]))

    return site.app([
        Route("/", notes),
        Route("/notes", add_note, methods=["POST"]),
        Route("/mine", mine),
        Route("/echo", echo, methods=["POST"]),
        Route("/search", search),
        Route("/missing", missing),
        Route("/note.txt", note_txt),
        Route("/logout", signed_out),
    ])


class Host:
    """What the sandbox host gives each request: its tenant's database and the read-only flag."""

    def __init__(self, app, tenants: dict[str, sqlite3.Connection], readonly: bool = False):
        self.app, self.tenants, self.readonly = app, tenants, readonly

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            tenant = dict(scope["headers"]).get(b"x-tenant", b"a").decode()
            scope.setdefault("state", {}).update(db=self.tenants[tenant], readonly=self.readonly,
                                                 tenant=tenant)
        await self.app(scope, receive, send)


def tenant_db() -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:", check_same_thread=False)
    conn.row_factory = sqlite3.Row
    conn.executescript("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);"
                       "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT, user_id INTEGER);"
                       "INSERT INTO users VALUES (7, 'Alice');"
                       "INSERT INTO notes (body) VALUES ('first note');")
    return conn


@pytest.fixture
def site(tmp_path) -> SiteKit:
    return build_site(tmp_path)


@pytest.fixture
def tenants() -> dict[str, sqlite3.Connection]:
    return {"a": tenant_db(), "b": tenant_db()}


@pytest.fixture
def client(site, tenants) -> TestClient:
    return TestClient(Host(build_app(site), tenants), follow_redirects=False)


def sign_in(client: TestClient, user_id: int = 7) -> None:
    cookie = auth.session_cookie(SITE, user_id)
    client.cookies.set(cookie["name"], cookie["value"])


# -- the tenant's database ---------------------------------------------------------------------

def test_each_request_gets_its_tenants_database(client, tenants):
    sign_in(client)
    r = client.post("/notes", data={"body": "only in a"}, headers={"x-tenant": "a"})
    assert r.status_code == 302
    assert "only in a" in client.get("/", headers={"x-tenant": "a"}).text
    page_b = client.get("/", headers={"x-tenant": "b"}).text
    assert "first note" in page_b and "only in a" not in page_b
    assert tenants["b"].execute("SELECT count(*) FROM notes").fetchone()[0] == 1


# -- the current user --------------------------------------------------------------------------

def test_the_user_comes_from_the_sites_signed_cookie(client):
    assert "Sign in" in client.get("/").text
    sign_in(client)
    assert "Hello Alice" in client.get("/").text
    client.cookies.set(auth.cookie_name(SITE), "7.forged")
    assert "Sign in" in client.get("/").text


def test_another_sites_cookie_or_an_unknown_id_is_no_user(client):
    other = auth.session_cookie("other_site", 7)
    client.cookies.set(auth.cookie_name(SITE), other["value"])
    assert "Sign in" in client.get("/").text
    sign_in(client, user_id=99)  # signed, but no such user in this tenant's data
    assert client.get("/mine").status_code == 302


def test_as_user_shows_a_page_signed_out(client):
    sign_in(client)
    r = client.get("/logout")
    assert "Sign in" in r.text and "<p class='notice'>Signed out.</p>" in r.text
    deleted = [c for c in r.headers.get_list("set-cookie") if c.startswith(auth.cookie_name(SITE))]
    assert deleted and "Max-Age=0" in deleted[0]


# -- login required ----------------------------------------------------------------------------

def test_login_required_sends_a_get_to_sign_in_and_back(client):
    r = client.get("/mine?sort=new&p=2")
    assert r.status_code == 302
    assert r.headers["location"] == "/login?next=/mine%3Fsort%3Dnew%26p%3D2"
    assert "Please sign in." in client.get("/").text  # the notice, shown on the next page
    sign_in(client)
    assert "Notes of Alice" in client.get("/mine").text


def test_login_required_sends_a_post_back_to_the_forms_page(client, tenants):
    r = client.post("/notes", data={"body": "x"}, headers={"referer": "http://testserver/?t=1"})
    assert r.headers["location"] == "/login?next=/%3Ft%3D1"
    r = client.post("/notes", data={"body": "x"}, headers={"referer": "http://elsewhere/"})
    assert r.headers["location"] == "/login"
    assert tenants["a"].execute("SELECT count(*) FROM notes").fetchone()[0] == 1


def test_sign_in_url_without_a_way_back():
    policy = SignIn("/customer/account/login/", "referer")
    assert policy.url_to("") == "/customer/account/login/"
    assert policy.url_to("/a/b?c") == "/customer/account/login/?referer=%2Fa%2Fb%3Fc"


# -- render, redirect and messages -------------------------------------------------------------

def test_render_escapes_user_text(client, tenants):
    tenants["a"].execute("INSERT INTO notes (body) VALUES (?)", (PAYLOAD,))
    text = client.get("/", params={"t": PAYLOAD}).text
    assert PAYLOAD not in text
    assert text.count(str(escape(PAYLOAD))) == 2
    assert client.get("/note.txt", params={"text": PAYLOAD}).text == str(escape(PAYLOAD))


def test_a_redirects_message_shows_once_and_is_escaped(client):
    sign_in(client)
    r = client.post("/notes", data={"body": "  "})
    assert (r.status_code, r.headers["location"]) == (302, "/")
    assert "<p class='error'>Write something first.</p>" in client.get("/").text
    assert "Write something first." not in client.get("/").text
    response = SiteKit(SITE, Path(".")).redirect("/", PAYLOAD, "error")
    client.cookies.set(f"wag_{SITE}_flash", response.headers["set-cookie"].split(";")[0]
                       .split("=", 1)[1])
    text = client.get("/").text
    assert PAYLOAD not in text and str(escape(PAYLOAD)) in text


def test_the_redirect_status_is_the_sites(tmp_path, tenants):
    client = TestClient(Host(build_app(build_site(tmp_path, redirect_status=303)), tenants),
                        follow_redirects=False)
    sign_in(client)
    assert client.post("/notes", data={"body": "hi"}).status_code == 303
    client.cookies.clear()
    assert client.get("/mine").status_code == 302  # the way to sign in is always a 302


# -- forms -------------------------------------------------------------------------------------

def test_form_last_value_wins_and_lists_keep_every_value(client):
    body = "name=+Ann+&tag=a&tag=b&box=0&box=1"
    r = client.post("/echo", content=body,
                    headers={"content-type": "application/x-www-form-urlencoded"})
    assert r.text == repr(({"name": " Ann ", "tag": "b", "box": "1"}, ["a", "b"], "Ann", "-"))


def test_form_size_limits(client):
    r = client.post("/echo", data={"text": "x" * (1024 * 1024 + 1)})
    assert r.status_code == 413
    many = "&".join(f"f{i}=1" for i in range(1001))
    r = client.post("/echo", content=many,
                    headers={"content-type": "application/x-www-form-urlencoded"})
    assert r.status_code == 400
    r = client.post("/echo", files={"upload": ("a.txt", b"hello")})
    assert r.status_code == 400
    assert client.post("/echo", data={"text": "x" * 1000}).status_code == 200


def test_blank_query_parameters_are_dropped_with_a_redirect(client):
    r = client.get("/search?q=&sort=new&page=+")
    assert (r.status_code, r.headers["location"]) == (302, "/search?sort=new")
    r = client.get("/search?q=")
    assert r.headers["location"] == "/search"
    assert client.get("/search?q=shoes").text == "q=shoes"


# -- error pages -------------------------------------------------------------------------------

def test_not_found_pages_have_the_sites_look(client):
    for url in ("/no/such/page", "/missing"):
        r = client.get(url)
        assert r.status_code == 404
        assert "<h1>No such page</h1>" in r.text and "Notes for everyone" in r.text


def test_without_the_host_or_a_404_page_not_found_is_plain(tmp_path, site, tenants):
    assert TestClient(build_app(site)).get("/nowhere").text == "Not Found"
    bare = TestClient(Host(build_app(build_site(tmp_path, with_404=False)), tenants))
    r = bare.get("/missing")
    assert (r.status_code, r.text) == (404, "Not Found")


def test_writes_are_refused_on_the_read_only_copy(site, tenants):
    client = TestClient(Host(build_app(site), tenants, readonly=True), follow_redirects=False)
    sign_in(client)
    r = client.post("/notes", data={"body": "hello"})
    assert r.status_code == 403 and "Read-only notes" in r.text and "Hello Alice" in r.text
    assert tenants["a"].execute("SELECT count(*) FROM notes").fetchone()[0] == 1


# -- request helpers ---------------------------------------------------------------------------

@pytest.mark.parametrize(("target", "kept"), [
    ("/a/b?c=1", "/a/b?c=1"), ("//evil.test/x", ""), ("http://evil.test/", ""), ("", ""),
    ("javascript:alert(1)", ""),
])
def test_local_path_keeps_only_paths_of_this_site(target, kept):
    assert local_path(target) == kept


def test_referer_path_is_a_path_of_this_site_or_the_fallback():
    def request(referer: str | None) -> Request:
        headers = [(b"host", b"127.0.0.1:8000")]
        if referer is not None:
            headers.append((b"referer", referer.encode()))
        return Request({"type": "http", "method": "POST", "path": "/x", "query_string": b"",
                        "headers": headers, "scheme": "http", "server": ("127.0.0.1", 8000)})

    assert referer_path(request("http://127.0.0.1:8000/cart/?a=1")) == "/cart/?a=1"
    assert referer_path(request("http://127.0.0.1:8000/"), "/home") == "/"
    assert referer_path(request("http://127.0.0.1:8000"), "/home") == "/home"
    assert referer_path(request("http://other.test/cart/"), "/home") == "/home"
    assert referer_path(request(None)) == "/"
