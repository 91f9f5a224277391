"""Loading task configs (a JSON file, a folder of per-task files, or dicts) and placeholders.

Configs name their sites with placeholders (``__SHOPPING__``); :func:`substitute_placeholders`
swaps in one deployment's URLs, taken from a mapping such as :func:`site_urls_from_env`'s
(``WA_SHOPPING``, ... as BrowserGym names them).
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from webarena_gym.tasks.config import (
    MAX_CONFIG_DEPTH,
    SITE_ENV_VARS,
    SITE_PLACEHOLDERS,
    TaskConfig,
    TaskConfigError,
)
from webarena_gym.tasks.formats import (
    check_format,
    check_unscorable,
    detect_format,
    instruction_to_webarena,
    verified_to_webarena,
)

LITE_CONFIG_ENV_VAR = "WEBARENA_LITE_CONFIG"
LITE_CONFIG_FILE = "test_webarena_lite.raw.json"

_PLACEHOLDER_SITES = {placeholder: site for site, placeholder in SITE_PLACEHOLDERS.items()}
_PLACEHOLDER_RE = re.compile("|".join(re.escape(p) for p in SITE_PLACEHOLDERS.values()))

TaskSource = str | os.PathLike[str] | Mapping[str, Any] | Sequence[Mapping[str, Any]]


def site_urls_from_env(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """Site URLs from ``WA_SHOPPING``, ``WA_GITLAB``, ... (only the variables that are set)."""
    environ = os.environ if environ is None else environ
    return {site: environ[var].strip() for site, var in SITE_ENV_VARS.items() if environ.get(var)}


def sites_needed(tasks: Iterable[TaskConfig]) -> set[str]:
    """Sites whose placeholder appears anywhere in these (unsubstituted) tasks, or that they name."""
    needed: set[str] = set()
    for task in tasks:
        text = repr(task.to_dict())
        needed.update(s for s, placeholder in SITE_PLACEHOLDERS.items() if placeholder in text)
    return needed


def substitute_placeholders(config: TaskConfig, site_urls: Mapping[str, str]) -> TaskConfig:
    """Replace ``__SITE__`` placeholders everywhere in ``config`` with ``site_urls[site]``.

    Covers start_url, reference_url, program_html urls, locators and contents, and the
    reference answers. URLs lose their trailing slash, so ``__GITLAB__/a`` stays one slash.

    Raises:
        TaskConfigError: a placeholder's site is missing from ``site_urls``; the message names
            the site and its ``WA_`` variable.
    """
    return _substitute(config, site_urls, "<substitution>")


def _substitute(config: TaskConfig, site_urls: Mapping[str, str], source: str) -> TaskConfig:
    urls = {site: url.rstrip("/") for site, url in site_urls.items()}

    def replace(value: Any, path: str) -> Any:
        if isinstance(value, str):
            return _PLACEHOLDER_RE.sub(lambda m: lookup(m.group(0), path), value)
        if isinstance(value, list):
            return [replace(v, f"{path}[{i}]") for i, v in enumerate(value)]
        if isinstance(value, dict):
            return {k: replace(v, f"{path}.{k}" if path else k) for k, v in value.items()}
        return value

    def lookup(placeholder: str, path: str) -> str:
        site = _PLACEHOLDER_SITES[placeholder]
        if site not in urls:
            raise TaskConfigError(
                f"{placeholder} needs the URL of site {site!r}; set {SITE_ENV_VARS[site]} "
                f"(or pass site_urls={{{site!r}: 'http://...'}})",
                task_id=config.task_id,
                field=path,
                source=source,
            )
        return urls[site]

    data = config.to_dict()
    substituted = {key: replace(value, key) for key, value in data.items() if key != "intent"}
    substituted["intent"] = data["intent"]
    return TaskConfig.from_dict(substituted, source=source)


def load_task_configs(
    source: TaskSource,
    site_urls: Mapping[str, str] | None = None,
    *,
    format: str = "auto",
    unscorable: str = "mark",
) -> list[TaskConfig]:
    """Load and validate task configs, in any of the formats of :mod:`webarena_gym.tasks.formats`.

    Args:
        source: a JSON file holding a list of configs (or one config), a JSON Lines file
            (``*.jsonl``, one object a line), a folder of per-task ``*.json`` / ``*.jsonl``
            files (ordered by task id, numerically when ids are ints), or a sequence of
            config dicts.
        site_urls: when given, placeholders are substituted (see :func:`substitute_placeholders`).
        format: ``"auto"`` (default: each entry's shape says, see
            :func:`~webarena_gym.tasks.formats.detect_format`; every entry of a source must
            be in the same format), ``"webarena"`` (WebArena's and VAB's WebArena-Lite
            configs), ``"webarena-verified"`` (its structured-answer configs) or
            ``"instructions"`` (instruction-only task lists such as WebRL's: tasks without
            evaluators, for an outcome judge).
        unscorable: what becomes of a webarena-verified task our evaluators cannot score
            faithfully (see :func:`~webarena_gym.tasks.formats.verified_to_webarena`):
            ``"mark"`` (default) loads it without evaluators, marked
            ``eval.needs_outcome_judge``; ``"raise"`` raises :class:`TaskConfigError`;
            ``"skip"`` leaves it out.

    Raises:
        TaskConfigError: invalid JSON (file and line), a malformed config (file, task id and
            field), an entry whose format cannot be told or differs from the others', or a
            task id defined twice.
        FileNotFoundError: ``source`` is a path that does not exist.
        ValueError: an unknown ``format`` or ``unscorable``.
    """
    check_format(format)
    check_unscorable(unscorable)
    entries = _read_entries(source)
    configs: list[tuple[str, TaskConfig]] = []
    seen: dict[int | str, str] = {}
    first_format: dict[str, tuple[str, str]] = {}  # origin -> (format, where) of its first entry
    for entry in entries:
        origin, where, data = entry.origin, entry.where, entry.data
        kind = format if format != "auto" else _detected(entry, first_format)
        try:
            if kind == "webarena-verified":
                converted = verified_to_webarena(
                    data, source=origin, where=where, unscorable=unscorable
                )
                if converted is None:
                    continue
                data = converted
            elif kind == "instructions":
                data = instruction_to_webarena(
                    data, source=origin, where=where, default_id=entry.default_id
                )
            config = TaskConfig.from_dict(data, source=origin)
        except TaskConfigError as exc:
            if exc.task_id is None and entry.in_list and where not in exc.problem:
                raise TaskConfigError(
                    f"{exc.problem} ({where})",
                    field=exc.field,
                    source=origin,
                ) from None
            raise
        if config.task_id in seen:
            raise TaskConfigError(
                f"duplicate task id, first defined in {seen[config.task_id]}; "
                "task ids must be unique",
                task_id=config.task_id,
                field="task_id",
                source=origin,
            )
        seen[config.task_id] = origin
        configs.append((origin, config))
    if source_is_folder(source):
        configs.sort(key=lambda item: _task_order(item[1]))
    if site_urls is not None:
        return [_substitute(config, site_urls, origin) for origin, config in configs]
    return [config for _, config in configs]


def _detected(entry: _Entry, first_format: dict[str, tuple[str, str]]) -> str:
    """The format of ``entry`` under ``format="auto"``; an entry whose shape says nothing is
    read as WebArena's (whose validation then names the missing field)."""
    kind = detect_format(entry.data) or "webarena"
    if entry.origin not in first_format:
        first_format[entry.origin] = (kind, entry.where)
        return kind
    first, first_where = first_format[entry.origin]
    if kind != first:
        task_id = entry.data.get("task_id") if isinstance(entry.data, Mapping) else None
        raise TaskConfigError(
            f"{entry.where} looks like a {kind} task but {first_where} like a {first} one; "
            "keep one format a file, or pass format=... to load_task_configs",
            task_id=task_id if isinstance(task_id, (int, str)) else None,
            source=entry.origin,
        )
    return kind


