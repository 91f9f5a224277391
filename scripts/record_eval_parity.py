"""Record the reference evaluators' verdicts on candidate answers: tests/data/eval_parity.json.

Run it in a separate environment that has nltk (``python -m venv /tmp/refenv &&
/tmp/refenv/bin/pip install nltk beartype``), with WebArena's evaluator code from the
``libwebarena`` wheel unpacked (``unzip libwebarena-0.0.5-py3-none-any.whl -d /tmp/libwa``) and
the WebArena-Lite configs of ``browsergym-webarenalite`` unpacked::

    /tmp/refenv/bin/python scripts/record_eval_parity.py \\
        --libwebarena /tmp/libwa --lite /tmp/bgw/browsergym/webarenalite/test_webarena_lite.raw.json

* ``webarena`` verdicts come from the wheel's own ``StringEvaluator`` / ``URLEvaluator``,
  imported from the unpacked wheel (Playwright and the helpers it imports are stubbed: the
  string and URL checks never use them).
* ``vab`` verdicts come from :func:`vab_string` / :func:`vab_url` below: a line-by-line reading
  of ``StringEvaluator`` and ``URLExactEvaluator`` of VisualAgentBench's
  ``VAB-WebArena-Lite/new/evaluators.py`` (that repository ships no package to import).
* Both use nltk's ``word_tokenize`` with an untrained Punkt model (its English data cannot be
  downloaded here); every string tokenized is recorded with its tokens.
* The LLM judge is a deterministic stub that records each question it is asked and answers
  "correct"/"same" when the normalized reference occurs in the answer.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import types
import urllib.parse
from pathlib import Path
from typing import Any

import nltk.tokenize
from nltk.tokenize import NLTKWordTokenizer
from nltk.tokenize.punkt import PunktSentenceTokenizer

_PUNKT = PunktSentenceTokenizer()
_TREEBANK = NLTKWordTokenizer()
TOKENIZED: dict[str, list[str]] = {}
JUDGE_CALLS: list[list[str]] = []


def word_tokenize(text: str, language: str = "english", preserve_line: bool = False) -> list[str]:
    tokens = [t for s in _PUNKT.tokenize(text) for t in _TREEBANK.tokenize(s)]
    TOKENIZED[text] = tokens
    return tokens


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


def stub_fuzzy(pred: str, reference: str, question: str) -> float:
    JUDGE_CALLS.append(["fuzzy", reference, pred])
    ref = _norm(reference)
    return float(bool(ref) and f" {ref} " in f" {_norm(pred)} ")


def stub_ua(pred: str, reference: str, question: str) -> float:
    JUDGE_CALLS.append(["ua", reference, pred])
    return float(_norm(reference)[:20] in _norm(pred))


def load_webarena(libwebarena: Path) -> Any:
    """The wheel's evaluators module with its heavy imports stubbed."""
    nltk.tokenize.word_tokenize = word_tokenize
    sys.path.insert(0, str(libwebarena))
    for name in ("playwright", "playwright.sync_api"):
        module = types.ModuleType(name)
        module.CDPSession = module.Page = object  # type: ignore[attr-defined]
        sys.modules[name] = module
    for name in ("webarena.browser_env", "webarena.browser_env.actions",
                 "webarena.browser_env.utils", "webarena.evaluation_harness.helper_functions"):
        module = types.ModuleType(name)
        module.__path__ = []  # type: ignore[attr-defined]
        sys.modules[name] = module
    sys.modules["webarena.browser_env.actions"].Action = dict  # type: ignore[attr-defined]
    sys.modules["webarena.browser_env.utils"].StateInfo = dict  # type: ignore[attr-defined]
    helpers = sys.modules["webarena.evaluation_harness.helper_functions"]
    helpers.PseudoPage = object  # type: ignore[attr-defined]
    helpers.llm_fuzzy_match = stub_fuzzy  # type: ignore[attr-defined]
    helpers.llm_ua_match = stub_ua  # type: ignore[attr-defined]
    for name in ("gitlab_get_project_memeber_role", "reddit_get_post_url",
                 "shopping_get_latest_order_url", "shopping_get_sku_latest_review_author",
                 "shopping_get_sku_latest_review_rating"):
        setattr(helpers, name, None)
    pkg = types.ModuleType("webarena")
    pkg.__path__ = [str(libwebarena / "webarena")]  # type: ignore[attr-defined]
    sys.modules["webarena"] = pkg
    sub = types.ModuleType("webarena.evaluation_harness")
    sub.__path__ = [str(libwebarena / "webarena" / "evaluation_harness")]  # type: ignore[attr-defined]
    sys.modules["webarena.evaluation_harness"] = sub
    import importlib

    module = importlib.import_module("webarena.evaluation_harness.evaluators")
    module.word_tokenize = word_tokenize
    module.llm_fuzzy_match = stub_fuzzy
    module.llm_ua_match = stub_ua
    return module


