"""The ``webrl`` observation format (WebRL / WebAgent-R1's simplified HTML) next to the default."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from webarena_gym import WebArenaEnv
from webarena_gym.actions import execute_action, parse_action
from webarena_gym.browser import Session, get_runtime
from webarena_gym.observation import (
    LABEL_ATTRIBUTE,
    OBS_FORMATS,
    WEBRL_MAX_CHARS,
    PageObservation,
    check_obs_format,
    observe_page,
    render_webrl,
)

VIEWPORT = (1280, 720)
NUMBERED = re.compile(r'<(\w+) id="(\d+)"')


def render(html: str, max_chars: int | None = None) -> str:
    return render_webrl(html, VIEWPORT, label_attribute=LABEL_ATTRIBUTE, max_chars=max_chars)[0]


def numbered(html: str) -> dict[str, str]:
    """Number -> tag of every numbered element in a webrl observation."""
    return {number: tag for tag, number in NUMBERED.findall(html)}


def element_of(html: str, text: str) -> str:
    """The number of the webrl element whose own text is ``text``."""
    match = re.search(r'<\w+ id="(\d+)"[^>]*> ' + re.escape(text) + " ", html)
    assert match, f"no numbered element with text {text!r} in:\n{html}"
    return match.group(1)


# ----------------------------------------------------------------------------------------------
# render_webrl on hand-annotated HTML (no browser)
# ----------------------------------------------------------------------------------------------


def test_format_attributes_in_order_deduplicated_and_unescaped():
    html = (
        # (the <head> counts as a child with text, so <html> is written: two such children)
        '<html data-bbox="0,0,1280,720"><head><title>Shop</title></head>'
        '<body data-bbox="0,0,1280,720">'
        '<a title="Home" class="x" href="/" data-text="Home" data-bbox="1,2,30,17" '
        f'{LABEL_ATTRIBUTE}="0">Home</a>'
        '<input type="submit" value="Go" data-value="Go" data-bbox="40,2,30,20" '
        f'{LABEL_ATTRIBUTE}="1">'
        '<input type="hidden" value="tok" data-value="tok" data-bbox="0,0,0,0">'
        '<p data-text="a &amp; b" data-bbox="0,30,100,20">a &amp; b</p>'
        "</body></html>"
    )
    assert render(html) == (
        '<html data-bbox="0,0,1280,720"> <body data-bbox="0,0,1280,720"> '
        '<a id="0" title="Home" data-bbox="1,2,30,17"> Home </a> '
        '<input id="1" value="Go" type="submit" data-bbox="40,2,30,20"> </input> '
        '<input value="tok" data-bbox="0,0,0,0"> </input> '
        '<p data-text="a & b" data-bbox="0,30,100,20"> a & b </p> </body> </html>'
    )


def test_only_text_before_the_first_child_and_pass_through_wrappers():
    html = (
        '<html><body data-bbox="0,0,1280,720"><div data-bbox="0,0,100,20"><div>'
        '<p data-text="Chart off, click,." data-bbox="0,0,100,20">Chart off, click '
        f'<a data-text="here" data-bbox="60,0,20,20" {LABEL_ATTRIBUTE}="0">here</a>.</p>'
        "</div></div></body></html>"
    )
    # Every element with one child that has text and nothing of its own besides a box is
    # replaced by that child; the paragraph's text after the link shows only in data-text.
    assert render(html) == (
        '<p data-text="Chart off, click,." data-bbox="0,0,100,20"> Chart off, click '
        '<a id="0" data-text="here" data-bbox="60,0,20,20"> here </a> </p>'
    )


def test_outside_the_viewport_aria_hidden_and_unboxed_are_left_out():
    html = (
        '<html><body data-bbox="0,0,1280,3000">'
        '<p data-text="in" data-bbox="0,700,10,10">in</p>'
        '<p data-text="below" data-bbox="0,721,10,10">below</p>'
        '<p data-text="left" data-bbox="-50,0,40,10">left</p>'
        '<p data-text="hidden" aria-hidden="true" data-bbox="0,0,10,10">hidden</p>'
        '<p data-text="no box">no box</p>'
        '<select data-value="b" data-text="B" data-bbox="0,0,50,20" '
        f'{LABEL_ATTRIBUTE}="0"><option value="a">A</option>'
        '<option value="b" data-status="selected">B</option></select>'
        "</body></html>"
    )
    out = render(html)
    assert "> in <" in out
    for text in ("below", "left", "hidden", "no box"):
        assert text not in out
    # Options have no box but are written inside a written select.
    assert '<option value="a"> A </option> <option value="b" data-status="selected"> B </option>' in out


def test_length_cap_is_a_plain_cut():
    body = "".join(f'<p data-bbox="0,{i},10,1">row {i}</p>' for i in range(400))
    html = f'<html><body data-bbox="0,0,1280,720">{body}</body></html>'
    full, truncated = render_webrl(html, VIEWPORT, label_attribute=LABEL_ATTRIBUTE, max_chars=None)
    assert not truncated and len(full) > 5000
    cut, truncated = render_webrl(html, VIEWPORT, label_attribute=LABEL_ATTRIBUTE, max_chars=5000)
    assert truncated and cut == full[:5000]
    assert WEBRL_MAX_CHARS == 16384 - 512


def test_obs_format_is_validated():
    assert OBS_FORMATS == ("default", "webrl")
    assert check_obs_format("webrl") == "webrl"
    with pytest.raises(ValueError, match="'default', 'webrl'.*'html'"):
        check_obs_format("html")


# ----------------------------------------------------------------------------------------------
# Both formats on the same pages in a real Chromium
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


def observe(runtime, session: Session, url: str | None, obs_format: str) -> PageObservation:
    if url is not None:
        runtime.run(session.goto(url))
    return runtime.run(observe_page(session.page, obs_format=obs_format))


def live_labels(runtime, session: Session) -> dict[str, str]:
    """Label -> the live element's own id attribute."""
    return runtime.run(session.page.evaluate(
        "(attr) => Object.fromEntries(Array.from(document.querySelectorAll('[' + attr + ']'))"
        ".map((el) => [el.getAttribute(attr), el.id]))",
        LABEL_ATTRIBUTE,
    ))


