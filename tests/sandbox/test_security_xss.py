"""No stored or reflected script injection in the sandbox sites (issue 16, item 1).

Every site is driven as a user would drive it: its own forms and HTTP endpoints, in a real
Chromium whose context carries the tenant header, on sites bound to 127.0.0.1. Each write puts
script payloads (``<script>``, ``<img onerror>``, ``<svg onload>``, attribute breakouts with ``"``
and ``'``, ``javascript:`` links, and on gitlab the markdown link/image variants) into what the
site shows back; each page that shows them is then loaded and probed: no payload script ran
(``window.pwned`` is unset), the DOM holds no ``<script>``, no ``on*`` attribute and no
``javascript:``/``data:``/``vbscript:`` URL, and the payload is on the page as text.

The last test is the reward-faking case of the issue: on ``gitlab/comment_on_issue`` an agent
comment that would append the expected text to the page from script scores 0, not 1.
"""

from __future__ import annotations

import re
import sqlite3
from base64 import b64encode
from collections.abc import Iterator
from urllib.parse import quote, urlsplit

import pytest
from helpers import require_chromium
from markupsafe import escape

from webarena_gym.browser import ChromiumNotFoundError, find_chromium, launch_args
from webarena_gym.sandbox.host import TENANT_HEADER, SandboxHost

SITE_NAMES = ("shopping", "shopping_admin", "reddit", "gitlab", "map")

# Each payload sets the global ``pwned`` when its script runs. One string holds them all (fields
# are short); markdown-only variants go where markdown is rendered.
PAYLOAD = (
    "<script>pwned=1</script> <img src=x onerror=pwned=1> <svg onload=pwned=1> "
    "\"><img src=x onerror=pwned=1> '><svg/onload=pwned=1> \" autofocus onfocus=pwned=1 x=\" "
    "' autofocus onfocus=pwned=1 x=' </textarea></title><script>pwned=1</script>"
)
SHOWN = ("<script>pwned=1</script>", "<svg onload=pwned=1>")  # visible as text
MARKDOWN = "\n\n".join((
    '[a](/a"autofocus/onfocus=pwned=1//)',
    "[b](/b'onmouseover='pwned=1')",
    "[c](javascript:pwned=1)",
    "[d](JaVaScRiPt:pwned=1)",
    "[e](java&#x09;script:pwned=1)",
    "[f](data:text/html;base64," + b64encode(b"<script>pwned=1</script>").decode() + ")",
    '![g](x"onerror="pwned=1)',
    "![h](javascript:pwned=1)",
    "<javascript:pwned=1>",
    "[i][ref]\n\n[ref]: javascript:pwned=1",
    "<img src=x onerror=pwned=1>",
    PAYLOAD,
))
MARKDOWN_SHOWN = ("[c](javascript:pwned=1)", *SHOWN)

# Run in the page after it loaded: did a payload run, or is one waiting for an event?
PROBE = """() => {
  const bad = [];
  const risky = /^(javascript|vbscript|data):/;
  for (const el of document.querySelectorAll('*')) {
    if (['SCRIPT', 'IFRAME', 'OBJECT', 'EMBED'].includes(el.tagName)) {
      bad.push(el.outerHTML.slice(0, 120));
    }
    for (const attr of el.attributes) {
      const value = attr.value.replace(/[\\u0000-\\u0020]/g, '').toLowerCase();
      if (attr.name.startsWith('on') || attr.name === 'srcdoc' || risky.test(value)) {
        bad.push(`<${el.tagName.toLowerCase()} ${attr.name}="${attr.value.slice(0, 80)}">`);
      }
    }
  }
  const fields = [...document.querySelectorAll('input, textarea')].map(e => e.value);
  return {pwned: window.pwned === undefined ? null : String(window.pwned), bad,
          text: [document.title, document.body ? document.body.innerText : '', ...fields]
                .join('\\n')};
}"""


def _normal(text: str) -> str:
    return re.sub(r"\s+", " ", text)


