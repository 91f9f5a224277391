"""The ``map`` site: places and directions like WebArena's OpenStreetMap, as text pages.

OpenStreetMap's URLs, so that WebArena-style task configs read naturally:

* ``/``: the search box and a link to directions;
* ``/search?query=...``: results (name, category, address, coordinates; distances for
  ``... near ...`` queries), 20 per page;
* ``/node/<id>``: a place (``/place/<id>`` redirects there);
* ``/directions?engine=fossgis_osrm_car|fossgis_osrm_bike|fossgis_osrm_foot&route=<lat>,<lon>;<lat>,<lon>``:
  the fastest route with its distance, time and steps. The form sends ``from``/``to`` text,
  which is resolved to places and answered with a redirect to the ``route=`` URL (or a message
  when a name is unknown or ambiguous).

The map has no accounts and nothing to change: every page only reads ``request.state.db``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from webarena_gym.sandbox.common import Pagination, SiteKit, db
from webarena_gym.sandbox.map import geo
from webarena_gym.sandbox.map.places import PlaceIndex, Resolution, index_for
from webarena_gym.sandbox.map.routing import DEFAULT_ENGINE, ENGINES, MODES, RoadGraph, graph_for

HERE = Path(__file__).parent
site = SiteKit(
    "map", HERE / "templates",
    filters={"km": geo.km, "km_precise": geo.km_precise, "duration": geo.duration,
             "step_distance": geo.step_distance},
    page_context=lambda request, user: {"query": ""},  # the header's search box
)
RESULTS_PER_PAGE = 20


def places(request: Request) -> PlaceIndex:
    """The tenant's place index (maps never change, so it is shared per dataset)."""
    return index_for(db(request))


def roads(request: Request) -> RoadGraph:
    """The tenant's road graph."""
    return graph_for(db(request))


def directions_url(engine: str, start: tuple[float, float] | None = None,
                   end: tuple[float, float] | None = None, **fields: str) -> str:
    """``/directions?engine=...&route=lat,lon;lat,lon`` (or with ``from``/``to`` fields)."""
    params = [("engine", engine)]
    if start is not None and end is not None:
        params.append(("route", f"{geo.route_point(*start)};{geo.route_point(*end)}"))
    params += [(k, v) for k, v in fields.items() if v]
    return "/directions?" + urlencode(params)


# ---------------------------------------------------------------- pages


async def home(request: Request) -> Response:
    """The front page: search box, directions, the towns on the map."""
    towns = sorted((p for p in places(request).places if p.category == "city"),
                   key=lambda p: p.name)
    return site.render(request, "home.html", title="OpenStreetMap", towns=towns)


async def search(request: Request) -> Response:
    """Search results for ``?query=`` (see :mod:`webarena_gym.sandbox.map.places`)."""
    query = request.query_params.get("query", "").strip()
    if not query:
        return site.render(request, "search.html", title="Search", result=None, rows=[],
                           pagination=None)
    result = places(request).search(query)
    pagination = Pagination.from_request(request, len(result.places), RESULTS_PER_PAGE)
    window = slice(pagination.offset, pagination.offset + RESULTS_PER_PAGE)
    distances = result.distances[window] if result.distances is not None else None
    rows = list(zip(result.places[window], distances or [None] * RESULTS_PER_PAGE, strict=False))
    return site.render(request, "search.html", title=f"{query} | Search", query=query,
                       result=result, rows=rows, pagination=pagination)


async def node(request: Request) -> Response:
    """A place's page: what, where, when open, how to reach it."""
    place = places(request).get(int(request.path_params["id"]))
    if place is None:
        return site.render(request, "message.html", status_code=404, title="Not found",
                           text=f"Node #{request.path_params['id']} does not exist on this map.")
    return site.render(request, "place.html", title=place.name, place=place,
                       from_here=directions_url(DEFAULT_ENGINE, **{"from": place.label}),
                       to_here=directions_url(DEFAULT_ENGINE, to=place.label))


async def place_redirect(request: Request) -> Response:
    """``/place/<id>``: the same page under OpenStreetMap's ``/node/<id>``."""
    return site.redirect(f"/node/{request.path_params['id']}")


