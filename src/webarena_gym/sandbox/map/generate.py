"""Generate the ``map`` database from a seed: towns, a road graph and places.

The towns are the store's cities, so every address of the store (customers' address books and
the shipping addresses of guest orders, read from the store generated from the same seed) is a
place on the map, on its street, with its zip code. Each town is a street grid (jittered and
slightly rotated, as American downtowns are) with avenues of several road classes, an
expressway with ramps at a few interchanges, a park crossed by footpaths, a riverside cycleway,
a pedestrian street and an airport road; towns are linked by interstates (cars only) and US
routes (every mode). Places (restaurants, cafes, museums, hospitals, ...) sit on the streets,
numbered as the street's addresses run, and each gets its own node of the road graph, so
directions start and end exactly at it.

Same seed, same map: one ``random.Random`` drives everything, and nothing iterates a set.
"""

from __future__ import annotations

import math
import random
import re
import sqlite3
from dataclasses import dataclass, field

from webarena_gym.sandbox.map import vocab
from webarena_gym.sandbox.map.geo import haversine_m, offset
from webarena_gym.sandbox.store import vocab as store_vocab

#: bump when the generated data changes for a given seed (tasks' fixed splits depend on it)
GENERATOR_VERSION = "map-1"

DETAIL = {"Pittsburgh": 3.0, "San Francisco": 2.0, "Chicago": 2.0, "New York": 1.5,
          "Los Angeles": 1.5, "Boston": 1.5, "Philadelphia": 1.5}
MIN_PLACE_GAP_M = 9.0  # places on one street keep this far apart (and from intersections)
_BRIDGES = {("Brooklyn", "New York"): ("Brooklyn Bridge", "I-278"),
            ("Boston", "Cambridge"): ("Longfellow Bridge", "I-90")}
_APARTMENT = re.compile(r",\s*(apt|apartment|suite|ste|unit|floor|fl|#)\b.*$", re.IGNORECASE)
_SAINTS = ("Mary", "Joseph", "Luke", "Francis", "Vincent", "Anne", "Jude", "Clare")


@dataclass
class _Street:
    """One named street line of a town: its base edges in order (oriented along the line)."""

    name: str
    town: int
    edges: list[int] = field(default_factory=list)
    addressable: list[bool] = field(default_factory=list)
    main: bool = False


@dataclass
class _Town:
    id: int
    name: str
    state: str
    zip3: str
    area: str
    lat: float
    lon: float
    detail: float
    width: float = 0.0
    height: float = 0.0
    center_node: int = 0
    perimeter: list[int] = field(default_factory=list)
    gateways: list[int] = field(default_factory=list)
    streets: dict[str, _Street] = field(default_factory=dict)
    zones: list[tuple[str, str]] = field(default_factory=list)
    zone_cols: int = 2
    park_edge: int | None = None
    park_name: str = ""


@dataclass
class _Place:
    name: str
    category: str
    town: _Town
    node: int = 0  # set once its edge is split (or directly, for places at a node)
    housenumber: str | None = None
    street: str | None = None
    postcode: str | None = None
    neighbourhood: str | None = None
    opening_hours: str | None = None
    phone: str | None = None
    website: str | None = None
    cuisine: str | None = None
    brand: str | None = None