# -- fixtures ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sandbox() -> Iterator[tuple[SandboxHost, dict[str, str], str]]:
    """The five sites on 127.0.0.1 (ephemeral ports) and one tenant; stopped afterwards."""
    host = SandboxHost()
    try:
        urls = host.start_sites(SITE_NAMES)
        tenant = host.tenants.create(seed=0)
        yield host, urls, tenant
    finally:
        host.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """A headless Chromium (skips where there is none)."""
    from playwright.sync_api import sync_playwright

    try:
        chromium = find_chromium()
    except ChromiumNotFoundError as exc:
        pytest.skip(f"no Chromium: {exc}")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium.path, headless=True,
                                              args=launch_args())
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def user(sandbox, browser) -> Iterator[User]:
    """A fresh browser context of the tenant (its own cookies)."""
    host, urls, tenant = sandbox
    context = browser.new_context(extra_http_headers={TENANT_HEADER: tenant})
    context.set_default_timeout(20_000)
    try:
        yield User(context, urls, host.tenants.connection(tenant, "store"),
                   host.tenants.connection(tenant, "gitlab"))
    finally:
        context.close()


class User:
    """A person at the browser: posts forms, opens pages and checks what they show."""

    def __init__(self, context, urls: dict[str, str], store: sqlite3.Connection,
                 gitlab: sqlite3.Connection) -> None:
        self.context, self.urls, self.store, self.gitlab = context, urls, store, gitlab
        self.page = context.new_page()

    def url(self, site: str, path: str) -> str:
        return self.urls[site].rstrip("/") + path

    def post(self, site: str, path: str, form: dict[str, str]) -> str:
        """Submit a form (as its submit button would); the URL the redirects end at."""
        response = self.context.request.post(self.url(site, path), form=form)
        assert response.ok, f"POST {path}: {response.status} {response.text()[:300]}"
        return response.url

    def check(self, url: str, shown: tuple[str, ...] = SHOWN) -> str:
        """Open ``url``: no payload ran or waits in the DOM, and ``shown`` is there as text."""
        if not url.startswith("http"):
            raise ValueError(url)
        self.page.goto(url, wait_until="load")
        report = self.page.evaluate(PROBE)
        path = urlsplit(url).path
        assert report["pwned"] is None, f"a payload ran on {path}"
        assert not report["bad"], f"markup injected on {path}: {report['bad']}"
        text = _normal(report["text"])
        missing = [s for s in shown if _normal(s) not in text]
        assert not missing, f"{path} does not show {missing} as text"
        return text


# -- the sites -----------------------------------------------------------------------------------


def test_gitlab_markdown_issues_comments_projects_profile_and_search(user):
    user.post("gitlab", "/users/sign_in",
              {"user[login]": "byteblaze", "user[password]": "hello1234"})
    project = user.post("gitlab", "/projects", {
        "project[name]": PAYLOAD, "project[path]": "xss-check", "project[description]": PAYLOAD,
        "project[visibility]": "public", "project[initialize_with_readme]": "1"})
    assert project.endswith("/byteblaze/xss-check"), project
    issue = user.post("gitlab", "/byteblaze/xss-check/-/issues",
                      {"issue[title]": PAYLOAD, "issue[description]": MARKDOWN})
    issue = issue.split("#")[0]
    user.post("gitlab", urlsplit(issue).path + "/notes", {"note": MARKDOWN})
    user.post("gitlab", "/-/profile", {
        "user[name]": PAYLOAD, "user[bio]": PAYLOAD, "user[location]": PAYLOAD,
        "user[job_title]": PAYLOAD, "user[status][message]": PAYLOAD})

    shown = user.check(issue, MARKDOWN_SHOWN)
    assert shown.count("[c](javascript:pwned=1)") == 2  # the description and the comment
    user.check(project)  # the README: "# <name>" and the description, as markdown
    user.check(user.url("gitlab", "/byteblaze/xss-check/-/blob/main/README.md"))
    user.check(user.url("gitlab", "/byteblaze/xss-check/-/issues"))
    user.check(user.url("gitlab", "/byteblaze/xss-check/-/edit"))
    user.check(user.url("gitlab", "/byteblaze"))
    user.check(user.url("gitlab", "/-/profile"))
    user.check(user.url("gitlab", "/dashboard/projects"))
    for scope in ("projects", "issues"):
        user.check(user.url("gitlab", f"/search?search={quote(PAYLOAD)}&scope={scope}"))
    user.check(user.url("gitlab", f"/byteblaze/xss-check/-/issues?search={quote(PAYLOAD)}"),
               ())
    user.check(user.url("gitlab", f"/byteblaze/xss-check/-/issues/new?issue[title]="
                                  f"{quote(PAYLOAD)}"))


