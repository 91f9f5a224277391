"""The action grammar: parsing model text, formatting it back, and executing on real pages."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable, Iterator

import pytest

from webarena_gym.actions import (
    ACTION_SPECS,
    LABEL_ATTRIBUTE,
    Action,
    ActionExecutionError,
    ActionParseError,
    execute,
    execute_action,
    format_action,
    parse_action,
)

# --------------------------------------------------------------------------------------------
# Parsing: the DESIGN 3.3 table
# --------------------------------------------------------------------------------------------

DESIGN_TABLE = [
    ('do(action="Click", element="12")', Action("Click", "12", None)),
    ('do(action="Type", argument="hello", element="7")', Action("Type", "7", "hello")),
    ('do(action="Search", argument="shoes", element="3")', Action("Search", "3", "shoes")),
    ('do(action="Hover", element="5")', Action("Hover", "5", None)),
    (
        'do(action="Select Dropdown Option", argument="Blue", element="9")',
        Action("Select Dropdown Option", "9", "Blue"),
    ),
    ('do(action="Scroll Down")', Action("Scroll Down")),
    ('do(action="Scroll Up")', Action("Scroll Up")),
    ('do(action="Press Enter")', Action("Press Enter")),
    ('do(action="Go Backward")', Action("Go Backward")),
    ('do(action="Go Forward")', Action("Go Forward")),
    ("go_backward()", Action("Go Backward")),
    ("go_forward()", Action("Go Forward")),
    ('do(action="Wait")', Action("Wait")),
    ('exit(message="the answer")', Action("exit", None, "the answer")),
    ("exit()", Action("exit", None, "")),
    ('exit("positional answer")', Action("exit", None, "positional answer")),
]


@pytest.mark.parametrize(("text", "expected"), DESIGN_TABLE)
def test_design_table(text: str, expected: Action) -> None:
    assert parse_action(text) == expected


def test_think_answer_format() -> None:
    text = (
        "<think>The search box is element 3, so I type the query there.</think>"
        '<answer>do(action="Search", argument="red shoes", element="3")</answer>'
    )
    assert parse_action(text) == Action("Search", "3", "red shoes")


def test_answer_beats_calls_in_think_and_after() -> None:
    text = (
        '<think>Maybe do(action="Click", element="1")? No, better to scroll.</think>\n'
        '<answer>do(action="Scroll Down")</answer>\n'
        'Afterwards I might do(action="Click", element="2").'
    )
    assert parse_action(text) == Action("Scroll Down")


def test_answer_without_closing_tag() -> None:
    assert parse_action('<think>ok</think><answer>do(action="Hover", element="4")') == Action(
        "Hover", "4"
    )


def test_prose_before_and_after() -> None:
    text = (
        "The cart is empty, so I will open the product page.\n"
        'do(action="Click", element="42")\n'
        "This should show the product details."
    )
    assert parse_action(text) == Action("Click", "42")


@pytest.mark.parametrize(
    "text",
    [
        '```python\ndo(action="Click", element="8")\n```',
        '```\ndo(action="Click", element="8")\n```\n',
        'Action: `do(action="Click", element="8")`',
        '  do(action="Click", element="8");  \n',
        "do(action='Click', element='8')",
        'do(element="8", action="Click")',
        "do(action='Click', element=8)",
        'do(action="click", element="8")',
        'do(action="CLICK", element=" 8 ")',
        'Do(Action="Click", Element="8")',
        'do(\n    action="Click",\n    element="8",\n)',
    ],
)
def test_accepted_variants(text: str) -> None:
    assert parse_action(text) == Action("Click", "8")


# What the WebArena-Lite harness (VisualAgentBench's ``create_webrl_id_based_action``) accepts:
# it reads the keywords an action needs and ignores the others (any literal value), and it
# ignores positional arguments of do().
HARNESS_ACCEPTS = [
    ('do(action="Click", element="3", argument="x")', Action("Click", "3")),
    ('do(action="Click", element="3", argument=None)', Action("Click", "3")),
    ('do(action="Hover", element="3", argument="")', Action("Hover", "3")),
    ('do(action="Click", element="3", target="x")', Action("Click", "3")),
    (
        'do(action="Click", element="3", reason="the blue button", confidence=0.9)',
        Action("Click", "3"),
    ),
    ('do(action="Scroll Down", element="3")', Action("Scroll Down")),
    ('do(action="Scroll Up", argument="a lot")', Action("Scroll Up")),
    ('do(action="Press Enter", element="7")', Action("Press Enter")),
    ('do(action="Go Backward", element="1", argument="x")', Action("Go Backward")),
    ('do(action="Wait", element="1")', Action("Wait")),
    (
        'do(action="Type", argument="hi", element="7", instruction="the search box")',
        Action("Type", "7", "hi"),
    ),
    ('do("Click", action="Click", element="3")', Action("Click", "3")),
    ('exit(message="b", confidence=1)', Action("exit", None, "b")),
    ('exit("a", message="b")', Action("exit", None, "b")),
    # quoting variants: any Python string literal
    ("do(action='''Click''', element=\"\"\"3\"\"\")", Action("Click", "3")),
    ('do(action=r"Click", element=u"3")', Action("Click", "3")),
    (
        'do(action="Sel" "ect Dropdown Option", argument=("Bl" "ue"), element="9")',
        Action("Select Dropdown Option", "9", "Blue"),
    ),
    ("do(action=\"Type\", argument='say \"hi\"', element='7')", Action("Type", "7", 'say "hi"')),
    (
        '# Element: the search box\ndo(action="Search", argument="shoes", element="3")',
        Action("Search", "3", "shoes"),
    ),
]


@pytest.mark.parametrize(("text", "expected"), HARNESS_ACCEPTS)
def test_accepts_what_the_harness_accepts(text: str, expected: Action) -> None:
    assert parse_action(text) == expected


def test_last_call_wins() -> None:
    text = 'First do(action="Click", element="1"), then do(action="Type", argument="x", element=2)'
    assert parse_action(text) == Action("Type", "2", "x")


@pytest.mark.parametrize(
    ("name", "canonical"),
    [
        ("select dropdown option", "Select Dropdown Option"),
        ("SELECT_DROPDOWN_OPTION", "Select Dropdown Option"),
        ("scroll  down", "Scroll Down"),
        ("press enter", "Press Enter"),
        ("go backward", "Go Backward"),
        ("Go_Forward", "Go Forward"),
        ("wait", "Wait"),
    ],
)
def test_case_insensitive_names(name: str, canonical: str) -> None:
    spec = next(s for s in ACTION_SPECS if s.name == canonical)
    element = ', element="3"' if spec.needs_element else ""
    argument = ', argument="Blue"' if spec.needs_argument else ""
    assert parse_action(f'do(action="{name}"{argument}{element})').name == canonical


def test_parentheses_and_quotes_inside_arguments() -> None:
    text = 'do(action="Type", argument="f(x) = (a + b)) \\" \' ; do(", element="5")'
    assert parse_action(text) == Action("Type", "5", "f(x) = (a + b)) \" ' ; do(")


def test_call_text_inside_an_argument_is_not_a_call() -> None:
    text = 'do(action="Type", argument="then exit(message=\'x\') and go_back()", element="3")'
    assert parse_action(text) == Action("Type", "3", "then exit(message='x') and go_back()")


def test_escaped_and_raw_newlines() -> None:
    assert parse_action('do(action="Type", argument="line 1\\nline 2", element="2")') == Action(
        "Type", "2", "line 1\nline 2"
    )
    # A literal line break inside a one-line string is a syntax error in Python; models write
    # it anyway when typing into a textarea, so it is read as a newline.
    assert parse_action('do(action="Type", argument="line 1\nline 2", element="2")') == Action(
        "Type", "2", "line 1\nline 2"
    )
    assert parse_action('do(action="Type", argument="""a\nb""", element="2")') == Action(
        "Type", "2", "a\nb"
    )


def test_exit_variants() -> None:
    assert parse_action("exit(message='It\\'s $12.50')") == Action("exit", None, "It's $12.50")
    assert parse_action("<answer>exit(message=\"\")</answer>") == Action("exit", None, "")
    assert parse_action("exit(message=42)") == Action("exit", None, "42")
    assert parse_action("Done. sys.exit(1) is not it; exit(message='ok')") == Action(
        "exit", None, "ok"
    )


def test_names_inside_longer_words_are_ignored() -> None:
    assert parse_action('undo(1) redo(2) do(action="Wait")') == Action("Wait")


# --------------------------------------------------------------------------------------------
# Parsing: errors a model can act on
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "mentions"),
    [
        ("I think I should click the button.", ["no action", 'do(action="Click"']),
        ("<answer>Click the button</answer>", ["<answer>", "no action"]),
        ("", ["no action"]),
        ('do(action="Tap", element="3")', ["Unknown action", "Tap", "Click", "Scroll Down"]),
        ('do(action="exit", argument="x")', ["Unknown action", "exit(message="]),
        ('do(action="Click")', ["Click needs", "element"]),
        ('do(action="Type", element="3")', ["Type needs an argument"]),
        ('do(action="Search", element="3")', ["Search needs an argument"]),
        ('do(action="Select Dropdown Option", element="3")', ["needs an argument"]),
        ("do(action=foo())", ["quoted string", "foo()"]),
        ('do(action="Click", element=get_id())', ["element", "get_id()"]),
        ('do(action="Click", element="abc")', ["element", "non-negative integer", "abc"]),
        ('do(action="Click", element="-1")', ["non-negative integer"]),
        ('do(action="Click", element=-1)', ["non-negative integer"]),
        ('do(action="Click", element=1.5)', ["non-negative integer"]),
        ('do(action="Click", element=True)', ["non-negative integer"]),
        ('do(action="Click", element="12a")', ["non-negative integer"]),
        ('do(action=["Click"], element="1")', ["action name must be a string"]),
        ('do(action="Type", argument=["a"], element="1")', ["quoted string"]),
        ('do("Click", "12")', ["keyword arguments only"]),
        ('do(action="Click", element="3", reason=foo())', ["reason=", "foo()"]),
        ('do(action="Click", Element="3", ELEMENT="4")', ["element", "twice"]),
        ('exit("a", "b")', ["one message"]),
        ('do(action="Wait", **{"x": 1})', ["**"]),
        ('do(element="12")', ["needs action="]),
        ('do(action="Click", element="1", action="Hover")', ["action"]),
        ('do(**{"action": "Wait"})', ["**"]),
        ('exit(answer="x")', ["unknown keyword", "answer", "message="]),
        ("go_backward(1)", ["takes no arguments"]),
        ("exit(message='It's 5')", ["Could not read", "escaping quotes"]),
        ('do(action="Click", element="3"', ["Could not read", "parentheses"]),
    ],
)
def test_parse_errors_say_what_is_wrong(text: str, mentions: list[str]) -> None:
    with pytest.raises(ActionParseError) as info:
        parse_action(text)
    message = str(info.value)
    for part in mentions:
        assert part.lower() in message.lower(), message


def test_a_broken_final_call_is_reported_not_skipped() -> None:
    text = 'do(action="Click", element="1")\nNow the answer: exit(message="unterminated)'
    with pytest.raises(ActionParseError, match="Could not read"):
        parse_action(text)


def test_parse_error_is_a_value_error() -> None:
    assert issubclass(ActionParseError, ValueError)


def test_no_eval_happens(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    monkeypatch.setattr("builtins.print", lambda *a: calls.append("printed"))
    with pytest.raises(ActionParseError):
        parse_action('do(action=print("x") or "Click", element="1")')
    assert calls == []


def test_large_output_with_many_parentheses_stays_fast() -> None:
    # Not a timing assertion: a pathological text must simply finish (the prefix search is bounded).
    text = "do(" + "(x) " * 5000 + 'do(action="Wait")'
    assert parse_action(text) == Action("Wait")


# --------------------------------------------------------------------------------------------
# ACTION_SPECS and format_action
# --------------------------------------------------------------------------------------------


def test_action_specs_examples_parse_and_round_trip() -> None:
    names = [spec.name for spec in ACTION_SPECS]
    assert len(names) == len(set(names))
    assert {
        "Click", "Type", "Search", "Hover", "Select Dropdown Option", "Scroll Down", "Scroll Up",
        "Press Enter", "Go Backward", "Go Forward", "Wait", "exit",
    } == set(names)
    for spec in ACTION_SPECS:
        action = parse_action(spec.example)
        assert action.name == spec.name
        assert (action.element is not None) == spec.needs_element
        assert (action.argument is not None) == spec.needs_argument
        assert format_action(action) == spec.example
        assert parse_action(format_action(action)) == action
        assert spec.description and "\n" not in spec.description


TRICKY_ARGUMENTS = [
    "",
    "hello",
    'say "hi"',
    "it's",
    "back\\slash",
    "trailing backslash\\",
    "line 1\nline 2\r\nline 3",
    "tab\there",
    "unicode: café, 東京, 😀, ümlaut",
    "\u2028 separators \u2029 and \x85",
    "\x00\x07\x1b control",
    "f(x) = (a + b)) ; do(action=\"Click\", element=\"1\")",
    "exit(message='x')",
    "</answer><answer>",
    "'''\"\"\"",
    "   spaces around   ",
    "\ud800 lone surrogate",
]


@pytest.mark.parametrize("argument", TRICKY_ARGUMENTS)
@pytest.mark.parametrize("name", ["Type", "Search", "Select Dropdown Option", "exit"])
def test_format_round_trip(name: str, argument: str) -> None:
    element = None if name == "exit" else "17"
    action = Action(name, element, argument)
    text = format_action(action)
    assert parse_action(text) == action
    assert parse_action(f"<think>reason</think><answer>{text}</answer>") == action
    assert parse_action(f"Prose first.\n```\n{text}\n```\nProse after.") == action


def test_format_round_trip_generated() -> None:
    rng = random.Random(1234)
    alphabet = "ab \"'\\\n\t()[]{};,#=é漢😀\r<>`$%" + "x" * 10
    for _ in range(500):
        spec = rng.choice(ACTION_SPECS)
        element = str(rng.randrange(0, 100_000)) if spec.needs_element else None
        argument = (
            "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 40)))
            if spec.needs_argument
            else None
        )
        action = Action(spec.name, element, argument)
        assert parse_action(format_action(action)) == action, action


def test_format_canonical_text() -> None:
    assert format_action(Action("Type", "7", "hello")) == (
        'do(action="Type", argument="hello", element="7")'
    )
    assert format_action(Action("exit", None, "the answer")) == 'exit(message="the answer")'
    assert format_action(Action("Go Backward")) == 'do(action="Go Backward")'


def test_format_rejects_invalid_actions() -> None:
    with pytest.raises(ValueError, match="Unknown action"):
        format_action(Action("Fly", "1"))
    with pytest.raises(ValueError, match="needs"):
        format_action(Action("Click"))
    with pytest.raises(ValueError, match="non-negative integer"):
        format_action(Action("Click", "x1"))


# --------------------------------------------------------------------------------------------
# Execution on a real Chromium
# --------------------------------------------------------------------------------------------

LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


class _Browser:
    """One Chromium for this module, driven through Playwright's async API on a private loop."""

    def __init__(self) -> None:
        from playwright.async_api import async_playwright

        from webarena_gym.browser.discovery import find_chromium

        self.loop = asyncio.new_event_loop()
        self._playwright = None
        self.browser = None
        try:
            self._playwright = self.loop.run_until_complete(async_playwright().start())
            self.browser = self.loop.run_until_complete(
                self._playwright.chromium.launch(
                    executable_path=find_chromium().path, args=LAUNCH_ARGS
                )
            )
        except BaseException:
            self.close()
            raise

    def run(self, scenario: Callable[..., Awaitable[None]], url: str) -> None:
        """Open ``url`` in a fresh context and run ``scenario(page)`` on it."""

        async def main() -> None:
            context = await self.browser.new_context()
            try:
                page = await context.new_page()
                await page.goto(url)
                await scenario(page)
            finally:
                await context.close()

        self.loop.run_until_complete(main())

    def close(self) -> None:
        try:
            if self.browser is not None:
                self.loop.run_until_complete(self.browser.close())
            if self._playwright is not None:
                self.loop.run_until_complete(self._playwright.stop())
        finally:
            self.loop.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[_Browser]:
    handle = _Browser()
    try:
        yield handle
    finally:
        handle.close()


