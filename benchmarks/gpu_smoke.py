"""GPU smoke test of the M-GRPO trainer: recorded sandbox rows through the real trainer pieces on
a Qwen2.5-3B-shaped model with random weights; seconds and peak GPU memory per phase against the
group size G and the number of turns (issue 15, part 4).

The sandbox needs a Chromium and cannot run on the GPU machine, so its rows are recorded here
(``record``) and replayed there (``run``, the default):

* ``record``: oracle episodes of the sandbox's ``test`` split
  (``webarena_gym.sandbox.demonstrations.write_demos``, up to 15 turns), turned into per-action rows (``r1_trainer.data.trajectory_rows``: the
  compressed-history prompt of :func:`webarena_gym.prompting.build_messages` and the reply),
  tokenized as the trainer does (``r1_trainer.generation.encode_prompts``: chat template with the
  generation prompt; the reply's ids and the end-of-turn token). The ids are stored, not the
  text: the GPU machine has no tokenizer of ours. The tokenizer is SmolLM2-135M-Instruct's when
  the ``smollm2-135m`` preset is installed (a 49k-word BPE, close to Qwen's in tokens per
  character), else the ``tiny`` preset's; the Qwen tokenizer itself is not available offline.
  With random weights the identity of a token is irrelevant, only lengths matter; ids are mapped
  into the model's vocabulary (modulo its size).
* ``run``: per configuration (G trajectories of T turns of one task, G x T rows): one HF
  ``generate`` of the G prompts of the last turn (``r1_trainer.generation.HFGenerator``, with
  its per-token log-prob recorder), the old and reference log-probs without gradients
  (``completion_logprobs`` in chunks of ``--logprob-batch-size`` rows), the M-GRPO loss
  (``r1_trainer.mgrpo.mgrpo_loss``, each micro-batch of at most ``--rows-per-micro-batch`` rows
  weighted as in the whole group by ``mgrpo_weights``) with a backward per micro-batch under
  gradient checkpointing, and one AdamW step; fp32 master weights with bf16 autocast
  (``r1_trainer.models.training_precision``). Peak memory is ``torch.cuda.max_memory_allocated``
  per phase. The log-prob and loss phases run at most ``--max-rows`` rows; a step over all G x T
  rows is extrapolated from them (linear in rows: memory is bounded by the micro-batch) and
  marked so. The generation of a step is estimated as T times the measured call.

Imports only torch, transformers and this repository's ``r1_trainer.mgrpo``, ``models`` and
``generation``: no trl, datasets, gymnasium or Playwright (the GPU machine has none of them).
``r1_trainer.generation`` reaches ``webarena_gym.actions`` / ``prompting`` (pure Python); where
``webarena_gym``'s package ``__init__`` cannot import (it registers the gymnasium envs), those
modules are loaded without it (:func:`import_generation`).

Writes ``gpu_smoke.json`` and ``gpu_smoke.md`` to ``--out`` (default ``benchmarks/results/``).

    python benchmarks/gpu_smoke.py record                        # here, with a Chromium (~10 min)
    python benchmarks/gpu_smoke.py --shape tiny --groups 2 --turns 2   # CPU check, seconds
    benchmarks/gpu_smoke.sh                                      # the device command (one H200)

On the GPU machine (Python 3.12, the working tree as the current folder)::

    PYTHONPATH=src PYTHONUNBUFFERED=1 python3 benchmarks/gpu_smoke.py --budget-seconds 420 --out "$OUT"
"""

from __future__ import annotations

import argparse
import copy
import datetime
import gzip
import importlib
import importlib.util
import json
import os
import platform
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

BENCHMARKS = Path(__file__).parent
RESULTS = BENCHMARKS / "results"
DATA = BENCHMARKS / "data" / "gpu_smoke_rows.json.gz"

SHAPES: dict[str, dict[str, Any]] = {
    # Qwen/Qwen2.5-3B-Instruct's config.json (3.09B parameters, tied embeddings)
    "qwen2.5-3b": dict(hidden_size=2048, num_hidden_layers=36, num_attention_heads=16,
                       num_key_value_heads=2, intermediate_size=11008, vocab_size=151936,
                       tie_word_embeddings=True, max_position_embeddings=32768,
                       rope_theta=1000000.0, rms_norm_eps=1e-6),
    # the same architecture, small enough for a CPU test
    "tiny": dict(hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
                 num_key_value_heads=2, intermediate_size=128, vocab_size=4096,
                 tie_word_embeddings=True, max_position_embeddings=32768,
                 rope_theta=1000000.0, rms_norm_eps=1e-6),
}

