"""webarena-gym: gymnasium environments for LLM web agents.

``import webarena_gym`` registers ``WebArenaLite-v0`` (and the sandbox ids) with gymnasium.
"""

from webarena_gym.actions import (
    Action,
    ActionExecutionError,
    ActionParseError,
    format_action,
    parse_action,
)
from webarena_gym.env import WebArenaEnv, WebArenaEnvError
from webarena_gym.registration import MissingSitesError, register_envs
from webarena_gym.tasks import TaskConfig, TaskConfigError, load_task_configs
from webarena_gym.vector import WebArenaVectorEnv

__version__ = "0.1.0"

register_envs()

__all__ = [
    "Action",
    "ActionExecutionError",
    "ActionParseError",
    "MissingSitesError",
    "TaskConfig",
    "TaskConfigError",
    "WebArenaEnv",
    "WebArenaEnvError",
    "WebArenaVectorEnv",
    "__version__",
    "format_action",
    "load_task_configs",
    "parse_action",
    "register_envs",
]
