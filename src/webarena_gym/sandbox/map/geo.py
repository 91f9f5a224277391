"""Geometry and the map's display formats, shared by the generator, the app and the tasks.

Everything the site shows as a number goes through one function here (coordinates, distances,
durations), so that a task's expected answer is computed exactly as the page writes it.
"""

from __future__ import annotations

import math

EARTH_RADIUS_M = 6_371_000.0
METERS_PER_DEGREE = 111_320.0  # of latitude; of longitude it is this times cos(latitude)
COMPASS = ("north", "northeast", "east", "southeast", "south", "southwest", "west", "northwest")


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in meters between two points in degrees."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def bearing_deg(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Initial compass bearing from point 1 to point 2 (0 = north, 90 = east), in [0, 360)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dl = math.radians(lon2 - lon1)
    x = math.sin(dl) * math.cos(p2)
    y = math.cos(p1) * math.sin(p2) - math.sin(p1) * math.cos(p2) * math.cos(dl)
    return math.degrees(math.atan2(x, y)) % 360


def turn_angle(before: float, after: float) -> float:
    """Signed change of heading in degrees, in (-180, 180]: positive turns right."""
    delta = (after - before + 180) % 360 - 180
    return 180.0 if delta == -180 else delta


def compass(bearing: float) -> str:
    """The compass word of a bearing (``north``, ``southeast``, ...)."""
    return COMPASS[int(((bearing % 360) + 22.5) // 45) % 8]


def offset(lat: float, lon: float, east_m: float, north_m: float) -> tuple[float, float]:
    """The point ``east_m``/``north_m`` meters from ``(lat, lon)`` (flat-earth, fine for a city)."""
    return (lat + north_m / METERS_PER_DEGREE,
            lon + east_m / (METERS_PER_DEGREE * math.cos(math.radians(lat))))


# -- display formats -----------------------------------------------------------------------------


def coord(value: float) -> str:
    """A latitude or longitude as the site shows it: five decimals (``40.44422``)."""
    return f"{value:.5f}"


def coords(lat: float, lon: float) -> str:
    """``'40.44422, -79.94311'``: a point as place pages and search results show it."""
    return f"{coord(lat)}, {coord(lon)}"


def route_point(lat: float, lon: float) -> str:
    """``'40.44422,-79.94311'``: a point as the ``route`` parameter of a directions URL has it."""
    return f"{coord(lat)},{coord(lon)}"


def km(meters: float) -> str:
    """A route's total distance: ``'12.3 km'`` (always kilometers, one decimal)."""
    return f"{meters / 1000:.1f} km"


def km_precise(meters: float) -> str:
    """A search result's distance from the place searched near: ``'0.85 km'`` (two decimals)."""
    return f"{meters / 1000:.2f} km"


def step_distance(meters: float) -> str:
    """A step's distance: ``'350 m'`` under a kilometer (tens of meters), else ``'1.2 km'``."""
    if meters < 995:
        return f"{int(round(meters / 10.0) * 10)} m"
    return km(meters)


def minutes(seconds: float) -> int:
    """A duration in whole minutes, as the site rounds it (at least 1 for any travel)."""
    if seconds <= 0:
        return 0
    return max(1, int(math.floor(seconds / 60 + 0.5)))


def duration(seconds: float) -> str:
    """A route's duration: ``'18 min'`` under an hour, else ``'2 h 5 min'``."""
    total = minutes(seconds)
    if total < 60:
        return f"{total} min"
    return f"{total // 60} h {total % 60} min"


def duration_variants(seconds: float) -> list[str]:
    """Ways a person may write :func:`duration` (``'1 h 5 min'``, ``'1 hour 5 min'``, ``'65 min'``).

    Each is a substring a correct answer contains, for ``must_include`` alternatives.
    """
    total = minutes(seconds)
    if total < 60:
        return [f"{total} min"]
    h, m = divmod(total, 60)
    hours = "hour" if h == 1 else "hours"
    return [f"{h} h {m} min", f"{h} {hours} {m} min", f"{h} {hours} and {m} min", f"{h} hr {m} min",
            f"{h}h {m}min", f"{h}:{m:02d}", f"{total} min"]
