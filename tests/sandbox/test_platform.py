"""The sandbox platform end to end: host, tenants, login, ``WebArenaSandbox-v0``.

Real Chromium, real HTTP. The sites are two small fixture apps registered here (a counter
with a POST form and a sign-in, sharing one database), so these tests do not depend on the
shop; one smoke test runs the real ``shopping`` site when it exists.
"""

from __future__ import annotations

import importlib.util
import io
import re
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import gymnasium as gym
import httpx
import pytest
from gymnasium.utils.env_checker import check_env
from helpers import chromium_pids
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse
from starlette.routing import Route

import webarena_gym  # noqa: F401 - registers the env ids
from webarena_gym.sandbox import auth
from webarena_gym.sandbox.db import TenantDatabases, template_connection
from webarena_gym.sandbox.env import SandboxEnv
from webarena_gym.sandbox.host import TENANT_HEADER, SandboxHost, get_host, serve
from webarena_gym.sandbox.registry import DATABASES, SITES, Account, DatabaseSpec, SiteSpec

# -- the fixture sites ---------------------------------------------------------------------------

SCHEMA = """
CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE users (id INTEGER PRIMARY KEY, username TEXT NOT NULL UNIQUE);
"""


def generate_counter(conn, seed: int) -> None:
    """Seeded data: the counter starts at ``seed * 100``; one user, alice, id 7."""
    conn.execute("INSERT INTO counters VALUES ('clicks', ?)", (seed * 100,))
    conn.execute("INSERT INTO users VALUES (7, 'alice')")


def _counter_site(site: str):
    prefix = "/wiki" if site == "wikipedia" else ""

    async def home(request: Request) -> HTMLResponse:
        db = request.state.db
        value = db.execute("SELECT value FROM counters WHERE name = 'clicks'").fetchone()["value"]
        user_id = auth.current_user_id(request, site)
        row = db.execute("SELECT username FROM users WHERE id = ?", (user_id,)).fetchone()
        who = (
            f"<p>Signed in as {row['username']}</p>"
            f"<form method='post' action='{prefix}/logout'><button>Sign out</button></form>"
            if row else "<p>Not signed in</p>"
        )
        links = "".join(f"<li>{name} at {url}</li>" for name, url in
                        sorted(request.state.site_urls.items()))
        return HTMLResponse(
            f"<html><body><h1>{site} counter</h1><p id='value'>Count: {value}</p>"
            f"<p>tenant={request.state.tenant} readonly={request.state.readonly}</p>{who}"
            f"<form method='post' action='{prefix}/increment'><button>Add one</button></form>"
            f"<form method='post' action='{prefix}/increment?redirect=1'>"
            "<button>Add one and redirect</button></form>"
            f"<ul>{links}</ul></body></html>"
        )

    # The forms answer with the page itself: post-redirect-get is covered by its own test.
    async def increment(request: Request) -> HTMLResponse:
        db = request.state.db
        db.execute("UPDATE counters SET value = value + 1 WHERE name = 'clicks'")
        db.commit()
        if request.query_params.get("redirect"):
            return RedirectResponse(f"{prefix}/", status_code=303)
        return await home(request)

    async def logout(request: Request) -> HTMLResponse:
        response = auth.sign_out(HTMLResponse("<html><body><p>Signed out.</p>"
                                              f"<a href='{prefix}/'>Home</a></body></html>"), site)
        return response

    return Starlette(routes=[
        Route(f"{prefix}/", home),
        Route(f"{prefix}/increment", increment, methods=["POST"]),
        Route(f"{prefix}/logout", logout, methods=["POST"]),
    ])


def create_homepage_app() -> Starlette:
    """The ``homepage`` fixture site (base path ``/``)."""
    return _counter_site("homepage")


def create_wikipedia_app() -> Starlette:
    """The ``wikipedia`` fixture site (base path ``/wiki``), sharing the counter database."""
    return _counter_site("wikipedia")