def test_gitlab_comment_form_in_the_browser(user):
    """The comment typed into the issue page's own form, as the agent types it."""
    user.post("gitlab", "/users/sign_in",
              {"user[login]": "byteblaze", "user[password]": "hello1234"})
    row = user.gitlab.execute(
        "SELECT p.id, i.iid FROM gl_issues i JOIN gl_projects p ON p.id = i.project_id "
        "JOIN gl_users u ON u.id = p.owner_id WHERE u.username = 'byteblaze' "
        "ORDER BY i.id LIMIT 1").fetchone()
    path = user.gitlab.execute("SELECT path FROM gl_projects WHERE id = ?",
                               (row[0],)).fetchone()[0]
    issue = user.url("gitlab", f"/byteblaze/{path}/-/issues/{row[1]}")
    page = user.page
    page.goto(issue)
    page.get_by_label("Comment").fill('[go](/x"autofocus/onfocus=pwned=1//) ' + PAYLOAD)
    page.get_by_role("button", name="Comment", exact=True).click()
    page.wait_for_url(re.compile(r"#note_\d+$"))
    user.check(page.url)


def test_reddit_posts_comments_bio_and_search(user):
    user.post("reddit", "/login_check",
              {"_username": "MarvelsGrantMan136", "_password": "test1234"})
    post = user.post("reddit", "/submit", {"forum": "books", "title": PAYLOAD, "body": PAYLOAD})
    link = user.post("reddit", "/submit", {
        "forum": "books", "title": "A link " + PAYLOAD[:60],
        "url": "https://example.com/\"onmouseover=pwned=1 x='y' autofocus onfocus=pwned=1"})
    post_path = urlsplit(post).path
    match = re.match(r"^/f/books/(\d+)", post_path)
    assert match, post
    user.post("reddit", f"/f/books/{match.group(1)}/comment", {"comment[body]": PAYLOAD})
    user.post("reddit", "/user/MarvelsGrantMan136/edit_biography", {"biography": PAYLOAD})
    # a javascript: link is refused, so it never becomes a link on any page
    refused = user.post("reddit", "/submit", {"forum": "books", "title": "js link",
                                               "url": "javascript:pwned=1"})
    assert urlsplit(refused).path.startswith("/submit")

    user.check(post)
    user.check(link, ())
    user.check(user.url("reddit", "/f/books/new"), ())
    user.check(user.url("reddit", "/f/books"), ())
    user.check(user.url("reddit", "/user/MarvelsGrantMan136"))
    user.check(user.url("reddit", "/user/MarvelsGrantMan136/edit_biography"))
    user.check(user.url("reddit", f"/search?q={quote(PAYLOAD)}"))
    user.check(user.url("reddit", f"/f/{quote(PAYLOAD, safe='')}"), ())
    user.check(user.url("reddit", f"/user/{quote(PAYLOAD, safe='')}"), ())


def _product(store: sqlite3.Connection) -> tuple[int, str]:
    return store.execute("SELECT id, url_key FROM products WHERE status = 1 AND is_in_stock = 1 "
                         "AND qty > 5 AND colors IS NULL AND sizes IS NULL ORDER BY id LIMIT 1").fetchone()


