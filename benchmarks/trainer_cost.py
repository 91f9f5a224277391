"""Trainer cost: prompt growth with and without context compression, rollout throughput and
memory per M-GRPO step.

Parts (``--only``, default all):

* ``prompt``: prompt tokens at every turn of 15-turn sandbox episodes (random valid actions that
  never exit, ``<think>..</think><answer>..</answer>`` replies), with dynamic context
  compression (earlier pages replaced by a placeholder, the paper's) and without (every page
  kept). Target: with compression, the longest prompt at most 1.5x the first turn's. Counted
  with the tiny preset's tokenizer (``--tokenizer NAME`` for a real model's, when it is
  available locally), on the full pages (no budget cut).
* ``step``: M-GRPO training steps of a model (``--model``, default ``tiny`` on the CPU; a real
  model on a GPU: ``--model Qwen/Qwen2.5-3B-Instruct``): rollout throughput (actions per second
  over the K * G episodes), seconds per step (rollout, loss), and peak memory per step (the
  process's resident memory on the CPU; ``torch.cuda.max_memory_allocated`` on a GPU).

Writes ``trainer_cost.json``, ``trainer_cost.md`` and ``trainer_cost.png`` (prompt tokens per
turn; needs matplotlib) to ``--out`` (default ``benchmarks/results/``). A run of one part keeps
the other part's results already there.

    python benchmarks/trainer_cost.py                    # both parts, tiny on the CPU (~5 min)
    python benchmarks/trainer_cost.py --only prompt --episodes 5
    python benchmarks/trainer_cost.py --only step --model Qwen/Qwen2.5-3B-Instruct \\
        --tasks-per-step 4 --num-generations 4 --max-episode-steps 15 --max-new-tokens 1024   # GPU
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import random
import sys
import threading
import time
from pathlib import Path
from typing import Any

from webarena_gym.commandline import add_debug, run_command

RESULTS = Path(__file__).parent / "results"

MODES = ("compressed", "full", "compressed, same page", "full, same page")
"""How prompts are counted: with compression or every page kept; on the episode's own pages,
or with every page replaced by the first one (isolates the history's growth from the pages'
different sizes)."""


# ------------------------------------------------------------------------------------------------
# prompt growth
# ------------------------------------------------------------------------------------------------


def long_episode(config: dict[str, Any], turns: int, seed: int) -> tuple[list[dict], list[str]]:
    """``turns`` random valid actions on a sandbox task, never exiting: (observations, replies)."""
    from webarena_gym.prompting import to_reply_format
    from webarena_gym.sandbox.demonstrations import random_response
    from webarena_gym.sandbox.env import SandboxEnv

    rng = random.Random(seed)
    env = SandboxEnv(task_configs=[config], max_episode_steps=turns + 1)
    observations, responses = [], []
    try:
        obs, _ = env.reset(options={"task_id": config["task_id"]})
        observations.append(obs)
        for _ in range(turns):
            action = random_response(obs, rng)
            while action.startswith("exit"):
                action = random_response(obs, rng)
            reply = to_reply_format(action, thinking=True).replace(
                "<think></think>", "<think>I take the next step on this page.</think>")
            obs, _r, terminated, truncated, _ = env.step(reply)
            responses.append(reply)
            observations.append(obs)
            if terminated or truncated:
                break
    finally:
        env.close()
    return observations, responses


def bench_prompt(episodes: int, turns: int, tokenizer_name: str) -> dict[str, Any]:
    """Prompt tokens per turn, compressed and full, averaged over ``episodes`` episodes."""
    from r1_trainer.models import load_tokenizer
    from webarena_gym.prompting import build_messages
    from webarena_gym.sandbox.templates import load_split

    tokenizer = load_tokenizer(tokenizer_name)
    configs = load_split("test")
    by_site: dict[str, dict] = {}
    for config in configs:
        by_site.setdefault("+".join(config["sites"]), config)
    chosen = list(by_site.values())[:episodes]
    per_episode = []
    for n, config in enumerate(chosen):
        observations, responses = long_episode(config, turns, seed=n)
        counts: dict[str, list[int]] = {mode: [] for mode in MODES}
        first_page = observations[0]["html"]
        for t in range(1, len(observations)):
            for mode in counts:
                seen = observations[:t]
                if mode.endswith("same page"):  # every page as large as the first one
                    seen = [dict(o, html=first_page) for o in seen]
                messages = build_messages(seen, responses[:t - 1], thinking=True,
                                          compress=mode.startswith("compressed"))
                ids = tokenizer.apply_chat_template(messages, add_generation_prompt=True,
                                                    tokenize=True, return_dict=True)["input_ids"]
                counts[mode].append(len(ids))
        per_episode.append({"task_id": config["task_id"], "turns": len(responses), **counts})
        print(f"  {config['task_id']}: {len(responses)} turns, compressed "
              f"{counts['compressed'][0]} -> {max(counts['compressed'])} tokens, full "
              f"{counts['full'][0]} -> {max(counts['full'])}", flush=True)
    length = min(len(e["compressed"]) for e in per_episode)
    mean = {mode: [sum(e[mode][t] for e in per_episode) / len(per_episode)
                   for t in range(length)] for mode in MODES}
    ratios = {mode: [max(e[mode]) / e[mode][0] for e in per_episode] for mode in MODES}
    return {
        "tokenizer": tokenizer_name,
        "episodes": per_episode,
        "mean_per_turn": mean,
        "max_over_first": {mode: max(r) for mode, r in ratios.items()},
        "mean_max_over_first": {mode: sum(r) / len(r) for mode, r in ratios.items()},
        "target_met": max(ratios["compressed, same page"]) <= 1.5,
    }


# ------------------------------------------------------------------------------------------------
# training steps
# ------------------------------------------------------------------------------------------------


def _rss_kib() -> int:
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


class _PeakMemory:
    """Peak memory of each training step: sampled RSS (CPU) or the CUDA allocator's peak."""

    def __init__(self) -> None:
        import torch

        self.cuda = torch.cuda.is_available()
        self.peak = 0
        self.steps: list[float] = []
        self._stop = threading.Event()
        if not self.cuda:
            threading.Thread(target=self._sample, daemon=True).start()

    def _sample(self) -> None:
        while not self._stop.wait(0.05):
            self.peak = max(self.peak, _rss_kib())

    def begin(self) -> None:
        import torch

        if self.cuda:
            torch.cuda.reset_peak_memory_stats()
        else:
            self.peak = _rss_kib()

    def end(self) -> None:
        import torch

        if self.cuda:
            self.steps.append(torch.cuda.max_memory_allocated() / 2**20)
        else:
            self.steps.append(max(self.peak, _rss_kib()) / 1024)

    def stop(self) -> None:
        self._stop.set()


