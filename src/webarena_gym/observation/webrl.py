"""The ``"webrl"`` observation format: the simplified HTML of WebRL / WebAgent-R1.

Models trained on WebRL's data (WebRL's Llama checkpoints, WebAgent-R1) saw pages as
VisualAgentBench's WebArena-Lite harness renders them (its ``webrl`` observation type): a page
script numbers the elements (``webrl.js``: clickable, unoccluded, in the viewport, innermost)
and annotates every element with ``data-bbox`` / ``data-text`` / ``data-value`` /
``data-status``; a parser then re-reads the page's HTML with lxml and writes each kept element
as ``<tag id="N" attr="v"> text children </tag>``. This module is our implementation of that
parser; :func:`render_webrl` turns what ``webrl.js`` returns into the observation.

The rules, as the harness applies them:

- **Attributes** (in this order, non-empty values only, each cut to 500 characters, an
  attribute whose value equals an earlier one's left out): ``title``, ``value``, ``type``
  (not ``hidden``), ``placeholder``, ``selected``, ``data-value`` (the live value of inputs,
  textareas and selects), ``data-text`` (the element's own text nodes, joined by commas; the
  selected option's text for a select), ``data-testid``, ``data-label``, ``data-bbox``
  (``left,top,width,height`` of the first box, viewport pixels), ``data-status``
  (``checked`` / ``not-checked`` for checkboxes, ``selected`` for the selected option).
- **Text**: only the text before an element's first child element (lxml's ``.text``),
  stripped and cut to 500 characters; text after a child shows only in ``data-text``.
- **Which elements are written**: those whose box touches the viewport (no box: never;
  ``aria-hidden="true"``: never), with text, a kept attribute besides ``data-bbox``, a number,
  or more than one child that has text; the options of a written select. Any other element
  is replaced by what its children render. Scripts, styles and comments are dropped.
- **Numbers** (``id``): from ``webrl.js`` (see its header), the same numbers written on the
  live elements as :data:`~webarena_gym.observation.LABEL_ATTRIBUTE`, which actions look up.
- **Length cap**: the harness's prompt keeps the first ``16384 - 512`` characters of the
  observation (less the length of the action history); :data:`WEBRL_MAX_CHARS` is that cap.
- Nothing is escaped: text and attribute values are written as the page has them.
- Encoding: the HTML goes to lxml as UTF-8 bytes, as in the harness, so a page that declares no
  charset in a ``<meta>`` is decoded as Latin-1 (``©`` reads ``Â©``, as in WebRL's own data).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import lxml.html
from lxml import etree

WEBRL_ATTRIBUTES = (
    "title",
    "value",
    "type",
    "placeholder",
    "selected",
    "data-value",
    "data-text",
    "data-testid",
    "data-label",
    "data-bbox",
    "data-status",
)
"""Attributes a ``webrl`` observation keeps, in the order it writes them."""

WEBRL_MAX_CHARS = 16384 - 512
"""The harness's cap on the observation, in characters (its prompt's context less a reserve)."""

_MAX_FIELD = 500  # characters kept of a text or an attribute value
_COMMENT = re.compile(r"<!--[\W\w]*?-->")
_STYLE = re.compile(r"<style[\W\w]*?>[\W\w]*?</style>")
_SCRIPT = re.compile(r"<script[\W\w]*?>[\W\w]*?</script>")
_WS = re.compile(r"\s+")


@dataclass
class _Rendered:
    """What one subtree renders to, and whether the parent counts it as having content."""

    html: str
    has_content: bool


def _field(value: str | None) -> str:
    return "" if value is None else value.strip()[:_MAX_FIELD]


def _bbox(value: str | None) -> tuple[float, float, float, float] | None:
    """``"x,y,w,h"`` as numbers, or None when it is not four numbers."""
    if value is None:
        return None
    parts = value.strip().split(",")
    if len(parts) != 4:
        return None
    try:
        x, y, w, h = (float(part) for part in parts)
    except ValueError:
        return None
    return x, y, w, h


def _element(tag: str, label: str, text: str, children: str, attributes: dict[str, str]) -> str:
    """One element as the harness's ``xml`` prompt writes it."""
    seen: set[str] = set()
    parts = []
    for key, value in attributes.items():
        if value in seen:
            continue
        seen.add(value)
        parts.append(f'{key}="{value}"')
    head = f"<{tag}" + (f' id="{label}"' if label else "") + "".join(" " + p for p in parts)
    return f"{head}>" + (" " + text if text else "") + (" " + children if children else "") + (
        f" </{tag}>"
    )


