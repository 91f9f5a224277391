"""Behaviour cloning on expert trajectories with TRL's ``SFTTrainer`` (DESIGN 4.2).

Each step of a successful trajectory is a conversational prompt/completion row
(:mod:`r1_trainer.data`); ``SFTTrainer`` with ``completion_only_loss`` puts the loss on the
completion only: the action message's tokens and its end-of-turn token, never the prompt.
LoRA is optional (a PEFT adapter, merged into the saved model by default). :class:`BCConfig` is
an ``SFTConfig``: every ``SFTConfig`` / ``TrainingArguments`` field works as in TRL, and
``r1-train bc`` takes each of them as a flag.

Example::

    from r1_trainer.bc import BCConfig, train_bc
    path = train_bc("tiny", "demos.jsonl", "runs/bc", config=BCConfig(num_train_epochs=3))
    # runs/bc: the model and tokenizer (load with load_model_and_tokenizer(path)), metrics.jsonl
"""

from __future__ import annotations

import dataclasses
import json
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from r1_trainer.config import help_from_docstring
from r1_trainer.data import load_bc_dataset
from r1_trainer.models import (
    BC_LEARNING_RATE,
    BC_LEARNING_RATE_TINY,
    DTYPE_NAMES,
    TINY,
    LoraSettings,
    context_budget,
    default_gradient_checkpointing,
    is_tiny_preset,
    load_model_and_tokenizer,
    missing_train_extra,
    prompt_budget,
    require_train_extra,
    resolve_device,
    training_precision,
)
from r1_trainer.runs import METRICS_FILE, resolve_checkpoint, resume_jsonl, write_run_record

try:
    import torch
    from datasets import Dataset
    from transformers import PrinterCallback, ProgressCallback, TrainerCallback
    from transformers.trainer import DEFAULT_PROGRESS_CALLBACK
    from transformers.trainer_utils import SaveStrategy
    from trl import SFTConfig, SFTTrainer
except ImportError as _exc:
    raise missing_train_extra(_exc) from _exc

if TYPE_CHECKING:
    from transformers import PreTrainedModel, PreTrainedTokenizerBase


@help_from_docstring
@dataclass
class BCConfig(SFTConfig):
    """TRL's ``SFTConfig`` with behaviour cloning's data settings and defaults.

    Every ``SFTConfig`` / ``TrainingArguments`` field works as in TRL; the defaults that differ
    are the ones below (and ``per_device_train_batch_size=4``, ``warmup_steps=0.05``,
    ``logging_steps=5``, ``seed=0``, ``save_strategy="no"``: only the final model is saved).
    ``output_dir`` is :func:`train_bc`'s argument.

    Attributes:
        thinking: train the ``<think>..</think><answer>..</answer>`` format (and prompt), or
            the action alone.
        only_successful: train on trajectories with reward 1 only (``--all-trajectories``: also
            imitate failed ones).
        max_rows: cap on the number of rows (steps) used.
        max_prompt_tokens: the prompt budget (longer prompts lose the end of their current
            page); None: :func:`r1_trainer.models.prompt_budget` (3/4 of the model's context).
        merge_lora: save a LoRA adapter merged into the model (loads like any model); False
            saves the adapter alone.
        dtype: the weights' dtype: ``auto`` trains fp32 weights, with bf16 autocast on a GPU
            that supports it (:func:`r1_trainer.models.training_precision`); ``bfloat16``
            trains bf16 weights (less memory; small updates are lost).
        max_length: tokens per row, prompt and completion; None: the model's context budget
            (:func:`r1_trainer.models.context_budget`; prompts fill at most 3/4 of it).
        completion_only_loss: the loss on the completion (the action) only, never the prompt.
        bf16: bf16 autocast over fp32 weights; None: where ``dtype`` and the device allow it.
        gradient_checkpointing: recompute activations in the backward pass; None: on for a GPU
            run (unless FSDP checkpoints activations itself), off on a CPU (it only costs time).
        activation_checkpointing: the new name of ``gradient_checkpointing`` in transformers;
            None: as ``gradient_checkpointing``.
    """

    thinking: bool = True
    only_successful: bool = True
    max_rows: int | None = None
    max_prompt_tokens: int | None = None
    merge_lora: bool = True
    dtype: str = field(default="auto", metadata={"choices": DTYPE_NAMES})
    learning_rate: float | None = field(default=None, metadata={"help": (
        f"the optimizer's learning rate; None: {BC_LEARNING_RATE_TINY:g} for the tiny preset "
        f"(random weights), {BC_LEARNING_RATE:g} otherwise")})
    max_length: int | None = None
    per_device_train_batch_size: int = 4
    warmup_steps: float = 0.05
    logging_steps: float = 5
    seed: int = 0
    save_strategy: SaveStrategy | str = "no"
    completion_only_loss: bool | None = True
    bf16: bool | None = None
    gradient_checkpointing: bool | None = None
    activation_checkpointing: bool | None = None

    def __post_init__(self) -> None:
        # as the model is loaded: on the CPU when there is no CUDA GPU (resolve_device)
        self.use_cpu = self.use_cpu or not torch.cuda.is_available()
        if self.bf16 is None:  # before TRL's default (bf16 unless fp16) applies
            self.bf16 = training_precision(self.dtype, "cpu" if self.use_cpu else None).bf16
        checkpointing = self.activation_checkpointing
        if checkpointing is None:
            checkpointing = self.gradient_checkpointing
        if checkpointing is None:
            checkpointing = default_gradient_checkpointing()
        self.activation_checkpointing = self.gradient_checkpointing = checkpointing
        super().__post_init__()


