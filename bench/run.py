"""FieldKit's benchmark: a heavy user's database, every figure the targets name.

    python -m bench.run [--quick] [--db FILE] [--out bench/results.json]

Builds the heavy database with the sample generator (timed), then measures,
with medians over repeated runs:

- each page's server-side rerun under AppTest against that file, next to an
  empty page in the same harness (the framework's floor) and the page's own
  core calls run directly (the data's floor: the calls one run of the page
  made, recorded and made again by bench/trace.py); warm reruns and first runs
  (every st.cache cleared, a new session) are both reported;
- in a real `streamlit run` (bench/serve.py logs each script run's time on
  the server) driven by Chromium: cold start until the first page is
  rendered, one triage action on /queue, one card saved on /capture, and
  the server's peak memory (VmHWM) after visiting every page;
- LinkedIn import of 10,000 rows and vCard import of 5,000 cards, preview
  plus apply, each on a fresh copy of the heavy database;
- /capture on a phone behind an emulated venue link, first visit and second
  visit, FieldKit beside plain Streamlit (bench/venue.py, bench/link.py);
- /capture on loopback, the first phone right after a server start beside a
  later first visit (bench/venue.py, part "start");
- Lighthouse 12 mobile on /capture, FieldKit beside plain Streamlit, and on
  the booth (/booth) (bench/lighthouse.py; installs Lighthouse into
  bench/.node/ with npm);
- /capture while the network drops, and the booth opened offline (bench/drop.py);
- image bombs at the API: one request of 20 cards whose photos decode to the most
  pixels allowed, its peak memory growth (bench/photos.py);
- the phone's address book over CardDAV: a first full sync of every person,
  an incremental sync with one change, the pages while a phone syncs
  (bench/dav.py);
- business cards read from generated photos (bench/cards.py, tests/cardgen.py):
  fields exactly right, time per card, and the served app's memory growth
  while cards are read on /capture in Chromium;
- the mailbox on a private Dovecot on loopback (bench/mail.py): a first sync
  of 50,000 headers, a sync with nothing new, pages while a sync runs.

Prints one table and writes the same as JSON. Not part of `make test`.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from tests.browser import launcher

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent
APP = str(ROOT / "frame.py")  # what app.py serves, run under AppTest
FLOOR_APP = str(HERE / "floor_app.py")
SCALE = 134  # >= 20,000 people, 200,000 touches, 2,000 events, 8 years
SEARCH = "maya"  # a first name the sample uses: /people with a search
CHROMIUM = launcher.find_chromium()  # None: the server figures are not measured

PAGE_MS = 200
ACTION_MS = 60
COLD_START_S = 4
PEAK_MB = 350
LINKEDIN_S, LINKEDIN_ROWS = 1.5, 10_000
VCARD_S, VCARD_CARDS = 3.0, 5_000
GENERATE_S = 30


@dataclass
class Figure:
    name: str
    median: float
    unit: str  # "ms", "s" or "MB"
    target: float | None  # at most this; None: shown for information
    floor: float | None = None  # what it is compared with (ratio), same unit
    limit: float | None = None  # a second bound (2x framework + data floor)
    runs: list[float] = field(default_factory=list)
    note: str = ""
    cpu: float | None = None  # median CPU time, same unit: wall time minus waiting for a core
    least: float | None = None  # at least this (a score), instead of or beside target

    @property
    def ratio(self) -> float | None:
        return self.median / self.floor if self.floor else None

    @property
    def passed(self) -> bool | None:
        if self.target is None and self.least is None:
            return None
        return ((self.target is None or self.median <= self.target)
                and (self.limit is None or self.median <= self.limit)
                and (self.least is None or self.median >= self.least))


def median(values: list[float]) -> float:
    return statistics.median(values)


CPU_MS: list[float] = []  # the CPU time of each call timed() made, last call last


def timed(fn: Callable[[], object], repeat: int) -> list[float]:
    """Milliseconds per call of ``fn``, ``repeat`` times (after no warm-up).

    The process's CPU time of each call goes to CPU_MS: on a shared machine
    the wall time includes waiting for a core, the CPU time does not.
    """
    out = []
    for _ in range(repeat):
        gc.collect()
        start, cpu = time.perf_counter(), time.process_time()
        fn()
        out.append((time.perf_counter() - start) * 1000)
        CPU_MS.append((time.process_time() - cpu) * 1000)
    return out


def cpu_of_last(count: int) -> float:
    return median(CPU_MS[-count:])


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- database

def generate(path: Path, runs: int) -> Figure:
    """`python -m fieldkit sample --scale 134`, timed as a user would run it."""
    import resource
    times, cpus = [], []
    for n in range(runs):
        for extra in ("", "-wal", "-shm"):
            Path(str(path) + extra).unlink(missing_ok=True)
        start = time.perf_counter()
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run([sys.executable, "-m", "fieldkit", "sample", "--db", str(path),
                        "--scale", str(SCALE)], cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
        say(f"  generated in {times[-1]:.1f} s ({n + 1}/{runs})")
    return Figure("heavy database generated", median(times), "s", GENERATE_S, runs=times,
                  cpu=median(cpus))


def describe(path: Path) -> dict:
    from fieldkit import clock, config, db, triage
    with db.connect(path, migrate=False) as conn:
        counts = db.row_counts(conn)
        first, last = conn.execute("SELECT min(at), max(at) FROM touches").fetchone()
        tz = config.load(conn)["timezone"]
        due = triage.due_counts(conn, clock.today(tz))
    years = (clock.from_iso(last) - clock.from_iso(first)).days / 365.25
    return {"people": counts["people"], "touches": counts["touches"],
            "events": counts["events"], "history_years": round(years, 2),
            "due_followups": due["due"], "overdue_followups": due["overdue"]}


# --------------------------------------------------------------------------- pages

def _people_search(at):
    at.text_input(key="people_query").input(SEARCH).run()


def _metrics_all(at):
    at.button_group(key="metrics_period").set_value("all").run()


PAGES = {  # name: (page file, what to do after switching to it)
    "/": ("pages/today.py", None),
    "/capture": ("pages/capture.py", None),
    "/events": ("pages/events.py", None),
    "/people (search)": ("pages/people.py", _people_search),
    "/queue": ("pages/queue.py", None),
    "/calls": ("pages/calls.py", None),
    "/metrics": ("pages/metrics.py", None),
    "/metrics (all history)": ("pages/metrics.py", _metrics_all),
    "/data": ("pages/data.py", None),
}


def _share_script_cache() -> None:
    """Compile each page once, as a real server does, not on every AppTest run.

    AppTest makes a new ScriptCache per run, so every rerun would parse and
    compile the page again (Streamlit's "magic" AST pass included): a cost
    the served app pays once per process, not per rerun.
    """
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache
    from streamlit.testing.v1 import app_test, local_script_runner
    shared = ScriptCache()
    # Both make their own: the pages manager (app_test) and the script
    # runner that compiles the page it runs (local_script_runner).
    app_test.ScriptCache = lambda: shared
    local_script_runner.ScriptCache = lambda: shared


def _clear_caches():
    import streamlit as st
    st.cache_data.clear()
    st.cache_resource.clear()


def _open(page: str, setup):
    from streamlit.testing.v1 import AppTest
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    if page != "pages/today.py":
        at.switch_page(page).run()
    if setup:
        setup(at)
    assert not at.exception, at.exception
    return at


def page_calls(page: str, setup) -> list:
    """The core calls one run of the page makes with nothing cached (bench/trace.py)."""
    from bench import trace
    at = _open(page, setup)
    _clear_caches()
    with trace.record() as calls:
        at.run()
    assert not at.exception, at.exception
    say(f"  {page}: {len(calls)} core calls, "
        + ", ".join(dict.fromkeys(c.name for c in calls if not c.name.startswith("clock."))))
    return calls


def page_figures(path: Path, repeat: int, first_runs: int) -> list[Figure]:
    from streamlit.testing.v1 import AppTest

    from bench import trace

    os.environ["FIELDKIT_DB"] = str(path)
    _share_script_cache()
    _clear_caches()
    floor_app = AppTest.from_file(FLOOR_APP, default_timeout=120)
    floor_app.run()
    floor_app.run()
    assert not floor_app.exception, floor_app.exception
    framework = median(timed(floor_app.run, repeat * 2))
    say(f"  framework floor (empty page) {framework:.1f} ms")
    figures = [Figure("empty page (framework floor)", framework, "ms", None,
                      cpu=cpu_of_last(repeat * 2))]
    for name, (page, setup) in PAGES.items():
        calls = page_calls(page, setup)
        data = median(timed(trace.floor(calls, path), repeat))
        at = _open(page, setup)
        at.run()
        warm = timed(at.run, repeat)
        warm_cpu = cpu_of_last(repeat)
        assert not at.exception, at.exception
        firsts, first_cpus = [], []
        for _ in range(first_runs):
            fresh = AppTest.from_file(APP, default_timeout=120)
            fresh.run()
            if setup:
                fresh.switch_page(page).run()
                _clear_caches()
                firsts += timed(lambda at=fresh, do=setup: do(at), 1)
            else:
                _clear_caches()
                fresh.switch_page(page)
                firsts += timed(fresh.run, 1)
            first_cpus.append(CPU_MS[-1])
            assert not fresh.exception, fresh.exception
        figures.append(Figure(
            f"{name} rerun", median(warm), "ms", PAGE_MS, floor=framework + data,
            limit=2 * framework + data, runs=warm, cpu=warm_cpu,
            note=f"data floor {data:.1f} ms"))
        figures.append(Figure(
            f"{name} first run", median(firsts), "ms", None, floor=framework + data,
            runs=firsts, cpu=median(first_cpus), note="caches cleared, new session"))
        say(f"  {name}: rerun {median(warm):.0f} ms, first {median(firsts):.0f} ms, "
            f"data floor {data:.1f} ms")
    return figures


# --------------------------------------------------------------------------- server

class Server(launcher.Server):
    """app.py served as the browser tests serve it, through bench/serve.py.

    bench/serve.py logs each script run's server-side time to a file next to
    the database (BENCH_RUN_LOG); BENCH_PROFILE, when set, passes through.
    """

    def __init__(self, db_path: Path):
        self.run_log = db_path.with_suffix(".runs.jsonl")
        super().__init__(db_path, db_path.with_suffix(".log"), module="bench.serve",
                         env={"BENCH_RUN_LOG": str(self.run_log)})

    def runs(self) -> list[dict]:
        if not self.run_log.exists():
            return []
        return [json.loads(line) for line in self.run_log.read_text().splitlines() if line]

    def peak_mb(self) -> float:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        raise RuntimeError("no VmHWM")


def _wait_runs(server: Server, count: int, timeout: float = 30) -> list[dict]:
    deadline = time.monotonic() + timeout
    while len(server.runs()) < count:
        if time.monotonic() > deadline:
            raise RuntimeError(f"expected {count} runs, saw {len(server.runs())}")
        time.sleep(0.02)
    time.sleep(0.3)  # a run asked for by st.rerun shows up as part of the same one
    return server.runs()


def server_figures(path: Path, workdir: Path, starts: int, actions: int) -> list[Figure]:
    from playwright.sync_api import sync_playwright

    from tests.browser import helpers
    cold, peaks, triage, capture = [], [], [], []
    triage_cpu, capture_cpu = [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=launcher.CHROMIUM_ARGS)
        try:
            for n in range(starts):
                work = workdir / f"server-{n}.db"
                shutil.copyfile(path, work)
                context = browser.new_context(**launcher.PHONE)
                page = context.new_page()
                server = Server(work)
                try:
                    server.wait_healthy(timeout=60)
                    helpers.open_page(page, server.url + "/")
                    cold.append(time.perf_counter() - server.started)
                    for spec in ("capture", "events", "people", "queue", "calls", "metrics",
                                 "data", "settings"):
                        helpers.open_page(page, f"{server.url}/{spec}", timeout=60)
                    if n == 0:
                        triage, triage_cpu = _triage(page, server, helpers, actions)
                        capture, capture_cpu = _capture(page, server, helpers, actions)
                    peaks.append(server.peak_mb())
                    say(f"  cold start {cold[-1]:.2f} s, peak {peaks[-1]:.0f} MB "
                        f"({n + 1}/{starts})")
                finally:
                    context.close()
                    server.stop()
        finally:
            browser.close()
    return [
        Figure("cold start to first page", median(cold), "s", COLD_START_S, runs=cold,
               note="spawn to first page rendered in Chromium"),
        Figure("triage action on /queue", median(triage), "ms", ACTION_MS, runs=triage,
               cpu=median(triage_cpu), note="server-side, callback and the page's rerun"),
        Figure("card saved on /capture", median(capture), "ms", ACTION_MS, runs=capture,
               cpu=median(capture_cpu), note="server-side, save and the page's rerun"),
        Figure("server peak memory (VmHWM)", median(peaks), "MB", PEAK_MB, runs=peaks,
               note="after visiting every page"),
    ]


def _triage(page, server, helpers, count: int) -> list[float]:
    """Tap "Email" under "Log an attempt" for the first people due, one after another.

    Each tap's server time: the callback and the run that brings up the next person.
    """
    from fieldkit import clock, config, db, triage
    with db.connect(server.db_path, migrate=False) as conn:
        settings = config.load(conn)
        due = triage.due(conn, clock.today(settings["timezone"]),
                        ladder_gaps=settings["ladder_gaps"], limit=count)
    helpers.open_page(page, f"{server.url}/queue", timeout=60)
    out, cpu = [], []
    for item in due:
        before = len(server.runs())
        page.locator(f".st-key-queue_card_{item['followup_id']}").get_by_role(
            "radiogroup", name="Log an attempt").get_by_role(
            "radio", name="Email", exact=True).tap()
        runs = _wait_runs(server, before + 1)[before:]
        out.append(sum(r["ms"] for r in runs))
        cpu.append(sum(r["cpu_ms"] for r in runs))
        helpers.settle(page)
    return out, cpu


def _capture(page, server, helpers, count: int) -> list[float]:
    """Type a name and tap Save card; server time of the runs that follow."""
    helpers.open_page(page, f"{server.url}/capture", timeout=60)
    out, cpu = [], []
    for n in range(count):
        page.get_by_label("Name", exact=True).fill(f"Bench Person {n}")
        before = len(server.runs())
        page.get_by_role("button", name="Save card").tap()
        runs = _wait_runs(server, before + 1)[before:]
        out.append(sum(r["ms"] for r in runs))
        cpu.append(sum(r["cpu_ms"] for r in runs))
        helpers.settle(page)
    return out, cpu


# --------------------------------------------------------------------------- imports

def import_figures(path: Path, workdir: Path, repeat: int) -> list[Figure]:
    from bench import files
    from fieldkit import config, db, imports, linkedin, vcard

    figures = []
    for label, reader, data, target, size in (
        (f"LinkedIn import, {LINKEDIN_ROWS:,} rows", linkedin, files.linkedin_csv(LINKEDIN_ROWS),
         LINKEDIN_S, LINKEDIN_ROWS),
        (f"vCard import, {VCARD_CARDS:,} cards", vcard, files.vcards(VCARD_CARDS),
         VCARD_S, VCARD_CARDS),
    ):
        totals, previews, applies, cpus = [], [], [], []
        for _ in range(repeat):
            work = workdir / "import.db"
            shutil.copyfile(path, work)
            with db.connect(work, migrate=False) as conn:
                settings = config.load(conn)
                gc.collect()
                start, cpu = time.perf_counter(), time.process_time()
                preview = reader.preview(conn, data, "bench", settings)
                middle = time.perf_counter()
                done = imports.apply(conn, preview)
                end = time.perf_counter()
                cpus.append(time.process_time() - cpu)
            previews.append(middle - start)
            applies.append(end - middle)
            totals.append(end - start)
        counts = (f"{done['new']:,} new, {done['matched']:,} matched, "
                  f"{done['skipped']:,} skipped")
        figures += [
            Figure(label, median(totals), "s", target, runs=totals, cpu=median(cpus),
                   note=f"preview and apply; {counts}"),
            Figure("  of which preview", median(previews), "s", None, runs=previews,
                   note="read, clean and match every row"),
            Figure("  of which apply", median(applies), "s", None, runs=applies,
                   note="one transaction"),
        ]
        say(f"  {label}: {median(totals):.2f} s (preview {median(previews):.2f} s, apply "
            f"{median(applies):.2f} s, cpu {median(cpus):.2f} s; {counts}) [{size}]")
    return figures


# --------------------------------------------------------------------------- report

def fmt(value: float | None, unit: str) -> str:
    if value is None:
        return ""
    if unit == "ms":
        return f"{value:.0f} ms" if value >= 10 else f"{value:.1f} ms"
    if unit == "s":
        return f"{value:.2f} s"
    if unit == "%":
        return f"{value:.1f}%"
    return f"{value:.0f} {unit}"


def table(figures: list[Figure]) -> str:
    rows = [("figure", "median", "cpu", "target", "ratio to floor", "result")]
    for f in figures:
        target = "" if f.target is None else "≤ " + fmt(f.target, f.unit)
        if f.limit is not None:
            target += f" and ≤ {fmt(f.limit, f.unit)}"
        if f.least is not None:
            target = "≥ " + fmt(f.least, f.unit)
        result = {None: "", True: "pass", False: "falls short"}[f.passed]
        rows.append((f.name, fmt(f.median, f.unit), fmt(f.cpu, f.unit), target,
                     "" if f.ratio is None else f"{f.ratio:.2f}x", result))
    widths = [max(len(r[i]) for r in rows) for i in range(6)]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(r, widths)) + " |" for r in rows]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


PARTS = ("generate", "pages", "server", "imports", "venue", "start", "lighthouse", "drop",
         "cards", "photos", "dav", "mail")
# Those that need the heavy database.
HEAVY_PARTS = {"generate", "pages", "server", "imports", "dav"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="fewer repetitions: a rough look, not figures to quote")
    parser.add_argument("--db", type=Path,
                        help="use this heavy database instead of generating one (the "
                             "generation figure is then left out)")
    parser.add_argument("--out", type=Path, default=HERE / "results.json")
    parser.add_argument("--only", choices=PARTS, action="append",
                        help="measure only these parts")
    args = parser.parse_args(argv)
    parts = set(args.only or PARTS)
    repeat = 5 if args.quick else 11
    first_runs = 2 if args.quick else 3
    gen_runs = 1 if args.quick else 3
    starts = 1 if args.quick else 3
    actions = 3 if args.quick else 7
    imports_repeat = 1 if args.quick else 3
    venue_runs = 1 if args.quick else 3
    start_runs = 2 if args.quick else 5
    lighthouse_runs = 1 if args.quick else 3
    card_count = 60 if args.quick else 100
    card_reads = 3 if args.quick else 6

    workdir = Path(tempfile.mkdtemp(prefix="fieldkit-bench-"))
    figures: list[Figure] = []
    skipped: list[str] = []
    details: dict = {}  # what stands behind the venue and Lighthouse figures
    shape = None
    try:
        path = workdir / "heavy.db"
        # The venue and Lighthouse parts open a small sample database of their own.
        if parts & HEAVY_PARTS:
            if args.db:
                shutil.copyfile(args.db, path)
            else:
                say(f"Generating the heavy database (scale {SCALE})...")
                gen = generate(path, gen_runs)
                if "generate" in parts:
                    figures.append(gen)
            # The app migrates the file once; do it here so no run pays for it.
            from fieldkit import db
            with db.connect(path):
                pass
            shape = describe(path)
            say(f"  {shape}")
        if "pages" in parts:
            say("Page reruns under AppTest...")
            figures += page_figures(path, repeat, first_runs)
        if "server" in parts and CHROMIUM is None:
            skipped.append("server figures: no Chromium found (apt-get install chromium, "
                           "or set FIELDKIT_CHROMIUM to an executable)")
            say(f"  skipped {skipped[-1]}")
        elif "server" in parts:
            say("streamlit run in Chromium: cold start, actions, memory...")
            figures += server_figures(path, workdir, starts, actions)
        if "imports" in parts:
            say("Imports...")
            figures += import_figures(path, workdir, imports_repeat)
        if parts & {"venue", "start", "lighthouse", "drop"} and CHROMIUM is None:
            skipped.append("venue, start, Lighthouse and drop figures: no Chromium found (apt-get "
                           "install chromium, or set FIELDKIT_CHROMIUM to an executable)")
            say(f"  skipped {skipped[-1]}")
        elif parts & {"venue", "start", "lighthouse", "drop"}:
            from bench import lighthouse, venue
            if "venue" in parts:
                say("/capture through a venue's link (300 ms, 768/256 kbps), cold and warm...")
                found, details["venue"] = venue.measure(workdir, venue_runs, say)
                figures += [Figure(**f) for f in found]
            if "start" in parts:
                say("/capture on loopback: the first phone after a server start, and a later one...")
                figures += [Figure(**f) for f in venue.first_after_start(workdir, start_runs, say)]
            if "lighthouse" in parts:
                say("Lighthouse mobile on /capture and /booth...")
                try:
                    found, details["lighthouse"] = lighthouse.measure(
                        workdir, lighthouse_runs, say)
                    figures += [Figure(**f) for f in found]
                except lighthouse.NotMeasured as error:
                    skipped.append(str(error))
                    say(f"  not measured: {error}")
            if "drop" in parts:
                from bench import drop
                say("/capture while the network drops for 10 s, 150 s and 10 minutes "
                    "(about 11 minutes), then the booth offline...")
                found, details["drop"] = drop.measure(workdir, say)
                figures += [Figure(**f) for f in found]
        if "photos" in parts:
            from bench import photos
            say("Image bombs at the API: 20 cards of 24 MP photos in one request...")
            found, details["photos"] = photos.measure(workdir, say)
            figures += [Figure(**f) for f in found]
        if "dav" in parts:
            from bench import dav
            say("The phone's address book over CardDAV: first sync, one change, pages "
                "meanwhile...")
            found, details["dav"], missing = dav.measure(path, workdir, starts, CHROMIUM, say)
            figures += [Figure(**f) for f in found]
            skipped += missing
        if "cards" in parts:
            from bench import cards
            say("Business cards read from generated photos...")
            found, details["cards"], missing = cards.figures(workdir, CHROMIUM, card_count,
                                                             card_reads, say)
            figures += [Figure(**f) for f in found]
            skipped += missing
        if "mail" in parts:
            from bench import mail
            from tests.mailserver import find_dovecot
            if find_dovecot() is None:
                skipped.append("mail figures: no dovecot (apt-get install dovecot-imapd)")
                say(f"  skipped {skipped[-1]}")
            else:
                say("The mailbox: a first sync of 50,000 headers, nothing new, pages during "
                    "a sync...")
                found, details["mail"] = mail.measure(workdir, repeat, say)
                figures += [Figure(**f) for f in found]
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    print(table(figures))
    short = [f.name for f in figures if f.passed is False]
    verdict = (f"{len(short)} fall short: {', '.join(short)}" if short
               else "every target measured passes")
    if skipped:  # a part that could not run has passed nothing
        verdict += f"; {len(skipped)} part(s) not measured"
    print(f"\n{len(figures)} figures; {verdict}")
    for line in skipped:
        print(f"not measured: {line}")
    result = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": {"cores": os.cpu_count(), "python": platform.python_version(),
                    "load_average": os.getloadavg()},
        "quick": args.quick,
        "database": {"scale": SCALE, **shape} if shape else None,
        "figures": [{**asdict(f), "ratio": f.ratio, "passed": f.passed} for f in figures],
        "not_measured": skipped,
        **details,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
