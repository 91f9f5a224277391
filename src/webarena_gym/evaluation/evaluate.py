"""The reward: run a task's evaluators once, at the end of an episode."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from webarena_gym.evaluation.answer_guard import (
    DEFAULT_GUARD_MODE,
    check_guard_mode,
    evaluate_answer_guard,
)
from webarena_gym.evaluation.judges import Judge, JudgeCalls, default_judge
from webarena_gym.evaluation.modes import GYM, check_eval_mode
from webarena_gym.evaluation.program_html import SETTLE_TIMEOUT_MS, evaluate_program_html
from webarena_gym.evaluation.result import EvalResult, EvaluatorResult, excerpt
from webarena_gym.evaluation.string_match import evaluate_string_match
from webarena_gym.evaluation.url_match import evaluate_url_match
from webarena_gym.tasks.config import TaskConfig
from webarena_gym.tasks.loader import substitute_placeholders

if TYPE_CHECKING:
    from playwright.async_api import BrowserContext, Page


async def evaluate_task(
    task: TaskConfig,
    *,
    answer: str,
    final_url: str,
    context: BrowserContext | None,
    site_urls: Mapping[str, str],
    judge: Judge | None = None,
    page_timeout_ms: int = 15000,
    settle_ms: int = SETTLE_TIMEOUT_MS,
    answer_guard: str = DEFAULT_GUARD_MODE,
    timeout_s: float | None = None,
    eval_mode: str = GYM,
    live_page: Page | None = None,
) -> EvalResult:
    """Score an episode: the product of the task's evaluators, each 1.0 or 0.0.

    Args:
        task: the task (placeholders left in it are substituted from ``site_urls``).
        answer: the agent's final answer (the ``exit`` message; "" when it gave none).
        final_url: the URL of the agent's page when the episode ended.
        context: the browser context ``program_html`` opens its pages in (never touching the
            agent's pages). Give one created with ``java_script_enabled=False`` (as
            :meth:`~webarena_gym.browser.Session.evaluation_context` makes) when no page script
            may run while the checks read the pages: then a script stored in a site by the
            agent cannot fake what a locator reads. Locators still run in such a context.
        site_urls: site name -> base URL of the deployment (for placeholders and helpers).
        judge: the fuzzy judge; :func:`default_judge` when None.
        page_timeout_ms: navigation timeout for each ``program_html`` page.
        settle_ms: how long a ``program_html`` page may take to go network-idle after
            ``load`` (pages rendered by scripts need it; 0 skips the wait).
        answer_guard: which answers must not list candidates
            (:mod:`~webarena_gym.evaluation.answer_guard`): ``"config"`` (default) checks the
            ``eval.answer_guard`` a config states (the sandbox's do; WebArena's do not, so
            they score as in WebArena), ``"auto"`` also derives one for ``string_match``
            configs without (an answer length bound, no extra numbers for numeric answers),
            ``"off"`` checks none. A guard is one more evaluator, ``answer_guard``.
        timeout_s: bound on opening and reading the ``program_html`` checks' pages, all
            together (``None``: each page only has ``page_timeout_ms``); a check whose page is
            not read by then scores 0 with a note.
        eval_mode: whose semantics score the episode (:mod:`~webarena_gym.evaluation.modes`):
            ``"webarena"`` (WebArena's harness), ``"vab"`` (VisualAgentBench's WebArena-Lite
            harness) or ``"gym"`` (this project's, the default). Reported in
            ``to_info()["eval_mode"]``.
        live_page: the agent's page as the episode ended; in the harness modes a
            ``program_html`` check with ``url: "last"`` reads it (unsaved form state
            included) instead of opening that URL anew.

    Every evaluator runs (none short-circuits), so ``to_info()`` explains all of them.

    Raises:
        EvaluationError: the evaluation cannot run (no context for program_html, a helper
            whose site URL is missing or unreachable, an unreachable judge endpoint).
        TaskConfigError: a placeholder for a site missing from ``site_urls``.
        ValueError: an unknown ``answer_guard`` or ``eval_mode``.
    """
    check_guard_mode(answer_guard)
    check_eval_mode(eval_mode)
    if task.eval.needs_outcome_judge:
        return unscored_result(task, answer)
    task = substitute_placeholders(task, site_urls)
    calls = JudgeCalls(judge if judge is not None else default_judge(eval_mode), eval_mode)
    results: list[EvaluatorResult] = []
    for eval_type in task.eval.eval_types:
        if eval_type == "string_match":
            results.append(await evaluate_string_match(task, answer, calls, eval_mode))
        elif eval_type == "url_match":
            results.append(evaluate_url_match(task, final_url, eval_mode))
        elif eval_type == "program_html":
            results.append(
                await evaluate_program_html(
                    task,
                    final_url=final_url,
                    context=context,
                    site_urls=site_urls,
                    judge=calls,
                    page_timeout_ms=page_timeout_ms,
                    settle_ms=settle_ms,
                    timeout_s=timeout_s,
                    mode=eval_mode,
                    live_page=live_page,
                )
            )
    guard = evaluate_answer_guard(task, answer, answer_guard)
    if guard is not None:
        results.append(guard)
    reward = 1.0
    for result in results:
        reward *= result.score
    return EvalResult(
        reward=reward,
        results=results,
        judge=calls.judge.name if calls.used else None,
        judge_fallback=calls.used and calls.fallback,
        eval_mode=eval_mode,
    )


def unscored_result(task: TaskConfig, answer: str) -> EvalResult:
    """The verdict on an episode of a task without evaluators (``eval.needs_outcome_judge``).

    Reward 0 with one ``outcome_judge`` record (score 0) whose notes say why the task has no
    evaluators and that an outcome judge must score the episode; the env adds
    ``info["eval"]["needs_outcome_judge"] = True``. The evaluators are not run: on a task
    with no evaluators their product would be 1.0 for any episode.
    """
    reason = task.eval.needs_outcome_judge or "the task has no evaluators"
    note = (
        f"not scored: {reason}. Reward 0 is a placeholder, not a verdict; score this episode "
        "with an outcome judge (the trajectory, the final page and the answer)"
    )
    record = EvaluatorResult("outcome_judge", 0.0, None, excerpt(answer), [note])
    return EvalResult(reward=0.0, results=[record])
