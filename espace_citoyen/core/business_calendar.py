"""Business-day and business-hour calendar of the citizen space.

Every computation happens in Europe/Paris, with the public holidays of metropolitan
France (``holidays`` package, no subdivision: Alsace-Moselle's extra days are not
included).

Definitions used by the town:

* A *business day* ("jour ouvré") is Monday to Friday, except French public holidays.
* *Business hours* ("heures ouvrées") run 24 hours a day, but only on business days:
  "48 heures ouvrées" means two full business days. Time spent on a weekend or a
  public holiday does not count.

Business hours are counted on the local wall clock, one business day being the 24
wall-clock hours from 00:00 to 24:00 Paris time, and the result is localized at the
end. A request made on Friday at 10:00 CET is therefore due on the following Tuesday
at 10:00 CEST across the spring daylight-saving change, even though 47 real hours
separate the two instants (changes happen on Sundays, which never count anyway).

Inputs are timezone-aware datetimes in any zone; naive datetimes are refused.
Outputs are aware datetimes in Europe/Paris.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from django.conf import settings

__all__ = [
    "DEFAULT_VALIDATION_DELAY_BUSINESS_HOURS",
    "PARIS",
    "add_business_hours",
    "business_days_before",
    "deadline_before",
    "format_deadline",
    "is_business_day",
    "validation_deadline",
]

PARIS = ZoneInfo("Europe/Paris")

#: Fallback when ``settings.ESPACE_CITOYEN_VALIDATION_DELAY_BUSINESS_HOURS`` is unset.
DEFAULT_VALIDATION_DELAY_BUSINESS_HOURS = 48

_DAY = timedelta(days=1)

# French names, independent of the operating system's locale (Monday is index 0).
_WEEKDAYS_FR = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
_MONTHS_FR = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)


@lru_cache(maxsize=None)
def _public_holidays(year: int) -> frozenset[date]:
    """Public holidays of metropolitan France for ``year`` (cached per year)."""
    return frozenset(holidays.country_holidays("FR", years=year).keys())


def is_business_day(day: date) -> bool:
    """Return True if ``day`` is Monday–Friday and not a French public holiday."""
    if isinstance(day, datetime):
        raise TypeError("is_business_day() expects a date, not a datetime.")
    return day.weekday() < 5 and day not in _public_holidays(day.year)


def _next_business_day(day: date) -> date:
    """First business day strictly after ``day``."""
    day += _DAY
    while not is_business_day(day):
        day += _DAY
    return day


def _to_paris(dt: datetime) -> datetime:
    """Convert an aware datetime to Europe/Paris; refuse naive datetimes."""
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError("An aware datetime is required (naive datetimes are ambiguous).")
    return dt.astimezone(PARIS)


def _localize(wall: datetime) -> datetime:
    """Attach Europe/Paris to a naive wall-clock datetime, normalising DST gaps."""
    return wall.replace(tzinfo=PARIS).astimezone(UTC).astimezone(PARIS)


def add_business_hours(start: datetime, hours: int) -> datetime:
    """Return the instant ``hours`` business hours after ``start``.

    The clock runs 24 hours a day on business days only. If ``start`` falls on a
    weekend or a public holiday, counting begins at 00:00 of the next business day.
    A deadline that ends exactly at the end of a business day is returned as 00:00 of
    the following calendar day (the end of that business day), whatever that day is.

    >>> add_business_hours(datetime(2026, 5, 22, 10, tzinfo=PARIS), 48)  # Pentecost
    datetime.datetime(2026, 5, 27, 10, 0, tzinfo=zoneinfo.ZoneInfo(key='Europe/Paris'))
    """
    if isinstance(hours, bool) or not isinstance(hours, int):
        raise TypeError("hours must be an int.")
    if hours < 0:
        raise ValueError("hours must be zero or positive.")

    local = _to_paris(start)
    day = local.date()
    # Position within the wall-clock day (DST does not shorten or lengthen it here).
    offset = local.replace(tzinfo=None) - datetime.combine(day, time.min)
    if not is_business_day(day):
        day = _next_business_day(day)
        offset = timedelta(0)

    remaining = timedelta(hours=hours)
    while remaining > _DAY - offset:
        remaining -= _DAY - offset
        day = _next_business_day(day)
        offset = timedelta(0)

    return _localize(datetime.combine(day, time.min) + offset + remaining)


def validation_deadline(start: datetime) -> datetime:
    """Deadline for staff to validate an account requested at ``start``.

    The delay is ``settings.ESPACE_CITOYEN_VALIDATION_DELAY_BUSINESS_HOURS`` business
    hours (48 by default), read at call time.
    """
    delay = getattr(
        settings,
        "ESPACE_CITOYEN_VALIDATION_DELAY_BUSINESS_HOURS",
        DEFAULT_VALIDATION_DELAY_BUSINESS_HOURS,
    )
    return add_business_hours(start, delay)


def business_days_before(day: date, count: int) -> date:
    """Return the date that is ``count`` business days before ``day``.

    ``day`` itself need not be a business day and is never counted; ``count=0``
    returns ``day``. Example: J-2 of Tuesday 26 May 2026 is Thursday 21 May 2026
    (Monday 25 May is Pentecost Monday, then the weekend).
    """
    if isinstance(day, datetime):
        raise TypeError("business_days_before() expects a date, not a datetime.")
    if count < 0:
        raise ValueError("count must be zero or positive.")
    while count > 0:
        day -= _DAY
        if is_business_day(day):
            count -= 1
    return day


def deadline_before(day: date, business_days: int, at: time) -> datetime:
    """Aware Paris datetime of ``business_days_before(day, business_days)`` at ``at``.

    ``at`` is a Paris wall-clock time and must be naive. Example: booking closes
    "J-2 avant 10h, jours ouvrés" -> ``deadline_before(day, 2, time(10))``.
    """
    if at.tzinfo is not None:
        raise ValueError("at must be a naive time (Europe/Paris wall clock).")
    return _localize(datetime.combine(business_days_before(day, business_days), at))


MONTHS_FR = _MONTHS_FR
WEEKDAYS_FR = _WEEKDAYS_FR


def format_day(day: date, *, weekday: bool = True) -> str:
    """French text of a day: "mardi 3 mars 2026", or "3 mars 2026" with weekday=False
    ("1er" for the first day of a month)."""
    text = f"{'1er' if day.day == 1 else day.day} {_MONTHS_FR[day.month - 1]} {day.year}"
    return f"{_WEEKDAYS_FR[day.weekday()]} {text}" if weekday else text


def format_month(year: int, month: int) -> str:
    """ "mars 2026" """
    return f"{_MONTHS_FR[month - 1]} {year}"


def format_deadline(dt: datetime) -> str:
    """French text of an aware datetime in Paris time: "mercredi 27 mai 2026 à 10:00".

    The first day of a month is written "1er", as usual in French.
    """
    local = _to_paris(dt)
    day_number = "1er" if local.day == 1 else str(local.day)
    return (
        f"{_WEEKDAYS_FR[local.weekday()]} {day_number} {_MONTHS_FR[local.month - 1]} "
        f"{local.year} à {local:%H:%M}"
    )


# Years a calendar page may show from its query string (?mois=, ?semaine=): far enough for
# any schedule, far from date's limits (year 1 and 9999), where "previous/next month"
# links would overflow.
CALENDAR_YEARS = range(1900, 2200)


def parse_month(raw: str) -> tuple[int, int] | None:
    """(year, month) from "YYYY-MM", or None when it is not a month of CALENDAR_YEARS."""
    parts = (raw or "").strip().split("-")
    if len(parts) != 2 or not all(part.isascii() and part.isdigit() and len(part) <= 4 for part in parts):
        return None
    year, month = int(parts[0]), int(parts[1])
    if year not in CALENDAR_YEARS or not 1 <= month <= 12:
        return None
    return year, month


def parse_iso_week(raw: str) -> date | None:
    """The Monday of an ISO week "YYYY-Www", or None when it is not a week of CALENDAR_YEARS."""
    year, separator, week = (raw or "").strip().partition("-W")
    if not separator or not all(part.isascii() and part.isdigit() and len(part) <= 4 for part in (year, week)):
        return None
    if int(year) not in CALENDAR_YEARS:
        return None
    try:
        return date.fromisocalendar(int(year), int(week), 1)
    except ValueError:
        return None
