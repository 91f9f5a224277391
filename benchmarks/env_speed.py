"""Environment speed: step and reset latency, throughput of N concurrent envs, memory per env,
and BrowserGym's env side by side.

Serves two generated, content-heavy shop pages on 127.0.0.1 (each links to the other); every
step clicks the link to the other page. Parts (``--only``, default all):

* ``latency``: raw Playwright's floor (``page.click`` + DOMContentLoaded + ``page.content()``)
  against ``WebArenaEnv.step`` (parse the text action, click the numbered element, wait, label
  the page and simplify it: the full observation an agent gets), interleaved;
* ``reset``: ``SandboxEnv.reset()`` on the signed-in shop home page against raw Playwright's
  new context + load, interleaved;
* ``throughput``: N = 1, 2, 4, 8, 16 ``WebArenaEnv``s in one ``WebArenaVectorEnv`` (steps run
  concurrently) on 1 or 2 Chromium processes (``--num-browsers``), and raw Playwright with N
  pages of one Chromium in the same run: env steps per second, the speed-up over one env and
  the scaling efficiency, CPU-ms per env step (this process, the Playwright driver, Chromium),
  the memory (PSS) of the same processes, and a projection to a 64-core machine from the CPU
  cost per step;
* ``browsergym``: only when ``browsergym-core`` is installed: BrowserGym's own ``BrowserEnv``
  (its defaults, and with its delays off) against ``WebArenaEnv`` on the same pages and click,
  interleaved: step and reset latency.

Writes ``env_speed.json``, ``env_speed.md`` and ``env_speed.png`` (throughput against N; needs
matplotlib, extra ``bench``) to ``--out`` (default ``benchmarks/results/``). A run of some
parts keeps the other parts' results already in ``--out``.

    python benchmarks/env_speed.py                          # everything (~15 min, 2 cores)
    python benchmarks/env_speed.py --quick --out /tmp/speed # small counts: a smoke run
    python benchmarks/env_speed.py --only throughput --num-envs 1,2,4,8,16 --num-browsers 1,2
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import http.server
import json
import logging
import os
import platform
import random
import re
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from webarena_gym.browser.processes import (
    chromium_pids,
    tree_cpu_by_kind,
    tree_memory,
)
from webarena_gym.commandline import add_debug, run_command

RESULTS = Path(__file__).parent / "results"

ADJECTIVES = ["Classic", "Organic", "Compact", "Deluxe", "Portable", "Wireless", "Vintage", "Smart"]
NOUNS = ["Kettle", "Backpack", "Headphones", "Desk Lamp", "Yoga Mat", "Blender", "Jacket", "Mug"]


def shop_page(name: str, other: str, seed: int) -> str:
    """A storefront category page of about 100 products with the clutter real shops have."""
    rng = random.Random(seed)
    cards = []
    for i in range(100):
        title = f"{rng.choice(ADJECTIVES)} {rng.choice(NOUNS)} {i}"
        price = rng.uniform(5, 300)
        cards.append(f"""
<li class="item product product-item" data-product-id="{i}" data-sku="SKU-{seed}-{i}">
  <div class="product-item-info" data-container="product-grid">
    <a href="/p/{i}.html" class="product photo product-item-photo" tabindex="-1">
      <span class="product-image-container" style="width:240px;"><span class="product-image-wrapper"
        style="padding-bottom:125%;"><img class="product-image-photo" src="data:image/gif;base64,R0lGODlhAQABAAAAACw="
        alt="{title}" width="240" height="300"/></span></span></a>
    <div class="product details product-item-details">
      <strong class="product name product-item-name"><a class="product-item-link" href="/p/{i}.html">{title}</a></strong>
      <div class="price-box price-final_price" data-role="priceBox" data-price-box="product-id-{i}">
        <span class="price-container price-final_price tax weee"><span id="product-price-{i}"
          data-price-amount="{price:.2f}" data-price-type="finalPrice" class="price-wrapper "><span
          class="price">${price:.2f}</span></span></span></div>
      <div class="product-item-inner"><div class="product actions product-item-actions">
        <div class="actions-primary"><form data-role="tocart-form" action="/cart/add/{i}" method="post">
          <input type="hidden" name="product" value="{i}"><input type="hidden" name="form_key" value="abc">
          <button type="submit" title="Add to Cart" class="action tocart primary"><span>Add to Cart</span></button>
        </form></div>
        <div data-role="add-to-links" class="actions-secondary">
          <a href="#" class="action towishlist" title="Add to Wish List" role="button"><span>Add to Wish List</span></a>
          <a href="#" class="action tocompare" title="Add to Compare" role="button"><span>Add to Compare</span></a>
        </div></div></div>
    </div></div></li>""")
    styles = "\n".join(f".c{i} {{ margin: {i}px; color: #{i:06x}; }}" for i in range(300))
    scripts = "\n".join(
        f"<script type='text/x-magento-init'>{{\"#p{i}\": {{\"widget\": {{\"opt\": {i}}}}}}}</script>"
        for i in range(60)
    )
    return f"""<!doctype html><html><head><title>{name}</title><style>{styles}</style>{scripts}</head>
<body><header><nav><a href="/">Home</a> <a href="/account">My Account</a> <a href="/cart">Cart</a>
<form action="/search"><input name="q" placeholder="Search entire store here..."><button>Search</button></form></nav></header>
<main><h1>{name}</h1><a id="next" href="/{other}.html">Next page</a>
<ol class="products list items product-items">{''.join(cards)}</ol></main>
<footer>{'<p>Footer text about shipping, returns and privacy.</p>' * 20}</footer></body></html>"""


class _Handler(http.server.BaseHTTPRequestHandler):
    pages: dict[str, bytes] = {}

    def log_message(self, *args):  # noqa: D102
        pass

    def do_GET(self):  # noqa: N802, D102
        body = self.pages.get(self.path.split("?")[0], b"<html><body>ok</body></html>")
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        # A context closed mid-load (end of a run) hangs up: not an error worth a traceback.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(body)


def serve() -> tuple[http.server.ThreadingHTTPServer, str]:
    """Start the page server on an ephemeral 127.0.0.1 port."""
    _Handler.pages = {
        "/a.html": shop_page("Category A", "b", 1).encode(),
        "/b.html": shop_page("Category B", "a", 2).encode(),
    }
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def percentile(values: list[float], q: float) -> float:
    """The q-quantile (0..1) of values, linear interpolation."""
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def shop_task(base: str) -> dict[str, Any]:
    """A WebArena-schema task that starts on page A of the benchmark's shop (never scored)."""
    return {
        "sites": ["shopping"], "task_id": 0, "require_login": False, "storage_state": None,
        "start_url": f"{base}/a.html", "geolocation": None, "intent_template": "",
        "instantiation_dict": {}, "intent": "browse", "require_reset": False,
        "eval": {"eval_types": ["string_match"], "reference_answers": {"exact_match": "x"},
                 "reference_url": "", "program_html": [], "string_note": ""},
    }


