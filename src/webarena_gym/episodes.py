"""The one episode loop: a batched policy running tasks on a vector env.

:func:`run_episodes` keeps the envs of a :class:`~webarena_gym.vector.WebArenaVectorEnv` busy
(a queue of tasks, one episode per env at a time; finished envs take the next task with a
masked reset), asks the policy for every running episode's response in **one** call per turn,
and steps the envs concurrently. Each episode comes back as an :class:`Episode` record: what the
agent saw, what it answered, the action the env parsed from it (``info["action"]``, never
re-parsed here), the reward and how it ended. Demonstrations
(``webarena_gym.sandbox.demonstrations.write_demos``), evaluation
(``r1_trainer.evaluate.evaluate_policy``) and RL rollouts (``r1_trainer.rollout.rollout_groups``) all run on it; the trainer's policy
callback keeps its token ids and log-probs on its side.

Failures are per episode. An episode whose env failed (its step raised or its browser crashed)
ends with :attr:`Episode.error` set and is logged; the other episodes of that step keep their
results. A failed reset is retried ``reset_retries`` times, then that episode is errored and
the run goes on. A policy may give up on one episode by answering :class:`Stop` (recorded as
:attr:`Episode.stopped`; its env is sent an ``exit`` whose result is dropped).

This module imports no torch: advantages and losses belong to the trainer.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np

from webarena_gym.actions import Action, format_action
from webarena_gym.vector import VectorResetError, unbatch, unbatch_info

logger = logging.getLogger(__name__)

#: What an abandoned episode's env is sent so that it ends (its result is dropped).
EXIT_ACTION = format_action(Action("exit", None, ""))


@dataclass
class Stop:
    """A policy's answer that ends its episode without stepping it; ``reason`` is recorded."""

    reason: str


@dataclass
class EpisodeStep:
    """One turn of an episode.

    Attributes:
        observation: what the agent saw (intent, url, html, last_action_error).
        response: the text it answered, as stepped.
        action: the action the env parsed from it (``Action`` fields), None when it did not parse.
        parse_error: the parser's message when it did not.
        reward: the env's reward for the step (WebArena: 0 until the episode ends).
    """

    observation: dict[str, str]
    response: str
    action: dict[str, Any] | None
    parse_error: str | None = None
    reward: float = 0.0


@dataclass
class Episode:
    """One task's episode under a policy.

    Attributes:
        index: the task's position in the ``tasks`` given to :func:`run_episodes` (unique per
            episode of a run: a policy's key for per-episode state).
        task_id: the task.
        config: the task's config, when the run was given configs (else None).
        env_index: the env it ran on (None until it started).
        observation: the latest observation (the one the next response answers).
        steps: the turns taken.
        reward: the sum of the steps' rewards (WebArena: the binary task reward).
        terminated: the agent's ``exit`` ended it.
        truncated: the env's step limit, ``max_episode_steps`` or an env failure cut it.
        error: why its env failed (a failed reset, a step that raised, a crashed browser);
            None for a clean episode. An errored episode's reward is not a verdict on the policy.
        stopped: why the policy gave up on it (its :class:`Stop`), if it did.
        eval: the verdict's summary from the final step's ``info["eval"]``: ``eval_mode``,
            ``judge``, ``judge_fallback`` (an offline matcher stood in for the LLM judge) and
            ``needs_outcome_judge`` (the task has no evaluators: the reward is a placeholder).
            Empty when the env gave no verdict (an errored or abandoned episode).
    """

    index: int
    task_id: str
    config: Mapping[str, Any] | None = None
    env_index: int | None = None
    observation: dict[str, str] = field(default_factory=dict)
    steps: list[EpisodeStep] = field(default_factory=list)
    reward: float = 0.0
    terminated: bool = False
    truncated: bool = False
    error: str | None = None
    stopped: str | None = None
    eval: dict[str, Any] = field(default_factory=dict)

    @property
    def unscored(self) -> bool:
        """The env could not score the episode: its task has no evaluators
        (``needs_outcome_judge``), so its reward 0 is a placeholder, not a verdict."""
        return bool(self.eval.get("needs_outcome_judge"))

    @property
    def judge_fallback(self) -> bool:
        """An offline matcher, not the LLM judge, decided a fuzzy check of this episode."""
        return bool(self.eval.get("judge_fallback"))

    @property
    def observations(self) -> list[dict[str, str]]:
        """Every observation in order: one per step, then the latest (none if it never started)."""
        latest = [self.observation] if self.observation else []
        return [s.observation for s in self.steps] + latest

    @property
    def responses(self) -> list[str]:
        """Every response in order."""
        return [s.response for s in self.steps]

    @property
    def parse_errors(self) -> int:
        """Responses the env's action parser rejected."""
        return sum(s.parse_error is not None for s in self.steps)

    @property
    def answer(self) -> str | None:
        """The ``exit`` message that ended the episode, if the agent exited."""
        last = self.steps[-1].action if self.steps else None
        return last.get("argument") if last and last.get("name") == "exit" else None


