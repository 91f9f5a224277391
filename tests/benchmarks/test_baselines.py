"""benchmarks/baselines.py against an OpenAI-compatible server run here on 127.0.0.1.

The server speaks ``POST /v1/chat/completions`` over real HTTP and answers from a script: round 1
scrolls, round 2 answers (the right answer for one task, unparseable prose for the other), round 3
gives up. The report must count exactly that.
"""

from __future__ import annotations

import http.server
import importlib.util
import json
import re
from pathlib import Path

import pytest
from helpers import serve

from r1_trainer.policies import OpenAIPolicy, PolicyError
from webarena_gym.sandbox.templates import load_split

ROOT = Path(__file__).resolve().parents[2]


def _load_baselines():
    spec = importlib.util.spec_from_file_location("baselines", ROOT / "benchmarks" / "baselines.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _answer(config) -> str | None:
    refs = config["eval"]["reference_answers"] or {}
    if "exact_match" in refs:
        return str(refs["exact_match"])
    if "must_include" in refs:
        return " ".join(refs["must_include"])
    return None


class ScriptedLLM(http.server.BaseHTTPRequestHandler):
    answers: dict[str, str] = {}
    requests: list[dict] = []

    def log_message(self, format, *args):  # noqa: A002
        pass

    def do_POST(self):  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).requests.append({"path": self.path, "auth": self.headers.get("Authorization"),
                                    "body": body})
        if self.path != "/v1/chat/completions":
            self.send_error(404)
            return
        messages = body["messages"]
        intent = re.match(r"Task: (.*)", messages[1]["content"]).group(1)
        round_ = int(re.search(r"^Round (\d+)$", messages[-1]["content"], re.M).group(1))
        if round_ == 1:
            reply = '<think>Let me look around.</think><answer>do(action="Scroll Down")</answer>'
        elif round_ == 2 and intent in self.answers:
            reply = f'<think>Found it.</think><answer>exit(message="{self.answers[intent]}")</answer>'
        elif round_ == 2:
            reply = "I am not sure what to do here."
        else:
            reply = 'exit(message="N/A")'
        data = json.dumps({
            "choices": [{"message": {"role": "assistant", "content": reply},
                         "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 100, "completion_tokens": 10},
        }).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def test_baselines_against_a_local_openai_compatible_server(tmp_path, monkeypatch):
    configs = [c for c in load_split("test", sites=["shopping"])
               if c["eval"]["eval_types"] == ["string_match"] and _answer(c)][:2]
    ScriptedLLM.answers = {configs[0]["intent"]: _answer(configs[0])}
    ScriptedLLM.requests = []
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    baselines = _load_baselines()
    ids = {c["task_id"] for c in configs}
    monkeypatch.setattr(baselines, "load_split",
                        lambda *a, **k: [c for c in load_split("test") if c["task_id"] in ids])
    out = tmp_path / "baselines"
    with serve(ScriptedLLM) as base:
        reports = baselines.main([
            "--policy", "openai:scripted-model", "--policy", "random",
            "--base-url", f"{base}/v1", "--max-episode-steps", "2,5", "--num-envs", "2",
            "--out", str(out),
        ])
    assert len(reports) == 4  # two policies x two budgets
    llm_short, llm_long = reports[0], reports[1]
    assert (llm_short.max_episode_steps, llm_long.max_episode_steps) == (2, 5)
    by_task = {e.task_id: e for e in llm_long.episodes}
    solved, unsure = by_task[configs[0]["task_id"]], by_task[configs[1]["task_id"]]
    assert (solved.reward, solved.interactions, solved.parse_errors) == (1.0, 2, 0)
    assert solved.answer == _answer(configs[0])
    assert (unsure.reward, unsure.interactions, unsure.parse_errors) == (0.0, 3, 1)
    assert llm_long.success_rate == 0.5 and llm_long.site_success() == {"shopping": 0.5}
    assert llm_long.mean_interactions == 2.5
    assert llm_long.parse_error_rate == pytest.approx(1 / 5)
    # the 2-step budget truncates the unsure episode after its unparseable reply
    assert {e.task_id: e.interactions for e in llm_short.episodes}[configs[1]["task_id"]] == 2
    # real requests: the model, the key, the thinking system prompt
    first = ScriptedLLM.requests[0]
    assert first["auth"] == "Bearer sk-test" and first["body"]["model"] == "scripted-model"
    assert "<think>" in first["body"]["messages"][0]["content"]
    table = (out.with_suffix(".md")).read_text()
    assert "| scripted-model | thinking | gym | 5 | 2 | 50.0% |" in table
    saved = json.loads(out.with_suffix(".json").read_text())
    assert [r["policy"] for r in saved] == ["scripted-model"] * 2 + ["random"] * 2
    assert len(saved[1]["episodes"]) == 2
    # every step's full response, the action parsed from it and the page it answered
    steps = {e["task_id"]: e["steps"] for e in saved[1]["episodes"]}
    solved_steps, unsure_steps = steps[configs[0]["task_id"]], steps[configs[1]["task_id"]]
    assert [s["step"] for s in unsure_steps] == [0, 1, 2]
    assert solved_steps[0]["response"] == (
        '<think>Let me look around.</think><answer>do(action="Scroll Down")</answer>')
    assert solved_steps[0]["action"] == {"name": "Scroll Down", "element": None, "argument": None}
    assert solved_steps[1]["action"] == {"name": "exit", "element": None,
                                         "argument": _answer(configs[0])}
    assert unsure_steps[1]["response"] == "I am not sure what to do here."
    assert unsure_steps[1]["action"] is None and unsure_steps[1]["parse_error"]
    assert all(s["url"].startswith("http") for s in solved_steps + unsure_steps)
    # observations by reference (URL and step), not the page
    assert set(solved_steps[0]) == {"step", "url", "response", "action", "parse_error"}
    assert len(saved[0]["episodes"][1]["steps"]) == 2  # the 2-step budget


def test_openai_policy_reports_an_unreachable_endpoint():
    with serve(ScriptedLLM) as base:
        pass  # stopped: nothing listens there any more
    policy = OpenAIPolicy(model="m", base_url=f"{base}/v1", retries=0, timeout_s=5)
    with pytest.raises(PolicyError, match="unreachable"):
        policy.respond([[{"role": "user", "content": "hi"}]])


def test_oracle_policy_solves_tasks_in_the_non_thinking_format():
    from r1_trainer.evaluate import evaluate_policy
    from r1_trainer.policies import OraclePolicy

    configs = load_split("test", sites=["shopping_admin"])[:3]
    report = evaluate_policy(OraclePolicy(thinking=False), configs, num_envs=3)
    assert report.success_rate == 1.0 and report.parse_error_rate == 0.0
    assert [e.task_id for e in report.episodes] == [c["task_id"] for c in configs]
    assert report.mean_response_chars < 80  # actions only, no <think> text


def test_fewer_tasks_left_than_idle_envs():
    """5 tasks on 4 envs: the last task starts while 3 envs idle with nothing left to run."""
    from r1_trainer.evaluate import evaluate_policy
    from r1_trainer.policies import RandomPolicy

    configs = load_split("test", sites=["map"])[:5]
    report = evaluate_policy(RandomPolicy(seed=1), configs, num_envs=4, max_episode_steps=2)
    assert sorted(e.task_id for e in report.episodes) == sorted(c["task_id"] for c in configs)


def test_an_env_failure_is_one_unsolved_episode_not_a_crashed_evaluation(monkeypatch):
    """Before the one episode runner, one env raising in a step ended the whole evaluation."""
    from r1_trainer.evaluate import evaluate_policy
    from r1_trainer.policies import OraclePolicy
    from webarena_gym.sandbox.env import SandboxEnv

    configs = load_split("test", sites=["shopping_admin"])[:2]
    broken, real_astep = configs[0]["task_id"], SandboxEnv.astep

    async def astep(self, action):
        if self.task.task_id == broken:
            raise RuntimeError("the admin site returned 502")
        return await real_astep(self, action)

    monkeypatch.setattr(SandboxEnv, "astep", astep)
    report = evaluate_policy(OraclePolicy(), configs, num_envs=2)
    failed, solved = report.episodes
    assert failed.reward == 0.0 and "returned 502" in failed.error
    assert solved.reward == 1.0 and solved.error is None
    assert report.summary()["env_errors"] == 1 and report.success_rate == 0.5
