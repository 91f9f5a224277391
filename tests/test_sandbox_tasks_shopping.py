"""The ``shopping`` task templates: samplers, configs, and the oracles on the real shop.

The oracle runs one instance of every template through one real ``SandboxEnv`` (real Chromium
on the real storefront), reset per task; wrong answers and do-nothing episodes must score 0.
Timings are printed (``pytest -s``), not asserted.
"""

from __future__ import annotations

import json
import random
import time
from collections import Counter

import pytest

from webarena_gym.actions import Action, format_action
from webarena_gym.sandbox.demonstrations import rollout
from webarena_gym.sandbox.shopping import tasks as shopping
from webarena_gym.sandbox.store import catalog
from webarena_gym.sandbox.templates import (
    SAMPLING_KEY,
    TEST_DATA_SEED,
    _draw,
    _site_data,
    template,
)
from webarena_gym.sandbox.templates.base import Sample, TaskTemplate
from webarena_gym.tasks import load_task_configs

TEMPLATES: list[TaskTemplate] = [cls() for cls in shopping.TEMPLATES]
IDS = [t.id for t in TEMPLATES]


def _samples(t: TaskTemplate, n: int = 3) -> list[Sample]:
    rng = random.Random(f"{SAMPLING_KEY}/test-shopping/{t.id}")
    return _draw(t, rng, _site_data(TEST_DATA_SEED), n, set())


def _config(t: TaskTemplate, sample: Sample, suffix: str = "0") -> dict:
    return t.config(sample, f"{t.id}/{suffix}")


# -- the catalogue --------------------------------------------------------------------------------


def test_catalogue_is_large_varied_and_registered():
    assert len(TEMPLATES) >= 22
    assert len(set(IDS)) == len(IDS)
    assert all(i.startswith("shopping/") and t.sites == ("shopping",)
               for i, t in zip(IDS, TEMPLATES, strict=True))
    unseen = [t for t in TEMPLATES if t.unseen]
    assert 4 <= len(unseen) <= 5
    assert {t.difficulty for t in TEMPLATES} == {"easy", "medium", "hard"}
    kinds = Counter(t.evaluation(_samples(t, 1)[0])["eval_types"][0] for t in TEMPLATES)
    assert kinds["string_match"] >= len(TEMPLATES) * 0.4
    assert kinds["program_html"] >= len(TEMPLATES) * 0.3
    assert kinds["url_match"] >= 3
    for t in TEMPLATES:  # the registry knows them (test splits are built from it)
        assert template(t.id).__class__ is t.__class__


@pytest.mark.parametrize("t", TEMPLATES, ids=IDS)
def test_samples_are_distinct_and_configs_load_and_round_trip(t):
    samples = _samples(t, 3)
    assert len(samples) == 3, f"{t.id} gave {len(samples)} distinct samples on seed 0"
    keys = {json.dumps(s.params, sort_keys=True) for s in samples}
    assert len(keys) == 3
    configs = [_config(t, s, str(i)) for i, s in enumerate(samples)]
    json.dumps(configs)  # the truth and params are JSON
    loaded = load_task_configs(configs)
    for config, task in zip(configs, loaded, strict=True):
        assert task.intent == config["intent"] and "{{" not in task.intent
        assert load_task_configs([task.to_dict()])[0] == task
        assert config["start_url"].startswith("__SHOPPING__")
    # the same RNG draws the same instances (the fixed splits depend on it)
    assert [s.params for s in _samples(t, 3)] == [s.params for s in samples]


def test_samplers_reject_ambiguous_instances():
    db = _site_data(TEST_DATA_SEED)
    for _ in range(30):  # extreme_in_category never asks about a tie at the top
        s = shopping.ExtremeInCategory().sample(random.Random(_), db)
        if s is None:
            continue
        cid = db.execute("SELECT id FROM categories WHERE name = ?",
                         (s.params["category"],)).fetchone()[0]
        rows = catalog.category_products(db, cid, "price", "asc" if s.params["extreme"] ==
                                         "cheapest" else "desc")
        assert catalog.effective_price(rows[0]) != catalog.effective_price(rows[1])
    for _ in range(30):  # reviewers_mentioning never excludes a name it also expects
        s = shopping.ReviewersMentioning().sample(random.Random(_), db)
        if s is None:
            continue
        for yes in s.truth["answer"]:
            assert not any(yes.lower() in no.lower() or no.lower() in yes.lower()
                           for no in s.truth["others"])


