"""A phone after "Sign out": the booth keeps nothing the server told it, and photo links stop working.

At 390x844 in Chromium, online and with the network off (the booth served by the phone's own
service worker), as a phone at a venue lives it.
"""

import base64
import io
import sqlite3
from contextlib import closing

from PIL import Image

from fieldkit import access, cards, checkins, db, photos

from .helpers import expect, open_page, rerun, wait_controlled
from .test_booth import a_running_trade_show
from .test_booth_offline import SYNCED, WAITING, learnt_event, take_card

PASSWORD = "correct horse battery"


def sign_in(page, server, after="/booth"):
    page.goto(f"{server.url}/sign-in?next={after}")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").tap()
    page.wait_for_url(f"{server.url}{after}")


def kept(page, key):
    return page.evaluate("(key) => FieldkitOutbox.meta(key)", key)


def test_signing_out_leaves_the_booth_showing_nothing_personal_online_or_offline(
        server, phone_page, phone_context, screenshot):
    page = phone_page
    event_id = a_running_trade_show(server.db_path)
    with db.connect(server.db_path) as conn:
        access.set_password(conn, PASSWORD)
        checkins.check_in(conn, event_id)
    sign_in(page, server, "/capture")
    open_page(page, f"{server.url}/capture")
    wait_controlled(page)
    assert learnt_event(page) == event_id
    page.goto(f"{server.url}/booth")
    take_card(page, "Amara Okafor", company="Rivalry GmbH")
    expect(page.locator(SYNCED)).to_have_count(1, timeout=20_000)
    expect(page.locator("#synced")).to_contain_text("Amara Okafor")
    expect(page.locator("#event")).to_contain_text("FleetTech Expo")
    # A card the server refuses stays on the phone, to be fixed: the phone's own, kept.
    take_card(page, "Iris Invalid", email="not-an-email")
    expect(page.locator(f"{WAITING} .problem")).to_have_count(1, timeout=20_000)

    open_page(page, f"{server.url}/settings")
    page.once("dialog", lambda dialog: dialog.accept())  # "1 card ... Sign out anyway?"
    with rerun(page):
        page.get_by_role("button", name="Sign out this device").tap()
    assert rows(server.db_path, "SELECT count(*) FROM devices") == [(0,)]

    for offline in (False, True):
        phone_context.set_offline(offline)
        page.goto(f"{server.url}/booth")
        expect(page.get_by_label("Name", exact=True)).to_be_visible()
        expect(page.locator(WAITING)).to_have_count(1)  # Iris, not yet on the server
        expect(page.locator("#synced-section")).to_be_hidden()
        expect(page.locator("#event")).not_to_contain_text("FleetTech")
        body = page.locator("body").inner_text()
        assert "Amara" not in body and "FleetTech" not in body and "Rivalry" not in body
        assert kept(page, "synced") is None and kept(page, "booth") is None
        screenshot(page, f"booth-signed-out-{'offline' if offline else 'online'}.png")
    phone_context.set_offline(False)


def test_a_phone_signed_out_from_elsewhere_forgets_on_its_next_visit(server, phone_page):
    page = phone_page
    event_id = a_running_trade_show(server.db_path)
    with db.connect(server.db_path) as conn:
        access.set_password(conn, PASSWORD)
        checkins.check_in(conn, event_id)
    sign_in(page, server)
    take_card(page, "Kenji Watanabe")
    expect(page.locator(SYNCED)).to_have_count(1, timeout=20_000)
    with db.connect(server.db_path) as conn:
        access.sign_out_everywhere(conn)  # from the laptop
    page.reload()
    expect(page.locator("#status")).to_contain_text("Sign in")
    expect(page.locator("#synced-section")).to_be_hidden()
    assert "Kenji" not in page.locator("body").inner_text()
    assert kept(page, "synced") is None and kept(page, "booth") is None


def rows(path, sql):
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute(sql).fetchall()


def a_person_with_a_card_photo(db_path) -> int:
    out = io.BytesIO()
    Image.new("RGB", (640, 400), (200, 220, 210)).save(out, "JPEG")
    with db.connect(db_path) as conn:
        return cards.save(conn, cards.clean({"name": "Sofia Rossi"}),
                          settings={"timezone": "UTC", "ladder_gaps": [2, 4, 7, 14, 30]},
                          photo=photos.prepare(out.getvalue()))


def test_photo_links_stop_working_after_sign_out_everywhere(server, phone_page, browser):
    page = phone_page
    person_id = a_person_with_a_card_photo(server.db_path)
    with db.connect(server.db_path) as conn:
        access.set_password(conn, PASSWORD)
    sign_in(page, server, f"/people?id={person_id}")
    open_page(page, f"{server.url}/people?id={person_id}")
    image = page.locator("img[src*='/media/']").first
    expect(image).to_be_visible()
    source = image.get_attribute("src")
    url = source if source.startswith("http") else server.url + source
    assert page.request.get(url).status == 200
    stranger = browser.new_context()
    try:
        assert stranger.request.get(url).status == 401  # no cookie: no photo
        with db.connect(server.db_path) as conn:
            access.sign_out_everywhere(conn)
        answer = page.request.get(url)  # the phone's old cookie no longer opens it
        assert answer.status == 401
        assert base64.b64encode(answer.body()).find(b"/9j/") == -1  # no JPEG in the answer
    finally:
        stranger.close()
