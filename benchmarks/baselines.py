"""Prompting baselines on the sandbox: any policy over a split, the paper's table columns.

Runs each policy over a split's tasks with the vector env (``--num-envs`` episodes at once) and
reports success rate overall and per site, the average number of interactions and the average
response length; ``--max-episode-steps`` takes several values (test-time scaling by
interactions) and ``--prompt`` both formats (thinking vs non-thinking). ``--num-tasks N`` runs
N tasks drawn with ``--seed``, stratified by site group and template (:func:`sample_tasks`).

Every run writes to a new folder, ``runs/baselines/<UTC time>/`` (``-2``, ``-3``, ... when that
exists): ``baselines.json`` (every episode, with each step's full response, parsed action and
page URL), ``baselines.md`` (the table) and ``baselines.png`` (success by setting; needs
matplotlib, extra ``bench``). The tracked results in ``benchmarks/results/`` are written only
when asked for: ``--out benchmarks/results/baselines``.

    python benchmarks/baselines.py --policy oracle --policy random --split test --num-tasks 24
    python benchmarks/baselines.py --policy openai:Qwen/Qwen2.5-3B-Instruct \\
        --base-url http://127.0.0.1:8000/v1 --max-episode-steps 5,15,30 \\
        --prompt thinking,non-thinking --sites shopping,reddit
    python benchmarks/baselines.py --policy hf:path/to/checkpoint --num-envs 8
    python benchmarks/baselines.py --policy oracle --policy random --split test_unseen \\
        --out benchmarks/results/baselines     # replaces the tracked results

Policies: ``oracle``, ``random``, ``openai:<model>`` (any OpenAI-compatible endpoint; the key
comes from ``$OPENAI_API_KEY``), ``hf:<model or path>`` (a local transformers model, extra
``train``).
"""

from __future__ import annotations

import argparse
import datetime
import json
import random
import sys
from collections import defaultdict, deque
from collections.abc import Callable, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from r1_trainer.evaluate import EvalReport, evaluate_policy, markdown_table
from r1_trainer.policies import Turn, call_policy, make_policy
from webarena_gym.actions import ActionParseError, parse_action
from webarena_gym.commandline import RENAMED, add_debug, add_sites, rename_flags, run_command
from webarena_gym.sandbox.templates import SPLITS, TEST_DATA_SEED, load_split

PROG = "baselines.py"
RESULTS = Path(__file__).parent / "results"
#: Where runs go by default (relative to the working directory): one new folder per run.
RUNS = Path("runs") / "baselines"
#: Flags of earlier versions. Here ``--max-steps`` was the interaction budget; elsewhere it is
#: the optimizer's steps, which is why ``commandline.RENAMED`` leaves it alone.
RENAMED_HERE: dict[str, str] = {**RENAMED, "--max-steps": "--max-episode-steps"}
#: Splits drawn from the templates on the fly (on the data of ``--seed``), not fixed files.
GENERATED_SPLITS = ("train", "easy_train")
#: Tasks of a generated split when ``--num-tasks`` is not given.
GENERATED_DEFAULT_TASKS = 100


def site_group(config: dict[str, Any]) -> str:
    """A task's site group: its sites joined by "+" (``shopping``, ``reddit+shopping``), as in
    the per-site columns of the table."""
    return "+".join(sorted(config.get("sites") or []))


