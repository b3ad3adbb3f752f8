"""The one SQLite file: opening it, migrating it, writing to it safely.

Every run of a page opens its own connection (``with connect(path) as db:``);
SQLite connections are cheap and a shared one fails across Streamlit's
threads. Writes that read before they write go through ``transaction(db)``,
which takes the write lock up front so two tabs never deadlock.
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

from sqlite_utils import Database, Migrations

from fieldkit.errors import DatabaseBusy, DatabaseError

BUSY_TIMEOUT_MS = 10_000
MIGRATION_SET = "fieldkit"

migrations = Migrations(MIGRATION_SET)

# Tables the product owns, in the order `info` lists them.
TABLES = (
    "settings",
    "events",
    "checkins",
    "people",
    "labelled_values",
    "person_tags",
    "attachments",
    "call_sessions",
    "touches",
    "followups",
    "debriefs",
    "assumptions",
    "evidence",
    "triage_days",
    "import_runs",
    "sign_in",
    "devices",
    "received_cards",
    "reviews",
)


@migrations(name="0001_initial")
def _initial(db: Database) -> None:
    # Shipped: never edit this migration; add a new one instead.
    db.executescript(
        """
        CREATE TABLE settings (
            name TEXT PRIMARY KEY,
            value TEXT NOT NULL,          -- JSON
            updated_at TEXT NOT NULL
        ) STRICT;

        CREATE TABLE events (
            id INTEGER PRIMARY KEY,
            uid TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL CHECK (length(trim(name, ' ' || char(9, 10, 13))) > 0),
            kind TEXT NOT NULL CHECK (kind IN ('trade_show', 'conference',
                'seminar', 'meetup', 'customer_visit', 'internal')),
            venue TEXT,
            city TEXT,
            tz TEXT NOT NULL,
            starts_at TEXT NOT NULL,
            ends_at TEXT NOT NULL CHECK (ends_at >= starts_at),
            goal_new_people INTEGER NOT NULL DEFAULT 0 CHECK (goal_new_people >= 0),
            goal_competitors INTEGER NOT NULL DEFAULT 0 CHECK (goal_competitors >= 0),
            notes TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        ) STRICT;
        CREATE INDEX events_starts_at ON events (starts_at);
        CREATE INDEX events_ends_at ON events (ends_at);

        CREATE TABLE checkins (
            id INTEGER PRIMARY KEY,
            event_id INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
            checked_in_at TEXT NOT NULL,
            checked_out_at TEXT CHECK (checked_out_at IS NULL
                OR checked_out_at >= checked_in_at)
        ) STRICT;
        CREATE INDEX checkins_event ON checkins (event_id);
        CREATE INDEX checkins_checked_in_at ON checkins (checked_in_at);
        -- At most one open check-in: the event new cards default to.
        CREATE UNIQUE INDEX checkins_one_open ON checkins (checked_out_at IS NULL)
            WHERE checked_out_at IS NULL;

        CREATE TABLE contacts (
            id INTEGER PRIMARY KEY,
            uid TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL CHECK (length(trim(name, ' ' || char(9, 10, 13))) > 0),
            -- Name and company without case, accents or extra spaces, for
            -- spotting the same person typed twice (normalise.match_key).
            name_key TEXT,
            company_key TEXT,
            kind TEXT NOT NULL DEFAULT 'other' CHECK (kind IN ('customer',
                'prospect', 'competitor', 'vendor', 'partner', 'colleague',
                'press', 'other')),
            department TEXT,
            company TEXT,
            title TEXT,
            email TEXT,
            phone TEXT,
            linkedin_url TEXT,
            website TEXT,
            note TEXT,
            important INTEGER NOT NULL DEFAULT 0 CHECK (important IN (0, 1)),
            tz TEXT,
            cadence_days INTEGER CHECK (cadence_days IS NULL OR cadence_days > 0),
            status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active',
                'let_go', 'declined', 'merged')),
            merged_into INTEGER REFERENCES contacts (id) ON DELETE SET NULL,
            event_id INTEGER REFERENCES events (id) ON DELETE SET NULL,
            met_at TEXT NOT NULL,
            source TEXT NOT NULL DEFAULT 'capture' CHECK (source IN ('capture',
                'scan', 'linkedin', 'vcard', 'sample', 'merge')),
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        ) STRICT;
        CREATE INDEX contacts_met_at ON contacts (met_at);
        CREATE INDEX contacts_kind ON contacts (kind, met_at);
        CREATE INDEX contacts_event ON contacts (event_id);
        CREATE INDEX contacts_status ON contacts (status);
        CREATE INDEX contacts_email ON contacts (email COLLATE NOCASE)
            WHERE email IS NOT NULL;
        CREATE INDEX contacts_phone ON contacts (phone) WHERE phone IS NOT NULL;
        CREATE INDEX contacts_linkedin ON contacts (linkedin_url)
            WHERE linkedin_url IS NOT NULL;
        CREATE INDEX contacts_name_company ON contacts (name_key, company_key);

        CREATE TABLE contact_tags (
            contact_id INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
            tag TEXT NOT NULL CHECK (length(trim(tag, ' ' || char(9, 10, 13))) > 0),
            PRIMARY KEY (contact_id, tag)
        ) STRICT, WITHOUT ROWID;
        CREATE INDEX contact_tags_tag ON contact_tags (tag, contact_id);

        CREATE TABLE attachments (
            id INTEGER PRIMARY KEY,
            contact_id INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
            kind TEXT NOT NULL CHECK (kind IN ('card_photo', 'voice_memo')),
            mime TEXT NOT NULL,
            bytes INTEGER NOT NULL CHECK (bytes >= 0),
            data BLOB NOT NULL,
            created_at TEXT NOT NULL
        ) STRICT;
        CREATE INDEX attachments_contact ON attachments (contact_id, kind);

        CREATE TABLE call_sessions (
            id INTEGER PRIMARY KEY,
            started_at TEXT NOT NULL,
            ended_at TEXT CHECK (ended_at IS NULL OR ended_at >= started_at),
            audience TEXT,                -- JSON: whom the session chose to call
            note TEXT
        ) STRICT;

        CREATE TABLE touches (
            id INTEGER PRIMARY KEY,
            contact_id INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
            event_id INTEGER REFERENCES events (id) ON DELETE SET NULL,
            call_session_id INTEGER REFERENCES call_sessions (id) ON DELETE SET NULL,
            at TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('met', 'attempt', 'dialog',
                'note', 'state')),
            channel TEXT CHECK (channel IS NULL OR channel IN ('in_person',
                'email', 'sms', 'message', 'linkedin', 'call', 'voicemail',
                'video', 'coffee', 'meeting', 'other')),
            outcome TEXT,
            minutes INTEGER NOT NULL DEFAULT 0 CHECK (minutes >= 0),
            note TEXT,
            data TEXT,                    -- JSON: what a state change changed
            undone_at TEXT,
            created_at TEXT NOT NULL
        ) STRICT;
        CREATE INDEX touches_contact_at ON touches (contact_id, at);
        CREATE INDEX touches_at ON touches (at);
        CREATE INDEX touches_kind_at ON touches (kind, at);
        CREATE INDEX touches_event ON touches (event_id) WHERE event_id IS NOT NULL;
        CREATE INDEX touches_call_session ON touches (call_session_id)
            WHERE call_session_id IS NOT NULL;

        CREATE TABLE followups (
            id INTEGER PRIMARY KEY,
            uid TEXT NOT NULL UNIQUE,
            contact_id INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
            due_on TEXT NOT NULL CHECK (due_on GLOB
                '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
            reason TEXT NOT NULL CHECK (reason IN ('ladder', 'keep_in_touch',
                'next_step')),
            rung INTEGER CHECK (rung IS NULL OR rung >= 1),
            note TEXT,
            status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done',
                'let_go', 'cancelled')),
            created_at TEXT NOT NULL,
            closed_at TEXT,
            closed_by_touch_id INTEGER REFERENCES touches (id) ON DELETE SET NULL
        ) STRICT;
        CREATE INDEX followups_open_due ON followups (due_on, contact_id)
            WHERE status = 'open';
        CREATE INDEX followups_contact ON followups (contact_id, status);
        CREATE INDEX followups_closed_at ON followups (closed_at)
            WHERE closed_at IS NOT NULL;

        CREATE TABLE debriefs (
            touch_id INTEGER PRIMARY KEY REFERENCES touches (id) ON DELETE CASCADE,
            why_not_us TEXT,
            next_step TEXT,
            followup_id INTEGER REFERENCES followups (id) ON DELETE SET NULL
        ) STRICT;

        CREATE TABLE assumptions (
            id INTEGER PRIMARY KEY,
            text TEXT NOT NULL UNIQUE CHECK (length(trim(text, ' ' || char(9, 10, 13))) > 0),
            status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open',
                'retired')),
            created_at TEXT NOT NULL
        ) STRICT;

        CREATE TABLE evidence (
            id INTEGER PRIMARY KEY,
            assumption_id INTEGER NOT NULL REFERENCES assumptions (id)
                ON DELETE CASCADE,
            touch_id INTEGER NOT NULL REFERENCES touches (id) ON DELETE CASCADE,
            verdict TEXT NOT NULL CHECK (verdict IN ('validated', 'invalidated')),
            note TEXT,
            created_at TEXT NOT NULL,
            UNIQUE (assumption_id, touch_id)
        ) STRICT;
        CREATE INDEX evidence_touch ON evidence (touch_id);

        CREATE TABLE triage_days (
            day TEXT PRIMARY KEY,
            cleared_at TEXT NOT NULL,
            due_count INTEGER NOT NULL CHECK (due_count >= 0)
        ) STRICT;

        CREATE TABLE import_runs (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL CHECK (kind IN ('linkedin', 'vcard', 'restore')),
            filename TEXT,
            sha256 TEXT NOT NULL,
            at TEXT NOT NULL,
            new_count INTEGER NOT NULL DEFAULT 0,
            matched_count INTEGER NOT NULL DEFAULT 0,
            skipped_count INTEGER NOT NULL DEFAULT 0
        ) STRICT;
        """
    )
    db.table("contacts").enable_fts(
        ["name", "company", "title", "note"],
        create_triggers=True,
        tokenize="unicode61 remove_diacritics 2",
    )


@migrations(name="0002_sign_in")
def _sign_in(db: Database) -> None:
    # One row at most: the server's password (a scrypt hash, never the
    # password) and the wrong attempts that set the wait before the next.
    # execute, not executescript: that would commit the migration's transaction.
    db.execute(
        """
        CREATE TABLE sign_in (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            password_hash TEXT NOT NULL,
            failures INTEGER NOT NULL DEFAULT 0 CHECK (failures >= 0),
            last_failure_at TEXT,
            updated_at TEXT NOT NULL
        ) STRICT
        """
    )


@migrations(name="0003_speed")
def _speed(db: Database) -> None:
    # Shipped: never edit this migration; add a new one instead. Statements
    # one by one: executescript would commit the migration's transaction.
    # Networking actions by time: counting a day's actions (metrics,
    # streaks) reads only this index, never the table. Its kinds are
    # activity.NETWORKING_TOUCHES, written out because a shipped migration
    # never changes; test_db checks that the two agree.
    db.execute(
        """
        CREATE INDEX touches_networking_at ON touches (at)
            WHERE kind IN ('met', 'attempt', 'dialog') AND undone_at IS NULL
        """
    )
    # Minutes logged, by time: the weekly time chart sums a week's minutes
    # from this index alone.
    db.execute(
        """
        CREATE INDEX touches_minutes_at ON touches (at, minutes)
            WHERE undone_at IS NULL AND minutes > 0
        """
    )
    # The few captured cards among every meeting: the Capture page's
    # "Just saved" list.
    db.execute(
        """
        CREATE INDEX touches_captures ON touches (id)
            WHERE kind = 'met' AND data IS NOT NULL
        """
    )


# Migration 0004 gave the person one name in every table (the glossary in
# fieldkit/__init__.py): what a file older than it calls them, for reading
# an old backup.
RENAMED_TABLES = {"contacts": "people", "contact_tags": "person_tags"}
RENAMED_COLUMNS = {"contact_id": "person_id"}
SEARCH_COLUMNS = ("name", "company", "title", "note")  # people_fts, the search index


def _fts_sql(table: str) -> list[str]:
    """The full-text index of ``table`` and the triggers that keep it current.

    What sqlite-utils' enable_fts writes, run statement by statement: its
    executescript would commit a migration's transaction half-way.
    """
    cols = ", ".join(f'"{c}"' for c in SEARCH_COLUMNS)
    new = ", ".join(f'new."{c}"' for c in SEARCH_COLUMNS)
    old = ", ".join(f'old."{c}"' for c in SEARCH_COLUMNS)
    fts = f'"{table}_fts"'
    add = f"INSERT INTO {fts} (rowid, {cols}) VALUES (new.rowid, {new});"
    drop = f"INSERT INTO {fts} ({fts}, rowid, {cols}) VALUES('delete', old.rowid, {old});"
    return [
        f"CREATE VIRTUAL TABLE {fts} USING FTS5 ({cols}, "
        f"tokenize='unicode61 remove_diacritics 2', content=\"{table}\")",
        f"INSERT INTO {fts} ({fts}) VALUES ('rebuild')",
        f'CREATE TRIGGER "{table}_ai" AFTER INSERT ON "{table}" BEGIN {add} END',
        f'CREATE TRIGGER "{table}_ad" AFTER DELETE ON "{table}" BEGIN {drop} END',
        f'CREATE TRIGGER "{table}_au" AFTER UPDATE ON "{table}" BEGIN {drop} {add} END',
    ]


@migrations(name="0004_people")
def _people(db: Database) -> None:
    # Shipped: never edit this migration; add a new one instead. One word
    # for a person: table people (was contacts), person_tags (was
    # contact_tags), column person_id (was contact_id). The search index
    # names its content table, so it is dropped and built again.
    for trigger in ("contacts_ai", "contacts_ad", "contacts_au"):
        db.execute(f"DROP TRIGGER [{trigger}]")
    db.execute("DROP TABLE contacts_fts")
    for old, new in RENAMED_TABLES.items():
        db.execute(f"ALTER TABLE [{old}] RENAME TO [{new}]")
    for table in ("person_tags", "attachments", "touches", "followups"):
        db.execute(f"ALTER TABLE [{table}] RENAME COLUMN contact_id TO person_id")
    # Index names follow (SQLite renames columns inside them, not the names).
    indexes = db.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
        "AND name LIKE '%contact%'").fetchall()
    for name, sql in indexes:
        renamed = (name.replace("contact_tags", "person_tags").replace("contacts", "people")
                   .replace("contact", "person"))
        db.execute(f"DROP INDEX [{name}]")
        db.execute(sql.replace(name, renamed, 1))
    for statement in _fts_sql("people"):
        db.execute(statement)


@migrations(name="0005_devices")
def _devices(db: Database) -> None:
    # Browsers signed in with the password (fieldkit.access). Only a hash of
    # each device's token is kept: the file (or a backup of it) in someone
    # else's hands signs no one in.
    db.execute(
        """
        CREATE TABLE devices (
            id INTEGER PRIMARY KEY,
            token_hash TEXT NOT NULL UNIQUE,
            created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL CHECK (expires_at > created_at),
            last_seen_at TEXT NOT NULL
        ) STRICT
        """
    )


@migrations(name="0006_labelled_values")
def _labelled_values(db: Database) -> None:
    # Every email, phone, web address and postal address of a person, with
    # its label (fieldkit.labelled). The columns email, phone and website
    # stay what they were and are the primary of their kind, now with a
    # label beside each; the other values, and every postal address, are
    # rows of labelled_values in the order given (id order). named_from: the
    # card had no name, and the person is named after their company, email,
    # phone, web or postal address. Statement by statement: executescript
    # would commit the migration's transaction.
    for column in ("email_label", "phone_label", "website_label"):
        db.execute(f"ALTER TABLE people ADD COLUMN {column} TEXT")
    db.execute(
        "ALTER TABLE people ADD COLUMN named_from TEXT CHECK (named_from IS NULL OR "
        "named_from IN ('company', 'email', 'phone', 'url', 'address'))")
    db.execute(
        """
        CREATE TABLE labelled_values (
            id INTEGER PRIMARY KEY,
            person_id INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
            kind TEXT NOT NULL CHECK (kind IN ('email', 'phone', 'url', 'address')),
            label TEXT,
            value TEXT NOT NULL CHECK (length(value) > 0)
        ) STRICT
        """
    )
    db.execute("CREATE INDEX labelled_values_person ON labelled_values (person_id, id)")
    # Twins by any email or phone (fieldkit.matching), as people_email and
    # people_phone find them by the primary.
    db.execute("CREATE INDEX labelled_values_email ON labelled_values "
               "(value COLLATE NOCASE) WHERE kind = 'email'")
    db.execute("CREATE INDEX labelled_values_phone ON labelled_values (value) "
               "WHERE kind = 'phone'")


@migrations(name="0007_booth")
def _booth(db: Database) -> None:
    # Cards sent from the booth page's outbox (fieldkit.booth), by the id the
    # phone gave each: a card sent twice is stored once. Kept when the person
    # is deleted, so a late resend does not bring them back.
    db.execute(
        """
        CREATE TABLE received_cards (
            card_id TEXT PRIMARY KEY,
            person_id INTEGER REFERENCES people (id) ON DELETE SET NULL,
            captured_at TEXT NOT NULL,
            received_at TEXT NOT NULL
        ) STRICT
        """
    )
    # People stored without the user looking at them first (fieldkit.reviews):
    # a card taken offline that looks like someone known ('twin'), or whose
    # fields were read from its photo ('read').
    db.execute(
        """
        CREATE TABLE reviews (
            person_id INTEGER PRIMARY KEY REFERENCES people (id) ON DELETE CASCADE,
            reason TEXT NOT NULL CHECK (reason IN ('twin', 'read')),
            twins TEXT NOT NULL DEFAULT '[]',  -- JSON: ids of the people it looks like
            created_at TEXT NOT NULL
        ) STRICT
        """
    )


def _open(path: Path) -> Database:
    # isolation_level=None: transactions are explicit (transaction(), atomic()).
    conn = sqlite3.connect(
        str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None
    )
    try:
        db = Database(conn)
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        db.execute("PRAGMA foreign_keys = ON")
        # In WAL mode NORMAL is safe when the process is killed: a commit has
        # reached the operating system before the call returns. It is not
        # safe against power loss, which may take back the last commits (the
        # file stays intact); FULL would fsync every commit to prevent that.
        db.execute("PRAGMA synchronous = NORMAL")
        _use_wal(db)
    except BaseException:
        conn.close()
        raise
    return db


def _use_wal(db: Database) -> None:
    # Switching a new file to WAL while another connection is creating it
    # can report "locked" at once, without waiting on the busy timeout:
    # wait here instead, as long as the busy timeout would.
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            if db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                db.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


@contextlib.contextmanager
def connect(path: str | Path, *, migrate: bool = True) -> Iterator[Database]:
    """Open the FieldKit database at ``path``, creating its folder and file.

    WAL journal, foreign keys on, a busy timeout of several seconds. With
    ``migrate`` (the default) pending migrations are applied first, after a
    backup copy of an existing file. The connection closes when the block ends.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        db = _open(path)
    except (OSError, sqlite3.Error) as exc:
        raise DatabaseError(f"Cannot open the database at {path}: {exc}") from exc
    try:
        if migrate:
            migrate_db(db, path)
        yield db
    finally:
        db.close()


