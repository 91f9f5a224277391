"""Routes: distances and times by car, bike and foot, turns; directions opened or left on the
screen."""

from __future__ import annotations

import re
from typing import Any

from webarena_gym.sandbox.map import geo
from webarena_gym.sandbox.map.places import Place
from webarena_gym.sandbox.map.routing import MODES
from webarena_gym.sandbox.map.tasks.common import (
    COMMON,
    MODE_WORDS,
    _anchor,
    _directions,
    _first_result,
    _MapData,
    _MapTemplate,
    _same_town,
    address_text,
    directions_path,
    duration_minutes,
    either,
    map_data,
    nearest,
    place_text,
    result_rows,
    route,
    route_steps,
    route_summary,
)
from webarena_gym.sandbox.map.vocab import CATEGORY_BY_KEY
from webarena_gym.sandbox.templates.base import (
    AnswerTemplate,
    EditTemplate,
    NavigationTemplate,
    Sample,
    act,
    click,
    finish,
    html_check,
    search,
    type_text,
)
from webarena_gym.sandbox.templates.page import OracleError

_SUMMARY = "(document.querySelector('.route-summary') || {innerText: ''}).innerText"


def _summary_check(*contents: str) -> dict[str, Any]:
    """The route summary left on the final page shows ``contents``."""
    return html_check("last", _SUMMARY, must_include=list(contents))


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
