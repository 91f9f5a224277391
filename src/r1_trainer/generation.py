"""Sampling responses with their token ids and log-probs, for rollouts and policies.

A generator takes a batch of chat-message prompts (from
:func:`webarena_gym.prompting.build_messages`) and returns one :class:`Generation` per prompt:
the prompt's token ids (the chat template with the generation prompt), the sampled completion's
token ids (up to and including the first end-of-sequence token), the log-prob of each sampled
token, and the decoded text. The ids are the ones the model produced: nothing is re-tokenized
from text, so the M-GRPO ratio compares exactly the tokens that were sampled.

Log-probs are those of the temperature-scaled policy, ``log_softmax(logits / temperature)``,
before any top-k / top-p truncation: the distribution the trainer recomputes with
:func:`completion_logprobs` (at ``temperature=0``, greedy decoding, they are the ``T = 1``
log-probs).

Backends: :class:`HFGenerator` (``transformers`` ``generate``, CPU or GPU) and
:class:`VLLMGenerator` (vLLM, GPU); :func:`make_generator` picks vLLM when it is installed and
asked for.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from r1_trainer.data import fit_prompt
from r1_trainer.models import missing_train_extra, prompt_budget

try:
    import torch
    from transformers import (
        GenerationConfig,
        LogitsProcessor,
        LogitsProcessorList,
        TemperatureLogitsWarper,
        TopKLogitsWarper,
        TopPLogitsWarper,
    )
except ImportError as _exc:
    raise missing_train_extra(_exc) from _exc

if TYPE_CHECKING:
    from transformers import PreTrainedModel, PreTrainedTokenizerBase

Message = Mapping[str, str]


@dataclass
class SamplingSettings:
    """How to sample.

    Attributes:
        temperature: softmax temperature; 0 means greedy decoding.
        top_p: nucleus sampling (1.0: off).
        top_k: keep the k most likely tokens (0: off).
        max_new_tokens: the longest completion (the paper: 1024 tokens per turn).
    """

    temperature: float = 1.0
    top_p: float = 1.0
    top_k: int = 0
    max_new_tokens: int = 1024


@dataclass
class Generation:
    """One sampled completion.

    Attributes:
        prompt_ids: the prompt's token ids (the chat template with the generation prompt).
        completion_ids: the sampled ids, ending with the EOS token when ``finished``.
        logprobs: one log-prob per completion id, under ``log_softmax(logits / temperature)``.
        text: the completion decoded without special tokens.
        finished: whether it ended with an EOS token (False: cut at ``max_new_tokens``).
    """

    prompt_ids: list[int]
    completion_ids: list[int]
    logprobs: list[float]
    text: str
    finished: bool


def eos_token_ids(model: Any, tokenizer: PreTrainedTokenizerBase) -> list[int]:
    """Every id that ends a completion: the tokenizer's EOS and the generation config's."""
    ids: list[int] = []
    configured = getattr(getattr(model, "generation_config", None), "eos_token_id", None)
    for value in (tokenizer.eos_token_id, configured):
        for token in value if isinstance(value, (list, tuple)) else [value]:
            if token is not None and int(token) not in ids:
                ids.append(int(token))
    return ids


def encode_prompts(
    prompts: Sequence[Sequence[Message]],
    tokenizer: PreTrainedTokenizerBase,
    max_prompt_tokens: int | None = None,
) -> list[list[int]]:
    """The prompt token ids: each prompt fitted to ``max_prompt_tokens``
    (:func:`r1_trainer.data.fit_prompt`), then the chat template with the generation prompt."""
    encoded = []
    for messages in prompts:
        fitted = fit_prompt(messages, tokenizer, max_prompt_tokens)
        ids = tokenizer.apply_chat_template(fitted, add_generation_prompt=True, tokenize=True,
                                            return_dict=True)["input_ids"]
        encoded.append(list(ids))
    return encoded


def cut_at_eos(ids: Sequence[int], eos_ids: Sequence[int]) -> tuple[list[int], bool]:
    """``ids`` up to and including the first EOS id, and whether there was one."""
    for i, token in enumerate(ids):
        if token in eos_ids:
            return list(ids[: i + 1]), True
    return list(ids), False


class _SampledLogprobs(LogitsProcessor):
    """Records ``log_softmax(scores / T)`` of each sampled token while ``generate`` runs.

    A logits processor sees step ``s``'s scores before the token is drawn, and step ``s + 1``'s
    ``input_ids`` end with that token: so it keeps one ``[batch, vocab]`` row of log-probs
    and gathers the drawn token's entry on the next call (the last one in :meth:`finish`),
    never holding the scores of every step. Placed before the temperature / top-k / top-p
    warpers, it sees the model's logits.
    """

    def __init__(self, temperature: float) -> None:
        self.temperature = temperature if temperature > 0 else 1.0
        self.previous: torch.Tensor | None = None
        self.chosen: list[torch.Tensor] = []

    def __call__(self, input_ids: torch.LongTensor, scores: torch.FloatTensor) -> torch.FloatTensor:
        if self.previous is not None:
            self.chosen.append(self.previous.gather(1, input_ids[:, -1:]).squeeze(1))
        self.previous = torch.log_softmax(scores.float() / self.temperature, dim=-1)
        return scores

    def finish(self, sequences: torch.Tensor) -> torch.Tensor:
        """``[batch, new_tokens]`` log-probs, given the final ``sequences``."""
        if self.previous is not None:
            self.chosen.append(self.previous.gather(1, sequences[:, -1:]).squeeze(1))
            self.previous = None
        if not self.chosen:
            return torch.zeros(sequences.shape[0], 0)
        return torch.stack(self.chosen, dim=1)


# Knobs a model's own generation_config may set (Qwen2.5: top_k=20, repetition_penalty=1.05,
# ...), which generate() would apply to whatever is left unset: set to neutral, so only what
# SamplingSettings says applies (the warpers are added after the log-prob recorder).
_NEUTRAL = {"repetition_penalty": 1.0, "no_repeat_ngram_size": 0, "num_beams": 1,
            "num_return_sequences": 1}
_NEUTRAL_SAMPLING = {"temperature": 1.0, "top_p": 1.0, "top_k": 0, "min_p": 0.0,
                     "typical_p": 1.0, "epsilon_cutoff": 0.0, "eta_cutoff": 0.0}


class HFGenerator:
    """Batched sampling with ``transformers``' ``generate`` (left padding, KV cache).

    Args:
        model: a causal LM (a ``PeftModel`` too).
        tokenizer: its tokenizer, with a chat template and a pad token.
        max_prompt_tokens: cut the current page of longer prompts
            (:func:`r1_trainer.data.fit_prompt`); ``"auto"``: the budget BC used,
            :func:`r1_trainer.models.prompt_budget`; None: no cut.
        batch_size: prompts per ``generate`` call (None: all at once).
    """

    def __init__(
        self,
        model: PreTrainedModel,
        tokenizer: PreTrainedTokenizerBase,
        *,
        max_prompt_tokens: int | str | None = "auto",
        batch_size: int | None = None,
    ) -> None:
        self.model = model
        self.tokenizer = tokenizer
        self.max_prompt_tokens = max_prompt_tokens
        self.batch_size = batch_size

    def prompt_budget(self) -> int | None:
        """The prompt token budget (None: no limit)."""
        if self.max_prompt_tokens == "auto":
            return prompt_budget(self.tokenizer, self.model)
        return self.max_prompt_tokens  # type: ignore[return-value]

    @torch.no_grad()
    def generate(
        self,
        prompts: Sequence[Sequence[Message]],
        sampling: SamplingSettings | None = None,
        **overrides: Any,
    ) -> list[Generation]:
        """Sample one completion per prompt.

        Args:
            prompts: chat messages per prompt.
            sampling: the sampling settings (default :class:`SamplingSettings`).
            **overrides: fields of ``sampling`` to change for this call (``temperature=0``).

        Returns:
            One :class:`Generation` per prompt, in order.
        """
        sampling = replace(sampling or SamplingSettings(), **overrides)
        prompt_ids = encode_prompts(prompts, self.tokenizer, self.prompt_budget())
        size = self.batch_size or max(len(prompt_ids), 1)
        results: list[Generation] = []
        for start in range(0, len(prompt_ids), size):
            results.extend(self._generate_batch(prompt_ids[start:start + size], sampling))
        return results

    def _generate_batch(self, batch: list[list[int]], sampling: SamplingSettings
                        ) -> list[Generation]:
        device = next(self.model.parameters()).device
        pad = self.tokenizer.pad_token_id
        width = max(len(ids) for ids in batch)
        input_ids = torch.full((len(batch), width), pad, dtype=torch.long)
        attention_mask = torch.zeros((len(batch), width), dtype=torch.long)
        for row, ids in enumerate(batch):  # left padding: every prompt ends where generation starts
            input_ids[row, width - len(ids):] = torch.tensor(ids, dtype=torch.long)
            attention_mask[row, width - len(ids):] = 1

        eos = eos_token_ids(self.model, self.tokenizer)
        greedy = sampling.temperature <= 0
        recorder = _SampledLogprobs(sampling.temperature)
        processors: list[Any] = [recorder]
        if not greedy:
            if sampling.temperature != 1.0:
                processors.append(TemperatureLogitsWarper(sampling.temperature))
            if sampling.top_k > 0:
                processors.append(TopKLogitsWarper(sampling.top_k))
            if sampling.top_p < 1.0:
                processors.append(TopPLogitsWarper(sampling.top_p))
        config = GenerationConfig(
            **_NEUTRAL, **({} if greedy else _NEUTRAL_SAMPLING), do_sample=not greedy,
            max_new_tokens=sampling.max_new_tokens, eos_token_id=eos, pad_token_id=pad,
        )
        sequences = self.model.generate(
            input_ids=input_ids.to(device), attention_mask=attention_mask.to(device),
            generation_config=config, logits_processor=LogitsProcessorList(processors),
        )
        logprobs = recorder.finish(sequences).cpu()
        new_tokens = sequences[:, width:].cpu()

        results = []
        for row, ids in enumerate(batch):
            completion, finished = cut_at_eos(new_tokens[row].tolist(), eos)
            results.append(Generation(
                prompt_ids=list(ids),
                completion_ids=completion,
                logprobs=logprobs[row, : len(completion)].tolist(),
                text=self.tokenizer.decode(completion, skip_special_tokens=True),
                finished=finished,
            ))
        return results


class VLLMGenerator:
    """Sampling with vLLM, same interface as :class:`HFGenerator` (GPU only).

    Untested here (no GPU in this project's CI): written against vLLM's documented offline API,
    ``LLM.generate`` on token-id prompts with ``SamplingParams(logprobs=0)``, and the engine
    created with ``logprobs_mode="processed_logprobs"`` so the returned log-probs are
    temperature-scaled like :class:`HFGenerator`'s (they also reflect top-k / top-p when those
    are on; keep them off for RL).

    Args:
        model: a model name or folder (a vLLM engine is created for it), or an ``vllm.LLM``.
        tokenizer: the model's tokenizer (prompts are templated and fitted with it).
        max_prompt_tokens: as for :class:`HFGenerator` (``"auto"``: the tokenizer's budget).
        **llm_kwargs: ``vllm.LLM`` arguments (``gpu_memory_utilization``, ``dtype``, ...).
    """

    def __init__(self, model: Any, tokenizer: PreTrainedTokenizerBase, *,
                 max_prompt_tokens: int | str | None = "auto", **llm_kwargs: Any) -> None:
        # Lazy: vLLM is optional (a GPU install, in no extra)
        from vllm import LLM

        self.tokenizer = tokenizer
        self.max_prompt_tokens = max_prompt_tokens
        if isinstance(model, str):
            llm_kwargs.setdefault("logprobs_mode", "processed_logprobs")
            model = LLM(model=model, **llm_kwargs)
        self.llm = model

    def generate(self, prompts: Sequence[Sequence[Message]],
                 sampling: SamplingSettings | None = None, **overrides: Any) -> list[Generation]:
        """Sample one completion per prompt (see :meth:`HFGenerator.generate`)."""
        # Lazy: vLLM is optional (a GPU install, in no extra)
        from vllm import SamplingParams

        sampling = replace(sampling or SamplingSettings(), **overrides)
        budget = self.max_prompt_tokens
        if budget == "auto":
            budget = prompt_budget(self.tokenizer)
        prompt_ids = encode_prompts(prompts, self.tokenizer, budget)  # type: ignore[arg-type]
        params = SamplingParams(
            temperature=max(sampling.temperature, 0.0), top_p=sampling.top_p,
            top_k=sampling.top_k if sampling.top_k > 0 else -1,
            max_tokens=sampling.max_new_tokens, logprobs=0, skip_special_tokens=True,
        )
        outputs = self.llm.generate([{"prompt_token_ids": ids} for ids in prompt_ids], params,
                                    use_tqdm=False)
        eos = [self.tokenizer.eos_token_id]
        results = []
        for ids, output in zip(prompt_ids, outputs, strict=True):
            sample = output.outputs[0]
            completion = list(sample.token_ids)
            logprobs = [step[token].logprob for step, token in zip(sample.logprobs, completion,
                                                                   strict=True)]
            results.append(Generation(
                prompt_ids=list(ids), completion_ids=completion, logprobs=logprobs,
                text=sample.text,
                finished=sample.finish_reason == "stop" or bool(completion and completion[-1] in eos),
            ))
        return results


def vllm_available() -> bool:
    """Whether ``vllm`` can be imported (and a CUDA GPU is there for it)."""
    try:
        # Lazy: vLLM is optional (a GPU install, in no extra)
        import vllm  # noqa: F401
    except ImportError:
        return False
    return torch.cuda.is_available()


def make_generator(model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase, *,
                   backend: str = "hf", **kwargs: Any) -> HFGenerator | VLLMGenerator:
    """A generator for ``model``: ``backend="hf"``, ``"vllm"``, or ``"auto"`` (vLLM when
    :func:`vllm_available`, else HF). vLLM loads the model from its folder or name
    (``model.config._name_or_path``): save the current weights there first."""
    if backend == "auto":
        backend = "vllm" if vllm_available() else "hf"
    if backend == "vllm":
        return VLLMGenerator(model.config._name_or_path, tokenizer, **kwargs)
    if backend == "hf":
        return HFGenerator(model, tokenizer, **kwargs)
    raise ValueError(f"unknown generation backend {backend!r}; use hf, vllm or auto")


def completion_logprobs(
    model: PreTrainedModel,
    prompt_ids: Sequence[Sequence[int]],
    completion_ids: Sequence[Sequence[int]],
    *,
    temperature: float = 1.0,
    pad_token_id: int = 0,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-token log-probs of given completions under ``model``, in one forward pass.

    Prompts are left-padded and completions right-padded, so every completion starts at the
    same column and only its logits are computed (``logits_to_keep``). Gradients flow when
    enabled (the trainer's current policy); wrap in ``torch.no_grad()`` for old / reference
    log-probs.

    Args:
        model: a causal LM.
        prompt_ids: ``rows`` prompts' token ids.
        completion_ids: ``rows`` completions' token ids (as sampled, EOS included).
        temperature: the sampling temperature (log-probs of ``logits / temperature``;
            values <= 0 mean 1).
        pad_token_id: the id written in padding (masked out; any valid id).

    Returns:
        ``(logps, mask)``: ``[rows, max_completion_len]`` float32 log-probs and a 0/1 float
        mask of the real completion tokens (padding has log-prob 0 and mask 0).
    """
    rows = len(prompt_ids)
    if rows != len(completion_ids):
        raise ValueError(f"{rows} prompts but {len(completion_ids)} completions")
    device = next(model.parameters()).device
    prompt_width = max(len(p) for p in prompt_ids)
    completion_width = max(max((len(c) for c in completion_ids), default=0), 1)
    input_ids = torch.full((rows, prompt_width + completion_width), pad_token_id, dtype=torch.long)
    attention = torch.zeros_like(input_ids)
    mask = torch.zeros((rows, completion_width), dtype=torch.float32)
    for row, (prompt, completion) in enumerate(zip(prompt_ids, completion_ids, strict=True)):
        input_ids[row, prompt_width - len(prompt):prompt_width] = torch.tensor(prompt)
        attention[row, prompt_width - len(prompt):prompt_width] = 1
        if completion:
            end = prompt_width + len(completion)
            input_ids[row, prompt_width:end] = torch.tensor(completion)
            attention[row, prompt_width:end] = 1
            mask[row, : len(completion)] = 1
    positions = (attention.cumsum(dim=1) - 1).clamp(min=0)
    logits = model(
        input_ids=input_ids.to(device), attention_mask=attention.to(device),
        position_ids=positions.to(device), logits_to_keep=completion_width + 1,
    ).logits[:, :-1].float()  # the logits at column k predict the token at column k + 1
    if temperature > 0:
        logits = logits / temperature
    targets = input_ids[:, prompt_width:].to(device)
    # log_softmax at the targets only: no second [rows, tokens, vocab] tensor
    logps = logits.gather(2, targets.unsqueeze(2)).squeeze(2) - torch.logsumexp(logits, dim=-1)
    mask = mask.to(device)
    return logps * mask, mask
