"""The ``func:name(args)`` call syntax WebArena configs use in ``program_html`` urls and locators.

WebArena ``eval``s these strings; we parse them with :mod:`ast` into a :class:`FuncCall` whose
arguments are literals, so a config can never run arbitrary Python. Two bare names are allowed
as arguments: ``__page__`` (the page the check opened) and ``__last_url__`` (the agent's final
URL); ``'__last_url__'`` inside a string literal is substituted as well.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

FUNC_PREFIX = "func:"
PAGE_ARG = "__page__"
LAST_URL_ARG = "__last_url__"
_BARE_NAMES = (PAGE_ARG, LAST_URL_ARG)


class FuncSyntaxError(ValueError):
    """A ``func:`` string is not a plain call of a helper with literal arguments."""


@dataclass(frozen=True)
class FuncCall:
    """A parsed ``func:name(arg, ...)``; bare ``__page__`` / ``__last_url__`` become those strings."""

    name: str
    args: tuple[object, ...]

    @property
    def uses_page(self) -> bool:
        """Whether the call takes the opened page (only meaningful in a locator)."""
        return PAGE_ARG in self.args


def is_func(text: str) -> bool:
    """Whether a url or locator is a ``func:`` helper call."""
    return text.startswith(FUNC_PREFIX)


def parse_func_call(text: str) -> FuncCall:
    """Parse ``func:name(args)`` (the prefix is optional) without evaluating anything.

    Raises:
        FuncSyntaxError: not a single call of a plain name, keyword arguments, or an argument
            that is neither a literal (str, int, float, bool, None) nor ``__page__`` /
            ``__last_url__``.
    """
    source = text[len(FUNC_PREFIX) :] if is_func(text) else text
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except SyntaxError as exc:
        raise FuncSyntaxError(f"{text!r} is not valid call syntax ({exc.msg})") from None
    call = tree.body
    if not isinstance(call, ast.Call) or not isinstance(call.func, ast.Name):
        raise FuncSyntaxError(f"{text!r} must be a call like func:helper_name('arg')")
    if call.keywords:
        raise FuncSyntaxError(f"{text!r}: keyword arguments are not supported")
    args: list[object] = []
    for node in call.args:
        if isinstance(node, ast.Constant) and (
            node.value is None or isinstance(node.value, (str, int, float, bool))
        ):
            args.append(node.value)
        elif isinstance(node, ast.Name) and node.id in _BARE_NAMES:
            args.append(node.id)
        else:
            raise FuncSyntaxError(
                f"{text!r}: argument {ast.unparse(node)!r} must be a literal, "
                f"{PAGE_ARG} or {LAST_URL_ARG}"
            )
    return FuncCall(call.func.id, tuple(args))
