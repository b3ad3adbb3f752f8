"""Streaks over networking days: pure functions over sets of dates."""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import date, timedelta


def current_streak(days: Collection[date] | Callable[[date], bool], today: date) -> int:
    """Consecutive networking days ending today.

    ``days`` is the set of networking days, or a test for one day (so a
    database can be asked only as far back as the streak reaches). A streak
    stays alive through today until the day is over: with nothing done yet
    today, the run ending yesterday still counts.
    """
    counts = days if callable(days) else days.__contains__
    day = today if counts(today) else today - timedelta(days=1)
    count = 0
    while counts(day):
        count += 1
        day -= timedelta(days=1)
    return count
