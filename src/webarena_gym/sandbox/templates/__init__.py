"""The sandbox's task-template machinery and its splits.

Templates live with their site: ``webarena_gym.sandbox.<site>.tasks`` lists a site's
(``TEMPLATES``), named by its :class:`~webarena_gym.sandbox.registry.SiteSpec`, and
:mod:`webarena_gym.sandbox.cross_site` the ones that span sites. This package holds what they
share: the base classes (:mod:`.base`), the page reader their oracles use (:mod:`.page`), the
registry of every template and the splits drawn from them.

Splits:

* ``train``: unbounded and seeded; instances drawn from the templates that are not held out,
  never equal to a test instance.
* ``test``: a fixed, versioned list (``data/test.<version>.json``, shipped with the package):
  at least 3 instances of every seen template, sampled from the default data seed.
* ``test_unseen``: the held-out templates (never in ``train``), fixed and versioned likewise.
* ``easy_train``, ``easy_test``, ``easy_test_unseen``: the easy curriculum, short map tasks
  (1-3 actions) on short pages for small models (:mod:`webarena_gym.sandbox.map.tasks.easy`,
  drawn by :mod:`webarena_gym.sandbox.templates.easy`).

Test files are regenerated with ``python -m webarena_gym.sandbox.templates --write``; a test
checks that the shipped files equal what the templates generate, so a change to a template or to
the data generator shows up as a diff and a version bump.
"""

from __future__ import annotations

import importlib
import json
import os
import random
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from webarena_gym.sandbox.registry import DATABASES, template_modules
from webarena_gym.sandbox.templates.base import Sample, TaskTemplate

SPLITS = ("train", "test", "test_unseen", "easy_train", "easy_test", "easy_test_unseen")
SPLIT_VERSION = "v2"  # v2: v1 (shop, admin) plus the reddit, gitlab, map and cross-site tasks
# The RNG namespace of the fixed splits' draws. One RNG per template keeps every v1 instance in
# v2; a change that redraws instances must change this too.
SAMPLING_KEY = "v1"
TEST_DATA_SEED = 0  # the fixed splits are defined on the site data generated from this seed
TEST_PER_TEMPLATE = 3


class SplitError(ValueError):
    """A split that does not exist, or does not exist for these sites / this data seed."""


@lru_cache(maxsize=1)
def all_templates() -> tuple[TaskTemplate, ...]:
    """Every template of every site (its :class:`~webarena_gym.sandbox.registry.SiteSpec`'s
    ``templates`` module), then the cross-site ones, in a stable order (modules not yet written
    skip)."""
    found: list[TaskTemplate] = []
    for name in template_modules():
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue
            raise
        found.extend(cls() for cls in module.TEMPLATES)
    ids = [t.id for t in found]
    duplicates = {i for i in ids if ids.count(i) > 1}
    if duplicates:
        raise ValueError(f"duplicate template ids: {sorted(duplicates)}")
    return tuple(found)


def templates(sites: Iterable[str] | None = None, *, unseen: bool | None = None) -> list[TaskTemplate]:
    """Templates whose sites all lie within ``sites`` (all when None), seen/unseen filtered."""
    allowed = None if sites is None else set(sites)
    return [
        t
        for t in all_templates()
        if (allowed is None or set(t.sites) <= allowed) and (unseen is None or t.unseen == unseen)
    ]


def template(template_id: str) -> TaskTemplate:
    """The template with this id (the easy curriculum's too)."""
    from webarena_gym.sandbox.map.tasks.easy import easy_templates  # a site's, loaded on demand

    for t in (*all_templates(), *easy_templates()):
        if t.id == template_id:
            return t
    raise KeyError(f"no task template {template_id!r}; see `webarena-gym tasks list`")


_attached: list[sqlite3.Connection] = []  # keeps the shared in-memory copies alive


@lru_cache(maxsize=4)
def _site_data(seed: int) -> sqlite3.Connection:
    """A read-only view of every sandbox database of ``seed``, the one the samplers draw from.

    The ``store`` is the main schema; every other database is attached under its name
    (``forum``, ``gitlab``, ``map``). Table names are unique across databases, so samplers
    write plain ``SELECT ... FROM posts``; cross-site samplers join across them.
    """
    from webarena_gym.sandbox.db import template_connection

    conn = template_connection("store", seed)
    conn.execute("PRAGMA query_only = OFF")  # ATTACH is refused on a query-only connection
    for name in DATABASES:
        if name == "store":
            continue
        uri = f"file:wag-sampler-{name}-{seed}?mode=memory&cache=shared"
        holder = sqlite3.connect(uri, uri=True, check_same_thread=False)
        template_connection(name, seed).backup(holder)
        _attached.append(holder)
        conn.execute("ATTACH DATABASE ? AS " + name, (uri,))
    conn.execute("PRAGMA query_only = ON")
    return conn


def _forget_after_fork() -> None:
    # SQLite connections must not cross a fork: a forked child opens its own.
    _site_data.cache_clear()
    _attached.clear()


os.register_at_fork(after_in_child=_forget_after_fork)


def _key(t: TaskTemplate, sample: Sample) -> str:
    return t.id + json.dumps(sample.params, sort_keys=True)


