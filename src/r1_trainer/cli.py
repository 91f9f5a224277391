"""The ``r1-train`` command: behaviour cloning, M-GRPO, evaluation and the training figure.

    r1-train bc   --model Qwen/Qwen2.5-3B-Instruct --demos demos.jsonl --output-dir runs/bc
    r1-train rl   --model runs/bc --env WebArenaSandbox-v0 --num-generations 4 \\
                  --tasks-per-step 16 --max-episode-steps 15 --output-dir runs/rl --max-steps 100
    r1-train rl   --config rl.yaml --model runs/bc --output-dir runs/rl   # flags win over the file
    r1-train rl   --model runs/bc ... --output-dir runs/rl --max-steps 200 --resume-from-checkpoint
    r1-train eval --model runs/rl --split test --max-episode-steps 30
    r1-train eval --model runs/rl --env WebArenaLite-v0 --tasks lite.json --num-envs 1
    r1-train plot --run runs/rl

``bc``, ``rl`` and ``eval`` are generated from their dataclasses (:mod:`r1_trainer.config`) with
TRL's ``TrlParser`` (transformers' ``HfArgumentParser`` plus ``--config FILE.yaml``), as TRL's
own scripts are: every field of :class:`~r1_trainer.bc.BCConfig` (TRL's ``SFTConfig``),
:class:`~r1_trainer.trainer.MGRPOTrainerConfig` (TRL's ``GRPOConfig``) and the script arguments
is a flag (``--max_episode_steps`` or ``--max-episode-steps``) with its help; ``r1-train <command> --help`` lists
them. A command's parser is built only when the command runs, so ``r1-train --help`` and
:func:`build_parser` import no torch.

The paper's variants:

* **WebAgent-R1** (``--variant r1``, the default): BC, then RL from the BC checkpoint
  (``rl --model runs/bc``);
* **R1-Zero** (``rl --variant r1-zero --model <base model>``): RL straight from the base model;
* **R1-CoT** (``bc --variant r1-cot --demos <long-reasoning demos>``): BC on demonstrations with
  long chains of thought (thinking format), then RL as for R1;
* ``--thinking / --no-thinking``: the ``<think>..</think><answer>..</answer>`` prompt or the
  action alone (default: what the model was behaviour-cloned with);
* ``eval --max-episode-steps 15,30,50``: test-time scaling by the number of interactions.

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
import dataclasses
import json
import os
import sys
import typing
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from r1_trainer.config import (
    SANDBOX_ENV,
    SHARED_SITES_NOTE,
    BCArguments,
    EvalArguments,
    LoraArguments,
    RLArguments,
)
from r1_trainer.evaluate import (
    evaluate_policy,
    markdown_table,
    tasks_changing_sites,
    write_reports,
)
from r1_trainer.plots import plot_training_dynamics
from r1_trainer.runs import LAST_CHECKPOINT, RUN_FILE, recorded_thinking, run_settings
from webarena_gym.commandline import RENAMED, add_debug, rename_flags, run_command
from webarena_gym.sandbox.templates import load_split
from webarena_gym.tasks import load_task_configs, webarena_lite_config_path

if TYPE_CHECKING:
    from trl import TrlParser

    from r1_trainer.bc import BCConfig
    from r1_trainer.trainer import MGRPOTrainerConfig


# ------------------------------------------------------------------------------------------------
# bc
# ------------------------------------------------------------------------------------------------


def cmd_bc(script: BCArguments, config: BCConfig, lora: LoraArguments) -> int:
    """Behaviour cloning on trajectory JSONL files (``webarena-gym demos`` writes them)."""
    # Lazy: imports torch (the train extra), which `r1-train --help` and plot must not
    from r1_trainer.bc import train_bc

    if script.variant == "r1-cot" and not config.thinking:
        raise SystemExit("--variant r1-cot trains long reasoning: it needs the thinking format "
                         "(drop --no-thinking)")
    out = train_bc(script.model, script.demos, config.output_dir, config=config,
                   lora=lora.settings())
    _record_arguments(out, script, lora)
    print(f"BC ({script.variant}) model saved to {out}")
    return 0


# ------------------------------------------------------------------------------------------------
# rl
# ------------------------------------------------------------------------------------------------


def cmd_rl(script: RLArguments, config: MGRPOTrainerConfig, lora: LoraArguments) -> int:
    """M-GRPO on the sandbox (or WebArena-Lite) from a BC checkpoint (R1) or a base model
    (R1-Zero)."""
    # Lazy: imports torch (the train extra), which `r1-train --help` and plot must not
    from r1_trainer.trainer import train_rl

    stage = run_settings(script.model).get("stage")
    if script.variant in ("r1", "r1-cot") and stage not in ("bc", "rl"):
        print(f"note: {script.model} is no BC checkpoint of r1-train (its r1_trainer.json says "
              f"stage={stage}); WebAgent-R1 starts RL from BC. Use --variant r1-zero to train "
              "the base model on purpose.", file=sys.stderr)
    if script.variant == "r1-zero" and stage == "bc":
        raise SystemExit(f"--variant r1-zero starts RL from the base model, but {script.model} "
                         "is a BC checkpoint; pass the base model instead")
    out = train_rl(script.model, config.output_dir, config=config, env=script.env_id,
                   sites=script.sites, tasks_file=script.tasks, lora=lora.settings())
    _record_arguments(out, script, lora)
    print(f"RL ({script.variant}) model saved to {out}; metrics in {Path(out) / 'metrics.jsonl'}")
    return 0


def _record_arguments(output_dir: str | os.PathLike[str], *arguments: Any) -> None:
    """Add the script arguments of the command to the run's record (the main process only)."""
    run_file = Path(output_dir) / RUN_FILE
    if int(os.environ.get("RANK", "0")) != 0 or not run_file.is_file():
        return
    run = json.loads(run_file.read_text())
    run["script_arguments"] = {k: v for a in arguments for k, v in dataclasses.asdict(a).items()}
    run_file.write_text(json.dumps(run, indent=1, default=str) + "\n")


