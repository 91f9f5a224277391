"""Resuming an RL run from a checkpoint, and its logs (issue 15, 2.7)."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("torch")
pytest.importorskip("trl")

import torch  # noqa: E402

from r1_trainer.runs import resolve_checkpoint, resume_jsonl, write_run_record  # noqa: E402
from r1_trainer.trainer import (  # noqa: E402
    MGRPOTrainerConfig,
    gather_rollout_metrics,
    merge_process_metrics,
    train_rl,
)
from webarena_gym.sandbox.templates import load_split  # noqa: E402


def _lines(path):
    return [json.loads(x) for x in path.read_text().splitlines()]


def _config(out, steps, **kwargs):
    return MGRPOTrainerConfig(
        output_dir=str(out), num_generations=2, tasks_per_step=1, max_episode_steps=1,
        max_completion_length=6, max_steps=steps, save_strategy="steps", save_steps=2,
        disable_tqdm=True, thinking=True, beta=0.0, **kwargs)


def test_resume_goes_on_from_the_checkpoint_and_appends_the_logs(tmp_path):
    """2 steps with a checkpoint, then the same run resumed to 3 steps: one metrics line per
    step, the first run's rollouts kept and the third step's appended."""
    torch.manual_seed(0)
    tasks = load_split("train", sites=["shopping"], n=3)
    out = tmp_path / "rl"
    train_rl("tiny", out, config=_config(out, 2), tasks=tasks)
    first = (out / "rollouts.jsonl").read_text().splitlines()
    assert len(first) == 4 and (out / "checkpoint-2").is_dir()

    train_rl("tiny", out, config=_config(out, 3, resume_from_checkpoint="last"), tasks=tasks)
    steps = [x["step"] for x in _lines(out / "metrics.jsonl") if "reward" in x]
    assert steps == [1, 2, 3]
    rollouts = (out / "rollouts.jsonl").read_text().splitlines()
    assert rollouts[:4] == first and len(rollouts) == 6
    assert [json.loads(x)["step"] for x in rollouts[4:]] == [2, 2]  # generated after 2 steps
    run = json.loads((out / "r1_trainer.json").read_text())
    assert run["resumed_from"].endswith("checkpoint-2")
    assert run["config"]["max_steps"] == 3 and "trl" in run["versions"]
    assert run["config"]["tasks_per_step"] == 1 and run["config"]["thinking"] is True


def test_resume_jsonl_keeps_the_steps_up_to_the_checkpoint(tmp_path):
    log = tmp_path / "metrics.jsonl"
    log.write_text("".join(json.dumps({"step": s, "loss": 0.1}) + "\n" for s in (1, 2, 3, 4))
                   + '{"step": 5, "lo')  # a line cut short by a crash
    assert resume_jsonl(log, 2) == 2
    assert [x["step"] for x in _lines(log)] == [1, 2]
    assert resume_jsonl(log, 2, through=False) == 1  # rollouts: written before their step
    assert resume_jsonl(log, 0) == 0 and log.read_text() == ""  # a fresh run starts empty


def test_resolve_checkpoint_finds_the_latest_or_says_what_is_missing(tmp_path):
    assert resolve_checkpoint(None, tmp_path) is None
    with pytest.raises(FileNotFoundError, match="no checkpoint-\\* folder in"):
        resolve_checkpoint("last", tmp_path)
    for step in (2, 10, 4):
        (tmp_path / f"checkpoint-{step}").mkdir()
    assert resolve_checkpoint(True, tmp_path).endswith("checkpoint-10")  # 10 after 4, not "1"
    with pytest.raises(FileNotFoundError, match="trainer_state.json"):
        resolve_checkpoint(tmp_path / "checkpoint-4", tmp_path)


def test_rollout_metrics_merge_over_processes():
    """Two processes: means over all trajectories (or actions), pooled std, max, sum."""
    rank0 = {"reward": 1.0, "reward_std": 0.0, "parse_error_rate": 0.5, "prompt_tokens_max": 9.0,
             "env_errors": 1.0, "interactions": 2.0}
    rank1 = {"reward": 0.0, "reward_std": 0.0, "parse_error_rate": 0.0, "prompt_tokens_max": 7.0,
             "env_errors": 2.0, "interactions": 4.0}
    merged = merge_process_metrics([rank0, rank1], trajectories=[2, 6], actions=[4, 12])
    assert merged["reward"] == pytest.approx(0.25)  # 2 of 8 trajectories
    assert merged["reward_std"] == pytest.approx((0.25 * 0.75) ** 0.5)  # of [1, 1, 0 x 6]
    assert merged["parse_error_rate"] == pytest.approx(2 / 16)  # per action
    assert merged["interactions"] == pytest.approx((2 * 2 + 6 * 4) / 8)
    assert (merged["prompt_tokens_max"], merged["env_errors"]) == (9.0, 3.0)


def test_gather_rollout_metrics_on_one_process_and_two():
    from accelerate import Accelerator

    metrics = {"reward": 0.5, "reward_std": 0.5, "parse_error_rate": 0.25}
    one = gather_rollout_metrics(metrics, 4, 8, Accelerator(cpu=True).gather)
    assert one == pytest.approx(metrics)
    other = torch.tensor([[4.0, 8.0, 0.0, 0.0, 0.0]])  # [trajectories, actions, *sorted keys]

    def two_processes(local):
        return torch.cat([local, other])

    two = gather_rollout_metrics(metrics, 4, 8, two_processes)
    assert two["parse_error_rate"] == pytest.approx(0.125) and two["reward"] == pytest.approx(0.25)


def test_run_record_holds_versions_and_the_commit(tmp_path):
    path = write_run_record(tmp_path, {"stage": "rl"})
    run = json.loads(path.read_text())
    assert run["stage"] == "rl" and run["versions"]["torch"] == torch.__version__
    assert run["source"] is None or len(run["source"]["commit"]) == 40  # None: not a checkout
