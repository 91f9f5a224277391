"""Every step is bounded, and crashes end an episode, not the run (issue 16, items 5 and 6).

Real Chromium on pages served on 127.0.0.1: a request that is never answered, a page that stops
halfway, a script in an endless loop, a renderer that crashes, a browser killed in the middle of
a step or of a reset, a sandbox site server that dies, a client that sends half a request.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import threading
import time
import urllib.request

import pytest
from helpers import browser_pids, element_id, task
from playwright.async_api import Error as PlaywrightError

from webarena_gym import WebArenaEnv, WebArenaEnvError
from webarena_gym.browser.session import Session
from webarena_gym.sandbox.env import SandboxEnv
from webarena_gym.sandbox.host import TENANT_HEADER

CLICK = 'do(action="Click", element="{}")'


@pytest.fixture
def traps(page_server):
    """An env on the traps page: short timeouts so that every bound is reached quickly."""
    cfg = task(0, "__SHOPPING__/env/traps.html", {
        "eval_types": ["string_match"], "reference_answers": {"exact_match": "42"}})
    env = WebArenaEnv([cfg], {"shopping": page_server}, max_episode_steps=5,
                      navigation_timeout_ms=2000, action_timeout_ms=2000, step_timeout_s=6)
    yield env
    env.close()


def click(env, label):
    obs, _ = env.reset()
    return env.step(CLICK.format(element_id(obs["html"], label)))


def test_request_that_never_answers_is_stopped(traps):
    obs, reward, terminated, truncated, info = click(traps, "never answers")
    assert not (terminated or truncated) and "error" not in info
    assert "did not load" in obs["last_action_error"]
    assert "Traps" in obs["html"]  # the page as it was
    obs, *_ = traps.step('do(action="Scroll Down")')  # the episode goes on
    assert obs["last_action_error"] == ""


def test_page_that_stops_halfway_does_not_raise(traps):
    obs, reward, terminated, truncated, info = click(traps, "stops halfway")
    assert not (terminated or truncated) and "error" not in info
    # Shown as far as it loaded once the document committed (the old page until then).
    assert "Half a page" in obs["html"] or "Traps" in obs["html"]
    obs, reward, terminated, truncated, info = traps.step('do(action="Scroll Down")')
    assert not (terminated or truncated) and "error" not in info


def test_endless_script_is_discarded_and_the_episode_goes_on(traps):
    obs, reward, terminated, truncated, info = click(traps, "Spin forever")
    assert not (terminated or truncated)
    assert "did not finish within 6 s" in obs["last_action_error"]
    assert "Traps" in obs["html"] and obs["url"].endswith("/env/traps.html")
    obs, *_ = traps.step(CLICK.format(element_id(obs["html"], "Second page")))
    assert "Second page" in obs["html"]


def test_stall_on_the_last_step_ends_the_episode_unscored(page_server):
    cfg = task(0, "__SHOPPING__/env/traps.html", {
        "eval_types": ["string_match"], "reference_answers": {"exact_match": "42"}})
    env = WebArenaEnv([cfg], {"shopping": page_server}, max_episode_steps=1,
                      navigation_timeout_ms=2000, action_timeout_ms=2000, step_timeout_s=4)
    try:
        obs, reward, terminated, truncated, info = click(env, "Spin forever")
        assert truncated and not terminated and reward == 0.0
        assert "ended unscored" in info["error"]
        obs, _ = env.reset()  # the env is usable afterwards
        assert "Traps" in obs["html"]
    finally:
        env.close()


def test_renderer_crash_ends_the_episode(traps):
    traps.reset()

    async def crash():
        cdp = await traps.session.context.new_cdp_session(traps.session.page)
        try:  # the page dies under the call, which then never answers
            await asyncio.wait_for(cdp.send("Page.crash"), 3)
        except (asyncio.TimeoutError, PlaywrightError):
            pass

    traps.runtime.run(crash())
    obs, reward, terminated, truncated, info = traps.step('do(action="Scroll Down")')
    assert truncated and reward == 0.0 and "crashed" in info["error"]
    obs, _ = traps.reset()
    assert "Traps" in obs["html"]


def _kill_browser() -> None:
    for pid in browser_pids():
        os.kill(pid, signal.SIGKILL)


def test_browser_killed_mid_step_truncates(traps, page_server):
    obs, _ = traps.reset()
    link = element_id(obs["html"], "never answers")  # a step that takes a while
    timer = threading.Timer(0.5, _kill_browser)
    timer.start()
    try:
        obs, reward, terminated, truncated, info = traps.step(CLICK.format(link))
    finally:
        timer.join()
    assert truncated and reward == 0.0 and "crashed" in info["error"]
    obs, _ = traps.reset()
    assert "Traps" in obs["html"]


def test_browser_killed_during_reset_is_relaunched(traps, monkeypatch):
    traps.reset()
    original = Session.open_start_urls
    kills = []

    async def dying(self, urls):
        if not kills:
            kills.append(1)
            _kill_browser()
            deadline = time.time() + 10
            while self.runtime.is_browser_alive() and time.time() < deadline:
                await asyncio.sleep(0.05)
        return await original(self, urls)

    monkeypatch.setattr(Session, "open_start_urls", dying)
    launches = traps.runtime.launch_count
    obs, _ = traps.reset()
    assert kills and "Traps" in obs["html"]
    assert traps.runtime.launch_count == launches + 1


def test_reset_that_keeps_dying_raises_the_projects_error(traps, monkeypatch):
    traps.reset()

    async def always_dying(self, urls):
        _kill_browser()
        deadline = time.time() + 10
        while self.runtime.is_browser_alive() and time.time() < deadline:
            await asyncio.sleep(0.05)
        await self.goto(urls[0])

    monkeypatch.setattr(Session, "open_start_urls", always_dying)
    with pytest.raises(WebArenaEnvError, match="browser died while the episode was starting"):
        traps.reset()
    monkeypatch.undo()
    obs, _ = traps.reset()  # and recovers once the cause is gone
    assert "Traps" in obs["html"]


def test_step_timeout_is_checked():
    with pytest.raises(ValueError, match="step_timeout_s"):
        WebArenaEnv([task(0, "http://127.0.0.1:1/", {})], step_timeout_s=0)


# -- the sandbox host ---------------------------------------------------------------------------

@pytest.fixture
def map_env():
    env = SandboxEnv(sites=["map"], split="test", max_episode_steps=5, step_timeout_s=20)
    yield env
    env.close()


def test_dead_site_server_is_restarted_at_reset(map_env):
    obs, info = map_env.reset()
    url = map_env.site_urls["map"]
    running = map_env.host._running["map"]  # fault injection: stop the server's thread
    running.server.should_exit = True
    running.thread.join(10)
    with pytest.raises(OSError):
        urllib.request.urlopen(url, timeout=5)
    obs, info = map_env.reset(options={"task_id": info["task_id"]})
    assert map_env.site_urls["map"] == url and obs["html"]
    assert "error" not in info


def test_half_sent_request_does_not_hold_the_tenant(map_env):
    map_env.reset()
    host, port = "127.0.0.1", map_env.host.port("map")
    stuck = socket.create_connection((host, port), timeout=5)
    try:
        stuck.sendall(
            f"POST / HTTP/1.1\r\nHost: {host}\r\n{TENANT_HEADER}: {map_env.tenant}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\n"
            "q=half".encode()
        )
        time.sleep(0.3)  # the server has the headers and waits for the rest
        request = urllib.request.Request(map_env.site_urls["map"],
                                         headers={TENANT_HEADER: map_env.tenant})
        with urllib.request.urlopen(request, timeout=10) as answer:  # the tenant is not held
            assert answer.status == 200
        obs, _ = map_env.reset()  # nor is its restore
        assert obs["html"]
    finally:
        stuck.close()