def bench_step(model: str, steps: int, tasks_per_step: int, num_generations: int,
               max_episode_steps: int, max_new_tokens: int, threads: int, out_dir: Path,
               rows_per_micro_batch: int = 8, logprob_batch_size: int = 8) -> dict[str, Any]:
    """M-GRPO steps on sandbox train tasks; the per-step cost."""
    import torch
    from transformers import TrainerCallback

    from r1_trainer.models import load_model_and_tokenizer
    from r1_trainer.trainer import MGRPOTrainer, MGRPOTrainerConfig
    from webarena_gym.sandbox.templates import load_split

    if not torch.cuda.is_available() and threads > 0:
        torch.set_num_threads(threads)
    memory = _PeakMemory()

    class StepMemory(TrainerCallback):
        def on_step_begin(self, args, state, control, **kwargs):  # noqa: ANN001, D102
            memory.begin()

        def on_step_end(self, args, state, control, **kwargs):  # noqa: ANN001, D102
            memory.end()

    config = MGRPOTrainerConfig(
        output_dir=str(out_dir), num_generations=num_generations, tasks_per_step=tasks_per_step,
        tasks_per_micro_batch=1, max_episode_steps=max_episode_steps, max_completion_length=max_new_tokens,
        max_steps=steps, learning_rate=1e-6, save_strategy="no", disable_tqdm=True,
        thinking=True, log_rollouts=False, rows_per_micro_batch=rows_per_micro_batch,
        logprob_batch_size=logprob_batch_size,
    )
    policy, tokenizer = load_model_and_tokenizer(model)
    tasks = load_split("train", n=max(16, tasks_per_step * steps))
    trainer = MGRPOTrainer(policy, config, tasks, processing_class=tokenizer,
                           callbacks=[StepMemory()])
    started = time.perf_counter()
    trainer.train()
    seconds = time.perf_counter() - started
    memory.stop()
    records = [json.loads(x) for x in (out_dir / "metrics.jsonl").read_text().splitlines()]
    records = [r for r in records if "reward" in r]
    per_step = []
    for r, peak in zip(records, memory.steps, strict=False):
        per_step.append({
            "step": r["step"], "step_seconds": r.get("step_time"),
            "rollout_seconds": r["rollout_seconds"], "turns_per_second": r["turns_per_second"],
            "actions": r["interactions"] * tasks_per_step * num_generations,
            "prompt_tokens_mean": r["prompt_tokens"], "response_tokens": r["response_tokens"],
            "peak_memory_mib": round(peak, 1),
        })
    rows = [s["actions"] for s in per_step]
    return {
        "model": model,
        "device": "cuda: " + torch.cuda.get_device_name(0) if torch.cuda.is_available()
        else f"cpu ({torch.get_num_threads()} torch threads, {os.cpu_count()} cores)",
        "parameters": sum(p.numel() for p in policy.parameters()),
        "tasks_per_step": tasks_per_step, "num_generations": num_generations,
        "max_episode_steps": max_episode_steps, "max_new_tokens": max_new_tokens,
        "rows_per_micro_batch": rows_per_micro_batch, "logprob_batch_size": logprob_batch_size,
        "rows_max": max(rows, default=0),
        "peak_memory_mib": max((s["peak_memory_mib"] for s in per_step), default=0.0),
        "memory_kind": "cuda max_memory_allocated" if memory.cuda else "process RSS",
        "seconds": seconds,
        "steps": per_step,
    }


