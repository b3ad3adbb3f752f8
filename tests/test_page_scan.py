"""Capture: reading a code into the form, picking among several, voice memos; memos on People."""

import io

import segno
from apptest import rows, run_page
from PIL import Image
from test_memos import wav
from test_page_capture import counting_runs, existing, runs_of, tap_save, widget

MECARD = ("MECARD:N:Rossi,Sofia;ORG:Rossi Logistics;TEL:+39 06 1234567;"
          "EMAIL:sofia@rossi.example;NOTE:Wants a demo;;")
VCARD = ("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Jane Doe\r\nORG:Acme Robotics\r\n"
         "TITLE:Head of Fleet\r\nEMAIL:jane@acme.example\r\nEND:VCARD\r\n")
LINKEDIN = "https://www.linkedin.com/in/amara-okafor-4b2a1b37?utm_source=share"


def png_of(*payloads: str) -> bytes:
    """One image holding a QR code per payload, side by side."""
    codes = []
    for payload in payloads:
        out = io.BytesIO()
        segno.make_qr(payload).save(out, kind="png", scale=5)
        codes.append(Image.open(io.BytesIO(out.getvalue())).convert("RGB"))
    canvas = Image.new("RGB", (sum(c.width + 40 for c in codes) + 40, 600), "white")
    x = 40
    for code in codes:
        canvas.paste(code, (x, 40))
        x += code.width + 40
    out = io.BytesIO()
    canvas.save(out, format="PNG")
    return out.getvalue()


def scan_uploader(at):
    return next(w for w in at.get("file_uploader") if w.label.startswith("Scan"))


def read_code(at, data: bytes):
    scan_uploader(at).upload("code.png", data, "image/png")
    next(b for b in at.get("form_submit_button") if b.label == "Read code").click()
    at.run()
    assert not at.exception


def plain(text: str) -> str:
    """A message as the user reads it: Markdown escapes removed."""
    return text.replace("\\", "")


def values(at, *labels):
    return tuple(widget(at, label).value for label in labels)


def test_read_code_fills_empty_fields_keeps_typed_ones_and_saves_only_on_save(app_db):
    at = run_page("pages/capture.py")
    widget(at, "Company").set_value("Typed Robotics")
    read_code(at, png_of(VCARD))
    assert values(at, "Name", "Company", "Title", "Email") == (
        "Jane Doe", "Typed Robotics", "Head of Fleet", "jane@acme.example")
    message = at.info[0].value
    assert "Filled name, title, email" in message and "Kept your company" in message
    assert rows(app_db, "SELECT count(*) FROM people") == [(0,)]  # nothing saved yet
    at.button_group[0].set_value("customer")
    tap_save(at)
    assert rows(app_db, "SELECT name, company, title, email, kind, source FROM people") == [
        ("Jane Doe", "Typed Robotics", "Head of Fleet", "jane@acme.example", "customer", "scan")]
    assert widget(at, "Name").value == ""  # a fresh form for the next person
    assert not at.info  # and no scan left over


def test_reading_a_code_is_one_run_of_the_page(app_db, monkeypatch):
    at = run_page("pages/capture.py")
    runs = counting_runs(monkeypatch)
    scan_uploader(at).upload("code.png", png_of(VCARD), "image/png")
    read = next(b for b in at.get("form_submit_button") if b.label == "Read code")
    assert runs_of(runs, at, read.click) == 1
    assert widget(at, "Name").value == "Jane Doe"


def read_again(at):
    next(b for b in at.get("form_submit_button") if b.label == "Read code").click()
    at.run()
    assert not at.exception


def picker(at):
    (pick,) = [p for p in at.button_group if "2 codes" in p.label]
    return pick


def test_several_codes_offer_a_choice_and_switching_replaces_what_was_filled(app_db):
    at = run_page("pages/capture.py")
    widget(at, "Note").set_value("met at the coffee bar")
    read_code(at, png_of(MECARD, LINKEDIN))
    assert widget(at, "Name").value == ""  # nothing filled until one is picked
    assert list(picker(at).options) == [
        "MECARD: Sofia Rossi · Rossi Logistics", "LinkedIn: linkedin.com/in/amara-okafor-4b2a1b37"]
    read_again(at)  # without a pick
    assert "Pick the person's code" in at.warning[0].value
    picker(at).set_value(1)
    read_again(at)
    assert values(at, "Name", "LinkedIn", "Note") == (
        "Amara Okafor", "https://www.linkedin.com/in/amara-okafor-4b2a1b37",
        "met at the coffee bar")
    assert "guess from the LinkedIn link" in at.info[0].value
    # The name corrected by hand and the other code picked, in one submit:
    widget(at, "Name").set_value("Amara Okafor-Bello")
    picker(at).set_value(0)
    read_again(at)
    assert values(at, "Name", "Company", "LinkedIn", "Email", "Note") == (
        "Amara Okafor-Bello", "Rossi Logistics", "", "sofia@rossi.example",
        "met at the coffee bar")
    assert "Kept your name" in at.info[0].value
    assert rows(app_db, "SELECT count(*) FROM people") == [(0,)]


