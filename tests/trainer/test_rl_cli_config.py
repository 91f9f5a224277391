"""r1-train's bc / rl / eval parsers are generated from their config dataclasses: every field is
a flag with help, a YAML file sets fields (flags win), the earlier flags still parse, a mistake is
one usage line, and a run records its full config (issue 15, part 3)."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pytest

pytest.importorskip("torch")
pytest.importorskip("trl")

from r1_trainer.cli import COMMANDS, command_parser, main, parse_command  # noqa: E402
from r1_trainer.config import (  # noqa: E402
    EvalArguments,
    docstring_attributes,
    field_names,
    help_from_docstring,
)
from r1_trainer.models import LoraSettings  # noqa: E402

DEMOS = Path(__file__).parent.parent / "data" / "oracle_demos.jsonl"


@pytest.mark.parametrize("command", ["bc", "rl", "eval"])
def test_help_lists_every_config_field(command, capsys):
    with pytest.raises(SystemExit) as exit_:
        main([command, "--help"])
    assert exit_.value.code == 0
    text = capsys.readouterr().out
    types = COMMANDS[command].dataclasses()
    for dtype in types:
        for name in field_names(dtype):
            assert re.search(rf"--{name}\b", text), f"{dtype.__name__}.{name} is not in --help"
    assert "--config FILE.yaml" in text
    no_help = [a.option_strings[0] for a in command_parser(command)._actions if not a.help]
    assert no_help == []


def test_help_has_the_flags_that_the_hand_written_cli_missed(capsys):
    with pytest.raises(SystemExit):
        main(["rl", "--help"])
    text = capsys.readouterr().out
    for flag in ("--dtype", "--gradient_checkpointing", "--logprob_batch_size",
                 "--vllm_server_host", "--vllm_server_port", "--warmup_steps", "--lora_alpha",
                 "--lora_target_modules", "--no-thinking", "--no-compress"):
        assert re.search(rf"{flag}\b", text), flag


def test_earlier_flags_still_parse(tmp_path):
    script, config, lora = parse_command("bc", [
        "--model", "tiny", "--demos", "a.jsonl", "b.jsonl", "--output-dir", str(tmp_path),
        "--variant", "r1-cot", "--no-thinking", "--epochs", "2", "--lr", "1e-4",
        "--batch-size", "2", "--grad-accum", "3", "--all-trajectories", "--lora", "--lora-r", "8",
        "--resume-from-checkpoint"])
    assert script.demos == ["a.jsonl", "b.jsonl"] and script.variant == "r1-cot"
    assert (config.thinking, config.only_successful, config.num_train_epochs) == (False, False, 2)
    assert (config.learning_rate, config.per_device_train_batch_size) == (1e-4, 2)
    assert config.gradient_accumulation_steps == 3 and config.resume_from_checkpoint == "last"
    assert lora.settings() == LoraSettings(r=8)
    assert parse_command("bc", ["--model", "m", "--demos", "d", "--output-dir", "o"])[1] \
        .learning_rate is None  # the model decides: train_bc resolves it

    script, config, lora = parse_command("rl", [
        "--model", "runs/bc", "--env", "WebArenaSandbox-v0", "--sites", "shopping", "reddit",
        "--num-generations", "4", "--tasks-per-step", "16", "--max-episode-steps", "15", "--output-dir",
        str(tmp_path), "--steps", "5", "--variant", "r1-zero", "--thinking",
        "--gradient-checkpointing", "--max-new-tokens", "64"])
    assert (script.env_id, script.sites, script.variant) == (
        "WebArenaSandbox-v0", ["shopping", "reddit"], "r1-zero")
    assert (config.num_generations, config.tasks_per_step, config.max_episode_steps) == (4, 16, 15)
    assert (config.max_steps, config.thinking, config.max_completion_length) == (5, True, 64)
    assert config.gradient_checkpointing is True and lora.settings() is None
    assert (config.learning_rate, config.beta, config.epsilon) == (1e-6, 0.001, 0.2)
    assert config.dtype == "auto" and config.resume_from_checkpoint is None
    assert config.compress is True and config.sites_reset is False

    _, config, _ = parse_command("rl", ["--model", "m", "--output-dir", str(tmp_path),
                                        "--no-compress", "--no-thinking", "--sites-reset"])
    assert (config.compress, config.thinking, config.sites_reset) == (False, False, True)
    assert (config.max_steps, config.save_steps) == (100, 50)  # the CLI's defaults
    assert config.logprob_batch_size == 8 and config.learning_rate == 1e-6

    (args,) = parse_command("eval", ["--model", "runs/rl", "--split", "test", "--max-episode-steps",
                                     "15,30", "--env", "WebArenaLite-v0", "--num-envs", "1"])
    assert args.budgets() == [15, 30] and args.thinking is None
    assert (args.env_id, args.num_envs) == ("WebArenaLite-v0", 1)
    assert parse_command("eval", ["--model", "m", "--no-thinking"])[0].thinking is False


def test_yaml_config_sets_fields_and_flags_win(tmp_path, monkeypatch):
    monkeypatch.setenv("R1_TRAIN_TEST_VAR", "before")  # restored after the test
    path = tmp_path / "rl.yaml"
    path.write_text(f"""\
