"""Task templates and oracle solvers for the sandbox sites.

A :class:`TaskTemplate` is what WebArena's annotators wrote by hand, as code: an intent template,
a sampler that draws an instantiation from the seeded site data (with the ground truth the
evaluator needs), the WebArena-schema evaluator config, and an **oracle** that solves the task
through the public action grammar, reading element numbers from the simplified HTML it is given
(see :mod:`webarena_gym.sandbox.templates.page`).

Oracles are generators: they receive each observation and yield the full response text
(``<think>one line of rationale</think><answer>do(...)</answer>``)::

    def solve(self, params):
        obs = yield                                   # the first observation
        page = Page(obs)
        obs = yield act(click(page.link("My Account")), "My orders are under My Account.")
        ...
        yield act(stop(answer), "The latest pending order totals $754.99.")
"""

from __future__ import annotations

import random
import re
import sqlite3
from collections.abc import Generator, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from webarena_gym.actions import Action, format_action
from webarena_gym.evaluation.answer_guard import derive_answer_guard, is_numeric_reference
from webarena_gym.evaluation.string_match import clean_answer

Observation = Mapping[str, str]
OracleScript = Generator[str, Observation, None]

DIFFICULTIES = ("easy", "medium", "hard")
# The answer pool of a template (see TaskTemplate.answer_pool): this many draws, at most this
# many values.
POOL_DRAWS = 120
POOL_MAX = 40
_POOLS: dict[str, tuple[str, ...]] = {}
#: how many wrong candidates of a page (the rows after the answer's) a sampler keeps as
#: ``truth["distractors"]``
RUNNERS_UP = 10


def act(action: Action, rationale: str) -> str:
    """The response text an oracle gives: a one-line ``<think>`` and the action in ``<answer>``."""
    return f"<think>{rationale}</think><answer>{format_action(action)}</answer>"


def click(element: str) -> Action:
    """``do(action="Click", element=...)``."""
    return Action("Click", element)


def type_text(element: str, text: str) -> Action:
    """``do(action="Type", argument=text, element=...)`` (clears the field first)."""
    return Action("Type", element, text)


def search(element: str, text: str) -> Action:
    """``do(action="Search", argument=text, element=...)`` (types, then Enter)."""
    return Action("Search", element, text)


def select(element: str, option: str) -> Action:
    """``do(action="Select Dropdown Option", argument=option, element=...)``."""
    return Action("Select Dropdown Option", element, option)


def stop(answer: str = "") -> Action:
    """``exit(message=answer)``."""
    return Action("exit", None, answer)


@dataclass(frozen=True)
class Sample:
    """One instantiation of a template: the intent's parameters and the hidden ground truth."""

    params: dict[str, Any]
    truth: dict[str, Any] = field(default_factory=dict)