def next_link_action(html: str) -> str:
    """The text action that clicks "Next page" in a WebArenaEnv observation's HTML."""
    match = re.search(r'<a id="(\d+)"[^>]*>Next page</a>', html)
    if not match:
        raise RuntimeError(
            "no numbered 'Next page' link in the observation; the page or the simplifier "
            f"changed. Observation starts: {html[:300]!r}"
        )
    return f'do(action="Click", element="{match.group(1)}")'


def other_page(url: str) -> str:
    """The page the "Next page" link of ``url`` leads to (``a.html`` <-> ``b.html``)."""
    return "b.html" if url.endswith("a.html") else "a.html"


def bench(base: str, steps: int, warmup: int) -> dict:
    """Interleave raw-Playwright steps and env steps on the same pages, so drift hits both.

    Raw: click the link, wait for DOMContentLoaded (what the env waits for too), read
    ``page.content()``. Env: ``WebArenaEnv.step`` with a text Click on the numbered link
    (parse, click, settle, label and simplify the page).
    """
    from webarena_gym import WebArenaEnv

    env = WebArenaEnv([shop_task(base)], max_episode_steps=steps + warmup + 1)
    runtime = env.runtime
    raw_times: list[float] = []
    env_times: list[float] = []
    try:
        obs, info = env.reset()

        async def open_raw():
            browser = await runtime.get_browser()
            context = await browser.new_context(viewport={"width": 1280, "height": 720})
            page = await context.new_page()
            await page.goto(f"{base}/a.html")
            return context, page

        context, page = runtime.run(open_raw())

        async def raw_step() -> tuple[float, int]:
            start = time.perf_counter()
            await page.click("a#next")
            await page.wait_for_load_state("domcontentloaded")
            html = await page.content()
            return time.perf_counter() - start, len(html)

        for i in range(warmup + steps):
            elapsed, raw_chars = runtime.run(raw_step())
            action = next_link_action(obs["html"])
            start = time.perf_counter()
            obs, *_rest, info = env.step(action)
            env_elapsed = time.perf_counter() - start
            if obs["last_action_error"]:
                raise RuntimeError(f"WebArenaEnv step {i}: {obs['last_action_error']}")
            if i >= warmup:
                raw_times.append(elapsed)
                env_times.append(env_elapsed)
        runtime.run(context.close())
    finally:
        env.close()
    return {
        "raw_times": raw_times,
        "env_times": env_times,
        "obs_chars": len(obs["html"]),
        "raw_chars": info["raw_html_chars"],
        "page_content_chars": raw_chars,
        "elements": info["num_elements"],
    }


def latency_result(run: dict, steps: int) -> dict[str, Any]:
    """The latency part's JSON fields (top level of ``env_speed.json``, as before)."""
    raw_s, env_s = summarize(run["raw_times"]), summarize(run["env_times"])
    return {
        "steps": steps,
        "raw_playwright": raw_s,
        "webarena_env": env_s,
        "p50_ratio": env_s["p50_ms"] / raw_s["p50_ms"],
        "raw_html_chars": run["raw_chars"],
        "obs_chars": run["obs_chars"],
        "obs_fraction": run["obs_chars"] / run["raw_chars"],
        "numbered_elements": run["elements"],
    }


def bench_reset(resets: int, warmup: int) -> dict:
    """``SandboxEnv.reset()`` on the shop's home page vs raw Playwright's floor.

    Floor: a new browser context (with the same tenant header and login cookie) loading the
    same start page and reading ``page.content()``. The env additionally closes the previous
    context, restores the tenant's store database and labels + simplifies the page.
    """
    from webarena_gym.sandbox.auth import session_cookie
    from webarena_gym.sandbox.env import SandboxEnv
    from webarena_gym.sandbox.host import TENANT_HEADER

    task = {
        "sites": ["shopping"], "task_id": "home", "require_login": True,
        "storage_state": "./.auth/shopping_state.json", "start_url": "__SHOPPING__/",
        "intent": "browse", "eval": {"eval_types": ["string_match"],
                                     "reference_answers": {"exact_match": "x"}},
    }
    env = SandboxEnv(task_configs=[task], max_episode_steps=5)
    runtime = env.runtime
    env_times, restore_ms, raw_times = [], [], []
    try:
        env.reset()
        url = env.site_urls["shopping"] + "/"
        headers = {TENANT_HEADER: env.tenant}
        cookie = session_cookie("shopping", env._default_user_id("shopping"))

        async def raw_reset() -> float:
            browser = await runtime.get_browser()
            start = time.perf_counter()
            context = await browser.new_context(viewport={"width": 1280, "height": 720},
                                                extra_http_headers=headers)
            await context.add_cookies([cookie])
            page = await context.new_page()
            await page.goto(url)
            await page.content()
            elapsed = time.perf_counter() - start
            await context.close()
            return elapsed

        for i in range(warmup + resets):
            raw = runtime.run(raw_reset())
            _obs, info = env.reset()
            if i >= warmup:
                raw_times.append(raw)
                env_times.append(info["reset_seconds"])
                restore_ms.append(info["restore_ms"])
    finally:
        env.close()
    return {"raw": summarize(raw_times), "env": summarize(env_times),
            "restore_ms_p50": percentile(restore_ms, 0.5),
            "restore_ms_p90": percentile(restore_ms, 0.9)}


def summarize(times: list[float]) -> dict:
    """p50/p90/mean in milliseconds."""
    ms = [t * 1000 for t in times]
    return {"p50_ms": percentile(ms, 0.5), "p90_ms": percentile(ms, 0.9), "mean_ms": statistics.mean(ms)}


# -- processes: memory and CPU of this process and everything it started (Linux /proc) ---------
def chromium_descendants() -> list[int]:
    """This process's live Chromium descendants (none should be left after the envs close)."""
    return chromium_pids()


# -- throughput of N concurrent envs ---------------------------------------------------------
def _click_next_everywhere(venv: Any) -> None:
    """One vector step: every env clicks the link to the other page (checked)."""
    before = [obs["url"] for obs in venv.observations]
    venv.step([next_link_action(obs["html"]) for obs in venv.observations])
    for i, (url, obs) in enumerate(zip(before, venv.observations, strict=True)):
        if obs["last_action_error"] or not obs["url"].endswith(other_page(url)):
            raise RuntimeError(
                f"env {i}: clicking 'Next page' on {url} gave {obs['url']!r}, "
                f"error {obs['last_action_error']!r}"
            )


