"""Observing a live page: one injected script labels and serializes it, lxml prunes it."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page
from playwright.async_api import TimeoutError as PlaywrightTimeoutError

from webarena_gym.observation.simplify import simplify_html_with_truncation
from webarena_gym.observation.webrl import WEBRL_MAX_CHARS, render_webrl

LABEL_ATTRIBUTE = "data-wag-id"
"""DOM attribute holding an element's number; the labeller writes it, actions look elements up
by it (:mod:`webarena_gym.actions.execute`)."""

# Errors that mean the page navigated while the script ran; observing again then succeeds.
_RETRYABLE = ("Execution context was destroyed", "Cannot find context")
_ATTEMPTS = 3

OBS_FORMATS = ("default", "webrl")
"""Observation formats: ``"default"`` (this package's simplified HTML, DESIGN 3.2) and
``"webrl"`` (WebRL / WebAgent-R1's, :mod:`webarena_gym.observation.webrl`)."""


def check_obs_format(obs_format: str) -> str:
    """``obs_format`` when it is one of :data:`OBS_FORMATS`, else a ``ValueError`` naming them."""
    if obs_format not in OBS_FORMATS:
        valid = ", ".join(repr(f) for f in OBS_FORMATS)
        raise ValueError(f"obs_format must be one of {valid}; got {obs_format!r}")
    return obs_format


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


@lru_cache(maxsize=1)
def webrl_script() -> str:
    """The source of ``webrl.js``, a function ``({attribute}) => result`` (the ``webrl``
    format's numbering and page annotation).

    ``result`` is ``{html, tags, rawChars, window}``: the annotated HTML of a copy of the page,
    the tag of each label in order, the length of the page's own HTML, and ``[scrollX,
    scrollY, innerWidth, innerHeight]``.
    """
    return resources.files(__package__).joinpath("webrl.js").read_text(encoding="utf-8")


async def observe_page(
    page: Page,
    *,
    viewport_only: bool = False,
    max_chars: int | None = None,
    obs_format: str = "default",
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
            ``<!-- truncated: N more characters; scroll to see more -->`` marker. In the
            ``webrl`` format: a plain cut at this many characters, as WebRL's prompt cuts
            (default :data:`~webarena_gym.observation.webrl.WEBRL_MAX_CHARS`).
        obs_format: ``"default"`` or ``"webrl"``: WebRL / WebAgent-R1's simplified HTML, its
            own numbering (clickable, unoccluded, innermost elements in the viewport) and
            always only the viewport (``viewport_only`` is ignored); see
            :mod:`webarena_gym.observation.webrl`.

    Raises:
        playwright.async_api.Error: when the page cannot be evaluated (closed, crashed, or
            still navigating after a few attempts).
    """
    webrl = check_obs_format(obs_format) == "webrl"
    script = webrl_script() if webrl else labeller_script()
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
    if webrl:
        html, truncated = render_webrl(
            result["html"],
            result["window"][2:],
            label_attribute=LABEL_ATTRIBUTE,
            max_chars=WEBRL_MAX_CHARS if max_chars is None else max_chars,
        )
    else:
        html, truncated = simplify_html_with_truncation(result["html"], max_chars)
    tags = result["tags"]
    return PageObservation(
        html=html,
        num_elements=len(tags),
        raw_chars=int(result["rawChars"]),
        truncated=truncated,
        element_tags={str(i): tag for i, tag in enumerate(tags)},
    )