def test_webrl_page_in_both_formats(runtime, session, page_server):
    url = f"{page_server}/obs/webrl.html"
    default = observe(runtime, session, url, "default")
    webrl = observe(runtime, session, None, "webrl")
    html = webrl.html
    assert html.startswith('<html data-bbox="0,0,1280,') and html.endswith("</body> </html>")
    assert not webrl.truncated

    # Innermost clickable gets the number: the span inside the home link, not the link.
    assert re.search(r'<a title="Go home" data-bbox="[\d,]+"> <span id="0" data-text="Home"', html)
    # Kept attributes: live values, checkbox status, the selected option, no name/href/class.
    assert '<input id="2" type="text" placeholder="Search here" data-bbox=' in html
    assert re.search(r'<input id="3" type="checkbox" data-value="on" data-bbox="[\d,]+" '
                     r'data-status="checked">', html)
    assert re.search(r'<select id="4" data-value="m" data-text="Medium" data-bbox="[\d,]+">', html)
    assert '<option value="m" data-text="Medium" data-status="selected"> Medium </option>' in html
    for attribute in ("name=", "href=", "class=", "placeholder=\"Search here\" name"):
        assert attribute not in html
    assert "secret-token" not in html  # a hidden input has no box
    # A class containing "button" makes a div clickable; text after a child is data-text only.
    assert element_of(html, "Fake button") == "6"
    assert re.search(r'<p data-text="Intro text,tail text" data-bbox="[\d,]+"> Intro text <b ', html)
    # Occlusion: the covered button is shown, unnumbered; viewport only: the far link is not.
    assert re.search(r'<button type="button" data-text="Covered" data-bbox="[\d,]+"> Covered', html)
    assert "Far below" not in html
    assert numbered(html) == {"0": "span", "1": "a", "2": "input", "3": "input", "4": "select",
                              "5": "button", "6": "div"}
    assert webrl.element_tags == numbered(html)
    # The labels on the live page are the numbers shown.
    assert live_labels(runtime, session) == {
        "0": "", "1": "plain", "2": "q", "3": "agree", "4": "size", "5": "go", "6": "fake"}

    # The default format numbers the covered button and the far link too, and the home link.
    assert "Far below" in default.html and "Covered" in default.html
    assert default.num_elements == 8 and 'id="0" title="Go home"' in default.html
    assert "data-bbox" not in default.html


