"""Oracle rollouts on the sandbox, written as a behaviour-cloning dataset.

Each trajectory is one JSON line::

    {"task_id": ..., "intent": ..., "sites": [...], "reward": 1.0, "num_steps": 4,
     "steps": [{"observation": {...}, "response": "<think>..</think><answer>..</answer>",
                "action": {"name": "Click", "element": "12", "argument": null}}, ...]}

``observation`` is exactly what the env returned before the response (intent, url, html,
last_action_error); ``response`` is the full text given to ``env.step``.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from webarena_gym.actions import ACTION_SPECS, Action, ActionParseError, format_action, parse_action

Responder = Callable[[Mapping[str, str]], str]


@dataclass
class Step:
    """One turn: what the agent saw, what it answered, and the action parsed from it."""

    observation: dict[str, str]
    response: str
    action: dict[str, Any] | None


@dataclass
class Trajectory:
    """One episode of a policy on one task."""

    task_id: str
    intent: str
    sites: list[str]
    steps: list[Step] = field(default_factory=list)
    reward: float = 0.0
    num_steps: int = 0
    error: str | None = None

    def to_json(self) -> str:
        """One JSON line."""
        return json.dumps(asdict(self), ensure_ascii=False)


class _Episode:
    """One episode in progress: the responder (a policy, or the task's oracle script) and the
    trajectory so far. :meth:`respond` gives the next response (None: it stopped, recorded as
    the trajectory's error); :meth:`record` adds the step the env then took."""

    def __init__(self, config: Mapping[str, Any], obs: Mapping[str, str],
                 respond: Responder | None = None) -> None:
        from webarena_gym.sandbox.tasks import sample_of

        self.trajectory = Trajectory(str(config["task_id"]), obs["intent"], list(config["sites"]))
        self._respond = respond
        self._script = None
        if respond is None:
            t, sample = sample_of(dict(config))
            self._script = t.solve(sample)
            next(self._script)  # run to the oracle's first `obs = yield`

    def respond(self, obs: Mapping[str, str]) -> str | None:
        """The response to ``obs``, or None when the responder failed (see ``trajectory.error``)."""
        try:
            if self._script is not None:
                return str(self._script.send(obs))
            assert self._respond is not None
            return self._respond(obs)
        except StopIteration:
            self.trajectory.error = "the oracle stopped before the episode ended"
        except Exception as exc:  # noqa: BLE001 - an oracle bug is recorded, not fatal
            self.trajectory.error = f"{type(exc).__name__}: {exc}"
        return None

    def record(self, obs: Mapping[str, str], response: str, reward: float) -> None:
        """Add the step: ``obs`` answered with ``response``, after which the env gave ``reward``."""
        try:
            parsed: dict[str, Any] | None = asdict(parse_action(response))
        except ActionParseError:
            parsed = None
        self.trajectory.steps.append(Step(dict(obs), response, parsed))
        self.trajectory.reward = float(reward)
        self.trajectory.num_steps = len(self.trajectory.steps)


def rollout(env: Any, config: Mapping[str, Any], respond: Responder | None = None) -> Trajectory:
    """Run one episode of ``env`` on ``config``'s task with ``respond`` (default: its oracle).

    ``env`` is a sandbox env holding the task; ``respond`` maps an observation to response text.
    """
    obs, _info = env.reset(options={"task_id": config["task_id"]})
    episode = _Episode(config, obs, respond)
    done = False
    while not done:
        response = episode.respond(obs)
        if response is None:
            break
        next_obs, reward, terminated, truncated, _info = env.step(response)
        episode.record(obs, response, reward)
        obs, done = next_obs, terminated or truncated
    return episode.trajectory


_GIVE_UP = format_action(Action("exit", None, ""))
_ELEMENT = re.compile(r'<(\w+) id="(\d+)"')


def random_response(obs: Mapping[str, str], rng: random.Random) -> str:
    """A random valid action on the elements the observation shows (the random baseline).

    Ends the episode with probability 0.05 per step; never waits (Wait only costs time).
    """
    elements = _ELEMENT.findall(obs.get("html", ""))
    if rng.random() < 0.05:
        return format_action(Action("exit", None, ""))
    spec = rng.choice([s for s in ACTION_SPECS if s.name not in ("exit", "Wait")])
    if spec.needs_element and not elements:
        return format_action(Action("Scroll Down"))
    element = rng.choice(elements)[1] if spec.needs_element else None
    argument = None
    if spec.needs_argument:
        argument = rng.choice(["test", "1", "yes", "order", "blue"])
    return format_action(Action(spec.name, element, argument))


def write_demos(
    split: str,
    out: str | Path,
    *,
    sites: Iterable[str] | None = None,
    n: int | None = None,
    seed: int = 0,
    max_steps: int = 30,
    num_envs: int = 1,
    progress: Callable[[Trajectory], None] | None = None,
) -> tuple[int, int]:
    """Roll the oracle out on a split's tasks and write one trajectory per line to ``out``.

    Args:
        split, sites, n, seed: which tasks (:func:`webarena_gym.sandbox.tasks.load_split`).
        out: the JSONL file, one trajectory per task in the split's order.
        max_steps: interactions per episode.
        num_envs: episodes run concurrently on a vector env (one browser); the trajectories
            are the same for any value but for the sites' ports in URLs.
        progress: called with each finished trajectory.

    Returns:
        ``(tasks, solved)``.
    """
    from webarena_gym.sandbox.tasks import load_split
    from webarena_gym.vector import make_sandbox_vector_env

    configs = load_split(split, sites=sites, seed=seed, n=n)
    if not configs:
        raise ValueError(f"split {split!r} has no tasks for sites={sites!r}, n={n!r}")
    venv = make_sandbox_vector_env(min(num_envs, len(configs)), task_configs=configs, seed=seed,
                                   max_steps=max_steps)
    queue = list(enumerate(configs))[::-1]
    running: dict[int, tuple[int, _Episode]] = {}  # env index -> (task index, episode)
    finished: dict[int, Trajectory] = {}
    written = solved = 0
    try:
        with Path(out).open("w", encoding="utf-8") as handle:
            while queue or running:
                idle = [i for i in range(venv.num_envs) if i not in running][:len(queue)]
                if idle:
                    starting = {i: queue.pop() for i in idle}
                    first = venv.reset_tasks({i: c["task_id"] for i, (_k, c) in starting.items()})
                    for i, (k, config) in starting.items():
                        running[i] = (k, _Episode(config, first[i]))
                observations = venv.observations
                actions: list[str | None] = [None] * venv.num_envs
                for i, (k, episode) in list(running.items()):
                    response = episode.respond(observations[i])
                    if response is None:  # the oracle failed: its trajectory ends here, and
                        finished[k] = episode.trajectory  # the env's episode with an exit
                        del running[i]
                        response = _GIVE_UP
                    actions[i] = response
                _obs, rewards, terminated, truncated, _infos = venv.step(actions)
                for i, (k, episode) in list(running.items()):
                    episode.record(observations[i], str(actions[i]), float(rewards[i]))
                    if terminated[i] or truncated[i]:
                        finished[k] = episode.trajectory
                        del running[i]
                while written in finished:  # in the split's order
                    trajectory = finished.pop(written)
                    solved += trajectory.reward == 1.0
                    handle.write(trajectory.to_json() + "\n")
                    written += 1
                    if progress is not None:
                        progress(trajectory)
    finally:
        venv.close()
    return len(configs), solved
