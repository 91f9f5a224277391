"""``program_html``: check the state the agent left on the sites by reading pages.

Each check opens its URL (``last`` = the agent's final URL, ``func:`` = a helper's URL) in a new
page of the browser context it is given, never the agent's own page, runs its ``prep_actions``,
reads its locator (``""`` = the whole page's HTML, a JavaScript expression, or a ``func:``
helper given the page as ``__page__``) and checks the text against ``required_contents``.

The locators and prep actions come from the task config, never from the agent, and Playwright
runs them even in a context created with ``java_script_enabled=False``: such a context (what
the env gives the sandbox's server-rendered sites, see
:meth:`~webarena_gym.browser.Session.evaluation_context`) runs no page script at all, so a
script an agent stored in a site cannot rewrite what a check reads. Only http(s) pages are
opened (an agent left on a ``data:`` page scores 0), and ``timeout_s`` bounds the reading of
all the checks' pages together, so a page whose script never ends cannot hang the evaluation.
"""

from __future__ import annotations

import asyncio
import html
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from playwright.async_api import Error as PlaywrightError

from webarena_gym.evaluation.helpers import HelperContext, call_helper
from webarena_gym.evaluation.judges import JudgeCalls
from webarena_gym.evaluation.modes import GYM
from webarena_gym.evaluation.result import EvaluationError, EvaluatorResult, excerpt
from webarena_gym.evaluation.string_match import (
    HARNESS_OR,
    check_contents,
    vab_clean,
    vab_must_exclude,
    vab_must_include,
    webarena_clean,
    webarena_must_include,
)
from webarena_gym.tasks.config import LAST_URL, ProgramHtmlCheck, TaskConfig
from webarena_gym.tasks.funcs import is_func, parse_func_call

if TYPE_CHECKING:
    from playwright.async_api import BrowserContext, Page, Request, Route

# Pages that render with scripts after "load" (GitLab's Vue views) settle within this;
# WebArena slept 3 s after every navigation.
SETTLE_TIMEOUT_MS = 3000

# How long closing a check's page may take (a renderer stuck in a script is not waited for).
_PAGE_CLOSE_TIMEOUT_S = 5.0


