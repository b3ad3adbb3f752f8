"""fieldkit.streaks: runs, weekday streaks, the best streaks and the strength score."""

import math
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fieldkit.streaks import HALF_LIFE_DAYS, Run, best, current_streak, longest, runs, strength

# March 2026: Monday 2, Friday 6, Saturday 7, Sunday 8, Monday 9, Tuesday 10.
MON, TUE, WED, THU, FRI, SAT, SUN = (date(2026, 3, d) for d in range(2, 9))
NEXT_MON, NEXT_TUE = date(2026, 3, 9), date(2026, 3, 10)


def d(day):
    # Not tests.factory.d: the tables here name a day of March 2026 by its number.
    return date(2026, 3, day)


def span(first, last):
    return {first + timedelta(days=n) for n in range((last - first).days + 1)}


# ---------------------------------------------------------------------------
# runs
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "days, expected",
    [
        (set(), []),
        ({d(4)}, [Run(d(4), d(4), 1)]),
        ({d(2), d(3), d(4)}, [Run(d(2), d(4), 3)]),
        ({d(2), d(3), d(5), d(6), d(7)}, [Run(d(2), d(3), 2), Run(d(5), d(7), 3)]),
        ({d(1), d(10), d(20)}, [Run(d(1), d(1), 1), Run(d(10), d(10), 1), Run(d(20), d(20), 1)]),
        ({date(2025, 12, 31), date(2026, 1, 1)}, [Run(date(2025, 12, 31), date(2026, 1, 1), 2)]),
    ],
    ids=["empty", "one_day", "three_in_a_row", "gap_splits", "isolated_days", "across_new_year"],
)
def test_runs_table(days, expected):
    assert runs(days) == expected


def test_runs_accepts_a_list_with_repeats_in_any_order():
    assert runs([d(3), d(2), d(3), d(4)]) == [Run(d(2), d(4), 3)]


@pytest.mark.parametrize(
    "days, expected",
    [
        ({FRI, NEXT_MON}, [Run(FRI, NEXT_MON, 2)]),
        ({THU, FRI, SAT, SUN, NEXT_MON}, [Run(THU, NEXT_MON, 3)]),
        ({SAT, SUN}, []),
        ({FRI, SAT}, [Run(FRI, FRI, 1)]),
        ({THU, FRI, NEXT_TUE}, [Run(THU, FRI, 2), Run(NEXT_TUE, NEXT_TUE, 1)]),
        (span(MON, NEXT_TUE), [Run(MON, NEXT_TUE, 7)]),
        ({WED, SUN}, [Run(WED, WED, 1)]),
    ],
    ids=["friday_to_monday", "weekend_action_does_not_count", "weekend_only",
         "saturday_does_not_extend", "missed_monday_breaks", "nine_days_seven_weekdays",
         "sunday_alone_no_run"],
)
def test_runs_weekdays_only_table(days, expected):
    assert runs(days, weekdays_only=True) == expected


def test_runs_with_weekends_counted_breaks_at_an_empty_weekend():
    assert runs({FRI, NEXT_MON}) == [Run(FRI, FRI, 1), Run(NEXT_MON, NEXT_MON, 1)]


# ---------------------------------------------------------------------------
# current streak, weekdays only
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "days, today, expected",
    [
        ({THU, FRI}, SAT, 2),
        ({THU, FRI}, SUN, 2),
        ({THU, FRI, SAT}, SUN, 2),
        ({THU}, SAT, 0),
        ({THU, FRI}, NEXT_MON, 2),
        ({THU, FRI, NEXT_MON}, NEXT_MON, 3),
        ({FRI, SAT, SUN}, NEXT_MON, 1),
        ({THU, FRI, NEXT_MON}, NEXT_TUE, 3),
        ({THU, FRI}, NEXT_TUE, 0),
        (span(MON, FRI), SUN, 5),
        (set(), SAT, 0),
        ({WED}, THU, 1),
        ({WED}, FRI, 0),
    ],
    ids=["saturday_keeps_friday", "sunday_keeps_friday", "saturday_action_not_counted",
         "saturday_after_missed_friday", "monday_morning_keeps_friday", "monday_done",
         "weekend_work_after_friday", "through_monday_seen_tuesday", "missed_monday",
         "full_week_seen_sunday", "empty", "yesterday", "two_days_ago"],
)
def test_current_streak_weekdays_only_table(days, today, expected):
    assert current_streak(days, today, weekdays_only=True) == expected


def test_current_streak_weekdays_only_asks_only_weekdays():
    asked = []

    def counts(day):
        asked.append(day)
        return day in {THU, FRI}

    assert current_streak(counts, SUN, weekdays_only=True) == 2
    assert all(day.weekday() < 5 for day in asked)


def test_current_streak_default_counts_weekends():
    assert current_streak({THU, FRI, SAT}, SUN) == 3
    assert current_streak({THU, FRI}, SUN) == 0


# ---------------------------------------------------------------------------
# longest and best
# ---------------------------------------------------------------------------


def test_longest_and_best_by_hand():
    days = span(d(1), d(3)) | span(d(10), d(14)) | span(d(20), d(22)) | {d(25)}
    assert longest(days) == 5
    assert best(days) == [Run(d(10), d(14), 5), Run(d(20), d(22), 3), Run(d(1), d(3), 3),
                          Run(d(25), d(25), 1)]
    assert best(days, 2) == [Run(d(10), d(14), 5), Run(d(20), d(22), 3)]
    assert best(days, 0) == []


def test_longest_and_best_of_nothing():
    assert longest(set()) == 0
    assert best(set()) == []


