"""Models: any Hugging Face causal LM by name or path, optional LoRA, and the offline ``tiny`` preset.

Real runs name a model (``Qwen/Qwen2.5-3B-Instruct``, ``meta-llama/Llama-3.1-8B-Instruct``) or a
local folder; a folder holding a PEFT adapter (``adapter_config.json``) loads its base model with
the adapter on top. Training loads fp32 weights (bf16 autocast on a GPU that supports it:
:func:`training_precision`); inference loads bf16 on such a GPU, fp32 on the CPU.

``tiny`` builds a small causal LM (a 2-layer Llama, hidden size 128, about 1M parameters) from
a config with random weights, and a byte-level BPE tokenizer trained locally on the agent's own
text (the system prompts, the action grammar, the sandbox sites' page templates), with a ChatML
chat template. Nothing is downloaded; the result is cached under
:func:`~r1_trainer.cache.cache_dir`, keyed by :data:`TINY_VERSION`, the seed, the
:class:`TinySpec` and a hash of the corpus, so it is built once (seconds) and the same seed
always gives the same model.

Context: the tiny model's position embeddings reach 16384 tokens, but its tokenizer declares
``model_max_length = TinySpec.context`` (512) so that BC rows and prompts stay short enough to
train on a CPU: :func:`r1_trainer.data.fit_prompt` cuts the end of the current page (never the
history) to fit 3/4 of it, as the env's own length cap does. Behaviour cloning on ~160 oracle
trajectories (400 steps of 4 rows, a few minutes on a CPU) makes it answer in the action format.

Importing this module imports no torch (the CLI's configs read it): torch, transformers, peft
and tokenizers (the ``train`` extra) are imported where they are used.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
from dataclasses import asdict, dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from r1_trainer.cache import build_folder, cache_dir
from r1_trainer.runs import RUN_FILE
from r1_trainer.smollm2 import SMOLLM2, smollm2_model_path

if TYPE_CHECKING:
    import torch
    from peft import LoraConfig
    from transformers import PreTrainedModel, PreTrainedTokenizerBase

TINY = "tiny"
"""The name of the offline preset."""

TINY_VERSION = 2
"""Bumped whenever the tiny preset's architecture, tokenizer or template changes."""



@dataclass(frozen=True)
class TinySpec:
    """The tiny preset's shape (part of its cache key).

    Attributes:
        vocab_size: the BPE's target size (the corpus may give fewer tokens).
        context: the tokenizer's ``model_max_length``: the prompt + completion budget of BC and
            generation (short, so that BC on a CPU takes minutes); the position embeddings
            reach ``max_positions``.
        digits: the longest run of digits one token holds: numbers are split into groups of
            this many from the left (``"2865"`` -> ``"286"``, ``"5"`` with 3), and every group
            is in the vocabulary.
        hidden, layers, heads, kv_heads, intermediate: the Llama architecture.
    """

    vocab_size: int = 4096
    digits: int = 3
    context: int = 512
    max_positions: int = 16384
    hidden: int = 128
    layers: int = 2
    heads: int = 4
    kv_heads: int = 2
    intermediate: int = 512


TINY_SPEC = TinySpec()

IM_START, IM_END, PAD = "<|im_start|>", "<|im_end|>", "<|endoftext|>"
REPLY_TAGS = ("<think>", "</think>", "<answer>", "</answer>")
"""Added (non-special) tokens of the tiny tokenizer: one token per tag of the reply format."""

#: ChatML, as Qwen2.5 writes it, except that an assistant turn ends at ``<|im_end|>`` (no newline
#: after it), so a completion's tokens are exactly its text and the end-of-turn token. The
#: ``{% generation %}`` markers let TRL's ``assistant_only_loss`` find the assistant tokens.
CHATML_TEMPLATE = (
    "{%- for message in messages %}"
    "{%- if message['role'] == 'assistant' %}"
    "{{- '<|im_start|>assistant\\n' }}"
    "{%- generation %}{{- message['content'] + '<|im_end|>' }}{%- endgeneration %}"
    "{%- else %}"
    "{{- '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>\\n' }}"
    "{%- endif %}"
    "{%- endfor %}"
    "{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}"
)

