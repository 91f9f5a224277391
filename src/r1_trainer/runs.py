"""A run's files: the record of its settings, its JSONL logs, and where it resumes from.

A run folder (BC or RL) holds :data:`RUN_FILE` (stage, preset, settings), :data:`METRICS_FILE`
(one JSON line per logging step) and, for RL, :data:`ROLLOUTS_FILE` (one line per
trajectory), plus the ``checkpoint-*`` folders of ``transformers.Trainer``. A run resumed from
a checkpoint keeps the log lines of the steps up to it and appends after them
(:func:`resume_jsonl`). Importing this module imports no torch.
"""

from __future__ import annotations

import json
import os
import platform
import re
import subprocess
from importlib import metadata
from pathlib import Path
from typing import Any

RUN_FILE = "r1_trainer.json"
"""The record a BC or RL run writes into its model folder (stage, preset, settings)."""
METRICS_FILE = "metrics.jsonl"
"""One JSON line per logging step of a run."""
ROLLOUTS_FILE = "rollouts.jsonl"
"""One JSON line per trajectory of an RL run."""
LAST_CHECKPOINT = "last"
"""``resume_from_checkpoint`` value meaning the latest ``checkpoint-*`` of the output folder."""


def run_settings(path: str | os.PathLike[str] | None) -> dict[str, Any]:
    """The :data:`RUN_FILE` of a model folder (what BC or RL recorded), or ``{}``."""
    if path is None:
        return {}
    try:
        return json.loads((Path(path) / RUN_FILE).read_text())
    except (OSError, ValueError):
        return {}


def recorded_thinking(model: str | os.PathLike[str] | Any) -> bool:
    """The prompt format ``model`` was trained with: its :data:`RUN_FILE`'s ``thinking``
    setting, else True (the paper's format).

    Args:
        model: a model folder, or a loaded model (its ``name_or_path``: the folder it was
            loaded from; a ``PeftModel`` reports its base model's).
    """
    path = model if isinstance(model, (str, os.PathLike)) else getattr(model, "name_or_path", None)
    return bool(run_settings(path).get("config", {}).get("thinking", True))


def resume_jsonl(path: str | os.PathLike[str], step: int, *, through: bool = True) -> int:
    """Prepare a run's JSONL log for a run starting at optimizer step ``step``.

    ``step == 0`` (a fresh run) starts the file empty. A run resumed from the checkpoint of
    ``step`` keeps the lines of the steps done up to it and drops the later ones (those steps
    are run again): ``through=True`` keeps ``"step" <= step`` (lines logged after an optimizer
    step), ``through=False`` keeps ``"step" < step`` (lines written before one, as the
    rollouts are). A line that does not parse (cut short by a crash) is dropped.

    Returns:
        how many lines were kept.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    kept = []
    if step > 0 and path.is_file():
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                logged = int(json.loads(line).get("step", 0))
            except (ValueError, TypeError, AttributeError):
                continue
            if logged < step or (through and logged == step):
                kept.append(line + "\n")
    path.write_text("".join(kept), encoding="utf-8")
    return len(kept)


def resolve_checkpoint(value: str | bool | os.PathLike[str] | None,
                       output_dir: str | os.PathLike[str]) -> str | None:
    """The checkpoint folder a run resumes from, as ``Trainer.train(resume_from_checkpoint=)``
    takes it.

    Args:
        value: None / False / ``""``: no resume; True, ``"last"`` or ``"true"``: the latest
            ``checkpoint-*`` folder in ``output_dir``; else a checkpoint folder's path.
        output_dir: the run's output folder.

    Raises:
        FileNotFoundError: naming the folder, when there is no checkpoint to resume from.
    """
    if value is None or value is False or value == "":
        return None
    if value is True or str(value).lower() in (LAST_CHECKPOINT, "true"):
        folder = Path(output_dir)
        found = sorted((p for p in folder.glob("checkpoint-*")
                        if re.fullmatch(r"checkpoint-\d+", p.name) and p.is_dir()),
                       key=lambda p: int(p.name.split("-")[1])) if folder.is_dir() else []
        if not found:
            raise FileNotFoundError(
                f"resume_from_checkpoint={value!r}: no checkpoint-* folder in {folder}; "
                "resume a run that saved checkpoints (--save-steps), or name one")
        return str(found[-1])
    path = Path(value)
    if not (path / "trainer_state.json").is_file():
        raise FileNotFoundError(
            f"resume_from_checkpoint={os.fspath(value)!r}: {path} holds no trainer_state.json; "
            "give a checkpoint-* folder that a run saved (or 'last')")
    return str(path)


#: The distributions whose versions a run records.
RECORDED_PACKAGES = ("webarena-gym", "torch", "transformers", "trl", "peft", "accelerate",
                     "datasets", "deepspeed", "vllm")


def package_versions() -> dict[str, str]:
    """The installed versions of :data:`RECORDED_PACKAGES` (absent ones left out) and Python's."""
    versions = {"python": platform.python_version()}
    for name in RECORDED_PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions


def source_commit() -> dict[str, Any] | None:
    """``{"commit": sha, "dirty": bool}`` of the git checkout this code runs from, or None
    (an installed wheel, or no git)."""
    root = Path(__file__).resolve().parents[2]
    try:
        sha = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True,
                             text=True, timeout=10, check=True).stdout.strip()
        status = subprocess.run(["git", "-C", str(root), "status", "--porcelain",
                                 "--untracked-files=no"], capture_output=True, text=True,
                                timeout=10, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return {"commit": sha, "dirty": bool(status.strip())}


def write_run_record(output_dir: str | os.PathLike[str], record: dict[str, Any]) -> Path:
    """Write a run's :data:`RUN_FILE`: ``record`` (stage, settings, results) plus the package
    versions and the git commit it ran with; return its path."""
    path = Path(output_dir) / RUN_FILE
    full = {**record, "versions": package_versions(), "source": source_commit()}
    path.write_text(json.dumps(full, indent=1, default=str) + "\n")
    return path
