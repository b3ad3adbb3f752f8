"""Networking activity read from the database: which days had any."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlite_utils import Database

from fieldkit import clock, streaks

# Touch kinds that make a networking day: a new card, an attempt, a dialog.
NETWORKING_TOUCHES = ("met", "attempt", "dialog")


def networking_days(db: Database, tz: str, since: date | None = None) -> set[date]:
    """Days, in time zone ``tz``, with at least one networking action.

    A networking action is a new card, an attempt, a dialog (calls included)
    or a check-in; undone actions do not count.
    """
    start = "" if since is None else clock.to_iso(
        datetime.combine(since, time(0), clock.zone(tz)) - timedelta(days=1)
    )
    rows = db.execute(
        "SELECT at FROM touches WHERE at >= ? AND undone_at IS NULL "
        "AND kind IN ('met', 'attempt', 'dialog') "
        "UNION SELECT checked_in_at FROM checkins WHERE checked_in_at >= ?",
        [start, start],
    ).fetchall()
    days = {clock.local_date(at, tz) for (at,) in rows}
    return days if since is None else {d for d in days if d >= since}


def current_streak(db: Database, tz: str, today: date) -> int:
    """The current networking streak, reading only as far back as it reaches."""
    window = 64
    while True:
        since = today - timedelta(days=window)
        count = streaks.current_streak(networking_days(db, tz, since), today)
        if count < window - 1:
            return count
        window *= 4
