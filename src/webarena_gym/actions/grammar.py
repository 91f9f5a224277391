"""The action grammar: what an LLM writes, parsed (with ``ast``, never ``eval``) and formatted.

An action is one Python-style call (DESIGN 3.3)::

    do(action="Click", element="12")
    do(action="Type", argument="hello", element="7")
    exit(message="the answer")

``parse_action`` finds it in free model output (``<think>...</think><answer>...</answer>``, prose,
code fences) and ``format_action`` writes the canonical text back. ``ACTION_SPECS`` lists every
action, so a prompt built from it advertises nothing the parser or the executor
(:mod:`webarena_gym.actions.execute`) rejects. No Playwright here: a trainer reads the grammar
on a machine without a browser.
"""

from __future__ import annotations

import ast
import bisect
import json
import re
from dataclasses import dataclass

__all__ = [
    "ACTION_SPECS",
    "MAX_ACTION_CHARS",
    "Action",
    "ActionExecutionError",
    "ActionParseError",
    "ActionSpec",
    "format_action",
    "parse_action",
]

MAX_ACTION_CHARS = 65_536
"""Default cap on the length (in characters) of the text ``parse_action`` reads.

A turn of the R1-style agents this project trains is at most 1,024 tokens (about 4 KiB of
text); an API model that writes its reasoning into the text rarely passes 16K tokens (about
64 KiB). Longer text is refused with an ``ActionParseError`` before it is scanned: parsing is
linear time anyway, and the cap keeps both the time (milliseconds) and the error message of a
runaway generation small."""


# --------------------------------------------------------------------------------------------
# Records
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    """One parsed action: ``Action("Type", "7", "hello")``.

    ``element`` is the element number as a decimal string (or None for actions without one);
    ``argument`` is the text to type / search / select, the answer of ``exit``, else None.
    """

    name: str
    element: str | None = None
    argument: str | None = None


@dataclass(frozen=True)
class ActionSpec:
    """An action the grammar accepts, as the system prompt advertises it."""

    name: str
    needs_element: bool
    needs_argument: bool
    example: str
    description: str


ACTION_SPECS: tuple[ActionSpec, ...] = (
    ActionSpec("Click", True, False, 'do(action="Click", element="12")',
               "Click the element with this number."),
    ActionSpec("Type", True, True, 'do(action="Type", argument="hello", element="7")',
               "Clear the text field, then type the text into it key by key (does not press "
               "Enter)."),
    ActionSpec("Search", True, True, 'do(action="Search", argument="shoes", element="3")',
               "Clear the field, type the text, press Enter and wait for the results."),
    ActionSpec("Hover", True, False, 'do(action="Hover", element="5")',
               "Move the mouse over the element."),
    ActionSpec("Select Dropdown Option", True, True,
               'do(action="Select Dropdown Option", argument="Blue", element="9")',
               "Choose the option with this label (or the first one containing it) in a "
               "dropdown (<select>) element."),
    ActionSpec("Scroll Down", False, False, 'do(action="Scroll Down")',
               "Scroll the page down by two thirds of a screen."),
    ActionSpec("Scroll Up", False, False, 'do(action="Scroll Up")',
               "Scroll the page up by two thirds of a screen."),
    ActionSpec("Press Enter", False, False, 'do(action="Press Enter")',
               "Press the Enter key (on the element that has the focus)."),
    ActionSpec("Go Backward", False, False, 'do(action="Go Backward")',
               "Go back to the previous page (also: go_backward())."),
    ActionSpec("Go Forward", False, False, 'do(action="Go Forward")',
               "Go forward to the next page (also: go_forward())."),
    ActionSpec("Wait", False, False, 'do(action="Wait")',
               "Wait a moment for the page to finish updating."),
    ActionSpec("exit", False, True, 'exit(message="the answer")',
               "Finish the task; give the answer as the message (exit() when none is needed)."),
)

_SPECS_BY_KEY = {re.sub(r"\s+", " ", spec.name.lower()): spec for spec in ACTION_SPECS}
_DO_NAMES = ", ".join(spec.name for spec in ACTION_SPECS if spec.name != "exit")


class ActionParseError(ValueError):
    """The text holds no valid action; the message says why, fit to show the model."""


