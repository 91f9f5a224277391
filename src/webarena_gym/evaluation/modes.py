"""Evaluation modes: whose evaluator semantics score an episode.

* ``"webarena"``: WebArena's original harness (``evaluation_harness/evaluators.py`` as the
  ``libwebarena`` 0.0.5 wheel ships it); the default for full WebArena configs.
* ``"vab"``: VisualAgentBench's WebArena-Lite harness (``VAB-WebArena-Lite/new/evaluators.py``),
  the one the WebArena-Lite results (WebRL, WebAgent-R1, VAB) are reported with; the default of
  ``WebArenaLite-v0``.
* ``"gym"``: this project's own semantics, the sandbox's default: WebArena's, with ``|OR|``
  alternatives everywhere, numeric one-item ``must_include`` references compared by value as
  whole tokens, every ``required_contents`` kind of a ``program_html`` check applied.
"""

from __future__ import annotations

EVAL_MODES = ("webarena", "vab", "gym")
WEBARENA = "webarena"
VAB = "vab"
GYM = "gym"


def check_eval_mode(mode: object) -> str:
    """``mode`` if it is one of :data:`EVAL_MODES`; else a ValueError that names them."""
    if not isinstance(mode, str) or mode not in EVAL_MODES:
        raise ValueError(
            f"eval_mode must be one of {', '.join(repr(m) for m in EVAL_MODES)} "
            f"('webarena': WebArena's harness, 'vab': VisualAgentBench's WebArena-Lite "
            f"harness, 'gym': this project's), got {mode!r}"
        )
    return mode