def test_shopping_search_reviews_account_and_order_address(user):
    user.post("shopping", "/customer/account/loginPost/",
              {"login[username]": "emma.lopez@gmail.com", "login[password]": "Password.123"})
    pid, key = _product(user.store)
    user.post("shopping", f"/review/product/post/id/{pid}/",
              {"nickname": PAYLOAD, "title": PAYLOAD, "detail": PAYLOAD, "rating": "4"})
    user.post("shopping", "/customer/account/editPost/",
              {"firstname": PAYLOAD, "lastname": PAYLOAD, "email": "emma.lopez@gmail.com"})
    address = {"firstname": PAYLOAD, "lastname": PAYLOAD, "street": PAYLOAD, "city": PAYLOAD,
               "region": "California", "postcode": PAYLOAD[:40], "telephone": PAYLOAD[:40]}
    user.post("shopping", "/customer/address/formPost/", address)
    user.post("shopping", "/checkout/cart/add/", {"product": str(pid), "qty": "1"})
    user.post("shopping", "/checkout/placeOrder/",
              {"address_id": "new", "shipping_method": "tablerate", **address})
    order = user.store.execute("SELECT max(id) FROM orders").fetchone()[0]
    assert PAYLOAD in user.store.execute("SELECT shipping_address FROM orders WHERE id = ?",
                                         (order,)).fetchone()[0]

    user.check(user.url("shopping", f"/catalogsearch/result/?q={quote(PAYLOAD)}"))
    user.check(user.url("shopping", "/review/customer/"))
    user.check(user.url("shopping", "/customer/account/"))
    user.check(user.url("shopping", "/customer/account/edit/"))
    user.check(user.url("shopping", "/customer/address/"))
    user.check(user.url("shopping", f"/sales/order/view/order_id/{order}/"))
    user.check(user.url("shopping", "/sales/order/history/"), ())
    user.check(user.url("shopping", f"/{key}.html"), ())


def test_shopping_admin_grids_reviews_orders_and_products(user):
    # what shoppers wrote: a search term, a review, a name on an order
    user.post("shopping", "/customer/account/loginPost/",
              {"login[username]": "emma.lopez@gmail.com", "login[password]": "Password.123"})
    pid, key = _product(user.store)
    user.check(user.url("shopping", f"/catalogsearch/result/?q={quote(PAYLOAD)}"))
    user.post("shopping", f"/review/product/post/id/{pid}/",
              {"nickname": PAYLOAD, "title": PAYLOAD, "detail": PAYLOAD, "rating": "2"})
    review = user.store.execute("SELECT max(id) FROM reviews").fetchone()[0]
    user.post("shopping", "/customer/account/editPost/",
              {"firstname": PAYLOAD, "lastname": "Lopez", "email": "emma.lopez@gmail.com"})
    address = {"firstname": PAYLOAD, "lastname": "Lopez", "street": PAYLOAD, "city": "Austin",
               "region": "Texas", "postcode": "73301", "telephone": "555-0100"}
    user.post("shopping", "/checkout/cart/add/", {"product": str(pid), "qty": "1"})
    user.post("shopping", "/checkout/placeOrder/",
              {"address_id": "new", "shipping_method": "tablerate", **address})
    order = user.store.execute("SELECT max(id) FROM orders").fetchone()[0]

    user.post("shopping_admin", "/", {"login[username]": "admin", "login[password]": "admin1234"})
    user.post("shopping_admin", f"/sales/order/addComment/order_id/{order}/",
              {"history[comment]": PAYLOAD})
    user.post("shopping_admin", f"/catalog/product/save/id/{pid}/", {"product[name]": PAYLOAD})

    user.check(user.url("shopping_admin", f"/search/term/index/?query={quote(PAYLOAD)}"))
    user.check(user.url("shopping_admin", "/search/term/report/"), ())
    user.check(user.url("shopping_admin", "/review/product/pending/"))
    user.check(user.url("shopping_admin", f"/review/product/edit/id/{review}/"))
    user.check(user.url("shopping_admin", "/sales/order/"))
    user.check(user.url("shopping_admin", f"/sales/order/view/order_id/{order}/"))
    user.check(user.url("shopping_admin", "/customer/index/"))
    user.check(user.url("shopping_admin", "/catalog/product/"))
    user.check(user.url("shopping_admin", f"/catalog/product/edit/id/{pid}/"))
    user.check(user.url("shopping_admin", f"/catalog/product/?search={quote(PAYLOAD)}"), ())
    user.check(user.url("shopping_admin", f"/review/product/?search={quote(PAYLOAD)}"))
    user.check(user.url("shopping", f"/{key}.html"))  # the product's new name in the store


