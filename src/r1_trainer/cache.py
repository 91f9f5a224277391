"""Where built model presets are kept, and how a preset's folder is built without races.

:mod:`r1_trainer.models` (the ``tiny`` preset) and :mod:`r1_trainer.smollm2` both build folders
here; neither imports torch for it.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path


def cache_dir() -> Path:
    """Where built presets are kept: ``$R1_TRAINER_CACHE``, else ``$XDG_CACHE_HOME`` (or
    ``~/.cache``) ``/webarena-gym/r1_trainer``."""
    explicit = os.environ.get("R1_TRAINER_CACHE")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "webarena-gym" / "r1_trainer"


def build_folder(path: Path, build: Callable[[Path], None]) -> Path:
    """Run ``build`` on a private folder beside ``path``, then move it into place: concurrent
    builders never see half a model (a loser of the race drops its copy: they are identical)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=path.name + ".", dir=path.parent))
    try:
        build(staging)
        try:
            os.replace(staging, path)
        except OSError:  # another process finished first
            shutil.rmtree(staging, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return path
