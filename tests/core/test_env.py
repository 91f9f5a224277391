"""WebArenaEnv end to end: real Chromium on pages served on 127.0.0.1."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import textwrap
import time

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env
from helpers import browser_pids, chromium_pids, element_id, task

import webarena_gym
from webarena_gym import MissingSitesError, WebArenaEnv, WebArenaEnvError


@pytest.fixture
def tasks(page_server):
    base = page_server
    return [
        task(0, "__SHOPPING__/env/index.html", {
            "eval_types": ["string_match"], "reference_answers": {"exact_match": "42"}}),
        task(1, "__SHOPPING__/env/index.html", {
            "eval_types": ["url_match"], "reference_url": "__SHOPPING__/env/second.html"}),
        task(2, "__SHOPPING__/env/form.html", {
            "eval_types": ["program_html"],
            "program_html": [{
                "url": "last",
                "locator": "document.querySelector('#q').outerText",
                "required_contents": {"must_include": ["name=Ada"]},
            }]}),
        task(3, f"{base}/slow?s=30", {"eval_types": ["string_match"],
                                        "reference_answers": {"exact_match": "x"}}),
    ]


@pytest.fixture
def env(tasks, page_server):
    env = WebArenaEnv(tasks, {"shopping": page_server}, max_episode_steps=5, navigation_timeout_ms=3000,
                      action_timeout_ms=2000)
    yield env
    env.close()


def test_reset_observation_and_info(env, page_server):
    obs, info = env.reset(options={"task_id": 0})
    assert set(obs) >= {"intent", "url", "html", "last_action_error"}
    assert obs["url"] == f"{page_server}/env/index.html"
    assert obs["intent"] == "fixture task 0"
    assert obs["last_action_error"] == ""
    assert "Second page" in obs["html"]
    assert info["task_id"] == 0 and info["step"] == 0
    assert obs in env.observation_space


def test_click_navigates_and_exit_scores_string_match(env, page_server):
    obs, _ = env.reset(options={"task_id": 0})
    link = element_id(obs["html"], "Second page")
    obs, reward, terminated, truncated, info = env.step(
        f'<think>open it</think><answer>do(action="Click", element="{link}")</answer>')
    assert obs["url"] == f"{page_server}/env/second.html"
    assert (reward, terminated, truncated) == (0.0, False, False)
    obs, reward, terminated, truncated, info = env.step('exit(message="42")')
    assert (reward, terminated, truncated) == (1.0, True, False)
    assert info["eval"]["reward"] == 1.0
    with pytest.raises(WebArenaEnvError, match="reset"):
        env.step('do(action="Wait")')


def test_wrong_answer_scores_zero(env):
    env.reset(options={"task_id": 0})
    _, reward, terminated, _, info = env.step('exit(message="41")')
    assert reward == 0.0 and terminated
    assert info["eval"]["reward"] == 0.0


def test_url_match_reward(env):
    obs, _ = env.reset(options={"task_id": 1})
    env.step(f'do(action="Click", element="{element_id(obs["html"], "Second page")}")')
    _, reward, terminated, _, _ = env.step("exit()")
    assert reward == 1.0 and terminated


def test_program_html_on_last_url_without_touching_agent_page(env, page_server):
    obs, _ = env.reset(options={"task_id": 2})
    field = re.search(r'<input id="(\d+)"[^>]*name="name"', obs["html"]) or re.search(
        r'<input id="(\d+)"', obs["html"])
    obs, *_ = env.step(f'do(action="Type", element="{field.group(1)}", argument="Ada")')
    assert 'value="Ada"' in obs["html"]
    obs, *_ = env.step(f'do(action="Click", element="{element_id(obs["html"], "Save")}")')
    assert obs["url"].startswith(f"{page_server}/echo")
    url_before = env.session.page.url
    _, reward, terminated, _, info = env.step('exit(message="done")')
    assert reward == 1.0, info["eval"]
    assert env.session.page.url == url_before  # scored in a separate page


def test_truncation_scores_with_empty_answer(tasks, page_server):
    env = WebArenaEnv(tasks, {"shopping": page_server}, max_episode_steps=2)
    try:
        env.reset(options={"task_id": 0})
        _, _, terminated, truncated, _ = env.step('do(action="Wait")')
        assert not terminated and not truncated
        _, reward, terminated, truncated, info = env.step('do(action="Scroll Down")')
        assert truncated and not terminated and reward == 0.0
        assert "eval" in info
    finally:
        env.close()


def test_parse_error_and_missing_element_are_observations(env):
    env.reset(options={"task_id": 0})
    obs, reward, terminated, truncated, info = env.step("I think I should click something")
    assert obs["last_action_error"] and "do(" in obs["last_action_error"]
    assert (reward, terminated, truncated) == (0.0, False, False)
    assert info["step"] == 1 and info["action"] is None
    obs, *_ = env.step('do(action="Click", element="999")')
    assert "999" in obs["last_action_error"]
    assert obs["url"].endswith("/env/index.html")
    obs, *_ = env.step('do(action="Wait")')
    assert obs["last_action_error"] == ""


def test_blocked_navigation_leaves_page(env, page_server):
    obs, _ = env.reset(options={"task_id": 0})
    obs, *_ = env.step(f'do(action="Click", element="{element_id(obs["html"], "Outside link")}")')
    assert "blocked" in obs["last_action_error"]
    assert "example.com" in obs["last_action_error"]
    assert obs["url"] == f"{page_server}/env/index.html"


def test_file_urls_are_blocked(env, page_server):
    env.reset(options={"task_id": 0})
    with pytest.raises(Exception, match="file"):
        env.runtime.run(env.session.goto("file:///etc/passwd"))
    assert env.session.page.url == f"{page_server}/env/index.html"


def test_new_tab_becomes_active_page(env, page_server):
    obs, _ = env.reset(options={"task_id": 0})
    obs, *_ = env.step(
        f'do(action="Click", element="{element_id(obs["html"], "Open in new tab")}")')
    assert obs["url"] == f"{page_server}/env/second.html"


def test_start_page_that_never_loads(env):
    with pytest.raises(WebArenaEnvError, match=r"Task 3.*did not load"):
        env.reset(options={"task_id": 3})
    obs, _ = env.reset(options={"task_id": 0})  # nothing lost: the env still works
    assert "Second page" in obs["html"]


def test_reset_errors(env):
    with pytest.raises(KeyError, match="nope"):
        env.reset(options={"task_id": "nope"})
    with pytest.raises(ValueError, match="unknown reset option"):
        env.reset(options={"colour": 1})
    with pytest.raises(WebArenaEnvError, match="reset"):
        env.step("exit()")


def test_non_text_action_is_a_clear_error(env):
    env.reset(options={"task_id": 0})
    with pytest.raises(TypeError, match="str"):
        env.step(3)  # type: ignore[arg-type]


def test_render_rgb_array(tasks, page_server):
    env = WebArenaEnv(tasks[:1], {"shopping": page_server}, render_mode="rgb_array")
    try:
        env.reset()
        frame = env.render()
        assert isinstance(frame, np.ndarray) and frame.dtype == np.uint8
        assert frame.shape == (720, 1280, 3)
    finally:
        env.close()


def test_check_env(tasks, page_server, tmp_path, monkeypatch):
    config = tmp_path / "lite.json"
    config.write_text(json.dumps(tasks[:3]))
    monkeypatch.setenv("WA_SHOPPING", page_server)
    monkeypatch.setenv("WEBARENA_LITE_CONFIG", str(config))
    env = gym.make("WebArenaLite-v0")
    try:
        check_env(env.unwrapped)  # through gym.make: a spec, so render modes are checked too
    finally:
        env.close()


def test_seeded_reset_samples_reproducibly(tasks, page_server):
    env = WebArenaEnv(tasks[:3], {"shopping": page_server})
    try:
        first = [env.reset(seed=7)[1]["task_id"]] + [env.reset()[1]["task_id"] for _ in range(3)]
        again = [env.reset(seed=7)[1]["task_id"]] + [env.reset()[1]["task_id"] for _ in range(3)]
        assert first == again
    finally:
        env.close()


def test_killed_browser_is_relaunched_at_next_reset(env):
    env.reset(options={"task_id": 0})
    pids = browser_pids()
    assert pids, "expected a running Chromium"
    for pid in pids:
        os.kill(pid, signal.SIGKILL)
    deadline = time.time() + 10
    while env.runtime.is_browser_alive() and time.time() < deadline:
        time.sleep(0.05)
    obs, reward, terminated, truncated, info = env.step('do(action="Scroll Down")')
    assert truncated and reward == 0.0 and "crashed" in info["error"]
    obs, _ = env.reset(options={"task_id": 0})
    assert "Second page" in obs["html"]


def test_close_leaves_no_chromium_even_after_step_raised(tasks, page_server):
    env = WebArenaEnv(tasks[:1], {"shopping": page_server})
    env.reset()
    assert chromium_pids()
    with pytest.raises(TypeError):
        env.step(None)  # type: ignore[arg-type]
    env.close()
    env.close()  # twice is fine
    deadline = time.time() + 10
    while chromium_pids() and time.time() < deadline:
        time.sleep(0.1)
    assert chromium_pids() == []


def test_interpreter_exit_leaves_no_chromium(tmp_path, page_server):
    script = textwrap.dedent(f"""
        import json, sys
        sys.path.insert(0, {os.path.dirname(os.path.dirname(__file__))!r})
        from helpers import chromium_pids
        from webarena_gym import WebArenaEnv
        env = WebArenaEnv(json.loads({json.dumps([task(0, page_server + "/env/index.html", {})])!r}),
                          max_episode_steps=3)
        env.reset()
        print(json.dumps(chromium_pids()), flush=True)
        # no close(): the interpreter exits with the env open
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    pids = json.loads(out.stdout.strip().splitlines()[-1])
    assert pids
    deadline = time.time() + 10
    alive = pids
    while alive and time.time() < deadline:
        alive = [p for p in pids if os.path.exists(f"/proc/{p}") and
                 open(f"/proc/{p}/stat").read().rsplit(")", 1)[1].split()[0] != "Z"]
        time.sleep(0.1)
    assert alive == []


