"""Syncing the mailbox in the background while FieldKit runs, and on "Sync now".

A sync runs as a process of its own (``python -m fieldkit mail sync
--background``, at a lower CPU priority): parsing tens of thousands of
headers in the server's process would hold Python's lock that every page's
run needs, and a sync that fails or hangs cannot take the server with it.
The lock file of mail_sync keeps it to one sync at a time, whoever starts it
(this scheduler, "Sync now", the command line).

``Scheduler`` is one thread per server (``start`` hands out the one already
running): it starts a sync when the last one is ``mail_sync_minutes`` old
(the setting, read each time), and never blocks anything else. ``stop``
ends it and the sync it started. fieldkit.web.background starts and stops
it with the server.
"""

from __future__ import annotations

import logging
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from fieldkit import clock, config, db, mail_sync, processes
from fieldkit.errors import DatabaseError

ROOT = Path(__file__).resolve().parents[1]  # where ``python -m fieldkit`` is found
NICENESS = 19  # the lowest priority: a page that wants the CPU gets it first
MIN_WAIT_SECONDS = 5.0
STOP_SECONDS = 10.0
log = logging.getLogger(__name__)

_children: list[tuple[Path, subprocess.Popen]] = []
_children_lock = threading.Lock()


def _reap() -> None:
    _children[:] = [(path, child) for path, child in _children if child.poll() is None]


def running(db_path: str | Path) -> bool:
    """Whether a sync of this database runs now (started here or anywhere)."""
    path = Path(db_path)
    with _children_lock:
        _reap()
        if any(p == path for p, _ in _children):
            return True
    return mail_sync.is_running(path)


def start_sync(db_path: str | Path) -> subprocess.Popen | None:
    """Start a sync of this database in a process of its own; None if one runs already.

    Returns at once: the sync reports its progress and result in the
    database (mail_account.status).
    """
    path = Path(db_path)
    with _children_lock:
        _reap()
        if any(p == path for p, _ in _children) or mail_sync.is_running(path):
            return None
        child = subprocess.Popen(
            [sys.executable, "-m", "fieldkit", "mail", "sync", "--background", "--db",
             str(path)], cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        _children.append((path, child))
        return child


def _last_sync(db_path: Path) -> tuple[bool, datetime | None, int]:
    """Whether a mailbox is connected, when its last sync began, the sync interval."""
    if not db_path.exists():
        return False, None, 0
    try:
        with db.connect(db_path, migrate=False) as conn:
            row = conn.execute("SELECT sync_started_at FROM mailbox").fetchone()
            minutes = config.load(conn)["mail_sync_minutes"]
    except (sqlite3.Error, DatabaseError):  # not migrated yet, busy, ...
        return False, None, 0
    if row is None:
        return False, None, minutes
    return True, clock.from_iso(row[0]) if row[0] else None, minutes


def next_sync(connected: bool, last: datetime | None, minutes: int,
              now: datetime) -> datetime | None:
    """When the next background sync is due: None without a mailbox, ``now`` if overdue."""
    if not connected:
        return None
    if last is None:
        return now
    return max(now, last + timedelta(minutes=minutes))


class Scheduler:
    """The background sync of one server; see the module's docstring."""

    def __init__(self, database: Callable[[], Path], *, idle_seconds: float = 60.0):
        self._database = database
        self._idle = idle_seconds  # how often to look again with no mailbox connected
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="fieldkit-mail-sync",
                                        daemon=True)
        self._child: subprocess.Popen | None = None

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def _run(self) -> None:
        while not self._stop.is_set():
            wait = self._idle
            try:
                wait = self._turn()
            except Exception:  # never let the thread die: the next turn tries again
                log.exception("background mailbox sync")
            self._stop.wait(max(MIN_WAIT_SECONDS, wait))

    def _turn(self) -> float:
        path = Path(self._database())
        connected, last, minutes = _last_sync(path)
        now = clock.utc_now()
        due = next_sync(connected, last, minutes, now)
        if due is None:
            return self._idle
        if due > now:
            return (due - now).total_seconds()
        self._child = start_sync(path)
        while self._child is not None and self._child.poll() is None:
            if self._stop.wait(0.5):
                return 0
        self._child = None
        return minutes * 60

    def start(self) -> Scheduler:
        self._thread.start()
        return self

    def stop(self) -> None:
        """End the thread and the sync it started (that sync resumes next time)."""
        self._stop.set()
        if self._child is not None:
            processes.end(self._child, STOP_SECONDS)
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout=STOP_SECONDS)


_scheduler: Scheduler | None = None
_scheduler_lock = threading.Lock()


def start(database: Callable[[], Path], **options) -> Scheduler:
    """The server's scheduler, started: the one already running if there is one."""
    global _scheduler
    with _scheduler_lock:
        if _scheduler is None or not _scheduler.alive:
            _scheduler = Scheduler(database, **options).start()
        return _scheduler


def stop() -> None:
    """Stop the server's scheduler, if one runs."""
    global _scheduler
    with _scheduler_lock:
        scheduler, _scheduler = _scheduler, None
    if scheduler is not None:
        scheduler.stop()


def wait_idle(db_path: str | Path, timeout: float) -> bool:
    """Wait until no sync of this database runs; whether it came to that in time."""
    deadline = time.monotonic() + timeout
    while running(db_path):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True
