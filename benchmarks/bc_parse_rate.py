"""How often the tiny model's greedy responses parse as actions after behaviour cloning.

The issue's BC target (at least 90% of responses parse) measured over seeds, since one run of
a 1M-parameter model on a few hundred rows says little: oracle demonstrations on ``--demos``
train tasks (once), then for every ``--seeds`` value BC of the ``tiny`` preset with that seed
(model init and data order) and a greedy evaluation of it on ``--per-site`` test tasks of each
site group (``--max-episode-steps`` interactions each), as in the demo's evaluation.

Writes ``bc_parse_rate.json`` and ``bc_parse_rate.md`` to ``--out`` (default
``benchmarks/results/``).

    python benchmarks/bc_parse_rate.py                       # 96 demos, 8 epochs, seeds 0 1 2 (~12 min)
    python benchmarks/bc_parse_rate.py --epochs 12 --seeds 0 1
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from webarena_gym.commandline import add_debug, run_command

RESULTS = Path(__file__).parent / "results"


def main(argv: list[str] | None = None) -> int:
    """Run the measurement; print and write the table."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--demos", type=int, default=96, help="train tasks the oracle solves")
    p.add_argument("--num-train-epochs", type=float, default=8.0, help="BC epochs")
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    p.add_argument("--per-site", type=int, default=5, help="test tasks per site group")
    p.add_argument("--max-episode-steps", type=int, default=6, help="actions per evaluation episode")
    p.add_argument("--max-new-tokens", type=int, default=64)
    p.add_argument("--out", default=str(RESULTS))
    add_debug(p)
    args = p.parse_args(argv)

    os.environ.setdefault("TRL_EXPERIMENTAL_SILENCE", "1")
    import torch

    from r1_trainer.bc import BCConfig, train_bc
    from r1_trainer.demo import eval_slice
    from r1_trainer.evaluate import evaluate_policy
    from r1_trainer.hf_policy import HFPolicy
    from webarena_gym.sandbox.demonstrations import write_demos

    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    configs = eval_slice(args.per_site)
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="bc-parse-rate-") as work:
        demos = Path(work) / "demos.jsonl"
        _tasks, solved = write_demos("train", demos, n=args.demos, max_episode_steps=15)
        for seed in args.seeds:
            torch.set_num_threads(cores or 1)  # as the demo: BC on every core
            started = time.perf_counter()
            path = train_bc("tiny", demos, Path(work) / f"bc-{seed}",
                            config=BCConfig(num_train_epochs=args.num_train_epochs, seed=seed,
                                            logging_steps=50, disable_tqdm=True))
            bc_seconds = time.perf_counter() - started
            torch.set_num_threads(1)  # as the demo: eval beside Chromium
            policy = HFPolicy(path, thinking=True, max_new_tokens=args.max_new_tokens,
                              temperature=0.0, name=f"tiny BC seed {seed}")
            report = evaluate_policy(policy, configs, split="test", max_episode_steps=args.max_episode_steps,
                                     num_envs=4, thinking=True)
            responses = sum(e.interactions for e in report.episodes)
            rows.append({"seed": seed, "rows": json.loads((path / "r1_trainer.json").read_text())
                         ["rows"], "bc_seconds": round(bc_seconds, 1), "responses": responses,
                         "parse_rate": 1 - report.parse_error_rate})
            print(f"seed {seed}: {100 * rows[-1]['parse_rate']:.1f}% of {responses} responses "
                  f"parse (BC {bc_seconds:.0f} s)", flush=True)

    rates = [r["parse_rate"] for r in rows]
    title = (f"# BC parse rate ({datetime.date.today()}, {platform.machine()}, {cores} cores)\n\n"
             f"tiny preset, {args.demos} oracle demos ({solved} solved, {rows[0]['rows']} rows), "
             f"{args.num_train_epochs:g} epochs; greedy on {len(configs)} test tasks, up to "
             f"{args.max_episode_steps} turns of {args.max_new_tokens} tokens.\n")
    table = ["| seed | responses | parse | BC s |", "|---:|---:|---:|---:|"]
    table += [f"| {r['seed']} | {r['responses']} | {100 * r['parse_rate']:.1f}% | "
              f"{r['bc_seconds']:.0f} |" for r in rows]
    summary = (f"\nMean {100 * sum(rates) / len(rates):.1f}%, range {100 * min(rates):.1f}-"
               f"{100 * max(rates):.1f}%; target (at least 90%) met by "
               f"{sum(r >= 0.9 for r in rates)} of {len(rates)} seeds.\n")
    text = title + "\n" + "\n".join(table) + "\n" + summary
    print("\n" + text)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "bc_parse_rate.md").write_text(text)
    (out / "bc_parse_rate.json").write_text(json.dumps({"args": vars(args), "rows": rows},
                                                       indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(run_command(main, None, "bc_parse_rate.py"))