# ------------------------------------------------------------------------------------------------
# eval
# ------------------------------------------------------------------------------------------------


def cmd_eval(args: EvalArguments) -> int:
    """Success rate (overall and per site), interactions, response length, parse errors: the
    baselines table of ``benchmarks/baselines.py``, for a local model."""
    # Lazy: imports torch (the train extra), which `r1-train --help` and plot must not
    from r1_trainer.hf_policy import HFPolicy

    thinking = args.thinking if args.thinking is not None else recorded_thinking(args.model)
    configs, split, env_kwargs = eval_tasks(args)
    policy = HFPolicy(args.model, thinking=thinking, max_new_tokens=args.max_new_tokens,
                      temperature=args.temperature, name=args.name, dtype=args.dtype)
    reports = []
    for budget in args.budgets():
        report = evaluate_policy(policy, configs, split=split, max_episode_steps=budget,
                                 num_envs=args.num_envs, thinking=thinking, seed=args.seed,
                                 env=args.env_id, env_kwargs=env_kwargs)
        print(f"{policy.name} max_episode_steps={budget}: {report.headline()} in "
              f"{report.seconds:.0f} s", file=sys.stderr)
        reports.append(report)
    print(markdown_table(reports))
    if args.out:
        write_reports(reports, args.out)
        print(f"episodes written to {args.out}", file=sys.stderr)
    return 0


