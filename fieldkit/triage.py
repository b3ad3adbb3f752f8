"""The queue and evening triage: follow-ups due by a day, and the days the queue was cleared."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlite_utils import Database

from fieldkit import clock
from fieldkit.ladder import is_exhausted


# What is on the queue by :today: open follow-ups (f) of active people (c).
_DUE = "f.status = 'open' AND f.due_on <= :today AND c.status = 'active'"


def due_counts(db: Database, today: date) -> dict[str, int]:
    """Open follow-ups of active people due by ``today``, and how many are overdue."""
    due, overdue = db.execute(
        "SELECT count(*), coalesce(sum(f.due_on < :today), 0) "
        f"FROM followups f JOIN people c ON c.id = f.person_id WHERE {_DUE}",
        {"today": today.isoformat()},
    ).fetchone()
    return {"due": due, "overdue": overdue}


def _anything_due(db: Database, today: date) -> bool:
    # Stops at the first one: a write asks twice, and a heavy queue holds hundreds.
    return db.execute(
        "SELECT EXISTS (SELECT 1 FROM followups f JOIN people c ON c.id = f.person_id "
        f"WHERE {_DUE})", {"today": today.isoformat()}).fetchone()[0] == 1


def due(db: Database, today: date, *, ladder_gaps: Sequence[int], limit: int = 20,
        offset: int = 0, exclude: Sequence[int] = ()) -> list[dict]:
    """Open follow-ups due by ``today`` for active people, most overdue first.

    Within a day, important people come first. Follow-ups whose ids are in
    ``exclude`` (skipped for now) are left out. Each row carries what the
    triage card shows and what the message templates need: where and when
    the person was met, their channels, and whether the ladder is climbed
    (``exhausted``: every rung tried without a dialog; suggest letting go).
    """
    cursor = db.execute(
        f"""
        SELECT f.id AS followup_id, f.due_on, f.reason, f.rung, f.note AS followup_note,
               c.id AS person_id, c.name, c.company, c.title, c.kind, c.important,
               c.email, c.phone, c.linkedin_url, c.met_at, e.name AS event,
               julianday(:today) - julianday(f.due_on) AS days_overdue
        FROM followups f
        JOIN people c ON c.id = f.person_id
        LEFT JOIN events e ON e.id = c.event_id
        WHERE {_DUE}
          AND f.id NOT IN (SELECT value FROM json_each(:exclude))
        ORDER BY f.due_on, c.important DESC, c.name, f.id
        LIMIT :limit OFFSET :offset
        """,
        {"today": today.isoformat(), "limit": limit, "offset": offset,
         "exclude": json.dumps([int(i) for i in exclude])},
    )
    keys = [d[0] for d in cursor.description]
    rows = []
    for values in cursor.fetchall():
        row = dict(zip(keys, values))
        row["days_overdue"] = int(row["days_overdue"])
        row["exhausted"] = row["reason"] == "ladder" and is_exhausted(row["rung"] or 1,
                                                                        ladder_gaps)
        row["met_today"] = False
        rows.append(row)
    return rows


def _day_bounds(today: date, tz: str) -> tuple[str, str]:
    """The user's calendar day ``today`` in ``tz`` as stored UTC instants [start, end)."""
    zone = clock.zone(tz)
    start = datetime.combine(today, time(0), zone)
    end = datetime.combine(today + timedelta(days=1), time(0), zone)
    return clock.to_iso(start), clock.to_iso(end)


# Met today (m): people whose first meeting of the day (in the user's zone) is
# not yet followed by an attempt or a dialog, active, with their ladder or
# keep-in-touch follow-up (f) open, and nothing due: someone due is on the
# due list, never on both.
_MET_TODAY = """
    WITH m AS (
        SELECT person_id, min(at) AS at FROM touches
        WHERE kind = 'met' AND undone_at IS NULL AND at >= :start AND at < :end
        GROUP BY person_id
    )
    SELECT {columns}
    FROM m
    JOIN people c ON c.id = m.person_id
    JOIN followups f ON f.id = (
        SELECT max(id) FROM followups WHERE person_id = c.id AND status = 'open'
        AND reason IN ('ladder', 'keep_in_touch'))
    LEFT JOIN events e ON e.id = (
        SELECT event_id FROM touches WHERE person_id = c.id AND kind = 'met'
        AND undone_at IS NULL AND at = m.at ORDER BY id LIMIT 1)
    WHERE c.status = 'active'
      AND NOT EXISTS (SELECT 1 FROM touches a WHERE a.person_id = c.id
                      AND a.kind IN ('attempt', 'dialog') AND a.undone_at IS NULL
                      AND a.at >= m.at)
      AND NOT EXISTS (SELECT 1 FROM followups d WHERE d.person_id = c.id
                      AND d.status = 'open' AND d.due_on <= :today)
"""


