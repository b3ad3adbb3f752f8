"""What changed on the phone's address book and calendar since its last sync.

Triggers made by migration 0010 note every write that changes a card or an
event in ``dav_changes``: one row per href (a card or an event, also one
that is gone: a tombstone), numbered anew at each change. A sync token is
the log's name and the number of its last change; a phone that sends one
back gets the hrefs changed after it. A token of another log (another
database file, or from before a restore) or from ahead of the log is
stale: the phone must start over.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping

from sqlite_utils import Database

from fieldkit.db import transaction
from fieldkit.errors import FieldkitError
from fieldkit.migrations import MIGRATION_SET

MIGRATION = "0010_dav"  # made the change log

BOOKS = ("contacts", "followups")
TOKEN_PREFIX = "http://fieldkit.invalid/ns/sync/"
_TOKEN = re.compile(re.escape(TOKEN_PREFIX) + r"([0-9a-f]{16})-([0-9]{1,18})")
# Properties a client may set on a collection (its colour, its order, its
# description); the name and the kind of a collection are FieldKit's.
MAX_PROPS_BYTES = 16_384


class StaleToken(FieldkitError):
    """A sync token this log did not give, or no longer can answer: start over."""


def log_name(db: Database, book: str) -> str:
    """The name of the book's change log in this database file, since its last restore.

    Made of when migration 0010 made the log and of the last restore
    (fieldkit.backup records each): a token from another file, or from
    before a backup was restored over this one, is stale here.
    """
    made, restored = db.execute(
        "SELECT (SELECT applied_at FROM _sqlite_migrations WHERE migration_set = ? "
        "AND name = ?), (SELECT id || ' ' || at || ' ' || sha256 FROM import_runs "
        "WHERE kind = 'restore' ORDER BY id DESC LIMIT 1)", [MIGRATION_SET, MIGRATION]).fetchone()
    return hashlib.sha256(f"{made}|{restored}|{book}".encode()).hexdigest()[:16]


def last_change(db: Database, book: str) -> int:
    """The number of the book's last change (0 before any)."""
    row = db.execute("SELECT max(seq) FROM dav_changes WHERE book = ?", [book]).fetchone()
    return row[0] or 0


def token(db: Database, book: str) -> str:
    """The book's sync token now."""
    return f"{TOKEN_PREFIX}{log_name(db, book)}-{last_change(db, book)}"


def changed_since(db: Database, book: str, old_token: str) -> list[str]:
    """The hrefs changed (or gone) since ``old_token``, oldest change first.

    Raises StaleToken for a token this log cannot answer.
    """
    match = _TOKEN.fullmatch(old_token.strip()) if isinstance(old_token, str) else None
    if match is None or match[1] != log_name(db, book):
        raise StaleToken("This sync token is not one of this address book's or calendar's.")
    seq = int(match[2])
    if seq > last_change(db, book):
        raise StaleToken("This sync token is ahead of the change log (a restored backup?).")
    return [href for (href,) in db.execute(
        "SELECT href FROM dav_changes WHERE book = ? AND seq > ? ORDER BY seq", [book, seq])]


def change_numbers(db: Database, book: str, hrefs: list[str] | None = None) -> dict[str, int]:
    """The number of each href's last change (all of the book's without ``hrefs``)."""
    if hrefs is None:
        rows = db.execute("SELECT href, seq FROM dav_changes WHERE book = ?", [book])
    else:
        rows = db.execute(
            "SELECT href, seq FROM dav_changes WHERE book = ? AND href IN "
            "(SELECT value FROM json_each(?))", [book, json.dumps(hrefs)])
    return dict(rows.fetchall())


def props(db: Database, book: str) -> dict[str, str]:
    """The properties clients set on the book (a colour ...)."""
    row = db.execute("SELECT props FROM dav_books WHERE book = ?", [book]).fetchone()
    return json.loads(row[0]) if row else {}


def set_props(db: Database, book: str, changes: Mapping[str, str]) -> None:
    """Keep what a client set on the book, in one write; "" removes a property."""
    with transaction(db):
        kept = props(db, book)
        for key, value in changes.items():
            if not isinstance(key, str) or not isinstance(value, str):
                raise ValueError("collection properties are text")
            if value:
                kept[key] = value
            else:
                kept.pop(key, None)
        text = json.dumps(kept, sort_keys=True, ensure_ascii=False)
        if len(text.encode()) > MAX_PROPS_BYTES:
            raise ValueError("too many collection properties")
        db.execute("INSERT INTO dav_books (book, props) VALUES (?, ?) "
                   "ON CONFLICT (book) DO UPDATE SET props = excluded.props", [book, text])


def collection_tag(db: Database, book: str) -> str:
    """The book's ctag: changes with every change of an item or a property, else stays."""
    stamp = f"{log_name(db, book)}-{last_change(db, book)}"
    extra = hashlib.sha256(json.dumps(props(db, book), sort_keys=True).encode()).hexdigest()
    return f'"{stamp}-{extra[:12]}"'