#: The keys of ``info["eval"]`` an :class:`Episode` keeps (its ``eval``).
_EVAL_SUMMARY = ("reward", "eval_mode", "judge", "judge_fallback", "needs_outcome_judge")

#: The policy callback: the running episodes in, one response (or :class:`Stop`) each, in order.
EpisodePolicy = Callable[[Sequence[Episode]], Sequence[str | Stop]]


def run_episodes(
    venv: Any,
    tasks: Sequence[Mapping[str, Any] | str],
    policy: EpisodePolicy,
    *,
    max_episode_steps: int | None = None,
    seed: int | None = None,
    reset_retries: int = 2,
    on_end: Callable[[Episode], None] | None = None,
) -> list[Episode]:
    """Run one episode of every task on ``venv``, ``venv.num_envs`` at a time.

    Args:
        venv: a :class:`~webarena_gym.vector.WebArenaVectorEnv` holding the tasks (or a vector
            wrapper of one: only ``num_envs``, ``reset`` and ``step`` are used). Tasks start in
            order on the idle envs, task ``k`` on env ``k`` when they all fit.
        tasks: task configs (with ``task_id``) or task ids; a task may repeat (G rollouts).
        policy: called once per turn with the running episodes (env order); returns one
            response text, or :class:`Stop`, per episode.
        max_episode_steps: actions per episode; one still running then ends truncated (None: the env's
            own ``max_episode_steps`` decides).
        seed: reset seed (env ``i`` gets ``seed + i``).
        reset_retries: how often a failed reset is retried before its episode is errored.
        on_end: called with each episode as it ends (for progress, or to drop policy state).

    Returns:
        The episodes, in the order of ``tasks``.

    Raises:
        ValueError: ``max_episode_steps`` below 1, or the policy answered the wrong number of episodes.
    """
    if max_episode_steps is not None and max_episode_steps < 1:
        raise ValueError(f"max_episode_steps must be at least 1 (or None), got {max_episode_steps}")
    episodes = [
        Episode(k, str(t["task_id"]) if isinstance(t, Mapping) else str(t),
                t if isinstance(t, Mapping) else None)
        for k, t in enumerate(tasks)
    ]
    queue = deque(episodes)
    running: dict[int, Episode] = {}  # env index -> its episode
    live = [False] * venv.num_envs  # envs whose episode the env still runs (each needs an action)

    def end(episode: Episode) -> None:
        running.pop(episode.env_index, None)  # type: ignore[arg-type]
        if episode.error is not None:
            logger.warning("episode %d (task %s) errored: %s", episode.index, episode.task_id,
                           episode.error)
        if on_end is not None:
            on_end(episode)

    while queue or running:
        idle = [i for i in range(venv.num_envs) if i not in running][: len(queue)]
        if idle:
            starting = {i: queue.popleft() for i in idle}
            started, failed = _reset(venv, starting, seed, reset_retries)
            for i, episode in starting.items():
                episode.env_index, live[i] = i, i in started
                if i in started:
                    episode.observation = started[i]
                    running[i] = episode
                else:
                    episode.error = failed[i]
                    end(episode)
        if not running:
            continue
        order = sorted(running)
        responses = list(policy([running[i] for i in order]))
        if len(responses) != len(order):
            raise ValueError(f"the policy gave {len(responses)} responses for {len(order)} "
                             "running episodes; give one per episode, in order")
        actions: list[str | None] = [EXIT_ACTION if on else None for on in live]
        stepped = []
        for i, response in zip(order, responses, strict=True):
            if isinstance(response, Stop):
                running[i].stopped = response.reason
                end(running[i])
            else:
                actions[i] = str(response)
                stepped.append(running[i])
        obs, rewards, terminated, truncated, infos = venv.step(actions)
        current = _observations(venv, obs)
        for i, action in enumerate(actions):
            live[i] = action is not None and not (terminated[i] or truncated[i])
        for episode in stepped:
            i = episode.env_index
            assert i is not None
            info = unbatch_info(infos, i)
            episode.steps.append(EpisodeStep(
                episode.observation, str(actions[i]), _parsed_action(info),
                info.get("parse_error"), float(rewards[i])))
            episode.observation = current[i]
            episode.reward += float(rewards[i])
            if info.get("error"):
                episode.error = str(info["error"])
            if isinstance(info.get("eval"), Mapping):
                episode.eval = {k: _plain(info["eval"][k]) for k in _EVAL_SUMMARY
                                if k in info["eval"]}
            if terminated[i] or truncated[i]:
                episode.terminated, episode.truncated = bool(terminated[i]), bool(truncated[i])
                end(episode)
            elif max_episode_steps is not None and len(episode.steps) >= max_episode_steps:
                episode.truncated = True
                end(episode)
    return episodes


