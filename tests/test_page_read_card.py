"""Capture: a photo of a paper business card read into the form with Read card."""

from apptest import rows, run_page
from test_page_capture import counting_runs, existing, runs_of, tap_save, widget

from fieldkit import normalise
from fieldkit.ui import read_widgets
from tests import cardgen

# A Portuguese card, photographed askew: the .pt domain says where its number is from.
CARD = cardgen.card(7)
TRUTH = CARD.truth


def photo_uploader(at):
    return next(w for w in at.get("file_uploader") if w.label.startswith("Card photo"))


def read_button(at):
    return next(b for b in at.get("form_submit_button") if b.label == "Read card")


def read_card(at, data: bytes = CARD.photo, name: str = "card.jpg"):
    photo_uploader(at).upload(name, data, "image/jpeg")
    read_button(at).click()
    at.run()
    assert not at.exception


def plain(text: str) -> str:
    """A message as the user reads it: Markdown escapes removed."""
    return text.replace("\\", "")


def marks(at) -> str:
    """The style that marks the fields read from the card, or "" when none is marked."""
    return "".join(h.proto.body for h in at.get("html") if read_widgets.MARK in h.proto.body)


def test_read_card_fills_empty_fields_keeps_typed_ones_and_saves_only_on_save(app_db):
    at = run_page("pages/capture.py")
    widget(at, "Company").set_value("Typed Robotics")
    read_card(at)
    assert (widget(at, "Name").value, widget(at, "Company").value, widget(at, "Title").value,
            widget(at, "Email").value, widget(at, "Phone").value) == (
        TRUTH.name, "Typed Robotics", TRUTH.title, TRUTH.email,
        normalise.phone_display(TRUTH.phones[0]))
    assert widget(at, "Website").value == f"https://{TRUTH.website}"
    assert widget(at, "Note").value.startswith("Address: ")
    message = plain(at.info[0].value)
    assert message.startswith("Read from the card: name, title, email, phone, website, note.")
    assert f"Kept your company; the card says “{TRUTH.company}”." in message
    # Each field read is marked, and only those.
    style = marks(at)
    for name in ("name", "title", "email", "phone", "website", "note"):
        assert f".st-key-capture_{name}_0 " in style
    assert ".st-key-capture_company_0 " not in style
    assert rows(app_db, "SELECT count(*) FROM people") == [(0,)]  # nothing saved yet

    at.button_group[0].set_value("prospect")
    tap_save(at)
    assert rows(app_db, "SELECT name, company, title, email, phone, website, kind, source "
                        "FROM people") == [
        (TRUTH.name, "Typed Robotics", TRUTH.title, TRUTH.email, TRUTH.phones[0],
         f"https://{TRUTH.website}", "prospect", "capture")]
    # The photo read is the one kept with the card.
    assert rows(app_db, "SELECT kind, mime FROM attachments") == [("card_photo", "image/jpeg")]
    assert widget(at, "Name").value == "" and not at.info and marks(at) == ""


def test_a_field_changed_after_the_read_loses_its_mark(app_db):
    at = run_page("pages/capture.py")
    read_card(at)
    widget(at, "Title").set_value("Head of Things")
    read_button(at).click()  # read again: the changed title is kept
    at.run()
    style = marks(at)
    assert ".st-key-capture_title_0 " not in style and ".st-key-capture_name_0 " in style
    assert widget(at, "Title").value == "Head of Things"
    assert f"Kept your title; the card says “{TRUTH.title}”." in plain(at.info[0].value)


def test_reading_a_card_is_one_run_of_the_page(app_db, monkeypatch):
    at = run_page("pages/capture.py")
    runs = counting_runs(monkeypatch)
    photo_uploader(at).upload("card.jpg", CARD.photo, "image/jpeg")
    assert runs_of(runs, at, read_button(at).click) == 1
    assert widget(at, "Name").value == TRUTH.name


def test_read_card_without_a_photo_asks_for_one(app_db):
    at = run_page("pages/capture.py")
    widget(at, "Name").set_value("Ada")
    read_button(at).click()
    at.run()
    assert [w.value for w in at.warning] == [
        "Choose or take a photo of the card first, then tap **Read card**."]
    assert widget(at, "Name").value == "Ada" and not at.info


def test_a_file_that_is_no_image_is_refused_and_what_was_typed_stays(app_db):
    at = run_page("pages/capture.py")
    widget(at, "Name").set_value("Ada")
    read_card(at, b"Jane Doe, Acme\n", "notes.jpg")
    assert [plain(e.value) for e in at.error] == [
        "Card photo: this file is not an image FieldKit can read (use JPEG, PNG or WebP)."]
    assert widget(at, "Name").value == "Ada" and widget(at, "Email").value == ""
    assert rows(app_db, "SELECT count(*) FROM people") == [(0,)]


def test_a_blank_photo_fills_nothing(app_db):
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (900, 600), (240, 240, 235)).save(out, format="JPEG")
    at = run_page("pages/capture.py")
    read_card(at, out.getvalue())
    assert [w.value for w in at.warning] == [
        "No text found on this card photo. Everything typed is kept; try again closer, "
        "steadier, or with more light."]
    assert widget(at, "Name").value == "" and marks(at) == ""


def test_a_card_of_someone_known_asks_about_the_twin_before_saving(app_db):
    existing(app_db, email=TRUTH.email)
    at = run_page("pages/capture.py")
    read_card(at)
    tap_save(at)
    assert "already know" in at.warning[0].value
    assert rows(app_db, "SELECT name FROM people") == [("Ada Okafor",)]
