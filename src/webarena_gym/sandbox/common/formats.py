"""Value formats the sites' templates share as filters: money, dates, JSON columns."""

from __future__ import annotations

import json
from datetime import datetime

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")


def money(value: float | None) -> str:
    """``1234.5`` -> ``'$1,234.50'`` (negative amounts as ``'-$5.00'``)."""
    if value is None:
        return ""
    sign = "-" if value < 0 else ""
    return f"{sign}${abs(value):,.2f}"


def _parse(value: str) -> datetime:
    return datetime.fromisoformat(value)


def date_short(value: str) -> str:
    """``'2023-03-11 14:03:00'`` -> ``'3/11/23'`` (Magento's grid format)."""
    d = _parse(value)
    return f"{d.month}/{d.day}/{d.year % 100:02d}"


def date_long(value: str) -> str:
    """``'2023-03-11 14:03:00'`` -> ``'March 11, 2023'``."""
    d = _parse(value)
    return f"{_MONTHS[d.month - 1]} {d.day}, {d.year}"


def datetime_long(value: str) -> str:
    """``'2023-03-11 14:03:00'`` -> ``'Mar 11, 2023, 2:03:00 PM'`` (Magento's admin format)."""
    d = _parse(value)
    hour = d.hour % 12 or 12
    half = "AM" if d.hour < 12 else "PM"
    return f"{_MONTHS[d.month - 1][:3]} {d.day}, {d.year}, {hour}:{d.minute:02d}:{d.second:02d} {half}"


def options_dict(value: str | None) -> dict[str, str]:
    """A JSON options column (``{"Color": "Blue"}``) as a dict; empty for NULL."""
    return json.loads(value) if value else {}


def json_list(value: str | None) -> list[str]:
    """A JSON list column (``["S", "M"]``) as a list; empty for NULL."""
    return json.loads(value) if value else []



#: The template filters every site has (see :func:`~.web.make_templates`).
FILTERS = {"money": money, "date_short": date_short, "date_long": date_long,
           "datetime_long": datetime_long, "options": options_dict, "json_list": json_list}
