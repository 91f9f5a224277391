"""The prompt: the advertised actions parse, and dynamic context compression keeps it short."""

from __future__ import annotations

import random
import re

import pytest

from webarena_gym.actions import ACTION_SPECS, parse_action
from webarena_gym.prompting import (
    HISTORY_ERROR_CHARS,
    PLACEHOLDER,
    build_messages,
    history_response,
    system_prompt,
    to_reply_format,
)
from webarena_gym.sandbox.demonstrations import random_response
from webarena_gym.sandbox.env import SandboxEnv
from webarena_gym.sandbox.templates import load_split


@pytest.mark.parametrize("thinking", [True, False])
def test_system_prompt_advertises_exactly_the_parser_actions(thinking):
    prompt = system_prompt(thinking)
    listed = re.findall(r"^- ((?:do|exit)\(.*?\)): ", prompt, flags=re.MULTILINE)
    assert listed == [spec.example for spec in ACTION_SPECS]
    for example, spec in zip(listed, ACTION_SPECS, strict=True):
        assert parse_action(example).name == spec.name  # every advertised action parses
    assert ("<think>" in prompt) == thinking
    assert "Meta+A" not in prompt


@pytest.fixture(scope="module")
def episode():
    """15 real observations of one shop episode, and the 14 responses between them."""
    config = load_split("test", sites=["shopping"])[0]
    env = SandboxEnv(task_configs=[config], max_episode_steps=40)
    rng = random.Random(3)
    observations, responses = [], []
    try:
        obs, _ = env.reset(options={"task_id": config["task_id"]})
        observations.append(obs)
        while len(observations) < 15:
            response = random_response(obs, rng)
            if response.startswith("exit"):
                response = 'do(action="Scroll Down")'
            response = f"<think>step {len(responses) + 1}</think><answer>{response}</answer>"
            obs, _r, terminated, truncated, _ = env.step(response)
            assert not (terminated or truncated)
            responses.append(response)
            observations.append(obs)
    finally:
        env.close()
    return observations, responses


def _chars(messages):
    return sum(len(m["content"]) for m in messages)


def test_turn_15_prompt_is_about_as_long_as_turn_1(episode):
    observations, responses = episode
    lengths = [_chars(build_messages(observations[: t + 1], responses[:t])) for t in range(15)]
    pages = [len(o["html"]) for o in observations]
    # only the current page is in full: each prompt is the current page plus a history that
    # grows by one action (and its URL and a clipped error) per turn, never by a page
    for t in range(15):
        growth = (lengths[t] - pages[t]) - (lengths[0] - pages[0])
        bound = sum(len(responses[i]) + len(observations[i]["url"]) + 400 for i in range(t))
        assert 0 <= growth <= bound
    assert (lengths[14] - pages[14]) < 3 * (lengths[0] - pages[0])
    first = build_messages(observations[:1], [])
    last = build_messages(observations, responses)
    assert [m["role"] for m in last[:4]] == ["system", "user", "assistant", "user"]
    assert len(last) == 1 + 15 + 14
    assert last[-1]["content"].endswith(observations[-1]["html"])
    assert sum(m["content"].endswith(PLACEHOLDER) for m in last if m["role"] == "user") == 14
    # earlier responses keep their action, not their reasoning (unless asked to)
    for r, a in zip(last[2::2], responses, strict=True):
        assert r["content"] == history_response(a) and "<think>" not in r["content"]
        assert parse_action(r["content"]) == parse_action(a)
    kept = build_messages(observations, responses, history_thinking=True)
    assert all(r["content"] == a for r, a in zip(kept[2::2], responses, strict=True))
    assert first[1]["content"].startswith("Task: " + observations[0]["intent"])


def test_uncompressed_prompt_grows_with_every_observation(episode):
    observations, responses = episode
    full = [_chars(build_messages(observations[: t + 1], responses[:t], compress=False))
            for t in range(15)]
    assert all(b > a for a, b in zip(full, full[1:], strict=False))
    assert full[-1] > sum(len(o["html"]) for o in observations)
    compressed = _chars(build_messages(observations, responses))
    assert full[-1] > 5 * compressed


def test_history_keeps_errors_briefly_and_checks_lengths():
    obs = [{"intent": "t", "url": "http://x/", "html": "<a id=\"1\">x</a>",
            "last_action_error": "E" * 1000}] * 2
    messages = build_messages(obs, ["do(action=\"Click\", element=\"1\")"])
    clipped = "E" * HISTORY_ERROR_CHARS + "..."
    assert clipped in messages[1]["content"]
    assert "E" * (HISTORY_ERROR_CHARS + 1) not in messages[1]["content"]
    assert "E" * 1000 in messages[3]["content"]  # the current error in full
    with pytest.raises(ValueError, match="one response per observation"):
        build_messages(obs, [])
    with pytest.raises(ValueError, match="at least one observation"):
        build_messages([], [])
    assert build_messages(obs[:1], [], system=False)[0]["role"] == "user"


def test_reply_formats_convert_both_ways():
    thought = '<think>find it</think><answer>do(action="Click", element="3")</answer>'
    assert to_reply_format(thought, thinking=True) == thought
    assert to_reply_format(thought, thinking=False) == 'do(action="Click", element="3")'
    bare = 'exit(message="42")'
    assert to_reply_format(bare, thinking=False) == bare
    wrapped = to_reply_format(bare, thinking=True)
    assert parse_action(wrapped).argument == "42"


def test_history_keeps_the_gist_of_each_earlier_page():
    shop, forum = "http://127.0.0.1:7770", "http://127.0.0.1:9999"
    error = ("Element 3 is not a <select> (it is a <a>); click it to open it, then click the "
             "option you want.")
    obs = [
        {"intent": "t", "url": f"{shop}/customer/account/?tab=orders", "html": "<p>a</p>",
         "last_action_error": ""},
        {"intent": "t", "url": f"{forum}/f/news", "html": "<p>b</p>", "last_action_error": error},
        {"intent": "t", "url": f"{shop}/checkout/", "html": "<p>c</p>", "last_action_error": error},
    ]
    messages = build_messages(obs, ["<answer>do(action=\"Scroll Down\")</answer>"] * 2)
    first, second, current = messages[1]["content"], messages[3]["content"], messages[5]["content"]
    # an earlier page on the current page's site shows its path, one on another site its URL
    assert "URL: /customer/account/?tab=orders\n" in first and shop not in first
    assert f"URL: {forum}/f/news\n" in second
    # an earlier error keeps its first sentence; the current one is in full, with its URL
    assert "Previous action error: Element 3 is not a <select> (it is a <a>);\n" in second
    assert error in current and f"URL: {shop}/checkout/\n" in current
    long_url = {"intent": "t", "url": f"{shop}/search?q=" + "x" * 500, "html": "",
                "last_action_error": ""}
    assert "x" * 200 not in build_messages([long_url, obs[2]], ["exit(message=\"\")"])[1]["content"]


def test_system_prompt_describes_the_history_it_comes_with():
    compressed = build_messages([{"intent": "t", "url": "http://x/", "html": ""}], [])[0]
    assert PLACEHOLDER in compressed["content"] and "without their reasoning" in compressed["content"]
    kept = build_messages([{"intent": "t", "url": "http://x/", "html": ""}], [],
                          history_thinking=True)[0]["content"]
    assert "with their reasoning" in kept and "without their reasoning" not in kept
    full = system_prompt(True, compress=False)
    assert PLACEHOLDER not in full and "shown in full" in full
