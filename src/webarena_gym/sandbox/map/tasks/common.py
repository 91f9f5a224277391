"""What the map's templates share: formats, page readers, the samplers' view of the map data
(places, routes, nearest), the oracles' building blocks (search, open a place, directions) and
their base class.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from webarena_gym.sandbox.map import geo
from webarena_gym.sandbox.map.places import Place, PlaceIndex, index_for
from webarena_gym.sandbox.map.routing import MODES, RoadGraph, Route, graph_for
from webarena_gym.sandbox.map.vocab import ISLAND_TOWNS, STORE_PLACE_NAME
from webarena_gym.sandbox.store.vocab import CITIES as STORE_CITIES
from webarena_gym.sandbox.templates.base import (
    RUNNERS_UP,
    ScriptedTemplate,
    Steps,
    act,
    click,
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


# -- the base class of the site's templates -------------------------------------------------------


class _MapTemplate(ScriptedTemplate):
    """A map task: no login, starting on the front page."""

    sites = (SITE,)
    require_login = False
