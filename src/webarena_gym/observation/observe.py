"""Observing a live page: one injected script labels and serializes it, lxml prunes it."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING

from webarena_gym.observation.simplify import simplify_html_with_truncation

if TYPE_CHECKING:
    from playwright.async_api import Page

try:  # one source of truth for the attribute actions look elements up by
    from webarena_gym.actions import LABEL_ATTRIBUTE
except ImportError:  # pragma: no cover - actions.py is part of the package
    LABEL_ATTRIBUTE = "data-wag-id"

# Errors that mean the page navigated while the script ran; observing again then succeeds.
_RETRYABLE = ("Execution context was destroyed", "Cannot find context")
_ATTEMPTS = 3


@dataclass
class PageObservation:
    """One observation of a page.

    Attributes:
        html: the simplified HTML, labelled elements rendered as ``<tag id="N" ...>``.
        num_elements: how many elements were labelled (ids ``0 .. num_elements-1``).
        raw_chars: length of the page's own HTML, as ``page.content()`` returns it without
            the labels.
        truncated: whether ``html`` was cut at ``max_chars``.
        element_tags: label number (as a string) -> tag name, e.g. ``{"0": "a", "1": "input"}``.
    """

    html: str
    num_elements: int
    raw_chars: int
    truncated: bool
    element_tags: dict[str, str] = field(default_factory=dict)


@lru_cache(maxsize=1)
def labeller_script() -> str:
    """The source of ``label.js``, a function ``({attribute, viewportOnly}) => result``.

    ``result`` is ``{html, tags, rawChars}``: the serialized visible DOM, the tag of each label
    in order, and the length of the page's own HTML.
    """
    return resources.files(__package__).joinpath("label.js").read_text(encoding="utf-8")


async def observe_page(
    page: Page, *, viewport_only: bool = False, max_chars: int | None = None
) -> PageObservation:
    """Label the visible interactive elements of ``page`` and return its simplified HTML.

    Runs one ``page.evaluate`` that clears the previous labels, numbers every visible
    interactive element from 0 in document order (writing ``data-wag-id="N"`` on the live
    element, which actions look up) and serializes the visible DOM; then prunes it in Python
    (:func:`~webarena_gym.observation.simplify_html`). Re-observing relabels from scratch, so
    the same page state always gets the same numbers.

    Args:
        page: a Playwright async page (call on the browser runtime's loop).
        viewport_only: leave out elements entirely outside the viewport.
        max_chars: cap on ``html``; longer output is cut at a tag boundary and ends with a
            ``<!-- truncated: N more characters; scroll to see more -->`` marker.

    Raises:
        playwright.async_api.Error: when the page cannot be evaluated (closed, crashed, or
            still navigating after a few attempts).
    """
    from playwright.async_api import Error as PlaywrightError
    from playwright.async_api import TimeoutError as PlaywrightTimeoutError

    script = labeller_script()
    options = {"attribute": LABEL_ATTRIBUTE, "viewportOnly": bool(viewport_only)}
    for attempt in range(_ATTEMPTS):
        try:
            # A document that has just committed may not be parsed yet: wait for it (instant
            # when the page is already loaded).
            try:
                await page.wait_for_load_state("domcontentloaded")
            except PlaywrightTimeoutError:
                pass  # a page that stopped halfway is observed as far as it loaded
            result = await page.evaluate(script, options)
            break
        except PlaywrightError as exc:
            if attempt == _ATTEMPTS - 1 or not any(m in str(exc) for m in _RETRYABLE):
                raise
            try:
                await page.wait_for_load_state("domcontentloaded")
            except PlaywrightError:
                pass
    html, truncated = simplify_html_with_truncation(result["html"], max_chars)
    tags = result["tags"]
    return PageObservation(
        html=html,
        num_elements=len(tags),
        raw_chars=int(result["rawChars"]),
        truncated=truncated,
        element_tags={str(i): tag for i, tag in enumerate(tags)},
    )
