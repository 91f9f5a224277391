"""Generation keeps the sampled ids and their log-probs aligned with the prompt; HFPolicy answers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("transformers")

from r1_trainer.data import fit_prompt  # noqa: E402
from r1_trainer.generation import (  # noqa: E402
    HFGenerator,
    SamplingSettings,
    completion_logprobs,
    cut_at_eos,
)
from r1_trainer.models import load_model_and_tokenizer  # noqa: E402
from webarena_gym.prompting import build_messages  # noqa: E402

DEMOS = Path(__file__).parent.parent / "data" / "oracle_demos.jsonl"


@pytest.fixture(scope="module")
def tiny():
    model, tokenizer = load_model_and_tokenizer("tiny", device="cpu")
    return model.eval(), tokenizer


@pytest.fixture(scope="module")
def prompts():
    trajectory = json.loads(DEMOS.read_text().splitlines()[0])
    observations = [s["observation"] for s in trajectory["steps"]]
    responses = [s["response"] for s in trajectory["steps"]]
    return [build_messages(observations[: j + 1], responses[:j]) for j in range(3)]


@pytest.mark.parametrize("temperature, top_p", [(1.0, 1.0), (0.7, 0.9)])
def test_logprobs_match_a_forward_pass_over_the_sampled_ids(tiny, prompts, temperature, top_p):
    model, tokenizer = tiny
    generator = HFGenerator(model, tokenizer, max_prompt_tokens=200)
    torch.manual_seed(0)
    generations = generator.generate(prompts, SamplingSettings(temperature=temperature,
                                                               top_p=top_p, max_new_tokens=12))
    assert len(generations) == 3
    # prompts of different lengths (left padding in the batch) start where their template ends
    assert len({len(g.prompt_ids) for g in generations}) > 1
    for messages, g in zip(prompts, generations, strict=True):
        expected = tokenizer.apply_chat_template(fit_prompt(messages, tokenizer, 200),
                                                 add_generation_prompt=True, tokenize=True,
                                                 return_dict=True)["input_ids"]
        assert g.prompt_ids == list(expected)
        assert 0 < len(g.completion_ids) == len(g.logprobs) <= 12
        assert g.text == tokenizer.decode(g.completion_ids, skip_special_tokens=True)
    with torch.no_grad():
        logps, mask = completion_logprobs(
            model, [g.prompt_ids for g in generations], [g.completion_ids for g in generations],
            temperature=temperature, pad_token_id=tokenizer.pad_token_id)
    for row, g in enumerate(generations):
        n = len(g.completion_ids)
        assert mask[row].sum().item() == n
        assert logps[row, :n].tolist() == pytest.approx(g.logprobs, abs=1e-4)


def test_greedy_is_deterministic(tiny, prompts):
    model, tokenizer = tiny
    generator = HFGenerator(model, tokenizer, max_prompt_tokens=200)
    first = generator.generate(prompts[:2], temperature=0.0, max_new_tokens=6)
    second = generator.generate(prompts[:2], temperature=0.0, max_new_tokens=6)
    assert [g.completion_ids for g in first] == [g.completion_ids for g in second]


def test_completion_ends_at_the_first_eos():
    assert cut_at_eos([5, 6, 2, 0, 0], [2]) == ([5, 6, 2], True)
    assert cut_at_eos([5, 6, 7], [2, 9]) == ([5, 6, 7], False)


def test_hf_policy_answers_one_text_per_prompt(prompts):
    from r1_trainer.hf_policy import HFPolicy
    from r1_trainer.policies import HFPolicy as lazy_hf_policy
    from r1_trainer.policies import Policy

    policy = lazy_hf_policy("tiny", max_new_tokens=8, temperature=1.0, device="cpu")
    assert isinstance(policy, HFPolicy) and isinstance(policy, Policy)
    assert policy.name == "hf:tiny" and policy.thinking
    responses = policy.respond(prompts[:2])
    assert len(responses) == 2 and all(isinstance(r, str) for r in responses)
    assert [g.text for g in policy.last_generations] == responses
    assert policy.respond([]) == []
