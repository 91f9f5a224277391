"""Every command speaks one vocabulary (``webarena_gym.commandline``): walk each command's
``--help`` and check that shared options have the same names, short forms and meaning, that no
flag of an earlier version is offered, and that lists and mistakes are handled the same way."""

from __future__ import annotations

import contextlib
import importlib.util
import io
import re
import sys
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import pytest

from webarena_gym import cli as gym_cli
from webarena_gym.commandline import RENAMED, rename_flags, run_command, split_list

ROOT = Path(__file__).resolve().parents[2]
BENCHMARKS = ("baselines", "bc_parse_rate", "env_speed", "learning_curve", "soak",
              "trainer_cost")
# gpu_smoke.py runs on a GPU machine without this package (no import of it): its flags are
# checked against the renamed ones only.
STANDALONE = ("gpu_smoke",)
MEANING = {  # a shared flag's help says what it is, the same thing everywhere
    "--max-steps": r"optimi[sz]er|training steps",
    "--max-episode-steps": r"episode|action|step limit",
    "--num-tasks": r"task",
    "--sites": r"site",
}


def _module(name: str):
    spec = importlib.util.spec_from_file_location(f"bench_{name}",
                                                  ROOT / "benchmarks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def _help(main: Callable[[list[str]], object], argv: list[str]) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code in (0, None)
    return out.getvalue()


def _options(help_text: str) -> dict[str, tuple[frozenset[str], str]]:
    """flag -> (the option strings of its line, its help text), from an argparse help."""
    found: dict[str, tuple[frozenset[str], str]] = {}
    lines = help_text.splitlines()
    for i, line in enumerate(lines):
        m = re.match(r"^\s{2,}(-[\w-]+(?: [A-Z_{},.\[\]\w-]+)?(?:, -[\w-]+(?: [A-Z_{},.\[\]\w-]+)?)*)"
                     r"(\s{2,}.*)?$", line)
        if not m:
            continue
        flags = frozenset(re.findall(r"(?:^|, )(-{1,2}[\w-]+)", m.group(1)))
        text = (m.group(2) or "").strip()
        j = i + 1
        while j < len(lines) and lines[j].startswith(" " * 8) \
                and not lines[j].strip().startswith("-"):
            text += " " + lines[j].strip()
            j += 1
        for flag in flags:
            found[flag] = (flags, text)
    return found


def _helps() -> dict[str, str]:
    helps = {}
    for name in ("doctor", "login", "serve", "tasks", "demos"):
        helps[f"webarena-gym {name}"] = _help(gym_cli.build_parser().parse_args, [name, "--help"])
    for name in BENCHMARKS:
        module = _module(name)
        parse = getattr(module, "parse_args", module.main)
        helps[f"benchmarks/{name}.py"] = _help(parse, ["--help"])
    return helps


def _trainer_helps() -> dict[str, str]:
    pytest.importorskip("trl")
    from r1_trainer import demo
    from r1_trainer.cli import build_parser, command_parser

    helps = {f"r1-train {n}": command_parser(n).format_help() for n in ("bc", "rl", "eval")}
    helps["r1-train plot"] = _help(build_parser().parse_args, ["plot", "--help"])
    helps["r1_trainer.demo"] = _help(demo.main, ["--help"])
    return helps


@pytest.fixture(scope="module")
def helps() -> dict[str, dict[str, tuple[frozenset[str], str]]]:
    texts = {**_helps(), **_trainer_helps()}
    return {command: _options(text) for command, text in texts.items()}


def test_no_command_offers_a_renamed_flag(helps):
    old = set(RENAMED) | {"--max_turns", "--epochs", "--rl-steps"}
    offenders = {c: sorted(set(opts) & old) for c, opts in helps.items() if set(opts) & old}
    assert not offenders, f"flags of earlier versions offered: {offenders}"
    for name in STANDALONE:
        text = (ROOT / "benchmarks" / f"{name}.py").read_text()
        assert not [f for f in old if f'"{f}"' in text], name


def test_shared_flags_have_one_name_and_one_short_form(helps):
    forms: dict[str, set[frozenset[str]]] = defaultdict(set)
    for options in helps.values():
        for flag, (names, _text) in options.items():
            if flag.startswith("--") and not flag.startswith("--no-"):  # --[no-]x pairs
                # r1-train's generated flags come in both spellings (--max_steps, --max-steps)
                forms[flag].add(frozenset(n for n in names if "_" not in n and n != flag
                                          and not n.startswith("--no-")))
    differing = {flag: f for flag, f in forms.items() if len(f) > 1
                 and flag not in ("--env", "--max-new-tokens")}  # r1-train's documented aliases
    assert not differing, differing


def test_shared_flags_mean_the_same_thing(helps):
    for command, options in helps.items():
        for flag, pattern in MEANING.items():
            if flag in options:
                text = options[flag][1]
                assert re.search(pattern, text, re.I), f"{command} {flag}: {text!r}"
    # the episode step limit and the optimizer steps are both somewhere, under their own names
    assert any("--max-episode-steps" in o for o in helps.values())
    assert any("--max-steps" in o for o in helps.values())


def test_every_sites_option_takes_commas_and_refuses_unknown_sites(capsys):
    parser = gym_cli.build_parser()
    args = parser.parse_args(["tasks", "list", "--sites", "shopping,reddit", "gitlab"])
    assert args.sites == ["shopping", "reddit", "gitlab"]
    with pytest.raises(SystemExit):
        parser.parse_args(["tasks", "list", "--sites", "shopping,shoping"])
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert "shoping" in err and "shopping_admin" in err  # names the valid ones


def test_renamed_flags_still_work_with_a_note(capsys):
    assert rename_flags(["--max-turns", "5", "-n=3", "--out", "x"], "cmd") == [
        "--max-episode-steps", "5", "--num-tasks=3", "--out", "x"]
    assert "--max-turns is now --max-episode-steps" in capsys.readouterr().err
    assert split_list(["a,b", "c", " d , e"]) == ["a", "b", "c", "d", "e"]


def test_a_command_line_error_is_one_line_unless_debug(capsys):
    def boom(argv: list[str]) -> int:
        raise FileNotFoundError("demos.jsonl: no such file; write it with webarena-gym demos")

    assert run_command(boom, ["--x"], "cmd") == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "webarena-gym demos" in err and "--debug" in err
    assert run_command(boom, ["--debug"], "cmd") == 1
    assert "Traceback" in capsys.readouterr().err


def test_webarena_gym_reports_a_bad_split_in_one_line(capsys):
    assert gym_cli.main(["tasks", "list", "--split", "tset"]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "test_unseen" in err
