"""The main job end to end on a CPU: oracle demos -> BC -> M-GRPO -> evaluation, with ``tiny``.

1. the sandbox's oracle solvers roll out on ``train`` tasks: the BC dataset (JSONL);
2. behaviour cloning of the offline ``tiny`` model on it (TRL ``SFTTrainer``);
3. a few M-GRPO steps from the BC model on sandbox train tasks (TRL ``GRPOTrainer`` with
   multi-turn rollouts on the vector env), logging ``metrics.jsonl`` and the training figure;
4. the BC and the RL model on a slice of the ``test`` split (greedy), in the baselines table.

Everything runs offline on the embedded sandbox; the tiny model is far too small to solve tasks,
so the table shows the pipeline working (valid actions, interactions, parse errors), not success.
Each stage shows a progress bar (count and time left), the trainers one line per logging step.
Run with ``python -m r1_trainer.demo [--out runs/demo]``: 4-5 minutes on 2 idle CPU cores.
The defaults are sized for that: 64 demonstrations and 8 BC epochs, after which 78-89% of the
tiny model's greedy responses parse as actions (83% on average over three seeds; 96
demonstrations reach 91%, ``benchmarks/bc_parse_rate.py``, but take a minute more).

Flags follow the shared vocabulary (:mod:`webarena_gym.commandline`): ``--max-steps`` and
``--learning-rate`` are M-GRPO's, ``--max-episode-steps`` the action limit of its episodes and
``--eval-max-episode-steps`` the evaluation's. Each task count names its stage
(``--demo-tasks``, ``--tasks-per-step``, ``--eval-per-site``): a ``--num-tasks`` would not say
which of the three it sets. Flags of earlier versions (``--rl-steps``, ``--max-turns``,
``--eval-max-turns``, ``--lr``) still work, with a note.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import sys
import threading
import time
import warnings
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from webarena_gym.commandline import add_debug, run_command

# Only light imports at the top: torch, transformers and TRL (seconds) are imported after the
# first line is printed.

PROG = "python -m r1_trainer.demo"
NEXT = ("next: python benchmarks/learning_curve.py --quick (does M-GRPO raise reward?), "
        "or r1-train on a GPU with a real model (README: Training)")


def eval_slice(per_site: int, seed: int = 0) -> list[dict[str, Any]]:
    """``per_site`` test tasks of each site group, spread over its templates."""
    from webarena_gym.sandbox.templates import load_split

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
    from webarena_gym.browser.processes import tree_cpu_seconds

    return tree_cpu_seconds(include_reaped=True)


def idle_cores(seconds: float = 0.5) -> float | None:
    """How many of this process's cores sat idle over ``seconds`` (``/proc/stat``; None where
    there is none): the cores that other jobs leave to this one."""
    cores = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else None

    def sample() -> dict[str, tuple[int, int]]:
        found = {}
        for row in Path("/proc/stat").read_text().splitlines():
            name, *fields = row.split()
            if name.startswith("cpu") and name != "cpu" and int(name[3:]) in (cores or ()):
                ticks = [int(f) for f in fields[:8]]
                found[name] = (ticks[3] + ticks[4], sum(ticks))  # idle + iowait, all
        return found

    try:
        before = sample()
        time.sleep(seconds)
        after = sample()
    except (OSError, ValueError):
        return None
    idle = 0.0
    for name, (idle_ticks, total) in after.items():
        if name in before and total > before[name][1]:
            idle += (idle_ticks - before[name][0]) / (total - before[name][1])
    return idle if after else None


def bc_thread_count(requested: int) -> tuple[int, str]:
    """torch threads for behaviour cloning and why: ``requested``, or one per idle core (threads
    on cores that other jobs keep busy wait on each other: 2 threads on 1 free core train
    about 5 times slower than 1)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    cores = cores or 1
    if requested > 0:
        return requested, "--bc-threads"
    idle = idle_cores()
    if idle is None:
        return cores, f"{cores} cores"
    threads = max(1, min(cores, int(idle + 0.5)))
    why = f"{idle:.1f} of {cores} cores idle"
    return threads, why + (": other jobs use the rest" if threads < cores else "")