def sample_tasks(configs: Sequence[dict[str, Any]], n: int, seed: int) -> list[dict[str, Any]]:
    """``n`` tasks of ``configs``, stratified by site group and template, drawn with
    ``random.Random(seed)``.

    Round-robin over the site groups (:func:`site_group`, in an order the seed shuffles): each
    group's turn takes its next template (``intent_template_id``; a group's templates in an
    order the seed shuffles, taken in turn) and a random instance of it not taken yet. Groups
    and templates that run out leave the rotation. So the first picks cover every site group,
    and a group's templates are each taken once before any is taken twice; 12 tasks of the
    ``test`` split cover its 7 site groups (the first N in file order are all ``shopping``).

    Args:
        configs: task configs (``webarena_gym.sandbox.templates.load_split``).
        n: how many to take.
        seed: the sampling seed; the same seed and configs give the same tasks.

    Returns:
        The chosen configs, in the order of ``configs``; all of them when ``n >= len(configs)``.

    Raises:
        ValueError: ``n`` is negative.
    """
    pool = list(configs)
    if n < 0:
        raise ValueError(f"sample_tasks: n must be at least 0, got {n}")
    if n >= len(pool):
        return pool
    rng = random.Random(seed)
    groups: dict[str, dict[str, list[int]]] = defaultdict(dict)
    for i, config in enumerate(pool):
        groups[site_group(config)].setdefault(str(config.get("intent_template_id")), []).append(i)
    order = sorted(groups)
    rng.shuffle(order)
    rotations: dict[str, deque[str]] = {}
    for group in order:
        templates = sorted(groups[group])
        rng.shuffle(templates)
        rotations[group] = deque(templates)
    chosen: list[int] = []
    while len(chosen) < n:
        for group in list(order):
            if len(chosen) == n:
                break
            rotation = rotations[group]
            template = rotation.popleft()
            left = groups[group][template]
            chosen.append(left.pop(rng.randrange(len(left))))
            if left:
                rotation.append(template)
            if not rotation:
                order.remove(group)
    return [pool[i] for i in sorted(chosen)]


def new_run_dir(root: Path | None = None, now: datetime.datetime | None = None) -> Path:
    """Make and return a new folder ``<root>/<UTC time, 20261206-0215>`` (``root`` default
    ``runs/baselines`` in the working directory); ``-2``, ``-3``, ... when that exists."""
    root = RUNS if root is None else root
    stamp = (now or datetime.datetime.now(datetime.timezone.utc)).strftime("%Y%m%d-%H%M")
    root.mkdir(parents=True, exist_ok=True)
    k = 1
    while True:
        path = root / (stamp if k == 1 else f"{stamp}-{k}")
        try:
            path.mkdir()
        except FileExistsError:
            k += 1
            continue
        return path


class RecordingPolicy:
    """A policy that keeps, per episode, every response it gives: each step's index, the URL of
    the page it answered (the observation, by reference), the full response, and the action
    the env parses from it (:func:`webarena_gym.actions.parse_action`, as the env does) or the
    parser's message.

    ``r1_trainer.evaluate.EpisodeResult`` keeps only the responses' lengths; this wrapper keeps
    the rest for the JSON (``steps`` of each episode)."""

    uses_turns = True

    def __init__(self, policy: Any) -> None:
        self.policy = policy
        self.name: str = getattr(policy, "name", type(policy).__name__)
        self.steps: dict[int, list[dict[str, Any]]] = defaultdict(list)

    def respond(self, prompts: Sequence[Any], *, turns: Sequence[Turn]) -> list[str]:
        """The wrapped policy's responses, recorded."""
        responses = call_policy(self.policy, prompts, turns)
        for turn, response in zip(turns, responses, strict=True):
            self.steps[turn.episode].append(step_record(turn, response))
        return responses

    def forget(self, episode: int) -> None:
        """Pass the end of an episode on to the wrapped policy (its per-episode state)."""
        forget = getattr(self.policy, "forget", None)
        if forget is not None:
            forget(episode)


def step_record(turn: Turn, response: str) -> dict[str, Any]:
    """One step for the JSON: ``step``, ``url``, ``response``, ``action``, ``parse_error``."""
    action: dict[str, Any] | None = None
    error: str | None = None
    try:
        action = asdict(parse_action(response))
    except ActionParseError as exc:
        error = str(exc)
    return {"step": turn.step, "url": (turn.observation or {}).get("url"), "response": response,
            "action": action, "parse_error": error}


