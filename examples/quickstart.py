"""Quickstart: one WebArena-style episode on two small pages served on 127.0.0.1.

Interim demo until the embedded sandbox (``WebArenaSandbox-v0``) lands: it shows the env's
contract end to end: a task config in WebArena's schema, simplified-HTML observations with
numbered elements, text actions, and the binary reward with its explanation.

    python examples/quickstart.py
"""

from __future__ import annotations

import http.server
import json
import re
import threading

from webarena_gym import WebArenaEnv

PAGES = {
    "/": """<html><head><title>One Stop Market</title><style>.x{color:red}</style></head><body>
<nav><a href="/">Home</a> <a href="/orders">My Orders</a></nav>
<h1>Welcome, Emma</h1><p>Deals of the day: kettles, mugs, lamps.</p></body></html>""",
    "/orders": """<html><body><nav><a href="/">Home</a></nav><h1>My Orders</h1>
<table><tr><th>Order</th><th>Date</th><th>Total</th><th>Status</th></tr>
<tr><td>000000170</td><td>5/17/23</td><td>$365.41</td><td>Canceled</td></tr>
<tr><td>000000189</td><td>5/2/23</td><td>$754.99</td><td>Pending</td></tr></table></body></html>""",
}

TASK = {
    "sites": ["shopping"], "task_id": 0, "require_login": False, "storage_state": None,
    "start_url": "__SHOPPING__/", "geolocation": None,
    "intent_template": "What is the total of my latest {{status}} order?",
    "instantiation_dict": {"status": "pending"},
    "intent": "What is the total of my latest pending order?", "require_reset": False,
    "eval": {"eval_types": ["string_match"], "reference_answers": {"must_include": ["754.99"]},
             "reference_url": "", "program_html": [], "string_note": ""},
}


class Handler(http.server.BaseHTTPRequestHandler):
    """Serves PAGES."""

    def log_message(self, *args):  # noqa: D102
        pass

    def do_GET(self):  # noqa: N802, D102
        body = PAGES.get(self.path, "<html><body>Not found</body></html>").encode()
        self.send_response(200 if self.path in PAGES else 404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write(body)


def main() -> None:
    """Serve the pages, run a scripted agent through one episode, print what it saw."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    site = f"http://127.0.0.1:{server.server_address[1]}"
    env = WebArenaEnv([TASK], {"shopping": site}, max_episode_steps=5)
    try:
        obs, info = env.reset()
        print("intent:", obs["intent"])
        print("observation:", obs["html"])
        link = re.search(r'<a id="(\d+)">My Orders</a>', obs["html"]).group(1)
        for response in [
            f'<think>My orders are listed under "My Orders".</think>'
            f'<answer>do(action="Click", element="{link}")</answer>',
            "<think>The pending order's total is $754.99.</think>"
            '<answer>exit(message="$754.99")</answer>',
        ]:
            print("\naction:", response)
            obs, reward, terminated, truncated, info = env.step(response)
            print("observation:", obs["html"])
        print(f"\nreward={reward} terminated={terminated}")
        print("eval:", json.dumps(info["eval"], indent=1))
    finally:
        env.close()
        server.shutdown()
        server.server_close()


if __name__ == "__main__":
    main()
