"""benchmarks/baselines.py's command line without a browser: the stratified task sample, the
new run folder per run, the shared flags (comma-separated ``--sites``, renamed flags, one-line
errors), the recorded responses and the progress bar's success count.

``evaluate_policy`` is replaced by a fake that asks the policy for each task's responses (as
the real one does, with :class:`~r1_trainer.policies.Turn` s) and reports the episodes."""

from __future__ import annotations

import datetime
import importlib.util
import json
import re
import sys
import types
from collections import Counter
from pathlib import Path

import pytest

from r1_trainer.evaluate import EpisodeResult, EvalReport
from r1_trainer.policies import Turn
from webarena_gym.commandline import run_command
from webarena_gym.sandbox.templates import load_split

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def baselines():
    spec = importlib.util.spec_from_file_location("baselines_cli", ROOT / "benchmarks" / "baselines.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def fake_eval(baselines, monkeypatch):
    """``evaluate_policy`` without envs, of :class:`ScriptedPolicy` whatever ``--policy``: two
    turns per task, every task solved but the first; records the calls."""
    calls = []

    def evaluate_policy(policy, configs, *, split, max_episode_steps, num_envs, thinking, seed,
                        progress):
        calls.append({"configs": list(configs), "seed": seed, "budget": max_episode_steps})
        report = EvalReport(policy.name, split, max_episode_steps, thinking, num_envs=num_envs)
        for k, config in enumerate(configs):
            url = f"http://sandbox.test/{config['task_id']}"
            responses = []
            for step in range(2):
                turn = Turn({"url": f"{url}?step={step}", "html": "<html>big page</html>"},
                            config["task_id"], k, step, config)
                responses += policy.respond([[{"role": "user", "content": "hi"}]], turns=[turn])
            result = EpisodeResult(config["task_id"], list(config["sites"]), float(k > 0), 2,
                                   [len(r) for r in responses], 0, True, eval_mode="gym")
            progress(result)
            report.episodes.append(result)
        return report

    monkeypatch.setattr(baselines, "evaluate_policy", evaluate_policy)
    monkeypatch.setattr(baselines, "make_policy", lambda name, **kwargs: ScriptedPolicy())
    return calls


SCROLL = '<think>look</think><answer>do(action="Scroll Down")</answer>'


class ScriptedPolicy:
    """Scrolls, then answers prose the parser rejects, in turn."""

    name = "scripted"

    def __init__(self):
        self.calls = 0

    def respond(self, prompts):
        replies = []
        for _ in prompts:
            replies.append(SCROLL if self.calls % 2 == 0 else "no idea")
            self.calls += 1
        return replies


# --------------------------------------------------------------------------------------------
# sample_tasks
# --------------------------------------------------------------------------------------------


def test_twelve_sampled_test_tasks_cover_every_site_group(baselines):
    configs = load_split("test")
    assert {baselines.site_group(c) for c in configs[:12]} == {"shopping"}  # file order: no
    chosen = baselines.sample_tasks(configs, 12, seed=0)
    groups = {baselines.site_group(c) for c in configs}
    assert len(chosen) == 12 and len(groups) == 7
    assert {baselines.site_group(c) for c in chosen} == groups
    # in the split's order, no task twice
    positions = [configs.index(c) for c in chosen]
    assert positions == sorted(positions) and len(set(positions)) == 12


def test_sampling_is_stratified_by_template_within_a_site(baselines):
    configs = load_split("test")  # 3 instances of each of 120 templates
    chosen = baselines.sample_tasks(configs, 120, seed=3)
    sizes = Counter(baselines.site_group(c) for c in configs)
    per_group = Counter(baselines.site_group(c) for c in chosen)
    # the small cross-site groups run out; the others get a share each, within one
    assert all(per_group[g] == sizes[g] for g in sizes if sizes[g] < 120 / len(sizes))
    shares = [per_group[g] for g in sizes if per_group[g] < sizes[g]]
    assert len(shares) == 5 and max(shares) - min(shares) <= 1
    # within a group, its templates are each taken once before any is taken twice
    group_of = {c["intent_template_id"]: baselines.site_group(c) for c in configs}
    per_template = Counter(c["intent_template_id"] for c in chosen)
    for group in sizes:
        counts = [per_template[t] for t, g in group_of.items() if g == group]
        assert max(counts) - min(counts) <= 1, group


def test_sampling_is_deterministic_for_a_seed(baselines):
    configs = load_split("test")
    ids = [c["task_id"] for c in baselines.sample_tasks(configs, 12, seed=7)]
    assert ids == [c["task_id"] for c in baselines.sample_tasks(configs, 12, seed=7)]
    other = [c["task_id"] for c in baselines.sample_tasks(configs, 12, seed=8)]
    assert other != ids


def test_sampling_n_at_least_the_split_returns_all(baselines):
    configs = load_split("test", sites=["map"])
    assert baselines.sample_tasks(configs, len(configs), seed=1) == configs
    assert baselines.sample_tasks(configs, 10 * len(configs), seed=1) == configs
    assert baselines.sample_tasks(configs, 0, seed=1) == []
    with pytest.raises(ValueError):
        baselines.sample_tasks(configs, -1, seed=1)


# --------------------------------------------------------------------------------------------
# the command line
# --------------------------------------------------------------------------------------------


def test_sites_take_commas_and_spaces(baselines):
    args = baselines.parse_args(["--policy", "oracle", "--sites", "shopping,reddit", "gitlab"])
    assert args.sites == ["shopping", "reddit", "gitlab"]
    assert baselines.parse_args(["--policy", "oracle", "--sites", "shopping,reddit"]).sites == [
        "shopping", "reddit"]


def test_an_unknown_site_is_refused_naming_the_valid_ones(baselines, capsys):
    with pytest.raises(SystemExit) as exit_:
        baselines.parse_args(["--policy", "oracle", "--sites", "shopping,shoping"])
    assert exit_.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert "shoping" in err and "shopping_admin" in err and "gitlab" in err


def test_flags_of_earlier_versions_are_renamed_with_a_note(baselines, capsys):
    args = baselines.parse_args(["--policy", "oracle", "--max-steps", "2,5", "--n", "3",
                                 "--max-tokens=9"])
    assert (args.budgets, args.num_tasks, args.max_new_tokens) == ([2, 5], 3, 9)
    err = capsys.readouterr().err
    assert "--max-steps is now --max-episode-steps" in err and "--n is now --num-tasks" in err
    assert "--max-tokens is now --max-new-tokens" in err


def test_bad_values_are_argparse_errors(baselines, capsys):
    for argv in (["--max-episode-steps", "5,x"], ["--max-episode-steps", "0"],
                 ["--prompt", "thinking,chatty"], ["--num-tasks", "0"], ["--split", "tset"]):
        with pytest.raises(SystemExit) as exit_:
            baselines.parse_args(["--policy", "oracle", *argv])
        assert exit_.value.code == 2, argv
    assert "test_unseen" in capsys.readouterr().err


def test_an_error_while_running_is_one_line(baselines, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    # the sandbox has no wikipedia tasks: load_split's SplitError, one line, no traceback
    code = run_command(baselines._command, ["--policy", "oracle", "--sites", "wikipedia"],
                       baselines.PROG)
    err = capsys.readouterr().err
    assert code == 1 and err.count("\n") == 1 and "Traceback" not in err
    assert "SplitError" in err and "wikipedia" in err and "--debug" in err
    assert not (tmp_path / "runs").exists()  # no run folder for a run that never started


# --------------------------------------------------------------------------------------------
# output
# --------------------------------------------------------------------------------------------


def test_default_output_is_a_new_run_folder(baselines, fake_eval, tmp_path, monkeypatch):
    tracked = ROOT / "benchmarks" / "results" / "baselines.json"
    before = tracked.stat().st_mtime_ns if tracked.exists() else None
    monkeypatch.chdir(tmp_path)
    baselines.main(["--policy", "scripted", "--split", "test", "--num-tasks", "3"])
    baselines.main(["--policy", "scripted", "--split", "test", "--num-tasks", "3"])
    runs = sorted((tmp_path / "runs" / "baselines").iterdir())
    assert len(runs) == 2  # a second run in the same minute gets a folder of its own
    for run in runs:
        assert re.fullmatch(r"\d{8}-\d{4}(-2)?", run.name), run.name
        assert {p.name for p in run.iterdir()} >= {"baselines.json", "baselines.md"}
        assert len(json.loads((run / "baselines.json").read_text())[0]["episodes"]) == 3
    assert [p.name for p in tmp_path.iterdir()] == ["runs"]
    assert (tracked.stat().st_mtime_ns if tracked.exists() else None) == before


def test_new_run_dir_adds_a_suffix_when_the_folder_exists(baselines, tmp_path):
    now = datetime.datetime(2026, 12, 6, 2, 15, 59, tzinfo=datetime.timezone.utc)
    made = [baselines.new_run_dir(tmp_path / "runs", now) for _ in range(3)]
    assert [p.name for p in made] == ["20261206-0215", "20261206-0215-2", "20261206-0215-3"]
    assert all(p.is_dir() for p in made)


def test_explicit_out_and_every_response_kept(baselines, fake_eval, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "somewhere" / "table"
    reports = baselines.main(["--policy", "scripted", "--sites", "map", "--num-tasks", "2",
                              "--max-episode-steps", "3,4", "--out", str(out), "--seed", "5"])
    assert [r.max_episode_steps for r in reports] == [3, 4]
    assert not (tmp_path / "runs").exists()
    assert fake_eval[0]["seed"] == 0  # the test split's own site data, whatever --seed
    assert [c["task_id"] for c in fake_eval[0]["configs"]] == [
        c["task_id"] for c in baselines.sample_tasks(load_split("test", sites=["map"]), 2, 5)]
    saved = json.loads(out.with_suffix(".json").read_text())
    assert "| scripted |" in out.with_suffix(".md").read_text()
    first = saved[0]["episodes"][0]
    assert first["task_id"] == fake_eval[0]["configs"][0]["task_id"]
    assert first["steps"] == [
        {"step": 0, "url": f"http://sandbox.test/{first['task_id']}?step=0",
         "response": SCROLL,
         "action": {"name": "Scroll Down", "element": None, "argument": None},
         "parse_error": None},
        {"step": 1, "url": f"http://sandbox.test/{first['task_id']}?step=1",
         "response": "no idea", "action": None, "parse_error": first["steps"][1]["parse_error"]},
    ]
    assert first["steps"][1]["parse_error"]  # the parser's message
    assert "big page" not in out.with_suffix(".json").read_text()  # observations by reference
    assert saved[0]["success_rate"] == 0.5 and len(saved[1]["episodes"]) == 2


def test_the_train_split_defaults_to_100_tasks(baselines, fake_eval, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    pools = []

    def load(split, sites=None, seed=0, n=None):
        pool = [{"task_id": f"train/{i}", "sites": ["shopping" if i % 3 else "reddit"],
                 "intent_template_id": str(i % 7)} for i in range(n)]
        pools.append((split, seed, n))
        return pool

    monkeypatch.setattr(baselines, "load_split", load)
    baselines.main(["--policy", "scripted", "--split", "train", "--seed", "4"])
    assert len(fake_eval[0]["configs"]) == 100 and fake_eval[0]["seed"] == 4
    assert pools == [("train", 4, 200)]  # sampled from twice as many generated tasks


# --------------------------------------------------------------------------------------------
# progress
# --------------------------------------------------------------------------------------------


def _results(rewards):
    return [EpisodeResult(str(i), ["map"], r, 1, [1], 0, True) for i, r in enumerate(rewards)]


def test_the_progress_bar_shows_success_so_far(baselines, monkeypatch):
    postfixes = []

    class FakeBar:
        def __init__(self, **kwargs):
            self.kwargs = kwargs

        def set_postfix_str(self, text, refresh=True):
            postfixes.append(text)

        def update(self, n):
            pass

        def close(self):
            pass

    monkeypatch.setitem(sys.modules, "tqdm", types.SimpleNamespace(tqdm=FakeBar))
    tick, finish = baselines._progress(3, "oracle")
    for result in _results([1.0, 0.0, 1.0]):
        tick(result)
    finish()
    assert postfixes == ["success=1/1", "success=1/2", "success=2/3"]


def test_progress_without_tqdm_prints_success(baselines, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "tqdm", None)  # import tqdm raises ImportError
    tick, finish = baselines._progress(10, "random")
    for result in _results([1.0] * 3 + [0.0] * 7):
        tick(result)
    finish()
    assert capsys.readouterr().err.strip() == "random: 10/10 success=3/10"