def train_bc(
    model: str | os.PathLike[str] | PreTrainedModel,
    demos: str | os.PathLike[str] | Iterable[str | os.PathLike[str]] | Dataset,
    output_dir: str | os.PathLike[str],
    *,
    tokenizer: PreTrainedTokenizerBase | None = None,
    config: BCConfig | None = None,
    lora: LoraSettings | None = None,
    progress_callback: TrainerCallback | None = None,
    **sft_kwargs: Any,
) -> Path:
    """Behaviour-clone ``model`` on ``demos``; save it to ``output_dir`` and return that path.

    Args:
        model: ``"tiny"``, a Hugging Face name, a local folder, or a loaded model (then give
            ``tokenizer``).
        demos: trajectory JSONL file(s) from ``webarena-gym demos``, or a dataset of rows from
            :func:`r1_trainer.data.load_bc_dataset`.
        output_dir: where the model, the tokenizer, ``metrics.jsonl`` (one JSON object per
            logging step: loss, learning rate, token accuracy, ...), ``checkpoint-*`` folders
            and ``r1_trainer.json`` (the run's full config, versions and commit) go.
        tokenizer: the tokenizer of a loaded ``model``.
        config: the BC settings (defaults: :class:`BCConfig`); ``config.resume_from_checkpoint``
            resumes (a checkpoint folder, or ``"last"``).
        lora: train a LoRA adapter instead of all weights (merged on save unless
            ``config.merge_lora`` is False).
        progress_callback: shown instead of transformers' progress display
            (:func:`use_progress_callback`).
        **sft_kwargs: ``BCConfig`` fields, over ``config``'s.

    Returns:
        ``output_dir``, loadable with :func:`r1_trainer.models.load_model_and_tokenizer`.
    """
    require_train_extra()
    config = config or BCConfig()
    output = Path(output_dir)
    output.mkdir(parents=True, exist_ok=True)
    name = os.fspath(model) if isinstance(model, (str, os.PathLike)) else None
    tiny = is_tiny_preset(name)
    device = resolve_device(None)
    precision = training_precision(config.dtype, device)
    if name is not None:
        model, tokenizer = load_model_and_tokenizer(name, seed=config.seed, dtype=precision.weights,
                                                    device=device, training=True)
    elif tokenizer is None:
        raise ValueError("train_bc got a loaded model without its tokenizer: pass tokenizer=")

    max_prompt = config.max_prompt_tokens
    if max_prompt is None:
        max_prompt = prompt_budget(tokenizer, model)
    if isinstance(demos, Dataset):
        dataset = demos
    else:
        dataset = load_bc_dataset(demos, thinking=config.thinking,
                                  only_successful=config.only_successful, max_rows=config.max_rows,
                                  tokenizer=tokenizer, max_prompt_tokens=max_prompt)

    # the settings left to the model (None) resolved; the caller's config is not changed
    resolved: dict[str, Any] = {"output_dir": str(output)}
    if config.learning_rate is None:
        resolved["learning_rate"] = BC_LEARNING_RATE_TINY if tiny else BC_LEARNING_RATE
    if config.max_length is None:  # prompts fit 3/4 of it: completions are not cut (unless longer)
        resolved["max_length"] = context_budget(tokenizer, model)
    args = dataclasses.replace(config, **{**resolved, **sft_kwargs})
    peft_config = lora.to_peft() if lora is not None else None
    trainer = CompletionOnlySFTTrainer(
        model=model,
        args=args,
        train_dataset=dataset,
        processing_class=tokenizer,
        peft_config=peft_config,
        callbacks=[MetricsLogger(output / METRICS_FILE)],
    )
    use_progress_callback(trainer, progress_callback)
    started = time.perf_counter()
    result = trainer.train(resume_from_checkpoint=resolve_checkpoint(
        trainer.args.resume_from_checkpoint, output))
    seconds = time.perf_counter() - started

    trained = trainer.model
    if peft_config is not None and args.merge_lora:
        trained = trained.merge_and_unload()
    trained.save_pretrained(output)
    tokenizer.save_pretrained(output)
    run = {
        "stage": "bc",
        "base_model": name if name is not None else getattr(model.config, "_name_or_path", None),
        "preset": TINY if tiny else None,
        "rows": len(dataset),
        "train_loss": result.training_loss,
        "train_seconds": round(seconds, 1),
        "config": trainer.args.to_dict(),
        "lora": dataclasses.asdict(lora) if lora is not None else None,
    }
    write_run_record(output, run)
    return output


