"""The booth with no network, on a phone: cards wait on the phone and reach the server once.

Each test switches the network off itself (``set_offline``). The page is
opened once online first, so that the service worker controls it and keeps
the booth, as on a phone that opened FieldKit before the hall's Wi-Fi went.
"""

import base64
import io
import re
import sqlite3
import time
from contextlib import closing
from datetime import datetime

import pytest
from PIL import Image

from fieldkit import access, cards, checkins, db
from fieldkit.errors import ValidationError

from .helpers import CONNECTED, expect, open_page, rerun, settle, wait_controlled, watch
from .test_booth import a_running_trade_show

PASSWORD = "correct horse battery"
STATUS = "#status"
WAITING = "#waiting li"
SYNCED = "#synced li"
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")


def rows(db_path, sql, params=()):
    with closing(sqlite3.connect(db_path)) as conn:
        return conn.execute(sql, params).fetchall()


def outbox(page):
    """The cards in the phone's outbox, as the page keeps them."""
    return page.evaluate("() => FieldkitOutbox.cards()")


def card_photo_jpeg(width=2400, height=1500):
    """A camera-sized JPEG, larger than the booth keeps (1600 px)."""
    out = io.BytesIO()
    Image.new("RGB", (width, height), (230, 236, 240)).save(out, format="JPEG", quality=80)
    return out.getvalue()


def take_card(page, name, kind=None, important=False, photo=None, **details):
    """Fill the booth's form and tap Save card; waits for its "Saved" line."""
    page.get_by_label("Name", exact=True).fill(name)
    if kind:
        pill = page.get_by_role("radio", name=kind, exact=True)
        pill.tap()
        expect(pill).to_have_attribute("aria-checked", "true")
    if important:
        page.get_by_text("Important", exact=True).tap()
    if details or photo:
        if page.locator("#more:not([open])").count():
            page.get_by_text("Company, contact details, note, photo").tap()
        for label, value in details.items():
            page.get_by_label(label.capitalize(), exact=True).fill(value)
    if photo:
        page.locator("#photo").set_input_files(
            files=[{"name": "card.jpg", "mimeType": "image/jpeg", "buffer": photo}])
        expect(page.locator("#photo-preview")).to_be_visible()
    page.get_by_role("button", name="Save card").tap()
    expect(page.locator("#saved")).to_have_text(f"Saved {name} on this phone.")
    expect(page.get_by_label("Name", exact=True)).to_have_value("")