class ActionExecutionError(RuntimeError):
    """A valid action could not be performed on the page; the message is fit to show the model."""


# --------------------------------------------------------------------------------------------
# Parsing
# --------------------------------------------------------------------------------------------

_BRIEF_HINT = (
    'Write exactly one action as a call, e.g. do(action="Click", element="12") '
    'or exit(message="the answer").'
)
_FORMS_HINT = "Valid actions: " + "; ".join(spec.example for spec in ACTION_SPECS) + "."

# A call may start wherever one of the four functions is named and not part of a longer name
# (``undo(``, ``sys.exit(``).
_CALL_START = re.compile(r"(?<![\w.])(do|exit|go_backward|go_forward)\(", re.IGNORECASE)
_THINK_OPEN = re.compile(r"<think>", re.IGNORECASE)
_THINK_CLOSE = re.compile(r"</think>", re.IGNORECASE)
_ANSWER_OPEN = re.compile(r"<answer>", re.IGNORECASE)
_ANSWER_CLOSE = re.compile(r"</answer>", re.IGNORECASE)
_DIGITS = re.compile(r"[0-9]+")


def parse_action(text: str, *, max_chars: int | None = MAX_ACTION_CHARS) -> Action:
    """Extract and parse the action in a model's output.

    The action inside the last ``<answer>...</answer>`` is used when there is one; otherwise
    the last ``do(``/``exit(``/``go_backward(``/``go_forward(`` call in the text. Prose around
    it, markdown fences, single or double quotes, keywords in any order, ``element`` as an int,
    and action names in any case (``"click"`` -> ``"Click"``) are accepted; as in the
    WebArena-Lite harness, keywords an action does not use (``argument=`` of a Click,
    ``reason=``) and positional arguments of ``do()`` are ignored. Tags and calls
    that appear inside a call's string argument, and tags inside ``<think>``, do not count.
    Text inside a call's (balanced) parentheses is never read as another call, whether that
    call is valid or not: ``do(x="exit()" oops)`` is a broken ``do``, not an ``exit``.

    Parsing takes time linear in the length of the text, whatever the text.

    Args:
        text: the model's output.
        max_chars: the longest text read (default ``MAX_ACTION_CHARS``); longer text is
            refused without being scanned. ``None`` reads text of any length.

    Raises:
        ActionParseError: the text is longer than ``max_chars``, no call found, a call that is
            not valid Python, an unknown action, a missing element/argument, a keyword
            given twice, a non-literal value or a bad element number. The message says what was wrong and
            how to write it, for the model to read.
        ValueError: ``max_chars`` is not a positive integer (a caller's mistake).
    """
    if not isinstance(text, str):
        raise ActionParseError(f"Expected the model's text, got {type(text).__name__}.")
    if max_chars is not None:
        if isinstance(max_chars, bool) or not isinstance(max_chars, int) or max_chars < 1:
            raise ValueError(f"max_chars must be a positive integer or None, got {max_chars!r}")
        if len(text) > max_chars:
            raise ActionParseError(
                f"The response is {len(text):,} characters long; at most {max_chars:,} are "
                "read, so it was not parsed. Keep the reasoning short and end with one "
                f"action. {_BRIEF_HINT}"
            )
    calls = _scan_calls(text)
    answer = _answer_region(text, [(start, end) for start, end, _ in calls if end > start])
    if answer is not None:
        calls = _scan_calls(text[answer[0]:answer[1]])
    if not calls:
        where = "The <answer> block contains" if answer is not None else "Found"
        raise ActionParseError(f"{where} no action call. {_BRIEF_HINT} {_FORMS_HINT}")
    start, _, result = calls[-1]
    if isinstance(result, str):
        # The last call is broken: report it rather than fall back to an earlier one.
        region = text if answer is None else text[answer[0]:answer[1]]
        raise ActionParseError(
            f"Could not read the action `{_snippet(region[start:start + _SNIPPET_SOURCE])}`: "
            f"{result}. Use Python "
            "call syntax with quoted strings, escaping quotes inside them with a backslash "
            '(\\"). ' + _BRIEF_HINT
        )
    call, source = result
    return _action_from_call(call, source)