def memory() -> Database:
    """A migrated in-memory database, for tests and scratch work."""
    db = Database(sqlite3.connect(":memory:", isolation_level=None))
    db.execute("PRAGMA foreign_keys = ON")
    migrations.apply(db)
    return db


def pending_migrations(db: Database) -> list[str]:
    return [m.name for m in migrations.pending(db)]


def schema_version(db: Database) -> int:
    """How many of FieldKit's migrations this database has applied."""
    return len(migrations.applied(db))


def latest_version() -> int:
    """How many migrations this version of FieldKit knows."""
    return len(migrations.pending(Database(memory=True)))


def _holds_data(db: Database) -> bool:
    return any(not name.startswith("sqlite_") for name in db.table_names())


def migrate_db(db: Database, path: Path | None = None) -> Path | None:
    """Apply pending migrations; back up an existing file first.

    Returns the path of the backup copy, or None when none was needed (a new,
    empty file, or nothing pending).
    """
    try:
        if not pending_migrations(db):
            return None
        # Another connection (a second server, a command) may be migrating the
        # same file at this moment: look again under the write lock, so that
        # only one of them backs up and migrates. Every migration must
        # therefore be transactional.
        with transaction(db):
            pending = pending_migrations(db)
            if not pending:
                return None
            backup = None
            if path is not None and _holds_data(db):
                stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
                backup = path.with_name(
                    f"{path.stem}.before-{pending[0]}-{stamp}{path.suffix or '.db'}"
                )
                # Read through a second connection: SQLite refuses to back up
                # through one that holds a write transaction.
                with contextlib.closing(sqlite3.connect(
                        str(path), timeout=BUSY_TIMEOUT_MS / 1000)) as reader:
                    backup_to(Database(reader), backup)
            migrations.apply(db)
        return backup
    except sqlite3.DatabaseError as exc:
        where = f" at {path}" if path is not None else ""
        raise DatabaseError(f"Cannot migrate the database{where}: {exc}") from exc


