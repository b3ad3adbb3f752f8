"""fieldkit.streaks: consecutive networking days."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fieldkit.streaks import current_streak

TODAY = date(2026, 3, 10)


def back(*offsets):
    """The days ``offsets`` days before TODAY (negative: after it)."""
    return {TODAY - timedelta(days=n) for n in offsets}


@pytest.mark.parametrize(
    "days, expected",
    [
        (set(), 0),
        (back(0), 1),
        (back(1), 1),
        (back(0, 1, 2), 3),
        (back(1, 2, 3), 3),
        (back(2), 0),
        (back(2, 3, 4), 0),
        (back(0, 1, 3, 4, 5), 2),
        (back(0, 2), 1),
        (back(1, 3), 1),
        (back(*range(10)), 10),
        (back(*range(1, 41)), 40),
        (back(-1), 0),
        (back(-1, 0), 1),
    ],
    ids=["empty", "only_today", "only_yesterday", "run_through_today",
         "run_ending_yesterday", "only_two_days_ago", "run_ending_two_days_ago",
         "gap_breaks_run", "gap_right_after_today", "gap_after_yesterday",
         "ten_days", "forty_days_ending_yesterday", "only_tomorrow", "tomorrow_and_today"],
)
def test_current_streak_table(days, expected):
    assert current_streak(days, TODAY) == expected


@pytest.mark.parametrize("container", [set, frozenset, list, tuple])
def test_current_streak_any_collection(container):
    assert current_streak(container(sorted(back(0, 1, 2, 4))), TODAY) == 3


def test_current_streak_across_month_and_year_end():
    days = {date(2025, 12, 30), date(2025, 12, 31), date(2026, 1, 1)}
    assert current_streak(days, date(2026, 1, 1)) == 3


@given(
    offsets=st.sets(st.integers(min_value=-5, max_value=60), max_size=50),
    today=st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 1, 1)),
)
def test_current_streak_properties(offsets, today):
    days = {today - timedelta(days=n) for n in offsets}
    result = current_streak(days, today)
    assert 0 <= result <= len(days)
    if today not in days and today - timedelta(days=1) not in days:
        assert result == 0
    else:
        assert result >= 1
