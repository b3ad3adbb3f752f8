"""Capture: one tap on the camera control, the photo read at once (a code first, then
the card's text), the filled fields up front; and what the form is after each Save."""

import pytest
from apptest import rows, run_page
from test_page_capture import counting_runs, runs_of, tap_save, widget
from test_page_scan import LINKEDIN, MECARD, VCARD, picker, png_of

from fieldkit import cues
from fieldkit.ui import capture_fields
from tests import cardgen

CARD = cardgen.card(7)  # a Portuguese card, photographed askew


def camera(at):
    (control,) = [w for w in at.get("file_uploader") if w.key.startswith(cues.CAMERA_KEY)]
    return control


def order(at) -> list[str]:
    """The labels of the form's text inputs and pills, top to bottom (outside the details)."""
    (form,) = at.get("form")
    return [child.label for child in form.children.values()
            if type(child).__name__ in ("TextInput", "ButtonGroup")]


def cue(at) -> str:
    """The cue the last run gave the browser, or ""."""
    return "".join(h.proto.body for h in at.get("html") if cues.CUE in h.proto.body)


def test_a_code_photo_is_read_at_once_its_fields_up_front_and_saved_as_a_scan(
        app_db, monkeypatch):
    at = run_page("pages/capture.py")
    runs = counting_runs(monkeypatch)
    assert runs_of(runs, at, lambda: camera(at).upload("code.png", png_of(VCARD),
                                                      "image/png")) == 1
    assert [widget(at, label).value for label in ("Name", "Company", "Title", "Email")] == [
        "Jane Doe", "Acme Robotics", "Head of Fleet", "jane@acme.example"]
    # What the photo filled is under Name, on screen with Save; the rest stays folded.
    assert order(at)[:5] == ["Name", "Company", "Title", "Email", "Kind"]
    assert f'{cues.VIEW}="capture_name_0"' in cue(at)
    assert rows(app_db, "SELECT count(*) FROM people") == [(0,)]  # nothing saved yet
    tap_save(at)
    assert rows(app_db, "SELECT name, company, source FROM people") == [
        ("Jane Doe", "Acme Robotics", "scan")]
    assert rows(app_db, "SELECT count(*) FROM attachments") == [(0,)]  # a code's photo goes


def test_a_card_photo_is_read_at_once_and_kept_as_the_cards_photo(app_db):
    at = run_page("pages/capture.py")
    camera(at).upload("card.jpg", CARD.photo, "image/jpeg")
    at.run()
    assert not at.exception
    truth = CARD.truth
    assert widget(at, "Name").value == truth.name
    assert widget(at, "Company").value == truth.company
    assert order(at)[:4] == ["Name", "Company", "Title", "Email"]
    tap_save(at)
    assert rows(app_db, "SELECT name FROM people") == [(truth.name,)]
    assert rows(app_db, "SELECT count(*) FROM attachments") == [(1,)]


def test_after_save_the_form_is_empty_folded_and_name_gets_the_focus(app_db):
    at = run_page("pages/capture.py")
    camera(at).upload("code.png", png_of(VCARD), "image/png")
    at.run()
    widget(at, "Phone").set_value("+1 650 253 0000")  # typed into the folded details
    (before,) = at.get("expander")
    tap_save(at)
    assert "Saved Jane Doe" in at.success[0].value
    assert all(w.value in ("", None) for w in at.get("text_input"))
    assert order(at)[:2] == ["Name", "Kind"]
    (details,) = at.get("expander")
    # A new expander (another key), closed: the browser forgets that the last one was opened.
    assert details.proto.expanded is False and details.key != before.key
    given = cue(at)
    assert f'{cues.FOCUS}="capture_name_1"' in given and cues.TOP in given
    at.run()  # a later run (another tap) gives no cue again
    assert cue(at) == ""


@pytest.mark.parametrize("label, kind", [("Email", "email"), ("Phone", "phone"),
                                         ("LinkedIn", "url"), ("Website", "url")])
def test_contact_fields_bring_their_keyboards_and_leave_the_checks_to_save(
        app_db, label, kind):
    at = run_page("pages/capture.py")
    field = widget(at, label)
    assert capture_fields.FIELDS[field.key.rsplit("_", 1)[0].removeprefix("capture_")][1] == kind
    assert field.proto.type == getattr(type(field.proto), kind.upper())
    widget(at, "Name").set_value("Ada")
    field.set_value("not valid at all")
    tap_save(at)
    assert at.error and at.error[0].value.startswith(label)  # the core's message
    assert rows(app_db, "SELECT count(*) FROM people") == [(0,)]


def test_a_photo_of_several_codes_offers_them_and_save_fills_in_the_one_picked(app_db):
    at = run_page("pages/capture.py")
    camera(at).upload("codes.png", png_of(MECARD, LINKEDIN), "image/png")
    at.run()
    picker(at).set_value(0)
    tap_save(at)
    assert rows(app_db, "SELECT count(*) FROM people") == [(0,)]  # filled in, not saved
    assert widget(at, "Name").value == "Sofia Rossi"
    tap_save(at)
    assert rows(app_db, "SELECT name, source FROM people") == [("Sofia Rossi", "scan")]
