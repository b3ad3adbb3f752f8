"""A card typed while the venue's network goes away: never lost silently, never stored twice.

Part "drop" of bench/run.py. The app runs as `make run` runs it, with the
sample data, each phone behind its own venue link (bench/link.py: 300 ms,
768/256 kbps). Three phones (Chromium at the phone profile) open /capture
and type a name and a note; then their network goes and stays gone for 10 s, 150 s
and 10 minutes respectively, the three outages running side by side. Gone
means both: the link is cut (open connections, the websocket among them,
stall; Playwright's offline switch alone leaves an open websocket working)
and the browser is offline (new requests fail at once). While it
is gone, each phone taps Save card. When it is back, the
phone waits for Streamlit to reconnect and, if the card is not in the
database yet but still in the form, taps Save card again.

What counts, per outage: how many cards with that name the database holds
in the end (it must be exactly one: zero is a card lost, two a card
doubled), and whether the tap made while offline said "Not saved yet"
(otherwise it was silently nothing). Streamlit greys its widgets out while
it knows it is disconnected, so a phone cannot type into /capture then.

Then the booth: a phone that opened /capture once online (the service
worker installed) goes offline and opens /capture again; the figure is the
time until the booth's Name box takes input.
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from bench import link
from bench.venue import READY_JS, sample_database
from tests.browser import launcher

OUTAGES_S = (10, 150, 600)
CONNECTED = "[data-testid=stApp][data-test-connection-state=CONNECTED]"
NOT_SAVED = "Not saved yet"
BOOTH_S = 1.0  # target: the booth takes input within this, offline
TIMEOUT_S = 180


@dataclass
class Phone:
    outage: int
    name: str
    context: object
    page: object
    venue: link.Link
    said_not_saved: bool = False
    taps: int = 0
    stored: int = 0


def _stored(db_path: Path, name: str) -> int:
    with closing(sqlite3.connect(db_path)) as conn:
        return conn.execute("SELECT count(*) FROM people WHERE name = ?", [name]).fetchone()[0]


def _open_capture(page, url: str) -> None:
    page.goto(url, wait_until="commit", timeout=TIMEOUT_S * 1000)
    page.wait_for_function(READY_JS, polling="raf", timeout=TIMEOUT_S * 1000)
    page.locator(CONNECTED).wait_for(timeout=TIMEOUT_S * 1000)


def _save_card(page):
    return page.get_by_role("button", name="Save card")


def measure(workdir: Path, say: Callable[[str], None]) -> tuple[list[dict], dict]:
    """Figures (keyword arguments for bench.run.Figure) and the details behind them."""
    from playwright.sync_api import sync_playwright

    db_path = workdir / "drop.db"
    sample_database(db_path)
    with contextlib.ExitStack() as stack:
        server = stack.enter_context(launcher.Server(db_path, db_path.with_suffix(".log")))
        server.wait_healthy(timeout=60)
        playwright = stack.enter_context(sync_playwright())
        browser = playwright.chromium.launch(executable_path=launcher.find_chromium(),
                                             headless=True, args=launcher.CHROMIUM_ARGS)
        stack.callback(browser.close)
        phones = []
        for outage in OUTAGES_S:
            venue = stack.enter_context(link.Link(server.port))
            context = browser.new_context(**launcher.PHONE)
            stack.callback(context.close)
            page = context.new_page()
            phone = Phone(outage, f"Drop Test {outage} s", context, page, venue)
            _open_capture(page, f"http://127.0.0.1:{venue.port}/capture")
            # FieldKit was opened on this phone before the hall's Wi-Fi went: its worker is
            # installed (the cut would otherwise catch the install midway, and Chromium's
            # offline switch waits on a worker stuck in it).
            page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
            page.get_by_label("Name", exact=True).fill(phone.name)
            page.get_by_text("Company, contact details, note, photo").click()
            page.get_by_label("Note", exact=True).fill("typed before the network went")
            phones.append(phone)
        went = time.monotonic()
        for phone in phones:  # the hall's Wi-Fi goes for everyone at once
            phone.venue.cut()
            phone.context.set_offline(True)
        for phone in phones:
            page = phone.page
            page.wait_for_timeout(1000)
            # A tap where the button is, whether Streamlit has noticed yet or not.
            _save_card(page).click(force=True)
            phone.taps += 1
            with contextlib.suppress(Exception):
                page.get_by_text(NOT_SAVED).first.wait_for(timeout=8000)
                phone.said_not_saved = True
        say(f"  offline; Save tapped: 'Not saved yet' shown on "
            f"{sum(p.said_not_saved for p in phones)} of {len(phones)} phones")
        for phone in sorted(phones, key=lambda p: p.outage):
            time.sleep(max(0.0, went + phone.outage - time.monotonic()))
            phone.venue.restore()
            phone.context.set_offline(False)
            page = phone.page
            page.locator(CONNECTED).wait_for(timeout=TIMEOUT_S * 1000)
            page.wait_for_timeout(2000)  # a tap queued while offline would land by now
            if _stored(db_path, phone.name) == 0:
                box = page.get_by_label("Name", exact=True)
                if box.input_value() == phone.name:  # kept: one more tap
                    _save_card(page).click()
                    phone.taps += 1
                    page.get_by_text(f"Saved {phone.name}").wait_for(timeout=60_000)
            page.wait_for_timeout(2000)
            phone.stored = _stored(db_path, phone.name)
            say(f"  back after {phone.outage} s: {phone.stored} card(s) stored after "
                f"{phone.taps} tap(s) on Save card; 'Not saved yet' shown: "
                f"{phone.said_not_saved}")
        booth_s = _booth_offline(browser, server, stack)
        say(f"  booth offline: takes input after {booth_s:.2f} s")
    figures = []
    for phone in phones:
        figures.append(dict(
            name=f"drop {phone.outage} s while typing: cards lost or doubled",
            median=abs(phone.stored - 1), unit="cards", target=0, runs=[phone.stored],
            note=(f"{phone.stored} stored after {phone.taps} taps; the tap while offline "
                  + ("said Not saved yet" if phone.said_not_saved else "said nothing"))))
        figures.append(dict(
            name=f"drop {phone.outage} s: Save while offline said nothing",
            median=0 if phone.said_not_saved else 1, unit="taps", target=0,
            runs=[int(not phone.said_not_saved)]))
    figures.append(dict(name="booth offline: /capture until Name takes input", median=booth_s,
                        unit="s", target=BOOTH_S, runs=[booth_s]))
    details = {"phones": [{"outage_s": p.outage, "stored": p.stored, "taps": p.taps,
                           "said_not_saved": p.said_not_saved} for p in phones],
               "booth_offline_s": booth_s}
    return figures, details


BOOTH_READY_JS = """() => {
  const box = [...document.querySelectorAll('input')].find(i =>
      (i.labels && [...i.labels].some(l => l.textContent.trim().startsWith('Name')))
      || i.getAttribute('aria-label') === 'Name');
  // The booth's own page, not Streamlit's (which has a Name box too).
  if (!box || box.disabled || box.readOnly || document.querySelector('[data-testid=stApp]')) {
    return false;
  }
  const rect = box.getBoundingClientRect();
  return rect.width > 0 && rect.height > 0 ? performance.now() : false;
}"""


def _booth_offline(browser, server, stack) -> float:
    """Seconds until the booth takes input on /capture opened offline, after one visit online."""
    context = browser.new_context(**launcher.PHONE)
    stack.callback(context.close)
    page = context.new_page()
    _open_capture(page, f"{server.url}/capture")
    page.wait_for_function("() => navigator.serviceWorker.ready.then(() => true)")
    page.close()
    context.set_offline(True)
    page = context.new_page()
    page.goto(f"{server.url}/capture", wait_until="commit", timeout=TIMEOUT_S * 1000)
    return page.wait_for_function(BOOTH_READY_JS, polling="raf",
                                  timeout=30_000).json_value() / 1000
