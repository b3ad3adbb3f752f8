"""Check-ins: being at an event now."""

from __future__ import annotations

from sqlite_utils import Database


def current(db: Database) -> dict | None:
    """The open check-in with its event, or None when not checked in.

    ``arrived_early`` is true when the check-in came before the event's start.
    """
    row = db.execute(
        "SELECT c.id, c.event_id, c.checked_in_at, e.name, e.tz, e.starts_at, "
        "e.ends_at, e.venue, e.city "
        "FROM checkins c JOIN events e ON e.id = c.event_id "
        "WHERE c.checked_out_at IS NULL ORDER BY c.checked_in_at DESC LIMIT 1"
    ).fetchone()
    if row is None:
        return None
    keys = ("id", "event_id", "checked_in_at", "name", "tz", "starts_at", "ends_at",
            "venue", "city")
    checkin = dict(zip(keys, row))
    checkin["arrived_early"] = checkin["checked_in_at"] < checkin["starts_at"]
    return checkin
