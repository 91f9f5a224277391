"""The shopping_admin task templates: samplers, configs; wrong answers on the real site.

The oracles run in ``tests/sandbox/test_oracles.py`` (one parametrised test for every site).
Here one real ``SandboxEnv`` holds one instance of every template (``helpers.site_env``),
reset per task: a wrong answer, and an episode that does nothing, must score 0.
"""

from __future__ import annotations

import json
import random
import time
from collections import Counter
from datetime import date

import pytest
from helpers import site_env

from webarena_gym.sandbox.db import template_connection
from webarena_gym.sandbox.shopping_admin import tasks as admin
from webarena_gym.sandbox.templates import templates
from webarena_gym.sandbox.templates.base import DIFFICULTIES, Sample
from webarena_gym.sandbox.templates.page import Page
from webarena_gym.tasks import load_task_configs

SITE = "shopping_admin"


def _templates():
    return [t for t in templates([SITE]) if t.sites == (SITE,)]


def _draw(t, db, n: int, seed: str) -> list[Sample]:
    """``n`` distinct samples of ``t`` (fewer when the data runs out)."""
    rng = random.Random(seed)
    found: dict[str, Sample] = {}
    for _ in range(50 * n):
        if len(found) == n:
            break
        sample = t.sample(rng, db)
        if sample is not None:
            found.setdefault(json.dumps(sample.params, sort_keys=True), sample)
    return list(found.values())


@pytest.fixture(scope="module")
def db():
    conn = template_connection("store", 0)
    yield conn
    conn.close()


@pytest.fixture(scope="module")
def one_per_template(db) -> list[dict]:
    """One config of every admin template, from the seed-0 data."""
    configs = []
    for t in _templates():
        (sample,) = _draw(t, db, 1, f"test-admin/{t.id}")
        configs.append(t.config(sample, f"{t.id}/0"))
    return configs


@pytest.fixture(scope="module")
def env():
    """One env holding one instance of every admin template (the oracles: test_oracles.py)."""
    with site_env(SITE) as env_and_configs:
        yield env_and_configs


def _kinds(config: dict) -> set[str]:
    return set(config["eval"]["eval_types"])


# -- templates and samplers (no browser) ---------------------------------------------------------


def test_template_set_covers_the_admin():
    ts = _templates()
    assert len(ts) >= 22
    assert len({t.id for t in ts}) == len(ts)
    assert all(t.id.startswith(f"{SITE}/") for t in ts)
    assert all(t.difficulty in DIFFICULTIES for t in ts)
    assert 4 <= sum(t.unseen for t in ts) <= 5
    assert {t.difficulty for t in ts if not t.unseen} == set(DIFFICULTIES)
    assert [type(t) for t in ts] == admin.TEMPLATES


def test_eval_types_follow_webarena_lite_proportions(one_per_template):
    counts = Counter()
    for config in one_per_template:
        kinds = _kinds(config)
        counts["program_html" if "program_html" in kinds and "url_match" not in kinds
               else "url_match" if "url_match" in kinds else "string_match"] += 1
    total = sum(counts.values())
    assert 0.4 <= counts["string_match"] / total <= 0.6, counts
    assert 0.25 <= counts["program_html"] / total <= 0.45, counts
    assert counts["url_match"] >= 3, counts


def test_every_template_samples_three_distinct_instances_that_load(db):
    for t in _templates():
        samples = _draw(t, db, 3, f"three/{t.id}")
        assert len(samples) == 3, f"{t.id} gave only {len(samples)} distinct samples"
        configs = [t.config(s, f"{t.id}/{i}") for i, s in enumerate(samples)]
        assert len({c["intent"] for c in configs}) == 3, t.id
        json.dumps(configs)  # plain JSON: what the split files hold
        loaded = load_task_configs(configs)
        again = load_task_configs([c.to_dict() for c in loaded])
        assert [c.to_dict() for c in again] == [c.to_dict() for c in loaded], t.id
        for config, task in zip(configs, loaded, strict=True):
            assert task.intent == config["intent"] and "{{" not in task.intent
            assert task.start_url.startswith("__SHOPPING_ADMIN__/")
            assert task.require_login


