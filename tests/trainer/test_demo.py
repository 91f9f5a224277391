"""``python -m r1_trainer.demo`` (``tox -e demo``), a user's first contact: the four stages with
the smallest settings, their headers and bars, compact log lines instead of log dicts, the
outputs and the closing line; the flags of earlier versions, and a mistake in one line."""

from __future__ import annotations

import json
import os
import re

import pytest
from helpers import require_chromium

from r1_trainer import demo
from webarena_gym.commandline import rename_flags, run_command

SMALLEST = ["--demo-tasks", "4", "--bc-epochs", "1", "--max-steps", "1", "--eval-per-site", "1",
            "--max-episode-steps", "2", "--eval-max-episode-steps", "2", "--num-envs", "2"]


def test_the_demo_runs_every_stage_and_says_what_to_try_next(tmp_path, capfd):
    pytest.importorskip("trl")
    require_chromium()
    out = tmp_path / "demo"

    assert demo.main(["--out", str(out), *SMALLEST]) == 0

    stdout, stderr = capfd.readouterr()
    lines = stdout.splitlines()
    assert lines[0].startswith(demo.PROG) and str(out) in lines[0]
    headers = [line[:6] for line in lines if line.startswith("== ")]
    assert headers == ["== 1/4", "== 2/4", "== 3/4", "== 4/4"]
    assert re.search(r"^\d/4 solved -> ", stdout, re.M)
    assert re.search(r"^  bc step \d+/5  loss \d+\.\d\d  lr \d\.\de-\d\d", stdout, re.M)
    assert re.search(r"^  rl step 1/1  reward \d\.\d\d  success \d\.\d\d", stdout, re.M)
    assert "{'" not in stdout and "{'" not in stderr  # no log dicts
    for noise in ("Token indices sequence length", "is_gradient_checkpointing", "pin_memory",
                  "Loading weights", "Tokenizing train dataset"):
        assert noise not in stderr
    assert re.search(r"demos: .*\d/4", stderr)  # the stages' bars
    assert re.search(r"bc: .*\d/5", stderr) and re.search(r"M-GRPO: .*1/1", stderr)
    assert re.search(r"eval BC: .*\d/7", stderr)
    assert "| tiny BC |" in stdout and "| tiny BC+M-GRPO |" in stdout
    assert re.search(r"^time: demos \d+ s, bc \d+ s, rl \d+ s, eval \d+ s; total \d+ s \(CPU",
                     stdout, re.M)
    assert lines[-1] == demo.NEXT and lines[-1].startswith("next: ")

    record = json.loads((out / "demo.json").read_text())
    assert set(record["seconds"]) == set(record["cpu_seconds"]) == {"demos", "bc", "rl", "eval"}
    assert record["rl_metrics"] and "| tiny BC |" in record["table"]
    assert (out / "eval.json").is_file() and (out / "demos.jsonl").is_file()
    figure = re.search(r"^training figure: (.+)$", stdout, re.M)
    if figure is None:
        assert "(no figure:" in stdout  # matplotlib is not installed
    else:
        assert figure.group(1) == str((out / "rl" / "training_dynamics.png").resolve())
        assert (out / "rl" / "training_dynamics.png").is_file()


def test_flags_of_earlier_versions_still_work(capsys):
    argv = rename_flags(["--rl-steps", "2", "--max-turns=3", "--eval-max-turns", "5",
                         "--lr", "1e-4"], demo.PROG)
    args = demo.build_parser().parse_args(argv)
    assert (args.max_steps, args.max_episode_steps, args.eval_max_episode_steps,
            args.learning_rate) == (2, 3, 5, 1e-4)
    assert "--rl-steps is now --max-steps" in capsys.readouterr().err


def test_a_mistake_is_one_line(tmp_path, capsys):
    taken = tmp_path / "a-file"
    taken.write_text("")

    assert run_command(demo.main, ["--out", str(taken)], demo.PROG) == 1

    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"{demo.PROG}: error: ") and "--debug" in err


def test_log_lines_are_compact():
    assert demo.bc_log_line(20, 180, {"loss": 2.4133, "learning_rate": 0.00491,
                                      "mean_token_accuracy": 0.5}) == (
        "  bc step 20/180  loss 2.41  lr 4.9e-03  token accuracy 0.50")
    line = demo.rl_log_line(1, 3, {"reward": 0.5, "success_rate": 0.5, "parse_error_rate": 0.19,
                                   "kl": 0.0, "loss": 0.01, "completions/mean": [1]})
    assert line == ("  rl step 1/3  reward 0.50  success 0.50  parse errors 0.19  loss 0.010"
                    "  kl 0.0000")


def test_bc_uses_a_thread_per_idle_core():
    assert demo.bc_thread_count(3) == (3, "--bc-threads")
    threads, why = demo.bc_thread_count(0)
    cores = len(os.sched_getaffinity(0))
    assert 1 <= threads <= cores and (f"of {cores} cores idle" in why or why == f"{cores} cores")
    idle = demo.idle_cores(0.1)
    assert idle is None or 0 <= idle <= cores + 0.01