BLOCKED_ELSEWHERE = ("trl", "datasets", "gymnasium", "playwright")
"""Packages the GPU machine lacks; ``run`` must not need them."""


# ------------------------------------------------------------------------------------------------
# imports that work without gymnasium
# ------------------------------------------------------------------------------------------------


def import_generation() -> ModuleType:
    """``r1_trainer.generation``, also where ``import webarena_gym`` fails (no gymnasium or
    Playwright): then ``webarena_gym`` is registered as a bare package (its ``__init__``, which
    registers the envs, not run), so that the pure ``webarena_gym.actions`` and
    ``webarena_gym.prompting`` that ``r1_trainer.data`` needs still import."""
    try:
        return importlib.import_module("r1_trainer.generation")
    except ImportError:
        for name in [n for n in sys.modules if n == "webarena_gym" or n.startswith("webarena_gym.")]:
            del sys.modules[name]
        spec = importlib.util.find_spec("webarena_gym")
        if spec is None:
            raise ImportError("webarena_gym is not importable: run with PYTHONPATH=src from the "
                              "repository root") from None
        sys.modules["webarena_gym"] = importlib.util.module_from_spec(spec)
        return importlib.import_module("r1_trainer.generation")


# ------------------------------------------------------------------------------------------------
# recording (here, with the sandbox)
# ------------------------------------------------------------------------------------------------


def select_episodes(trajectories: Sequence[dict[str, Any]], count: int) -> list[dict[str, Any]]:
    """The ``count`` longest trajectories, one per task template (``site/template/N`` -> the
    ``site/template`` part), longest first (ties in file order)."""
    chosen: list[dict[str, Any]] = []
    templates: set[str] = set()
    ordered = sorted(enumerate(trajectories), key=lambda p: (-len(p[1]["steps"]), p[0]))
    for _, trajectory in ordered:
        template = str(trajectory["task_id"]).rsplit("/", 1)[0]
        if template not in templates:
            templates.add(template)
            chosen.append(trajectory)
        if len(chosen) == count:
            break
    return chosen


def record(demos: Path | None, out: Path, *, episodes: int = 24, max_steps: int = 15,
           num_envs: int = 4) -> dict[str, Any]:
    """Record replay rows: oracle episodes (from ``demos``, a ``webarena-gym demos`` JSONL, or
    run now on the ``test`` split), the ``episodes`` longest of distinct templates, tokenized.

    Returns:
        the recording written to ``out`` (gzipped JSON): ``tokenizer``, ``pad_token_id``,
        ``eos_token_id``, ``episodes: [{task_id, reward, rows: [{prompt_ids, completion_ids}]}]``.
    """
    import tempfile

    from r1_trainer import smollm2
    from r1_trainer.data import read_trajectories, trajectory_rows
    from r1_trainer.generation import encode_prompts
    from r1_trainer.models import TINY, load_tokenizer
    from webarena_gym.sandbox.demonstrations import write_demos

    if demos is None:
        demos = Path(tempfile.mkdtemp(prefix="gpu_smoke.")) / "test.jsonl"
        print(f"recording oracle episodes of the test split to {demos} ...", flush=True)
        write_demos("test", demos, max_episode_steps=max_steps, num_envs=num_envs)
    name = smollm2.SMOLLM2 if smollm2.available() else TINY
    tokenizer = load_tokenizer(name)
    chosen = select_episodes(list(read_trajectories(demos)), episodes)
    recorded = []
    for trajectory in chosen:
        rows = trajectory_rows(trajectory)
        prompts = encode_prompts([row["prompt"] for row in rows], tokenizer, None)
        recorded.append({
            "task_id": trajectory["task_id"], "reward": trajectory["reward"],
            "rows": [{"prompt_ids": ids,
                      "completion_ids": tokenizer.encode(row["completion"][0]["content"],
                                                         add_special_tokens=False)
                      + [tokenizer.eos_token_id]}
                     for ids, row in zip(prompts, rows, strict=True)],
        })
    recording = {"tokenizer": name, "vocab_size": len(tokenizer),
                 "pad_token_id": tokenizer.pad_token_id, "eos_token_id": tokenizer.eos_token_id,
                 "source": f"oracle episodes of the sandbox test split ({demos.name}), "
                           f"the {len(chosen)} longest of distinct templates",
                 "episodes": recorded}
    out.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(out, "wt", encoding="utf-8") as handle:
        json.dump(recording, handle, separators=(",", ":"))
    return recording


