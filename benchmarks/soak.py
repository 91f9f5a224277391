"""Soak and fault injection: a long random-policy run on the sandbox's vector env.

A random policy clicks, types, scrolls, goes back and answers on every sandbox site (the
``test`` split, all five sites), on a vector env of ``--num-envs`` envs, while faults are
injected at random steps:

* ``renderer``: the renderer of one env's page crashes (CDP ``Page.crash``);
* ``browser``: the Chromium browser process is killed (SIGKILL), under every env at once;
* ``hang``: one env's page starts a script that never stops (the page no longer answers);
* ``site_server``: one sandbox site's server thread stops (as if it had crashed);
* ``malformed``: one env gets an action that is not an action (random bytes, unbalanced calls);
* ``oversized``: one env gets an action of several hundred KB.

A fault is *recovered* when the env it hit completes a later reset and a step (a browser kill
counts once, for the env it was drawn for). A fault is *unrecovered* when an exception escapes
the vector env's ``step``/``reset`` or an env cannot reset within three tries. Reported: steps
done, faults injected and recovered per kind, episodes and episodes lost (ended with
``info["error"]``), leaked Chromium processes after ``close()``, and memory (RSS of Python,
the Playwright driver and Chromium together: PSS where readable) over time, with the change from the end of the
warm-up (the first fifth of the run) to the end.

    python benchmarks/soak.py                       # 10,000 steps (about 30-40 min on 2 cores)
    python benchmarks/soak.py --steps 300 --out /tmp/soak   # a short check

Writes ``<out>.json``, ``<out>.md`` and ``<out>.png`` (default ``benchmarks/results/soak``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import signal
import statistics
import sys
import time
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from webarena_gym.browser.processes import browser_pids, chromium_pids, tree_memory
from webarena_gym.commandline import add_debug, run_command

RESULTS = Path(__file__).parent / "results"
FAULTS = ("renderer", "browser", "hang", "site_server", "malformed", "oversized")


@dataclass
class Settings:
    """The run's sizes (every one is a flag)."""

    steps: int = 10_000
    num_envs: int = 4
    fault_every: int = 40
    max_episode_steps: int = 8
    seed: int = 0
    step_timeout_s: float = 20.0
    navigation_timeout_ms: int = 5000
    sample_every: int = 100


# -- the random policy ---------------------------------------------------------------------------

_ELEMENT = re.compile(r'<(\w+) id="(\d+)"')
_WORDS = ("blue", "order", "2023", "hello world", "Pittsburgh", "review", "admin", "issue")


def random_action(rng: random.Random, html: str) -> str:
    """A plausible action on the page (mostly clicks on its numbered elements)."""
    elements = _ELEMENT.findall(html)
    roll = rng.random()
    if not elements or roll < 0.08:
        return rng.choice(['do(action="Scroll Down")', 'do(action="Go Backward")',
                           'do(action="Scroll Up")'])
    tag, element = rng.choice(elements)
    if roll < 0.12:
        return f'exit(message="{rng.choice(_WORDS)}")'
    if tag in ("input", "textarea") or roll < 0.25:
        verb = rng.choice(["Type", "Search"])
        return f'do(action="{verb}", argument="{rng.choice(_WORDS)}", element="{element}")'
    if tag == "select":
        return f'do(action="Select Dropdown Option", argument="1", element="{element}")'
    return f'do(action="Click", element="{element}")'


def malformed(rng: random.Random) -> str:
    """Text that is not an action."""
    return rng.choice([
        "".join(chr(rng.randrange(1, 0x2FFF)) for _ in range(200)),
        'do(action="Click", element=' + "(" * 500,
        "exit(message=" + '"' * 101,
        "\x00" * 64,
        'do(action="Teleport", element="1")',
    ])


# -- faults --------------------------------------------------------------------------------------

async def _crash_page(page: Any) -> None:
    cdp = await page.context.new_cdp_session(page)
    try:  # the page dies under the call, which then never answers
        await asyncio.wait_for(cdp.send("Page.crash"), 3)
    except Exception:  # noqa: BLE001
        pass


async def _hang_page(page: Any) -> None:
    await asyncio.wait_for(page.evaluate("setTimeout(() => { for (;;) {} }, 50)"), 5)


def inject(kind: str, env: Any, rng: random.Random) -> str | None:
    """Inflict ``kind`` on ``env`` (an action text for the action faults, else None)."""
    if kind == "malformed":
        return malformed(rng)
    if kind == "oversized":
        return 'exit(message="' + "x" * rng.randrange(200_000, 600_000) + '")'
    if kind == "browser":
        for pid in browser_pids():
            os.kill(pid, signal.SIGKILL)
        deadline = time.time() + 10
        while env.runtime.is_browser_alive() and time.time() < deadline:
            time.sleep(0.05)
        return None
    if kind == "site_server":
        running = env.host._running  # fault injection reaches into the host on purpose
        site = rng.choice(sorted(running))
        running[site].server.should_exit = True
        running[site].thread.join(10)
        return None
    session = env.session
    if session is None or not session.is_open:
        return None
    try:
        env.runtime.run(_crash_page(session.page) if kind == "renderer"
                        else _hang_page(session.page), timeout=10)
    except Exception:  # noqa: BLE001 - the fault is what counts, not how it was delivered
        pass
    return None


