"""Backup and restore of the one SQLite file.

A backup is a copy made with SQLite's online backup API: consistent even
while the app writes, and a single self-contained file (rollback journal
mode, no WAL beside it) that any SQLite tool opens.

A restore checks the uploaded file first (an SQLite database, undamaged,
made by this or an older FieldKit) and changes nothing when the check fails.
Then it keeps the current database beside it as
``<name>.before-restore-<UTC stamp>.db``, swaps the new file in with an
atomic rename, and migrates it to the current schema.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import sqlite3
import stat
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from sqlite_utils import Database

from fieldkit import clock, normalise
from fieldkit.db import connect, transaction
from fieldkit.migrations import MIGRATION_SET, migrations
from fieldkit.errors import FieldkitError

SQLITE_HEADER = b"SQLite format 3\x00"
# Files SQLite keeps beside a database while it is in use.
SIDE_SUFFIXES = ("-wal", "-shm", "-journal")
# How long a restore waits for other connections (another tab) to finish.
RESTORE_WAIT_SECONDS = 5.0
# Far above a real FieldKit file (photos are shrunk); the upload is held in memory.
MAX_BYTES = 1024 * 1024 * 1024
MIGRATIONS_TABLE = migrations.migrations_table


class BackupError(FieldkitError):
    """A backup copy could not be written where asked."""


class RestoreError(FieldkitError):
    """The uploaded file cannot be restored; the database is unchanged."""


@dataclass(frozen=True)
class Upload:
    """What a checked backup file holds, to show before restoring it."""

    size: int  # bytes
    sha256: str
    schema_version: int  # FieldKit migrations the file has applied
    latest_version: int  # migrations this FieldKit knows
    people: int  # not counting merged ones
    events: int
    touches: int
    open_followups: int

    @property
    def needs_migration(self) -> bool:
        return self.schema_version < self.latest_version


def describe(info: Upload) -> str:
    """One line saying what a checked backup holds, to confirm before restoring."""
    size = f"{info.size / 1048576:.1f} MB" if info.size >= 104858 else f"{info.size / 1024:.0f} KB"
    counts = ", ".join(
        f"{n:,} {one if n == 1 else many}" for n, one, many in (
            (info.people, "person", "people"), (info.events, "event", "events"),
            (info.touches, "touch", "touches"),
            (info.open_followups, "open follow-up", "open follow-ups")))
    line = f"A FieldKit backup of {size}: {counts}."
    if info.needs_migration:
        line += (f" Its schema (version {info.schema_version}) is updated to version "
                 f"{info.latest_version} when restored.")
    return line


def _stamp(now: datetime | None) -> str:
    return (now or clock.utc_now()).astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def backup_filename(now: datetime | None = None) -> str:
    """A name for a downloaded backup: ``fieldkit-backup-20261122T093000Z.db``."""
    return f"fieldkit-backup-{_stamp(now)}.db"


def _copy(source: sqlite3.Connection, target: Path) -> None:
    """Copy ``source`` into a new file at ``target`` and make it self-contained."""
    dest = sqlite3.connect(str(target))
    try:
        source.backup(dest)
        # The copy inherits WAL mode from the live file; a single file in
        # rollback mode opens anywhere, even read-only, with nothing beside it.
        dest.execute("PRAGMA journal_mode = DELETE")
    finally:
        dest.close()


def backup_bytes(db: Database) -> bytes:
    """The whole database as the bytes of one SQLite file, for a download.

    Made with the online backup API into a temporary file, so the copy is
    consistent while other connections write.
    """
    with tempfile.TemporaryDirectory(prefix="fieldkit-backup-") as folder:
        path = Path(folder) / "fieldkit.db"
        _copy(db.conn, path)
        return path.read_bytes()


def _main_file(db: Database) -> Path | None:
    for _, name, file in db.execute("PRAGMA database_list").fetchall():
        if name == "main" and file:
            return Path(file).resolve()
    return None


def backup_file(db: Database, out_path: str | Path) -> Path:
    """Write a consistent copy of the database to ``out_path``; returns its path.

    The copy is written beside the target first and renamed into place, so
    ``out_path`` never holds half a backup. Refuses the database's own file.
    """
    target = Path(out_path)
    live = _main_file(db)
    if live is not None and target.resolve() == live:
        raise BackupError("The backup must go to another file than the database.")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.partial")
        partial.unlink(missing_ok=True)
        _copy(db.conn, partial)
        os.replace(partial, target)
    except (OSError, sqlite3.Error) as exc:
        raise BackupError(f"Cannot write the backup to {target}: {exc}") from exc
    return target


# ---------------------------------------------------------------------------
# Checking an uploaded file
# ---------------------------------------------------------------------------

def _check_header(data: bytes) -> None:
    if not data:
        raise RestoreError("The file is empty: choose a FieldKit backup (.db file).")
    if not data.startswith(SQLITE_HEADER):
        raise RestoreError("This is not a FieldKit backup: the file is not an SQLite "
                           "database. Choose the .db file that Backup downloaded.")
    if len(data) < 100:
        raise RestoreError("The file is cut short (truncated): download the backup again.")
    page_size = int.from_bytes(data[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    if page_size < 512 or page_size & (page_size - 1):
        raise RestoreError("The database in this file is damaged (bad page size).")
    pages = int.from_bytes(data[28:32], "big")
    # The page count in the header is trustworthy only when this matches.
    counted = data[24:28] == data[92:96] and pages > 0
    if len(data) % page_size or (counted and len(data) < pages * page_size):
        expected = f" of {pages * page_size:,}" if counted else ""
        raise RestoreError(f"The file is cut short (truncated): it holds {len(data):,}"
                           f"{expected} bytes. Download the backup again.")


def _columns(conn: sqlite3.Connection, table: str) -> set[str]:
    return {row[1] for row in conn.execute(f"PRAGMA table_info([{table}])")}


def _check_schema(conn: sqlite3.Connection, tables: set[str], applied: list[str],
                  known: list[str]) -> None:
    """Every table and column FieldKit had at the file's version must be there."""
    reference = Database(memory=True)
    pending = [name for name in known if name not in applied]
    migrations.apply(reference, stop_before=pending[0] if pending else None)
    expected = [name for name in reference.table_names() if not name.startswith("sqlite_")]
    missing = [name for name in expected if name not in tables]
    if missing:
        raise RestoreError("This FieldKit file is incomplete: the "
                           f"{', '.join(missing)} table(s) are missing.")
    for name in expected:
        lacking = sorted(_columns(reference.conn, name) - _columns(conn, name))
        if lacking:
            raise RestoreError(f"This FieldKit file is incomplete: the {name} table lacks "
                               f"{', '.join(lacking)}.")


