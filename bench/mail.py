"""The mailbox's part of the benchmark: a first sync of 50,000 headers, a sync with nothing
new, and the pages while a sync runs.

A private Dovecot on loopback (tests/mailserver.py) holds a mailbox of
``MESSAGES`` messages over the last 85 days (``SENT_SHARE`` of them in Sent),
addressed as a busy product manager's mail is: most from strangers, lists and
notifications, some to and from the people of the sample database
(``python -m fieldkit sample --scale SCALE``), each with the header block a
delivered message has (Received lines, DKIM, ...), about 1.1 kB.

- **first sync**: ``python -m fieldkit mail sync`` as a user runs it, timed
  from spawn to exit (the interpreter's start included);
- **nothing new**: ``mail_sync.sync`` in this process, connection and login
  included, repeated; and the command's wall time, for information;
- **pages during a sync**: warm reruns of a few pages under AppTest (as
  bench/run.py times them) while the first sync runs again as the server
  runs it (``mail_schedule.start_sync``: a process of its own at a lower CPU
  priority, nice 19), in pairs: one rerun with the sync paused, one with it
  running, so both meet the same load from anything else on the machine.
  Dovecot is given that priority too for this part: on a real server the
  mailbox is on another machine. For the first two figures it runs as it
  is started.
"""

from __future__ import annotations

import contextlib
import gc
import os
import random
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MESSAGES = 50_000
SENT_SHARE = 0.1
DAYS = 85  # within the first sync's 90
SCALE = 20  # the sample's people: about 3,200
FIRST_SYNC_S = 60.0
NOTHING_NEW_S = 1.0
SLOWER = 1.10  # a page's median rerun during a sync, at most this times its median without
PAIRS = 21  # reruns with the sync paused and running, per page
PAGES = {  # name: (page file, what to do after switching to it)
    "/": ("pages/today.py", None),
    "/queue": ("pages/queue.py", None),
    "/people (search)": ("pages/people.py",
                         lambda at: at.text_input(key="people_query").input("maya").run()),
    "/settings": ("pages/settings.py", None),
}
_FILLER = "".join(
    f"Received: from mx{n}.example.net (mx{n}.example.net [192.0.2.{n}])\r\n"
    f"\tby mail.fieldkit.test with ESMTPS id {n:08x}; Mon, 7 Dec 2026 10:0{n}:00 +0000\r\n"
    for n in range(4)) + (
    "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.net; s=s1;\r\n"
    "\th=from:to:subject:date:message-id; bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=;\r\n"
    "\tb=dGhpcyBpcyBub3QgYSByZWFsIHNpZ25hdHVyZSwganVzdCBieXRlcyBvZiB0aGUgcmlnaHQgc2l6ZQ==\r\n"
    "X-Mailer: Some Mail Client 12.4\r\nMIME-Version: 1.0\r\n")


def _people(db_path: Path) -> list[str]:
    from fieldkit import db
    with db.connect(db_path) as conn:
        return [e for (e,) in conn.execute(
            "SELECT email FROM people WHERE email IS NOT NULL AND status = 'active' "
            "ORDER BY id")]


def _message(rng: random.Random, n: int, me: str, known: list[str], when: datetime,
             sent: bool) -> bytes:
    kind = rng.random()
    extra = ""
    if sent:
        sender = me
        to = rng.choice(known) if kind < 0.6 else f"someone{n}@elsewhere.example"
    elif kind < 0.15:  # a known person writes
        sender, to = rng.choice(known), me
    elif kind < 0.55:  # lists, newsletters, notifications
        sender, to = f"news@list{n % 300}.example", me
        extra = (f"List-Id: <list{n % 300}.example>\r\n"
                 f"List-Unsubscribe: <mailto:leave@list{n % 300}.example>\r\n"
                 "Precedence: bulk\r\n")
    else:  # strangers
        sender, to = f"person{n}@elsewhere.example", me
    return (f"Return-Path: <{sender}>\r\n{_FILLER}From: <{sender}>\r\nTo: <{to}>\r\n"
            f"Subject: Message {n} about the route planning pilot\r\n"
            f"Date: {format_datetime(when)}\r\nMessage-ID: <bench-{n}@fieldkit.test>\r\n"
            f"Content-Type: text/plain; charset=utf-8\r\n{extra}\r\n"
            "Hello,\r\n\r\njust a short note.\r\n").encode()