def learnt_event(page, timeout=15.0):
    """The event id the booth keeps, once FieldKit's page asked the server for it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = page.evaluate("""() => self.FieldkitOutbox
            ? FieldkitOutbox.meta("booth").then((b) => b && b.event && b.event.id) : null""")
        if found:
            return found
        page.wait_for_timeout(200)
    raise AssertionError("the booth never learnt the event checked in to")


POST_CARDS = """async (cards) => {
  const response = await fetch("/api/cards", {method: "POST", referrerPolicy: "same-origin",
    headers: {"content-type": "application/json"}, body: JSON.stringify({cards})});
  return [response.status, await response.json()];
}"""


def test_offline_capture_opens_the_booth_and_its_three_cards_reach_the_server_once(
        server, phone_page, phone_context, screenshot):
    page = phone_page
    seen = watch(page)
    event_id = a_running_trade_show(server.db_path)
    with db.connect(server.db_path) as conn:
        checkins.check_in(conn, event_id)
    open_page(page, server.url + "/capture")
    wait_controlled(page)
    assert learnt_event(page) == event_id

    phone_context.set_offline(True)
    started = time.monotonic()
    page.goto(server.url + "/capture")
    expect(page.get_by_label("Name", exact=True)).to_be_focused()
    # The mark: the booth's form within a second of asking for /capture.
    assert time.monotonic() - started <= 1.0
    expect(page.get_by_role("heading", name="Booth")).to_be_visible()
    assert page.url == server.url + "/capture"
    expect(page.locator("#event")).to_have_text("At FleetTech Expo — cards are tied to it")
    expect(page.locator(STATUS)).to_have_text(
        "No connection: cards saved here wait on this phone until it is back.")
    screenshot(page, "booth-empty.png")

    take_card(page, "Amara Okafor", kind="Competitor", company="Rivalry GmbH")
    take_card(page, "Kenji Watanabe", kind="Customer", photo=card_photo_jpeg(),
              title="Head of Fleet", email="kenji@example.com")
    take_card(page, "Sofia Rossi", kind="Prospect", important=True, note="Wants the API deck")
    expect(page.locator(STATUS)).to_have_text(
        "3 cards not yet on the server: no connection; they go when the network is back.")
    expect(page.locator(WAITING)).to_have_count(3)
    screenshot(page, "booth-waiting.png")

    kept = outbox(page)
    assert [c["fields"]["name"] for c in kept] == ["Amara Okafor", "Kenji Watanabe",
                                                   "Sofia Rossi"]
    assert all(UUID.fullmatch(c["id"]) for c in kept)
    assert len({c["id"] for c in kept}) == 3
    assert all("event_id" not in c for c in kept)  # the server knows the check-in at that moment
    assert kept[1]["fields"] == {"name": "Kenji Watanabe", "kind": "customer", "important": False,
                                 "company": "", "title": "Head of Fleet",
                                 "email": "kenji@example.com", "phone": "", "note": ""}
    assert kept[2]["fields"]["important"] is True
    # Shrunk on the phone: the camera's 2400 px became 1600.
    with Image.open(io.BytesIO(base64.b64decode(kept[1]["photo"]))) as shrunk:
        assert (shrunk.format, shrunk.size) == ("JPEG", (1600, 1000))
    assert kept[0]["photo"] is None and kept[2]["photo"] is None

    # Reloaded with no network, the page still lists the three.
    page.reload()
    expect(page.locator(WAITING)).to_have_count(3)
    expect(page.locator(STATUS)).to_contain_text("3 cards not yet on the server")
    assert rows(server.db_path, "SELECT count(*) FROM people") == [(0,)]

    phone_context.set_offline(False)
    expect(page.locator(SYNCED)).to_have_count(3, timeout=20_000)
    expect(page.locator(WAITING)).to_have_count(0)
    expect(page.locator(STATUS)).to_be_hidden()
    assert outbox(page) == []

    stored = rows(server.db_path,
                  "SELECT p.name, p.met_at, p.event_id, p.kind, p.important, r.card_id "
                  "FROM people p JOIN received_cards r ON r.person_id = p.id ORDER BY p.id")
    assert [row[0] for row in stored] == ["Amara Okafor", "Kenji Watanabe", "Sofia Rossi"]
    for card, (_, met_at, stored_event, _, _, card_id) in zip(kept, stored, strict=True):
        # Taken at the phone's moment, to the second (the server keeps whole seconds, UTC).
        assert met_at == card["captured_at"][:19] + "Z"
        assert stored_event == event_id
        assert card_id == card["id"]
    assert [row[3:5] for row in stored] == [("competitor", 0), ("customer", 0), ("prospect", 1)]
    photos = rows(server.db_path,
                  "SELECT p.name, a.kind, a.mime, a.data FROM attachments a "
                  "JOIN people p ON p.id = a.person_id")
    assert [row[:3] for row in photos] == [("Kenji Watanabe", "card_photo", "image/jpeg")]
    with Image.open(io.BytesIO(photos[0][3])) as image:
        assert image.size == (1600, 1000)

    # An acknowledgement lost on the way back: the same three sent again change nothing.
    wire = [{k: c[k] for k in ("id", "captured_at", "fields", "photo")} for c in kept]
    status, answer = page.evaluate(POST_CARDS, wire)
    assert status == 200
    assert [(r["id"], r["status"]) for r in answer["results"]] == [
        (c["id"], "already") for c in kept]
    assert rows(server.db_path, "SELECT count(*) FROM people") == [(3,)]
    assert rows(server.db_path, "SELECT count(*) FROM attachments") == [(1,)]
    assert seen.page_errors == []


def test_a_card_the_server_refuses_waits_with_its_message_until_fixed_or_discarded(
        server, phone_page, phone_context, screenshot):
    page = phone_page
    page.goto(server.url + "/booth")
    wait_controlled(page)
    phone_context.set_offline(True)
    take_card(page, "Nadia Nomail", kind="Vendor", email="not-an-email")
    take_card(page, "Otto Oops", email="also wrong")
    first_id = outbox(page)[0]["id"]
    phone_context.set_offline(False)

    with pytest.raises(ValidationError) as refused:
        cards.clean({"name": "Nadia Nomail", "email": "not-an-email"})
    message = str(refused.value)
    expect(page.locator(WAITING)).to_have_count(2)
    expect(page.locator(f"{WAITING} .problem")).to_have_count(2, timeout=20_000)
    expect(page.locator(f"{WAITING} .problem").first).to_have_text(message)
    expect(page.locator(STATUS)).to_have_text("2 cards not yet on the server (2 to fix).")
    # The server named the field it refused; the card keeps it, to open the form there.
    assert [card["field"] for card in outbox(page)] == ["email", "email"]
    assert rows(server.db_path, "SELECT count(*) FROM people") == [(0,)]
    screenshot(page, "booth-invalid.png")

    # Fixed: the same card (id, time) goes again, with the new email.
    page.locator(WAITING).first.get_by_role("button", name="Fix").tap()
    expect(page.locator("#form-note")).to_have_text(
        f"Fixing Nadia Nomail. The server said: {message}")
    email = page.get_by_label("Email", exact=True)
    expect(email).to_be_focused()
    expect(email).to_have_value("not-an-email")
    expect(page.get_by_role("radio", name="Vendor", exact=True)).to_have_attribute(
        "aria-checked", "true")
    email.fill("nadia@example.com")
    page.get_by_role("button", name="Save changes").tap()
    expect(page.locator(SYNCED)).to_have_count(1, timeout=20_000)
    expect(page.locator(SYNCED)).to_contain_text("Nadia Nomail")
    assert rows(server.db_path,
                "SELECT p.name, p.email, p.kind, r.card_id FROM people p "
                "JOIN received_cards r ON r.person_id = p.id") == [
        ("Nadia Nomail", "nadia@example.com", "vendor", first_id)]

    # Discarded, after the question: gone from the phone, never stored.
    questions = []
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.accept()))
    page.locator(WAITING).first.get_by_role("button", name="Discard").tap()
    expect(page.locator(WAITING)).to_have_count(0)
    assert questions == ["Discard the card of Otto Oops? It is not on the server and cannot "
                         "come back."]
    assert outbox(page) == []
    assert rows(server.db_path, "SELECT count(*) FROM people") == [(1,)]


def form_layout(page):
    """Where the booth's form and each kind pill sit on the screen."""
    return page.evaluate("""() => [...document.querySelectorAll('#name, #kinds button, #save')]
        .map((e) => [e.id || e.textContent, Math.round(e.getBoundingClientRect().top)])""")


