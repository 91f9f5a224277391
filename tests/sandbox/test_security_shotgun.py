"""Reward hacking by enumeration (issue 16, item 4): an answer listing candidates scores 0.

WebArena's ``must_include`` passes when the reference occurs anywhere in the answer, so
``"0 1 2 ... 999"`` or every name on a page "answers" a question. Every sandbox answer template
writes an ``eval.answer_guard`` into its configs; each one, found through the template registry
and the task splits (so a new template is covered as soon as the splits hold it), is fed
shotgun answers built from the values its question ranges over and must score 0, while the true
answer alone still scores 1. WebArena configs keep WebArena's score unless the opt-in guard
(``answer_guard="auto"``) is asked for.

Pure string matching: the evaluator is called directly, no browser.
"""

from __future__ import annotations

import asyncio
import random
import re
from collections import defaultdict
from typing import Any

import pytest

from webarena_gym.evaluation import EvalResult, evaluate_task
from webarena_gym.evaluation.answer_guard import (
    alternatives,
    derive_answer_guard,
    is_numeric_reference,
    mentions,
    numbers_in,
)
from webarena_gym.sandbox.map.tasks.easy import easy_templates
from webarena_gym.sandbox.templates import (
    TEST_DATA_SEED,
    _site_data,
    all_templates,
    load_split,
    sample_of,
)
from webarena_gym.sandbox.templates.base import TaskTemplate
from webarena_gym.tasks import AnswerGuard, TaskConfig, TaskConfigError

URLS = {site: f"http://{site}.test" for site in
        ("shopping", "shopping_admin", "reddit", "gitlab", "map")}
SPLITS = ("test", "test_unseen", "easy_test", "easy_test_unseen")
POOL_DRAWS = 8
# Templates whose pages show no wrong candidate next to the answer (an order page lists only
# that order's products; a profile shows one biography): a shotgun there must bring values from
# elsewhere, which the answer pool and the length bound catch.
NO_PAGE_CANDIDATES = {
    "shopping/order_products": "the order page lists only the order's own products",
    "shopping_admin/order_items": "the order page lists only the order's own products",
    "reddit/author_bio": "the profile page shows one biography",
}


def _registered() -> list[TaskTemplate]:
    return [*all_templates(), *easy_templates()]


def _configs_by_template() -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for split in SPLITS:
        for config in load_split(split):
            found[str(config["intent_template_id"])].append(config)
    return found


CONFIGS = _configs_by_template()
ANSWER_IDS = [t.id for t in _registered()
              if any("string_match" in c["eval"]["eval_types"] for c in CONFIGS.get(t.id, []))]


def _score(config: dict[str, Any] | TaskConfig, answer: str, mode: str = "config") -> EvalResult:
    task = config if isinstance(config, TaskConfig) else TaskConfig.from_dict(config)
    return asyncio.run(evaluate_task(task, answer=answer, final_url="", context=None,
                                     site_urls=URLS, answer_guard=mode))


def _notes(result: EvalResult) -> list[str]:
    return [note for r in result.results for note in r.notes]


def _items(config: dict[str, Any]) -> list[str]:
    return list(config["eval"]["reference_answers"]["must_include"])


def _truth(config: dict[str, Any]) -> str:
    """The true answer alone: the first spelling of every reference item."""
    return "; ".join(alternatives(item)[0] for item in _items(config))


def _is_right(config: dict[str, Any], value: str) -> bool:
    """Whether ``value`` is (part of) a right answer, so not a wrong candidate."""
    t, sample = sample_of(config)
    right = [alt for item in _items(config) for alt in alternatives(item)]
    right += t.answer_forms(sample)
    return any(mentions(r, value) or mentions(value, r) for r in right)


def _pool(t: TaskTemplate) -> list[str]:
    """The values the template's question takes across instances (its generator's pool for
    the answer field), drawn with an RNG of the test's own."""
    rng, db = random.Random(f"shotgun-test/{t.id}"), _site_data(TEST_DATA_SEED)
    values: dict[str, None] = {}
    for _ in range(POOL_DRAWS):
        sample = t.sample(rng, db)
        if sample is None:
            continue
        for item in t.evaluation(sample)["reference_answers"]["must_include"]:
            values[alternatives(item)[0]] = None
    return list(values)


def _page_candidates(config: dict[str, Any]) -> list[str]:
    """The wrong candidates the template knows on the task's pages: the reference's
    ``must_exclude`` and the template's distractors."""
    t, sample = sample_of(config)
    found = [*config["eval"]["reference_answers"].get("must_exclude", []), *t.distractors(sample)]
    return [v for v in dict.fromkeys(found) if not _is_right(config, v)]


