"""/capture on a phone at a venue: a first visit, and a second one from the phone's caches.

Part "venue" of bench/run.py. The app runs as `make run` runs it (the shared
launcher, a fresh database with the sample data), behind bench/link.py's
venue link: 300 ms round trip, 768 kbps down, 256 kbps up, shared by every
connection, the websocket included. Chromium at the phone profile opens
/capture through it:

- cold: a new browser context (no cache, no service worker) until the Name
  box takes input; what it downloaded (the bytes the link carried down:
  compressed as sent, headers and websocket included) once the link has
  been quiet for QUIET_S; and how many /static/ files the server answered;
- warm: the same context, the page closed and /capture opened again in a
  new page: the same three figures. FieldKit's service worker should answer
  every static file, so the server sees none of them.

"Takes input" is the Name text input visible, laid out and enabled: the
moment a thumb could start typing. The time is the page's own clock
(performance.now(), from navigation start).

The same is measured on plain Streamlit serving frame.py (`streamlit run
frame.py`: FieldKit's pages without its routes and middleware, which is what
FieldKit served before it compressed its files and kept a shell), for
comparison. The two alternate, run by run, so both see the same machine.
"""

from __future__ import annotations

import contextlib
import shutil
import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bench import link
from tests.browser import launcher

PAGE = "/capture"
COLD_S, COLD_KB = 10.0, 1000.0
WARM_S, WARM_STATIC = 1.5, 0
QUIET_S = 1.5  # no byte either way for this long: the page has downloaded what it will
TIMEOUT_S = 180  # plain Streamlit's cold visit takes over half a minute

VARIANTS = {  # name in the table: script served, what it is
    "FieldKit": "app.py",
    "plain Streamlit": "frame.py",
}

# The Name box, ready: visible with a size, enabled, writable. Returns when
# that became true on the page's clock (ms since navigation start).
READY_JS = """() => {
  const box = document.querySelector('input[aria-label="Name"]');
  if (!box || box.disabled || box.readOnly) return false;
  const rect = box.getBoundingClientRect();
  if (rect.width === 0 || rect.height === 0) return false;
  if (getComputedStyle(box).visibility === 'hidden') return false;
  return performance.now();
}"""


@dataclass
class Visit:
    seconds: float  # navigation start to Name taking input
    down_bytes: int  # what the link carried down until it was quiet
    down_at_ready: int  # ... by the time Name took input
    up_bytes: int
    static_from_server: int  # /static/ requests that reached the server
    from_service_worker: int  # responses the page got from the service worker
    controlled: bool  # a service worker controlled the page
    requests: int  # requests that reached the server
    downloads: list[tuple[str, int]] = field(default_factory=list)  # (path, bytes), biggest first


def sample_database(path: Path) -> None:
    """A fresh database with the sample data, as `python -m fieldkit sample --db FILE` makes it."""
    from fieldkit import db, sample
    with db.connect(path) as conn:
        sample.fill(conn, 1)


def _visit(context, venue: link.Link, url: str) -> Visit:
    """Open ``url`` in a new page of ``context``; the page stays open (the caller closes it)."""
    venue.wait_quiet(QUIET_S, timeout=30)  # what an earlier page still said is not counted
    venue.reset()
    page = context.new_page()
    from_worker = []
    page.on("response", lambda response: from_worker.append(response.from_service_worker))
    page.goto(url, wait_until="commit", timeout=TIMEOUT_S * 1000)
    ready_ms = page.wait_for_function(READY_JS, polling="raf",
                                      timeout=TIMEOUT_S * 1000).json_value()
    at_ready = venue.down_bytes
    controlled = page.evaluate("() => !!(navigator.serviceWorker && "
                               "navigator.serviceWorker.controller)")
    if not venue.wait_quiet(QUIET_S, timeout=60):
        raise RuntimeError(f"the link never went quiet after opening {url}")
    requests = list(venue.requests)
    by_path: dict[str, int] = {}
    for request in requests:
        by_path[request.path] = by_path.get(request.path, 0) + request.down_bytes
    visit = Visit(
        seconds=ready_ms / 1000, down_bytes=venue.down_bytes, down_at_ready=at_ready,
        up_bytes=venue.up_bytes,
        static_from_server=sum(r.path.startswith("/static/") for r in requests),
        from_service_worker=sum(from_worker), controlled=controlled, requests=len(requests),
        downloads=sorted(by_path.items(), key=lambda item: -item[1]),
    )
    page.close()
    return visit


def measure(workdir: Path, runs: int, say: Callable[[str], None]) -> tuple[list[dict], dict]:
    """Figures (as keyword arguments for bench.run.Figure) and the details behind them.

    ``runs`` cold visits per variant, each in a new browser context and each
    followed by its warm visit; the servers and the link stay up throughout.
    """
    from playwright.sync_api import sync_playwright

    template = workdir / "venue-template.db"
    sample_database(template)
    visits: dict[str, dict[str, list[Visit]]] = {v: {"cold": [], "warm": []} for v in VARIANTS}
    with contextlib.ExitStack() as stack:
        servers = {}
        for name, script in VARIANTS.items():
            db_path = workdir / f"venue-{script.removesuffix('.py')}.db"
            shutil.copyfile(template, db_path)
            servers[name] = stack.enter_context(
                launcher.Server(db_path, db_path.with_suffix(".log"), script=script))
        links = {}
        for name, server in servers.items():
            server.wait_healthy(timeout=60)
            links[name] = stack.enter_context(link.Link(server.port))
        playwright = stack.enter_context(sync_playwright())
        browser = playwright.chromium.launch(executable_path=launcher.find_chromium(),
                                             headless=True, args=launcher.CHROMIUM_ARGS)
        stack.callback(browser.close)
        for n in range(runs):
            for name in VARIANTS:
                venue = links[name]
                url = f"http://127.0.0.1:{venue.port}{PAGE}"
                context = browser.new_context(**launcher.PHONE)
                try:
                    cold = _visit(context, venue, url)
                    warm = _visit(context, venue, url)
                finally:
                    context.close()
                visits[name]["cold"].append(cold)
                visits[name]["warm"].append(warm)
                say(f"  {name}: cold {cold.seconds:.2f} s, {cold.down_bytes / 1e3:.0f} kB, "
                    f"{cold.static_from_server} static files; warm {warm.seconds:.2f} s, "
                    f"{warm.down_bytes / 1e3:.0f} kB, {warm.static_from_server} static files "
                    f"from the server ({n + 1}/{runs})")
    return _figures(visits), _details(visits)