def source_is_folder(source: TaskSource) -> bool:
    """Whether ``source`` names a folder of per-task files."""
    return isinstance(source, (str, os.PathLike)) and Path(source).is_dir()


def _task_order(config: TaskConfig) -> tuple[int, int | str]:
    if isinstance(config.task_id, int):
        return (0, config.task_id)
    text = str(config.task_id)
    return (0, int(text)) if text.isdigit() else (1, text)


@dataclass(frozen=True)
class _Entry:
    """One task entry of a source: where it is, and its data."""

    origin: str  # the file (or "<dicts>")
    where: str  # "entry 3 of the list", "line 4", "the file"
    data: Any
    in_list: bool  # whether its file holds several entries
    default_id: int | str  # id of an instruction without one: "<file stem>-<index>"


def _read_entries(source: TaskSource) -> list[_Entry]:
    """Every task entry in ``source``, in file order."""
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if path.is_dir():
            entries = []
            files = sorted([*path.glob("*.json"), *path.glob("*.jsonl")])
            for file in files:
                entries.extend(_entries_of_file(file))
            return entries
        if not path.is_file():
            raise FileNotFoundError(f"task config source {str(path)!r} does not exist")
        return _entries_of_file(path)
    if isinstance(source, Mapping):
        return [_Entry("<dicts>", "the dict", source, False, 0)]
    if isinstance(source, Sequence) and not isinstance(source, (str, bytes)):
        return [
            _Entry("<dicts>", f"entry {i} of the list", item, True, i)
            for i, item in enumerate(source)
        ]
    raise TypeError(
        f"source must be a path, a config dict or a sequence of dicts, not {type(source).__name__}"
    )


