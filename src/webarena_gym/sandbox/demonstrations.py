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
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from webarena_gym.actions import ACTION_SPECS, Action, format_action
from webarena_gym.episodes import Episode, Stop, run_episodes
from webarena_gym.sandbox import templates as sandbox_templates
from webarena_gym.sandbox.env import make_sandbox_vector_env
from webarena_gym.vector import WebArenaVectorEnv

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

    @classmethod
    def from_episode(cls, episode: Episode) -> Trajectory:
        """The demo record of an :class:`~webarena_gym.episodes.Episode` run on a config; its
        error is the env's failure or why the responder stopped."""
        config = episode.config or {}
        intent = episode.observations[0]["intent"] if episode.observations else config["intent"]
        steps = [Step(s.observation, s.response, s.action) for s in episode.steps]
        return cls(episode.task_id, intent, list(config.get("sites") or []), steps,
                   episode.reward, len(steps), episode.error or episode.stopped)


class _Responders:
    """A policy for :func:`~webarena_gym.episodes.run_episodes` answering each episode with
    ``respond`` (a function of the observation) or, without one, with its task's oracle script.
    A responder that fails stops its episode (:class:`~webarena_gym.episodes.Stop`: the reason
    becomes the trajectory's error)."""

    def __init__(self, respond: Responder | None = None) -> None:
        self._respond = respond
        self._scripts: dict[int, Any] = {}  # episode index -> its oracle script

    def __call__(self, episodes: Sequence[Episode]) -> list[str | Stop]:
        return [self._one(episode) for episode in episodes]

    def _one(self, episode: Episode) -> str | Stop:
        try:
            if self._respond is not None:
                return self._respond(episode.observation)
            script = self._scripts.get(episode.index)
            if script is None:
                # looked up when called, so that a test can stand in for the oracles
                template, sample = sandbox_templates.sample_of(dict(episode.config or {}))
                script = self._scripts[episode.index] = template.solve(sample)
                next(script)  # run to the oracle's first `obs = yield`
            return str(script.send(episode.observation))
        except StopIteration:
            return Stop("the oracle stopped before the episode ended")
        except Exception as exc:  # noqa: BLE001 - a responder bug is recorded, not fatal
            return Stop(f"{type(exc).__name__}: {exc}")

    def forget(self, episode: Episode) -> None:
        """Drop an ended episode's script."""
        self._scripts.pop(episode.index, None)


def rollout(env: Any, config: Mapping[str, Any], respond: Responder | None = None) -> Trajectory:
    """Run one episode of ``env`` on ``config``'s task with ``respond`` (default: its oracle).

    ``env`` is a sandbox env holding the task (it stays open); ``respond`` maps an observation
    to response text.
    """
    venv = WebArenaVectorEnv(envs=[env])  # not closed: it would close the caller's env
    return Trajectory.from_episode(run_episodes(venv, [config], _Responders(respond))[0])


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
    max_episode_steps: int = 30,
    num_envs: int = 1,
    progress: Callable[[Trajectory], None] | None = None,
    tasks: Sequence[Mapping[str, Any]] | None = None,
) -> tuple[int, int]:
    """Roll the oracle out on a split's tasks and write one trajectory per line to ``out``.

    Args:
        split, sites, n, seed: which tasks (:func:`webarena_gym.sandbox.templates.load_split`).
        tasks: these sandbox task configs instead of the split's (``split``, ``sites`` and
            ``n`` are then ignored; ``seed`` is still the site-data seed).
        out: the JSONL file, one trajectory per task in the split's order.
        max_episode_steps: interactions per episode.
        num_envs: episodes run concurrently on a vector env (one browser); the trajectories
            are the same for any value but for the sites' ports in URLs.
        progress: called with each finished trajectory.

    Returns:
        ``(tasks, solved)``.
    """
    configs = ([dict(t) for t in tasks] if tasks is not None
               else sandbox_templates.load_split(split, sites=sites, seed=seed, n=n))
    if not configs:
        if tasks is not None:
            raise ValueError("write_demos: tasks= is empty; give at least one task config")
        raise ValueError(f"split {split!r} has no tasks for sites={sites!r}, n={n!r}")
    venv = make_sandbox_vector_env(min(num_envs, len(configs)), task_configs=configs, seed=seed,
                                   max_episode_steps=max_episode_steps)
    oracle = _Responders()
    finished: dict[int, Trajectory] = {}
    written = solved = 0
    try:
        with Path(out).open("w", encoding="utf-8") as handle:

            def ended(episode: Episode) -> None:
                nonlocal written, solved
                oracle.forget(episode)
                finished[episode.index] = Trajectory.from_episode(episode)
                while written in finished:  # in the split's order
                    trajectory = finished.pop(written)
                    solved += trajectory.reward == 1.0
                    handle.write(trajectory.to_json() + "\n")
                    written += 1
                    if progress is not None:
                        progress(trajectory)

            run_episodes(venv, configs, oracle, on_end=ended)
    finally:
        venv.close()
    return len(configs), solved
