"""The task formats besides WebArena's: webarena-verified's configs and instruction-only lists
(WebRL's), on real samples under tests/data (their sources: tests/data/README.md)."""

from __future__ import annotations

import asyncio
import copy
import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from webarena_gym import env as env_module
from webarena_gym.env import WebArenaEnv, unscored_result
from webarena_gym.evaluation import evaluate_task
from webarena_gym.tasks import TaskConfig, TaskConfigError, load_task_configs
from webarena_gym.tasks.formats import detect_format, login_state

DATA = Path(__file__).parent.parent / "data"
VERIFIED = DATA / "webarena_verified_sample.json"
WEBRL = DATA / "webrl_instructions_sample.jsonl"
SITE_URLS = {
    site: f"http://{site}.test"
    for site in ("shopping", "shopping_admin", "reddit", "gitlab", "map", "wikipedia")
}


def _verified_entries() -> list[dict]:
    return json.loads(VERIFIED.read_text(encoding="utf-8"))


def _write(tmp_path: Path, entries: list, name: str = "tasks.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(entries), encoding="utf-8")
    return path


# -- detection --------------------------------------------------------------------------------


def test_detect_format_by_shape():
    assert detect_format({"task_id": 1, "eval": {"eval_types": []}}) == "webarena"
    assert detect_format(_verified_entries()[0]) == "webarena-verified"
    assert detect_format({"task": "Check out my todos", "web": "gitlab"}) == "instructions"
    # A WebArena config that lost its eval is not taken for an instruction.
    assert detect_format({"task_id": 1, "intent": "x", "sites": ["map"]}) is None
    assert detect_format([1, 2]) is None


def test_unknown_format_and_policy_are_refused():
    with pytest.raises(ValueError, match="format='vab'"):
        load_task_configs(VERIFIED, format="vab")
    with pytest.raises(ValueError, match="unscorable='ignore'"):
        load_task_configs(VERIFIED, unscorable="ignore")


def test_mixed_formats_in_one_file_are_refused(tmp_path):
    entries = [_verified_entries()[1], {"task": "Check out my todos", "web": "gitlab"}]
    path = _write(tmp_path, entries)
    with pytest.raises(TaskConfigError) as err:
        load_task_configs(path)
    message = str(err.value)
    assert str(path) in message and "entry 1 of the list" in message
    assert "instructions" in message and "webarena-verified" in message and "format=" in message


# -- webarena-verified ------------------------------------------------------------------------


def test_webarena_verified_sample_loads_auto_and_explicit():
    auto = load_task_configs(VERIFIED)
    explicit = load_task_configs(VERIFIED, format="webarena-verified")
    assert auto == explicit
    assert [c.task_id for c in auto] == [0, 1, 2, 8, 11, 231, 389, 97]
    by_id = {c.task_id: c for c in auto}
    sprite = by_id[1]
    assert sprite.eval.eval_types == ["string_match"]
    assert sprite.eval.reference_answers is not None
    assert sprite.eval.reference_answers.exact_match == "Sprite"
    assert sprite.eval.needs_outcome_judge is None
    assert sprite.start_url == "__SHOPPING_ADMIN__"
    assert sprite.require_login and sprite.storage_state == "./.auth/shopping_admin_state.json"
    assert sprite.intent == "Get the top-1 best-selling brand name(s) in Quarter 1 2022"
    assert sprite.intent_template_id == 279
    # The original evaluators stay with the task, for webarena-verified's own scoring.
    assert sprite.extra["webarena_verified_eval"] == _verified_entries()[1]["eval"]
    assert sprite.extra["revision"] == _verified_entries()[1]["revision"]
    # Round trip through WebArena's schema.
    assert TaskConfig.from_dict(sprite.to_dict()) == sprite


@pytest.mark.parametrize(
    ("task_id", "why"),
    [
        (0, "not plain printable ASCII"),  # "Quest Lumaflex™ Band": ™ is dropped there
        (2, "alternatives"),  # a list of acceptable values
        (8, "NOT_FOUND_ERROR"),  # the agent must report an error status
        (11, "typed values"),  # a number, compared by value there
        (231, "regular expression"),
        (389, "NetworkEventEvaluator"),  # a mutate task checked on the HTTP requests
        (97, "NetworkEventEvaluator"),
    ],
)
def test_webarena_verified_unscorable_tasks_are_marked(task_id, why):
    config = {c.task_id: c for c in load_task_configs(VERIFIED)}[task_id]
    assert config.eval.eval_types == []
    assert config.eval.reference_answers is None
    reason = config.eval.needs_outcome_judge
    assert reason is not None and why in reason and "webarena-verified" in reason
    assert TaskConfig.from_dict(config.to_dict()) == config


def test_webarena_verified_multi_site_task_and_login():
    config = {c.task_id: c for c in load_task_configs(VERIFIED)}[97]
    assert config.sites == ["map", "wikipedia"]
    assert config.start_urls == ["__MAP__", "__WIKIPEDIA__"]  # one tab each, as WebArena's |AND|
    assert not config.require_login and config.storage_state is None
    assert login_state(["reddit", "gitlab"]) == "./.auth/gitlab.reddit_state.json"
    [substituted] = [
        c for c in load_task_configs(VERIFIED, site_urls=SITE_URLS) if c.task_id == 97
    ]
    assert substituted.start_urls == ["http://map.test", "http://wikipedia.test"]


def test_webarena_verified_skip_and_raise():
    assert [c.task_id for c in load_task_configs(VERIFIED, unscorable="skip")] == [1]
    with pytest.raises(TaskConfigError) as err:
        load_task_configs(VERIFIED, unscorable="raise")
    assert err.value.source == str(VERIFIED)
    assert err.value.task_id == 0 and err.value.field == "eval"
    assert "unscorable='mark'" in str(err.value) and "entry 0 of the list" in str(err.value)


@pytest.mark.parametrize(
    ("answer", "reward"),
    [("Sprite", 1.0), (" sprite ", 1.0), ('"Sprite"', 1.0), ("Sprite and Coca-Cola", 0.0),
     ("", 0.0)],
)
def test_webarena_verified_mapped_task_scores_the_value(answer, reward):
    config = {c.task_id: c for c in load_task_configs(VERIFIED)}[1]
    result = asyncio.run(
        evaluate_task(config, answer=answer, final_url="http://shopping_admin.test/",
                      context=None, site_urls=SITE_URLS)
    )
    assert result.reward == reward


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda t: t.pop("start_urls"), "start_urls"),
        (lambda t: t.pop("intent"), "intent"),
        (lambda t: t.pop("sites"), "sites"),
        (lambda t: t["eval"][0]["expected"].pop("status"), "eval[0].expected.status"),
        (lambda t: t["eval"][0].pop("results_schema"), "eval[0].results_schema"),
        (lambda t: t["eval"][0].update(evaluator="UrlEvaluator"), "eval[0].evaluator"),
        (lambda t: t.update(eval=[]), "eval"),
        (lambda t: t.update(start_urls=["__SHOPPING_ADMIN__", ""]), "start_urls[1]"),
    ],
)
def test_webarena_verified_missing_field_names_file_task_and_field(tmp_path, mutate, field):
    entries = _verified_entries()
    broken = copy.deepcopy(entries[1])
    mutate(broken)
    path = _write(tmp_path, [entries[0], broken])
    with pytest.raises(TaskConfigError) as err:
        load_task_configs(path, format="webarena-verified")
    assert err.value.source == str(path)
    assert err.value.task_id == 1
    assert err.value.field == field
    assert "entry 1 of the list" in str(err.value)


