"""Every site's template catalogue: large, varied, registered; every template's samples are
distinct, seeded, and give configs that load and round-trip (one parametrised suite for all
sites; what is special to a site is in ``tests/sandbox/<site>/``)."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from helpers import ORACLE_SITES, site_templates, template_samples

from webarena_gym.sandbox.templates import template
from webarena_gym.tasks import load_task_configs

#: per site: the fewest templates, and the fewest of each first evaluator (a fraction of the
#: templates where below 1, else a count), following WebArena-Lite's proportions
CATALOGUES = {
    "shopping": (22, {"string_match": 0.4, "program_html": 0.3, "url_match": 3}),
    "shopping_admin": (22, {"string_match": 0.4, "program_html": 0.25, "url_match": 2}),
    "reddit": (24, {"string_match": 0.4, "program_html": 0.3, "url_match": 3}),
    "gitlab": (24, {"string_match": 0.4, "program_html": 0.3, "url_match": 3}),
    "map": (24, {"string_match": 0.5, "url_match": 5, "program_html": 2}),
}
ALL = [(site, t) for site in ORACLE_SITES for t in site_templates(site)]


@pytest.mark.parametrize("site", list(CATALOGUES))
def test_catalogue_is_large_varied_and_registered(site):
    templates = site_templates(site)
    fewest, kinds_needed = CATALOGUES[site]
    ids = [t.id for t in templates]
    assert len(templates) >= fewest and len(set(ids)) == len(ids)
    assert all(i.startswith(f"{site}/") and t.sites == (site,)
               for i, t in zip(ids, templates, strict=True))
    unseen = [t for t in templates if t.unseen]
    assert 4 <= len(unseen) <= 5
    assert {t.difficulty for t in templates if not t.unseen} == {"easy", "medium", "hard"}
    kinds = Counter(t.evaluation(template_samples(t, 1)[0])["eval_types"][0] for t in templates)
    for kind, least in kinds_needed.items():
        assert kinds[kind] >= (least * len(templates) if least < 1 else least), (kind, kinds)
    for t in templates:  # the registry knows them (the splits are built from it)
        assert template(t.id).__class__ is t.__class__


def test_cross_site_catalogue_spans_sites():
    templates = site_templates("cross_site")
    ids = [t.id for t in templates]
    assert len(templates) >= 4 and len(set(ids)) == len(ids)
    assert all(i.startswith("cross_site/") and len(t.sites) >= 2
               for i, t in zip(ids, templates, strict=True))
    assert len({t.sites for t in templates}) >= 2
    assert any(t.unseen for t in templates) and not all(t.unseen for t in templates)
    for t in templates:
        assert template(t.id).__class__ is t.__class__


@pytest.mark.parametrize(("site", "t"), ALL, ids=[t.id for _, t in ALL])
def test_samples_are_distinct_seeded_and_configs_load_and_round_trip(site, t):
    samples = template_samples(t, 3)
    assert len(samples) == 3, f"{t.id} gave {len(samples)} distinct samples on seed 0"
    assert len({json.dumps(s.params, sort_keys=True) for s in samples}) == 3
    configs = [t.config(s, f"{t.id}/{i}") for i, s in enumerate(samples)]
    json.dumps(configs)  # the truth and params are plain JSON, as the split files hold them
    for config, task in zip(configs, load_task_configs(configs), strict=True):
        assert task.intent == config["intent"] and "{{" not in task.intent
        assert load_task_configs([task.to_dict()])[0] == task
        assert config["start_url"].startswith(f"__{t.sites[0].upper()}__")
        assert config["sites"] == list(t.sites)
        if site == "map":
            assert config["start_url"] == "__MAP__/" and config["storage_state"] is None
            assert not t.require_login
    # the same RNG draws the same instances (the fixed splits depend on it)
    assert [s.params for s in template_samples(t, 3)] == [s.params for s in samples]
