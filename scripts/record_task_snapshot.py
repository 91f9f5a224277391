"""Record a fingerprint of every sandbox split: tests/data/sandbox_task_snapshot.json.

Run it before a change that must not alter the generated tasks (a refactor); the test
``tests/sandbox/test_task_snapshot.py`` then checks that every split is byte-identical to the record::

    python scripts/record_task_snapshot.py
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from webarena_gym.sandbox import SPLITS, load_split

OUT = Path(__file__).resolve().parents[1] / "tests" / "data" / "sandbox_task_snapshot.json"
#: (split, data seed, n) combinations fingerprinted: every split on the default data, and the
#: generated train split on another seed too.
CASES = [(split, 0, None) for split in SPLITS] + [("train", 1, 200)]


def fingerprint(configs: list[dict[str, Any]]) -> dict[str, Any]:
    """The count, the ids in order and a sha256 of the configs as canonical JSON."""
    canonical = json.dumps(configs, sort_keys=True, ensure_ascii=False).encode()
    return {"count": len(configs), "ids": [c["task_id"] for c in configs],
            "sha256": hashlib.sha256(canonical).hexdigest()}


def snapshot() -> dict[str, Any]:
    """Every case's fingerprint, keyed ``split@seed`` (and ``/n`` when capped)."""
    out = {}
    for split, seed, n in CASES:
        key = f"{split}@{seed}" + (f"/{n}" if n else "")
        out[key] = fingerprint(load_split(split, seed=seed, n=n))
    return out


if __name__ == "__main__":
    OUT.write_text(json.dumps(snapshot(), indent=0) + "\n", encoding="utf-8")
    print(f"wrote {OUT}")