def test_make_lite_without_sites_names_variables(monkeypatch, tmp_path):
    for var in ("WA_SHOPPING", "WA_SHOPPING_ADMIN", "WA_REDDIT", "WA_GITLAB", "WA_MAP",
                "WA_WIKIPEDIA", "WA_HOMEPAGE"):
        monkeypatch.delenv(var, raising=False)
    config = tmp_path / "lite.json"
    config.write_text(json.dumps([task(0, "__SHOPPING__/a", {}), task(1, "__REDDIT__/b", {})]))
    with pytest.raises(MissingSitesError) as err:
        gym.make("WebArenaLite-v0", config_path=str(config))
    assert "WA_SHOPPING" in str(err.value) and "WA_REDDIT" in str(err.value)
    assert "WebArenaSandbox-v0" in str(err.value)
    assert "WA_GITLAB" not in str(err.value)


def test_make_lite_from_variables(monkeypatch, tmp_path, page_server):
    config = tmp_path / "lite.json"
    config.write_text(json.dumps([task(0, "__SHOPPING__/env/index.html", {
        "eval_types": ["string_match"], "reference_answers": {"must_include": ["42"]}})]))
    monkeypatch.setenv("WA_SHOPPING", page_server)
    monkeypatch.setenv("WEBARENA_LITE_CONFIG", str(config))
    env = gym.make("WebArenaLite-v0", max_episode_steps=3)
    try:
        obs, info = env.reset()
        assert obs["url"] == f"{page_server}/env/index.html"
        _, reward, *_ = env.step("exit(message='the answer is 42')")
        assert reward == 1.0
    finally:
        env.close()


