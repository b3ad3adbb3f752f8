"""Streamlit's uploaded files: how much a tab and the server hold, and freeing those of tabs gone.

Streamlit keeps every uploaded file in memory, by tab (its session), until
the tab ends; FieldKit keeps a disconnected tab for a working day. These
functions read and free that store through Streamlit's own upload manager
(internals listed in docs/architecture.md, pinned by
tests/test_web_doors.py); fieldkit.web.doors decides with them.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from streamlit.runtime import Runtime

MiB = 1024 * 1024
# A tab's files: a card photo and an address book at Streamlit's largest
# (server.maxUploadSize, 25 MB each) fit, with room.
PER_TAB_BYTES = 60 * MiB
# All tabs together: a few phones and a laptop at work at once.
TOTAL_BYTES = 250 * MiB
# A tab whose connection is gone keeps its files this long (a phone that
# comes back within it finds its photo still attached), then they are freed.
GONE_GRACE_SECONDS = 10 * 60


def _manager():
    return Runtime.instance().uploaded_file_mgr if Runtime.exists() else None


def held(session_id: str) -> tuple[int, int]:
    """Bytes held for the tab ``session_id`` and for all tabs together."""
    manager = _manager()
    if manager is None:
        return 0, 0
    with manager._lock:
        tab = sum(len(f.data) for f in manager.file_storage.get(session_id, {}).values())
        return tab, manager._total_bytes


def is_connected(session_id: str) -> bool:
    """Whether the tab ``session_id`` is connected now (Streamlit takes uploads only then)."""
    return Runtime.exists() and Runtime.instance().is_active_session(session_id)


class GoneTabs:
    """Frees the files of tabs disconnected for longer than ``grace`` seconds.

    ``sweep()`` is called now and then (fieldkit.web.doors does, at most
    once every ``every`` seconds, on requests); a tab that reconnects in
    time keeps its files.
    """

    def __init__(self, grace: float = GONE_GRACE_SECONDS,
                 clock: Callable[[], float] = time.monotonic):
        self.grace = grace
        self.clock = clock
        self._gone_since: dict[str, float] = {}

    def sweep(self) -> list[str]:
        """Free what is due; returns the tabs whose files were freed."""
        manager = _manager()
        if manager is None:
            return []
        now = self.clock()
        freed = []
        with manager._lock:
            holding = list(manager.file_storage)
        for session_id in holding:
            if is_connected(session_id):
                self._gone_since.pop(session_id, None)
            elif now - self._gone_since.setdefault(session_id, now) >= self.grace:
                manager.remove_session_files(session_id)
                self._gone_since.pop(session_id, None)
                freed.append(session_id)
        for session_id in set(self._gone_since) - set(holding):
            del self._gone_since[session_id]
        return freed
