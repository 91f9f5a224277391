"""Group rollouts on the sandbox vector env: rows keep the ids and log-probs they were sampled with."""

from __future__ import annotations

import pytest

pytest.importorskip("torch")
pytest.importorskip("trl")

import torch  # noqa: E402

from r1_trainer.data import fit_prompt  # noqa: E402
from r1_trainer.generation import (  # noqa: E402
    Generation,
    HFGenerator,
    SamplingSettings,
    completion_logprobs,
)
from r1_trainer.models import load_model_and_tokenizer, prompt_budget  # noqa: E402
from r1_trainer.rollout import rollout_groups  # noqa: E402
from webarena_gym.prompting import build_messages  # noqa: E402
from webarena_gym.sandbox.env import make_sandbox_vector_env  # noqa: E402
from webarena_gym.sandbox.templates import load_split  # noqa: E402

EXIT = 'exit(message="")'


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    """One torch thread: the tiny model's small ops only contend with a second one (on a busy
    2-core machine, decoding with 2 threads ran ~30x slower)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def tasks():
    return load_split("train", sites=["shopping"], n=2)


@pytest.fixture(scope="module")
def venv(tasks):
    env = make_sandbox_vector_env(4, task_configs=tasks, max_episode_steps=2)
    yield env
    env.close()


class FirstRolloutWins:
    """A sandbox vector env whose first rollout of each group of ``g`` earns reward 1 when its
    episode ends: a test's stand-in for a policy that solves some of its tasks."""

    def __init__(self, env, g):
        self.env, self.g = env, g

    num_envs = property(lambda self: self.env.num_envs)
    observations = property(lambda self: self.env.observations)
    done = property(lambda self: self.env.done)
    unwrapped = property(lambda self: self.env)

    def reset(self, **kwargs):
        return self.env.reset(**kwargs)

    def step(self, actions):
        obs, rewards, terminated, truncated, infos = self.env.step(actions)
        rewards = rewards.copy()
        for i, action in enumerate(actions):
            if action is not None and (terminated[i] or truncated[i]) and i % self.g == 0:
                rewards[i] = 1.0
        return obs, rewards, terminated, truncated, infos

    def close(self):
        self.env.close()


class ScriptedGenerator:
    """Answers by a rule on the prompt's position in the batch; ids are the text's bytes."""

    def __init__(self, answer):
        self.answer = answer
        self.calls = 0

    def generate(self, prompts, sampling=None, **overrides):
        self.calls += 1
        out = []
        for n, messages in enumerate(prompts):
            text = self.answer(n, messages)
            ids = list(text.encode())
            out.append(Generation([len(messages)], ids, [-0.5] * len(ids), text, True))
        return out


def test_rollout_rows_align_with_their_prompts(venv, tasks):
    """Every row's prompt ids are the templated compressed history it was sampled under, and
    its old log-probs are what a forward pass over those ids gives the sampled ids."""
    torch.manual_seed(0)
    model, tokenizer = load_model_and_tokenizer("tiny")
    model.eval()
    generator = HFGenerator(model, tokenizer)
    batch = rollout_groups(venv, generator, tasks, 2, max_episode_steps=2,
                           sampling=SamplingSettings(max_new_tokens=12))

    assert [t.task_id for t in batch.trajectories] == [tasks[0]["task_id"]] * 2 + [
        tasks[1]["task_id"]] * 2
    assert [t.group_index for t in batch.trajectories] == [0, 0, 1, 1]
    assert len(batch.rows) == sum(t.interactions for t in batch.trajectories)
    assert all(1 <= t.interactions <= 2 for t in batch.trajectories)
    budget = prompt_budget(tokenizer, model)
    for row in batch.rows:
        traj = batch.trajectories[row.traj_index]
        j = row.turn
        messages = fit_prompt(build_messages(traj.observations[: j + 1], traj.responses[:j]),
                              tokenizer, budget)
        expected = tokenizer.apply_chat_template(messages, add_generation_prompt=True,
                                                 tokenize=True, return_dict=True)["input_ids"]
        assert row.prompt_ids == list(expected)
        assert row.completion_ids == traj.generations[j].completion_ids
        assert len(row.old_logps) == len(row.completion_ids) > 0
        assert row.group_index == traj.group_index
        assert row.advantage == 0.0  # the random tiny model solves nothing: equal rewards

    with torch.no_grad():
        logps, mask = completion_logprobs(
            model, [r.prompt_ids for r in batch.rows], [r.completion_ids for r in batch.rows],
            pad_token_id=tokenizer.pad_token_id)
    for n, row in enumerate(batch.rows):
        recomputed = logps[n, : len(row.completion_ids)]
        assert torch.allclose(recomputed, torch.tensor(row.old_logps), atol=1e-4)
        assert mask[n].sum() == len(row.completion_ids)

    metrics = batch.metrics()
    assert metrics["interactions"] == len(batch.rows) / 4
    assert metrics["prompt_tokens_max"] == max(len(r.prompt_ids) for r in batch.rows)
    assert 0.0 <= metrics["parse_error_rate"] <= 1.0