def missing_train_extra(exc: ImportError) -> ImportError:
    """The error to raise when an import of the ``train`` extra failed: it says what to install."""
    return ImportError(f"the train extra is missing ({exc}); pip install 'webarena-gym[train]'")


def require_train_extra() -> None:
    """Raise an ImportError that says how to install the ``train`` extra when it is missing."""
    for name in ("torch", "transformers", "trl", "peft", "datasets", "accelerate"):
        if importlib.util.find_spec(name) is None:  # found, not imported: imports cost seconds
            raise missing_train_extra(ImportError(f"No module named {name!r}"))


@dataclass
class LoraSettings:
    """A PEFT LoRA adapter on the model's linear layers.

    Attributes:
        r: the adapter's rank.
        alpha: LoRA's scaling numerator (``lora_alpha``).
        dropout: dropout on the adapter's input.
        target_modules: module names, or ``"all-linear"`` (every linear layer but the LM head).
    """

    r: int = 16
    alpha: int = 32
    dropout: float = 0.05
    target_modules: list[str] | str = field(default="all-linear")

    def to_peft(self) -> LoraConfig:
        """The ``peft.LoraConfig`` for a causal LM."""
        # Lazy: the train extra (see the module docstring)
        from peft import LoraConfig

        return LoraConfig(
            task_type="CAUSAL_LM",
            r=self.r,
            lora_alpha=self.alpha,
            lora_dropout=self.dropout,
            target_modules=self.target_modules,
        )


# --------------------------------------------------------------------------------------------
# Devices and dtypes
# --------------------------------------------------------------------------------------------


def resolve_device(device: str | torch.device | None = None) -> torch.device:
    """``device``, or the first CUDA GPU when there is one, else the CPU."""
    # Lazy: the train extra (see the module docstring)
    import torch

    if device is not None:
        return torch.device(device)
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


DTYPE_NAMES = ("auto", "float32", "bfloat16", "float16")
"""The values of a ``dtype`` setting (``fp32``, ``bf16`` and ``fp16`` are accepted too)."""


def resolve_dtype(dtype: str | torch.dtype, device: torch.device, *,
                  training: bool = False) -> torch.dtype:
    """The dtype to load a model's weights in.

    ``"auto"``: for training, fp32 (the optimizer updates fp32 master weights; bf16 comes from
    autocast, see :func:`training_precision`); for inference, bf16 on a GPU that supports it,
    else fp32 (also fp32 on the CPU). A name or a ``torch.dtype`` is taken as it is.
    """
    # Lazy: the train extra (see the module docstring)
    import torch

    if isinstance(dtype, torch.dtype):
        return dtype
    if dtype == "auto":
        if not training and device.type == "cuda" and torch.cuda.is_bf16_supported():
            return torch.bfloat16
        return torch.float32
    names = {"float32": torch.float32, "fp32": torch.float32, "bfloat16": torch.bfloat16,
             "bf16": torch.bfloat16, "float16": torch.float16, "fp16": torch.float16}
    if dtype not in names:
        raise ValueError(f"unknown dtype {dtype!r}; use one of {', '.join(DTYPE_NAMES)}")
    return names[dtype]


@dataclass(frozen=True)
class Precision:
    """How a training run holds and computes with its weights.

    Attributes:
        weights: the dtype the weights are loaded in, and so the dtype AdamW updates.
        bf16: run the forward and backward passes under bf16 autocast (``TrainingArguments.bf16``).
    """

    weights: torch.dtype
    bf16: bool


