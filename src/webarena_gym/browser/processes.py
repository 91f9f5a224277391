"""The processes an env starts (the Playwright driver, Chromium): who they are and what they cost.

Linux only (``/proc``). Used by the tests (no Chromium may outlive an env) and the benchmarks
(memory and CPU of Python + driver + Chromium together).
"""

from __future__ import annotations

import os
import re
import resource
from pathlib import Path
from typing import Any


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name may hold spaces and ')': the fields start after the last ')'.
        state, ppid = stat.rsplit(")", 1)[1].split()[:2]
        if state != "Z":  # a zombie is already dead, waiting to be reaped
            tree.setdefault(int(ppid), []).append(int(entry.name))
    return tree


def descendant_pids(root: int | None = None) -> list[int]:
    """Live descendants of ``root`` (default: this process), parents before their children."""
    tree = _children()
    todo, found = [root or os.getpid()], []
    while todo:
        for child in tree.get(todo.pop(0), []):
            todo.append(child)
            found.append(child)
    return found


def _cmdline(pid: int) -> bytes | None:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None


def is_chromium(pid: int) -> bool:
    """Whether ``pid``'s command line is a Chromium/Chrome process (browser, renderer, GPU...)."""
    return b"chrom" in (_cmdline(pid) or b"").lower()


def chromium_pids(root: int | None = None) -> list[int]:
    """Live Chromium processes among ``root``'s descendants (default: this process), sorted."""
    return sorted(pid for pid in descendant_pids(root) if is_chromium(pid))


def browser_pids(root: int | None = None) -> list[int]:
    """The main browser processes (not renderers or zygotes) among :func:`chromium_pids`."""
    return [pid for pid in chromium_pids(root) if b"--type=" not in (_cmdline(pid) or b"--type=")]


def process_memory_kib(pid: int) -> tuple[int, str]:
    """``(KiB, "PSS")`` from ``/proc/<pid>/smaps_rollup``, else ``(KiB, "RSS")`` from ``status``;
    ``(0, "gone")`` when the process exited meanwhile.

    PSS splits shared pages among the processes that map them, so summing it over Chromium's
    processes does not count its shared libraries once per process as RSS would.
    """
    for name, field, label in (("smaps_rollup", "Pss:", "PSS"), ("status", "VmRSS:", "RSS")):
        try:
            for line in Path(f"/proc/{pid}/{name}").read_text().splitlines():
                if line.startswith(field):
                    return int(line.split()[1]), label
        except (OSError, ValueError):
            continue
    return 0, "gone"


def tree_memory() -> dict[str, Any]:
    """Memory of this Python process, its Playwright driver(s) and its Chromium processes, MB.

    ``measure`` says PSS, or RSS when any process's ``smaps_rollup`` was unreadable.
    """
    mb = {"python": 0.0, "driver": 0.0, "chromium": 0.0}
    measures, chromium_processes = set(), 0
    for pid in [os.getpid(), *descendant_pids()]:
        kib, measure = process_memory_kib(pid)
        if measure == "gone":
            continue
        measures.add(measure)
        if pid == os.getpid():
            kind = "python"
        elif is_chromium(pid):
            kind, chromium_processes = "chromium", chromium_processes + 1
        else:
            kind = "driver"
        mb[kind] += kib / 1024
    return {
        "total_mb": sum(mb.values()),
        **{f"{kind}_mb": value for kind, value in mb.items()},
        "chromium_processes": chromium_processes,
        "measure": "PSS" if measures == {"PSS"} else "RSS",
    }


def process_cpu_seconds(pid: int) -> float | None:
    """CPU seconds (user + system) ``pid`` has used so far; None when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime


def chromium_process_type(pid: int) -> str:
    """What a Chromium process does, from its ``--type=`` flag: ``browser`` (none: the main
    process), ``renderer``, ``gpu-process``, ``utility``, ``zygote``; ``gone`` if it exited."""
    cmdline = _cmdline(pid)
    if cmdline is None:
        return "gone"
    # Chromium rewrites its command line as one space-separated string: search, not split.
    found = re.search(rb"(?:^|[\s\0])--type=([\w-]+)", cmdline)
    return found.group(1).decode("ascii") if found else "browser"


def tree_cpu_by_kind(*, chromium_types: bool = False) -> dict[str, float]:
    """CPU seconds used so far by this Python process (``python``), its Playwright driver(s)
    (``driver``) and its live Chromium processes (``chromium``); with ``chromium_types``, the
    Chromium share is also split by :func:`chromium_process_type` (``chromium:renderer``, ...).
    """
    seconds = {"python": 0.0, "driver": 0.0, "chromium": 0.0}
    for pid in [os.getpid(), *descendant_pids()]:
        used = process_cpu_seconds(pid)
        if used is None:
            continue
        if pid == os.getpid():
            kind = "python"
        else:
            kind = "chromium" if is_chromium(pid) else "driver"
        seconds[kind] += used
        if kind == "chromium" and chromium_types:
            key = f"chromium:{chromium_process_type(pid)}"
            seconds[key] = seconds.get(key, 0.0) + used
    return seconds


def tree_cpu_seconds(*, include_reaped: bool = False) -> float:
    """CPU seconds (user + system) used so far by this process and its live descendants; with
    ``include_reaped``, also by children that have exited and been reaped."""
    pids = descendant_pids()
    if include_reaped:
        total = sum(getattr(resource.getrusage(who), field)
                    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
                    for field in ("ru_utime", "ru_stime"))
    else:
        total, pids = 0.0, [os.getpid(), *pids]
    return total + sum(process_cpu_seconds(pid) or 0.0 for pid in pids)
