"""The easy curriculum: short-horizon map tasks (1-3 actions) on short pages, for small models.

The regular splits start every task on a site's home page and mix in tasks of ten and more
actions; a 135M-parameter model solves none of them, so RL gets no signal. This curriculum keeps
the same sites, evaluators and oracles, and changes where a task starts:

* ``@page`` tasks start on the place's own page: read one fact and answer (1 action);
* ``@search`` tasks start on the map's empty search page: search, maybe open the result, answer
  (2-3 actions).

Pages stay under about 450 tokens of a 49k-word tokenizer (the map's search page and place
pages), so a whole prompt is about 1k tokens with the standard system prompt.

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

from webarena_gym.sandbox.map.tasks import (
    OpenPlacePage,
    PlaceCategory,
    PlaceCoordinates,
    PlacePhone,
    PlaceTown,
    PlaceZip,
    _PlaceFact,
    place_facts,
)
from webarena_gym.sandbox.templates.base import (
    Sample,
    ScriptedTemplate,
    Steps,
    TaskTemplate,
)
from webarena_gym.sandbox.templates.page import Page

EASY_SPLITS = ("easy_train", "easy_test", "easy_test_unseen")
EASY_VERSION = "v1"  # the RNG namespace of the fixed easy splits; a redraw must change it
EASY_PER_TEMPLATE = 4
SEARCH_PAGE = "/search?query="


def _at_search(base: type[TaskTemplate]) -> type[TaskTemplate]:
    """``base``, started on the map's empty search page instead of its home page."""
    return type(f"{base.__name__}AtSearch", (base,), {
        "__doc__": f"{base.__doc__} Starts on the empty search page.",
        "id": f"{base.id}@search",
        "start_path": SEARCH_PAGE,
        "difficulty": "easy",
    })


def _on_page(base: type[_PlaceFact]) -> type[TaskTemplate]:
    """``base`` (a fact of a place's page), started on that page: one action, the answer."""

    class OnPlacePage(base):  # type: ignore[misc, valid-type]
        id = f"{base.id}@page"
        difficulty = "easy"

        def start_url(self, sample: Sample) -> str:
            return f"__MAP__/node/{sample.truth['id']}"

        def steps(self, sample: Sample, page: Page) -> Steps:
            answer = self.answer(place_facts(page), sample)
            yield self.reply(sample, answer, f"This page of {sample.params['place']} shows "
                                             f"{self.fact.lower()}: {answer}.")

    OnPlacePage.__name__ = OnPlacePage.__qualname__ = f"{base.__name__}OnPage"
    OnPlacePage.__doc__ = f"{base.__doc__} Starts on the place's page."
    return OnPlacePage


SEEN = (
    _on_page(PlacePhone),
    _on_page(PlaceZip),
    _at_search(PlacePhone),
    _at_search(PlaceZip),
    _at_search(PlaceTown),
    _at_search(OpenPlacePage),
)
UNSEEN = (
    _on_page(PlaceCoordinates),
    _at_search(PlaceCoordinates),
    _at_search(PlaceCategory),
)


@lru_cache(maxsize=1)
def easy_templates() -> tuple[TaskTemplate, ...]:
    """The curriculum's templates: the seen ones, then the held-out ones."""
    found = tuple(cls() for cls in (*SEEN, *UNSEEN))
    for t in found:
        assert isinstance(t, ScriptedTemplate), t.id
    return found


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