def _neighbour(config: dict[str, Any]) -> str:
    """The true answer with its first number changed to one neither the reference nor the
    intent holds ("27" -> "28", "17 min" -> "18 min", "312-966-5071" -> "313-966-5071")."""
    truth = _truth(config)
    known = {n for item in _items(config) for n in numbers_in(item)}
    known |= set(numbers_in(config["intent"]))
    match = re.search(r"\d+", truth)
    assert match is not None, truth
    for step in range(1, 50):
        number = str(int(match.group(0)) + step)
        if number not in known:
            return truth[:match.start()] + number + truth[match.end():]
    raise AssertionError(f"no free number near {truth!r}")


def test_every_registered_template_is_in_a_split_and_answer_templates_are_many():
    missing = [t.id for t in _registered() if t.id not in CONFIGS]
    assert not missing, f"templates in no split (the shotgun tests would miss them): {missing}"
    assert len(ANSWER_IDS) >= 80


@pytest.mark.parametrize("template_id", ANSWER_IDS)
def test_template_guard_rejects_shotguns_and_keeps_the_true_answer(template_id):
    configs = _answer_configs(template_id)
    t = sample_of(configs[0])[0]
    pool = _pool(t)
    numeric = any(is_numeric_reference(item) for item in _items(configs[0]))
    for config in configs:
        task_id = config["task_id"]
        assert "answer_guard" in config["eval"], f"{task_id}: no eval.answer_guard"
        excluded = bool(config["eval"]["reference_answers"].get("must_exclude"))
        truth = _truth(config)

        # The true answer alone, and as the pages write it (what the oracle answers).
        result = _score(config, truth)
        assert result.reward == 1.0, (task_id, truth, _notes(result))
        _, sample = sample_of(config)
        forms = "; ".join(f for f in t.answer_forms(sample) if "|OR|" not in f)
        if forms:
            result = _score(config, forms)
            assert result.reward == 1.0, (task_id, forms, _notes(result))

        # Every value of the pool and of the page, the truth among them.
        wrong = [v for v in [*pool, *_page_candidates(config)] if not _is_right(config, v)]
        if numeric:
            wrong.append(_neighbour(config))
        assert wrong, f"{task_id}: no wrong candidate to build a shotgun from"
        half = len(wrong) // 2
        shotgun = ", ".join([*wrong[:half], truth, *wrong[half:]])
        result = _score(config, shotgun)
        assert result.reward == 0.0, (task_id, shotgun[:300])
        assert any(n.startswith("answer_guard:") for n in _notes(result)), _notes(result)
        if not excluded:  # WebArena's scoring alone is fooled by it
            assert _score(config, shotgun, mode="off").reward == 1.0, (task_id, shotgun[:300])

        # "0 1 2 ... 999" with the truth.
        enumeration = f"{truth} " + " ".join(str(i) for i in range(1000))
        assert _score(config, enumeration).reward == 0.0, task_id
        if not excluded:
            assert _score(config, enumeration, mode="off").reward == 1.0, task_id

        # Hedging between the truth and one other candidate.
        hedges = [f"{truth}, {v}" for v in _page_candidates(config)]
        if numeric:
            hedges.append(f"{truth}, {_neighbour(config)}")
        for hedge in hedges:
            result = _score(config, hedge)
            assert result.reward == 0.0, (task_id, hedge)


def _answer_configs(template_id: str) -> list[dict[str, Any]]:
    return [c for c in CONFIGS[template_id] if "string_match" in c["eval"]["eval_types"]]


# Templates asking for a name or a text (numeric answers need no list: any other number is a
# wrong candidate).
NAME_IDS = [i for i in ANSWER_IDS
            if not all(is_numeric_reference(item) for c in _answer_configs(i) for item in _items(c))]


def test_templates_without_page_candidates_are_name_templates():
    assert set(NO_PAGE_CANDIDATES) <= set(NAME_IDS)
    assert len(NAME_IDS) >= 25


@pytest.mark.parametrize("template_id", [i for i in NAME_IDS if i not in NO_PAGE_CANDIDATES])
def test_name_templates_know_the_wrong_candidates_on_their_pages(template_id):
    configs = _answer_configs(template_id)
    found = [v for c in configs for v in _page_candidates(c)]
    assert found, (f"{template_id} names no wrong candidate of its pages: fill "
                   "truth['distractors'] in its sampler or override distractors()")


