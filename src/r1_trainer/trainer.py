"""M-GRPO on TRL's ``GRPOTrainer``: multi-turn rollouts on the vector env, one loss row per action.

:class:`MGRPOTrainer` subclasses ``trl.GRPOTrainer`` and keeps what TRL does well: model and
PEFT loading, accelerate / DeepSpeed ZeRO-3 / FSDP, the reference model (a frozen copy of the
starting policy, i.e. the BC model; with PEFT the adapter is disabled or copied), vLLM engines
and their weight sync, the optimizer and scheduler, logging to ``report_to`` and checkpoints.
Two things are replaced (DESIGN 4.3):

* **generation and scoring** (``_generate_and_score_completions``, driven from an overridden
  ``_prepare_inputs``): the K tasks of a step (TRL's sampler gives every task G times in a row)
  are rolled out G times each on a :class:`~webarena_gym.vector.WebArenaVectorEnv`
  (:func:`r1_trainer.rollout.rollout_groups`); the env's binary reward gives each trajectory its
  group-relative advantage; every action becomes one row with the prompt ids, sampled ids and
  log-probs generation returned;
* **the loss** (``compute_loss``): :func:`r1_trainer.mgrpo.mgrpo_loss` over the rows.

Micro-batches (gradient accumulation) hold whole groups, ``tasks_per_micro_batch`` tasks each;
each micro-batch's loss is scaled by its share of the groups, so the accumulated gradient is the
gradient of the loss over all K groups (the paper's mean over groups). The per-token log-probs of
the policy and of the reference come from TRL's fused LM head
(``GRPOTrainer._get_per_token_logps_and_entropies``).

Checked against ``trl`` 1.16 (``_prepare_inputs``, ``_generate_and_score_completions``,
``compute_loss``, ``_get_per_token_logps_and_entropies``, ``_metrics``, ``vllm_generation``).

Example::

    from r1_trainer.trainer import MGRPOTrainerConfig, train_rl
    train_rl("runs/bc", "runs/rl", config=MGRPOTrainerConfig(
        output_dir="runs/rl", num_generations=4, tasks_per_step=16, max_episode_steps=15, max_steps=100))
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from r1_trainer.models import missing_train_extra

try:
    import torch
    from accelerate.utils import DistributedType
    from datasets import Dataset
    from transformers import TrainerCallback
    from transformers.distributed.fsdp import is_fsdp_managed_module
    from trl import GRPOConfig, GRPOTrainer
    from trl.models import unwrap_model_for_generation
    from trl.trainer.utils import use_adapter
except ImportError as _exc:
    raise missing_train_extra(_exc) from _exc

from r1_trainer.bc import MetricsLogger, use_progress_callback
from r1_trainer.config import help_from_docstring
from r1_trainer.evaluate import LITE_ENV, SANDBOX_ENV, tasks_changing_sites
from r1_trainer.generation import HFGenerator, SamplingSettings
from r1_trainer.mgrpo import mgrpo_loss, mgrpo_stats, mgrpo_weights
from r1_trainer.models import (
    RL_LEARNING_RATE,
    TINY,
    LoraSettings,
    fsdp_activation_checkpointing,
    is_tiny_preset,
    load_model_and_tokenizer,
    prompt_budget,
    training_precision,
)
from r1_trainer.rollout import ActionRow, RolloutBatch, TRLVLLMGenerator, rollout_groups
from r1_trainer.runs import (
    METRICS_FILE,
    ROLLOUTS_FILE,
    recorded_thinking,
    resolve_checkpoint,
    resume_jsonl,
    run_settings,
    write_run_record,
)
from webarena_gym.registration import make_lite_vector_env
from webarena_gym.sandbox.env import make_sandbox_vector_env
from webarena_gym.sandbox.templates import load_split
from webarena_gym.tasks import load_task_configs, webarena_lite_config_path
from webarena_gym.vector import WebArenaVectorEnv

if TYPE_CHECKING:
    from transformers import PreTrainedModel, PreTrainedTokenizerBase

logger = logging.getLogger(__name__)



@help_from_docstring
@dataclass
class MGRPOTrainerConfig(GRPOConfig):
    """``GRPOConfig`` with the paper's defaults and the multi-turn settings of M-GRPO.

    Paper defaults (public code): G = 4 (``num_generations``), 16 tasks per optimizer step,
    lr 1e-6, KL beta 0.001, clip 0.2 (``epsilon``), 15 turns, 1024 tokens per turn
    (``max_completion_length``), temperature 1.0. Every other ``GRPOConfig`` /
    ``TrainingArguments`` field works as in TRL (``max_steps``, ``save_steps``, ``report_to``,
    ``use_vllm``, ``deepspeed``, ``gradient_checkpointing``, ``resume_from_checkpoint``, ...).

    Precision: ``dtype="auto"`` trains fp32 weights, and ``bf16=None`` turns on bf16 autocast
    where the device supports it (:func:`r1_trainer.models.training_precision`). Gradient
    checkpointing (``gradient_checkpointing=None``) is on for a GPU run, unless FSDP's own
    activation checkpointing is (``configs/fsdp.yaml``): the two cannot both be on.

    Attributes:
        bf16: bf16 autocast over the weights; None: where ``dtype`` and the device allow it.
        gradient_checkpointing: recompute activations in the backward pass; None: on for a GPU
            run, unless FSDP's own activation checkpointing is on; off on a CPU.
        dtype: the weights' dtype for training: ``"auto"`` (fp32 master weights) or a name
            (``"bfloat16"``: half the memory, but updates below a weight's bf16 resolution are
            lost); see :data:`r1_trainer.models.DTYPE_NAMES`.
        tasks_per_step: K, tasks per optimizer step over all processes (K * G trajectories).
        tasks_per_micro_batch: tasks per micro-batch of the loss (whole groups; gradient
            accumulation covers the rest; 0: all of a process's tasks at once). Sets ``per_device_train_batch_size`` (G times this)
            and ``gradient_accumulation_steps`` (K / (processes * this)).
        max_episode_steps: interactions per training episode.
        thinking: the ``<think>..</think><answer>..</answer>`` prompt, or the action alone; None:
            what the starting model was behaviour-cloned with (its ``r1_trainer.json``), else True.
        compress: dynamic context compression of the prompts (the paper's; False for ablations).
        max_prompt_tokens: the prompt budget (the current page is cut to fit); None: the
            model's own budget (:func:`r1_trainer.models.prompt_budget`).
        logprob_batch_size: rows per forward pass of the no-gradient log-probs (π_old when
            recomputed, π_ref): bounds their memory; every process runs as many of these passes
            as the process with the most rows.
        rows_per_micro_batch: rows per forward + backward pass of the loss: a micro-batch's loss
            is summed over chunks of this many rows, each chunk's backward run before the next
            chunk's forward, so memory is bounded by this many rows, not by the step's (the
            total equals the one-pass loss: every token keeps its weight in the whole
            micro-batch). 0: all the micro-batch's rows in one pass.
        rollout_batch_size: prompts per ``generate`` call in a rollout turn (None: all at once).
        recompute_old_logps: take π_old from a forward pass of the training policy after the
            rollout instead of from generation. None (default): recompute when generation ran
            in another engine (vLLM) or another precision than training (see
            :func:`needs_recomputed_old_logps`); True / False: always / never.
        gradient_checkpointing: recompute activations in the backward pass (far less memory,
            about a third more compute). None (default): on for models of 20M parameters or
            more (every pretrained model), off for smaller ones (the tiny preset).
        data_seed_sandbox: the sandbox's site-data seed (tasks and envs agree on it).
        num_browsers: Chromium processes the rollouts' envs are spread over (per env worker with
            ``num_env_workers``); None: one per 4 cores
            (:func:`webarena_gym.vector.default_num_browsers`).
        num_env_workers: run the rollouts' envs in this many Ray worker processes, on this
            machine or a cluster (:class:`webarena_gym.ray_vector.RayVectorEnv`; the ``ray``
            extra); None: in this process.
        ray_address: the Ray cluster of the env workers (default ``RAY_ADDRESS``, else a local
            Ray).
        log_rollouts: append every trajectory (task, reward, responses) to ``rollouts.jsonl``.
        sites_reset: the user's WebArena sites are reset between the rollouts of a task
            (``WebArenaLite-v0`` only): without it, G > 1 on tasks that change site state is
            refused, since the G rollouts of a task share the live sites
            (:func:`r1_trainer.evaluate.tasks_changing_sites`).
        resume_from_checkpoint: a ``checkpoint-*`` folder to resume from, or ``"last"``: the
            latest one in ``output_dir`` (``metrics.jsonl`` and ``rollouts.jsonl`` keep the
            steps up to the checkpoint and go on from there).
    """

    num_generations: int | None = 4
    max_completion_length: int | None = 1024
    beta: float = 0.001
    epsilon: float = 0.2
    learning_rate: float = RL_LEARNING_RATE
    temperature: float = 1.0
    logging_steps: float = 1
    bf16: bool | None = None
    gradient_checkpointing: bool | None = None
    tasks_per_step: int = 16
    tasks_per_micro_batch: int = 1
    max_episode_steps: int = 15
    thinking: bool | None = None
    compress: bool = True
    max_prompt_tokens: int | None = None
    logprob_batch_size: int = 8
    rows_per_micro_batch: int = 8
    rollout_batch_size: int | None = None
    recompute_old_logps: bool | None = None
    data_seed_sandbox: int = 0
    num_browsers: int | None = None
    num_env_workers: int | None = None
    ray_address: str | None = None
    log_rollouts: bool = True
    dtype: str = "auto"
    sites_reset: bool = False

    def __post_init__(self) -> None:
        precision = training_precision(self.dtype, "cpu" if self.use_cpu else None)
        if self.bf16 is None:
            self.bf16 = precision.bf16
        if self.logprob_batch_size < 1:
            raise ValueError(f"logprob_batch_size={self.logprob_batch_size} must be at least 1")
        if self.rows_per_micro_batch < 0:
            raise ValueError(f"rows_per_micro_batch={self.rows_per_micro_batch} must be >= 0 "
                             "(0: all of a micro-batch's rows in one pass)")
        fsdp_checkpointing = fsdp_activation_checkpointing()
        # transformers 5.2x renamed gradient_checkpointing to activation_checkpointing (the old
        # name warns, and is mirrored back from the new one)
        renamed = hasattr(self, "activation_checkpointing")
        checkpointing = self.activation_checkpointing if renamed else None
        if checkpointing is None:
            checkpointing = self.gradient_checkpointing
        # None is decided by the trainer, which sees the model (resolve_gradient_checkpointing);
        # under FSDP's own activation checkpointing it stays off
        self._checkpointing_by_model_size = checkpointing is None and not fsdp_checkpointing
        if checkpointing is None:
            checkpointing = False
        elif checkpointing and fsdp_checkpointing:
            raise ValueError(
                "gradient_checkpointing=True and FSDP's activation checkpointing (the accelerate "
                "config's fsdp_activation_checkpointing: true) cannot both be on: drop "
                "--gradient-checkpointing (FSDP's is the one to use under FSDP) or set "
                "fsdp_activation_checkpointing: false")
        if renamed:
            self.activation_checkpointing, self.gradient_checkpointing = checkpointing, None
        else:
            self.gradient_checkpointing = checkpointing
        world = int(os.environ.get("WORLD_SIZE", "1"))
        per_process, rest = divmod(self.tasks_per_step, world)
        if rest or per_process == 0:
            raise ValueError(f"tasks_per_step={self.tasks_per_step} must be a positive multiple of "
                             f"the number of processes ({world})")
        micro = self.tasks_per_micro_batch if self.tasks_per_micro_batch > 0 else per_process
        self.tasks_per_micro_batch = micro
        if per_process % micro:
            raise ValueError(
                f"tasks_per_micro_batch={micro} must divide the tasks per process "
                f"({per_process} = tasks_per_step / processes)"
            )
        self.per_device_train_batch_size = self.num_generations * micro
        self.gradient_accumulation_steps = per_process // micro
        self.steps_per_generation = None
        self.generation_batch_size = None
        super().__post_init__()


CHECKPOINTING_MIN_PARAMETERS = 20_000_000
"""Models this large or larger train with gradient checkpointing unless the config says."""


def resolve_gradient_checkpointing(args: MGRPOTrainerConfig, model: Any) -> bool:
    """Settle ``gradient_checkpointing=None`` (the config's default) for ``model``: on from
    :data:`CHECKPOINTING_MIN_PARAMETERS` parameters, off below (the tiny preset, where
    recomputing costs more than the memory it saves). An explicit True / False is kept.

    Returns:
        Whether the trainer checkpoints (``args`` is updated to say so).
    """
    if getattr(args, "_checkpointing_by_model_size", False):
        on = sum(p.numel() for p in model.parameters()) >= CHECKPOINTING_MIN_PARAMETERS
        args.gradient_checkpointing = on
        if hasattr(args, "activation_checkpointing"):  # transformers 5.2x's name for it
            args.activation_checkpointing = on
        args._checkpointing_by_model_size = False
    return bool(args.gradient_checkpointing)


def needs_recomputed_old_logps(setting: bool | None, *, use_vllm: bool,
                               generation_dtype: torch.dtype, training_dtype: torch.dtype) -> bool:
    """Whether π_old comes from a forward pass of the training policy rather than from
    generation's own log-probs.

    Args:
        setting: ``recompute_old_logps`` of the config; True / False decide, None: auto.
        use_vllm: generation ran in vLLM (another engine: its kernels and sampler's log-probs
            differ from the trainer's forward).
        generation_dtype: the precision generation computed in.
        training_dtype: the precision of the training forward (the autocast dtype under mixed
            precision, else the weights').

    Returns:
        ``setting`` when it is not None; else True for vLLM or differing precisions (a ratio
        computed against another engine's or precision's log-probs is off from 1 before any
        update, which biases the clipped objective).
    """
    if setting is not None:
        return setting
    return use_vllm or generation_dtype != training_dtype


def environment_reward(prompts: Any = None, completions: Any = None, **kwargs: Any) -> list[float]:
    """The reward source TRL requires: the env's own reward. M-GRPO scores inside the rollout
    (the env's binary reward at the episode's end), so this is never called on a batch; it is
    registered so that TRL's bookkeeping names the reward ``environment_reward``."""
    return [float(r) for r in kwargs.get("reward", [0.0] * len(prompts or []))]


class _RolloutsLog(TrainerCallback):
    """Starts ``rollouts.jsonl``: empty for a fresh run; for a resumed one, the trajectories of
    the steps up to the checkpoint (their ``"step"`` is the optimizer steps done before them)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def on_train_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        if state.is_world_process_zero and args.log_rollouts:
            resume_jsonl(self.path, state.global_step, through=False)


#: How a rollout metric of each process combines into the logged one; any other metric is a
#: mean over trajectories. ``mean/action``: a mean over actions; ``std:KEY``: the standard
#: deviation over all trajectories, pooled from each process's std and mean (``KEY``).
ROLLOUT_METRIC_REDUCTIONS: dict[str, str] = {
    "reward_std": "std:reward",
    "response_tokens": "mean/action",
    "prompt_tokens": "mean/action",
    "parse_error_rate": "mean/action",
    "truncated_response_rate": "mean/action",
    "prompt_tokens_max": "max",
    "rollout_seconds": "max",
    "env_errors": "sum",
    "turns_per_second": "sum",
}


def merge_process_metrics(per_process: Sequence[Mapping[str, float]],
                          trajectories: Sequence[float],
                          actions: Sequence[float]) -> dict[str, float]:
    """Combine each process's rollout metrics into the metrics of all trajectories.

    Args:
        per_process: one dict per process (the same keys), e.g. ``RolloutBatch.metrics()``.
        trajectories: each process's number of trajectories (the weight of a mean over them).
        actions: each process's number of actions (the weight of a mean over actions).

    Returns:
        one dict: weighted means, pooled standard deviations, maxima and sums as
        :data:`ROLLOUT_METRIC_REDUCTIONS` says.
    """
    merged: dict[str, float] = {}
    for key in per_process[0]:
        values = [float(m[key]) for m in per_process]
        how = ROLLOUT_METRIC_REDUCTIONS.get(key, "mean")
        weights = actions if how == "mean/action" else trajectories
        total = float(sum(weights))
        if how == "max":
            merged[key] = max(values)
        elif how == "sum":
            merged[key] = sum(values)
        elif how.startswith("std:"):
            means = [float(m[how[4:]]) for m in per_process]
            mean = sum(w * m for w, m in zip(weights, means, strict=True)) / total if total else 0.0
            second = sum(w * (v * v + m * m) for w, v, m in zip(weights, values, means, strict=True))
            merged[key] = max(0.0, second / total - mean * mean) ** 0.5 if total else 0.0
        else:
            merged[key] = (sum(w * v for w, v in zip(weights, values, strict=True)) / total
                           if total else 0.0)
    return merged


def gather_rollout_metrics(metrics: Mapping[str, float], trajectories: int, actions: int,
                           gather: Callable[[torch.Tensor], torch.Tensor]) -> dict[str, float]:
    """This process's rollout metrics merged with every other process's (a collective: every
    process calls it with the same keys).

    Args:
        metrics: this process's metrics (``RolloutBatch.metrics()``).
        trajectories, actions: this process's counts (the weights of the means).
        gather: concatenates a ``[1, n]`` tensor of every process into ``[processes, n]``
            (``Accelerator.gather``).
    """
    keys = sorted(metrics)
    local = torch.tensor([[trajectories, actions, *(metrics[k] for k in keys)]],
                         dtype=torch.float64)
    table = gather(local).double().cpu().reshape(-1, len(keys) + 2).tolist()
    per_process = [dict(zip(keys, row[2:], strict=True)) for row in table]
    return merge_process_metrics(per_process, [row[0] for row in table],
                                 [row[1] for row in table])


def pad_rows(
    prompt_ids: Sequence[Sequence[int]], completion_ids: Sequence[Sequence[int]], pad_id: int,
    device: torch.device | str = "cpu",
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Prompts left-padded and completions right-padded into one batch.

    Returns:
        ``(input_ids, attention_mask, completion_mask)``: ``[rows, P + C]`` long ids and 0/1
        attention, ``[rows, C]`` 0/1 mask of the real completion tokens (``P``, ``C``: the
        longest prompt and completion). The completion of every row starts at column ``P``.
    """
    rows = len(prompt_ids)
    width_p = max(len(p) for p in prompt_ids)
    width_c = max(max((len(c) for c in completion_ids), default=1), 1)
    input_ids = torch.full((rows, width_p + width_c), pad_id, dtype=torch.long)
    attention = torch.zeros_like(input_ids)
    mask = torch.zeros((rows, width_c), dtype=torch.long)
    for r, (p, c) in enumerate(zip(prompt_ids, completion_ids, strict=True)):
        input_ids[r, width_p - len(p):width_p] = torch.tensor(p, dtype=torch.long)
        attention[r, width_p - len(p):width_p] = 1
        if c:
            input_ids[r, width_p:width_p + len(c)] = torch.tensor(c, dtype=torch.long)
            attention[r, width_p:width_p + len(c)] = 1
            mask[r, :len(c)] = 1
    return input_ids.to(device), attention.to(device), mask.to(device)


def pad_values(values: Sequence[Sequence[float]], width: int,
               device: torch.device | str = "cpu") -> torch.Tensor:
    """``[rows, width]`` float32, each row's values first, 0 after."""
    out = torch.zeros((len(values), width), dtype=torch.float32)
    for r, v in enumerate(values):
        if len(v):
            out[r, :len(v)] = torch.as_tensor(v, dtype=torch.float32)[:width]
    return out.to(device)


class MGRPOTrainer(GRPOTrainer):
    """M-GRPO (WebAgent-R1) on TRL's ``GRPOTrainer`` (see the module docstring).

    Args:
        model: the policy: a loaded causal LM (``PeftModel`` too). Start from the BC model for
            WebAgent-R1, from the base model for R1-Zero.
        args: the settings (:class:`MGRPOTrainerConfig`).
        train_tasks: the task configs to train on (each with ``task_id``); TRL's sampler draws
            ``tasks_per_step`` of them per step, each rolled out G times.
        processing_class: the model's tokenizer (pad token and chat template set).
        peft_config: train a fresh PEFT adapter on ``model`` (TRL wraps it).
        callbacks: more ``TrainerCallback`` s.
        make_env: ``n -> WebArenaVectorEnv`` holding ``train_tasks`` (default: the sandbox,
            ``max_episode_steps``, the sandbox data seed of ``args``).
    """

    _tag_names = ["trl", "grpo", "m-grpo", "webagent-r1"]
    _name = "M-GRPO"

    def __init__(
        self,
        model: PreTrainedModel,
        args: MGRPOTrainerConfig,
        train_tasks: Sequence[Mapping[str, Any]],
        *,
        processing_class: PreTrainedTokenizerBase | None = None,
        peft_config: Any = None,
        callbacks: list[Any] | None = None,
        make_env: Callable[[int], WebArenaVectorEnv] | None = None,
    ) -> None:
        if not isinstance(args, MGRPOTrainerConfig):
            raise TypeError("MGRPOTrainer needs an MGRPOTrainerConfig (a GRPOConfig with the "
                            "multi-turn settings)")
        self.train_tasks = [dict(t) for t in train_tasks]
        if not self.train_tasks:
            raise ValueError("MGRPOTrainer got no train tasks")
        ids = [str(t["task_id"]) for t in self.train_tasks]
        if len(set(ids)) != len(ids):
            raise ValueError("train_tasks holds duplicate task ids")
        dataset = Dataset.from_dict({
            "prompt": [[{"role": "user", "content": str(t.get("intent", ""))}]
                       for t in self.train_tasks],
            "task_id": ids,
        })
        output = Path(args.output_dir)
        output.mkdir(parents=True, exist_ok=True)
        self.metrics_path = output / METRICS_FILE
        self.rollouts_path = output / ROLLOUTS_FILE
        if args.thinking is None:  # the one place it is resolved: the format the model learnt
            args.thinking = recorded_thinking(model)
        resolve_gradient_checkpointing(args, model)
        super().__init__(
            model=model,
            reward_funcs=[environment_reward],
            args=args,
            train_dataset=dataset,
            processing_class=processing_class,
            peft_config=peft_config,
            callbacks=[MetricsLogger(self.metrics_path), _RolloutsLog(self.rollouts_path),
                       *(callbacks or [])],
        )
        self._make_env = make_env or self._sandbox_env
        self._venv: WebArenaVectorEnv | None = None
        self.last_rollout: RolloutBatch | None = None

    # -- envs ------------------------------------------------------------------------------------
    def _sandbox_env(self, num_envs: int) -> WebArenaVectorEnv:
        return make_sandbox_vector_env(num_envs, task_configs=self.train_tasks,
                                       max_episode_steps=self.args.max_episode_steps,
                                       seed=self.args.data_seed_sandbox,
                                       **env_placement(self.args))

    def env(self, num_envs: int) -> WebArenaVectorEnv:
        """The vector env of this process's rollouts (built on first use, kept across steps)."""
        if self._venv is None or self._venv.num_envs < num_envs:
            self.close_env()
            self._venv = self._make_env(num_envs)
        return self._venv

    def close_env(self) -> None:
        """Close the rollout envs (their browser contexts and tenants)."""
        if self._venv is not None:
            self._venv.close()
            self._venv = None

    def train(self, *args: Any, **kwargs: Any) -> Any:
        """``Trainer.train``; the envs are closed when it returns or fails."""
        try:
            return super().train(*args, **kwargs)
        finally:
            self.close_env()

    # -- rollouts (replace TRL's generation and scoring) -----------------------------------------
    @contextmanager
    def _rollout_model(self) -> Iterator[Any]:
        """The policy, unwrapped for generation (ZeRO-3 parameters gathered, FSDP-1 full
        parameters summoned), in eval mode, without gradients."""
        with (
            unwrap_model_for_generation(
                self.model_wrapped, self.accelerator,
                gather_deepspeed3_params=self.args.ds3_gather_for_generation,
                gradient_checkpointing_kwargs=self.args.gradient_checkpointing_kwargs,
            ) as unwrapped,
            torch.no_grad(),
            self._dist.summon_full_params(self.model_wrapped, recurse=False),
        ):
            was_training = unwrapped.training
            unwrapped.eval()
            try:
                yield unwrapped
            finally:
                if was_training:
                    unwrapped.train()

    def _prompt_budget(self, model: Any) -> int | None:
        if self.args.max_prompt_tokens is not None:
            return self.args.max_prompt_tokens
        return prompt_budget(self.processing_class, model)

    def _sampling(self) -> SamplingSettings:
        return SamplingSettings(temperature=self.temperature, top_p=self.top_p,
                                top_k=self.top_k or 0, max_new_tokens=self.max_completion_length)

    def _any_process_active(self, local: bool) -> bool:
        flag = torch.tensor([1.0 if local else 0.0], device=self.accelerator.device)
        return bool(self.accelerator.reduce(flag, reduction="sum").item() > 0)

    def rollout(self, task_ids: Sequence[str]) -> RolloutBatch:
        """G rollouts of each task with the current policy (the step's generation phase)."""
        g = self.num_generations
        venv = self.env(len(task_ids) * g)
        # Sharded generation (ZeRO-3, FSDP) runs collectives: keep the processes' turns in step.
        sync = self._any_process_active if self.accelerator.num_processes > 1 else None
        if self.use_vllm:
            if self.state.global_step != self._last_loaded_step:
                self.vllm_generation.sync_weights()
                self._last_loaded_step = self.state.global_step
            generator: Any = TRLVLLMGenerator(
                self.vllm_generation, self.processing_class, self.eos_token_ids,
                self._prompt_budget(self.accelerator.unwrap_model(self.model)),
                gather_counts=self._gather_counts if self.accelerator.num_processes > 1 else None)
            return rollout_groups(venv, generator, task_ids, g, max_episode_steps=self.args.max_episode_steps,
                                  sampling=self._sampling(), thinking=bool(self.args.thinking),
                                  compress=self.args.compress, sync=sync)
        with self._rollout_model() as model:
            generator = HFGenerator(model, self.processing_class,
                                    max_prompt_tokens=self._prompt_budget(model),
                                    batch_size=self.args.rollout_batch_size)
            return rollout_groups(venv, generator, task_ids, g, max_episode_steps=self.args.max_episode_steps,
                                  sampling=self._sampling(), thinking=bool(self.args.thinking),
                                  compress=self.args.compress, sync=sync)

    def _prepare_inputs(self, generation_batch: Any) -> dict[str, Any]:
        # TRL hands the same generation batch (K tasks x G) to each of the
        # steps_per_generation micro-steps of an optimizer step: roll out on the first, then
        # serve one micro-batch of whole groups per micro-step.
        if not self.model.training:
            raise NotImplementedError(
                "MGRPOTrainer has no in-training evaluation; evaluate a checkpoint with "
                "`r1-train eval --model <checkpoint>` (r1_trainer.evaluate)"
            )
        every = self.args.steps_per_generation * self.num_iterations
        if self._step % every == 0 or self._buffered_inputs is None:
            self._buffered_inputs = self._generate_and_score_completions(generation_batch)
        return self._buffered_inputs[self._step % self.args.steps_per_generation]

    def _generate_and_score_completions(self, inputs: list[dict[str, Any]]) -> list[dict[str, Any]]:  # type: ignore[override]
        """Roll out the batch's tasks and cut the action rows into micro-batches of whole groups.

        Args:
            inputs: TRL's generation batch: dataset rows, each task ``G`` times in a row.

        Returns:
            ``steps_per_generation`` micro-batches: ``{"rows": [ActionRow], "ref_logps":
            [[float]] | None, "old_logps": [[float]], "group_fraction": float}``.
        """
        g = self.num_generations
        ids = [str(row["task_id"]) for row in inputs]
        tasks = ids[::g]
        for k, task in enumerate(tasks):
            if ids[k * g:(k + 1) * g] != [task] * g:
                raise RuntimeError(
                    f"the generation batch does not hold each task {g} times in a row ({ids}); "
                    "per_device_train_batch_size must be a multiple of num_generations"
                )
        batch = self.rollout(tasks)
        self.last_rollout = batch
        self._log_rollout_metrics(batch)
        if self.args.log_rollouts and self.accelerator.is_main_process:
            self._write_rollouts(batch)

        rows = batch.rows
        ref = None
        if self.beta != 0.0:
            ref = self._reference_logps(rows)
        old = [r.old_logps for r in rows]
        if self.recompute_old_logps():
            with torch.no_grad():
                old = self._row_logps_lists(self.model, rows)

        micro = self.args.tasks_per_micro_batch
        chunks = []
        for start in range(0, len(tasks), micro):
            picked = [n for n, r in enumerate(rows) if start <= r.group_index < start + micro]
            groups = min(micro, len(tasks) - start)
            chunks.append({
                "rows": [rows[n] for n in picked],
                "old_logps": [old[n] for n in picked],
                "ref_logps": None if ref is None else [ref[n] for n in picked],
                "group_fraction": groups / len(tasks),
            })
        if len(chunks) != self.args.steps_per_generation:
            raise RuntimeError(f"{len(chunks)} micro-batches for "
                               f"{self.args.steps_per_generation} accumulation steps")
        return chunks

    def _log_rollout_metrics(self, batch: RolloutBatch) -> None:
        """Log the rollout's metrics over every process's trajectories, not this one's alone."""
        metrics = batch.metrics()
        if self.accelerator.num_processes > 1:
            device = self.accelerator.device
            metrics = gather_rollout_metrics(
                metrics, len(batch.trajectories), len(batch.rows),
                lambda t: self.accelerator.gather(t.to(device)))
        for key, value in metrics.items():
            self._metrics["train"][key].append(value)

    def _write_rollouts(self, batch: RolloutBatch) -> None:
        with self.rollouts_path.open("a", encoding="utf-8") as handle:
            for t in batch.trajectories:
                handle.write(json.dumps({
                    "step": self.state.global_step, "task_id": t.task_id,
                    "group": t.group_index, "reward": t.reward,
                    "interactions": t.interactions, "parse_errors": t.parse_errors,
                    "trajectory_tokens": t.trajectory_tokens, "truncated": t.truncated,
                    "error": t.error, "responses": t.responses,
                }, ensure_ascii=False) + "\n")

    # -- log-probs -------------------------------------------------------------------------------
    def recompute_old_logps(self) -> bool:
        """Whether this run takes π_old from the training policy after each rollout
        (:func:`needs_recomputed_old_logps` on the config, the engine and the precisions)."""
        weights = next(self.accelerator.unwrap_model(self.model).parameters()).dtype
        autocast = {"bf16": torch.bfloat16, "fp16": torch.float16}.get(
            str(self.accelerator.mixed_precision))
        # HF generation runs outside the trainer's autocast: in the weights' dtype
        return needs_recomputed_old_logps(
            self.args.recompute_old_logps, use_vllm=bool(self.use_vllm),
            generation_dtype=weights, training_dtype=autocast or weights)

    def _gather_counts(self, local: int) -> list[int]:
        """Every process's ``local`` (a collective: all processes call it together)."""
        counts = self.accelerator.gather(torch.tensor([local], device=self.accelerator.device))
        return [int(c) for c in counts.tolist()]

    def _row_chunks(self, rows: int, size: int) -> list[slice]:
        """Row slices of at most ``size`` rows (0: one slice), as many on every process as on
        the one with the most: sharded parameters (ZeRO-3, FSDP) are all-gathered on every
        forward and gradients reduced on every backward, so every process must run the same
        number of passes. The extra slices are empty (a throw-away row's pass)."""
        local = -(-rows // size) if size > 0 else min(rows, 1)
        count = max(self._gather_counts(local)) if self.accelerator.num_processes > 1 else local
        step = size if size > 0 else max(rows, 1)
        chunks = [slice(start, min(start + step, rows)) for start in range(0, rows, step)]
        return chunks + [slice(0, 0)] * (count - len(chunks))

    def _filler_row(self) -> ActionRow:
        """A one-token row for a pass whose result is dropped (see :meth:`_row_chunks`)."""
        pad = self.processing_class.pad_token_id
        return ActionRow(prompt_ids=[pad], completion_ids=[pad], old_logps=[0.0], traj_index=0,
                         group_index=0, advantage=0.0, turn=0)

    def _row_logps(self, model: Any, rows: Sequence[ActionRow], *, entropy: bool = False
                   ) -> tuple[torch.Tensor, torch.Tensor | None, torch.Tensor]:
        """``(logps, entropies, mask)``, each ``[rows, C]``: log-probs of the rows' sampled
        tokens under ``model`` at the sampling temperature (TRL's fused LM head), in one
        forward pass."""
        pad = self.processing_class.pad_token_id
        input_ids, attention, mask = pad_rows([r.prompt_ids for r in rows],
                                              [r.completion_ids for r in rows], pad,
                                              self.accelerator.device)
        logps, entropies, _ = self._get_per_token_logps_and_entropies(
            model, input_ids, attention, mask.size(1), batch_size=len(rows),
            compute_entropy=entropy,
        )
        return logps, entropies, mask

    def _row_logps_lists(self, model: Any, rows: Sequence[ActionRow]) -> list[list[float]]:
        """Per-row log-prob lists (no gradients), ``logprob_batch_size`` rows per forward pass,
        as many passes on every process (:meth:`_row_chunks`)."""
        out: list[list[float]] = []
        for part in self._row_chunks(len(rows), self.args.logprob_batch_size):
            picked = rows[part]
            logps, _, _ = self._row_logps(model, picked or [self._filler_row()])
            for r, row in enumerate(picked):
                out.append(logps[r, :len(row.completion_ids)].float().cpu().tolist())
        return out

    @torch.no_grad()
    def _reference_logps(self, rows: Sequence[ActionRow]) -> list[list[float]]:
        """log π_ref of every row's tokens: TRL's reference model, or the policy with its
        adapter disabled (a fresh LoRA) / switched to the ``ref`` copy (a trained adapter)."""
        if self.ref_model is not None:
            return self._row_logps_lists(self.ref_model, rows)
        unwrapped = self.accelerator.unwrap_model(self.model)
        name = "ref" if "ref" in getattr(unwrapped, "peft_config", {}) else None
        with use_adapter(unwrapped, adapter_name=name):
            return self._row_logps_lists(self.model, rows)

    # -- the loss --------------------------------------------------------------------------------
    @contextmanager
    def _deferred_gradient_sync(self, model: Any) -> Iterator[None]:
        """The backward of a row chunk that is not its micro-step's last: gradients accumulate
        on this process as in the Trainer's own accumulation steps (no DDP all-reduce, no FSDP
        reduce, no DeepSpeed boundary or optimizer step); the last chunk's backward syncs."""
        state = self.accelerator.gradient_state
        if not state.sync_gradients:  # the Trainer already defers this whole micro-step
            yield
            return
        if self.accelerator.distributed_type == DistributedType.DEEPSPEED:
            defer: Any = nullcontext()  # DeepSpeed reads the boundary from sync_gradients
        elif self.is_distributed_loading_by_transformers and is_fsdp_managed_module(self.model):
            defer = self._defer_fsdp_gradient_reduction()
        else:
            defer = self.accelerator.no_sync(model)
        state._set_sync_gradients(False)
        try:
            with defer:
                yield
        finally:
            state._set_sync_gradients(True)

    def compute_loss(self, model: Any, inputs: dict[str, Any], return_outputs: bool = False,
                     num_items_in_batch: Any = None) -> torch.Tensor:
        """The M-GRPO loss of one micro-batch, scaled by its share of the step's groups.

        The rows go through the model ``rows_per_micro_batch`` at a time; every chunk but the
        last is backpropagated here, at once, so that no two chunks' activations are alive
        together; the last chunk's loss is returned (with the others' values added, detached)
        for the Trainer's backward. Each token weighs what it weighs in the whole micro-batch
        (:func:`r1_trainer.mgrpo.mgrpo_weights`), so the chunks' gradients sum to the
        one-pass gradient.
        """
        if return_outputs:
            raise ValueError("MGRPOTrainer does not return outputs")
        rows: list[ActionRow] = inputs["rows"]
        device = self.accelerator.device
        # No rows (every trajectory of these groups errored) still runs the agreed passes below:
        # a throw-away one here, so that sharded processes make the same collectives.
        width = max((len(r.completion_ids) for r in rows), default=1) or 1
        mask = pad_values([[1.0] * len(r.completion_ids) for r in rows], width, device)
        old = pad_values(inputs["old_logps"], width, device)
        ref = None if inputs["ref_logps"] is None else pad_values(inputs["ref_logps"], width,
                                                                 device)
        advantages = torch.tensor([r.advantage for r in rows], dtype=torch.float32, device=device)
        traj = torch.tensor([r.traj_index for r in rows], dtype=torch.long, device=device)
        group = torch.tensor([r.group_index for r in rows], dtype=torch.long, device=device)
        weights = mgrpo_weights(mask, traj, group) * inputs["group_fraction"]
        logps_seen = torch.zeros_like(old)
        entropies_seen = torch.zeros_like(old)
        backward = ({"scale_wrt_gas": False} if self.accelerator.distributed_type == DistributedType.DEEPSPEED
                    else {})  # as the Trainer's own backward (transformers PR 35808)
        # at least one pass, so that the Trainer's backward has a graph
        chunks = self._row_chunks(len(rows), self.args.rows_per_micro_batch) or [slice(0, 0)]
        earlier = torch.zeros((), device=device)
        for n, part in enumerate(chunks):
            picked = rows[part]
            logps, entropies, chunk_mask = self._row_logps(model, picked or [self._filler_row()],
                                                           entropy=True)
            if picked:
                cols = chunk_mask.size(1)
                loss = mgrpo_loss(
                    logps, old[part, :cols], None if ref is None else ref[part, :cols],
                    chunk_mask, advantages[part], traj[part], group[part],
                    epsilon=self.args.epsilon, beta=self.beta, weights=weights[part, :cols])
                logps_seen[part, :cols] = logps.detach().float()
                entropies_seen[part, :cols] = entropies.detach().float()
            else:  # a throw-away pass: zero gradients, but the same collectives as a real one
                loss = logps.sum() * 0.0
            if n == len(chunks) - 1:
                break
            with self._deferred_gradient_sync(model):
                self.accelerator.backward(loss, **backward)
            earlier = earlier + loss.detach()
        stats = mgrpo_stats(logps_seen, old, ref, mask, advantages, epsilon=self.args.epsilon)
        for key, value in stats.items():
            self._metrics["train"][key].append(value)
        tokens = mask.sum().clamp(min=1)
        self._metrics["train"]["entropy"].append(float((entropies_seen * mask).sum() / tokens))
        return loss + earlier


# ------------------------------------------------------------------------------------------------
# One call: load, train, save
# ------------------------------------------------------------------------------------------------


def train_tasks_for(env: str = SANDBOX_ENV, *, sites: Sequence[str] | None = None,
                    n: int = 1000, seed: int = 0,
                    tasks_file: str | os.PathLike[str] | None = None) -> list[dict[str, Any]]:
    """The tasks to train on: ``n`` sandbox train tasks (of ``sites``), or the task configs of
    ``tasks_file`` (WebArena JSON: a file or a folder; for ``WebArenaLite-v0`` without one,
    ``WEBARENA_LITE_CONFIG`` or the ``browsergym-webarenalite`` package's)."""
    if env == SANDBOX_ENV and tasks_file is None:
        return load_split("train", sites=sites, seed=seed, n=n)
    if tasks_file is None and env != LITE_ENV:
        raise ValueError(f"{env} needs --tasks FILE (WebArena task configs to train on)")
    path = webarena_lite_config_path(tasks_file) if env == LITE_ENV else Path(tasks_file)
    configs = [t.to_dict() for t in load_task_configs(path)]
    if sites:
        configs = [c for c in configs if set(c.get("sites") or []) <= set(sites)]
    if not configs:
        raise ValueError(f"no tasks in {path} for sites {sites}")
    return configs


LITE_TASKS_FILE = "lite_tasks.json"
"""The WebArena-Lite configs an RL run trains on, written to its output folder when they were
given as dicts (the env reads its tasks from a file)."""


def check_shared_sites(tasks: Sequence[Mapping[str, Any]], num_generations: int,
                       sites_reset: bool = False) -> None:
    """Refuse G > 1 rollouts of ``WebArenaLite-v0`` tasks that change site state, unless the
    user says that their sites reset.

    The G rollouts of a Lite task run at once on the user's one set of live sites: a rollout's
    writes (a posted comment, an edited product) change what the others see and how
    ``program_html`` scores them. The sandbox has no such problem (a tenant per rollout).

    Raises:
        ValueError: naming the tasks and what to do.
    """
    writers = tasks_changing_sites(tasks)
    if num_generations > 1 and writers and not sites_reset:
        shown = ", ".join(writers[:8]) + (f" and {len(writers) - 8} more" if len(writers) > 8 else "")
        raise ValueError(
            f"{LITE_ENV}: the num_generations={num_generations} rollouts of a task share your "
            f"live WebArena sites, and {len(writers)} train task(s) change what the sites hold "
            f"(require_reset or a program_html check: task ids {shown}); one rollout's writes "
            "would change what the others see and how they are scored. Train on tasks that "
            "only read, use --num-generations 1, or pass --sites-reset if your deployment "
            "resets (or isolates) the sites between the rollouts of a task.")


def train_rl(
    model: str | os.PathLike[str],
    output_dir: str | os.PathLike[str],
    *,
    config: MGRPOTrainerConfig | None = None,
    env: str = SANDBOX_ENV,
    sites: Sequence[str] | None = None,
    tasks: Sequence[Mapping[str, Any]] | None = None,
    tasks_file: str | os.PathLike[str] | None = None,
    lora: LoraSettings | None = None,
    seed: int = 0,
    progress_callback: TrainerCallback | None = None,
    **config_kwargs: Any,
) -> Path:
    """M-GRPO from ``model`` (a BC checkpoint for WebAgent-R1, a base model for R1-Zero); the
    trained model goes to ``output_dir`` and the path is returned.

    Args:
        model: ``"tiny"``, a Hugging Face name, or a local folder (a BC output).
        output_dir: where the model, the tokenizer, ``checkpoint-*`` folders, ``metrics.jsonl``
            (one line per step), ``rollouts.jsonl`` and ``r1_trainer.json`` go.
        config: the settings; None: :class:`MGRPOTrainerConfig` from ``config_kwargs``.
            ``config.resume_from_checkpoint`` resumes (a checkpoint folder, or ``"last"``).
        env: ``WebArenaSandbox-v0`` (default) or ``WebArenaLite-v0`` (the WebArena sites' URLs
            in the ``WA_*`` variables; G > 1 only on tasks that do not change site state,
            unless ``config.sites_reset``: :func:`check_shared_sites`).
        sites: train on tasks of these sites only.
        tasks: the train task configs (default: ``tasks_per_step * max_steps`` sandbox train
            tasks, at least 64; for ``WebArenaLite-v0``, those of ``tasks_file``).
        tasks_file: WebArena task configs (JSON) for ``WebArenaLite-v0`` (default:
            ``WEBARENA_LITE_CONFIG`` or the ``browsergym-webarenalite`` package's).
        lora: train a LoRA adapter instead of all weights.
        seed: the tiny preset's seed (for ``model="tiny"``).
        progress_callback: shown instead of transformers' progress display
            (:func:`r1_trainer.bc.use_progress_callback`).
        **config_kwargs: :class:`MGRPOTrainerConfig` fields (when ``config`` is None).
    """
    output = Path(output_dir)
    if config is None:
        config = MGRPOTrainerConfig(output_dir=str(output), **config_kwargs)
    elif config_kwargs:
        raise TypeError("give either config= or config fields as keyword arguments, not both")
    if env not in (SANDBOX_ENV, LITE_ENV):
        raise ValueError(f"unknown env {env!r}; use {SANDBOX_ENV} or {LITE_ENV}")
    name = os.fspath(model)
    start = run_settings(name)
    checkpoint = resolve_checkpoint(config.resume_from_checkpoint, output)
    if tasks is None:
        steps = config.max_steps if config.max_steps > 0 else 100
        tasks = train_tasks_for(env, sites=sites, n=max(64, config.tasks_per_step * steps),
                                seed=config.data_seed_sandbox, tasks_file=tasks_file)
    make_env = None
    if env == LITE_ENV:
        check_shared_sites(tasks, config.num_generations or 1, config.sites_reset)
        make_env = _lite_env_factory(tasks, output, config.max_episode_steps,
                                     env_placement(config))
    # fp32 master weights (bf16 autocast from the config): bf16 weights lose small updates.
    precision = training_precision(config.dtype, config.device)
    if precision.weights != torch.float32:
        logger.warning("training %s weights (dtype=%s): AdamW updates below a weight's %s "
                       "resolution are lost; dtype=auto trains fp32 weights", precision.weights,
                       config.dtype, precision.weights)
    # On the process's own device (under `accelerate launch`, GPU i for process i), after the
    # config: its TrainingArguments set up the distributed state (ZeRO-3 partitions the load).
    policy, tokenizer = load_model_and_tokenizer(name, seed=seed, device=config.device,
                                                 dtype=precision.weights, training=True)

    trainer = MGRPOTrainer(policy, config, tasks, processing_class=tokenizer,
                           peft_config=lora.to_peft() if lora is not None else None,
                           make_env=make_env)
    use_progress_callback(trainer, progress_callback)
    started = time.perf_counter()
    result = trainer.train(resume_from_checkpoint=checkpoint)
    seconds = time.perf_counter() - started
    trainer.save_model(str(output))
    if trainer.accelerator.is_main_process:
        tokenizer.save_pretrained(output)
        run = {
            "stage": "rl",
            "preset": TINY if is_tiny_preset(name) else start.get("preset"),
            "start_model": name,
            "start_stage": start.get("stage"),
            "env": env,
            "sites": list(sites) if sites else None,
            "train_tasks": len(tasks),
            "train_loss": result.training_loss,
            "train_seconds": round(seconds, 1),
            "resumed_from": checkpoint,
            "config": trainer.args.to_dict(),  # every field, thinking resolved by the trainer
            "lora": asdict(lora) if lora is not None else None,
        }
        write_run_record(output, run)
    return output


def env_placement(config: MGRPOTrainerConfig) -> dict[str, Any]:
    """Where the rollouts' envs run: the vector env factories' ``num_browsers``,
    ``num_workers`` and ``ray_address`` from the config."""
    return {"num_browsers": config.num_browsers, "num_workers": config.num_env_workers,
            "ray_address": config.ray_address}


def _lite_env_factory(tasks: Sequence[Mapping[str, Any]], output: Path,
                      max_episode_steps: int, placement: Mapping[str, Any]
                      ) -> Callable[[int], WebArenaVectorEnv]:
    """``n -> WebArenaLite-v0`` vector env over ``tasks`` (written to the run's
    :data:`LITE_TASKS_FILE`, which the env reads; the ``WA_*`` variables give the sites)."""
    path = output / LITE_TASKS_FILE
    output.mkdir(parents=True, exist_ok=True)
    # every process writes the same file: a private file, then an atomic rename
    private = output / f".{LITE_TASKS_FILE}.{os.getpid()}"
    private.write_text(json.dumps([dict(t) for t in tasks], indent=1) + "\n")
    os.replace(private, path)
    ids = [t["task_id"] for t in tasks]

    def make_env(n: int) -> WebArenaVectorEnv:
        return make_lite_vector_env(n, config_path=path, task_ids=ids,
                                    max_episode_steps=max_episode_steps, **placement)

    return make_env
