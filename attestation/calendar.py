"""Kazakhstan's working-day calendar, for the deadlines counted in working days.

§21 (appeal, 2 working days), §31 (results to the regions, 5) and §32 (regional decision, 3)
count working days; the rest of the Order counts calendar days or months. A working day is a
Monday to Friday that is not a public holiday, as the ``holidays`` package knows them (with the
days observed when a holiday falls on a weekend, the days off moved by government decree, and the
weekend days those decrees made working). The government announces transfers year by year, so
an administrator completes the calendar with two override sets: extra days off and extra working
days. An override wins over the package.

The default calendar is one immutable object that :func:`set_overrides` replaces as a whole, so
a request reading it while an administrator saves never sees half an update.
"""

from __future__ import annotations

import calendar as _stdlib_calendar
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def _kz_year(year: int) -> tuple[frozenset[date], frozenset[date]]:
    """(public days off, weekend days made working) of one year.

    The next year is loaded too because a decree for year Y+1 may move a day of year Y
    (the package files such a transfer under the decree's year).
    """
    table = holidays.country_holidays("KZ", years=(year, year + 1))
    days_off = frozenset(d for d in table if d.year == year)
    working = frozenset(d for d in table.weekend_workdays if d.year == year)
    return days_off, working


def _require_date(value: object, name: str) -> date:
    # A datetime would compare unequal to the date keys of the holiday sets and slip through.
    if not isinstance(value, date) or isinstance(value, datetime):
        raise TypeError(f"{name} must be a datetime.date, got {type(value).__name__}")
    return value


def add_months(start: date, months: int) -> date:
    """Same day ``months`` later, or the month's last day when it has no such day.

    The Order's periods (6 months in §4 and §6, 12 in §6.3 and §27.2, years in §3 and §7) end on
    the same date of the later month; 31 August + 6 months is the end of February.
    """
    _require_date(start, "start")
    index = start.year * 12 + start.month - 1 + months
    year, month = divmod(index, 12)
    last = _stdlib_calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(start.day, last))


class WorkCalendar:
    """The package's calendar of Kazakhstan with an administrator's overrides on top."""

    __slots__ = ("extra_days_off", "extra_working_days")

    def __init__(self, extra_days_off: Iterable[date] = (), extra_working_days: Iterable[date] = ()) -> None:
        days_off = frozenset(_require_date(d, "a day off") for d in extra_days_off)
        working = frozenset(_require_date(d, "a working day") for d in extra_working_days)
        both = sorted(days_off & working)
        if both:
            listed = ", ".join(d.isoformat() for d in both)
            raise ValueError(f"dates declared both a day off and a working day: {listed}")
        object.__setattr__(self, "extra_days_off", days_off)
        object.__setattr__(self, "extra_working_days", working)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("WorkCalendar is immutable; build a new one")

    def __repr__(self) -> str:
        return (
            f"WorkCalendar(extra_days_off={len(self.extra_days_off)} dates, "
            f"extra_working_days={len(self.extra_working_days)} dates)"
        )

    def is_working_day(self, day: date) -> bool:
        _require_date(day, "day")
        if day in self.extra_working_days:
            return True
        if day in self.extra_days_off:
            return False
        public_days_off, weekend_workdays = _kz_year(day.year)
        if day in weekend_workdays:
            return True
        return day.weekday() < 5 and day not in public_days_off

    def add_working_days(self, start: date, n: int) -> date:
        """The n-th working day after ``start``; ``start`` itself never counts.

        So a 2-working-day appeal window opened on the test day ends on the second working day
        after it, whatever day of the week the test fell on.
        """
        _require_date(start, "start")
        if not isinstance(n, int) or isinstance(n, bool):
            raise TypeError(f"n must be an int, got {type(n).__name__}")
        if n < 0:
            raise ValueError(f"n must not be negative, got {n}")
        day = start
        while n:
            day += timedelta(days=1)
            if self.is_working_day(day):
                n -= 1
        return day

    def working_days_between(self, a: date, b: date) -> int:
        """Working days in (a, b], negative when b is before a.

        The interval matches :meth:`add_working_days`: ``working_days_between(a,
        add_working_days(a, n)) == n``.
        """
        _require_date(a, "a")
        _require_date(b, "b")
        if b < a:
            return -self.working_days_between(b, a)
        return sum(self.is_working_day(a + timedelta(days=i)) for i in range(1, (b - a).days + 1))


_default = WorkCalendar()


def default_calendar() -> WorkCalendar:
    return _default


def set_overrides(days_off: Iterable[date], working_days: Iterable[date]) -> WorkCalendar:
    """Replace the default calendar's overrides (the app calls this after loading its table)."""
    global _default
    calendar = WorkCalendar(days_off, working_days)
    _default = calendar  # one reference assignment: readers see the old or the new, never a mix
    return calendar


def add_working_days(start: date, n: int) -> date:
    return _default.add_working_days(start, n)