def _scan_calls(text: str) -> list[tuple[int, int, tuple[ast.Call, str] | str]]:
    """Every call candidate in ``text``, in order: (start, end, (call, source) or why not).

    A failed candidate has ``end == start``. Nothing inside a balanced call's parentheses
    is a candidate, whether the call parsed or not: the scan goes on after its ``)``. After
    an unbalanced one it goes on after its ``(``. So every candidate handed to ``ast.parse``
    is disjoint from the others, and parsing all of them is linear in the text.
    """
    found: list[tuple[int, int, tuple[ast.Call, str] | str]] = []
    scanner = _BracketScanner(text)
    pos = 0
    while True:
        match = _CALL_START.search(text, pos)
        if match is None:
            return found
        parsed, end = _parse_call_at(scanner, match.start(), match.end() - 1)
        if isinstance(parsed, tuple):
            found.append((match.start(), end, parsed))
        else:
            found.append((match.start(), match.start(), parsed))
        pos = match.end() if end is None else end


def _think_blocks(text: str) -> list[tuple[int, int]]:
    """Spans of the ``<think>...</think>`` blocks, each from an opening tag to the first
    closing tag after it, in one pass (a lazy ``<think>.*?</think>`` regex rescans the rest of
    the text from every unclosed ``<think>``: quadratic)."""
    blocks: list[tuple[int, int]] = []
    pos = 0
    while True:
        opened = _THINK_OPEN.search(text, pos)
        if opened is None:
            return blocks
        closed = _THINK_CLOSE.search(text, opened.end())
        if closed is None:  # no later <think> is closed either
            return blocks
        blocks.append((opened.start(), closed.end()))
        pos = closed.end()


def _answer_region(text: str, spans: list[tuple[int, int]]) -> tuple[int, int] | None:
    """(start, end) of the last ``<answer>`` block's content, ignoring tags in think blocks
    and inside the string arguments of calls; None when there is no such block."""
    # Merge the masked spans into sorted disjoint ones, so that each tag is checked in log time.
    starts: list[int] = []
    ends: list[int] = []
    for lo, hi in sorted(spans + _think_blocks(text)):
        if ends and lo <= ends[-1]:
            ends[-1] = max(ends[-1], hi)
        else:
            starts.append(lo)
            ends.append(hi)

    def free(pos: int) -> bool:
        k = bisect.bisect_right(starts, pos) - 1
        return k < 0 or pos >= ends[k]

    opens = [m for m in _ANSWER_OPEN.finditer(text) if free(m.start())]
    if not opens:
        return None
    begin = opens[-1].end()
    close = next(
        (m.start() for m in _ANSWER_CLOSE.finditer(text, begin) if free(m.start())), len(text)
    )
    return begin, close


def _parse_call_at(
    scanner: _BracketScanner, start: int, open_paren: int
) -> tuple[tuple[ast.Call, str] | str, int | None]:
    """Parse the call starting at ``start``: ((call, its source) or why not, the end of its
    text after its ``)``, None when its brackets are not balanced).

    A call expression can only end at the ``)`` matching its ``(``, so the longest prefix
    that parses as a call is found by locating that ``)`` the way Python's tokenizer would
    (strings, escapes and comments honoured) and parsing up to it.
    """
    close = scanner.matching(open_paren)
    if close is None:
        return "the parentheses or quotes are not balanced", None
    code = scanner.code_length(start, close + 1)
    if code > _MAX_CALL_CODE:
        # Some constructs take CPython's parser superlinear time (a thousand f-string
        # fields, repeated keywords); an action has none of them and is short outside its
        # strings, so such a call is refused before ast.parse sees it.
        return (
            f"it has {code:,} characters outside its plain quoted strings, more than the "
            f"{_MAX_CALL_CODE:,} an action ever needs"
        ), close + 1
    source = scanner.text[start:close + 1]
    parsed = _parse_call_source(source)
    if isinstance(parsed, str) and parsed.startswith("unterminated string"):
        # Models put raw line breaks in one-line strings when typing into textareas.
        escaped = scanner.escaped_source(start, close + 1)
        if escaped != source:
            retry = _parse_call_source(escaped)
            if not isinstance(retry, str):
                parsed, source = retry, escaped
    if isinstance(parsed, str):
        return parsed, close + 1
    return (parsed, source), close + 1


