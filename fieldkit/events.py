"""Events: creating and editing them, when they run, and their scorecard."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone

from sqlite_utils import Database

from fieldkit import clock, followups, normalise
from fieldkit.db import is_row_id, transaction
from fieldkit.errors import NotFound, ValidationError
from fieldkit.kinds import EVENT_KINDS

# Years an event may fall in: stored instants stay four-digit, sortable text.
YEARS = (1900, 2199)


class EventNotFound(NotFound):
    """The event no longer exists."""


def _goal(value: object, field: str, label: str) -> int:
    if value in (None, ""):
        return 0
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValidationError(f"{label}: expected a whole number.", field=field)
    try:
        number = int(str(value).strip()) if not isinstance(value, float) else int(value)
    except (ValueError, OverflowError):  # "x", NaN, infinity
        raise ValidationError(f"{label}: expected a whole number.", field=field) from None
    if isinstance(value, float) and not value.is_integer():
        raise ValidationError(f"{label}: expected a whole number.", field=field)
    if not 0 <= number <= 10_000:
        raise ValidationError(f"{label}: between 0 and 10,000.", field=field)
    return number


def _stored(local: datetime, zone, field: str, label: str) -> str:
    """A naive local time in ``zone`` as stored UTC; a time the clocks skip is refused."""
    naive = local.replace(tzinfo=None)
    aware = naive.replace(tzinfo=zone)
    if aware.astimezone(timezone.utc).astimezone(zone).replace(tzinfo=None) != naive:
        raise ValidationError(
            f"{label}: {naive:%H:%M} does not exist on {naive:%d %b %Y} in {zone.key} "
            "(the clocks skip it); choose another time.", field=field)
    return clock.to_iso(aware)


def clean(fields: Mapping[str, object]) -> dict:
    """Validate an event form; returns the columns to store.

    ``starts`` and ``ends`` are naive local datetimes read in the event's
    time zone ``tz``; they are stored in UTC.
    """
    name = normalise.text(fields.get("name"), "name", label="Name", limit=200)
    if name is None:
        raise ValidationError("Name: an event needs a name.", field="name")
    kind = fields.get("kind")
    if not isinstance(kind, str) or kind not in EVENT_KINDS:
        raise ValidationError("Kind: choose what kind of event this is.", field="kind")
    tz_name = fields.get("tz")
    try:
        zone = clock.zone(tz_name if isinstance(tz_name, str) else "")
    except ValidationError:
        raise ValidationError(f"Time zone: unknown time zone {normalise.quoted(tz_name)}; use a name like "
                              "Europe/Berlin.", field="tz") from None
    starts, ends = fields.get("starts"), fields.get("ends")
    for value, field, label in ((starts, "starts", "Start"), (ends, "ends", "End")):
        if not isinstance(value, datetime):
            raise ValidationError(f"{label}: give a date and a time.", field=field)
        if not YEARS[0] <= value.year <= YEARS[1]:
            raise ValidationError(f"{label}: choose a year from {YEARS[0]} to {YEARS[1]}.",
                                  field=field)
    starts_at = _stored(starts, zone, "starts", "Start")
    ends_at = _stored(ends, zone, "ends", "End")
    if ends_at < starts_at:
        raise ValidationError("End: the event ends before it starts.", field="ends")
    return {
        "name": name,
        "kind": kind,
        "venue": normalise.text(fields.get("venue"), "venue", label="Venue", limit=200),
        "city": normalise.text(fields.get("city"), "city", label="City", limit=100),
        "tz": tz_name,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "goal_new_people": _goal(fields.get("goal_new_people"), "goal_new_people",
                                 "New people to meet"),
        "goal_competitors": _goal(fields.get("goal_competitors"), "goal_competitors",
                                  "Competitors to meet"),
        "notes": normalise.text(fields.get("notes"), "notes", label="Notes", limit=4000,
                                multiline=True),
    }


def create(db: Database, fields: Mapping[str, object], *, now: datetime | None = None) -> int:
    """Store a new event from form fields; returns its id."""
    values = clean(fields)
    stamp = clock.to_iso(now or clock.utc_now())
    with transaction(db):
        return db.table("events").insert({
            "uid": str(uuid.uuid4()), **values, "created_at": stamp, "updated_at": stamp,
        }).last_pk


def update(db: Database, event_id: int, fields: Mapping[str, object]) -> None:
    """Replace an event's details; check-ins and people met stay attached."""
    values = clean(fields)
    with transaction(db):
        get(db, event_id)
        db.table("events").update(event_id, {**values, "updated_at": clock.now_iso()})


def get(db: Database, event_id: int) -> dict:
    """One event, with its start and end as naive local datetimes for forms."""
    cursor = db.execute("SELECT * FROM events WHERE id = ?",
                        [event_id if is_row_id(event_id) else 0])
    row = cursor.fetchone()
    if row is None:
        raise EventNotFound("This event no longer exists.")
    event = dict(zip([d[0] for d in cursor.description], row))
    zone = clock.zone(event["tz"])
    event["starts"] = clock.from_iso(event["starts_at"]).astimezone(zone).replace(tzinfo=None)
    event["ends"] = clock.from_iso(event["ends_at"]).astimezone(zone).replace(tzinfo=None)
    return event


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