def load_recording(path: Path = DATA) -> dict[str, Any]:
    """The recording :func:`record` wrote."""
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no recorded rows; run `python benchmarks/gpu_smoke.py "
                                "record` here (it needs the sandbox and a Chromium)")
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return json.load(handle)


# ------------------------------------------------------------------------------------------------
# replay
# ------------------------------------------------------------------------------------------------


@dataclass
class Row:
    """One action row of a replayed group: its prompt and completion ids, its trajectory."""

    prompt_ids: list[int]
    completion_ids: list[int]
    trajectory: int


def group_rows(recording: dict[str, Any], groups: int, turns: int, vocab_size: int,
               max_prompt_tokens: int | None = None) -> list[Row]:
    """The ``groups * turns`` rows of one task's group, trajectory by trajectory.

    Trajectory ``i`` replays the recorded rows in order from episode ``i mod E`` on (the next
    episodes' when it is shorter than ``turns``), so every trajectory has ``turns`` rows with
    real prompt and reply lengths. Ids are taken modulo ``vocab_size``; ``max_prompt_tokens``
    keeps the last tokens of longer prompts (for quick CPU runs).
    """
    episodes = [episode["rows"] for episode in recording["episodes"] if episode["rows"]]
    if not episodes:
        raise ValueError("the recording has no rows; record it again")
    rows = []
    for i in range(groups):
        stream = (row for k in range(len(episodes))
                  for row in episodes[(i + k) % len(episodes)])
        for _ in range(turns):
            try:
                row = next(stream)
            except StopIteration:
                raise ValueError(f"the recording holds fewer than {turns} rows; record more "
                                 "episodes") from None
            prompt = row["prompt_ids"][-max_prompt_tokens:] if max_prompt_tokens else row["prompt_ids"]
            rows.append(Row([t % vocab_size for t in prompt],
                            [t % vocab_size for t in row["completion_ids"]], i))
    return rows


def micro_batches(trajectories: Sequence[int], rows_per_micro_batch: int) -> list[list[int]]:
    """Row indices cut into micro-batches of at most ``rows_per_micro_batch`` rows, each either
    whole trajectories or a piece of one (rows ordered trajectory by trajectory): then every
    row of a micro-batch has the same ratio of its weight in the whole group to its weight in
    the micro-batch alone (:func:`micro_batch_scales`)."""
    by_trajectory: dict[int, list[int]] = {}
    for index, trajectory in enumerate(trajectories):
        by_trajectory.setdefault(trajectory, []).append(index)
    chunks: list[list[int]] = []
    current: list[int] = []
    for rows in by_trajectory.values():
        if len(rows) > rows_per_micro_batch:
            if current:
                chunks.append(current)
                current = []
            chunks.extend(rows[s:s + rows_per_micro_batch]
                          for s in range(0, len(rows), rows_per_micro_batch))
        elif len(current) + len(rows) > rows_per_micro_batch:
            chunks.append(current)
            current = list(rows)
        else:
            current.extend(rows)
    if current:
        chunks.append(current)
    return chunks


def micro_batch_scales(completion_lengths: Sequence[int], trajectories: Sequence[int],
                       groups: Sequence[int], chunks: Sequence[Sequence[int]]) -> list[float]:
    """The factor that turns each micro-batch's own ``mgrpo_loss`` into its share of the whole
    batch's loss, from ``mgrpo_weights`` of the batch and of the micro-batch (the loss is linear
    in the weights): the micro-batches' scaled losses and gradients sum to the batch's.

    Raises:
        ValueError: a micro-batch whose rows need different factors (it mixes pieces of
            trajectories with other rows; cut it with :func:`micro_batches`).
    """
    import torch

    from r1_trainer.mgrpo import mgrpo_weights

    lengths = torch.tensor(completion_lengths)
    mask = (torch.arange(int(lengths.max())).unsqueeze(0) < lengths.unsqueeze(1)).float()
    traj, group = torch.tensor(trajectories), torch.tensor(groups)
    whole = mgrpo_weights(mask, traj, group).sum(dim=1)
    scales = []
    for chunk in chunks:
        index = torch.tensor(chunk)
        alone = mgrpo_weights(mask[index], traj[index], group[index]).sum(dim=1)
        ratio = whole[index] / alone
        if not torch.allclose(ratio, ratio[0].expand_as(ratio), rtol=1e-5):
            raise ValueError(f"micro-batch of rows {chunk[0]}..{chunk[-1]} mixes trajectory "
                             "pieces with other rows; cut it with micro_batches()")
        scales.append(float(ratio[0]))
    return scales


