"""``program_html`` with ``url: "last"`` reads the page the agent ended on, as both harnesses do.

The agent types into a form and ends the episode without saving: WebArena's and VAB's
evaluators read that live page (its unsaved field included); opening the URL anew (the ``gym``
mode, the sandbox's) reads the form as the server sends it.
"""

from __future__ import annotations

import re

import pytest

from webarena_gym import WebArenaEnv

TASK = {
    "task_id": 1,
    "sites": ["shopping"],
    "intent": "Retitle the post to 'New title' (no need to save)",
    "start_url": "__SHOPPING__/eval/form.html",
    "eval": {
        "eval_types": ["program_html"],
        "program_html": [{
            "url": "last",
            "locator": "document.querySelector('#title').value",
            "required_contents": {"exact_match": "New title"},
        }],
    },
}


def _textarea_id(html: str) -> str:
    match = re.search(r"\[(\d+)\][^\n]*textarea|<textarea[^>]*id=\"?(\d+)", html)
    assert match, html
    return match.group(1) or match.group(2)


@pytest.mark.parametrize(("mode", "expected"), [("webarena", 1.0), ("vab", 1.0), ("gym", 0.0)])
def test_url_last_reads_the_live_page_with_its_unsaved_form_state(page_server, mode, expected):
    env = WebArenaEnv([TASK], {"shopping": page_server}, max_episode_steps=4, eval_mode=mode,
                      navigation_timeout_ms=5000)
    try:
        obs, _ = env.reset()
        element = _textarea_id(obs["html"])
        obs, *_ = env.step(f'do(action="Type", argument="New title", element="{element}")')
        assert not obs["last_action_error"], obs["last_action_error"]
        _, reward, terminated, _, info = env.step("exit()")
        assert terminated
        assert info["eval"]["eval_mode"] == mode
        [result] = info["eval"]["evaluators"]
        assert reward == expected, result
        if mode != "gym":
            assert result["found"][0]["found"].strip() == "New title", result
            assert any("live page" in note for note in result["notes"]), result
    finally:
        env.close()


def test_eval_mode_is_validated(page_server):
    with pytest.raises(ValueError, match="eval_mode must be one of 'webarena', 'vab', 'gym'"):
        WebArenaEnv([TASK], {"shopping": page_server}, eval_mode="lite")


# The same on a sandbox page: the forum's biography form, typed into and left unsaved.
SANDBOX_TASK = {
    "task_id": "unsaved-bio",
    "sites": ["reddit"],
    "require_login": True,
    "intent": "Write 'Gardening since 1999' as your biography (no need to save)",
    "start_url": "__REDDIT__/user/MarvelsGrantMan136/edit_biography",
    "eval": {
        "eval_types": ["program_html"],
        "program_html": [{
            "url": "last",
            "locator": "document.querySelector('#biography').value",
            "required_contents": {"must_include": ["Gardening since 1999"]},
        }],
    },
}


@pytest.mark.parametrize(("mode", "expected"), [("webarena", 1.0), ("vab", 1.0), ("gym", 0.0)])
def test_url_last_reads_the_sandbox_page_with_its_unsaved_form_state(mode, expected):
    from webarena_gym.sandbox.env import SandboxEnv

    env = SandboxEnv([SANDBOX_TASK], eval_mode=mode, max_episode_steps=4)
    try:
        obs, _ = env.reset()
        match = re.search(r"\[(\d+)\][^\n]*textarea[^\n]*biography|"
                          r"<textarea[^>]*id=\"?(\d+)\"?[^>]*>", obs["html"])
        assert match, obs["html"]
        element = match.group(1) or match.group(2)
        obs, *_ = env.step(f'do(action="Type", argument="Gardening since 1999", '
                           f'element="{element}")')
        assert not obs["last_action_error"], obs["last_action_error"]
        _, reward, terminated, _, info = env.step("exit()")
        assert terminated and info["eval"]["eval_mode"] == mode
        [result] = info["eval"]["evaluators"]
        assert reward == expected, result
        if mode == "gym":  # the form anew, as the server sends it: the saved biography
            assert "Gardening since 1999" not in result["found"][0]["found"], result
        else:
            assert "Gardening since 1999" in result["found"][0]["found"], result
    finally:
        env.close()
