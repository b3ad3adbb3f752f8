"""What runs beside the server while it runs: the mailbox's background sync.

A lifespan for ``st.App`` (app.py passes it): Streamlit enters it once when
the server starts and leaves it when the server stops, so the scheduler
starts once per server and stops with it, whatever tabs come and go. The
scheduler itself is core (fieldkit.mail_schedule); this is only where the
server's life is known.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from pathlib import Path

from fieldkit import mail_schedule


def lifespan(database: Callable[[], Path]):
    """A lifespan that syncs the mailbox of ``database()`` in the background."""

    @contextlib.asynccontextmanager
    async def run(app) -> AsyncIterator[None]:
        mail_schedule.start(database)
        try:
            yield
        finally:
            # Stopping waits for the sync process to end: not on the event loop.
            await asyncio.to_thread(mail_schedule.stop)

    return run
