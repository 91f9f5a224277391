"""Trajectories -> one conversational prompt/completion row per step (DESIGN 4.2).

The trajectory JSONL is what ``webarena-gym demos`` writes
(:mod:`webarena_gym.sandbox.demonstrations`). Step ``j`` of a trajectory becomes the row::

    {"prompt": build_messages(observations[:j+1], responses[:j], thinking=thinking),
     "completion": [{"role": "assistant", "content": to_reply_format(responses[j], thinking)}],
     "task_id": ..., "step": j}

so behaviour cloning sees exactly the compressed contexts that RL rollouts and evaluation build
(:func:`webarena_gym.prompting.build_messages`). The history keeps the responses as they were
given (the expert's own format); only the completion is rewritten to the trained format.

When a model's context is short (the ``tiny`` preset), :func:`fit_prompt` cuts the end of the
current page so the prompt fits a token budget; earlier turns are already compressed and are
never cut.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from webarena_gym.actions import ActionParseError, parse_action
from webarena_gym.prompting import build_messages, to_reply_format

if TYPE_CHECKING:
    from datasets import Dataset
    from transformers import PreTrainedTokenizerBase

Message = dict[str, str]

PAGE_HEADER = "Page:\n"
"""What precedes the page in an observation message (``webarena_gym.prompting``)."""

TRUNCATION_MARK = "<!-- truncated: the page goes on; scroll to see more -->"
"""Appended where :func:`fit_prompt` cut a page."""


def read_trajectories(paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]]
                      ) -> Iterator[dict[str, Any]]:
    """The trajectories of one or more JSONL files, in order.

    Raises:
        FileNotFoundError: a file is missing (make one with ``webarena-gym demos``).
        ValueError: a line is not a trajectory (names the file and line).
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    for path in paths:
        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(
                f"no trajectory file {path}; write one with `webarena-gym demos --split train --out {path}`"
            )
        with path.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, 1):
                if not line.strip():
                    continue
                try:
                    trajectory = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise ValueError(f"{path}:{number}: not JSON ({exc})") from exc
                if not isinstance(trajectory, dict) or not isinstance(trajectory.get("steps"), list):
                    raise ValueError(f"{path}:{number}: a trajectory needs a 'steps' list")
                yield trajectory


def trajectory_rows(trajectory: Mapping[str, Any], *, thinking: bool = True) -> list[dict[str, Any]]:
    """The prompt/completion rows of one trajectory, one per step.

    A step whose response holds no valid action (``parse_action`` rejects it) is kept in the
    history of later rows, as the env saw it, but gives no row of its own: it is no
    demonstration.
    """
    steps = trajectory["steps"]
    observations = [dict(step["observation"]) for step in steps]
    responses = [str(step["response"]) for step in steps]
    rows = []
    for j, response in enumerate(responses):
        try:
            parse_action(response)
        except ActionParseError:
            continue
        rows.append({
            "prompt": build_messages(observations[: j + 1], responses[:j], thinking=thinking),
            "completion": [{"role": "assistant", "content": to_reply_format(response, thinking)}],
            "task_id": str(trajectory.get("task_id", "")),
            "step": j,
        })
    return rows


def build_rows(
    trajectories: Iterable[Mapping[str, Any]],
    *,
    thinking: bool = True,
    only_successful: bool = True,
    max_rows: int | None = None,
    tokenizer: PreTrainedTokenizerBase | None = None,
    max_prompt_tokens: int | None = None,
) -> list[dict[str, Any]]:
    """The rows of many trajectories (see :func:`load_bc_dataset` for the arguments)."""
    rows: list[dict[str, Any]] = []
    for trajectory in trajectories:
        if only_successful and float(trajectory.get("reward", 0.0)) != 1.0:
            continue
        for row in trajectory_rows(trajectory, thinking=thinking):
            if tokenizer is not None and max_prompt_tokens is not None:
                row["prompt"] = fit_prompt(row["prompt"], tokenizer, max_prompt_tokens)
            rows.append(row)
            if max_rows is not None and len(rows) >= max_rows:
                return rows
    return rows