def _median(values) -> float:
    return statistics.median(values)


def _figures(visits: dict[str, dict[str, list[Visit]]]) -> list[dict]:
    """Before (plain Streamlit, for information) beside FieldKit (with the targets), per figure."""
    targets = {  # (visit, measure): target for FieldKit
        ("cold", "time"): COLD_S, ("cold", "down"): COLD_KB, ("cold", "static"): None,
        ("warm", "time"): WARM_S, ("warm", "down"): None, ("warm", "static"): WARM_STATIC,
    }
    out = []
    for kind in ("cold", "warm"):
        for measure_ in ("time", "down", "static"):
            for name in ("plain Streamlit", "FieldKit"):
                runs = visits[name][kind]
                suffix = "" if name == "FieldKit" else f" ({name})"
                target = targets[kind, measure_] if name == "FieldKit" else None
                if measure_ == "time":
                    values = [v.seconds for v in runs]
                    at_ready = _median([v.down_at_ready for v in runs]) / 1e3
                    controlled = sum(v.controlled for v in runs)
                    out.append(dict(
                        name=f"venue {kind} {PAGE} until Name takes input{suffix}",
                        median=_median(values), unit="s", target=target, runs=values,
                        note=(f"{at_ready:.0f} kB down by then; a service worker controlled "
                              f"{controlled} of {len(runs)} pages")))
                elif measure_ == "down":
                    values = [v.down_bytes / 1e3 for v in runs]
                    up = _median([v.up_bytes for v in runs]) / 1e3
                    out.append(dict(
                        name=f"venue {kind} {PAGE} downloaded{suffix}",
                        median=_median(values), unit="kB", target=target, runs=values,
                        note=f"bytes the link carried down until quiet; {up:.0f} kB up"))
                else:
                    values = [v.static_from_server for v in runs]
                    worker = _median([v.from_service_worker for v in runs])
                    out.append(dict(
                        name=f"venue {kind} {PAGE} static files from the server{suffix}",
                        median=_median(values), unit="files", target=target, runs=values,
                        note=f"{worker:.0f} responses came from the service worker"))
    return out


def _details(visits: dict[str, dict[str, list[Visit]]]) -> dict:
    """The biggest downloads of each variant's last cold and warm visits, for the JSON."""
    return {
        name: {kind: {"downloads_kB": [(path, round(size / 1e3, 1))
                                       for path, size in runs[kind][-1].downloads[:25]],
                      "requests": runs[kind][-1].requests}
               for kind in ("cold", "warm")}
        for name, runs in visits.items()
    }


# ---------------------------------------------------------------------------
# Part "start": the first phone after a server start (issue 24, point 13)
# ---------------------------------------------------------------------------

AS_FAST = 1.25  # "as fast as any other": within a quarter of a later first visit (noise)


def first_after_start(workdir: Path, runs: int, say: Callable[[str], None]) -> list[dict]:
    """/capture on loopback, no link: ``runs`` times a server is started on the sample
    and, as soon as it answers its health check, a phone opens /capture in a new browser
    context (nothing cached: the server's own first visit); then another new context
    (a first visit to a server that has served one). Figures as for bench.run.Figure."""
    from playwright.sync_api import sync_playwright

    template = workdir / "start-template.db"
    sample_database(template)
    first: list[float] = []
    later: list[float] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=launcher.find_chromium(),
                                             headless=True, args=launcher.CHROMIUM_ARGS)
        try:
            for n in range(runs):
                db_path = workdir / f"start-{n}.db"
                shutil.copyfile(template, db_path)
                with launcher.Server(db_path, db_path.with_suffix(".log")) as server:
                    server.wait_healthy(timeout=60)
                    for times in (first, later):
                        context = browser.new_context(**launcher.PHONE)
                        try:
                            times.append(_ready_seconds(context, server.url + PAGE))
                        finally:
                            context.close()
                say(f"  first visit after the start {first[-1]:.2f} s, "
                    f"a later first visit {later[-1]:.2f} s ({n + 1}/{runs})")
        finally:
            browser.close()
    later_median = _median(later)
    return [
        dict(name=f"first visit after a server start, {PAGE} on loopback",
             median=_median(first), unit="s", target=AS_FAST * later_median,
             floor=later_median, runs=first,
             note=f"target: {AS_FAST}x a later first visit (ratio: over it)"),
        dict(name=f"a later first visit (a new phone), {PAGE} on loopback",
             median=later_median, unit="s", target=None, runs=later,
             note="the same server, another new browser context"),
    ]


def _ready_seconds(context, url: str) -> float:
    """Seconds from navigation start until the Name box takes input, in a new page."""
    page = context.new_page()
    try:
        page.goto(url, wait_until="commit", timeout=TIMEOUT_S * 1000)
        return page.wait_for_function(READY_JS, polling="raf",
                                      timeout=TIMEOUT_S * 1000).json_value() / 1000
    finally:
        page.close()
