from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from attestation import calendar
from attestation.calendar import WorkCalendar, add_months, add_working_days
from attestation.codes import APPEAL_WORKING_DAYS

PLAIN = WorkCalendar()


@pytest.fixture
def restore_default():
    saved = calendar.default_calendar()
    yield
    calendar._default = saved


# Weekday days off of 2025-2027 as the holidays package gives them (observed days included).
WEEKDAY_HOLIDAYS = {
    2025: "01-01 01-02 01-07 03-10 03-21 03-24 03-25 05-01 05-07 05-09 06-06 07-07 09-01 10-27 12-16",
    2026: "01-01 01-02 01-07 03-09 03-23 03-24 03-25 05-01 05-07 05-11 07-06 10-26 12-16",
    2027: "01-01 01-04 01-07 03-08 03-22 03-23 03-24 05-03 05-07 05-10 07-06 10-25 12-16",
}


@pytest.mark.parametrize(
    "day",
    [date.fromisoformat(f"{year}-{md}") for year, days in WEEKDAY_HOLIDAYS.items() for md in days.split()],
)
def test_public_holidays_on_weekdays_are_days_off(day):
    assert day.weekday() < 5
    assert not PLAIN.is_working_day(day)


def test_weekends_are_days_off_and_ordinary_weekdays_work():
    assert not PLAIN.is_working_day(date(2026, 4, 11))  # Saturday
    assert not PLAIN.is_working_day(date(2026, 4, 12))  # Sunday
    assert all(PLAIN.is_working_day(date(2026, 4, d)) for d in range(13, 18))


def test_decreed_transfer_known_to_the_package():
    # 2025: Friday 3 January off, Sunday 5 January worked (Government decree).
    assert not PLAIN.is_working_day(date(2025, 1, 3))
    assert PLAIN.is_working_day(date(2025, 1, 5))
    assert add_working_days(date(2024, 12, 31), 1) == date(2025, 1, 5)


def test_nauryz_2026_is_skipped():
    # Fri 20 Mar; 21-22 weekend; 23 Nauryz; 24-25 observed for the weekend days.
    assert PLAIN.add_working_days(date(2026, 3, 20), 1) == date(2026, 3, 26)
    assert PLAIN.add_working_days(date(2026, 3, 20), APPEAL_WORKING_DAYS) == date(2026, 3, 27)
    assert add_working_days(date(2026, 3, 20), 1) == date(2026, 3, 26)


def test_new_year_and_orthodox_christmas_2026_are_skipped():
    assert PLAIN.add_working_days(date(2025, 12, 31), 1) == date(2026, 1, 5)
    assert PLAIN.add_working_days(date(2025, 12, 31), 2) == date(2026, 1, 6)
    assert PLAIN.add_working_days(date(2025, 12, 31), 3) == date(2026, 1, 8)


def test_new_year_2027_falls_on_a_weekend_and_moves_to_monday():
    assert PLAIN.add_working_days(date(2026, 12, 31), 1) == date(2027, 1, 5)


def test_the_start_day_never_counts_even_if_it_is_a_working_day():
    assert PLAIN.add_working_days(date(2026, 4, 13), 1) == date(2026, 4, 14)
    assert PLAIN.add_working_days(date(2026, 4, 17), 1) == date(2026, 4, 20)  # Friday to Monday
    assert PLAIN.add_working_days(date(2026, 4, 11), 1) == date(2026, 4, 13)  # from a Saturday


def test_zero_returns_start_and_negative_is_refused():
    assert PLAIN.add_working_days(date(2026, 3, 22), 0) == date(2026, 3, 22)
    with pytest.raises(ValueError, match="negative"):
        PLAIN.add_working_days(date(2026, 3, 20), -1)
    with pytest.raises(TypeError):
        PLAIN.add_working_days(date(2026, 3, 20), 1.0)
    with pytest.raises(TypeError):
        PLAIN.add_working_days(datetime(2026, 3, 20, 9), 1)


def test_administrator_working_saturday_counts():
    saturday = date(2026, 3, 28)
    assert PLAIN.add_working_days(date(2026, 3, 27), 1) == date(2026, 3, 30)
    with_saturday = WorkCalendar(extra_working_days={saturday})
    assert with_saturday.is_working_day(saturday)
    assert with_saturday.add_working_days(date(2026, 3, 27), 1) == saturday


def test_administrator_day_off_does_not_count():
    cal = WorkCalendar(extra_days_off={date(2026, 1, 5)})
    assert cal.add_working_days(date(2025, 12, 31), 1) == date(2026, 1, 6)


def test_administrator_can_undo_a_package_transfer_and_open_a_holiday():
    cal = WorkCalendar(extra_days_off={date(2025, 1, 5)}, extra_working_days={date(2025, 1, 3)})
    assert not cal.is_working_day(date(2025, 1, 5))
    assert cal.is_working_day(date(2025, 1, 3))


def test_a_date_cannot_be_both_off_and_working():
    with pytest.raises(ValueError, match="2026-03-28"):
        WorkCalendar(extra_days_off={date(2026, 3, 28)}, extra_working_days={date(2026, 3, 28)})


def test_calendar_is_immutable():
    with pytest.raises(AttributeError):
        PLAIN.extra_days_off = frozenset()


def test_set_overrides_replaces_the_default(restore_default):
    before = calendar.default_calendar()
    installed = calendar.set_overrides([date(2026, 4, 14)], [date(2026, 4, 18)])
    assert calendar.default_calendar() is installed is not before
    assert add_working_days(date(2026, 4, 13), 1) == date(2026, 4, 15)
    assert add_working_days(date(2026, 4, 17), 1) == date(2026, 4, 18)
    calendar.set_overrides([], [])
    assert add_working_days(date(2026, 4, 13), 1) == date(2026, 4, 14)


def test_working_days_between():
    assert PLAIN.working_days_between(date(2026, 3, 20), date(2026, 3, 27)) == 2
    assert PLAIN.working_days_between(date(2026, 3, 27), date(2026, 3, 20)) == -2
    assert PLAIN.working_days_between(date(2026, 4, 13), date(2026, 4, 13)) == 0
    assert PLAIN.working_days_between(date(2026, 4, 12), date(2026, 4, 19)) == 5


@given(st.dates(min_value=date(2024, 1, 1), max_value=date(2027, 12, 31)), st.integers(0, 40))
def test_add_and_count_agree(start, n):
    end = PLAIN.add_working_days(start, n)
    assert PLAIN.working_days_between(start, end) == n
    if n:
        assert PLAIN.is_working_day(end)
        assert PLAIN.working_days_between(start, end - timedelta(days=1)) == n - 1


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2025, 8, 31), 6, date(2026, 2, 28)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2025, 1, 31), 1, date(2025, 2, 28)),
        (date(2023, 8, 31), 6, date(2024, 2, 29)),
        (date(2025, 11, 15), 3, date(2026, 2, 15)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
        (date(2026, 5, 1), 36, date(2029, 5, 1)),
    ],
)
def test_add_months(start, months, expected):
    assert add_months(start, months) == expected
