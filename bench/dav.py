"""The phone's address book over CardDAV, on the heavy user's database (21,440 people).

Part "dav" of bench/run.py. The app runs as the other server figures run it
(bench/serve.py, which logs each script run), with one app password. A
client on this machine does what iOS and DAVx5 do (tests/davclient.py holds
their request bodies), over loopback HTTP with gzip:

- first full sync: a sync-collection REPORT with no token (every href and
  ETag), then addressbook-multiget REPORTs of BATCH cards each until every
  card is fetched; the wall time of the whole, from the first request to
  the last answer read, and the CPU time it took the server, its Radicale
  process and the client together (what the wall time would be on a machine
  with nothing else to do and one core);
- incremental sync with one change: one person's title changed through the
  core (as a page does), then a sync-collection REPORT with the last token
  (one href comes back) and a multiget of that one card;
- pages while a phone syncs: in Chromium at the phone profile, PAGES opened
  in ROUNDS rounds, server-side rerun times from bench/serve.py's log. Each
  round opens every page once with the phone paused and once while a thread
  runs full syncs back to back (which goes first alternates), so both sides
  see the same machine. Radicale runs in a process of its own at the lowest
  priority; the app's process still checks each request's app password and
  hands it on. The phone's thread also runs at the lowest priority: a real
  phone's work is not done on the server.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import statistics
import threading
import time
from collections.abc import Callable
from pathlib import Path

BATCH = 100  # cards per multiget: iOS asks for fewer, so this is the fewest round trips
FULL_SYNC_S, INCREMENTAL_S = 10.0, 0.5
PAGE_MS = 200  # the pages' own target (bench/run.py)
PAGES = ("/", "/queue", "/people", "/events")
ROUNDS = 15
BOOK = "/dav/fieldkit/contacts/"


def _client(url: str):
    import httpx2 as httpx
    return httpx.Client(base_url=url, timeout=120, headers={"accept-encoding": "gzip"})


def full_sync(client, auth, between: Callable[[], None] = lambda: None
              ) -> tuple[str, dict[str, str], int]:
    """(token, href -> ETag, bytes read) of a phone's first sync of the address book.
    ``between`` runs before each request after the first (it may wait)."""
    from tests import davclient as dav
    listing = dav.dav(client, "REPORT", BOOK, dav.sync_body(), depth="1", auth=auth)
    listing.raise_for_status()
    etags = {href: dav.text_of(props, "d:getetag")
             for href, props in dav.responses(listing).items()}
    read = len(listing.content)
    hrefs = sorted(etags)
    for start in range(0, len(hrefs), BATCH):
        between()
        cards = dav.dav(client, "REPORT", BOOK, dav.multiget_body(hrefs[start:start + BATCH]),
                        depth="1", auth=auth)
        cards.raise_for_status()
        read += len(cards.content)
        if len(dav.responses(cards)) != len(hrefs[start:start + BATCH]):
            raise RuntimeError("a multiget did not answer every card")
    return dav.sync_token(listing), etags, read


def incremental(client, auth, token: str) -> tuple[str, int]:
    """(new token, cards fetched) of a sync after one change."""
    from tests import davclient as dav
    changed = dav.dav(client, "REPORT", BOOK, dav.sync_body(token), depth="1", auth=auth)
    changed.raise_for_status()
    hrefs = list(dav.responses(changed))
    if hrefs:
        dav.dav(client, "REPORT", BOOK, dav.multiget_body(hrefs), depth="1",
                auth=auth).raise_for_status()
    return dav.sync_token(changed), len(hrefs)


def _cpu_seconds(pid: int) -> float:
    """CPU time (user and system) a process and its children alive now have used."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    pids = [pid]
    with contextlib.suppress(OSError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            pids += [int(c) for c in (task / "children").read_text().split()]
    for each in pids:
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def _change_one(path: Path, person_id: int, n: int) -> None:
    from fieldkit import cards, db, people
    with db.connect(path) as conn:
        row = cards.person_row(conn, person_id)
        values = list(people.person(conn, person_id)["more"])
        people.update(conn, person_id, cards.clean({**row, "title": f"Title {n}",
                                                   "values": values}))


def _page_runs(server, page, helpers, paths, repeat: int) -> dict[str, list[float]]:
    """Server-side rerun ms of each page, opened ``repeat`` times."""
    times: dict[str, list[float]] = {p: [] for p in paths}
    for _ in range(repeat):
        for path in paths:
            before = len(server.runs())
            helpers.open_page(page, server.url + path, timeout=60)
            time.sleep(0.2)
            times[path] += [r["ms"] for r in server.runs()[before:] if not r["fragment"]]
    return times


def measure(path: Path, workdir: Path, runs: int, chromium: str | None,
            say: Callable[[str], None]) -> tuple[list[dict], dict, list[str]]:
    """Figures (keyword arguments for bench.run.Figure), details, and what was not measured."""
    from bench.run import Server
    from fieldkit import app_passwords, db
    from tests import davclient

    work = workdir / "dav.db"
    shutil.copyfile(path, work)
    with db.connect(work) as conn:
        password = app_passwords.new(conn, "bench").password
        people = conn.execute("SELECT count(*) FROM people WHERE status != 'merged'"
                              ).fetchone()[0]
        changed_id = conn.execute("SELECT id FROM people WHERE status = 'active' "
                                  "ORDER BY id LIMIT 1").fetchone()[0]
    auth = davclient.basic(password)
    figures: list[dict] = []
    details: dict = {"cards": people, "batch": BATCH}
    missing: list[str] = []
    server = Server(work)
    try:
        server.wait_healthy(timeout=60)
        with _client(server.url) as client:
            full, full_cpu, token = [], [], ""
            for n in range(runs):
                start, cpu = time.perf_counter(), time.process_time()
                served = _cpu_seconds(server.process.pid)
                token, etags, read = full_sync(client, auth)
                full.append(time.perf_counter() - start)
                full_cpu.append(time.process_time() - cpu
                                + _cpu_seconds(server.process.pid) - served)
                if len(etags) != people:
                    raise RuntimeError(f"{len(etags)} cards synced of {people}")
                details["full_sync_kb"] = round(read / 1024)
                say(f"  first full sync of {len(etags):,} cards: {full[-1]:.2f} s "
                    f"({read / 1048576:.1f} MB read) ({n + 1}/{runs})")
            one = []
            for n in range(runs * 3):
                _change_one(work, changed_id, n)
                start = time.perf_counter()
                token, fetched = incremental(client, auth, token)
                one.append(time.perf_counter() - start)
                if fetched != 1:
                    raise RuntimeError(f"an incremental sync fetched {fetched} cards, not 1")
            say(f"  incremental sync with one change: median {statistics.median(one):.3f} s")
            _, nothing = incremental(client, auth, token)
            details["second_sync_cards"] = nothing
        figures += [
            dict(name=f"first full address-book sync ({people:,} cards)",
                 median=statistics.median(full), unit="s", target=FULL_SYNC_S, runs=full,
                 cpu=statistics.median(full_cpu),
                 note=f"sync-collection, then multigets of {BATCH}; cpu: server, its "
                      "Radicale process and the client together"),
            dict(name="incremental sync, one change", median=statistics.median(one) * 1000,
                 unit="ms", target=INCREMENTAL_S * 1000, runs=[t * 1000 for t in one],
                 note="sync-collection with the token, multiget of the one card"),
        ]
        if chromium is None:
            missing.append("pages while a phone syncs: no Chromium found")
        else:
            figures += _pages_while_syncing(server, chromium, auth, say, details)
    finally:
        server.stop()
    return figures, details, missing


def _pages_while_syncing(server, chromium: str, auth, say, details: dict) -> list[dict]:
    from playwright.sync_api import sync_playwright

    from tests.browser import helpers, launcher
    stop, syncing, idle_now = threading.Event(), threading.Event(), threading.Event()
    requests = [0]

    def between() -> None:
        """The phone's pause: no request goes out while the pages are measured alone."""
        if not syncing.is_set():
            idle_now.set()
            while not syncing.wait(0.05):
                if stop.is_set():
                    raise SystemExit
        idle_now.clear()
        requests[0] += 1

    def phone() -> None:
        # The phone's own work (its requests, reading 17.7 MB of answers) is done on
        # a phone, not on the server: here it takes only what the server leaves.
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)
        with contextlib.suppress(OSError, AttributeError):
            os.sched_setscheduler(threading.get_native_id(), os.SCHED_IDLE, os.sched_param(0))
        with contextlib.suppress(SystemExit), _client(server.url) as client:
            while not stop.is_set():
                between()
                full_sync(client, auth, between)

    idle: dict[str, list[float]] = {p: [] for p in PAGES}
    busy: dict[str, list[float]] = {p: [] for p in PAGES}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, headless=True,
                                             args=launcher.CHROMIUM_ARGS)
        thread = threading.Thread(target=phone, daemon=True)
        try:
            page = browser.new_context(**launcher.PHONE).new_page()
            _page_runs(server, page, helpers, PAGES, 1)  # warm: caches filled once
            thread.start()
            for n in range(ROUNDS):
                for alone in ((True, False) if n % 2 == 0 else (False, True)):
                    if alone:
                        syncing.clear()
                        idle_now.wait(30)  # the request in flight has been answered
                    else:
                        syncing.set()
                        time.sleep(0.5)  # the sync is under way
                    runs = _page_runs(server, page, helpers, PAGES, 1)
                    for path in PAGES:
                        (idle if alone else busy)[path] += runs[path]
        finally:
            stop.set()
            syncing.set()
            thread.join(timeout=120)
            browser.close()
    details["sync_requests_during_pages"] = requests[0]
    figures = []
    for path in PAGES:
        calm, during = statistics.median(idle[path]), statistics.median(busy[path])
        say(f"  {path}: {calm:.0f} ms alone, {during:.0f} ms while a phone syncs")
        figures.append(dict(name=f"{path} rerun while a phone syncs", median=during,
                            unit="ms", target=PAGE_MS, floor=calm, runs=busy[path],
                            note=f"alone: {calm:.0f} ms (ratio: while syncing / alone)"))
    return figures
