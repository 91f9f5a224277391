"""The ``r1-train`` command: behaviour cloning, M-GRPO, evaluation and the training figure.

    r1-train bc   --model Qwen/Qwen2.5-3B-Instruct --demos demos.jsonl --output-dir runs/bc
    r1-train rl   --model runs/bc --env WebArenaSandbox-v0 --num-generations 4 \\
                  --tasks-per-step 16 --max-turns 15 --output-dir runs/rl --steps 100
    r1-train rl   --model runs/bc ... --output-dir runs/rl --steps 200 --resume-from-checkpoint
    r1-train eval --model runs/rl --split test --max-turns 30
    r1-train eval --model runs/rl --env WebArenaLite-v0 --tasks lite.json --num-envs 1
    r1-train plot --run runs/rl

The paper's variants:

* **WebAgent-R1** (``--variant r1``, the default): BC, then RL from the BC checkpoint
  (``rl --model runs/bc``);
* **R1-Zero** (``rl --variant r1-zero --model <base model>``): RL straight from the base model;
* **R1-CoT** (``bc --variant r1-cot --demos <long-reasoning demos>``): BC on demonstrations with
  long chains of thought (thinking format), then RL as for R1;
* ``--thinking / --no-thinking``: the ``<think>..</think><answer>..</answer>`` prompt or the
  action alone (default: what the model was behaviour-cloned with);
* ``eval --max-turns 15,30,50``: test-time scaling by the number of interactions.

Multi-GPU: ``accelerate launch --config_file configs/zero3.yaml -m r1_trainer.cli rl ...``
(or ``configs/fsdp.yaml``).

WebArena-Lite (``--env WebArenaLite-v0``): episodes run on the user's live WebArena sites, which
all rollouts and episodes share. ``rl`` refuses G > 1 on tasks that change site state
(``require_reset`` or a ``program_html`` check) unless ``--sites-reset`` says that the
deployment resets or isolates the sites between rollouts; ``eval`` of such tasks wants
``--num-envs 1`` and sites reset as WebArena prescribes.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from r1_trainer.models import (
    BC_LEARNING_RATE,
    BC_LEARNING_RATE_TINY,
    DTYPE_NAMES,
    RL_LEARNING_RATE,
)
from r1_trainer.runs import LAST_CHECKPOINT, RUN_FILE, recorded_thinking, run_settings

VARIANTS_BC = ("r1", "r1-cot")
VARIANTS_RL = ("r1", "r1-zero", "r1-cot")
SANDBOX_ENV, LITE_ENV = "WebArenaSandbox-v0", "WebArenaLite-v0"
SHARED_SITES_NOTE = (
    "WebArenaLite-v0 runs on your live WebArena sites, shared by every rollout and episode: "
    "tasks that change site state (require_reset, program_html) see each other's writes")


def _thinking_of(args: argparse.Namespace) -> bool:
    """``--thinking/--no-thinking``, else the format the model was trained with, else True."""
    if args.thinking is not None:
        return bool(args.thinking)
    return recorded_thinking(args.model)


# ------------------------------------------------------------------------------------------------
# bc
# ------------------------------------------------------------------------------------------------


def cmd_bc(args: argparse.Namespace) -> int:
    """Behaviour cloning on trajectory JSONL files (``webarena-gym demos`` writes them)."""
    from r1_trainer.bc import BCConfig, train_bc
    from r1_trainer.models import LoraSettings

    thinking = True if args.thinking is None else bool(args.thinking)
    if args.variant == "r1-cot" and not thinking:
        raise SystemExit("--variant r1-cot trains long reasoning: it needs the thinking format")
    config = BCConfig(
        thinking=thinking,
        only_successful=not args.all_trajectories,
        max_rows=args.max_rows,
        lora=LoraSettings(r=args.lora_r) if args.lora else None,
        learning_rate=args.lr,
        dtype=args.dtype,
        num_train_epochs=args.epochs,
        max_steps=args.max_steps,
        per_device_train_batch_size=args.batch_size,
        gradient_accumulation_steps=args.grad_accum,
        seed=args.seed,
        sft={"report_to": args.report_to, "resume_from_checkpoint": args.resume_from_checkpoint,
             **({"save_strategy": "steps", "save_steps": args.save_steps}
                if args.save_steps > 0 else {})},
    )
    out = train_bc(args.model, args.demos, args.output_dir, config=config)
    run_file = Path(out) / RUN_FILE
    run = json.loads(run_file.read_text()) if run_file.is_file() else {}
    run["variant"] = args.variant
    run_file.write_text(json.dumps(run, indent=1, default=str) + "\n")
    print(f"BC ({args.variant}) model saved to {out}")
    return 0


# ------------------------------------------------------------------------------------------------
# rl
# ------------------------------------------------------------------------------------------------


def cmd_rl(args: argparse.Namespace) -> int:
    """M-GRPO on the sandbox (or WebArena-Lite) from a BC checkpoint (R1) or a base model
    (R1-Zero)."""
    from r1_trainer.models import LoraSettings
    from r1_trainer.trainer import MGRPOTrainerConfig, train_rl

    start = run_settings(args.model)
    stage = start.get("stage")
    if args.variant in ("r1", "r1-cot") and stage not in ("bc", "rl"):
        print(f"note: {args.model} is no BC checkpoint of r1-train (its r1_trainer.json says "
              f"stage={stage}); WebAgent-R1 starts RL from BC. Use --variant r1-zero to train "
              "the base model on purpose.", file=sys.stderr)
    if args.variant == "r1-zero" and stage == "bc":
        raise SystemExit(f"--variant r1-zero starts RL from the base model, but {args.model} "
                         "is a BC checkpoint; pass the base model instead")
    config = MGRPOTrainerConfig(**rl_config_kwargs(args))
    out = train_rl(args.model, args.output_dir, config=config, env=args.env, sites=args.sites,
                   tasks_file=args.tasks,
                   lora=LoraSettings(r=args.lora_r) if args.lora else None)
    run_file = Path(out) / RUN_FILE
    if run_file.is_file():
        run = json.loads(run_file.read_text())
        run["variant"] = args.variant
        run_file.write_text(json.dumps(run, indent=1, default=str) + "\n")
    print(f"RL ({args.variant}) model saved to {out}; metrics in {Path(out) / 'metrics.jsonl'}")
    return 0


def rl_config_kwargs(args: argparse.Namespace) -> dict[str, Any]:
    """The :class:`~r1_trainer.trainer.MGRPOTrainerConfig` fields that ``r1-train rl``'s flags
    set; a flag left unset leaves the config's own default."""
    kwargs: dict[str, Any] = dict(
        output_dir=args.output_dir,
        num_generations=args.num_generations,
        tasks_per_step=args.tasks_per_step,
        tasks_per_micro_batch=args.tasks_per_micro_batch,
        max_turns=args.max_turns,
        max_completion_length=args.max_new_tokens,
        max_steps=args.steps,
        beta=args.beta,
        epsilon=args.epsilon,
        thinking=args.thinking,
        compress=args.compress,
        max_prompt_tokens=args.max_prompt_tokens,
        save_strategy="steps" if args.save_steps > 0 else "no",
        save_steps=max(1, args.save_steps),
        report_to=args.report_to,
        seed=args.seed,
        data_seed_sandbox=args.data_seed,
        dtype=args.dtype,
        sites_reset=args.sites_reset,
        resume_from_checkpoint=args.resume_from_checkpoint,
    )
    if args.use_vllm:
        kwargs.update(use_vllm=True, vllm_mode=args.vllm_mode)
    optional = {"learning_rate": args.lr, "temperature": args.temperature,
                "gradient_checkpointing": args.gradient_checkpointing}
    kwargs.update({k: v for k, v in optional.items() if v is not None})
    return kwargs


