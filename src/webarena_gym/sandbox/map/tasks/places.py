"""Places: facts on a place's page or in its search result; counting and nearest places;
opening a place's page."""

from __future__ import annotations

from typing import Any

from webarena_gym.sandbox.map import geo
from webarena_gym.sandbox.map.places import DAY_NAMES, Place, opening_hours_on
from webarena_gym.sandbox.map.tasks.common import (
    CITY_NAMES,
    COMMON,
    LANDMARK_KINDS,
    TOWN_IN,
    _anchor,
    _first_result,
    _MapData,
    _MapTemplate,
    _names,
    _open_place,
    _row,
    _search,
    clock_variants,
    either,
    map_data,
    nearest,
    place_facts,
    place_text,
    result_count,
    result_rows,
    street_of,
    town_of,
)
from webarena_gym.sandbox.map.vocab import CATEGORY_BY_KEY, CHAINS
from webarena_gym.sandbox.templates.base import (
    AnswerTemplate,
    NavigationTemplate,
    Sample,
    act,
    click,
    finish,
)
from webarena_gym.sandbox.templates.page import OracleError


class _PlaceFact(_MapTemplate, AnswerTemplate):
    """A fact read from a place's page: subclasses say which and how it is matched."""

    fact = ""  # the row of the place page's table
    reference_key = "include"

    def pick(self, rng, data: _MapData) -> Place | None:
        return rng.choice(data.named)

    def truth(self, place: Place) -> dict[str, Any] | None:
        raise NotImplementedError

    def sample(self, rng, db):
        place = self.pick(rng, map_data(db))
        truth = self.truth(place) if place is not None else None
        if truth is None:
            return None
        return Sample({"place": place.name, "city": place.city}, {"id": place.id, **truth})

    def answer(self, facts: dict[str, str], sample: Sample) -> str:
        return facts[self.fact]

    def steps(self, sample, page):
        name, town = sample.params["place"], sample.params["city"]
        page = yield from _open_place(page, name, town)
        answer = self.answer(place_facts(page), sample)
        yield self.reply(sample, answer, f"The page of {name} shows {self.fact.lower()}: "
                         f"{answer}.")


class PlaceCoordinates(_PlaceFact):
    """The coordinates of a place (its page)."""

    id = "map/place_coordinates"
    intent_template = "What are the coordinates of {{place}} in {{city}}? Give latitude and longitude."
    difficulty = "easy"
    fact = "Coordinates"

    def truth(self, place):
        lat, lon = geo.coord(place.lat), geo.coord(place.lon)
        if lat[-2:] >= "95" or lon[-2:] >= "95":
            return None  # rounding to 3 decimals would change the third
        return {"answer": place.coordinates, "include": [lat[:-2], lon[:-2]]}


class PlaceZip(_PlaceFact):
    """The zip code of a place (its page)."""

    id = "map/place_zip"
    intent_template = "What is the zip code of {{place}} in {{city}}?"
    difficulty = "easy"
    fact = "Zip code"

    def truth(self, place):
        if not place.postcode:
            return None
        return {"answer": place.postcode, "include": [place.postcode]}


class PlacePhone(_PlaceFact):
    """The phone number of a place (its page)."""

    id = "map/place_phone"
    intent_template = "What is the phone number of {{place}} in {{city}}?"
    difficulty = "easy"
    fact = "Phone"

    def truth(self, place):
        if not place.phone:
            return None
        return {"answer": place.phone, "include": [place.phone.removeprefix("+1 ")]}


class OpeningTime(_PlaceFact):
    """When a place opens or closes on a weekday (its page's opening hours)."""

    id = "map/opening_time"
    intent_template = "At what time does {{place}} in {{city}} {{event}} on {{day}}s?"
    difficulty = "medium"
    fact = "Opening hours"

    def sample(self, rng, db):
        data = map_data(db)
        place = rng.choice(data.named)
        if not place.opening_hours or place.opening_hours == "24/7":
            return None
        day = rng.randrange(7)
        times = opening_hours_on(place.opening_hours, day)
        if times is None:
            return None
        event = rng.choice(("open", "close"))
        answer = times[0] if event == "open" else times[1]
        return Sample({"place": place.name, "city": place.city, "event": event,
                       "day": DAY_NAMES[day]},
                      {"id": place.id, "answer": answer, "include": [either(*clock_variants(answer))]})

    def answer(self, facts, sample):
        times = opening_hours_on(facts[self.fact], DAY_NAMES.index(sample.params["day"]))
        if times is None:
            raise OracleError(f"{sample.params['place']} is closed on {sample.params['day']}s")
        return times[0] if sample.params["event"] == "open" else times[1]


