"""Pruning and rendering of serialized HTML into the WebRL / WebAgent-R1 simplified format.

The input is normally what ``label.js`` returns (the visible DOM as well-formed XML with
whitelisted attributes and the label numbers as ``id``), but any HTML works: hand-written
HTML is parsed leniently, and its own non-numeric ``id`` attributes, scripts, styles, comments
and statically hidden elements (``hidden``, ``aria-hidden="true"``, ``type="hidden"``, inline
``display: none``) are dropped.

Output: ``<html><body><div><a id="3">Sign In</a><input id="4" type="text"/>...</body></html>``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import lxml.html
from lxml import etree

ATTRIBUTE_WHITELIST = frozenset(
    {
        "id",
        "title",
        "value",
        "type",
        "placeholder",
        "selected",
        "checked",
        "alt",
        "aria-label",
        "name",
        "role",
    }
)
"""Attributes an observation may carry; ``id`` is the element's label number."""

# Attributes that make an otherwise empty element worth showing (an image's alt text).
INFORMATIVE_ATTRIBUTES = frozenset({"title", "alt", "aria-label", "placeholder", "value"})
# Never content.
DROPPED_TAGS = ("script", "style", "noscript", "template", "head", "meta", "link", "title", "base")
# Formatting without meaning for an agent: merged into the parent's text when bare.
TRANSPARENT_TAGS = frozenset(
    {
        "span", "b", "strong", "i", "em", "font", "small", "big", "u", "mark", "abbr",
        "cite", "time", "bdi", "bdo", "data", "tbody", "thead", "tfoot",
    }
)
# Containers collapsed into their only child when they have no text or attributes of their own.
WRAPPER_TAGS = frozenset(
    {
        "div", "section", "article", "main", "header", "footer", "nav", "aside", "figure",
        "picture", "form", "center", "p", "li", "ul", "ol", "dl", "fieldset",
    }
)
# Controls stay even when empty (hand-written HTML has no labels to keep them by).
CONTROL_TAGS = frozenset({"input", "select", "textarea", "button"})
VOID_TAGS = frozenset({"input", "img", "br", "hr", "col", "wbr", "area", "embed", "source"})
KEPT_ROOTS = frozenset({"html", "body"})

TRUNCATION_MARKER = "<!-- truncated: {n} more characters; scroll to see more -->"

_WS = re.compile(r"\s+")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_XML_PARSER = etree.XMLParser(
    huge_tree=True, remove_comments=True, remove_pis=True, resolve_entities=False, no_network=True
)
_HTML_PARSER = lxml.html.HTMLParser(remove_comments=True, remove_pis=True, huge_tree=True)


def simplify_html(serialized: str, max_chars: int | None = None) -> str:
    """Prune serialized HTML and render it in the simplified observation format.

    Keeps the text and the whitelisted attributes (:data:`ATTRIBUTE_WHITELIST`; ``id`` only
    when it is a label number), drops empty elements that carry no label, merges bare
    formatting tags into the text and collapses wrappers that have one child and nothing of
    their own. Never drops a labelled element.

    Args:
        serialized: HTML, usually the output of ``label.js``.
        max_chars: cut the result at a tag boundary so that it (marker included) fits in this
            many characters, and end it with ``<!-- truncated: N more characters; ... -->``.

    Returns:
        The simplified HTML, e.g. ``<html><body><a id="0">Home</a>...</body></html>``.
    """
    return simplify_html_with_truncation(serialized, max_chars)[0]


def simplify_html_with_truncation(
    serialized: str, max_chars: int | None = None
) -> tuple[str, bool]:
    """:func:`simplify_html`, also saying whether the result was truncated."""
    root = _parse(serialized)
    if root is None:
        return "", False
    _prune(root)
    return _join(list(_tokens(root)), max_chars)


def _parse(serialized: str) -> etree._Element | None:
    """The tree of ``serialized``: strict XML first (label.js output), then lenient HTML."""
    if not serialized.strip():
        return None
    try:
        root = etree.fromstring(serialized, _XML_PARSER)
    except (etree.XMLSyntaxError, ValueError):
        try:
            root = lxml.html.document_fromstring(serialized, parser=_HTML_PARSER)
        except (etree.ParserError, ValueError):
            return None
    etree.strip_elements(root, *DROPPED_TAGS, with_tail=False)
    return root


def _is_statically_hidden(el: etree._Element) -> bool:
    attrib = el.attrib
    if "hidden" in attrib or attrib.get("aria-hidden") == "true":
        return True
    if el.tag == "input" and attrib.get("type", "").lower() == "hidden":
        return True
    style = attrib.get("style")
    return bool(style and _HIDDEN_STYLE.search(style))


def _clean_attributes(el: etree._Element) -> None:
    attrib = el.attrib
    for key in list(attrib.keys()):
        if key not in ATTRIBUTE_WHITELIST or (key == "id" and not attrib[key].isdigit()):
            del attrib[key]
        elif key in ("checked", "selected") and attrib[key] in ("", key):
            attrib[key] = "true"  # HTML boolean attribute written without a value


def _has_own_text(el: etree._Element) -> bool:
    if el.text and not el.text.isspace():
        return True
    return any(child.tail and not child.tail.isspace() for child in el)