def _reset(
    venv: Any, starting: Mapping[int, Episode], seed: int | None, retries: int
) -> tuple[dict[int, dict[str, str]], dict[int, str]]:
    """Reset each env ``i`` of ``starting`` on its episode's task, retrying the envs that fail.

    Returns ``(first observation per env reset, error per env that failed every try)``."""
    started: dict[int, dict[str, str]] = {}
    pending = dict(starting)
    errors: dict[int, str] = {}
    for attempt in range(retries + 1):
        mask = np.zeros(venv.num_envs, dtype=np.bool_)
        per_env: list[str | None] = [None] * venv.num_envs
        for i, episode in pending.items():
            mask[i], per_env[i] = True, episode.task_id
        try:
            obs, _infos = venv.reset(seed=seed, options={"task_id": per_env, "reset_mask": mask})
            first, errors = dict(enumerate(_observations(venv, obs))), {}
        except VectorResetError as exc:
            first, errors = exc.observations, exc.errors
        started.update({i: first[i] for i in pending if i not in errors})
        pending = {i: pending[i] for i in errors}
        if not pending:
            break
        for i, error in errors.items():
            logger.warning("reset of task %s on env %d failed (try %d of %d): %s",
                           pending[i].task_id, i, attempt + 1, retries + 1, error)
    tries = f"{retries + 1} tries" if retries else "1 try"
    return started, {i: f"reset failed ({tries}): {error}" for i, error in errors.items()}


def _observations(venv: Any, obs: Mapping[str, Sequence[str]]) -> list[dict[str, str]]:
    """One observation per env: the env's own dicts when the vector env keeps them (their key
    order is the env's, which the demo files keep), else the batch unbatched (any wrapper)."""
    own = getattr(venv, "observations", None)
    return list(own) if own is not None else unbatch(obs)


def _plain(value: Any) -> Any:
    """A value from a batched info as a plain Python one (numpy scalars unwrapped)."""
    return value.item() if isinstance(value, np.generic) else value


def _parsed_action(info: Mapping[str, Any]) -> dict[str, Any] | None:
    """``info["action"]`` as a full ``Action`` dict (batching left out its None fields)."""
    action = info.get("action")
    if not action:
        return None
    return {f.name: action.get(f.name) for f in fields(Action)}
