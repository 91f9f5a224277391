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
from webarena_gym.evaluation.tokenize import word_tokenize
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
    task: TaskConfig, answer: str, judge: JudgeCalls, mode: str = "gym"
) -> EvaluatorResult:
    """``string_match``: the agent's final answer against ``eval.reference_answers``, with the
    semantics of evaluation ``mode`` (:mod:`~webarena_gym.evaluation.modes`)."""
    answers = task.eval.reference_answers
    expected = answers.to_dict() if answers is not None else {}
    if mode in ("webarena", "vab"):
        # ``expected`` keeps a bare-string reference as the config gave it (see
        # ReferenceAnswers.unlisted); other modes read it as a one-item list.
        score, notes = await harness_check_answer(
            mode, expected, answer, intent=task.intent, string_note=task.eval.string_note,
            judge=judge,
        )
        return EvaluatorResult("string_match", score, expected, excerpt(answer), notes)
    listed = {kind: getattr(answers, kind) for kind in expected} if answers is not None else {}
    score, notes = await check_contents(
        listed,
        answer,
        intent=task.intent,
        judge=judge,
        string_note=task.eval.string_note,
        tokenize_single=True,
    )
    return EvaluatorResult("string_match", score, expected, excerpt(answer), notes)


# --- The reference harnesses, as they execute ------------------------------------------------
# WebArena (libwebarena 0.0.5, ``StringEvaluator``) and VisualAgentBench's WebArena-Lite
# (``VAB-WebArena-Lite/new/evaluators.py``) each clean the answer once when they read it and
# again inside every comparison; VAB's cleaning does not strip whitespace. ``|OR|`` is split
# (on " |OR| ", spaces included) by VAB's ``must_include`` and by both harnesses' program_html,
# never by WebArena's ``string_match``.
HARNESS_OR = " |OR| "


def webarena_clean(text: str) -> str:
    """WebArena's ``clean_answer``: strip, drop one pair of matching quotes, lower-case."""
    text = text.strip()
    if text.startswith("'") and text.endswith("'"):
        text = text[1:-1]
    elif text.startswith('"') and text.endswith('"'):
        text = text[1:-1]
    return text.lower()


def vab_clean(text: str) -> str:
    """VAB's ``clean_answer``: WebArena's without the strip (whitespace is kept)."""
    if text.startswith("'") and text.endswith("'"):
        text = text[1:-1]
    elif text.startswith('"') and text.endswith('"'):
        text = text[1:-1]
    return text.lower()


def webarena_must_include(reference: str, prediction: str, *, tokenize: bool) -> bool:
    """WebArena's ``must_include``: a substring test, except that with ``tokenize`` (a one-item
    list in ``string_match``) a one-character reference must equal a whole nltk token."""
    ref, pred = webarena_clean(reference), webarena_clean(prediction)
    if tokenize and len(ref) == 1 and len(word_tokenize(ref)) == 1:
        return ref in word_tokenize(pred)
    return ref in pred


def vab_must_include(reference: str, prediction: str) -> bool:
    """VAB's ``must_include``: a reference that is one nltk token must equal a whole token of
    the prediction ("346" is not in "1346"); a longer one is a substring test."""
    ref, pred = vab_clean(reference), vab_clean(prediction)
    if len(word_tokenize(ref)) == 1:
        return ref in word_tokenize(pred)
    return ref in pred


def vab_must_exclude(reference: str, prediction: str) -> bool:
    """VAB's ``must_exclude`` (True = pass): :func:`vab_must_include` negated."""
    return not vab_must_include(reference, prediction)


async def harness_check_answer(
    mode: str,
    contents: Mapping[str, Any],
    answer: str,
    *,
    intent: str,
    string_note: str,
    judge: JudgeCalls,
) -> tuple[float, list[str]]:
    """Score an answer as the ``mode`` harness's ``StringEvaluator`` does.

    Args:
        mode: ``"webarena"`` or ``"vab"``.
        contents: ``eval.reference_answers`` (kinds in the order exact_match, must_include,
            must_exclude, fuzzy_match).
        answer: the agent's answer, uncleaned.
        intent: the task's instruction (for the judge).
        string_note: the reason an unachievable task is unachievable (for the judge).
        judge: the evaluation's judge; it is given the answer cleaned once, as the harness
            gives it.

    Returns:
        The score and notes on each failed reference.
    """
    clean = webarena_clean if mode == "webarena" else vab_clean
    pred = clean(answer)
    notes: list[str] = []
    score = 1.0
    for kind in ("exact_match", "must_include", "must_exclude", "fuzzy_match"):
        if kind not in contents or contents[kind] is None:
            continue
        value = contents[kind]
        if kind == "exact_match":
            if clean(pred) != clean(value):
                score = 0.0
                notes.append(f"exact_match: {clean(pred)!r:.200} != {clean(value)!r}")
        elif kind == "must_include":
            if mode == "vab" and isinstance(value, str):
                # A bare string: VAB's loop visits its characters, each a reference.
                notes.append("must_include is a string, not a list: VAB checks each character")
                value = list(value)
            for item in value:
                if mode == "webarena":
                    ok = webarena_must_include(item, pred, tokenize=len(value) == 1)
                else:
                    ok = any(vab_must_include(alt, pred) for alt in item.split(HARNESS_OR))
                if not ok:
                    score = 0.0
                    notes.append(f"must_include: {item!r} not found")
        elif kind == "must_exclude":
            if mode == "webarena":
                notes.append("must_exclude: not checked (WebArena's harness ignores it)")
                continue
            for item in value:
                if not vab_must_exclude(item, pred):
                    score = 0.0
                    notes.append(f"must_exclude: {item!r} found")
        elif value == UNACHIEVABLE:
            # Both harnesses: "N/A" passes; otherwise the judge's verdict on the reason
            # *replaces* the score so far.
            if clean(pred) != clean(UNACHIEVABLE):
                score = 0.0
            if score != 1.0:
                score = 1.0 if await judge.ua_match(intent, string_note, pred, notes) else 0.0
                if not score:
                    notes.append(
                        f"fuzzy_match N/A: answer is not 'N/A' and its reason is not "
                        f"{string_note!r}"
                    )
        else:
            references = list(value) if mode == "webarena" else [", ".join(value)]
            for reference in references:
                if not await judge.fuzzy_match(intent, reference, pred, notes):
                    score = 0.0
                    notes.append(f"fuzzy_match: judge says {reference!r} does not match")
    return score, notes
