"""WebArena's task-config schema as dataclasses, validated up front.

A config is WebArena's JSON unchanged (DESIGN 3.4). :meth:`TaskConfig.from_dict` checks every
field the evaluators rely on and raises :class:`TaskConfigError` naming the source, the task id
and the dotted field (``eval.program_html[2].locator``); :meth:`TaskConfig.to_dict` gives the
JSON back so that ``TaskConfig.from_dict(cfg.to_dict()) == cfg``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from webarena_gym.tasks.funcs import (
    FUNC_HELPER_PARAMS,
    FuncSyntaxError,
    check_func_call,
    is_func,
    parse_func_call,
)

SITES = ("shopping", "shopping_admin", "reddit", "gitlab", "map", "wikipedia", "homepage")
SITE_PLACEHOLDERS: dict[str, str] = {site: f"__{site.upper()}__" for site in SITES}
SITE_ENV_VARS: dict[str, str] = {site: f"WA_{site.upper()}" for site in SITES}

EVAL_TYPES = ("string_match", "url_match", "program_html")
URL_NOTES = ("GOLD in PRED", "EXACT")
DEFAULT_URL_NOTE = "GOLD in PRED"
REFERENCE_KINDS = ("exact_match", "must_include", "must_exclude", "fuzzy_match")
LAST_URL = "last"
UNACHIEVABLE = "N/A"
AND_SEPARATOR = "|AND|"
OR_SEPARATOR = "|OR|"

OUTCOME_JUDGE_KEY = "needs_outcome_judge"
"""``eval`` key of a task without evaluators (``eval_types: []``): why it has none. Such a task
(an instruction-only task list, a webarena-verified task whose checks cannot run here) ends its
episodes with reward 0 and ``info["eval"]["needs_outcome_judge"]``; an outcome judge scores it."""

MAX_CONFIG_DEPTH = 64
"""How deeply a config's objects and lists may nest (WebArena's own nest 6 levels)."""

URL_SCHEMES = ("http", "https")
"""The schemes a start URL or a program_html URL may have (after placeholder substitution)."""

_PLACEHOLDER_START = re.compile(
    "|".join(re.escape(p) for p in sorted(SITE_PLACEHOLDERS.values(), key=len, reverse=True))
)

_TOP_LEVEL_KEYS = (
    "sites",
    "task_id",
    "require_login",
    "storage_state",
    "start_url",
    "geolocation",
    "intent_template",
    "instantiation_dict",
    "intent",
    "require_reset",
    "eval",
    "intent_template_id",
)
_EVAL_KEYS = (
    "eval_types",
    "reference_answers",
    "reference_url",
    "program_html",
    "string_note",
    "reference_answer_raw_annotation",
    "url_note",
    "answer_guard",
)
_GUARD_KEYS = ("max_chars", "max_other_numbers", "distractors", "answer_forms")


class TaskConfigError(ValueError):
    """A task config that cannot be loaded; says where (source, task, field) and what to do."""

    def __init__(
        self,
        problem: str,
        *,
        task_id: int | str | None = None,
        field: str | None = None,
        source: str = "<dicts>",
    ) -> None:
        self.problem = problem
        self.task_id = task_id
        self.field = field
        self.source = source
        where = source
        if task_id is not None:
            where += f": task {task_id!r}"
        if field is not None:
            where += f", field {field!r}"
        super().__init__(f"{where}: {problem}")


@dataclass(frozen=True)
class ProgramHtmlCheck:
    """One ``eval.program_html`` entry: open ``url``, read ``locator``, check its contents.

    ``url`` is ``"last"`` (the agent's final URL), ``"func:helper(...)"`` or a URL; ``locator``
    is ``""`` (the whole page), a JavaScript expression, or ``"func:helper(...)"``.
    """

    url: str
    locator: str
    required_contents: dict[str, Any]
    prep_actions: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The entry in WebArena's JSON form."""
        out: dict[str, Any] = {
            "url": self.url,
            "locator": self.locator,
            "required_contents": dict(self.required_contents),
        }
        if self.prep_actions:
            out["prep_actions"] = list(self.prep_actions)
        return out


@dataclass(frozen=True)
class ReferenceAnswers:
    """``eval.reference_answers``: each kind is None when the config does not use it.

    ``fuzzy_match == "N/A"`` marks an unachievable task (the judge's ua check against
    ``string_note``).
    """

    exact_match: str | None = None
    must_include: list[str] | None = None
    must_exclude: list[str] | None = None
    fuzzy_match: list[str] | str | None = None
    #: Kinds the config gave as one bare string rather than a list (WebArena-Lite task 81's
    #: ``must_include``); VAB's harness iterates such a string character by character.
    unlisted: tuple[str, ...] = ()

    @property
    def unachievable(self) -> bool:
        """Whether the task is marked unachievable (``fuzzy_match: "N/A"``)."""
        return self.fuzzy_match == UNACHIEVABLE

    def to_dict(self) -> dict[str, Any]:
        """The kinds that are set, in WebArena's JSON form."""
        out: dict[str, Any] = {}
        for kind in REFERENCE_KINDS:
            value = getattr(self, kind)
            if value is not None:
                out[kind] = list(value) if isinstance(value, list) else value
                if kind in self.unlisted and isinstance(value, list) and len(value) == 1:
                    out[kind] = value[0]
        return out


@dataclass(frozen=True)
class AnswerGuard:
    """``eval.answer_guard``: what a ``string_match`` answer may not do beyond naming the answer.

    Not part of WebArena's schema (WebArena scores an answer that lists every candidate as
    correct, since ``must_include`` only asks that the reference occurs in it). The sandbox's
    answer templates write one into every config they generate; WebArena configs have none
    unless the evaluation is asked to derive one (``answer_guard="auto"`` of
    :func:`~webarena_gym.evaluation.evaluate_task`). Checked by
    :mod:`webarena_gym.evaluation.answer_guard`; each bound is off when None / empty.

    Attributes:
        max_chars: the longest answer (after WebArena's cleaning) that is still an answer
            rather than a list of candidates.
        max_other_numbers: how many distinct numbers the answer may hold that are neither in
            the reference answers nor in the intent (0 for a numeric answer: "12 13 14" for
            "13" holds two others).
        distractors: wrong candidates (the other values on the pages the task draws from);
            an answer naming any of them fails. An item may list spellings with ``|OR|``.
        answer_forms: the right answer as the pages write it where that holds numbers the
            reference leaves out (a phone's ``"+1 312-966-5071"`` for ``"312-966-5071"``);
            their numbers count as the reference's.
    """

    max_chars: int | None = None
    max_other_numbers: int | None = None
    distractors: list[str] = field(default_factory=list)
    answer_forms: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The ``eval.answer_guard`` object (bounds that are off are left out)."""
        out: dict[str, Any] = {}
        if self.max_chars is not None:
            out["max_chars"] = self.max_chars
        if self.max_other_numbers is not None:
            out["max_other_numbers"] = self.max_other_numbers
        if self.distractors:
            out["distractors"] = list(self.distractors)
        if self.answer_forms:
            out["answer_forms"] = list(self.answer_forms)
        return out


@dataclass(frozen=True)
class EvalConfig:
    """The ``eval`` block: which evaluators run (their product is the reward) and their data."""

    eval_types: list[str]
    reference_answers: ReferenceAnswers | None = None
    reference_url: str = ""
    url_note: str = DEFAULT_URL_NOTE
    program_html: list[ProgramHtmlCheck] = field(default_factory=list)
    string_note: str = ""
    reference_answer_raw_annotation: str | None = None
    answer_guard: AnswerGuard | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    #: Whether the config states ``url_note`` (VAB's harness reads a missing one as "EXACT",
    #: WebArena's as "GOLD in PRED"; ``url_note`` holds the latter).
    url_note_given: bool = True

    @property
    def needs_outcome_judge(self) -> str | None:
        """Why this task has no evaluators (``eval.needs_outcome_judge``), or None when it has.

        Such a task cannot be scored by the evaluators: its episodes end with reward 0 and
        ``info["eval"]["needs_outcome_judge"] = True``; an outcome judge must score them.
        """
        reason = self.extra.get(OUTCOME_JUDGE_KEY)
        return reason if isinstance(reason, str) and reason.strip() else None

    @property
    def reference_urls(self) -> list[str]:
        """``reference_url`` split on ``|OR|``, stripped, empty parts dropped."""
        return [u.strip() for u in self.reference_url.split(OR_SEPARATOR) if u.strip()]

    def to_dict(self) -> dict[str, Any]:
        """The block in WebArena's JSON form."""
        out: dict[str, Any] = {
            "eval_types": list(self.eval_types),
            "reference_answers": (
                None if self.reference_answers is None else self.reference_answers.to_dict()
            ),
            "reference_url": self.reference_url,
            "program_html": [check.to_dict() for check in self.program_html],
            "string_note": self.string_note,
        }
        if self.url_note_given:
            out["url_note"] = self.url_note
        if self.reference_answer_raw_annotation is not None:
            out["reference_answer_raw_annotation"] = self.reference_answer_raw_annotation
        if self.answer_guard is not None:
            out["answer_guard"] = self.answer_guard.to_dict()
        out.update(self.extra)
        return out


@dataclass(frozen=True)
class TaskConfig:
    """One WebArena task. Unknown top-level keys (e.g. ``old_task_id``) are kept in ``extra``."""

    task_id: int | str
    sites: list[str]
    intent: str
    start_url: str
    eval: EvalConfig
    require_login: bool = False
    storage_state: str | None = None
    geolocation: Any = None
    intent_template: str = ""
    instantiation_dict: dict[str, Any] = field(default_factory=dict)
    intent_template_id: int | str | None = None
    require_reset: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def start_urls(self) -> list[str]:
        """``start_url`` split on ``|AND|`` (one tab each), stripped, empty parts dropped."""
        return [u.strip() for u in self.start_url.split(AND_SEPARATOR) if u.strip()]

    def to_dict(self) -> dict[str, Any]:
        """The config in WebArena's JSON schema (``extra`` keys included)."""
        out: dict[str, Any] = {
            "sites": list(self.sites),
            "task_id": self.task_id,
            "require_login": self.require_login,
            "storage_state": self.storage_state,
            "start_url": self.start_url,
            "geolocation": self.geolocation,
            "intent_template": self.intent_template,
            "instantiation_dict": dict(self.instantiation_dict),
            "intent": self.intent,
            "require_reset": self.require_reset,
            "eval": self.eval.to_dict(),
            "intent_template_id": self.intent_template_id,
        }
        out.update(self.extra)
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, source: str = "<dicts>") -> TaskConfig:
        """Validate one WebArena config dict and build the dataclass.

        Raises:
            TaskConfigError: naming ``source``, the task id and the dotted field at fault.
        """
        return _Parser(source).task(data)