class _Builder:
    """Nodes, ways and edges as they are built; edges are split at places at the end."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.nodes: list[tuple[float, float, int | None]] = []
        self.ways: list[tuple[str, str, int | None]] = []
        self._way_ids: dict[tuple[str, str, int | None], int] = {}
        self.edges: list[tuple[int, int, int, float | None]] = []
        self.inserts: dict[int, list[tuple[float, int]]] = {}
        self.places: list[_Place] = []

    def node(self, lat: float, lon: float, town: int | None) -> int:
        self.nodes.append((round(lat, 5), round(lon, 5), town))
        return len(self.nodes)

    def way(self, name: str, road_class: str, town: int | None) -> int:
        key = (name, road_class, town)
        if key not in self._way_ids:
            self.ways.append(key)
            self._way_ids[key] = len(self.ways)
        return self._way_ids[key]

    def edge(self, u: int, v: int, way: int, length: float | None = None) -> int:
        self.edges.append((u, v, way, length))
        return len(self.edges) - 1

    def point(self, node: int) -> tuple[float, float]:
        lat, lon, _town = self.nodes[node - 1]
        return lat, lon

    def distance(self, a: int, b: int) -> float:
        return haversine_m(*self.point(a), *self.point(b))

    def edge_length(self, index: int) -> float:
        u, v, _way, length = self.edges[index]
        return length if length is not None else self.distance(u, v)

    # -- places on edges -------------------------------------------------------------------
    def free_offset(self, index: int, want: float) -> float | None:
        """An offset on edge ``index`` near ``want`` that keeps clear of the other places."""
        length = self.edge_length(index)
        low, high = MIN_PLACE_GAP_M, length - MIN_PLACE_GAP_M
        if high <= low:
            return None
        taken = [o for o, _p in self.inserts.get(index, [])]
        for shift in (0, 1, -1, 2, -2, 3, -3, 4, -4, 6, -6, 8, -8):
            candidate = min(max(want + shift * MIN_PLACE_GAP_M * 1.3, low), high)
            if all(abs(candidate - o) >= MIN_PLACE_GAP_M for o in taken):
                return candidate
        return None

    def insert(self, index: int, at: float, place: _Place) -> None:
        self.places.append(place)
        self.inserts.setdefault(index, []).append((at, len(self.places) - 1))

    def place_at_node(self, node: int, place: _Place) -> None:
        place.node = node
        self.places.append(place)

    def finish(self) -> list[tuple[int, int, int, float]]:
        """Split every edge at its places (giving each place its node); the final edge rows."""
        final = []
        for index, (u, v, way, length) in enumerate(self.edges):
            stops = sorted(self.inserts.get(index, []))
            if not stops:
                final.append((u, v, way, length if length is not None else self.distance(u, v)))
                continue
            total = self.edge_length(index)
            (lat1, lon1), (lat2, lon2) = self.point(u), self.point(v)
            town = self.nodes[u - 1][2]
            previous = u
            for at, place_index in stops:
                t = at / total
                node = self.node(lat1 + (lat2 - lat1) * t, lon1 + (lon2 - lon1) * t, town)
                self.places[place_index].node = node
                final.append((previous, node, way, self.distance(previous, node)))
                previous = node
            final.append((previous, v, way, self.distance(previous, v)))
        return final


# -- the store's addresses ------------------------------------------------------------------------


def store_addresses(store: sqlite3.Connection) -> list[tuple[str, str, str, str, str]]:
    """Every distinct street address of the store: ``(number, street, city, state, zip)``.

    From the customers' address books and the shipping addresses of all orders (guests'
    included); apartment, suite and floor parts are dropped (the map shows buildings).
    """
    found: dict[tuple[str, str, str], tuple[str, str, str, str, str]] = {}

    def add(street_line: str, city: str, region: str, postcode: str) -> None:
        line = _APARTMENT.sub("", street_line.strip())
        number, _, street = line.partition(" ")
        if not number.isdigit() or not street or city not in vocab.TOWN_CENTERS:
            return
        found.setdefault((number, street, city), (number, street, city, region, postcode))

    for row in store.execute("SELECT street, city, region, postcode FROM addresses ORDER BY id"):
        add(*row)
    for (text,) in store.execute("SELECT shipping_address FROM orders ORDER BY id"):
        lines = (text or "").split("\n")
        if len(lines) < 3:
            continue
        parts = [p.strip() for p in lines[2].split(",")]
        if len(parts) == 3:
            add(lines[1], *parts)
    return list(found.values())


# -- towns ----------------------------------------------------------------------------------------


def _line_class(index: int, count: int, center: int) -> str:
    if index == center:
        return "primary"
    if index in (0, count - 1):
        return "tertiary"
    if (index - center) % 3 == 0:
        return "secondary"
    return "residential"


def _build_town(b: _Builder, town: _Town, required: list[str]) -> None:
    """Lay out one town's streets, park, trail, pedestrian street and expressway."""
    rng = b.rng
    cols = rows = 8
    if town.detail >= 3:
        cols, rows = 16, 12
    elif town.detail >= 2:
        cols, rows = 13, 10
    elif town.detail >= 1.5:
        cols, rows = 11, 9
    else:
        cols, rows = rng.randint(9, 10), rng.randint(7, 8)
    local = list(vocab.LOCAL_STREETS.get(town.name, ()))
    pool = local + [s for s in required if s not in local]
    while len(pool) > cols + rows:
        if cols <= rows:
            cols += 1
        else:
            rows += 1
    fillers = [s for s in (*vocab.GENERIC_STREETS, *store_vocab.STREET_NAMES) if s not in pool]
    rng.shuffle(fillers)
    extra = pool[len(local):] + fillers[: cols + rows - len(pool)]
    rng.shuffle(extra)
    names = local + extra

    spacing = rng.uniform(205, 240)
    angle = math.radians(rng.uniform(-12, 12))
    town.width, town.height = (cols - 1) * spacing, (rows - 1) * spacing
    ccol, crow = cols // 2, rows // 2

    def place(x: float, y: float) -> tuple[float, float]:
        rx = x * math.cos(angle) - y * math.sin(angle)
        ry = x * math.sin(angle) + y * math.cos(angle)
        return offset(town.lat, town.lon, rx, ry)

    grid = [[0] * rows for _ in range(cols)]
    for i in range(cols):
        for j in range(rows):
            x = (i - (cols - 1) / 2) * spacing + rng.uniform(-14, 14)
            y = (j - (rows - 1) / 2) * spacing + rng.uniform(-14, 14)
            grid[i][j] = b.node(*place(x, y), town.id)
    town.center_node = grid[ccol][crow]
    town.perimeter = ([grid[i][0] for i in range(cols)] + [grid[i][rows - 1] for i in range(cols)]
                      + [grid[0][j] for j in range(1, rows - 1)]
                      + [grid[cols - 1][j] for j in range(1, rows - 1)])

    # Which line gets which name: the first (local, famous) names go to the main avenues.
    lines = [("row", j, _line_class(j, rows, crow)) for j in range(rows)]
    lines += [("col", i, _line_class(i, cols, ccol)) for i in range(cols)]
    rank = {"primary": 0, "secondary": 1, "tertiary": 2, "residential": 3}
    lines.sort(key=lambda line: (rank[line[2]], line[1] % 2, line[1], line[0]))
    line_names = {(kind, k): names[n] for n, (kind, k, _c) in enumerate(lines)}
    line_class = {(kind, k): c for kind, k, c in lines}

    # The park: the 2x2 blocks around (pc+1, pr+1), crossed by footpaths only.
    pc = rng.randint(1, cols - 4)
    pr = rng.choice([r for r in range(1, rows - 3) if r != crow - 1] or [1])
    park_center = (pc + 1, pr + 1)
    # The pedestrian street: two blocks of a residential row, clear of the park.
    walk_rows = [j for j in range(1, rows - 1) if line_class[("row", j)] == "residential"
                 and not pr <= j <= pr + 2]
    walk_row = rng.choice(walk_rows) if walk_rows else None
    walk_from = rng.randint(1, cols - 3)

    for kind, k, road_class in lines:
        name = line_names[(kind, k)]
        street = _Street(name, town.id, main=road_class in ("primary", "secondary"))
        town.streets[name] = street
        count = cols if kind == "row" else rows
        for n in range(count - 1):
            a, c = ((grid[n][k], grid[n + 1][k]) if kind == "row" else (grid[k][n], grid[k][n + 1]))
            ends = ((n, k), (n + 1, k)) if kind == "row" else ((k, n), (k, n + 1))
            if park_center in ends:
                way = b.way("{park} Trail", "footway", town.id)  # named once the park is
                addressable = False
            elif kind == "row" and k == walk_row and walk_from <= n < walk_from + 2:
                way = b.way(name, "pedestrian", town.id)
                addressable = False
            else:
                way = b.way(name, road_class, town.id)
                addressable = True
            street.edges.append(b.edge(a, c, way))
            street.addressable.append(addressable)
    trail = b.way("{park} Trail", "footway", town.id)
    for di, dj in ((-1, -1), (1, -1), (-1, 1), (1, 1)):
        b.edge(grid[park_center[0] + di][park_center[1] + dj],
               grid[park_center[0]][park_center[1]], trail)
    south = town.streets[line_names[("row", pr)]]
    town.park_edge = south.edges[pc]

    # The riverside trail: a cycleway along the south edge, joined to every third avenue.
    river = b.way(vocab.RIVER_TRAILS.get(town.name, "Riverside Trail"), "cycleway", town.id)
    trail_nodes = []
    for i in range(cols):
        x = (i - (cols - 1) / 2) * spacing
        y = -((rows - 1) / 2) * spacing - 0.7 * spacing
        trail_nodes.append(b.node(*place(x, y), town.id))
        if i:
            b.edge(trail_nodes[i - 1], trail_nodes[i], river)
        if i % 3 == 0 or i == cols - 1:
            b.edge(grid[i][0], trail_nodes[i], river)

    # The expressway: limited access, ramps at a few interchanges, gateways beyond the grid.
    name = vocab.EXPRESSWAYS.get(town.name, f"{town.name} Expressway")
    motorway = b.way(name, "motorway", town.id)
    ramp = b.way("", "motorway_link", town.id)
    along_rows = rng.random() < 0.5
    count, across = (cols, rows) if along_rows else (rows, cols)
    mid = across // 2 - 2 if across > 5 else 0
    prev = None
    ramps = {count // 2, max(1, count // 2 - 4), min(count - 2, count // 2 + 4)}
    for n in range(-1, count + 1):
        extend = 0.0 if 0 <= n < count else (1000.0 if n == count else -1000.0)
        s = (min(max(n, 0), count - 1) - (count - 1) / 2) * spacing + extend
        t = (mid + 0.5 - (across - 1) / 2) * spacing
        node = b.node(*place(s, t) if along_rows else place(t, s), town.id)
        if prev is not None:
            b.edge(prev, node, motorway)
        if n in (-1, count):
            town.gateways.append(node)
        elif n in ramps:
            for side in (mid, mid + 1):
                target = grid[n][side] if along_rows else grid[side][n]
                b.edge(node, target, ramp, b.distance(node, target) * 1.6)
        prev = node

    # Neighbourhoods (zip codes) by zone of the grid.
    known = vocab.NEIGHBOURHOODS.get(town.name)
    if known:
        town.zones = list(known)
    else:
        picked = rng.sample(vocab.GENERIC_NEIGHBOURHOODS, 4)
        zips = rng.sample(range(1, 99), 4)
        town.zones = [(n, f"{town.zip3}{z:02d}") for n, z in zip(picked, sorted(zips), strict=True)]
    town.zone_cols = len(town.zones) // 2


def _zone(town: _Town, lat: float, lon: float) -> tuple[str, str]:
    """The neighbourhood and zip code of a point of ``town`` (zones split the grid)."""
    x = (lon - town.lon) * 111_320.0 * math.cos(math.radians(town.lat))
    y = (lat - town.lat) * 111_320.0
    col = min(max(int((x / max(town.width, 1) + 0.5) * town.zone_cols), 0), town.zone_cols - 1)
    row = 0 if y >= 0 else 1
    return town.zones[row * town.zone_cols + col]


# -- links between towns --------------------------------------------------------------------------


def _route_number(a: _Town, b: _Town, interstate: bool) -> str:
    """A plausible road number for the link: even east-west (by latitude), odd north-south."""
    lat, lon = (a.lat + b.lat) / 2, (a.lon + b.lon) / 2
    east_west = abs(a.lon - b.lon) * math.cos(math.radians(lat)) > abs(a.lat - b.lat)
    if interstate:
        if east_west:
            numbers = (10, 20, 40, 64, 70, 80, 90, 94)
            return f"I-{numbers[min(max(int((lat - 28) / 2.6), 0), len(numbers) - 1)]}"
        numbers = (5, 15, 25, 35, 55, 65, 75, 81, 95)
        return f"I-{numbers[min(max(int((lon + 124) / 6.2), 0), len(numbers) - 1)]}"
    if east_west:
        numbers = (90, 80, 70, 60, 50, 40, 30, 20, 12)
        return f"US-{numbers[min(max(int((lat - 28) / 2.6), 0), len(numbers) - 1)]}"
    numbers = (101, 95, 89, 85, 75, 65, 51, 41, 31, 23, 11, 1)
    return f"US-{numbers[min(max(int((lon + 124) / 4.8), 0), len(numbers) - 1)]}"


def _link_towns(b: _Builder, towns: list[_Town]) -> None:
    """Interstates (gateway to gateway) and US routes (edge to edge) between neighbour towns."""
    mainland = [t for t in towns if t.name not in vocab.ISLAND_TOWNS]

    def dist(a: _Town, c: _Town) -> float:
        return haversine_m(a.lat, a.lon, c.lat, c.lon)

    pairs: set[tuple[int, int]] = set()
    for t in mainland:  # each town to its three nearest
        for other in sorted((o for o in mainland if o is not t), key=lambda o: dist(t, o))[:3]:
            pairs.add((min(t.id, other.id), max(t.id, other.id)))
    connected, rest = [mainland[0]], mainland[1:]
    while rest:  # and a spanning tree, so every mainland town reaches every other
        a, c = min(((a, c) for a in connected for c in rest), key=lambda p: dist(*p))
        pairs.add((min(a.id, c.id), max(a.id, c.id)))
        connected.append(c)
        rest.remove(c)
    by_id = {t.id: t for t in towns}
    for ida, idc in sorted(pairs):
        a, c = by_id[ida], by_id[idc]
        bridge = _BRIDGES.get(tuple(sorted((a.name, c.name))))  # type: ignore[arg-type]
        road = b.way(bridge[0] if bridge else _route_number(a, c, False), "trunk", None)
        highway = b.way(bridge[1] if bridge else _route_number(a, c, True), "motorway", None)
        ga = min(a.gateways, key=lambda n: haversine_m(*b.point(n), c.lat, c.lon))
        gc = min(c.gateways, key=lambda n: haversine_m(*b.point(n), a.lat, a.lon))
        b.edge(ga, gc, highway, b.distance(ga, gc) * 1.12)
        pa = min(a.perimeter, key=lambda n: haversine_m(*b.point(n), c.lat, c.lon))
        pc = min(c.perimeter, key=lambda n: haversine_m(*b.point(n), a.lat, a.lon))
        b.edge(pa, pc, road, b.distance(pa, pc) * 1.2)


# -- places ---------------------------------------------------------------------------------------


class _Names:
    """Place names, unique on the whole map except for chains."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def unique(self, candidates: list[str], town: _Town, neighbourhood: str) -> str:
        for name in candidates:
            if name not in self.used:
                self.used.add(name)
                return name
        base = candidates[0]
        for name in (f"{base} {town.name}", f"{base} - {neighbourhood}",
                     f"{base} - {neighbourhood}, {town.name}"):
            if name not in self.used:
                self.used.add(name)
                return name
        raise ValueError(f"no unique name for {base!r} in {town.name}")

    def pick(self, parts: tuple[tuple[str, ...], tuple[str, ...]], n: int = 6) -> list[str]:
        """``n`` names made of a first and a second part (never the same word twice)."""
        names = []
        while len(names) < n:
            first, second = self.rng.choice(parts[0]), self.rng.choice(parts[1])
            if first.split()[-1] != second.split()[0]:
                names.append(f"{first} {second}")
        return names

    def name(self, category: str, town: _Town, neighbourhood: str,
             counter: dict[str, int]) -> tuple[str, str | None, str | None]:
        """``(name, brand, cuisine)`` of a new place of ``category`` in ``town``."""
        rng, t = self.rng, town.name
        counter[category] = counter.get(category, 0) + 1
        k = counter[category]
        landmarks = vocab.LANDMARKS.get(t, {}).get(category, ())
        if k <= len(landmarks):
            return self.unique([landmarks[k - 1]], town, neighbourhood), None, None
        chains = vocab.CHAINS.get(category, ())
        share = {"fast_food": 1.0, "fuel": 1.0, "bank": 1.0, "supermarket": 0.7,
                 "pharmacy": 0.75, "cafe": 0.2, "cinema": 0.5}.get(category, 0.0)
        if chains and rng.random() < share:
            brand = rng.choice(chains)
            return brand, brand, None
        people = list(vocab.PEOPLE)
        rng.shuffle(people)
        if category == "restaurant":
            cuisine = rng.choice(sorted(vocab.CUISINES))
            return self.unique(self.pick(vocab.CUISINES[cuisine], 8), town, neighbourhood), \
                None, cuisine
        options: list[str]
        if category == "cafe":
            options = self.pick(vocab.CAFE_PARTS, 8)
        elif category == "bar":
            options = self.pick(vocab.BAR_PARTS, 8)
        elif category == "bakery":
            options = self.pick(vocab.BAKERY_PARTS, 4) + [
                f"{rng.choice(vocab.SURNAMES)}'s Bakery"]
        elif category == "hotel":
            options = self.pick(vocab.HOTEL_PARTS, 3) + [
                f"{p} {t}" for p in self.pick(vocab.HOTEL_PARTS, 3)]
        elif category == "supermarket":
            options = [f"{rng.choice(vocab.SURNAMES)}'s Market", f"{neighbourhood} Food Co-op"]
        elif category == "pharmacy":
            options = [f"{neighbourhood} Pharmacy", f"{rng.choice(vocab.SURNAMES)} Drugs"]
        elif category == "bank":
            options = [f"First {t} Bank"]
        elif category == "school":
            kinds = ("Elementary School", "Middle School", "High School", "Academy")
            options = [f"{p} {rng.choice(kinds)}" for p in people[:6]] + [f"{t} High School"]
        elif category == "library":
            options = [f"{t} Public Library", f"{neighbourhood} Branch Library"]
        elif category == "museum":
            options = [f"{t} Museum of Art", f"{t} History Center", f"{t} Science Center",
                       f"{t} Children's Museum", f"Museum of {t} History"]
        elif category == "hospital":
            options = [f"{t} General Hospital", f"St. {rng.choice(_SAINTS)} Medical Center",
                       f"{t} Memorial Hospital", f"Children's Hospital of {t}"]
        elif category == "park":
            options = [f"{p} Park" for p in people[:3]] + [f"{neighbourhood} Park"]
        elif category == "cinema":
            options = [f"The {a} Theater" for a in rng.sample(vocab.ADJECTIVES, 4)]
        elif category == "post_office":
            options = [f"{t} Post Office", f"US Post Office - {neighbourhood}"]
        elif category == "police":
            options = [f"{t} Police Department", f"{t} Police - {neighbourhood} Station"]
        elif category == "fire_station":
            options = [f"{t} Fire Station {k}"]
        elif category == "train_station":
            options = [f"{t} Union Station", f"{t} Station"]
        elif category == "bus_station":
            options = [f"{t} Bus Terminal"]
        elif category == "airport":
            options = [f"{t} International Airport"]
        elif category == "stadium":
            options = [f"{t} Stadium"]
        elif category == "townhall":
            options = [f"{t} City Hall"]
        elif category == "university":
            options = [f"University of {t}", f"{t} State University", f"{t} Community College"]
        else:
            raise ValueError(f"no names for category {category!r}")
        return self.unique(options, town, neighbourhood), None, None


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", name.lower().replace("&", "and"))


_WEBSITES = {"restaurant": 0.7, "cafe": 0.6, "bar": 0.5, "bakery": 0.5, "hotel": 1.0,
             "museum": 1.0, "university": 1.0, "hospital": 1.0, "cinema": 1.0, "stadium": 1.0,
             "airport": 1.0, "supermarket": 0.8, "pharmacy": 0.8, "bank": 1.0, "library": 1.0,
             "fast_food": 1.0, "fuel": 0.6, "school": 0.6, "warehouse": 1.0}
_NO_PHONE = {"park", "address", "city", "fire_station"}


def _details(rng: random.Random, place: _Place) -> None:
    """Opening hours, phone and website, as apt for the category."""
    category = vocab.CATEGORY_BY_KEY[place.category]
    if category.hours:
        place.opening_hours = rng.choice(category.hours)
    if place.category not in _NO_PHONE:
        place.phone = f"+1 {place.town.area}-{rng.randint(201, 989)}-{rng.randint(0, 9999):04d}"
    if rng.random() < _WEBSITES.get(place.category, 0.0):
        place.website = f"https://www.{_slug(place.brand or place.name)}.com"


def _on_street(b: _Builder, town: _Town, street: _Street, fraction: float,
               place: _Place, number: int | None = None) -> bool:
    """Put ``place`` on ``street`` at ``fraction`` of its length (its house number follows)."""
    lengths = [b.edge_length(e) for e in street.edges]
    total = sum(lengths)
    want = min(max(fraction, 0.005), 0.995) * total
    order = sorted(range(len(street.edges)),
                   key=lambda k: abs(sum(lengths[:k]) + lengths[k] / 2 - want))
    for k in order:
        if not street.addressable[k]:
            continue
        start = sum(lengths[:k])
        at = b.free_offset(street.edges[k], min(max(want - start, 0.0), lengths[k]))
        if at is None:
            continue
        position = (start + at) / total
        if number is None:  # numbers run 0-9999 along the street; odd on one side
            number = max(1, int(position * 10000))
            odd_side = b.rng.random() < 0.5
            if number % 2 != odd_side:
                number += 1
        place.housenumber, place.street = str(number), street.name
        u, v, _w, _l = b.edges[street.edges[k]]
        (lat1, lon1), (lat2, lon2) = b.point(u), b.point(v)
        t = at / lengths[k]
        neighbourhood, postcode = _zone(town, lat1 + (lat2 - lat1) * t, lon1 + (lon2 - lon1) * t)
        if place.category != "address":  # store addresses keep their own zip code
            place.neighbourhood, place.postcode = neighbourhood, postcode
        b.insert(street.edges[k], at, place)
        return True
    return False


def _place_pois(b: _Builder, town: _Town, names: _Names) -> None:
    """The town's city node, its landmarks and businesses, its airport."""
    rng = b.rng
    b.place_at_node(town.center_node, _Place(town.name, "city", town))

    counts: list[tuple[str, int]] = []
    for category, per in vocab.PER_TOWN:
        wanted = per * town.detail
        n = int(wanted) + (rng.random() < wanted - int(wanted))
        counts.append((category, max(n, len(vocab.LANDMARKS.get(town.name, {}).get(category, ())))))
    singles = ["townhall", "train_station", "bus_station"]
    singles += ["university"] * max(1, len(vocab.LANDMARKS.get(town.name, {}).get("university", ())))
    stadiums = len(vocab.LANDMARKS.get(town.name, {}).get("stadium", ()))
    singles += ["stadium"] * (stadiums or (1 if town.detail >= 1.5 else 0))
    counts += [(c, 1) for c in singles]

    streets = list(town.streets.values())
    main = [s for s in streets if s.main]
    counter: dict[str, int] = {}
    for category, n in counts:
        for _ in range(n):
            street = rng.choice(main if rng.random() < 0.45 else streets)
            fraction = rng.uniform(0.02, 0.98)
            probe = _Place("", category, town)
            if category == "park" and counter.get("park", 0) == 0 and town.park_edge is not None:
                # the first park is the big one, entered from its south side
                at = b.free_offset(town.park_edge, b.edge_length(town.park_edge) / 2)
                if at is not None:
                    probe.street = b.ways[b.edges[town.park_edge][2] - 1][0]
                    u, _v, _w, _l = b.edges[town.park_edge]
                    probe.neighbourhood, probe.postcode = _zone(town, *b.point(u))
                    b.insert(town.park_edge, at, probe)
                else:
                    continue
            elif not _on_street(b, town, street, fraction, probe):
                continue
            probe.name, probe.brand, probe.cuisine = names.name(
                category, town, probe.neighbourhood or "", counter)
            if category == "park" and counter.get("park") == 1:
                town.park_name = probe.name
            _details(rng, probe)

    if town.name not in vocab.NO_AIRPORT:
        heading = math.radians(rng.uniform(0, 360))
        distance = rng.uniform(11_000, 16_000)
        node = b.node(*offset(town.lat, town.lon, math.sin(heading) * distance,
                              math.cos(heading) * distance), town.id)
        gate = min(town.gateways, key=lambda n: b.distance(n, node))
        edge = min(town.perimeter, key=lambda n: b.distance(n, node))
        b.edge(gate, node, b.way("Airport Pkwy", "motorway", town.id), b.distance(gate, node) * 1.1)
        b.edge(edge, node, b.way("Airport Rd", "secondary", town.id), b.distance(edge, node) * 1.25)
        airport = _Place("", "airport", town, street="Airport Rd")
        airport.neighbourhood, airport.postcode = _zone(town, *b.point(node))
        airport.name, _brand, _cuisine = names.name("airport", town, "", counter)
        _details(rng, airport)
        b.place_at_node(node, airport)


def _place_addresses(b: _Builder, towns: dict[str, _Town],
                     addresses: list[tuple[str, str, str, str, str]]) -> None:
    """Every store address as an ``address`` place on its street (the number sets where)."""
    for number, street, city, _state, postcode in addresses:
        town = towns[city]
        place = _Place(f"{number} {street}", "address", town, postcode=postcode)
        if not _on_street(b, town, town.streets[street], int(number) / 10000, place, int(number)):
            raise ValueError(f"no room on {street}, {city} for the store address {number}")


# -- the database ----------------------------------------------------------------------------------


def generate_map(conn: sqlite3.Connection, seed: int) -> None:
    """Fill an empty ``map`` database (``map/schema.sql`` applied) from ``seed``.

    Reads the store generated from the same seed, so that the map holds its addresses.
    """
    from webarena_gym.sandbox.db import template_connection

    store = template_connection("store", seed)
    try:
        addresses = store_addresses(store)
    finally:
        store.close()
    rng = random.Random(f"map/{seed}")
    b = _Builder(rng)
    towns: list[_Town] = []
    for n, (city, state, zip3, area) in enumerate(store_vocab.CITIES, start=1):
        lat, lon = vocab.TOWN_CENTERS[city]
        towns.append(_Town(n, city, state, zip3, area, lat, lon, DETAIL.get(city, 1.0)))
    by_name = {t.name: t for t in towns}
    required: dict[str, list[str]] = {}
    for _number, street, city, _state, _zip in addresses:
        if street not in required.setdefault(city, []):
            required[city].append(street)
    required.setdefault(vocab.HOME_TOWN, []).append(vocab.STORE_PLACE_STREET)
    for town in towns:
        _build_town(b, town, sorted(set(required.get(town.name, []))))
    _link_towns(b, towns)

    names = _Names(rng)
    for town in towns:
        _place_pois(b, town, names)
    home = by_name[vocab.HOME_TOWN]
    store_place = _Place(vocab.STORE_PLACE_NAME, "warehouse", home, brand="One Stop Market")
    _on_street(b, home, home.streets[vocab.STORE_PLACE_STREET], vocab.STORE_PLACE_NUMBER / 10000,
               store_place, vocab.STORE_PLACE_NUMBER)
    _details(rng, store_place)
    _place_addresses(b, by_name, addresses)

    ways = [(_park_path_name(name, towns[town_id - 1]) if town_id else name, cls, town_id)
            for name, cls, town_id in b.ways]
    edges = b.finish()

    conn.executemany("INSERT INTO map_dataset VALUES (?, ?)",
                     [("generator_version", GENERATOR_VERSION), ("seed", str(seed))])
    conn.executemany(
        "INSERT INTO map_towns (id, name, state, state_code, lat, lon, zip3, area_code) "
        "VALUES (?,?,?,?,?,?,?,?)",
        [(t.id, t.name, t.state, vocab.STATE_CODES[t.state], *b.point(t.center_node), t.zip3,
          t.area) for t in towns])
    conn.executemany("INSERT INTO map_nodes VALUES (?,?,?,?)",
                     [(i, lat, lon, town) for i, (lat, lon, town) in enumerate(b.nodes, start=1)])
    conn.executemany("INSERT INTO map_ways VALUES (?,?,?,?)",
                     [(i, *way) for i, way in enumerate(ways, start=1)])
    conn.executemany("INSERT INTO map_edges VALUES (?,?,?,?,?)",
                     [(i, u, v, way, round(length, 1))
                      for i, (u, v, way, length) in enumerate(edges, start=1)])
    rows = []
    for i, p in enumerate(b.places, start=1):
        lat, lon = b.point(p.node)
        rows.append((i, p.name, p.category, p.node, lat, lon, p.housenumber, p.street,
                     p.town.id, p.town.name, p.town.state, p.postcode, p.neighbourhood,
                     p.opening_hours, p.phone, p.website, p.cuisine, p.brand))
    conn.executemany(f"INSERT INTO map_places VALUES ({','.join('?' * 18)})", rows)
    conn.execute("UPDATE map_towns SET place_id = (SELECT id FROM map_places p WHERE "
                 "p.category = 'city' AND p.town_id = map_towns.id)")


def _park_path_name(name: str, town: _Town) -> str:
    """The big park's footpaths are named after it (known once its place is named)."""
    return name.replace("{park}", town.park_name or f"{town.name} Park")
