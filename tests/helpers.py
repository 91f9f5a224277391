"""Test helpers: the Chromium processes a test started (Linux /proc), loopback servers."""

from __future__ import annotations

import contextlib
import http.server
import os
import threading
from collections.abc import Iterator
from pathlib import Path


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name may contain spaces and parentheses: split after the last ')'.
        fields = stat.rsplit(")", 1)[1].split()
        state, ppid = fields[0], int(fields[1])
        if state == "Z":  # already dead, waiting to be reaped
            continue
        tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def descendant_pids(root: int | None = None) -> list[int]:
    """Live descendants of ``root`` (default: this process), parents before their children."""
    tree = _children()
    todo, found = [root or os.getpid()], []
    while todo:
        pid = todo.pop(0)
        for child in tree.get(pid, []):
            todo.append(child)
            found.append(child)
    return found


def chromium_pids(root: int | None = None) -> list[int]:
    """Live descendants of ``root`` (default: this process) whose command line mentions chrom."""
    found = []
    for pid in descendant_pids(root):
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if b"chrom" in cmd.lower():
            found.append(pid)
    return sorted(found)


def browser_pids(root: int | None = None) -> list[int]:
    """The main browser processes (not renderers/zygotes) among :func:`chromium_pids`."""
    pids = []
    for pid in chromium_pids(root):
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if b"--type=" not in cmd:
            pids.append(pid)
    return pids


@contextlib.contextmanager
def serve(handler: type[http.server.BaseHTTPRequestHandler]) -> Iterator[str]:
    """Run ``handler`` on an ephemeral 127.0.0.1 port; yields the base URL, stops after."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
