"""The queue and evening triage: follow-ups due by a day, and the days the queue was cleared."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime, time

from sqlite_utils import Database

from fieldkit import clock
from fieldkit.db import transaction
from fieldkit.ladder import is_exhausted


def due_counts(db: Database, today: date) -> dict[str, int]:
    """Open follow-ups of active people due by ``today``, and how many are overdue."""
    due, overdue = db.execute(
        "SELECT count(*), coalesce(sum(f.due_on < :today), 0) "
        "FROM followups f JOIN people c ON c.id = f.person_id "
        "WHERE f.status = 'open' AND f.due_on <= :today AND c.status = 'active'",
        {"today": today.isoformat()},
    ).fetchone()
    return {"due": due, "overdue": overdue}


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
        """
        SELECT f.id AS followup_id, f.due_on, f.reason, f.rung, f.note AS followup_note,
               c.id AS person_id, c.name, c.company, c.title, c.kind, c.important,
               c.email, c.phone, c.linkedin_url, c.met_at, e.name AS event,
               julianday(:today) - julianday(f.due_on) AS days_overdue
        FROM followups f
        JOIN people c ON c.id = f.person_id
        LEFT JOIN events e ON e.id = c.event_id
        WHERE f.status = 'open' AND f.due_on <= :today AND c.status = 'active'
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
        rows.append(row)
    return rows


def mark_cleared(db: Database, tz: str, *, now: datetime | None = None) -> bool:
    """Record today as a triage day if nothing is due; True when the queue is clear.

    Idempotent: the first time the queue is seen clear on a day is when it
    was cleared; ``due_count`` keeps how many actions were taken that day.
    """
    now = now or clock.utc_now()
    today = clock.local_date(now, tz)
    if due_counts(db, today)["due"]:
        return False
    start = clock.to_iso(datetime.combine(today, time(0), clock.zone(tz)))
    with transaction(db):
        acted = db.execute(
            "SELECT count(*) FROM touches WHERE kind IN ('attempt', 'dialog', 'state') "
            "AND undone_at IS NULL AND at >= ?", [start]).fetchone()[0]
        db.execute(
            "INSERT INTO triage_days (day, cleared_at, due_count) VALUES (?, ?, ?) "
            "ON CONFLICT (day) DO NOTHING", [today.isoformat(), clock.to_iso(now), acted])
    return True
