"""Per-run access to the database from pages, before any sign-in check.

Pages open it through ``gate.open_db()``, which checks sign-in first.

Each script run opens its own connection: a cached sqlite-utils Database
fails when a second tab's thread uses it. Migrations run once per
process and database path.
"""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import streamlit as st
from sqlite_utils import Database

from fieldkit import backup, changes, config, db
from fieldkit.errors import FieldkitError

T = TypeVar("T")


def db_path() -> Path:
    return config.database_path(os.environ)


def _resolved(path: Path) -> str:
    # Resolving walks the file system on every call; a page asks several times a run.
    return _resolve(path, os.getcwd())


@functools.lru_cache(maxsize=64)
def _resolve(path: Path, cwd: str) -> str:  # cwd: a relative path depends on it
    return str(Path(cwd, path).resolve())


@st.cache_resource(show_spinner=False)
def _database(path: str) -> changes.Watcher:
    # Migrated once per process and path; the watcher lives as long.
    with db.connect(path, migrate=True):
        pass
    return changes.Watcher(path)


def _watched() -> tuple[str, changes.Watcher]:
    """This run's database path, migrated, and its change watcher."""
    path = _resolved(db_path())
    try:
        return path, _database(path)
    except FieldkitError as exc:
        st.error(str(exc))
        st.stop()


def migrate_once() -> None:
    """Apply pending migrations the first time this process sees the database."""
    _watched()


def generation() -> tuple[str, int]:
    """This run's database path and its change generation (fieldkit.changes).

    The watcher's connection stays open for the life of the process, which
    also spares every page's connection the checkpoint SQLite does when the
    last connection to a file closes.
    """
    path, watcher = _watched()
    return path, watcher.generation()


def remember(name: str, read: Callable[[Database], T]) -> T:
    """``read(conn)`` on this database, read again only once something was committed."""
    path, watcher = _watched()

    def compute() -> T:
        with db.connect(path, migrate=False) as conn:
            return read(conn)
    return watcher.remember(name, compute)


@contextlib.contextmanager
def connection() -> Iterator[Database]:
    """The database for this run, migrated, with no sign-in check (for the gate itself)."""
    path, _ = _watched()  # migrates once; the watcher's connection stays open (see there)
    with db.connect(path, migrate=False) as conn:
        yield conn


def restore(data: bytes) -> Path | None:
    """Replace this database with the backup in ``data`` (``backup.restore``).

    The process's own watcher lets go of the file first, and other tabs
    wait for the swap: a restore refuses while any connection has the file open.
    """
    path, watcher = _watched()
    with watcher.released():
        return backup.restore(path, data)
