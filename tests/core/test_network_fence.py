"""What a page can reach: the task's http(s) origins only, with the env's headers only there.

Real Chromium through ``WebArenaEnv``. A listening socket on another loopback port counts the
TCP connections it accepts: a blocked WebSocket, fetch, prefetch or navigation must open none.
"""

from __future__ import annotations

import http.server
import re
import socket
import threading
from collections.abc import Iterator

import pytest
from helpers import serve

from webarena_gym import WebArenaEnv

TENANT = "X-Fence-Tenant"


class AcceptCounter:
    """A TCP socket on 127.0.0.1 that accepts (and drops) connections, counting them."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.accepted: list[tuple[str, int]] = []
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, address = self.sock.accept()
            except OSError:  # closed
                return
            self.accepted.append(address)
            conn.close()

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def counter() -> Iterator[AcceptCounter]:
    listener = AcceptCounter()
    yield listener
    listener.close()


def fixture_task(task_id: int, start_url: str) -> dict:
    return {
        "task_id": task_id,
        "sites": ["shopping"],
        "intent": f"fixture task {task_id}",
        "start_url": start_url,
        "eval": {"eval_types": ["string_match"], "reference_answers": {"exact_match": "1"}},
    }


def element_id(html: str, text: str) -> str:
    for match in re.finditer(r'<(\w+) id="(\d+)"[^>]*>([^<]*)', html):
        if text in match.group(3):
            return match.group(2)
    raise AssertionError(f"no numbered element with text {text!r} in:\n{html[:2000]}")


def click(env: WebArenaEnv, obs: dict, text: str) -> dict:
    return env.step(f'do(action="Click", element="{element_id(obs["html"], text)}")')[0]


def test_page_scripts_open_no_connection_to_another_port(page_server, counter):
    # The control: the counter does count a connection made to it.
    socket.create_connection(("127.0.0.1", counter.port), timeout=5).close()
    deadline = threading.Event()
    for _ in range(50):
        if counter.accepted:
            break
        deadline.wait(0.05)
    assert len(counter.accepted) == 1
    counter.accepted.clear()

    url = f"__SHOPPING__/secure/net.html?port={counter.port}"
    env = WebArenaEnv([fixture_task(1, url)], {"shopping": page_server}, max_episode_steps=10)
    try:
        obs, _ = env.reset()
        for _ in range(8):  # the page's attempts settle within about 3 s
            if "all done" in obs["html"]:
                break
            obs, *_ = env.step('do(action="Wait")')
        assert "all done" in obs["html"], obs["html"]
        for attempt in ("websocket: error", "secure websocket: error",
                        "worker websocket: error", "fetch: failed", "event source: error"):
            assert attempt in obs["html"], (attempt, obs["html"])
        assert counter.accepted == [], "a page script reached another loopback port"
    finally:
        env.close()


def test_blocked_navigation_opens_no_connection(page_server, counter):
    url = f"__SHOPPING__/secure/nav.html?to=http://127.0.0.1:{counter.port}/x"
    env = WebArenaEnv([fixture_task(1, url)], {"shopping": page_server}, max_episode_steps=5)
    try:
        obs, _ = env.reset()
        start = obs["url"]
        obs = click(env, obs, "Link to elsewhere")
        assert "was blocked" in obs["last_action_error"]
        assert f"127.0.0.1:{counter.port}" in obs["last_action_error"]
        assert obs["url"] == start
        assert counter.accepted == []
    finally:
        env.close()


@pytest.mark.parametrize(
    ("button", "url"),
    [
        ("File link", "file:///etc/passwd"),
        ("Chrome link", "chrome://version"),
        ("Data link", "data:text/html"),
        ("Script to file", "file:///etc/passwd"),
        ("Script to chrome", "chrome://version"),
    ],
)
def test_other_schemes_are_reported_blocked(page_server, button, url):
    env = WebArenaEnv([fixture_task(1, "__SHOPPING__/secure/nav.html")],
                      {"shopping": page_server}, max_episode_steps=5, action_timeout_ms=2000)
    try:
        obs, _ = env.reset()
        start = obs["url"]
        obs = click(env, obs, button)
        assert "was blocked" in obs["last_action_error"], (button, obs["last_action_error"])
        assert url in obs["last_action_error"]
        assert obs["url"] == start
        obs, *_ = env.step('do(action="Wait")')  # reported once, with the step that caused it
        assert obs["last_action_error"] == ""
    finally:
        env.close()


class HeaderRecorder(http.server.BaseHTTPRequestHandler):
    """Another origin: records the headers of every request and shows them."""

    seen: list[dict[str, str]] = []

    def log_message(self, format, *args):  # noqa: A002 - keep test output quiet
        pass

    def do_GET(self):  # noqa: N802 - http.server naming
        HeaderRecorder.seen.append(dict(self.headers.items()))
        lines = "\n".join(f"{k}: {v}" for k, v in self.headers.items())
        body = f"<html><body><h1>Other origin</h1><pre>{lines}</pre></body></html>".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def test_extra_headers_go_to_the_task_sites_only(page_server):
    HeaderRecorder.seen = []
    with serve(HeaderRecorder) as other:
        task = fixture_task(1, f"__SHOPPING__/secure/nav.html?to={other}/headers")
        # "any": the agent may go to the other origin, but the tenant header stays home.
        env = WebArenaEnv([task, fixture_task(2, "__SHOPPING__/headers")],
                          {"shopping": page_server}, allowed_origins="any",
                          extra_http_headers={TENANT: "t-secret"}, max_episode_steps=5)
        try:
            obs, _ = env.reset(options={"task_id": 2})
            assert f"{TENANT}: t-secret" in obs["html"], "the task's site gets the header"
            obs, _ = env.reset(options={"task_id": 1})
            obs = click(env, obs, "Link to elsewhere")
            assert "Other origin" in obs["html"] and obs["last_action_error"] == ""
            assert HeaderRecorder.seen, "the other origin was reached"
            assert all(TENANT.lower() not in {k.lower() for k in h} for h in HeaderRecorder.seen)
            assert "t-secret" not in obs["html"]
        finally:
            env.close()


def test_page_scripts_cannot_replace_the_env_headers(page_server):
    env = WebArenaEnv([fixture_task(1, "__SHOPPING__/env/index.html")],
                      {"shopping": page_server}, extra_http_headers={TENANT: "t-mine"})
    try:
        env.reset()
        script = "() => fetch('/headers', {headers: {'X-Fence-Tenant': 't-other'}}).then(r => r.text())"
        text = env.runtime.run(env.session.page.evaluate(script))
        assert f"{TENANT}: t-mine" in text and "t-other" not in text
    finally:
        env.close()