# -- the run -------------------------------------------------------------------------------------

def run(settings: Settings, progress: bool = True) -> dict[str, Any]:
    """The soak run (see the module docstring); returns every figure."""
    import numpy as np

    from webarena_gym.sandbox.env import make_sandbox_vector_env
    from webarena_gym.vector import VectorResetError

    rng = random.Random(settings.seed)
    clock = time.perf_counter()
    venv = make_sandbox_vector_env(
        num_envs=settings.num_envs, split="test", max_episode_steps=settings.max_episode_steps,
        step_timeout_s=settings.step_timeout_s,
        navigation_timeout_ms=settings.navigation_timeout_ms)
    task_ids = [str(t.task_id) for t in venv.envs[0].tasks]
    n = settings.num_envs
    injected: Counter[str] = Counter()
    recovered: Counter[str] = Counter()
    pending: list[list[str]] = [[] for _ in range(n)]  # faults awaiting a reset + a step
    reset_since_fault = [False] * n
    unrecovered: list[str] = []
    episodes = lost = steps = 0
    memory: list[tuple[int, float]] = [(0, tree_memory()["total_mb"])]
    html = [""] * n

    def reset(mask: list[bool]) -> None:
        todo = list(mask)
        for _ in range(3):
            if not any(todo):
                return
            ids = [rng.choice(task_ids) for _ in range(n)]
            failed: set[int] = set()
            try:
                venv.reset(options={"task_id": ids, "reset_mask": np.array(todo)})
            except VectorResetError as exc:
                failed = set(exc.errors)
            except Exception as exc:  # noqa: BLE001 - counted: it escaped the vector env
                unrecovered.append(f"reset raised {type(exc).__name__}: {exc}")
                return
            for i in range(n):
                if todo[i] and i not in failed:
                    reset_since_fault[i] = True
                    html[i] = venv.observations[i]["html"]
            todo = [todo[i] and i in failed for i in range(n)]
        for i in range(n):
            if todo[i]:
                unrecovered.append(f"env {i} could not reset three times")

    reset([True] * n)
    next_fault = rng.randrange(1, 2 * settings.fault_every)
    while steps < settings.steps:
        actions: list[str | None] = [None if venv.done[i] else random_action(rng, html[i])
                                     for i in range(n)]
        if steps >= next_fault:
            live = [i for i in range(n) if not venv.done[i]]
            if live:
                i = rng.choice(live)
                kind = rng.choice(FAULTS)
                text = inject(kind, venv.envs[i], rng)
                if text is not None:
                    actions[i] = text
                injected[kind] += 1
                pending[i].append(kind)
                reset_since_fault[i] = False
            next_fault = steps + rng.randrange(1, 2 * settings.fault_every)
        try:
            _, _, terminated, truncated, infos = venv.step(actions)
        except Exception as exc:  # noqa: BLE001 - counted: it escaped the vector env
            unrecovered.append(f"step raised {type(exc).__name__}: {exc}")
            reset([True] * n)
            continue
        stepped = [i for i in range(n) if actions[i] is not None]
        steps += len(stepped)
        for i in stepped:
            html[i] = venv.observations[i]["html"]
            if pending[i] and reset_since_fault[i]:
                for kind in pending[i]:
                    if kind != "reset_failed":
                        recovered[kind] += 1
                pending[i] = []
        ended = [bool(venv.done[i]) for i in range(n)]
        errors, has_error = infos.get("error"), infos.get("_error")
        for i in stepped:
            if not ended[i]:
                continue
            episodes += 1
            if errors is not None and has_error is not None and has_error[i]:
                lost += 1
                if str(errors[i]).startswith(f"env {i}: step failed"):
                    # the env raised: the vector env caught it, but the env should not have
                    unrecovered.append(str(errors[i]))
        # An action fault is handled in the step itself: it is recovered when the env goes on.
        for i in stepped:
            if pending[i] and all(k in ("malformed", "oversized") for k in pending[i]):
                for kind in pending[i]:
                    recovered[kind] += 1
                pending[i] = []
        if any(ended):
            reset(ended)
        if steps // settings.sample_every > (memory[-1][0] // settings.sample_every):
            memory.append((steps, tree_memory()["total_mb"]))
            if progress:
                print(f"  {steps} steps, {sum(injected.values())} faults, "
                      f"{memory[-1][1]:.0f} MB", file=sys.stderr, flush=True)
    seconds = time.perf_counter() - clock
    venv.close()
    deadline = time.time() + 15
    while chromium_pids() and time.time() < deadline:
        time.sleep(0.2)
    leaked = len(chromium_pids())
    still_pending = Counter(k for kinds in pending for k in kinds if k != "reset_failed")
    warm = [m for s, m in memory if s >= settings.steps // 5]
    after_warmup = warm[0] if warm else memory[-1][1]
    end = statistics.fmean(m for _, m in memory[-max(1, len(memory) // 10):])
    return {
        "settings": asdict(settings),
        "steps": steps,
        "seconds": round(seconds, 1),
        "steps_per_second": round(steps / seconds, 2),
        "faults_injected": dict(injected),
        "faults_recovered": dict(recovered),
        "faults_pending_at_end": dict(still_pending),
        "unrecovered": unrecovered,
        "episodes": episodes,
        "episodes_lost": lost,
        "leaked_chromium_processes": leaked,
        "memory_mb": memory,
        "memory_after_warmup_mb": round(after_warmup, 1),
        "memory_end_mb": round(end, 1),
        "memory_change": round(end / after_warmup - 1, 3) if after_warmup else None,
    }


def markdown(results: dict[str, Any]) -> str:
    """The results as a Markdown table."""
    injected, recovered = results["faults_injected"], results["faults_recovered"]
    pending = results["faults_pending_at_end"]
    rows = [f"| {k} | {injected.get(k, 0)} | {recovered.get(k, 0)} | {pending.get(k, 0)} |"
            for k in FAULTS]
    s = results["settings"]
    change = results["memory_change"]
    return "\n".join([
        f"Soak: {results['steps']} random-policy steps on {s['num_envs']} sandbox envs (all five "
        f"sites, `test` split), {results['seconds']:.0f} s ({results['steps_per_second']} "
        f"steps/s), a fault every ~{s['fault_every']} steps, seed {s['seed']}.",
        "",
        "| fault | injected | recovered | awaiting recovery at the end |",
        "|---|---:|---:|---:|",
        *rows,
        "",
        f"- unrecovered faults (exceptions out of the vector env, envs that could not reset): "
        f"**{len(results['unrecovered'])}**",
        f"- episodes: {results['episodes']}, lost to a fault (ended with `info['error']`): "
        f"{results['episodes_lost']}",
        f"- leaked Chromium processes after `close()`: **{results['leaked_chromium_processes']}**",
        f"- memory (Python + Playwright driver + Chromium): {results['memory_after_warmup_mb']} "
        f"MB after warm-up, {results['memory_end_mb']} MB at the end "
        f"({'n/a' if change is None else f'{100 * change:+.1f}%'})",
    ])


def plot(results: dict[str, Any], path: Path) -> bool:
    """Memory over steps (False when matplotlib is missing)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    steps, mb = zip(*results["memory_mb"], strict=True)
    fig, ax = plt.subplots(figsize=(6, 3.2))
    ax.plot(steps, mb)
    ax.set_xlabel("steps")
    ax.set_ylabel("MB (Python + driver + Chromium)")
    ax.set_title("Soak with fault injection: memory")
    ax.set_ylim(bottom=0)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return True


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Run the soak, print the table, write JSON, Markdown and the figure."""
    defaults = Settings()
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--steps", type=int, default=defaults.steps)
    p.add_argument("--num-envs", type=int, default=defaults.num_envs)
    p.add_argument("--fault-every", type=int, default=defaults.fault_every,
                   help="mean steps between faults")
    p.add_argument("--max-episode-steps", type=int, default=defaults.max_episode_steps,
                   help="actions per episode")
    p.add_argument("--seed", type=int, default=defaults.seed)
    p.add_argument("--step-timeout-s", type=float, default=defaults.step_timeout_s)
    p.add_argument("--navigation-timeout-ms", type=int, default=defaults.navigation_timeout_ms)
    p.add_argument("--sample-every", type=int, default=defaults.sample_every)
    p.add_argument("--out", default=str(RESULTS / "soak"), help="output path without suffix")
    add_debug(p)
    args = p.parse_args(argv)
    out = Path(args.out)
    settings = Settings(**{k: v for k, v in vars(args).items() if k not in ("out", "debug")})
    results = run(settings)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.with_suffix(".json").write_text(json.dumps(results, indent=1) + "\n")
    table = markdown(results)
    out.with_suffix(".md").write_text(table + "\n")
    plot(results, out.with_suffix(".png"))
    print(table)
    return results


if __name__ == "__main__":
    sys.exit(run_command(lambda argv: main(argv) and 0, None, "soak.py"))