@pytest.fixture()
def run(
    browser: _Browser, page_server: str
) -> Callable[[str, Callable[..., Awaitable[None]]], None]:
    """``run("click.html", scenario)`` opens tests/pages/actions/click.html and runs it."""

    def _run(page_name: str, scenario: Callable[..., Awaitable[None]]) -> None:
        browser.run(scenario, f"{page_server}/actions/{page_name}")

    return _run


async def _do(page, text: str, **kwargs) -> None:
    """Parse ``text`` and execute it, as the env does."""
    await execute_action(page, parse_action(text), **kwargs)


def test_label_attribute_name() -> None:
    assert LABEL_ATTRIBUTE == "data-wag-id"


# Navigation tests read the page right after execute_action returns, with no wait of their
# own: the next observation is taken exactly then, so the new document must already be there.


def test_click_follows_a_link(run) -> None:
    async def scenario(page) -> None:
        await _do(page, 'do(action="Click", element="1")')
        assert page.url.endswith("/actions/target.html")
        assert await page.text_content("#title") == "Target page"

    run("click.html", scenario)


def test_click_toggles_a_button(run) -> None:
    async def scenario(page) -> None:
        await _do(page, 'do(action="Click", element="2")')
        assert await page.text_content("#toggle") == "On"
        await _do(page, 'do(action="Click", element=2)')
        assert await page.text_content("#toggle") == "Off"
        await _do(page, 'do(action="Click", element="4")')
        assert await page.text_content("#clickable-span") == "Span clicked"

    run("click.html", scenario)


