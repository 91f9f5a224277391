"""The r1-train command line and the training-dynamics figure."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from r1_trainer.cli import build_parser


def test_cli_top_level_imports_no_torch():
    """`r1-train --help` and the subcommand dispatch stay light: a command's generated parser
    (which imports TRL, and torch) is built only when that command runs."""
    code = ("import sys, r1_trainer.cli, r1_trainer.plots\n"
            "parser = r1_trainer.cli.build_parser()\n"
            "known, rest = parser.parse_known_args(['rl', '--model', 'm', '--max-episode-steps', '3'])\n"
            "assert known.command == 'rl' and rest == ['--model', 'm', '--max-episode-steps', '3']\n"
            "try:\n    r1_trainer.cli.main(['--help'])\nexcept SystemExit as e:\n"
            "    assert e.code == 0\n"
            "assert 'torch' not in sys.modules")
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                         text=True).stdout
    assert all(name in out for name in ("bc", "rl", "eval", "plot"))


def test_plot_parses_with_argparse():
    plot = build_parser().parse_args(["plot", "--run", "runs/rl", "--smooth", "3"])
    assert (plot.run, plot.smooth) == ("runs/rl", 3)
    with pytest.raises(SystemExit):
        build_parser().parse_args(["plot"])  # --run is required


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
