"""Streaks over networking days: pure functions over sets of dates."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, timedelta


def current_streak(days: Collection[date], today: date) -> int:
    """Consecutive networking days ending today.

    A streak stays alive through today until the day is over: with nothing
    done yet today, the run ending yesterday still counts.
    """
    day = today if today in days else today - timedelta(days=1)
    count = 0
    while day in days:
        count += 1
        day -= timedelta(days=1)
    return count
