"""Directions on the map's road graph: fastest routes by car, bike and foot, with steps.

The graph is the ``map_nodes``/``map_ways``/``map_edges`` tables, loaded once per generated
dataset (:func:`graph_for`). Routes are A* searches over *directed edges* (the state is the edge
a traveller arrived by), so that turns can cost time, as they do for OSRM: without turn costs
a grid has many equally fast zig-zags and the steps would read like a staircase.

Modes differ by where they may go and how fast (:data:`MODES`): motorways and ramps are for
cars only, footways for walkers only, cycleways for bikes and walkers, pedestrian streets for
walkers and bikes pushed at walking pace.
"""

from __future__ import annotations

import heapq
import math
import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

from webarena_gym.sandbox.map.geo import bearing_deg, compass, haversine_m, turn_angle

TURN_DEGREES = 30.0  # a change of heading at least this big is a turn (and costs time)


@dataclass(frozen=True)
class Mode:
    """A way of travelling: the road classes it may use at what speed, and its turn cost.

    Attributes:
        name: ``car``, ``bike`` or ``foot``.
        engine: the directions URL's ``engine`` value (OpenStreetMap's names).
        label: the engine's label in the directions form.
        speeds: road class -> km/h; classes not listed are closed to this mode.
        turn_s: seconds a turn costs.
    """

    name: str
    engine: str
    label: str
    speeds: dict[str, float]
    turn_s: float

    @property
    def max_speed_ms(self) -> float:
        """The fastest speed in m/s (A*'s heuristic divides straight distances by it)."""
        return max(self.speeds.values()) / 3.6


_STREETS = ("primary", "secondary", "tertiary", "residential")
MODES: dict[str, Mode] = {
    "car": Mode("car", "fossgis_osrm_car", "Car (OSRM)",
                {"motorway": 105, "motorway_link": 50, "trunk": 80, "primary": 50,
                 "secondary": 45, "tertiary": 40, "residential": 30}, 12.0),
    "bike": Mode("bike", "fossgis_osrm_bike", "Bicycle (OSRM)",
                 {"trunk": 16, **dict.fromkeys(_STREETS, 16.0), "cycleway": 20, "pedestrian": 6},
                 10.0),
    "foot": Mode("foot", "fossgis_osrm_foot", "Foot (OSRM)",
                 {"trunk": 5, **dict.fromkeys(_STREETS, 5.0), "pedestrian": 5, "footway": 5,
                  "cycleway": 5}, 15.0),
}
ENGINES: dict[str, Mode] = {m.engine: m for m in MODES.values()}
DEFAULT_ENGINE = MODES["car"].engine


@dataclass(frozen=True)
class Step:
    """One instruction of a route: what to do and how far to go on."""

    instruction: str
    road: str
    distance_m: float


@dataclass
class Route:
    """A route found by :meth:`RoadGraph.route`.

    Attributes:
        mode: the mode it is for.
        nodes: the node ids from start to end.
        edges: the edge ids taken, in order.
        distance_m: its length.
        duration_s: its travel time, turns included.
        steps: the instructions (without the final "arrive").
    """

    mode: Mode
    nodes: list[int]
    edges: list[int]
    distance_m: float
    duration_s: float
    steps: list[Step] = field(default_factory=list)


