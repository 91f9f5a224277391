"""Run a policy over a sandbox split or WebArena-Lite tasks on the vector env and report what
the paper's tables report.

``evaluate_policy`` runs the tasks through :func:`webarena_gym.episodes.run_episodes` (N envs
busy, a queue of tasks, one episode per env at a time), asks the policy for the active envs'
responses in one batch per turn (prompts from :func:`webarena_gym.prompting.build_messages`),
and steps the envs concurrently. The report:
success rate overall and per site, the average number of interactions, the average response
length, the parse-error rate. Used by ``benchmarks/baselines.py``, ``r1-train eval`` and the demo.

On ``WebArenaLite-v0`` the episodes run on the user's live WebArena sites, which every env
shares: tasks that change site state (:func:`tasks_changing_sites`) can change what other
episodes see, so run those with ``num_envs=1`` on sites reset as WebArena prescribes.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from r1_trainer.policies import Policy, Turn, call_policy
from webarena_gym.episodes import Episode, run_episodes
from webarena_gym.prompting import build_messages
from webarena_gym.registration import make_lite_vector_env
from webarena_gym.sandbox.env import make_sandbox_vector_env

SANDBOX_ENV = "WebArenaSandbox-v0"
LITE_ENV = "WebArenaLite-v0"


def tasks_changing_sites(configs: Iterable[Mapping[str, Any]]) -> list[str]:
    """The ids of the tasks whose episodes change what a site holds: ``require_reset`` in the
    config, or an evaluator that reads site state after the episode (``program_html``).

    On ``WebArenaLite-v0`` such tasks cannot run side by side (G rollouts of one task, or
    episodes of several) on one set of live sites without seeing each other's writes.
    """
    return [str(c["task_id"]) for c in configs
            if c.get("require_reset")
            or "program_html" in ((c.get("eval") or {}).get("eval_types") or [])]


@dataclass
class EpisodeResult:
    """One task's episode under a policy."""

    task_id: str
    sites: list[str]
    reward: float
    interactions: int
    response_chars: list[int]
    parse_errors: int
    terminated: bool
    answer: str | None = None
    error: str | None = None
    eval_mode: str | None = None
    judge_fallback: bool = False
    unscored: bool = False

    @property
    def judged(self) -> bool:
        """Scored by the task's rules (or an LLM judge): neither an offline judge's stand-in
        verdict nor the placeholder 0 of a task without evaluators."""
        return not (self.judge_fallback or self.unscored)


