"""The evaluator reads what the server sent, not what a page script wrote, and never hangs.

Real Chromium on the pages of ``tests/pages/secure``: ``fake.html`` says "Pending" / "$10.00"
and carries scripts (inline, and an ``onerror`` handler) that rewrite both to the values a
check wants; ``loop.html`` loads, then its script loops forever.
"""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from webarena_gym import WebArenaEnv
from webarena_gym.browser.discovery import ChromiumNotFoundError, find_chromium
from webarena_gym.evaluation import OfflineJudge, evaluate_task
from webarena_gym.tasks import TaskConfig

STATUS = "document.querySelector('#status').innerText"
TOTAL = "(document.querySelector('#total') || {innerText: ''}).innerText"


def check_task(task_id: int, page: str, locator: str, must_include: list[str]) -> dict:
    """A task that starts on the fixture home page and checks ``page`` with ``locator``."""
    return {
        "task_id": task_id,
        "sites": ["shopping"],
        "intent": f"fixture task {task_id}",
        "start_url": "__SHOPPING__/env/index.html",
        "eval": {
            "eval_types": ["program_html"],
            "program_html": [{
                "url": f"__SHOPPING__/secure/{page}",
                "locator": locator,
                "required_contents": {"must_include": must_include},
            }],
        },
    }


TASKS = [
    check_task(1, "fake.html", STATUS, ["Complete"]),  # only the script says so
    check_task(2, "fake.html", TOTAL, ["$99.00"]),  # only the onerror handler says so
    check_task(3, "fake.html", STATUS, ["Pending"]),  # what the server sent
    check_task(4, "fake.html", f"{STATUS} + ' / ' + {TOTAL}", ["Pending / $10.00"]),
    check_task(5, "loop.html", STATUS, ["Pending"]),
    check_task(6, "refresh.html", STATUS, ["Complete"]),  # only the page it refreshes to says so
    check_task(7, "refresh.html", STATUS, ["Pending"]),
]


def finish(env: WebArenaEnv, task_id: int, limit_s: float = 90.0) -> tuple[float, dict, float]:
    """Reset on ``task_id``, exit at once; (reward, the program_html result, seconds the exit
    step took). Fails instead of hanging when the step does not return within ``limit_s``."""
    env.reset(options={"task_id": task_id})
    out: dict = {}

    def run() -> None:
        started = time.perf_counter()
        _, out["reward"], _, _, out["info"] = env.step("exit()")
        out["seconds"] = time.perf_counter() - started

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(limit_s)
    assert not thread.is_alive(), f"the final step of task {task_id} hung (> {limit_s} s)"
    [result] = out["info"]["eval"]["evaluators"]
    return out["reward"], result, out["seconds"]


@pytest.fixture
def env(page_server):
    env = WebArenaEnv(TASKS, {"shopping": page_server}, max_episode_steps=3,
                      navigation_timeout_ms=5000)
    yield env
    env.close()


def test_checks_read_what_the_server_sent_not_what_a_script_wrote(env):
    env.eval_page_scripts = False
    reward, result, _ = finish(env, 1)
    assert reward == 0.0, result
    assert result["found"][0]["found"] == "Pending"
    reward, result, _ = finish(env, 2)
    assert reward == 0.0, result
    assert result["found"][0]["found"] == "$10.00"
    for task_id in (3, 4):  # the static content is read as it is (locators still run)
        reward, result, _ = finish(env, task_id)
        assert reward == 1.0, result


@pytest.mark.parametrize("page_scripts", [False, True])
def test_checks_read_the_page_they_opened_not_where_it_redirects(env, page_scripts):
    # A <meta http-equiv=refresh> needs no script: markup stored in a site could send the
    # check's page to another page that shows what the check wants.
    env.eval_page_scripts = page_scripts
    reward, result, _ = finish(env, 6)
    assert reward == 0.0, result
    assert result["found"][0]["found"] == "Pending"
    if page_scripts:
        # With scripts on the check waits for the network to settle, so the 0-second refresh
        # has surely fired and been refused. With scripts off it reads at ``load``, which may
        # come before the refresh timer fires: the note is then absent, the score the same.
        assert any("tried to leave" in note for note in result["notes"]), result
    reward, result, _ = finish(env, 7)
    assert reward == 1.0, result


def test_a_looping_page_script_cannot_hang_the_evaluation(env):
    # Scripts off: the loop never starts, the page reads normally.
    env.eval_page_scripts = False
    reward, result, seconds = finish(env, 5)
    assert reward == 1.0, result
    # Scripts on (WebArena's default, for script-rendered sites): the locator would wait for
    # the looping page forever; the evaluation's time bound scores it 0 instead.
    env.eval_page_scripts = True
    env.eval_timeout_s = 3.0
    reward, result, seconds = finish(env, 5)
    assert reward == 0.0
    assert any("timed out" in note for note in result["notes"]), result
    assert seconds < 20, seconds
    obs, _ = env.reset(options={"task_id": 3})  # the env carries on
    assert "Second page" in obs["html"]


def _run_in_browser(scenario, *, page_scripts: bool):
    """``asyncio.run`` ``scenario(context)`` in a fresh Chromium context."""
    try:
        executable = find_chromium().path
    except ChromiumNotFoundError as exc:
        pytest.skip(f"no Chromium: {exc}")
    from playwright.async_api import async_playwright

    async def main():
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=executable, args=["--no-sandbox"])
            try:
                context = await browser.new_context(java_script_enabled=page_scripts)
                return await scenario(context)
            finally:
                await browser.close()

    return asyncio.run(main())


def _html_task(url: str, locator: str, must_include: list[str]) -> TaskConfig:
    return TaskConfig.from_dict({
        "task_id": 9, "sites": ["shopping"], "intent": "Do it", "start_url": "http://127.0.0.1:1/",
        "eval": {"eval_types": ["program_html"], "program_html": [{
            "url": url, "locator": locator, "required_contents": {"must_include": must_include}}]},
    })


def test_evaluate_task_timeout_and_http_only(page_server):
    async def scenario(context):
        started = time.perf_counter()
        looping = await evaluate_task(
            _html_task(f"{page_server}/secure/loop.html", STATUS, ["Pending"]),
            answer="", final_url="", context=context, site_urls={}, judge=OfflineJudge(),
            timeout_s=2.0,
        )
        seconds = time.perf_counter() - started
        # An agent that ends on a data: page it wrote itself gets nothing for it.
        forged = await evaluate_task(
            _html_task("last", STATUS, ["Complete"]),
            answer="", final_url="data:text/html,<div id=status>Complete</div>",
            context=context, site_urls={}, judge=OfflineJudge(),
        )
        return looping, seconds, forged

    looping, seconds, forged = _run_in_browser(scenario, page_scripts=True)
    assert looping.reward == 0.0 and seconds < 15, (seconds, looping.to_info())
    assert any("timed out" in n for n in looping.results[0].notes)
    assert forged.reward == 0.0
    assert any("not an http(s) page" in n for n in forged.results[0].notes), forged.to_info()