def training_precision(dtype: str | torch.dtype = "auto",
                       device: str | torch.device | None = None) -> Precision:
    """The precision to train in: fp32 weights with bf16 autocast where the device supports it.

    In bf16 an update smaller than about 1/256 of a weight rounds away, so at lr 1e-6 one AdamW
    step leaves most bf16 weights unchanged; with fp32 weights every weight moves, and bf16
    autocast keeps the matmuls fast (TRL / transformers with ``bf16=True`` do the same).

    Args:
        dtype: ``"auto"`` (fp32 weights), or the weights' dtype by name (``"bfloat16"`` trains
            bf16 weights directly: half the memory, most small updates lost).
        device: the training device (default: CUDA when available, else CPU).

    Returns:
        the weights' dtype, and whether bf16 autocast is on: on a device with bf16 support
        (a CUDA GPU that has it), off on the CPU and for fp16 weights (AMP cannot unscale
        fp16 gradients).
    """
    # Lazy: the train extra (see the module docstring)
    import torch

    torch_device = resolve_device(device)
    weights = resolve_dtype(dtype, torch_device, training=True)
    supported = torch_device.type == "cuda" and torch.cuda.is_bf16_supported()
    return Precision(weights=weights, bf16=supported and weights != torch.float16)


def fsdp_activation_checkpointing() -> bool:
    """Whether ``accelerate launch`` turned on FSDP's own activation checkpointing
    (``fsdp_activation_checkpointing: true`` in its config file, as ``configs/fsdp.yaml``)."""
    # Lazy: the train extra (see the module docstring)
    from accelerate.utils import str_to_bool

    return (str_to_bool(os.environ.get("ACCELERATE_USE_FSDP", "false")) == 1
            and str_to_bool(os.environ.get("FSDP_ACTIVATION_CHECKPOINTING", "false")) == 1)


def default_gradient_checkpointing() -> bool:
    """The trainer's gradient checkpointing when not set: on for a GPU run (activations of
    long rows dominate its memory), off on the CPU (it only costs time there) and when FSDP
    checkpoints activations itself (both on is an error in transformers)."""
    # Lazy: the train extra (see the module docstring)
    import torch

    return torch.cuda.is_available() and not fsdp_activation_checkpointing()


# --------------------------------------------------------------------------------------------
# The tiny preset
# --------------------------------------------------------------------------------------------


def tiny_corpus() -> list[str]:
    """The text the tiny tokenizer is trained on: the agent's prompts, actions and page markup.

    Deterministic for a given checkout: the thinking and non-thinking system prompts (weighted),
    every advertised action written out with sample elements and arguments, an observation
    message, and the sandbox sites' page templates (the words and tags of the simplified pages).
    """
    # Lazy: benchmarks/gpu_smoke.py imports this module where webarena_gym cannot import
    # (no gymnasium, no Playwright), and sets the grammar up before it builds the tiny preset
    from webarena_gym.actions import ACTION_SPECS, Action, format_action
    from webarena_gym.prompting import observation_message, system_prompt

    # The system prompt opens every prompt: repeated, its phrases merge into long tokens (about
    # 120 tokens for the whole prompt) instead of costing one token per word in every row.
    texts = [system_prompt(True), system_prompt(False)] * 20
    for spec in ACTION_SPECS:
        for n in range(0, 200, 7):
            element = str(n) if spec.needs_element else None
            argument = ["the answer", "blue shoes", "42", ""][n % 4] if spec.needs_argument else None
            if spec.needs_argument and spec.name != "exit" and not argument:
                argument = "text"
            action = format_action(Action(spec.name, element, argument))
            texts.append(f"<think>I act on the page.</think><answer>{action}</answer>")
    page = {"intent": "Find the order", "url": "http://127.0.0.1:7770/", "html": "<a id=\"1\">x</a>",
            "last_action_error": "Element 99 does not exist on this page."}
    texts.append(observation_message(page, 1, with_task=True))
    for n in range(2, 16):  # the compressed history's earlier rounds, every other one failed
        earlier = page if n % 2 == 0 else dict(page, last_action_error="")
        texts.append(observation_message(earlier, n, compressed=True, current_url=page["url"]))
    sandbox = resources.files("webarena_gym") / "sandbox"
    for path in sorted(_walk(sandbox), key=str):
        texts.append(path.read_text(encoding="utf-8"))
    return texts


