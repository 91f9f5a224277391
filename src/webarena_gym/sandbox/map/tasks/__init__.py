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

By area: :mod:`.places` (facts of a place, searches, nearest places) and :mod:`.routes`
(directions: distances, times, turns); :mod:`.easy` builds the easy curriculum from them;
:mod:`.common` holds what they share (formats, page readers, the samplers' map data, the
oracles' building blocks).
"""

from __future__ import annotations

from webarena_gym.sandbox.map.tasks.common import (
    clock_variants,
    duration_minutes,
    either,
    map_data,
    place_facts,
    result_count,
    result_rows,
    route_steps,
    route_summary,
)
from webarena_gym.sandbox.map.tasks.places import (
    CountInTown,
    CountWithinDistance,
    NearestCategory,
    NearestChainAddress,
    OpeningTime,
    OpenNearestPlace,
    OpenPlacePage,
    PlaceCategory,
    PlaceCoordinates,
    PlacePhone,
    PlaceTown,
    PlaceZip,
)
from webarena_gym.sandbox.map.tasks.routes import (
    BikeTime,
    CloserByDrive,
    DirectionsToNearest,
    DriveDistance,
    DriveTimeBetweenTowns,
    FirstTurn,
    MultiStopDistance,
    OpenDirections,
    OpenDirectionsBetweenTowns,
    RouteFromAddressToNearest,
    ShowRouteFromAddress,
    TimeToNearestHospital,
    TravelTimeDifference,
    WalkTime,
)
from webarena_gym.sandbox.templates.base import TaskTemplate

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

__all__ = [
    "TEMPLATES",
    "clock_variants",
    "duration_minutes",
    "either",
    "map_data",
    "place_facts",
    "result_count",
    "result_rows",
    "route_steps",
    "route_summary",
]
