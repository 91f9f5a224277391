"""VAB's early stop: 3 unparseable responses in a row, or 5 repeated actions (issue 17, 1.7)."""

from __future__ import annotations

from helpers import task

from webarena_gym import WebArenaEnv
from webarena_gym.actions import parse_action
from webarena_gym.env import early_stop_reason

CLICK = parse_action('do(action="Click", element="1")')
SCROLL = parse_action('do(action="Scroll Down")')
TYPE = parse_action('do(action="Type", argument="x", element="2")')


def test_three_unparseable_in_a_row_stop():
    assert early_stop_reason([None, None]) is None
    assert early_stop_reason([CLICK, None, None, None]) == "Failed to parse actions for 3 times"
    assert early_stop_reason([None, None, CLICK, None]) is None


def test_five_repeated_actions_stop():
    assert early_stop_reason([CLICK] * 4) is None
    assert early_stop_reason([SCROLL] + [CLICK] * 5) == "Same action for 5 times"
    assert early_stop_reason([CLICK] * 4 + [SCROLL]) is None


def test_repeated_typing_counts_over_the_whole_episode():
    spread = [TYPE, CLICK, TYPE, SCROLL, TYPE, CLICK, TYPE, SCROLL, TYPE]
    assert early_stop_reason(spread) == "Same typing action for 5 times"


def test_env_stops_early_in_vab_mode_only(page_server):
    cfg = task(0, "__SHOPPING__/env/index.html", {
        "eval_types": ["string_match"], "reference_answers": {"exact_match": "42"}})
    for mode, stops in (("vab", True), ("webarena", False)):
        env = WebArenaEnv([cfg], {"shopping": page_server}, max_episode_steps=10, eval_mode=mode)
        try:
            env.reset()
            results = [env.step("no action here") for _ in range(3)]
            _, reward, terminated, truncated, info = results[-1]
            assert (terminated or truncated) is stops, mode
            if stops:
                assert reward == 0.0 and "Failed to parse" in info["early_stop"]
        finally:
            env.close()
