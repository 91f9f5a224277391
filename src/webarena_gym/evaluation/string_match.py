"""String matching with WebArena's semantics, shared by ``string_match`` and ``program_html``.

Both evaluators check a text (the agent's answer, or what a locator read from a page) against
the same four kinds of reference: ``exact_match``, ``must_include`` (an item may list
alternatives with ``|OR|``), ``must_exclude`` and ``fuzzy_match`` (asked of a judge;
``"N/A"`` marks an unachievable task). :func:`check_contents` is that one check.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from webarena_gym.evaluation.judges import JudgeCalls
from webarena_gym.evaluation.result import EvaluatorResult, excerpt
from webarena_gym.tasks.config import OR_SEPARATOR, UNACHIEVABLE, TaskConfig

_TOKEN_RE = re.compile(r"\d+(?:[.,]\d+)*|\w+|[^\w\s]")
_NUMBER_RE = re.compile(r"\d+(?:[.,]\d+)*")


def clean_answer(text: str) -> str:
    """Strip whitespace and one pair of surrounding quotes, lower-case (WebArena's cleaning)."""
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        text = text[1:-1]
    return text.lower()


def exact_match(reference: str, prediction: str) -> bool:
    """Equal after :func:`clean_answer`."""
    return clean_answer(prediction) == clean_answer(reference)


def _as_number(token: str) -> float | None:
    if not _NUMBER_RE.fullmatch(token):
        return None
    try:
        return float(token.replace(",", ""))
    except ValueError:
        return None


def _token_sensitive(reference: str) -> bool:
    """References a substring test gets wrong: "0" is inside "10", "5" inside "25"."""
    return len(reference) == 1 or _NUMBER_RE.fullmatch(reference) is not None


def contains(reference: str, prediction: str, *, tokenize: bool = False) -> bool:
    """Whether the cleaned ``reference`` occurs in the cleaned ``prediction``.

    With ``tokenize``, a one-character or numeric reference must equal a whole token of the
    prediction (numbers compared by value, so "25" matches "$25.00" but "0" not "10").
    """
    ref, pred = clean_answer(reference), clean_answer(prediction)
    if tokenize and _token_sensitive(ref):
        tokens = _TOKEN_RE.findall(pred)
        ref_number = _as_number(ref)
        if ref_number is not None:
            return any(_as_number(tok) == ref_number for tok in tokens)
        return ref in tokens
    return ref in pred


def must_include(reference: str, prediction: str, *, tokenize: bool = False) -> bool:
    """Whether any ``|OR|`` alternative of ``reference`` occurs in ``prediction``."""
    alternatives = [alt.strip() for alt in reference.split(OR_SEPARATOR)]
    return any(contains(alt, prediction, tokenize=tokenize) for alt in alternatives if alt)


def must_exclude(reference: str, prediction: str, *, tokenize: bool = False) -> bool:
    """Whether no ``|OR|`` alternative of ``reference`` occurs in ``prediction`` (True = pass)."""
    alternatives = [alt.strip() for alt in reference.split(OR_SEPARATOR)]
    return not any(contains(alt, prediction, tokenize=tokenize) for alt in alternatives if alt)


async def check_contents(
    contents: Mapping[str, Any],
    found: str,
    *,
    intent: str,
    judge: JudgeCalls,
    string_note: str = "",
    tokenize_single: bool = False,
    join_fuzzy: bool = False,
) -> tuple[float, list[str]]:
    """Score ``found`` against reference ``contents`` (1.0 when every kind passes).

    Args:
        contents: ``{"exact_match": str, "must_include": [...], "must_exclude": [...],
            "fuzzy_match": [...] | "N/A"}``, any subset.
        found: the agent's answer or the text a locator read.
        intent: the task's instruction, for the judge.
        judge: the evaluation's judge.
        string_note: the actual reason an unachievable task is unachievable.
        tokenize_single: compare one-item ``must_include``/``must_exclude`` lists on tokens
            (``string_match`` does, as WebArena).
        join_fuzzy: ask the judge once about all fuzzy references joined by ", "
            (``program_html`` does, as WebArena); else each reference must match.

    Returns:
        The score and notes saying which reference failed and why.
    """
    notes: list[str] = []
    score = 1.0
    if "exact_match" in contents and not exact_match(contents["exact_match"], found):
        score = 0.0
        notes.append(f"exact_match: {clean_answer(found)!r:.200} != {contents['exact_match']!r}")
    includes = contents.get("must_include") or []
    tokenize = tokenize_single and len(includes) == 1
    for item in includes:
        if not must_include(item, found, tokenize=tokenize):
            score = 0.0
            notes.append(f"must_include: {item!r} not found")
    excludes = contents.get("must_exclude") or []
    tokenize = tokenize_single and len(excludes) == 1
    for item in excludes:
        if not must_exclude(item, found, tokenize=tokenize):
            score = 0.0
            notes.append(f"must_exclude: {item!r} found")
    fuzzy = contents.get("fuzzy_match")
    if fuzzy == UNACHIEVABLE:
        if not await _unachievable_match(found, intent, string_note, judge, notes):
            score = 0.0
    elif fuzzy:
        references = [", ".join(fuzzy)] if join_fuzzy else list(fuzzy)
        for reference in references:
            if not await judge.fuzzy_match(intent, reference, clean_answer(found), notes):
                score = 0.0
                notes.append(f"fuzzy_match: judge says {reference!r} does not match")
    return score, notes


async def _unachievable_match(
    found: str, intent: str, string_note: str, judge: JudgeCalls, notes: list[str]
) -> bool:
    """An unachievable task passes with "N/A", or with a reason the judge deems the actual one."""
    if exact_match(UNACHIEVABLE, found):
        return True
    if await judge.ua_match(intent, string_note, clean_answer(found), notes):
        notes.append("fuzzy_match N/A: judge agrees with the reported unachievable reason")
        return True
    notes.append(f"fuzzy_match N/A: answer is not 'N/A' and its reason is not {string_note!r}")
    return False


async def evaluate_string_match(
    task: TaskConfig, answer: str, judge: JudgeCalls
) -> EvaluatorResult:
    """``string_match``: the agent's final answer against ``eval.reference_answers``."""
    answers = task.eval.reference_answers
    expected = answers.to_dict() if answers is not None else {}
    score, notes = await check_contents(
        expected,
        answer,
        intent=task.intent,
        judge=judge,
        string_note=task.eval.string_note,
        tokenize_single=True,
    )
    return EvaluatorResult("string_match", score, expected, excerpt(answer), notes)
