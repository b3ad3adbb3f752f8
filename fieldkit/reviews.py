"""People stored without the user looking at them first, waiting for a look.

A card sent from the booth page that looks like someone known is stored
anyway (nobody was there to answer "is this them?") and put here with the
people it looks like; so is one whose empty fields were read from its card
photo when it arrived (nobody has checked what was read). Today lists them; the user keeps both, merges them or
opens the person, and the review ends. Deleting or merging the person ends
it too.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime

from sqlite_utils import Database

from fieldkit import clock
from fieldkit.db import transaction

REASONS = {"twin": "looks like someone you know",
           "read": "was filled in from its card photo"}


def flag(db: Database, person_id: int, reason: str, twin_ids: Iterable[int] = (),
         *, now: datetime | None = None) -> None:
    """Put ``person_id`` up for review (again: the newest reason stands)."""
    if reason not in REASONS:
        raise ValueError(f"unknown review reason {reason!r}")
    db.execute(
        "INSERT INTO reviews (person_id, reason, twins, created_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (person_id) DO UPDATE SET reason = excluded.reason, "
        "twins = excluded.twins, created_at = excluded.created_at",
        [person_id, reason, json.dumps(sorted(set(twin_ids))),
         clock.to_iso(now or clock.utc_now())])


def pending(db: Database) -> list[dict]:
    """People waiting for review, oldest first, each with the people they look like.

    A person merged away since is no longer waiting; a twin merged or deleted
    since is left out of the list.
    """
    rows = db.execute(
        "SELECT r.person_id, p.name, p.company, r.reason, r.twins, r.created_at "
        "FROM reviews r JOIN people p ON p.id = r.person_id "
        "WHERE p.status != 'merged' ORDER BY r.created_at, r.person_id").fetchall()
    waiting = []
    for person_id, name, company, reason, twins, created_at in rows:
        ids = json.loads(twins)
        known = db.execute(
            f"SELECT id, name, company FROM people WHERE status != 'merged' "
            f"AND id IN ({', '.join('?' * len(ids))}) ORDER BY name", ids).fetchall() if ids else []
        waiting.append({"person_id": person_id, "name": name, "company": company,
                        "reason": reason, "why": REASONS[reason], "created_at": created_at,
                        "twins": [{"id": i, "name": n, "company": c} for i, n, c in known]})
    return waiting


def done(db: Database, person_id: int) -> bool:
    """The user has looked at ``person_id``: the review ends. False when there was none."""
    with transaction(db):
        return db.execute("DELETE FROM reviews WHERE person_id = ?", [person_id]).rowcount > 0
