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

from sqlite_utils import Database

from fieldkit.errors import DatabaseBusy, DatabaseError
from fieldkit.migrations import TABLES, migrations

BUSY_TIMEOUT_MS = 10_000


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