class RoadGraph:
    """The road graph of one generated map, with A* routing and nearest-node lookup."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        nodes = conn.execute("SELECT id, lat, lon FROM map_nodes ORDER BY id").fetchall()
        size = (nodes[-1][0] if nodes else 0) + 1
        self.lat = [0.0] * size
        self.lon = [0.0] * size
        for node_id, lat, lon in nodes:
            self.lat[node_id], self.lon[node_id] = lat, lon
        ways = conn.execute("SELECT id, name, road_class FROM map_ways ORDER BY id").fetchall()
        self.way_name = {w[0]: w[1] for w in ways}
        self.way_class = {w[0]: w[2] for w in ways}
        edges = conn.execute("SELECT id, source, target, way_id, length_m FROM map_edges "
                             "ORDER BY id").fetchall()
        count = (edges[-1][0] if edges else 0) + 1
        self.source = [0] * count
        self.target = [0] * count
        self.length = [0.0] * count
        self.road_class = [""] * count
        self.name = [""] * count
        self.adjacent: list[list[tuple[int, int]]] = [[] for _ in range(size)]
        for edge_id, u, v, way, length in edges:
            self.source[edge_id], self.target[edge_id], self.length[edge_id] = u, v, length
            self.road_class[edge_id], self.name[edge_id] = self.way_class[way], self.way_name[way]
            self.adjacent[u].append((v, edge_id))
            self.adjacent[v].append((u, edge_id))
        self._bearings: dict[int, float] = {}
        self._costs: dict[str, list[float | None]] = {}
        self._cells: dict[tuple[int, int], list[int]] = {}
        for node_id, lat, lon in nodes:
            self._cells.setdefault(self._cell(lat, lon), []).append(node_id)

    # -- lookups ---------------------------------------------------------------------------
    @staticmethod
    def _cell(lat: float, lon: float) -> tuple[int, int]:
        return int(math.floor(lat * 50)), int(math.floor(lon * 50))  # ~2 km cells

    def nearest_node(self, lat: float, lon: float, max_m: float = 5000.0) -> int | None:
        """The node nearest to a point, or None when none lies within ``max_m``."""
        best, best_d = None, max_m
        ci, cj = self._cell(lat, lon)
        for di in (-2, -1, 0, 1, 2):
            for dj in (-2, -1, 0, 1, 2):
                for node in self._cells.get((ci + di, cj + dj), ()):
                    d = haversine_m(lat, lon, self.lat[node], self.lon[node])
                    if d < best_d:
                        best, best_d = node, d
        return best

    def _bearing(self, directed: int) -> float:
        """Heading of a directed edge (``2 * edge`` runs source->target, ``+1`` the reverse)."""
        found = self._bearings.get(directed)
        if found is None:
            edge, reverse = divmod(directed, 2)
            a, b = (self.target[edge], self.source[edge]) if reverse else \
                (self.source[edge], self.target[edge])
            found = self._bearings[directed] = bearing_deg(self.lat[a], self.lon[a],
                                                           self.lat[b], self.lon[b])
        return found

    def _edge_costs(self, mode: Mode) -> list[float | None]:
        costs = self._costs.get(mode.name)
        if costs is None:
            costs = [None] * len(self.length)
            for edge, road_class in enumerate(self.road_class):
                speed = mode.speeds.get(road_class)
                if speed:
                    costs[edge] = self.length[edge] / (speed / 3.6)
            self._costs[mode.name] = costs
        return costs

    # -- routing ---------------------------------------------------------------------------
    def route(self, source: int, target: int, mode: Mode) -> Route | None:
        """The fastest route from node ``source`` to node ``target`` for ``mode`` (None: none).

        A* over directed edges: a turn of at least :data:`TURN_DEGREES` costs ``mode.turn_s``;
        U-turns are allowed only at dead ends.
        """
        if source == target:
            return Route(mode, [source], [], 0.0, 0.0)
        costs = self._edge_costs(mode)
        speed = mode.max_speed_ms
        tlat, tlon = self.lat[target], self.lon[target]

        def estimate(node: int) -> float:
            return haversine_m(self.lat[node], self.lon[node], tlat, tlon) / speed

        start = -1  # the state "at source, arrived by no edge"
        best: dict[int, float] = {start: 0.0}
        parent: dict[int, int] = {}
        done: set[int] = set()
        heap: list[tuple[float, float, int, int]] = [(estimate(source), 0.0, source, start)]
        while heap:
            _f, g, node, state = heapq.heappop(heap)
            if state in done:
                continue
            done.add(state)
            if node == target:
                return self._finish(mode, source, state, parent, g)
            arrived = state // 2 if state >= 0 else -1
            for neighbour, edge in self.adjacent[node]:
                cost = costs[edge]
                if cost is None:
                    continue
                directed = edge * 2 + (0 if self.source[edge] == node else 1)
                if state >= 0:
                    if edge == arrived:
                        if len(self.adjacent[node]) > 1:
                            continue  # no U-turns except at a dead end
                    elif abs(turn_angle(self._bearing(state), self._bearing(directed))) \
                            >= TURN_DEGREES:
                        cost += mode.turn_s
                ng = g + cost
                if ng < best.get(directed, math.inf):
                    best[directed] = ng
                    parent[directed] = state
                    heapq.heappush(heap, (ng + estimate(neighbour), ng, neighbour, directed))
        return None

    def route_between(self, start: tuple[float, float], end: tuple[float, float],
                      mode: Mode) -> Route | None:
        """The route between two points as the directions page finds it (nearest nodes)."""
        a, b = self.nearest_node(*start), self.nearest_node(*end)
        if a is None or b is None:
            return None
        return self.route(a, b, mode)

    def _finish(self, mode: Mode, source: int, state: int, parent: dict[int, int],
                duration: float) -> Route:
        directed: list[int] = []
        while state >= 0:
            directed.append(state)
            state = parent[state]
        directed.reverse()
        nodes = [source]
        for d in directed:
            edge, reverse = divmod(d, 2)
            nodes.append(self.source[edge] if reverse else self.target[edge])
        edges = [d // 2 for d in directed]
        route = Route(mode, nodes, edges, sum(self.length[e] for e in edges), duration)
        route.steps = list(self._steps(directed))
        return route

    def _steps(self, directed: list[int]) -> Iterator[Step]:
        """Group the edges by road and say how to get onto each."""
        groups: list[list[int]] = []
        for d in directed:
            edge = d // 2
            key = self.name[edge] or self.road_class[edge]
            if groups and (self.name[groups[-1][-1] // 2] or self.road_class[groups[-1][-1] // 2]) \
                    == key:
                groups[-1].append(d)
            else:
                groups.append([d])
        previous: list[int] | None = None
        for group in groups:
            edge = group[0] // 2
            road, road_class = self.name[edge], self.road_class[edge]
            distance = sum(self.length[d // 2] for d in group)
            if previous is None:
                text = f"Head {compass(self._bearing(group[0]))} on {road or 'the ramp'}"
            else:
                before = self.road_class[previous[-1] // 2]
                angle = turn_angle(self._bearing(previous[-1]), self._bearing(group[0]))
                side = "right" if angle > 0 else "left"
                if road_class == "motorway_link":
                    text = "Take the exit" if before == "motorway" else (
                        f"Take the ramp on the {side}" if abs(angle) >= 25 else "Take the ramp")
                elif before == "motorway_link" and road_class in ("motorway", "trunk"):
                    text = f"Merge onto {road}"
                elif abs(angle) < 25:
                    text = f"Continue onto {road}"
                elif abs(angle) < 60:
                    text = f"Slight {side} onto {road}"
                elif abs(angle) < 150:
                    text = f"Turn {side} onto {road}"
                else:
                    text = f"Make a U-turn onto {road}"
            yield Step(text, road, distance)
            previous = group


_graphs: dict[tuple[str, ...], RoadGraph] = {}
_graphs_lock = threading.Lock()


def dataset_key(conn: sqlite3.Connection) -> tuple[str, ...]:
    """What identifies a generated map (generator version and seed): caches are keyed by it."""
    rows = conn.execute("SELECT key, value FROM map_dataset ORDER BY key").fetchall()
    if not rows:
        raise ValueError("this database holds no generated map (map_dataset is empty)")
    return tuple(f"{k}={v}" for k, v in rows)


def graph_for(conn: sqlite3.Connection) -> RoadGraph:
    """The road graph of the map in ``conn``, loaded once per dataset (maps are read-only)."""
    key = dataset_key(conn)
    with _graphs_lock:
        graph = _graphs.get(key)
        if graph is None:
            if len(_graphs) >= 4:
                _graphs.pop(next(iter(_graphs)))
            graph = _graphs[key] = RoadGraph(conn)
        return graph