def _parse_call_source(source: str) -> ast.Call | str:
    """``source`` as a single call expression, or the reason it is not one."""
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as exc:
        return exc.msg or "invalid syntax"
    except (ValueError, MemoryError, RecursionError):
        return "invalid syntax"
    body = tree.body
    if not isinstance(body, ast.Call) or not isinstance(body.func, ast.Name):
        return "it is not a single call"
    return body


_MAX_CALL_CODE = 1000
"""The most characters a call may have outside its plain (not f-) string literals to be
parsed: ``do(action="Select Dropdown Option", argument="...", element="123")`` has about 60."""

_STRING_PREFIX = re.compile(r"(?<![\w])[rRbBuUfF]{1,2}\Z")

_END = -1
"""The node after the last one: the end of the text."""

_QUOTES = ("'", '"', "'''", '"""')
"""Scanner states 1-4: inside a string opened by this quote (state 0: code)."""


class _BracketScanner:
    """Finds the bracket matching a ``(`` in model text, as Python's tokenizer would.

    Quotes, triple quotes, backslash escapes and ``#`` comments are honoured, so a ``)``
    inside a string does not count.

    Every call candidate starts a tokenizer run at its ``(``. Runs that start inside another
    run's string see the text differently (the other run's string is their code), so each
    needs its own reading; but two runs that reach the same position in the same state
    (code, or inside the same kind of string) read the rest of the text identically. The
    scanner therefore keeps one graph of *events* (a bracket, quote or ``#`` read as code;
    a backslash or closing quote read inside a string), each reached once whatever the run,
    with a pointer to the next. A new run walks only events no run walked before, then joins
    the graph, so the total walk is at most five passes over the text (one per state).

    Brackets are matched with suffix sums: an event's ``value`` is the sum, over the events
    after it to the end of the text, of +1 per opening and -1 per closing bracket. It changes
    by at most one from an event to the next, and the ``)`` matching a ``(`` is the first
    later event whose value exceeds the ``(``'s (the depth between them never drops to
    zero). ``up`` points every event at that one, and is computed from the ``up`` of later
    events in at most three steps, so each query is O(1).
    """

    _CODE = re.compile(r"[()\[\]{}'\"#]")
    _STRING = {
        q: re.compile(r"\\|\r\n|[\r\n]|" + re.escape(q)) for q in ("'", '"', "'''", '"""')
    }
    # What a run reads as an event in each state; positions found by their first character.
    _EVENTS = (
        _CODE,
        re.compile(r"[\\']"),
        re.compile(r'[\\"]'),
        re.compile(r"\\|(?=''')"),
        re.compile(r'\\|(?=""")'),
    )

    def __init__(self, text: str) -> None:
        self.text = text
        self._events: list[list[int] | None] = [None] * len(self._EVENTS)
        self._newlines: list[int] | None = None
        # per event node (position * 5 + state): the suffix sum from it, from after it
        # (its value), and the first later node with a greater value (_END: none)
        self._sum: dict[int, int] = {}
        self._value: dict[int, int] = {}
        self._up: dict[int, int] = {}

    def matching(self, open_paren: int) -> int | None:
        """Index of the bracket closing the one at ``open_paren``, None when none does."""
        node = self._explore(open_paren * 5)
        up = self._up[node]
        return None if up == _END else up // 5

    def _explore(self, node: int) -> int:
        """Add the events a run from ``node`` reads until it meets a known one; return node."""
        chain: list[tuple[int, int]] = []  # (node, bracket delta) not in the graph yet
        while node not in self._value:
            pos, state = divmod(node, 5)
            delta, after = self._read(pos, state)
            chain.append((node, delta))
            event = None if after is None else self._next_event(*after)
            if event is None:
                node = _END
                break
            node = event * 5 + after[1]  # type: ignore[index]
        later, later_sum = node, (0 if node == _END else self._sum[node])
        for current, delta in reversed(chain):
            value = later_sum
            up = later
            while up != _END and self._value[up] <= value:  # at most three steps
                up = self._up[up]
            self._sum[current] = later_sum + delta
            self._value[current] = value
            self._up[current] = up
            later, later_sum = current, later_sum + delta
        return chain[0][0] if chain else node

    def _read(self, pos: int, state: int) -> tuple[int, tuple[int, int] | None]:
        """The event at ``pos`` read in ``state``: its bracket delta (+1 opens, -1 closes) and
        where reading goes on, as (position, state); None when the rest of the text is a
        comment or the event runs past its end."""
        text = self.text
        ch = text[pos]
        if state == 0:
            if ch in "([{":
                return 1, (pos + 1, 0)
            if ch in ")]}":
                return -1, (pos + 1, 0)
            if ch == "#":  # a comment runs to the end of the line
                newline = self._next(self._newline_positions(), pos)
                return 0, (None if newline is None else (newline + 1, 0))
            quote = ch * 3 if text.startswith(ch * 3, pos) else ch
            return 0, (pos + len(quote), _QUOTES.index(quote) + 1)
        if ch == "\\":
            return 0, (pos + 2, state)  # the escaped character, whatever it is
        return 0, (pos + len(_QUOTES[state - 1]), 0)

    def _next_event(self, pos: int, state: int) -> int | None:
        """Position of the first event at or after ``pos`` in ``state``, None when none."""
        events = self._events[state]
        if events is None:
            events = self._events[state] = [
                m.start() for m in self._EVENTS[state].finditer(self.text)
            ]
        return self._next(events, pos)

    def _newline_positions(self) -> list[int]:
        if self._newlines is None:
            self._newlines = [m.start() for m in re.finditer("\n", self.text)]
        return self._newlines

    @staticmethod
    def _next(positions: list[int], pos: int) -> int | None:
        k = bisect.bisect_left(positions, pos)
        return positions[k] if k < len(positions) else None

    def code_length(self, start: int, end: int) -> int:
        """How many characters of ``text[start:end]`` (a call) are outside its plain string
        literals; f-strings count as code (their fields are expressions)."""
        text = self.text
        plain = 0
        i = start
        while True:
            match = self._CODE.search(text, i, end)
            if match is None:
                return end - start - plain
            i = match.start()
            if text[i] == "#":
                newline = text.find("\n", i, end)
                i = end if newline < 0 else newline + 1
            elif text[i] in "'\"":
                opened = i
                i, _ = self._skip_string(i, end)
                prefix = _STRING_PREFIX.search(text, max(start, opened - 2), opened)
                if prefix is None or "f" not in prefix.group().lower():
                    plain += min(i, end) - opened
            else:
                i += 1

    def escaped_source(self, start: int, end: int) -> str:
        """``text[start:end]`` (a call) with raw line breaks inside one-line strings escaped."""
        text = self.text
        parts, done, i = [], start, start
        while True:
            match = self._CODE.search(text, i, end)
            if match is None:
                break
            i = match.start()
            if text[i] == "#":
                newline = text.find("\n", i, end)
                i = end if newline < 0 else newline + 1
            elif text[i] in "'\"":
                i, breaks = self._skip_string(i, end)
                for at, length in breaks:
                    parts.append(text[done:at] + "\\n")
                    done = at + length
            else:
                i += 1
        parts.append(text[done:end])
        return "".join(parts)

    def _skip_string(self, i: int, end: int) -> tuple[int, list[tuple[int, int]]]:
        """Index just past the string literal opening at ``i`` (past ``end`` when it is not
        closed before ``end``) and the raw line breaks inside a one-line string, as
        (index, length) pairs."""
        text = self.text
        quote = text[i] * 3 if text.startswith(text[i] * 3, i) else text[i]
        pattern = self._STRING[quote]
        breaks: list[tuple[int, int]] = []
        i += len(quote)
        while True:
            found = pattern.search(text, i, end)
            if found is None:
                return end + 1, breaks
            token = found.group()
            i = found.end()
            if token == quote:
                return i, breaks
            if token == "\\":
                i += 1  # the escaped character, whatever it is
            elif len(quote) == 1:
                breaks.append((found.start(), len(token)))


