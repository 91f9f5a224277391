"""M-GRPO on TRL's GRPOTrainer: a few steps of the tiny model on the sandbox."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("torch")
pytest.importorskip("trl")

import torch  # noqa: E402
from test_rl_rollout import FirstRolloutWins, one_thread  # noqa: E402, F401

from r1_trainer.models import load_model_and_tokenizer  # noqa: E402
from r1_trainer.trainer import MGRPOTrainerConfig, pad_rows, train_rl  # noqa: E402
from webarena_gym.sandbox.env import make_sandbox_vector_env  # noqa: E402
from webarena_gym.sandbox.templates import load_split  # noqa: E402

LOGGED = ("reward", "success_rate", "trajectory_tokens", "interactions", "response_tokens",
          "kl", "clip_fraction", "parse_error_rate", "loss", "grad_norm", "entropy")


def test_rl_run_trains_saves_and_logs(tmp_path, monkeypatch):
    """Two optimizer steps (2 tasks x 2 rollouts, 2 turns, one task per micro-batch): the run
    finishes, writes a checkpoint, the final model and a metrics line per step, and the weights
    move (the first rollout of every group is rewarded, so the advantages are not zero)."""
    torch.manual_seed(0)
    tasks = load_split("train", sites=["shopping"], n=4)
    out = tmp_path / "rl"
    config = MGRPOTrainerConfig(
        output_dir=str(out), num_generations=2, tasks_per_step=2, tasks_per_micro_batch=1,
        max_episode_steps=2, max_completion_length=12, max_steps=2, learning_rate=1e-3,
        save_strategy="steps", save_steps=2, disable_tqdm=True, thinking=True,
    )
    assert config.per_device_train_batch_size == 2 and config.gradient_accumulation_steps == 2
    import r1_trainer.trainer as trainer_module

    made = []

    def rewarded_env(self, n):
        made.append(n)
        return FirstRolloutWins(make_sandbox_vector_env(n, task_configs=self.train_tasks,
                                                        max_steps=2), 2)

    monkeypatch.setattr(trainer_module.MGRPOTrainer, "_sandbox_env", rewarded_env)
    path = train_rl("tiny", out, config=config, tasks=tasks)

    assert made == [4]  # one vector env for every step: K * G envs
    lines = [json.loads(x) for x in (out / "metrics.jsonl").read_text().splitlines()]
    steps = [x for x in lines if "reward" in x]
    assert [x["step"] for x in steps] == [1, 2]
    for record in steps:
        assert set(LOGGED) <= set(record), set(LOGGED) - set(record)
        assert record["reward"] == 0.5 and record["success_rate"] == 0.5
        assert 1 <= record["interactions"] <= 2
        assert abs(record["ratio_mean"] - 1.0) < 1e-3  # π_old = the sampling policy
    assert (out / "checkpoint-2" / "model.safetensors").is_file()
    assert (out / "model.safetensors").is_file()
    run = json.loads((out / "r1_trainer.json").read_text())
    assert run["stage"] == "rl" and run["preset"] == "tiny"
    rollouts = [json.loads(x) for x in (out / "rollouts.jsonl").read_text().splitlines()]
    assert len(rollouts) == 8 and {r["reward"] for r in rollouts} == {0.0, 1.0}

    before = load_model_and_tokenizer("tiny")[0].state_dict()
    after = load_model_and_tokenizer(str(path))[0].state_dict()
    changed = [k for k in before if not torch.equal(before[k], after[k])]
    assert changed, "M-GRPO steps left every weight unchanged"


def test_config_validates_the_step_shape(tmp_path):
    with pytest.raises(ValueError, match="tasks_per_micro_batch=3"):
        MGRPOTrainerConfig(output_dir=str(tmp_path), tasks_per_step=4, tasks_per_micro_batch=3)
    config = MGRPOTrainerConfig(output_dir=str(tmp_path), tasks_per_step=4,
                                tasks_per_micro_batch=0)
    assert config.gradient_accumulation_steps == 1
    assert config.per_device_train_batch_size == 16  # G=4 (the paper's) x 4 tasks
    assert (config.beta, config.epsilon, config.learning_rate) == (0.001, 0.2, 1e-6)
    assert (config.max_episode_steps, config.max_completion_length) == (15, 1024)


def test_pad_rows_puts_every_completion_at_the_same_column():
    ids, attention, mask = pad_rows([[1, 2, 3], [4]], [[5], [6, 7]], pad_id=0)
    assert ids.tolist() == [[1, 2, 3, 5, 0], [0, 0, 4, 6, 7]]
    assert attention.tolist() == [[1, 1, 1, 1, 0], [0, 0, 1, 1, 1]]
    assert mask.tolist() == [[1, 0], [1, 1]]


def test_a_group_whose_envs_all_failed_leaves_an_empty_micro_batch(tmp_path, monkeypatch):
    """Both rollouts of the second task hit a failing env: they give no rows, so that task's
    micro-batch is empty; the step still trains on the first task, and the logged reward is
    the valid trajectories' (1, 0), with the two failures counted."""
    torch.manual_seed(0)
    tasks = load_split("train", sites=["shopping"], n=2)
    out = tmp_path / "rl"
    config = MGRPOTrainerConfig(
        output_dir=str(out), num_generations=2, tasks_per_step=2, tasks_per_micro_batch=1,
        max_episode_steps=2, max_completion_length=8, max_steps=1, learning_rate=1e-3,
        save_strategy="no", disable_tqdm=True, thinking=True,
    )
    import r1_trainer.trainer as trainer_module

    async def site_down(action):
        raise RuntimeError("the shop returned 502")

    def failing_env(self, n):
        venv = make_sandbox_vector_env(n, task_configs=self.train_tasks, max_episode_steps=2)
        for env in venv.envs[2:]:
            env.astep = site_down
        return FirstRolloutWins(venv, 2)

    monkeypatch.setattr(trainer_module.MGRPOTrainer, "_sandbox_env", failing_env)
    train_rl("tiny", out, config=config, tasks=tasks)
    lines = [json.loads(x) for x in (out / "metrics.jsonl").read_text().splitlines()]
    step = next(x for x in lines if "reward" in x)
    assert step["env_errors"] == 2.0 and step["reward"] == 0.5
    rollouts = [json.loads(x) for x in (out / "rollouts.jsonl").read_text().splitlines()]
    assert ["502" in (r["error"] or "") for r in rollouts] == [False, False, True, True]
