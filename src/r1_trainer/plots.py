"""Training-dynamics figures: the paper's three panels from a run's ``metrics.jsonl``.

WebAgent-R1 reads RL training through three curves per step: the reward (and success rate), the
trajectory length in tokens, and the number of interactions per episode (skill acquisition:
reward and interactions rise; exploration: interactions fall, reward flat; stabilisation:
reward rises again). :func:`plot_training_dynamics` draws them from the metrics the trainer logs
every step (:mod:`r1_trainer.trainer`). Needs matplotlib (extra ``bench``).

    python -m r1_trainer.cli plot --run runs/rl      # -> runs/rl/training_dynamics.png
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

FIGURE_FILE = "training_dynamics.png"

PANELS = (
    ("reward", "reward", "success_rate", "success rate"),
    ("trajectory_tokens", "trajectory length (tokens)", None, None),
    ("interactions", "interactions per episode", None, None),
)


def read_metrics(path: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """The per-step records of a run (a ``metrics.jsonl`` or the run folder holding one): the
    lines that carry a ``reward`` (the trainer's final summary line has none).

    Raises:
        FileNotFoundError: no metrics file there (train with ``r1-train rl`` first).
        ValueError: a line is not JSON (names the file and line).
    """
    path = Path(path)
    if path.is_dir():
        path = path / "metrics.jsonl"
    if not path.is_file():
        raise FileNotFoundError(f"no metrics file {path}; an `r1-train rl` run writes one")
    records = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}:{number}: not JSON ({exc})") from exc
            if isinstance(record, dict) and record.get("reward") is not None:
                records.append(record)
    return records


def moving_average(values: Sequence[float], window: int) -> list[float]:
    """The trailing mean over ``window`` values (shorter at the start)."""
    out, total = [], 0.0
    for i, value in enumerate(values):
        total += value
        if i >= window:
            total -= values[i - window]
        out.append(total / min(i + 1, window))
    return out


def plot_training_dynamics(
    run: str | os.PathLike[str],
    out: str | os.PathLike[str] | None = None,
    *,
    smooth: int | None = None,
    title: str | None = None,
) -> Path:
    """Draw reward / success rate, trajectory length and interactions per step; save a PNG.

    Args:
        run: a run folder (with ``metrics.jsonl``) or the metrics file itself.
        out: the PNG to write (default ``<run folder>/training_dynamics.png``).
        smooth: moving-average window over steps (default: 1 up to 20 steps, then steps / 20);
            the raw values are drawn faintly behind.
        title: the figure's title (default: the run folder's name).

    Returns:
        The PNG's path.

    Raises:
        ValueError: the metrics hold no step (the run logged nothing yet).
        ImportError: matplotlib is missing (``pip install 'webarena-gym[bench]'``).
    """
    records = read_metrics(run)
    if not records:
        raise ValueError(f"{run}: the metrics hold no training step yet")
    try:
        # Lazy: matplotlib is the optional bench extra
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        from matplotlib.ticker import MaxNLocator
    except ImportError as exc:
        raise ImportError(
            f"plotting needs matplotlib ({exc}); pip install 'webarena-gym[bench]'"
        ) from exc
    folder = Path(run) if Path(run).is_dir() else Path(run).parent
    target = Path(out) if out is not None else folder / FIGURE_FILE
    steps = [int(r.get("step", i + 1)) for i, r in enumerate(records)]
    window = smooth or (1 if len(records) <= 20 else len(records) // 20)

    fig, axes = plt.subplots(1, len(PANELS), figsize=(4.2 * len(PANELS), 3.4))
    for ax, (key, label, second, second_label) in zip(axes, PANELS, strict=True):
        for metric, name, color in ((key, label, "C0"), (second, second_label, "C1")):
            if metric is None or not any(metric in r for r in records):
                continue
            values = [float(r.get(metric, float("nan"))) for r in records]
            if window > 1:
                ax.plot(steps, values, color=color, alpha=0.25, linewidth=1)
                values = moving_average(values, window)
            ax.plot(steps, values, color=color, label=name, marker="o" if len(steps) <= 20 else None,
                    markersize=3)
        ax.set_xlabel("training step")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        if key == "reward":  # binary rewards: a mean and a rate in [0, 1]
            ax.set_ylim(-0.05, 1.05)
        ax.set_title(label)
        ax.grid(alpha=0.3)
        if second is not None:
            ax.legend(loc="best", fontsize=8)
    fig.suptitle(title or f"M-GRPO training dynamics: {folder.resolve().parent.name}/{folder.name}")
    fig.tight_layout()
    target.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(target, dpi=120)
    plt.close(fig)
    return target