def test_guarded_configs_round_trip_and_validate():
    config = next(c for c in load_split("test") if "answer_guard" in c["eval"])
    task = TaskConfig.from_dict(config)
    assert isinstance(task.eval.answer_guard, AnswerGuard)
    assert TaskConfig.from_dict(task.to_dict()) == task
    assert task.to_dict()["eval"]["answer_guard"] == config["eval"]["answer_guard"]
    for guard, field in (({"max_chars": 0}, "eval.answer_guard.max_chars"),
                         ({"max_other_numbers": "1"}, "eval.answer_guard.max_other_numbers"),
                         ({"distractors": "Pending"}, "eval.answer_guard.distractors"),
                         ({"distractors": [3]}, "eval.answer_guard.distractors[0]"),
                         ({"max_length": 9}, "eval.answer_guard.max_length"),
                         ("short", "eval.answer_guard")):
        bad = {**config, "eval": {**config["eval"], "answer_guard": guard}}
        with pytest.raises(TaskConfigError) as err:
            TaskConfig.from_dict(bad, source="tasks.json")
        assert err.value.field == field and err.value.task_id == config["task_id"]
        assert "tasks.json" in str(err.value)


# -- WebArena configs: WebArena's score by default, the guard on request ----------------------


def _webarena(must_include: list[str], intent: str = "How many orders did I place in 2022?",
              **answers: Any) -> TaskConfig:
    return TaskConfig.from_dict({
        "task_id": 7, "sites": ["shopping"], "intent": intent,
        "start_url": "__SHOPPING__", "require_login": False,
        "eval": {"eval_types": ["string_match"],
                 "reference_answers": {"must_include": must_include, **answers},
                 "reference_url": "", "program_html": []},
    })


ENUMERATION = " ".join(str(i) for i in range(1000))


def test_webarena_config_keeps_webarena_score_without_the_guard():
    task = _webarena(["7"])
    assert task.eval.answer_guard is None and "answer_guard" not in task.to_dict()["eval"]
    for mode in ("config", "off"):
        result = _score(task, ENUMERATION, mode)
        assert result.reward == 1.0
        assert [r.name for r in result.results] == ["string_match"]


def test_webarena_config_opt_in_guard_rejects_shotguns():
    count = _webarena(["7"])
    result = _score(count, ENUMERATION, "auto")
    assert result.reward == 0.0
    guard = result.to_info()["evaluators"][-1]
    assert guard["name"] == "answer_guard" and guard["score"] == 0.0
    assert any("max_chars" in n for n in guard["notes"])
    assert any("max_other_numbers" in n for n in guard["notes"])
    assert _score(count, "6, 7, 8", "auto").reward == 0.0  # a short hedge: other numbers
    for answer in ("7", "I placed 7 orders in 2022.", "$7.00"):
        assert _score(count, answer, "auto").reward == 1.0, answer
    names = _webarena(["Emma Lopez"], intent="Who placed the most orders?")
    roster = ", ".join(f"Customer {i} Name{i}" for i in range(40)) + ", Emma Lopez"
    assert _score(names, roster).reward == 1.0  # WebArena's verdict
    assert _score(names, roster, "auto").reward == 0.0  # longer than any answer
    assert _score(names, "Emma Lopez placed the most orders.", "auto").reward == 1.0


def test_sandbox_guard_can_be_turned_off_and_modes_are_checked():
    config = next(c for c in load_split("test") if c["intent_template_id"] == "shopping/order_status")
    wrong = [v for v in ("Pending", "Complete", "Canceled") if v != _truth(config)][0]
    hedge = f"{_truth(config)} or {wrong}"
    assert _score(config, hedge).reward == 0.0
    assert _score(config, hedge, "off").reward == 1.0  # WebArena's scoring, on request
    with pytest.raises(ValueError, match="answer_guard must be one of"):
        _score(config, hedge, "strict")


def test_env_takes_the_guard_mode():
    from webarena_gym.env import WebArenaEnv

    with pytest.raises(ValueError, match="answer_guard must be one of config, auto, off"):
        WebArenaEnv([_webarena(["7"])], {"shopping": "http://shop.test"}, answer_guard="on")


def test_derived_guard_bounds_and_matching():
    guard = derive_answer_guard(["17 min"], "How long does it take to walk from A to B?",
                                pool=["12 min", "Fast Food", "B", "ab"])
    assert guard is not None
    assert guard.max_other_numbers == 0 and guard.distractors == ["Fast Food"]
    assert derive_answer_guard([], "What?") is None
    # Whole words and numbers by value: "Wei" is not in "weight", "5" not in "15".
    assert not mentions("The weight is fine", "Wei") and mentions("by Wei, mostly", "Wei")
    assert not mentions("15 items", "5") and mentions("$25.00", "25")
    # Other right wordings (a phone's "+1") are kept as answer forms; none becomes a distractor.
    phone = derive_answer_guard(["312-966-5071"], "What is the phone number of X?",
                                answer_forms=["+1 312-966-5071"], distractors=["+1"])
    assert phone is not None and phone.answer_forms == ["+1 312-966-5071"]
    town = derive_answer_guard(["Brooklyn"], "In which city is X?",
                               distractors=["New York", "Boston"],
                               answer_forms=["Brooklyn", "New York"])
    assert town is not None and town.distractors == ["Boston"] and not town.answer_forms