def load_bc_dataset(
    demos: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    *,
    thinking: bool = True,
    only_successful: bool = True,
    max_rows: int | None = None,
    tokenizer: PreTrainedTokenizerBase | None = None,
    max_prompt_tokens: int | None = None,
) -> Dataset:
    """A conversational prompt/completion ``datasets.Dataset`` from trajectory JSONL files.

    Args:
        demos: one or more JSONL files written by ``webarena-gym demos``.
        thinking: train the ``<think>..</think><answer>..</answer>`` format (and use the thinking
            system prompt); False trains the action alone with the non-thinking prompt.
        only_successful: keep only trajectories with reward 1 (the default: BC imitates
            successes).
        max_rows: keep at most this many rows (the first ones, in file order).
        tokenizer, max_prompt_tokens: when both are given, cut the end of each row's current page
            so that its templated prompt has at most ``max_prompt_tokens`` tokens
            (:func:`fit_prompt`).

    Columns: ``prompt`` (messages), ``completion`` (one assistant message), ``task_id``, ``step``.

    Raises:
        ValueError: no row is left (no successful trajectory in the files).
    """
    # Lazy: the train extra; benchmarks/gpu_smoke.py imports this module where datasets is absent
    from datasets import Dataset

    rows = build_rows(read_trajectories(demos), thinking=thinking, only_successful=only_successful,
                      max_rows=max_rows, tokenizer=tokenizer, max_prompt_tokens=max_prompt_tokens)
    if not rows:
        which = "successful " if only_successful else ""
        raise ValueError(f"no {which}steps in {demos}; write demos with `webarena-gym demos`")
    return Dataset.from_list(rows)


# --------------------------------------------------------------------------------------------
# Fitting a prompt into a token budget
# --------------------------------------------------------------------------------------------


def prompt_token_count(messages: Sequence[Mapping[str, str]],
                       tokenizer: PreTrainedTokenizerBase) -> int:
    """The number of tokens of ``messages`` under the chat template, with the generation prompt.

    Counting a prompt longer than the model's context is what :func:`fit_prompt` does before it
    cuts it, so the tokenizer's "longer than the specified maximum" warning is silenced here."""
    ids = tokenizer.apply_chat_template(list(messages), add_generation_prompt=True, tokenize=True,
                                        return_dict=True,
                                        tokenizer_kwargs={"verbose": False})["input_ids"]
    return len(ids)


def fit_prompt(
    messages: Sequence[Mapping[str, str]],
    tokenizer: PreTrainedTokenizerBase,
    max_tokens: int | None,
) -> list[Message]:
    """``messages`` with the current page cut at its end so the templated prompt fits ``max_tokens``.

    Only the page of the last user message (the text after ``"Page:\\n"``) is shortened; the
    system prompt, the task and the compressed history stay whole. The cut page ends with
    :data:`TRUNCATION_MARK`, as a page cut by the env's own length cap does. When the prompt
    fits, or there is no page to cut, the messages are returned unchanged (as a new list).

    Args:
        messages: chat messages from :func:`webarena_gym.prompting.build_messages`.
        tokenizer: the model's tokenizer, with its chat template.
        max_tokens: the budget; None means no limit.
    """
    messages = [dict(m) for m in messages]
    if max_tokens is None or prompt_token_count(messages, tokenizer) <= max_tokens:
        return messages
    last = max((i for i, m in enumerate(messages) if m["role"] == "user"), default=None)
    if last is None or PAGE_HEADER not in messages[last]["content"]:
        return messages
    head, _, page = messages[last]["content"].partition(PAGE_HEADER)

    def with_page(chars: int) -> list[Message]:
        shortened = [dict(m) for m in messages]
        shortened[last]["content"] = head + PAGE_HEADER + page[:chars] + TRUNCATION_MARK
        return shortened

    # The longest prefix of the page that fits, by bisection on its length in characters.
    low, high = 0, len(page)
    while low < high:
        middle = (low + high + 1) // 2
        if prompt_token_count(with_page(middle), tokenizer) <= max_tokens:
            low = middle
        else:
            high = middle - 1
    # End on a tag boundary when one is near, so the page never ends mid-tag.
    boundary = page.rfind(">", 0, low) + 1
    return with_page(boundary if boundary > low - 200 else low)