def eval_tasks(args: EvalArguments) -> tuple[list[dict[str, Any]], str, dict[str, Any]]:
    """The tasks ``r1-train eval`` runs: ``(configs, split name, env arguments)``.

    Sandbox: the ``split`` (of ``sites``). ``WebArenaLite-v0``: the configs of ``tasks``
    (else ``WEBARENA_LITE_CONFIG`` or the ``browsergym-webarenalite`` package's), of
    ``sites``, the first ``n``; a note on stderr when tasks that change site state would
    run side by side (``num_envs`` > 1).
    """
    if args.env_id == SANDBOX_ENV:
        if args.tasks is not None:
            raise SystemExit("--tasks is for --env WebArenaLite-v0; the sandbox takes --split")
        n = args.num_tasks if args.num_tasks is not None or args.split != "train" else 100
        return load_split(args.split, sites=args.sites, seed=args.seed, n=n), args.split, {}
    path = webarena_lite_config_path(args.tasks)
    configs = [t.to_dict() for t in load_task_configs(path)]
    if args.sites:
        configs = [c for c in configs if set(c.get("sites") or []) <= set(args.sites)]
    configs = configs[:args.num_tasks] if args.num_tasks is not None else configs
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
    path = plot_training_dynamics(args.run, args.out, smooth=args.smooth)
    print(path)
    return 0


# ------------------------------------------------------------------------------------------------
# parsers
# ------------------------------------------------------------------------------------------------


def _bc_dataclasses() -> tuple[type, ...]:
    # Lazy: imports torch (the train extra), which `r1-train --help` and plot must not
    from r1_trainer.bc import BCConfig

    return BCArguments, BCConfig, LoraArguments


def _rl_dataclasses() -> tuple[type, ...]:
    # Lazy: imports torch (the train extra), which `r1-train --help` and plot must not
    from r1_trainer.trainer import MGRPOTrainerConfig

    return RLArguments, MGRPOTrainerConfig, LoraArguments


def _eval_dataclasses() -> tuple[type, ...]:
    return (EvalArguments,)


@dataclass(frozen=True)
class Command:
    """A subcommand whose parser is generated from dataclasses (see :func:`command_parser`).

    Attributes:
        help: one line for ``r1-train --help``.
        dataclasses: returns the dataclass types whose instances the command's function takes
            (imported on call: building them may import torch).
        run: the command, called with one instance of each of ``dataclasses``.
        usage: the usage line of its help and its errors (the generated one lists ~200 flags).
        aliases: flags kept from earlier versions of the CLI -> the generated flag they stand for.
        optional_values: field -> (the value its flag takes when given without one, what that
            value means).
        required: fields whose flag must be given (or set by ``--config``).
        defaults: the command's defaults where they differ from the dataclass's.
    """

    help: str
    dataclasses: Callable[[], tuple[type, ...]]
    run: Callable[..., int]
    usage: str
    aliases: Mapping[str, str] = field(default_factory=dict)
    optional_values: Mapping[str, tuple[Any, str]] = field(default_factory=dict)
    required: tuple[str, ...] = ()
    defaults: Mapping[str, Any] = field(default_factory=dict)


_CONFIG_HELP = ("a YAML file of field values (`field: value`, and `env:` for environment "
                "variables); command-line flags win over it")
_TRAINING = dict(optional_values={"resume_from_checkpoint": (
                     LAST_CHECKPOINT, "the latest checkpoint-* folder of --output-dir; its "
                     "metrics.jsonl goes on from that step")},
                 required=("output_dir",))

COMMANDS: dict[str, Command] = {
    "bc": Command(
        help="behaviour cloning on expert trajectories (TRL SFTTrainer; a BCConfig)",
        dataclasses=_bc_dataclasses, run=cmd_bc,
        usage="r1-train bc --model MODEL --demos FILE [FILE ...] --output-dir DIR "
              "[--config FILE.yaml] [--FIELD VALUE ...]",
        aliases={"--all-trajectories": "--no_only_successful"},
        **_TRAINING),
    "rl": Command(
        help="M-GRPO: multi-turn RL on the vector env (TRL GRPOTrainer; an MGRPOTrainerConfig)",
        dataclasses=_rl_dataclasses, run=cmd_rl,
        usage="r1-train rl --model MODEL --output-dir DIR [--config FILE.yaml] "
              "[--FIELD VALUE ...]",
        aliases={"--env": "--env_id", "--max-new-tokens": "--max_completion_length"},
        # the CLI's defaults since its first version: 100 steps, a checkpoint every 50
        defaults={"max_steps": 100, "save_steps": 50},
        **_TRAINING),
    "eval": Command(
        help="success rate of a model on a sandbox split or on WebArena-Lite tasks (the "
             "baselines table)",
        dataclasses=_eval_dataclasses, run=cmd_eval,
        usage="r1-train eval --model MODEL [--config FILE.yaml] [--FIELD VALUE ...]",
        aliases={"--env": "--env_id"}),
}


