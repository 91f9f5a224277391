"""The vocabulary every command of the project shares, and how a command reports a mistake.

``webarena-gym``, ``r1-train``, ``python -m r1_trainer.demo`` and ``benchmarks/*.py`` name the
same thing with the same flag, as the ecosystem names it:

=========================  ==========================================================================
``--max-episode-steps``    actions per episode (Gymnasium's ``max_episode_steps``; the env argument)
``--max-steps``            optimizer steps (TRL's ``max_steps``)
``--num-tasks``            how many tasks of the split
``--max-new-tokens``       tokens generated per turn
``--learning-rate``        the optimizer's learning rate (TRL's ``learning_rate``)
``--num-generations``      rollouts per task, G (TRL's ``num_generations``)
``--tasks-per-step``       tasks per M-GRPO step, K
``--num-envs``             episodes run at once
``--sites``                sites, space- or comma-separated (``--sites shopping,reddit``)
``--split``                a sandbox split
``--seed``                 the run's random seed (site data and task sampling; model sampling)
``--out``                  where the command writes its result
``--debug``                show the traceback of an error
=========================  ==========================================================================

Flags of earlier versions (:data:`RENAMED`) still work, with a one-line note naming the new
flag. ``tests/core/test_cli_vocabulary.py`` walks every command's ``--help`` and checks this.
"""

from __future__ import annotations

import argparse
import sys
import traceback
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from webarena_gym.tasks.config import SITES

#: Flags of earlier versions -> the flag of the shared vocabulary that replaces them.
RENAMED: dict[str, str] = {
    "--max-turns": "--max-episode-steps",
    "--max_turns": "--max-episode-steps",
    "--eval-max-turns": "--eval-max-episode-steps",
    "-n": "--num-tasks",
    "--n": "--num-tasks",
    "--max-tokens": "--max-new-tokens",
    "--lr": "--learning-rate",
    "--rl-steps": "--max-steps",
}

#: Every site name a ``--sites`` list may hold (WebArena's; the sandbox has the first five).
SITE_CHOICES: tuple[str, ...] = SITES

DEBUG_HINT = "--debug shows the traceback"


def rename_flags(argv: Sequence[str], prog: str, renamed: dict[str, str] | None = None,
                 ) -> list[str]:
    """``argv`` with the flags of earlier versions replaced by their new names, each noted once
    on stderr (``--max-turns 5`` and ``--max-turns=5`` -> ``--max-episode-steps 5``)."""
    renamed = RENAMED if renamed is None else renamed
    out: list[str] = []
    noted: set[str] = set()
    for i, arg in enumerate(argv):
        if arg == "--":
            out.extend(argv[i:])
            break
        flag, eq, value = arg.partition("=")
        new = renamed.get(flag)
        if new is None:
            out.append(arg)
            continue
        if flag not in noted:
            print(f"{prog}: note: {flag} is now {new}", file=sys.stderr)
            noted.add(flag)
        out.append(f"{new}={value}" if eq else new)
    return out


def split_list(values: Iterable[str] | str | None) -> list[str] | None:
    """Space- and comma-separated values as one list (``["a,b", "c"]`` -> ``["a", "b", "c"]``);
    None stays None."""
    if values is None:
        return None
    if isinstance(values, str):
        values = [values]
    return [part for value in values for part in value.replace(",", " ").split()]


def check_choices(values: Sequence[str] | None, choices: Iterable[str], what: str) -> None:
    """Raise ``ValueError`` naming ``what``, the unknown values and the valid ones."""
    valid = list(choices)
    unknown = [v for v in values or () if v not in valid]
    if unknown:
        raise ValueError(f"{what}: unknown {', '.join(unknown)}; choose from {', '.join(valid)}")


class ListAction(argparse.Action):
    """``nargs="+"`` that also splits on commas and checks the values against ``choices``."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        self.valid = kwargs.pop("choices", None)
        kwargs.setdefault("nargs", "+")
        super().__init__(option_strings, dest, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: Any, option_string: str | None = None) -> None:
        items = split_list(values) or []
        if self.valid is not None:
            try:
                check_choices(items, self.valid, option_string or self.dest)
            except ValueError as exc:
                parser.error(str(exc))
        setattr(namespace, self.dest, items)


def add_sites(parser: argparse.ArgumentParser, help: str = "default: every site",
              choices: Sequence[str] = SITE_CHOICES) -> None:
    """``--sites a b`` / ``--sites a,b``, checked against ``choices``."""
    parser.add_argument("--sites", action=ListAction, choices=choices, default=None,
                        metavar="SITE", help=f"{help}; space- or comma-separated, of "
                                             f"{', '.join(choices)}")


def add_debug(parser: argparse.ArgumentParser) -> None:
    """``--debug``: an error shows its traceback instead of one line."""
    parser.add_argument("--debug", action="store_true", help="show the traceback of an error")


def run_command(main: Callable[[list[str]], int], argv: Sequence[str] | None, prog: str) -> int:
    """Run ``main(argv)`` so that an error is one line on stderr (exit status 1) naming what
    went wrong, with the traceback only under ``--debug``; Ctrl-C exits with 130.

    ``argv`` defaults to the process's arguments; flags of earlier versions are renamed first
    (:func:`rename_flags`).
    """
    args = rename_flags(list(sys.argv[1:] if argv is None else argv), prog)
    debug = "--debug" in args
    try:
        return int(main(args) or 0)
    except KeyboardInterrupt:
        print(f"{prog}: interrupted", file=sys.stderr)
        return 130
    except SystemExit:
        raise
    except Exception as exc:  # the command line's boundary: one line, not a traceback
        if debug:
            traceback.print_exc()
        message = " ".join(str(exc).split()) or type(exc).__name__
        hint = "" if debug else f" ({DEBUG_HINT})"
        print(f"{prog}: error: {type(exc).__name__}: {message}{hint}", file=sys.stderr)
        return 1
