"""The ``shopping`` task templates: samplers, configs; wrong answers on the real site.

The oracles run in ``tests/sandbox/test_oracles.py`` (one parametrised test for every site).
Here one real ``SandboxEnv`` holds one instance of every template (``helpers.site_env``),
reset per task: a wrong answer, and an episode that does nothing, must score 0.
"""

from __future__ import annotations

import random
import time

import pytest
from helpers import site_env

from webarena_gym.actions import Action, format_action
from webarena_gym.sandbox.shopping import tasks as shopping
from webarena_gym.sandbox.store import catalog
from webarena_gym.sandbox.templates import (
    TEST_DATA_SEED,
    _site_data,
)
from webarena_gym.sandbox.templates.base import Sample, TaskTemplate

TEMPLATES: list[TaskTemplate] = [cls() for cls in shopping.TEMPLATES]
IDS = [t.id for t in TEMPLATES]


def _config(t: TaskTemplate, sample: Sample, suffix: str = "0") -> dict:
    return t.config(sample, f"{t.id}/{suffix}")


# -- samplers and page readers (no browser) -----------------------------------------------------


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


# -- wrong answers and doing nothing on the real site ---------------------------------------------


@pytest.fixture(scope="module")
def shop_env():
    """One env holding one instance of every template (the oracles: test_oracles.py)."""
    with site_env("shopping") as env_and_configs:
        yield env_and_configs


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