def test_the_form_stays_put_while_the_server_answers(server, phone_page):
    # A CI run tapped Partner as the sign-in line appeared above the form: the pill moved
    # and the tap landed on Prospect. Whatever the server answers, nothing the thumb aims at moves.
    page = phone_page
    page.goto(server.url + "/booth")
    expect(page.locator("#kinds button")).to_have_count(8)
    page.wait_for_load_state("networkidle")  # the server's answer drawn
    before = form_layout(page)
    expect(page.locator(STATUS)).to_be_hidden()
    event_height = page.locator("#event").bounding_box()["height"]

    event_id = a_running_trade_show(server.db_path)
    with db.connect(server.db_path) as conn:
        conn.execute("UPDATE events SET name = ? WHERE id = ?",
                     ("FleetTech Expo and Connected Vehicle Summit, Hall 4", event_id))
        checkins.check_in(conn, event_id)
    page.reload()
    expect(page.locator("#event")).to_contain_text("Connected Vehicle Summit")
    assert form_layout(page) == before
    assert page.locator("#event").bounding_box()["height"] == event_height  # one line

    with db.connect(server.db_path) as conn:
        access.set_password(conn, PASSWORD)
    page.reload()
    expect(page.locator(STATUS)).to_have_text("Sign in to send.")
    assert form_layout(page) == before
    status, save = page.locator(STATUS).bounding_box(), page.locator("#save").bounding_box()
    assert status["y"] > save["y"] + save["height"]  # under the form, and on the screen
    assert status["y"] + status["height"] <= 844