def _to_text(value: Any, mode: str = GYM) -> str:
    """A locator's JavaScript result as text (null -> ""); the harnesses' ``str(value)`` in
    their modes (null -> "None", true -> "True", a list in Python's repr)."""
    if mode != GYM:
        return str(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


async def _open(
    page: Page, url: str, timeout_ms: int, notes: list[str], settle_ms: int = SETTLE_TIMEOUT_MS
) -> bool:
    """Navigate and let the page settle; False (with a note) when it cannot be opened.

    ``settle_ms`` bounds the wait for the network to go quiet after ``load`` (0: don't wait,
    for server-rendered sites such as the sandbox's).
    """
    try:
        await page.goto(url, wait_until="domcontentloaded", timeout=timeout_ms)
    except PlaywrightError as exc:
        notes.append(f"could not open {url}: {str(exc).splitlines()[0]}")
        return False
    for state, timeout in (("load", timeout_ms), ("networkidle", settle_ms)):
        if timeout <= 0:
            continue
        try:
            await page.wait_for_load_state(state, timeout=min(timeout, timeout_ms))
        except PlaywrightError:
            pass  # a page still loading ads or polling is read as it is
    return True


async def _read_locator(
    check: ProgramHtmlCheck,
    page: Page,
    helper_ctx: HelperContext,
    notes: list[str],
    mode: str = GYM,
) -> str:
    """The text the check's locator selects on the opened page (entities decoded in the
    ``gym`` mode; the harness modes decode, or not, when they compare)."""
    locator = check.locator.strip()
    if not locator:
        # The whole page, as WebArena's page.content(), with entities decoded so "&" matches.
        content = await page.content()
        return content if mode != GYM else html.unescape(content)
    if is_func(locator):
        call = parse_func_call(locator)
        helper_ctx.helper = call.name
        helper_ctx.page = page
        return await call_helper(call, helper_ctx)
    try:
        value = await page.evaluate("() => (" + locator + ")")
    except PlaywrightError as exc:
        notes.append(f"locator failed, read as '': {str(exc).splitlines()[0]}")
        return ""
    if value is None:
        notes.append("locator returned null, read as " + ("''" if mode == GYM else "'None'"))
    return _to_text(value, mode)


async def _read_page(
    check: ProgramHtmlCheck,
    target: str,
    *,
    context: BrowserContext,
    helper_ctx: HelperContext,
    page_timeout_ms: int,
    settle_ms: int,
    notes: list[str],
    mode: str = GYM,
    live_page: Page | None = None,
) -> tuple[bool, str]:
    """Open ``target`` in a new page, run the prep actions, read the locator; the page is
    closed after. With ``live_page`` (a ``url: "last"`` check in a harness mode) that page is
    read as the agent left it instead: not reloaded, not navigated, not closed, so unsaved
    form state and a page reached by a POST are what the check sees. Returns (opened, the
    text read)."""
    if live_page is not None:
        notes.append("read the agent's live page (url: last)")
        await _prep(check, live_page, notes)
        return True, await _read_locator(check, live_page, helper_ctx, notes, mode)
    page = await context.new_page()
    try:
        await _stay_on_first_document(page, notes)
        if not await _open(page, target, page_timeout_ms, notes, settle_ms):
            return False, ""
        await _prep(check, page, notes)
        return True, await _read_locator(check, page, helper_ctx, notes, mode)
    finally:
        await _close_page(page)


async def _prep(check: ProgramHtmlCheck, page: Page, notes: list[str]) -> None:
    for action in check.prep_actions:
        try:
            await page.evaluate("() => { " + action + " }")
        except PlaywrightError as exc:
            notes.append(f"prep action failed: {str(exc).splitlines()[0]}")


async def _stay_on_first_document(page: Page, notes: list[str]) -> None:
    """Keep ``page`` on the document its first navigation commits (after server redirects).

    A later navigation of the page (a ``<meta http-equiv=refresh>`` or a script that markup
    stored in a site could start, or a clicked link) is answered 204, which leaves the page as
    it is: a check reads the page it asked for, never one the page sent it to.
    """
    started = False

    async def hold(route: Route, request: Request) -> None:
        nonlocal started
        try:
            fresh = (
                request.is_navigation_request()
                and request.frame == page.main_frame
                and request.redirected_from is None
            )
        except PlaywrightError:  # a request without a frame (a worker's)
            fresh = False
        try:
            if fresh and started:
                notes.append(f"the page tried to leave for {excerpt(request.url)}; kept it")
                await route.fulfill(status=204, body="")
                return
            started = started or fresh
            await route.fallback()  # on to the context's routes (the origin fence)
        except PlaywrightError:
            pass  # the page closed while the request waited

    await page.route("**/*", hold)


async def _close_page(page: Page) -> None:
    try:
        await asyncio.wait_for(page.close(), _PAGE_CLOSE_TIMEOUT_S)
    except (PlaywrightError, asyncio.TimeoutError):
        pass  # already closed, or stuck: closing the context ends it


async def _run_check(
    check: ProgramHtmlCheck,
    index: int,
    *,
    task: TaskConfig,
    final_url: str,
    context: BrowserContext,
    site_urls: Mapping[str, str],
    judge: JudgeCalls,
    page_timeout_ms: int,
    settle_ms: int,
    deadline: float | None,
    timeout_s: float | None,
    mode: str = GYM,
    live_page: Page | None = None,
) -> dict[str, Any]:
    notes: list[str] = []
    helper_ctx = HelperContext(
        task_id=task.task_id,
        helper="",
        site_urls=site_urls,
        final_url=final_url,
        judge=judge,
        intent=task.intent,
    )
    live = None
    if check.url == LAST_URL:
        target = final_url
        if mode != GYM and live_page is not None and not live_page.is_closed():
            live = live_page
    elif is_func(check.url):
        call = parse_func_call(check.url)
        helper_ctx.helper = call.name
        target = await call_helper(call, helper_ctx)
    else:
        target = check.url
    found = ""
    opened = False
    loop = asyncio.get_running_loop()
    if not target:
        notes.append(f"no URL to open ({check.url!r} gave none)")
    elif not target.strip().lower().startswith(("http:", "https:")):
        notes.append(f"not opened: {excerpt(target)!r} is not an http(s) page of the sites")
    elif deadline is not None and deadline <= loop.time():
        notes.append(f"not opened: the checks' {timeout_s:g} s were spent; scored 0")
    else:
        read = _read_page(
            check,
            target,
            context=context,
            helper_ctx=helper_ctx,
            page_timeout_ms=page_timeout_ms,
            settle_ms=settle_ms,
            notes=notes,
            mode=mode,
            live_page=live,
        )
        try:
            remaining = None if deadline is None else deadline - loop.time()
            opened, found = await asyncio.wait_for(read, remaining)
        except asyncio.TimeoutError:
            opened, found = False, ""
            notes.append(
                f"timed out: the checks' pages were not read within {timeout_s:g} s (a page "
                "that keeps loading, or a script that never ends); scored 0"
            )
    if opened:
        # The judge of fuzzy contents is not a page: it is not held to the pages' deadline.
        if mode == GYM:
            score, content_notes = await check_contents(
                check.required_contents, found, intent=task.intent, judge=judge,
                join_fuzzy=True,
            )
        else:
            score, content_notes = await harness_check_html(
                mode, check.required_contents, found, intent=task.intent, judge=judge
            )
        notes.extend(content_notes)
    else:
        score = 0.0
    return {
        "url": check.url,
        "target": target,
        "opened": opened,
        "locator": check.locator,
        "required_contents": check.required_contents,
        "found": excerpt(found),
        "score": score,
        "notes": notes,
    }


async def evaluate_program_html(
    task: TaskConfig,
    *,
    final_url: str,
    context: BrowserContext | None,
    site_urls: Mapping[str, str],
    judge: JudgeCalls,
    page_timeout_ms: int = 15000,
    settle_ms: int = SETTLE_TIMEOUT_MS,
    timeout_s: float | None = None,
    mode: str = GYM,
    live_page: Page | None = None,
) -> EvaluatorResult:
    """``program_html``: every check of ``task.eval.program_html`` must pass.

    ``mode`` is the evaluation mode (:mod:`~webarena_gym.evaluation.modes`): in ``"webarena"``
    and ``"vab"`` a check reads and compares as that harness does, and a ``url: "last"`` check
    reads ``live_page`` (the agent's page as it ended) when given; in ``"gym"`` every check
    opens its URL in a new page of ``context``.

    ``timeout_s`` bounds the time spent opening and reading the checks' pages, all checks
    together (``None``: each page only has ``page_timeout_ms``); a check whose page is not read
    by then scores 0 with a note.

    Raises:
        EvaluationError: no browser context, or a ``func:`` helper that cannot run.
        ValueError: ``timeout_s`` is not positive.
    """
    if context is None:
        raise EvaluationError(
            f"task {task.task_id!r}: program_html needs the episode's browser context"
        )
    if timeout_s is not None and timeout_s <= 0:
        raise ValueError(f"timeout_s must be positive (or None for no bound), got {timeout_s}")
    deadline = None if timeout_s is None else asyncio.get_running_loop().time() + timeout_s
    checks = []
    for index, check in enumerate(task.eval.program_html):
        checks.append(
            await _run_check(
                check,
                index,
                task=task,
                final_url=final_url,
                context=context,
                site_urls=site_urls,
                judge=judge,
                page_timeout_ms=page_timeout_ms,
                settle_ms=settle_ms,
                deadline=deadline,
                timeout_s=timeout_s,
                mode=mode,
                live_page=live_page,
            )
        )
    score = 1.0 if all(c["score"] == 1.0 for c in checks) else 0.0
    expected = [check.to_dict() for check in task.eval.program_html]
    found = [{k: c[k] for k in ("target", "opened", "found", "score")} for c in checks]
    notes = [f"check {i}: {note}" for i, c in enumerate(checks) for note in c["notes"]]
    return EvaluatorResult("program_html", score, expected, found, notes)


async def harness_check_html(
    mode: str, contents: Mapping[str, Any], found: str, *, intent: str, judge: JudgeCalls
) -> tuple[float, list[str]]:
    """Compare a check's text with ``required_contents`` as the ``mode`` harness does.

    Both harnesses use only the first kind present, in the order exact_match, must_include,
    (VAB:) must_exclude, fuzzy_match, and split ``|OR|`` in ``must_include``. WebArena decodes
    HTML entities first and compares ``must_include`` as substrings; VAB decodes nothing and
    compares one-token references with whole tokens, and asks the judge once about all fuzzy
    references joined by ", ". A kind WebArena's harness rejects is checked as the ``gym``
    mode checks it, with a note.
    """
    notes: list[str] = []
    if mode == "webarena":
        text = html.unescape(found)
        if "exact_match" in contents:
            ok = webarena_clean(text) == webarena_clean(contents["exact_match"])
            if not ok:
                notes.append(f"exact_match: {webarena_clean(text)!r:.200} != "
                             f"{contents['exact_match']!r}")
            return (1.0 if ok else 0.0), notes
        if "must_include" in contents:
            score = 1.0
            for item in contents["must_include"]:
                alts = item.split(HARNESS_OR)
                if not any(webarena_must_include(a, text, tokenize=False) for a in alts):
                    score = 0.0
                    notes.append(f"must_include: {item!r} not found")
            return score, notes
        notes.append(f"required_contents {sorted(contents)}: WebArena's harness rejects these "
                     "kinds; checked as the gym mode checks them")
        score, more = await check_contents(contents, found, intent=intent, judge=judge,
                                           join_fuzzy=True)
        return score, notes + more
    if "exact_match" in contents:
        ok = vab_clean(found) == vab_clean(contents["exact_match"])
        if not ok:
            notes.append(f"exact_match: {vab_clean(found)!r:.200} != {contents['exact_match']!r}")
        return (1.0 if ok else 0.0), notes
    score = 1.0
    if "must_include" in contents:
        for item in contents["must_include"]:
            if not any(vab_must_include(a, found) for a in item.split(HARNESS_OR)):
                score = 0.0
                notes.append(f"must_include: {item!r} not found")
    elif "must_exclude" in contents:
        for item in contents["must_exclude"]:
            if not vab_must_exclude(item, found):
                score = 0.0
                notes.append(f"must_exclude: {item!r} found")
    elif contents.get("fuzzy_match"):
        reference = ", ".join(contents["fuzzy_match"])
        if not await judge.fuzzy_match(intent, reference, found, notes):
            score = 0.0
            notes.append(f"fuzzy_match: judge says {reference!r} does not match")
    return score, notes