@dataclass
class RecordedVocabulary:
    """What :class:`~r1_trainer.generation.HFGenerator` reads of a tokenizer once the prompts
    are token ids: the pad and end-of-sequence ids, and ``decode`` (the ids as text: the weights
    are random, the words would mean nothing)."""

    pad_token_id: int
    eos_token_id: int

    def decode(self, ids: Sequence[int], skip_special_tokens: bool = True) -> str:
        """The ids, space-separated."""
        return " ".join(str(int(i)) for i in ids)


def build_model(shape: str, weights_dtype: Any, device: Any, eos_token_id: int) -> Any:
    """A Qwen2 causal LM of ``shape`` (:data:`SHAPES`) with random weights, built on ``device``."""
    import torch
    from transformers import AutoModelForCausalLM, Qwen2Config

    config = Qwen2Config(**SHAPES[shape], eos_token_id=eos_token_id, bos_token_id=eos_token_id,
                         pad_token_id=eos_token_id)
    with torch.device(device):
        model = AutoModelForCausalLM.from_config(config, dtype=weights_dtype,
                                                 attn_implementation="sdpa")
    model.generation_config.eos_token_id = eos_token_id
    model.generation_config.pad_token_id = eos_token_id
    return model


class Meter:
    """Seconds and peak accelerator memory of one phase at a time."""

    def __init__(self, device: Any) -> None:
        self.device = device

    def _sync(self) -> None:
        import torch

        if self.device.type == "cuda":
            torch.cuda.synchronize(self.device)

    def measure(self, work: Callable[[], Any]) -> tuple[Any, float, float | None]:
        """Run ``work``; return its result, its seconds and the peak GiB allocated during it
        (None off CUDA)."""
        import torch

        self._sync()
        if self.device.type == "cuda":
            torch.cuda.reset_peak_memory_stats(self.device)
        start = time.perf_counter()
        result = work()
        self._sync()
        seconds = time.perf_counter() - start
        peak = (torch.cuda.max_memory_allocated(self.device) / 2**30
                if self.device.type == "cuda" else None)
        return result, seconds, peak


@dataclass
class Settings:
    """The run's knobs (the command-line flags)."""

    max_new_tokens: int = 128
    rows_per_micro_batch: int = 8
    logprob_batch_size: int = 8
    max_rows: int = 120
    max_prompt_tokens: int | None = None
    beta: float = 0.001
    epsilon: float = 0.2
    learning_rate: float = 1e-6
    gradient_checkpointing: bool = True