def _cpu_row(kind: str, n: int, browsers: int, steps: int, elapsed: float,
             cpu: dict[str, float]) -> dict[str, Any]:
    """A throughput row: rate, CPU per env step (total and by process kind), cores kept busy."""
    env_steps = n * steps
    total = sum(v for k, v in cpu.items() if ":" not in k)  # chromium:<type> split chromium
    return {
        "kind": kind, "num_envs": n, "num_browsers": browsers, "env_steps": env_steps,
        "seconds": elapsed, "steps_per_s": env_steps / elapsed,
        "vector_step_ms": elapsed / steps * 1000,
        "cpu_ms_per_step": total / env_steps * 1000,
        "cpu_ms_per_step_by_kind": {k: v / env_steps * 1000 for k, v in cpu.items()},
        "cpu_busy": total / (elapsed * (os.cpu_count() or 1)),
    }


def _cpu_since(start: dict[str, float]) -> dict[str, float]:
    now = tree_cpu_by_kind(chromium_types=True)
    return {k: now[k] - start.get(k, 0.0) for k in now}


def bench_env_throughput(base: str, n: int, browsers: int, steps: int, warmup: int) -> dict:
    """Env steps per second, CPU per step and memory of N envs in one ``WebArenaVectorEnv``
    spread over ``browsers`` Chromium processes.

    N fresh envs on the shop page, a timed group reset, ``warmup`` vector steps, the memory of
    the process tree, then ``steps`` timed vector steps (N x ``steps`` env steps). Episodes are
    long enough that none ends while timed; an env whose episode ended anyway is reset outside
    the timed span.
    """
    from webarena_gym import WebArenaEnv
    from webarena_gym.vector import WebArenaVectorEnv, browser_shards

    # Generous timeouts: 16 pages loading at once on 2 busy cores must slow down, not fail.
    envs = [
        WebArenaEnv([shop_task(base)], max_episode_steps=warmup + steps + 1,
                    navigation_timeout_ms=120_000, action_timeout_ms=60_000,
                    browser_shard=shard)
        for shard in browser_shards(n, browsers)
    ]
    venv = WebArenaVectorEnv(envs=envs)
    try:
        start = time.perf_counter()
        venv.reset(options={"task_id": 0})
        reset_s = time.perf_counter() - start
        for _ in range(warmup):
            _click_next_everywhere(venv)
        memory = tree_memory()
        cpu_start, excluded, start = tree_cpu_by_kind(chromium_types=True), 0.0, time.perf_counter()
        for _ in range(steps):
            if venv.done.any():
                reset_start = time.perf_counter()
                venv.reset(options={"task_id": 0, "reset_mask": venv.done})
                excluded += time.perf_counter() - reset_start
            _click_next_everywhere(venv)
        elapsed = time.perf_counter() - start - excluded
        cpu = _cpu_since(cpu_start)
    finally:
        venv.close()
    row = _cpu_row("env", n, len(set(browser_shards(n, browsers))), steps, elapsed, cpu)
    row.update(group_reset_s=reset_s, memory=memory)
    return row


def bench_raw_throughput(base: str, n: int, steps: int, warmup: int) -> dict:
    """Raw Playwright's floor for N concurrent pages: N contexts on one Chromium, each step
    clicks the link, waits for DOMContentLoaded and reads ``page.content()`` (no parsing,
    labelling or simplifying), all N at once on one event loop."""
    import asyncio

    from playwright.async_api import async_playwright

    from webarena_gym.browser import find_chromium, launch_args

    async def run() -> tuple[float, dict[str, float]]:
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(
                executable_path=find_chromium().path, args=launch_args())
            try:
                pages = []
                for _ in range(n):
                    context = await browser.new_context(viewport={"width": 1280, "height": 720})
                    page = await context.new_page()
                    await page.goto(f"{base}/a.html")
                    pages.append(page)

                async def step(page: Any) -> None:
                    url = page.url
                    await page.click("a#next")
                    await page.wait_for_load_state("domcontentloaded")
                    await page.content()
                    if not page.url.endswith(other_page(url)):
                        raise RuntimeError(f"raw click on {url} gave {page.url}")

                for _ in range(warmup):
                    await asyncio.gather(*(step(page) for page in pages))
                cpu_start, start = tree_cpu_by_kind(chromium_types=True), time.perf_counter()
                for _ in range(steps):
                    await asyncio.gather(*(step(page) for page in pages))
                return time.perf_counter() - start, _cpu_since(cpu_start)
            finally:
                await browser.close()

    elapsed, cpu = asyncio.run(run())
    return _cpu_row("raw", n, 1, steps, elapsed, cpu)


def _merge_rounds(rounds: list[dict]) -> dict:
    """One row from the same configuration's rounds: rates and CPU over all their steps, the
    memory and reset time of the last round, the spread of the rounds' steps/s."""
    row = dict(rounds[-1])
    steps = sum(r["env_steps"] for r in rounds)
    seconds = sum(r["seconds"] for r in rounds)
    cpu = {k: sum(r["cpu_ms_per_step_by_kind"][k] * r["env_steps"] for r in rounds) / steps
           for k in rounds[-1]["cpu_ms_per_step_by_kind"]}
    busy = sum(r["cpu_busy"] * r["seconds"] for r in rounds) / seconds
    row.update(env_steps=steps, seconds=seconds, steps_per_s=steps / seconds,
               vector_step_ms=sum(r["vector_step_ms"] for r in rounds) / len(rounds),
               cpu_ms_per_step=sum(v for k, v in cpu.items() if ":" not in k),
               cpu_ms_per_step_by_kind=cpu, cpu_busy=busy, rounds=len(rounds),
               round_steps_per_s=[r["steps_per_s"] for r in rounds])
    return row