def test_with_a_password_the_cards_wait_until_the_phone_signs_in(
        server, phone_page, screenshot):
    page = phone_page
    with db.connect(server.db_path) as conn:
        access.set_password(conn, PASSWORD)
    page.goto(server.url + "/booth")
    take_card(page, "Pavel Password", kind="Partner")

    # The server answered 401: nothing stored, the card still on the phone, and why.
    expect(page.locator(STATUS)).to_have_text(
        "1 card not yet on the server. Sign in to send: it goes once this phone is signed in.")
    assert [c["fields"]["name"] for c in outbox(page)] == ["Pavel Password"]
    # The outbox's own record of the last sync says so too (the page's timer may be
    # writing it as we look: waited for, not read once).
    page.wait_for_function(
        "() => FieldkitOutbox.meta('last').then((l) => l && l.state === 'signin')",
        timeout=10_000)
    status, answer = page.evaluate(POST_CARDS, [{
        "id": outbox(page)[0]["id"], "captured_at": outbox(page)[0]["captured_at"],
        "event_id": None, "fields": {"name": "Pavel Password"}, "photo": None}])
    assert status == 401 and "error" in answer
    assert rows(server.db_path, "SELECT count(*) FROM people") == [(0,)]
    screenshot(page, "booth-sign-in.png")

    page.get_by_role("link", name="Sign in to send").tap()
    page.wait_for_url(f"{server.url}/sign-in?next=/booth")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").tap()
    page.wait_for_url(f"{server.url}/booth")
    expect(page.locator(SYNCED)).to_have_count(1, timeout=20_000)
    expect(page.locator(STATUS)).to_be_hidden()
    assert outbox(page) == []
    assert rows(server.db_path, "SELECT name, kind FROM people") == [("Pavel Password",
                                                                       "partner")]


def _dropping_socket(page):
    """Streamlit's websockets of ``page``, routed so that a test can close one as a drop does.

    Switching the network off leaves an open websocket alone; a phone's drop closes it.
    """
    sockets = []

    def through(socket):
        socket.connect_to_server()
        sockets.append(socket)

    page.route_web_socket(re.compile(r".*/_stcore/stream$"), through)
    return sockets