# -- instruction-only task lists (WebRL) -------------------------------------------------------


def test_webrl_instructions_load_without_evaluators():
    configs = load_task_configs(WEBRL)
    assert configs == load_task_configs(WEBRL, format="instructions")
    assert [c.task_id for c in configs] == [f"webrl_instructions_sample-{i}" for i in range(5)]
    assert [c.sites for c in configs] == [
        ["shopping_admin"], ["shopping"], ["reddit"], ["gitlab"], ["map"]
    ]
    assert configs[0].intent == "What are the top-2 best-selling product in 2022"
    assert configs[0].start_url == "__SHOPPING_ADMIN__"
    assert configs[3].storage_state == "./.auth/gitlab_state.json" and configs[3].require_login
    assert configs[4].storage_state is None and not configs[4].require_login
    for config in configs:
        assert config.eval.eval_types == []
        assert "instruction-only" in (config.eval.needs_outcome_judge or "")
        assert TaskConfig.from_dict(config.to_dict()) == config
    substituted = load_task_configs(WEBRL, site_urls=SITE_URLS)
    assert substituted[1].start_url == "http://shopping.test"


def test_instructions_in_our_own_shape_and_with_ids():
    entries = [
        {"task_id": "a", "intent": "Open my profile", "sites": ["reddit"]},
        {"task_id": 7, "task": "Find the nearest cafe", "web": "map",
         "start_url": "__MAP__/search?query=cafe", "phase": 2},
    ]
    a, b = load_task_configs(entries, format="instructions")
    assert (a.task_id, a.sites, a.start_url) == ("a", ["reddit"], "__REDDIT__")
    assert (b.task_id, b.start_url, b.extra) == (7, "__MAP__/search?query=cafe", {"phase": 2})


