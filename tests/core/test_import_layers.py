"""Layers import downward only (DESIGN 2), read from the source with ``ast`` (nothing is imported).

* The core (everything in ``webarena_gym`` but the sandbox and the front ends: the
  ``webarena-gym`` CLI and the package root's lazy names) never imports ``webarena_gym.sandbox``: not at the top of a module, not in a function,
  not through ``importlib``. ``registration.py`` names the sandbox's entry points as strings,
  which gymnasium loads on ``make``.
* The core's parts (``actions``, ``observation``, ``browser``, ``tasks``, ``evaluation``, ``env``,
  ``vector``, ``episodes``, ``prompting``, ``registration``, ...; a package counts as one part)
  import each other without a cycle, and so do ``r1_trainer``'s modules.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"
PACKAGE = "webarena_gym"
SANDBOX = f"{PACKAGE}.sandbox"
FRONT_ENDS = {f"{PACKAGE}.cli", PACKAGE}
"""Modules outside the core that may import the sandbox (lazily): the CLI for its sandbox
commands, and the package root, which hands out ``SandboxEnv`` on first use (that importing the
package loads no sandbox module is checked at run time below)."""


def module_name(path: Path) -> str:
    """``src/webarena_gym/actions/grammar.py`` -> ``webarena_gym.actions.grammar``."""
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules(package: str) -> dict[str, Path]:
    """Every module of ``package`` (under ``src/``) by its dotted name."""
    return {module_name(p): p for p in sorted((SRC / package).rglob("*.py"))}


def imported_names(path: Path) -> Iterator[tuple[int, str]]:
    """``(line, dotted name)`` of everything the module imports, wherever the import is (top
    level, functions, ``TYPE_CHECKING`` blocks), including ``importlib.import_module("...")`` and
    ``__import__("...")`` calls with a literal name. ``from X import y`` yields ``X.y`` (``y``
    may be a submodule)."""
    name = module_name(path)
    is_package = path.name == "__init__.py"
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: resolve against this module's package
                anchor = name.split(".") if is_package else name.split(".")[:-1]
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                yield node.lineno, f"{base}.{alias.name}"
        elif isinstance(node, ast.Call) and node.args:
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            first = node.args[0]
            if called in ("import_module", "__import__") and isinstance(first, ast.Constant) \
                    and isinstance(first.value, str):
                yield node.lineno, first.value


def is_core(name: str) -> bool:
    return not (name == SANDBOX or name.startswith(SANDBOX + ".") or name in FRONT_ENDS)


def part_of(name: str, package: str) -> str | None:
    """The node a dotted name belongs to: its first component under ``package``
    (``webarena_gym.actions.grammar.Action`` -> ``actions``), or ``package`` itself for its
    ``__init__``; None outside ``package``."""
    if name != package and not name.startswith(package + "."):
        return None
    return name[len(package) + 1:].split(".")[0] if name != package else package


def import_graph(package: str, include: Callable[[str], bool]) -> dict[str, dict[str, str]]:
    """``{node: {imported node: where}}`` among the parts of ``package`` whose modules
    ``include`` keeps (a subpackage is one node, a module another; see :func:`part_of`)."""
    known = modules(package)
    nodes = {part_of(m, package) for m in known if include(m)}
    graph: dict[str, dict[str, str]] = {n: {} for n in nodes}
    for name, path in known.items():
        if not include(name):
            continue
        source = part_of(name, package)
        for line, imported in imported_names(path):
            target = part_of(imported, package)
            if target not in nodes:  # `from webarena_gym import Action`: the package's __init__
                target = part_of(imported.rpartition(".")[0], package)
            if target is None or target == source or target not in nodes:
                continue
            graph[source].setdefault(target, f"{path.relative_to(SRC)}:{line} imports {imported}")
    return graph


def find_cycle(graph: dict[str, dict[str, str]]) -> list[str] | None:
    """One cycle of ``graph`` as ``[a, b, ..., a]``, or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                return path[path.index(target):] + [target]
            if target not in state:
                found = visit(target)
                if found:
                    return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def describe(graph: dict[str, dict[str, str]], cycle: list[str]) -> str:
    return " -> ".join(cycle) + "\n" + "\n".join(
        f"  {a} -> {b}: {graph[a][b]}" for a, b in zip(cycle, cycle[1:], strict=False)
    )