def _walk(root: Any) -> list[Any]:
    """The ``*.html`` files under a resources folder, recursively."""
    found = []
    for child in root.iterdir():
        if child.is_dir():
            found.extend(_walk(child))
        elif child.name.endswith(".html"):
            found.append(child)
    return found


def build_tiny_tokenizer(spec: TinySpec = TINY_SPEC) -> PreTrainedTokenizerBase:
    """A byte-level BPE tokenizer trained on :func:`tiny_corpus`, with a ChatML chat template.

    Numbers are split into groups of up to ``spec.digits`` digits from the left, each one
    token: an element number is one token to copy, and an order number like ``000002865`` is
    ``000 002 865``, not a run of one repeated token (which the tiny model copies badly: it
    loops on "0" until the token cap). Every byte is in the alphabet, so any text encodes.
    Saved, it loads as a ``PreTrainedTokenizerFast`` with ``AutoTokenizer`` too (the Llama
    config names no tokenizer class of its own). Special tokens: ``<|im_start|>``,
    ``<|im_end|>`` (the end of a turn and the EOS), ``<|endoftext|>`` (padding); the reply tags
    are single tokens.
    """
    # Lazy: the train extra (see the module docstring)
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tokenizer = Tokenizer(models.BPE())
    tokenizer.normalizer = normalizers.NFC()
    # No word split: merges may cross spaces and punctuation, so the markup and the action
    # grammar (`do(action="Click`, `", element="`) become few tokens and prompts stay short.
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(rf"\d{{1,{spec.digits}}}"), behavior="isolated"),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
    ])
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=spec.vocab_size,
        special_tokens=[PAD, IM_START, IM_END],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        max_token_length=32,
        show_progress=False,
    )
    # Every digit group, with its leading zeros ("007"), so that each is one token.
    groups = [f"{n:0{width}d}" for width in range(2, spec.digits + 1) for n in range(10 ** width)]
    tokenizer.train_from_iterator(tiny_corpus() + [" ".join(groups)] * 50, trainer=trainer)
    wrapped = PreTrainedTokenizerFast(
        tokenizer_object=tokenizer,
        eos_token=IM_END,
        pad_token=PAD,
        additional_special_tokens=[IM_START],
        model_max_length=spec.context,
        padding_side="left",
        clean_up_tokenization_spaces=False,
    )
    wrapped.add_tokens(list(REPLY_TAGS))
    wrapped.chat_template = CHATML_TEMPLATE
    return wrapped


def tiny_config(vocab_size: int, *, eos_token_id: int, pad_token_id: int,
                spec: TinySpec = TINY_SPEC) -> Any:
    """The tiny model's ``LlamaConfig`` (RoPE, tied embeddings), shaped by ``spec``."""
    # Lazy: the train extra (see the module docstring)
    from transformers import LlamaConfig

    return LlamaConfig(
        vocab_size=vocab_size,
        hidden_size=spec.hidden,
        intermediate_size=spec.intermediate,
        num_hidden_layers=spec.layers,
        num_attention_heads=spec.heads,
        num_key_value_heads=spec.kv_heads,
        max_position_embeddings=spec.max_positions,
        tie_word_embeddings=True,
        bos_token_id=eos_token_id,
        eos_token_id=eos_token_id,
        pad_token_id=pad_token_id,
    )


