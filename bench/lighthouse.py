"""Lighthouse 12, mobile, on /capture (FieldKit beside plain Streamlit) and on the booth.

Part "lighthouse" of bench/run.py. Lighthouse talks to the server directly
(not through bench/link.py): its default mobile settings simulate the
network and the phone (150 ms round trip, 1.6 Mbps, a CPU four times
slower) from what one load recorded. Its score moves with the machine's
load, so each figure is a median of several runs, FieldKit and plain
Streamlit (frame.py, as bench/venue.py serves it) alternating. The booth
(/booth, FieldKit's own small page that takes cards with no network) is
measured on the same FieldKit server in the same rounds; its score has a
target (BOOTH_SCORE), the page's first visit with no cache, as Lighthouse does.

Lighthouse is an npm package: it is installed into bench/.node/ (git-ignored)
the first time this part runs, with the machine's npm. Version 12, because
13 needs Node 22. Without npm, or when the install fails, the part is not
measured and says why.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import statistics
import subprocess
from collections.abc import Callable
from pathlib import Path

from bench import venue
from tests.browser import launcher

HERE = Path(__file__).resolve().parent
NODE_DIR = HERE / ".node"  # bench's own npm folder, git-ignored
PACKAGE = "lighthouse@12"
BIN = NODE_DIR / "node_modules" / ".bin" / "lighthouse"
REPORTS = HERE / "reports"  # the median run's report of each variant, git-ignored
PAGE = venue.PAGE
BOOTH = "/booth"
BOOTH_SCORE = 95  # at least: it is small on purpose
BOOTH_NAME = "FieldKit booth"
RUN_TIMEOUT_S = 300
SLUGS = {"FieldKit": "fieldkit", "plain Streamlit": "plain-streamlit",
         BOOTH_NAME: "fieldkit-booth"}  # report file names


class NotMeasured(RuntimeError):
    """Lighthouse cannot run here; the message says why and what to do."""


def install(say: Callable[[str], None]) -> Path:
    """The lighthouse command, installed into bench/.node/ with npm if it is not there yet."""
    if BIN.exists():
        return BIN
    npm = shutil.which("npm")
    if npm is None:
        raise NotMeasured("Lighthouse: npm is not installed (Node 18 or later with npm, e.g. "
                          f"`apt-get install nodejs npm`); the bench installs {PACKAGE} itself")
    say(f"  installing {PACKAGE} into {NODE_DIR.relative_to(HERE.parent)} with npm...")
    NODE_DIR.mkdir(exist_ok=True)
    done = subprocess.run(
        [npm, "install", "--prefix", str(NODE_DIR), "--no-audit", "--no-fund",
         "--loglevel=error", PACKAGE],
        capture_output=True, text=True)
    if done.returncode != 0 or not BIN.exists():
        tail = (done.stderr or done.stdout).strip().splitlines()[-5:]
        raise NotMeasured(f"Lighthouse: `npm install --prefix {NODE_DIR} {PACKAGE}` failed "
                          f"(exit {done.returncode}): " + " / ".join(tail))
    return BIN


def run_once(command: Path, url: str, chromium: str, out: Path) -> dict:
    """One Lighthouse run on ``url``: its report, parsed."""
    done = subprocess.run(
        [str(command), url, "--chrome-flags=--headless=new --no-sandbox",
         "--only-categories=performance", "--output=json", f"--output-path={out}", "--quiet"],
        env=dict(os.environ, CHROME_PATH=chromium), capture_output=True, text=True,
        timeout=RUN_TIMEOUT_S)
    if done.returncode != 0 or not out.exists():
        raise RuntimeError(f"lighthouse failed on {url} (exit {done.returncode}):\n"
                           + done.stderr[-3000:])
    report = json.loads(out.read_text())
    if report.get("runtimeError"):
        raise RuntimeError(f"lighthouse on {url}: {report['runtimeError']}")
    return report


def _summary(report: dict) -> dict:
    audits = report["audits"]
    return {
        "score": report["categories"]["performance"]["score"] * 100,
        "fcp_s": audits["first-contentful-paint"]["numericValue"] / 1000,
        "lcp_s": audits["largest-contentful-paint"]["numericValue"] / 1000,
        "total_kB": audits["total-byte-weight"]["numericValue"] / 1000,
        "speed_index_s": audits["speed-index"]["numericValue"] / 1000,
        "tbt_ms": audits["total-blocking-time"]["numericValue"],
        "cls": audits["cumulative-layout-shift"]["numericValue"],
        "biggest": [(item["url"].split("/", 3)[-1], round(item["totalBytes"] / 1000, 1))
                    for item in audits["total-byte-weight"]["details"]["items"][:10]],
        "warnings": report.get("runWarnings", []),
    }


def measure(workdir: Path, runs: int, say: Callable[[str], None]) -> tuple[list[dict], dict]:
    """Figures (keyword arguments for bench.run.Figure) and details; NotMeasured without npm."""
    command = install(say)
    chromium = launcher.find_chromium()
    template = workdir / "lighthouse-template.db"
    venue.sample_database(template)
    results: dict[str, list[tuple[dict, dict]]] = {name: [] for name in [*venue.VARIANTS,
                                                                           BOOTH_NAME]}
    with contextlib.ExitStack() as stack:
        servers = {}
        for name, script in venue.VARIANTS.items():
            db_path = workdir / f"lighthouse-{script.removesuffix('.py')}.db"
            shutil.copyfile(template, db_path)
            servers[name] = stack.enter_context(
                launcher.Server(db_path, db_path.with_suffix(".log"), script=script))
        for server in servers.values():
            server.wait_healthy(timeout=60)
        # What each round measures: (name in the table, server, page).
        pages = [(name, server, PAGE) for name, server in servers.items()]
        pages.append((BOOTH_NAME, servers["FieldKit"], BOOTH))
        for n in range(runs):
            for name, server, page in pages:
                report = run_once(command, server.url + page, chromium,
                                  workdir / f"lighthouse-{n}-{SLUGS[name]}.json")
                summary = _summary(report)
                results[name].append((summary, report))
                say(f"  {name} {page}: performance {summary['score']:.0f}, FCP "
                    f"{summary['fcp_s']:.1f} s, LCP {summary['lcp_s']:.1f} s, "
                    f"{summary['total_kB']:.0f} kB ({n + 1}/{runs})")
    REPORTS.mkdir(exist_ok=True)
    figures, details = [], {"version": None}
    for name in ("plain Streamlit", "FieldKit", BOOTH_NAME):
        summaries = [summary for summary, _ in results[name]]
        # The run with the median score: its report is kept for a closer look.
        ranked = sorted(results[name], key=lambda pair: pair[0]["score"])
        middle_summary, middle_report = ranked[len(ranked) // 2]
        kept = REPORTS / f"lighthouse-{SLUGS[name]}.json"
        kept.write_text(json.dumps(middle_report))
        details["version"] = middle_report["lighthouseVersion"]
        details[name] = {"report": str(kept.relative_to(HERE.parent)),
                         "biggest_kB": middle_summary["biggest"],
                         "warnings": middle_summary["warnings"]}
        suffix = "" if name != "plain Streamlit" else f" ({name})"
        page = BOOTH if name == BOOTH_NAME else PAGE
        for key, label, unit in (("score", "performance score", "of 100"),
                                 ("fcp_s", "first contentful paint", "s"),
                                 ("lcp_s", "largest contentful paint", "s"),
                                 ("total_kB", "total bytes", "kB")):
            values = [s[key] for s in summaries]
            note = "simulated throttling, Lighthouse's default"
            if key == "score":
                # What the score is made of: FCP, LCP and speed index score nothing
                # past a few seconds, so the score moves only once they come near.
                note = (f"speed index {middle_summary['speed_index_s']:.1f} s, total blocking "
                        f"time {middle_summary['tbt_ms']:.0f} ms, layout shift "
                        f"{middle_summary['cls']:.3f} (median-score run)")
            least = BOOTH_SCORE if (page, key) == (BOOTH, "score") else None
            figures.append(dict(name=f"Lighthouse mobile {page} {label}{suffix}",
                                median=statistics.median(values), unit=unit, target=None,
                                least=least, runs=values, note=note))
    # Before and after side by side, as in the venue part: plain Streamlit first;
    # the booth's figures last.
    order = ["score", "first contentful", "largest contentful", "total bytes"]
    figures.sort(key=lambda f: (BOOTH in f["name"],
                                next(i for i, o in enumerate(order) if o in f["name"]),
                                "plain Streamlit" not in f["name"]))
    return figures, details
