"""Executing a parsed :class:`~webarena_gym.actions.grammar.Action` on a Playwright page.

``execute_action`` performs it on a page whose elements carry ``data-wag-id="N"`` labels (put
there by the observation labeller): clicks with a JavaScript fallback, typing key by key,
searching, selecting, scrolling, history, and waiting for a navigation the action started.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Locator, Page
from playwright.async_api import TimeoutError as PlaywrightTimeoutError

from webarena_gym.actions.grammar import (
    _DO_NAMES,
    Action,
    ActionExecutionError,
    _snippet,
)
from webarena_gym.observation.observe import LABEL_ATTRIBUTE

__all__ = ["LABEL_ATTRIBUTE", "execute_action"]

WAIT_SECONDS = 1.0
"""How long ``do(action="Wait")`` sleeps."""

SETTLE_TIMEOUT_MS = 3000

SCROLL_FRACTION = 2 / 3
"""How far Scroll Down/Up moves, as a fraction of the viewport's height: the WebArena-Lite
harness (VisualAgentBench's ``execute_scroll_webrl``) turns the mouse wheel by two thirds of
the viewport's height (480 px in its 1280x720 viewport)."""

TYPE_KEYS_MAX = 1024
"""Type and Search send the first this many characters as key events, one by one, as a user
types (and as the harness's ``keyboard.type`` does); the rest, if any, is inserted as one
``input`` event, so that a long text does not take minutes (about a millisecond per key)."""

SEARCH_QUIET_MS = 500
"""Search waits, before pressing Enter and after, until the page has had no request in flight
(document, fetch, XHR) for this long: suggestions that load while the query is typed, and
results that load after Enter, are there when the page is read."""

SEARCH_PAUSE_MAX_MS = 2000
"""The longest that Search waits between typing and Enter: the harness pauses exactly 2 s."""

SEARCH_RESULTS_MAX_MS = 3000
"""The longest that Search waits for the page to go quiet after Enter (a navigation Enter
starts is waited for as well, by the same bound as every action's, ``SETTLE_TIMEOUT_MS``)."""

NAVIGATION_GRACE_MS = 60
"""After an action that can navigate (a click, Enter, a search, a select), how long to wait for
the navigation's request to show up when the page's own tick came back first: the request
travels renderer -> browser -> Playwright's driver -> Python and can lose that race."""

# Where the pointer rests after every action but Hover: outside the viewport, hovering nothing.
POINTER_PARK = (-1.0, -1.0)
_MAY_NAVIGATE = {"Click", "Press Enter", "Search", "Select Dropdown Option"}
"""Upper bound on waiting for a navigation started by an action to reach DOMContentLoaded
(independent of an action's ``timeout_ms``, which bounds waiting for its element)."""


# --------------------------------------------------------------------------------------------
# Execution
# --------------------------------------------------------------------------------------------

_DESCRIBE_JS = """el => ({
    tag: el.tagName.toLowerCase(),
    type: (el.getAttribute('type') || '').toLowerCase(),
    editable: el.isContentEditable,
    disabled: !!el.disabled,
    readonly: !!el.readOnly,
})"""

_OPTIONS_JS = """el => Array.from(el.options || []).map((o, i) => ({
    index: i,
    label: (o.label || o.textContent || '').replace(/\\s+/g, ' ').trim(),
    value: o.value,
}))"""

_HAS_FOCUS_JS = """el => {
    const active = document.activeElement;
    return !!active && (active === el || el.contains(active));
}"""

_IS_EDITING_JS = """() => {
    const el = document.activeElement;
    return !!el && (el.isContentEditable || el.tagName === 'TEXTAREA' || el.tagName === 'INPUT');
}"""

# Scroll the window by `fraction` of the viewport's height; pages whose document does not
# scroll (app layouts with an inner scrolling pane) get their largest scrollable element
# scrolled instead, by the same distance (a wheel turn moves what it is over by its delta).
_SCROLL_JS = """([direction, fraction]) => {
    const distance = direction * Math.round(window.innerHeight * fraction);
    const root = document.scrollingElement || document.documentElement;
    if (root.scrollHeight > window.innerHeight + 1) {
        window.scrollBy({top: distance, left: 0, behavior: 'instant'});
        return;
    }
    let best = null, bestArea = 0;
    for (const el of document.querySelectorAll('*')) {
        if (el.scrollHeight <= el.clientHeight + 1) continue;
        if (!/(auto|scroll|overlay)/.test(getComputedStyle(el).overflowY)) continue;
        const r = el.getBoundingClientRect();
        const area = Math.max(0, r.width) * Math.max(0, r.height);
        if (area > bestArea) { best = el; bestArea = area; }
    }
    if (best) best.scrollBy({top: distance, left: 0, behavior: 'instant'});
}"""

# Elements that Type refuses without clicking them (a click would follow or submit them).
_CLICK_ONLY_TAGS = {"a", "button"}

_MAX_LISTED_OPTIONS = 40  # an error lists at most this many options (country lists are long)

# Input types that hold free text: Type clicks them and types the text key by key.
_TYPED_INPUT_TYPES = {"", "text", "search", "email", "password", "tel", "url", "number"}

# Input types whose value Chromium does not take as typed text (a date field takes its digits
# segment by segment, in the locale's order; a colour field opens a picker): Type sets their
# value with ``Locator.fill``, which takes the ISO form (``2024-01-31``, ``#ff0000``).
_FILLED_INPUT_TYPES = {"date", "datetime-local", "month", "time", "week", "color"}

_NUMBER = re.compile(r"\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*")


async def execute_action(page: Page, action: Action, *, timeout_ms: int = 5000) -> None:
    """Perform ``action`` on ``page``; elements are found by their ``data-wag-id`` label.

    Click falls back to a JavaScript ``element.click()`` when the element is covered or not
    clickable within ``timeout_ms`` (overlays, zero-size links). Type clicks the field, clears
    it and types the text key by key, without pressing Enter; Search types, waits for the page
    to settle, presses Enter and waits for the results (``SEARCH_QUIET_MS``). Select Dropdown
    Option takes the option with this label, else the first containing it. Scroll moves two
    thirds of the viewport (``SCROLL_FRACTION``). Go Backward/Forward without history do
    nothing. ``exit`` does nothing. When an action starts a navigation of the page, waits (at
    most ``SETTLE_TIMEOUT_MS``) for the new document's DOMContentLoaded; there are no fixed
    sleeps except Wait's. After every action but Hover the pointer moves off the page
    (``POINTER_PARK``): a hover state lasts until the next action, never longer.

    Raises:
        ActionExecutionError: the element does not exist, is the wrong kind, the option is
            missing, or Playwright timed out; the message is fit to show the model.
        playwright.async_api.Error: only when the page or browser was closed.
    """
    name = action.name
    if name == "exit":
        return
    if name == "Wait":
        await asyncio.sleep(WAIT_SECONDS)
        return
    what = f"{name} on element {action.element}" if action.element is not None else name
    watch = _NavigationWatch(page)
    try:
        await _perform(page, action, timeout_ms)
        # A line break typed is an Enter key press, which may submit a form.
        may_navigate = name in _MAY_NAVIGATE or (name == "Type" and "\n" in (action.argument or ""))
        await watch.settle(
            SETTLE_TIMEOUT_MS, grace_ms=NAVIGATION_GRACE_MS if may_navigate else 0
        )
        if name != "Hover":
            # The pointer leaves the page, so that no :hover state outlives the action: left
            # where a click put it, it would hover whatever the next page shows there, or not,
            # depending on when Chromium re-hit-tests it (the observation would be a race).
            await page.mouse.move(*POINTER_PARK)
    except PlaywrightTimeoutError:
        raise ActionExecutionError(
            f"{what} timed out after {timeout_ms / 1000:g} s; the element may be hidden, "
            "disabled or covered, or the page is still loading."
        ) from None
    except PlaywrightError as exc:
        if _is_closed(exc):
            raise  # the page or browser is gone: not the model's doing
        raise ActionExecutionError(f"{what} failed: {_playwright_reason(str(exc))}") from None
    finally:
        watch.close()


async def _perform(page: Page, action: Action, timeout_ms: int) -> None:
    """Do the action itself; ``execute_action`` handles errors and settling."""
    name = action.name
    if name in ("Scroll Down", "Scroll Up"):
        await page.evaluate(_SCROLL_JS, [1 if name == "Scroll Down" else -1, SCROLL_FRACTION])
    elif name == "Press Enter":
        await page.keyboard.press("Enter")
    elif name in ("Go Backward", "Go Forward"):
        go = page.go_back if name == "Go Backward" else page.go_forward
        await go(timeout=timeout_ms, wait_until="domcontentloaded")  # None without history
    elif name in _ELEMENT_ACTIONS:
        locator = await _labelled(page, action)
        await _ELEMENT_ACTIONS[name](page, locator, action, timeout_ms)
    else:
        raise ActionExecutionError(f'Unknown action "{name}". Valid actions: {_DO_NAMES}.')


class _NavigationWatch:
    """Notices a main-frame navigation started during an action, so it can be waited for.

    Key presses and scripts (Enter in a form, the JS click fallback, a <select> whose change
    handler navigates) start navigations that Playwright does not wait for, and clicks are
    issued with ``no_wait_after`` so that a slow page is not reported as a failed click. This
    is the one place that waits, for all of them, and it never raises: without it the next
    observation could read the old document mid-unload.
    """

    def __init__(self, page: Page) -> None:
        self.page = page
        self.request: object | None = None  # the latest main-frame navigation request
        self.started = asyncio.Event()
        self.loaded = asyncio.Event()
        self._handlers = {
            "request": self._on_request,
            "requestfinished": self._on_request_end,
            "requestfailed": self._on_request_end,
            "domcontentloaded": self._on_loaded,
        }
        for event, handler in self._handlers.items():
            page.on(event, handler)

    def _on_request(self, request) -> None:
        try:
            if request.is_navigation_request() and request.frame == self.page.main_frame:
                self.request = request
                self.started.set()
                self.loaded.clear()
        except Exception:  # service-worker requests have no frame
            pass

    def _on_request_end(self, request) -> None:
        if request is not self.request:
            return
        if request.failure is not None:  # failed or aborted: no new document is coming
            self.loaded.set()
            return
        # A finished navigation is a redirect (the follow-up request takes over), a response
        # that commits a document (DOMContentLoaded sets `loaded`), or one that commits none
        # (204/205, blocked navigations answered 204, downloads): only the last needs setting.
        asyncio.ensure_future(self._settle_finished(request)).add_done_callback(_discard_result)

    async def _settle_finished(self, request) -> None:
        if request.redirected_to is not None:
            return
        try:
            response = await request.response()
        except Exception:  # the page went away meanwhile  # noqa: BLE001
            self.loaded.set()
            return
        if response is None:
            self.loaded.set()
        elif 300 <= response.status < 400 and response.headers.get("location"):
            return  # the redirected request is on its way
        elif response.status in (204, 205) or "attachment" in response.headers.get(
            "content-disposition", ""
        ):
            self.loaded.set()

    def _on_loaded(self, _page) -> None:
        if self.request is not None:
            self.loaded.set()

    async def settle(self, timeout_ms: int, grace_ms: int = 0) -> None:
        """Give the page one task tick to start a navigation; wait for it when it did.

        The tick (a ``setTimeout(0)`` round trip) lets navigations that the page scheduled
        (form submission on Enter, ``location.href = ...``) begin. While a navigation is
        pending Chromium may not answer the tick until the new document commits, so the tick
        is raced against the navigation's request instead of awaited on its own.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_ms / 1000
        tick = asyncio.ensure_future(self.page.evaluate(_TICK_JS))
        tick.add_done_callback(_discard_result)
        started = asyncio.ensure_future(self.started.wait())
        try:
            await asyncio.wait(
                {tick, started}, timeout=timeout_ms / 1000, return_when=asyncio.FIRST_COMPLETED
            )
        finally:
            started.cancel()
            tick.cancel()  # only still running when a navigation is pending
        if self.request is None and grace_ms:
            try:
                await asyncio.wait_for(self.started.wait(), grace_ms / 1000)
            except asyncio.TimeoutError:
                pass
        if self.request is None:
            return
        try:
            await asyncio.wait_for(self.loaded.wait(), max(0.0, deadline - loop.time()))
            remaining_ms = max(1.0, (deadline - loop.time()) * 1000)
            await self.page.wait_for_load_state("domcontentloaded", timeout=remaining_ms)
        except (asyncio.TimeoutError, PlaywrightError):
            pass  # slow or failed loads are shown by the observation, not raised here

    def close(self) -> None:
        for event, handler in self._handlers.items():
            self.page.remove_listener(event, handler)


_TICK_JS = "() => new Promise(resolve => setTimeout(resolve, 0))"


def _discard_result(task: asyncio.Future) -> None:
    """Retrieve a background task's outcome so that asyncio does not log it as unhandled."""
    if not task.cancelled():
        task.exception()


def _is_closed(exc: Exception) -> bool:
    """Whether a Playwright error means the page, context or browser is gone."""
    message = str(exc)
    return "has been closed" in message or "Target closed" in message


async def _labelled(page: Page, action: Action) -> Locator:
    """The element numbered ``action.element``, or an error naming the number."""
    locator = page.locator(f'[{LABEL_ATTRIBUTE}="{action.element}"]').first
    if await locator.count() == 0:
        raise ActionExecutionError(
            f"Element {action.element} does not exist on this page; "
            "use a number from the current observation."
        )
    return locator


async def _click(page: Page, locator: Locator, action: Action, timeout_ms: int) -> None:
    """A real mouse click; a DOM ``click()`` when the element cannot be clicked in time."""
    try:
        # no_wait_after: a navigation the click starts is waited for by _NavigationWatch,
        # which never fails; here a slow page would raise a timeout after a successful click.
        await locator.click(timeout=timeout_ms, no_wait_after=True)
    except PlaywrightError as exc:  # TimeoutError included: covered, hidden, moving
        if _is_closed(exc):
            raise
        # Overlays and zero-size elements defeat a mouse click; the element's own click()
        # still runs its handlers and follows links, which is what the model asked for.
        await locator.evaluate("el => el.click()", timeout=timeout_ms)


async def _type(page: Page, locator: Locator, action: Action, timeout_ms: int) -> None:
    """Replace the field's text with ``action.argument`` as a user would.

    As the WebArena-Lite harness does: click the field, select all (Ctrl+A; Cmd+A on macOS),
    Backspace, then type the text key by key, so that key handlers (autocomplete, live
    validation, search-as-you-type) see it. A line break in the text is typed as Enter.
    """
    text = action.argument or ""
    info = await locator.evaluate(_DESCRIBE_JS)
    tag, kind = info["tag"], info["type"]
    if (tag == "input" and kind not in _TYPED_INPUT_TYPES | _FILLED_INPUT_TYPES) or tag == "select":
        described = f'<input type="{kind}">' if tag == "input" else "<select>"
        hint = "use Select Dropdown Option" if tag == "select" else "use Click"
        raise ActionExecutionError(
            f"Element {action.element} is a {described}, which cannot be typed into; {hint}."
        )
    if tag in _CLICK_ONLY_TAGS and not info["editable"]:
        # Clicking a link or button to focus it would follow it or submit, not type.
        raise ActionExecutionError(
            f"Element {action.element} is a <{tag}>, not a text field; use Click to "
            "follow it, or type into an input, a textarea or an editable element."
        )
    if tag in ("input", "textarea"):
        if info["disabled"] or info["readonly"]:
            state = "disabled" if info["disabled"] else "read-only"
            raise ActionExecutionError(
                f"Element {action.element} is {state}; it cannot be typed into."
            )
        if kind == "number" and text.strip() and not _NUMBER.fullmatch(text):
            raise ActionExecutionError(
                f'Element {action.element} is a number field (<input type="number">); '
                f"type a number, not {_snippet(repr(text), 40)}."
            )
    if tag == "input" and kind in _FILLED_INPUT_TYPES:
        await locator.fill(text, timeout=timeout_ms)
    else:
        await _focus_by_click(page, locator, action, info, timeout_ms)
        await page.keyboard.press("ControlOrMeta+A")
        await page.keyboard.press("Backspace")
        await page.keyboard.type(text[:TYPE_KEYS_MAX])
        if len(text) > TYPE_KEYS_MAX:
            await page.keyboard.insert_text(text[TYPE_KEYS_MAX:])


async def _focus_by_click(
    page: Page, locator: Locator, action: Action, info: dict[str, object], timeout_ms: int
) -> None:
    """Put the keyboard focus in the element by clicking it, as a user does.

    A contenteditable element is focused directly (a click could land on a link inside it).
    A field whose click is intercepted (a floating label over it) is focused directly too. An
    element that is not a field (a label, a custom widget) must move the focus into a text
    field when clicked, or it is not something to type into.
    """
    if info["editable"]:
        await locator.focus(timeout=timeout_ms)
        return
    field = info["tag"] in ("input", "textarea")
    try:
        await locator.click(timeout=timeout_ms, no_wait_after=True)
    except PlaywrightError as exc:
        if _is_closed(exc) or not field:
            raise
        await locator.focus(timeout=timeout_ms)
    if field:
        if not await locator.evaluate(_HAS_FOCUS_JS):
            await locator.focus(timeout=timeout_ms)  # its click handler moved the focus away
    elif not await _is_editing(page):
        raise ActionExecutionError(
            f"Element {action.element} (<{info['tag']}>) is not a text field; "
            "type into an input, a textarea or an editable element."
        )


async def _is_editing(page: Page) -> bool:
    """Whether a text field has the focus; False when the click that focused led elsewhere
    (the old document, and its focus, are gone)."""
    try:
        return bool(await page.evaluate(_IS_EDITING_JS))
    except PlaywrightError as exc:
        if _is_closed(exc):
            raise
        return False  # "Execution context was destroyed": the click navigated


async def _select(page: Page, locator: Locator, action: Action, timeout_ms: int) -> None:
    """Choose the option labelled ``action.argument``: its label exactly, in any case, its
    value, then (as the harness does) the first option whose label contains the argument."""
    info = await locator.evaluate(_DESCRIBE_JS)
    if info["tag"] != "select":
        raise ActionExecutionError(
            f"Element {action.element} is not a <select> (it is a <{info['tag']}>); "
            "click it to open it, then click the option you want."
        )
    options = await locator.evaluate(_OPTIONS_JS)
    wanted = action.argument or ""
    folded = " ".join(wanted.split()).casefold()
    for matches in (
        lambda o: o["label"] == wanted,
        lambda o: o["label"].casefold() == folded,
        lambda o: o["value"] == wanted,
        lambda o: o["value"].casefold() == folded,
        # the harness's only rule: the first option whose text contains the argument
        lambda o: folded in o["label"].casefold(),
    ):
        chosen = next((o for o in options if matches(o)), None)
        if chosen is not None:
            await locator.select_option(
                # a list: Playwright drops a bare index 0 (falsy), leaving the select empty
                index=[chosen["index"]], timeout=timeout_ms, no_wait_after=True
            )
            return
    labels = [o["label"] or repr(o["value"]) for o in options]
    available = ", ".join(labels[:_MAX_LISTED_OPTIONS]) or "(no options)"
    if len(labels) > _MAX_LISTED_OPTIONS:
        available += f", ... ({len(labels) - _MAX_LISTED_OPTIONS} more)"
    raise ActionExecutionError(
        f'Option "{wanted}" not found in element {action.element}; available: {available}'
    )


async def _hover(page: Page, locator: Locator, action: Action, timeout_ms: int) -> None:
    """Move the mouse over the element (fires mouseover and applies :hover styles)."""
    await locator.hover(timeout=timeout_ms)


async def _search(page: Page, locator: Locator, action: Action, timeout_ms: int) -> None:
    """Type the text, let the page settle, press Enter, and wait for the results.

    The harness pauses 2 s between typing and Enter and reads the page 0.5 s after it. Here
    the pauses end as soon as the page has had no request in flight for ``SEARCH_QUIET_MS``
    (at most ``SEARCH_PAUSE_MAX_MS`` before Enter, ``SEARCH_RESULTS_MAX_MS`` after), so that
    suggestions fetched while typing and results fetched after Enter (a grid that reloads by
    XHR, a form submitted by a script a moment later) are on the page that is read next.
    """
    requests = _RequestWatch(page)
    try:
        await _type(page, locator, action, timeout_ms)
        await requests.quiet(SEARCH_QUIET_MS, SEARCH_PAUSE_MAX_MS)
        await page.keyboard.press("Enter")
        await requests.quiet(SEARCH_QUIET_MS, SEARCH_RESULTS_MAX_MS)
    finally:
        requests.close()


class _RequestWatch:
    """Counts the page's requests in flight (documents, fetches, XHRs) from its creation on."""

    _TYPES = {"document", "fetch", "xhr"}

    def __init__(self, page: Page) -> None:
        self.page = page
        self.pending: set[object] = set()
        self.last_change = asyncio.get_running_loop().time()
        self._handlers = {
            "request": self._on_request,
            "requestfinished": self._on_end,
            "requestfailed": self._on_end,
        }
        for event, handler in self._handlers.items():
            page.on(event, handler)

    def _on_request(self, request) -> None:
        if request.resource_type in self._TYPES:
            self.pending.add(request)
            self.last_change = asyncio.get_running_loop().time()

    def _on_end(self, request) -> None:
        if request in self.pending:
            self.pending.discard(request)
            self.last_change = asyncio.get_running_loop().time()

    async def quiet(self, quiet_ms: int, max_ms: int) -> None:
        """Return once no request has been in flight for ``quiet_ms`` (counting from now at
        the earliest), or after ``max_ms``."""
        loop = asyncio.get_running_loop()
        start = loop.time()
        self.last_change = max(self.last_change, start)
        deadline = start + max_ms / 1000
        while True:
            now = loop.time()
            if now >= deadline:
                return
            if not self.pending and now - self.last_change >= quiet_ms / 1000:
                return
            await asyncio.sleep(min(0.05, deadline - now))

    def close(self) -> None:
        for event, handler in self._handlers.items():
            self.page.remove_listener(event, handler)


_ELEMENT_ACTIONS: dict[str, Callable[[Page, Locator, Action, int], Awaitable[None]]] = {
    "Click": _click,
    "Type": _type,
    "Search": _search,
    "Hover": _hover,
    "Select Dropdown Option": _select,
}


def _playwright_reason(message: str) -> str:
    """The first line of a Playwright error without its ``Locator.fill:`` style prefix."""
    first = message.strip().splitlines()[0] if message.strip() else "unknown error"
    return re.sub(r"^\w+\.\w+:\s*", "", first)