class Replay:
    """The trainer's pieces on one model: generation, log-probs, loss, optimizer step."""

    def __init__(self, model: Any, ref_model: Any, precision: Any, pad_token_id: int,
                 settings: Settings) -> None:
        import torch

        self.generation = import_generation()
        self.model, self.ref_model = model, ref_model
        self.precision, self.pad_token_id, self.settings = precision, pad_token_id, settings
        self.device = next(model.parameters()).device
        self.meter = Meter(self.device)
        vocabulary = RecordedVocabulary(pad_token_id, int(model.generation_config.eos_token_id))
        self.generator = self.generation.HFGenerator(model, vocabulary, max_prompt_tokens=None)
        self.optimizer = torch.optim.AdamW(model.parameters(), lr=settings.learning_rate,
                                           weight_decay=0.0, fused=self.device.type == "cuda")

    def autocast(self) -> Any:
        """bf16 autocast over the fp32 weights where the precision says so."""
        import torch

        return torch.autocast(self.device.type, dtype=torch.bfloat16,
                              enabled=self.precision.bf16)

    def allocate_optimizer_state(self) -> None:
        """One AdamW step on zero gradients (moves no weight): the state then exists, as it
        does from a run's second step on, so that every configuration's peak includes it."""
        for p in self.model.parameters():
            p.grad = p.new_zeros(p.shape)
        self.optimizer.step()
        self.optimizer.zero_grad(set_to_none=True)

    def generate(self, prompts: list[list[int]]) -> list[Any]:
        """One ``HFGenerator`` call on token-id prompts (sampling at temperature 1)."""
        sampling = self.generation.SamplingSettings(temperature=1.0,
                                                    max_new_tokens=self.settings.max_new_tokens)
        self.model.eval()
        with self.autocast():
            # the id-level half of HFGenerator.generate: the recorded prompts are tokenized
            return self.generator._generate_batch(prompts, sampling)

    def logps(self, model: Any, rows: Sequence[Row]) -> list[Any]:
        """Per-row log-prob tensors of the rows' completions, without gradients, in chunks of
        ``logprob_batch_size`` rows."""
        import torch

        out = []
        size = self.settings.logprob_batch_size
        with torch.no_grad(), self.autocast():
            for start in range(0, len(rows), size):
                part = rows[start:start + size]
                values, _ = self.generation.completion_logprobs(
                    model, [r.prompt_ids for r in part], [r.completion_ids for r in part],
                    temperature=1.0, pad_token_id=self.pad_token_id)
                out.extend(values[k, :len(r.completion_ids)] for k, r in enumerate(part))
        return out

    def loss_backward(self, rows: Sequence[Row], chunks: Sequence[Sequence[int]],
                      scales: Sequence[float], old: Sequence[Any], ref: Sequence[Any] | None,
                      advantages: Any) -> float:
        """The M-GRPO loss of the rows, one backward per micro-batch; returns the summed loss."""
        import torch
        from torch.nn.utils.rnn import pad_sequence

        from r1_trainer.mgrpo import mgrpo_loss

        self.model.train()
        self.model.config.use_cache = False  # no KV cache in training forwards
        if self.settings.gradient_checkpointing:
            _checkpointing(self.model, "enable")({"use_reentrant": False})
        total = 0.0
        try:
            for chunk, scale in zip(chunks, scales, strict=True):
                part = [rows[i] for i in chunk]
                index = torch.tensor(chunk, device=self.device)
                with self.autocast():
                    logps, mask = self.generation.completion_logprobs(
                        self.model, [r.prompt_ids for r in part],
                        [r.completion_ids for r in part], temperature=1.0,
                        pad_token_id=self.pad_token_id)
                loss = mgrpo_loss(
                    logps, pad_sequence([old[i] for i in chunk], batch_first=True),
                    None if ref is None else pad_sequence([ref[i] for i in chunk],
                                                          batch_first=True),
                    mask, advantages[index],
                    torch.tensor([r.trajectory for r in part], device=self.device),
                    torch.zeros(len(part), dtype=torch.long, device=self.device),
                    epsilon=self.settings.epsilon, beta=self.settings.beta) * scale
                loss.backward()
                total += float(loss.detach())
        finally:
            self.model.config.use_cache = True
            if self.settings.gradient_checkpointing:
                _checkpointing(self.model, "disable")()
        return total

    def optimizer_step(self) -> float:
        """One AdamW step; returns the fraction of (sampled) weights it changed."""

        sample = [(p, p.detach().reshape(-1)[:4096].clone()) for p in self.model.parameters()]
        self.optimizer.step()
        self.optimizer.zero_grad(set_to_none=True)
        changed = sum(int((p.detach().reshape(-1)[:4096] != before).sum()) for p, before in sample)
        return changed / max(sum(before.numel() for _, before in sample), 1)

    def configuration(self, recording: dict[str, Any], groups: int, turns: int,
                      vocab_size: int) -> dict[str, Any]:
        """Measure one (G, turns) configuration: one task's group of ``groups * turns`` rows."""
        import torch

        from r1_trainer.mgrpo import group_advantages

        s = self.settings
        rows = group_rows(recording, groups, turns, vocab_size, s.max_prompt_tokens)
        chunks = micro_batches([r.trajectory for r in rows], s.rows_per_micro_batch)
        scales = micro_batch_scales([len(r.completion_ids) for r in rows],
                                    [r.trajectory for r in rows], [0] * len(rows), chunks)
        # the measured rows: whole micro-batches up to max_rows (at least one)
        measured_chunks, measured_scales, count = [], [], 0
        for chunk, scale in zip(chunks, scales, strict=True):
            if measured_chunks and count + len(chunk) > s.max_rows:
                break
            measured_chunks.append(chunk)
            measured_scales.append(scale)
            count += len(chunk)
        measured = sorted(i for chunk in measured_chunks for i in chunk)
        measured_rows = [rows[i] for i in measured]
        position = {row: k for k, row in enumerate(measured)}
        local_chunks = [[position[i] for i in chunk] for chunk in measured_chunks]

        # a quarter of the trajectories succeed: the group has a learning signal
        rewards = torch.tensor([1.0 if i % 4 == 0 else 0.0 for i in range(groups)])
        advantages = group_advantages(rewards, torch.zeros(groups, dtype=torch.long))
        row_advantages = advantages[[r.trajectory for r in measured_rows]].to(self.device)

        last_turn = [rows[i * turns + turns - 1].prompt_ids for i in range(groups)]
        generations, gen_s, gen_peak = self.meter.measure(lambda: self.generate(last_turn))
        new_tokens = sum(len(g.completion_ids) for g in generations)
        old, old_s, old_peak = self.meter.measure(lambda: self.logps(self.model, measured_rows))
        ref, ref_s, ref_peak = None, 0.0, None
        if s.beta != 0:
            ref, ref_s, ref_peak = self.meter.measure(
                lambda: self.logps(self.ref_model, measured_rows))
        loss, loss_s, loss_peak = self.meter.measure(lambda: self.loss_backward(
            measured_rows, local_chunks, measured_scales, old, ref, row_advantages))
        changed, opt_s, opt_peak = self.meter.measure(self.optimizer_step)

        row_tokens = sum(len(r.prompt_ids) + len(r.completion_ids) for r in measured_rows)
        share = len(rows) / len(measured_rows)
        peaks = [p for p in (gen_peak, old_peak, ref_peak, loss_peak, opt_peak) if p is not None]
        return {
            "groups": groups, "turns": turns, "rows": len(rows), "rows_measured": len(measured_rows),
            "micro_batches_measured": len(measured_chunks),
            "prompt_tokens_mean": round(sum(len(r.prompt_ids) for r in rows) / len(rows), 1),
            "prompt_tokens_max": max(len(r.prompt_ids) for r in rows),
            "completion_tokens_mean": round(sum(len(r.completion_ids) for r in rows) / len(rows), 1),
            "generate": {"prompts": groups,
                         "prompt_tokens_mean": round(sum(map(len, last_turn)) / groups, 1),
                         "new_tokens": new_tokens, "seconds": round(gen_s, 3),
                         "new_tokens_per_s": round(new_tokens / gen_s, 1), "peak_gib": _gib(gen_peak)},
            "old_logps": {"seconds": round(old_s, 3), "tokens_per_s": round(row_tokens / old_s, 1),
                          "peak_gib": _gib(old_peak)},
            "ref_logps": ({"seconds": round(ref_s, 3), "tokens_per_s": round(row_tokens / ref_s, 1),
                           "peak_gib": _gib(ref_peak)} if ref is not None else None),
            "loss_backward": {"seconds": round(loss_s, 3),
                              "tokens_per_s": round(row_tokens / loss_s, 1),
                              "peak_gib": _gib(loss_peak), "loss": loss},
            "optimizer_step": {"seconds": round(opt_s, 3), "peak_gib": _gib(opt_peak),
                               "weights_changed_fraction": round(changed, 4)},
            "peak_gib": _gib(max(peaks)) if peaks else None,
            "step_seconds_estimated": round(
                turns * gen_s + (old_s + ref_s + loss_s) * share + opt_s, 1),
            "measured_seconds": round(gen_s + old_s + ref_s + loss_s + opt_s, 2),
            "measured_tokens": groups * len(last_turn[0]) + 3 * row_tokens,
        }


