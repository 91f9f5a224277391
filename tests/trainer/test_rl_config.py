"""The RL config's defaults agree with the CLI, the model's record and the shipped accelerate
configs (issue 15, 2.8)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

pytest.importorskip("torch")
pytest.importorskip("trl")

import torch  # noqa: E402

from r1_trainer.cli import command_parser, parse_command  # noqa: E402
from r1_trainer.models import (  # noqa: E402
    BC_LEARNING_RATE,
    BC_LEARNING_RATE_TINY,
    RL_LEARNING_RATE,
    default_gradient_checkpointing,
    load_model_and_tokenizer,
    tiny_model_path,
)
from r1_trainer.runs import RUN_FILE  # noqa: E402
from r1_trainer.trainer import MGRPOTrainer, MGRPOTrainerConfig  # noqa: E402
from webarena_gym.sandbox.templates import load_split  # noqa: E402

CONFIGS = Path(__file__).resolve().parents[2] / "configs"


def test_learning_rates_agree_between_cli_and_configs(tmp_path):
    _, config, _ = parse_command("rl", ["--model", "m", "--output-dir", str(tmp_path)])
    assert config.learning_rate == RL_LEARNING_RATE == 1e-6  # the paper's
    _, given, _ = parse_command("rl", ["--model", "m", "--output-dir", "d", "--lr", "3e-6"])
    assert given.learning_rate == 3e-6
    help_text = {a.dest: a.help for a in command_parser("bc")._actions}["learning_rate"]
    assert f"{BC_LEARNING_RATE_TINY:g}" in help_text and f"{BC_LEARNING_RATE:g}" in help_text


@pytest.mark.parametrize("thinking", [False, True])
def test_thinking_none_is_what_the_model_was_trained_with(tmp_path, thinking):
    """MGRPOTrainer used directly with thinking=None takes the format of the model's
    r1_trainer.json (as train_rl did), not bool(None) = False."""
    folder = tmp_path / "bc"
    shutil.copytree(tiny_model_path(), folder)
    (folder / RUN_FILE).write_text(json.dumps({"stage": "bc", "config": {"thinking": thinking}}))
    model, tokenizer = load_model_and_tokenizer(str(folder), device="cpu", training=True)
    config = MGRPOTrainerConfig(output_dir=str(tmp_path / "rl"), tasks_per_step=1,
                                num_generations=2, max_steps=1)
    assert config.thinking is None
    trainer = MGRPOTrainer(model, config, load_split("train", sites=["shopping"], n=2),
                           processing_class=tokenizer)
    assert trainer.args.thinking is thinking


def test_fsdp_config_checkpoints_activations_once(tmp_path, monkeypatch):
    """configs/fsdp.yaml turns on FSDP's activation checkpointing (accelerate 1.16 field names);
    under it the trainer's gradient checkpointing is off by default, and asking for both is an
    error that names both settings (transformers would refuse it later, at Trainer init)."""
    from accelerate.commands.launch import _validate_launch_command, launch_command_parser
    from accelerate.utils.launch import prepare_multi_gpu_env

    parser = launch_command_parser()
    known = {a.dest for a in parser._actions}
    import yaml

    fsdp = yaml.safe_load((CONFIGS / "fsdp.yaml").read_text())["fsdp_config"]
    assert set(fsdp) <= known, set(fsdp) - known  # every field is one accelerate reads
    args, _, _ = _validate_launch_command(
        parser.parse_args(["--config_file", str(CONFIGS / "fsdp.yaml"), "train.py"]))
    env = prepare_multi_gpu_env(args)
    assert env["FSDP_ACTIVATION_CHECKPOINTING"] == "true"
    for key in ("ACCELERATE_USE_FSDP", "FSDP_ACTIVATION_CHECKPOINTING"):
        monkeypatch.setenv(key, env[key])

    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert default_gradient_checkpointing() is False  # a GPU run, but FSDP checkpoints
    monkeypatch.undo()
    for key in ("ACCELERATE_USE_FSDP", "FSDP_ACTIVATION_CHECKPOINTING"):
        monkeypatch.setenv(key, env[key])
    with pytest.raises(ValueError, match="fsdp_activation_checkpointing"):
        MGRPOTrainerConfig(output_dir=str(tmp_path), tasks_per_step=1,
                           gradient_checkpointing=True)


def test_gradient_checkpointing_default_is_on_for_a_gpu_without_fsdp(monkeypatch):
    monkeypatch.delenv("ACCELERATE_USE_FSDP", raising=False)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert default_gradient_checkpointing() is True


def test_env_placement_flags_reach_the_vector_env_factories(tmp_path):
    """--num-browsers / --num-env-workers / --ray-address say where the rollouts' envs run."""
    from r1_trainer.trainer import env_placement

    default = MGRPOTrainerConfig(output_dir=str(tmp_path), tasks_per_step=1)
    assert env_placement(default) == {"num_browsers": None, "num_workers": None,
                                      "ray_address": None}
    _, config, _ = parse_command(
        "rl", ["--model", "m", "--output-dir", str(tmp_path), "--num-browsers", "2",
               "--num-env-workers", "3", "--ray-address", "127.0.0.1:6379"])
    assert env_placement(config) == {"num_browsers": 2, "num_workers": 3,
                                     "ray_address": "127.0.0.1:6379"}