def command_parser(name: str) -> TrlParser:
    """The parser of ``r1-train <name>`` (``bc``, ``rl``, ``eval``), generated from the
    command's dataclasses with TRL's ``TrlParser`` (transformers' ``HfArgumentParser`` plus
    ``--config FILE.yaml``).

    Every field is a flag with its help (``--max_episode_steps`` and ``--max-episode-steps``); a ``bool``
    field that defaults to None also takes ``--FIELD`` alone (True) and ``--no-FIELD``; the
    command's aliases, optional values, required flags and defaults (:data:`COMMANDS`) apply.
    """
    # Lazy: imports torch (the train extra), which `r1-train --help` and plot must not
    from trl import TrlParser

    command = COMMANDS[name]
    types = command.dataclasses()
    parser = TrlParser(types, prog=f"r1-train {name}", usage=command.usage,
                       description=f"{command.help}. Every field below is a flag, with "
                                   "underscores or dashes (--max_episode_steps, --max-episode-steps).")
    for dtype in types:
        _optional_bool_flags(parser, dtype)
    for dest, const in command.optional_values.items():
        action = _flag(parser, f"--{dest}")
        action.nargs, action.const = "?", const[0]
        action.help = f"{action.help} Given alone: {const[0]} ({const[1]})."
    for dest in command.required:
        _flag(parser, f"--{dest}").required = True
    for alias, target in command.aliases.items():
        _alias(parser, alias, target)
    parser.set_defaults(**command.defaults)
    parser.add_argument("--config", metavar="FILE.yaml", help=_CONFIG_HELP)
    if "--debug" in parser._option_string_actions:
        # transformers' TrainingArguments.debug (its debug modes) owns the flag's name; on the
        # command line --debug is the project's (main strips it: an error shows its traceback),
        # and the modes are set with `debug: ...` in --config.
        action = parser._option_string_actions["--debug"]
        action.help, action.nargs, action.metavar = (
            "show the traceback of an error (transformers' debug modes: `debug:` in --config)",
            0, None)
    else:
        add_debug(parser)
    return parser


def _flag(parser: argparse.ArgumentParser, flag: str) -> argparse.Action:
    try:
        return parser._option_string_actions[flag]
    except KeyError:
        raise KeyError(f"{parser.prog} has no flag {flag}: fix r1_trainer.cli.COMMANDS") from None


def _alias(parser: argparse.ArgumentParser, alias: str, target: str) -> None:
    """Make ``alias`` one more option string of ``target``'s action (shown in its help)."""
    if alias in parser._option_string_actions:
        raise ValueError(f"{parser.prog}: the alias {alias} is already a flag")
    action = _flag(parser, target)
    action.option_strings.append(alias)
    parser._option_string_actions[alias] = action


def _optional_bool_flags(parser: argparse.ArgumentParser, dtype: type) -> None:
    """``--FIELD`` alone means True and ``--no-FIELD`` False for ``bool | None = None`` fields
    (HfArgumentParser wants a value: ``--thinking true``)."""
    hints = typing.get_type_hints(dtype)
    for f in dataclasses.fields(dtype):
        if not f.init or f.default is not None or hints[f.name] != (bool | None):
            continue
        action = _flag(parser, f"--{f.name}")
        action.nargs, action.const = "?", True
        negatives = [f"--no_{f.name}", f"--no-{f.name.replace('_', '-')}"]
        negatives = list(dict.fromkeys(n for n in negatives
                                       if n not in parser._option_string_actions))
        if negatives:
            parser.add_argument(*negatives, dest=f.name, action="store_false",
                                default=argparse.SUPPRESS, help=f"{f.name}=False")


