"""Task templates and oracle solvers for the sandbox sites.

A :class:`TaskTemplate` is what WebArena's annotators wrote by hand, as code: an intent template,
a sampler that draws an instantiation from the seeded site data (with the ground truth the
evaluator needs), the WebArena-schema evaluator config, and an **oracle** that solves the task
through the public action grammar, reading element numbers from the simplified HTML it is given
(see :mod:`webarena_gym.sandbox.templates.page`).

Most templates take one of three forms, and state only what differs:

* :class:`AnswerTemplate`: a question; the sampler's ``truth["answer"]`` is what the answer
  must include (``string_match``), the oracle ends with :meth:`AnswerTemplate.reply`;
* :class:`NavigationTemplate`: a page to end on; :meth:`NavigationTemplate.target` is its URL
  (``url_match``);
* :class:`EditTemplate`: a change of state; :meth:`EditTemplate.checks` are the
  ``program_html`` checks of the pages that show it.

Their oracles are :meth:`ScriptedTemplate.steps`: a generator that starts from the first page,
yields each response (``<think>one line of rationale</think><answer>do(...)</answer>``) and
receives the page it leads to; :meth:`ScriptedTemplate.solve` runs the observe-act loop::

    def steps(self, sample, page):
        page = yield act(click(page.link("My Account")), "My orders are under My Account.")
        ...
        yield self.reply(sample, total, "The latest pending order totals $754.99.")
"""

from __future__ import annotations

import random
import re
import sqlite3
from collections.abc import Generator, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar
from urllib.parse import urlencode

from webarena_gym.actions import Action, format_action
from webarena_gym.evaluation.answer_guard import derive_answer_guard, is_numeric_reference
from webarena_gym.evaluation.string_match import clean_answer
from webarena_gym.sandbox.templates.page import OracleError, Page

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
#: An oracle's steps, from a first page: a generator that yields each response (:func:`act`)
#: and receives the :class:`~webarena_gym.sandbox.templates.page.Page` that it leads to. A
#: building block (open a product, sort a listing) returns the page it ends on, so a template
#: writes ``page = yield from open_product(page, name)``.
Steps = Generator[str, Page, Any]


def is_blank(obs: Observation) -> bool:
    """An observation of a page that has not rendered yet (no text at all, no error)."""
    return not obs.get("last_action_error") and not Page(obs).text


def finish(why: str) -> str:
    """The last response of a task with nothing to answer: ``exit`` with an empty message."""
    return act(stop(), why)


class ScriptedTemplate(TaskTemplate):
    """A template whose oracle is written as :meth:`steps`, from the first page on.

    :meth:`solve` is the observe-act loop around them: it reads each observation into a
    :class:`~webarena_gym.sandbox.templates.page.Page`, hands it to the steps and returns their
    response; an observation that arrives before its page has rendered is waited out first (at
    most ``MAX_BLANK_WAITS`` times), as a person would.
    """

    def steps(self, sample: Sample, page: Page) -> Steps:
        """The oracle's steps from ``page``, the first page (see :data:`Steps`)."""
        raise NotImplementedError

    def solve(self, sample: Sample) -> OracleScript:
        """Run :meth:`steps` on the pages the observations show, waiting out blank ones."""
        obs = yield
        steps: Steps | None = None
        while True:
            for _ in range(MAX_BLANK_WAITS):
                if not is_blank(obs):
                    break
                obs = yield act(Action("Wait"), "The page has not finished loading; wait.")
            page = Page(obs)
            try:
                if steps is None:
                    steps = self.steps(sample, page)
                    response = next(steps)
                else:
                    response = steps.send(page)
            except StopIteration:
                return
            obs = yield response