def bench_memory(model: str, turns: list[int], generations: list[int], tasks_per_step: int,
                 max_new_tokens: int, rows_settings: list[int], threads: int) -> dict[str, Any]:
    """Peak memory of one M-GRPO step against turns and G, for each ``rows_per_micro_batch``
    (0: a micro-batch's rows in one pass, as before the row chunks). Each point runs in a
    fresh process: a process's RSS never shrinks back, so points in one process would only
    show the largest so far."""
    import subprocess
    import sys
    import tempfile

    points = []
    for rows in rows_settings:
        for g in generations:
            for t in turns:
                with tempfile.TemporaryDirectory() as out:
                    command = [sys.executable, __file__, "--only", "step", "--steps", "1",
                               "--model", model, "--tasks-per-step", str(tasks_per_step),
                               "--num-generations", str(g), "--max-episode-steps", str(t),
                               "--max-new-tokens", str(max_new_tokens),
                               "--rows-per-micro-batch", str(rows), "--threads", str(threads),
                               "--out", out]
                    started = time.perf_counter()
                    subprocess.run(command, check=True, capture_output=True, text=True)
                    step = json.loads((Path(out) / "trainer_cost.json").read_text())["step"]
                point = {"rows_per_micro_batch": rows, "num_generations": g, "max_episode_steps": t,
                         "rows": step["rows_max"], "peak_memory_mib": step["peak_memory_mib"],
                         "seconds": round(time.perf_counter() - started, 1)}
                print(f"  rows/pass {rows or 'all'}, G={g}, turns={t}: {point['rows']:.0f} rows, "
                      f"peak {point['peak_memory_mib']:.0f} MiB", flush=True)
                points.append(point)
    return {"model": model, "tasks_per_step": tasks_per_step, "max_new_tokens": max_new_tokens,
            "memory_kind": "cuda max_memory_allocated" if _cuda() else "process RSS",
            "points": points}


def _cuda() -> bool:
    import torch

    return torch.cuda.is_available()


# ------------------------------------------------------------------------------------------------
# report
# ------------------------------------------------------------------------------------------------


