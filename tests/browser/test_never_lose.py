"""Never lose a write on a phone: flaky Wi-Fi, a double tap, two tabs at once."""

import re
import sqlite3
import time
from contextlib import closing

from fieldkit import clock, config, db, sample, triage

from .conftest import PHONE
from .helpers import (
    CONNECTED,
    assert_no_errors,
    expect,
    open_page,
    rerun,
    settle,
    watch,
)


def names(db_path, like="%"):
    with closing(sqlite3.connect(db_path)) as conn:
        return [n for (n,) in conn.execute(
            "SELECT name FROM people WHERE name LIKE ? ORDER BY id", [like])]


def fill_card(page, name, note=None):
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_role("radio", name="Customer", exact=True).tap()
    if note is not None:
        page.get_by_text("Company, contact details, note, photo").tap()
        page.get_by_label("Note", exact=True).fill(note)


def test_offline_while_typing_saves_the_card_once_and_keeps_the_text(
        server, phone_page, phone_context, screenshot):
    page = phone_page
    open_page(page, server.url + "/capture")
    fill_card(page, "Olga Offline", note="Met at the coffee bar; wants the API deck")

    phone_context.set_offline(True)
    page.wait_for_timeout(6000)  # the hall's Wi-Fi drops for a while
    screenshot(page, "capture-offline.png")
    phone_context.set_offline(False)
    page.locator(CONNECTED).wait_for(timeout=30_000)
    settle(page)

    # Nothing typed was lost while the connection was down.
    expect(page.get_by_label("Name", exact=True)).to_have_value("Olga Offline")
    expect(page.get_by_label("Note", exact=True)).to_have_value(
        "Met at the coffee bar; wants the API deck")
    with rerun(page):
        page.get_by_role("button", name="Save card").tap()
    expect(page.get_by_text("Saved Olga Offline")).to_be_visible()
    assert names(server.db_path) == ["Olga Offline"]
    with closing(sqlite3.connect(server.db_path)) as conn:
        assert conn.execute("SELECT note FROM people").fetchone()[0] == \
            "Met at the coffee bar; wants the API deck"
    assert_no_errors(page)


def test_save_tapped_twice_while_offline_is_saved_once(server, phone_page, phone_context):
    page = phone_page
    sockets = []
    page.route_web_socket(re.compile(r".*/_stcore/stream$"),
                          lambda socket: (socket.connect_to_server(), sockets.append(socket)))
    open_page(page, server.url + "/capture")
    fill_card(page, "Tomas Tunnel")
    # A slow phone: keeping a card in IndexedDB takes a while, so the second tap below
    # comes while the first card is being kept and the form still holds it.
    page.wait_for_function("() => typeof FieldkitOutbox !== 'undefined'", timeout=15_000)
    page.evaluate("""() => { const put = FieldkitOutbox.put;
        FieldkitOutbox.put = (card) => new Promise((done) => setTimeout(done, 500))
          .then(() => put(card)); }""")
    phone_context.set_offline(True)
    sockets[-1].close()  # the phone's drop closes the socket
    expect(page.locator("[data-testid=stApp]")).not_to_have_attribute(
        "data-test-connection-state", "CONNECTED")
    save = page.get_by_role("button", name="Save card")
    save.tap(force=True)
    save.tap(force=True)  # a thumb that taps again, the first card not yet kept
    expect(page.locator("#fieldkit-offline")).to_contain_text("Kept on this phone: Tomas Tunnel")
    assert [c["fields"]["name"] for c in page.evaluate("() => FieldkitOutbox.cards()")] == [
        "Tomas Tunnel"]
    phone_context.set_offline(False)
    page.locator(CONNECTED).wait_for(timeout=30_000)
    settle(page)
    deadline = time.monotonic() + 20
    while not names(server.db_path) and time.monotonic() < deadline:
        page.wait_for_timeout(200)
    assert names(server.db_path) == ["Tomas Tunnel"]
    page.wait_for_timeout(2000)  # a second sync, had the card stayed, would come now
    assert names(server.db_path) == ["Tomas Tunnel"]
    assert page.evaluate("() => FieldkitOutbox.cards()") == []

def test_double_tap_on_save_creates_one_card(server, phone_page):
    page = phone_page
    open_page(page, server.url + "/capture")
    for name in ("Dana Double", "Tariq Twice"):
        fill_card(page, name)
        box = page.get_by_role("button", name="Save card").bounding_box()
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        with rerun(page):
            # Two taps on the same spot; the second lands while the first run is going.
            page.touchscreen.tap(x, y)
            page.wait_for_timeout(30)
            page.touchscreen.tap(x, y)
        page.wait_for_timeout(1500)  # let a second run, if any, finish
        settle(page)
        expect(page.get_by_text(f"Saved {name}")).to_be_visible()
    assert names(server.db_path) == ["Dana Double", "Tariq Twice"]
    assert_no_errors(page)


def test_two_phones_writing_at_once_lose_nothing(server, browser, phone_page):
    """Cards on one phone while the other logs attempts, then settings beside a card."""
    with db.connect(server.db_path) as conn:
        sample.fill(conn)
        settings = config.load(conn)
        due = triage.due(conn, clock.today(settings["timezone"]),
                        ladder_gaps=settings["ladder_gaps"], limit=3)
    started = clock.now_iso()
    other_context = browser.new_context(**PHONE)
    try:
        booth, laptop = phone_page, other_context.new_page()
        watch(laptop)
        open_page(booth, server.url + "/capture")
        open_page(laptop, server.url + "/queue")
        for round_, item in enumerate(due):
            fill_card(booth, f"Both {round_}")
            email = laptop.locator(f".st-key-queue_card_{item['followup_id']}") \
                .get_by_role("radiogroup", name="Log an attempt") \
                .get_by_role("radio", name="Email", exact=True)
            # Both taps go out before either run has finished.
            with rerun(booth), rerun(laptop):
                booth.get_by_role("button", name="Save card").tap()
                email.tap()
            expect(booth.get_by_text(f"Saved Both {round_}")).to_be_visible()
            expect(laptop.get_by_text(f"Logged an email attempt to {item['name']}")).to_be_visible()

        open_page(laptop, server.url + "/settings")
        target = laptop.get_by_label("Weekly networking target (minutes)", exact=True)
        target.fill("222")
        fill_card(booth, "Both settings")
        with rerun(booth), rerun(laptop):
            booth.get_by_role("button", name="Save card").tap()
            laptop.get_by_role("button", name="Save settings").tap()
        expect(laptop.get_by_text("Settings saved.")).to_be_visible()
        expect(booth.get_by_text("Saved Both settings")).to_be_visible()

        expected = [f"Both {r}" for r in range(len(due))] + ["Both settings"]
        assert names(server.db_path, "Both %") == expected
        with db.connect(server.db_path) as conn:
            assert config.load(conn)["weekly_target_minutes"] == 222
            for item in due:
                assert conn.execute(
                    "SELECT count(*) FROM touches WHERE person_id = ? AND kind = 'attempt' "
                    "AND channel = 'email' AND undone_at IS NULL AND created_at >= ?",
                    [item["person_id"], started]).fetchone()[0] == 1
        for page in (booth, laptop):
            assert "locked" not in page.get_by_test_id("stMain").inner_text().lower()
            assert_no_errors(page)
    finally:
        other_context.close()
