"""Policies: what answers a turn of a web task (shared by the benchmarks, the demo and the trainer).

A policy maps a batch of prompts (chat messages from
:func:`webarena_gym.prompting.build_messages`) to one response text each::

    responses = policy.respond(prompts)

Scripted policies (the oracle, the random baseline) need the episode, not just the text: they
set ``uses_turns = True`` and get ``turns=`` too, one :class:`Turn` per prompt.

Importing this module never imports torch; :class:`HFPolicy` (a local transformers model)
needs the ``train`` extra and loads it on first use.
"""

from __future__ import annotations

import os
import random
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from webarena_gym.chat_api import ChatAPIError, chat_completion
from webarena_gym.prompting import to_reply_format
from webarena_gym.sandbox.demonstrations import random_response
from webarena_gym.sandbox.templates import sample_of

Message = dict[str, str]


class PolicyError(RuntimeError):
    """A policy could not answer (an unreachable endpoint, an oracle without its task)."""


@dataclass
class Turn:
    """What a policy may know about a turn besides its prompt.

    Attributes:
        observation: the env's current observation (intent, url, html, last_action_error).
        task_id: the task of the episode.
        episode: a key unique to the episode within a run (a new reset, a new key).
        step: the turn's index in the episode, from 0.
        config: the task's config (WebArena schema), when the runner has it.
    """

    observation: Mapping[str, str]
    task_id: str
    episode: int
    step: int
    config: Mapping[str, Any] | None = None


@runtime_checkable
class Policy(Protocol):
    """Prompts in, one response text per prompt out, in order."""

    name: str

    def respond(self, prompts: Sequence[Sequence[Message]]) -> list[str]:
        """One response per prompt."""
        ...


def call_policy(
    policy: Policy, prompts: Sequence[Sequence[Message]], turns: Sequence[Turn]
) -> list[str]:
    """Ask ``policy`` for one response per prompt (with ``turns`` when it uses them)."""
    if getattr(policy, "uses_turns", False):
        responses = policy.respond(prompts, turns=turns)  # type: ignore[call-arg]
    else:
        responses = policy.respond(prompts)
    if len(responses) != len(prompts):
        raise PolicyError(
            f"policy {policy.name} gave {len(responses)} responses for {len(prompts)} prompts"
        )
    return [str(r) for r in responses]


class OraclePolicy:
    """The sandbox tasks' oracle solvers: the expert (solves every sandbox test task).

    Args:
        thinking: reply as ``<think>..</think><answer>..</answer>`` (the oracles' own format),
            or the action alone.
    """

    uses_turns = True

    def __init__(self, thinking: bool = True) -> None:
        self.thinking = thinking
        self.name = "oracle"
        self._scripts: dict[int, Any] = {}

    def respond(self, prompts: Sequence[Sequence[Message]], *, turns: Sequence[Turn]) -> list[str]:
        """The oracle's next response for each turn (its script follows the episode)."""
        responses = []
        for turn in turns:
            script = self._scripts.get(turn.episode)
            if script is None or turn.step == 0:
                if turn.config is None:
                    raise PolicyError(f"the oracle needs task {turn.task_id}'s config (Turn.config)")
                template, sample = sample_of(dict(turn.config))
                script = template.solve(sample)
                next(script)  # run to its first `obs = yield`
                self._scripts[turn.episode] = script
            try:
                response = script.send(dict(turn.observation))
            except StopIteration:
                response = 'exit(message="")'
            responses.append(to_reply_format(response, self.thinking))
        return responses

    def forget(self, episode: int) -> None:
        """Drop an ended episode's script."""
        self._scripts.pop(episode, None)


class RandomPolicy:
    """Random valid actions on the elements the page shows (the floor every agent must beat).

    Args:
        seed: the RNG seed (the same seed, the same actions on the same pages).
        thinking: wrap the action as ``<think></think><answer>..</answer>``.
    """

    uses_turns = True

    def __init__(self, seed: int = 0, thinking: bool = True) -> None:
        self.rng = random.Random(seed)
        self.thinking = thinking
        self.name = "random"

    def respond(self, prompts: Sequence[Sequence[Message]], *, turns: Sequence[Turn]) -> list[str]:
        """One random action per turn, on that turn's page."""
        return [
            to_reply_format(random_response(turn.observation, self.rng), self.thinking)
            for turn in turns
        ]