def markdown(results: dict[str, Any]) -> str:
    """The tables of both parts."""
    lines = [f"# Trainer cost ({results.get('date', '')}, {results.get('machine', '')})", ""]
    prompt = results.get("prompt")
    if prompt:
        first = prompt["mean_per_turn"]
        lines += [
            f"## Prompt tokens per turn over {len(prompt['episodes'])} episodes of up to "
            f"{max(e['turns'] for e in prompt['episodes'])} turns ({prompt['tokenizer']} "
            "tokenizer, full pages)", "",
            "| turn | " + " | ".join(str(t + 1) for t in range(len(first["compressed"]))) + " |",
            "|---|" + "---:|" * len(first["compressed"]),
        ]
        for mode in MODES:
            lines.append(f"| {mode} | " + " | ".join(f"{v:.0f}" for v in first[mode]) + " |")
        lines += [
            "",
            "| prompt | longest / first turn (worst episode) | mean over episodes |",
            "| --- | ---: | ---: |",
        ]
        for mode in MODES:
            lines.append(f"| {mode} | {prompt['max_over_first'][mode]:.2f}x | "
                         f"{prompt['mean_max_over_first'][mode]:.2f}x |")
        lines += [
            "",
            "On the episode's own pages the prompt follows the current page's size (random "
            "actions reach pages larger or smaller than the first); with every page as large as "
            "the first, what remains is the history's growth: one action per turn with "
            "compression, one page per turn without.",
            "",
            f"Target (compressed, same page: longest <= 1.5x first): "
            f"{'met' if prompt['target_met'] else 'NOT met'}.", ""]
    step = results.get("step")
    if step:
        lines += [
            f"## M-GRPO steps: {step['model']} ({step['parameters']:,} parameters) on "
            f"{step['device']}", "",
            f"K = {step['tasks_per_step']} tasks x G = {step['num_generations']} rollouts, "
            f"up to {step['max_episode_steps']} turns of up to {step['max_new_tokens']} tokens; "
            f"memory: {step['memory_kind']}.", "",
            "| step | actions | rollout s | actions / s | step s | mean prompt tokens | "
            "response tokens | peak memory MiB |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for s in step["steps"]:
            lines.append(
                f"| {s['step']} | {s['actions']:.0f} | {s['rollout_seconds']:.1f} | "
                f"{s['turns_per_second']:.2f} | {s['step_seconds'] or 0:.1f} | "
                f"{s['prompt_tokens_mean']:.0f} | {s['response_tokens']:.1f} | "
                f"{s['peak_memory_mib']:.0f} |")
        lines.append("")
    memory = results.get("memory")
    if memory:
        points = memory["points"]
        settings = sorted({p["rows_per_micro_batch"] for p in points}, key=lambda r: (r == 0, r))
        lines += [
            f"## Peak memory of one M-GRPO step against turns and G ({memory['model']}, "
            f"K = {memory['tasks_per_step']} tasks, up to {memory['max_new_tokens']} tokens per "
            f"turn; {memory['memory_kind']}, MiB)", "",
            "| G | turns | rows | " + " | ".join(
                f"rows per pass: {r or 'all (one pass)'}" for r in settings) + " |",
            "|---:|---:|---:|" + "---:|" * len(settings),
        ]
        for g, t in sorted({(p["num_generations"], p["max_episode_steps"]) for p in points}):
            cells = {p["rows_per_micro_batch"]: p for p in points
                     if (p["num_generations"], p["max_episode_steps"]) == (g, t)}
            rows = max(p["rows"] for p in cells.values())
            lines.append(f"| {g} | {t} | {rows:.0f} | " + " | ".join(
                f"{cells[r]['peak_memory_mib']:.0f}" if r in cells else "" for r in settings)
                + " |")
        lines += ["", "rows: the most action rows of a step (K x G episodes x their turns); "
                  "with row chunks a pass holds at most `rows_per_micro_batch` of them. What "
                  "still grows with turns under chunks: each row is longer (every earlier "
                  "action stays in the prompt), and generation prefills all K x G prompts at "
                  "once (`rollout_batch_size` bounds that).", ""]
    return "\n".join(lines)


def plot(results: dict[str, Any], path: Path) -> bool:
    """Prompt tokens per turn, compressed against full; False without matplotlib or data."""
    prompt = results.get("prompt")
    if not prompt:
        return False
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    fig, ax = plt.subplots(figsize=(6, 3.6))
    for mode, style in zip(MODES, ("o-", "o-", "s--", "s--"), strict=True):
        values = prompt["mean_per_turn"][mode]
        ax.plot(range(1, len(values) + 1), values, style, label=mode, markersize=3)
    first = prompt["mean_per_turn"]["compressed, same page"][0]
    ax.axhline(1.5 * first, color="grey", linestyle="--", linewidth=1, label="1.5x first turn")
    ax.set_xlabel("turn")
    ax.set_ylabel("prompt tokens")
    ax.set_yscale("log")
    ax.set_title("Prompt length over an episode")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return True


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Run the chosen parts; write and print the results."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--only", choices=["prompt", "step", "memory"], default=None)
    p.add_argument("--episodes", type=int, default=3, help="episodes for the prompt part")
    p.add_argument("--turns", type=int, default=15, help="turns per episode (prompt part)")
    p.add_argument("--tokenizer", default="tiny", help="tokenizer for the prompt part")
    p.add_argument("--model", default="tiny", help="model for the step part")
    p.add_argument("--max-steps", type=int, default=3, help="optimizer steps of the step part")
    p.add_argument("--tasks-per-step", type=int, default=2)
    p.add_argument("--num-generations", type=int, default=2)
    p.add_argument("--max-episode-steps", type=int, default=5, help="actions per episode")
    p.add_argument("--max-new-tokens", type=int, default=64)
    p.add_argument("--rows-per-micro-batch", type=int, default=8,
                   help="rows per loss pass (step part; 0: a micro-batch in one pass)")
    p.add_argument("--memory-turns", default="2,4,8", help="turns of the memory part")
    p.add_argument("--memory-generations", default="2,4", help="G values of the memory part")
    p.add_argument("--memory-rows", default="0,8",
                   help="rows_per_micro_batch values of the memory part (0: one pass)")
    p.add_argument("--threads", type=int, default=1, help="torch CPU threads (CPU runs)")
    p.add_argument("--out", default=str(RESULTS))
    add_debug(p)
    args = p.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("TRL_EXPERIMENTAL_SILENCE", "1")
    path = out / "trainer_cost.json"
    results: dict[str, Any] = json.loads(path.read_text()) if path.is_file() else {}
    results["date"] = datetime.date.today().isoformat()
    results["machine"] = f"{platform.machine()}, {os.cpu_count()} cores"
    if args.only in (None, "prompt"):
        print("prompt tokens per turn ...", flush=True)
        results["prompt"] = bench_prompt(args.episodes, args.turns, args.tokenizer)
    if args.only in (None, "step"):
        print("M-GRPO steps ...", flush=True)
        import tempfile

        with tempfile.TemporaryDirectory() as run_dir:
            results["step"] = bench_step(args.model, args.max_steps, args.tasks_per_step,
                                         args.num_generations, args.max_episode_steps,
                                         args.max_new_tokens, args.threads, Path(run_dir),
                                         rows_per_micro_batch=args.rows_per_micro_batch)
    if args.only == "memory":  # minutes of runs: only when asked
        print("peak memory against turns and G ...", flush=True)
        results["memory"] = bench_memory(
            args.model, [int(x) for x in args.memory_turns.split(",")],
            [int(x) for x in args.memory_generations.split(",")], args.tasks_per_step,
            args.max_new_tokens, [int(x) for x in args.memory_rows.split(",")], args.threads)
    path.write_text(json.dumps(results, indent=1) + "\n")
    table = markdown(results)
    (out / "trainer_cost.md").write_text(table)
    if plot(results, out / "trainer_cost.png"):
        print(f"figure: {out / 'trainer_cost.png'}")
    print(table)
    return results


if __name__ == "__main__":
    sys.exit(run_command(lambda argv: main(argv) and 0, None, "trainer_cost.py"))