@pytest.mark.parametrize(
    ("line", "field", "problem"),
    [
        ({"web": "gitlab"}, "task", "missing"),
        ({"task": "   ", "web": "gitlab"}, "task", "empty"),
        ({"task": "Check out my todos"}, "web", "missing"),
        ({"task": "Check out my todos", "web": "github"}, "web", "unknown site 'github'"),
        ({"task": "Check out my todos", "web": "gitlab", "task_id": True}, "task_id", "int"),
    ],
)
def test_instruction_errors_name_file_line_task_and_field(tmp_path, line, field, problem):
    path = tmp_path / "train.jsonl"
    path.write_text(
        json.dumps({"task": "Check out my todos", "web": "gitlab"}) + "\n\n" + json.dumps(line),
        encoding="utf-8",
    )
    with pytest.raises(TaskConfigError) as err:
        load_task_configs(path, format="instructions")
    assert err.value.source == str(path) and err.value.field == field
    assert err.value.task_id == (None if field == "task_id" else "train-1")
    assert "line 3" in str(err.value) and problem in str(err.value)


def test_instruction_with_an_eval_is_refused():
    with pytest.raises(TaskConfigError, match="format='webarena'") as err:
        load_task_configs([{"task": "x", "web": "map", "eval": {}}], format="instructions")
    assert err.value.field == "eval"


def test_invalid_jsonl_names_file_and_line(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"task": "a", "web": "map"}\n{"task": \n', encoding="utf-8")
    with pytest.raises(TaskConfigError, match="line 2") as err:
        load_task_configs(path)
    assert err.value.source == str(path)


def test_folder_reads_jsonl_files(tmp_path):
    (tmp_path / "webrl.jsonl").write_text(WEBRL.read_text(encoding="utf-8"), encoding="utf-8")
    assert len(load_task_configs(tmp_path)) == 5


# -- the schema's marker and the env's verdict --------------------------------------------------


def _instruction_config() -> dict:
    return load_task_configs(WEBRL)[3].to_dict()


def test_needs_outcome_judge_only_without_evaluators():
    data = _instruction_config()
    data["eval"]["eval_types"] = ["url_match"]
    data["eval"]["reference_url"] = "__GITLAB__/dashboard/todos"
    with pytest.raises(TaskConfigError, match="only for a task without evaluators") as err:
        TaskConfig.from_dict(data)
    assert err.value.field == "eval.needs_outcome_judge"
    data = _instruction_config()
    data["eval"]["needs_outcome_judge"] = ""
    with pytest.raises(TaskConfigError, match="non-empty string"):
        TaskConfig.from_dict(data)
    data = _instruction_config()
    del data["eval"]["needs_outcome_judge"]
    with pytest.raises(TaskConfigError, match="is empty") as err:
        TaskConfig.from_dict(data)
    assert err.value.field == "eval.eval_types"


def test_unscored_result_is_reward_zero_with_a_note():
    task = load_task_configs(WEBRL)[3]
    result = unscored_result(task, "done")
    assert result.reward == 0.0
    info = result.to_info()
    [record] = info["evaluators"]
    assert record["name"] == "outcome_judge" and record["score"] == 0.0
    assert record["found"] == "done"
    assert "outcome judge" in record["notes"][0] and "instruction-only" in record["notes"][0]


def test_env_does_not_run_evaluators_on_a_task_without_any(monkeypatch):
    """With no evaluators, evaluate_task's product would be 1.0: the env must not call it."""

    async def refuse(*args, **kwargs):
        raise AssertionError("evaluate_task must not run for a task without evaluators")

    monkeypatch.setattr(env_module, "evaluate_task", refuse)
    env = WebArenaEnv.__new__(WebArenaEnv)  # no browser: _evaluate returns before using one
    env.task = load_task_configs(WEBRL)[0]
    env.session = SimpleNamespace(page=SimpleNamespace(url="http://shopping_admin.test/"))
    env.judge = None
    env.eval_page_scripts = False
    reward = asyncio.run(env._evaluate("Quest Lumaflex Band, Sprite"))
    assert reward == 0.0
    assert env.last_eval is not None and env.last_eval.results[0].name == "outcome_judge"


def test_evaluate_task_itself_never_scores_a_task_without_evaluators():
    """Called directly (not through the env), evaluate_task also gives 0, never the empty
    product 1.0."""
    from webarena_gym.evaluation import evaluate_task

    task = load_task_configs(WEBRL)[0]
    result = asyncio.run(evaluate_task(task, answer="anything", final_url="", context=None,
                                       site_urls={}))
    assert result.reward == 0.0 and result.results[0].name == "outcome_judge"
