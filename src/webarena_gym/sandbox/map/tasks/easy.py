"""The easy curriculum's templates: short-horizon map tasks (1-3 actions) on short pages, for
small models.

The regular splits start every task on a site's home page and mix in tasks of ten and more
actions; a 135M-parameter model solves none of them, so RL gets no signal. This curriculum keeps
the same sites, evaluators and oracles, and changes where a task starts:

* ``@page`` tasks start on the place's own page: read one fact and answer (1 action);
* ``@search`` tasks start on the map's empty search page: search, maybe open the result, answer
  (2-3 actions).

Pages stay under about 450 tokens of a 49k-word tokenizer (the map's search page and place
pages), so a whole prompt is about 1k tokens with the standard system prompt. :data:`SEEN`
templates make ``easy_train`` and ``easy_test``, :data:`UNSEEN` ones ``easy_test_unseen``; the
splits are drawn in :mod:`webarena_gym.sandbox.templates.easy`.
"""

from __future__ import annotations

from functools import lru_cache

from webarena_gym.sandbox.map.tasks.common import place_facts
from webarena_gym.sandbox.map.tasks.places import (
    OpenPlacePage,
    PlaceCategory,
    PlaceCoordinates,
    PlacePhone,
    PlaceTown,
    PlaceZip,
    _PlaceFact,
)
from webarena_gym.sandbox.templates.base import Sample, ScriptedTemplate, Steps, TaskTemplate
from webarena_gym.sandbox.templates.page import Page

SEARCH_PAGE = "/search?query="


def _at_search(base: type[TaskTemplate]) -> type[TaskTemplate]:
    """``base``, started on the map's empty search page instead of its home page."""
    return type(f"{base.__name__}AtSearch", (base,), {
        "__doc__": f"{base.__doc__} Starts on the empty search page.",
        "id": f"{base.id}@search",
        "start_path": SEARCH_PAGE,
        "difficulty": "easy",
    })


def _on_page(base: type[_PlaceFact]) -> type[TaskTemplate]:
    """``base`` (a fact of a place's page), started on that page: one action, the answer."""

    class OnPlacePage(base):  # type: ignore[misc, valid-type]
        id = f"{base.id}@page"
        difficulty = "easy"

        def start_url(self, sample: Sample) -> str:
            return f"__MAP__/node/{sample.truth['id']}"

        def steps(self, sample: Sample, page: Page) -> Steps:
            answer = self.answer(place_facts(page), sample)
            yield self.reply(sample, answer, f"This page of {sample.params['place']} shows "
                                             f"{self.fact.lower()}: {answer}.")

    OnPlacePage.__name__ = OnPlacePage.__qualname__ = f"{base.__name__}OnPage"
    OnPlacePage.__doc__ = f"{base.__doc__} Starts on the place's page."
    return OnPlacePage


SEEN = (
    _on_page(PlacePhone),
    _on_page(PlaceZip),
    _at_search(PlacePhone),
    _at_search(PlaceZip),
    _at_search(PlaceTown),
    _at_search(OpenPlacePage),
)
UNSEEN = (
    _on_page(PlaceCoordinates),
    _at_search(PlaceCoordinates),
    _at_search(PlaceCategory),
)


@lru_cache(maxsize=1)
def easy_templates() -> tuple[TaskTemplate, ...]:
    """The curriculum's templates: the seen ones, then the held-out ones."""
    found = tuple(cls() for cls in (*SEEN, *UNSEEN))
    for t in found:
        assert isinstance(t, ScriptedTemplate), t.id
    return found