@pytest.mark.parametrize("reload", [False, True], ids=["back online", "reloaded, then online"])
def test_save_on_capture_while_disconnected_keeps_the_card_on_the_phone_and_lands_once(
        server, phone_page, phone_context, screenshot, reload):
    page = phone_page
    sockets = _dropping_socket(page)
    open_page(page, server.url + "/capture")
    wait_controlled(page)
    page.get_by_label("Name", exact=True).fill("Tomas Tunnel")
    page.get_by_role("radio", name="Prospect", exact=True).tap()
    banner = page.locator("#fieldkit-offline")
    expect(banner).to_have_count(0)

    phone_context.set_offline(True)
    sockets[-1].close()
    expect(page.locator("[data-testid=stApp]")).not_to_have_attribute(
        "data-test-connection-state", "CONNECTED")
    before = time.time()
    # Streamlit has disabled the button: a thumb lands on it all the same.
    page.get_by_role("button", name="Save card").tap(force=True)
    expect(banner).to_have_text(
        "Kept on this phone: Tomas Tunnel. It goes to the server by itself when the "
        "connection is back; take the next card in the booth.")
    (card,) = outbox(page)
    assert UUID.fullmatch(card["id"])
    assert card["fields"] == {"name": "Tomas Tunnel", "kind": "prospect", "important": False}
    taken = datetime.fromisoformat(card["captured_at"].replace("Z", "+00:00")).timestamp()
    assert before - 1 <= taken <= time.time() + 1
    # The form is empty for the next card; the booth lists the one kept.
    expect(page.get_by_label("Name", exact=True)).to_have_value("")
    screenshot(page, "capture-kept-on-phone.png")
    assert rows(server.db_path, "SELECT name FROM people") == []

    if reload:
        page.reload()  # the worker answers; the outbox is the phone's, not the page's
        expect(page.locator(WAITING)).to_have_count(1)
    phone_context.set_offline(False)
    if reload:
        expect(page.locator(SYNCED)).to_have_count(1, timeout=20_000)
    else:
        page.locator(CONNECTED).wait_for(timeout=30_000)
        settle(page)
        expect(banner).to_be_hidden()
    deadline = time.monotonic() + 20
    while not rows(server.db_path, "SELECT name FROM people") and time.monotonic() < deadline:
        page.wait_for_timeout(200)
    assert rows(server.db_path, "SELECT p.name, p.kind, r.card_id FROM people p "
                                "JOIN received_cards r ON r.person_id = p.id") == [
        ("Tomas Tunnel", "prospect", card["id"])]
    # Sent again (an answer lost on the way back): still one person.
    status, answer = page.evaluate(POST_CARDS, [card])
    assert status == 200 and answer["results"][0]["status"] == "already"
    assert rows(server.db_path, "SELECT count(*) FROM people") == [(1,)]


def test_save_with_no_name_while_disconnected_says_not_saved(server, phone_page, phone_context):
    page = phone_page
    sockets = _dropping_socket(page)
    open_page(page, server.url + "/capture")
    # The page has loaded its outbox (a second after it came, while online): what it
    # holds afterwards is what the phone kept.
    page.wait_for_function("() => typeof FieldkitOutbox !== 'undefined'", timeout=15_000)
    page.get_by_role("radio", name="Prospect", exact=True).tap()
    phone_context.set_offline(True)
    sockets[-1].close()
    expect(page.locator("[data-testid=stApp]")).not_to_have_attribute(
        "data-test-connection-state", "CONNECTED")
    page.get_by_role("button", name="Save card").tap(force=True)
    expect(page.locator("#fieldkit-offline")).to_contain_text("Not saved yet — no connection.")
    assert outbox(page) == []
    phone_context.set_offline(False)


def test_the_banner_offers_the_booth_while_disconnected_and_goes_when_connected(
        server, phone_page, phone_context):
    page = phone_page
    sockets = _dropping_socket(page)
    open_page(page, server.url + "/people")
    wait_controlled(page)
    phone_context.set_offline(True)
    sockets[-1].close()
    banner = page.locator("#fieldkit-offline")
    expect(banner).to_have_text("No connection — cards can still be taken: Open the booth")
    page.get_by_role("link", name="Open the booth").tap()
    page.wait_for_url(server.url + "/booth")
    expect(page.get_by_role("heading", name="Booth")).to_be_visible()