def use_progress_callback(trainer: Any, callback: TrainerCallback | None) -> None:
    """Show ``callback`` instead of transformers' progress display (its tqdm bar, or under
    ``disable_tqdm`` the log dicts it prints); None keeps transformers' own."""
    if callback is None:
        return
    for default in (PrinterCallback, ProgressCallback, DEFAULT_PROGRESS_CALLBACK):
        trainer.remove_callback(default)
    trainer.add_callback(callback)


class CompletionOnlySFTTrainer(SFTTrainer):
    """TRL's ``SFTTrainer``, with a loss that, on a CPU, projects only the completion positions.

    TRL's fused LM head scores only the positions with a label where Triton runs (GPUs); on
    other devices it scores every position of the prompt too. A BC row is a prompt of hundreds
    of tokens and an action of tens, so on a CPU most of that work is thrown away: this
    subclass asks the model for the logits of the completion positions alone
    (``logits_to_keep`` with a boolean mask) and computes the same loss, entropy and token
    accuracy from them. Anything else (GPUs, label smoothing, a ``compute_loss_func``, other
    loss types, MoE auxiliary losses) goes to TRL's own ``compute_loss``.
    """

    def compute_loss(self, model: Any, inputs: dict[str, Any], return_outputs: bool = False,
                     num_items_in_batch: Any = None) -> Any:
        """The mean negative log-likelihood of the completion tokens (TRL's own off a CPU)."""
        labels = inputs.get("labels")
        if (return_outputs or labels is None or self.args.device.type != "cpu"
                or self.compute_loss_func is not None or self.label_smoother is not None
                or self.aux_loss_enabled or self.args.loss_type != "nll"
                or "attention_mask" not in inputs or "shift_labels" in inputs):
            return super().compute_loss(model, inputs, return_outputs, num_items_in_batch)
        mode = "train" if model.training else "eval"
        targets = labels[:, 1:]
        keep = torch.zeros_like(labels, dtype=torch.bool)
        keep[:, :-1] = targets != -100  # the logits at p predict the token at p + 1
        forward = {k: v for k, v in inputs.items() if k != "labels"}
        logits = model(**forward, use_cache=False, logits_to_keep=keep).logits.float()
        logps = logits.reshape(-1, logits.shape[-1]).log_softmax(-1)  # (completion tokens, V)
        wanted = targets[keep[:, :-1]]
        token_logps = logps.gather(-1, wanted.unsqueeze(-1)).squeeze(-1)
        count = wanted.numel() if num_items_in_batch is None else num_items_in_batch
        loss = -token_logps.sum() / torch.as_tensor(count).clamp(min=1)
        if self.args.average_tokens_across_devices and num_items_in_batch is not None:
            loss = loss * (self.accelerator.num_processes // self.get_tp_size())
        with torch.no_grad():
            entropy = -(logps.exp() * logps).sum(-1)
            correct = logps.argmax(-1) == wanted
        gather = self.accelerator.gather_for_metrics
        valid = gather(torch.tensor(wanted.numel(), device=logps.device)).sum()
        entropy_sum = gather(entropy.sum()).sum()
        correct_sum = gather(correct.sum()).sum()
        metrics = self._metrics[mode]
        metrics["entropy"].append((entropy_sum / valid).item() if valid > 0 else 0.0)
        metrics["mean_token_accuracy"].append((correct_sum / valid).item() if valid > 0 else 0.0)
        if mode == "train":
            tokens = gather(inputs["attention_mask"].sum()).sum().item()
            self._total_train_tokens += tokens // self._tp_size
        metrics["num_tokens"] = [self._total_train_tokens]
        return loss


class MetricsLogger(TrainerCallback):
    """A ``TrainerCallback`` appending every log (``{"step": .., "epoch": .., **logs}``) to a JSONL.

    The main process writes. A fresh run starts the file empty; a run resumed from a checkpoint
    keeps the lines up to the checkpoint's step and appends after them (:func:`resume_jsonl`).
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)

    def on_train_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        """Start the file (``state`` holds the checkpoint's step when the run resumes)."""
        if state.is_world_process_zero:
            resume_jsonl(self.path, state.global_step)

    def on_log(self, args: Any, state: Any, control: Any, logs: dict[str, Any] | None = None,
               **kwargs: Any) -> None:
        """Append one line per log event of the trainer."""
        if not logs or not state.is_world_process_zero:
            return
        record = {"step": state.global_step, "epoch": state.epoch, **logs}
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(record, default=float) + "\n")