@dataclass
class EvalReport:
    """A policy's results on a split (one row of the baselines table)."""

    policy: str
    split: str
    max_episode_steps: int
    thinking: bool
    episodes: list[EpisodeResult] = field(default_factory=list)
    seconds: float = 0.0
    num_envs: int = 1

    @property
    def judged(self) -> list[EpisodeResult]:
        """The episodes whose reward is a real verdict (see :attr:`EpisodeResult.judged`);
        an episode whose env failed counts here, as unsolved."""
        return [e for e in self.episodes if e.judged]

    @property
    def success_rate(self) -> float:
        """Fraction of the :attr:`judged` episodes with reward 1. Episodes scored by the
        offline judge fallback or not scored at all are counted apart
        (:attr:`fallback_judged`, :attr:`unscored`), never mixed in."""
        return _mean([e.reward == 1.0 for e in self.judged])

    @property
    def fallback_judged(self) -> list[EpisodeResult]:
        """Episodes a fuzzy check of which the offline matcher decided (no LLM judge)."""
        return [e for e in self.episodes if e.judge_fallback and not e.unscored]

    @property
    def unscored(self) -> int:
        """Episodes of tasks without evaluators (their reward 0 is a placeholder)."""
        return sum(e.unscored for e in self.episodes)

    @property
    def eval_mode(self) -> str:
        """The evaluation mode(s) that scored the episodes (``"webarena"``, ``"vab"``,
        ``"gym"``; several joined by "+"; ``"-"`` when no episode was scored)."""
        modes = sorted({e.eval_mode for e in self.episodes if e.eval_mode})
        return "+".join(modes) or "-"

    def site_success(self) -> dict[str, float]:
        """Success rate per site group (``shopping``, ``reddit``, ``shopping+reddit``, ...),
        over the :attr:`judged` episodes."""
        groups: dict[str, list[bool]] = defaultdict(list)
        for e in self.judged:
            groups["+".join(sorted(e.sites))].append(e.reward == 1.0)
        return {k: _mean(v) for k, v in sorted(groups.items())}

    @property
    def mean_interactions(self) -> float:
        """Average number of actions per episode."""
        return _mean([e.interactions for e in self.episodes])

    @property
    def mean_response_chars(self) -> float:
        """Average length of a response, in characters."""
        return _mean([c for e in self.episodes for c in e.response_chars])

    @property
    def parse_error_rate(self) -> float:
        """Fraction of responses the action parser rejected."""
        total = sum(len(e.response_chars) for e in self.episodes)
        return sum(e.parse_errors for e in self.episodes) / total if total else 0.0

    @property
    def env_errors(self) -> int:
        """Episodes cut short by their env's failure (counted as unsolved)."""
        return sum(e.error is not None for e in self.episodes)

    def headline(self) -> str:
        """One line for a log: success, the tasks it is over, the eval mode, and the episodes
        counted apart (offline-judged, unscored) when there are any."""
        line = (f"{100 * self.success_rate:.1f}% of {len(self.judged)} tasks "
                f"({self.eval_mode} eval)")
        offline = self.fallback_judged
        if offline:
            solved = sum(e.reward == 1.0 for e in offline)
            line += f"; {len(offline)} more judged offline ({solved} solved)"
        if self.unscored:
            line += f"; {self.unscored} unscored (no evaluators)"
        return line

    def summary(self) -> dict[str, Any]:
        """The table row as a dict."""
        return {
            "policy": self.policy,
            "split": self.split,
            "prompt": "thinking" if self.thinking else "non-thinking",
            "max_episode_steps": self.max_episode_steps,
            "eval_mode": self.eval_mode,
            "tasks": len(self.episodes),
            "judged_tasks": len(self.judged),
            "success_rate": self.success_rate,
            "fallback_judged": len(self.fallback_judged),
            "fallback_success_rate": _mean([e.reward == 1.0 for e in self.fallback_judged]),
            "unscored": self.unscored,
            "per_site": self.site_success(),
            "mean_interactions": self.mean_interactions,
            "mean_response_chars": self.mean_response_chars,
            "parse_error_rate": self.parse_error_rate,
            "env_errors": self.env_errors,
            "num_envs": self.num_envs,
            "seconds": self.seconds,
        }

    def to_dict(self) -> dict[str, Any]:
        """Summary plus every episode (JSON-ready)."""
        return {**self.summary(), "episodes": [asdict(e) for e in self.episodes]}


def _mean(values: Iterable[float]) -> float:
    values = list(values)
    return float(np.mean(values)) if values else 0.0


