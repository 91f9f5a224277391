"""The generated sandbox tasks are byte-identical to the recorded snapshot.

``tests/data/sandbox_task_snapshot.json`` holds, for every split (and the train split on another
data seed), the task ids in order and a sha256 of the configs as canonical JSON, recorded by
``scripts/record_task_snapshot.py`` before the sandbox's templates moved into the site folders.
A change that alters a generated task (an id, an intent, a reference, the order) fails here; if
the change is meant, bump the split version and record a new snapshot.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RECORDED = json.loads((ROOT / "tests" / "data" / "sandbox_task_snapshot.json").read_text())


def _recorder():
    spec = importlib.util.spec_from_file_location(
        "record_task_snapshot", ROOT / "scripts" / "record_task_snapshot.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def current() -> dict:
    return _recorder().snapshot()


@pytest.mark.parametrize("case", sorted(RECORDED))
def test_every_split_is_byte_identical_to_the_snapshot(current, case):
    now, then = current[case], RECORDED[case]
    assert now["count"] == then["count"], case
    assert now["ids"] == then["ids"], case
    assert now["sha256"] == then["sha256"], f"{case}: same ids, different configs"