def _inspect(path: Path, data: bytes) -> Upload:
    # immutable: read the file as it is, without locks or a WAL beside it.
    uri = path.as_uri() + "?mode=ro&immutable=1"
    try:
        conn = sqlite3.connect(uri, uri=True)
    except sqlite3.Error as exc:
        raise RestoreError(f"The file cannot be opened as a database: {exc}") from exc
    try:
        problems = [row[0] for row in conn.execute("PRAGMA integrity_check(10)")]
        if problems != ["ok"]:
            raise RestoreError(f"The database in this file is damaged: {problems[0]}")
        tables = {name for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
        applied: list[str] = []
        if MIGRATIONS_TABLE in tables:
            applied = [name for (name,) in conn.execute(
                f"SELECT name FROM [{MIGRATIONS_TABLE}] WHERE migration_set = ? "
                "ORDER BY rowid", [MIGRATION_SET])]
        if not applied:
            raise RestoreError("This SQLite file was not made by FieldKit (it has no "
                               "FieldKit schema). Choose a FieldKit backup.")
        known = [m.name for m in migrations.pending(Database(memory=True))]
        latest = len(known)
        if len(applied) > latest or any(name not in known for name in applied):
            raise RestoreError(
                f"This backup was made by a newer FieldKit (schema version {len(applied)}; "
                f"this FieldKit knows up to {latest}). Update FieldKit, then restore it.")
        _check_schema(conn, tables, applied, known)
        # A file older than migration 0004 calls the people table contacts.
        people = "people" if "people" in tables else "contacts"
        count = conn.execute(
            f"SELECT (SELECT count(*) FROM {people} WHERE status != 'merged'), "
            "(SELECT count(*) FROM events), (SELECT count(*) FROM touches), "
            "(SELECT count(*) FROM followups WHERE status = 'open')").fetchone()
    except sqlite3.DatabaseError as exc:
        raise RestoreError(f"The file is damaged or not a FieldKit database: {exc}") from exc
    finally:
        conn.close()
    return Upload(size=len(data), sha256=hashlib.sha256(data).hexdigest(),
                  schema_version=len(applied), latest_version=latest, people=count[0],
                  events=count[1], touches=count[2], open_followups=count[3])



def check_upload(data: bytes) -> Upload:
    """Check that ``data`` is a FieldKit backup this version can restore.

    An SQLite file that passes ``integrity_check``, has FieldKit's migration
    records, no migration this FieldKit does not know, and every table and
    column that FieldKit's migrations up to its version create.
    Raises RestoreError with a message for the user otherwise.
    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise RestoreError("Expected the bytes of a backup file.")
    if len(data) > MAX_BYTES:
        raise RestoreError(f"The file is {len(data) / 1048576:,.1f} MB; a backup can be at "
                           f"most {MAX_BYTES // 1048576:,} MB.")
    data = bytes(data)
    _check_header(data)
    with tempfile.TemporaryDirectory(prefix="fieldkit-upload-") as folder:
        path = Path(folder) / "upload.db"
        path.write_bytes(data)
        return _inspect(path, data)


# ---------------------------------------------------------------------------
# Restoring
# ---------------------------------------------------------------------------

def _fsync_folder(folder: Path) -> None:
    with contextlib.suppress(OSError):  # not every platform syncs folders
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _remove_side_files(path: Path) -> None:
    for suffix in SIDE_SUFFIXES:
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _prepare(data: bytes, folder: Path, name: str) -> Path:
    """The new database in a temporary file beside the old one, in rollback mode.

    It gets the old file's permissions (a temporary file starts private).
    """
    fd, temp = tempfile.mkstemp(dir=folder, prefix=f".{name}.restore-", suffix=".tmp")
    path = Path(temp)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        old = folder / name
        os.chmod(path, stat.S_IMODE(old.stat().st_mode) if old.exists() else 0o644)
        conn = sqlite3.connect(str(path), isolation_level=None)
        try:
            # A backup made from the live file may say "WAL" in its header;
            # once renamed, it must not look for a WAL beside it.
            conn.execute("PRAGMA journal_mode = DELETE")
        finally:
            conn.close()
        _remove_side_files(path)
        with open(path, "rb+") as out:
            os.fsync(out.fileno())
    except BaseException:
        _remove_side_files(path)
        path.unlink(missing_ok=True)
        raise
    return path


def _is_busy(exc: sqlite3.Error) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


def _take_over(path: Path, keep: Path, wait: float) -> sqlite3.Connection:
    """Copy the current database to ``keep`` and hold it exclusively.

    The file is switched to rollback mode first, which SQLite only allows
    when no other connection has it open: its WAL is checkpointed and
    removed, so none is left to be applied to the new file. The returned
    connection holds an exclusive lock, and nothing was written since the
    copy was taken. Raises RestoreError when the file stays in use.
    """
    conn = sqlite3.connect(str(path), isolation_level=None, timeout=0.2)
    deadline = time.monotonic() + wait
    try:
        while True:
            try:
                if conn.execute("PRAGMA journal_mode = DELETE").fetchone()[0] == "delete":
                    version = conn.execute("PRAGMA data_version").fetchone()[0]
                    keep.unlink(missing_ok=True)
                    _copy(conn, keep)
                    conn.execute("BEGIN EXCLUSIVE")
                    unchanged = conn.execute("PRAGMA data_version").fetchone()[0] == version
                    if unchanged and conn.execute(
                            "PRAGMA journal_mode").fetchone()[0] == "delete":
                        return conn
                    conn.execute("ROLLBACK")
            except sqlite3.OperationalError as exc:
                if not _is_busy(exc):
                    raise
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
            if time.monotonic() > deadline:
                raise RestoreError("The database is in use (another tab or process is "
                                   "writing to it). Nothing was changed; try again.")
            time.sleep(0.05)
    except BaseException:
        conn.close()
        raise


def _keep_name(path: Path, now: datetime | None) -> Path:
    keep = path.with_name(f"{path.stem}.before-restore-{_stamp(now)}.db")
    n = 2
    while keep.exists():
        keep = path.with_name(f"{path.stem}.before-restore-{_stamp(now)}-{n}.db")
        n += 1
    return keep


def _swap(path: Path, new: Path, keep: Path, wait: float) -> None:
    try:
        conn = _take_over(path, keep, wait)
    except sqlite3.OperationalError:
        raise
    except sqlite3.DatabaseError:
        # The current file is not a readable database (that may be why it is
        # being restored): keep its bytes as they are.
        keep.unlink(missing_ok=True)
        shutil.copyfile(path, keep)
        wal = Path(f"{path}-wal")
        if wal.exists():
            shutil.copyfile(wal, Path(f"{keep}-wal"))
        _remove_side_files(path)
        os.replace(new, path)
        return
    try:
        # Under the exclusive lock nobody writes a WAL or journal for the old
        # file, so none is left for SQLite to apply to the new one.
        _remove_side_files(path)
        os.replace(new, path)
    finally:
        conn.execute("ROLLBACK")
        conn.close()


def restore(db_path: str | Path, data: bytes, *, now: datetime | None = None,
            filename: str | None = None, wait: float = RESTORE_WAIT_SECONDS) -> Path | None:
    """Replace the database at ``db_path`` with the backup in ``data``.

    Checks ``data`` first (``check_upload``); on any problem raises
    RestoreError and nothing changes. The current database is kept beside
    it as ``<name>.before-restore-<UTC stamp>.db`` (returned; None when
    there was no database yet). The new file is written to a temporary name
    in the same folder and renamed over the database, then migrated to the
    current schema, and the restore is recorded in ``import_runs``. The
    server's password, signed-in devices, app passwords and calendar feed
    address stay as they were; the backup's are dropped. Phones syncing
    contacts and calendar start over (their sync tokens are stale).

    Call it with no connection of your own open on the file: a restore
    waits up to ``wait`` seconds for other connections, then gives up.
    """
    info = check_upload(data)
    path = Path(db_path)
    moment = now or clock.utc_now()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        new = _prepare(bytes(data), path.parent, path.name)
    except (OSError, sqlite3.Error) as exc:
        raise RestoreError(f"Cannot write beside the database at {path}: {exc}") from exc
    keep = None
    try:
        if path.exists():
            keep = _keep_name(path, moment)
            _swap(path, new, keep, wait)
        else:
            _remove_side_files(path)
            os.replace(new, path)
        _fsync_folder(path.parent)
    except BaseException as exc:
        if new.exists():  # not swapped in: the database is as it was
            new.unlink()
            if keep is not None:
                keep.unlink(missing_ok=True)
                Path(f"{keep}-wal").unlink(missing_ok=True)
        if isinstance(exc, (OSError, sqlite3.Error)):
            raise RestoreError(f"Cannot restore the database at {path}: {exc}") from exc
        raise
    # The password and the devices signed in with it belong to this server,
    # not to the data: a backup made before the password was set (or with
    # another one) must not open or change it, and a backup's devices sign
    # no one in here.
    server = _sign_in_rows(keep) if keep is not None else _UNKNOWN
    # So do the phones' app passwords and the calendar feed's address.
    phones = _server_rows(keep, PHONE_TABLES) if keep is not None else {}
    with connect(path) as db, transaction(db):
        db.execute(
            "INSERT INTO import_runs (kind, filename, sha256, at) VALUES ('restore', ?, ?, ?)",
            [normalise.filename(filename), info.sha256, clock.to_iso(moment)])
        db.execute("DELETE FROM devices")
        db.execute("DELETE FROM sign_in_failures")  # the backup's guessers, not this server's
        for table, columns in PHONE_TABLES.items():
            db.execute(f"DELETE FROM [{table}]")
            db.conn.executemany(f"INSERT INTO [{table}] ({', '.join(columns)}) VALUES "
                                f"({', '.join('?' * len(columns))})", phones.get(table, []))
        if server is not _UNKNOWN:
            password, devices = server
            db.execute("DELETE FROM sign_in")
            if password is not None:
                db.execute("INSERT INTO sign_in (id, password_hash, updated_at) "
                           "VALUES (?, ?, ?)", password)
            db.conn.executemany("INSERT INTO devices (token_hash, created_at, expires_at, "
                                "last_seen_at) VALUES (?, ?, ?, ?)", devices)
    return keep


_UNKNOWN = object()  # the previous file could not be read: keep the backup's password

# The server's own secrets for the phones, kept across a restore (the backup's dropped).
PHONE_TABLES = {"app_passwords": ("name", "password_hash", "created_at", "last_used_at"),
                "calendar_feed": ("id", "token", "created_at")}


def _server_rows(path: Path, tables: dict[str, tuple[str, ...]]) -> dict[str, list[tuple]]:
    """The rows of ``tables`` in the database file at ``path`` (none for a table it lacks)."""
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            present = {name for (name,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
            return {table: conn.execute(f"SELECT {', '.join(columns)} FROM [{table}]").fetchall()
                    for table, columns in tables.items() if table in present}
        finally:
            conn.close()
    except sqlite3.Error:
        return {}


def _sign_in_rows(path: Path):
    """The sign_in row (None without one) and the devices of the database file at ``path``."""
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            tables = {name for (name,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name IN ('sign_in', 'devices')")}
            password = conn.execute(
                "SELECT id, password_hash, updated_at FROM sign_in"
            ).fetchone() if "sign_in" in tables else None
            devices = conn.execute(
                "SELECT token_hash, created_at, expires_at, last_seen_at FROM devices"
            ).fetchall() if "devices" in tables and password is not None else []
            return password, devices
        finally:
            conn.close()
    except sqlite3.Error:
        return _UNKNOWN
