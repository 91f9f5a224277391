"""A local transformers model as a policy: chat-message prompts in, one response text each out.

Implements :class:`r1_trainer.policies.Policy` (``name``, ``respond``) for the benchmarks, the
evaluation and the demo::

    policy = HFPolicy("runs/bc", thinking=True, temperature=0.0)
    responses = policy.respond([build_messages(observations, responses_so_far, thinking=True)])

Prompts longer than the model's budget lose the end of their current page
(:func:`r1_trainer.models.prompt_budget`), as in BC.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

from r1_trainer.generation import Generation, HFGenerator, SamplingSettings
from r1_trainer.models import load_model_and_tokenizer


class HFPolicy:
    """A causal LM (``tiny``, a Hugging Face name, or a local folder) answering with ``generate``.

    Args:
        model: the model name or path, or a loaded model (then give ``tokenizer``).
        thinking: whether the prompts it gets use the thinking format (read by callers that
            build prompts for it; the model answers whatever the prompt asks).
        max_new_tokens: the longest response, in tokens.
        temperature: sampling temperature; 0 decodes greedily.
        top_p: nucleus sampling (1.0: off).
        device: where the model runs (default: CUDA when available, else CPU).
        tokenizer: the tokenizer of a loaded ``model``.
        batch_size: prompts per ``generate`` call (None: the whole batch at once).
        name: the policy's name in reports (default ``hf:<model>``).
        **load_kwargs: more :func:`r1_trainer.models.load_model_and_tokenizer` arguments.
    """

    def __init__(
        self,
        model: str | os.PathLike[str] | Any = "tiny",
        *,
        thinking: bool = True,
        max_new_tokens: int = 1024,
        temperature: float = 0.0,
        top_p: float = 1.0,
        device: str | None = None,
        tokenizer: Any = None,
        batch_size: int | None = 16,
        name: str | None = None,
        **load_kwargs: Any,
    ) -> None:
        if isinstance(model, (str, os.PathLike)):
            label = os.fspath(model)
            model, tokenizer = load_model_and_tokenizer(label, device=device, **load_kwargs)
        elif tokenizer is None:
            raise ValueError("HFPolicy got a loaded model without its tokenizer: pass tokenizer=")
        else:
            label = str(getattr(model.config, "_name_or_path", type(model).__name__))
        model.eval()
        self.name = name or f"hf:{label}"
        self.thinking = thinking
        self.model = model
        self.tokenizer = tokenizer
        self.sampling = SamplingSettings(temperature=temperature, top_p=top_p,
                                         max_new_tokens=max_new_tokens)
        self.generator = HFGenerator(model, tokenizer, batch_size=batch_size)
        self.last_generations: list[Generation] = []

    def __repr__(self) -> str:
        return f"HFPolicy({self.name!r}, thinking={self.thinking}, sampling={self.sampling})"

    def respond(self, prompts: Sequence[Sequence[Mapping[str, str]]]) -> list[str]:
        """One response text per prompt, in order (the generations, with their token ids and
        log-probs, are kept in ``last_generations``)."""
        if not prompts:
            return []
        self.last_generations = self.generator.generate(prompts, self.sampling)
        return [g.text for g in self.last_generations]