class _ResultFact(_MapTemplate, AnswerTemplate):
    """A fact the search results already show (no need to open the place)."""

    reference_key = "include"

    def sample(self, rng, db):
        place = rng.choice(map_data(db).named)
        truth = self.truth(place)
        if truth is None:
            return None
        return Sample({"place": place.name}, {"id": place.id, **truth})

    def truth(self, place: Place) -> dict[str, Any] | None:
        raise NotImplementedError

    def read(self, row: dict[str, Any]) -> str:
        raise NotImplementedError

    def steps(self, sample, page):
        name = sample.params["place"]
        page = yield from _search(page, name, f"Search the map for {name}.")
        row = _row(page, name)
        answer = self.read(row)
        yield self.reply(sample, answer, f"The result for {name} reads: {row['category']} · "
                         f"{row['address']}; so the answer is {answer}.")


class PlaceCategory(_ResultFact):
    """What kind of place a name is (the search result's category)."""

    id = "map/place_category"
    intent_template = "What kind of place is {{place}}? Answer with its category on the map."
    difficulty = "easy"

    def truth(self, place):
        kind = place.kind
        name = place.name.lower()
        if any(word in name for c in CATEGORY_BY_KEY.values() for word in c.words
               if len(word) > 3) or place.brand:
            return None  # the name gives it away (or a chain: not one place)
        return {"answer": kind.label, "include": [either(kind.label, *kind.aliases)]}

    def read(self, row):
        return row["category"]

    def distractors(self, sample):
        return [c.label for c in CATEGORY_BY_KEY.values() if c.label != sample.truth["answer"]]


class PlaceTown(_ResultFact):
    """Which town a place is in (the search result's address)."""

    id = "map/place_town"
    intent_template = "In which city is {{place}} located?"
    difficulty = "easy"

    def truth(self, place):
        towns = [t for t in CITY_NAMES if t.lower() in place.name.lower()]
        if towns or place.brand:
            return None  # the name gives it away
        return {"answer": place.city, "include": [place.city]}

    def read(self, row):
        return town_of(row["address"])

    def distractors(self, sample):
        return [t for t in CITY_NAMES if t != sample.truth["answer"]]

    def answer_forms(self, sample):
        # "Brooklyn, New York" is right: the town a place is in is never a wrong candidate.
        return [sample.truth["answer"], *TOWN_IN.get(sample.truth["answer"], ())]


class CountInTown(_MapTemplate, AnswerTemplate):
    """How many places of a kind a town has (search "<kind> in <town>")."""

    id = "map/count_in_town"
    intent_template = "How many {{category}} are there in {{city}} according to the map?"
    difficulty = "easy"

    def sample(self, rng, db):
        data = map_data(db)
        kind = CATEGORY_BY_KEY[rng.choice(COMMON)]
        town = rng.choice(data.towns)
        found = data.index.search(f"{kind.plural} in {town.name}").places
        if not 2 <= len(found) <= 40:
            return None
        return Sample({"category": kind.plural, "city": town.name}, {"answer": str(len(found))})

    def steps(self, sample, page):
        query = f"{sample.params['category']} in {sample.params['city']}"
        page = yield from _search(page, query, f"Search for {query}.")
        count = str(result_count(page))
        yield self.reply(sample, count, f"The search lists {count} results for {query}.")


class NearestCategory(_MapTemplate, AnswerTemplate):
    """The name of the nearest place of a kind (search "<kind> near <place>")."""

    id = "map/nearest_category"
    intent_template = "What is the nearest {{category}} to {{place}}?"
    difficulty = "medium"

    def sample(self, rng, db):
        data = map_data(db)
        anchor = _anchor(rng, data)
        kind = CATEGORY_BY_KEY[rng.choice(COMMON)]
        found = nearest(data, kind.label, anchor)
        if found is None:
            return None
        return Sample({"category": kind.label.lower(), "place": place_text(anchor)},
                      {"answer": found[0].name, "id": found[0].id,
                       "distractors": _names(found[1][1:])})

    def steps(self, sample, page):
        what, anchor = sample.params["category"], sample.params["place"]
        page = yield from _first_result(page, what, anchor)
        row = result_rows(page)[0]
        yield self.reply(sample, row["name"], f"The nearest {what} is listed first: {row['name']}, "
                         f"{row['km']} km away.")


