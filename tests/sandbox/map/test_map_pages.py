"""The ``map`` site: its generated data, routing, search and pages through HTTP."""

from __future__ import annotations

import random
import re
import sqlite3
import warnings
from importlib import resources
from urllib.parse import parse_qs, urlsplit

import pytest

from webarena_gym.sandbox.db import template_connection
from webarena_gym.sandbox.map import geo
from webarena_gym.sandbox.map.app import create_app
from webarena_gym.sandbox.map.generate import generate_map, store_addresses
from webarena_gym.sandbox.map.places import PlaceIndex, opening_hours_on
from webarena_gym.sandbox.map.routing import MODES, Mode, RoadGraph

with warnings.catch_warnings():  # Starlette 1.x nudges towards httpx2; httpx is what we have
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

SCHEMA = resources.files("webarena_gym.sandbox").joinpath("map/schema.sql").read_text()
EMMA = ("1427 Maple Dr, Pittsburgh", "350 Market St, San Francisco", "82 Lake Shore Dr, Chicago")


def _generate(seed: int) -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:")
    conn.executescript(SCHEMA)
    generate_map(conn, seed)
    return conn


@pytest.fixture(scope="module")
def db() -> sqlite3.Connection:
    return template_connection("map", 0)


@pytest.fixture(scope="module")
def index(db) -> PlaceIndex:
    return PlaceIndex(db)


@pytest.fixture(scope="module")
def graph(db) -> RoadGraph:
    return RoadGraph(db)


class HostState:
    """What the sandbox host gives each request: the tenant's db, read-only flag, site URLs."""

    def __init__(self, app, conn: sqlite3.Connection) -> None:
        self.app, self.conn = app, conn

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            scope.setdefault("state", {}).update(db=self.conn, readonly=False,
                                                 site_urls={"map": "http://testserver"})
        await self.app(scope, receive, send)


@pytest.fixture(scope="module")
def client(db) -> TestClient:
    return TestClient(HostState(create_app(), db))


