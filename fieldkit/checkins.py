"""Check-ins: being at an event now, arriving early, leaving."""

from __future__ import annotations

from datetime import datetime

from sqlite_utils import Database

from fieldkit import clock, events
from fieldkit.db import transaction
from fieldkit.errors import FieldkitError

# Kept importable from here: Today and the scorecard both ask it.
arrived_early = events.arrived_early


class CheckinError(FieldkitError):
    """A check-in that cannot happen now (the event is not running)."""


def current(db: Database, *, now: datetime | None = None) -> dict | None:
    """The open check-in with its event, or None when not checked in.

    A check-in left open after its event ended no longer counts, so a
    forgotten check-out never ties new cards to a finished event.
    """
    row = db.execute(
        "SELECT c.id, c.event_id, c.checked_in_at, e.name, e.tz, e.starts_at, "
        "e.ends_at, e.venue, e.city "
        "FROM checkins c JOIN events e ON e.id = c.event_id "
        "WHERE c.checked_out_at IS NULL AND e.ends_at >= ? "
        "ORDER BY c.checked_in_at DESC LIMIT 1",
        [clock.to_iso(now or clock.utc_now())],
    ).fetchone()
    if row is None:
        return None
    keys = ("id", "event_id", "checked_in_at", "name", "tz", "starts_at", "ends_at",
            "venue", "city")
    checkin = dict(zip(keys, row))
    checkin["arrived_early"] = arrived_early(
        checkin["checked_in_at"], checkin["starts_at"], checkin["tz"]
    )
    return checkin


def check_in(db: Database, event_id: int, *, now: datetime | None = None) -> int:
    """Check in to a running event now; returns the check-in's id.

    Check-in opens at midnight of the event's first day (arriving early is
    the point) and closes when the event ends. Being checked in elsewhere
    checks you out there first; checking in again to the same event keeps
    the day's first arrival.
    """
    now_iso = clock.to_iso(now or clock.utc_now())
    with transaction(db):
        event = events.get(db, event_id)
        if now_iso < events.opens_for_checkin(event["starts_at"], event["tz"]):
            raise CheckinError(f"{event['name']} has not started yet; check-in opens on its "
                               "first day.")
        if now_iso > event["ends_at"]:
            raise CheckinError(f"{event['name']} is over; check-in is closed.")
        open_row = db.execute(
            "SELECT id, event_id FROM checkins WHERE checked_out_at IS NULL").fetchone()
        if open_row and open_row[1] == event_id:
            arrived = db.execute("SELECT checked_in_at FROM checkins WHERE id = ?",
                                 [open_row[0]]).fetchone()[0]
            if clock.local_date(arrived, event["tz"]) == clock.local_date(now_iso, event["tz"]):
                return open_row[0]
        if open_row:
            db.execute("UPDATE checkins SET checked_out_at = max(checked_in_at, ?) WHERE id = ?",
                       [now_iso, open_row[0]])
        cursor = db.execute(
            "INSERT INTO checkins (event_id, checked_in_at) VALUES (?, ?)", [event_id, now_iso])
    return cursor.lastrowid


def check_out(db: Database, *, now: datetime | None = None) -> bool:
    """Close the open check-in; False when there was none."""
    now_iso = clock.to_iso(now or clock.utc_now())
    with transaction(db):
        cursor = db.execute(
            "UPDATE checkins SET checked_out_at = max(checked_in_at, ?) "
            "WHERE checked_out_at IS NULL", [now_iso])
    return cursor.rowcount > 0


def event_at(db: Database, moment: datetime | str) -> int | None:
    """The event you were checked in to at ``moment`` (a card taken then belongs to it).

    As ``current`` would have answered then: the latest check-in made by
    then, not yet checked out, its event not yet over.
    """
    at = clock.to_iso(moment) if isinstance(moment, datetime) else moment
    row = db.execute(
        "SELECT c.event_id FROM checkins c JOIN events e ON e.id = c.event_id "
        "WHERE c.checked_in_at <= ? AND (c.checked_out_at IS NULL OR c.checked_out_at > ?) "
        "AND e.ends_at >= ? ORDER BY c.checked_in_at DESC LIMIT 1",
        [at, at, at],
    ).fetchone()
    return row[0] if row else None


def checked_in_event_id(db: Database, *, now: datetime | None = None) -> int | None:
    """The event new cards default to: the one you are checked in to."""
    checkin = current(db, now=now)
    return checkin["event_id"] if checkin else None
