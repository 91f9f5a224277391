"""Every task template's oracle solves it on the real site, one instance each, site by site.

One env per site (one Chromium, reset per task) holds one instance of every template of that
site; the cross-site templates run as their own group. A template whose oracle fails here is a
template no policy can be trained on, so every failure is listed with its last URL and response.
"""

from __future__ import annotations

import time

import pytest
from helpers import ORACLE_SITES, site_env

from webarena_gym.sandbox.demonstrations import rollout

MAX_STEPS = 30


@pytest.fixture(scope="module", params=ORACLE_SITES)
def oracle_env(request):
    """``(site, env, configs by id)`` for each site in turn (one env alive at a time)."""
    with site_env(request.param, max_episode_steps=MAX_STEPS) as (env, configs):
        yield request.param, env, configs


@pytest.mark.timeout(900)
def test_oracle_solves_one_instance_of_every_template(oracle_env):
    site, env, configs = oracle_env
    failures, timings = [], []
    for task_id, config in configs.items():
        began = time.perf_counter()
        trajectory = rollout(env, config)
        timings.append((time.perf_counter() - began, trajectory.num_steps, task_id))
        if trajectory.reward != 1.0:
            last = trajectory.steps[-1] if trajectory.steps else None
            failures.append(f"{task_id}: reward {trajectory.reward}, error {trajectory.error}, "
                            f"last url {last.observation['url'] if last else None}, "
                            f"last response {last.response if last else None}")
        assert trajectory.num_steps <= MAX_STEPS
        assert all(step.action is not None for step in trajectory.steps), task_id
        assert all(step.response.startswith("<think>") for step in trajectory.steps), task_id
        if site == "cross_site":  # the episode ends on the second site, reached through a link
            assert trajectory.num_steps >= 2, task_id
    total = sum(t for t, _, _ in timings)
    steps = sum(n for _, n, _ in timings)
    print(f"\n{site} oracle: {len(timings)} tasks, {steps} steps, {total:.1f}s "
          f"({total / max(steps, 1):.2f}s per step)")
    for elapsed, n, task_id in sorted(timings, reverse=True)[:3]:
        print(f"  slowest: {task_id}: {n} steps in {elapsed:.1f}s")
    assert not failures, "\n".join(failures)