_SNIPPET_SOURCE = 4096
"""How much of the text after a broken call its error message excerpt is made from."""


def _snippet(source: str, limit: int = 80) -> str:
    """A one-line excerpt of ``source`` for error messages."""
    line = " ".join(source.split())
    return line if len(line) <= limit else line[: limit - 3] + "..."


def _literal(node: ast.expr, what: str, source: str) -> object:
    """The literal value of a call argument; anything computed is refused."""
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        try:
            code = ast.get_source_segment(source, node) or ast.unparse(node)
        except (ValueError, MemoryError, RecursionError):
            code = "..."
        raise ActionParseError(
            f"The {what} must be a quoted string, not `{_snippet(code)}`. {_BRIEF_HINT}"
        ) from None


def _action_from_call(call: ast.Call, source: str) -> Action:
    """Turn a parsed call into a validated Action.

    As in the WebArena-Lite harness (VisualAgentBench), keywords an action does not use
    (``element=`` of a scroll, ``argument=`` of a click, ``reason=``) and positional arguments
    of ``do()`` are ignored, but every keyword's value must still be a literal.
    """
    func = call.func.id.lower()  # type: ignore[attr-defined]  # checked in _parse_call_source
    if func in ("go_backward", "go_forward"):
        if call.args or call.keywords:
            raise ActionParseError(f"{func}() takes no arguments; write {func}().")
        return Action("Go Backward" if func == "go_backward" else "Go Forward")

    wanted = ("message",) if func == "exit" else ("action", "element", "argument")
    keywords = _keywords(call, func, wanted, source)

    if func == "exit":
        if "message" in keywords:
            message = keywords["message"]
        elif len(call.args) > 1:
            raise ActionParseError('exit() takes one message; write exit(message="the answer").')
        elif call.args:
            message = _literal(call.args[0], "message of exit()", source)
        elif call.keywords:
            # exit(answer="x"): an answer was meant, under a name that is not read.
            names = ", ".join(sorted({kw.arg for kw in call.keywords if kw.arg}))
            raise ActionParseError(
                f"exit() got unknown keyword(s) {names} and no message=; "
                'write exit(message="the answer").'
            )
        else:
            message = ""
        return _validated(_SPECS_BY_KEY["exit"], None, "" if message is None else message)

    # do(action=..., element=..., argument=...)
    if "action" not in keywords:
        positional = (
            "; it takes keyword arguments only (action=, element=, argument=)"
            if call.args else ""
        )
        raise ActionParseError(
            f"do() needs action=, one of: {_DO_NAMES}{positional}. {_BRIEF_HINT}"
        )
    name = keywords["action"]
    if not isinstance(name, str):
        raise ActionParseError(f"The action name must be a string, one of: {_DO_NAMES}.")
    spec = _spec_for(name)
    if spec is None or spec.name == "exit":
        raise ActionParseError(
            f'Unknown action "{_snippet(name, 40)}". Valid actions: {_DO_NAMES}; '
            'finish with exit(message="the answer").'
        )
    # What the action does not use is ignored, as the harness ignores it.
    element = keywords.get("element") if spec.needs_element else None
    argument = keywords.get("argument") if spec.needs_argument else None
    return _validated(spec, element, argument)


