"""A small, safe Markdown renderer for READMEs, issue descriptions and comments.

Covers what the generated text uses and what people type in comments: headings, paragraphs,
bullet and numbered lists (task-list boxes shown as text), fenced code, block quotes, and the
inline forms ```code```, ``**bold**``, ``*emphasis*`` and ``[links](https://...)``. Everything is
HTML-escaped first, so user text can never inject markup.
"""

from __future__ import annotations

import html
import re

from markupsafe import Markup

_INLINE = (
    (re.compile(r"`([^`]+)`"), r"<code>\1</code>"),
    (re.compile(r"\*\*([^*]+)\*\*"), r"<strong>\1</strong>"),
    (re.compile(r"(?<![\w*])\*([^*\s][^*]*)\*(?![\w*])"), r"<em>\1</em>"),
    (re.compile(r"\[([^\]]+)\]\(((?:https?://|/)[^)\s]*)\)"), r'<a href="\2">\1</a>'),
)
_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
_BULLET = re.compile(r"^\s*[-*+]\s+(.*)$")
_NUMBERED = re.compile(r"^\s*\d+[.)]\s+(.*)$")


def _inline(text: str) -> str:
    out = html.escape(text, quote=False)
    for pattern, repl in _INLINE:
        out = pattern.sub(repl, out)
    return out


def render_markdown(text: str) -> Markup:
    """``text`` as safe HTML (a :class:`markupsafe.Markup`, so Jinja does not escape it again)."""
    out: list[str] = []
    paragraph: list[str] = []
    items: list[str] = []
    list_tag = ""

    def flush() -> None:
        nonlocal list_tag
        if paragraph:
            out.append("<p>" + "<br>".join(_inline(p) for p in paragraph) + "</p>")
            paragraph.clear()
        if items:
            out.append(f"<{list_tag}>" + "".join(f"<li>{i}</li>" for i in items) + f"</{list_tag}>")
            items.clear()
            list_tag = ""

    lines = text.replace("\r\n", "\n").split("\n")
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        if line.strip().startswith("```"):
            flush()
            code = []
            while index < len(lines) and not lines[index].strip().startswith("```"):
                code.append(lines[index])
                index += 1
            index += 1  # the closing fence
            out.append("<pre><code>" + html.escape("\n".join(code), quote=False) + "</code></pre>")
            continue
        if not line.strip():
            flush()
            continue
        heading = _HEADING.match(line)
        if heading:
            flush()
            level = len(heading.group(1))
            out.append(f"<h{level}>{_inline(heading.group(2))}</h{level}>")
            continue
        for tag, pattern in (("ul", _BULLET), ("ol", _NUMBERED)):
            item = pattern.match(line)
            if item:
                if paragraph or (list_tag and list_tag != tag):
                    flush()
                list_tag = tag
                items.append(_inline(item.group(1)))
                break
        else:
            if line.startswith(">"):
                flush()
                out.append(f"<blockquote>{_inline(line.lstrip('> '))}</blockquote>")
                continue
            if items:
                flush()
            paragraph.append(line.strip())
    flush()
    return Markup("\n".join(out))
