"""Observations: the page as simplified HTML with numbered elements (DESIGN 3.2).

Two formats (``observe_page(..., obs_format=...)``, the env's ``obs_format``): ``"default"``,
described below, and ``"webrl"``, the HTML exactly as WebRL / WebAgent-R1's harness renders
it (:mod:`webarena_gym.observation.webrl`).

The WebRL / WebAgent-R1 format: every visible interactive element gets a number, rendered as
``<tag id="N" attr="...">text</tag>``, and the same number is written on the live element as
``data-wag-id="N"`` so that actions can find it. Labelling and serialization run in the page
as one injected script per step (``label.js``); pruning and rendering run in Python on lxml
(:func:`simplify_html`).

What counts as interactive: ``a``, ``button``, ``input`` (not hidden), ``select``,
``textarea``, ``summary``, ``[onclick]``, clickable ARIA roles (button, link, checkbox, radio,
tab, menuitem, option, switch, combobox, textbox, ...), ``tabindex >= 0``, the root of a
``contenteditable`` region, and an element with ``cursor: pointer`` whose parent does not
have it (so the children of a link are not numbered too).

What counts as visible: rendered (not ``display: none``, not in a closed ``<details>``, not
``content-visibility: hidden``), ``visibility: visible``, not ``opacity: 0`` (form controls
excepted: styled checkboxes hide the real one that way), not ``aria-hidden="true"``, with a
non-empty box (or, for a zero-size box that does not clip, visible content).

Attributes kept: ``id`` (the number), title, value (the current value of inputs, textareas
and selects; passwords masked), type (inputs), placeholder, selected (options, and
``aria-selected`` tabs/options), checked (checkboxes and radios always say ``true``/
``false``; ARIA checkboxes from ``aria-checked``), alt, aria-label, name (form controls),
role (numbered elements). Options of a select are kept so the agent can pick one.

Known limitations:
- Click handlers added with ``addEventListener`` are invisible to a page script; such
  elements are numbered only through another signal (pointer cursor, role, tabindex, tag).
- Same-origin iframes are labelled (numbers unique across frames) and shown inside their
  ``<iframe>``, but the label lives in the iframe's document: a lookup must search that frame.
  Cross-origin iframes are left out. Closed shadow roots are left out; open ones are walked
  in the flat tree (slots included).
- The insides of ``<svg>`` (chart text included), ``<canvas>`` and media are not text;
  an ``svg`` shows its ``<title>``.
- ``viewport_only`` leaves out an element's whole subtree when its box is outside the
  viewport; a ``position: fixed`` descendant of such an element is lost with it.
"""

from webarena_gym.observation.observe import (
    LABEL_ATTRIBUTE,
    OBS_FORMATS,
    PageObservation,
    check_obs_format,
    labeller_script,
    observe_page,
    webrl_script,
)
from webarena_gym.observation.simplify import (
    ATTRIBUTE_WHITELIST,
    TRUNCATION_MARKER,
    simplify_html,
    simplify_html_with_truncation,
)
from webarena_gym.observation.webrl import WEBRL_ATTRIBUTES, WEBRL_MAX_CHARS, render_webrl

__all__ = [
    "ATTRIBUTE_WHITELIST",
    "LABEL_ATTRIBUTE",
    "OBS_FORMATS",
    "TRUNCATION_MARKER",
    "WEBRL_ATTRIBUTES",
    "WEBRL_MAX_CHARS",
    "PageObservation",
    "check_obs_format",
    "labeller_script",
    "observe_page",
    "render_webrl",
    "simplify_html",
    "simplify_html_with_truncation",
    "webrl_script",
]