@dataclass
class OpenAIPolicy:
    """A model behind any OpenAI-compatible chat endpoint (OpenAI, ``vllm serve``, ...).

    Args:
        model: the model name the server knows.
        base_url: the API root (default ``$OPENAI_BASE_URL`` or ``https://api.openai.com/v1``).
        api_key: default ``$OPENAI_API_KEY`` (vLLM's server needs none).
        temperature, max_tokens, top_p: sampling settings sent with every request.
        concurrency: requests in flight at once for a batch.
        retries: extra tries after a connection error or an HTTP 429/5xx.
        timeout_s: per request.
    """

    model: str
    base_url: str | None = None
    api_key: str | None = None
    temperature: float = 0.0
    max_tokens: int = 1024
    top_p: float | None = None
    concurrency: int = 8
    retries: int = 2
    timeout_s: float = 120.0
    name: str = ""
    usage: dict[str, int] = field(default_factory=lambda: {"prompt_tokens": 0,
                                                           "completion_tokens": 0})

    def __post_init__(self) -> None:
        self.base_url = (self.base_url or os.environ.get("OPENAI_BASE_URL")
                         or "https://api.openai.com/v1")
        if self.api_key is None:
            self.api_key = os.environ.get("OPENAI_API_KEY")
        self.name = self.name or self.model

    def __repr__(self) -> str:  # keeps the key out of logs
        return f"OpenAIPolicy(model={self.model!r}, base_url={self.base_url!r})"

    def respond(self, prompts: Sequence[Sequence[Message]]) -> list[str]:
        """One completion per prompt, ``concurrency`` requests at a time.

        Raises:
            PolicyError: a request still failed after the retries (names the endpoint).
        """
        if not prompts:
            return []
        with ThreadPoolExecutor(max_workers=max(1, min(self.concurrency, len(prompts)))) as pool:
            return list(pool.map(self._complete, prompts))

    def _complete(self, messages: Sequence[Message]) -> str:
        params: dict[str, Any] = {"temperature": self.temperature, "max_tokens": self.max_tokens}
        if self.top_p is not None:
            params["top_p"] = self.top_p
        last: ChatAPIError | None = None
        for _attempt in range(self.retries + 1):
            try:
                reply = chat_completion(
                    str(self.base_url), self.model, messages, api_key=self.api_key,
                    timeout_s=self.timeout_s, **params,
                )
            except ChatAPIError as exc:
                last = exc
                if exc.status is not None and exc.status != 429 and exc.status < 500:
                    break  # a 4xx other than rate limiting will not pass on a retry
                continue
            for key in self.usage:
                self.usage[key] += int(reply["usage"].get(key) or 0)
            return str(reply["content"])
        raise PolicyError(f"policy {self.name}: {last}")


def HFPolicy(*args: Any, **kwargs: Any) -> Any:  # noqa: N802 - a class to its users
    """A local transformers model as a policy (``r1_trainer.hf_policy.HFPolicy``; extra ``train``)."""
    try:
        # Lazy: imports torch (the train extra); the other policies run without it
        from r1_trainer.hf_policy import HFPolicy as _HFPolicy
    except ImportError as exc:
        raise ImportError(
            f"HFPolicy needs the train extra ({exc}); pip install 'webarena-gym[train]'"
        ) from exc
    return _HFPolicy(*args, **kwargs)


def make_policy(name: str, **kwargs: Any) -> Any:
    """A policy by name: ``oracle``, ``random``, ``openai:<model>`` or ``hf:<model or path>``."""
    kind, _, model = name.partition(":")
    if kind == "oracle":
        return OraclePolicy(**kwargs)
    if kind == "random":
        return RandomPolicy(**kwargs)
    if kind == "openai" and model:
        kwargs.pop("thinking", None)
        return OpenAIPolicy(model=model, **kwargs)
    if kind == "hf" and model:
        return HFPolicy(model, **kwargs)
    raise ValueError(
        f"unknown policy {name!r}; use oracle, random, openai:<model> or hf:<model or path>"
    )