def test_click_on_a_covered_element_falls_back_to_dom_click(run) -> None:
    async def scenario(page) -> None:
        await _do(page, 'do(action="Click", element="3")', timeout_ms=300)
        assert await page.text_content("#covered") == "Clicked"
        await _do(page, 'do(action="Click", element="6")', timeout_ms=300)
        assert page.url.endswith("/actions/target.html")
        assert await page.text_content("#title") == "Target page"

    run("click.html", scenario)


def test_type_clears_then_types_without_enter(run) -> None:
    async def scenario(page) -> None:
        url = page.url
        await _do(page, 'do(action="Type", argument="new text", element="1")')
        assert await page.input_value("#name") == "new text"
        assert page.url == url  # Type never submits
        await _do(page, 'do(action="Type", argument="", element="1")')
        assert await page.input_value("#name") == ""

    run("form.html", scenario)


def test_type_into_textarea_keeps_newlines(run) -> None:
    async def scenario(page) -> None:
        await _do(page, 'do(action="Type", argument="first line\\nsecond line", element="2")')
        assert await page.input_value("#notes") == "first line\nsecond line"

    run("form.html", scenario)


def test_type_into_contenteditable_clears_with_select_all(run) -> None:
    async def scenario(page) -> None:
        await _do(page, 'do(action="Type", argument="fresh words", element="3")')
        text = await page.evaluate("document.getElementById('editor').innerText")
        assert text.strip() == "fresh words"

    run("form.html", scenario)