# --- VAB's StringEvaluator and URLExactEvaluator, as read ------------------------------------
def _vab_clean(answer: str) -> str:
    if answer.startswith("'") and answer.endswith("'"):
        answer = answer[1:-1]
    elif answer.startswith('"') and answer.endswith('"'):
        answer = answer[1:-1]
    return answer.lower()


def _vab_must_include(ref: str, pred: str) -> float:
    clean_ref, clean_pred = _vab_clean(ref), _vab_clean(pred)
    if len(word_tokenize(clean_ref)) == 1:
        return float(clean_ref in word_tokenize(clean_pred))
    return float(clean_ref in clean_pred)


def vab_string(config: dict[str, Any], answer: str) -> float:
    pred = _vab_clean(answer)
    score = 1.0
    for approach, value in config["eval"]["reference_answers"].items():
        if approach == "exact_match":
            score *= float(_vab_clean(pred) == _vab_clean(value))
        elif approach == "must_include":
            for must_value in value:
                score *= any(_vab_must_include(v, pred) for v in must_value.split(" |OR| "))
        elif approach == "must_exclude":
            for v in value:
                score *= 1.0 - _vab_must_include(v, pred)
        elif approach == "fuzzy_match":
            if value == "N/A":
                score *= float(_vab_clean(pred) == _vab_clean(value))
                if score != 1:
                    score = 1.0 * stub_ua(pred, config["eval"]["string_note"], config["intent"])
            else:
                score *= stub_fuzzy(pred, ", ".join(value), config["intent"])
    return float(score)


def vab_url(config: dict[str, Any], url: str) -> float:
    def clean(u: str) -> str:
        u = u.replace("localhost", "127.0.0.1")
        return u[:-1] if u.endswith("/") else u

    pred = clean(url)
    refs = [clean(u) for u in config["eval"]["reference_url"].split(" |OR| ")]
    rule = config["eval"].get("url_note", "EXACT")
    if rule == "EXACT":
        return float(pred in refs)
    return float(any(ref in pred for ref in refs))


# --- candidates ------------------------------------------------------------------------------
def answer_candidates(config: dict[str, Any]) -> list[str]:
    ra = config["eval"]["reference_answers"] or {}
    refs: list[str] = []
    if "exact_match" in ra:
        refs.append(ra["exact_match"])
    for item in ra.get("must_include") or []:
        refs.append(item)
        refs.extend(a.strip() for a in item.split("|OR|"))
    if isinstance(ra.get("fuzzy_match"), list):
        refs.extend(ra["fuzzy_match"])
    elif ra.get("fuzzy_match") == "N/A":
        refs.extend(["N/A", config["eval"].get("string_note", "")])
    out: list[str] = ["", "I don't know", "0 1 2 3 4 5 6 7 8 9 10 100 1000"]
    joined = ", ".join(dict.fromkeys(refs))
    out += [joined, f"The answer is {joined}.", " ".join(reversed(refs))]
    for ref in dict.fromkeys(refs):
        out += [
            ref, ref.upper(), ref.lower(), f'"{ref}"', f"'\"{ref}\"'", f'" {ref} "', f" {ref} ",
            f"{ref}.", f"Answer: {ref}. Done.", f"The answer is {ref}", f"{ref}th",
            f"1{ref}", f"{ref}0", f"{ref}.0", f"({ref})", f"{ref}!", ref.replace(",", ""),
            f"{ref} and more",
        ]
        digits = re.sub(r"\D", "", ref)
        if digits and digits != ref:
            out.append(digits)
        if re.fullmatch(r"\d{4,}", ref):
            out.append(f"{int(ref):,}")
    return list(dict.fromkeys(out))


