"""The r1-train command line and the training-dynamics figure."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from r1_trainer.cli import build_parser


def test_subcommands_parse():
    parser = build_parser()
    bc = parser.parse_args(["bc", "--model", "tiny", "--demos", "a.jsonl", "b.jsonl",
                            "--output-dir", "runs/bc", "--variant", "r1-cot", "--no-thinking"])
    assert bc.demos == ["a.jsonl", "b.jsonl"] and bc.variant == "r1-cot" and bc.thinking is False
    rl = parser.parse_args(["rl", "--model", "runs/bc", "--env", "WebArenaSandbox-v0",
                            "--sites", "shopping", "reddit", "--num-generations", "4",
                            "--tasks-per-step", "16", "--max-turns", "15", "--output-dir", "d",
                            "--steps", "5", "--variant", "r1-zero", "--thinking"])
    assert (rl.num_generations, rl.tasks_per_step, rl.max_turns, rl.steps) == (4, 16, 15, 5)
    assert rl.sites == ["shopping", "reddit"] and rl.thinking is True
    assert (rl.lr, rl.beta, rl.epsilon, rl.max_new_tokens) == (None, 0.001, 0.2, 1024)
    assert rl.dtype == "auto" and rl.resume_from_checkpoint is None and rl.sites_reset is False
    assert rl.compress is True and parser.parse_args(
        ["rl", "--model", "m", "--output-dir", "d", "--no-compress"]).compress is False
    ev = parser.parse_args(["eval", "--model", "runs/rl", "--split", "test",
                            "--max-turns", "15,30"])
    assert ev.max_turns == "15,30" and ev.thinking is None
    plot = parser.parse_args(["plot", "--run", "runs/rl"])
    assert plot.run == "runs/rl"
    with pytest.raises(SystemExit):
        parser.parse_args(["rl", "--model", "m"])  # --output-dir is required


def test_cli_imports_no_torch():
    code = ("import sys, r1_trainer.cli, r1_trainer.plots; "
            "r1_trainer.cli.build_parser(); assert 'torch' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_plot_writes_a_png_from_metrics(tmp_path):
    pytest.importorskip("matplotlib")
    from r1_trainer.cli import main
    from r1_trainer.plots import read_metrics

    run = tmp_path / "run"
    run.mkdir()
    lines = [{"step": s, "reward": s / 10, "success_rate": s / 10, "trajectory_tokens": 500 + s,
              "interactions": 3 + s % 2, "loss": 0.1} for s in range(1, 6)]
    lines.append({"step": 5, "train_runtime": 1.0, "train_loss": 0.1})  # the summary line
    (run / "metrics.jsonl").write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    assert len(read_metrics(run)) == 5
    assert main(["plot", "--run", str(run)]) == 0
    png = run / "training_dynamics.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_plot_without_metrics_says_what_to_do(tmp_path):
    from r1_trainer.plots import plot_training_dynamics

    with pytest.raises(FileNotFoundError, match="r1-train rl"):
        plot_training_dynamics(tmp_path)
