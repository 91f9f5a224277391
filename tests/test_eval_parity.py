"""Our evaluator against the reference harnesses' recorded verdicts (tests/data/eval_parity.json.gz).

The data holds, for every WebArena-Lite config and every WebArena config with a string or URL
check, candidate answers / URLs and the score WebArena's harness (``libwebarena`` 0.0.5) and
VisualAgentBench's WebArena-Lite harness give each, with the questions their judge was asked;
``scripts/record_eval_parity.py`` regenerates it.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import re
from pathlib import Path
from typing import Any

import pytest

from webarena_gym.evaluation import evaluate_task
from webarena_gym.evaluation.tokenize import word_tokenize
from webarena_gym.tasks import SITE_PLACEHOLDERS, load_task_configs

# Placeholders stand for themselves: the recorded URLs keep them.
SITES = dict(SITE_PLACEHOLDERS)

DATA = Path(__file__).parent / "data" / "eval_parity.json.gz"


@pytest.fixture(scope="module")
def parity() -> dict[str, Any]:
    return json.loads(gzip.decompress(DATA.read_bytes()))


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


class RecordingJudge:
    """The recording script's stub judge: the same verdicts, the questions recorded."""

    name = "stub"
    fallback = False

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def fuzzy_match(self, intent: str, reference: str, prediction: str) -> bool:
        self.calls.append(["fuzzy", reference, prediction])
        ref = _norm(reference)
        return bool(ref) and f" {ref} " in f" {_norm(prediction)} "

    def ua_match(self, intent: str, reference: str, prediction: str) -> bool:
        self.calls.append(["ua", reference, prediction])
        return _norm(reference)[:20] in _norm(prediction)


def _task(case: dict[str, Any]):
    raw = {"task_id": case["task_id"], "sites": ["shopping"], "intent": case["intent"],
           "start_url": "http://localhost", "eval": dict(case["eval"])}
    raw["eval"]["eval_types"] = [
        t for t in raw["eval"]["eval_types"] if t in ("string_match", "url_match")
    ]
    return load_task_configs([raw])[0]


def test_tokenizer_matches_nltk_on_every_recorded_string(parity):
    wrong = {s: (word_tokenize(s), t) for s, t in parity["tokens"].items() if word_tokenize(s) != t}
    assert not wrong, list(wrong.items())[:5]


@pytest.mark.parametrize("mode", ["webarena", "vab"])
def test_every_recorded_verdict_is_reproduced(parity, mode):
    async def run() -> tuple[int, list[Any]]:
        checked, wrong = 0, []
        for case in parity["cases"]:
            task = _task(case)
            base = {**task.eval.__dict__}
            for item in case["answers"]:
                if item[mode] < 0:  # the harness raised on this config
                    continue
                judge = RecordingJudge()
                only = type(task.eval)(**{**base, "eval_types": ["string_match"]})
                result = await evaluate_task(
                    type(task)(**{**task.__dict__, "eval": only}), answer=item["answer"],
                    final_url="", context=None, site_urls=SITES, judge=judge,
                    answer_guard="off", eval_mode=mode,
                )
                checked += 1
                if result.reward != item[mode] or judge.calls != item[f"judge_{mode}"]:
                    wrong.append((case["source"], case["task_id"], item["answer"],
                                  result.reward, item[mode], judge.calls))
            for item in case["urls"]:
                if item[mode] < 0:
                    continue
                only = type(task.eval)(**{**base, "eval_types": ["url_match"]})
                result = await evaluate_task(
                    type(task)(**{**task.__dict__, "eval": only}), answer="",
                    final_url=item["url"], context=None, site_urls=SITES, eval_mode=mode,
                )
                checked += 1
                if result.reward != item[mode]:
                    wrong.append((case["source"], case["task_id"], item["url"], result.reward,
                                  item[mode]))
        return checked, wrong

    checked, wrong = asyncio.run(run())
    assert checked > 15000
    assert not wrong, f"{len(wrong)} of {checked} differ, e.g. {wrong[:5]}"


@pytest.mark.parametrize("mode", ["webarena", "vab", "gym"])
def test_the_judge_is_asked_in_the_harness_words(mode):
    from webarena_gym.evaluation.judges import HARNESS_SYSTEM, JudgeCalls, OpenAIJudge

    judge = OpenAIJudge("http://127.0.0.1:9", "m")
    asked: list[tuple[str, str | None]] = []
    judge.complete = lambda prompt, system=None: asked.append((prompt, system)) or "correct"
    calls = JudgeCalls(judge, mode)
    assert asyncio.run(calls.fuzzy_match("q?", "ref", "pred", []))
    prompt, system = asked[0]
    if mode == "gym":
        assert system is None
        return
    assert system == HARNESS_SYSTEM
    assert prompt.startswith("Help a teacher to grade the answer of a student given a question.")
    assert "student answer: pred\n" in prompt
    last = {"webarena": "Conclude the judgement by correct/incorrect/partially correct.",
            "vab": "Only output one of these options, and nothing else."}[mode]
    assert prompt.endswith(last)
