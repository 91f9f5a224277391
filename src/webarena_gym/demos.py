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


def rollout(env: Any, config: Mapping[str, Any], respond: Responder | None = None) -> Trajectory:
    """Run one episode of ``env`` on ``config``'s task with ``respond`` (default: its oracle).

    ``env`` is a sandbox env holding the task; ``respond`` maps an observation to response text.
    """
    from webarena_gym.sandbox.tasks import sample_of

    obs, _info = env.reset(options={"task_id": config["task_id"]})
    trajectory = Trajectory(str(config["task_id"]), obs["intent"], list(config["sites"]))
    script = None
    if respond is None:
        t, sample = sample_of(dict(config))
        script = t.solve(sample)
        next(script)  # run to the oracle's first `obs = yield`
    done = False
    while not done:
        try:
            response = script.send(obs) if script is not None else respond(obs)  # type: ignore[misc]
        except StopIteration:
            trajectory.error = "the oracle stopped before the episode ended"
            break
        except Exception as exc:  # noqa: BLE001 - an oracle bug is recorded, not fatal
            trajectory.error = f"{type(exc).__name__}: {exc}"
            break
        try:
            parsed: dict[str, Any] | None = asdict(parse_action(response))
        except ActionParseError:
            parsed = None
        trajectory.steps.append(Step(dict(obs), response, parsed))
        obs, reward, terminated, truncated, _info = env.step(response)
        trajectory.reward = float(reward)
        done = terminated or truncated
    trajectory.num_steps = len(trajectory.steps)
    return trajectory


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
    progress: Callable[[Trajectory], None] | None = None,
) -> tuple[int, int]:
    """Roll the oracle out on a split's tasks and write one trajectory per line to ``out``.

    Returns ``(tasks, solved)``.
    """
    from webarena_gym.sandbox.env import SandboxEnv
    from webarena_gym.sandbox.tasks import load_split

    configs = load_split(split, sites=sites, seed=seed, n=n)
    env = SandboxEnv(task_configs=configs, seed=seed, max_steps=max_steps)
    solved = 0
    try:
        with Path(out).open("w", encoding="utf-8") as handle:
            for config in configs:
                trajectory = rollout(env, config)
                solved += trajectory.reward == 1.0
                handle.write(trajectory.to_json() + "\n")
                if progress is not None:
                    progress(trajectory)
    finally:
        env.close()
    return len(configs), solved
