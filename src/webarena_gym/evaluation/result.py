"""What an evaluation returns: one record per evaluator and the episode's verdict."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

EXCERPT_CHARS = 1000


class EvaluationError(RuntimeError):
    """The evaluation itself cannot run (a helper without its site URL, no browser context,
    an unreachable judge); the message names the task and what to fix."""


@dataclass
class EvaluatorResult:
    """One evaluator's verdict: ``score`` is 1.0 or 0.0; ``expected``/``found`` are JSON data."""

    name: str
    score: float
    expected: Any
    found: Any
    notes: list[str] = field(default_factory=list)

    def to_info(self) -> dict[str, Any]:
        """A JSON-serializable dict."""
        return {
            "name": self.name,
            "score": self.score,
            "expected": self.expected,
            "found": self.found,
            "notes": list(self.notes),
        }


@dataclass
class EvalResult:
    """The episode's reward (product of the evaluators) and why.

    ``judge`` names the fuzzy judge when one was consulted; ``judge_fallback`` is True when that
    judge was the offline normalized matcher instead of an LLM; ``eval_mode`` is the
    evaluation mode that scored it (:mod:`~webarena_gym.evaluation.modes`).
    """

    reward: float
    results: list[EvaluatorResult]
    judge: str | None = None
    judge_fallback: bool = False
    eval_mode: str = "gym"

    def to_info(self) -> dict[str, Any]:
        """``info["eval"]``: the reward, the evaluation mode, the judge (``judge_fallback``:
        the offline matcher stood in for an LLM, so the score is not a judged one), and each
        evaluator's expected vs found."""
        return {
            "reward": self.reward,
            "eval_mode": self.eval_mode,
            "judge": self.judge,
            "judge_fallback": self.judge_fallback,
            "evaluators": [result.to_info() for result in self.results],
        }


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """``text`` cut to ``limit`` characters, saying how much was left out (keeps info small)."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... [{len(text) - limit} more characters]"