def met_today(db: Database, today: date, tz: str, *, limit: int = 20,
              exclude: Sequence[int] = ()) -> list[dict]:
    """People met on ``today`` (in ``tz``) who have had no attempt or dialog since.

    The evening's "good to meet you" list: first met first. Each row has the
    shape of a ``due`` row (its follow-up is the open one of the ladder, due
    tomorrow for a new card) plus ``met_today``; ``met_at`` and ``event`` are
    today's meeting. Someone with anything due is on the due list instead,
    so nobody is on both. Follow-ups in ``exclude`` (skipped) are left out.
    """
    start, end = _day_bounds(today, tz)
    columns = """f.id AS followup_id, f.due_on, f.reason, f.rung, f.note AS followup_note,
        c.id AS person_id, c.name, c.company, c.title, c.kind, c.important,
        c.email, c.phone, c.linkedin_url, m.at AS met_at, e.name AS event"""
    cursor = db.execute(
        _MET_TODAY.format(columns=columns)
        + " AND f.id NOT IN (SELECT value FROM json_each(:exclude))"
        " ORDER BY m.at, c.name, c.id LIMIT :limit",
        {"start": start, "end": end, "today": today.isoformat(), "limit": limit,
         "exclude": json.dumps([int(i) for i in exclude])})
    keys = [d[0] for d in cursor.description]
    return [dict(zip(keys, values), days_overdue=0, exhausted=False, met_today=True)
            for values in cursor.fetchall()]


def met_today_count(db: Database, today: date, tz: str) -> int:
    """How many people ``met_today`` lists (with no limit)."""
    start, end = _day_bounds(today, tz)
    return db.execute(_MET_TODAY.format(columns="count(*)"),
                      {"start": start, "end": end, "today": today.isoformat()}).fetchone()[0]


# What the queue shows today (QueueState.state).
NEWCOMER = "newcomer"  # nobody met yet: nothing to follow up, nothing cleared
CLEARED = "cleared"  # people met, nothing due
DUE = "due"  # something due today or overdue


@dataclass(frozen=True)
class QueueState:
    """The queue today: NEWCOMER, CLEARED or DUE, and how many are due and overdue."""

    state: str
    due: int
    overdue: int
    triage_day: bool  # today already counts toward the triage streak


def _nobody_met(db: Database) -> bool:
    # Merged people live on in the person they were merged into.
    return db.execute(
        "SELECT NOT EXISTS (SELECT 1 FROM people WHERE status != 'merged')").fetchone()[0] == 1


def queue_state(db: Database, today: date) -> QueueState:
    """Whether the queue on ``today`` has people due, is cleared, or awaits a first card.

    A pure read: the triage day is recorded by the writes that clear the
    queue (``record_if_cleared``), never by looking at it.
    """
    counts = due_counts(db, today)
    if counts["due"]:
        state = DUE
    else:
        # Nobody met yet is not a cleared queue.
        state = NEWCOMER if _nobody_met(db) else CLEARED
    counted = db.execute("SELECT 1 FROM triage_days WHERE day = ?",
                         [today.isoformat()]).fetchone() is not None
    return QueueState(state, counts["due"], counts["overdue"], counted)


def _record_day(db: Database, today: date, tz: str, now: datetime) -> bool:
    """Record ``today`` as a triage day unless nobody was met yet; True when it is one."""
    if _nobody_met(db):
        return False
    if db.execute("SELECT 1 FROM triage_days WHERE day = ?", [today.isoformat()]).fetchone():
        return True  # the first time the queue was clear that day is when it was cleared
    start, _ = _day_bounds(today, tz)
    acted = db.execute(
        "SELECT count(*) FROM touches WHERE kind IN ('attempt', 'dialog', 'state') "
        "AND undone_at IS NULL AND at >= ?", [start]).fetchone()[0]
    db.execute(
        "INSERT INTO triage_days (day, cleared_at, due_count) VALUES (?, ?, ?) "
        "ON CONFLICT (day) DO NOTHING", [today.isoformat(), clock.to_iso(now), acted])
    return True


@contextlib.contextmanager
def record_if_cleared(db: Database, tz: str, *, now: datetime) -> Iterator[None]:
    """Around a write, in its transaction: record today if it took the last due follow-up off.

    Today is the day of ``now`` in ``tz``. When something was due before the
    write and nothing is after it, today becomes a triage day, recorded
    once: ``due_count`` keeps how many actions (attempts, dialogs, state
    changes, not undone) were taken that day by then. A write that leaves
    something due, or acts when nothing was due, records nothing; a later
    write that brings something back (an undo) leaves the day recorded.
    """
    today = clock.local_date(now, tz)
    day = today.isoformat()
    recorded = db.execute("SELECT 1 FROM triage_days WHERE day = ?", [day]).fetchone()
    was_due = not recorded and _anything_due(db, today)
    yield
    if was_due and not _anything_due(db, today):
        _record_day(db, today, tz, now)