def opens_for_checkin(starts_at: str, tz: str) -> str:
    """The moment check-in opens: midnight of the first day, in the event's zone.

    Arriving early is the point, so the whole first morning counts.
    """
    zone = clock.zone(tz)
    first_day = clock.from_iso(starts_at).astimezone(zone).date()
    return clock.to_iso(datetime.combine(first_day, time(0), zone))


@dataclass(frozen=True)
class Timeline:
    current: list[dict]
    upcoming: list[dict]
    past: list[dict]
    past_total: int


def timeline(db: Database, *, now: datetime | None = None, past_limit: int = 20) -> Timeline:
    """Events running now (check-in open), coming up, and the latest past ones."""
    now_iso = clock.to_iso(now or clock.utc_now())
    columns = "id, name, kind, venue, city, tz, starts_at, ends_at"
    keys = columns.split(", ")

    def rows(sql: str, args: list) -> list[dict]:
        return [dict(zip(keys, r)) for r in db.execute(sql, args).fetchall()]

    # Candidates for "current" end after now and start within a day of it;
    # the exact check-in window is then computed in each event's zone.
    soon = rows(f"SELECT {columns} FROM events WHERE ends_at >= ? AND starts_at <= ? "
                "ORDER BY starts_at", [now_iso, clock.to_iso(
                    clock.from_iso(now_iso) + timedelta(days=2))])
    current = [e for e in soon if opens_for_checkin(e["starts_at"], e["tz"]) <= now_iso]
    current_ids = {e["id"] for e in current}
    upcoming = [e for e in rows(
        f"SELECT {columns} FROM events WHERE ends_at >= ? ORDER BY starts_at LIMIT 50",
        [now_iso]) if e["id"] not in current_ids]
    past = rows(f"SELECT {columns} FROM events WHERE ends_at < ? ORDER BY starts_at DESC "
                "LIMIT ?", [now_iso, past_limit])
    past_total = db.execute("SELECT count(*) FROM events WHERE ends_at < ?",
                            [now_iso]).fetchone()[0]
    return Timeline(current, upcoming, past, past_total)


def scorecard(db: Database, event_id: int) -> dict:
    """How an event went: people met, competitors, fast follow-ups, dialogs, goals.

    People met are those with a "met" touch at the event (new cards and known
    people met again). Followed up within 48 hours and dialogs reached are
    as ``followups.first_followups`` counts them, from meeting at the event.
    """
    event = get(db, event_id)
    people = followups.first_followups(db, event_id=event_id)
    met = len(people)
    competitors = sum(p.kind == "competitor" for p in people)
    fast = sum(p.within_window for p in people)
    dialogs = sum(p.reached_dialog for p in people)
    checkins = db.execute(
        "SELECT checked_in_at FROM checkins WHERE event_id = ? ORDER BY checked_in_at",
        [event_id]).fetchall()
    early = sum(arrived_early(at, event["starts_at"], event["tz"]) for (at,) in checkins)

    def progress(done: int, goal: int) -> float | None:
        return None if not goal else min(done / goal, 1.0)

    return {
        "met": met,
        "competitors": competitors,
        "followed_up_48h": fast,
        "dialogs": dialogs,
        "goal_new_people": event["goal_new_people"],
        "goal_competitors": event["goal_competitors"],
        "new_people_progress": progress(met, event["goal_new_people"]),
        "competitors_progress": progress(competitors, event["goal_competitors"]),
        "checkins": len(checkins),
        "arrived_early": early,
    }


def when(event: Mapping) -> str:
    """An event's dates as people say them, in its own zone: "20–23 Nov 2026"."""
    zone = clock.zone(event["tz"])
    start = clock.from_iso(event["starts_at"]).astimezone(zone)
    end = clock.from_iso(event["ends_at"]).astimezone(zone)
    if start.date() == end.date():
        return f"{start:%a %d %b %Y}, {start:%H:%M}–{end:%H:%M}"
    if (start.year, start.month) == (end.year, end.month):
        return f"{start:%d}–{end:%d %b %Y}"
    if start.year == end.year:
        return f"{start:%d %b}–{end:%d %b %Y}"
    return f"{start:%d %b %Y}–{end:%d %b %Y}"


def choices(db: Database, *, limit: int = 200) -> dict[int, str]:
    """Event ids and labels for pickers, the most recent first."""
    rows = db.execute(
        "SELECT id, name, tz, starts_at, ends_at FROM events ORDER BY starts_at DESC LIMIT ?",
        [limit]).fetchall()
    return {event_id: f"{name} · {_when(tz, starts_at, ends_at)}"
            for event_id, name, tz, starts_at, ends_at in rows}


@functools.lru_cache(maxsize=4096)
def _when(tz: str, starts_at: str, ends_at: str) -> str:
    # Pickers list the same few hundred events on every run.
    return when({"tz": tz, "starts_at": starts_at, "ends_at": ends_at})