def url_candidates(config: dict[str, Any]) -> list[str]:
    out: list[str] = []
    for ref in config["eval"]["reference_url"].split(" |OR| "):
        ref = ref.strip()
        parsed = urllib.parse.urlparse(ref)
        out += [ref, ref + "/", ref.rstrip("/"), ref + "?page=2", ref + "&x=1",
                ref.replace("localhost", "127.0.0.1"), ref + "/extra",
                parsed._replace(query="").geturl(), ref.upper(), ref[:-3]]
    return list(dict.fromkeys(out))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--libwebarena", type=Path, required=True)
    parser.add_argument("--lite", type=Path, required=True)
    parser.add_argument("--out", type=Path, default=Path("tests/data/eval_parity.json.gz"))
    args = parser.parse_args()
    wa = load_webarena(args.libwebarena)
    sources = {"lite": json.loads(args.lite.read_text()),
               "webarena": json.loads((args.libwebarena / "webarena" / "test.raw.json").read_text())}
    cases = []
    for source, configs in sources.items():
        for config in configs:
            types_ = config["eval"]["eval_types"]
            if "string_match" not in types_ and "url_match" not in types_:
                continue
            entry: dict[str, Any] = {
                "source": source, "task_id": config["task_id"], "intent": config["intent"],
                "eval": {k: config["eval"][k] for k in
                         ("eval_types", "reference_answers", "reference_url", "string_note",
                          "url_note") if k in config["eval"]},
                "answers": [], "urls": [],
            }
            if "string_match" in types_:
                for answer in answer_candidates(config):
                    JUDGE_CALLS.clear()
                    score_wa = _wa_string(wa, config, answer)
                    calls_wa = list(JUDGE_CALLS)
                    JUDGE_CALLS.clear()
                    score_vab = vab_string(config, answer)
                    calls_vab = list(JUDGE_CALLS)
                    entry["answers"].append({"answer": answer, "webarena": score_wa,
                                             "vab": score_vab, "judge_webarena": calls_wa,
                                             "judge_vab": calls_vab})
            if "url_match" in types_:
                for url in url_candidates(config):
                    entry["urls"].append({"url": url, "webarena": _wa_url(wa, config, url),
                                          "vab": vab_url(config, url)})
            cases.append(entry)
    data = {"generated_by": "scripts/record_eval_parity.py", "cases": cases,
            "tokens": dict(sorted(TOKENIZED.items()))}
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n"
    args.out.write_bytes(gzip.compress(text.encode("utf-8"), mtime=0))
    print(f"{len(cases)} configs, {sum(len(c['answers']) for c in cases)} answers, "
          f"{sum(len(c['urls']) for c in cases)} urls, {len(TOKENIZED)} tokenized strings "
          f"-> {args.out}")


def _write_config(config: dict[str, Any]) -> str:
    path = Path("/tmp/_parity_config.json")
    path.write_text(json.dumps(config))
    return str(path)


def _wa_string(wa: Any, config: dict[str, Any], answer: str) -> float:
    ev = wa.StringEvaluator()
    try:
        return float(ev([{"answer": answer}], _write_config(config)))
    except AssertionError:  # a reference the harness rejects (a non-list must_include ...)
        return -1.0


def _wa_url(wa: Any, config: dict[str, Any], url: str) -> float:
    ev = wa.URLEvaluator()
    page = types.SimpleNamespace(url=url)
    try:
        return float(ev([{}], _write_config(config), page))
    except ValueError:  # a url_note the harness does not know
        return -1.0


if __name__ == "__main__":
    main()