# ------------------------------------------------------------------------------------------------
# eval
# ------------------------------------------------------------------------------------------------


def cmd_eval(args: argparse.Namespace) -> int:
    """Success rate (overall and per site), interactions, response length, parse errors: the
    baselines table of ``benchmarks/baselines.py``, for a local model."""
    from r1_trainer.evaluate import evaluate_policy, markdown_table, write_reports
    from r1_trainer.hf_policy import HFPolicy

    thinking = _thinking_of(args)
    budgets = [int(x) for x in str(args.max_turns).split(",") if x.strip()]
    configs, split, env_kwargs = eval_tasks(args)
    policy = HFPolicy(args.model, thinking=thinking, max_new_tokens=args.max_new_tokens,
                      temperature=args.temperature, name=args.name, dtype=args.dtype)
    reports = []
    for budget in budgets:
        report = evaluate_policy(policy, configs, split=split, max_steps=budget,
                                 num_envs=args.num_envs, thinking=thinking, seed=args.seed,
                                 env=args.env, env_kwargs=env_kwargs)
        print(f"{policy.name} max_turns={budget}: {100 * report.success_rate:.1f}% of "
              f"{len(configs)} tasks in {report.seconds:.0f} s", file=sys.stderr)
        reports.append(report)
    print(markdown_table(reports))
    if args.out:
        write_reports(reports, args.out)
        print(f"episodes written to {args.out}", file=sys.stderr)
    return 0