def register_fixture_sites(setitem, schema_dir: Path) -> None:
    """Register the fixture sites (under WebArena site names the sandbox does not use)."""
    schema = schema_dir / "counter_schema.sql"
    schema.write_text(SCHEMA)
    module = "test_platform"
    setitem(DATABASES, "counter_test", DatabaseSpec(
        "counter_test", str(schema), f"{module}:generate_counter"))
    common = dict(database="counter_test", accounts=(Account("alice", "pw", "the fixture user"),),
                  user_query="SELECT id FROM users WHERE username = ?")
    setitem(SITES, "homepage", SiteSpec(
        name="homepage", app=f"{module}:create_homepage_app", port_offset=0,
        title="fixture homepage", **common))
    setitem(SITES, "wikipedia", SiteSpec(
        name="wikipedia", app=f"{module}:create_wikipedia_app", port_offset=1,
        title="fixture wiki", base_path="/wiki", **common))


@pytest.fixture(autouse=True)
def fixture_sites(monkeypatch, tmp_path_factory):
    """The fixture sites for every test; each test must leave the host stopped."""
    register_fixture_sites(monkeypatch.setitem, tmp_path_factory.getbasetemp())
    yield
    assert get_host().users == 0 and not get_host().is_running(), "a test left the host up"


def task(task_id, start_url="__HOMEPAGE__/", sites=("homepage",), **extra):
    """A WebArena-schema task on the fixture sites."""
    cfg = {
        "sites": list(sites), "task_id": task_id, "require_login": False,
        "storage_state": None, "start_url": start_url, "geolocation": None,
        "intent_template": "", "instantiation_dict": {}, "intent": f"fixture task {task_id}",
        "require_reset": False,
        "eval": {"eval_types": ["string_match"], "reference_answers": {"exact_match": "1"},
                 "reference_url": "", "program_html": [], "string_note": "", "url_note": "GOLD in PRED"},
    }
    cfg.update(extra)
    return cfg


def element_id(html: str, text: str) -> str:
    """The number of the element whose text contains ``text`` in a simplified observation."""
    for match in re.finditer(r'<(\w+) id="(\d+)"[^>]*>([^<]*)', html):
        if text in match.group(3):
            return match.group(2)
    raise AssertionError(f"no numbered element with text {text!r} in:\n{html[:2000]}")


def count(obs) -> int:
    return int(re.search(r"Count: (\d+)", obs["html"]).group(1))


def click(env, obs, text):
    return env.step(f'do(action="Click", element="{element_id(obs["html"], text)}")')[0]


def listening_addresses(port: int) -> list[str]:
    """Local addresses of the sockets listening on ``port`` (Linux /proc/net)."""
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            address, state = fields[1], fields[3]
            if state == "0A" and int(address.rsplit(":", 1)[1], 16) == port:
                found.append(address.rsplit(":", 1)[0])
    return found


def refuses(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) != 0


# -- tests -------------------------------------------------------------------------------------------

def test_host_starts_lazily_binds_loopback_and_serves_each_site():
    host = get_host()
    assert not host.is_running()
    env = SandboxEnv([task(1, sites=("homepage", "wikipedia"))], max_episode_steps=3)
    try:
        assert host.is_running() and env.host is host
        urls = env.site_urls
        assert set(urls) == {"homepage", "wikipedia"}
        assert urls["wikipedia"].endswith("/wiki")
        ports = {site: host.port(site) for site in urls}
        assert len(set(ports.values())) == 2, "each site has its own port"
        for site, url in urls.items():
            if sys.platform.startswith("linux"):
                assert listening_addresses(ports[site]) == ["0100007F"], "127.0.0.1 only"
            page = httpx.get(url + "/", headers={TENANT_HEADER: env.tenant})
            assert page.status_code == 200 and f"{site} counter" in page.text
            assert f"wikipedia at {urls['wikipedia']}" in page.text  # cross-site links
        obs, info = env.reset()
        assert count(obs) == 0 and obs["url"] == urls["homepage"] + "/"
        assert isinstance(info["restore_ms"], float) and info["tenant"] == env.tenant
    finally:
        env.close()


