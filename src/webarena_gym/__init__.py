"""webarena-gym: gymnasium environments for LLM web agents.

``import webarena_gym`` registers ``WebArenaLite-v0`` (and the sandbox ids) with gymnasium.
The names here are the core's; the embedded sites and their env are in
:mod:`webarena_gym.sandbox` (``gym.make("WebArenaSandbox-v0")`` loads it).
"""

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
from webarena_gym.registration import MissingSitesError, register_envs
from webarena_gym.tasks import TaskConfig, TaskConfigError, load_task_configs
from webarena_gym.vector import WebArenaVectorEnv

__version__ = "0.1.0"

register_envs()

__all__ = [
    "Action",
    "ActionExecutionError",
    "ActionParseError",
    "Episode",
    "EpisodeStep",
    "EvalResult",
    "EvaluatorResult",
    "MissingSitesError",
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
    "parse_action",
    "register_envs",
    "run_episodes",
]
