"""Dates as the data writes them: partial dates (2018, 2018-04) and the check date ("today")."""
from __future__ import annotations

import calendar
import datetime as dt
import re
from typing import Any

from .problems import visible

PARTIAL_DATE = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?\Z")


def parse_partial(value: Any) -> tuple[dt.date, dt.date] | None:
    """Earliest and latest day a (possibly partial) date can mean; None if impossible."""
    if not isinstance(value, str):
        return None
    match = PARTIAL_DATE.match(value)
    if not match:
        return None
    year, month, day = int(match[1]), match[2], match[3]
    try:
        if month is None:
            return dt.date(year, 1, 1), dt.date(year, 12, 31)
        month_number = int(month)
        if day is None:
            last = calendar.monthrange(year, month_number)[1]
            return dt.date(year, month_number, 1), dt.date(year, month_number, last)
        exact = dt.date(year, month_number, int(day))
        return exact, exact
    except ValueError:
        return None


# Review dates are computed years ahead of "today"; a bounded today keeps that
# arithmetic inside the calendar (dt.date stops at year 9999).
EARLIEST_TODAY, LATEST_TODAY = dt.date(2000, 1, 1), dt.date(2199, 12, 31)
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")


def today_from_text(value: str) -> dt.date:
    """A build or check date written ÅÅÅÅ-MM-DD, within 2000–2199. Raises ValueError in Swedish."""
    shown = visible(value)
    if not _ISO_DATE.match(value):
        raise ValueError(f"ogiltigt datum '{shown}', skriv ÅÅÅÅ-MM-DD (t.ex. 2026-11-24)")
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"ogiltigt datum '{shown}': det finns inte i kalendern") from None
    if not EARLIEST_TODAY <= day <= LATEST_TODAY:
        raise ValueError(f"ogiltigt datum '{shown}': välj ett datum {EARLIEST_TODAY.year}–{LATEST_TODAY.year}")
    return day
