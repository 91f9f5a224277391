"""The answer guard: an answer that lists candidates instead of choosing one scores 0.

WebArena's ``must_include`` passes when the reference occurs anywhere in the answer, so
``"0 1 2 ... 999"`` answers every count question and a list of every name on a page answers
every "which one" question. A policy trained on that reward learns to enumerate. WebArena
configs keep WebArena's scoring; a config may state an :class:`~webarena_gym.tasks.AnswerGuard`
(``eval.answer_guard``, which every sandbox answer template writes) that bounds the answer:

* ``max_chars``: its length (after WebArena's cleaning);
* ``max_other_numbers``: how many distinct numbers it may hold besides the reference's and the
  intent's (0 for a numeric answer, so "12 13 14" for "13" fails, "13 orders in May 2023"
  passes);
* ``distractors``: wrong candidates it must not name (whole words; numbers by value).

The guard runs as an extra evaluator named ``answer_guard`` (its score multiplies the reward
and ``info["eval"]`` shows its verdict), and only for tasks that score the answer
(``string_match``). Which configs it applies to is the evaluation's ``answer_guard`` mode:

* ``"config"`` (default): the guard a config states; WebArena configs state none and score
  exactly as in WebArena;
* ``"auto"``: also derive one for ``string_match`` configs without (the opt-in for WebArena
  configs): a length bound and, for numeric references, no other numbers (no distractors,
  which only a task's author knows);
* ``"off"``: none, WebArena's scoring for every config (the sandbox's included).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from webarena_gym.evaluation.result import EvaluatorResult, excerpt
from webarena_gym.evaluation.string_match import clean_answer
from webarena_gym.tasks.config import OR_SEPARATOR, AnswerGuard, TaskConfig

GUARD_MODES = ("config", "auto", "off")
DEFAULT_GUARD_MODE = "config"
# The derived length bound: room to restate the question, plus the reference twice over, plus
# a few words. A list of candidates is longer than that.
LENGTH_FACTOR = 2
LENGTH_SLACK = 40
# A reference alternative with a number and at most this many other words is a numeric answer
# (an amount, a count, "17 min", "5 h 41 min", "April 26, 2023", "5768 Divisadero St").
NUMERIC_MAX_WORDS = 2
MIN_DISTRACTOR_CHARS = 3  # shorter derived distractors ("a", "St") would match ordinary words
MAX_NOTES = 5

_NUMBER_RE = re.compile(r"\d+(?:[.,]\d+)*")
_WORD_RE = re.compile(r"[^\W\d_]+")


def alternatives(item: str) -> list[str]:
    """The ``|OR|`` alternatives of a reference item, stripped, empty ones dropped."""
    return [alt.strip() for alt in item.split(OR_SEPARATOR) if alt.strip()]


def _number_value(token: str) -> float | str:
    try:
        return float(token.replace(",", ""))
    except ValueError:  # "1.0.0"
        return token


def numbers_in(text: str) -> list[str]:
    """The number tokens of ``text`` in order (``"1,234.50"`` and ``"1.0.0"`` are one each)."""
    return _NUMBER_RE.findall(text)


def _accounts_for(known: str, token: str) -> bool:
    """Whether ``token`` of the answer is the number ``known``: equal by value, or ``known``
    with more decimals ("39.74031" for a reference "39.740", as ``must_include`` accepts)."""
    if _number_value(known) == _number_value(token):
        return True
    return "." in known and token.startswith(known)


def mentions(text: str, value: str) -> bool:
    """Whether ``value`` occurs in ``text`` (both cleaned as WebArena cleans answers).

    A numeric ``value`` must equal a whole number of ``text`` by value ("5" is not in "15",
    "25" is in "$25.00"); any other value must occur as whole words ("Wei" is not in
    "weight").
    """
    text, value = clean_answer(text), clean_answer(value)
    if not value:
        return False
    if _NUMBER_RE.fullmatch(value):
        return any(_number_value(tok) == _number_value(value) for tok in numbers_in(text))
    return re.search(rf"(?<!\w){re.escape(value)}(?!\w)", text) is not None


def is_numeric_reference(item: str) -> bool:
    """Whether a ``must_include`` item asks for a number: every alternative holds one, and
    one of them has at most :data:`NUMERIC_MAX_WORDS` other words ("17 min", "$25.00")."""
    alts = alternatives(item)
    if not alts or not all(numbers_in(alt) for alt in alts):
        return False
    return any(len(_WORD_RE.findall(alt)) <= NUMERIC_MAX_WORDS for alt in alts)


def derive_answer_guard(
    must_include: Sequence[str],
    intent: str,
    *,
    distractors: Iterable[str] = (),
    pool: Iterable[str] = (),
    answer_forms: Iterable[str] = (),
) -> AnswerGuard | None:
    """The guard of an answer whose reference is ``must_include`` (None when it is empty).

    Args:
        must_include: the ``must_include`` items (``|OR|`` alternatives allowed).
        intent: the task's instruction; its numbers, and any ``pool`` value it names, are free
            to repeat.
        distractors: wrong candidates the task's author knows (the other options of the
            question, the other rows of the page); kept unless the reference contains one.
        pool: values the same question takes in other instances (a template's other
            answers); kept unless the reference or the intent contains one, or one is too
            short to be told from an ordinary word, or a number (the number bound covers
            those).
        answer_forms: the right answer as the pages write it (an oracle's reading), and
            other right wordings; no distractor may occur in one, and those holding numbers
            the reference does not (a phone's "+1") are kept so that those numbers count as
            the reference's.

    Returns:
        ``max_chars`` = ``len(intent)`` + twice the reference + a few words;
        ``max_other_numbers`` = 0 when an item is numeric (:func:`is_numeric_reference`), else
        unbounded; ``distractors`` as above, each once, in order.
    """
    items = [item for item in must_include if alternatives(item)]
    if not items:
        return None
    reference = [alt for item in items for alt in alternatives(item)]
    all_forms = list(dict.fromkeys(f.strip() for f in answer_forms if f.strip()))
    forms = [f for f in all_forms if not _all_known(numbers_in(f), reference)]
    reference += all_forms
    ref_chars = sum(max(len(clean_answer(a)) for a in alternatives(i)) for i in items)
    ref_chars += 2 * (len(items) - 1)  # separators of a list answer
    numeric = any(is_numeric_reference(item) for item in items)

    kept: dict[str, str] = {}

    def keep(value: str, *, derived: bool) -> None:
        value = value.strip()
        key = clean_answer(value)
        if not key or key in kept or any(mentions(ref, value) for ref in reference):
            return
        if derived and (
            len(key) < MIN_DISTRACTOR_CHARS
            or mentions(intent, value)
            or (numeric and is_numeric_reference(value))
        ):
            return
        kept[key] = value

    for item in distractors:
        for alt in alternatives(item):
            keep(alt, derived=False)
    for item in pool:
        for alt in alternatives(item):
            keep(alt, derived=True)
    return AnswerGuard(
        max_chars=len(intent) + LENGTH_FACTOR * ref_chars + LENGTH_SLACK,
        max_other_numbers=0 if numeric else None,
        distractors=list(kept.values()),
        answer_forms=forms,
    )


def _all_known(tokens: Iterable[str], reference: Iterable[str]) -> bool:
    known = [n for alt in reference for n in numbers_in(alt)]
    return all(any(_accounts_for(k, token) for k in known) for token in tokens)


def check_answer_guard(
    guard: AnswerGuard, answer: str, *, intent: str, reference: Sequence[str]
) -> tuple[float, list[str]]:
    """Score ``answer`` against ``guard``: 1.0 when it keeps every bound, else 0.0.

    Args:
        guard: the bounds.
        answer: the agent's final answer.
        intent: the task's instruction (its numbers may be repeated).
        reference: the reference answers (``must_include`` items, ``exact_match``); their
            numbers may be given.

    Returns:
        The score and a note per broken bound, saying what was found.
    """
    text = clean_answer(answer)
    notes: list[str] = []
    if guard.max_chars is not None and len(text) > guard.max_chars:
        notes.append(
            f"answer_guard: the answer has {len(text)} characters, more than max_chars "
            f"{guard.max_chars}: give the answer, not a list of candidates"
        )
    if guard.max_other_numbers is not None:
        sources = [alt for r in reference for alt in alternatives(r)]
        sources += [*guard.answer_forms, intent]
        known = [n for source in sources for n in numbers_in(source)]
        others: dict[float | str, str] = {}
        for token in numbers_in(text):
            if not any(_accounts_for(k, token) for k in known):
                others.setdefault(_number_value(token), token)
        if len(others) > guard.max_other_numbers:
            shown = ", ".join(list(others.values())[:MAX_NOTES])
            more = f" and {len(others) - MAX_NOTES} more" if len(others) > MAX_NOTES else ""
            notes.append(
                f"answer_guard: {len(others)} numbers that are neither the reference's nor the "
                f"intent's ({shown}{more}), more than max_other_numbers "
                f"{guard.max_other_numbers}"
            )
    named = [
        d for d in guard.distractors if any(mentions(text, alt) for alt in alternatives(d))
    ]
    if named:
        shown = ", ".join(repr(d) for d in named[:MAX_NOTES])
        more = f" and {len(named) - MAX_NOTES} more" if len(named) > MAX_NOTES else ""
        notes.append(f"answer_guard: the answer names wrong candidates: {shown}{more}")
    return (0.0 if notes else 1.0), notes


def _references(task: TaskConfig) -> list[str]:
    answers = task.eval.reference_answers
    if answers is None:
        return []
    found = list(answers.must_include or [])
    if answers.exact_match is not None:
        found.append(answers.exact_match)
    return found


def check_guard_mode(mode: str) -> str:
    """``mode`` if it is one of :data:`GUARD_MODES`, else a ValueError naming them."""
    if mode not in GUARD_MODES:
        raise ValueError(f"answer_guard must be one of {', '.join(GUARD_MODES)}, got {mode!r}")
    return mode


def evaluate_answer_guard(
    task: TaskConfig, answer: str, mode: str = DEFAULT_GUARD_MODE
) -> EvaluatorResult | None:
    """The ``answer_guard`` evaluator of ``task`` under ``mode`` (see the module docstring);
    None when no guard applies (the task does not score the answer, or has no guard and
    ``mode`` derives none)."""
    check_guard_mode(mode)
    if mode == "off" or "string_match" not in task.eval.eval_types:
        return None
    guard = task.eval.answer_guard
    if guard is None and mode == "auto":
        answers = task.eval.reference_answers
        guard = derive_answer_guard(
            (answers.must_include or []) if answers is not None else [], task.intent
        )
    if guard is None:
        return None
    score, notes = check_answer_guard(
        guard, answer, intent=task.intent, reference=_references(task)
    )
    return EvaluatorResult("answer_guard", score, guard.to_dict(), excerpt(answer), notes)