def quiet_library_noise() -> None:
    """Silence what the libraries print that a demo user cannot act on (each says why); any
    other warning (a real problem) still shows."""
    # TRL: "This trainer is experimental ..." when GRPOTrainer is built: the demo chose it.
    os.environ.setdefault("TRL_EXPERIMENTAL_SILENCE", "1")
    # transformers 5.2x: "`is_gradient_checkpointing` is deprecated ..." (FutureWarning), from
    # TRL's own unwrap_model_for_generation (trl 1.16): TRL's to change, not the user's.
    warnings.filterwarnings("ignore", message=r"`is_gradient_checkpointing` is deprecated",
                            category=FutureWarning)
    # transformers' tokenizer: "Token indices sequence length is longer than the specified
    # maximum sequence length" when a whole page is tokenized to measure it, before the prompt
    # is cut to the model's budget (r1_trainer.data, r1_trainer.generation): nothing that long
    # reaches the model.
    tokenizer_log = logging.getLogger("transformers.tokenization_utils_base")
    if not any(isinstance(f, _DropMessages) for f in tokenizer_log.filters):  # once a process
        tokenizer_log.addFilter(_DropMessages(r"^Token indices sequence length is longer"))


def import_training_libraries() -> threading.Thread:
    """Import torch, transformers and TRL (seconds of CPU) on a thread, while the oracle
    demonstrations leave the CPU mostly idle; join it before training."""

    def work() -> None:
        try:
            import r1_trainer.bc  # noqa: F401
            import r1_trainer.trainer  # noqa: F401
        except Exception:  # the main thread's own import reports it
            pass

    thread = threading.Thread(target=work, name="import-training-libraries", daemon=True)
    thread.start()
    return thread


def quiet_library_progress() -> None:
    """Turn off the libraries' own sub-second progress bars (loading and saving the tiny model,
    TRL's dataset preparation): each stage shows its own bar instead."""
    import datasets
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()  # also huggingface_hub's
    datasets.disable_progress_bars()


class _DropMessages(logging.Filter):
    """A logging filter that drops the records whose message matches a pattern."""

    def __init__(self, pattern: str) -> None:
        super().__init__()
        self.pattern = re.compile(pattern)

    def filter(self, record: logging.LogRecord) -> bool:
        return not self.pattern.search(record.getMessage())


def _bar(total: int, desc: str, unit: str) -> Any:
    """A tqdm bar on stderr: count, rate and time left (tqdm comes with transformers)."""
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit=unit, dynamic_ncols=True, mininterval=0.5,
                file=sys.stderr, leave=False)


def _write(line: str) -> None:
    """Print a line on stdout above the progress bar."""
    from tqdm import tqdm

    tqdm.write(line, file=sys.stdout)
    sys.stdout.flush()


def bc_log_line(step: int, max_steps: int, logs: Mapping[str, Any]) -> str:
    """``  bc step 20/180  loss 2.41  lr 4.9e-03  token accuracy 0.52``."""
    line = f"  bc step {step}/{max_steps}  loss {logs['loss']:.2f}"
    if "learning_rate" in logs:
        line += f"  lr {logs['learning_rate']:.1e}"
    if "mean_token_accuracy" in logs:
        line += f"  token accuracy {logs['mean_token_accuracy']:.2f}"
    return line


def rl_log_line(step: int, max_steps: int, logs: Mapping[str, Any]) -> str:
    """``  rl step 1/3  reward 0.00  success 0.00  interactions 4.0  parse errors 0.19 ...``."""
    line = f"  rl step {step}/{max_steps}"
    for key, label, fmt in (("reward", "reward", ".2f"), ("success_rate", "success", ".2f"),
                            ("interactions", "interactions", ".1f"),
                            ("parse_error_rate", "parse errors", ".2f"),
                            ("trajectory_tokens", "tokens", ".0f"), ("loss", "loss", ".3f"),
                            ("kl", "kl", ".4f"), ("clip_fraction", "clip", ".3f")):
        if isinstance(logs.get(key), (int, float)):
            line += f"  {label} {logs[key]:{fmt}}"
    return line


def progress_callback(desc: str, line: Callable[[int, int, Mapping[str, Any]], str]) -> Any:
    """A transformers ``TrainerCallback``: a tqdm bar over the optimizer steps and one compact
    line per logging step (``line(step, max_steps, logs)``) in place of the log dicts."""
    from transformers import TrainerCallback

    class TrainingProgress(TrainerCallback):
        def __init__(self) -> None:
            self.bar: Any = None

        def on_train_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
            if state.is_world_process_zero:
                self.bar = _bar(state.max_steps, desc, "step")
                self.bar.update(state.global_step)

        def on_step_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
            if self.bar is not None:
                self.bar.update(state.global_step - self.bar.n)

        def on_log(self, args: Any, state: Any, control: Any, logs: dict[str, Any] | None = None,
                   **kwargs: Any) -> None:
            # the end-of-training summary (train_runtime, train_loss) is the stage's own line
            if self.bar is not None and logs and "loss" in logs and "train_runtime" not in logs:
                _write(line(state.global_step, state.max_steps, logs))

        def on_train_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
            if self.bar is not None:
                self.bar.close()
                self.bar = None

    return TrainingProgress()


