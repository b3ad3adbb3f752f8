"""At the booth on a phone: photograph a badge, read its QR code, check the card, save it."""

import io
import sqlite3
from contextlib import closing

import segno
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from .helpers import (
    assert_no_errors,
    assert_no_horizontal_overflow,
    expect,
    open_details,
    open_page,
    rerun,
)

BADGE_VCARD = (
    "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Okafor;Amara;;;\r\nFN:Amara Okafor\r\n"
    "ORG:Northwind Logistics\r\nTITLE:Head of Fleet Operations\r\n"
    "EMAIL;TYPE=INTERNET:amara.okafor@northwind.example\r\nTEL;TYPE=CELL:+44 20 7946 0958\r\n"
    "END:VCARD\r\n")


def _font(size: int):
    try:
        return ImageFont.truetype("DejaVuSans-Bold.ttf", size)
    except OSError:
        return ImageFont.load_default(size)


def badge_photo() -> bytes:
    """A printed conference badge with a vCard QR code, photographed a little askew."""
    badge = Image.new("RGB", (700, 1000), "white")
    draw = ImageDraw.Draw(badge)
    draw.rectangle((0, 0, 700, 170), fill=(20, 70, 140))
    draw.text((40, 50), "FleetTech Expo 2026", font=_font(44), fill="white")
    draw.text((40, 230), "Amara Okafor", font=_font(64), fill=(20, 20, 20))
    draw.text((40, 320), "Northwind Logistics", font=_font(38), fill=(90, 90, 90))
    out = io.BytesIO()
    segno.make_qr(BADGE_VCARD, error="m").save(out, kind="png", scale=6, border=4)
    code = Image.open(io.BytesIO(out.getvalue())).convert("RGB")
    badge.paste(code, ((700 - code.width) // 2, 420))
    draw.rectangle((0, 930, 700, 1000), fill=(230, 120, 30))
    draw.text((40, 945), "EXHIBITOR", font=_font(36), fill="white")
    # On a lanyard in the hall: turned a little, on a darker, uneven background.
    photo = Image.new("RGB", (1200, 1400), (70, 64, 58))
    photo.paste(Image.effect_noise((1200, 1400), 25).convert("RGB"), (0, 0),
                Image.new("L", (1200, 1400), 90))
    turned = badge.rotate(6, expand=True, fillcolor=(70, 64, 58),
                          resample=Image.Resampling.BICUBIC)
    photo.paste(turned, ((1200 - turned.width) // 2, (1400 - turned.height) // 2))
    photo = photo.filter(ImageFilter.GaussianBlur(0.7))
    out = io.BytesIO()
    photo.save(out, format="JPEG", quality=82)
    return out.getvalue()


def rows(db_path, sql):
    with closing(sqlite3.connect(db_path)) as conn:
        return conn.execute(sql).fetchall()


def test_a_badge_photo_fills_the_card_and_saves_it(server, phone_page, screenshot, tmp_path):
    page = phone_page
    photo = tmp_path / "badge.jpg"
    photo.write_bytes(badge_photo())

    open_page(page, server.url + "/capture")
    # The ten-second path is still on the first screen: name, kind, Save.
    expect(page.get_by_role("button", name="Save card")).to_be_in_viewport()
    screenshot(page, "scan-empty-form.png")
    assert_no_horizontal_overflow(page)

    # A photo chosen in the details, read with Read code (the camera reads at once).
    open_details(page)
    scanner = page.get_by_test_id("stFileUploader").filter(has_text="Scan a QR code")
    scanner.locator("input[type=file]").set_input_files(str(photo))
    expect(scanner.get_by_text("badge.jpg")).to_be_visible(timeout=20_000)  # uploaded, on a busy CI too
    with rerun(page):
        page.get_by_role("button", name="Read code").tap()
    expect(page.get_by_label("Name", exact=True)).to_have_value("Amara Okafor")
    expect(page.get_by_label("Company", exact=True)).to_have_value("Northwind Logistics")
    expect(page.get_by_label("Title", exact=True)).to_have_value("Head of Fleet Operations")
    expect(page.get_by_label("Email", exact=True)).to_have_value(
        "amara.okafor@northwind.example")
    expect(page.get_by_label("Phone", exact=True)).to_have_value("+44 20 7946 0958")
    assert rows(server.db_path, "SELECT count(*) FROM people") == [(0,)]
    screenshot(page, "scan-prefilled.png")
    filled = page.get_by_text("Filled name, company, title, email, phone")
    filled.scroll_into_view_if_needed()
    expect(filled).to_be_in_viewport()
    screenshot(page, "scan-prefilled-message.png")
    assert_no_horizontal_overflow(page)

    page.get_by_role("radio", name="Customer", exact=True).tap()
    with rerun(page):
        page.get_by_role("button", name="Save card").tap()
    expect(page.get_by_text("Saved Amara Okafor")).to_be_visible()
    expect(page.get_by_label("Name", exact=True)).to_have_value("")
    screenshot(page, "scan-saved.png")
    assert rows(server.db_path, "SELECT name, company, title, email, phone, kind, source "
                                "FROM people") == [
        ("Amara Okafor", "Northwind Logistics", "Head of Fleet Operations",
         "amara.okafor@northwind.example", "+442079460958", "customer", "scan")]
    assert rows(server.db_path, "SELECT count(*) FROM attachments") == [(0,)]  # not kept
    assert_no_horizontal_overflow(page)
    assert_no_errors(page)


def record(page, seconds: float = 2.0) -> None:
    """Record from Chromium's fake microphone (a tone) into the page's audio input."""
    page.get_by_role("button", name="Record", exact=True).tap()
    expect(page.get_by_role("button", name="Stop recording")).to_be_visible()
    page.wait_for_timeout(seconds * 1000)
    with rerun(page):
        page.get_by_role("button", name="Stop recording").tap()


def test_a_voice_memo_recorded_at_capture_plays_on_the_persons_page_and_can_go(
        server, phone_page, phone_context, screenshot):
    page = phone_page
    phone_context.grant_permissions(["microphone"], origin=server.url)
    open_page(page, server.url + "/capture")
    page.get_by_label("Name", exact=True).fill("Kenji Watanabe")
    page.get_by_text("Company, contact details, note, photo, voice memo").tap()
    page.get_by_role("button", name="Record", exact=True).tap()
    page.wait_for_timeout(2000)
    page.get_by_role("button", name="Stop recording").tap()  # in the form: no run yet
    expect(page.get_by_role("button", name="Play")).to_be_visible()
    screenshot(page, "memo-capture.png")
    with rerun(page):
        page.get_by_role("button", name="Save card").tap()
    expect(page.get_by_text("Saved Kenji Watanabe")).to_be_visible()
    ((person_id, kind, mime, size),) = rows(
        server.db_path, "SELECT person_id, kind, mime, bytes FROM attachments")
    assert (kind, mime) == ("voice_memo", "audio/wav") and size > 16000

    open_page(page, f"{server.url}/people?id={person_id}")
    expect(page.get_by_test_id("stAudio")).to_have_count(1)
    record(page)
    expect(page.get_by_text("Voice memo kept.")).to_be_visible()
    expect(page.get_by_test_id("stAudio")).to_have_count(2)
    assert rows(server.db_path, "SELECT count(*) FROM attachments") == [(2,)]
    page.get_by_role("heading", name="Voice memos").scroll_into_view_if_needed()
    screenshot(page, "memo-person.png")
    assert_no_horizontal_overflow(page)

    page.get_by_role("button", name="Delete").first.tap()
    with rerun(page):
        page.get_by_role("button", name="Delete this memo for good").tap()
    expect(page.get_by_text("Deleted the voice memo.")).to_be_visible()
    expect(page.get_by_test_id("stAudio")).to_have_count(1)
    assert rows(server.db_path, "SELECT count(*) FROM attachments") == [(1,)]
    assert_no_errors(page)


def two_codes_photo() -> bytes:
    """A phone screen's LinkedIn code beside a MECARD on a flyer, in one photo."""
    canvas = Image.new("RGB", (1200, 700), (245, 242, 235))
    for x, payload in ((60, "MECARD:N:Rossi,Sofia;ORG:Rossi Logistics;EMAIL:sofia@rossi.example;;"),
                       (640, "https://www.linkedin.com/in/kenji-watanabe-7a1b2c3d?utm_source=qr")):
        out = io.BytesIO()
        segno.make_qr(payload).save(out, kind="png", scale=7, border=4)
        canvas.paste(Image.open(io.BytesIO(out.getvalue())).convert("RGB"), (x, 80))
    out = io.BytesIO()
    canvas.save(out, format="JPEG", quality=85)
    return out.getvalue()


def test_several_codes_in_one_photo_the_user_picks_one(server, phone_page, screenshot, tmp_path):
    page = phone_page
    photo = tmp_path / "two-codes.jpg"
    photo.write_bytes(two_codes_photo())
    open_page(page, server.url + "/capture")
    page.get_by_label("Name", exact=True).fill("Kenji W.")
    camera = page.locator("[class*='st-key-camera_'] input[type=file]")
    with rerun(page, timeout=60):
        camera.set_input_files(str(photo))
    choice = page.get_by_role("radio", name="LinkedIn: linkedin.com/in/kenji-watanabe-7a1b2c3d")
    expect(choice).to_be_visible()
    choice.scroll_into_view_if_needed()
    screenshot(page, "scan-two-codes.png")
    assert_no_horizontal_overflow(page)
    choice.tap()
    with rerun(page):  # Save fills in the code picked first, and saves nothing yet
        page.get_by_role("button", name="Save card").tap()
    expect(page.get_by_label("Name", exact=True)).to_have_value("Kenji W.")  # typed: kept
    expect(page.get_by_label("LinkedIn", exact=True)).to_have_value(
        "https://www.linkedin.com/in/kenji-watanabe-7a1b2c3d")
    expect(page.get_by_text("Kept your name; the code says “Kenji Watanabe”.")).to_be_visible()
    screenshot(page, "scan-two-codes-picked.png")
    assert rows(server.db_path, "SELECT count(*) FROM people") == [(0,)]
    assert_no_errors(page)
