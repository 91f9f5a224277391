"""Markdown for READMEs, issue descriptions and comments, rendered by ``markdown-it-py``.

CommonMark covers what the generated text uses and what people type in comments: headings,
paragraphs, bullet and numbered lists (task-list boxes stay text), fenced code, block quotes,
and the inline forms ```code```, ``**bold**``, ``*emphasis*`` and ``[links](https://...)``.

Rules (``---``) and underlined headings stay text, as they did before this module used the
library. Comments are written by the agent, and whatever a page runs, runs in the agent's
browser and in the evaluator's: so raw HTML is off (it is shown as text), images are off (as
before: no request leaves the page by itself), and a link keeps its target only when it is
relative or ``http``/``https``/``mailto`` (``javascript:``, ``data:`` and every other scheme
leave the text unlinked). The library escapes every attribute it writes.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

from markdown_it import MarkdownIt
from markupsafe import Markup

_SAFE_SCHEMES = frozenset({"http", "https", "mailto"})
# A scheme as the browser reads one: letters, digits, "+", "-", "." before the first ":", when
# that colon comes before any "/", "?" or "#" (otherwise the colon is part of a relative path).
_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):", re.IGNORECASE)
# What a browser drops from a URL before reading its scheme (tabs, newlines, leading spaces and
# other controls), so that "java\tscript:" is judged as "javascript:".
_IGNORED = re.compile(r"[\x00-\x20\x7f]")


def _link_allowed(url: str) -> bool:
    """Whether a link target is relative or uses a safe scheme.

    ``url`` comes percent-encoded (markdown-it normalises it first); it is judged decoded and
    without the characters a browser ignores, which refuses more than a browser would run
    (``%6Aavascript:`` too), never less.
    """
    bare = _IGNORED.sub("", unquote(url))
    scheme = _SCHEME.match(bare)
    if scheme is None:
        return True  # relative: "/a/b", "page.md", "#heading", "?q=1"
    return scheme.group(1).lower() in _SAFE_SCHEMES


def _build() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "breaks": True})
    md.disable("image")  # "![alt](src)" stays text, as the links' "!" prefix
    # No rules and no underlined ("setext") headings, as before: a file's front matter
    # ("---\ntitle: x\n---") stays text instead of turning into a rule and a heading.
    md.disable(["hr", "lheading"])
    md.validateLink = _link_allowed  # type: ignore[method-assign]
    return md


_MARKDOWN = _build()


def render_markdown(text: str | None) -> Markup:
    """``text`` as safe HTML (a :class:`markupsafe.Markup`, so Jinja does not escape it again).

    Raw HTML in ``text`` comes out escaped, links only to relative or http(s)/mailto targets,
    and no attribute can be broken out of; ``None`` renders as nothing.
    """
    if not text:
        return Markup("")
    return Markup(_MARKDOWN.render(text))