# ------------------------------------------------------------------------------------------------
# The checker checks what it should
# ------------------------------------------------------------------------------------------------


def test_imports_are_read_wherever_they_are(tmp_path, monkeypatch):
    module = tmp_path / PACKAGE / "sub" / "mod.py"
    module.parent.mkdir(parents=True)
    module.write_text(
        "import importlib\n"
        "from typing import TYPE_CHECKING\n"
        "from . import sibling\n"
        "from ..other import thing\n"
        "if TYPE_CHECKING:\n"
        "    from webarena_gym.env import WebArenaEnv\n"
        "def f():\n"
        "    from webarena_gym.sandbox.tasks import load_split\n"
        "    return importlib.import_module('webarena_gym.sandbox.env')\n"
        "ENTRY = 'webarena_gym.sandbox.env:SandboxEnv'\n"
    )
    monkeypatch.setitem(globals(), "SRC", tmp_path)
    names = [n for _, n in imported_names(module)]
    assert "webarena_gym.sub.sibling" in names and "webarena_gym.other.thing" in names
    assert "webarena_gym.env.WebArenaEnv" in names
    assert "webarena_gym.sandbox.tasks.load_split" in names
    assert "webarena_gym.sandbox.env" in names  # through importlib
    assert not any(n.endswith("SandboxEnv") for n in names)  # a string is not an import


def test_a_cycle_is_found_and_named():
    graph = {"a": {"b": "a.py:1"}, "b": {"c": "b.py:2"}, "c": {"a": "c.py:3"}, "d": {}}
    assert find_cycle(graph) == ["a", "b", "c", "a"]
    assert "b -> c: b.py:2" in describe(graph, find_cycle(graph))
    assert find_cycle({"a": {"b": ""}, "b": {}}) is None


# ------------------------------------------------------------------------------------------------
# The layers
# ------------------------------------------------------------------------------------------------


def test_the_core_never_imports_the_sandbox():
    offences = [
        f"{path.relative_to(SRC)}:{line} imports {imported}"
        for name, path in modules(PACKAGE).items() if is_core(name)
        for line, imported in imported_names(path)
        if imported == SANDBOX or imported.startswith(SANDBOX + ".")
    ]
    assert not offences, "the core imports the sandbox:\n" + "\n".join(offences)


def test_the_core_parts_import_each_other_without_a_cycle():
    graph = import_graph(PACKAGE, is_core)
    expected = {"actions", "observation", "browser", "tasks", "evaluation", "env", "vector",
                "episodes", "prompting", "registration"}
    assert expected <= set(graph)  # the parts DESIGN 2 names are all seen
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle among the core's parts: " + describe(graph, cycle)


@pytest.mark.parametrize(("lower", "upper"), [
    ("tasks", "evaluation"), ("actions", "env"), ("observation", "actions"), ("env", "vector"),
    ("vector", "episodes"), ("env", "registration"), ("vector", "registration"),
])
def test_lower_parts_do_not_import_upper_ones(lower, upper):
    graph = import_graph(PACKAGE, is_core)
    assert upper not in graph[lower], graph[lower].get(upper)


def test_the_trainer_modules_import_each_other_without_a_cycle():
    graph = import_graph("r1_trainer", lambda name: True)
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle in r1_trainer: " + describe(graph, cycle)


def test_importing_the_package_loads_no_sandbox_module():
    """The runtime counterpart: ``import webarena_gym`` registers the sandbox's id by name only."""
    code = ("import sys, webarena_gym\n"
            "loaded = sorted(m for m in sys.modules if m.startswith('webarena_gym.sandbox'))\n"
            "assert not loaded, loaded\n")
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)


def test_the_package_hands_out_the_sandbox_env_on_first_use():
    code = ("import sys, webarena_gym\n"
            "from webarena_gym.sandbox.env import SandboxEnv, make_sandbox_vector_env\n"
            "assert webarena_gym.SandboxEnv is SandboxEnv\n"
            "assert webarena_gym.make_sandbox_vector_env is make_sandbox_vector_env\n"
            "assert set(webarena_gym.__all__) >= {'SandboxEnv', 'WebArenaVectorEnv', 'Action',"
            " 'EvalResult', 'Episode', 'build_messages'}\n"
            "try:\n    webarena_gym.NoSuchName\nexcept AttributeError as e:\n"
            "    assert 'NoSuchName' in str(e)\nelse:\n    raise SystemExit('no error')\n")
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