class _Renderer:
    """The harness's depth-first rendering of one parsed page."""

    def __init__(self, label_attribute: str, viewport: tuple[float, float]) -> None:
        self.label_attribute = label_attribute
        self.width, self.height = viewport

    def visible(self, el: etree._Element) -> bool:
        box = _bbox(el.get("data-bbox"))
        if el.get("aria-hidden", "false") == "true" or box is None:
            return False
        x, y, w, h = box
        return not (x + w < 0 or x > self.width or y + h < 0 or y > self.height)

    def render(self, el: etree._Element, in_kept_select: bool = False) -> _Rendered:
        tag = el.tag
        label = el.get(self.label_attribute, "")
        visible = self.visible(el)
        has_label = bool(label) and visible
        keep = visible or (in_kept_select and tag == "option") or bool(label)
        text = _field(el.text)
        attributes: dict[str, str] = {}
        for name in WEBRL_ATTRIBUTES:
            value = el.get(name)
            if value is None or (name == "type" and value == "hidden"):
                continue
            value = _field(value)
            if value:
                attributes[name] = value
        has_text = bool(text) or len(attributes) - ("data-bbox" in attributes) > 0
        parts: list[str] = []
        with_content = 0
        for child in el:
            if not isinstance(child.tag, str):
                continue  # processing instructions and the like (no comments are left)
            rendered = self.render(child, keep and tag == "select")
            with_content += rendered.has_content
            if rendered.html:
                parts.append(rendered.html)
        html = " ".join(parts)
        if keep and (with_content > 1 or has_text or has_label):
            html = _element(tag, label, text, html, attributes)
        return _Rendered(html, bool(with_content or has_text))


def parse_webrl_html(serialized: str) -> etree._Element | None:
    """The page as the harness parses it: comments, styles and scripts cut out by pattern,
    whitespace runs collapsed, then lxml's HTML parser on the UTF-8 bytes."""
    text = _SCRIPT.sub("", _STYLE.sub("", _COMMENT.sub("", serialized)))
    text = _WS.sub(" ", text).strip()
    if not text:
        return None
    try:
        root = lxml.html.fromstring(text.encode("utf-8"))
    except (etree.ParserError, ValueError):
        return None
    while root.getparent() is not None:
        root = root.getparent()
    return root


def render_webrl(
    serialized: str,
    viewport: Sequence[float],
    *,
    label_attribute: str,
    max_chars: int | None = WEBRL_MAX_CHARS,
) -> tuple[str, bool]:
    """Render the annotated page HTML that ``webrl.js`` returns in the ``webrl`` format.

    Args:
        serialized: the annotated HTML (``data-bbox`` etc. and the numbers as
            ``label_attribute`` on each element).
        viewport: ``(width, height)`` of the viewport in CSS pixels; elements whose box lies
            outside it are not written.
        label_attribute: the attribute holding an element's number.
        max_chars: keep this many characters (a plain cut, as the harness's prompt does);
            None: no cap.

    Returns:
        ``(html, truncated)``, e.g. ``('<html data-bbox="0,0,1280,720"> <body ...> <a id="0"
        data-text="Home" data-bbox="10,8,40,18"> Home </a> </body> </html>', False)``.
    """
    root = parse_webrl_html(serialized)
    if root is None:
        return "", False
    width, height = float(viewport[0]), float(viewport[1])
    html = _Renderer(label_attribute, (width, height)).render(root).html
    if max_chars is not None and len(html) > max_chars:
        return html[:max_chars], True
    return html, False
