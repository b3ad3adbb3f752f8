"""The sign-in gate under AppTest: with a password set, no page shows anything else."""

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from fieldkit import access, db
from fieldkit.ui import nav
from tests.apptest import APP, TIMEOUT, rows

PASSWORD = "correct horse battery"


@pytest.fixture
def locked_db(sample_db):
    with db.connect(sample_db) as conn:
        access.set_password(conn, PASSWORD)
    return sample_db


def _start() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    assert not at.exception, at.exception
    return at


def _shown(at: AppTest) -> str:
    parts = [e.value for kind in ("title", "markdown", "caption", "header", "subheader", "text")
             for e in at.get(kind) if isinstance(getattr(e, "value", None), str)]
    parts += [b.label for b in at.button] + [t.label for t in at.text_input]
    return "\n".join(parts)


def _sign_in(at: AppTest, password: str) -> AppTest:
    at.text_input[0].input(password)
    at.button[0].click().run()
    assert not at.exception, at.exception
    return at


def _names(path) -> list[str]:
    return [name for (name,) in rows(path, "SELECT name FROM people LIMIT 50")]


@pytest.mark.parametrize("spec", nav.PAGES, ids=lambda s: s.url_path or "today")
def test_gate_every_page_shows_only_the_sign_in_form(sample_db, spec):
    # A session open on a page when a password is set: its next run of that
    # page shows the sign-in form and nothing from the data. (Under AppTest a
    # rerun runs the page without app.py, so this is open_db's guard at work;
    # tests/browser/test_privacy.py checks app.py's gate on a real server.)
    at = _start()
    at.switch_page(spec.file).run()
    assert at.title[0].value == spec.title
    with db.connect(sample_db) as conn:
        access.set_password(conn, PASSWORD)
    # (A plain at.run() after a file page does not rerun the script under AppTest.)
    at.switch_page(spec.file).run()
    assert not at.exception, at.exception
    shown = _shown(at)
    assert [t.label for t in at.text_input] == ["Password"]
    assert [b.label for b in at.button] == ["Sign in"]
    assert at.title[-1].value == "FieldKit"
    assert [name for name in _names(sample_db) if name in shown] == []


def test_gate_wrong_password_is_refused_and_counted(locked_db):
    at = _sign_in(_start(), "not the password")
    assert "Wrong password" in at.error[0].value
    assert [t.label for t in at.text_input] == ["Password"]
    assert rows(locked_db, "SELECT failures FROM sign_in") == [(1,)]


def test_gate_right_password_opens_the_app_until_sign_out(locked_db):
    at = _sign_in(_start(), PASSWORD)
    assert at.title[0].value == "Today"
    at.switch_page("pages/settings.py").run()
    assert at.title[0].value == "Settings"
    sign_out = next(b for b in at.button if b.label == "Sign out")
    sign_out.click().run()
    assert [t.label for t in at.text_input] == ["Password"]


def test_gate_new_password_signs_open_sessions_out(locked_db):
    at = _sign_in(_start(), PASSWORD)
    with db.connect(locked_db) as conn:
        access.set_password(conn, "another good password")
    at.switch_page("pages/today.py").run()
    assert [t.label for t in at.text_input] == ["Password"]


def test_gate_without_password_opens_directly(sample_db):
    at = _start()
    assert at.title[0].value == "Today"
    assert not any(b.label == "Sign out" for b in at.button)


@pytest.mark.parametrize(("address", "warned"), [
    (None, True), ("0.0.0.0", True), ("127.0.0.1", False), ("localhost", False),
])
def test_today_warns_when_reachable_without_password(sample_db, address, warned):
    st.config.set_option("server.address", address)
    try:
        at = _start()
    finally:
        st.config.set_option("server.address", None)
    warnings = [w.value for w in at.warning if "no password" in w.value]
    assert bool(warnings) is warned


def test_today_no_warning_when_password_set(locked_db):
    st.config.set_option("server.address", "0.0.0.0")
    try:
        at = _sign_in(_start(), PASSWORD)
    finally:
        st.config.set_option("server.address", None)
    assert at.title[0].value == "Today"
    assert not [w for w in at.warning if "no password" in w.value]


AUTH = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x" * 32,
        "client_id": "fieldkit", "client_secret": "secret",
        "server_metadata_url": "https://id.example/.well-known/openid-configuration"}


def _provider_app(user: dict, allowed) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.secrets["auth"] = AUTH
    at.secrets["fieldkit"] = {"allowed_emails": allowed}
    at.user = user
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.mark.parametrize(("user", "allowed", "opens"), [
    ({"is_logged_in": False}, ["me@work.example"], False),
    ({"is_logged_in": True, "email": "me@work.example"}, ["me@work.example"], True),
    ({"is_logged_in": True, "email": "Me@Work.example"}, ["@work.example"], True),
    ({"is_logged_in": True, "email": "stranger@gmail.example"}, ["me@work.example"], False),
    ({"is_logged_in": True, "email": "me@work.example"}, [], False),
])
def test_gate_identity_provider_opens_only_for_allowed_accounts(sample_db, user, allowed, opens):
    at = _provider_app(user, allowed)
    titles = [t.value for t in at.title]
    assert (titles == ["Today"]) is opens
    if not opens:
        assert titles == ["FieldKit"]
        assert not at.text_input  # no password box: the provider signs in
        assert [b.label for b in at.button] == (
            ["Sign out"] if user["is_logged_in"] else ["Sign in"])


def test_gate_a_save_tapped_after_a_password_was_set_saves_nothing(app_db):
    # Saving runs in the Save button's callback, before app.py's gate: the
    # callback's own open_db() shows the sign-in form and stops the run.
    at = _start()
    at.switch_page("pages/capture.py").run()
    next(t for t in at.text_input if t.label == "Name").input("Ada Locked")
    with db.connect(app_db) as conn:
        access.set_password(conn, PASSWORD)
    at.get("form_submit_button")[0].click().run()
    assert not at.exception, at.exception
    assert [t.label for t in at.text_input] == ["Password"]
    assert [b.label for b in at.button] == ["Sign in"]
    assert rows(app_db, "SELECT count(*) FROM people") == [(0,)]