model: runs/bc
output_dir: {tmp_path / "rl"}
num_generations: 2
max_episode_steps: 3
sites: [shopping]
learning_rate: 3.0e-6
thinking: false
lora: true
lora_r: 4
env:
  R1_TRAIN_TEST_VAR: from-yaml
""")
    script, config, lora = parse_command("rl", ["--config", str(path), "--max-episode-steps", "5"])
    assert (script.model, script.sites, config.output_dir) == (
        "runs/bc", ["shopping"], str(tmp_path / "rl"))
    assert (config.num_generations, config.learning_rate, config.thinking) == (2, 3e-6, False)
    assert config.max_episode_steps == 5  # the command line wins over the file
    assert lora.settings() == LoraSettings(r=4)
    import os

    assert os.environ["R1_TRAIN_TEST_VAR"] == "from-yaml"
    _, config, _ = parse_command("rl", [f"--config={path}"])
    assert config.max_episode_steps == 3


def _error(argv: list[str], capsys) -> str:
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 2 and lines[0].startswith("usage: r1-train "), err  # usage + the error
    return lines[1]


def test_a_command_line_mistake_is_one_usage_line(tmp_path, capsys):
    rl = ["rl", "--model", "m", "--output-dir", str(tmp_path)]
    assert "--num_generations" in _error([*rl, "--num-generations", "x"], capsys)
    assert "--bogus" in _error([*rl, "--bogus", "1"], capsys)
    assert "--output_dir" in _error(["rl", "--model", "m"], capsys)
    assert "tasks_per_micro_batch=2" in _error(
        [*rl, "--tasks-per-step", "3", "--tasks-per-micro-batch", "2"], capsys)
    assert "unknown dtype 'fp7'" in _error([*rl, "--dtype", "fp7"], capsys)
    assert "max_episode_steps='15,x'" in _error(["eval", "--model", "m", "--max-episode-steps", "15,x"], capsys)
    assert "missing.yaml" in _error([*rl, "--config", str(tmp_path / "missing.yaml")], capsys)
    bad = tmp_path / "bad.yaml"
    bad.write_text("max_episode_steps: 3\nmax_turnz: 4\n")
    assert "max_turnz" in _error([*rl, "--config", str(bad)], capsys)
    assert "invalid choice" in _error(["bc", "--model", "m", "--demos", "d", "--output-dir", "o",
                                       "--variant", "r1-zero"], capsys)


def test_help_from_docstring_fills_missing_help():
    @dataclasses.dataclass
    class Base:
        rate: float = field_with_help("the parent's help")
        kept: int = 0

    @help_from_docstring
    @dataclasses.dataclass
    class Child(Base):
        """A config.

        Attributes:
            a, b: two fields, said once; 100%
                of them.
            own: an own
                field with ``code`` and :func:`r1_trainer.models.prompt_budget`.

        Returns:
            nothing: not an attribute.
        """

        a: int = 0
        b: int = 1
        own: str = "x"
        rate: float = 2.0  # a new default: the parent's help still applies
        given: int = dataclasses.field(default=3, metadata={"help": "its own"})

    helps = {f.name: f.metadata.get("help") for f in dataclasses.fields(Child)}
    assert helps["a"] == helps["b"] == "two fields, said once; 100%% of them."
    assert helps["own"] == "an own field with `code` and `r1_trainer.models.prompt_budget`."
    assert (helps["rate"], helps["given"], helps["kept"]) == ("the parent's help", "its own", None)
    assert "nothing" not in docstring_attributes(Child)


def field_with_help(text: str) -> float:
    return dataclasses.field(default=1.0, metadata={"help": text})


def test_eval_arguments_refuse_bad_budgets():
    with pytest.raises(ValueError, match="positive step limits"):
        EvalArguments(model="m", max_episode_steps="0")


def test_r1_train_bc_records_its_full_config(tmp_path):
    from r1_trainer.bc import BCConfig

    out = tmp_path / "bc"
    assert main(["bc", "--model", "tiny", "--demos", str(DEMOS), "--output-dir", str(out),
                 "--max-steps", "1", "--max-rows", "2", "--max-prompt-tokens", "256",
                 "--batch-size", "1", "--disable-tqdm", "--lora", "--lora-r", "4"]) == 0
    run = json.loads((out / "r1_trainer.json").read_text())
    assert set(field_names(BCConfig)) <= set(run["config"])  # every field, not a chosen few
    config = run["config"]
    assert (config["learning_rate"], config["max_steps"], config["thinking"]) == (5e-3, 1, True)
    assert config["max_length"] > 256 and config["output_dir"] == str(out)  # resolved values
    assert run["lora"]["r"] == 4 and run["script_arguments"]["variant"] == "r1"
    assert run["script_arguments"]["demos"] == [str(DEMOS)] and "torch" in run["versions"]


def test_r1_train_rl_records_its_full_config(tmp_path):
    from r1_trainer.trainer import MGRPOTrainerConfig

    out = tmp_path / "rl"
    assert main(["rl", "--model", "tiny", "--variant", "r1-zero", "--output-dir", str(out),
                 "--sites", "shopping", "--num-generations", "2", "--tasks-per-step", "1",
                 "--steps", "1", "--max-episode-steps", "1", "--max-new-tokens", "4", "--beta", "0",
                 "--save-strategy", "no", "--disable-tqdm", "--no-thinking"]) == 0
    run = json.loads((out / "r1_trainer.json").read_text())
    assert set(field_names(MGRPOTrainerConfig)) <= set(run["config"])
    config = run["config"]
    assert (config["max_steps"], config["max_completion_length"], config["thinking"]) == (
        1, 4, False)
    assert run["script_arguments"]["variant"] == "r1-zero" and run["lora"] is None
    assert run["script_arguments"]["sites"] == ["shopping"]


def test_readme_commands_parse():
    """The r1-train commands the README shows parse as they are written."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    text = readme.replace("\\\n", " ")
    commands = [line.split("#")[0].split()[1:] for line in text.splitlines()
                if re.match(r"r1-train (bc|rl|eval) ", line.strip())]
    runnable = [c for c in commands if "..." not in c and "--config" not in c]
    assert len(runnable) >= 4
    for argv in runnable:
        parsed = parse_command(argv[0], argv[1:])
        assert len(parsed) == len(COMMANDS[argv[0]].dataclasses())
