"""Environment speed: step latency against the raw-Playwright floor, and observation size.

Serves two generated, content-heavy shop pages on 127.0.0.1 (each links to the other) and
measures, on the same pages and the same click:

* **raw Playwright floor**: ``page.click(link)`` + wait for DOMContentLoaded + ``page.content()``;
* **WebArenaEnv.step**: parse the text action, click the numbered element, wait, label the
  page and simplify it (the full observation an agent gets).

Prints a markdown table and writes ``benchmarks/results/env_speed.json`` and ``.md``.

    python benchmarks/env_speed.py [--steps 200]
"""

from __future__ import annotations

import argparse
import http.server
import json
import random
import re
import statistics
import threading
import time
from pathlib import Path

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


def bench(base: str, steps: int, warmup: int) -> dict:
    """Interleave raw-Playwright steps and env steps on the same pages, so drift hits both.

    Raw: click the link, wait for DOMContentLoaded (what the env waits for too), read
    ``page.content()``. Env: ``WebArenaEnv.step`` with a text Click on the numbered link
    (parse, click, settle, label and simplify the page).
    """
    from webarena_gym import WebArenaEnv

    task = {
        "sites": ["shopping"], "task_id": 0, "require_login": False, "storage_state": None,
        "start_url": f"{base}/a.html", "geolocation": None, "intent_template": "",
        "instantiation_dict": {}, "intent": "browse", "require_reset": False,
        "eval": {"eval_types": ["string_match"], "reference_answers": {"exact_match": "x"},
                 "reference_url": "", "program_html": [], "string_note": ""},
    }
    env = WebArenaEnv([task], max_steps=steps + warmup + 1)
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
            match = re.search(r'<a id="(\d+)"[^>]*>Next page</a>', obs["html"])
            assert match, obs["html"][:500]
            start = time.perf_counter()
            obs, *_rest, info = env.step(f'do(action="Click", element="{match.group(1)}")')
            env_elapsed = time.perf_counter() - start
            assert not obs["last_action_error"], obs["last_action_error"]
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
    env = SandboxEnv(task_configs=[task], max_steps=5)
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


def main() -> None:
    """Run the benchmark and print/write its table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--resets", type=int, default=50)
    args = parser.parse_args()
    server, base = serve()
    try:
        run = bench(base, args.steps, args.warmup)
        resets = bench_reset(args.resets, 3)
    finally:
        server.shutdown()
        server.server_close()
    raw_s, env_s = summarize(run["raw_times"]), summarize(run["env_times"])
    ratio = env_s["p50_ms"] / raw_s["p50_ms"]
    env = run
    result = {
        "steps": args.steps,
        "raw_playwright": raw_s,
        "webarena_env": env_s,
        "p50_ratio": ratio,
        "raw_html_chars": env["raw_chars"],
        "obs_chars": env["obs_chars"],
        "obs_fraction": env["obs_chars"] / env["raw_chars"],
        "numbered_elements": env["elements"],
        "reset": resets,
    }
    lines = [
        "| step (click a link, load, read the page) | p50 ms | p90 ms | mean ms |",
        "| --- | ---: | ---: | ---: |",
        f"| raw Playwright (click + `page.content()`) | {raw_s['p50_ms']:.1f} | {raw_s['p90_ms']:.1f} | {raw_s['mean_ms']:.1f} |",
        f"| `WebArenaEnv.step` (parse + click + simplified HTML) | {env_s['p50_ms']:.1f} | {env_s['p90_ms']:.1f} | {env_s['mean_ms']:.1f} |",
        f"| ratio (env / raw, p50) | {ratio:.2f}x | | |",
        "",
        "| page | raw HTML chars | simplified chars | fraction | numbered elements |",
        "| --- | ---: | ---: | ---: | ---: |",
        f"| shop category, 100 products | {env['raw_chars']:,} | {env['obs_chars']:,} | {result['obs_fraction']:.3f} | {env['elements']} |",
        "",
        "| reset (sandbox shop home, signed in) | p50 ms | p90 ms |",
        "| --- | ---: | ---: |",
        f"| raw Playwright (new context + load + `page.content()`) | {resets['raw']['p50_ms']:.1f} | {resets['raw']['p90_ms']:.1f} |",
        f"| `SandboxEnv.reset()` (close old context, restore tenant DB, new context, load, observe) | {resets['env']['p50_ms']:.1f} | {resets['env']['p90_ms']:.1f} |",
        f"| of which the tenant's database restore (SQLite backup API, 2.7 MB) | {resets['restore_ms_p50']:.2f} | {resets['restore_ms_p90']:.2f} |",
        f"| ratio (env / raw, p50) | {resets['env']['p50_ms'] / resets['raw']['p50_ms']:.2f}x | |",
    ]
    table = "\n".join(lines)
    print(table)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "env_speed.json").write_text(json.dumps(result, indent=2))
    (RESULTS / "env_speed.md").write_text(table + "\n")


if __name__ == "__main__":
    main()
