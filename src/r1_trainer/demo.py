"""The main job end to end on a CPU: oracle demos -> BC -> M-GRPO -> evaluation, with ``tiny``.

1. the sandbox's oracle solvers roll out on ``train`` tasks: the BC dataset (JSONL);
2. behaviour cloning of the offline ``tiny`` model on it (TRL ``SFTTrainer``);
3. a few M-GRPO steps from the BC model on sandbox train tasks (TRL ``GRPOTrainer`` with
   multi-turn rollouts on the vector env), logging ``metrics.jsonl`` and the training figure;
4. the BC and the RL model on a slice of the ``test`` split (greedy), in the baselines table.

Everything runs offline on the embedded sandbox; the tiny model is far too small to solve tasks,
so the table shows the pipeline working (valid actions, interactions, parse errors), not success.
Run with ``python -m r1_trainer.demo [--out runs/demo]``; a few minutes on 2 CPU cores.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from r1_trainer.models import missing_train_extra

try:
    import torch
except ImportError as _exc:
    raise missing_train_extra(_exc) from _exc

from r1_trainer.bc import BCConfig, train_bc
from r1_trainer.evaluate import evaluate_policy, markdown_table, write_reports
from r1_trainer.hf_policy import HFPolicy
from r1_trainer.plots import plot_training_dynamics
from r1_trainer.trainer import train_rl
from webarena_gym.browser.processes import tree_cpu_seconds
from webarena_gym.sandbox.demonstrations import write_demos
from webarena_gym.sandbox.templates import load_split


def eval_slice(per_site: int, seed: int = 0) -> list[dict[str, Any]]:
    """``per_site`` test tasks of each site group, spread over its templates."""
    by_site: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for config in load_split("test", seed=seed):
        by_site["+".join(config["sites"])].append(config)
    chosen = []
    for _site, tasks in sorted(by_site.items()):
        step = max(1, len(tasks) // max(1, per_site))
        chosen += tasks[::step][:per_site]
    return chosen


def cpu_seconds() -> float:
    """CPU time of this process, its reaped children and its live descendants (Chromium, the
    Playwright driver): what the demo costs regardless of how busy the machine is (Linux)."""
    return tree_cpu_seconds(include_reaped=True)


def _stage(name: str) -> tuple[float, float]:
    print(f"\n== {name}", flush=True)
    return time.perf_counter(), cpu_seconds()


def _done(stage: str, clock: tuple[float, float], seconds: dict[str, float],
          cpu: dict[str, float]) -> None:
    seconds[stage] = time.perf_counter() - clock[0]
    cpu[stage] = cpu_seconds() - clock[1]


def main(argv: list[str] | None = None) -> int:
    """Run the demo; print the table, the run folder and its figure."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="runs/demo", help="the run folder")
    parser.add_argument("--demo-tasks", type=int, default=96, help="train tasks the oracle solves")
    parser.add_argument("--bc-epochs", type=float, default=8.0)
    parser.add_argument("--rl-steps", type=int, default=3)
    parser.add_argument("--num-generations", type=int, default=2, help="G")
    parser.add_argument("--tasks-per-step", type=int, default=2, help="K")
    parser.add_argument("--max-turns", type=int, default=4, help="interactions per RL episode")
    parser.add_argument("--eval-per-site", type=int, default=2, help="test tasks per site group")
    parser.add_argument("--eval-max-turns", type=int, default=6)
    parser.add_argument("--max-new-tokens", type=int, default=64, help="tokens per turn")
    parser.add_argument("--lr", type=float, default=1e-5, help="the RL learning rate")
    parser.add_argument("--threads", type=int, default=1,
                        help="torch CPU threads of the RL and eval stages, which share the CPU "
                             "with Chromium (1 is fastest there for the tiny model)")
    parser.add_argument("--bc-threads", type=int, default=0,
                        help="torch CPU threads of behaviour cloning (0: one per core; nothing "
                             "else runs then)")
    parser.add_argument("--no-thinking", action="store_true", help="the action-only format")
    args = parser.parse_args(argv)

    cpu_only = not torch.cuda.is_available()
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    bc_threads = args.bc_threads or cores or 1
    os.environ.setdefault("TRL_EXPERIMENTAL_SILENCE", "1")  # read when GRPOTrainer is built

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    thinking = not args.no_thinking
    started = time.perf_counter()
    seconds: dict[str, float] = {}
    cpu: dict[str, float] = {}
    cpu_start = cpu_seconds()

    clock = _stage(f"1/4 oracle demonstrations on {args.demo_tasks} train tasks")
    demos = out / "demos.jsonl"
    tasks, solved = write_demos("train", demos, n=args.demo_tasks, max_steps=15)
    _done("demos", clock, seconds, cpu)
    print(f"{solved}/{tasks} solved -> {demos} ({seconds['demos']:.0f} s)")

    clock = _stage("2/4 behaviour cloning of the tiny model (TRL SFTTrainer)")
    if cpu_only:
        torch.set_num_threads(bc_threads)
    bc_dir = train_bc("tiny", demos, out / "bc",
                      config=BCConfig(thinking=thinking, num_train_epochs=args.bc_epochs,
                                      logging_steps=10, disable_tqdm=True))
    _done("bc", clock, seconds, cpu)
    bc_run = json.loads((Path(bc_dir) / "r1_trainer.json").read_text())
    print(f"BC: {bc_run.get('rows')} rows, train loss {bc_run.get('train_loss', 0):.3f} -> "
          f"{bc_dir} ({seconds['bc']:.0f} s)")

    if cpu_only and args.threads > 0:
        torch.set_num_threads(args.threads)
    clock = _stage(f"3/4 M-GRPO: {args.rl_steps} steps x {args.tasks_per_step} tasks x "
                   f"{args.num_generations} rollouts (TRL GRPOTrainer)")
    rl_dir = train_rl(
        bc_dir, out / "rl", num_generations=args.num_generations,
        tasks_per_step=args.tasks_per_step, tasks_per_micro_batch=0,
        max_turns=args.max_turns, max_completion_length=args.max_new_tokens,
        max_steps=args.rl_steps, learning_rate=args.lr, save_strategy="steps",
        save_steps=args.rl_steps, thinking=thinking, disable_tqdm=True,
    )
    _done("rl", clock, seconds, cpu)
    metrics = [json.loads(line) for line in (Path(rl_dir) / "metrics.jsonl").open()
               if '"reward"' in line]
    for m in metrics:
        print(f"  step {m['step']}: reward {m['reward']:.2f}, success {m['success_rate']:.2f}, "
              f"interactions {m['interactions']:.1f}, trajectory {m['trajectory_tokens']:.0f} "
              f"tokens, parse errors {m['parse_error_rate']:.2f}, kl {m.get('kl', 0):.4f}, "
              f"clip {m.get('clip_fraction', 0):.3f}")
    try:
        figure: Path | None = plot_training_dynamics(rl_dir)
    except ImportError as exc:
        figure = None
        print(f"(no figure: {exc})")
    print(f"RL model -> {rl_dir} ({seconds['rl']:.0f} s)")

    configs = eval_slice(args.eval_per_site)
    clock = _stage(f"4/4 evaluation on {len(configs)} test tasks (greedy, "
                   f"{args.eval_max_turns} turns)")
    reports = []
    for label, path in (("BC", bc_dir), ("BC+M-GRPO", rl_dir)):
        policy = HFPolicy(path, thinking=thinking, max_new_tokens=args.max_new_tokens,
                          temperature=0.0, name=f"tiny {label}")
        reports.append(evaluate_policy(policy, configs, split="test",
                                       max_steps=args.eval_max_turns, num_envs=4,
                                       thinking=thinking))
    write_reports(reports, str(out / "eval.json"))
    _done("eval", clock, seconds, cpu)

    total = time.perf_counter() - started
    print("\n" + markdown_table(reports))
    print(f"\nrun folder: {out.resolve()}")
    if figure is not None:
        print(f"training figure: {figure.resolve()}")
    total_cpu = cpu_seconds() - cpu_start
    print("time: " + ", ".join(f"{k} {v:.0f} s" for k, v in seconds.items())
          + f"; total {total:.0f} s (CPU {total_cpu:.0f} s: "
          + ", ".join(f"{k} {v:.0f}" for k, v in cpu.items()) + ")")
    (out / "demo.json").write_text(json.dumps({"seconds": seconds, "total_seconds": total,
                                               "cpu_seconds": cpu, "total_cpu_seconds": total_cpu,
                                               "rl_metrics": metrics,
                                               "table": markdown_table(reports)}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
