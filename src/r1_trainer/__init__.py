"""r1_trainer: behaviour cloning and M-GRPO for web agents (extra ``[train]``).

Modules: :mod:`~r1_trainer.models` (any HF causal LM, LoRA, the offline ``tiny`` preset),
:mod:`~r1_trainer.data` (trajectories -> prompt/completion rows), :mod:`~r1_trainer.bc`
(behaviour cloning on TRL's SFTTrainer), :mod:`~r1_trainer.mgrpo` (the M-GRPO loss),
:mod:`~r1_trainer.generation` (sampling with token ids and log-probs),
:mod:`~r1_trainer.hf_policy` and :mod:`~r1_trainer.policies` (policies for evaluation),
:mod:`~r1_trainer.runs` (a run's record and logs, resuming from a checkpoint),
:mod:`~r1_trainer.config` (the settings of each ``r1-train`` command, from which its flags are
generated).

What users construct: the trainers (:class:`~r1_trainer.bc.CompletionOnlySFTTrainer` through
:func:`~r1_trainer.bc.train_bc`, :class:`~r1_trainer.trainer.MGRPOTrainer` through
:func:`~r1_trainer.trainer.train_rl`), their TRL configs (``BCConfig``, ``MGRPOTrainerConfig``),
the command settings (``BCArguments``, ``RLArguments``, ``LoraArguments``, ``EvalArguments``),
the models, the policies and the M-GRPO loss.

Importing the package imports no torch: the names below load their module on first use.
"""

from __future__ import annotations

import importlib
from typing import Any

_LAZY = {
    "LoraSettings": "r1_trainer.models",
    "load_model_and_tokenizer": "r1_trainer.models",
    "load_bc_dataset": "r1_trainer.data",
    "BCConfig": "r1_trainer.bc",
    "CompletionOnlySFTTrainer": "r1_trainer.bc",
    "train_bc": "r1_trainer.bc",
    "MGRPOTrainer": "r1_trainer.trainer",
    "MGRPOTrainerConfig": "r1_trainer.trainer",
    "train_rl": "r1_trainer.trainer",
    "BCArguments": "r1_trainer.config",
    "RLArguments": "r1_trainer.config",
    "LoraArguments": "r1_trainer.config",
    "EvalArguments": "r1_trainer.config",
    "group_advantages": "r1_trainer.mgrpo",
    "mgrpo_loss": "r1_trainer.mgrpo",
    "HFGenerator": "r1_trainer.generation",
    "SamplingSettings": "r1_trainer.generation",
    "HFPolicy": "r1_trainer.hf_policy",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'r1_trainer' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
