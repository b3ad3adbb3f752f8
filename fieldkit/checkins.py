"""Check-ins: being at an event now, and whether you arrived early."""

from __future__ import annotations

from sqlite_utils import Database

from fieldkit import clock


def arrived_early(checked_in_at: str, starts_at: str, tz: str) -> bool:
    """Whether a check-in came before the event's start, in the event's time zone.

    On the later days of a multi-day event the start is that day's opening
    time: at a trade show, arriving early matters every morning.
    """
    if checked_in_at < starts_at:
        return True
    zone = clock.zone(tz)
    arrived = clock.from_iso(checked_in_at).astimezone(zone)
    opens = clock.from_iso(starts_at).astimezone(zone)
    return arrived.date() > opens.date() and arrived.time() < opens.time()


def current(db: Database) -> dict | None:
    """The open check-in with its event, or None when not checked in."""
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
    checkin["arrived_early"] = arrived_early(
        checkin["checked_in_at"], checkin["starts_at"], checkin["tz"]
    )
    return checkin