def test_pages_helpers_read_cards_orders_and_reviews():
    from webarena_gym.sandbox.templates.page import Page

    grid = ('<html><body><div><a id="3">Foo Lamp, Black</a><div><span>Rating: 80%</span>'
            '<a id="4">3 Reviews</a></div><div>$28.99 Regular Price $33.99</div>'
            '<button id="5" title="Add to Cart">Add to Cart</button></div></body></html>')
    cards = shopping.product_cards(Page({"html": grid}))
    assert [(c["name"], c["link"], c["price"], c["reviews"]) for c in cards] == [
        ("Foo Lamp, Black", "3", "28.99", 3)]
    orders = ('<html><body><table><tr><th>Order #</th></tr><tr><td>000000045</td>'
              '<td>1/13/21</td><td>Emma Lopez</td><td>$1,065.99</td><td>On Hold</td>'
              '<td><a id="7">View Order</a><button id="8">Reorder</button></td></tr>'
              '</table></body></html>')
    assert shopping.order_rows(Page({"html": orders})) == [{
        "number": "000000045", "date": "1/13/21", "ship_to": "Emma Lopez",
        "total": "1,065.99", "status": "On Hold", "view": "7", "reorder": "8"}]
    review = ('<html><body><li><div>Meh</div><div>Rating 2 out of 5</div><div>The comfort is '
              'poor.</div><div><p>Review by Kim</p><p>Posted on 2/4/21</p></div></li>'
              '</body></html>')
    assert shopping.product_reviews(Page({"html": review})) == [
        {"title": "Meh", "rating": "Rating 2 out of 5", "detail": "The comfort is poor.",
         "nickname": "Kim"}]


# -- the oracles on the real shop -----------------------------------------------------------------


@pytest.fixture(scope="module")
def shop_env():
    """One env holding one instance of every template (and a wrong-answer twin of two)."""
    from webarena_gym.sandbox.env import SandboxEnv

    configs = [_config(t, _samples(t, 1)[0]) for t in TEMPLATES]
    try:
        env = SandboxEnv(task_configs=configs, max_steps=30)
    except Exception as exc:  # noqa: BLE001 - a machine without Chromium
        if "chromium" in str(exc).lower() or "executable" in str(exc).lower():
            pytest.skip(f"no Chromium: {exc}")
        raise
    try:
        yield env, {c["task_id"]: c for c in configs}
    finally:
        env.close()


@pytest.mark.timeout(600)
def test_oracle_solves_one_instance_of_every_template(shop_env):
    env, configs = shop_env
    failures, timings = [], []
    for task_id, config in configs.items():
        start = time.perf_counter()
        trajectory = rollout(env, config)
        elapsed = time.perf_counter() - start
        timings.append((elapsed, trajectory.num_steps, task_id))
        if trajectory.reward != 1.0:
            failures.append(f"{task_id}: reward {trajectory.reward}, {trajectory.error}")
        assert all(step.action is not None for step in trajectory.steps)
        assert all(step.response.startswith("<think>") for step in trajectory.steps)
    total = sum(t for t, _, _ in timings)
    steps = sum(n for _, n, _ in timings)
    print(f"\noracle: {len(timings)} tasks, {steps} steps, {total:.1f}s "
          f"({total / max(steps, 1):.2f}s per step)")
    for elapsed, n, task_id in sorted(timings, reverse=True)[:5]:
        print(f"  slowest: {task_id}: {n} steps in {elapsed:.1f}s")
    assert not failures, "\n".join(failures)


def _exit_with(env, task_id: str, answer: str) -> float:
    env.reset(options={"task_id": task_id})
    _obs, reward, terminated, _truncated, _info = env.step(
        format_action(Action("exit", None, answer)))
    assert terminated
    return reward


@pytest.mark.parametrize("template_id", ["shopping/latest_order_total",
                                         "shopping/extreme_in_category"])
def test_wrong_answers_score_zero(shop_env, template_id):
    env, configs = shop_env
    task_id = f"{template_id}/0"
    wrong = "0.01" if template_id.endswith("total") else "Some Other Product"
    assert _exit_with(env, task_id, wrong) == 0.0
    truth = configs[task_id]["eval"]["reference_answers"]["must_include"][0]
    assert _exit_with(env, task_id, truth) == 1.0  # and the right one passes


@pytest.mark.timeout(300)
def test_doing_nothing_scores_zero_on_every_state_change(shop_env):
    env, configs = shop_env
    html_tasks = [i for i, c in configs.items() if c["eval"]["eval_types"] == ["program_html"]]
    assert len(html_tasks) >= 8
    start = time.perf_counter()
    passed = [i for i in html_tasks if _exit_with(env, i, "") != 0.0]
    print(f"\ndo-nothing: {len(html_tasks)} program_html tasks in "
          f"{time.perf_counter() - start:.1f}s")
    assert not passed, f"doing nothing passes {passed}"
