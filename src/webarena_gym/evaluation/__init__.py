"""The reward: WebArena's evaluators (string_match, url_match, program_html) and fuzzy judges."""

from webarena_gym.evaluation.answer_guard import (
    GUARD_MODES,
    check_answer_guard,
    derive_answer_guard,
    evaluate_answer_guard,
)
from webarena_gym.evaluation.evaluate import evaluate_task
from webarena_gym.evaluation.helpers import FUNC_HELPERS, HelperContext, call_helper
from webarena_gym.evaluation.judges import (
    Judge,
    JudgeError,
    OfflineJudge,
    OpenAIJudge,
    default_judge,
)
from webarena_gym.evaluation.program_html import evaluate_program_html
from webarena_gym.evaluation.result import EvalResult, EvaluationError, EvaluatorResult
from webarena_gym.evaluation.string_match import (
    check_contents,
    clean_answer,
    evaluate_string_match,
    exact_match,
    must_exclude,
    must_include,
)
from webarena_gym.evaluation.url_match import evaluate_url_match, url_matches

__all__ = [
    "FUNC_HELPERS",
    "GUARD_MODES",
    "EvalResult",
    "EvaluationError",
    "EvaluatorResult",
    "HelperContext",
    "Judge",
    "JudgeError",
    "OfflineJudge",
    "OpenAIJudge",
    "call_helper",
    "check_answer_guard",
    "check_contents",
    "clean_answer",
    "default_judge",
    "derive_answer_guard",
    "evaluate_answer_guard",
    "evaluate_program_html",
    "evaluate_string_match",
    "evaluate_task",
    "evaluate_url_match",
    "exact_match",
    "must_exclude",
    "must_include",
    "url_matches",
]
