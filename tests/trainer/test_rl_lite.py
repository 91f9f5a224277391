"""r1-train on WebArena-Lite configs: the shared-sites guard of RL, and evaluation on Lite
configs pointed at pages served on 127.0.0.1 (no WebArena servers; issue 15, 2.9)."""

from __future__ import annotations

import json

import pytest
from helpers import task

from r1_trainer.cli import main
from r1_trainer.evaluate import LITE_ENV, evaluate_policy, tasks_changing_sites

ANSWER = {"eval_types": ["string_match"], "reference_answers": {"must_include": ["42"]}}


def lite_tasks():
    """A read-only task, one that needs a reset, one that a program_html check scores."""
    start = "__SHOPPING__/env/index.html"
    checked = {"eval_types": ["program_html"], "reference_answers": None, "program_html": [
        {"url": "last", "locator": "document.title", "required_contents": {"must_include": ["x"]}}]}
    return [task(0, start, ANSWER), task(1, start, ANSWER, require_reset=True),
            task(2, start, checked)]


def test_tasks_changing_sites_are_require_reset_or_program_html():
    assert tasks_changing_sites(lite_tasks()) == ["1", "2"]


def test_rl_refuses_g_above_1_on_lite_tasks_that_write(tmp_path):
    pytest.importorskip("trl")
    from r1_trainer.trainer import check_shared_sites, train_rl

    with pytest.raises(ValueError, match=r"task ids 1, 2\b.*--sites-reset"):
        train_rl("tiny", tmp_path / "rl", env=LITE_ENV, tasks=lite_tasks(), num_generations=2,
                 tasks_per_step=1, max_steps=1)
    check_shared_sites(lite_tasks()[:1], 4)  # only reads: G rollouts cannot disturb each other
    check_shared_sites(lite_tasks(), 1)
    check_shared_sites(lite_tasks(), 4, sites_reset=True)  # the user says the sites reset
    from r1_trainer.cli import parse_command

    _, config, _ = parse_command("rl", ["--model", "m", "--output-dir", "d", "--env", LITE_ENV,
                                        "--sites-reset"])
    assert config.sites_reset is True


class AnswerPolicy:
    """Answers every prompt with the same exit message."""

    name = "answers-42"

    def respond(self, prompts):
        return ['exit(message="the answer is 42")'] * len(prompts)


@pytest.fixture
def lite_file(tmp_path, monkeypatch, page_server):
    """Lite configs whose sites are the test page server (WA_SHOPPING)."""
    path = tmp_path / "lite.json"
    path.write_text(json.dumps(lite_tasks()[:2]))
    monkeypatch.setenv("WA_SHOPPING", page_server)
    return path


def test_evaluate_policy_on_lite_configs(lite_file):
    configs = json.loads(lite_file.read_text())
    report = evaluate_policy(AnswerPolicy(), configs, env=LITE_ENV, max_episode_steps=2, num_envs=2,
                             env_kwargs={"config_path": str(lite_file)})
    assert [e.task_id for e in report.episodes] == ["0", "1"]
    assert report.success_rate == 1.0 and report.mean_interactions == 1.0


def test_r1_train_eval_on_lite_configs(lite_file, tmp_path, capsys):
    pytest.importorskip("trl")
    out = tmp_path / "eval.json"
    assert main(["eval", "--model", "tiny", "--env", LITE_ENV, "--tasks", str(lite_file),
                 "--max-episode-steps", "1", "--max-new-tokens", "4", "--num-envs", "2",
                 "--out", str(out)]) == 0
    (report,) = json.loads(out.read_text())
    assert report["split"] == "lite" and [e["task_id"] for e in report["episodes"]] == ["0", "1"]
    printed = capsys.readouterr()
    assert "| hf:tiny |" in printed.out
    assert "--num-envs 1" in printed.err and "(1)" in printed.err  # task 1 needs a reset


def test_rl_step_on_lite_configs(lite_file, tmp_path):
    """One M-GRPO step on a read-only Lite task, G = 2 (the env reads the run's copy of the
    configs; before, the Lite env factory got its configs twice and failed)."""
    pytest.importorskip("trl")
    from r1_trainer.trainer import LITE_TASKS_FILE, train_rl

    out = tmp_path / "rl"
    train_rl("tiny", out, env=LITE_ENV, tasks_file=lite_file, sites=["shopping"],
             num_generations=2, tasks_per_step=1, max_steps=1, max_episode_steps=1,
             max_completion_length=4, save_strategy="no", disable_tqdm=True,
             sites_reset=True)  # task 1 needs a reset; the fixture pages hold no state
    rollouts = [json.loads(x) for x in (out / "rollouts.jsonl").read_text().splitlines()]
    assert len(rollouts) == 2 and {r["task_id"] for r in rollouts} <= {"0", "1"}
    assert json.loads((out / LITE_TASKS_FILE).read_text())[0]["task_id"] == 0