def report_json(report: EvalReport, steps: dict[int, list[dict[str, Any]]]) -> dict[str, Any]:
    """A report as JSON (``EvalReport.to_dict``) with each episode's ``steps``
    (:class:`RecordingPolicy`); episode ``k`` is the ``k``-th task run."""
    data = report.to_dict()
    for k, (episode, row) in enumerate(zip(report.episodes, data["episodes"], strict=True)):
        row["steps"] = steps.get(k, [])[:episode.interactions]
    return data


def _progress(total: int, label: str) -> tuple[Callable[[Any], None], Callable[[], None]]:
    """A progress callback showing the success so far (``success=3/7``): a tqdm bar when tqdm is
    installed, else a line every 10 tasks."""
    solved, done = [0], [0]

    def count(result: Any) -> str:
        done[0] += 1
        solved[0] += result.reward == 1.0
        return f"success={solved[0]}/{done[0]}"

    try:
        from tqdm import tqdm
    except ImportError:

        def tick(result: Any) -> None:
            success = count(result)
            if done[0] % 10 == 0 or done[0] == total:
                print(f"  {label}: {done[0]}/{total} {success}", file=sys.stderr, flush=True)

        return tick, (lambda: None)
    bar = tqdm(total=total, desc=label, unit="task", file=sys.stderr, leave=False)

    def update(result: Any) -> None:
        bar.set_postfix_str(count(result), refresh=False)
        bar.update(1)

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
        series.setdefault(label, []).append((r.max_episode_steps, 100 * r.success_rate))
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


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The command line (see the module docstring); flags of earlier versions are renamed
    with a note (``--max-steps`` -> ``--max-episode-steps``, ``--n`` -> ``--num-tasks``,
    ``--max-tokens`` -> ``--max-new-tokens``)."""
    argv = rename_flags(list(sys.argv[1:] if argv is None else argv), PROG, RENAMED_HERE)
    p = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n\n")[0])
    p.add_argument("--policy", action="append", required=True,
                   help="oracle | random | openai:<model> | hf:<model or path> (repeatable)")
    p.add_argument("--split", default="test", choices=SPLITS, help="the sandbox split")
    add_sites(p, "only tasks within these sites (default: every site)")
    p.add_argument("--num-tasks", type=int, default=None, metavar="N",
                   help="run N tasks of the split, sampled with --seed and stratified by site "
                        f"group and template (default: every task; {GENERATED_DEFAULT_TASKS} "
                        f"for {' and '.join(GENERATED_SPLITS)})")
    p.add_argument("--max-episode-steps", default="15", metavar="STEPS",
                   help="actions per episode, the interaction budget(s), comma-separated "
                        "(e.g. 5,15,30)")
    p.add_argument("--prompt", default="thinking",
                   help="thinking, non-thinking, or both comma-separated")
    p.add_argument("--num-envs", type=int, default=4, help="episodes run at once")
    p.add_argument("--base-url", default=None, help="for openai: policies (default $OPENAI_BASE_URL)")
    p.add_argument("--temperature", type=float, default=0.0)
    p.add_argument("--max-new-tokens", type=int, default=1024, help="tokens generated per turn")
    p.add_argument("--seed", type=int, default=0,
                   help="the run's seed: task sampling, the random policy and, on "
                        f"{' and '.join(GENERATED_SPLITS)}, the site data (the other splits "
                        f"are defined on the data of seed {TEST_DATA_SEED})")
    p.add_argument("--out", default=None,
                   help="output path without extension (.json, .md, .png are written; default "
                        f"{RUNS}/<UTC time>/baselines, a new folder per run)")
    add_debug(p)
    args = p.parse_args(argv)
    try:
        args.budgets = [int(x) for x in str(args.max_episode_steps).split(",") if x.strip()]
    except ValueError:
        args.budgets = []
    if not args.budgets or min(args.budgets) < 1:
        p.error(f"--max-episode-steps takes positive integers, comma-separated, "
                f"not {args.max_episode_steps!r}")
    args.prompts = [x.strip() for x in args.prompt.split(",") if x.strip()]
    bad = [x for x in args.prompts if x not in ("thinking", "non-thinking")]
    if bad or not args.prompts:
        p.error(f"--prompt takes thinking and/or non-thinking, not {args.prompt!r}")
    if args.num_tasks is not None and args.num_tasks < 1:
        p.error(f"--num-tasks takes a positive number, not {args.num_tasks}")
    return args


def select_tasks(args: argparse.Namespace) -> tuple[list[dict[str, Any]], int]:
    """The tasks to run (:func:`sample_tasks` of the split) and the site-data seed to run
    them on: ``--seed`` for a generated split (of which twice ``--num-tasks`` are drawn to
    sample from), the split's own data seed for a fixed one."""
    if args.split in GENERATED_SPLITS:
        n = GENERATED_DEFAULT_TASKS if args.num_tasks is None else args.num_tasks
        pool = load_split(args.split, sites=args.sites, seed=args.seed, n=2 * n)
        return sample_tasks(pool, n, args.seed), args.seed
    pool = load_split(args.split, sites=args.sites, seed=TEST_DATA_SEED)
    n = len(pool) if args.num_tasks is None else args.num_tasks
    return sample_tasks(pool, n, args.seed), TEST_DATA_SEED