def test_best_keeps_ten_by_default():
    days = {date(2026, 1, 1) + timedelta(days=2 * n) for n in range(15)}
    assert len(best(days)) == 10
    assert best(days)[0] == Run(date(2026, 1, 29), date(2026, 1, 29), 1)


def test_longest_weekdays_only_bridges_weekends():
    two_weeks = span(MON, date(2026, 3, 13))
    assert longest(two_weeks) == 12
    assert longest(two_weeks, weekdays_only=True) == 10
    assert longest(two_weeks - {SAT, SUN}) == 5
    assert longest(two_weeks - {SAT, SUN}, weekdays_only=True) == 10
    assert best(two_weeks - {SAT, SUN}, weekdays_only=True) == [
        Run(MON, date(2026, 3, 13), 10)]


# ---------------------------------------------------------------------------
# strength
# ---------------------------------------------------------------------------


def test_strength_half_life_one_by_hand():
    scores = strength({d(1), d(2)}, d(1), d(4), half_life_days=1)
    assert scores == [(d(1), 0.5), (d(2), 0.75), (d(3), 0.375), (d(4), 0.1875)]


def test_strength_half_life_fourteen_by_hand():
    m = 0.5 ** (1 / 14)  # 0.95169515...
    scores = dict(strength({d(1), d(2)}, d(1), d(3)))
    assert scores[d(1)] == pytest.approx(0.048304847, abs=1e-9)  # 1 - m
    assert scores[d(2)] == pytest.approx(0.094276336, abs=1e-9)  # 1 - m**2
    assert scores[d(3)] == pytest.approx(0.089722332, abs=1e-9)  # (1 - m**2) * m
    assert scores[d(1)] == pytest.approx(1 - m)


def test_strength_fourteen_done_days_reach_half_and_fourteen_off_halve_it():
    assert HALF_LIFE_DAYS == 14
    done = span(d(1), d(14))
    scores = dict(strength(done, d(1), d(28)))
    assert scores[d(14)] == pytest.approx(0.5)
    assert scores[d(28)] == pytest.approx(0.25)


def test_strength_a_missed_day_dents_it():
    done = span(date(2026, 1, 1), date(2026, 2, 28)) - {date(2026, 2, 27)}
    scores = dict(strength(done, date(2026, 1, 1), date(2026, 2, 28)))
    assert scores[date(2026, 2, 27)] < scores[date(2026, 2, 26)]
    assert scores[date(2026, 2, 27)] > 0.9 * scores[date(2026, 2, 26)]


def test_strength_empty_range_and_bad_half_life():
    assert strength({d(1)}, d(2), d(1)) == []
    with pytest.raises(ValueError):
        strength({d(1)}, d(1), d(2), half_life_days=0)


# ---------------------------------------------------------------------------
# properties
# ---------------------------------------------------------------------------

START = date(2026, 1, 1)
offsets = st.sets(st.integers(min_value=0, max_value=120), max_size=80)


@given(offsets=offsets, today_offset=st.integers(min_value=0, max_value=125),
       weekdays_only=st.booleans())
def test_longest_at_least_current(offsets, today_offset, weekdays_only):
    days = {START + timedelta(days=n) for n in offsets}
    today = START + timedelta(days=today_offset)
    past = {day for day in days if day <= today}
    current = current_streak(past, today, weekdays_only=weekdays_only)
    assert longest(past, weekdays_only=weekdays_only) >= current


@given(offsets=offsets, n=st.integers(min_value=0, max_value=12), weekdays_only=st.booleans())
def test_best_sorted_and_within_days(offsets, n, weekdays_only):
    days = {START + timedelta(days=k) for k in offsets}
    top = best(days, n, weekdays_only=weekdays_only)
    assert len(top) <= n
    assert [r.length for r in top] == sorted((r.length for r in top), reverse=True)
    assert sum(r.length for r in top) <= len(days)
    assert all(r.start <= r.end for r in top)


@given(offsets=offsets)
def test_runs_partition_the_days(offsets):
    days = {START + timedelta(days=n) for n in offsets}
    found = runs(days)
    covered = [day for r in found for day in sorted(span(r.start, r.end))]
    assert sorted(covered) == sorted(days)
    assert len(covered) == len(set(covered))
    assert all(r.length == (r.end - r.start).days + 1 for r in found)
    # Consecutive runs are separated by at least one day off.
    assert all((b.start - a.end).days >= 2 for a, b in zip(found, found[1:]))


@given(offsets=offsets)
def test_runs_weekdays_only_cover_exactly_the_weekdays(offsets):
    days = {START + timedelta(days=n) for n in offsets}
    found = runs(days, weekdays_only=True)
    assert sum(r.length for r in found) == sum(day.weekday() < 5 for day in days)
    assert all(r.start.weekday() < 5 and r.end.weekday() < 5 for r in found)


@given(offsets=offsets, length=st.integers(min_value=1, max_value=400),
       half_life=st.sampled_from([1, 2, 7, 14, 30.5]))
def test_strength_within_bounds_and_rises_on_done_days(offsets, length, half_life):
    days = {START + timedelta(days=n) for n in offsets}
    scores = strength(days, START, START + timedelta(days=length - 1), half_life_days=half_life)
    assert len(scores) == length
    assert all(0.0 <= s <= 1.0 and not math.isnan(s) for _, s in scores)
    for (_, before), (day, after) in zip(scores, scores[1:]):
        if day in days:
            assert after >= before
        else:
            assert after <= before


@given(length=st.integers(min_value=1, max_value=2000))
def test_strength_long_run_of_done_days_never_falls_or_passes_one(length):
    done = {START + timedelta(days=n) for n in range(length)}
    scores = [s for _, s in strength(done, START, START + timedelta(days=length - 1),
                                     half_life_days=1)]
    assert scores == sorted(scores)
    assert scores[-1] <= 1.0
