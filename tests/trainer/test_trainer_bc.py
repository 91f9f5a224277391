"""Behaviour cloning of the tiny model on real oracle demos: it runs, saves, logs, learns."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("trl")

from r1_trainer.bc import BCConfig, train_bc  # noqa: E402
from r1_trainer.models import LoraSettings, load_model_and_tokenizer  # noqa: E402

DEMOS = Path(__file__).parent.parent / "data" / "oracle_demos.jsonl"
# A few short steps: prompts cut to 256 tokens keep it to seconds on a CPU.
QUICK = dict(max_steps=4, max_rows=8, per_device_train_batch_size=2, max_prompt_tokens=256,
             logging_steps=1)


def _weights(model) -> dict[str, torch.Tensor]:
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


def test_bc_trains_saves_and_logs(tmp_path):
    before = _weights(load_model_and_tokenizer("tiny")[0])
    path = train_bc("tiny", DEMOS, tmp_path / "bc", config=BCConfig(**QUICK), disable_tqdm=True)

    assert path == tmp_path / "bc"
    for name in ("config.json", "model.safetensors", "tokenizer.json", "metrics.jsonl",
                 "r1_trainer.json"):
        assert (path / name).is_file(), name
    metrics = [json.loads(line) for line in (path / "metrics.jsonl").read_text().splitlines()]
    losses = [m["loss"] for m in metrics if "loss" in m]
    assert len(losses) == 4 and all(loss > 0 for loss in losses)
    run = json.loads((path / "r1_trainer.json").read_text())
    assert run["stage"] == "bc" and run["preset"] == "tiny" and run["rows"] == 8

    model, tokenizer = load_model_and_tokenizer(path)
    after = _weights(model)
    assert after.keys() == before.keys()
    assert any(not torch.equal(before[k], after[k]) for k in before)
    assert tokenizer.chat_template and tokenizer.eos_token == "<|im_end|>"


def test_bc_with_lora_saves_a_merged_model(tmp_path):
    config = BCConfig(**QUICK | {"max_steps": 2}, learning_rate=1e-2)
    path = train_bc("tiny", DEMOS, tmp_path / "lora", config=config,
                    lora=LoraSettings(r=4, alpha=8), disable_tqdm=True)
    assert not (path / "adapter_config.json").exists()  # merged into the weights
    model, _ = load_model_and_tokenizer(path)
    base = load_model_and_tokenizer("tiny")[0]
    changed = [k for k, v in model.state_dict().items()
               if not torch.equal(v, base.state_dict()[k])]
    assert changed and all("proj" in k for k in changed)  # only the adapted linear layers


def test_bc_can_keep_the_adapter_apart(tmp_path):
    config = BCConfig(**QUICK | {"max_steps": 1}, merge_lora=False)
    path = train_bc("tiny", DEMOS, tmp_path / "adapter", config=config, lora=LoraSettings(r=4),
                    disable_tqdm=True)
    assert (path / "adapter_config.json").is_file()
    model, _ = load_model_and_tokenizer(path)  # base model + adapter
    assert type(model).__name__.startswith("Peft")


def test_completion_only_loss_is_trls_loss(tmp_path, monkeypatch):
    # On a CPU our trainer projects only the completion positions; the numbers must be TRL's.
    import r1_trainer.bc as bc

    def run(folder: str) -> list[dict]:
        path = train_bc("tiny", DEMOS, tmp_path / folder, config=BCConfig(**QUICK),
                        disable_tqdm=True)
        return [json.loads(line) for line in (path / "metrics.jsonl").read_text().splitlines()]

    ours = run("ours")
    monkeypatch.setattr(bc, "CompletionOnlySFTTrainer", bc.SFTTrainer)
    theirs = run("trl")
    keys = ("loss", "entropy", "mean_token_accuracy", "num_tokens")
    steps = [m for m in ours if "loss" in m]
    assert len(steps) == 4
    for mine, trl in zip(steps, [m for m in theirs if "loss" in m], strict=True):
        for key in keys:
            assert mine[key] == pytest.approx(trl[key], rel=1e-4), key


def test_tiny_tokenizer_keeps_numbers_in_groups_of_three():
    _, tokenizer = load_model_and_tokenizer("tiny")

    def pieces(text: str) -> list[str]:
        return [tokenizer.decode([i]) for i in tokenizer(text)["input_ids"]]

    assert pieces("#000002865")[-3:] == ["000", "002", "865"]  # no run of one repeated token
    assert pieces('element="14"') == ['element="', "14", '"']
    assert pieces("<think>") == ["<think>"]


def test_bc_resumes_from_a_checkpoint_and_appends_its_metrics(tmp_path):
    out = tmp_path / "bc"
    quick = dict(QUICK, max_steps=2)
    train_bc("tiny", DEMOS, out, config=BCConfig(**quick), disable_tqdm=True,
             save_strategy="steps", save_steps=2)
    resumed = dict(QUICK, max_steps=3, resume_from_checkpoint="last")
    train_bc("tiny", DEMOS, out, config=BCConfig(**resumed), disable_tqdm=True)
    metrics = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    assert [m["step"] for m in metrics if "loss" in m] == [1, 2, 3]
