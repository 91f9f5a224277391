"""The ``func:name(args)`` call syntax WebArena configs use in ``program_html`` urls and locators.

WebArena ``eval``s these strings; we parse them with :mod:`ast` into a :class:`FuncCall` whose
arguments are literals, so a config can never run arbitrary Python. Two bare names are allowed
as arguments: ``__page__`` (the page the check opened) and ``__last_url__`` (the agent's final
URL); ``'__last_url__'`` inside a string literal is substituted as well.

:data:`FUNC_HELPER_PARAMS` names the helpers a config may call and their arguments, so that the
loader checks a config without importing the evaluators (which import this package);
:mod:`webarena_gym.evaluation.helpers` implements each one.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

FUNC_PREFIX = "func:"
PAGE_ARG = "__page__"
LAST_URL_ARG = "__last_url__"
_BARE_NAMES = (PAGE_ARG, LAST_URL_ARG)

FUNC_HELPER_PARAMS: dict[str, tuple[str, ...]] = {
    "shopping_get_latest_order_url": (),
    "shopping_get_sku_latest_review_author": ("sku",),
    "shopping_get_sku_latest_review_rating": ("sku",),
    "reddit_get_post_url": ("url",),
    "gitlab_get_project_memeber_role": ("page", "account_name"),
    "llm_fuzzy_match": ("pred", "reference", "question"),
    "llm_ua_match": ("pred", "reference", "question"),
}
"""The ``func:`` helpers WebArena configs call -> their parameters after the helper's context
(the implementations, :data:`webarena_gym.evaluation.helpers.FUNC_HELPERS`, take exactly these)."""


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


def check_func_call(call: FuncCall) -> str | None:
    """Why ``call`` cannot run (unknown helper, wrong number of arguments), or None."""
    params = FUNC_HELPER_PARAMS.get(call.name)
    if params is None:
        known = ", ".join(sorted(FUNC_HELPER_PARAMS))
        return f"unknown func: helper {call.name!r}; known: {known}"
    if len(call.args) != len(params):
        return f"{call.name} takes {len(params)} argument(s) ({', '.join(params)}), got {len(call.args)}"
    return None
