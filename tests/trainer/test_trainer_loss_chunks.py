"""The M-GRPO loss of a micro-batch in row chunks; when π_old is recomputed; checkpointing."""

from __future__ import annotations

import random

import pytest

pytest.importorskip("torch")
pytest.importorskip("trl")

import torch  # noqa: E402

from r1_trainer.models import load_model_and_tokenizer  # noqa: E402
from r1_trainer.rollout import ActionRow  # noqa: E402
from r1_trainer.trainer import (  # noqa: E402
    MGRPOTrainer,
    MGRPOTrainerConfig,
    needs_recomputed_old_logps,
    resolve_gradient_checkpointing,
)


def _trainer(tmp_path, **config):
    model, tokenizer = load_model_and_tokenizer("tiny")
    args = MGRPOTrainerConfig(output_dir=str(tmp_path), num_generations=2, tasks_per_step=1,
                              report_to="none", disable_tqdm=True, log_rollouts=False,
                              save_strategy="no", **config)
    return MGRPOTrainer(model, args, [{"task_id": "t0", "intent": "x"}],
                        processing_class=tokenizer, make_env=lambda n: None)


def _rows(seed=0):
    """Two groups of two trajectories, 1-3 actions each, prompts and completions of uneven
    lengths; π_old and π_ref drawn around the policy's own log-probs (some ratios clip)."""
    rng = random.Random(seed)
    rows = []
    for group in range(2):
        for g in range(2):
            traj = group * 2 + g
            advantage = 1.0 if g == 0 else -1.0
            for turn in range(1 + (traj % 3)):
                prompt = [rng.randrange(5, 4000) for _ in range(rng.randrange(6, 40))]
                completion = [rng.randrange(5, 4000) for _ in range(rng.randrange(1, 9))]
                rows.append(ActionRow(prompt, completion, [], traj, group, advantage, turn))
    return rows


@pytest.fixture(scope="module")
def trainer(tmp_path_factory):
    torch.manual_seed(0)
    trainer = _trainer(tmp_path_factory.mktemp("chunks"), beta=0.04, epsilon=0.2)
    trainer.model.train()
    return trainer


def _inputs(trainer, rows):
    with torch.no_grad():
        own = trainer._row_logps_lists(trainer.model, rows)
    noise = torch.Generator().manual_seed(1)

    def near(values):
        return [[v + 0.3 * float(torch.randn(1, generator=noise)) for v in row] for row in values]

    return {"rows": rows, "old_logps": near(own), "ref_logps": near(own), "group_fraction": 0.5}


def _loss_and_grads(trainer, inputs, rows_per_micro_batch):
    trainer.args.rows_per_micro_batch = rows_per_micro_batch
    trainer.model.zero_grad(set_to_none=True)
    loss = trainer.compute_loss(trainer.model, inputs)
    trainer.accelerator.backward(loss)
    grads = {n: p.grad.detach().clone() for n, p in trainer.model.named_parameters()
             if p.grad is not None}
    return float(loss.detach()), grads


def test_chunked_loss_and_gradient_equal_the_one_pass_ones(trainer):
    """The loss of a micro-batch summed over row chunks (backward per chunk) equals the loss
    in one pass, and so does the gradient, to 1e-6, for any chunk size; each chunk is one
    forward pass."""
    rows = _rows()
    inputs = _inputs(trainer, rows)
    one_loss, one_grads = _loss_and_grads(trainer, inputs, 0)
    assert one_grads and abs(one_loss) > 1e-4
    forwards = []
    hook = trainer.model.register_forward_pre_hook(lambda *a: forwards.append(1))
    try:
        for size in (1, 3, len(rows) - 1):
            forwards.clear()
            loss, grads = _loss_and_grads(trainer, inputs, size)
            assert len(forwards) == -(-len(rows) // size)
            assert loss == pytest.approx(one_loss, abs=1e-6)
            assert grads.keys() == one_grads.keys()
            for name, grad in grads.items():
                torch.testing.assert_close(grad, one_grads[name], atol=1e-6, rtol=0)
    finally:
        hook.remove()


def test_no_gradient_log_probs_run_logprob_batch_size_rows_per_pass(trainer):
    rows = _rows()
    forwards = []
    hook = trainer.model.register_forward_pre_hook(lambda *a: forwards.append(1))
    try:
        trainer.args.logprob_batch_size = 4
        with torch.no_grad():
            values = trainer._row_logps_lists(trainer.model, rows)
    finally:
        hook.remove()
        trainer.args.logprob_batch_size = 8
    assert len(forwards) == -(-len(rows) // 4)
    assert [len(v) for v in values] == [len(r.completion_ids) for r in rows]


def test_old_logps_are_recomputed_when_generation_ran_elsewhere():
    """Auto (None): recompute for vLLM or a generation precision other than training's;
    an explicit setting wins."""
    fp32, bf16 = torch.float32, torch.bfloat16
    assert not needs_recomputed_old_logps(None, use_vllm=False, generation_dtype=fp32,
                                          training_dtype=fp32)
    assert needs_recomputed_old_logps(None, use_vllm=True, generation_dtype=fp32,
                                      training_dtype=fp32)
    assert needs_recomputed_old_logps(None, use_vllm=False, generation_dtype=fp32,
                                      training_dtype=bf16)
    assert not needs_recomputed_old_logps(False, use_vllm=True, generation_dtype=fp32,
                                          training_dtype=bf16)
    assert needs_recomputed_old_logps(True, use_vllm=False, generation_dtype=fp32,
                                      training_dtype=fp32)


def test_trainer_decides_old_logps_from_its_precision(tmp_path):
    """fp32 weights: generation and training agree, π_old is generation's; bf16 autocast over
    fp32 weights (HF generation runs without it): π_old is recomputed."""
    assert MGRPOTrainerConfig(output_dir=str(tmp_path)).recompute_old_logps is None
    assert not _trainer(tmp_path / "fp32").recompute_old_logps()
    mixed = _trainer(tmp_path / "bf16", bf16=True, use_cpu=True)
    assert mixed.accelerator.mixed_precision == "bf16"
    assert mixed.recompute_old_logps()
    assert not _trainer(tmp_path / "off", bf16=True, use_cpu=True,
                        recompute_old_logps=False).recompute_old_logps()


def test_gradient_checkpointing_is_on_for_real_models_only(tmp_path):
    tiny, _ = load_model_and_tokenizer("tiny")
    config = MGRPOTrainerConfig(output_dir=str(tmp_path))
    assert not resolve_gradient_checkpointing(config, tiny)
    big = torch.nn.Linear(5000, 5000)  # 25M parameters, as a real model has more
    config = MGRPOTrainerConfig(output_dir=str(tmp_path))
    assert resolve_gradient_checkpointing(config, big) and config.gradient_checkpointing
    config = MGRPOTrainerConfig(output_dir=str(tmp_path), gradient_checkpointing=False)
    assert not resolve_gradient_checkpointing(config, big)
    trainer = _trainer(tmp_path / "t")
    assert trainer.args.gradient_checkpointing is False


def test_config_checks_the_batch_sizes(tmp_path):
    with pytest.raises(ValueError, match="rows_per_micro_batch=-1"):
        MGRPOTrainerConfig(output_dir=str(tmp_path), rows_per_micro_batch=-1)
    with pytest.raises(ValueError, match="logprob_batch_size=0"):
        MGRPOTrainerConfig(output_dir=str(tmp_path), logprob_batch_size=0)
