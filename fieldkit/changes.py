"""Has the database changed? A cheap counter to key caches on.

SQLite's ``PRAGMA data_version`` changes, for one connection, whenever
another connection (in this process or any other) has committed to the
file since that connection last asked. A ``Watcher`` keeps one such
connection per file, only ever reading the pragma, and turns what it sees
into a ``generation`` that grows by one each time something was committed:
two equal generations mean nothing changed in between.

A file replaced on disk (a restore renames another file over it) is a new
file: the watcher notices the new inode, reopens and counts a change too.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


class Watcher:
    """The change generation of one database file; safe to share between threads."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        self._identity: tuple[int, int] | None = None
        self._version: int | None = None
        self._generation = 0
        self._memo: dict[str, tuple[int, object]] = {}

    def _file_identity(self) -> tuple[int, int] | None:
        try:
            stat = os.stat(self.path)
        except OSError:
            return None
        return stat.st_dev, stat.st_ino

    def generation(self) -> int:
        """A number that changes whenever anyone has committed to the file since last asked."""
        with self._lock:
            identity = self._file_identity()
            if identity != self._identity or self._conn is None:
                self._reopen(identity)
            if self._conn is None:
                return self._generation
            try:
                version = self._conn.execute("PRAGMA data_version").fetchone()[0]
            except sqlite3.Error:
                self._reopen(identity)
                return self._generation
            if version != self._version:
                self._version = version
                self._generation += 1
            return self._generation

    def remember(self, name: str, compute: Callable[[], T]) -> T:
        """``compute()``, computed again only once something was committed since.

        For small values read on every run (the password's stamp): cheaper
        than a cache keyed on the generation, as nothing is hashed or copied.
        The value is computed after the generation is read, so it is never
        older than the generation it is kept under.
        """
        generation = self.generation()
        with self._lock:
            kept = self._memo.get(name)
        if kept is not None and kept[0] == generation:
            return kept[1]  # type: ignore[return-value]
        value = compute()
        with self._lock:
            self._memo[name] = (generation, value)
        return value

    @contextlib.contextmanager
    def released(self) -> Iterator[None]:
        """The file without this watcher's connection for the block.

        A restore swaps the file only when no connection has it open. Other
        threads asking for the generation meanwhile wait for the block to
        end, then see the new file.
        """
        with self._lock:
            self.close_connection()
            yield

    def _reopen(self, identity: tuple[int, int] | None) -> None:
        self.close_connection()
        self._identity = identity
        self._version = None
        self._generation += 1
        if identity is None:
            return
        try:
            self._conn = sqlite3.connect(str(self.path), check_same_thread=False,
                                         isolation_level=None)
        except sqlite3.Error:
            self._conn = None

    def close_connection(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def close(self) -> None:
        with self._lock:
            self.close_connection()