class _Parser:
    """Reads one config dict, raising :class:`TaskConfigError` with the exact field at fault."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.task_id: int | str | None = None

    def fail(self, path: str, problem: str) -> TaskConfigError:
        return TaskConfigError(problem, task_id=self.task_id, field=path, source=self.source)

    def typed(
        self,
        data: Mapping[str, Any],
        key: str,
        path: str,
        types: Any,
        what: str,
        *,
        required: bool = True,
        default: Any = None,
    ) -> Any:
        if key not in data:
            if required:
                raise self.fail(path, f"missing; add {what}")
            return default
        value = data[key]
        # bool is an int subclass; an int field given true/false is a mistake.
        if not isinstance(value, types) or (
            isinstance(value, bool) and bool not in _as_tuple(types)
        ):
            raise self.fail(path, f"must be {what}, got {type(value).__name__} {value!r:.80}")
        return value

    def depth(self, data: Mapping[str, Any]) -> None:
        """Refuse objects and lists nested more than ``MAX_CONFIG_DEPTH`` levels (or in a
        cycle), without recursion, naming the field where the limit is passed."""
        stack: list[tuple[Any, str, int]] = [(data, "", 1)]
        while stack:
            value, path, level = stack.pop()
            if isinstance(value, Mapping):
                children = [(v, f"{path}.{k}" if path else str(k)) for k, v in value.items()]
            elif isinstance(value, (list, tuple)):
                children = [(v, f"{path}[{i}]") for i, v in enumerate(value)]
            else:
                continue
            if level > MAX_CONFIG_DEPTH:
                shown = path if len(path) <= 120 else path[:60] + "..." + path[-40:]
                raise self.fail(
                    shown,
                    f"is nested more than {MAX_CONFIG_DEPTH} objects/lists deep (or refers to "
                    "itself); WebArena configs nest about 6 levels, flatten this value",
                )
            stack.extend((child, child_path, level + 1) for child, child_path in children)

    def url(self, url: str, path: str, what: str) -> None:
        """Refuse a URL the browser must not open: one with a scheme other than http(s)
        (``file:``, ``javascript:``, ``data:``, ``chrome:``, ...) or without a host. A URL
        that starts with a site placeholder (``__SHOPPING__/...``) is checked once the
        placeholder is substituted (``load_task_configs(..., site_urls=...)``)."""
        text = url.strip()
        if _PLACEHOLDER_START.match(text):
            return
        hint = (
            f"{what} must be an http:// or https:// URL, or start with a site placeholder "
            "such as __SHOPPING__"
        )
        try:
            parts = urlsplit(text)
            host = parts.hostname
        except ValueError as exc:
            raise self.fail(path, f"{text!r:.100} is not a valid URL ({exc}); {hint}") from None
        scheme = parts.scheme.lower()
        if scheme not in URL_SCHEMES:
            has = f"the {scheme}: scheme" if scheme else "no scheme"
            raise self.fail(path, f"{text!r:.100} has {has}; {hint}")
        if not host:
            raise self.fail(path, f"{text!r:.100} has no host; {hint}")

    def string_list(self, value: Any, path: str) -> list[str]:
        if not isinstance(value, list):
            raise self.fail(path, f"must be a list of strings, got {type(value).__name__}")
        for i, item in enumerate(value):
            if not isinstance(item, str):
                raise self.fail(f"{path}[{i}]", f"must be a string, got {type(item).__name__}")
        return list(value)

    def task(self, data: Mapping[str, Any]) -> TaskConfig:
        if not isinstance(data, Mapping):
            raise TaskConfigError(
                f"a task config must be a JSON object, got {type(data).__name__}",
                source=self.source,
            )
        # Before anything reads or prints a value: deep (or cyclic) nesting would overflow
        # Python's stack in repr(), substitution and copying.
        raw_id = data.get("task_id")
        if isinstance(raw_id, (int, str)) and not isinstance(raw_id, bool):
            self.task_id = raw_id
        self.depth(data)
        task_id = self.typed(data, "task_id", "task_id", (int, str), "an int or a string")
        self.task_id = task_id
        sites = self.string_list(
            self.typed(data, "sites", "sites", list, "a list of site names"), "sites"
        )
        for i, site in enumerate(sites):
            if site not in SITES:
                raise self.fail(f"sites[{i}]", f"unknown site {site!r}; known: {', '.join(SITES)}")
        intent = self.typed(data, "intent", "intent", str, "the instruction string")
        start_url = self.typed(data, "start_url", "start_url", str, "a URL string")
        if not start_url.strip():
            raise self.fail("start_url", "is empty; give the URL the episode starts on")
        for part in start_url.split(AND_SEPARATOR):
            if part.strip():
                self.url(part, "start_url", "a start URL")
        eval_data = self.typed(data, "eval", "eval", Mapping, "an object")
        template_id = self.typed(
            data,
            "intent_template_id",
            "intent_template_id",
            (int, str, type(None)),
            "an int or a string",
            required=False,
        )
        return TaskConfig(
            task_id=task_id,
            sites=sites,
            intent=intent,
            start_url=start_url,
            eval=self.eval_config(eval_data),
            require_login=self.typed(
                data,
                "require_login",
                "require_login",
                bool,
                "true or false",
                required=False,
                default=False,
            ),
            storage_state=self.typed(
                data,
                "storage_state",
                "storage_state",
                (str, type(None)),
                "a path string or null",
                required=False,
            ),
            geolocation=data.get("geolocation"),
            intent_template=self.typed(
                data,
                "intent_template",
                "intent_template",
                str,
                "a string",
                required=False,
                default="",
            ),
            instantiation_dict=dict(
                self.typed(
                    data,
                    "instantiation_dict",
                    "instantiation_dict",
                    Mapping,
                    "an object",
                    required=False,
                    default={},
                )
            ),
            intent_template_id=template_id,
            require_reset=self.typed(
                data,
                "require_reset",
                "require_reset",
                bool,
                "true or false",
                required=False,
                default=False,
            ),
            extra={k: v for k, v in data.items() if k not in _TOP_LEVEL_KEYS},
        )

    def eval_config(self, data: Mapping[str, Any]) -> EvalConfig:
        eval_types = self.string_list(
            self.typed(data, "eval_types", "eval.eval_types", list, "a list of evaluator names"),
            "eval.eval_types",
        )
        judge_reason = data.get(OUTCOME_JUDGE_KEY)
        if judge_reason is not None and not (
            isinstance(judge_reason, str) and judge_reason.strip()
        ):
            raise self.fail(
                f"eval.{OUTCOME_JUDGE_KEY}",
                "must be a non-empty string saying why the task has no evaluators",
            )
        if not eval_types and judge_reason is None:
            raise self.fail(
                "eval.eval_types",
                f"is empty; use some of {', '.join(EVAL_TYPES)} (a task scored only by an "
                f'outcome judge says why in eval.{OUTCOME_JUDGE_KEY}: "...")',
            )
        if eval_types and judge_reason is not None:
            raise self.fail(
                f"eval.{OUTCOME_JUDGE_KEY}",
                "is only for a task without evaluators; empty eval.eval_types or drop this key",
            )
        for i, name in enumerate(eval_types):
            if name not in EVAL_TYPES:
                raise self.fail(
                    f"eval.eval_types[{i}]",
                    f"unknown eval type {name!r}; known: {', '.join(EVAL_TYPES)}",
                )
        answers_data = self.typed(
            data,
            "reference_answers",
            "eval.reference_answers",
            (Mapping, type(None)),
            "an object or null",
            required=False,
        )
        answers = None if answers_data is None else self.reference_answers(answers_data)
        reference_url = (
            self.typed(
                data,
                "reference_url",
                "eval.reference_url",
                (str, type(None)),
                "a URL string or null",
                required=False,
            )
            or ""
        )
        url_note = self.typed(
            data,
            "url_note",
            "eval.url_note",
            str,
            "a string",
            required=False,
            default=DEFAULT_URL_NOTE,
        )
        # Spellings vary between WebArena forks ("exact", "gold in pred"): match case-insensitively.
        url_note = {n.lower(): n for n in URL_NOTES}.get(url_note.strip().lower(), url_note)
        if url_note not in URL_NOTES:
            raise self.fail(
                "eval.url_note", f"unknown url_note {url_note!r}; use one of {', '.join(URL_NOTES)}"
            )
        checks_data = (
            self.typed(
                data,
                "program_html",
                "eval.program_html",
                (list, type(None)),
                "a list of checks",
                required=False,
            )
            or []
        )
        checks = [self.check(c, f"eval.program_html[{i}]") for i, c in enumerate(checks_data)]
        string_note = (
            self.typed(
                data,
                "string_note",
                "eval.string_note",
                (str, type(None)),
                "a string",
                required=False,
            )
            or ""
        )
        raw = self.typed(
            data,
            "reference_answer_raw_annotation",
            "eval.reference_answer_raw_annotation",
            (str, type(None)),
            "a string",
            required=False,
        )

        guard_data = self.typed(
            data,
            "answer_guard",
            "eval.answer_guard",
            (Mapping, type(None)),
            'an object such as {"max_chars": 120} or null',
            required=False,
        )
        guard = None if guard_data is None else self.answer_guard(guard_data)

        if "string_match" in eval_types and not (answers and answers.to_dict()):
            raise self.fail(
                "eval.reference_answers",
                f"string_match needs reference answers ({', '.join(REFERENCE_KINDS)})",
            )
        if "url_match" in eval_types and not reference_url.strip():
            raise self.fail("eval.reference_url", "url_match needs a reference URL")
        if "program_html" in eval_types and not checks:
            raise self.fail("eval.program_html", "program_html needs at least one check")
        return EvalConfig(
            eval_types=eval_types,
            reference_answers=answers,
            reference_url=reference_url,
            url_note=url_note,
            url_note_given="url_note" in data,
            program_html=checks,
            string_note=string_note,
            reference_answer_raw_annotation=raw,
            answer_guard=guard,
            extra={k: v for k, v in data.items() if k not in _EVAL_KEYS},
        )

    def contents(self, data: Mapping[str, Any], path: str) -> dict[str, Any]:
        """Reference answers / required contents: the same four kinds, checked the same way."""
        out: dict[str, Any] = {}
        for kind, value in data.items():
            kind_path = f"{path}.{kind}"
            if kind not in REFERENCE_KINDS:
                raise self.fail(
                    kind_path, f"unknown kind {kind!r}; known: {', '.join(REFERENCE_KINDS)}"
                )
            if kind == "exact_match":
                out[kind] = self.text(value, kind_path)
            elif kind == "fuzzy_match" and isinstance(value, str):
                if value != UNACHIEVABLE:
                    raise self.fail(
                        kind_path,
                        f'must be a list of strings or "{UNACHIEVABLE}" (unachievable task)',
                    )
                out[kind] = value
            elif isinstance(value, (str, int, float)) and not isinstance(value, bool):
                # Some configs (WebArena-Lite task 81) give one reference without a list.
                out[kind] = [self.text(value, kind_path)]
            elif isinstance(value, list):
                out[kind] = [self.text(v, f"{kind_path}[{i}]") for i, v in enumerate(value)]
            else:
                raise self.fail(kind_path, f"must be a list of strings, got {type(value).__name__}")
        return out

    def text(self, value: Any, path: str) -> str:
        """A reference string; numbers are accepted as their text."""
        if isinstance(value, str):
            return value
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)
        raise self.fail(path, f"must be a string, got {type(value).__name__} {value!r:.80}")

    def answer_guard(self, data: Mapping[str, Any]) -> AnswerGuard:
        path = "eval.answer_guard"
        unknown = sorted(set(data) - set(_GUARD_KEYS))
        if unknown:
            raise self.fail(
                f"{path}.{unknown[0]}", f"unknown key; a guard has {', '.join(_GUARD_KEYS)}"
            )
        bounds: dict[str, int | None] = {}
        for key, least in (("max_chars", 1), ("max_other_numbers", 0)):
            value = self.typed(
                data, key, f"{path}.{key}", (int, type(None)), f"an int >= {least} or null",
                required=False,
            )
            if value is not None and value < least:
                raise self.fail(f"{path}.{key}", f"must be at least {least}, got {value}")
            bounds[key] = value
        lists = {
            key: self.string_list(
                data[key] if data.get(key) is not None else [], f"{path}.{key}"
            )
            for key in ("distractors", "answer_forms")
        }
        return AnswerGuard(
            max_chars=bounds["max_chars"],
            max_other_numbers=bounds["max_other_numbers"],
            **lists,
        )

    def reference_answers(self, data: Mapping[str, Any]) -> ReferenceAnswers:
        unlisted = tuple(
            kind for kind in ("exact_match", "must_include", "must_exclude")
            if kind != "exact_match" and isinstance(data.get(kind), str)
        )
        return ReferenceAnswers(**self.contents(data, "eval.reference_answers"), unlisted=unlisted)

    def func(self, text: str, path: str, *, page_allowed: bool) -> None:
        try:
            call = parse_func_call(text)
        except FuncSyntaxError as exc:
            raise self.fail(path, str(exc)) from None
        if call.name not in FUNC_HELPER_PARAMS:
            raise self.fail(
                path,
                f"unknown func: helper {call.name!r}; known: {', '.join(sorted(FUNC_HELPER_PARAMS))}",
            )
        if call.uses_page and not page_allowed:
            raise self.fail(path, "__page__ is only available in a locator")
        problem = check_func_call(call)
        if problem:
            raise self.fail(path, problem)

    def check(self, data: Any, path: str) -> ProgramHtmlCheck:
        if not isinstance(data, Mapping):
            raise self.fail(
                path,
                f"must be an object with url, locator and required_contents, "
                f"got {type(data).__name__}",
            )
        url = self.typed(data, "url", f"{path}.url", str, '"last", a URL or func:helper(...)')
        if not url.strip():
            raise self.fail(f"{path}.url", 'is empty; use "last", a URL or func:helper(...)')
        if is_func(url):
            self.func(url, f"{path}.url", page_allowed=False)
        elif url.strip() != LAST_URL:
            self.url(url, f"{path}.url", "a program_html URL")
        locator = self.typed(
            data,
            "locator",
            f"{path}.locator",
            str,
            '"", a JavaScript expression or func:helper(...)',
        )
        if is_func(locator):
            self.func(locator, f"{path}.locator", page_allowed=True)
        contents_data = self.typed(
            data,
            "required_contents",
            f"{path}.required_contents",
            Mapping,
            'an object such as {"must_include": [...]}',
        )
        contents = self.contents(contents_data, f"{path}.required_contents")
        if not contents:
            raise self.fail(
                f"{path}.required_contents", f"is empty; give one of {', '.join(REFERENCE_KINDS)}"
            )
        if contents.get("fuzzy_match") == UNACHIEVABLE:
            raise self.fail(
                f"{path}.required_contents.fuzzy_match",
                '"N/A" only makes sense in reference_answers; give a list',
            )
        prep = self.string_list(data.get("prep_actions") or [], f"{path}.prep_actions")
        unknown = sorted(set(data) - {"url", "locator", "required_contents", "prep_actions"})
        if unknown:
            raise self.fail(
                f"{path}.{unknown[0]}",
                "unknown key; a check has url, locator, "
                "required_contents and optional prep_actions",
            )
        return ProgramHtmlCheck(
            url=url, locator=locator, required_contents=contents, prep_actions=prep
        )


def _as_tuple(types: Any) -> tuple[Any, ...]:
    return types if isinstance(types, tuple) else (types,)