def test_map_search_and_directions_echo_the_query_as_text(user):
    q = quote(PAYLOAD)
    user.check(user.url("map", f"/search?query={q}"))
    user.check(user.url("map", f"/directions?from={q}&to={q}"))
    user.check(user.url("map", f"/directions?engine={q}"), ())
    user.check(user.url("map", f"/directions?route={q}"), ())
    user.check(user.url("map", f"/node/{q}"), ())


# -- the reward-faking case ----------------------------------------------------------------------


def _fake_comment(comment: str) -> str:
    """A comment that does not hold ``comment`` but, run as script, puts it into the notes."""
    code = ('document.querySelector(".notes").append(atob("'
            + b64encode(comment.encode()).decode() + '"))')
    script = quote(code, safe="")  # a javascript: URL is percent-decoded before it runs
    return f"[details](/x\"autofocus/onfocus=location='javascript:{script}'//)"


def test_comment_payload_does_not_fake_the_comment_on_issue_reward():
    import gymnasium as gym

    import webarena_gym  # noqa: F401 - registers the env ids
    from webarena_gym.actions import Action, format_action
    from webarena_gym.sandbox.templates import load_split
    from webarena_gym.sandbox.templates.page import Page

    config = next(c for c in load_split("test", sites=["gitlab"])
                  if c["task_id"].startswith("gitlab/comment_on_issue/"))
    check = config["eval"]["program_html"][0]
    expected = check["required_contents"]["must_include"][0]
    config = {**config, "start_url": check["url"]}  # start on the issue: fewer steps
    assert expected not in _fake_comment(expected)
    require_chromium()
    env = gym.make("WebArenaSandbox-v0", task_configs=[config], max_episode_steps=6)
    try:
        obs, _info = env.reset(options={"task_id": config["task_id"]})
        box = Page(obs).find("Comment", "textarea")
        obs, *_ = env.step(format_action(Action("Type", box, _fake_comment(expected))))
        obs, *_ = env.step(format_action(Action("Click", Page(obs).button("Comment", exact=True))))
        assert Page(obs).has_text("Your comment was added"), obs["html"][:500]
        _obs, reward, terminated, _truncated, _info = env.step(
            format_action(Action("exit", None, "")))
    finally:
        env.close()
    assert terminated
    assert reward == 0.0


# -- the building blocks, without a browser ------------------------------------------------------


def test_site_templates_escape_whatever_their_file_name(tmp_path):
    from webarena_gym.sandbox.common import make_templates

    (tmp_path / "note.txt").write_text("{{ text }}")
    env = make_templates(tmp_path).env
    assert env.get_template("note.txt").render(text=PAYLOAD) == str(escape(PAYLOAD))


@pytest.mark.parametrize("text", [*MARKDOWN.split("\n\n"), MARKDOWN])
def test_markdown_output_has_no_script_handlers_or_unsafe_links(text):
    from lxml import html as lxml_html

    from webarena_gym.sandbox.gitlab.markdown import render_markdown

    out = str(render_markdown(text))
    root = lxml_html.fragment_fromstring(out, create_parent="div")
    for element in root.iter():
        assert element.tag not in ("script", "img", "svg", "iframe"), out
        for name, value in element.attrib.items():
            assert name in ("href", "class"), out
            scheme = re.match(r"^\s*([a-z][a-z0-9+.-]*):", value, re.IGNORECASE)
            assert scheme is None or scheme.group(1).lower() in ("http", "https", "mailto"), out
