"""Task formats other than WebArena's own, converted to WebArena-schema dicts.

:func:`~webarena_gym.tasks.load_task_configs` reads four formats:

``"webarena"``
    WebArena's configs (``config_files/test.raw.json``) and VisualAgentBench's WebArena-Lite
    ones (the same schema): one object per task with an ``eval`` object.
``"webarena-verified"``
    ServiceNow's webarena-verified (``webarena_verified/assets/dataset/webarena-verified.json``
    in the ``webarena-verified`` package): ``start_urls`` is a list and ``eval`` a list of
    evaluators (``AgentResponseEvaluator``, ``NetworkEventEvaluator``) with structured
    expected answers. See :func:`verified_to_webarena` for which tasks our evaluators can
    score and what happens to the others.
``"instructions"``
    Instruction-only task lists: WebRL's training instructions (JSON Lines of
    ``{"task": ..., "web": ...}``, as ``THUDM/WebRL``'s ``scripts/gen_task.py`` writes them),
    or objects with ``intent`` and ``sites``. No reference answer: each becomes a task
    without evaluators (``eval.needs_outcome_judge``) whose episodes end with reward 0 and
    ``info["eval"]["needs_outcome_judge"] = True``, for rollouts scored by an outcome judge.

:func:`detect_format` tells them apart where that is unambiguous.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Literal

from webarena_gym.tasks.config import OUTCOME_JUDGE_KEY, SITE_PLACEHOLDERS, SITES, TaskConfigError

TaskFormat = Literal["webarena", "webarena-verified", "instructions"]
FORMATS: tuple[str, ...] = ("webarena", "webarena-verified", "instructions")
UNSCORABLE_POLICIES: tuple[str, ...] = ("mark", "raise", "skip")

#: WebRL's ``web`` names (its ``webrl/data/htmls.json`` keys) -> our site names.
WEBRL_SITES: dict[str, str] = {
    "cms": "shopping_admin",
    "oss": "shopping",
    "reddit": "reddit",
    "gitlab": "gitlab",
    "map": "map",
}

#: Sites whose tasks start logged in, from ``<auth_dir>/<sites>_state.json`` (as WebArena).
LOGIN_SITES: tuple[str, ...] = ("gitlab", "reddit", "shopping", "shopping_admin")

VERIFIED_EVALUATORS: tuple[str, ...] = ("AgentResponseEvaluator", "NetworkEventEvaluator")
VERIFIED_KEY = "webarena_verified_eval"
"""Top-level key where a converted webarena-verified task keeps its original ``eval`` list
(so that webarena-verified's own evaluator can still score the episode offline)."""

_PLAIN_STRING_SCHEMA = {"type": "array", "items": {"type": "string"}}
# A reference whose webarena-verified normalisation is the identity up to case: printable
# ASCII, no hyphen (normalised to a space next to letters), no doubled whitespace, no URL
# (derendered), no leading/trailing quote or punctuation (stripped), not a ^...$ pattern.
_PLAIN_REFERENCE = re.compile(r"[A-Za-z0-9@#(\[]([ !-~]*[A-Za-z0-9)\]])?")
_VERIFIED_STRIPPED = set("'\"`.,;:!?")


def detect_format(data: Any) -> TaskFormat | None:
    """The format one task entry is in, or None when its shape does not say.

    * an ``eval`` object: ``"webarena"``;
    * an ``eval`` list or a ``start_urls`` list: ``"webarena-verified"``;
    * a ``task`` string and neither ``eval`` nor ``intent``: ``"instructions"`` (WebRL's).

    An object with ``intent`` but no ``eval`` is not taken for an instruction: it is more
    likely a WebArena config that lost its ``eval``; pass ``format="instructions"`` to load
    it as one.
    """
    if not isinstance(data, Mapping):
        return None
    evaluation = data.get("eval")
    if isinstance(evaluation, Mapping):
        return "webarena"
    if isinstance(evaluation, list) or isinstance(data.get("start_urls"), list):
        return "webarena-verified"
    if isinstance(data.get("task"), str) and "eval" not in data and "intent" not in data:
        return "instructions"
    return None


def check_format(format: str, *, what: str = "format") -> None:
    """Raise ValueError unless ``format`` is ``"auto"`` or one of :data:`FORMATS`."""
    if format != "auto" and format not in FORMATS:
        raise ValueError(f"{what}={format!r}; use 'auto' or one of {', '.join(FORMATS)}")


def check_unscorable(policy: str) -> None:
    """Raise ValueError unless ``policy`` is one of :data:`UNSCORABLE_POLICIES`."""
    if policy not in UNSCORABLE_POLICIES:
        raise ValueError(
            f"unscorable={policy!r}; use one of {', '.join(UNSCORABLE_POLICIES)}"
        )


def login_state(sites: list[str]) -> str | None:
    """WebArena's storage-state file for a task on ``sites`` (``./.auth/gitlab.reddit_state.json``),
    or None when none of them needs a login."""
    logins = sorted(site for site in set(sites) if site in LOGIN_SITES)
    return f"./.auth/{'.'.join(logins)}_state.json" if logins else None


class _Reader:
    """Reads fields of one entry, raising :class:`TaskConfigError` naming source, task, field."""

    def __init__(self, data: Mapping[str, Any], source: str, where: str) -> None:
        self.data = data
        self.source = source
        self.where = where
        self.task_id: int | str | None = None

    def fail(self, field: str, problem: str) -> TaskConfigError:
        return TaskConfigError(
            f"{problem} ({self.where})", task_id=self.task_id, field=field, source=self.source
        )

    def get(self, data: Mapping[str, Any], key: str, path: str, types: Any, what: str) -> Any:
        if key not in data:
            raise self.fail(path, f"missing; add {what}")
        value = data[key]
        if not isinstance(value, types) or isinstance(value, bool) and bool not in (
            types if isinstance(types, tuple) else (types,)
        ):
            raise self.fail(path, f"must be {what}, got {type(value).__name__} {value!r:.80}")
        return value

    def strings(self, data: Mapping[str, Any], key: str, path: str, what: str) -> list[str]:
        values = self.get(data, key, path, list, what)
        if not values:
            raise self.fail(path, f"is empty; give {what}")
        for i, value in enumerate(values):
            if not isinstance(value, str) or not value.strip():
                raise self.fail(f"{path}[{i}]", f"must be a non-empty string, got {value!r:.80}")
        return list(values)


def verified_to_webarena(
    data: Mapping[str, Any],
    *,
    source: str = "<dicts>",
    where: str = "entry 0",
    unscorable: str = "mark",
) -> dict[str, Any] | None:
    """One webarena-verified task as a WebArena-schema dict (None: ``unscorable="skip"``
    and the task cannot be scored here).

    The task keeps its ids, sites, intent and template; ``start_urls`` are joined with
    ``|AND|``; tasks on login sites start logged in as WebArena's do; the original ``eval``
    list is kept under ``webarena_verified_eval``.

    **Scoring.** webarena-verified asks the agent for a JSON response (``task_type``,
    ``status``, ``retrieved_data``) compared with a type-aware normaliser, and checks the
    HTTP requests the browser sent (``NetworkEventEvaluator``). Our evaluators see a
    free-text answer and the final pages, so only one kind of task maps onto them
    faithfully: a retrieve task that succeeds, checked by ``AgentResponseEvaluator`` alone,
    whose expected answer is one plain string that webarena-verified's normaliser leaves
    unchanged up to case (printable ASCII, no hyphen, URL, regular expression, doubled
    space, or leading/trailing punctuation). It becomes a ``string_match`` with
    ``exact_match`` on that string: the agent answers with the value itself (``exit`` with
    the value, as in WebArena), and an answer equal to it up to case and surrounding
    quotes/space scores 1 in both harnesses. Known difference, on the strict side only:
    webarena-verified also accepts the value with trailing punctuation or Unicode variants
    ("Sprite." / full-width letters), which score 0 here; no answer scores 1 here that it
    rejects.

    Every other task (network checks, mutate/navigate tasks, error statuses, numbers,
    dates, currencies, lists, objects, alternatives, patterns) is handled by
    ``unscorable``: ``"mark"`` loads it without evaluators (``eval.needs_outcome_judge``
    says why; reward 0 and ``info["eval"]["needs_outcome_judge"]``), ``"raise"`` raises
    :class:`TaskConfigError` naming it, ``"skip"`` leaves it out.

    Raises:
        TaskConfigError: a missing or malformed field (source, task id and field named), an
            unknown evaluator, or (``unscorable="raise"``) a task that cannot be scored here.
    """
    check_unscorable(unscorable)
    reader = _Reader(data, source, where)
    raw_id = data.get("task_id")
    if isinstance(raw_id, (int, str)) and not isinstance(raw_id, bool):
        reader.task_id = raw_id
    reader.task_id = reader.get(data, "task_id", "task_id", (int, str), "the task's id")
    sites = reader.strings(data, "sites", "sites", "a list of site names")
    intent = reader.get(data, "intent", "intent", str, "the instruction string")
    start_urls = reader.strings(data, "start_urls", "start_urls", "a list of start URLs")
    evaluators = reader.get(data, "eval", "eval", list, "a list of evaluators")
    if not evaluators:
        raise reader.fail("eval", "is empty; a webarena-verified task has an AgentResponseEvaluator")
    reason: str | None = None
    network_reason: str | None = None
    mapped: dict[str, Any] | None = None
    for i, evaluator in enumerate(evaluators):
        path = f"eval[{i}]"
        if not isinstance(evaluator, Mapping):
            raise reader.fail(path, f"must be an object, got {type(evaluator).__name__}")
        name = reader.get(evaluator, "evaluator", f"{path}.evaluator", str, "the evaluator's name")
        if name not in VERIFIED_EVALUATORS:
            raise reader.fail(
                f"{path}.evaluator",
                f"unknown webarena-verified evaluator {name!r}; known: "
                f"{', '.join(VERIFIED_EVALUATORS)}",
            )
        reader.get(evaluator, "expected", f"{path}.expected", Mapping, "the expected object")
        if name == "NetworkEventEvaluator":
            # The most basic reason first: it holds whatever the agent answers.
            network_reason = network_reason or (
                f"{path} is a NetworkEventEvaluator: it checks the HTTP requests the browser "
                "sent, and webarena-gym records no network trace"
            )
            continue
        answer_reason, answer_eval = _agent_response(reader, evaluator, path)
        if answer_reason is not None:
            reason = reason or answer_reason
        mapped = answer_eval
    out: dict[str, Any] = {
        "sites": sites,
        "task_id": reader.task_id,
        "require_login": login_state(sites) is not None,
        "storage_state": login_state(sites),
        "start_url": " |AND| ".join(url.strip() for url in start_urls),
        "geolocation": data.get("geolocation"),
        "intent_template": data.get("intent_template", ""),
        "instantiation_dict": data.get("instantiation_dict", {}),
        "intent": intent,
        "require_reset": bool(data.get("require_reset", False)),
        "intent_template_id": data.get("intent_template_id"),
    }
    out.update({k: v for k, v in data.items() if k not in out and k not in ("start_urls", "eval")})
    out[VERIFIED_KEY] = list(evaluators)
    reason = network_reason or reason
    if reason is None and mapped is not None:
        out["eval"] = mapped
        return out
    reason = reason or "it has no AgentResponseEvaluator"
    if unscorable == "raise":
        raise reader.fail(
            "eval",
            f"cannot be scored by webarena-gym's evaluators: {reason}. Load with "
            "unscorable='mark' to run it for an outcome judge (or score it with "
            "webarena-verified), or unscorable='skip' to leave it out",
        )
    if unscorable == "skip":
        return None
    out["eval"] = {
        "eval_types": [],
        "reference_answers": None,
        "reference_url": "",
        "program_html": [],
        "string_note": "",
        OUTCOME_JUDGE_KEY: f"webarena-verified task not scorable here: {reason}",
    }
    return out


def _agent_response(
    reader: _Reader, evaluator: Mapping[str, Any], path: str
) -> tuple[str | None, dict[str, Any] | None]:
    """(why it cannot be scored here, or None; the WebArena ``eval`` block when it can)."""
    expected = evaluator["expected"]
    task_type = reader.get(
        expected, "task_type", f"{path}.expected.task_type", str, "RETRIEVE, MUTATE or NAVIGATE"
    )
    status = reader.get(expected, "status", f"{path}.expected.status", str, "SUCCESS or an error")
    schema = reader.get(
        evaluator, "results_schema", f"{path}.results_schema", Mapping, "a JSON schema object"
    )
    if task_type.upper() != "RETRIEVE":
        return (
            f"{path} expects a {task_type.upper()} task, which webarena-verified scores by the "
            "status the agent reports and the requests it sent, not by an answer",
            None,
        )
    if status.upper() != "SUCCESS":
        return (
            f"{path} expects status {status.upper()}: the agent must report that error "
            "status, which a free-text answer does not carry",
            None,
        )
    data = expected.get("retrieved_data")
    if dict(schema) != _PLAIN_STRING_SCHEMA:
        return (
            f"{path}.results_schema is {dict(schema)!r:.120}: typed values (numbers, dates, "
            "currencies, objects) are compared by webarena-verified's normaliser, which "
            "exact_match does not reproduce",
            None,
        )
    if not isinstance(data, list) or len(data) != 1:
        count = len(data) if isinstance(data, list) else 0
        return (
            f"{path}.expected.retrieved_data holds {count} values: a list is compared as an "
            "unordered set of values, which exact_match does not reproduce",
            None,
        )
    value = data[0]
    if not isinstance(value, str):
        return (
            f"{path}.expected.retrieved_data[0] is {type(value).__name__} {value!r:.80}: "
            "alternatives or typed values, which exact_match does not reproduce",
            None,
        )
    problem = _not_plain(value)
    if problem:
        return (
            f"{path}.expected.retrieved_data[0] {value!r:.80} {problem}, which "
            "webarena-verified's normaliser treats differently from exact_match",
            None,
        )
    return None, {
        "eval_types": ["string_match"],
        "reference_answers": {"exact_match": value},
        "reference_url": "",
        "program_html": [],
        "string_note": "",
        "reference_answer_raw_annotation": value,
    }


def _not_plain(value: str) -> str | None:
    """Why webarena-verified's string normalisation would change ``value`` beyond case, or
    None when it would not (so exact_match compares the same values)."""
    if value.startswith("^") and value.endswith("$"):
        return "is a regular expression"
    if "http" in value:
        return "holds a URL (derendered)"
    if "-" in value or "\u2010" in value:
        return "holds a hyphen (normalised to a space)"
    if "  " in value:
        return "holds doubled whitespace (collapsed)"
    if not _PLAIN_REFERENCE.fullmatch(value):
        return "is not plain printable ASCII (transliterated) or starts/ends with punctuation"
    if value[0] in _VERIFIED_STRIPPED or value[-1] in _VERIFIED_STRIPPED:
        return "starts or ends with punctuation (stripped)"
    return None


def instruction_to_webarena(
    data: Any,
    *,
    source: str = "<dicts>",
    where: str = "entry 0",
    default_id: int | str = 0,
) -> dict[str, Any]:
    """One instruction-only task as a WebArena-schema dict without evaluators.

    Accepts WebRL's ``{"task": "...", "web": "cms"}`` (``web`` is one of
    :data:`WEBRL_SITES`' names or one of ours) and ``{"intent": "...", "sites": [...]}``;
    optional ``task_id`` (else ``default_id``) and ``start_url`` (else the first site's
    placeholder, ``__SHOPPING_ADMIN__``: the site's home page, where WebRL's episodes start).
    Tasks on login sites start logged in, as WebArena's do.

    The task's ``eval`` is ``{"eval_types": [], "needs_outcome_judge": "..."}``: its episodes
    end with reward 0 and ``info["eval"]["needs_outcome_judge"] = True``.

    Raises:
        TaskConfigError: no instruction, no site or an unknown one (source, task, field).
    """
    if not isinstance(data, Mapping):
        raise TaskConfigError(
            f"an instruction must be a JSON object such as "
            f'{{"task": "...", "web": "cms"}}, got {type(data).__name__} ({where})',
            source=source,
        )
    reader = _Reader(data, source, where)
    task_id = data.get("task_id", default_id)
    if "eval" in data:
        reader.task_id = task_id if isinstance(task_id, (int, str)) else None
        raise reader.fail(
            "eval",
            "an instruction-only task has no eval; load a task with evaluators with "
            "format='webarena' or format='webarena-verified'",
        )
    if not isinstance(task_id, (int, str)) or isinstance(task_id, bool):
        raise reader.fail("task_id", f"must be an int or a string, got {task_id!r:.80}")
    reader.task_id = task_id
    key = "task" if "task" in data or "intent" not in data else "intent"
    intent = reader.get(data, key, key, str, "the instruction string")
    if not intent.strip():
        raise reader.fail(key, "is empty; give the instruction")
    if "web" in data or "sites" not in data:
        web = reader.get(
            data, "web", "web", str, f"the site ({', '.join(WEBRL_SITES)} or one of ours)"
        )
        site = WEBRL_SITES.get(web.strip().lower(), web.strip().lower())
        if site not in SITES:
            raise reader.fail(
                "web",
                f"unknown site {web!r}; use one of WebRL's {', '.join(WEBRL_SITES)} or "
                f"{', '.join(SITES)}",
            )
        sites = [site]
    else:
        sites = reader.strings(data, "sites", "sites", "a list of site names")
    start_url = data.get("start_url", SITE_PLACEHOLDERS.get(sites[0], ""))
    state = login_state(sites)
    extra = {
        k: v
        for k, v in data.items()
        if k not in ("task", "intent", "web", "sites", "task_id", "start_url")
    }
    return {
        **extra,
        "sites": sites,
        "task_id": task_id,
        "require_login": state is not None,
        "storage_state": state,
        "start_url": start_url,
        "intent": intent.strip(),
        "eval": {
            "eval_types": [],
            "reference_answers": None,
            "reference_url": "",
            "program_html": [],
            "string_note": "",
            OUTCOME_JUDGE_KEY: (
                "instruction-only task: there is no reference to score it against"
            ),
        },
    }