class AnswerTemplate(ScriptedTemplate):
    """A question whose answer the agent states in its last message (``string_match``).

    The sampler puts the answer in ``truth[reference_key]``: a string, or a list of strings
    that must all appear. The check is :meth:`evaluation`'s ``must_include`` of them and, when
    ``exclude_key`` names a truth entry (a string or a list), ``must_exclude`` of that (the
    other option of a comparison). The oracle ends with :meth:`reply`.

    Class attributes:
        reference_key: the truth entry the answer must include.
        exclude_key: the truth entry the answer must not name (None: nothing excluded).
    """

    reference_key: ClassVar[str] = "answer"
    exclude_key: ClassVar[str | None] = None

    def reference(self, sample: Sample) -> list[Any]:
        """The ``must_include`` items (default: ``truth[reference_key]``)."""
        return _listed(sample.truth[self.reference_key])

    def excluded(self, sample: Sample) -> list[Any]:
        """The ``must_exclude`` items (default: ``truth[exclude_key]``, none without one)."""
        return [] if self.exclude_key is None else _listed(sample.truth[self.exclude_key])

    def evaluation(self, sample: Sample) -> dict[str, Any]:
        """A ``string_match`` block of :meth:`reference` and :meth:`excluded`."""
        return string_eval(*self.reference(sample), must_exclude=tuple(self.excluded(sample)))

    def reply(self, sample: Sample, found: Any, why: str, *, say: str | None = None) -> str:
        """The oracle's last response: ``exit`` with ``say`` (default: ``found``), once
        ``found``, what the pages showed, equals the sampler's ``truth["answer"]``."""
        expect_equal(found, sample.truth["answer"], self.id)
        return act(stop(str(found) if say is None else say), why)


def _listed(value: Any) -> list[Any]:
    return list(value) if isinstance(value, (list, tuple)) else [value]


class NavigationTemplate(ScriptedTemplate):
    """A page the agent must end on (``url_match``): :meth:`target` is its URL.

    Where a URL alone cannot tell the page apart (a grid's filters are not in it),
    :meth:`page_checks` adds ``program_html`` checks on the final page (``url="last"``).
    """

    def target(self, sample: Sample) -> str:
        """The reference URL, ``__SITE__/path?query`` (alternatives joined by ``" |OR| "``)."""
        raise NotImplementedError

    def page_checks(self, sample: Sample) -> list[dict[str, Any]]:
        """``program_html`` checks of the final page, besides its URL (default: none)."""
        return []

    def url(self, path: str, **query: Any) -> str:
        """``path?query`` on the site where the task ends (the last of ``sites``)."""
        return site_url(self.sites[-1], path, **query)

    def evaluation(self, sample: Sample) -> dict[str, Any]:
        """A ``url_match`` block of :meth:`target`, with :meth:`page_checks` if any."""
        block: dict[str, Any] = {"eval_types": ["url_match"], "reference_answers": None,
                                 "reference_url": self.target(sample),
                                 "url_note": "GOLD in PRED"}
        checks = self.page_checks(sample)
        if checks:
            block["eval_types"].append("program_html")
            block["program_html"] = checks
        return block


class EditTemplate(ScriptedTemplate):
    """A change of the site's state, checked on the pages that show it (``program_html``):
    :meth:`checks` lists them (:func:`html_check`)."""

    def checks(self, sample: Sample) -> list[dict[str, Any]]:
        """The ``program_html`` checks: which page, which locator, what it must contain."""
        raise NotImplementedError

    def evaluation(self, sample: Sample) -> dict[str, Any]:
        """A ``program_html`` block of :meth:`checks`."""
        return html_eval(*self.checks(sample))


def site_url(site: str, path: str, **query: Any) -> str:
    """``__SITE__/path?query``: a URL of ``site`` as task configs write it."""
    return f"__{site.upper()}__{path}" + (f"?{urlencode(query)}" if query else "")


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
    if found != truth:
        raise OracleError(f"{what}: the page shows {found!r}, the data says {truth!r}")


def expect_text(page: Any, message: str) -> None:
    """Raise when ``page`` (a :class:`~webarena_gym.sandbox.templates.page.Page`) does not show
    ``message`` confirming an action (a broken form or site)."""
    if not page.has_text(message):
        raise OracleError(f"expected {message!r} on {page.url}; error: {page.error!r}; "
                          f"{page.text[:400]}")


def money(value: float) -> str:
    """``$1,234.50`` as the shop shows prices."""
    return f"${value:,.2f}"