def test_unparseable_responses_are_stepped_and_groups_get_advantages(venv, tasks):
    """A response the parser rejects is stepped (its error comes back as the next observation);
    a group with different rewards gets the group-relative advantages."""
    def answer(n, messages):
        return "no action here" if n == 0 else EXIT

    generator = ScriptedGenerator(answer)
    batch = rollout_groups(FirstRolloutWins(venv, 2), generator, tasks, 2, max_episode_steps=2)
    first = batch.trajectories[0]
    assert first.parse_errors == 2 and first.interactions == 2
    assert "Found no action call" in first.observations[1]["last_action_error"]
    assert first.truncated and not first.terminated  # the env's max_episode_steps=2 cut it
    for traj in batch.trajectories[1:]:
        assert traj.terminated and traj.interactions == 1
    assert generator.calls == 2  # one batched call per turn; finished episodes wait
    assert [sum(r.traj_index == i for r in batch.rows) for i in range(4)] == [2, 1, 1, 1]
    # The ids and log-probs are the generator's, untouched.
    assert batch.rows[0].completion_ids == list(b"no action here")
    assert batch.rows[0].old_logps == [-0.5] * len(b"no action here")
    # Rewards (1, 0) in each group: advantages +-(0.5 / (0.5 + 1e-4)).
    assert [t.reward for t in batch.trajectories] == [1.0, 0.0, 1.0, 0.0]
    by_traj = {r.traj_index: r.advantage for r in batch.rows}
    assert by_traj[0] == pytest.approx(0.5 / 0.5001) and by_traj[1] == pytest.approx(-0.5 / 0.5001)
    assert batch.metrics()["groups_with_signal"] == 1.0


def test_too_few_envs_is_an_error(venv, tasks):
    with pytest.raises(ValueError, match="num_envs=6"):
        rollout_groups(venv, ScriptedGenerator(lambda n, m: EXIT), tasks + tasks[:1], 2)


def test_an_env_failure_stays_in_its_trajectory(venv, tasks, monkeypatch):
    """One env of the batch raises in the step where all four rollouts exit: that trajectory
    is marked errored, gets no rows and no say in its group's advantages; the three others keep
    their rewards (1, 0, 0) and are normalised among themselves."""
    async def site_down(action):
        raise RuntimeError("the tenant's database is locked")

    monkeypatch.setattr(venv.envs[1], "astep", site_down)
    batch = rollout_groups(FirstRolloutWins(venv, 4), ScriptedGenerator(lambda n, m: EXIT),
                           tasks[:1], 4, max_episode_steps=2)
    broken = batch.trajectories[1]
    assert broken.error is not None and "database is locked" in broken.error
    others = [batch.trajectories[i] for i in (0, 2, 3)]
    assert [t.error for t in others] == [None] * 3
    assert [t.reward for t in others] == [1.0, 0.0, 0.0]
    assert all(t.terminated for t in others)
    assert sorted(r.traj_index for r in batch.rows) == [0, 2, 3]  # no row of the errored one
    std = (2 / 9) ** 0.5  # population std of (1, 0, 0)
    by_traj = {r.traj_index: r.advantage for r in batch.rows}
    assert by_traj[0] == pytest.approx((2 / 3) / (std + 1e-4))
    assert by_traj[2] == by_traj[3] == pytest.approx((-1 / 3) / (std + 1e-4))
    metrics = batch.metrics()
    assert metrics["env_errors"] == 1.0
    assert metrics["reward"] == pytest.approx(1 / 3) and metrics["groups_with_signal"] == 1.0


def test_a_reset_that_fails_once_is_retried(venv, tasks, monkeypatch):
    env = venv.envs[2]
    real_areset, calls = env.areset, []

    async def flaky(**kwargs):
        calls.append(kwargs)
        if len(calls) == 1:
            raise TimeoutError("the start page took too long")
        return await real_areset(**kwargs)

    monkeypatch.setattr(env, "areset", flaky)
    batch = rollout_groups(venv, ScriptedGenerator(lambda n, m: EXIT), tasks, 2, max_episode_steps=2)
    assert len(calls) == 2
    assert [t.error for t in batch.trajectories] == [None] * 4
    assert [t.terminated for t in batch.trajectories] == [True] * 4
    assert len(batch.rows) == 4 and batch.metrics()["env_errors"] == 0.0


def test_a_process_done_early_keeps_generating_until_all_are(venv, tasks):
    """With ``sync`` (several processes), this process's episodes end after one turn while
    another's run two more: it makes two throw-away generate calls, then stops with it (one
    last ``sync(False)``, which every process makes, says that all are done)."""
    said, others_running = [], [True, True, False]

    def sync(local):
        said.append(local)
        return local or others_running.pop(0)

    generator = ScriptedGenerator(lambda n, m: EXIT)
    batch = rollout_groups(venv, generator, tasks, 2, max_episode_steps=3, sync=sync)
    assert said == [True, False, False, False]
    assert generator.calls == 3 and batch.rounds == 1 and len(batch.rows) == 4
