"""One process of a multi-process M-GRPO run with a fake env (no Chromium), for
tests/trainer/test_trainer_dist.py: ``torchrun --nproc_per_node 2 tests/trainer/trainer_dist_worker.py OUT_DIR``.

The policy is sharded with FSDP2 by transformers at load time (``DistributedConfig``), which
runs on gloo without a GPU (accelerate 1.16 turns ``--use_fsdp`` into plain DDP on CPUs).

Episodes are uneven across processes: process ``r`` ends every episode after ``1 + 3 r`` turns,
so its ranks hold different numbers of action rows. Each process counts the forward passes
of the policy outside generation (log-probs and the loss) and writes them, with the loss and
the number of optimizer steps, to ``OUT_DIR/rank{r}.json``.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import numpy as np
import torch
from torch.distributed.fsdp import FSDPModule
from transformers.distributed import DistributedConfig

from r1_trainer.models import load_model_and_tokenizer
from r1_trainer.trainer import MGRPOTrainer, MGRPOTrainerConfig


class UnevenEpisodes:
    """A vector env whose episodes end (``exit``) after ``turns`` steps; the first env of each
    group of ``g`` earns reward 1, so that advantages are not zero."""

    def __init__(self, num_envs: int, turns: int, g: int) -> None:
        self.num_envs, self.turns, self.g = num_envs, turns, g
        self.steps = [0] * num_envs
        self.done = np.zeros(num_envs, dtype=np.bool_)
        self.observations = [self._page(i) for i in range(num_envs)]

    def _page(self, i: int) -> dict[str, str]:
        return {"intent": "Buy the cheapest lamp", "url": "http://shop.test/",
                "html": f"<p>page {self.steps[i]} of env {i}</p>", "last_action_error": ""}

    def reset(self, seed: int | None = None, options: dict | None = None):
        self.steps = [0] * self.num_envs
        self.done[:] = False
        self.observations = [self._page(i) for i in range(self.num_envs)]
        return self.observations, {}

    def step(self, actions):
        rewards = np.zeros(self.num_envs)
        terminated = np.zeros(self.num_envs, dtype=np.bool_)
        for i, action in enumerate(actions):
            if action is None or self.done[i]:
                continue
            self.steps[i] += 1
            self.observations[i] = self._page(i)
            if self.steps[i] >= self.turns:
                terminated[i] = self.done[i] = True
                rewards[i] = 1.0 if i % self.g == 0 else 0.0
        return self.observations, rewards, terminated, np.zeros_like(terminated), {}

    def close(self) -> None:
        pass


def main(out: Path) -> None:
    """Two optimizer steps of 2 tasks (one per process) x G = 2 on uneven episodes."""
    torch.manual_seed(0)
    rank = int(os.environ.get("RANK", "0"))
    config = MGRPOTrainerConfig(
        output_dir=str(out / "run"), num_generations=2, tasks_per_step=2,
        tasks_per_micro_batch=1, max_episode_steps=4, max_completion_length=4, max_steps=2,
        learning_rate=1e-3, logprob_batch_size=1, rows_per_micro_batch=1, beta=0.04,
        recompute_old_logps=True,
        save_strategy="no", disable_tqdm=True, thinking=True, log_rollouts=False,
        report_to="none", use_cpu=True,
    )
    world = int(os.environ.get("WORLD_SIZE", "1"))
    model, tokenizer = load_model_and_tokenizer(
        "tiny", device="cpu", distributed_config=DistributedConfig(fsdp_size=world))
    tasks = [{"task_id": f"t{n}", "intent": "Buy the cheapest lamp"} for n in range(8)]
    forwards = {"count": 0}

    class Counting(MGRPOTrainer):
        def rollout(self, task_ids):
            self._in_rollout = True
            try:
                return super().rollout(task_ids)
            finally:
                self._in_rollout = False

    trainer = Counting(model, config, tasks, processing_class=tokenizer,
                       make_env=lambda n: UnevenEpisodes(n, 1 + 3 * rank, 2))

    def count(module, args, kwargs):
        if not getattr(trainer, "_in_rollout", False):
            forwards["count"] += 1

    model.register_forward_pre_hook(count, with_kwargs=True)
    result = trainer.train()
    (out / f"rank{rank}.json").write_text(json.dumps({
        "fsdp2": trainer.is_distributed_loading_by_transformers and isinstance(model, FSDPModule),
        "forwards": forwards["count"], "rows": len(trainer.last_rollout.rows),
        "steps": trainer.state.global_step, "loss": result.training_loss,
    }))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
