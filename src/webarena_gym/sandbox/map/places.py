"""Places: formatting, search and name resolution (what the search box and directions do).

Search understands what people type into OpenStreetMap's box:

* plain text (``Morning Grind``, ``1427 Maple Dr, Pittsburgh``, ``cafe``): every word must
  begin a word of the place's name, category, address, town or neighbourhood;
* ``<what> in <town>`` (``cafes in Pittsburgh``): places of the town, by name;
* ``<what> near <place>``, ``nearest <what> to <place>``: places sorted by straight-line
  distance from the place (within :data:`NEAR_RADIUS_M`).

``<what>`` is a category (any of its words: ``cafe``, ``cafes``, ``coffee shop``) or text.
Directions resolve their ``from``/``to`` text with :meth:`PlaceIndex.resolve`: coordinates, an
exact name or full label, a town, or text that finds exactly one place.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from bisect import bisect_left
from dataclasses import dataclass, field, replace

from webarena_gym.sandbox.map.geo import coords, haversine_m
from webarena_gym.sandbox.map.routing import dataset_key
from webarena_gym.sandbox.map.vocab import CATEGORIES, CATEGORY_BY_KEY, Category

NEAR_RADIUS_M = 50_000.0
STOPWORDS = frozenset({"the", "of", "in", "at", "a", "an", "and", "to", "near"})
_APARTMENT = re.compile(r"(,\s*|\s+)(apt|apartment|suite|ste|unit|floor|fl)\b\.?\s*#?\s*[\w-]+",
                        re.IGNORECASE)
_COUNTRY = re.compile(r",?\s*\b(united states( of america)?|usa)\b", re.IGNORECASE)
_COORDS = re.compile(r"^\s*(-?\d{1,3}(?:\.\d+)?)\s*[,;\s]\s*(-?\d{1,3}(?:\.\d+)?)\s*$")
_NEAR = (re.compile(r"^\s*(?:the\s+)?(?:nearest|closest)\s+(.+?)\s+(?:to|from|near)\s+(.+)$", re.I),
         re.compile(r"^\s*(.+?)\s+(?:near|close to|nearby|around)\s+(.+)$", re.I))
_IN = re.compile(r"^\s*(.+?)\s+in\s+(.+)$", re.I)


def words(text: str) -> list[str]:
    """Lower-cased words of ``text``; apostrophes vanish (``O'Hare`` -> ``ohare``)."""
    text = text.lower().replace("'", "").replace("\u2019", "")
    return [w for w in re.split(r"[^a-z0-9&]+", text) if w]


def clean_query(text: str) -> str:
    """A query without apartment/suite/floor parts and country names (the map has buildings)."""
    return _APARTMENT.sub("", _COUNTRY.sub("", text)).strip(" ,")


@dataclass(frozen=True)
class Place:
    """One place as the site shows it."""

    id: int
    name: str
    category: str
    node_id: int
    lat: float
    lon: float
    housenumber: str | None
    street: str | None
    town_id: int
    city: str
    state: str
    postcode: str | None
    neighbourhood: str | None
    opening_hours: str | None
    phone: str | None
    website: str | None
    cuisine: str | None
    brand: str | None
    state_code: str = ""
    words: frozenset[str] = field(default=frozenset(), compare=False, repr=False)

    @property
    def kind(self) -> Category:
        """Its category."""
        return CATEGORY_BY_KEY[self.category]

    @property
    def street_line(self) -> str:
        """``'215 Forbes Ave'`` (or the street alone, or nothing)."""
        if self.housenumber and self.street:
            return f"{self.housenumber} {self.street}"
        return self.street or ""

    @property
    def address(self) -> str:
        """``'215 Forbes Ave, Pittsburgh, Pennsylvania 15213'``."""
        region = f"{self.state} {self.postcode}" if self.postcode else self.state
        return ", ".join(p for p in (self.street_line, self.city, region) if p)

    @property
    def label(self) -> str:
        """The full description that names it uniquely (what directions' fields show)."""
        if self.category in ("address", "city"):
            return self.address
        return f"{self.name}, {self.address}"

    @property
    def coordinates(self) -> str:
        """``'40.44422, -79.94311'``."""
        return coords(self.lat, self.lon)



@dataclass
class Resolution:
    """What a ``from``/``to`` text (or a search's anchor) resolves to.

    Exactly one of: ``place`` (found), ``point`` without place (bare coordinates),
    ``candidates`` (ambiguous), or nothing (``not found``).
    """

    text: str
    place: Place | None = None
    point: tuple[float, float] | None = None
    candidates: list[Place] = field(default_factory=list)
    matches: int = 0

    @property
    def found(self) -> bool:
        """Whether it names one point."""
        return self.point is not None

    def message(self) -> str:
        """Why it does not name one point (empty when it does)."""
        if self.found:
            return ""
        if not self.text.strip():
            return "Enter a place name, an address or coordinates."
        if self.candidates:
            return (f"'{self.text}' matches {self.matches} places; choose one below, "
                    "or add the street or town to the name.")
        return f"Sorry, could not find '{self.text}' on the map."


@dataclass
class SearchResult:
    """A search's outcome: the rows to list and how they were found."""

    query: str
    kind: str  # plain, in, near
    places: list[Place]
    distances: list[float] | None = None
    category: Category | None = None
    town: str | None = None
    anchor: Resolution | None = None
    message: str = ""

    @property
    def heading(self) -> str:
        """A line above the results saying what they are."""
        what = self.category.plural if self.category else f"'{self.query}'"
        if self.kind == "in":
            return f"{what.capitalize()} in {self.town}"
        if self.kind == "near" and self.anchor and self.anchor.place:
            return f"{what.capitalize()} near {self.anchor.place.label}, nearest first"
        return f"Results for '{self.query}'"


class PlaceIndex:
    """Every place of one generated map, indexed for search and resolution."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        codes = dict(conn.execute("SELECT id, state_code FROM map_towns").fetchall())
        columns = ("id, name, category, node_id, lat, lon, housenumber, street, town_id, city, "
                   "state, postcode, neighbourhood, opening_hours, phone, website, cuisine, brand")
        self.places: list[Place] = []
        for row in conn.execute(f"SELECT {columns} FROM map_places ORDER BY id"):
            place = Place(*row, state_code=codes[row[8]])
            text = " ".join(p for p in (place.name, place.address, place.neighbourhood or "",
                                        place.state_code, place.cuisine or "", place.brand or "",
                                        " ".join(place.kind.words)) if p)
            self.places.append(replace(place, words=frozenset(words(text))))
        self._postings: dict[str, list[int]] = {}
        for position, place in enumerate(self.places):
            for word in sorted(place.words):
                self._postings.setdefault(word, []).append(position)
        self._vocabulary = sorted(self._postings)
        self.by_id = {p.id: p for p in self.places}
        self.by_point = {(p.lat, p.lon): p for p in self.places}
        self._by_name: dict[str, list[Place]] = {}
        self._by_label: dict[str, list[Place]] = {}
        for p in self.places:
            self._by_name.setdefault(" ".join(words(p.name)), []).append(p)
            self._by_label.setdefault(" ".join(words(p.label)), []).append(p)
        self.towns: dict[str, Place] = {}
        for p in self.places:
            if p.category == "city":
                for variant in (p.name, f"{p.name} {p.state}", f"{p.name} {p.state_code}"):
                    self.towns[" ".join(words(variant))] = p
        self._categories: dict[str, Category] = {}
        for category in CATEGORIES:
            for phrase in category.words:
                self._categories[" ".join(words(phrase))] = category

    def get(self, place_id: int) -> Place | None:
        """The place with this id."""
        return self.by_id.get(place_id)

    def named(self, name: str) -> list[Place]:
        """Places whose name is exactly ``name`` (case and punctuation aside)."""
        return list(self._by_name.get(" ".join(words(name)), []))

    def town(self, text: str) -> Place | None:
        """The city place of a town named ``text`` (``Pittsburgh``, ``Pittsburgh, PA``)."""
        return self.towns.get(" ".join(words(clean_query(text))))

    def category(self, text: str) -> Category | None:
        """The category ``text`` names (``cafes``, ``coffee shop``, ``Gas Station``), if any."""
        return self._categories.get(" ".join(words(text)))

    # -- search ----------------------------------------------------------------------------
    def matching(self, query_words: list[str]) -> list[Place]:
        """Places where every query word begins one of their words (in id order)."""
        found: set[int] | None = None
        for query in query_words:
            low = bisect_left(self._vocabulary, query)
            high = bisect_left(self._vocabulary, query + "\uffff")
            positions = {i for word in self._vocabulary[low:high] for i in self._postings[word]}
            found = positions if found is None else found & positions
            if not found:
                return []
        return [self.places[i] for i in sorted(found or ())]

    def _filter(self, what: str) -> tuple[Category | None, list[Place]]:
        category = self.category(what)
        if category is not None:
            return category, [p for p in self.places if p.category == category.key]
        query = words(clean_query(what))
        kept = [w for w in query if w not in STOPWORDS] or query
        if not kept:
            return None, []
        return None, self.matching(kept)

    def search(self, query: str) -> SearchResult:
        """Run a search-box query (see the module docstring)."""
        text = query.strip()
        for pattern in _NEAR:
            match = pattern.match(text)
            if match:
                return self._near(text, match.group(1), match.group(2))
        match = _IN.match(text)
        town = self.town(match.group(2)) if match else None
        if match and town is not None:
            category, found = self._filter(match.group(1))
            found = sorted((p for p in found if p.town_id == town.town_id and p is not town),
                           key=lambda p: (p.name.lower(), p.id))
            return SearchResult(text, "in", found, category=category, town=town.name)
        category, found = self._filter(text)
        exact = " ".join(words(clean_query(text)))

        def rank(p: Place) -> tuple:
            name = " ".join(words(p.name))
            first = 0 if exact in (name, " ".join(words(p.label))) else (
                1 if name.startswith(exact) else 2)
            return (first, p.category == "address", p.city, p.name.lower(), p.id)

        return SearchResult(text, "plain", sorted(found, key=rank), category=category)

    def _near(self, text: str, what: str, where: str) -> SearchResult:
        anchor = self.resolve(where)
        category, found = self._filter(what)
        result = SearchResult(text, "near", [], [], category=category, anchor=anchor)
        if not anchor.found or anchor.point is None:
            result.message = anchor.message()
            return result
        lat, lon = anchor.point
        rows = []
        for p in found:
            if anchor.place is not None and p.id == anchor.place.id:
                continue
            d = haversine_m(lat, lon, p.lat, p.lon)
            if d <= NEAR_RADIUS_M:
                rows.append((d, p.id, p))
        rows.sort()
        result.places = [p for _d, _i, p in rows]
        result.distances = [d for d, _i, _p in rows]
        return result

    # -- resolution ------------------------------------------------------------------------
    def resolve(self, text: str) -> Resolution:
        """The one place (or point) ``text`` names; see :class:`Resolution`."""
        result = Resolution(text)
        match = _COORDS.match(text)
        if match:
            lat, lon = float(match.group(1)), float(match.group(2))
            if -90 <= lat <= 90 and -180 <= lon <= 180:
                result.point = (lat, lon)
                result.place = self.by_point.get((round(lat, 5), round(lon, 5)))
            return result
        cleaned = clean_query(text)
        key = " ".join(words(cleaned))
        if not key:
            return result
        for group in (self._by_label.get(key, []), self._by_name.get(key, [])):
            if len(group) == 1:
                return self._found(result, group[0])
        town = self.town(cleaned)
        if town is not None:
            return self._found(result, town)
        _category, found = self._filter(cleaned)
        if len(found) == 1:
            return self._found(result, found[0])
        group = self._by_name.get(key, []) or found
        result.matches = len(group)
        result.candidates = sorted(group, key=lambda p: (p.city, p.name, p.id))[:10]
        return result

    @staticmethod
    def _found(result: Resolution, place: Place) -> Resolution:
        result.place, result.point = place, (place.lat, place.lon)
        return result


DAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def opening_hours_on(spec: str, day: int) -> tuple[str, str] | None:
    """The ``(open, close)`` times of an OpenStreetMap ``opening_hours`` value on ``day``
    (0 = Monday), or None when closed. Later rules override earlier ones; ``24/7`` is
    ``('00:00', '24:00')``.

    Raises:
        ValueError: a rule this parser does not understand (names the rule).
    """
    if spec.strip() == "24/7":
        return ("00:00", "24:00")
    found: tuple[str, str] | None = None
    for rule in (r.strip() for r in spec.split(";") if r.strip()):
        days, _, times = rule.partition(" ")
        covered: set[int] = set()
        for part in days.split(","):
            first, _, last = part.partition("-")
            if first not in DAYS or (last and last not in DAYS):
                raise ValueError(f"cannot read the days of opening-hours rule {rule!r}")
            a, b = DAYS.index(first), DAYS.index(last or first)
            covered.update((a + k) % 7 for k in range((b - a) % 7 + 1))
        if day in covered:
            if times == "off":
                found = None
            else:
                opens, _, closes = times.partition("-")
                found = (opens, closes)
    return found


_indexes: dict[tuple[str, ...], PlaceIndex] = {}
_indexes_lock = threading.Lock()


def index_for(conn: sqlite3.Connection) -> PlaceIndex:
    """The place index of the map in ``conn``, built once per dataset."""
    key = dataset_key(conn)
    with _indexes_lock:
        index = _indexes.get(key)
        if index is None:
            if len(_indexes) >= 4:
                _indexes.pop(next(iter(_indexes)))
            index = _indexes[key] = PlaceIndex(conn)
        return index