class TaskTemplate:
    """Base class of a task template; subclasses set the class attributes and three methods.

    Class attributes:
        id: unique, ``"<site>/<name>"``.
        sites: the sites the task uses (the first one is where it starts).
        intent_template: WebArena-style, with ``{{param}}`` slots.
        difficulty: ``easy`` (2-3 steps), ``medium``, ``hard`` (10+ steps).
        unseen: True for templates held out of ``train`` (they form ``test_unseen``).
        require_login: start signed in to the sites (as WebArena's tasks do).
        start_path: path appended to the first site's placeholder (may use ``{{param}}``).
    """

    id: ClassVar[str]
    sites: ClassVar[tuple[str, ...]]
    intent_template: ClassVar[str]
    difficulty: ClassVar[str] = "easy"
    unseen: ClassVar[bool] = False
    require_login: ClassVar[bool] = True
    start_path: ClassVar[str] = "/"

    def sample(self, rng: random.Random, db: sqlite3.Connection) -> Sample | None:
        """Draw an instantiation from the seeded data; None when this draw is unusable."""
        raise NotImplementedError

    def evaluation(self, sample: Sample) -> dict[str, Any]:
        """The WebArena ``eval`` block (``eval_types``, ``reference_answers``, ...)."""
        raise NotImplementedError

    def solve(self, sample: Sample) -> OracleScript:
        """The oracle: a generator that receives observations and yields responses."""
        raise NotImplementedError

    def distractors(self, sample: Sample) -> list[str]:
        """Wrong candidates a ``string_match`` answer must not name: the other values on the
        pages the question ranges over (the other option of a comparison, the runners-up of a
        sorted list). Default: ``sample.truth["distractors"]``, which samplers fill where
        they have those rows at hand; others rely on :meth:`answer_pool` and the bounds."""
        return [str(v) for v in sample.truth.get("distractors", ())]

    def answer_forms(self, sample: Sample) -> list[str]:
        """The right answer as the pages write it (default: ``sample.truth["answer"]``, the
        oracle's reading, a string or a list of them); numbers in it that the reference
        leaves out (a phone's "+1") may then be answered."""
        answer = sample.truth.get("answer")
        found = answer if isinstance(answer, list) else [answer]
        return [str(v) for v in found if isinstance(v, (str, int, float))]

    # -- derived -------------------------------------------------------------------------
    def intent(self, sample: Sample) -> str:
        """The instantiated intent."""
        return fill(self.intent_template, sample.params)

    def start_url(self, sample: Sample) -> str:
        """``__SITE__/path`` of the first site."""
        return f"__{self.sites[0].upper()}__" + fill(self.start_path, sample.params)

    def config(self, sample: Sample, task_id: str) -> dict[str, Any]:
        """The task in WebArena's JSON schema (placeholders not substituted)."""
        evaluation = {
            "eval_types": [],
            "reference_answers": None,
            "reference_url": "",
            "program_html": [],
            "string_note": "",
            "url_note": "GOLD in PRED",
        }
        evaluation.update(self.evaluation(sample))
        guard = self.answer_guard(sample, evaluation)
        if guard is not None:
            evaluation["answer_guard"] = guard
        return {
            "sites": list(self.sites),
            "task_id": task_id,
            "require_login": self.require_login,
            "storage_state": (
                f"./.auth/{'.'.join(sorted(self.sites))}_state.json" if self.require_login else None
            ),
            "start_url": self.start_url(sample),
            "geolocation": None,
            "intent_template": self.intent_template,
            "instantiation_dict": dict(sample.params),
            "intent": self.intent(sample),
            "require_reset": False,
            "eval": evaluation,
            "intent_template_id": self.id,
            "difficulty": self.difficulty,
            "oracle_truth": dict(sample.truth),
        }

    def answer_guard(self, sample: Sample, evaluation: Mapping[str, Any]) -> dict[str, Any] | None:
        """``eval.answer_guard`` of a ``string_match`` task (None for the others), so that an
        answer listing candidates scores 0 (see :mod:`webarena_gym.evaluation.answer_guard`).

        The bounds are derived from the reference (:func:`derive_answer_guard`): a length
        bound, no numbers besides the reference's and the intent's when the answer is numeric,
        and as distractors :meth:`distractors` plus, for non-numeric answers,
        :meth:`answer_pool` (the values the same question takes in other instances).
        """
        if "string_match" not in evaluation.get("eval_types", ()):
            return None
        must_include = list((evaluation.get("reference_answers") or {}).get("must_include") or [])
        if not must_include:
            return None
        numeric = all(is_numeric_reference(item) for item in must_include)
        guard = derive_answer_guard(
            must_include,
            self.intent(sample),
            distractors=self.distractors(sample),
            pool=() if numeric else self.answer_pool(),
            answer_forms=self.answer_forms(sample),
        )
        return None if guard is None else guard.to_dict()

    def answer_pool(self) -> tuple[str, ...]:
        """The ``must_include`` items of this template's instances: :data:`POOL_DRAWS` draws
        on the default data seed with an RNG of their own (the splits' draws are untouched),
        at most :data:`POOL_MAX` distinct items, first drawn first. The same for every data
        seed (they are distractors, not answers), computed once per template id."""
        if self.id not in _POOLS:
            from webarena_gym.sandbox.templates import TEST_DATA_SEED, _site_data

            db = _site_data(TEST_DATA_SEED)
            rng = random.Random(f"answer-pool/{self.id}")
            values: dict[str, str] = {}
            for _ in range(POOL_DRAWS):
                drawn = self.sample(rng, db)
                if drawn is None:
                    continue
                answers = self.evaluation(drawn).get("reference_answers") or {}
                for item in answers.get("must_include") or []:
                    values.setdefault(clean_answer(item), item)
                if len(values) >= POOL_MAX:
                    break
            _POOLS[self.id] = tuple(values.values())[:POOL_MAX]
        return _POOLS[self.id]


