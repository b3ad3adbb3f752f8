"""Coffee debriefs: what a dialog taught, and the assumption board it feeds.

A dialog can carry a debrief: the product assumptions it validated or
invalidated, "why not us", and a next step with a date, which becomes a
follow-up. The board counts the evidence for and against each assumption.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlite_utils import Database

from fieldkit import clock, normalise
from fieldkit.db import transaction
from fieldkit.errors import FieldkitError, ValidationError


class AssumptionError(FieldkitError):
    """An assumption that cannot be added or changed as asked."""


@dataclass(frozen=True)
class Debrief:
    validated: tuple[int, ...] = field(default_factory=tuple)
    invalidated: tuple[int, ...] = field(default_factory=tuple)
    why_not_us: str | None = None
    next_step: str | None = None
    next_step_on: date | None = None

    @property
    def is_empty(self) -> bool:
        return not (self.validated or self.invalidated or self.why_not_us or self.next_step)


def clean(*, validated: Iterable[int] = (), invalidated: Iterable[int] = (),
          why_not_us: str | None = None, next_step: str | None = None,
          next_step_on: date | None = None, today: date | None = None) -> Debrief:
    """Validate a debrief form; raises ValidationError naming the field."""
    validated, invalidated = tuple(dict.fromkeys(validated)), tuple(dict.fromkeys(invalidated))
    both = set(validated) & set(invalidated)
    if both:
        raise ValidationError("Assumptions: one dialog cannot both validate and invalidate "
                              "the same assumption.", field="invalidated")
    if next_step_on is not None and (not isinstance(next_step_on, date)
                                     or isinstance(next_step_on, datetime)):
        raise ValidationError("Next step: its date must be a day.", field="next_step_on")
    step = normalise.text(next_step, "next_step", label="Next step", limit=300)
    if step and next_step_on is None:
        raise ValidationError("Next step: give it a date.", field="next_step_on")
    if next_step_on is not None and not step:
        raise ValidationError("Next step: say what it is.", field="next_step")
    if step and today and next_step_on < today:
        raise ValidationError("Next step: the date is in the past.", field="next_step_on")
    return Debrief(
        validated=validated,
        invalidated=invalidated,
        why_not_us=normalise.text(why_not_us, "why_not_us", label="Why not us", limit=2000,
                                  multiline=True),
        next_step=step,
        next_step_on=next_step_on if step else None,
    )


def record(db: Database, touch_id: int, debrief: Debrief, *,
           now: datetime | None = None) -> int | None:
    """Store a debrief on a dialog touch; returns the next step's follow-up id.

    Runs inside the caller's transaction when there is one (logging the
    dialog and its debrief land together).
    """
    stamp = clock.to_iso(now or clock.utc_now())
    with transaction(db):
        row = db.execute("SELECT person_id, kind FROM touches WHERE id = ?",
                         [touch_id]).fetchone()
        if row is None or row[1] != "dialog":
            raise FieldkitError("A debrief belongs to a dialog.")
        person_id = row[0]
        known = {i for (i,) in db.execute("SELECT id FROM assumptions")}
        for assumption_id in (*debrief.validated, *debrief.invalidated):
            if assumption_id not in known:
                raise ValidationError("Assumptions: one of them no longer exists.",
                                      field="validated")
        followup_id = None
        if debrief.next_step:
            followup_id = db.execute(
                "INSERT INTO followups (uid, person_id, due_on, reason, note, status, "
                "created_at) VALUES (?, ?, ?, 'next_step', ?, 'open', ?)",
                [str(uuid.uuid4()), person_id, debrief.next_step_on.isoformat(),
                 debrief.next_step, stamp]).lastrowid
        db.execute(
            "INSERT INTO debriefs (touch_id, why_not_us, next_step, followup_id) "
            "VALUES (?, ?, ?, ?)", [touch_id, debrief.why_not_us, debrief.next_step, followup_id])
        for verdict, ids in (("validated", debrief.validated),
                             ("invalidated", debrief.invalidated)):
            for assumption_id in ids:
                db.execute(
                    "INSERT INTO evidence (assumption_id, touch_id, verdict, created_at) "
                    "VALUES (?, ?, ?, ?)", [assumption_id, touch_id, verdict, stamp])
    return followup_id


def add_assumption(db: Database, text: str, *, now: datetime | None = None) -> int:
    """Put an assumption on the board; the same words twice are refused."""
    cleaned = normalise.text(text, "assumption", label="Assumption", limit=300)
    if cleaned is None:
        raise ValidationError("Assumption: write what you believe to be true.",
                              field="assumption")
    stamp = clock.to_iso(now or clock.utc_now())
    try:
        with transaction(db):
            return db.execute(
                "INSERT INTO assumptions (text, status, created_at) VALUES (?, 'open', ?)",
                [cleaned, stamp]).lastrowid
    except sqlite3.IntegrityError:
        raise AssumptionError(f"{normalise.quoted(cleaned, 80)} is already on the board.") from None


def set_status(db: Database, assumption_id: int, status: str) -> None:
    """Retire an assumption (no longer offered in debriefs) or bring it back."""
    if status not in ("open", "retired"):
        raise ValidationError("Status: open or retired.", field="status")
    with transaction(db):
        changed = db.execute("UPDATE assumptions SET status = ? WHERE id = ?",
                             [status, assumption_id]).rowcount
    if not changed:
        raise AssumptionError("That assumption no longer exists.")


def open_assumptions(db: Database) -> dict[int, str]:
    """Assumptions a debrief can test: id -> text, oldest first."""
    return dict(db.execute(
        "SELECT id, text FROM assumptions WHERE status = 'open' ORDER BY id").fetchall())


def board(db: Database) -> list[dict]:
    """Every assumption with the evidence for and against it, most tested first.

    Evidence from undone dialogs does not count.
    """
    cursor = db.execute(
        """
        SELECT a.id, a.text, a.status,
               count(t.id) FILTER (WHERE e.verdict = 'validated') AS validated,
               count(t.id) FILTER (WHERE e.verdict = 'invalidated') AS invalidated,
               max(t.at) AS last_at
        FROM assumptions a
        LEFT JOIN evidence e ON e.assumption_id = a.id
        LEFT JOIN touches t ON t.id = e.touch_id AND t.undone_at IS NULL
        GROUP BY a.id
        ORDER BY a.status, validated + invalidated DESC, a.id
        """)
    keys = [d[0] for d in cursor.description]
    return [dict(zip(keys, row)) for row in cursor.fetchall()]