@pytest.mark.parametrize("obs_format", OBS_FORMATS)
def test_click_by_number(runtime, session, page_server, obs_format):
    obs = observe(runtime, session, f"{page_server}/obs/webrl.html", obs_format)
    number = element_of(obs.html, "Go") if obs_format == "webrl" else re.search(
        r'<button id="(\d+)">Go<', obs.html).group(1)
    runtime.run(execute_action(session.page, parse_action(
        f'do(action="Click", element="{number}")'), timeout_ms=2000))
    after = observe(runtime, session, None, obs_format)
    assert "clicked" in after.html and "not yet" not in after.html


def test_shop_viewport_only_and_reobserving(runtime, session, page_server):
    url = f"{page_server}/obs/shop.html"
    default = observe(runtime, session, url, "default")
    first = observe(runtime, session, None, "webrl")
    again = observe(runtime, session, None, "webrl")
    assert first.html == again.html  # the same page state, the same observation
    assert 0 < first.num_elements < default.num_elements  # only the viewport's elements
    boxes = [tuple(int(v) for v in box.split(","))
             for box in re.findall(r'data-bbox="(-?\d+,-?\d+,-?\d+,-?\d+)"', first.html)]
    assert all(y <= 720 and y + h >= 0 for _, y, _, h in boxes)
    runtime.run(session.page.evaluate("window.scrollTo(0, 1500)"))
    scrolled = observe(runtime, session, None, "webrl")
    assert scrolled.html != first.html and scrolled.num_elements > 0


# ----------------------------------------------------------------------------------------------
# The env option
# ----------------------------------------------------------------------------------------------


def _task(start_url: str) -> dict:
    return {
        "sites": ["shopping"], "task_id": 0, "require_login": False, "storage_state": None,
        "start_url": start_url, "geolocation": None, "intent_template": "",
        "instantiation_dict": {}, "intent": "open the second page", "require_reset": False,
        "eval": {"eval_types": ["url_match"], "reference_answers": None,
                 "reference_url": "__SHOPPING__/env/second.html", "program_html": [],
                 "string_note": "", "url_note": "GOLD in PRED"},
    }


def test_env_rejects_an_unknown_format(page_server):
    with pytest.raises(ValueError, match="obs_format must be one of 'default', 'webrl'"):
        WebArenaEnv([_task("__SHOPPING__/env/index.html")], {"shopping": page_server},
                    obs_format="webrl2")


def test_env_webrl_click_by_number(page_server):
    env = WebArenaEnv([_task("__SHOPPING__/env/index.html")], {"shopping": page_server},
                      max_episode_steps=3, obs_format="webrl", navigation_timeout_ms=3000)
    try:
        obs, _ = env.reset(options={"task_id": 0})
        assert obs["html"].startswith("<html data-bbox=")
        link = element_of(obs["html"], "Second page")
        obs, *_ = env.step(f'do(action="Click", element="{link}")')
        assert obs["url"] == f"{page_server}/env/second.html"
        assert obs["last_action_error"] == "" and "data-bbox" in obs["html"]
        _, reward, terminated, _, _ = env.step('exit(message="done")')
        assert (reward, terminated) == (1.0, True)
    finally:
        env.close()


@pytest.mark.parametrize("obs_format", OBS_FORMATS)
def test_sandbox_shop_in_both_formats(obs_format):
    from webarena_gym.sandbox.env import SandboxEnv

    env = SandboxEnv(sites=["shopping"], split="train", obs_format=obs_format, max_episode_steps=3)
    try:
        obs, _ = env.reset(seed=0)
        html = obs["html"]
        assert ("data-bbox=" in html) == (obs_format == "webrl")
        match = re.search(r'<a id="(\d+)"[^>]*>\s*My Account\s*<', html)
        assert match, html[:2000]
        obs, *_ = env.step(f'do(action="Click", element="{match.group(1)}")')
        assert obs["last_action_error"] == ""
        assert obs["url"].endswith("/customer/account/")
    finally:
        env.close()