def bench_throughput(base: str, num_envs: list[int], num_browsers: list[int], steps: int,
                     warmup: int, *, raw: bool = True, rounds: int = 2) -> list[dict]:
    """For each N: raw Playwright with N pages, then the env with N envs on each number of
    browsers in ``num_browsers`` (those <= N), one after the other, ``rounds`` times
    (interleaved, so that drift in the machine's speed hits every configuration alike).

    Before the first row, one env takes ``warmup`` untimed steps, so that what a process pays
    once (imports, the observation script's first compile) is not billed to the N=1 row.
    """
    bench_env_throughput(base, 1, 1, 1, warmup)
    rows = []
    for n in num_envs:
        configs = [("raw", 1)] if raw else []
        configs += [("env", b) for b in num_browsers if b <= n]
        done: dict[tuple[str, int], list[dict]] = {c: [] for c in configs}
        for _ in range(rounds):
            for kind, browsers in configs:
                if kind == "raw":
                    row = bench_raw_throughput(base, n, steps, warmup)
                else:
                    row = bench_env_throughput(base, n, browsers, steps, warmup)
                done[kind, browsers].append(row)
        for (kind, _browsers), measured in done.items():
            row = _merge_rounds(measured)
            rows.append(row)
            memory = f", {row['memory']['total_mb']:.0f} MB" if "memory" in row else ""
            spread = "/".join(f"{v:.2f}" for v in row["round_steps_per_s"])
            print(f"  throughput {kind} N={n} browsers={row['num_browsers']}: "
                  f"{row['steps_per_s']:.2f} env steps/s (rounds {spread}), "
                  f"{row['cpu_ms_per_step']:.0f} CPU-ms per step{memory}",
                  file=sys.stderr, flush=True)
    for row in rows:
        one = next((r for r in rows if r["kind"] == row["kind"] and r["num_envs"] == 1
                    and r["num_browsers"] == 1), None)
        row["speedup"] = row["steps_per_s"] / one["steps_per_s"] if one else None
        row["scaling_efficiency"] = row["speedup"] / row["num_envs"] if one else None
        row["cpu_vs_one"] = row["cpu_ms_per_step"] / one["cpu_ms_per_step"] if one else None
        row["per_added_env_mb"] = (
            (row["memory"]["total_mb"] - one["memory"]["total_mb"]) / (row["num_envs"] - 1)
            if one and "memory" in row and row["num_envs"] > 1 else None
        )
    return rows


#: The machine the throughput table projects to, from the per-step CPU cost.
PROJECTED_CORES = 64


def throughput_result(rows: list[dict], steps: int, warmup: int, rounds: int = 1
                      ) -> dict[str, Any]:
    """The throughput part's JSON: the rows, the memory slope (MB per env, least squares) and
    the projection to a :data:`PROJECTED_CORES`-core machine."""
    env_rows = [r for r in rows if r["kind"] == "env" and r["num_browsers"] == 1]
    slope = None
    if len({r["num_envs"] for r in env_rows}) >= 2:
        slope = statistics.linear_regression(
            [r["num_envs"] for r in env_rows], [r["memory"]["total_mb"] for r in env_rows]
        ).slope
    projection = None
    one = next((r for r in env_rows if r["num_envs"] == 1), None)
    widest = max((r for r in rows if r["kind"] == "env"), key=lambda r: r["num_envs"],
                 default=None)
    if one and widest:
        projection = {
            "cores": PROJECTED_CORES,
            "cores_per_env": one["cpu_busy"] * (os.cpu_count() or 1),
            "steps_per_s_at_one_env_cost": PROJECTED_CORES * 1000 / one["cpu_ms_per_step"],
            "steps_per_s_at_widest_cost": PROJECTED_CORES * 1000 / widest["cpu_ms_per_step"],
            "widest_num_envs": widest["num_envs"],
        }
        projection["envs_to_fill"] = PROJECTED_CORES / projection["cores_per_env"]
    return {"steps_per_env": steps, "warmup": warmup, "rounds": rounds, "rows": rows,
            "memory_mb_per_env_slope": slope, "cpus": os.cpu_count(), "projection": projection}


# -- BrowserGym side by side -----------------------------------------------------------------
#: BrowserGym settings compared: its defaults (what its users get), and its delays turned off
#: (the floor of its pipeline: screenshot + DOM snapshot + accessibility tree every step).
BROWSERGYM_WARMUP = 2  # untimed rounds of steps before the timed ones (its steps are slow)
BROWSERGYM_VARIANTS: dict[str, dict[str, Any]] = {
    "defaults": {},
    "delays off": {"slow_mo": 0, "pre_observation_delay": 0.0},
}


def browsergym_missing() -> str | None:
    """Why BrowserGym cannot run here, or None when ``import browsergym.core`` works."""
    try:
        import browsergym.core  # noqa: F401
    except ImportError as exc:
        return (f"browsergym-core is not installed ({exc}); `pip install browsergym-core` "
                "to include it")
    return None


def _browsergym_task_class() -> type:
    """A minimal BrowserGym task: open the shop page; reward 0, never done."""
    from browsergym.core.task import AbstractBrowserTask

    class ShopPageTask(AbstractBrowserTask):
        """Open the benchmark's shop page A (BrowserGym task defaults kept: slow_mo, timeout)."""

        @classmethod
        def get_task_id(cls) -> str:
            return "env_speed.shop"

        def __init__(self, seed: int, start_url: str) -> None:
            super().__init__(seed)
            self.start_url = start_url

        def setup(self, page: Any) -> tuple[str, dict]:
            page.goto(self.start_url)
            return "Browse the shop.", {}

        def validate(self, page: Any, chat_messages: list) -> tuple[float, bool, str, dict]:
            return 0.0, False, "", {}

        def teardown(self) -> None:
            pass

    return ShopPageTask