def main(argv: Sequence[str] | None = None) -> list[EvalReport]:
    """Run the baselines; print and write the table; return the reports."""
    args = parse_args(argv)
    configs, data_seed = select_tasks(args)
    out = Path(args.out) if args.out else new_run_dir() / "baselines"
    out.parent.mkdir(parents=True, exist_ok=True)
    print(f"{len(configs)} {args.split} tasks; writing to {out.parent}/", file=sys.stderr)
    reports: list[EvalReport] = []
    saved: list[dict[str, Any]] = []
    for name in args.policy:
        for prompt in args.prompts:
            thinking = prompt == "thinking"
            kwargs: dict[str, Any] = {"thinking": thinking}
            if name.startswith("openai:"):
                kwargs = {"base_url": args.base_url, "temperature": args.temperature,
                          "max_tokens": args.max_new_tokens}
            elif name.startswith("hf:"):
                kwargs.update(temperature=args.temperature, max_new_tokens=args.max_new_tokens)
            elif name == "random":
                kwargs.update(seed=args.seed)
            policy = make_policy(name, **kwargs)
            for budget in args.budgets:
                label = f"{name} {prompt} max_episode_steps={budget}"
                recorder = RecordingPolicy(policy)
                tick, finish = _progress(len(configs), label)
                try:
                    report = evaluate_policy(recorder, configs, split=args.split,
                                             max_episode_steps=budget, num_envs=args.num_envs,
                                             thinking=thinking, seed=data_seed, progress=tick)
                finally:
                    finish()
                print(f"{label}: {report.headline()} in {report.seconds:.0f} s",
                      file=sys.stderr)
                reports.append(report)
                saved.append(report_json(report, recorder.steps))
    table = markdown_table(reports)
    print(table)
    out.with_suffix(".json").write_text(json.dumps(saved, indent=1) + "\n", encoding="utf-8")
    out.with_suffix(".md").write_text(table + "\n", encoding="utf-8")
    if plot(reports, out.with_suffix(".png")):
        print(f"wrote {out.with_suffix('.json')}, .md and .png", file=sys.stderr)
    else:
        print(f"wrote {out.with_suffix('.json')} and .md (no .png: pip install matplotlib)",
              file=sys.stderr)
    return reports


def _command(argv: list[str]) -> int:
    main(argv)
    return 0


if __name__ == "__main__":
    sys.exit(run_command(_command, None, PROG))