MAX_BLANK_WAITS = 3  # Wait steps an oracle spends on a page that has not rendered yet


def is_blank(obs: Observation) -> bool:
    """An observation of a page that has not rendered yet (no text at all, no error)."""
    from webarena_gym.sandbox.templates.page import Page

    return not obs.get("last_action_error") and not Page(obs).text


class ScriptedTemplate(TaskTemplate):
    """A template whose oracle is written as :meth:`script`.

    :meth:`solve` runs the script and, when an observation arrives before the page has rendered,
    waits for it first (at most ``MAX_BLANK_WAITS`` times), as a person would.
    """

    def script(self, sample: Sample) -> OracleScript:
        """The oracle's steps (observations in, responses out)."""
        raise NotImplementedError

    def solve(self, sample: Sample) -> OracleScript:
        """Run :meth:`script`, waiting out blank observations."""
        steps = self.script(sample)
        next(steps)
        obs = yield
        while True:
            for _ in range(MAX_BLANK_WAITS):
                if not is_blank(obs):
                    break
                obs = yield act(Action("Wait"), "The page has not finished loading; wait.")
            try:
                response = steps.send(obs)
            except StopIteration:
                return
            obs = yield response


_SLOT = re.compile(r"\{\{\s*(\w+)\s*\}\}")


def fill(template: str, params: Mapping[str, Any]) -> str:
    """Replace ``{{name}}`` slots with ``params[name]``; a missing one is a KeyError naming it."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in params:
            raise KeyError(f"template slot {{{{{name}}}}} has no value in {sorted(params)}")
        return str(params[name])

    return _SLOT.sub(value, template)


def amount(value: float) -> str:
    """``1,234.50``: money as the sites show it, without the dollar sign."""
    return f"{value:,.2f}"


def string_eval(*must_include: str, must_exclude: tuple[str, ...] = ()) -> dict[str, Any]:
    """A ``string_match`` eval block."""
    answers: dict[str, Any] = {"must_include": list(must_include)}
    if must_exclude:
        answers["must_exclude"] = list(must_exclude)
    return {"eval_types": ["string_match"], "reference_answers": answers}


def html_check(url: str, locator: str, **contents: Any) -> dict[str, Any]:
    """One ``program_html`` check: open ``url``, read ``locator``, require ``contents``."""
    return {"url": url, "locator": locator, "required_contents": contents}


def html_eval(*checks: dict[str, Any]) -> dict[str, Any]:
    """A ``program_html`` eval block of these checks."""
    return {"eval_types": ["program_html"], "reference_answers": None,
            "program_html": list(checks)}


def expect_equal(found: Any, truth: Any, what: str) -> None:
    """The oracle's reading must agree with the sampler's SQL (else the site or the template
    has a bug, which is better reported than answered)."""
    from webarena_gym.sandbox.templates.page import OracleError

    if found != truth:
        raise OracleError(f"{what}: the page shows {found!r}, the data says {truth!r}")


def expect_text(page: Any, message: str) -> None:
    """Raise when ``page`` (a :class:`~webarena_gym.sandbox.templates.page.Page`) does not show
    ``message`` confirming an action (a broken form or site)."""
    from webarena_gym.sandbox.templates.page import OracleError

    if not page.has_text(message):
        raise OracleError(f"expected {message!r} on {page.url}; error: {page.error!r}; "
                          f"{page.text[:400]}")


def money(value: float) -> str:
    """``$1,234.50`` as the shop shows prices."""
    return f"${value:,.2f}"
