"""Remote browsers: ``WebArenaEnv(browser_endpoint=...)`` drives a browser server on 127.0.0.1.

Two forms: Chromium started with ``--remote-debugging-port`` (CDP, ``http://``), and a
Playwright server (``python -m playwright run-server``, ``ws://``) that launches the Chromium
named in the endpoint's ``launch-options``. The env must never launch a local browser in their
place: a remote browser that is gone is a clear error. Each server is killed (with its process
group) at the end of its test.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator

import pytest
from helpers import browser_pids, element_id, require_chromium, task

from webarena_gym import WebArenaEnv
from webarena_gym.browser.runtime import RemoteBrowserError, launch_args


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stop_group(proc: subprocess.Popen) -> None:
    """Kill ``proc`` and everything in its process group (it was started in a new session)."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            pass
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)  # stragglers of the group (renderers, the driver)
    proc.wait(10)


def wait_until(check, what: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {timeout} s")
        time.sleep(0.05)


@contextlib.contextmanager
def cdp_browser() -> Iterator[tuple[str, subprocess.Popen]]:
    """Headless Chromium with a DevTools port on 127.0.0.1: ``(http://127.0.0.1:PORT, proc)``."""
    chromium = require_chromium()
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="wag-cdp-") as profile:
        proc = subprocess.Popen(
            [chromium, "--headless=new", f"--remote-debugging-port={port}",
             "--remote-debugging-address=127.0.0.1", f"--user-data-dir={profile}",
             *launch_args(), "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )
        endpoint = f"http://127.0.0.1:{port}"

        def answers() -> bool:
            assert proc.poll() is None, "Chromium exited at start"
            try:
                with urllib.request.urlopen(endpoint + "/json/version", timeout=1):
                    return True
            except OSError:
                return False

        try:
            wait_until(answers, "Chromium's DevTools endpoint")
            yield endpoint, proc
        finally:
            stop_group(proc)


@contextlib.contextmanager
def playwright_server() -> Iterator[tuple[str, subprocess.Popen]]:
    """``python -m playwright run-server --unsafe`` on 127.0.0.1: ``(ws://... endpoint, proc)``;
    each connection launches this machine's Chromium, named in the endpoint's launch options."""
    chromium = require_chromium()
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "playwright", "run-server", "--host", "127.0.0.1",
         "--port", str(port), "--unsafe"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )
    try:
        line = proc.stdout.readline()
        assert "Listening on" in line, line
        options = {"executablePath": chromium, "headless": True, "args": launch_args()}
        query = urllib.parse.urlencode({"launch-options": json.dumps(options)})
        yield f"ws://127.0.0.1:{port}/?{query}", proc
    finally:
        stop_group(proc)


def local_browsers(server: subprocess.Popen) -> set[int]:
    """Browsers this process started itself, not those of the server's process tree."""
    return set(browser_pids()) - set(browser_pids(server.pid)) - {server.pid}


def url_task(page_server: str) -> list[dict]:
    return [task(1, "__SHOPPING__/env/index.html", {
        "eval_types": ["url_match"], "reference_url": "__SHOPPING__/env/second.html"})]


def run_episode(env: WebArenaEnv, page_server: str) -> float:
    obs, _ = env.reset()
    assert "Second page" in obs["html"]
    obs, *_ = env.step(f'do(action="Click", element="{element_id(obs["html"], "Second page")}")')
    assert obs["url"] == f"{page_server}/env/second.html"
    _, reward, terminated, _, _ = env.step("exit()")
    assert terminated
    return reward


@pytest.mark.parametrize("server", [cdp_browser, playwright_server], ids=["cdp", "ws"])
def test_an_episode_on_a_remote_browser(page_server, server):
    before = set(browser_pids())
    with server() as (endpoint, proc):
        env = WebArenaEnv(url_task(page_server), {"shopping": page_server},
                          browser_endpoint=endpoint, max_episode_steps=5)
        try:
            assert run_episode(env, page_server) == 1.0
            assert env.runtime.chromium is None, "no local Chromium was looked for"
            assert env.runtime.launch_count == 1
            assert local_browsers(proc) == before, "a local browser was launched"
            assert browser_pids(proc.pid) or proc.pid in browser_pids(), "the server's browser"
        finally:
            env.close()
        assert proc.poll() is None, "closing the env leaves the browser server running"
    wait_until(lambda: set(browser_pids()) == before, "the server's browser exiting")


def test_a_gone_remote_browser_is_a_clear_error_not_a_local_launch(page_server):
    before = set(browser_pids())
    with cdp_browser() as (endpoint, proc):
        env = WebArenaEnv(url_task(page_server), {"shopping": page_server},
                          browser_endpoint=endpoint, max_episode_steps=5,
                          action_timeout_ms=3000)
        try:
            env.reset()
            stop_group(proc)  # the remote browser goes away mid-episode
            wait_until(lambda: not env.runtime.is_browser_alive(), "the disconnect")
            _, reward, _, truncated, info = env.step('do(action="Scroll Down")')
            assert truncated and reward == 0.0 and "crashed or was closed" in info["error"]
            with pytest.raises(RemoteBrowserError) as caught:
                env.reset()
            message = str(caught.value)
            assert endpoint in message and "--remote-debugging-port" in message
            assert "leave browser_endpoint unset" in message
            assert set(browser_pids()) == before, "a local browser was launched in its place"
            assert env.runtime.chromium is None
        finally:
            env.close()
    assert set(browser_pids()) == before
