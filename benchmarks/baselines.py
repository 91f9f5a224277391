"""Prompting baselines on the sandbox: any policy over a split, the paper's table columns.

Runs each policy over a split's tasks with the vector env (``--num-envs`` episodes at once) and
reports success rate overall and per site, the average number of interactions and the average
response length; ``--max-steps`` takes several values (test-time scaling by interactions) and
``--prompt`` both formats (thinking vs non-thinking). Writes ``<out>.json`` (every episode),
``<out>.md`` (the table) and ``<out>.png`` (success by setting; needs matplotlib, extra ``bench``).

    python benchmarks/baselines.py --policy oracle --policy random --split test
    python benchmarks/baselines.py --policy openai:Qwen/Qwen2.5-3B-Instruct \\
        --base-url http://127.0.0.1:8000/v1 --max-steps 5,15,30 --prompt thinking,non-thinking
    python benchmarks/baselines.py --policy hf:path/to/checkpoint --num-envs 8

Policies: ``oracle``, ``random``, ``openai:<model>`` (any OpenAI-compatible endpoint; the key
comes from ``$OPENAI_API_KEY``), ``hf:<model or path>`` (a local transformers model, extra
``train``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from r1_trainer.evaluate import EvalReport, evaluate_policy, markdown_table, write_reports
from r1_trainer.policies import make_policy
from webarena_gym.sandbox.templates import load_split

RESULTS = Path(__file__).parent / "results"


def _progress(total: int, label: str) -> Any:
    """A progress callback: a tqdm bar when tqdm is installed, else a line every 10 tasks."""
    try:
        from tqdm import tqdm
    except ImportError:
        done = [0]

        def tick(result: Any) -> None:
            done[0] += 1
            if done[0] % 10 == 0 or done[0] == total:
                print(f"  {label}: {done[0]}/{total}", file=sys.stderr, flush=True)

        return tick, (lambda: None)
    bar = tqdm(total=total, desc=label, unit="task", file=sys.stderr, leave=False)

    def update(result: Any) -> None:
        bar.update(1)
        bar.set_postfix(success=f"{result.reward:.0f}")

    return update, bar.close


def plot(reports: list[EvalReport], path: Path) -> bool:
    """Success rate per policy and prompt against the interaction budget; False without matplotlib."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    fig, ax = plt.subplots(figsize=(6, 3.6))
    series: dict[str, list[tuple[int, float]]] = {}
    for r in reports:
        label = f"{r.policy} ({'thinking' if r.thinking else 'non-thinking'})"
        series.setdefault(label, []).append((r.max_steps, 100 * r.success_rate))
    for label, points in series.items():
        points.sort()
        xs, ys = zip(*points, strict=True)
        ax.plot(xs, ys, marker="o", label=label)
    ax.set_xlabel("max interactions per episode")
    ax.set_ylabel("success rate (%)")
    ax.set_ylim(-5, 105)
    ax.set_title(f"Baselines on the sandbox ({reports[0].split} split)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return True


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line (see the module docstring)."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--policy", action="append", required=True,
                   help="oracle | random | openai:<model> | hf:<model or path> (repeatable)")
    p.add_argument("--split", default="test", choices=["train", "test", "test_unseen"])
    p.add_argument("--sites", nargs="*", default=None, help="only tasks within these sites")
    p.add_argument("--n", type=int, default=None, help="at most this many tasks")
    p.add_argument("--max-steps", default="15",
                   help="interaction budget(s), comma-separated (e.g. 5,15,30)")
    p.add_argument("--prompt", default="thinking",
                   help="thinking, non-thinking, or both comma-separated")
    p.add_argument("--num-envs", type=int, default=4, help="episodes run at once")
    p.add_argument("--base-url", default=None, help="for openai: policies (default $OPENAI_BASE_URL)")
    p.add_argument("--temperature", type=float, default=0.0)
    p.add_argument("--max-tokens", type=int, default=1024, help="per response")
    p.add_argument("--seed", type=int, default=0, help="the site-data seed")
    p.add_argument("--out", default=str(RESULTS / "baselines"),
                   help="output path without extension (.json, .md, .png are written)")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> list[EvalReport]:
    """Run the baselines; print and write the table."""
    args = parse_args(argv)
    budgets = [int(x) for x in str(args.max_steps).split(",") if x.strip()]
    prompts = [x.strip() for x in args.prompt.split(",") if x.strip()]
    bad = [x for x in prompts if x not in ("thinking", "non-thinking")]
    if bad:
        raise SystemExit(f"--prompt takes thinking and/or non-thinking, not {bad}")
    configs = load_split(args.split, sites=args.sites, seed=args.seed,
                         n=args.n if args.n is not None or args.split != "train" else 100)
    reports = []
    for name in args.policy:
        for prompt in prompts:
            thinking = prompt == "thinking"
            kwargs: dict[str, Any] = {"thinking": thinking}
            if name.startswith("openai:"):
                kwargs = {"base_url": args.base_url, "temperature": args.temperature,
                          "max_tokens": args.max_tokens}
            elif name.startswith("hf:"):
                kwargs.update(temperature=args.temperature, max_new_tokens=args.max_tokens)
            policy = make_policy(name, **kwargs)
            for budget in budgets:
                label = f"{name} {prompt} max_steps={budget}"
                tick, finish = _progress(len(configs), label)
                try:
                    report = evaluate_policy(policy, configs, split=args.split,
                                             max_steps=budget, num_envs=args.num_envs,
                                             thinking=thinking, seed=args.seed, progress=tick)
                finally:
                    finish()
                print(f"{label}: {report.headline()} in {report.seconds:.0f} s",
                      file=sys.stderr)
                reports.append(report)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    table = markdown_table(reports)
    print(table)
    write_reports(reports, str(out.with_suffix(".json")))
    out.with_suffix(".md").write_text(table + "\n", encoding="utf-8")
    if plot(reports, out.with_suffix(".png")):
        print(f"wrote {out.with_suffix('.json')}, .md and .png", file=sys.stderr)
    else:
        print(f"wrote {out.with_suffix('.json')} and .md (no .png: pip install matplotlib)",
              file=sys.stderr)
    return reports


if __name__ == "__main__":
    main()