@contextlib.contextmanager
def browsergym_playwright(chromium: str) -> Iterator[None]:
    """BrowserGym's global sync Playwright, with every browser it launches on ``chromium``.

    ``BrowserEnv`` launches its page browser with ``pw_chromium_kwargs``, but its chat window
    (a second browser, every reset) with no executable path, i.e. Playwright's downloaded
    Chromium, which may be absent; both get the same binary as ours. Stops the driver after.
    """
    import browsergym.core as bgym

    pw = bgym._get_global_playwright()
    launch = pw.chromium.launch

    def launch_on_our_chromium(*args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("executable_path", chromium)
        return launch(*args, **kwargs)

    pw.chromium.launch = launch_on_our_chromium
    try:
        yield
    finally:
        del pw.chromium.launch
        pw.stop()
        bgym._set_global_playwright(None)


def browsergym_link_bid(obs: dict) -> str:
    """The bid of the "Next page" link in a BrowserGym observation's accessibility tree."""
    for node in obs["axtree_object"]["nodes"]:
        if (node.get("role", {}).get("value") == "link"
                and node.get("name", {}).get("value") == "Next page" and "browsergym_id" in node):
            return node["browsergym_id"]
    raise RuntimeError(f"no 'Next page' link with a bid in BrowserGym's AXTree of {obs['url']}")


def bench_browsergym(base: str, steps: int, warmup: int, resets: int) -> dict[str, Any]:
    """BrowserGym's ``BrowserEnv`` against ``WebArenaEnv``: same pages, same click, interleaved.

    Resets first (``resets`` timed after one warm-up each), then ``warmup`` + ``steps`` steps:
    in every round each BrowserGym variant and then WebArenaEnv clicks the link to the other
    page. BrowserGym's step is ``env.step('click("<bid>")')``; turning its observation into
    text (``flatten_axtree_to_str``, what a text agent does next) is timed apart.
    """
    from browsergym.core.env import BrowserEnv
    from browsergym.utils.obs import flatten_axtree_to_str

    from webarena_gym import WebArenaEnv
    from webarena_gym.browser import find_chromium

    chromium = find_chromium().path
    task_class = _browsergym_task_class()
    # BrowserEnv warns at every reset that slow_mo=0 overrides the task's; we know.
    logging.getLogger("browsergym.core.env").setLevel(logging.ERROR)
    names = [*BROWSERGYM_VARIANTS, "webarena_env"]
    times: dict[str, dict[str, list[float]]] = {
        name: {"step": [], "reset": [], "text": []} for name in names
    }
    stale, errors = dict.fromkeys(names, 0), dict.fromkeys(names, 0)
    obs: dict[str, dict] = {}
    envs: dict[str, Any] = {}
    ours = WebArenaEnv([shop_task(base)], max_episode_steps=warmup + steps + 1)
    try:
        with browsergym_playwright(chromium):
            try:
                for name, settings in BROWSERGYM_VARIANTS.items():
                    envs[name] = BrowserEnv(
                        task_entrypoint=task_class, task_kwargs={"start_url": f"{base}/a.html"},
                        headless=True, pw_chromium_kwargs={"executable_path": chromium},
                        **settings,
                    )
                envs["webarena_env"] = ours
                for i in range(1 + resets):
                    for name, env in envs.items():
                        start = time.perf_counter()
                        obs[name], _info = env.reset()
                        if i >= 1:
                            times[name]["reset"].append(time.perf_counter() - start)
                for i in range(warmup + steps):
                    for name, env in envs.items():
                        url = obs[name]["url"]
                        action = (next_link_action(obs[name]["html"]) if env is ours
                                  else f'click("{browsergym_link_bid(obs[name])}")')
                        start = time.perf_counter()
                        obs[name], *_rest = env.step(action)
                        elapsed = time.perf_counter() - start
                        error = obs[name]["last_action_error"]
                        if error and env is ours:
                            raise RuntimeError(f"WebArenaEnv step {i}: {action} failed: {error}")
                        if env is ours:
                            text = obs[name]["html"]
                        else:
                            start = time.perf_counter()
                            text = flatten_axtree_to_str(obs[name]["axtree_object"])
                            times[name]["text"].append(time.perf_counter() - start)
                        if i >= warmup:
                            times[name]["step"].append(elapsed)
                            # BrowserGym's click gives up after 500 ms (its action timeout),
                            # e.g. while the navigation it started is still going: count it.
                            errors[name] += bool(error)
                            # An observation of the page the click left is stale.
                            stale[name] += not obs[name]["url"].endswith(other_page(url))
                        obs[name]["text_chars"] = len(text)
            finally:
                for env in envs.values():
                    if env is not ours:
                        with contextlib.suppress(Exception):  # a half-reset env may not close
                            env.close()
    finally:
        ours.close()
    leftover = wait_for_no_chromium(timeout_s=15)
    result: dict[str, Any] = {
        "steps": steps, "resets": resets, "chromium": chromium, "leftover_chromium": leftover,
        "settings": {name: _browsergym_settings(envs[name]) for name in BROWSERGYM_VARIANTS},
    }
    for name in names:
        result[name] = {
            "step": summarize(times[name]["step"]),
            "reset": summarize(times[name]["reset"]),
            "text_obs": summarize(times[name]["text"]) if times[name]["text"] else None,
            "text_obs_chars": obs[name]["text_chars"],
            "stale_observations": stale[name],
            "action_errors": errors[name],
        }
    ours_p50 = result["webarena_env"]["step"]["p50_ms"]
    for name in BROWSERGYM_VARIANTS:
        result[name]["step_ratio"] = result[name]["step"]["p50_ms"] / ours_p50
        result[name]["reset_ratio"] = (
            result[name]["reset"]["p50_ms"] / result["webarena_env"]["reset"]["p50_ms"]
        )
    return result


def _browsergym_settings(env: Any) -> dict[str, Any]:
    """The BrowserGym settings that shape a step's latency, as this env ran with them."""
    task = env.task_entrypoint(seed=0, **env.task_kwargs)
    return {
        "pre_observation_delay_s": env.pre_observation_delay,
        "slow_mo_ms": env.slow_mo if env.slow_mo is not None else task.slow_mo,
        "timeout_ms": env.timeout if env.timeout is not None else task.timeout,
        "tags_to_mark": env.tags_to_mark,
    }


def wait_for_no_chromium(timeout_s: float) -> int:
    """Wait until no Chromium descendant is left; how many are left after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while True:
        left = chromium_descendants()
        if not left or time.monotonic() > deadline:
            if left:
                print(f"warning: {len(left)} Chromium processes left after closing the envs: "
                      f"{left}", file=sys.stderr)
            return len(left)
        time.sleep(0.2)


# -- output ------------------------------------------------------------------------------------
def machine_info() -> dict[str, Any]:
    """Where the numbers come from: CPUs, CPU model, Chromium, Python, date."""
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    chromium = version = ""
    try:
        from webarena_gym.browser import find_chromium

        chromium = find_chromium().path
        version = subprocess.run([chromium, "--version"], capture_output=True, text=True,
                                 timeout=20).stdout.strip()
    except Exception:  # noqa: BLE001 - informational only
        pass
    return {
        "cpus": os.cpu_count(), "cpu": cpu, "chromium": chromium, "chromium_version": version,
        "python": platform.python_version(),
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    }


def latency_lines(result: dict) -> list[str]:
    """The step-latency and observation-size tables."""
    raw_s, env_s = result["raw_playwright"], result["webarena_env"]
    return [
        "| step (click a link, load, read the page) | p50 ms | p90 ms | mean ms |",
        "| --- | ---: | ---: | ---: |",
        f"| raw Playwright (click + `page.content()`) | {raw_s['p50_ms']:.1f} | {raw_s['p90_ms']:.1f} | {raw_s['mean_ms']:.1f} |",
        f"| `WebArenaEnv.step` (parse + click + simplified HTML) | {env_s['p50_ms']:.1f} | {env_s['p90_ms']:.1f} | {env_s['mean_ms']:.1f} |",
        f"| ratio (env / raw, p50) | {result['p50_ratio']:.2f}x | | |",
        "",
        "| page | raw HTML chars | simplified chars | fraction | numbered elements |",
        "| --- | ---: | ---: | ---: | ---: |",
        f"| shop category, 100 products | {result['raw_html_chars']:,} | {result['obs_chars']:,} | {result['obs_fraction']:.3f} | {result['numbered_elements']} |",
    ]


def reset_lines(resets: dict) -> list[str]:
    """The reset-latency table."""
    return [
        "| reset (sandbox shop home, signed in) | p50 ms | p90 ms |",
        "| --- | ---: | ---: |",
        f"| raw Playwright (new context + load + `page.content()`) | {resets['raw']['p50_ms']:.1f} | {resets['raw']['p90_ms']:.1f} |",
        f"| `SandboxEnv.reset()` (close old context, restore tenant DB, new context, load, observe) | {resets['env']['p50_ms']:.1f} | {resets['env']['p90_ms']:.1f} |",
        f"| of which the tenant's database restore (SQLite backup API, 2.7 MB) | {resets['restore_ms_p50']:.2f} | {resets['restore_ms_p90']:.2f} |",
        f"| ratio (env / raw, p50) | {resets['env']['p50_ms'] / resets['raw']['p50_ms']:.2f}x | |",
    ]


def _opt(value: float | None, fmt: str, none: str = "") -> str:
    return none if value is None else format(value, fmt)


def throughput_lines(result: dict) -> list[str]:
    """The throughput table (CPU per step, scaling, memory), the projection and the targets."""
    rows = result["rows"]
    if any("kind" not in r for r in rows):  # results of an earlier version of this benchmark
        return ["Throughput: results of an earlier version; run `--only throughput` again."]
    measure = "PSS" if all(r["memory"]["measure"] == "PSS" for r in rows if "memory" in r) \
        else "RSS"
    lines = [
        "| what | N envs | browsers | env steps/s | speed-up vs N=1 | scaling efficiency | "
        "CPU-ms per step (Python / driver / Chromium) | vs N=1 | cores busy | "
        f"memory MB ({measure}) | MB per added env |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    names = {"raw": "raw Playwright", "env": "`WebArenaVectorEnv`"}
    for r in rows:
        kinds = r["cpu_ms_per_step_by_kind"]
        memory = f"{r['memory']['total_mb']:.0f}" if "memory" in r else ""
        lines.append(
            f"| {names[r['kind']]} | {r['num_envs']} | {r['num_browsers']} | "
            f"{r['steps_per_s']:.2f} | {_opt(r['speedup'], '.2f')}x | "
            f"{_opt(r['scaling_efficiency'], '.0%')} | {r['cpu_ms_per_step']:.0f} "
            f"({kinds['python']:.0f} / {kinds['driver']:.0f} / {kinds['chromium']:.0f}) | "
            f"{_opt(r['cpu_vs_one'], '.2f')}x | "
            f"{r['cpu_busy'] * result['cpus']:.2f} of {result['cpus']} | "
            f"{memory} | "
            f"{_opt(r.get('per_added_env_mb'), '.1f', '-')} |"
        )
    lines += [
        "",
        f"Each row: {result.get('rounds', 1)} round(s), interleaved with the other rows of "
        f"its N, of {result['warmup']} warm-up step(s) and {result['steps_per_env']} timed "
        "steps per env (rates and CPU over all timed steps); every env clicks the link to the other page each step (the raw rows: "
        "N pages of one Chromium, click + DOMContentLoaded + `page.content()`, no observation "
        "processing). Scaling efficiency: speed-up / N. CPU: user + system time of this "
        "process, the Playwright driver(s) and every Chromium process, per env step. "
        f"Memory: after the warm-up, {measure} of the same processes" + (
            f"; least-squares slope {result['memory_mb_per_env_slope']:.1f} MB per env "
            "(one browser)." if result["memory_mb_per_env_slope"] is not None else "."
        ),
    ]
    projection = result.get("projection")
    if projection:
        lines.append(
            f"Projection to a {projection['cores']}-core machine, from the CPU cost per step: "
            f"one env keeps {projection['cores_per_env']:.2f} cores busy, so about "
            f"{projection['envs_to_fill']:.0f} concurrent envs fill it; at one env's cost per "
            f"step it runs {projection['steps_per_s_at_one_env_cost']:.0f} env steps/s, at the "
            f"cost measured with {projection['widest_num_envs']} envs "
            f"{projection['steps_per_s_at_widest_cost']:.0f} env steps/s (CPU-bound ceilings: "
            "they assume the envs spread over browsers and worker processes so no single "
            "process's thread saturates; `num_browsers` and `RayVectorEnv` do that)."
        )
    lines += ["", *profile_lines(rows), ""]
    for kind in ("env", "raw"):
        one = next((r for r in rows if r["kind"] == kind and r["num_envs"] == 1
                    and r["num_browsers"] == 1), None)
        eights = [r for r in rows if r["kind"] == kind and r["num_envs"] == 8]
        if not one or not eights:
            continue
        best = max(eights, key=lambda r: r["speedup"])
        cheapest = min(eights, key=lambda r: r["cpu_vs_one"])
        who = names[kind]
        lines.append(
            f"{who}, targets at 8 envs: CPU per step within 15% of one env's: "
            f"{cheapest['cpu_vs_one']:.2f}x with {cheapest['num_browsers']} browser(s) "
            f"({'met' if cheapest['cpu_vs_one'] <= 1.15 else 'not met'}); at least 1.5x one "
            f"env's steps/s: {best['speedup']:.2f}x with {best['num_browsers']} browser(s) "
            f"({'met' if best['speedup'] >= 1.5 else 'not met'})."
        )
    return lines


def profile_lines(rows: list[dict]) -> list[str]:
    """Where the CPU per step goes, by process, at one env and at the widest N (one browser):
    the growth with N is located in the processes whose share grows."""
    picked = []
    for kind in ("raw", "env"):
        same = [r for r in rows if r["kind"] == kind and r["num_browsers"] == 1]
        if len(same) >= 2:
            picked += [min(same, key=lambda r: r["num_envs"]),
                       max(same, key=lambda r: r["num_envs"])]
    if not picked:
        return []
    kinds = ["python", "driver"] + sorted(
        {k for r in picked for k in r["cpu_ms_per_step_by_kind"] if k.startswith("chromium:")}
    )
    label = {"python": "Python (env, sandbox servers)", "driver": "Playwright driver (Node)"}
    names = {"raw": "raw", "env": "env"}
    header = " | ".join(f"{names[r['kind']]} N={r['num_envs']}" for r in picked)
    lines = [f"| CPU-ms per env step, by process | {header} |",
             "| --- |" + " ---: |" * len(picked)]
    for k in kinds:
        cells = " | ".join(f"{r['cpu_ms_per_step_by_kind'].get(k, 0.0):.0f}" for r in picked)
        lines.append(f"| {label.get(k, 'Chromium ' + k.split(':', 1)[-1])} | {cells} |")
    cells = " | ".join(f"{r['cpu_ms_per_step']:.0f}" for r in picked)
    lines.append(f"| total | {cells} |")
    return lines


def browsergym_lines(result: dict) -> list[str]:
    """The BrowserGym side-by-side table, or why it was skipped."""
    if "skipped" in result:
        return [f"BrowserGym side by side: skipped: {result['skipped']}."]
    ours = result["webarena_env"]

    def settings(name: str) -> str:
        s = result["settings"][name]
        return (f"pre_observation_delay {s['pre_observation_delay_s']:g} s, "
                f"slow_mo {s['slow_mo_ms']} ms, timeout {s['timeout_ms']} ms")

    lines = [
        "| env (same pages, same click) | settings | step p50 ms | step p90 ms | step mean ms | reset p50 ms | reset p90 ms | step p50 vs WebArenaEnv |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name in BROWSERGYM_VARIANTS:
        r = result[name]
        lines.append(
            f"| BrowserGym `BrowserEnv`, {name} | {settings(name)} | {r['step']['p50_ms']:.1f} | "
            f"{r['step']['p90_ms']:.1f} | {r['step']['mean_ms']:.1f} | {r['reset']['p50_ms']:.1f} | "
            f"{r['reset']['p90_ms']:.1f} | {r['step_ratio']:.2f}x |"
        )
    lines.append(
        f"| `WebArenaEnv` | simplified HTML | {ours['step']['p50_ms']:.1f} | "
        f"{ours['step']['p90_ms']:.1f} | {ours['step']['mean_ms']:.1f} | "
        f"{ours['reset']['p50_ms']:.1f} | {ours['reset']['p90_ms']:.1f} | 1.00x |"
    )
    default = result["defaults"]
    text = default["text_obs"]
    verdict = "met" if default["step_ratio"] >= 5 else "not met"
    names = [*BROWSERGYM_VARIANTS, "webarena_env"]
    stale = {n: result[n]["stale_observations"] for n in names}
    errors = {n: result[n]["action_errors"] for n in names}
    lines += [
        "",
        f"{result['steps']} steps and {result['resets']} resets each, interleaved, on one "
        f"Chromium binary (`{result['chromium']}`), headless. BrowserGym's step returns a "
        "screenshot, the DOM snapshot and the accessibility tree; its settings are its defaults "
        "(`BrowserEnv` and `AbstractBrowserTask`) except where the row says delays off. Its reset "
        "launches two new browsers (the page's and the chat window's); ours opens a browser "
        "context in the running one. Not in the step times: BrowserGym's text observation "
        f"(`flatten_axtree_to_str`) takes {text['p50_ms']:.1f} ms p50 more and has "
        f"{default['text_obs_chars']:,} chars; WebArenaEnv's simplified HTML has "
        f"{ours['text_obs_chars']:,}.",
        f"Target: WebArenaEnv's step latency at least 5x lower than BrowserGym's (defaults, "
        f"p50): {default['step_ratio']:.2f}x ({verdict}).",
    ]
    if any(stale.values()) or any(errors.values()) or result["leftover_chromium"]:
        lines.append(
            f"Timed steps whose action reported an error: {errors}; whose observation was not "
            f"yet the clicked page: {stale}; Chromium processes left after closing: "
            f"{result['leftover_chromium']}."
        )
    return lines


def render_markdown(result: dict) -> str:
    """``env_speed.md``: the tables of every part present in ``result``."""
    blocks = []
    if "raw_playwright" in result:
        blocks.append(latency_lines(result))
    if "reset" in result:
        blocks.append(reset_lines(result["reset"]))
    if "throughput" in result:
        blocks.append(throughput_lines(result["throughput"]))
    if "browsergym" in result:
        blocks.append(browsergym_lines(result["browsergym"]))
    if result.get("quick"):
        blocks.append(["Smoke run (`--quick`): small counts; these numbers mean little."])
    if "machine" in result:
        m = result["machine"]
        blocks.append([f"Measured on {m['cpus']} CPUs ({m['cpu']}), {m['chromium_version'] or m['chromium']}, "
                       f"Python {m['python']}, {m['date']}."])
    return "\n\n".join("\n".join(block) for block in blocks) + "\n"


def plot_throughput(result: dict, path: Path) -> bool:
    """Throughput and CPU per step against N as a PNG; False (nothing written) without
    matplotlib."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        from matplotlib.ticker import NullFormatter, ScalarFormatter
    except ImportError:
        return False
    rows = result["rows"]
    if any("kind" not in r for r in rows):
        return False
    series: dict[str, list[dict]] = {}
    for r in sorted(rows, key=lambda r: r["num_envs"]):
        label = ("raw Playwright" if r["kind"] == "raw"
                 else f"WebArenaVectorEnv, {r['num_browsers']} browser(s)")
        series.setdefault(label, []).append(r)
    ns = sorted({r["num_envs"] for r in rows})
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
    for label, points in series.items():
        style = "s--" if label.startswith("raw") else "o-"
        left.plot([r["num_envs"] for r in points], [r["steps_per_s"] for r in points], style,
                  label=label)
        right.plot([r["num_envs"] for r in points], [r["cpu_ms_per_step"] for r in points],
                   style, label=label)
    left.set(xscale="log", xlabel="concurrent envs N", ylabel="env steps / s",
             title=f"Throughput ({result['cpus']} cores)")
    right.set(xscale="log", xlabel="concurrent envs N", ylabel="CPU-ms per env step",
              title="CPU per step (Python + driver + Chromium)")
    for axis in (left, right):
        axis.xaxis.set_major_formatter(ScalarFormatter())
        axis.xaxis.set_minor_formatter(NullFormatter())
        axis.set_xticks(ns, [str(n) for n in ns])
        axis.set_ylim(bottom=0)
        axis.legend(fontsize="small")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return True


PARTS = ("latency", "reset", "throughput", "browsergym")
#: Counts of the full run, and of ``--quick`` (a smoke run: the numbers mean little).
FULL = {"steps": 200, "warmup": 10, "resets": 50, "num_envs": "1,2,4,8,16",
        "num_browsers": "1,2", "rounds": 2, "throughput_steps": 20, "throughput_warmup": 5, "bg_steps": 50, "bg_resets": 10}
QUICK = {"steps": 10, "warmup": 2, "resets": 3, "num_envs": "1,2,4",
         "num_browsers": "1,2", "rounds": 1, "throughput_steps": 5, "throughput_warmup": 2, "bg_steps": 4, "bg_resets": 2}


def _int_list(text: str) -> list[int]:
    try:
        values = [int(v) for v in text.split(",") if v.strip()]
    except ValueError:
        values = []
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError(f"expected positive integers like 1,2,4,8,16; got {text!r}")
    return values


def _parts(text: str) -> list[str]:
    parts = [p.strip() for p in text.split(",") if p.strip()]
    unknown = sorted(set(parts) - set(PARTS))
    if unknown or not parts:
        raise argparse.ArgumentTypeError(
            f"unknown part(s) {unknown or [text]}; choose from {','.join(PARTS)}")
    return parts


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line; counts left out come from ``FULL`` (or ``QUICK`` with ``--quick``)."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0].replace("\n", " "))
    p.add_argument("--only", type=_parts, default=list(PARTS),
                   help=f"comma-separated parts to run (default all: {','.join(PARTS)})")
    p.add_argument("--quick", action="store_true",
                   help="small counts for a smoke run (only to check that it works)")
    p.add_argument("--out", type=Path, default=RESULTS,
                   help="folder for env_speed.json/.md/.png (default benchmarks/results)")
    p.add_argument("--steps", type=int, help=f"latency: timed steps (default {FULL['steps']})")
    p.add_argument("--warmup", type=int, help=f"latency: warm-up steps (default {FULL['warmup']})")
    p.add_argument("--resets", type=int, help=f"reset: timed resets (default {FULL['resets']})")
    p.add_argument("--num-envs", type=_int_list,
                   help=f"throughput: values of N (default {FULL['num_envs']})")
    p.add_argument("--num-browsers", type=_int_list,
                   help="throughput: the numbers of Chromium processes the envs are spread over "
                        f"(each <= N; default {FULL['num_browsers']})")
    p.add_argument("--no-raw", dest="raw", action="store_false",
                   help="throughput: leave out raw Playwright's rows")
    p.add_argument("--throughput-steps", type=int,
                   help=f"throughput: timed steps per env (default {FULL['throughput_steps']})")
    p.add_argument("--rounds", type=int,
                   help=f"throughput: rounds of every row, interleaved (default {FULL['rounds']})")
    p.add_argument("--throughput-warmup", type=int,
                   help=f"throughput: warm-up steps (default {FULL['throughput_warmup']})")
    p.add_argument("--bg-steps", type=int,
                   help=f"browsergym: timed steps per env (default {FULL['bg_steps']})")
    p.add_argument("--bg-resets", type=int,
                   help=f"browsergym: timed resets per env (default {FULL['bg_resets']})")
    add_debug(p)
    args = p.parse_args(argv)
    for key, value in (QUICK if args.quick else FULL).items():
        if getattr(args, key) is None:
            setattr(args, key, _int_list(value) if key in ("num_envs", "num_browsers")
                    else value)
    for key in ("steps", "resets", "throughput_steps", "bg_steps", "bg_resets", "rounds"):
        if getattr(args, key) < 1:
            p.error(f"--{key.replace('_', '-')} must be at least 1")
    for key in ("warmup", "throughput_warmup"):
        if getattr(args, key) < 0:
            p.error(f"--{key.replace('_', '-')} must be at least 0")
    return args


def main(argv: list[str] | None = None) -> None:
    """Run the chosen parts, print their tables, write JSON/markdown/PNG to ``--out``."""
    args = parse_args(argv)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    json_path = out / "env_speed.json"
    result: dict[str, Any] = {}
    if json_path.is_file():  # keep the parts this run does not redo
        with contextlib.suppress(ValueError):
            result = json.loads(json_path.read_text())
    result["machine"] = machine_info()
    # Smoke-run numbers stay marked until every part has been run again in full.
    redone_all = set(args.only) == set(PARTS)
    result["quick"] = args.quick or (not redone_all and result.get("quick", False))
    server, base = serve()
    try:
        for part in PARTS:
            if part not in args.only:
                continue
            print(f"{part}...", file=sys.stderr, flush=True)
            started = time.perf_counter()
            if part == "latency":
                result.update(latency_result(bench(base, args.steps, args.warmup), args.steps))
            elif part == "reset":
                result["reset"] = bench_reset(args.resets, 3)
            elif part == "throughput":
                rows = bench_throughput(base, args.num_envs, args.num_browsers,
                                        args.throughput_steps, args.throughput_warmup,
                                        raw=args.raw, rounds=args.rounds)
                result["throughput"] = throughput_result(rows, args.throughput_steps,
                                                         args.throughput_warmup, args.rounds)
            else:
                missing = browsergym_missing()
                if missing:
                    print(f"BrowserGym side by side: skipped: {missing}", file=sys.stderr)
                    result["browsergym"] = {"skipped": missing}
                else:
                    result["browsergym"] = bench_browsergym(base, args.bg_steps, BROWSERGYM_WARMUP,
                                                            args.bg_resets)
            seconds = time.perf_counter() - started
            print(f"{part}: {seconds:.0f} s", file=sys.stderr, flush=True)
            result["run_seconds"] = {**result.get("run_seconds", {}), part: seconds}
            write_results(result, out, plot=part == "throughput", quiet=True)
    finally:
        server.shutdown()
        server.server_close()
    print(render_markdown(result))
    write_results(result, out, plot=False, quiet=False)


def write_results(result: dict, out: Path, *, plot: bool, quiet: bool) -> None:
    """Write ``env_speed.json`` and ``.md`` (and the PNG when ``plot``) to ``out``.

    Called after every part, so that a part that fails keeps the ones before it.
    """
    (out / "env_speed.json").write_text(json.dumps(result, indent=2) + "\n")
    (out / "env_speed.md").write_text(render_markdown(result))
    if plot and not plot_throughput(result["throughput"], out / "env_speed.png"):
        print("no env_speed.png: matplotlib is missing (pip install matplotlib)", file=sys.stderr)
    if not quiet:
        png = " and env_speed.png" if (out / "env_speed.png").is_file() else ""
        print(f"wrote {out / 'env_speed.json'}, env_speed.md{png}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(run_command(lambda argv: main(argv) and 0, None, "env_speed.py"))