def backup_to(db: Database, target: str | Path) -> Path:
    """Copy the live database to ``target`` with SQLite's online backup API.

    The copy is consistent even while other connections write.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    dest = sqlite3.connect(str(partial))
    try:
        db.conn.backup(dest)
    finally:
        dest.close()
    partial.replace(target)
    return target


BUSY_MESSAGE = ("The database is busy with another write (another tab or program). "
                "Nothing was saved; try again in a moment.")


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    return code is not None and code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


@contextlib.contextmanager
def transaction(db: Database) -> Iterator[Database]:
    """One atomic write: all of it lands or none of it does.

    The outermost block begins IMMEDIATE, taking the write lock before the
    first read, so a read-then-write never fails on a concurrent writer;
    nested blocks become savepoints. A writer that waits longer than the
    busy timeout for the lock gets DatabaseBusy (a FieldkitError the pages
    show), never a raw "database is locked".
    """
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    try:
        db.conn.execute("BEGIN IMMEDIATE")
        try:
            yield db
            db.conn.execute("COMMIT")
        except BaseException:
            if db.conn.in_transaction:
                db.conn.execute("ROLLBACK")
            raise
    except sqlite3.OperationalError as exc:
        if _is_busy(exc):
            raise DatabaseBusy(BUSY_MESSAGE) from exc
        raise


@contextlib.contextmanager
def page_cache(db: Database, mib: int) -> Iterator[Database]:
    """Let SQLite keep up to ``mib`` MiB of pages in memory for the block.

    A write of thousands of rows touches every index of its table: with
    the default cache (2 MiB) SQLite spills dirty pages to the WAL in the
    middle of the transaction and reads them back. Pages are taken only as
    needed; the previous size comes back when the block ends, and a
    connection already allowed more keeps its size.
    """
    before = db.execute("PRAGMA cache_size").fetchone()[0]
    # A negative size is in KiB, a positive one in pages.
    page_size = db.execute("PRAGMA page_size").fetchone()[0]
    before_kib = -before if before < 0 else before * page_size // 1024
    if before_kib >= mib * 1024:
        yield db
        return
    db.execute(f"PRAGMA cache_size = {-mib * 1024}")
    try:
        yield db
    finally:
        db.execute(f"PRAGMA cache_size = {before}")


def is_row_id(value: object) -> bool:
    """Whether ``value`` could be a stored row's id (an id from a link may be anything)."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2 ** 63


def row_counts(db: Database) -> dict[str, int]:
    """Rows per product table, for ``info`` and tests."""
    return {
        name: db.execute(f"SELECT count(*) FROM [{name}]").fetchone()[0]
        for name in TABLES
    }

