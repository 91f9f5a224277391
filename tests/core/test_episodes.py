"""The one episode runner (webarena_gym.episodes) on the sandbox vector env."""

from __future__ import annotations

import pytest

from webarena_gym.episodes import Stop, run_episodes
from webarena_gym.sandbox.env import make_sandbox_vector_env
from webarena_gym.sandbox.templates import load_split

EXIT = 'exit(message="done")'


@pytest.fixture(scope="module")
def tasks():
    return load_split("train", sites=["shopping"], n=3)


@pytest.fixture(scope="module")
def venv(tasks):
    env = make_sandbox_vector_env(2, task_configs=tasks, max_episode_steps=3)
    yield env
    env.close()


def test_steps_record_what_the_env_parsed(venv, tasks):
    """Three tasks on two envs: a queue, one policy call per turn for the running episodes, the
    parsed action and the parse error as the env's info gave them, a Stop ending one episode."""
    calls = []

    def policy(episodes):
        calls.append([e.index for e in episodes])
        out = []
        for e in episodes:
            if e.index == 0:
                out.append(["no action here", 'do(action="Scroll Down")', EXIT][len(e.steps)])
            elif e.index == 1:
                out.append(EXIT)
            else:
                out.append(Stop("gave up"))
        return out

    ended = []
    episodes = run_episodes(venv, tasks, policy, on_end=lambda e: ended.append(e.index))
    assert [e.task_id for e in episodes] == [t["task_id"] for t in tasks]
    assert calls == [[0, 1], [0, 2], [0]]  # task 2 took env 1 after task 1 ended
    assert ended == [1, 2, 0]
    first = episodes[0]
    assert [s.action for s in first.steps] == [
        None,
        {"name": "Scroll Down", "element": None, "argument": None},
        {"name": "exit", "element": None, "argument": "done"},
    ]
    assert "Found no action call" in first.steps[0].parse_error
    assert first.steps[1].parse_error is None and first.parse_errors == 1
    assert first.observations[1]["last_action_error"] == first.steps[0].parse_error
    assert first.terminated and first.answer == "done" and first.error is None
    assert len(first.observations) == 4 and first.responses[0] == "no action here"
    stopped = episodes[2]
    assert stopped.stopped == "gave up" and stopped.steps == [] and stopped.error is None
    assert stopped.env_index == 1 and stopped.observation["intent"] == tasks[2]["intent"]


def test_a_step_failure_ends_only_its_episode(venv, tasks, monkeypatch):
    async def site_down(action):
        raise RuntimeError("the tenant's database is locked")

    monkeypatch.setattr(venv.envs[0], "astep", site_down)
    episodes = run_episodes(venv, tasks[:2], lambda eps: [EXIT] * len(eps))
    broken, fine = episodes
    assert broken.truncated and "env 0: step failed: RuntimeError: the tenant's" in broken.error
    assert len(broken.steps) == 1 and broken.reward == 0.0
    assert fine.error is None and fine.terminated and fine.answer == "done"


def test_a_reset_that_keeps_failing_errors_its_episode_not_the_run(venv, tasks, monkeypatch):
    calls = []

    async def never(**kwargs):
        calls.append(kwargs)
        raise ConnectionError("tenant store unreachable")

    monkeypatch.setattr(venv.envs[1], "areset", never)
    episodes = run_episodes(venv, tasks[:2], lambda eps: [EXIT] * len(eps), reset_retries=2)
    assert len(calls) == 3
    assert episodes[0].error is None and episodes[0].terminated
    failed = episodes[1]
    assert failed.error == ("reset failed (3 tries): ConnectionError: tenant store "
                            "unreachable")
    assert failed.steps == [] and failed.observations == [] and not failed.terminated
