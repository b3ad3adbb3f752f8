"""Streaks and habit strength over networking days: pure functions over sets of dates.

A streak is a run of consecutive networking days. With ``weekdays_only``,
Saturdays and Sundays neither break nor extend a streak: a Friday and the
following Monday are consecutive, and a weekend day's action does not count
toward a streak's length.

The habit-strength score follows Loop Habit Tracker: each day moves the
score a little toward 1 when something was done and toward 0 when nothing
was, so a missed day dents a strong habit instead of zeroing it.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from datetime import date, timedelta

# After this many days off, the strength score has halved (two weeks: a
# holiday dents a habit; a month off leaves a quarter of it).
HALF_LIFE_DAYS = 14

_DAY = timedelta(days=1)
_FRIDAY = 4


@dataclass(frozen=True)
class Run:
    """A streak: consecutive networking days from ``start`` to ``end``.

    ``length`` counts the days in it (with weekdays only, the weekdays).
    """

    start: date
    end: date
    length: int


def _is_weekend(day: date) -> bool:
    return day.weekday() > _FRIDAY


def _previous_weekday(day: date) -> date:
    day -= _DAY
    while _is_weekend(day):
        day -= _DAY
    return day


def _next_weekday(day: date) -> date:
    day += _DAY
    while _is_weekend(day):
        day += _DAY
    return day


def runs(days: Iterable[date], *, weekdays_only: bool = False) -> list[Run]:
    """Every streak in ``days``, oldest first.

    Without ``weekdays_only`` the runs partition the days: each day is in
    exactly one run.
    """
    counted = sorted({d for d in days if not (weekdays_only and _is_weekend(d))})
    follows = _next_weekday if weekdays_only else (lambda d: d + _DAY)
    found: list[Run] = []
    start = previous = None
    length = 0
    for day in counted:
        if previous is not None and day == follows(previous):
            length += 1
        else:
            if previous is not None:
                found.append(Run(start, previous, length))
            start, length = day, 1
        previous = day
    if previous is not None:
        found.append(Run(start, previous, length))
    return found


def current_streak(days: Collection[date] | Callable[[date], bool], today: date, *,
                   weekdays_only: bool = False) -> int:
    """Consecutive networking days ending today.

    ``days`` is the set of networking days, or a test for one day (so a
    database can be asked only as far back as the streak reaches). A streak
    stays alive through today until the day is over: with nothing done yet
    today, the run ending yesterday still counts.

    With ``weekdays_only`` the same holds in weekdays: on a Monday with
    nothing done yet the run ending Friday counts, and on a Saturday or
    Sunday the run ending Friday is the current one.
    """
    counts = days if callable(days) else days.__contains__
    if weekdays_only:
        before = _previous_weekday
        if _is_weekend(today):
            day = _previous_weekday(today)
        else:
            day = today if counts(today) else _previous_weekday(today)
    else:
        def before(d: date) -> date:
            return d - _DAY
        day = today if counts(today) else today - _DAY
    count = 0
    while counts(day):
        count += 1
        day = before(day)
    return count


def longest(days: Iterable[date], *, weekdays_only: bool = False) -> int:
    """The length of the longest streak ever; 0 without any networking day."""
    return max((run.length for run in runs(days, weekdays_only=weekdays_only)), default=0)


def best(days: Iterable[date], n: int = 10, *, weekdays_only: bool = False) -> list[Run]:
    """The ``n`` longest streaks, longest first; of equal ones, the most recent first."""
    ranked = sorted(runs(days, weekdays_only=weekdays_only),
                    key=lambda run: (run.length, run.end), reverse=True)
    return ranked[:max(n, 0)]


def strength(days: Collection[date], start: date, end: date, *,
             half_life_days: float = HALF_LIFE_DAYS) -> list[tuple[date, float]]:
    """The habit-strength score for each day from ``start`` to ``end``, inclusive.

    Each day: score = previous * m + done * (1 - m), with
    m = 0.5 ** (1 / half_life_days) and the score 0 before ``start``. Scores
    stay within 0..1; a run of networking days only raises it, and after
    ``half_life_days`` days off it has halved.
    """
    if half_life_days <= 0:
        raise ValueError(f"half_life_days must be positive, not {half_life_days!r}")
    step = 1 - 0.5 ** (1 / half_life_days)
    done = days if isinstance(days, (set, frozenset)) else set(days)
    score = 0.0
    scores = []
    day = start
    while day <= end:
        # previous * m + done * (1 - m), written so that rounding can never
        # lower the score on a done day or push it past 1.
        score += ((day in done) - score) * step
        scores.append((day, score))
        day += _DAY
    return scores
