"""Reading the simplified HTML an agent sees, for oracle solvers.

Oracles may only act on what the observation shows: these helpers find an element's number
(``id="N"``) by its tag, text and kept attributes (name, placeholder, title, aria-label, value),
and read text, tables and options. A miss raises :class:`OracleError` with the page's URL and
what was looked for, which makes a broken template easy to diagnose.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

from lxml import etree, html


class OracleError(RuntimeError):
    """The oracle could not find what it needed on the page (a bug in a template or a site)."""


def normalize_space(text: str) -> str:
    """Whitespace runs collapsed to one space, ends stripped."""
    return re.sub(r"\s+", " ", text).strip()


class Page:
    """One observation's simplified HTML, parsed.

    Args:
        obs: the env's observation dict (``html``, ``url``, ...).
    """

    def __init__(self, obs: Mapping[str, str]) -> None:
        self.url = obs.get("url", "")
        self.source = obs.get("html", "")
        self.error = obs.get("last_action_error", "")
        try:
            self.root = html.fromstring(self.source or "<html></html>")
        except (etree.ParserError, ValueError):
            self.root = html.fromstring("<html></html>")

    # -- text ------------------------------------------------------------------------------
    @property
    def text(self) -> str:
        """All text of the page, whitespace collapsed."""
        return normalize_space(self.root.text_content())

    def has_text(self, text: str) -> bool:
        """Whether ``text`` (case-insensitive) appears in the page's text."""
        return text.lower() in self.text.lower()

    # -- elements --------------------------------------------------------------------------
    def elements(self, tag: str | None = None, **attrs: str) -> Iterator[html.HtmlElement]:
        """Numbered elements (those with an ``id``), optionally of ``tag`` with these attributes."""
        for element in self.root.iter(tag or etree.Element):
            if not isinstance(element.tag, str) or element.get("id") is None:
                continue
            if all(element.get(k.rstrip("_").replace("_", "-")) == v for k, v in attrs.items()):
                yield element

    def find(
        self,
        text: str | None = None,
        tag: str | None = None,
        *,
        exact: bool = False,
        nth: int = 0,
        **attrs: str,
    ) -> str:
        """The number of the ``nth`` numbered element matching ``text``/``tag``/``attrs``.

        ``text`` matches the element's text, or its title / aria-label / value / alt /
        placeholder, case-insensitively (substring unless ``exact``).
        """
        matches = [e.get("id") for e in self.elements(tag, **attrs) if _matches(e, text, exact)]
        if len(matches) <= nth:
            wanted = ", ".join(
                f"{k}={v!r}" for k, v in {"text": text, "tag": tag, **attrs}.items() if v
            )
            raise OracleError(f"no element ({wanted}) #{nth} on {self.url}: {self.source[:300]}")
        return str(matches[nth])

    def maybe(self, text: str | None = None, tag: str | None = None, **kwargs: str) -> str | None:
        """Like :meth:`find`, but None instead of an error."""
        try:
            return self.find(text, tag, **kwargs)  # type: ignore[arg-type]
        except OracleError:
            return None

    def link(self, text: str, *, exact: bool = False, nth: int = 0) -> str:
        """A link by its text."""
        return self.find(text, "a", exact=exact, nth=nth)

    def button(self, text: str, *, exact: bool = False, nth: int = 0) -> str:
        """A button (``<button>`` or a submit input) by its text."""
        for tag in ("button", "input"):
            found = self.maybe(text, tag, exact=exact, nth=nth)  # type: ignore[arg-type]
            if found is not None:
                return found
        return self.find(text, "button", exact=exact, nth=nth)

    def field(self, name: str) -> str:
        """An input, textarea or select by its ``name`` attribute."""
        for tag in ("input", "textarea", "select"):
            for element in self.elements(tag):
                if element.get("name") == name:
                    return str(element.get("id"))
        raise OracleError(f"no form field named {name!r} on {self.url}: {self.source[:300]}")

    def options(self, element_id: str) -> list[str]:
        """The option labels of a numbered ``<select>``."""
        for element in self.elements("select"):
            if element.get("id") == element_id:
                return [normalize_space(o.text_content()) for o in element.iter("option")]
        raise OracleError(f"element {element_id} is not a select on {self.url}")

    def value(self, element_id: str) -> str:
        """The current value shown for a numbered input or textarea."""
        for element in self.elements():
            if element.get("id") == element_id:
                return element.get("value") or normalize_space(element.text_content())
        raise OracleError(f"no element {element_id} on {self.url}")

    # -- tables ----------------------------------------------------------------------------
    def tables(self) -> list[list[list[str]]]:
        """Every table as rows of cell texts (header rows included)."""
        result = []
        for table in self.root.iter("table"):
            rows = []
            for row in table.iter("tr"):
                cells = [normalize_space(c.text_content()) for c in row if c.tag in ("td", "th")]
                if cells:
                    rows.append(cells)
            result.append(rows)
        return result

    def row_with(self, text: str) -> list[str]:
        """The cells of the first table row containing ``text``."""
        for table in self.tables():
            for row in table:
                if any(text.lower() in cell.lower() for cell in row):
                    return row
        raise OracleError(f"no table row with {text!r} on {self.url}")


def _matches(element: html.HtmlElement, text: str | None, exact: bool) -> bool:
    if text is None:
        return True
    wanted = text.lower()
    candidates = [normalize_space(element.text_content())]
    candidates += [element.get(a) or "" for a in ("title", "aria-label", "value", "alt",
                                                   "placeholder")]
    for candidate in candidates:
        candidate = candidate.lower()
        if (candidate == wanted) if exact else (wanted in candidate):
            return True
    return False