def _seed(box, known: list[str], count: int, say) -> None:
    rng = random.Random(26)
    now = datetime.now(timezone.utc)
    start = time.perf_counter()
    for n in range(count):
        when = now - timedelta(seconds=rng.uniform(3600, DAYS * 86400))
        sent = rng.random() < SENT_SHARE
        box.deliver("Sent" if sent else "INBOX",
                    _message(rng, n, box.user, known, when, sent), when=when)
    say(f"  seeded {count:,} messages in {time.perf_counter() - start:.1f} s")


def _sync_command(db_path: Path, *extra: str) -> tuple[float, float, str]:
    """`python -m fieldkit mail sync`: wall seconds, CPU seconds of the child, its output."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "fieldkit", "mail", "sync", "--quiet",
                           "--db", str(db_path), *extra], cwd=ROOT, capture_output=True,
                          text=True, check=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, \
        done.stdout.strip()


def _paired(page: str, setup, repeat: int, start_sync: Callable[[], subprocess.Popen]
            ) -> tuple[list[float], list[float], list[float], list[float]]:
    """Warm rerun milliseconds of ``page`` with a sync paused, and running: in pairs.

    The sync process is stopped (SIGSTOP) for one rerun and let go on
    (SIGCONT) for the next, so both of a pair meet the same load from
    whatever else the machine runs; Dovecot idles while the sync waits.
    Wall milliseconds paused and running, then CPU milliseconds of this
    process for the same reruns (the page's own work, whatever the wait).
    """
    from streamlit.testing.v1 import AppTest
    at = AppTest.from_file(str(ROOT / "frame.py"), default_timeout=120)
    at.run()
    at.switch_page(page).run()
    if setup:
        setup(at)
    at.run()
    at.run()
    child = start_sync()
    time.sleep(1.0)  # past the child's start: reading headers
    quiet, busy, quiet_cpu, busy_cpu = [], [], [], []
    try:
        while len(busy) < repeat and child.poll() is None:
            for running, times, cpus in ((False, quiet, quiet_cpu), (True, busy, busy_cpu)):
                os.kill(child.pid, signal.SIGCONT if running else signal.SIGSTOP)
                time.sleep(0.3)  # the sync back at work, or its last reads done
                gc.collect()
                start, cpu = time.perf_counter(), time.process_time()
                at.run()
                times.append((time.perf_counter() - start) * 1000)
                cpus.append((time.process_time() - cpu) * 1000)
    finally:
        if child.poll() is None:
            os.kill(child.pid, signal.SIGCONT)
            child.terminate()
        child.wait()
    assert not at.exception, at.exception
    pairs = len(busy)
    return quiet[:pairs], busy, quiet_cpu[:pairs], busy_cpu


def _renice(pid: int, niceness: int) -> None:
    """Lower the priority of a process and its children (Dovecot's master and services)."""
    pids = [pid]
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            pids.append(int(stat.parent.name))
    for each in pids:
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, each, niceness)


def measure(workdir: Path, repeat: int, say: Callable[[str], None]) -> tuple[list[dict], dict]:
    """The mailbox's figures for bench/run.py: (figures as dicts, details)."""
    from fieldkit import db, mail_account, mail_schedule, mail_sync, mailbox
    from tests.mailserver import MailServer

    db_path = workdir / "mail.db"
    say(f"  sample database, scale {SCALE}...")
    subprocess.run([sys.executable, "-m", "fieldkit", "sample", "--db", str(db_path),
                    "--scale", str(SCALE)], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    known = _people(db_path)
    figures: list[dict] = []
    details: dict = {"messages": MESSAGES, "known_people": len(known)}
    with MailServer() as server:
        box = server.mailbox("pm@fieldkit.test")
        _seed(box, known, MESSAGES, say)
        with db.connect(db_path) as conn:
            mail_account.connect(conn, db_path, mailbox.account(
                server.host, server.port, box.user, "none"), server.password)
        fresh = workdir / "mail-connected.db"
        shutil.copyfile(db_path, fresh)

        say(f"  first sync of {MESSAGES:,} headers (python -m fieldkit mail sync)...")
        wall, cpu, line = _sync_command(db_path)
        say(f"    {wall:.1f} s (cpu {cpu:.1f} s): {line}")
        details["first_sync"] = {"seconds": wall, "cpu_seconds": cpu, "result": line}
        figures.append(dict(name=f"mail: first sync, {MESSAGES:,} headers", median=wall,
                            unit="s", target=FIRST_SYNC_S, cpu=cpu, runs=[wall],
                            note=line[:80]))

        nothing, nothing_cpu = [], []
        with db.connect(db_path) as conn:
            for _ in range(repeat):
                start, cpu0 = time.perf_counter(), time.process_time()
                result = mail_sync.sync(conn, db_path)
                nothing.append(time.perf_counter() - start)
                nothing_cpu.append(time.process_time() - cpu0)
                assert result.read == 0, result
        command = [_sync_command(db_path)[0] for _ in range(3)]
        say(f"    nothing new: {statistics.median(nothing) * 1000:.0f} ms in process, "
            f"{statistics.median(command):.2f} s as a command")
        figures += [
            dict(name="mail: sync with nothing new", median=statistics.median(nothing),
                 unit="s", target=NOTHING_NEW_S, cpu=statistics.median(nothing_cpu),
                 runs=nothing, note="connect, log in, look at each folder"),
            dict(name="  the same as a command", median=statistics.median(command), unit="s",
                 target=None, runs=command, note="python -m fieldkit mail sync, start to exit"),
        ]

        say("  pages while a sync runs, and while it is paused...")
        _renice(server.process.pid, mail_schedule.NICENESS)
        details["pages"] = {}
        for n, (name, (page, setup)) in enumerate(PAGES.items()):
            # Each page with a first sync of its own, on a copy made before the first.
            copy = workdir / f"mail-page-{n}.db"
            shutil.copyfile(fresh, copy)
            shutil.copyfile(mail_account.password_path(db_path), mail_account.password_path(copy))
            os.environ["FIELDKIT_DB"] = str(copy)
            quiet, busy, quiet_cpu, busy_cpu = _paired(
                page, setup, max(repeat, PAIRS), lambda copy=copy: mail_schedule.start_sync(copy))
            details["pages"][name] = {"paused_ms": quiet, "running_ms": busy,
                                      "paused_cpu_ms": quiet_cpu, "running_cpu_ms": busy_cpu}
            if not busy:
                say(f"    {name}: the sync ended before it was measured")
                continue
            before, during = statistics.median(quiet), statistics.median(busy)
            cpu_before, cpu_during = statistics.median(quiet_cpu), statistics.median(busy_cpu)
            say(f"    {name}: {before:.0f} ms with the sync paused, {during:.0f} ms while it "
                f"runs; cpu {cpu_before:.0f} and {cpu_during:.0f} ms ({len(busy)} pairs)")
            figures.append(dict(name=f"mail: {name} rerun during a sync", median=during,
                                unit="ms", target=before * SLOWER, floor=before, runs=busy,
                                cpu=cpu_during,
                                note=f"paused {before:.0f} ms (cpu {cpu_before:.0f}); "
                                     f"{len(busy)} pairs"))
    return figures, details
