"""The sandbox task splits, the `tasks` and `demos` commands, and WebArenaSandbox-v0 on them."""

from __future__ import annotations

import json
import re
from collections import Counter

import gymnasium as gym
import pytest
from gymnasium.utils.env_checker import check_env

import webarena_gym  # noqa: F401 - registers the env ids
from webarena_gym.cli import main
from webarena_gym.sandbox import templates as tasks_module
from webarena_gym.sandbox.demonstrations import write_demos
from webarena_gym.sandbox.templates import (
    SplitError,
    generate_fixed_split,
    iter_train,
    load_split,
    templates,
)
from webarena_gym.tasks import load_task_configs

SITES = ("shopping", "shopping_admin", "reddit", "gitlab", "map")


@pytest.mark.parametrize("split", ["test", "test_unseen"])
def test_shipped_splits_equal_what_the_templates_generate(split):
    # A change to a template or to the data generator must come with regenerated split files
    # (python -m webarena_gym.sandbox.templates --write) and, once released, a version bump.
    shipped = load_split(split)
    assert json.loads(json.dumps(generate_fixed_split(split))) == shipped


def test_split_sizes_and_template_counts():
    test = load_split("test")
    for site in SITES:
        site_templates = [t for t in templates([site])]
        assert len(site_templates) >= 20, site
        assert sum(1 for c in test if c["sites"] == [site]) >= 60, site
    per_template = Counter(c["intent_template_id"] for c in test)
    assert min(per_template.values()) >= 3
    unseen = {c["intent_template_id"] for c in load_split("test_unseen")}
    assert unseen and not unseen & set(per_template)


def test_train_never_uses_unseen_templates_or_test_instances():
    unseen = {t.id for t in templates(unseen=True)}
    test_keys = {(c["intent_template_id"], json.dumps(c["instantiation_dict"], sort_keys=True))
                 for c in load_split("test")}
    stream = iter_train(seed=0)
    train = [next(stream) for _ in range(300)]
    assert not {c["intent_template_id"] for c in train} & unseen
    assert not {(c["intent_template_id"], json.dumps(c["instantiation_dict"], sort_keys=True))
                for c in train} & test_keys
    assert len({c["task_id"] for c in train}) == len(train)
    again = iter_train(seed=0)
    assert [next(again) for _ in range(20)] == train[:20]  # seeded


def test_eval_types_roughly_follow_webarena_lite():
    counts = Counter()
    for config in load_split("test") + load_split("test_unseen"):
        for kind in config["eval"]["eval_types"]:
            counts[kind] += 1
    total = sum(counts.values())
    assert counts["string_match"] / total > 0.3
    assert counts["program_html"] / total > 0.2
    assert counts["url_match"] > 0


def test_split_errors_are_clear():
    with pytest.raises(SplitError, match="unknown split"):
        load_split("validation")
    with pytest.raises(SplitError, match="seed 0"):
        load_split("test", seed=3)
    with pytest.raises(SplitError, match="no test tasks"):
        load_split("test", sites=["wikipedia"])


def test_tasks_export_round_trips(tmp_path, capsys):
    out = tmp_path / "test.json"
    assert main(["tasks", "export", "--split", "test", "--out", str(out)]) == 0
    exported = json.loads(out.read_text())
    loaded = load_task_configs(out)
    assert len(loaded) == len(exported) == len(load_split("test"))
    assert load_task_configs([t.to_dict() for t in loaded]) == loaded
    assert main(["tasks", "list", "--split", "test_unseen", "--sites", "shopping"]) == 0
    listed = capsys.readouterr().out
    assert "shopping/" in listed and "shopping_admin/" not in listed
    first = exported[0]["task_id"]
    assert main(["tasks", "show", first]) == 0
    assert json.loads(capsys.readouterr().out)["task_id"] == first


def test_demos_command_writes_trajectories(tmp_path, capsys):
    out = tmp_path / "demos.jsonl"
    assert main(["demos", "--split", "train", "--sites", "shopping", "--num-tasks", "2",
                 "--out", str(out)]) == 0
    assert capsys.readouterr().out.strip().splitlines()[-1] == "2 tasks, 2 solved"
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(rows) == 2
    for row in rows:
        assert set(row) >= {"task_id", "intent", "sites", "steps", "reward", "num_steps"}
        assert row["reward"] == 1.0 and row["num_steps"] == len(row["steps"]) >= 1
        step = row["steps"][0]
        assert set(step["observation"]) >= {"intent", "url", "html", "last_action_error"}
        assert step["response"].startswith("<think>") and "<answer>" in step["response"]
        assert step["action"]["name"]
        assert row["steps"][-1]["action"]["name"] == "exit"


def _without_ports(text: str) -> str:
    return re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:PORT", text)


def test_concurrent_demos_write_the_same_file(tmp_path):
    # Three tasks on two envs: one env takes a second task after its first; the file keeps the
    # split's order and each trajectory is what one env alone gives (ports aside).
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    assert write_demos("train", one, sites=["shopping"], n=3, max_episode_steps=15) == (3, 3)
    assert write_demos("train", two, sites=["shopping"], n=3, max_episode_steps=15, num_envs=2) == (3, 3)
    assert _without_ports(two.read_text()) == _without_ports(one.read_text())


def test_demos_record_an_oracle_failure_and_go_on(tmp_path, monkeypatch):
    configs = load_split("train", sites=["shopping"], n=2)
    broken = configs[0]["task_id"]
    real_sample_of = tasks_module.sample_of

    class Broken:
        @staticmethod
        def solve(_sample):
            obs = yield
            obs = yield '<answer>do(action="Scroll Down")</answer>'
            raise RuntimeError(f"oracle bug on {obs['url']}")

    def sample_of(config):
        template, sample = real_sample_of(config)
        return (Broken(), sample) if config["task_id"] == broken else (template, sample)

    monkeypatch.setattr(tasks_module, "sample_of", sample_of)
    out = tmp_path / "demos.jsonl"
    assert write_demos("train", out, sites=["shopping"], n=2, max_episode_steps=15, num_envs=2) == (2, 1)
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["task_id"] for r in rows] == [c["task_id"] for c in configs]
    assert rows[0]["error"].startswith("RuntimeError: oracle bug") and rows[0]["num_steps"] == 1
    assert rows[1]["reward"] == 1.0 and rows[1]["error"] is None


def test_check_env_on_the_sandbox_split():
    env = gym.make("WebArenaSandbox-v0", sites=["shopping"], split="test")
    try:
        check_env(env.unwrapped)
    finally:
        env.close()