def test_search_types_and_submits(run) -> None:
    async def scenario(page) -> None:
        await _do(page, 'do(action="Search", argument="red shoes", element="4")')
        assert "/echo?" in page.url
        assert await page.text_content("#q") == "q=red shoes"  # the old query was cleared

    run("form.html", scenario)


def test_press_enter_submits_the_focused_form(run) -> None:
    async def scenario(page) -> None:
        await _do(page, 'do(action="Type", argument="typed", element="9")')
        assert "/echo" not in page.url
        await _do(page, 'do(action="Press Enter")')
        assert "/echo?" in page.url
        assert await page.text_content("#q") == "p=typed"

    run("form.html", scenario)


def test_hover_triggers_mouseover_and_hover_style(run) -> None:
    async def scenario(page) -> None:
        await _do(page, 'do(action="Hover", element="8")')
        assert await page.text_content("#hover-status") == "hovered"
        assert await page.evaluate("document.getElementById('hover-box').matches(':hover')")

    run("form.html", scenario)


def test_other_actions_leave_no_hover_behind(run) -> None:
    # A click puts the pointer on the element; left there, the next page would be hovered
    # wherever it lands, or not, as Chromium's timing goes. Every action but Hover parks it.
    hovered = "document.getElementById('hover-box').matches(':hover')"

    async def scenario(page) -> None:
        await _do(page, 'do(action="Click", element="8")')
        assert await page.text_content("#hover-status") == "hovered"  # the click went there
        assert not await page.evaluate(hovered)
        await _do(page, 'do(action="Hover", element="8")')
        assert await page.evaluate(hovered)
        await _do(page, 'do(action="Scroll Down")')
        assert not await page.evaluate(hovered)

    run("form.html", scenario)