def test_save_after_picking_a_code_uses_it_first(app_db):
    at = run_page("pages/capture.py")
    read_code(at, png_of(MECARD, LINKEDIN))
    picker(at).set_value(0)
    tap_save(at)
    assert rows(app_db, "SELECT count(*) FROM people") == [(0,)]
    assert widget(at, "Name").value == "Sofia Rossi"
    tap_save(at)
    assert rows(app_db, "SELECT name FROM people") == [("Sofia Rossi",)]


def test_no_code_says_so_and_keeps_everything_typed(app_db):
    at = run_page("pages/capture.py")
    widget(at, "Name").set_value("Hana Tanaka")
    widget(at, "Email").set_value("hana@example.com")
    blank = io.BytesIO()
    Image.new("RGB", (400, 300), (200, 190, 170)).save(blank, format="PNG")
    read_code(at, blank.getvalue())
    assert "No readable code" in at.warning[0].value
    assert values(at, "Name", "Email") == ("Hana Tanaka", "hana@example.com")
    assert rows(app_db, "SELECT count(*) FROM people") == [(0,)]


def test_an_unreadable_file_is_named_and_keeps_everything_typed(app_db):
    at = run_page("pages/capture.py")
    widget(at, "Name").set_value("Hana Tanaka")
    read_code(at, b"%PDF-1.4 not an image")
    assert plain(at.error[0].value).startswith("Scan: this file is not an image")
    assert widget(at, "Name").value == "Hana Tanaka"


def test_save_with_an_unread_code_reads_it_first_then_saves(app_db):
    at = run_page("pages/capture.py")
    scan_uploader(at).upload("badge.png", png_of(MECARD), "image/png")
    tap_save(at)
    assert rows(app_db, "SELECT count(*) FROM people") == [(0,)]
    assert widget(at, "Name").value == "Sofia Rossi"
    tap_save(at)
    assert rows(app_db, "SELECT name, email, phone, note FROM people") == [
        ("Sofia Rossi", "sofia@rossi.example", "+39061234567", "Wants a demo")]


def test_a_scanned_card_gets_the_same_twin_warning(app_db):
    existing(app_db, email="sofia@rossi.example")
    at = run_page("pages/capture.py")
    read_code(at, png_of(MECARD))
    tap_save(at)
    assert at.warning and "already know" in at.warning[0].value
    assert rows(app_db, "SELECT count(*) FROM people") == [(1,)]


def test_a_bad_scanned_value_is_refused_like_a_typed_one(app_db):
    at = run_page("pages/capture.py")
    read_code(at, png_of("MECARD:N:Doe,Jo;EMAIL:not-an-address;;"))
    tap_save(at)
    assert at.error and plain(at.error[0].value).startswith("Email")
    assert rows(app_db, "SELECT count(*) FROM people") == [(0,)]


def test_voice_memo_is_kept_with_the_card_and_undone_with_it(app_db):
    at = run_page("pages/capture.py")
    widget(at, "Name").set_value("Wei Zhang")
    at.audio_input[0].upload("memo.wav", wav(2))
    tap_save(at)
    assert rows(app_db, "SELECT kind, mime, bytes FROM attachments") == [
        ("voice_memo", "audio/wav", len(wav(2)))]
    assert at.audio_input[0].value is None  # the next card starts without one
    next(b for b in at.button if b.label == "Undo").click()
    at.run()
    assert rows(app_db, "SELECT count(*) FROM attachments") == [(0,)]


def test_a_too_long_voice_memo_is_refused_and_nothing_saved(app_db):
    at = run_page("pages/capture.py")
    widget(at, "Name").set_value("Wei Zhang")
    at.audio_input[0].upload("memo.wav", wav(140))
    tap_save(at)
    assert plain(at.error[0].value).startswith("Voice memo: the recording is 4.3 MB")
    assert rows(app_db, "SELECT count(*) FROM people") == [(0,)]
    assert widget(at, "Name").value == "Wei Zhang"


def test_people_page_plays_records_and_deletes_memos(app_db):
    person_id = existing(app_db)
    at = run_page("pages/people.py", {"id": str(person_id)})
    assert not at.get("audio")
    at.audio_input[0].upload("memo.wav", wav(3))
    at.run()
    assert "Voice memo kept" in at.success[0].value
    assert rows(app_db, "SELECT person_id, kind FROM attachments") == [(person_id, "voice_memo")]
    assert len(at.get("audio")) == 1
    assert at.audio_input[0].value is None  # ready for another
    assert any("0:03" in c.value for c in at.caption)
    next(b for b in at.button if b.label == "Delete this memo for good").click()
    at.run()
    assert "Deleted the voice memo" in at.success[0].value
    assert rows(app_db, "SELECT count(*) FROM attachments") == [(0,)]
    assert not at.get("audio")


def test_people_page_refuses_a_too_long_memo(app_db):
    person_id = existing(app_db)
    at = run_page("pages/people.py", {"id": str(person_id)})
    at.audio_input[0].upload("memo.wav", wav(140))
    at.run()
    assert plain(at.error[0].value).startswith("Voice memo: the recording is 4.3 MB")
    assert rows(app_db, "SELECT count(*) FROM attachments") == [(0,)]