def _checkpointing(model: Any, verb: str) -> Callable[..., Any]:
    # transformers 5.2x renamed gradient_checkpointing_* (the old names warn); the GPU has 5.17
    return (getattr(model, f"activation_checkpointing_{verb}", None)
            or getattr(model, f"gradient_checkpointing_{verb}"))


def _gib(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _parse_ints(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part.strip()]


def grid(groups: Sequence[int], turns: Sequence[int]) -> list[tuple[int, int]]:
    """Every (G, turns) pair, cheapest (fewest rows) first."""
    return sorted(((g, t) for g in groups for t in turns), key=lambda p: (p[0] * p[1], p))


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Replay the recording over the grid; write and return the results."""
    started = time.monotonic()
    import torch

    from r1_trainer.models import resolve_device, training_precision

    device = resolve_device(args.device)
    precision = training_precision(args.dtype, device)
    recording = load_recording(args.data)
    vocab_size = SHAPES[args.shape]["vocab_size"]
    pad = int(recording["pad_token_id"]) % vocab_size
    eos = int(recording["eos_token_id"]) % vocab_size
    settings = Settings(max_new_tokens=args.max_new_tokens,
                        rows_per_micro_batch=args.rows_per_micro_batch,
                        logprob_batch_size=args.logprob_batch_size, max_rows=args.max_rows,
                        max_prompt_tokens=args.max_prompt_tokens, beta=args.beta,
                        gradient_checkpointing=not args.no_gradient_checkpointing)
    torch.manual_seed(0)
    model = build_model(args.shape, precision.weights, device, eos)
    ref_model = None
    if settings.beta != 0:  # the reference (BC) policy: a frozen copy, as TRL keeps one
        ref_model = copy.deepcopy(model).requires_grad_(False).eval()
    replay = Replay(model, ref_model, precision, pad, settings)
    replay.allocate_optimizer_state()
    # warm-up (kernels, allocator), not reported
    warm = Settings(**{**settings.__dict__, "max_rows": 2, "max_new_tokens": 8})
    replay.settings = warm
    replay.configuration(recording, 2, 1, vocab_size)
    replay.settings = settings
    setup_s = time.monotonic() - started

    results: dict[str, Any] = {
        "date": datetime.date.today().isoformat(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "device": torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu",
        "versions": {"python": platform.python_version(), "torch": torch.__version__,
                     "transformers": importlib.import_module("transformers").__version__},
        "shape": args.shape, "config": SHAPES[args.shape],
        "parameters": sum(p.numel() for p in model.parameters()),
        "weights_dtype": str(precision.weights).removeprefix("torch."),
        "bf16_autocast": precision.bf16,
        "recording": {"tokenizer": recording["tokenizer"], "source": recording.get("source"),
                      "episodes": len(recording["episodes"]),
                      "rows": sum(len(e["rows"]) for e in recording["episodes"])},
        "settings": settings.__dict__, "setup_seconds": round(setup_s, 1),
        "budget_seconds": args.budget_seconds, "configurations": [], "skipped": [],
    }
    previous: dict[str, Any] | None = None
    for groups, turns in grid(_parse_ints(args.groups), _parse_ints(args.turns)):
        left = args.budget_seconds - (time.monotonic() - started)
        estimate = _estimate(previous, recording, groups, turns, vocab_size, settings)
        if estimate is not None and estimate > left:
            results["skipped"].append({"groups": groups, "turns": turns,
                                       "reason": f"estimated {estimate:.0f} s > {left:.0f} s left"})
            print(f"skip G={groups} turns={turns}: estimated {estimate:.0f} s > {left:.0f} s left",
                  flush=True)
            continue
        try:
            measured = replay.configuration(recording, groups, turns, vocab_size)
        except torch.cuda.OutOfMemoryError as exc:
            torch.cuda.empty_cache()
            replay.optimizer.zero_grad(set_to_none=True)
            results["skipped"].append({"groups": groups, "turns": turns,
                                       "reason": f"out of memory: {str(exc).splitlines()[0]}"})
            continue
        results["configurations"].append(measured)
        previous = measured
        print(json.dumps({k: measured[k] for k in ("groups", "turns", "rows", "peak_gib",
                                                   "measured_seconds")}), flush=True)
    results["total_seconds"] = round(time.monotonic() - started, 1)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "gpu_smoke.json").write_text(json.dumps(results, indent=1) + "\n")
    table = markdown(results)
    (out / "gpu_smoke.md").write_text(table)
    print(table)
    return results


def _estimate(previous: dict[str, Any] | None, recording: dict[str, Any], groups: int,
              turns: int, vocab_size: int, settings: Settings) -> float | None:
    """Seconds a configuration should take, scaled from the previous one by tokens processed
    (None before the first)."""
    if previous is None:
        return None
    rows = group_rows(recording, groups, turns, vocab_size, settings.max_prompt_tokens)
    measured = rows[:max(settings.max_rows, 1)]
    tokens = (groups * len(rows[turns - 1].prompt_ids)
              + 3 * sum(len(r.prompt_ids) + len(r.completion_ids) for r in measured))
    return previous["measured_seconds"] * tokens / max(previous["measured_tokens"], 1)


def markdown(results: dict[str, Any]) -> str:
    """The results as a Markdown table."""
    lines = [
        f"# GPU smoke: M-GRPO phases on a {results['shape']}-shaped model "
        f"({results['parameters'] / 1e6:,.1f}M parameters, random weights)", "",
        f"{results['date']}, {results['device']}, torch {results['versions']['torch']}, "
        f"transformers {results['versions']['transformers']}; {results['weights_dtype']} weights, "
        f"bf16 autocast {'on' if results['bf16_autocast'] else 'off'}; rows recorded on the "
        f"sandbox ({results['recording']['episodes']} oracle episodes, "
        f"{results['recording']['tokenizer']} tokenizer); "
        f"{results['settings']['max_new_tokens']} new tokens per generated reply; micro-batches of "
        f"{results['settings']['rows_per_micro_batch']} rows, gradient checkpointing "
        f"{'on' if results['settings']['gradient_checkpointing'] else 'off'}, "
        f"beta {results['settings']['beta']}.", "",
        "| G | turns | rows (measured) | prompt tokens (mean/max) | generate: new tok/s (s) "
        "| old log-probs s | ref log-probs s | loss+backward s (tok/s) | AdamW s (weights moved) "
        "| peak GiB | step s (est.) |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for c in results["configurations"]:
        ref = c["ref_logps"]["seconds"] if c["ref_logps"] else "-"
        lines.append(
            f"| {c['groups']} | {c['turns']} | {c['rows']} ({c['rows_measured']}) "
            f"| {c['prompt_tokens_mean']:.0f} / {c['prompt_tokens_max']} "
            f"| {c['generate']['new_tokens_per_s']:.0f} ({c['generate']['seconds']:.1f}) "
            f"| {c['old_logps']['seconds']:.1f} | {ref if ref == '-' else f'{ref:.1f}'} "
            f"| {c['loss_backward']['seconds']:.1f} ({c['loss_backward']['tokens_per_s']:.0f}) "
            f"| {c['optimizer_step']['seconds']:.2f} "
            f"({100 * c['optimizer_step']['weights_changed_fraction']:.1f}%) "
            f"| {c['peak_gib'] if c['peak_gib'] is not None else '-'} "
            f"| {c['step_seconds_estimated']:.0f} |")
    for s in results["skipped"]:
        lines.append(f"| {s['groups']} | {s['turns']} | skipped: {s['reason']} "
                     "| | | | | | | | |")
    lines += ["", "Log-prob and loss phases run the first whole micro-batches up to "
              f"{results['settings']['max_rows']} rows; \"step s (est.)\" scales them to all "
              "rows and counts one generate call per turn. Peak: "
              "torch.cuda.max_memory_allocated, the most of any phase (weights, AdamW state "
              "and the reference model included). The loss trains on the recorded oracle "
              "replies (about 40 tokens each; a policy's reasoning runs longer). "
              f"Total {results['total_seconds']} s.", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """``record`` the replay rows (here, with the sandbox), or ``run`` the replay (default)."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("command", nargs="?", choices=("run", "record"), default="run",
                   help="run: replay the rows (default); record: record them on the sandbox")
    p.add_argument("--data", type=Path, default=DATA,
                   help="the recording (read by run, written by record)")
    p.add_argument("--demos", type=Path, help="record: a `webarena-gym demos` JSONL to take the "
                   "episodes from (default: run the oracle on the test split now)")
    p.add_argument("--episodes", type=int, default=24,
                   help="record: episodes to keep (the longest, of distinct templates)")
    p.add_argument("--shape", choices=sorted(SHAPES), default="qwen2.5-3b")
    p.add_argument("--groups", default="8,32,64", help="group sizes G, comma-separated")
    p.add_argument("--turns", default="5,15", help="turns per trajectory, comma-separated")
    p.add_argument("--max-new-tokens", type=int, default=128, help="tokens generated per reply")
    p.add_argument("--rows-per-micro-batch", type=int, default=8,
                   help="rows per loss forward/backward")
    p.add_argument("--logprob-batch-size", type=int, default=8,
                   help="rows per no-grad log-prob forward")
    p.add_argument("--max-rows", type=int, default=120,
                   help="rows of a configuration run through log-probs and loss; the step over "
                        "all rows is extrapolated from them")
    p.add_argument("--max-prompt-tokens", type=int, default=None,
                   help="keep only the last N tokens of each prompt (quick CPU runs)")
    p.add_argument("--beta", type=float, default=0.001,
                   help="KL weight; 0 skips the reference model and its log-probs")
    p.add_argument("--dtype", default="auto",
                   help="the weights' dtype (auto: fp32, with bf16 autocast on a GPU)")
    p.add_argument("--no-gradient-checkpointing", action="store_true")
    p.add_argument("--device", default=None, help="default: cuda when available, else cpu")
    p.add_argument("--budget-seconds", type=float, default=420.0,
                   help="skip configurations estimated not to finish within this many seconds "
                        "of the start")
    p.add_argument("--out", type=Path, default=RESULTS, help="where gpu_smoke.json/.md go")
    args = p.parse_args(argv)
    if args.command == "record":
        recording = record(args.demos, args.data, episodes=args.episodes)
        lengths = [len(e["rows"]) for e in recording["episodes"]]
        print(f"{args.data}: {len(lengths)} episodes, turns {lengths}, "
              f"{args.data.stat().st_size / 1e6:.2f} MB, tokenizer {recording['tokenizer']}")
        return recording
    return run(args)


if __name__ == "__main__":
    main()