@contextmanager
def stage(name: str, key: str, seconds: dict[str, float], cpu: dict[str, float]) -> Iterator[None]:
    """Print the stage's header; record its wall and CPU seconds under ``key``."""
    print(f"\n== {name}", flush=True)
    wall, used = time.perf_counter(), cpu_seconds()
    yield
    seconds[key] = time.perf_counter() - wall
    cpu[key] = cpu_seconds() - used


def _positive(kind: Callable[[str], Any]) -> Callable[[str], Any]:
    def parse(text: str) -> Any:
        value = kind(text)
        if value <= 0:
            raise argparse.ArgumentTypeError(f"{text}: give a number above 0")
        return value

    parse.__name__ = kind.__name__  # argparse names the type in its errors
    return parse


def build_parser() -> argparse.ArgumentParser:
    """The demo's flags (the shared vocabulary of :mod:`webarena_gym.commandline`)."""
    parser = argparse.ArgumentParser(prog=PROG, description=(
        "The main job end to end on this CPU, offline: oracle demonstrations -> behaviour "
        "cloning of the tiny model -> M-GRPO -> evaluation of both models."))
    count, amount = _positive(int), _positive(float)
    parser.add_argument("--out", default="runs/demo", help="the run folder")
    parser.add_argument("--demo-tasks", type=count, default=64,
                        help="train tasks the oracle solves: the BC demonstrations")
    parser.add_argument("--bc-epochs", type=amount, default=8.0, help="behaviour cloning epochs")
    parser.add_argument("--max-steps", type=count, default=3, help="M-GRPO optimizer steps")
    parser.add_argument("--num-generations", type=count, default=2, help="rollouts per task, G")
    parser.add_argument("--tasks-per-step", type=count, default=2, help="tasks per M-GRPO step, K")
    parser.add_argument("--max-episode-steps", type=count, default=4,
                        help="actions per M-GRPO episode")
    parser.add_argument("--eval-per-site", type=count, default=2, help="test tasks per site group")
    parser.add_argument("--eval-max-episode-steps", type=count, default=6,
                        help="actions per evaluation episode")
    parser.add_argument("--max-new-tokens", type=count, default=64,
                        help="tokens generated per turn")
    parser.add_argument("--learning-rate", type=amount, default=1e-5,
                        help="M-GRPO's learning rate")
    parser.add_argument("--num-envs", type=count, default=4,
                        help="episodes run at once (demonstrations and evaluation)")
    parser.add_argument("--threads", type=int, default=1,
                        help="torch CPU threads of the RL and eval stages, which share the CPU "
                             "with Chromium (1 is fastest there for the tiny model)")
    parser.add_argument("--bc-threads", type=int, default=0,
                        help="torch CPU threads of behaviour cloning (0: one per core that "
                             "other jobs leave idle)")
    parser.add_argument("--no-thinking", action="store_true", help="the action-only format")
    add_debug(parser)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the demo; print the table, the run folder, its figure and what to try next."""
    args = build_parser().parse_args(argv)
    out = Path(args.out)
    thinking = not args.no_thinking
    print(f"{PROG}: oracle demos -> behaviour cloning -> M-GRPO -> evaluation of the tiny "
          f"model, offline on this CPU (4-5 minutes on 2 cores) -> {out}", flush=True)

    from r1_trainer.models import require_train_extra

    require_train_extra()  # before minutes of demonstrations, not after
    quiet_library_noise()
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    cpu_start = cpu_seconds()
    seconds: dict[str, float] = {}
    cpu: dict[str, float] = {}
    importing = import_training_libraries()

    with stage(f"1/4 oracle demonstrations on {args.demo_tasks} train tasks", "demos",
               seconds, cpu):
        from webarena_gym.sandbox.demonstrations import write_demos
        from webarena_gym.sandbox.templates import load_split

        tasks = load_split("train", n=args.demo_tasks, seed=0)
        demos = out / "demos.jsonl"
        bar = _bar(len(tasks), "demos", "task")
        done = {"solved": 0}

        def demo_written(trajectory: Any) -> None:
            done["solved"] += trajectory.reward == 1.0
            bar.set_postfix(solved=done["solved"], refresh=False)
            bar.update(1)

        try:
            _count, solved = write_demos("train", demos, tasks=tasks, max_episode_steps=15,
                                         num_envs=args.num_envs, progress=demo_written)
        finally:
            bar.close()
    print(f"{solved}/{len(tasks)} solved -> {demos} ({seconds['demos']:.0f} s)")

    with stage("2/4 behaviour cloning of the tiny model (TRL SFTTrainer)", "bc", seconds, cpu):
        importing.join()
        import torch

        from r1_trainer.bc import BCConfig, train_bc

        quiet_library_progress()
        cpu_only = not torch.cuda.is_available()
        if cpu_only:
            threads, why = bc_thread_count(args.bc_threads)
            torch.set_num_threads(threads)
            print(f"{threads} torch thread{'s' * (threads > 1)} ({why})", flush=True)
        # a line every tenth of the training; no memory to pin without a GPU (torch warns)
        bc_dir = train_bc("tiny", demos, out / "bc",
                          config=BCConfig(thinking=thinking, num_train_epochs=args.bc_epochs,
                                          logging_steps=0.1, disable_tqdm=True,
                                          dataloader_pin_memory=not cpu_only),
                          progress_callback=progress_callback("bc", bc_log_line))
    bc_run = json.loads((Path(bc_dir) / "r1_trainer.json").read_text())
    print(f"BC: {bc_run.get('rows')} rows, train loss {bc_run.get('train_loss', 0):.3f} -> "
          f"{bc_dir} ({seconds['bc']:.0f} s)")

    with stage(f"3/4 M-GRPO: {args.max_steps} steps x {args.tasks_per_step} tasks x "
               f"{args.num_generations} rollouts (TRL GRPOTrainer)", "rl", seconds, cpu):
        from r1_trainer.plots import plot_training_dynamics
        from r1_trainer.trainer import train_rl

        if cpu_only and args.threads > 0:
            torch.set_num_threads(args.threads)
        rl_dir = train_rl(
            bc_dir, out / "rl", num_generations=args.num_generations,
            tasks_per_step=args.tasks_per_step, tasks_per_micro_batch=0,
            max_episode_steps=args.max_episode_steps,
            max_completion_length=args.max_new_tokens, max_steps=args.max_steps,
            learning_rate=args.learning_rate, save_strategy="steps", save_steps=args.max_steps,
            thinking=thinking, disable_tqdm=True, dataloader_pin_memory=not cpu_only,
            progress_callback=progress_callback("M-GRPO", rl_log_line),
        )
        metrics = [json.loads(line) for line in (Path(rl_dir) / "metrics.jsonl").open()
                   if '"reward"' in line]
        try:
            figure: Path | None = plot_training_dynamics(rl_dir)
        except ImportError as exc:
            figure = None
            print(f"(no figure: {exc})")
    print(f"RL model -> {rl_dir} ({seconds['rl']:.0f} s)")

    configs = eval_slice(args.eval_per_site)
    with stage(f"4/4 evaluation of both models on {len(configs)} test tasks (greedy, "
               f"{args.eval_max_episode_steps} actions)", "eval", seconds, cpu):
        from r1_trainer.evaluate import evaluate_policy, write_reports
        from r1_trainer.hf_policy import HFPolicy

        reports = []
        for label, path in (("BC", bc_dir), ("BC+M-GRPO", rl_dir)):
            policy = HFPolicy(path, thinking=thinking, max_new_tokens=args.max_new_tokens,
                              temperature=0.0, name=f"tiny {label}")
            bar = _bar(len(configs), f"eval {label}", "task")
            try:
                report = evaluate_policy(policy, configs, split="test",
                                         max_episode_steps=args.eval_max_episode_steps,
                                         num_envs=args.num_envs, thinking=thinking,
                                         progress=lambda _episode, bar=bar: bar.update(1))
            finally:
                bar.close()
            reports.append(report)
            print(f"  tiny {label}: success {100 * report.success_rate:.1f}%, parse errors "
                  f"{100 * report.parse_error_rate:.1f}%", flush=True)
        write_reports(reports, str(out / "eval.json"))

    from r1_trainer.evaluate import markdown_table

    total = time.perf_counter() - started
    total_cpu = cpu_seconds() - cpu_start
    table = markdown_table(reports)
    (out / "demo.json").write_text(json.dumps({
        "seconds": seconds, "total_seconds": total, "cpu_seconds": cpu,
        "total_cpu_seconds": total_cpu, "rl_metrics": metrics, "table": table}, indent=1))
    print("\n" + table)
    print(f"\nrun folder: {out.resolve()}")
    if figure is not None:
        print(f"training figure: {figure.resolve()}")
    print("time: " + ", ".join(f"{k} {v:.0f} s" for k, v in seconds.items())
          + f"; total {total:.0f} s (CPU {total_cpu:.0f} s: "
          + ", ".join(f"{k} {v:.0f}" for k, v in cpu.items()) + ")")
    print(NEXT, flush=True)
    return 0


if __name__ == "__main__":  # flags of earlier versions renamed, an error in one line
    raise SystemExit(run_command(main, None, PROG))
