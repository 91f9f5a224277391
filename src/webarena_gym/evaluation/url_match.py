"""``url_match``: the agent's final URL against ``eval.reference_url`` (WebArena's semantics).

References are separated by ``|OR|``; trailing slashes are ignored. Under ``"GOLD in PRED"``
(the default) some reference's host+path must be contained in the prediction's host+path, and
for every query key of the references the prediction must carry one of their values.
Under ``"EXACT"`` the prediction must equal one reference.
"""

from __future__ import annotations

from collections import defaultdict
from urllib.parse import parse_qs, urlparse

from webarena_gym.evaluation.result import EvaluatorResult
from webarena_gym.tasks.config import DEFAULT_URL_NOTE, OR_SEPARATOR, TaskConfig

HARNESS_OR = " |OR| "


def _clean_url(url: str) -> str:
    return url.strip().rstrip("/")


def _base_and_query(url: str) -> tuple[str, dict[str, list[str]]]:
    parsed = urlparse(url)
    return parsed.netloc + parsed.path, parse_qs(parsed.query)


def url_matches(
    reference_url: str, prediction: str, url_note: str = DEFAULT_URL_NOTE
) -> tuple[bool, list[str]]:
    """Whether ``prediction`` matches ``reference_url`` under ``url_note``, and why not.

    Raises:
        ValueError: an unknown ``url_note`` (the loader rejects these up front).
    """
    references = [_clean_url(u) for u in reference_url.split(OR_SEPARATOR) if u.strip()]
    pred = _clean_url(prediction)
    if url_note == "EXACT":
        if pred in references:
            return True, []
        return False, [f"url_match EXACT: {pred!r} is none of {references}"]
    if url_note != "GOLD in PRED":
        raise ValueError(f"unknown url_note {url_note!r}")
    return _gold_in_pred(pred, references)


def webarena_url_matches(
    reference_url: str, prediction: str, url_note: str = DEFAULT_URL_NOTE
) -> tuple[bool, list[str]]:
    """WebArena's ``URLEvaluator`` (libwebarena 0.0.5): trailing slashes stripped, references
    split on " |OR| "; "GOLD in PRED" as :func:`url_matches`. The harness raises on any other
    ``url_note``; here "EXACT" is an exact comparison, with a note saying so."""
    pred = prediction.rstrip("/")
    references = [u.rstrip("/") for u in reference_url.split(HARNESS_OR)]
    if url_note != "GOLD in PRED":
        notes = ["url_match: WebArena's harness knows only 'GOLD in PRED'; compared exactly"]
        if pred in references:
            return True, notes
        return False, [*notes, f"url_match EXACT: {pred!r} is none of {references}"]
    return _gold_in_pred(pred, references)


def _vab_clean_url(url: str) -> str:
    url = url.replace("localhost", "127.0.0.1")
    return url[:-1] if url.endswith("/") else url


def vab_url_matches(
    reference_url: str, prediction: str, url_note: str | None
) -> tuple[bool, list[str]]:
    """VAB's ``URLExactEvaluator``: ``localhost`` read as ``127.0.0.1``, one trailing slash
    dropped, references split on " |OR| "; ``url_note`` missing (None) means "EXACT" (the URL
    equals a reference), "GOLD in PRED" means a reference is a substring of the whole URL."""
    pred = _vab_clean_url(prediction)
    references = [_vab_clean_url(u) for u in reference_url.split(HARNESS_OR)]
    rule = url_note or "EXACT"
    if rule == "EXACT":
        if pred in references:
            return True, []
        note = "" if url_note else " (no url_note: VAB compares exactly)"
        return False, [f"url_match EXACT{note}: {pred!r} is none of {references}"]
    if any(ref in pred for ref in references):
        return True, []
    return False, [f"url_match GOLD in PRED: none of {references} is in {pred!r}"]


def evaluate_url_match(task: TaskConfig, final_url: str, mode: str = "gym") -> EvaluatorResult:
    """``url_match``: the agent's final URL against the task's reference URL(s), as evaluation
    ``mode`` (:mod:`~webarena_gym.evaluation.modes`) compares them."""
    note = task.eval.url_note
    if mode == "vab":
        ok, notes = vab_url_matches(
            task.eval.reference_url, final_url, note if task.eval.url_note_given else None
        )
        note = note if task.eval.url_note_given else "EXACT"
    elif mode == "webarena":
        ok, notes = webarena_url_matches(task.eval.reference_url, final_url, note)
    else:
        ok, notes = url_matches(task.eval.reference_url, final_url, note)
    expected = {"reference_url": task.eval.reference_url, "url_note": note}
    return EvaluatorResult("url_match", 1.0 if ok else 0.0, expected, final_url, notes)


def _gold_in_pred(pred: str, references: list[str]) -> tuple[bool, list[str]]:
    """WebArena's "GOLD in PRED": some reference's path is a substring of the prediction's,
    and every query key of the references has one of its values in the prediction's query."""
    pred_base, pred_query = _base_and_query(pred)
    ref_queries: dict[str, set[str]] = defaultdict(set)
    ref_bases = []
    for ref in references:
        base, query = _base_and_query(ref)
        ref_bases.append(base)
        for key, values in query.items():
            ref_queries[key].update(values)
    notes = []
    if not any(base in pred_base for base in ref_bases):
        notes.append(f"url_match: no reference path of {ref_bases} is in {pred_base!r}")
    for key, values in sorted(ref_queries.items()):
        if not any(value in pred_query.get(key, []) for value in values):
            notes.append(
                f"url_match: query {key!r} is {pred_query.get(key, [])}, expected one of "
                f"{sorted(values)}"
            )
    return not notes, notes
