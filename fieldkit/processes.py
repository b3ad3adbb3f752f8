"""Ending a child process: politely, then for good."""

from __future__ import annotations

import subprocess


def end(process: subprocess.Popen, timeout: float = 10.0) -> None:
    """Ask ``process`` to end (SIGTERM); kill it if it has not after ``timeout`` seconds.
    Returns once it has ended; a process that already ended is left as it is."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