def _keywords(
    call: ast.Call, func: str, wanted: tuple[str, ...], source: str
) -> dict[str, object]:
    """The literal values of the keywords in ``wanted`` that the call gives.

    A keyword is matched by its exact name first, else by its name in any case
    (``Element=``); two case variants of one name without the exact one are ambiguous.
    Every other keyword is ignored, but its value must be a literal too (the harness
    evaluates them all). ``**`` unpacking is refused.
    """
    exact: dict[str, ast.expr] = {}
    folded: dict[str, list[ast.expr]] = {}
    for kw in call.keywords:
        if kw.arg is None:
            raise ActionParseError(f"`**` arguments are not accepted in {func}(). {_BRIEF_HINT}")
        if kw.arg in exact:  # valid to ast.parse, refused by Python's compiler
            raise ActionParseError(f"`{kw.arg}` is given twice in {func}(). {_BRIEF_HINT}")
        exact[kw.arg] = kw.value
        folded.setdefault(kw.arg.lower(), []).append(kw.value)
    chosen: dict[str, ast.expr] = {}
    for key in wanted:
        if key in exact:
            chosen[key] = exact[key]
        elif len(folded.get(key, ())) == 1:
            chosen[key] = folded[key][0]
        elif key in folded:
            raise ActionParseError(f"`{key}` is given twice in {func}(). {_BRIEF_HINT}")
    values: dict[str, object] = {}
    for key, node in chosen.items():
        what = "action name" if key == "action" else key
        if func == "exit":
            what = "message of exit()"
        values[key] = _literal(node, what, source)
    used = {id(node) for node in chosen.values()}
    for kw in call.keywords:
        if id(kw.value) not in used:
            _literal(kw.value, f"value of {kw.arg}=", source)
    return values


