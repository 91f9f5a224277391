"""webarena-gym: gymnasium environments for LLM web agents.

``import webarena_gym`` registers ``WebArenaLite-v0`` (and the sandbox ids) with gymnasium.
The names here are what users construct: the envs (``WebArenaEnv``, ``SandboxEnv``), the
vector env and its factories, the action, episode and result records, ``build_messages``.
The core never imports the embedded sites: ``SandboxEnv`` and ``make_sandbox_vector_env`` are
handed out by :mod:`webarena_gym.sandbox` on first use, so ``import webarena_gym`` starts and
loads no site.
"""

import importlib
from typing import Any

from webarena_gym.actions import (
    Action,
    ActionExecutionError,
    ActionParseError,
    format_action,
    parse_action,
)
from webarena_gym.env import WebArenaEnv, WebArenaEnvError
from webarena_gym.episodes import Episode, EpisodeStep, Stop, run_episodes
from webarena_gym.evaluation import EvalResult, EvaluatorResult
from webarena_gym.prompting import build_messages
from webarena_gym.registration import MissingSitesError, make_lite_vector_env, register_envs
from webarena_gym.tasks import TaskConfig, TaskConfigError, load_task_configs
from webarena_gym.vector import WebArenaVectorEnv

__version__ = "0.1.0"

register_envs()

#: names that live in the sandbox, loaded when first used (the core does not import it)
_FROM_SANDBOX = ("SandboxEnv", "make_sandbox_vector_env")


def __getattr__(name: str) -> Any:
    if name in _FROM_SANDBOX:
        return getattr(importlib.import_module("webarena_gym.sandbox"), name)
    raise AttributeError(f"module 'webarena_gym' has no attribute {name!r}")


__all__ = [
    "Action",
    "ActionExecutionError",
    "ActionParseError",
    "Episode",
    "EpisodeStep",
    "EvalResult",
    "EvaluatorResult",
    "MissingSitesError",
    "SandboxEnv",
    "Stop",
    "TaskConfig",
    "TaskConfigError",
    "WebArenaEnv",
    "WebArenaEnvError",
    "WebArenaVectorEnv",
    "__version__",
    "build_messages",
    "format_action",
    "load_task_configs",
    "make_lite_vector_env",
    "make_sandbox_vector_env",
    "parse_action",
    "register_envs",
    "run_episodes",
]