def evaluate_policy(
    policy: Policy,
    configs: Sequence[Mapping[str, Any]],
    *,
    split: str = "custom",
    max_episode_steps: int = 15,
    num_envs: int = 4,
    thinking: bool = True,
    seed: int = 0,
    progress: Callable[[EpisodeResult], None] | None = None,
    env_kwargs: Mapping[str, Any] | None = None,
    env: str = SANDBOX_ENV,
) -> EvalReport:
    """Roll ``policy`` out once on every task of ``configs``
    (:func:`webarena_gym.episodes.run_episodes`).

    Args:
        policy: see :mod:`r1_trainer.policies`.
        configs: task configs: sandbox ones (``webarena_gym.sandbox.templates.load_split``), or,
            for ``WebArenaLite-v0``, WebArena configs (only their ``task_id`` and ``sites``
            are read here: the env loads them from its ``config_path``).
        split: the split's name, for the report.
        max_episode_steps: interactions per episode (the paper's test-time scaling knob).
        num_envs: envs stepped concurrently (the policy gets up to this many prompts a turn).
        thinking: the thinking or non-thinking system prompt.
        seed: the site-data seed (sandbox).
        progress: called with each finished episode.
        env_kwargs: more arguments for every env: a ``SandboxEnv``'s, or for
            ``WebArenaLite-v0`` :func:`webarena_gym.registration.make_webarena_lite`'s
            (``config_path``: the file ``configs`` came from; ``site_urls``, ``auth_dir``, ...).
        env: ``WebArenaSandbox-v0`` or ``WebArenaLite-v0`` (the user's WebArena sites).

    Returns:
        The report, episodes in the order of ``configs``. An episode whose env failed counts
        as unsolved and carries the failure in ``error`` (``env_errors`` in the summary).
    """
    if not configs:
        raise ValueError("evaluate_policy got no task configs")
    if env not in (SANDBOX_ENV, LITE_ENV):
        raise ValueError(f"unknown env {env!r}; use {SANDBOX_ENV} or {LITE_ENV}")
    started = time.perf_counter()
    report = EvalReport(getattr(policy, "name", type(policy).__name__), split, max_episode_steps,
                        thinking, num_envs=min(num_envs, len(configs)))
    if env == LITE_ENV:
        venv = make_lite_vector_env(report.num_envs, task_ids=[c["task_id"] for c in configs],
                                    max_episode_steps=max_episode_steps, **dict(env_kwargs or {}))
    else:
        venv = make_sandbox_vector_env(
            report.num_envs, task_configs=list(configs), max_episode_steps=max_episode_steps, seed=seed,
            **dict(env_kwargs or {}),
        )

    def respond(episodes: Sequence[Episode]) -> list[str]:
        prompts = [build_messages(e.observations, e.responses, thinking=thinking)
                   for e in episodes]
        turns = [Turn(e.observation, e.task_id, e.index, len(e.steps), e.config)
                 for e in episodes]
        return call_policy(policy, prompts, turns)

    def ended(episode: Episode) -> None:
        forget = getattr(policy, "forget", None)
        if forget is not None:
            forget(episode.index)
        if progress is not None:
            progress(_result(episode))

    try:
        episodes = run_episodes(venv, configs, respond, on_end=ended)
    finally:
        venv.close()
    report.episodes = [_result(e) for e in episodes]
    report.seconds = time.perf_counter() - started
    return report


def _result(episode: Episode) -> EpisodeResult:
    """An :class:`~webarena_gym.episodes.Episode` as a row of the report."""
    return EpisodeResult(
        task_id=episode.task_id,
        sites=list((episode.config or {}).get("sites") or []),
        reward=float(episode.reward),
        interactions=len(episode.steps),
        response_chars=[len(r) for r in episode.responses],
        parse_errors=episode.parse_errors,
        terminated=episode.terminated,
        answer=episode.answer,
        error=episode.error,
        eval_mode=episode.eval.get("eval_mode"),
        judge_fallback=episode.judge_fallback,
        unscored=episode.unscored,
    )


def markdown_table(reports: Sequence[EvalReport]) -> str:
    """The baselines table: one row per report, success overall and per site.

    ``success`` is over the episodes scored by rules or an LLM judge; episodes that the offline
    fallback judged (``offline-judged``: count and their success) and episodes of tasks without
    evaluators (``unscored``) have columns of their own, shown when a report has any."""
    sites = sorted({s for r in reports for s in r.site_success()})
    fallback = any(r.fallback_judged or r.unscored for r in reports)
    head = ["policy", "prompt", "eval mode", "max episode steps", "tasks", "success", *sites,
            *(["offline-judged", "unscored"] if fallback else []),
            "interactions", "response chars", "parse errors"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in reports:
        per_site = r.site_success()
        offline = r.fallback_judged
        solved = sum(e.reward == 1.0 for e in offline)
        cells = [
            r.policy, "thinking" if r.thinking else "non-thinking", r.eval_mode,
            str(r.max_episode_steps), str(len(r.episodes)), f"{100 * r.success_rate:.1f}%",
            *[f"{100 * per_site[s]:.1f}%" if s in per_site else "" for s in sites],
            *([f"{solved}/{len(offline)} solved" if offline else "0", str(r.unscored)]
              if fallback else []),
            f"{r.mean_interactions:.1f}", f"{r.mean_response_chars:.0f}",
            f"{100 * r.parse_error_rate:.1f}%",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def write_reports(reports: Sequence[EvalReport], path: str) -> None:
    """All reports, with every episode, as one JSON file."""
    with open(path, "w", encoding="utf-8") as handle:
        json.dump([r.to_dict() for r in reports], handle, indent=1)