def _point_label(index: PlaceIndex, point: tuple[float, float]) -> str:
    place = index.by_point.get((round(point[0], 5), round(point[1], 5)))
    return place.label if place is not None else geo.coords(*point)


def _parse_route(value: str) -> list[tuple[float, float]] | None:
    points = []
    for part in value.split(";"):
        lat, sep, lon = part.partition(",")
        if not sep:
            return None
        try:
            points.append((float(lat), float(lon)))
        except ValueError:
            return None
    return points if len(points) == 2 else None


async def directions(request: Request) -> Response:
    """Directions: the form, the route of ``route=``, or the resolution of ``from``/``to``."""
    params = request.query_params
    engine = params.get("engine", DEFAULT_ENGINE)
    errors: list[str] = []
    if engine not in ENGINES:
        errors.append(f"Unknown routing engine '{engine}'; showing directions by car.")
        engine = DEFAULT_ENGINE
    mode = ENGINES[engine]
    index = places(request)
    context: dict[str, Any] = {"title": "Directions", "engine": engine, "mode": mode,
                               "modes": list(MODES.values()), "errors": errors, "route": None,
                               "choices": [], "origin": params.get("from", ""),
                               "destination": params.get("to", "")}
    if "route" in params:
        points = _parse_route(params["route"])
        if points is None:
            errors.append("The route must be two points: route=<lat>,<lon>;<lat>,<lon>.")
            return site.render(request, "directions.html", **context)
        return _show_route(request, index, mode, points, context)
    origin, destination = context["origin"].strip(), context["destination"].strip()
    if not origin or not destination:
        return site.render(request, "directions.html", **context)  # a form still being filled in
    found = {"from": index.resolve(origin), "to": index.resolve(destination)}
    if all(r.found for r in found.values()):
        start, end = found["from"].point, found["to"].point
        return site.redirect(directions_url(engine, start, end))
    for field_name, resolution in found.items():
        if not resolution.found:
            errors.append(f"{'From' if field_name == 'from' else 'To'}: {resolution.message()}")
            context["choices"] += _choices(engine, field_name, resolution, origin, destination)
    return site.render(request, "directions.html", **context)


def _choices(engine: str, field_name: str, resolution: Resolution, origin: str,
             destination: str) -> list[tuple[str, str, str]]:
    """Links that pick one of an ambiguous name's places: ``(field, label, url)``."""
    links = []
    for place in resolution.candidates:
        chosen = {"from": origin, "to": destination, field_name: place.label}
        links.append((field_name, place.label, directions_url(engine, **chosen)))
    return links


def _show_route(request: Request, index: PlaceIndex, mode: Any,
                points: list[tuple[float, float]], context: dict[str, Any]) -> Response:
    graph = roads(request)
    start, end = points
    context["origin"], context["destination"] = (_point_label(index, start),
                                                 _point_label(index, end))
    ends = [graph.nearest_node(*start), graph.nearest_node(*end)]
    for label, point, found in (("start", start, ends[0]), ("end", end, ends[1])):
        if found is None:
            context["errors"].append(f"There is no road near the {label} point "
                                     f"{geo.coords(*point)}.")
    if None in ends:
        return site.render(request, "directions.html", **context)
    route = graph.route(ends[0], ends[1], mode)
    if route is None:
        context["errors"].append(f"No route found from {context['origin']} to "
                                 f"{context['destination']} by {mode.label.split(' ')[0].lower()}.")
        return site.render(request, "directions.html", **context)
    context["route"] = route
    context["links"] = {m.engine: directions_url(m.engine, start, end) for m in MODES.values()}
    context["reverse"] = directions_url(mode.engine, end, start)
    return site.render(request, "directions.html", **context)


def create_app() -> Starlette:
    """Build the ``map`` app."""
    return site.app([
        Route("/", home),
        Route("/search", search),
        Route("/node/{id:int}", node),
        Route("/place/{id:int}", place_redirect),
        Route("/directions", directions),
    ])
