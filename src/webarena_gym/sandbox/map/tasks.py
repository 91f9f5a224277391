"""Task templates and oracle solvers for the ``map`` site (an OpenStreetMap-like map).

The templates mirror WebArena's map tasks: facts about a place (coordinates, zip code,
category, phone, town, opening hours), counting places of a kind in a town, the nearest place
of a kind, distances and travel times by car, bike and foot, comparisons of routes and trips
with two legs (``string_match``); opening a place or a route (``url_match`` on OpenStreetMap's
``/node/<id>`` and ``/directions?engine=...&route=...`` URLs); and leaving directions on the
screen (``program_html`` on the page the agent ends on, which must show the right mode and
endpoints). The map has no accounts, so no task starts signed in.

Samplers compute the truth with the site's own code (:mod:`webarena_gym.sandbox.map.places`
for search, :mod:`webarena_gym.sandbox.map.routing` for routes and :mod:`~.geo` for how numbers
are shown), and reject instances a person could read two ways: "nearest" places that are not
clearly nearest (by a margin, and also by route), counts with a place on the boundary, routes
whose times show the same minutes. Oracles search with the header's box and fill in the
directions form, as a person does, and answer only what the pages they were shown say.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from webarena_gym.sandbox.map import geo
from webarena_gym.sandbox.map.places import (
    DAY_NAMES,
    Place,
    PlaceIndex,
    index_for,
    opening_hours_on,
)
from webarena_gym.sandbox.map.routing import MODES, RoadGraph, Route, graph_for
from webarena_gym.sandbox.map.vocab import CATEGORY_BY_KEY, CHAINS, ISLAND_TOWNS, STORE_PLACE_NAME
from webarena_gym.sandbox.store.vocab import CITIES as STORE_CITIES
from webarena_gym.sandbox.templates.base import (
    RUNNERS_UP,
    AnswerTemplate,
    EditTemplate,
    NavigationTemplate,
    Sample,
    ScriptedTemplate,
    Steps,
    TaskTemplate,
    act,
    click,
    finish,
    html_check,
    search,
    select,
    type_text,
)
from webarena_gym.sandbox.templates.page import OracleError, Page, normalize_space

SITE = "map"
MAP = "__MAP__"
#: mode -> (adjective, verb, "by ..." phrase)
MODE_WORDS = {"car": ("driving", "drive", "by car"), "bike": ("cycling", "bike", "by bike"),
              "foot": ("walking", "walk", "on foot")}
#: categories asked about in "nearest" and "how many" tasks (enough of them in every town)
COMMON = ("restaurant", "cafe", "bar", "bakery", "supermarket", "pharmacy", "fuel", "hotel",
          "bank", "school", "library", "museum", "hospital", "park", "cinema", "fast_food")
LANDMARK_KINDS = ("museum", "park", "library", "hospital", "school", "university", "cinema",
                  "hotel")
_SUMMARY = "(document.querySelector('.route-summary') || {innerText: ''}).innerText"
CITY_NAMES = tuple(city for city, _state, _zip3, _area in STORE_CITIES)
TOWN_IN = {"Brooklyn": ("New York",)}  # a town of CITY_NAMES that lies in another
_ROUTE = re.compile(r"Distance: ([\d.]+) km\. Time: ((?:\d+ h )?\d+ min)\.")
_COUNT = re.compile(r"Found (\d+) results?")


# -- formatting shared by samplers and oracles ------------------------------------------------------


def duration_minutes(text: str) -> int:
    """``'1 h 5 min'`` -> 65 (the directions page's format, see :func:`geo.duration`)."""
    match = re.fullmatch(r"(?:(\d+) h )?(\d+) min", text.strip())
    if match is None:
        raise ValueError(f"not a duration as the map shows them: {text!r}")
    return int(match.group(1) or 0) * 60 + int(match.group(2))


def clock_variants(hhmm: str) -> list[str]:
    """Ways to write a time of day: ``'17:00'`` -> ``['17:00', '5:00 pm', '5 pm', '5pm']``."""
    hour, minute = (int(x) for x in hhmm.split(":"))
    hour %= 24
    if hour == 0 and minute == 0:
        return [hhmm, "00:00", "midnight", "12 am", "12:00 am"]
    suffix = "am" if hour < 12 else "pm"
    twelve = hour % 12 or 12
    found = [f"{hour:02d}:{minute:02d}", f"{hour}:{minute:02d}", f"{twelve}:{minute:02d} {suffix}",
             f"{twelve}:{minute:02d}{suffix}"]
    if minute == 0:
        found += [f"{twelve} {suffix}", f"{twelve}{suffix}"]
    if hour == 12 and minute == 0:
        found.append("noon")
    return list(dict.fromkeys(found))


def either(*alternatives: str) -> str:
    """One ``must_include`` item accepting any of ``alternatives``."""
    return " |OR| ".join(dict.fromkeys(alternatives))


def directions_path(mode: str, start: Place, end: Place) -> str:
    """The path and query of the directions page of a route, as the site redirects to it."""
    route = f"{geo.route_point(start.lat, start.lon)};{geo.route_point(end.lat, end.lon)}"
    return "/directions?" + urlencode({"engine": MODES[mode].engine, "route": route}, safe=",;")


# -- reading pages -------------------------------------------------------------------------------


def result_rows(page: Page) -> list[dict[str, Any]]:
    """The rows of a search result list: name, link number, category, address, distance (km)."""
    rows = []
    for li in page.root.iter("li"):
        link = next((a for a in li.iter("a") if a.get("id") is not None), None)
        lines = [normalize_space(d.text_content()) for d in li if d.tag == "div"]
        if link is None or len(lines) < 2 or not lines[1].startswith("Coordinates:"):
            continue
        kind, _, address = lines[0].partition(" · ")
        facts = dict(part.split(": ", 1) for part in lines[1].split(" · ") if ": " in part)
        distance = facts.get("Distance")
        rows.append({"name": normalize_space(link.text_content()), "link": str(link.get("id")),
                     "category": kind, "address": address, "coordinates": facts["Coordinates"],
                     "km": float(distance.split()[0]) if distance else None})
    return rows


def result_count(page: Page) -> int:
    """The number of results a search found (all pages)."""
    match = _COUNT.search(page.text)
    if match is None:
        if page.has_text("No results found"):
            return 0
        raise OracleError(f"no result count on {page.url}")
    return int(match.group(1))


def place_facts(page: Page) -> dict[str, str]:
    """A place page's table (``Address``, ``Coordinates``, ``Opening hours``, ...)."""
    for table in page.tables():
        facts = {row[0]: row[1] for row in table if len(row) == 2}
        if "Coordinates" in facts:
            return facts
    raise OracleError(f"no place details on {page.url}")


def route_summary(page: Page) -> tuple[str, str]:
    """``('2.0 km', '8 min')`` from a directions page."""
    match = _ROUTE.search(page.text)
    if match is None:
        raise OracleError(f"no route summary on {page.url}: {page.text[:300]}")
    return f"{match.group(1)} km", match.group(2)


def route_steps(page: Page) -> list[str]:
    """The instructions of a directions page's steps, in order."""
    for table in page.tables():
        if table and table[0][:2] == ["#", "Instruction"]:
            return [row[1] for row in table[1:] if len(row) >= 2]
    raise OracleError(f"no route steps on {page.url}")


def street_of(address: str) -> str:
    """``'215 Forbes Ave'`` from ``'215 Forbes Ave, Pittsburgh, Pennsylvania 15213'``."""
    return address.split(", ")[0]


def town_of(address: str) -> str:
    """``'Pittsburgh'`` from ``'215 Forbes Ave, Pittsburgh, Pennsylvania 15213'``."""
    return address.split(", ")[-2]


# -- sampling helpers ----------------------------------------------------------------------------


@dataclass
class _MapData:
    index: PlaceIndex
    graph: RoadGraph
    named: list[Place]  # points of interest whose name is unique on the map
    addresses: list[Place]  # the store's addresses, findable as "<number> <street>, <town>"
    towns: list[Place]  # mainland towns' city places


_DATA: dict[int, tuple[PlaceIndex, _MapData]] = {}
_POI_SKIP = ("address", "city", "warehouse")


def map_data(db: sqlite3.Connection) -> _MapData:
    """The map of the samplers' connection, with the pools templates draw from."""
    index = index_for(db)
    cached = _DATA.get(id(index))
    if cached is not None and cached[0] is index:
        return cached[1]
    mainland = [p for p in index.places if p.city not in ISLAND_TOWNS]
    named = [p for p in mainland if p.category not in _POI_SKIP and "," not in p.name
             and len(index.named(p.name)) == 1]
    addresses = [p for p in mainland if p.category == "address"
                 and index.resolve(address_text(p)).place is p]
    towns = [p for p in mainland if p.category == "city"]
    data = _MapData(index, graph_for(db), named, addresses, towns)
    _DATA[id(index)] = (index, data)
    return data


def address_text(place: Place) -> str:
    """How a task names an address: ``'1427 Maple Dr, Pittsburgh'``."""
    return f"{place.street_line}, {place.city}"


def place_text(place: Place) -> str:
    """How a task names a place: its name, or the address for an address."""
    return address_text(place) if place.category == "address" else place.name


def route(data: _MapData, start: Place, end: Place, mode: str) -> Route | None:
    """The route the directions page shows between two places."""
    return data.graph.route_between((start.lat, start.lon), (end.lat, end.lon), MODES[mode])


def _same_town(rng, data: _MapData, pool: list[Place], anchor: Place, low: float,
               high: float) -> Place | None:
    """A place of ``pool`` in ``anchor``'s town, ``low``-``high`` meters away in a straight line."""
    near = [p for p in pool if p.town_id == anchor.town_id and p is not anchor
            and low <= geo.haversine_m(anchor.lat, anchor.lon, p.lat, p.lon) <= high]
    return rng.choice(near) if near else None


def _anchor(rng, data: _MapData, address_share: float = 0.3) -> Place:
    """A place to start from: a named place, sometimes one of the store's addresses."""
    if data.addresses and rng.random() < address_share:
        return rng.choice(data.addresses)
    return rng.choice(data.named)


def nearest(data: _MapData, what: str, anchor: Place, mode: str | None = "foot",
            name: str | None = None) -> tuple[Place, list[Place], list[float]] | None:
    """The clear nearest ``what`` (a category label or a name) to ``anchor``, as search lists.

    Clear: the runner-up is at least 25% (and 50 m) farther in a straight line, and, with
    ``mode``, the nearest is also the quickest to reach of the first three. ``name`` keeps
    only results of that exact name (a chain's own branches). None when not clear.
    """
    result = data.index.search(f"{what} near {place_text(anchor)}")
    if not result.places or result.anchor is None or result.anchor.place is not anchor:
        return None
    rows = [(p, d) for p, d in zip(result.places, result.distances or [], strict=True)
            if name is None or p.name == name]
    if len(rows) < 2:
        return None
    (first, d1), (_second, d2) = rows[0], rows[1]
    if d2 < d1 * 1.25 + 50:
        return None
    if mode is not None:
        times = []
        for p, _d in rows[:3]:
            found = route(data, anchor, p, mode)
            if found is None:
                return None
            times.append(geo.minutes(found.duration_s))
        if any(t <= times[0] for t in times[1:]):
            return None
    return first, [p for p, _d in rows], [d for _p, d in rows]


def _names(places: list[Place]) -> list[str]:
    """The distinct names of ``places`` (other search results: wrong candidates), at most
    ``RUNNERS_UP``."""
    return list(dict.fromkeys(p.name for p in places))[:RUNNERS_UP]


# -- for cross-site templates (the store's addresses are places on the map) ---------------------------


def store_place(db: sqlite3.Connection) -> Place:
    """The store's fulfillment center, where orders ship from (in Pittsburgh)."""
    (found,) = map_data(db).index.named(STORE_PLACE_NAME)
    return found


def address_place(db: sqlite3.Connection, street: str, city: str) -> Place | None:
    """The map's place of a store address (``street`` as the store writes it, apartment and
    all: ``'1427 Maple Dr, Apt 4B'``), or None."""
    found = map_data(db).index.resolve(f"{street}, {city}").place
    return found if found is not None and found.category == "address" else None


def trip(db: sqlite3.Connection, start: Place, end: Place,
         mode: str = "car") -> tuple[str, str, list[str]] | None:
    """``(distance, time, duration_variants)`` of a route as the directions page shows it
    (``'12.3 km'``, ``'18 min'``, ways to write the time); None when there is no route."""
    found = route(map_data(db), start, end, mode)
    if found is None:
        return None
    return (geo.km(found.distance_m), geo.duration(found.duration_s),
            geo.duration_variants(found.duration_s))


# -- oracle building blocks ------------------------------------------------------------------------


def _search(page: Page, query: str, why: str) -> Steps:
    """Type ``query`` in the header's search box and submit."""
    page = yield act(search(page.field("query"), query), why)
    return page


def _row(page: Page, name: str, town: str | None = None) -> dict[str, Any]:
    """The search result named ``name`` (in ``town``, when given)."""
    for row in result_rows(page):
        if row["name"] == name and (town is None or town_of(row["address"]) == town):
            return row
    raise OracleError(f"no search result {name!r} in {town} on {page.url}")


def _open_place(page: Page, name: str, town: str) -> Steps:
    """Search a place by name and open its page from the results."""
    page = yield from _search(page, name, f"Search the map for {name}.")
    row = _row(page, name, town)
    page = yield act(click(row["link"]), f"Open the page of {name} in {town}.")
    return page


def _selected(page: Page, element_id: str) -> str:
    for element in page.elements("select"):
        if element.get("id") == element_id:
            for option in element.iter("option"):
                if option.get("selected") in ("true", "selected", ""):
                    return normalize_space(option.text_content())
    return ""


def _directions(page: Page, mode: str, origin: str, destination: str) -> Steps:
    """Fill in the directions form (mode, from, to) and submit it; the route page comes back."""
    label = MODES[mode].label
    if "/directions" not in page.url:
        page = yield act(click(page.link("Directions", exact=True)), "Open the directions form.")
    engine = page.field("engine")
    if _selected(page, engine) != label:
        page = yield act(select(engine, label), f"Route {MODE_WORDS[mode][2]}: choose {label}.")
    page = yield act(type_text(page.field("from"), origin), f"Start from {origin}.")
    page = yield act(search(page.field("to"), destination),
                     f"Go to {destination}; submit the form.")
    if not _ROUTE.search(page.text):
        raise OracleError(f"no route from {origin!r} to {destination!r}: {page.text[:300]}")
    return page


def _first_result(page: Page, what: str, anchor: str) -> Steps:
    """Search ``what near anchor``; the page of results comes back."""
    page = yield from _search(page, f"{what} near {anchor}",
                              f"Search for {what} near {anchor}; results come nearest first.")
    if not result_rows(page):
        raise OracleError(f"no results for {what} near {anchor}")
    return page


def _summary_check(*contents: str) -> dict[str, Any]:
    """The route summary left on the final page shows ``contents``."""
    return html_check("last", _SUMMARY, must_include=list(contents))


# -- the templates -------------------------------------------------------------------------------


class _MapTemplate(ScriptedTemplate):
    """A map task: no login, starting on the front page."""

    sites = (SITE,)
    require_login = False


# ---- facts about a place (string_match) ----


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


# ---- routes (string_match) ----


class _RouteMeasure(_MapTemplate, AnswerTemplate):
    """A route's distance or time, read from the directions page."""

    reference_key = "include"
    mode = "car"
    measure = "distance"  # or "time"
    low_m, high_m = 500.0, 5000.0  # straight-line distance between the two places

    def pair(self, rng, data: _MapData) -> tuple[Place, Place] | None:
        start = _anchor(rng, data, 0.2)
        end = _same_town(rng, data, data.named, start, self.low_m, self.high_m)
        return (start, end) if end is not None else None

    def sample(self, rng, db):
        data = map_data(db)
        pair = self.pair(rng, data)
        found = route(data, *pair, self.mode) if pair else None
        if pair is None or found is None:
            return None
        start, end = pair
        answer = geo.km(found.distance_m) if self.measure == "distance" else \
            geo.duration(found.duration_s)
        include = (either(answer, answer.replace(" km", "km")) if self.measure == "distance"
                   else either(*geo.duration_variants(found.duration_s)))
        return Sample({"origin": place_text(start), "destination": place_text(end)},
                      {"answer": answer, "include": include})

    def steps(self, sample, page):
        origin, destination = sample.params["origin"], sample.params["destination"]
        page = yield from _directions(page, self.mode, origin, destination)
        distance, time = route_summary(page)
        answer = distance if self.measure == "distance" else time
        yield self.reply(sample, answer, f"The {MODE_WORDS[self.mode][0]} route from {origin} "
                         f"to {destination}: {distance}, {time}.")


class DriveDistance(_RouteMeasure):
    """The driving distance between two places of a town."""

    id = "map/drive_distance"
    intent_template = "What is the driving distance from {{origin}} to {{destination}}?"
    difficulty = "medium"
    low_m = 1000.0


class WalkTime(_RouteMeasure):
    """How long a walk between two places of a town takes."""

    id = "map/walk_time"
    intent_template = "How long does it take to walk from {{origin}} to {{destination}}?"
    difficulty = "medium"
    mode, measure = "foot", "time"
    low_m, high_m = 400.0, 3500.0


class BikeTime(_RouteMeasure):
    """How long a bike ride between two places of a town takes."""

    id = "map/bike_time"
    intent_template = "How long does it take to bike from {{origin}} to {{destination}}?"
    difficulty = "medium"
    mode, measure = "bike", "time"


class DriveTimeBetweenTowns(_RouteMeasure):
    """How long the drive between two towns takes (interstates)."""

    id = "map/drive_time_between_towns"
    intent_template = "How long does it take to drive from {{origin}} to {{destination}}?"
    difficulty = "medium"
    measure = "time"

    def pair(self, rng, data):
        start, end = rng.sample(data.towns, 2)
        if not 60_000 <= geo.haversine_m(start.lat, start.lon, end.lat, end.lon) <= 1_200_000:
            return None
        return start, end


class CloserByDrive(_MapTemplate, AnswerTemplate):
    """Which of two places is quicker to reach by car (two routes compared)."""

    id = "map/closer_by_drive"
    intent_template = "Which is quicker to reach by car from {{origin}}: {{first}} or {{second}}?"
    difficulty = "hard"

    def sample(self, rng, db):
        data = map_data(db)
        origin = _anchor(rng, data)
        first = _same_town(rng, data, data.named, origin, 500, 4000)
        second = _same_town(rng, data, data.named, origin, 500, 4000)
        if first is None or second is None or first is second:
            return None
        routes = [route(data, origin, p, "car") for p in (first, second)]
        if None in routes:
            return None
        times = [geo.minutes(r.duration_s) for r in routes if r is not None]
        if abs(times[0] - times[1]) < 2:
            return None
        winner = first if times[0] < times[1] else second
        return Sample({"origin": place_text(origin), "first": first.name, "second": second.name},
                      {"answer": winner.name, "minutes": times})

    def distractors(self, sample):
        return [sample.params[k] for k in ("first", "second")
                if sample.params[k] != sample.truth["answer"]]

    def steps(self, sample, page):
        origin, first, second = (sample.params[k] for k in ("origin", "first", "second"))
        page = yield from _directions(page, "car", origin, first)
        t1 = route_summary(page)[1]
        page = yield act(search(page.field("to"), second), f"Driving to {first} takes {t1}; "
                         f"now route to {second} instead.")
        t2 = route_summary(page)[1]
        winner = first if duration_minutes(t1) < duration_minutes(t2) else second
        yield self.reply(sample, winner, f"By car, {first} takes {t1} and {second} takes {t2}: "
                         f"{winner} is quicker.")


class MultiStopDistance(_MapTemplate, AnswerTemplate):
    """The total driving distance of a trip with a stop (two routes added up)."""

    id = "map/multi_stop_distance"
    intent_template = ("I will drive from {{first}} to {{second}}, and then on to {{third}}. "
                       "What is the total driving distance?")
    difficulty = "hard"

    def sample(self, rng, db):
        data = map_data(db)
        a = _anchor(rng, data, 0.2)
        b = _same_town(rng, data, data.named, a, 600, 4000)
        c = _same_town(rng, data, data.named, b, 600, 4000) if b else None
        if b is None or c is None or c is a:
            return None
        legs = [route(data, a, b, "car"), route(data, b, c, "car")]
        if None in legs:
            return None
        shown = [float(geo.km(r.distance_m).split()[0]) for r in legs if r is not None]
        total = f"{sum(shown):.1f} km"
        return Sample({"first": place_text(a), "second": b.name, "third": c.name},
                      {"answer": total, "legs": [geo.km(r.distance_m) for r in legs if r]})

    def reference(self, sample):
        answer = sample.truth["answer"]
        return [either(answer, answer.replace(" km", "km"))]

    def steps(self, sample, page):
        a, b, c = (sample.params[k] for k in ("first", "second", "third"))
        page = yield from _directions(page, "car", a, b)
        d1 = route_summary(page)[0]
        page = yield act(type_text(page.field("from"), b), f"The first leg is {d1}; now route "
                         f"the second leg, from {b}.")
        page = yield act(search(page.field("to"), c), f"... to {c}.")
        d2 = route_summary(page)[0]
        total = f"{float(d1.split()[0]) + float(d2.split()[0]):.1f} km"
        yield self.reply(sample, total, f"{d1} + {d2} = {total}.")


class TimeToNearestHospital(_MapTemplate, AnswerTemplate):
    """The drive time to the nearest hospital: a search, then a route."""

    id = "map/time_to_nearest_hospital"
    intent_template = "How long does it take to drive from {{place}} to the nearest hospital?"
    difficulty = "hard"
    reference_key = "include"

    def sample(self, rng, db):
        data = map_data(db)
        anchor = _anchor(rng, data, 0.4)
        found = nearest(data, "hospital", anchor, "car")
        if found is None:
            return None
        trip = route(data, anchor, found[0], "car")
        if trip is None or geo.minutes(trip.duration_s) < 2:
            return None
        return Sample({"place": place_text(anchor)},
                      {"answer": geo.duration(trip.duration_s), "hospital": found[0].name,
                       "include": either(*geo.duration_variants(trip.duration_s))})

    def steps(self, sample, page):
        anchor = sample.params["place"]
        page = yield from _first_result(page, "hospital", anchor)
        row = result_rows(page)[0]
        hospital = f"{row['name']}, {row['address']}"
        page = yield from _directions(page, "car", anchor, hospital)
        time = route_summary(page)[1]
        yield self.reply(sample, time, f"The nearest hospital is {row['name']}; driving there "
                         f"from {anchor} takes {time}.")


# ---- navigation (url_match) ----


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


class OpenDirections(_MapTemplate, NavigationTemplate):
    """Open the directions between two places by a mode."""

    id = "map/open_directions"
    intent_template = "Show me the {{mode}} directions from {{origin}} to {{destination}}."
    difficulty = "medium"

    def sample(self, rng, db):
        data = map_data(db)
        mode = rng.choice(list(MODE_WORDS))
        start = _anchor(rng, data, 0.25)
        end = _same_town(rng, data, data.named, start, 400, 4000)
        if end is None or route(data, start, end, mode) is None:
            return None
        return Sample({"mode": MODE_WORDS[mode][0], "origin": place_text(start),
                       "destination": place_text(end)},
                      {"mode": mode, "path": directions_path(mode, start, end)})

    def target(self, sample):
        return self.url(sample.truth["path"])

    def steps(self, sample, page):
        mode = sample.truth["mode"]
        page = yield from _directions(page, mode, sample.params["origin"],
                                      sample.params["destination"])
        yield finish(f"The {sample.params['mode']} directions are shown.")


class OpenDirectionsBetweenTowns(OpenDirections):
    """Open the driving directions between two towns."""

    id = "map/open_directions_between_towns"
    intent_template = "Show me the driving route from {{origin}} to {{destination}}."
    difficulty = "medium"

    def sample(self, rng, db):
        data = map_data(db)
        start, end = rng.sample(data.towns, 2)
        if geo.haversine_m(start.lat, start.lon, end.lat, end.lon) > 1_500_000:
            return None
        return Sample({"origin": start.name, "destination": end.name},
                      {"mode": "car", "path": directions_path("car", start, end)})

    def steps(self, sample, page):
        page = yield from _directions(page, "car", sample.params["origin"],
                                      sample.params["destination"])
        yield finish("The driving route between the two towns is shown.")


class DirectionsToNearest(_MapTemplate, NavigationTemplate):
    """Walking directions to the nearest place of a kind: a search, then a route."""

    id = "map/directions_to_nearest"
    intent_template = "Show me walking directions from {{place}} to the nearest {{category}}."
    difficulty = "hard"

    def sample(self, rng, db):
        data = map_data(db)
        anchor = _anchor(rng, data)
        kind = CATEGORY_BY_KEY[rng.choice(COMMON)]
        found = nearest(data, kind.label, anchor)
        if found is None:
            return None
        return Sample({"place": place_text(anchor), "category": kind.label.lower()},
                      {"id": found[0].id, "path": directions_path("foot", anchor, found[0])})

    def target(self, sample):
        return self.url(sample.truth["path"])

    def steps(self, sample, page):
        anchor, what = sample.params["place"], sample.params["category"]
        page = yield from _first_result(page, what, anchor)
        row = result_rows(page)[0]
        page = yield from _directions(page, "foot", anchor, f"{row['name']}, {row['address']}")
        yield finish(f"Walking directions to {row['name']}, the nearest {what}, are shown.")


# ---- directions left on the screen (program_html) ----


class ShowRouteFromAddress(_MapTemplate, EditTemplate):
    """Bike directions from a customer's address to a place, left on the screen."""

    id = "map/show_route_from_address"
    intent_template = ("I live at {{address}}. Show me how to get to {{place}} by bike, and "
                       "leave the directions on the screen.")
    difficulty = "medium"

    def sample(self, rng, db):
        data = map_data(db)
        if not data.addresses:
            return None
        home = rng.choice(data.addresses)
        goal = _same_town(rng, data, data.named, home, 400, 4000)
        trip = route(data, home, goal, "bike") if goal else None
        if goal is None or trip is None:
            return None
        return Sample({"address": address_text(home), "place": goal.name},
                      {"distance": geo.km(trip.distance_m), "street": home.street_line})

    def checks(self, sample):
        return [_summary_check(MODES["bike"].label, sample.truth["street"],
                               sample.params["place"], sample.truth["distance"])]

    def steps(self, sample, page):
        page = yield from _directions(page, "bike", sample.params["address"],
                                      sample.params["place"])
        yield finish(f"The cycling route ({route_summary(page)[0]}) is on the screen.")


class RouteFromAddressToNearest(_MapTemplate, EditTemplate):
    """Walking directions from an address to the nearest place of a kind, left on screen."""

    id = "map/route_from_address_to_nearest"
    intent_template = ("Find the nearest {{category}} to {{address}} and show me the walking "
                       "directions there from that address.")
    difficulty = "hard"

    def sample(self, rng, db):
        data = map_data(db)
        if not data.addresses:
            return None
        home = rng.choice(data.addresses)
        kind = CATEGORY_BY_KEY[rng.choice(COMMON)]
        found = nearest(data, kind.label, home)
        if found is None:
            return None
        goal = found[0]
        return Sample({"category": kind.label.lower(), "address": address_text(home)},
                      {"street": home.street_line, "name": goal.name,
                       "goal_street": goal.street_line})

    def checks(self, sample):
        t = sample.truth
        return [_summary_check(MODES["foot"].label, t["street"], t["name"], t["goal_street"])]

    def steps(self, sample, page):
        home, what = sample.params["address"], sample.params["category"]
        page = yield from _first_result(page, what, home)
        row = result_rows(page)[0]
        page = yield from _directions(page, "foot", home, f"{row['name']}, {row['address']}")
        yield finish(f"The walking route to {row['name']} is on the screen.")


# ---- held out of training (test_unseen) ----


class TravelTimeDifference(_MapTemplate, AnswerTemplate):
    """How many more minutes walking takes than cycling (two modes of one route)."""

    id = "map/travel_time_difference"
    intent_template = ("How many more minutes does it take to walk than to bike from {{origin}} "
                       "to {{destination}}?")
    difficulty = "hard"
    unseen = True

    def sample(self, rng, db):
        data = map_data(db)
        start = _anchor(rng, data, 0.2)
        end = _same_town(rng, data, data.named, start, 600, 3000)
        if end is None:
            return None
        walk, bike = route(data, start, end, "foot"), route(data, start, end, "bike")
        if walk is None or bike is None:
            return None
        difference = geo.minutes(walk.duration_s) - geo.minutes(bike.duration_s)
        return Sample({"origin": place_text(start), "destination": place_text(end)},
                      {"answer": str(difference)})

    def steps(self, sample, page):
        page = yield from _directions(page, "foot", sample.params["origin"],
                                      sample.params["destination"])
        walk = route_summary(page)[1]
        page = yield act(click(page.link(MODES["bike"].label, exact=True)),
                         f"Walking takes {walk}; switch the same route to the bicycle.")
        bike = route_summary(page)[1]
        answer = str(duration_minutes(walk) - duration_minutes(bike))
        yield self.reply(sample, answer,
                         f"Walking takes {walk}, cycling {bike}: {answer} minutes more.")


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


class FirstTurn(_MapTemplate, AnswerTemplate):
    """The street of the first turn of a driving route (the steps table)."""

    id = "map/first_turn"
    intent_template = ("When driving from {{origin}} to {{destination}}, onto which street do you "
                       "make the first turn?")
    difficulty = "medium"
    unseen = True

    def sample(self, rng, db):
        data = map_data(db)
        start = _anchor(rng, data, 0.3)
        end = _same_town(rng, data, data.named, start, 500, 4000)
        trip = route(data, start, end, "car") if end else None
        if trip is None or len(trip.steps) < 3:
            return None
        second = trip.steps[1]
        if not second.instruction.startswith("Turn ") or not second.road \
                or second.road == trip.steps[0].road:
            return None
        others = [step.road for step in trip.steps if step.road and step.road != second.road]
        return Sample({"origin": place_text(start), "destination": place_text(end)},
                      {"answer": second.road, "distractors": list(dict.fromkeys(others))})

    def steps(self, sample, page):
        page = yield from _directions(page, "car", sample.params["origin"],
                                      sample.params["destination"])
        steps = route_steps(page)
        match = re.match(r"Turn (?:left|right) onto (.+)$", steps[1])
        if match is None:
            raise OracleError(f"the second step is not a turn: {steps[:3]}")
        yield self.reply(sample, match.group(1),
                         f"Step 1 says '{steps[0]}'; step 2 says '{steps[1]}'.")


TEMPLATES: list[type[TaskTemplate]] = [
    # facts about places
    PlaceCoordinates,
    PlaceZip,
    PlacePhone,
    PlaceCategory,
    PlaceTown,
    OpeningTime,
    CountInTown,
    NearestCategory,
    # routes
    DriveDistance,
    WalkTime,
    BikeTime,
    DriveTimeBetweenTowns,
    CloserByDrive,
    MultiStopDistance,
    TimeToNearestHospital,
    # navigation
    OpenPlacePage,
    OpenDirections,
    OpenDirectionsBetweenTowns,
    DirectionsToNearest,
    # directions left on the screen
    ShowRouteFromAddress,
    RouteFromAddressToNearest,
    # held out
    TravelTimeDifference,
    CountWithinDistance,
    NearestChainAddress,
    OpenNearestPlace,
    FirstTurn,
]