def test_samplers_are_deterministic(db):
    for t in _templates():
        first = _draw(t, db, 2, f"again/{t.id}")
        second = _draw(t, db, 2, f"again/{t.id}")
        assert first == second, t.id


def test_samplers_reject_ties_at_the_cut(db):
    t = admin.BestsellersTopN()
    for sample in _draw(t, db, 10, "ties"):
        assert len(sample.truth["answer"]) == int(sample.params["n"])
    terms = admin.TopSearchTerms()
    rows = db.execute("SELECT query, uses FROM search_terms ORDER BY uses DESC, id").fetchall()
    for sample in _draw(terms, db, 5, "terms"):
        n = int(sample.params["n"])
        assert rows[n - 1]["uses"] != rows[n]["uses"]
        assert sample.truth["answer"] == [r["query"] for r in rows[:n]]


def test_helpers():
    assert admin.raised_price("39.99", 10) == "43.99"
    assert admin.raised_price("10.00", 5) == "10.50"
    assert admin.raised_price("12.10", 5) is None  # 12.705: half a cent
    assert admin.raised_price("1,299.99", 25) == "1624.99"
    day = date(2023, 1, 5)
    assert admin.day_label(day) == "Jan 5, 2023" and admin.parse_day("Jan 5, 2023") == day
    assert admin.day_input(day) == "01/05/2023"
    assert admin.month_bounds("February 2024") == (date(2024, 2, 1), date(2024, 2, 29))
    page = Page({"url": "u", "html": (
        "<html><body><div>2 records found</div><table>"
        "<tr><th><a id='1'>ID (descending)</a></th><th>Name</th><th>Action</th></tr>"
        "<tr><td>7</td><td>Ann Lee</td><td><a id='2'>Edit</a></td></tr>"
        "<tr><td>6</td><td>Joann Lee</td><td><a id='3'>Edit</a></td></tr>"
        "<tr><td colspan='3'>note</td></tr></table></body></html>")})
    assert admin.table_rows(page, "Name") == [{"ID": "7", "Name": "Ann Lee", "Action": "Edit"},
                                              {"ID": "6", "Name": "Joann Lee", "Action": "Edit"}]
    assert admin.records_found(page) == 2
    assert admin.row_element(page, "Joann Lee", "a", "Edit") == "3"
    assert admin.row_element(page, "Ann Lee", "a", "Edit") == "2"


# -- wrong answers and doing nothing on the real site ---------------------------------------------


@pytest.mark.parametrize("template_id, wrong", [
    ("shopping_admin/order_grand_total", "12,345.67"),
    ("shopping_admin/customer_phone", "555-010-0000"),
])
def test_a_wrong_answer_scores_zero(env, template_id, wrong):
    env, configs = env
    config = configs[f"{template_id}/0"]
    assert _kinds(config) == {"string_match"}
    env.reset(options={"task_id": config["task_id"]})
    _obs, reward, terminated, _truncated, info = env.step(f'exit(message="{wrong}")')
    assert terminated and reward == 0.0, info.get("eval")
    right = config["eval"]["reference_answers"]["must_include"][0]
    env.reset(options={"task_id": config["task_id"]})
    _obs, reward, _terminated, _truncated, info = env.step(f'exit(message="{right}")')
    assert reward == 1.0, info.get("eval")


def test_doing_nothing_scores_zero_for_every_state_change(env):
    env, configs = env
    checked = []
    started = time.perf_counter()
    for config in configs.values():
        if "program_html" not in _kinds(config):
            continue
        env.reset(options={"task_id": config["task_id"]})
        _obs, reward, terminated, _truncated, info = env.step('exit(message="")')
        assert terminated and reward == 0.0, (config["task_id"], info.get("eval"))
        checked.append(config["task_id"])
    print(f"{len(checked)} program_html tasks scored 0 when doing nothing "
          f"({time.perf_counter() - started:.1f} s)")
    assert len(checked) >= 8