def _draw(t: TaskTemplate, rng: random.Random, db: sqlite3.Connection, n: int,
          exclude: set[str], key: Callable[[TaskTemplate, Sample], str] = _key) -> list[Sample]:
    """``n`` distinct samples of ``t`` whose ``key`` is not in ``exclude`` (fewer if the data
    runs out)."""
    samples: list[Sample] = []
    seen = set(exclude)
    for _ in range(n * 50):
        if len(samples) == n:
            break
        sample = t.sample(rng, db)
        if sample is None or key(t, sample) in seen:
            continue
        seen.add(key(t, sample))
        samples.append(sample)
    return samples


def generate_fixed_split(split: str) -> list[dict[str, Any]]:
    """Generate ``test`` or ``test_unseen`` from the templates (what the shipped files hold)."""
    if split not in ("test", "test_unseen"):
        raise SplitError(f"only test and test_unseen are fixed splits, not {split!r}")
    db = _site_data(TEST_DATA_SEED)
    configs = []
    for t in templates(unseen=(split == "test_unseen")):
        # One RNG per template, so adding a template never changes another's instances.
        rng = random.Random(f"{SAMPLING_KEY}/{split}/{t.id}")
        samples = _draw(t, rng, db, TEST_PER_TEMPLATE, set())
        if len(samples) < TEST_PER_TEMPLATE:
            raise ValueError(f"template {t.id} yielded only {len(samples)} distinct samples")
        configs += [t.config(s, f"{t.id}/{i}") for i, s in enumerate(samples)]
    return configs


def _split_file(split: str) -> Path:
    return Path(str(resources.files(__name__) / "data" / f"{split}.{SPLIT_VERSION}.json"))


@lru_cache(maxsize=4)
def _fixed_split(split: str) -> tuple[dict[str, Any], ...]:
    path = _split_file(split)
    if not path.is_file():
        raise SplitError(
            f"{path} is missing; regenerate it with "
            "`python -m webarena_gym.sandbox.templates --write`"
        )
    return tuple(json.loads(path.read_text()))


def iter_train(sites: Iterable[str] | None = None, seed: int = 0) -> Iterator[dict[str, Any]]:
    """Endless train tasks: templates taken in turn, instances drawn with ``Random(seed)``."""
    chosen = templates(sites, unseen=False)
    if not chosen:
        raise SplitError(f"no train templates for sites {sorted(sites or [])}")
    db = _site_data(seed)
    exclude = {
        c["intent_template_id"] + json.dumps(c["instantiation_dict"], sort_keys=True)
        for c in _fixed_split("test")
    } if seed == TEST_DATA_SEED else set()
    rng = random.Random(f"train/{seed}")
    counts: dict[str, int] = {}
    while True:
        if not chosen:
            raise SplitError("every train template has run out of new instances")
        t = chosen[rng.randrange(len(chosen))]
        drawn = _draw(t, rng, db, 1, exclude)
        if not drawn:
            # Templates over small sets (six order statuses, five wishlist items) run dry:
            # drop them from the rotation, the others go on.
            chosen = [c for c in chosen if c is not t]
            continue
        exclude.add(_key(t, drawn[0]))
        index = counts[t.id] = counts.get(t.id, -1) + 1
        yield t.config(drawn[0], f"train/{t.id}/{index}")


def load_split(split: str = "test", sites: Iterable[str] | None = None, seed: int = 0,
               n: int | None = None) -> list[dict[str, Any]]:
    """Task configs (WebArena schema, placeholders not substituted) of a split.

    Args:
        split: ``train``, ``test``, ``test_unseen``, or an easy-curriculum split
            (``easy_train``, ``easy_test``, ``easy_test_unseen``).
        sites: keep tasks whose sites all lie within these (default: all sandbox sites).
        seed: the site-data seed; the fixed splits exist for the default seed only.
        n: at most this many tasks (``train`` defaults to 1000).
    """
    if split not in SPLITS:
        raise SplitError(f"unknown split {split!r}; use one of {', '.join(SPLITS)}")
    if split.startswith("easy_"):
        from webarena_gym.sandbox.templates.easy import load_easy_split  # it imports this module

        return load_easy_split(split, sites=sites, seed=seed, n=n)
    if split == "train":
        stream = iter_train(sites, seed)
        return [next(stream) for _ in range(1000 if n is None else n)]
    if seed != TEST_DATA_SEED:
        raise SplitError(
            f"the {split} split is defined on the data of seed {TEST_DATA_SEED}; "
            f"use seed={TEST_DATA_SEED}, or split='train' for other seeds"
        )
    allowed = None if sites is None else set(sites)
    configs = [dict(c) for c in _fixed_split(split)
               if allowed is None or set(c["sites"]) <= allowed]
    if not configs:
        raise SplitError(f"no {split} tasks for sites {sorted(allowed or [])}")
    return configs if n is None else configs[:n]


def sample_of(config: dict[str, Any]) -> tuple[TaskTemplate, Sample]:
    """The template and sample behind a sandbox task config (to run its oracle)."""
    t = template(str(config.get("intent_template_id")))
    return t, Sample(dict(config.get("instantiation_dict") or {}),
                     dict(config.get("oracle_truth") or {}))


def write_fixed_splits() -> list[Path]:
    """Regenerate the shipped test files."""
    written = []
    for split in ("test", "test_unseen"):
        path = _split_file(split)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(generate_fixed_split(split), indent=1, sort_keys=True) + "\n")
        written.append(path)
    _fixed_split.cache_clear()
    return written