def test_signing_out_with_cards_on_the_phone_asks_first(server, phone_page):
    page = phone_page
    with db.connect(server.db_path) as conn:
        access.set_password(conn, PASSWORD)
    page.goto(f"{server.url}/sign-in?next=/booth")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").tap()
    page.wait_for_url(f"{server.url}/booth")
    # A card the server refused waits on the phone, network or not.
    take_card(page, "Iris Invalid", email="not-an-email")
    expect(page.locator(f"{WAITING} .problem")).to_have_count(1, timeout=20_000)

    open_page(page, f"{server.url}/settings")
    questions = []
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="Sign out this device").tap()
    deadline = time.monotonic() + 10
    while not questions and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    assert questions == ["1 card on this phone is not yet on the server. Sign out anyway?"]
    page.wait_for_timeout(1000)
    assert rows(server.db_path, "SELECT count(*) FROM devices") == [(1,)]  # still signed in

    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.accept()))
    with rerun(page):
        page.get_by_role("button", name="Sign out this device").tap()
    assert len(questions) == 2
    assert rows(server.db_path, "SELECT count(*) FROM devices") == [(0,)]


def test_save_into_a_dead_websocket_says_not_saved_then_saves_once(server, phone_page):
    """A venue's Wi-Fi can kill the websocket without a word: Streamlit still shows CONNECTED."""
    page = phone_page
    alive = {"now": True}
    sockets = []

    def through(socket):
        to_server = socket.connect_to_server()
        # What the page sends is lost while the line is dead; nothing is closed.
        socket.on_message(lambda message: to_server.send(message) if alive["now"] else None)
        sockets.append(socket)

    page.route_web_socket(re.compile(r".*/_stcore/stream$"), through)
    open_page(page, server.url + "/capture")
    page.get_by_label("Name", exact=True).fill("Dana Deadline")
    banner = page.locator("#fieldkit-offline")
    alive["now"] = False
    page.get_by_role("button", name="Save card").tap()
    expect(page.locator(CONNECTED)).to_have_count(1)  # Streamlit has not noticed
    expect(banner).to_contain_text("Not saved yet", timeout=10_000)
    expect(page.get_by_label("Name", exact=True)).to_have_value("Dana Deadline")
    assert rows(server.db_path, "SELECT name FROM people") == []

    alive["now"] = True
    sockets[-1].close()  # the phone notices at last; Streamlit connects again
    page.locator(CONNECTED).wait_for(timeout=30_000)
    settle(page)
    expect(banner).to_be_hidden()
    with rerun(page):
        page.get_by_role("button", name="Save card").tap()
    expect(page.get_by_text("Saved Dana Deadline")).to_be_visible()
    assert rows(server.db_path, "SELECT name FROM people") == [("Dana Deadline",)]


def test_a_reconnection_quicker_than_a_look_still_clears_not_saved(server, phone_page):
    """After a tap lost in a dead socket, Streamlit can drop and regain it within half a second."""
    page = phone_page
    alive = {"now": True}

    def through(socket):
        to_server = socket.connect_to_server()
        socket.on_message(lambda message: to_server.send(message) if alive["now"] else None)

    page.route_web_socket(re.compile(r".*/_stcore/stream$"), through)
    open_page(page, server.url + "/capture")
    page.get_by_label("Name", exact=True).fill("Quinn Quick")
    alive["now"] = False
    page.get_by_role("button", name="Save card").tap()
    banner = page.locator("#fieldkit-offline")
    expect(banner).to_contain_text("Not saved yet", timeout=10_000)
    # Down and up again within one task, as a quick reconnection looks between two polls.
    page.evaluate(
        """() => {
            const app = document.querySelector("[data-testid=stApp]");
            app.setAttribute("data-test-connection-state", "CONNECTING");
            app.setAttribute("data-test-connection-state", "CONNECTED");
        }"""
    )
    expect(banner).to_be_hidden(timeout=2_000)
    expect(page.get_by_label("Name", exact=True)).to_have_value("Quinn Quick")
    assert rows(server.db_path, "SELECT name FROM people") == []
