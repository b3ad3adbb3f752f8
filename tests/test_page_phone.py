"""Settings' "Connect your phone" and the People page's mark, under AppTest."""

import pytest
from apptest import APP, TIMEOUT, rows
from streamlit.testing.v1 import AppTest

from fieldkit import app_passwords, calendar_feed, contacts_book, db as fdb

URL = "https://fieldkit.example/settings"


def page(path: str, url: str = URL, person_id: int | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.context["url"] = url
    at.run()
    if person_id is not None:
        at.session_state["person_id"] = person_id
    at.switch_page(path).run()
    assert not at.exception, at.exception
    return at


def labelled(widgets, label):
    return next(w for w in widgets if w.label == label)


def codes(at):
    return [c.value for c in at.code]


def test_settings_show_the_server_and_the_username(app_db):
    at = page("pages/settings.py")
    assert "Connect your phone" in [h.value for h in at.subheader]
    assert "https://fieldkit.example/dav/" in codes(at) and "fieldkit" in codes(at)
    assert not [w for w in at.warning if "HTTPS" in w.value]
    assert [b.label for b in at.get("download_button")] == ["iPhone profile (no password inside)"]
    assert "Evening triage time" in [t.label for t in at.time_input]


def test_plain_http_off_this_machine_warns_that_an_iphone_needs_https(app_db):
    at = page("pages/settings.py", url="http://192.168.1.20:8501/settings")
    assert [w for w in at.warning if "HTTPS" in w.value]


def test_a_new_app_password_is_shown_once_and_only_its_hash_kept(app_db):
    at = page("pages/settings.py")
    labelled(at.text_input, "Device name").input("Ann's iPhone")
    labelled(at.checkbox, "Put the password in the iPhone profile").check()
    labelled(at.button, "Make an app password").click().run()
    assert not at.exception
    password = next(c for c in codes(at) if c.count("-") == 3 and len(c) == 19)
    with fdb.connect(app_db) as db:
        assert app_passwords.device(db, "fieldkit", password) == "Ann's iPhone"
    assert password not in repr(rows(app_db, "SELECT * FROM app_passwords"))
    assert "iPhone profile with the password" in [b.label for b in at.get("download_button")]
    at.run()  # any later run: the password is not shown again
    assert password not in codes(at)
    assert any(m.value.startswith("Ann") and "iPhone" in m.value for m in at.markdown)


def test_a_device_is_revoked_from_settings(app_db):
    with fdb.connect(app_db) as db:
        password = app_passwords.new(db, "Pixel").password
    at = page("pages/settings.py")
    at.button(key="revoke_Pixel").click().run()
    with fdb.connect(app_db) as db:
        assert app_passwords.device(db, "fieldkit", password) is None
    assert not [b for b in at.button if b.key == "revoke_Pixel"]


def test_a_new_feed_address_ends_the_old_one(app_db):
    at = page("pages/settings.py")
    labelled(at.button, "Make a feed address").click().run()
    with fdb.connect(app_db) as db:
        first = calendar_feed.feed_token(db)
    assert f"webcal://fieldkit.example/feeds/{first}.ics" in codes(at)
    labelled(at.button, "New feed address (the old one stops working)").click().run()
    with fdb.connect(app_db) as db:
        second = calendar_feed.feed_token(db)
    assert second != first and f"webcal://fieldkit.example/feeds/{second}.ics" in codes(at)


@pytest.fixture
def removed_person(sample_db):
    """Someone of the sample, removed from the phone's contacts: the first in the book."""
    with fdb.connect(sample_db) as db:
        card = contacts_book.listing(db)[0]
        contacts_book.remove(db, card.href)
    return card.person_id


def test_settings_list_people_removed_from_the_phone_and_put_them_back(sample_db,
                                                                       removed_person):
    at = page("pages/settings.py")
    assert "**Removed from your phone's contacts**" in [m.value for m in at.markdown]
    at.button(key=f"put_back_{removed_person}").click().run()
    with fdb.connect(sample_db) as db:
        assert contacts_book.removed_at(db, removed_person) is None


def test_a_persons_page_marks_them_removed_and_puts_them_back(sample_db, removed_person):
    at = page("pages/people.py", person_id=removed_person)
    assert [i for i in at.info if "Removed from your phone's contacts" in i.value]
    at.button(key=f"put_back_person_{removed_person}").click().run()
    assert not at.exception
    with fdb.connect(sample_db) as db:
        assert contacts_book.removed_at(db, removed_person) is None
    assert not [i for i in at.info if "Removed from your phone's contacts" in i.value]