def _entries_of_file(path: Path) -> list[_Entry]:
    origin, stem = str(path), path.stem
    if path.suffix.lower() == ".jsonl":
        return [
            _Entry(origin, f"line {line}", data, True, f"{stem}-{i}")
            for i, (line, data) in enumerate(_read_jsonl(path))
        ]
    data = _read_json(path)
    if isinstance(data, list):
        return [
            _Entry(origin, f"entry {i} of the list", item, True, f"{stem}-{i}")
            for i, item in enumerate(data)
        ]
    if isinstance(data, dict):
        return [_Entry(origin, "the file", data, False, stem)]
    raise TaskConfigError(
        f"must hold a config object or a list of them, not a JSON {type(data).__name__}",
        source=origin,
    )


def _read_jsonl(path: Path) -> list[tuple[int, Any]]:
    """(line number, object) for every non-blank line of a JSON Lines file."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise TaskConfigError(f"is not UTF-8 text ({exc.reason})", source=str(path)) from None
    out = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            _check_json_depth(line, str(path))
            out.append((number, json.loads(line)))
        except json.JSONDecodeError as exc:
            raise TaskConfigError(
                f"invalid JSON at line {number}, column {exc.colno}: {exc.msg} "
                "(a .jsonl file holds one JSON object a line)",
                source=str(path),
            ) from None
        except RecursionError:
            raise TaskConfigError(
                f"line {number} nests JSON arrays/objects too deeply to read", source=str(path)
            ) from None
    return out


def _read_json(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise TaskConfigError(f"is not UTF-8 text ({exc.reason})", source=str(path)) from None
    _check_json_depth(text, str(path))
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise TaskConfigError(
            f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}",
            source=str(path),
        ) from None
    except RecursionError:  # not expected after the depth check; never let it escape
        raise TaskConfigError(
            "nests JSON arrays/objects too deeply to read", source=str(path)
        ) from None


_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"?|[\[\]{}]')


def _check_json_depth(text: str, source: str) -> None:
    """Refuse JSON text whose arrays/objects nest more than a file of configs (a list of
    them) may, before ``json.loads`` recurses into it; names the line."""
    depth = 0
    for token in _JSON_TOKEN.finditer(text):
        char = token.group()[0]
        if char in "[{":
            depth += 1
            if depth > MAX_CONFIG_DEPTH + 1:  # +1: the list that holds the configs
                line = text.count("\n", 0, token.start()) + 1
                raise TaskConfigError(
                    f"nests JSON arrays/objects more than {MAX_CONFIG_DEPTH} levels deep "
                    f"(line {line}); WebArena configs nest about 6 levels, flatten the value",
                    source=source,
                )
        elif char in "]}":
            depth -= 1


def webarena_lite_config_path(config_path: str | os.PathLike[str] | None = None) -> Path:
    """The WebArena-Lite task file (165 configs).

    Order: ``config_path``, then ``$WEBARENA_LITE_CONFIG``, then the
    ``test_webarena_lite.raw.json`` shipped in the ``browsergym-webarenalite`` package (found on
    disk without importing that package, whose ``__init__`` needs WebArena itself).

    Raises:
        FileNotFoundError: a named path does not exist, or none of the three is available.
    """
    if config_path is not None:
        path = Path(config_path)
        if not path.is_file():
            raise FileNotFoundError(f"config_path={str(config_path)!r} is not a file")
        return path
    env_value = os.environ.get(LITE_CONFIG_ENV_VAR)
    if env_value:
        path = Path(env_value)
        if not path.is_file():
            raise FileNotFoundError(f"{LITE_CONFIG_ENV_VAR}={env_value!r} is not a file")
        return path
    packaged = _packaged_lite_config()
    if packaged is not None:
        return packaged
    raise FileNotFoundError(
        "WebArena-Lite task configs not found. Either:\n"
        "  - pass config_path='/path/to/test_webarena_lite.raw.json',\n"
        f"  - set {LITE_CONFIG_ENV_VAR} to that file, or\n"
        "  - pip install --no-deps browsergym-webarenalite (its data file is used)."
    )


def _packaged_lite_config() -> Path | None:
    """``browsergym/webarenalite/test_webarena_lite.raw.json`` on the namespace package path."""
    try:
        spec = importlib.util.find_spec("browsergym")
    except (ImportError, ValueError):
        return None
    # browsergym is a namespace package: find_spec executes nothing and lists its folders.
    for folder in (spec.submodule_search_locations or []) if spec else []:
        candidate = Path(folder) / "webarenalite" / LITE_CONFIG_FILE
        if candidate.is_file():
            return candidate
    return None
