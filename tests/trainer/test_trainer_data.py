"""Trajectories -> BC rows: prompts from build_messages, completions the actions, loss on them only.

``tests/data/oracle_demos.jsonl`` holds real oracle trajectories on sandbox test tasks, written
once with ``webarena_gym.sandbox.demonstrations.write_demos("test", path, sites=[site], n=...)``
for ``shopping`` (4) and ``shopping_admin`` (2).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("torch")
pytest.importorskip("trl")

from r1_trainer.data import (  # noqa: E402
    TRUNCATION_MARK,
    build_rows,
    fit_prompt,
    load_bc_dataset,
    prompt_token_count,
    read_trajectories,
)
from r1_trainer.models import load_model_and_tokenizer, load_tokenizer  # noqa: E402
from webarena_gym.actions import parse_action  # noqa: E402
from webarena_gym.prompting import PLACEHOLDER, build_messages, to_reply_format  # noqa: E402

DEMOS = Path(__file__).parent.parent / "data" / "oracle_demos.jsonl"


@pytest.fixture(scope="module")
def tokenizer():
    return load_tokenizer("tiny")


def test_one_row_per_step_with_the_shared_prompt_builder():
    trajectories = list(read_trajectories(DEMOS))
    dataset = load_bc_dataset(DEMOS, thinking=True)
    assert len(dataset) == sum(len(t["steps"]) for t in trajectories)
    row = dataset[2]  # the third step of the first trajectory
    steps = trajectories[0]["steps"]
    observations = [s["observation"] for s in steps]
    responses = [s["response"] for s in steps]
    assert row["task_id"] == trajectories[0]["task_id"] and row["step"] == 2
    assert row["prompt"] == build_messages(observations[:3], responses[:2], thinking=True)
    assert row["completion"] == [{"role": "assistant", "content": responses[2]}]
    assert row["completion"][0]["content"].startswith("<think>")
    pages = [m["content"] for m in row["prompt"] if m["role"] == "user"]
    assert [p.endswith(PLACEHOLDER) for p in pages] == [True, True, False]  # earlier pages compressed


def test_non_thinking_rows_train_the_action_alone():
    dataset = load_bc_dataset(DEMOS, thinking=False)
    first = next(read_trajectories(DEMOS))
    completion = dataset[0]["completion"][0]["content"]
    assert completion == to_reply_format(first["steps"][0]["response"], False)
    assert "<think>" not in completion and parse_action(completion)
    assert "Reply with exactly one action" in dataset[0]["prompt"][0]["content"]


def test_only_successful_trajectories_and_a_row_cap(tmp_path):
    lines = DEMOS.read_text().splitlines()
    failed = json.loads(lines[0]) | {"reward": 0.0}
    path = tmp_path / "mixed.jsonl"
    path.write_text(json.dumps(failed) + "\n" + lines[1] + "\n")
    steps = len(json.loads(lines[1])["steps"])
    assert len(load_bc_dataset(path)) == steps
    assert len(load_bc_dataset(path, only_successful=False)) == steps + len(failed["steps"])
    assert len(load_bc_dataset(path, only_successful=False, max_rows=3)) == 3
    with pytest.raises(ValueError, match="no successful steps"):
        load_bc_dataset(_write(tmp_path / "failed.jsonl", [failed]))


def _write(path: Path, trajectories: list[dict]) -> Path:
    path.write_text("".join(json.dumps(t) + "\n" for t in trajectories))
    return path


def test_missing_file_says_how_to_make_one(tmp_path):
    with pytest.raises(FileNotFoundError, match="webarena-gym demos"):
        load_bc_dataset(tmp_path / "nope.jsonl")


def test_fit_prompt_cuts_the_end_of_the_current_page_only(tokenizer):
    row = build_rows(read_trajectories(DEMOS))[2]
    prompt = row["prompt"]
    full = prompt_token_count(prompt, tokenizer)
    budget = full - 200
    fitted = fit_prompt(prompt, tokenizer, budget)
    assert prompt_token_count(fitted, tokenizer) <= budget
    assert fitted[:-1] == prompt[:-1]  # system prompt, task and history untouched
    page = prompt[-1]["content"].partition("Page:\n")[2]
    cut = fitted[-1]["content"].partition("Page:\n")[2]
    assert cut.endswith(TRUNCATION_MARK)
    kept = cut.removesuffix(TRUNCATION_MARK)
    assert page.startswith(kept) and len(kept) > len(page) // 3 and kept.endswith(">")
    assert fit_prompt(prompt, tokenizer, full) == prompt
    assert fit_prompt(prompt, tokenizer, None) == prompt


def test_sft_loss_mask_covers_exactly_the_completion_tokens(tmp_path):
    """TRL's SFTTrainer puts labels on the action's tokens and its end-of-turn token, no more."""
    from trl import SFTConfig, SFTTrainer

    model, tokenizer = load_model_and_tokenizer("tiny")
    dataset = load_bc_dataset(DEMOS, max_rows=4, tokenizer=tokenizer, max_prompt_tokens=300)
    trainer = SFTTrainer(
        model=model, processing_class=tokenizer, train_dataset=dataset,
        args=SFTConfig(output_dir=str(tmp_path), completion_only_loss=True, max_length=None,
                       report_to="none", use_cpu=True, bf16=False),
    )
    prepared = trainer.train_dataset
    batch = trainer.data_collator([prepared[i] for i in range(len(prepared))])
    for i in range(len(dataset)):
        row = dataset[i]
        ids = prepared[i]["input_ids"]
        prompt_ids = tokenizer.apply_chat_template(row["prompt"], add_generation_prompt=True,
                                                   tokenize=True, return_dict=True)["input_ids"]
        completion = row["completion"][0]["content"]
        assert ids[: len(prompt_ids)] == prompt_ids
        labelled = [t for t, label in zip(ids, prepared[i]["labels"], strict=True) if label != -100]
        assert labelled == ids[len(prompt_ids):]  # every token after the prompt, and only those
        assert tokenizer.decode(labelled) == completion + tokenizer.eos_token
        collated = [t for t in batch["labels"][i].tolist() if t != -100]
        assert collated == labelled
