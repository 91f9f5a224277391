"""Task configs: the schema, loading (WebArena, webarena-verified, instruction lists) with
validation, placeholder substitution."""

from webarena_gym.tasks.config import (
    EVAL_TYPES,
    OUTCOME_JUDGE_KEY,
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
from webarena_gym.tasks.formats import (
    FORMATS,
    detect_format,
    instruction_to_webarena,
    verified_to_webarena,
)
from webarena_gym.tasks.funcs import FuncCall, FuncSyntaxError, parse_func_call
from webarena_gym.tasks.loader import (
    LITE_CONFIG_ENV_VAR,
    load_task_configs,
    site_urls_from_env,
    sites_needed,
    substitute_placeholders,
    webarena_lite_config_path,
)

__all__ = [
    "EVAL_TYPES",
    "FORMATS",
    "OUTCOME_JUDGE_KEY",
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
    "detect_format",
    "instruction_to_webarena",
    "load_task_configs",
    "parse_func_call",
    "site_urls_from_env",
    "sites_needed",
    "substitute_placeholders",
    "verified_to_webarena",
    "webarena_lite_config_path",
]