def tiny_model_path(seed: int = 0, spec: TinySpec = TINY_SPEC) -> Path:
    """The folder of the tiny preset for ``seed`` (model + tokenizer), built on first use."""
    key = json.dumps(asdict(spec), sort_keys=True) + "\x00" + "\x00".join(tiny_corpus())
    digest = hashlib.sha256(key.encode()).hexdigest()[:12]
    path = cache_dir() / f"tiny-v{TINY_VERSION}-seed{seed}-{digest}"
    if (path / "config.json").is_file() and (path / "tokenizer.json").is_file():
        return path
    return build_folder(path, lambda folder: _build_tiny(folder, seed, spec))


def _build_tiny(folder: Path, seed: int, spec: TinySpec) -> None:
    # Lazy: the train extra (see the module docstring)
    import torch
    from transformers import GenerationConfig, LlamaForCausalLM

    tokenizer = build_tiny_tokenizer(spec)
    config = tiny_config(len(tokenizer), eos_token_id=tokenizer.eos_token_id,
                         pad_token_id=tokenizer.pad_token_id, spec=spec)
    generator_state = torch.random.get_rng_state()
    torch.manual_seed(seed)
    try:
        model = LlamaForCausalLM(config)
    finally:
        torch.random.set_rng_state(generator_state)
    model.generation_config = GenerationConfig(
        eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id,
        bos_token_id=tokenizer.eos_token_id,
    )
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    (folder / RUN_FILE).write_text(
        json.dumps({"preset": TINY, "version": TINY_VERSION, "seed": seed,
                    "spec": asdict(spec)}) + "\n"
    )


# --------------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------------


def resolve_model_path(name_or_path: str | os.PathLike[str], *, seed: int = 0) -> str:
    """A preset's folder (``tiny``, built for ``seed``; ``smollm2-135m``, converted from its GGUF
    file: :mod:`r1_trainer.smollm2`); anything else is returned as is (a Hub name or path)."""
    name = os.fspath(name_or_path)
    if name == TINY:
        return str(tiny_model_path(seed))
    if name == SMOLLM2:
        return str(smollm2_model_path())
    return name


def load_tokenizer(name_or_path: str | os.PathLike[str], *, seed: int = 0,
                   **kwargs: Any) -> PreTrainedTokenizerBase:
    """The tokenizer of a model (or of the ``tiny`` preset), with a pad token and a chat template.

    A tokenizer without a pad token gets one (Llama 3's ``<|finetune_right_pad_id|>`` when it has
    it, else its EOS); one without a chat template gets :data:`CHATML_TEMPLATE`.
    """
    require_train_extra()
    # Lazy: the train extra (see the module docstring)
    from transformers import AutoTokenizer

    path = resolve_model_path(name_or_path, seed=seed)
    tokenizer = AutoTokenizer.from_pretrained(path, **kwargs)
    if tokenizer.pad_token is None:
        vocab = tokenizer.get_vocab()
        pad = "<|finetune_right_pad_id|>" if "<|finetune_right_pad_id|>" in vocab else None
        tokenizer.pad_token = pad or tokenizer.eos_token
    if not tokenizer.chat_template:
        tokenizer.chat_template = CHATML_TEMPLATE
    return tokenizer


BC_LEARNING_RATE = 1e-5
"""Behaviour cloning's default learning rate for a pretrained model."""
BC_LEARNING_RATE_TINY = 5e-3
"""Behaviour cloning's default learning rate for the ``tiny`` preset (random weights)."""
RL_LEARNING_RATE = 1e-6
"""M-GRPO's default learning rate (the paper's public code)."""


def is_tiny_preset(name_or_path: str | os.PathLike[str] | None) -> bool:
    """Whether this is ``tiny`` or a folder holding the tiny preset or a model trained from it
    (its ``r1_trainer.json`` says ``"preset": "tiny"``)."""
    if name_or_path is None:
        return False
    if os.fspath(name_or_path) == TINY:
        return True
    marker = Path(name_or_path) / RUN_FILE
    try:
        return json.loads(marker.read_text()).get("preset") == TINY
    except (OSError, ValueError):
        return False