def parse_command(name: str, argv: Sequence[str]) -> tuple[Any, ...]:
    """Parse the arguments of ``r1-train <name>`` into one instance of each of its dataclasses.

    Flags of earlier versions (:data:`R1_RENAMED`) are renamed, with a note on stderr.
    ``--config FILE.yaml`` sets fields first; flags on the command line win. A mistake (an
    unknown flag, a bad value, a config that its dataclass refuses, an unreadable YAML file)
    exits with argparse's usage error: one line that names it.
    """
    # Lazy: PyYAML comes with the train extra (TRL's dependency), not with this package
    import yaml

    parser = command_parser(name)
    count = len(COMMANDS[name].dataclasses())
    args: list[str] = []
    for arg in rename_flags(argv, f"r1-train {name}", R1_RENAMED):  # TrlParser reads `--config FILE` only, not `--config=FILE`
        args.extend(arg.split("=", 1) if arg.startswith("--config=") else [arg])
    if args and args[-1] == "--config":
        parser.error("--config: expected a YAML file")
    try:
        *parsed, from_file, from_line = parser.parse_args_and_config(
            args, return_remaining_strings=True, separate_remaining_strings=True)
    except OSError as exc:
        parser.error(f"--config: {exc}")
    except (ValueError, TypeError, yaml.YAMLError) as exc:
        parser.error(" ".join(str(exc).split()))
    if from_line:
        parser.error(f"unrecognized arguments: {' '.join(from_line)}")
    if from_file:
        unknown = ", ".join(a[2:] for a in from_file if a.startswith("--"))
        parser.error(f"--config {args[args.index('--config') + 1]}: unknown fields {unknown} "
                     "(--help lists the fields)")
    return tuple(parsed[:count])  # after them: the namespace of --config


def build_parser() -> argparse.ArgumentParser:
    """The top-level ``r1-train`` parser: the subcommands; ``plot`` is parsed here, the others
    by :func:`command_parser` (so building this imports no torch)."""
    parser = argparse.ArgumentParser(
        prog="r1-train", description="WebAgent-R1: behaviour cloning and M-GRPO for web agents. "
        "`r1-train COMMAND --help` lists every flag of a command.")
    add_debug(parser)
    sub = parser.add_subparsers(dest="command", required=True)
    for name, command in COMMANDS.items():
        sub.add_parser(name, help=command.help, add_help=False)  # its own parser has the flags

    pl = sub.add_parser("plot", help="the training-dynamics figure of an RL run")
    pl.add_argument("--run", required=True, help="the run folder (holding metrics.jsonl)")
    pl.add_argument("--out", default=None, help="PNG path (default <run>/training_dynamics.png)")
    pl.add_argument("--smooth", type=int, default=None, help="moving-average window in steps")
    add_debug(pl)
    pl.set_defaults(func=cmd_plot)
    return parser


#: Flags of earlier versions of ``r1-train`` -> the generated flag that replaces them (noted on
#: stderr; the shared ones, ``--max-turns`` -> ``--max-episode-steps`` and ``--lr``, are in
#: :data:`webarena_gym.commandline.RENAMED`).
R1_RENAMED: dict[str, str] = {
    **RENAMED,
    "--steps": "--max-steps",
    "--epochs": "--num-train-epochs",
    "--batch-size": "--per-device-train-batch-size",
    "--grad-accum": "--gradient-accumulation-steps",
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``r1-train`` with ``argv`` (default: the process's arguments): an error is one line
    (``--debug`` shows the traceback)."""
    return run_command(_main, argv, "r1-train")


def _main(argv: list[str]) -> int:
    argv = [a for a in argv if a != "--debug"]  # run_command's; in the parsers for --help only
    parser = build_parser()
    known, rest = parser.parse_known_args(argv)
    if known.command in COMMANDS:
        return int(COMMANDS[known.command].run(*parse_command(known.command, rest)) or 0)
    args = parser.parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