def test_login_state_is_used_for_require_login(tmp_path, page_server):
    from webarena_gym.login import LOGIN_FORMS, LoginForm, write_login_states

    LOGIN_FORMS["fixture"] = LoginForm("/env/login.html", ("#email",), ("#pass",), ("#send2",),
                                       "emma.lopez@gmail.com", "Password.123")
    try:
        written = write_login_states({"fixture": page_server}, tmp_path, ["fixture"])
    finally:
        del LOGIN_FORMS["fixture"]
    assert [p.name for p in written] == ["fixture_state.json"]
    state = json.loads(written[0].read_text())
    assert any(c["name"] == "session" for c in state["cookies"])
    cfg = task(0, "__SHOPPING__/headers", {}, require_login=True,
               storage_state="./.auth/fixture_state.json")
    env = WebArenaEnv([cfg], {"shopping": page_server}, auth_dir=tmp_path)
    try:
        obs, _ = env.reset()
        assert "session=emma.lopez" in obs["html"]
    finally:
        env.close()
    env = WebArenaEnv([cfg], {"shopping": page_server}, auth_dir=tmp_path / "missing")
    try:
        with pytest.raises(WebArenaEnvError, match="webarena-gym login"):
            env.reset()
    finally:
        env.close()


def test_registered_ids():
    assert "WebArenaLite-v0" in gym.registry
    assert webarena_gym.__version__
