"""Test data: cards saved the way the app saves them, and raw rows for exact setups.

``save_card`` goes through the core (cards.clean, then cards.save) as a card
typed into the capture form does, so the person arrives with their "met"
touch and first follow-up; ``save_imported`` goes through cards.add_imported
as an import does, so the person arrives without either. The ``add_*``
functions insert one raw row, the columns a test names over valid defaults,
for tests that need exact rows without the core's side effects (and for the
schema's own tests).

Plain functions and constants, no pytest: import them as
``from tests.factory import ...``.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
from collections.abc import Mapping
from datetime import date, datetime, timezone

from fieldkit import cards, config

UTC = timezone.utc
SETTINGS = config.defaults()  # time zone UTC, phone region US, ladder 2, 4, 7, 14, 30
NOW = datetime(2026, 3, 10, 14, 0, tzinfo=UTC)  # when a card is saved unless a test says
STAMP = "2026-03-01T09:00:00Z"  # every time column of a raw row unless a test gives its own
SAMPLE_DAY = date(2026, 11, 22)  # the day the anchored sample (conftest) is built around

# Raw rows need unique uids; one counter for the whole run keeps them apart.
_uids = itertools.count(1)


def d(text: str) -> date:
    """The calendar day ``YYYY-MM-DD``."""
    return date.fromisoformat(text)


def at(day: str | date, hour: int = 10, minute: int = 0, tz=UTC) -> datetime:
    """An aware moment on ``day`` (default 10:00 UTC)."""
    day = d(day) if isinstance(day, str) else day
    return datetime.combine(day, datetime.min.time(), tz).replace(hour=hour, minute=minute)


def utc(text: str) -> datetime:
    """A stored instant such as ``2026-03-01T09:00:00Z`` as an aware datetime."""
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def iso(moment: datetime | str) -> str:
    """An instant as FieldKit stores it (UTC, ``YYYY-MM-DDTHH:MM:SSZ``); text passes as is."""
    if isinstance(moment, str):
        return moment
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def save_card(db, name: str = "Ada Lovelace", *, at: datetime | None = NOW,
              settings: Mapping = SETTINGS, event_id: int | None = None, photo=None,
              memo=None, uid: str | None = None, source: str = "capture", **fields) -> int:
    """A card typed and saved at ``at``; returns the person's id.

    ``fields`` are the form's other fields (kind, company, phone, tags, ...);
    a phone without +country is read in ``settings["phone_region"]``, as the
    capture form reads it (pass ``{**SETTINGS, "phone_region": "DE"}`` for
    German numbers). ``photo`` and ``memo`` are already prepared
    (photos.prepare, memos.prepare); ``uid`` and ``source`` go to cards.save.
    ``at=None`` saves at the real current time, for page tests.
    """
    card = _clean(name, fields, settings)
    return cards.save(db, card, settings=settings, event_id=event_id, photo=photo, memo=memo,
                      now=at, uid=uid, source=source)


def save_imported(db, name: str = "Ada Lovelace", *, source: str, met_at: datetime | str,
                  stored_at: datetime | str | None = None, settings: Mapping = SETTINGS,
                  **fields) -> int:
    """A person as an import stores them (cards.add_imported); returns their id.

    The fields are cleaned as an import cleans a file's row, a phone read in
    ``settings["phone_region"]``; ``source`` is "vcard", "linkedin", "scan", ...
    The person gets no "met" touch and no follow-up. The import ran at
    ``stored_at`` (created_at, updated_at), the moment of ``met_at`` unless
    given: never NOW, so a later import at NOW shows in updated_at.
    """
    card = _clean(name, fields, settings)
    return cards.add_imported(db, card, source=source, met_at=iso(met_at),
                              now=utc(iso(stored_at or met_at)))


def _clean(name: str, fields: Mapping, settings: Mapping) -> cards.Card:
    # "values": more emails, phones and addresses, as cards.clean takes them.
    unknown = set(fields) - {f.name for f in dataclasses.fields(cards.Card)} - {"values"}
    if unknown:  # cards.clean would drop them without a word
        raise TypeError(f"not a card field: {', '.join(sorted(unknown))}")
    return cards.clean({"name": name, **fields}, phone_region=settings.get("phone_region"))


def _insert(db, table: str, row: Mapping) -> int:
    columns = ", ".join(f"[{column}]" for column in row)
    marks = ", ".join("?" for _ in row)
    return db.execute(f"INSERT INTO [{table}] ({columns}) VALUES ({marks})",
                      list(row.values())).lastrowid


def add_person(db, **columns) -> int:
    """A raw ``people`` row (Ada Lovelace, met at STAMP unless given); returns its id.

    No touch, no follow-up, no tags: only the row.
    """
    return _insert(db, "people", {
        "uid": f"person-{next(_uids)}", "name": "Ada Lovelace", "met_at": STAMP,
        "created_at": STAMP, "updated_at": STAMP, **columns})


def add_touch(db, person_id: int, at: datetime | str, kind: str = "attempt",
              **columns) -> int:
    """A raw ``touches`` row of ``person_id`` at ``at``; returns its id.

    ``created_at`` is ``at`` unless given; a ``data`` mapping is stored as JSON,
    as the core stores it.
    """
    stamp = iso(at)
    if isinstance(columns.get("data"), Mapping):
        columns["data"] = json.dumps(columns["data"])
    return _insert(db, "touches", {
        "person_id": person_id, "at": stamp, "kind": kind, "created_at": stamp, **columns})


def add_followup(db, person_id: int, due_on: date | str = "2026-03-05", **columns) -> int:
    """A raw ``followups`` row of ``person_id`` due on ``due_on`` (open, ladder); returns its id."""
    return _insert(db, "followups", {
        "uid": f"followup-{next(_uids)}", "person_id": person_id, "due_on": str(due_on),
        "reason": "ladder", "created_at": STAMP, **columns})


def add_event(db, **columns) -> int:
    """A raw ``events`` row (Hannover Messe in Berlin); returns its id.

    Unless given, it runs through all of 2026, so any check-in a test adds
    falls inside it.
    """
    return _insert(db, "events", {
        "uid": f"event-{next(_uids)}", "name": "Hannover Messe", "kind": "trade_show",
        "tz": "Europe/Berlin", "starts_at": "2026-01-01T08:00:00Z",
        "ends_at": "2026-12-31T17:00:00Z", "created_at": STAMP, "updated_at": STAMP, **columns})


def add_checkin(db, event_id: int, checked_in_at: datetime | str,
                checked_out_at: datetime | str | None = None) -> int:
    """A raw ``checkins`` row, open unless ``checked_out_at`` is given; returns its id."""
    return _insert(db, "checkins", {
        "event_id": event_id, "checked_in_at": iso(checked_in_at),
        "checked_out_at": None if checked_out_at is None else iso(checked_out_at)})


def add_triage_day(db, day: date | str, cleared_at: str = STAMP, due_count: int = 0) -> None:
    """A raw ``triage_days`` row: the queue was cleared on ``day``."""
    _insert(db, "triage_days", {"day": str(day), "cleared_at": cleared_at,
                                "due_count": due_count})


def count(db, table: str) -> int:
    """The number of rows in ``table``."""
    return db.execute(f"SELECT count(*) FROM [{table}]").fetchone()[0]


def triage_days(db) -> list[tuple]:
    """Every triage day cleared, as (day, cleared_at, due_count) in day order."""
    return db.execute("SELECT day, cleared_at, due_count FROM triage_days ORDER BY day").fetchall()


def locked_file(path, password: str) -> str:
    """A database file at ``path`` with ``password`` set and one device signed in: its token."""
    from fieldkit import access, db as fdb

    with fdb.connect(path) as conn:
        access.set_password(conn, password)
        return access.sign_in_device(conn, password, client="192.0.2.10")
