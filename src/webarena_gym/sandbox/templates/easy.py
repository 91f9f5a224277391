"""The easy curriculum's splits (its templates: :mod:`webarena_gym.sandbox.map.tasks.easy`).

Splits (names accepted by :func:`webarena_gym.sandbox.templates.load_split`):

* ``easy_train``: endless and seeded, from the seen templates;
* ``easy_test``: unseen instances of the seen templates (fixed: :data:`EASY_PER_TEMPLATE` per
  template, data seed 0);
* ``easy_test_unseen``: instances of held-out templates (never in ``easy_train``).

No place (template and parameters) of a test split is ever a train instance: the ``@page`` and
``@search`` variants of one template share their exclusions, so a place whose phone number is a
test question is not a train question in either variant. The fixed splits are drawn with their
own RNG per template and are not shipped as files (a test checks they are stable).
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import Any

from webarena_gym.sandbox.map.tasks.easy import SEEN, UNSEEN
from webarena_gym.sandbox.templates.base import Sample, TaskTemplate

EASY_SPLITS = ("easy_train", "easy_test", "easy_test_unseen")
EASY_VERSION = "v1"  # the RNG namespace of the fixed easy splits; a redraw must change it
EASY_PER_TEMPLATE = 4


def _base_key(t: TaskTemplate, sample: Sample) -> str:
    # One key for both start variants of a template: a place asked in a test split is never
    # asked in train, whichever page the question starts on.
    return t.id.split("@", 1)[0] + json.dumps(sample.params, sort_keys=True)


def _fixed(split: str) -> list[dict[str, Any]]:
    from webarena_gym.sandbox.templates import TEST_DATA_SEED, _draw, _site_data

    db = _site_data(TEST_DATA_SEED)
    chosen = [cls() for cls in (SEEN if split == "easy_test" else UNSEEN)]
    taken: set[str] = set()
    configs = []
    for t in chosen:
        rng = random.Random(f"easy/{EASY_VERSION}/{split}/{t.id}")
        samples = _draw(t, rng, db, EASY_PER_TEMPLATE, taken, key=_base_key)
        taken.update(_base_key(t, s) for s in samples)
        if len(samples) < EASY_PER_TEMPLATE:
            raise ValueError(f"easy template {t.id} yielded only {len(samples)} samples")
        configs += [_config(t, s, f"{split}/{t.id}/{i}") for i, s in enumerate(samples)]
    return configs


def _config(t: TaskTemplate, sample: Sample, task_id: str) -> dict[str, Any]:
    config = t.config(sample, task_id)
    config["curriculum"] = "easy"
    return config


@lru_cache(maxsize=2)
def _fixed_split(split: str) -> tuple[dict[str, Any], ...]:
    return tuple(_fixed(split))


def _held_out_keys() -> set[str]:
    keys = set()
    for split in ("easy_test", "easy_test_unseen"):
        for c in _fixed_split(split):
            base = str(c["intent_template_id"]).split("@", 1)[0]
            keys.add(base + json.dumps(c["instantiation_dict"], sort_keys=True))
    return keys


def iter_easy_train(seed: int = 0) -> Iterator[dict[str, Any]]:
    """Endless ``easy_train`` tasks: the seen templates in turn (a seeded order per round),
    instances drawn with ``Random(seed)``, none of them a test instance."""
    from webarena_gym.sandbox.templates import TEST_DATA_SEED, _site_data

    db = _site_data(seed)
    chosen = [cls() for cls in SEEN]
    exclude = _held_out_keys() if seed == TEST_DATA_SEED else set()
    rng = random.Random(f"easy/train/{seed}")
    counts: dict[str, int] = {}
    while chosen:
        order = list(chosen)
        rng.shuffle(order)
        for t in order:
            for _ in range(50):
                sample = t.sample(rng, db)
                if sample is not None and _base_key(t, sample) not in exclude:
                    break
            else:
                chosen.remove(t)  # this template ran out of new places
                continue
            exclude.add(_base_key(t, sample))
            index = counts[t.id] = counts.get(t.id, -1) + 1
            yield _config(t, sample, f"easy_train/{t.id}/{index}")
    raise ValueError("every easy train template has run out of new instances")


def load_easy_split(split: str, sites: Iterable[str] | None = None, seed: int = 0,
                    n: int | None = None) -> list[dict[str, Any]]:
    """Task configs of an easy split (see the module docstring); arguments as for
    :func:`webarena_gym.sandbox.templates.load_split`. Every easy task is on the ``map`` site."""
    from webarena_gym.sandbox.templates import TEST_DATA_SEED, SplitError

    if split not in EASY_SPLITS:
        raise SplitError(f"unknown easy split {split!r}; use one of {', '.join(EASY_SPLITS)}")
    if sites is not None and "map" not in set(sites):
        raise SplitError(f"the easy splits hold map tasks only; sites={sorted(sites)} has none")
    if split == "easy_train":
        stream = iter_easy_train(seed)
        return [next(stream) for _ in range(1000 if n is None else n)]
    if seed != TEST_DATA_SEED:
        raise SplitError(f"the {split} split is defined on the data of seed {TEST_DATA_SEED}; "
                         f"use seed={TEST_DATA_SEED}, or easy_train for other seeds")
    configs = [dict(c) for c in _fixed_split(split)]
    return configs if n is None else configs[:n]
