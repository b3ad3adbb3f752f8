"""fieldkit.processes.end: a child asked to end, and killed when it will not."""

import signal
import subprocess
import sys
import time

from fieldkit import processes


def child(code: str) -> subprocess.Popen:
    started = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE)
    assert started.stdout.readline() == b"ready\n"
    return started


def test_a_child_that_ends_when_asked_ends_by_sigterm():
    process = child("import time; print('ready', flush=True); time.sleep(60)")
    processes.end(process, timeout=10)
    assert process.returncode == -signal.SIGTERM


def test_a_child_that_ignores_sigterm_is_killed_after_the_timeout():
    process = child("import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
                    "print('ready', flush=True); time.sleep(60)")
    start = time.monotonic()
    processes.end(process, timeout=0.5)
    assert process.returncode == -signal.SIGKILL and time.monotonic() - start >= 0.5


def test_a_child_already_ended_is_left_as_it_ended():
    process = child("print('ready', flush=True)")
    process.wait()
    processes.end(process)
    assert process.returncode == 0
