"""Test helpers: the Chromium processes a test started (Linux /proc), loopback servers."""

from __future__ import annotations

import contextlib
import http.server
import re
import threading
from collections.abc import Iterator
from pathlib import Path

from webarena_gym.browser.processes import browser_pids, chromium_pids, descendant_pids

__all__ = [
    "DATA", "PAGES", "ROOT", "browser_pids", "chromium_pids", "descendant_pids", "element_id",
    "require_chromium", "serve", "task",
]

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
DATA = TESTS / "data"
PAGES = TESTS / "pages"


@contextlib.contextmanager
def serve(handler: type[http.server.BaseHTTPRequestHandler]) -> Iterator[str]:
    """Run ``handler`` on an ephemeral 127.0.0.1 port; yields the base URL, stops after."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def task(task_id, start_url, eval_cfg, **extra):
    """A WebArena-schema task dict."""
    cfg = {
        "sites": ["shopping"],
        "task_id": task_id,
        "require_login": False,
        "storage_state": None,
        "start_url": start_url,
        "geolocation": None,
        "intent_template": "",
        "instantiation_dict": {},
        "intent": f"fixture task {task_id}",
        "require_reset": False,
        "eval": {
            "eval_types": ["string_match"],
            "reference_answers": {"exact_match": "unused"},
            "reference_url": "",
            "program_html": [],
            "string_note": "",
            "url_note": "GOLD in PRED",
        },
    }
    cfg["eval"].update(eval_cfg)
    cfg.update(extra)
    return cfg


def element_id(html: str, text: str) -> str:
    """The number of the element whose text contains ``text`` in a simplified observation."""
    for match in re.finditer(r'<(\w+) id="(\d+)"[^>]*>([^<]*)', html):
        if text in match.group(3):
            return match.group(2)
    raise AssertionError(f"no numbered element with text {text!r} in:\n{html[:2000]}")


def require_chromium() -> str:
    """The path of the Chromium to launch; skips the test only when no browser is installed.

    Any other failure to start a browser (a crash, a bad flag) is a real failure and is raised
    by whatever launches it.
    """
    import pytest

    from webarena_gym.browser import ChromiumNotFoundError, find_chromium

    try:
        return find_chromium().path
    except ChromiumNotFoundError as exc:
        pytest.skip(f"no Chromium installed: {exc}")


#: the sites whose templates the oracle suite runs, and the cross-site templates
ORACLE_SITES = ("shopping", "shopping_admin", "reddit", "gitlab", "map", "cross_site")


def site_templates(site: str) -> list:
    """The task templates of ``site`` (``"cross_site"``: the templates that span sites)."""
    from webarena_gym.sandbox.cross_site import tasks as cross_site
    from webarena_gym.sandbox.templates import templates

    if site == "cross_site":
        return [cls() for cls in cross_site.TEMPLATES]
    return [t for t in templates([site]) if t.sites == (site,)]


def template_samples(t, n: int = 3, key: str | None = None) -> list:
    """``n`` distinct samples of template ``t`` on the test data, drawn as the splits draw them
    (the same ``key`` always gives the same samples; default ``test-<site>``, ``test`` for a
    cross-site template)."""
    import random

    from webarena_gym.sandbox.templates import SAMPLING_KEY, TEST_DATA_SEED, _draw, _site_data

    if key is None:
        key = f"test-{t.sites[0]}" if len(t.sites) == 1 else "test"
    rng = random.Random(f"{SAMPLING_KEY}/{key}/{t.id}")
    return _draw(t, rng, _site_data(TEST_DATA_SEED), n, set())


def oracle_scripts(config: dict, n: int) -> list:
    """``n`` started oracle scripts of a sandbox task config: ``script.send(observation)``
    gives the next action (the oracle of the config's template and sample)."""
    from webarena_gym.sandbox.templates import sample_of

    scripts = []
    for _ in range(n):
        template, sample = sample_of(config)
        script = template.solve(sample)
        next(script)
        scripts.append(script)
    return scripts


def one_config_per_template(site: str) -> list[dict]:
    """One task config of every template of ``site`` (ids ``<template>/0``), on the test data."""
    return [t.config(template_samples(t, 1)[0], f"{t.id}/0") for t in site_templates(site)]


@contextlib.contextmanager
def site_env(site: str, max_episode_steps: int = 30) -> Iterator[tuple[object, dict[str, dict]]]:
    """A ``SandboxEnv`` holding one instance of every template of ``site``, and its configs by id.

    Skips only when no Chromium is installed; closed on exit.
    """
    from webarena_gym.sandbox.env import SandboxEnv

    require_chromium()
    configs = one_config_per_template(site)
    env = SandboxEnv(task_configs=configs, max_episode_steps=max_episode_steps)
    try:
        yield env, {c["task_id"]: c for c in configs}
    finally:
        env.close()