def load_model_and_tokenizer(
    name_or_path: str | os.PathLike[str],
    *,
    lora: LoraSettings | None = None,
    dtype: str | torch.dtype = "auto",
    device: str | torch.device | None = None,
    seed: int = 0,
    trust_remote_code: bool = False,
    training: bool = False,
    **model_kwargs: Any,
) -> tuple[PreTrainedModel, PreTrainedTokenizerBase]:
    """A causal LM and its tokenizer, ready to train or generate.

    Args:
        name_or_path: ``"tiny"``, a Hugging Face model name, or a local folder (a full model, or a
            PEFT adapter folder: its base model is loaded with the adapter, trainable).
        lora: add a fresh LoRA adapter (returns a ``peft.PeftModel``); None trains all weights.
        dtype: ``"auto"`` (fp32 when ``training``; for inference bf16 on a GPU that supports
            it, else fp32), a name, or a torch dtype (:func:`resolve_dtype`).
        device: where to put the model (default: CUDA when available, else CPU). Ignored when
            ``model_kwargs`` holds a ``device_map``.
        seed: the tiny preset's seed (ignored for other models).
        trust_remote_code: passed to ``from_pretrained``.
        training: the model is to be trained: ``"auto"`` loads fp32 master weights.
        **model_kwargs: more ``AutoModelForCausalLM.from_pretrained`` arguments
            (``attn_implementation``, ``device_map``, ``revision``, ...).

    Returns:
        ``(model, tokenizer)``; the tokenizer has a pad token and a chat template.
    """
    require_train_extra()
    # Lazy: the train extra (see the module docstring)
    from transformers import AutoModelForCausalLM

    path = resolve_model_path(name_or_path, seed=seed)
    torch_device = resolve_device(device)
    torch_dtype = resolve_dtype(dtype, torch_device, training=training)
    kwargs = {"dtype": torch_dtype, "trust_remote_code": trust_remote_code, **model_kwargs}
    adapter = Path(path) / "adapter_config.json"
    if adapter.is_file():
        # Lazy: the train extra (see the module docstring)
        from peft import AutoPeftModelForCausalLM

        model = AutoPeftModelForCausalLM.from_pretrained(path, is_trainable=True, **kwargs)
    else:
        model = AutoModelForCausalLM.from_pretrained(path, **kwargs)
    if "device_map" not in model_kwargs:
        model = model.to(torch_device)
    tokenizer = load_tokenizer(path, trust_remote_code=trust_remote_code)
    if model.generation_config.pad_token_id is None:
        model.generation_config.pad_token_id = tokenizer.pad_token_id
    if lora is not None:
        # Lazy: the train extra (see the module docstring)
        from peft import get_peft_model

        model = get_peft_model(model, lora.to_peft())
    return model, tokenizer


def context_budget(tokenizer: PreTrainedTokenizerBase, model: Any = None) -> int | None:
    """The longest sequence (prompt + completion) the model is meant to see, or None (no limit).

    The smaller of the tokenizer's ``model_max_length`` (huge sentinel values mean unset) and
    the model config's ``max_position_embeddings``.
    """
    limits = []
    declared = getattr(tokenizer, "model_max_length", None)
    if isinstance(declared, int) and declared < 10_000_000:
        limits.append(declared)
    config = getattr(model, "config", None)
    positions = getattr(config, "max_position_embeddings", None)
    if isinstance(positions, int):
        limits.append(positions)
    return min(limits) if limits else None


def prompt_budget(tokenizer: PreTrainedTokenizerBase, model: Any = None) -> int | None:
    """The most prompt tokens to give the model: 3/4 of :func:`context_budget` (the rest is room
    for the response), or None when there is no limit. BC and generation both fit prompts to it
    (:func:`r1_trainer.data.fit_prompt`), so a model sees the same contexts in both."""
    budget = context_budget(tokenizer, model)
    return None if budget is None else budget * 3 // 4