def test_tenants_are_isolated_and_reset_restores():
    tasks = [task(1), task(2, start_url="__WIKIPEDIA__/", sites=("wikipedia",))]
    env_a = SandboxEnv(tasks, sites=["homepage", "wikipedia"], max_episode_steps=10)
    env_b = SandboxEnv(tasks, sites=["homepage", "wikipedia"], max_episode_steps=10)
    try:
        assert env_a.tenant != env_b.tenant
        obs_a, _ = env_a.reset(options={"task_id": 1})
        obs_b, _ = env_b.reset(options={"task_id": 1})
        obs_a = click(env_a, obs_a, "Add one")
        obs_a = click(env_a, obs_a, "Add one")
        assert count(obs_a) == 2
        obs_b = click(env_b, obs_b, "Add one")
        assert count(obs_b) == 1, "a write by one env is invisible to the other"
        obs_a, info = env_a.reset(options={"task_id": 2})  # the other site, same database
        assert info["restore_ms"] >= 0
        assert count(obs_a) == 0, "reset restores the seeded state"
        page_b = httpx.get(env_b.site_urls["homepage"] + "/", headers={TENANT_HEADER: env_b.tenant})
        assert "Count: 1" in page_b.text, "one env's reset leaves the other's state alone"
    finally:
        env_a.close()
        env_b.close()


def test_parallel_envs_from_threads_keep_their_own_state():
    envs = [SandboxEnv([task(1)], max_episode_steps=10) for _ in range(3)]

    def run(index: int) -> list[int]:
        env = envs[index]
        seen = []
        for _episode in range(2):
            obs, _ = env.reset()
            for _ in range(index + 1):
                obs = click(env, obs, "Add one")
            seen.append(count(obs))
        return seen

    try:
        with ThreadPoolExecutor(len(envs)) as pool:
            results = list(pool.map(run, range(len(envs))))
        assert results == [[i + 1, i + 1] for i in range(len(envs))]
    finally:
        for env in envs:
            env.close()


def test_sites_sharing_a_database_see_the_same_tenant_state():
    env = SandboxEnv([task(1, sites=("homepage", "wikipedia"))], max_episode_steps=5)
    try:
        obs, _ = env.reset()
        obs = click(env, obs, "Add one")
        assert count(obs) == 1
        wiki = httpx.get(env.site_urls["wikipedia"] + "/", headers={TENANT_HEADER: env.tenant})
        assert "Count: 1" in wiki.text
    finally:
        env.close()


def test_request_without_tenant_gets_an_error_page():
    env = SandboxEnv([task(1)], max_episode_steps=3)
    try:
        url = env.site_urls["homepage"] + "/"
        for headers in ({}, {TENANT_HEADER: "t-not-a-tenant"}):
            page = httpx.get(url, headers=headers)
            assert page.status_code == 400
            assert TENANT_HEADER in page.text and "Count" not in page.text
    finally:
        env.close()


def test_page_scripts_cannot_switch_tenant():
    env_a = SandboxEnv([task(1)], max_episode_steps=3)
    env_b = SandboxEnv([task(1)], max_episode_steps=3)
    try:
        env_a.reset()
        env_b.reset()
        httpx.post(env_b.site_urls["homepage"] + "/increment",
                   headers={TENANT_HEADER: env_b.tenant})
        script = (
            "t => fetch('/', {headers: {'X-WebArena-Tenant': t}}).then(r => r.text())"
        )
        text = env_a.runtime.run(env_a.session.page.evaluate(script, env_b.tenant))
        assert f"tenant={env_a.tenant}" in text and "Count: 0" in text
    finally:
        env_a.close()
        env_b.close()


def test_serve_mode_shows_the_read_only_template():
    host = SandboxHost(serve_mode=True, seed=3)
    try:
        url = host.start_sites(["homepage"])["homepage"] + "/"
        page = httpx.get(url)
        assert page.status_code == 200
        assert "Count: 300" in page.text and "readonly=True" in page.text
        refused = httpx.post(url + "increment")
        assert refused.status_code == 403 and "read-only" in refused.text.lower()
        # A known tenant still gets its own writable copy in serve mode.
        tenant = host.tenants.create(seed=3)
        host.tenants.restore(tenant, ["counter_test"])
        httpx.post(url + "increment", headers={TENANT_HEADER: tenant})
        assert "Count: 301" in httpx.get(url, headers={TENANT_HEADER: tenant}).text
        assert "Count: 300" in httpx.get(url).text
    finally:
        host.stop()


