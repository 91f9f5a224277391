"""The soak benchmark's fault injection, briefly: every kind of fault is recovered, no leaks."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[2] / "benchmarks"))

import soak  # noqa: E402


def test_short_soak_recovers_every_fault():
    results = soak.run(soak.Settings(steps=40, num_envs=2, fault_every=3, max_episode_steps=4,
                                     step_timeout_s=6, navigation_timeout_ms=3000,
                                     sample_every=20), progress=False)
    assert results["steps"] >= 40
    assert sum(results["faults_injected"].values()) >= 4
    assert results["unrecovered"] == []
    assert results["leaked_chromium_processes"] == 0
    table = soak.markdown(results)
    assert "unrecovered faults" in table
