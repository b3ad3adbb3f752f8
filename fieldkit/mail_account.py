"""The mailbox FieldKit reads: connecting it, its password file, its status, disconnecting.

Where the mailbox is (host, port, user, security) is the ``mailbox`` row of
the database. Its password never goes into the database, so not into a
backup or the CSV export either: it is kept in a file beside the database,
``<database>.mail-password``, that only its owner may read (mode 0600),
written whole or not at all, and deleted on disconnect. The file also names
the mailbox it is for: a database restored from a backup that points at
another server never gets this password sent there.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlite_utils import Database

from fieldkit import clock, mailbox
from fieldkit.db import transaction
from fieldkit.errors import FieldkitError
from fieldkit.mailbox import Account

PASSWORD_SUFFIX = ".mail-password"
LOCK_SUFFIX = ".mail-sync.lock"


class NotConnected(FieldkitError):
    """No mailbox is connected, or its password is missing: connect it (again)."""


def password_path(db_path: str | Path) -> Path:
    """Where the mailbox password of the database at ``db_path`` is kept."""
    path = Path(db_path)
    return path.with_name(path.name + PASSWORD_SUFFIX)


def lock_path(db_path: str | Path) -> Path:
    """The file a running sync of this database holds locked; it holds its progress too."""
    path = Path(db_path)
    return path.with_name(path.name + LOCK_SUFFIX)


def progress(db_path: str | Path) -> tuple[int, int]:
    """How many headers the running (or last) sync has read, of how many: (0, 0) if unknown.

    Kept in the lock file, not the database: a commit for every step would
    tell every page that the data changed, and their caches would be read
    again for nothing.
    """
    try:
        done, total = lock_path(db_path).read_text().split()
        return int(done), int(total)
    except (OSError, ValueError):
        return 0, 0


def _same(acct: Account, stored: dict) -> bool:
    return (stored.get("host"), stored.get("port"), stored.get("user"),
            stored.get("security")) == (acct.host, acct.port, acct.user, acct.security)


def _write_password(path: Path, acct: Account, password: str) -> None:
    """Write the password file whole (a temporary file renamed over it), mode 0600."""
    data = json.dumps({"host": acct.host, "port": acct.port, "user": acct.user,
                       "security": acct.security, "password": password}).encode()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)  # mode 0600
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temp, 0o600)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


def stored_account(db: Database) -> Account | None:
    row = db.execute("SELECT host, port, user, security FROM mailbox WHERE id = 1").fetchone()
    return Account(*row) if row else None


def password(db: Database, db_path: str | Path) -> tuple[Account, str]:
    """The connected mailbox and its password; NotConnected when either is missing.

    A password file written for another mailbox (a database restored from
    another server's backup) is not used.
    """
    acct = stored_account(db)
    if acct is None:
        raise NotConnected("No mailbox is connected.")
    path = password_path(db_path)
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise NotConnected(f"The mailbox password is missing ({path}): connect the mailbox "
                           "again.") from None
    except (OSError, ValueError) as exc:
        raise NotConnected(f"The mailbox password file {path} cannot be read ({exc}): "
                           "connect the mailbox again.") from None
    if not isinstance(stored, dict) or not _same(acct, stored) or not isinstance(
            stored.get("password"), str):
        raise NotConnected(f"The password in {path} is for another mailbox: connect "
                           f"{acct.user} again.")
    return acct, stored["password"]


def connect(db: Database, db_path: str | Path, acct: Account, secret: str, *,
            check: Callable[[Account, str], object] = mailbox.check_login) -> Account:
    """Log in to the mailbox; only if that works, keep it and its password.

    Raises ValidationError for a bad field and MailboxError when the mailbox
    cannot be reached or refuses the login; either way nothing is stored.
    Connecting another mailbox starts its folders from scratch (the touches
    already logged stay, and are never logged twice).
    """
    secret = mailbox.check_password(secret)
    check(acct, secret)
    path = password_path(db_path)
    _write_password(path, acct, secret)
    try:
        with transaction(db):
            before = stored_account(db)
            db.execute("DELETE FROM mailbox")
            if before != acct:
                db.execute("DELETE FROM mail_folders")
            db.execute("INSERT INTO mailbox (id, host, port, user, security, connected_at) "
                       "VALUES (1, ?, ?, ?, ?, ?)",
                       [acct.host, acct.port, acct.user, acct.security, clock.now_iso()])
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return acct


def disconnect(db: Database, db_path: str | Path) -> bool:
    """Forget the mailbox and delete its password file; False if none was connected.

    The touches it logged and the bounces it found stay, as history.
    """
    with transaction(db):
        had = db.execute("SELECT 1 FROM mailbox").fetchone() is not None
        db.execute("DELETE FROM mailbox")
        db.execute("DELETE FROM mail_folders")
    path = password_path(db_path)
    had_file = path.exists()
    path.unlink(missing_ok=True)
    return had or had_file


@dataclass(frozen=True)
class Status:
    """What Settings and ``mail status`` show."""

    account: Account | None
    connected_at: str | None
    password_file: Path
    problem: str | None  # the password is missing or for another mailbox
    running: bool  # a sync holds the lock now
    started_at: str | None
    finished_at: str | None
    ok: bool | None
    result: str | None
    done: int  # headers read by the sync running now (or the last one)
    total: int  # headers it has to read
    folders: list[dict]  # name, last_uid, synced_at


def status(db: Database, db_path: str | Path, *, running: bool = False) -> Status:
    """The connected mailbox (if any), the last sync's time and result, a sync's progress."""
    row = db.execute(
        "SELECT connected_at, sync_started_at, sync_finished_at, sync_ok, sync_result "
        "FROM mailbox WHERE id = 1").fetchone()
    path = password_path(db_path)
    if row is None:
        return Status(None, None, path, None, running, None, None, None, None, 0, 0, [])
    problem = None
    try:
        password(db, db_path)
    except NotConnected as exc:
        problem = str(exc)
    connected, started, finished, ok, result = row
    done, total = progress(db_path)
    folders = [{"name": name, "last_uid": last, "synced_at": at} for name, last, at in
               db.execute("SELECT name, last_uid, synced_at FROM mail_folders ORDER BY name")]
    return Status(stored_account(db), connected, path, problem, running, started, finished,
                  None if ok is None else bool(ok), result, done, total, folders)
