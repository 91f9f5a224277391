"""Training precision: fp32 master weights with bf16 autocast, not bf16 weights (issue 15, 2.3)."""

from __future__ import annotations

import pytest

pytest.importorskip("torch")
pytest.importorskip("trl")

import torch  # noqa: E402

from r1_trainer.models import (  # noqa: E402
    Precision,
    load_model_and_tokenizer,
    resolve_dtype,
    training_precision,
)


@pytest.fixture
def bf16_gpu(monkeypatch):
    """A simulated CUDA device with bf16 support (the dtype resolution asks torch.cuda)."""
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda *a, **k: True)
    return torch.device("cuda")


def test_training_on_a_bf16_gpu_loads_fp32_weights_with_bf16_autocast(bf16_gpu):
    assert training_precision("auto", bf16_gpu) == Precision(torch.float32, bf16=True)
    assert training_precision("auto") == Precision(torch.float32, bf16=True)  # the default device
    assert resolve_dtype("auto", bf16_gpu, training=True) is torch.float32
    # Inference-only paths (eval, HFPolicy) may load bf16 weights there.
    assert resolve_dtype("auto", bf16_gpu) is torch.bfloat16
    # Asked for, bf16 weights are trained as bf16; fp16 weights get no autocast.
    assert training_precision("bfloat16", bf16_gpu) == Precision(torch.bfloat16, bf16=True)
    assert training_precision("float16", bf16_gpu) == Precision(torch.float16, bf16=False)


def test_training_on_the_cpu_is_fp32_without_autocast():
    assert training_precision("auto", "cpu") == Precision(torch.float32, bf16=False)
    with pytest.raises(ValueError, match="unknown dtype 'half'.*bfloat16"):
        training_precision("half", "cpu")


def test_the_rl_config_turns_on_the_autocast_training_precision_says(tmp_path, monkeypatch):
    import r1_trainer.trainer as trainer_module

    asked = []

    def precision(dtype, device=None):
        asked.append(dtype)
        return Precision(torch.float32, bf16=True)

    monkeypatch.setattr(trainer_module, "training_precision", precision)
    config = trainer_module.MGRPOTrainerConfig(output_dir=str(tmp_path), tasks_per_step=1,
                                               use_cpu=True)
    assert config.bf16 is True and config.dtype == "auto" and asked == ["auto"]
    explicit = trainer_module.MGRPOTrainerConfig(output_dir=str(tmp_path), tasks_per_step=1,
                                                 use_cpu=True, bf16=False)
    assert explicit.bf16 is False


def _changed_fraction(dtype: str) -> float:
    """Fraction of the tiny model's weights that one AdamW step at lr 1e-6 changes, the model
    loaded for training in ``dtype``."""
    torch.manual_seed(0)
    model, tokenizer = load_model_and_tokenizer("tiny", device="cpu", training=True,
                                                dtype=training_precision(dtype, "cpu").weights)
    model.train()
    before = [p.detach().clone() for p in model.parameters()]
    ids = tokenizer(["<think>I click.</think><answer>do(action=\"Click\", element=\"3\")"
                     "</answer>"] * 2, return_tensors="pt").input_ids
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-6)
    model(input_ids=ids, labels=ids).loss.backward()
    optimizer.step()
    changed = sum(int((p.detach() != b).sum()) for p, b in zip(model.parameters(), before, strict=True))
    return changed / sum(b.numel() for b in before)


def test_one_adamw_step_at_lr_1e6_moves_fp32_weights_and_loses_bf16_ones():
    """The H200 measurement, on the CPU: fp32 master weights take (nearly) every update; in
    bf16 an update of 1e-6 is below the weights' resolution and most are lost."""
    fp32 = _changed_fraction("auto")
    bf16 = _changed_fraction("bfloat16")
    assert fp32 > 0.99, fp32
    assert bf16 < 0.2, bf16
