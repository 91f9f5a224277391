"""How the admin shows dates and statuses (as Magento's admin does); money comes from
:func:`webarena_gym.sandbox.common.money`."""

from __future__ import annotations

import re
from datetime import date, datetime

ORDER_STATUSES: dict[str, str] = {
    "pending": "Pending",
    "processing": "Processing",
    "complete": "Complete",
    "closed": "Closed",
    "canceled": "Canceled",
    "on hold": "On Hold",
}
REVIEW_STATUSES: dict[str, str] = {
    "approved": "Approved",
    "pending": "Pending",
    "not_approved": "Not Approved",
}


def parse_stamp(value: str) -> datetime:
    """Parse the store's ISO-8601 text (``2023-01-15 14:03:00`` or ``2023-01-15``)."""
    return datetime.fromisoformat(value.replace("T", " "))


def datetime_label(value: str | None) -> str:
    """``2023-01-15 14:03:00`` -> ``Jan 15, 2023 2:03:00 PM`` (Magento's admin format)."""
    if not value:
        return ""
    stamp = parse_stamp(value)
    hour = stamp.hour % 12 or 12
    ampm = "AM" if stamp.hour < 12 else "PM"
    return f"{stamp:%b} {stamp.day}, {stamp.year} {hour}:{stamp:%M:%S} {ampm}"


def date_label(value: str | None) -> str:
    """``2023-01-15 ...`` -> ``Jan 15, 2023``."""
    if not value:
        return ""
    stamp = parse_stamp(value)
    return f"{stamp:%b} {stamp.day}, {stamp.year}"


_DATE_FORMATS = ("%m/%d/%Y", "%m/%d/%y", "%Y-%m-%d", "%b %d, %Y", "%B %d, %Y")


def parse_date_input(text: str) -> date | None:
    """A date typed in a filter: ``1/15/2023``, ``01/15/23``, ``2023-01-15`` or ``Jan 15, 2023``.

    Returns None for an empty or unreadable value.
    """
    text = re.sub(r"\s+", " ", text or "").strip()
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def order_status_label(status: str) -> str:
    """``on hold`` -> ``On Hold``."""
    return ORDER_STATUSES.get(status, status.title())


def review_status_label(status: str) -> str:
    """``not_approved`` -> ``Not Approved``."""
    return REVIEW_STATUSES.get(status, status.replace("_", " ").title())
