"""The sandbox as a service: ``webarena-gym serve``'s control API and ``SandboxEnv(sandbox_url=)``.

The service runs as a real ``webarena-gym serve`` subprocess on 127.0.0.1 with ephemeral ports
(so it signs logins with a secret of its own, as on another machine); two envs in this process
run the shop's cart task on it, each on its own tenant. The expiry and cap tests run a
:class:`ControlServer` in-process with short limits. Everything started here is stopped here.
"""

from __future__ import annotations

import json
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest
from helpers import browser_pids, require_chromium

from webarena_gym.sandbox.env import SandboxEnv
from webarena_gym.sandbox.host import TENANT_HEADER, SandboxHost
from webarena_gym.sandbox.service import (
    SANDBOX_URL_ENV,
    ControlServer,
    RemoteSandboxHost,
    SandboxServiceError,
)
from webarena_gym.sandbox.templates import load_split, sample_of

CART_TASK = "shopping/cart_add_with_options/0"


def refuses(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) != 0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get_json(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read())


@pytest.fixture(scope="module")
def service() -> Iterator[dict]:
    """``webarena-gym serve --sites shopping --port-base 0``: its control URL and site URLs;
    stopped with SIGINT at the end (exit status 0, ports closed)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "webarena_gym.cli", "serve", "--sites", "shopping",
         "--port-base", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        lines = []
        for line in proc.stdout:
            lines.append(line)
            if "Ctrl-C" in line:
                break
        text = "".join(lines)
        control = re.search(r"Control API for envs: (http://127\.0\.0\.1:\d+)", text)
        shop = re.search(r"shopping\s+(http://127\.0\.0\.1:\d+)", text)
        assert control and shop, (text, proc.stderr.read() if proc.poll() is not None else "")
        yield {"url": control.group(1), "shopping": shop.group(1)}
        proc.send_signal(signal.SIGINT)
        assert proc.wait(20) == 0, proc.stderr.read()
        for url in (control.group(1), shop.group(1)):
            assert refuses(int(url.rsplit(":", 1)[1])), f"{url} still listens after serve stopped"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module")
def cart_config() -> dict:
    return {c["task_id"]: c for c in load_split("test", sites=["shopping"])}[CART_TASK]


def oracle(config: dict):
    template, sample = sample_of(config)
    script = template.solve(sample)
    next(script)
    return script


def test_two_remote_envs_each_solve_the_cart_task_on_their_own_tenant(service, cart_config):
    require_chromium()
    before = browser_pids()
    remote = RemoteSandboxHost(service["url"])
    assert remote.site_urls == {"shopping": service["shopping"]}
    envs = [SandboxEnv([cart_config], sandbox_url=service["url"], max_episode_steps=20)
            for _ in range(2)]
    try:
        tenants = [env.tenant for env in envs]
        assert len(set(tenants)) == 2 and set(tenants) <= set(remote.tenants())
        assert all(isinstance(env.host, RemoteSandboxHost) for env in envs)
        assert all(env.site_urls["shopping"] == service["shopping"] for env in envs)
        observations, rewards = [], [0.0, 0.0]
        for env in envs:
            obs, info = env.reset(options={"task_id": CART_TASK})
            assert info["tenant"] == env.tenant and info["restore_ms"] >= 0
            assert "Emma" in obs["html"], "require_login: signed in with the service's cookie"
            observations.append(obs)
        scripts = [oracle(cart_config), oracle(cart_config)]
        done = [False, False]
        while not all(done):  # interleaved: both carts fill at once on one shared service
            for i, env in enumerate(envs):
                if done[i]:
                    continue
                obs, reward, terminated, truncated, info = env.step(
                    scripts[i].send(observations[i]))
                observations[i] = obs
                rewards[i] += reward
                done[i] = terminated or truncated
        # Each program_html check reads "Red qty=3" in its own cart: with a shared cart it
        # would read qty=6 (or two rows), so two passes mean two tenants.
        assert rewards == [1.0, 1.0], [env.last_eval for env in envs]
    finally:
        for env in envs:
            env.close()
    assert not set(tenants) & set(remote.tenants()), "close() drops the tenants on the service"
    assert browser_pids() == before


def test_an_agent_page_cannot_reach_the_control_api(service, cart_config):
    require_chromium()
    env = SandboxEnv([cart_config], sandbox_url=service["url"], max_episode_steps=5)
    try:
        env.reset()
        served = get_json(service["url"] + "/")["requests"]
        script = f"""async () => {{
            const out = [];
            for (const [method, type] of [["GET", null], ["POST", "text/plain"],
                                          ["POST", "application/json"]]) {{
                try {{
                    const init = {{method}};
                    if (type) {{ init.body = "{{}}"; init.headers = {{"Content-Type": type}}; }}
                    const r = await fetch("{service['url']}/tenants", init);
                    out.push(method + " " + r.status);
                }} catch (e) {{ out.push(method + " blocked"); }}
            }}
            return out;
        }}"""
        assert env.runtime.run(env.session.page.evaluate(script)) == ["GET blocked"] + [
            "POST blocked"] * 2
        # Navigating there is blocked too (and reported to the agent).
        env.runtime.run(env.session.page.evaluate(
            f"() => {{ location.href = '{service['url']}/tenants'; }}"))
        obs, *_ = env.step('do(action="Wait")')
        assert obs["url"].startswith(service["shopping"])
        # Only this request reached the API: none of the page's did.
        assert get_json(service["url"] + "/")["requests"] == served + 1
    finally:
        env.close()


def test_the_url_comes_from_the_environment_variable(service, cart_config, monkeypatch):
    monkeypatch.setenv(SANDBOX_URL_ENV, service["url"])
    env = SandboxEnv([cart_config])
    try:
        assert isinstance(env.host, RemoteSandboxHost) and env.host.url == service["url"]
        assert env.tenant in env.host.tenants()
        assert env.site_urls["shopping"] == service["shopping"]
    finally:
        env.close()


def test_a_bad_url_says_which_and_what_to_do(service, cart_config):
    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(SandboxServiceError, match=re.escape(url)) as caught:
        SandboxEnv([cart_config], sandbox_url=url)
    assert "webarena-gym serve" in str(caught.value)
    # A site's URL is not the control API.
    with pytest.raises(SandboxServiceError, match="not a webarena-gym sandbox control API"):
        SandboxEnv([cart_config], sandbox_url=service["shopping"])
    with pytest.raises(ValueError, match="sandbox_url 'ftp://x'"):
        SandboxEnv([cart_config], sandbox_url="ftp://x")
    remote = RemoteSandboxHost(service["url"])
    with pytest.raises(SandboxServiceError, match="field 'sites': unknown name"):
        remote.acquire(["nope"])
    with pytest.raises(SandboxServiceError, match="unknown tenant 't-nope'"):
        remote.restore_tenant("t-nope", ["store"])
    # What a web page could send cross-origin without a preflight is refused.
    form = urllib.request.Request(service["url"] + "/tenants", data=b"{}", method="POST",
                                  headers={"Content-Type": "text/plain"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(form, timeout=10)
    assert refused.value.code == 415


def test_idle_tenants_expire_and_the_cap_is_clear():
    host = SandboxHost(serve_mode=True)
    # Reaped by hand (no background reaps): which tenant expires must not hang on how fast
    # a loaded machine answers the requests that keep the other one alive.
    control = ControlServer(host, tenant_idle_s=2.0, max_tenants=2, reap_interval_s=3600)
    try:
        urls = host.start_sites(["shopping"])
        with control:
            remote = RemoteSandboxHost(control.url)
            busy, idle = remote.create_tenant(0), remote.create_tenant(0)
            with pytest.raises(SandboxServiceError, match=r"--max-tenants 2\)"):
                remote.create_tenant(0)
            remote.restore_tenant(busy, ["store"])
            time.sleep(2.1)  # both idle past tenant_idle_s...
            request = urllib.request.Request(urls["shopping"] + "/",
                                             headers={TENANT_HEADER: busy})
            with urllib.request.urlopen(request, timeout=10) as response:
                assert response.status == 200  # ...until a site request uses one again
            assert control.reap() == [idle]
            assert remote.tenants() == [busy]
            assert idle not in host.tenants
            with pytest.raises(SandboxServiceError, match=f"tenant '{idle}' expired"):
                remote.restore_tenant(idle, ["store"])
            # Its env's browser gets an error page, not the read-only data in its place.
            gone = urllib.request.Request(urls["shopping"] + "/", headers={TENANT_HEADER: idle})
            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(gone, timeout=10)
            assert refused.value.code == 400
            assert "No sandbox tenant" in refused.value.read().decode()
            remote.create_tenant(0)  # room again
            threads = control.threads()
        assert busy not in host.tenants and not host.tenants.tenants(), "stop() drops them all"
        assert not any(t.is_alive() for t in threads)
        assert refuses(int(remote.url.rsplit(":", 1)[1]))
    finally:
        control.stop()
        host.stop()

