"""Oracle vs random on the embedded sandbox: the env alone, end to end, with no set-up.

Starts the sandbox sites in-process, rolls out the oracle and a random policy on a slice of the
``test`` split, and prints a success table per site. Run with
``python -m webarena_gym.sandbox.oracle_vs_random [--per-site N]``. (The project's demo, BC and
M-GRPO end to end, is :mod:`r1_trainer.demo`.)
"""

from __future__ import annotations

import argparse
import random
import time
from collections import defaultdict

from webarena_gym.sandbox.demonstrations import Trajectory, random_response, rollout
from webarena_gym.sandbox.env import SandboxEnv
from webarena_gym.sandbox.templates import load_split


def _table(results: dict[str, dict[str, list[Trajectory]]]) -> str:
    policies = list(results)
    sites = sorted({s for r in results.values() for s in r})
    lines = ["| site | tasks | " + " | ".join(f"{p} success" for p in policies)
             + " | " + " | ".join(f"{p} steps" for p in policies) + " |",
             "| --- | ---: | " + " | ".join("---:" for _ in policies * 2) + " |"]
    for site in sites + ["all"]:
        runs = {p: (sum(results[p].values(), []) if site == "all" else results[p][site])
                for p in policies}
        n = len(next(iter(runs.values())))
        rates = [f"{100 * sum(t.reward for t in runs[p]) / max(1, n):.1f}%" for p in policies]
        steps = [f"{sum(t.num_steps for t in runs[p]) / max(1, n):.1f}" for p in policies]
        lines.append(f"| {site} | {n} | " + " | ".join(rates) + " | " + " | ".join(steps) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    """Roll out the oracle and the random policy and print their table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-site", type=int, default=8, help="test tasks per site")
    parser.add_argument("--max-episode-steps", type=int, default=15)
    parser.add_argument("--seed", type=int, default=0, help="the random policy's seed")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    configs = load_split("test")
    by_site: dict[str, list[dict]] = defaultdict(list)
    for config in configs:  # spread the slice over templates: every k-th task of each site
        by_site["+".join(config["sites"])].append(config)
    chosen = []
    for _site, tasks in sorted(by_site.items()):
        step = max(1, len(tasks) // args.per_site)
        chosen += tasks[::step][: args.per_site]
    env = SandboxEnv(task_configs=chosen, max_episode_steps=args.max_episode_steps)
    rng = random.Random(args.seed)
    results: dict[str, dict[str, list[Trajectory]]] = {"oracle": defaultdict(list),
                                                       "random": defaultdict(list)}
    print(f"sandbox sites up: {', '.join(f'{k}={v}' for k, v in env.site_urls.items())}")
    try:
        for config in chosen:
            site = "+".join(config["sites"])
            for policy in ("oracle", "random"):
                respond = None if policy == "oracle" else (lambda obs: random_response(obs, rng))
                trajectory = rollout(env, config, respond)
                results[policy][site].append(trajectory)
                mark = "solved" if trajectory.reward == 1.0 else "failed"
                print(f"  {policy:<6} {mark:<6} {trajectory.num_steps:>2} steps  "
                      f"{config['task_id']}: {trajectory.intent}")
    finally:
        env.close()
    print()
    print(_table(results))
    print(f"\n{len(chosen)} tasks x 2 policies in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
