"""Networking activity read from the database: which days had any."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlite_utils import Database

from fieldkit import clock, streaks

# Touch kinds that make a networking day: a new card, an attempt, a dialog.
NETWORKING_TOUCHES = ("met", "attempt", "dialog")
# The same kinds as an SQL list, for ``kind IN ...``. SQLite uses the partial
# index touches_networking_at (migration 0003) only when a query spells its
# condition as the index does, in the same order: both come from the tuple
# above, and test_db checks the shipped index against it.
NETWORKING_TOUCHES_SQL = "(" + ", ".join(f"'{kind}'" for kind in NETWORKING_TOUCHES) + ")"


def networking_days(db: Database, tz: str, since: date | None = None) -> set[date]:
    """Days, in time zone ``tz``, with at least one networking action.

    A networking action is a new card, an attempt, a dialog (calls included)
    or a check-in; undone actions do not count.
    """
    start = "" if since is None else clock.to_iso(
        datetime.combine(since, time(0), clock.zone(tz)) - timedelta(days=1)
    )
    rows = db.execute(
        "SELECT at FROM touches INDEXED BY touches_networking_at WHERE at >= ? "
        f"AND undone_at IS NULL AND kind IN {NETWORKING_TOUCHES_SQL} "
        "UNION SELECT checked_in_at FROM checkins WHERE checked_in_at >= ?",
        [start, start],
    ).fetchall()
    days = {clock.local_date(at, tz) for (at,) in rows}
    return days if since is None else {d for d in days if d >= since}


def _day_bounds(day: date, tz: str) -> tuple[str, str]:
    zone = clock.zone(tz)
    start = datetime.combine(day, time(0), zone)
    end = datetime.combine(day + timedelta(days=1), time(0), zone)
    return clock.to_iso(start), clock.to_iso(end)


def is_networking_day(db: Database, day: date, tz: str) -> bool:
    """Whether ``day`` (in ``tz``) has a networking action; two index look-ups."""
    start, end = _day_bounds(day, tz)
    return db.execute(
        "SELECT EXISTS (SELECT 1 FROM touches INDEXED BY touches_networking_at "
        "WHERE at >= :start AND at < :end "
        f"AND undone_at IS NULL AND kind IN {NETWORKING_TOUCHES_SQL}) "
        "OR EXISTS (SELECT 1 FROM checkins WHERE checked_in_at >= :start "
        "AND checked_in_at < :end)",
        {"start": start, "end": end},
    ).fetchone()[0] == 1


def current_streak(db: Database, tz: str, today: date) -> int:
    """The current networking streak, asking the database one day at a time."""
    return streaks.current_streak(lambda day: is_networking_day(db, day, tz), today)
