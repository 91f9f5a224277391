"""Scores are reported with what produced them: the evaluation mode, and the episodes that no
rule or LLM judge scored kept apart (issue 17, item 1.6).

Three sandbox map tasks, answered by a scripted policy through the real env: one string_match
task (a rule verdict), one fuzzy_match task with no LLM judge configured (the offline matcher
stands in: ``judge_fallback``), and one instruction-only task (no evaluators: unscored). The
report's success is over the first kind only; the others have columns of their own. In RL
rollouts the unscored episode gets no rows unless an outcome judge scores it.
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from r1_trainer.evaluate import evaluate_policy, markdown_table
from webarena_gym.actions import Action, format_action
from webarena_gym.evaluation.judges import JUDGE_BASE_URL_ENV


def _task(task_id: str, evaluation: dict) -> dict:
    return {"task_id": task_id, "sites": ["map"], "start_url": "__MAP__/",
            "intent": f"reporting fixture {task_id}", "require_login": False, "eval": evaluation}


TASKS = [
    _task("rule", {"eval_types": ["string_match"],
                   "reference_answers": {"exact_match": "Pittsburgh"}}),
    _task("fuzzy", {"eval_types": ["string_match"],
                    "reference_answers": {"fuzzy_match": ["a quiet river town"]}}),
    _task("free", {"eval_types": [], "needs_outcome_judge": "instruction-only fixture"}),
]
ANSWERS = {"rule": "Pittsburgh", "fuzzy": "a quiet river town", "free": "done"}


class Scripted:
    """Answers every task at once with its scripted answer."""

    name = "scripted"
    uses_turns = True

    def respond(self, prompts: Sequence, turns: Sequence) -> list[str]:
        return [format_action(Action("exit", None, ANSWERS[t.task_id])) for t in turns]


@pytest.fixture(autouse=True)
def _no_llm_judge(monkeypatch):
    monkeypatch.delenv(JUDGE_BASE_URL_ENV, raising=False)


def test_report_keeps_fallback_judged_and_unscored_episodes_apart():
    report = evaluate_policy(Scripted(), TASKS, num_envs=3, max_episode_steps=2)
    by_id = {e.task_id: e for e in report.episodes}
    assert {e.eval_mode for e in report.episodes} == {"gym"}
    assert by_id["rule"].judged and by_id["rule"].reward == 1.0
    assert by_id["fuzzy"].judge_fallback and by_id["fuzzy"].reward == 1.0
    assert by_id["free"].unscored and by_id["free"].reward == 0.0
    # Success counts the rule-scored episode only: not 2 of 3, not 1 of 3.
    assert report.success_rate == 1.0 and [e.task_id for e in report.judged] == ["rule"]
    summary = report.summary()
    assert summary["eval_mode"] == "gym"
    assert (summary["tasks"], summary["judged_tasks"], summary["fallback_judged"],
            summary["unscored"]) == (3, 1, 1, 1)
    assert summary["fallback_success_rate"] == 1.0
    table = markdown_table([report])
    head, _, row = table.splitlines()
    cells = dict(zip([c.strip() for c in head.split("|")], [c.strip() for c in row.split("|")],
                     strict=True))
    assert cells["eval mode"] == "gym" and cells["success"] == "100.0%"
    assert cells["offline-judged"] == "1/1 solved" and cells["unscored"] == "1"
    assert report.headline() == ("100.0% of 1 tasks (gym eval); 1 more judged offline "
                                 "(1 solved); 1 unscored (no evaluators)")


def test_the_table_shows_no_fallback_columns_when_every_episode_was_judged():
    report = evaluate_policy(Scripted(), TASKS[:1], num_envs=1, max_episode_steps=2)
    head = markdown_table([report]).splitlines()[0]
    assert "eval mode" in head and "offline-judged" not in head and "unscored" not in head


def test_rollouts_give_unscored_episodes_no_rows_unless_an_outcome_judge_scores_them():
    pytest.importorskip("torch")
    from r1_trainer.generation import Generation
    from r1_trainer.rollout import rollout_groups
    from webarena_gym.sandbox.env import make_sandbox_vector_env

    class Generator:
        def generate(self, prompts, sampling):
            out = []
            for text in ("\n".join(m["content"] for m in p) for p in prompts):
                task_id = next(t["task_id"] for t in TASKS if t["intent"] in text)
                answer = format_action(Action("exit", None, ANSWERS[task_id]))
                out.append(Generation(text=answer, prompt_ids=[1, 2], completion_ids=[3],
                                      logprobs=[-0.5], finished=True))
            return out

    configs = [TASKS[0], TASKS[2]]
    venv = make_sandbox_vector_env(4, task_configs=configs, max_episode_steps=2)
    try:
        batch = rollout_groups(venv, Generator(), configs, 2, max_episode_steps=2)
        free = [t for t in batch.trajectories if t.task_id == "free"]
        assert all(t.unscored and not t.counts for t in free)
        assert {r.traj_index for r in batch.rows} == {0, 1}  # the rule task's two only
        metrics = batch.metrics()
        assert metrics["unscored"] == 2.0 and metrics["reward"] == 1.0

        seen = []

        def judge(episode):
            seen.append((episode.task_id, episode.answer))
            return 1.0 if episode.answer == "done" else 0.0

        batch = rollout_groups(venv, Generator(), configs, 2, max_episode_steps=2, outcome_judge=judge)
        assert seen == [("free", "done"), ("free", "done")]
        assert all(t.counts and t.reward == 1.0 for t in batch.trajectories)
        assert {r.traj_index for r in batch.rows} == {0, 1, 2, 3}
        assert batch.metrics()["unscored"] == 0.0
    finally:
        venv.close()
