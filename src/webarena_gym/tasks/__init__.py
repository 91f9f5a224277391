"""WebArena task configs: the schema, loading with validation, placeholder substitution."""

from webarena_gym.tasks.config import (
    EVAL_TYPES,
    SITE_ENV_VARS,
    SITE_PLACEHOLDERS,
    SITES,
    AnswerGuard,
    EvalConfig,
    ProgramHtmlCheck,
    ReferenceAnswers,
    TaskConfig,
    TaskConfigError,
)
from webarena_gym.tasks.funcs import FuncCall, FuncSyntaxError, parse_func_call
from webarena_gym.tasks.loader import (
    LITE_CONFIG_ENV_VAR,
    load_task_configs,
    site_urls_from_env,
    substitute_placeholders,
    webarena_lite_config_path,
)

__all__ = [
    "EVAL_TYPES",
    "LITE_CONFIG_ENV_VAR",
    "SITES",
    "SITE_ENV_VARS",
    "SITE_PLACEHOLDERS",
    "AnswerGuard",
    "EvalConfig",
    "FuncCall",
    "FuncSyntaxError",
    "ProgramHtmlCheck",
    "ReferenceAnswers",
    "TaskConfig",
    "TaskConfigError",
    "load_task_configs",
    "parse_func_call",
    "site_urls_from_env",
    "substitute_placeholders",
    "webarena_lite_config_path",
]
