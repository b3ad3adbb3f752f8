"""The follow-up queue: what is due."""

from __future__ import annotations

from datetime import date

from sqlite_utils import Database


def due_counts(db: Database, today: date) -> dict[str, int]:
    """Open follow-ups of active people due by ``today``, and how many are overdue."""
    due, overdue = db.execute(
        "SELECT count(*), coalesce(sum(f.due_on < :today), 0) "
        "FROM followups f JOIN contacts c ON c.id = f.contact_id "
        "WHERE f.status = 'open' AND f.due_on <= :today AND c.status = 'active'",
        {"today": today.isoformat()},
    ).fetchone()
    return {"due": due, "overdue": overdue}