def _spec_for(name: str) -> ActionSpec | None:
    """The spec for an action name in any case, with ``_``/``-``/extra spaces as separators."""
    key = re.sub(r"[\s_\-]+", " ", name).strip().lower()
    return _SPECS_BY_KEY.get(key)


def _validated(spec: ActionSpec, element: object, argument: object) -> Action:
    """Check and normalise element/argument for ``spec``; raise ActionParseError when wrong."""
    if spec.needs_element:
        if element is None:
            raise ActionParseError(
                f"{spec.name} needs the number of an element from the observation: {spec.example}"
            )
        element = _element_number(element, spec)
    elif element is not None:
        raise ActionParseError(f"{spec.name} takes no element; write {spec.example}")
    if spec.needs_argument:
        if argument is None:
            raise ActionParseError(f"{spec.name} needs an argument: {spec.example}")
        if isinstance(argument, (int, float)) and not isinstance(argument, bool):
            argument = _number_text(argument)  # e.g. a quantity written without quotes
        if not isinstance(argument, str):
            raise ActionParseError(
                f"The argument of {spec.name} must be a quoted string: {spec.example}"
            )
    elif argument is not None:
        raise ActionParseError(f"{spec.name} takes no argument; write {spec.example}")
    return Action(spec.name, element, argument)  # type: ignore[arg-type]


def _number_text(value: int | float) -> str:
    """``str(value)``, refusing integers too long to print (Python's digit limit)."""
    try:
        return str(value)
    except ValueError:
        raise ActionParseError("That number is too long; write a short quoted string.") from None


def _element_number(element: object, spec: ActionSpec) -> str:
    """An element given as ``12`` or ``"12"`` as the canonical string ``"12"``."""
    if isinstance(element, int) and not isinstance(element, bool) and element >= 0:
        return _number_text(element)
    if isinstance(element, str) and _DIGITS.fullmatch(element.strip()):
        return element.strip().lstrip("0") or "0"
    raise ActionParseError(
        f"element must be the number of an element in the observation (a non-negative "
        f"integer), not {_snippet(repr(element), 40)}: {spec.example}"
    )


# --------------------------------------------------------------------------------------------
# Formatting
# --------------------------------------------------------------------------------------------


def format_action(action: Action) -> str:
    """The canonical text of ``action``; ``parse_action(format_action(a)) == a``.

    Strings are written as JSON-style double-quoted literals (valid Python), keywords in the
    order action, argument, element, e.g. ``do(action="Type", argument="hi", element="7")``.

    Raises:
        ActionParseError: (a ValueError) when ``action`` is not a valid action.
    """
    spec = _spec_for(action.name)
    if spec is None:
        raise ActionParseError(f'Unknown action "{action.name}". Valid actions: {_DO_NAMES}, exit.')
    argument = "" if spec.name == "exit" and action.argument is None else action.argument
    valid = _validated(spec, action.element, argument)
    if valid.name == "exit":
        return f"exit(message={_quote(valid.argument or '')})"
    parts = [f"action={_quote(valid.name)}"]
    if valid.argument is not None:
        parts.append(f"argument={_quote(valid.argument)}")
    if valid.element is not None:
        parts.append(f"element={_quote(valid.element)}")
    return f"do({', '.join(parts)})"


def _quote(value: str) -> str:
    """A double-quoted string literal that both JSON and Python read back as ``value``."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates cannot appear raw in source text
        return json.dumps(value, ensure_ascii=True)
    return json.dumps(value, ensure_ascii=False)