def text_of(html: str) -> str:
    html = re.sub(r"<style>.*?</style>", "", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#39;", "'")


def place(index: PlaceIndex, name: str):
    (found,) = index.named(name)
    return found


# ------------------------------------------------------------------ generated data

def test_generation_is_seeded_and_tables_are_prefixed(db):
    first, other = _generate(0), _generate(1)
    for dump in ("SELECT * FROM map_places ORDER BY id", "SELECT * FROM map_edges ORDER BY id"):
        assert first.execute(dump).fetchall() == [tuple(r) for r in db.execute(dump)]  # same seed
        assert first.execute(dump).fetchall() != other.execute(dump).fetchall()
    tables = [r[0] for r in first.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    assert tables and all(t.startswith("map_") for t in tables)
    counts = dict(first.execute("SELECT category, count(*) FROM map_places GROUP BY category"))
    for category in ("restaurant", "cafe", "museum", "hospital", "school", "park", "hotel", "fuel",
                     "supermarket", "university", "airport", "train_station", "city", "address"):
        assert counts.get(category, 0) >= 10 or category == "airport" and counts[category] >= 30
    assert first.execute("SELECT count(*) FROM map_towns").fetchone()[0] == 40


def test_every_store_address_is_a_place_on_its_street(db, index):
    store = template_connection("store", 0)
    addresses = store_addresses(store)
    assert len(addresses) > 300
    rows = {(r[0], r[1], r[2]): r[3] for r in db.execute(
        "SELECT housenumber, street, city, postcode FROM map_places WHERE category = 'address'")}
    for number, street, city, _state, postcode in addresses:
        assert rows[(number, street, city)] == postcode
    for text in EMMA:  # the default customer's address book, written as the shop shows it
        resolved = index.resolve(text)
        assert resolved.place is not None and resolved.place.category == "address", text
    shop_line = "1427 Maple Dr, Apt 4B, Pittsburgh, Pennsylvania, 15213, United States"
    resolved = index.resolve(shop_line)
    assert resolved.place is not None
    assert resolved.place.label == "1427 Maple Dr, Pittsburgh, Pennsylvania 15213"
    store_place = place(index, "One Stop Market Fulfillment Center")
    assert store_place.city == "Pittsburgh" and store_place.category == "warehouse"


def test_places_have_unique_points_and_the_details_of_their_kind(index):
    points = [(p.lat, p.lon) for p in index.places]
    assert len(set(points)) == len(points)
    hospitals = [p for p in index.places if p.category == "hospital"]
    assert all(p.opening_hours == "24/7" and p.phone for p in hospitals)
    assert all(p.cuisine for p in index.places if p.category == "restaurant")
    cmu = place(index, "Carnegie Mellon University")
    assert cmu.city == "Pittsburgh" and cmu.website and cmu.housenumber
    assert opening_hours_on("Mo-Fr 07:00-18:00; Sa-Su 08:00-16:00", 5) == ("08:00", "16:00")
    assert opening_hours_on("Tu-Sa 17:00-01:00; Su-Mo off", 0) is None
    assert opening_hours_on("We-Mo 10:00-17:00; Tu off", 6) == ("10:00", "17:00")
    assert opening_hours_on("24/7", 3) == ("00:00", "24:00")
    with pytest.raises(ValueError, match="Xx"):
        opening_hours_on("Xx 10:00-12:00", 0)


# ------------------------------------------------------------------ routing

class _Dijkstra(Mode):
    @property
    def max_speed_ms(self) -> float:
        return float("inf")  # no heuristic: plain Dijkstra


def test_astar_finds_the_fastest_route_and_modes_keep_to_their_roads(index, graph):
    rng = random.Random(7)
    pool = [p for p in index.places if p.city == "Pittsburgh"]
    for _ in range(25):
        a, b = rng.sample(pool, 2)
        for mode in MODES.values():
            found = graph.route(a.node_id, b.node_id, mode)
            plain = graph.route(a.node_id, b.node_id,
                                _Dijkstra(mode.name, mode.engine, mode.label, mode.speeds,
                                          mode.turn_s))
            assert found is not None and plain is not None
            assert found.duration_s == pytest.approx(plain.duration_s)
            classes = {graph.road_class[e] for e in found.edges}
            assert classes <= set(mode.speeds), (mode.name, classes)
            assert found.nodes[0] == a.node_id and found.nodes[-1] == b.node_id
            assert found.distance_m == pytest.approx(sum(s.distance_m for s in found.steps))
    cmu, airport = place(index, "Carnegie Mellon University"), \
        place(index, "Pittsburgh International Airport")
    car = graph.route(cmu.node_id, airport.node_id, MODES["car"])
    foot = graph.route(cmu.node_id, airport.node_id, MODES["foot"])
    assert car and foot and car.duration_s * 5 < foot.duration_s
    assert "motorway" in {graph.road_class[e] for e in car.edges}
    assert car.steps[0].instruction.startswith("Head ")


def test_towns_are_linked_but_islands_are_not(index, graph):
    pittsburgh, philadelphia, honolulu = (place(index, n) for n in
                                          ("Pittsburgh", "Philadelphia", "Honolulu"))
    drive = graph.route(pittsburgh.node_id, philadelphia.node_id, MODES["car"])
    walk = graph.route(pittsburgh.node_id, philadelphia.node_id, MODES["foot"])
    assert drive is not None and 350_000 < drive.distance_m < 700_000
    assert walk is not None and walk.duration_s > 10 * drive.duration_s
    assert graph.route(pittsburgh.node_id, honolulu.node_id, MODES["car"]) is None


# ------------------------------------------------------------------ search

def test_search_plain_category_in_town_and_near(index, db):
    result = index.search("carnegie mellon")
    assert result.places[0].name == "Carnegie Mellon University"
    cafes = index.search("cafes in Pittsburgh")
    expected = db.execute("SELECT count(*) FROM map_places WHERE category = 'cafe' AND "
                          "city = 'Pittsburgh'").fetchone()[0]
    assert cafes.kind == "in" and len(cafes.places) == expected > 3
    assert [p.name.lower() for p in cafes.places] == sorted(p.name.lower() for p in cafes.places)
    assert len(index.search("coffee shop in pittsburgh, PA").places) == expected
    near = index.search("hospital near Carnegie Mellon University")
    assert near.kind == "near" and near.distances == sorted(near.distances)
    assert all(p.category == "hospital" for p in near.places)
    assert all(d <= 50_000 for d in near.distances)
    assert index.search("nearest hospital to Carnegie Mellon University").places == near.places
    assert "could not find" in index.search("cafe near Atlantis Plaza").message
    assert "matches" in index.search("bank near Daily Roast Coffee").message


# ------------------------------------------------------------------ pages

def test_home_and_search_pages(client):
    r = client.get("/")
    assert r.status_code == 200 and 'name="query"' in r.text and 'href="/directions"' in r.text
    assert "Pittsburgh" in r.text and "San Francisco" in r.text
    r = client.get("/search", params={"query": "museums in Pittsburgh"})
    body = text_of(r.text)
    assert "Museums in Pittsburgh" in body and "Found 5 results" in body
    assert "Carnegie Museum of Art" in body and "Coordinates: 40." in body
    r = client.get("/search", params={"query": "cafe near Carnegie Mellon University"})
    assert re.search(r"Distance: \d+\.\d\d km", text_of(r.text))
    r = client.get("/search", params={"query": "Pittsburgh"})
    assert "Found" in r.text and 'href="?query=Pittsburgh&amp;p=2"' not in r.text
    assert "Next" in r.text  # hundreds of places in Pittsburgh: paged by 20
    assert client.get("/search", params={"query": "zzzz qqqq"}).text.count("No results") == 1


def test_place_page(client, index):
    cmu = place(index, "Carnegie Mellon University")
    body = text_of(client.get(f"/node/{cmu.id}").text)
    for fact in ("University", cmu.address, cmu.coordinates, cmu.phone, cmu.website,
                 "Directions from here", "Directions to here"):
        assert fact in body
    r = client.get(f"/place/{cmu.id}", follow_redirects=False)
    assert r.status_code == 302 and r.headers["location"] == f"/node/{cmu.id}"
    assert client.get("/node/999999").status_code == 404


def test_directions_form_resolves_names_and_redirects_to_the_route(client, index, graph):
    cmu, park = place(index, "Carnegie Mellon University"), place(index, "Schenley Park")
    r = client.get("/directions", params={"engine": "fossgis_osrm_bike",
                                          "from": "Carnegie Mellon University",
                                          "to": "schenley park"}, follow_redirects=False)
    assert r.status_code == 302
    url = urlsplit(r.headers["location"])
    query = parse_qs(url.query)
    assert url.path == "/directions" and query["engine"] == ["fossgis_osrm_bike"]
    assert query["route"] == [f"{geo.route_point(cmu.lat, cmu.lon)};"
                              f"{geo.route_point(park.lat, park.lon)}"]
    body = text_of(client.get(r.headers["location"]).text)
    bike = graph.route(cmu.node_id, park.node_id, MODES["bike"])
    assert bike is not None
    assert f"Bicycle (OSRM) directions from {cmu.label} to {park.label}" in body
    assert f"Distance: {geo.km(bike.distance_m)}. Time: {geo.duration(bike.duration_s)}." in body
    assert f"Arrive at {park.label}" in body and bike.steps[0].instruction in body
    page = client.get(r.headers["location"]).text
    assert "fossgis_osrm_foot&amp;route=" in page and "Reverse directions" in page


def test_directions_explain_unknown_ambiguous_and_unreachable_places(client):
    body = text_of(client.get("/directions", params={"from": "Atlantis Plaza",
                                                     "to": "Schenley Park"}).text)
    assert "From: Sorry, could not find 'Atlantis Plaza' on the map." in body
    r = client.get("/directions", params={"from": "Daily Roast Coffee", "to": "Schenley Park"})
    assert "matches" in text_of(r.text) and "From: Daily Roast Coffee, " in text_of(r.text)
    choice = re.search(r'href="(/directions\?[^"]+)">From: Daily Roast Coffee', r.text)
    assert choice is not None
    followed = client.get(choice.group(1).replace("&amp;", "&"), follow_redirects=False)
    assert followed.status_code == 302  # a choice names one place
    body = text_of(client.get("/directions", params={"from": "Pittsburgh",
                                                     "to": "Honolulu"}).text)
    assert "No route found from Pittsburgh, Pennsylvania to Honolulu, Hawaii by car" in body
    body = text_of(client.get("/directions", params={"engine": "rocket",
                                                     "route": "40.44,-79.99;40.45,-79.98"}).text)
    assert "Unknown routing engine 'rocket'" in body and "Distance:" in body
    assert "two points" in client.get("/directions", params={"route": "40.4,-79.9"}).text
    body = text_of(client.get("/directions", params={"route": "0,0;40.45,-79.98"}).text)
    assert "no road near the start point" in body
    assert client.get("/directions", params={"from": "Pittsburgh"}).status_code == 200


def test_formats():
    assert geo.km(12_345) == "12.3 km" and geo.km_precise(850) == "0.85 km"
    assert geo.duration(18 * 60 + 10) == "18 min" and geo.duration(3725) == "1 h 2 min"
    assert geo.step_distance(347) == "350 m" and geo.step_distance(1520) == "1.5 km"
    assert "62 min" in geo.duration_variants(3725) and geo.duration(0) == "0 min"
    assert geo.compass(95) == "east" and geo.turn_angle(350, 20) == 30