@pytest.mark.parametrize(
    ("argument", "value"),
    [("Green", "g"), ("green", "g"), ("Dark Blue", "b"), ("dark  blue", "b"), ("r", "r")],
)
def test_select_dropdown_option_by_label(run, argument: str, value: str) -> None:
    async def scenario(page) -> None:
        await execute_action(page, Action("Select Dropdown Option", "5", argument))
        assert await page.input_value("#color") == value

    run("form.html", scenario)


def test_a_slow_navigation_is_not_an_error(run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(execute, "SETTLE_TIMEOUT_MS", 300)

    async def scenario(page) -> None:
        # The click worked; the page just has not answered yet. The wait for it is bounded
        # and the observation will show whatever has loaded by then.
        await _do(page, 'do(action="Click", element="7")', timeout_ms=2000)
        assert page.url.endswith("/actions/click.html")

    run("click.html", scenario)


def test_select_that_navigates_is_waited_for(run) -> None:
    async def scenario(page) -> None:
        await _do(page, 'do(action="Select Dropdown Option", argument="price", element="5")')
        assert "/echo?" in page.url
        assert await page.text_content("#q") == "sort=price"

    run("click.html", scenario)


def test_type_through_a_label_reaches_its_field(run) -> None:
    async def scenario(page) -> None:
        await _do(page, 'do(action="Type", argument="via label", element="12")')
        assert await page.input_value("#notes") == "via label"

    run("form.html", scenario)


def test_scroll_down_and_up(run) -> None:
    # The harness turns the mouse wheel by two thirds of the viewport's height per scroll.
    async def scenario(page) -> None:
        step = round(await page.evaluate("window.innerHeight") * 2 / 3)
        await _do(page, 'do(action="Scroll Down")')
        assert await page.evaluate("window.scrollY") == pytest.approx(step, abs=2)
        await _do(page, 'do(action="Scroll Down")')
        assert await page.evaluate("window.scrollY") == pytest.approx(2 * step, abs=2)
        await _do(page, 'do(action="Scroll Up")')
        assert await page.evaluate("window.scrollY") == pytest.approx(step, abs=2)

    run("scroll.html", scenario)


def test_scroll_reaches_an_inner_scrolling_pane(run) -> None:
    async def scenario(page) -> None:
        step = round(await page.evaluate("window.innerHeight") * 2 / 3)
        await _do(page, 'do(action="Scroll Down")')
        pane_top = "document.getElementById('pane').scrollTop"
        assert await page.evaluate(pane_top) == pytest.approx(step, abs=2)
        await _do(page, 'do(action="Scroll Up")')
        assert await page.evaluate("document.getElementById('pane').scrollTop") == 0

    run("inner_scroll.html", scenario)


def test_go_backward_and_forward(run) -> None:
    async def scenario(page) -> None:
        await _do(page, 'do(action="Click", element="1")')
        await _do(page, "go_backward()")
        assert page.url.endswith("/actions/click.html")
        await _do(page, 'do(action="Go Forward")')
        assert page.url.endswith("/actions/target.html")
        await _do(page, 'do(action="Go Backward")')
        assert page.url.endswith("/actions/click.html")

    run("click.html", scenario)


def test_go_without_history_is_a_no_op(run) -> None:
    async def scenario(page) -> None:
        url = page.url
        await _do(page, 'do(action="Go Forward")')
        assert page.url == url
        blank = await page.context.new_page()
        await _do(blank, "go_backward()")
        assert blank.url == "about:blank"

    run("click.html", scenario)


def test_wait_and_exit_leave_the_page_alone(run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(execute, "WAIT_SECONDS", 0.05)

    async def scenario(page) -> None:
        url = page.url
        await _do(page, 'do(action="Wait")')
        await _do(page, 'exit(message="done")')
        assert page.url == url
        assert await page.text_content("#toggle") == "Off"

    run("click.html", scenario)


@pytest.mark.parametrize(
    ("page_name", "text", "mentions"),
    [
        ("click.html", 'do(action="Click", element="999")', ["Element 999 does not exist"]),
        ("click.html", 'do(action="Type", argument="x", element="77")', ["Element 77"]),
        ("click.html", 'do(action="Type", argument="x", element="1")', ["Element 1 is a <a>",
                                                                       "not a text field"]),
        ("click.html", 'do(action="Search", argument="x", element="2")', ["<button>", "Click"]),
        ("form.html", 'do(action="Hover", element="123")', ["Element 123"]),
        (
            "form.html",
            'do(action="Select Dropdown Option", argument="L", element="6")',
            ["Element 6 is not a <select>", "<div>"],
        ),
        (
            "form.html",
            'do(action="Select Dropdown Option", argument="Purple", element="5")',
            ['Option "Purple" not found in element 5', "available: Red, Green, Dark Blue"],
        ),
        ("form.html", 'do(action="Type", argument="yes", element="7")', ["Element 7", "Click"]),
        ("form.html", 'do(action="Type", argument="x", element="6")', ["Element 6", "not a text"]),
        ("form.html", 'do(action="Type", argument="abc", element="10")', ["element 10", "number"]),
        ("form.html", 'do(action="Type", argument="x", element="11")', ["element 11", "disabled"]),
        ("form.html", 'do(action="Type", argument="x", element="13")', ["element 13", "read-only"]),
    ],
)
def test_execution_errors_name_the_element(
    run, page_name: str, text: str, mentions: list[str]
) -> None:
    # Only the timeout case needs a short timeout; the others must fail for their own reason
    # even on a loaded machine.
    timeout_ms = 300 if "timed out" in mentions else 5000

    async def scenario(page) -> None:
        url = page.url
        with pytest.raises(ActionExecutionError) as info:
            await _do(page, text, timeout_ms=timeout_ms)
        for part in mentions:
            assert part.lower() in str(info.value).lower(), str(info.value)
        assert page.url == url  # a refused action leaves the page where it was

    run(page_name, scenario)


def test_type_on_a_widget_whose_click_navigates_says_it_is_not_a_text_field(run) -> None:
    async def scenario(page) -> None:
        with pytest.raises(ActionExecutionError, match=r"Element 8 \(<span>\) is not a text field"):
            await _do(page, 'do(action="Type", argument="x", element="8")')

    run("click.html", scenario)


def test_execution_error_is_a_runtime_error() -> None:
    assert issubclass(ActionExecutionError, RuntimeError)


# --------------------------------------------------------------------------------------------
# Execution as the WebArena-Lite harness does it (VisualAgentBench's execute_action_webrl)
# --------------------------------------------------------------------------------------------


def test_type_sends_key_events_like_a_user(run) -> None:
    # The harness clicks the field, presses Ctrl+A and Backspace, then keyboard.type()s the
    # text: key handlers (autocomplete, search-as-you-type) see every key.
    async def scenario(page) -> None:
        await _do(page, 'do(action="Type", argument="abc", element="1")')
        assert await page.input_value("#field") == "abc"
        log = (await page.text_content("#log")).split("\n")
        after_clear = log[log.index("keydown:Backspace") + 1:]
        typed = [entry for entry in after_clear if entry.startswith("keydown:")]
        assert typed == ["keydown:a", "keydown:b", "keydown:c"]
        assert "keyup:c" in log
        assert "keydown:Backspace" in log  # the old text was cleared by keys, too
        assert await page.text_content("#suggestions") == "abc (suggestion)"

    run("keys.html", scenario)


def test_type_sends_a_long_text_partly_as_one_insertion(
    run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(execute, "TYPE_KEYS_MAX", 4)

    async def scenario(page) -> None:
        await _do(page, 'do(action="Type", argument="abcdefghij", element="1")')
        assert await page.input_value("#field") == "abcdefghij"
        log = (await page.text_content("#log")).split("\n")
        after_clear = log[log.index("keydown:Backspace") + 1:]
        keys = [entry for entry in after_clear if entry.startswith("keydown:")]
        assert keys == ["keydown:a", "keydown:b", "keydown:c", "keydown:d"]
        assert "input:insertText" in log

    run("keys.html", scenario)


def test_type_presses_enter_for_a_line_break_as_the_harness_does(run) -> None:
    async def scenario(page) -> None:
        await _do(page, 'do(action="Type", argument="one line\\n", element="5")')
        assert "/echo?" in page.url
        assert await page.text_content("#q") == "line=one line"

    run("keys.html", scenario)


def test_type_into_a_date_field_takes_the_iso_form(run) -> None:
    async def scenario(page) -> None:
        await _do(page, 'do(action="Type", argument="2024-01-31", element="14")')
        assert await page.input_value("#when") == "2024-01-31"

    run("form.html", scenario)


def test_search_waits_for_suggestions_before_enter(run) -> None:
    # The harness pauses 2 s between typing and Enter; suggestions fetched while typing are in.
    async def scenario(page) -> None:
        await _do(page, 'do(action="Search", argument="shoes", element="2")')
        assert "/echo?" in page.url
        assert await page.text_content("#q") == "q=shoes&suggested=yes"

    run("keys.html", scenario)


def test_search_waits_for_a_form_submitted_late(run) -> None:
    async def scenario(page) -> None:
        await _do(page, 'do(action="Search", argument="boots", element="3")')
        assert "/echo?" in page.url
        assert await page.text_content("#q") == "late=boots"

    run("keys.html", scenario)


def test_search_waits_for_results_loaded_without_navigation(run) -> None:
    async def scenario(page) -> None:
        url = page.url
        await _do(page, 'do(action="Search", argument="hats", element="4")')
        assert page.url == url
        assert await page.text_content("#results") == "results for hats"

    run("keys.html", scenario)


def test_search_pause_is_bounded(run, monkeypatch: pytest.MonkeyPatch) -> None:
    # A page that never goes quiet (a request that hangs) costs at most the two bounds.
    monkeypatch.setattr(execute, "SEARCH_PAUSE_MAX_MS", 300)
    monkeypatch.setattr(execute, "SEARCH_RESULTS_MAX_MS", 300)

    async def scenario(page) -> None:
        await page.evaluate(
            """() => document.getElementById('grid-search').addEventListener(
                'input', () => { fetch('/hang?s=30').catch(() => {}); })"""
        )
        loop = asyncio.get_running_loop()
        started = loop.time()
        await _do(page, 'do(action="Search", argument="hats", element="4")')
        assert loop.time() - started < 3.0
        assert await page.input_value("#grid-search") == "hats"

    run("keys.html", scenario)


@pytest.mark.parametrize(
    ("argument", "value"),
    [
        ("Kingdom", "uk"),  # the harness's rule: the first option whose text contains it
        ("united", "uk"),
        ("states OF america", "us"),
        ("light", "lb"),
        ("Blue", "b"),  # kept difference: an exact label wins over an earlier containing one
    ],
)
def test_select_falls_back_to_a_substring_of_the_option_text(
    run, argument: str, value: str
) -> None:
    async def scenario(page) -> None:
        await execute_action(page, Action("Select Dropdown Option", "15", argument))
        assert await page.input_value("#country") == value

    run("form.html", scenario)