def eval_tasks(args: argparse.Namespace) -> tuple[list[dict[str, Any]], str, dict[str, Any]]:
    """The tasks ``r1-train eval`` runs: ``(configs, split name, env arguments)``.

    Sandbox: the ``--split`` (of ``--sites``). ``WebArenaLite-v0``: the configs of ``--tasks``
    (else ``WEBARENA_LITE_CONFIG`` or the ``browsergym-webarenalite`` package's), of
    ``--sites``, the first ``--n``; a note on stderr when tasks that change site state would
    run side by side (``--num-envs`` > 1).
    """
    if args.env == SANDBOX_ENV:
        if args.tasks is not None:
            raise SystemExit("--tasks is for --env WebArenaLite-v0; the sandbox takes --split")
        from webarena_gym.sandbox.tasks import load_split

        n = args.n if args.n is not None or args.split != "train" else 100
        return load_split(args.split, sites=args.sites, seed=args.seed, n=n), args.split, {}
    from r1_trainer.evaluate import tasks_changing_sites
    from webarena_gym.tasks import load_task_configs, webarena_lite_config_path

    path = webarena_lite_config_path(args.tasks)
    configs = [t.to_dict() for t in load_task_configs(path)]
    if args.sites:
        configs = [c for c in configs if set(c.get("sites") or []) <= set(args.sites)]
    configs = configs[:args.n] if args.n is not None else configs
    if not configs:
        raise SystemExit(f"no tasks in {path} for sites {args.sites}")
    writers = tasks_changing_sites(configs)
    if writers and args.num_envs > 1:
        print(f"note: {SHARED_SITES_NOTE}; {len(writers)} of these tasks do "
              f"({', '.join(writers[:8])}{' ...' if len(writers) > 8 else ''}): run them with "
              "--num-envs 1 on sites reset as WebArena prescribes", file=sys.stderr)
    return configs, Path(path).stem, {"config_path": str(path)}


# ------------------------------------------------------------------------------------------------
# plot
# ------------------------------------------------------------------------------------------------


def cmd_plot(args: argparse.Namespace) -> int:
    """The training-dynamics figure of an RL run."""
    from r1_trainer.plots import plot_training_dynamics

    path = plot_training_dynamics(args.run, args.out, smooth=args.smooth)
    print(path)
    return 0


# ------------------------------------------------------------------------------------------------
# parser
# ------------------------------------------------------------------------------------------------


def _thinking_flag(p: argparse.ArgumentParser) -> None:
    p.add_argument("--thinking", action=argparse.BooleanOptionalAction, default=None,
                   help="the <think>..</think><answer>..</answer> prompt (--no-thinking: the "
                        "action alone); default: the model's own (its r1_trainer.json), else on")


def _dtype_flag(p: argparse.ArgumentParser, *, training: bool) -> None:
    what = ("auto: fp32 weights, with bf16 autocast on a GPU that has it (bfloat16: bf16 "
            "weights, less memory, small updates lost)" if training else
            "auto: bf16 on a GPU that has it, else fp32")
    p.add_argument("--dtype", default="auto", choices=DTYPE_NAMES, help=f"the weights' dtype; {what}")