def test_serve_prints_urls_and_accounts_and_stops():
    out, stop = io.StringIO(), threading.Event()
    result: dict = {}
    thread = threading.Thread(target=lambda: result.update(urls=serve(
        ["homepage", "wikipedia"], port_base=None, stop_event=stop, out=out)))
    thread.start()
    deadline = time.time() + 20
    while "Ctrl-C" not in out.getvalue() and time.time() < deadline:
        time.sleep(0.05)
    text = out.getvalue()
    try:
        urls = re.findall(r"http://127\.0\.0\.1:\d+(?:/wiki)?", text)
        assert len(urls) == 2, text
        assert "alice / pw" in text
        assert "Count: 0" in httpx.get(urls[0] + "/").text
    finally:
        stop.set()
        thread.join(10)
    port = int(urls[0].split(":")[2].split("/")[0])
    assert refuses(port)


def _python(code: str, schema_dir: Path) -> subprocess.Popen:
    """A Python subprocess with the fixture sites registered, running ``code``."""
    prelude = textwrap.dedent(f"""
        import sys
        from pathlib import Path
        sys.path[:0] = [{str(Path(__file__).parent)!r}, {str(Path(__file__).parents[1])!r}]
        import test_platform as fixture
        fixture.register_fixture_sites(lambda d, k, v: d.__setitem__(k, v),
                                       Path({str(schema_dir)!r}))
    """)
    return subprocess.Popen([sys.executable, "-c", prelude + textwrap.dedent(code)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_cli_serve_runs_until_ctrl_c(tmp_path):
    proc = _python("""
        from webarena_gym.cli import main
        sys.exit(main(["serve", "--sites", "homepage", "--port-base", "0", "--seed", "1"]))
    """, tmp_path)
    try:
        lines = []
        for line in proc.stdout:
            lines.append(line)
            if "Ctrl-C" in line:
                break
        text = "".join(lines)
        url = re.search(r"http://127\.0\.0\.1:\d+", text).group(0)
        assert "login alice / pw" in text
        assert "Count: 100" in httpx.get(url + "/").text
        proc.send_signal(signal.SIGINT)
        assert proc.wait(20) == 0, proc.stderr.read()
        assert refuses(int(url.rsplit(":", 1)[1]))
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_interpreter_exit_stops_the_sites(tmp_path):
    proc = _python("""
        from webarena_gym.sandbox.env import SandboxEnv
        env = SandboxEnv([fixture.task(1)], max_episode_steps=3)
        env.reset()
        print(env.host.port("homepage"), flush=True)
        # no close(): the interpreter exits with the env open
    """, tmp_path)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    assert refuses(int(out.strip().splitlines()[-1]))


def test_require_login_starts_signed_in_and_logout_is_real():
    env = SandboxEnv([task(1, require_login=True), task(2)], max_episode_steps=5)
    try:
        obs, _ = env.reset(options={"task_id": 1})
        assert "Signed in as alice" in obs["html"]
        obs = click(env, obs, "Sign out")
        obs = click(env, obs, "Home")
        assert "Not signed in" in obs["html"]
        obs, _ = env.reset(options={"task_id": 2})
        assert "Not signed in" in obs["html"]
        obs, _ = env.reset(options={"task_id": 1})
        assert "Signed in as alice" in obs["html"]
    finally:
        env.close()


def test_post_redirect_get_is_observed_after_the_redirect():
    env = SandboxEnv([task(1)], max_episode_steps=20)
    try:
        obs, _ = env.reset()
        for expected in range(1, 11):
            obs = click(env, obs, "Add one and redirect")
            assert obs["url"].endswith("/") and "Count" in obs["html"], obs
            assert count(obs) == expected
    finally:
        env.close()


def test_host_stops_when_the_last_env_closes():
    env_a = SandboxEnv([task(1)], max_episode_steps=3)
    env_b = SandboxEnv([task(1, sites=("homepage", "wikipedia"))], max_episode_steps=3)
    host = env_a.host
    env_a.reset()
    env_b.reset()
    ports = [host.port(s) for s in ("homepage", "wikipedia")]
    threads = host.threads()
    assert host.users == 2 and len(threads) == 2
    env_a.close()
    assert host.is_running() and host.users == 1
    env_b.close()
    env_b.close()  # twice is fine
    assert not host.is_running() and host.users == 0
    assert not any(t.is_alive() for t in threads)
    assert all(refuses(p) for p in ports)
    assert not [t for t in threading.enumerate() if t.name.startswith("webarena-gym-site")]
    deadline = time.time() + 10
    while chromium_pids() and time.time() < deadline:
        time.sleep(0.1)
    assert chromium_pids() == []


def test_check_env_through_gym_make():
    env = gym.make("WebArenaSandbox-v0", task_configs=[task(1), task(2)], sites=["homepage"],
                   max_episode_steps=4)
    try:
        assert isinstance(env.unwrapped, SandboxEnv)
        check_env(env.unwrapped)
    finally:
        env.close()


def test_bad_sites_and_tasks_are_named():
    with pytest.raises(ValueError, match="unknown sandbox site"):
        SandboxEnv([task(1)], sites=["nowhere"])
    with pytest.raises(ValueError, match=r"task 1 uses site\(s\) \['wikipedia'\]"):
        SandboxEnv([task(1, sites=("wikipedia",), start_url="__WIKIPEDIA__/")],
                   sites=["homepage"])
    assert get_host().users == 0


def test_tenant_databases_restore_and_drop():
    tenants = TenantDatabases()
    tenant = tenants.create(seed=2)
    tenants.restore(tenant, ["counter_test"])
    conn = tenants.connection(tenant, "counter_test")
    conn.execute("UPDATE counters SET value = 0")
    conn.commit()
    tenants.restore(tenant, ["counter_test"])
    fresh = tenants.connection(tenant, "counter_test")
    assert fresh.execute("SELECT value FROM counters").fetchone()["value"] == 200
    tenants.drop(tenant)
    with pytest.raises(KeyError, match="unknown sandbox tenant"):
        tenants.connection(tenant, "counter_test")
    readonly = template_connection("counter_test", 2)
    with pytest.raises(Exception, match="readonly"):
        readonly.execute("UPDATE counters SET value = 1")


def _module_exists(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:  # its parent package does not exist
        return False


@pytest.mark.skipif(
    not _module_exists("webarena_gym.sandbox.shopping.app")
    or not _module_exists("webarena_gym.sandbox.store.generate"),
    reason="the shopping site is not written yet",
)
def test_real_shopping_site_smoke():
    config = task("shop-1", start_url="__SHOPPING__", sites=("shopping",))
    env = gym.make("WebArenaSandbox-v0", sites=["shopping"], task_configs=[config], max_episode_steps=3)
    try:
        obs, info = env.reset()
        assert obs["url"].startswith(env.unwrapped.site_urls["shopping"])
        assert "tenant" not in obs["html"].lower() and len(obs["html"]) > 200
        assert info["restore_ms"] >= 0
    finally:
        env.close()


def test_checks_read_the_sites_with_page_scripts_off():
    # A media query tells whether the evaluator's page runs scripts: a script stored in a site
    # (an escaping hole) could otherwise rewrite whatever a check reads.
    probe = "matchMedia('(scripting: none)').matches ? 'page scripts off' : 'page scripts on'"
    config = task(1, eval={"eval_types": ["program_html"], "program_html": [{
        "url": "__HOMEPAGE__/", "locator": probe,
        "required_contents": {"must_include": ["page scripts off"]}}]})
    env = SandboxEnv([config], max_episode_steps=3)
    try:
        env.reset()
        _, reward, _, _, info = env.step("exit()")
        assert reward == 1.0, info["eval"]
        # The agent's own page still runs scripts.
        assert env.runtime.run(env.session.page.evaluate(f"() => {probe}")) == "page scripts on"
    finally:
        env.close()


def test_page_scripts_reach_no_other_port_and_no_other_origin_gets_the_tenant():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    listener.settimeout(0.2)
    port = listener.getsockname()[1]
    env = SandboxEnv([task(1)], max_episode_steps=3)
    try:
        env.reset()
        script = """port => Promise.all([
            fetch('http://127.0.0.1:' + port + '/').then(() => 'fetched', () => 'fetch failed'),
            new Promise(done => {
                const ws = new WebSocket('ws://127.0.0.1:' + port + '/');
                ws.onopen = () => done('socket open');
                ws.onerror = () => done('socket failed');
                setTimeout(() => done('no answer'), 3000);
            }),
        ])"""
        outcome = env.runtime.run(env.session.page.evaluate(script, port))
        assert outcome == ["fetch failed", "socket failed"]
        with pytest.raises(TimeoutError):
            listener.accept()  # nothing ever connected, so no tenant header left the sites
    finally:
        listener.close()
        env.close()