def _prune(root: etree._Element) -> None:
    """Bottom-up pruning in place (children are settled before their parent is looked at)."""
    for el in reversed(list(root.iter(etree.Element))):
        if not isinstance(el.tag, str):
            continue
        if el.attrib and el is not root and _is_statically_hidden(el):
            _remove(el)
            continue
        if el.attrib:
            _clean_attributes(el)
        if el is root or el.tag in KEPT_ROOTS or "id" in el.attrib:
            continue
        if el.tag in TRANSPARENT_TAGS and not el.attrib:
            _unwrap(el)
        elif len(el) == 0 and not _has_own_text(el):
            if el.tag not in CONTROL_TAGS and not INFORMATIVE_ATTRIBUTES.intersection(el.attrib):
                _remove(el)
        elif (
            len(el) == 1
            and el.tag in WRAPPER_TAGS
            and not el.attrib
            and not _has_own_text(el)
        ):
            _unwrap(el)


def _append_text(parent: etree._Element, before: etree._Element | None, text: str) -> None:
    """Add ``text`` after ``before`` (its tail), or at the start of ``parent`` when None."""
    if not text:
        return
    if before is None:
        parent.text = (parent.text or "") + text
    else:
        before.tail = (before.tail or "") + text


def _remove(el: etree._Element) -> None:
    """Drop ``el`` and its subtree, keeping the text that followed it."""
    parent = el.getparent()
    if parent is None:
        return
    _append_text(parent, el.getprevious(), el.tail or "")
    parent.remove(el)


def _unwrap(el: etree._Element) -> None:
    """Replace ``el`` by its content (text and children), keeping the text around it."""
    parent = el.getparent()
    if parent is None:
        return
    previous = el.getprevious()
    _append_text(parent, previous, el.text or "")
    children = list(el)
    tail = el.tail or ""
    index = parent.index(el)
    parent.remove(el)  # lxml removes the tail too; it was saved above
    for offset, child in enumerate(children):
        parent.insert(index + offset, child)
    _append_text(parent, children[-1] if children else previous, tail)


def _escape_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _escape_attribute(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")


def _open_tag(el: etree._Element) -> str:
    attrib = el.attrib
    parts = [el.tag]
    if "id" in attrib:
        parts.append(f'id="{attrib["id"]}"')
    for key, value in attrib.items():
        if key != "id":
            value = _WS.sub(" ", value).strip()
            parts.append(f'{key}="{_escape_attribute(value)}"')
    return "<" + " ".join(parts)


def _tokens(root: etree._Element) -> Iterator[tuple[str, str | None]]:
    """The rendering as ``(text, tag)`` tokens: ``tag`` names the element an opening token
    opens (``"/"`` for a closing token, None for text and self-closed elements).

    Whitespace is collapsed; text at the start or end of an element is stripped there, and
    whitespace-only text between elements is dropped.
    """
    for event, el in etree.iterwalk(root, events=("start", "end")):
        tag = el.tag
        if event == "start":
            head = _open_tag(el)
            text = el.text
            if text:
                text = _WS.sub(" ", text)
                text = text.strip() if len(el) == 0 else text.lstrip()
            if tag in VOID_TAGS and len(el) == 0 and not text:
                yield head + "/>", None
            else:
                yield head + ">" + (_escape_text(text) if text else ""), tag
        else:
            if not (tag in VOID_TAGS and len(el) == 0 and not (el.text or "").strip()):
                yield f"</{tag}>", "/"
            tail = el.tail
            if tail and el is not root and not tail.isspace():
                tail = _WS.sub(" ", tail)
                if el.getnext() is None:
                    tail = tail.rstrip()
                yield _escape_text(tail), None


def _join(tokens: list[tuple[str, str | None]], max_chars: int | None) -> tuple[str, bool]:
    """Concatenate tokens; over ``max_chars``, stop at a token boundary, close what is open
    and append the truncation marker."""
    total = sum(len(text) for text, _ in tokens)
    if max_chars is None or total <= max_chars:
        return "".join(text for text, _ in tokens), False
    reserve = len(TRUNCATION_MARKER.format(n=total))
    kept: list[tuple[str, str | None]] = []
    stack: list[str] = []  # closing tags of the open elements, innermost last
    used = 0
    closers = 0
    for text, tag in tokens:
        if tag == "/":  # its length is already counted in ``closers``
            kept.append((text, tag))
            used += len(text)
            closers -= len(stack.pop())
            continue
        extra = 0 if tag is None else len(tag) + 3
        if used + len(text) + closers + extra + reserve > max_chars:
            break
        kept.append((text, tag))
        used += len(text)
        if tag is not None:
            stack.append(f"</{tag}>")
            closers += extra
    # An element cut before any of its content would show up empty: leave it out.
    while kept and kept[-1][1] not in (None, "/") and kept[-1][0].endswith(">"):
        used -= len(kept.pop()[0])
        stack.pop()
    parts = [text for text, _ in kept]
    parts.extend(reversed(stack))
    parts.append(TRUNCATION_MARKER.format(n=total - used))
    return "".join(parts), True
