"""Observation: element labelling in a real Chromium and pruning with lxml (DESIGN 3.2)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from lxml import etree

from webarena_gym.browser import Session, get_runtime
from webarena_gym.observation import (
    LABEL_ATTRIBUTE,
    PageObservation,
    observe_page,
    simplify_html,
    simplify_html_with_truncation,
)

MARKER = re.compile(r"<!-- truncated: (\d+) more characters; scroll to see more -->$")


def squash(text: str) -> str:
    """Text with all whitespace removed, for comparing renderings of the same words."""
    return re.sub(r"\s+", "", text)


def parse(html: str) -> etree._Element:
    """The observation as a tree (its output is well-formed XML, the marker aside)."""
    return etree.fromstring(MARKER.sub("", html))


def labelled(html: str) -> dict[str, etree._Element]:
    return {el.get("id"): el for el in parse(html).iter() if el.get("id") is not None}


# ----------------------------------------------------------------------------------------------
# simplify_html on hand-written input (no browser)
# ----------------------------------------------------------------------------------------------


def test_simplify_collapses_wrappers_and_drops_empty_elements():
    html = (
        '<html><body><div><div><div><a id="0">Sign In</a></div></div></div>'
        "<div><span></span><p>  </p></div>"
        '<div><span>Hello <b>big</b> world</span> <a id="1">more</a></div>'
        "<section><h2>Title</h2></section>"
        '<div><input id="2" type="text" placeholder="Search"/></div>'
        "</body></html>"
    )
    assert simplify_html(html) == (
        '<html><body><a id="0">Sign In</a>'
        '<div>Hello big world <a id="1">more</a></div>'
        "<h2>Title</h2>"
        '<input id="2" type="text" placeholder="Search"/>'
        "</body></html>"
    )


def test_simplify_keeps_labelled_and_informative_elements():
    html = (
        '<html><body><div id="4"><div><a id="5"></a></div></div>'
        '<img alt="A red mug"/><img/><span title="Rated 4 of 5"></span>'
        '<select id="6"><option>Red</option><option selected="true">Blue</option></select>'
        "</body></html>"
    )
    out = simplify_html(html)
    assert out == (
        '<html><body><div id="4"><a id="5"></a></div><img alt="A red mug"/>'
        '<span title="Rated 4 of 5"></span>'
        '<select id="6"><option>Red</option><option selected="true">Blue</option></select>'
        "</body></html>"
    )


def test_simplify_drops_non_whitelisted_attributes_scripts_comments_and_hidden():
    html = """<!doctype html><html><head><title>T</title><style>a{}</style></head><body>
      <!-- a comment -->
      <script>var secret = 1;</script>
      <div id="main" class="wrap" style="color:red" data-x="1">
        <a id="3" href="/x" class="btn" onclick="go()" data-track="y" title="Go there">Go</a>
        <input type="hidden" name="form_key" value="k">
        <input type="checkbox" name="agree" checked>
        <p hidden>never</p><p style="display: none">nope</p><p aria-hidden="true">no</p>
        <p>kept &amp; escaped &lt;b&gt;</p>
      </div></body></html>"""
    out = simplify_html(html)
    for gone in (
        "script",
        "style",
        "secret",
        "comment",
        "class=",
        "href=",
        "onclick",
        "data-",
        "form_key",
        "never",
        "nope",
        ">no<",
        'id="main"',
        "<title",
    ):
        assert gone not in out, gone
    assert '<a id="3" title="Go there">Go</a>' in out
    assert '<input type="checkbox" name="agree" checked="true"/>' in out
    assert "<p>kept &amp; escaped &lt;b&gt;</p>" in out


def test_simplify_truncates_at_a_tag_boundary_with_a_marker():
    items = "".join(
        f'<li><a id="{i}">Product number {i}</a> costs ${i}.99</li>' for i in range(200)
    )
    html = f"<html><body><ul>{items}</ul><footer>The end</footer></body></html>"
    full, cut = simplify_html_with_truncation(html)
    assert not cut and "The end" in full
    short, cut = simplify_html_with_truncation(html, max_chars=1000)
    assert cut
    assert len(short) <= 1000
    match = MARKER.search(short)
    assert match is not None
    body = MARKER.sub("", short)
    assert body.endswith("</ul></body></html>")  # open elements are closed again
    etree.fromstring(body)  # well-formed: cut between tags, never inside one
    assert '<a id="0">Product number 0</a>' in short and "The end" not in short
    assert int(match.group(1)) == len(full) - len(body) + len("</ul></body></html>")
    assert simplify_html(html, max_chars=len(full)) == full


def test_simplify_handles_empty_and_broken_input():
    assert simplify_html("") == ""
    out = simplify_html("<div><p>unclosed <a id='1'>link</div>")
    assert '<a id="1">link</a>' in out


# ----------------------------------------------------------------------------------------------
# observe_page in a real Chromium
# ----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def runtime():
    rt = get_runtime()
    rt.acquire()
    yield rt
    rt.release()


@pytest.fixture(scope="module")
def session(runtime) -> Iterator[Session]:
    sess = Session(runtime)
    runtime.run(sess.start())
    yield sess
    runtime.run(sess.close())


def open_page(runtime, session: Session, url: str) -> None:
    runtime.run(session.goto(url))


def observe(runtime, session: Session, **kwargs) -> PageObservation:
    return runtime.run(observe_page(session.page, **kwargs))


def evaluate(runtime, session: Session, script: str, arg=None):
    return runtime.run(session.page.evaluate(script, arg))


# Every element a page may make interactive, found independently of label.js.
CANDIDATES_JS = """(hiddenContainers) => {
  const selector = 'a, button, input, select, textarea, summary, [onclick], [role], [tabindex],'
    + ' [contenteditable], #pointer-div';
  return Array.from(document.querySelectorAll(selector)).map((el) => {
    const rect = el.getBoundingClientRect();
    const inHidden = hiddenContainers.some((sel) => el.closest(sel));
    const hiddenInput = el.localName === 'input' && el.type === 'hidden';
    return {
      key: el.id || el.outerHTML.slice(0, 80),
      expectVisible: !inHidden && !hiddenInput && rect.width > 0 && rect.height > 0,
      label: el.getAttribute('data-wag-id'),
    };
  });
}"""

SHOP_HIDDEN = [
    "#hidden-menu",
    "#aria-hidden-box",
    "#display-none-box",
    "#zero-box",
    "#cookie-banner",
]


@pytest.fixture(scope="module")
def shop(runtime, session, page_server):
    open_page(runtime, session, f"{page_server}/obs/shop.html")
    obs = observe(runtime, session)
    content = runtime.run(session.page.content())
    return obs, content


def test_shop_labels_every_visible_interactive_element(runtime, session, shop):
    obs, _ = shop
    rows = evaluate(runtime, session, CANDIDATES_JS, SHOP_HIDDEN)
    assert len(rows) > 300
    for row in rows:
        if row["expectVisible"]:
            assert row["label"] is not None, f"visible {row['key']} has no label"
        else:
            assert row["label"] is None, f"hidden {row['key']} was labelled {row['label']}"
    # the signals beyond the tag name
    for key in ("pointer-div", "onclick-div", "role-span", "tab-div", "search", "sorter"):
        assert (
            evaluate(runtime, session, f"document.getElementById('{key}').dataset.wagId")
            is not None
        ), key
    # children of a pointer-cursor element are not numbered again
    assert (
        evaluate(runtime, session, "document.querySelectorAll('#pointer-div [data-wag-id]').length")
        == 0
    )
    assert (
        obs.num_elements
        == len(obs.element_tags)
        == evaluate(runtime, session, f"document.querySelectorAll('[{LABEL_ATTRIBUTE}]').length")
    )


def test_shop_labels_point_at_the_live_elements(runtime, session, shop):
    obs, _ = shop
    nodes = labelled(obs.html)
    assert sorted(nodes, key=int) == [str(i) for i in range(obs.num_elements)]
    live = evaluate(
        runtime,
        session,
        """(attr) => Array.from(
        document.querySelectorAll('[' + attr + ']'),
        (el) => [el.getAttribute(attr), el.localName, el.innerText || ''])""",
        LABEL_ATTRIBUTE,
    )
    assert len(live) == obs.num_elements
    for number, tag, text in live:
        node = nodes[number]
        assert node.tag == tag == obs.element_tags[number]
        if tag not in ("select", "textarea", "input"):
            assert squash("".join(node.itertext())) == squash(text), number


def test_shop_observation_is_clean_and_small(shop):
    obs, content = shop
    html = obs.html
    assert html.startswith("<html><body>")
    assert abs(obs.raw_chars - len(re.sub(r' data-wag-id="\d+"', "", content))) < 50
    assert len(html) * 5 <= obs.raw_chars, (len(html), obs.raw_chars)
    for gone in (
        "<script",
        "<style",
        "<!--",
        "Magento_Ui",
        "checkout =",
        "class=",
        "style=",
        "onclick",
        "data-",
        "href=",
        "tabindex",
        "form_key",
        "Xk2p9Qa7Lm3",
        "Oral Care",
        "Never shown",
        "Hidden from assistive tech",
        "Zero size",
        "Allow Cookies",
        "<path",
        "<head>",
        "<title",
    ):
        assert gone not in html, gone
    # content an agent needs is there
    for kept in (
        "Sign In",
        "Summer Sale",
        "Free shipping over $50",
        "Add to Cart",
        'placeholder="Search entire store here..."',
        "<option>Outdoor</option>",
        'alt="One Stop Market"',
        'title="Cart icon"',
        "Customer Service link 8",
        "Copyright",
    ):
        assert kept in html, kept
    assert len(re.findall(r"\$\d+\.\d\d", html)) == 50


def test_reobserving_gives_identical_output(runtime, session, shop):
    obs, _ = shop
    again = observe(runtime, session)
    assert again == obs


def test_truncation(runtime, session, shop):
    obs, _ = shop
    cut = observe(runtime, session, max_chars=3000)
    assert cut.truncated and not obs.truncated
    assert len(cut.html) <= 3000
    assert MARKER.search(cut.html)
    assert cut.html.startswith(obs.html[:2000])
    assert cut.num_elements == obs.num_elements  # labels still cover the whole page


def test_dom_change_renumbers(runtime, session, page_server):
    open_page(runtime, session, f"{page_server}/obs/form.html")
    first = observe(runtime, session)
    evaluate(
        runtime,
        session,
        """() => {
        const b = document.createElement('button');
        b.textContent = 'Brand new';
        document.body.prepend(b);
        document.getElementById('save').remove();
        // a page copying a labelled element must not leave duplicate numbers behind
        document.body.append(document.getElementById('standard').cloneNode());
    }""",
    )
    second = observe(runtime, session)
    assert '<button id="0">Brand new</button>' in second.html
    assert "Save" in first.html and "Save" not in second.html
    assert (
        evaluate(runtime, session, "document.querySelector('[data-wag-id=\"0\"]').textContent")
        == "Brand new"
    )
    # (the shadow root's button and the iframe's link are labelled outside the main document)
    numbers = evaluate(
        runtime,
        session,
        """() => Array.from(
        document.querySelectorAll('[data-wag-id]'), (el) => el.getAttribute('data-wag-id'))""",
    )
    assert len(numbers) == len(set(numbers)) == second.num_elements - 2
    assert second.num_elements == first.num_elements + 1  # one button in, one out, one clone in


def test_form_shows_current_state(runtime, session, page_server):
    open_page(runtime, session, f"{page_server}/obs/form.html")
    page = session.page

    async def interact():
        await page.fill("#name", "Ada Lovelace")
        await page.fill("#pw", "secret")
        await page.check("#agree")
        await page.check("#express")
        await page.select_option("#color", "b")
        await page.fill("#notes", "leave at the door")
        await page.evaluate(
            "document.getElementById('aria-check').setAttribute('aria-checked', 'true')"
        )

    runtime.run(interact())
    obs = observe(runtime, session)
    nodes = {el.get("name"): el for el in labelled(obs.html).values() if el.get("name")}
    assert nodes["name"].get("value") == "Ada Lovelace"
    assert nodes["pw"].get("value") == "******"  # passwords are masked
    assert nodes["agree"].get("checked") == "true"
    assert nodes["gift"].get("checked") == "false"  # opacity-0 styled checkbox stays reachable
    assert nodes["notes"].get("value") == "leave at the door"
    color = nodes["color"]
    assert [o.text for o in color] == ["Red", "Blue", "Green"]  # hidden option left out
    assert [o.get("selected") for o in color] == [None, "true", None]
    radios = [el for el in labelled(obs.html).values() if el.get("name") == "ship"]
    assert [(r.get("value"), r.get("checked")) for r in radios] == [
        ("standard", "false"),
        ("express", "true"),
    ]
    assert '<div id="8" role="checkbox" checked="true">Subscribe to news</div>' in obs.html
    assert "secret" not in obs.html and "initial" not in obs.html


def test_form_special_containers(runtime, session, page_server):
    open_page(runtime, session, f"{page_server}/obs/form.html")
    obs = observe(runtime, session)
    tags = obs.element_tags
    html = obs.html
    # closed <details>: the summary is there, its content is not
    assert re.search(r'<summary id="\d+">More options</summary>', html)
    assert "Inside details" not in html
    # the root of a contenteditable region, once
    assert re.search(r'<div id="\d+">Edit me here</div>', html)
    # open shadow root, slots included
    assert re.search(r'Slotted label <button id="\d+">Shadow button</button>', html)
    # same-origin iframe: labelled in its own document, numbers unique across frames
    match = re.search(
        r'<iframe title="Help"><p>Need help\? <a id="(\d+)">Read the FAQ</a></p>'
        r"</iframe>",
        html,
    )
    assert match, html
    frame = session.page.frame_locator("#frame")
    assert (
        runtime.run(frame.locator(f'[{LABEL_ATTRIBUTE}="{match.group(1)}"]').inner_text())
        == "Read the FAQ"
    )
    assert "Hidden inner button" not in html
    assert sorted(tags, key=int) == [str(i) for i in range(obs.num_elements)]


def test_viewport_only(runtime, session, page_server):
    open_page(runtime, session, f"{page_server}/obs/long.html")
    whole = observe(runtime, session)
    top = observe(runtime, session, viewport_only=True)
    assert "Contact us" in whole.html and "Open item 120" in whole.html
    assert "Home" in top.html and "Open item 1<" in top.html
    assert "Contact us" not in top.html and "Open item 120" not in top.html
    assert len(top.html) * 5 < len(whole.html)
    assert top.num_elements < whole.num_elements
    runtime.run(session.page.evaluate("window.scrollTo(0, document.body.scrollHeight)"))
    bottom = observe(runtime, session, viewport_only=True)
    assert "Contact us" in bottom.html and "Open item 1<" not in bottom.html