def _resume_flag(p: argparse.ArgumentParser) -> None:
    p.add_argument("--resume-from-checkpoint", nargs="?", const=LAST_CHECKPOINT, default=None,
                   metavar="CHECKPOINT",
                   help="resume from a checkpoint-* folder (no value: the latest in "
                        "--output-dir); metrics.jsonl and rollouts.jsonl go on from it")


def build_parser() -> argparse.ArgumentParser:
    """The ``r1-train`` argument parser (every subcommand)."""
    parser = argparse.ArgumentParser(
        prog="r1-train", description="WebAgent-R1: behaviour cloning and M-GRPO for web agents")
    sub = parser.add_subparsers(dest="command", required=True)

    bc = sub.add_parser("bc", help="behaviour cloning on expert trajectories (TRL SFTTrainer)")
    bc.add_argument("--model", required=True, help="tiny, a Hugging Face name, or a folder")
    bc.add_argument("--demos", required=True, nargs="+",
                    help="trajectory JSONL file(s) from `webarena-gym demos`")
    bc.add_argument("--output-dir", required=True)
    bc.add_argument("--variant", choices=VARIANTS_BC, default="r1",
                    help="r1: the demos as they are; r1-cot: demos with long reasoning "
                         "(recorded; needs the thinking format)")
    _thinking_flag(bc)
    bc.add_argument("--epochs", type=float, default=3.0)
    bc.add_argument("--max-steps", type=int, default=-1, help="optimizer steps (-1: epochs)")
    bc.add_argument("--lr", type=float, default=None,
                    help=f"learning rate (default {BC_LEARNING_RATE_TINY:g} for the tiny preset, "
                         f"{BC_LEARNING_RATE:g} otherwise)")
    _dtype_flag(bc, training=True)
    bc.add_argument("--batch-size", type=int, default=4)
    bc.add_argument("--grad-accum", type=int, default=1)
    bc.add_argument("--max-rows", type=int, default=None)
    bc.add_argument("--all-trajectories", action="store_true",
                    help="also imitate failed trajectories")
    bc.add_argument("--lora", action="store_true", help="train a LoRA adapter (merged on save)")
    bc.add_argument("--lora-r", type=int, default=16)
    bc.add_argument("--report-to", default="none", help="tensorboard, wandb, ... (none)")
    bc.add_argument("--save-steps", type=int, default=0,
                    help="checkpoint every N steps (0: only the final model)")
    _resume_flag(bc)
    bc.add_argument("--seed", type=int, default=0)
    bc.set_defaults(func=cmd_bc)

    rl = sub.add_parser("rl", help="M-GRPO: multi-turn RL on the vector env (TRL GRPOTrainer)")
    rl.add_argument("--model", required=True,
                    help="the BC checkpoint (R1), or the base model (R1-Zero)")
    rl.add_argument("--env", default=SANDBOX_ENV, choices=[SANDBOX_ENV, LITE_ENV],
                    help=f"the sandbox (a tenant per rollout), or {SHARED_SITES_NOTE}")
    rl.add_argument("--sites", nargs="*", default=None, help="train on tasks of these sites")
    rl.add_argument("--tasks", default=None,
                    help="WebArena task configs (JSON file or folder) to train on (default for "
                         "WebArenaLite-v0: WEBARENA_LITE_CONFIG or browsergym-webarenalite's)")
    rl.add_argument("--sites-reset", action="store_true",
                    help="WebArenaLite-v0: your deployment resets (or isolates) the sites between "
                         "the rollouts of a task; without it G > 1 is refused on tasks that "
                         "change site state")
    rl.add_argument("--variant", choices=VARIANTS_RL, default="r1",
                    help="r1 / r1-cot: RL from a BC checkpoint; r1-zero: from the base model")
    _thinking_flag(rl)
    rl.add_argument("--num-generations", type=int, default=4, help="G, rollouts per task")
    rl.add_argument("--tasks-per-step", type=int, default=16, help="K, tasks per optimizer step")
    rl.add_argument("--tasks-per-micro-batch", type=int, default=1,
                    help="tasks per loss micro-batch (gradient accumulation; 0: all at once)")
    rl.add_argument("--max-turns", type=int, default=15, help="interactions per episode")
    rl.add_argument("--max-new-tokens", type=int, default=1024, help="tokens per turn")
    rl.add_argument("--max-prompt-tokens", type=int, default=None,
                    help="cut the current page to fit (default: the model's budget)")
    rl.add_argument("--steps", type=int, default=100, help="optimizer steps")
    rl.add_argument("--lr", type=float, default=None,
                    help=f"learning rate (default {RL_LEARNING_RATE:g}, the paper's)")
    _dtype_flag(rl, training=True)
    rl.add_argument("--gradient-checkpointing", action=argparse.BooleanOptionalAction,
                    default=None, help="recompute activations in the backward pass (default: on "
                    "on a GPU, unless FSDP's own activation checkpointing is on)")
    rl.add_argument("--beta", type=float, default=0.001, help="KL weight to the reference")
    rl.add_argument("--epsilon", type=float, default=0.2, help="clip range")
    rl.add_argument("--temperature", type=float, default=None, help="sampling (default 1.0)")
    rl.add_argument("--compress", action=argparse.BooleanOptionalAction, default=True,
                    help="dynamic context compression (--no-compress keeps every page)")
    rl.add_argument("--save-steps", type=int, default=50, help="checkpoint every N steps (0: none)")
    _resume_flag(rl)
    rl.add_argument("--lora", action="store_true", help="train a LoRA adapter")
    rl.add_argument("--lora-r", type=int, default=16)
    rl.add_argument("--use-vllm", action="store_true", help="generate with vLLM (GPU)")
    rl.add_argument("--vllm-mode", default="colocate", choices=["colocate", "server"])
    rl.add_argument("--report-to", default="none", help="tensorboard, wandb, ... (none)")
    rl.add_argument("--seed", type=int, default=0)
    rl.add_argument("--data-seed", type=int, default=0, help="the sandbox's site-data seed")
    rl.add_argument("--output-dir", required=True)
    rl.set_defaults(func=cmd_rl)

    ev = sub.add_parser("eval", help="success rate of a model on a sandbox split or on "
                                     "WebArena-Lite tasks (the baselines table)")
    ev.add_argument("--model", required=True, help="tiny, a Hugging Face name, or a folder")
    ev.add_argument("--env", default=SANDBOX_ENV, choices=[SANDBOX_ENV, LITE_ENV],
                    help=f"the sandbox's --split, or WebArena-Lite configs ({SHARED_SITES_NOTE}: "
                         "run those with --num-envs 1)")
    ev.add_argument("--tasks", default=None,
                    help="WebArenaLite-v0: task configs (JSON file or folder; default "
                         "WEBARENA_LITE_CONFIG or browsergym-webarenalite's 165)")
    ev.add_argument("--split", default="test", choices=["train", "test", "test_unseen"],
                    help="the sandbox split")
    ev.add_argument("--sites", nargs="*", default=None)
    ev.add_argument("--n", type=int, default=None, help="at most this many tasks")
    ev.add_argument("--max-turns", default="30",
                    help="interaction budget(s), comma-separated (test-time scaling: 15,30,50)")
    _thinking_flag(ev)
    ev.add_argument("--max-new-tokens", type=int, default=1024)
    ev.add_argument("--temperature", type=float, default=0.0, help="0: greedy")
    ev.add_argument("--num-envs", type=int, default=4, help="episodes run at once")
    ev.add_argument("--seed", type=int, default=0, help="the sandbox's site-data seed")
    _dtype_flag(ev, training=False)
    ev.add_argument("--name", default=None, help="the row's name in the table")
    ev.add_argument("--out", default=None, help="write every episode to this JSON file")
    ev.set_defaults(func=cmd_eval)

    pl = sub.add_parser("plot", help="the training-dynamics figure of an RL run")
    pl.add_argument("--run", required=True, help="the run folder (holding metrics.jsonl)")
    pl.add_argument("--out", default=None, help="PNG path (default <run>/training_dynamics.png)")
    pl.add_argument("--smooth", type=int, default=None, help="moving-average window in steps")
    pl.set_defaults(func=cmd_plot)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``r1-train`` with ``argv`` (default: the process's arguments)."""
    args = build_parser().parse_args(list(argv) if argv is not None else None)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