class OpenPlacePage(_MapTemplate, NavigationTemplate):
    """Open a place's page."""

    id = "map/open_place_page"
    intent_template = "Show me {{place}} in {{city}} on the map."
    difficulty = "easy"

    def sample(self, rng, db):
        place = rng.choice(map_data(db).named)
        return Sample({"place": place.name, "city": place.city}, {"id": place.id})

    def target(self, sample):
        return self.url(f"/node/{sample.truth['id']}")

    def steps(self, sample, page):
        page = yield from _open_place(page, sample.params["place"], sample.params["city"])
        yield finish(f"This is the page of {sample.params['place']}.")


class CountWithinDistance(_MapTemplate, AnswerTemplate):
    """How many places of a kind lie within a radius (search "<kind> near <place>")."""

    id = "map/count_within_distance"
    intent_template = ("How many {{category}} are there within {{radius}} km of {{place}}, as the "
                       "crow flies?")
    difficulty = "medium"
    unseen = True

    def sample(self, rng, db):
        data = map_data(db)
        anchor = rng.choice(data.named)
        kind = CATEGORY_BY_KEY[rng.choice(COMMON)]
        radius = rng.choice((0.5, 1.0, 1.5, 2.0))
        result = data.index.search(f"{kind.label} near {anchor.name}")
        distances = result.distances or []
        if any(abs(d - radius * 1000) < 30 for d in distances):
            return None
        count = sum(d <= radius * 1000 for d in distances)
        if not 1 <= count <= 15 or count == len(distances):
            return None
        return Sample({"category": kind.plural, "radius": f"{radius:g}", "place": anchor.name},
                      {"answer": str(count)})

    def steps(self, sample, page):
        what, anchor = sample.params["category"], sample.params["place"]
        radius = float(sample.params["radius"])
        page = yield from _first_result(page, what, anchor)
        rows = result_rows(page)
        count = sum(1 for r in rows if r["km"] is not None and r["km"] <= radius)
        if count == len(rows):
            raise OracleError("every result of the first page is within the radius")
        answer = str(count)
        yield self.reply(sample, answer, f"Results are sorted by distance; {count} of them are "
                         f"within {sample.params['radius']} km.")


class NearestChainAddress(_MapTemplate, AnswerTemplate):
    """The street address of the nearest branch of a chain."""

    id = "map/nearest_chain_address"
    intent_template = "What is the street address of the {{chain}} closest to {{place}}?"
    difficulty = "medium"
    unseen = True

    def sample(self, rng, db):
        data = map_data(db)
        anchor = _anchor(rng, data)
        chain = rng.choice(sorted({c for chains in CHAINS.values() for c in chains}))
        found = nearest(data, chain, anchor, None, name=chain)
        if found is None:
            return None
        return Sample({"chain": chain, "place": place_text(anchor)},
                      {"answer": found[0].street_line, "id": found[0].id})

    def steps(self, sample, page):
        chain, anchor = sample.params["chain"], sample.params["place"]
        page = yield from _first_result(page, chain, anchor)
        row = next(r for r in result_rows(page) if r["name"] == chain)
        answer = street_of(row["address"])
        yield self.reply(sample, answer, f"The closest {chain} listed is at {row['address']}.")


class OpenNearestPlace(_MapTemplate, NavigationTemplate):
    """Open the page of the nearest place of a kind."""

    id = "map/open_nearest_place"
    intent_template = "Open the map page of the {{category}} closest to {{place}}."
    difficulty = "medium"
    unseen = True

    def sample(self, rng, db):
        data = map_data(db)
        anchor = _anchor(rng, data)
        kind = CATEGORY_BY_KEY[rng.choice(LANDMARK_KINDS)]
        found = nearest(data, kind.label, anchor, None)
        if found is None:
            return None
        return Sample({"category": kind.label.lower(), "place": place_text(anchor)},
                      {"id": found[0].id, "name": found[0].name})

    def target(self, sample):
        return self.url(f"/node/{sample.truth['id']}")

    def steps(self, sample, page):
        what, anchor = sample.params["category"], sample.params["place"]
        page = yield from _first_result(page, what, anchor)
        row = result_rows(page)[0]
        page = yield act(click(row["link"]), f"{row['name']} is the closest {what}; open it.")
        yield finish(f"The page of {row['name']} is open.")
