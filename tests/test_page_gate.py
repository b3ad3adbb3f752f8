"""The sign-in gate under AppTest: with a password set, no page shows anything else.

The password is given on /sign-in (tests/test_web_signin.py), which leaves a
device token in a cookie. AppTest cannot send cookies, so ``browser`` stands
in for the cookie reader: a test signs a device in through the core, as
/sign-in does, and hands the page its token.
"""

from datetime import timedelta

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from fieldkit import access, clock, db
from fieldkit.ui import gate, nav
from tests.apptest import APP, TIMEOUT, rows

PASSWORD = "correct horse battery"
SIGN_IN_LINK = '<a href="/sign-in?next=%2F" style="{}">Sign in</a>'.format(gate._BUTTON)


@pytest.fixture
def locked_db(sample_db):
    with db.connect(sample_db) as conn:
        access.set_password(conn, PASSWORD)
    return sample_db


@pytest.fixture
def browser(monkeypatch):
    """The cookies of this test's browser: ``browser["token"]`` is what the gate reads."""
    cookies = {}
    monkeypatch.setattr(gate, "device_token", lambda: cookies.get("token"))
    return cookies


def _device(path, **options) -> str:
    """A device signed in with the password, as /sign-in signs one in; its token."""
    with db.connect(path) as conn:
        return access.sign_in_device(conn, PASSWORD, client="192.0.2.10", **options)


def _start() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    assert not at.exception, at.exception
    return at


def _shown(at: AppTest) -> str:
    parts = [e.value for kind in ("title", "markdown", "caption", "header", "subheader", "text",
                                  "html")
             for e in at.get(kind) if isinstance(getattr(e, "value", None), str)]
    parts += [b.label for b in at.button] + [t.label for t in at.text_input]
    return "\n".join(parts)


def _links(at: AppTest) -> list[str]:
    return [h.value for h in at.get("html") if "<a " in h.value]


def _assert_sign_in_page(at: AppTest, page_title: str | None = None) -> None:
    """Only the sign-in page: its title, its link to /sign-in, no widget at all.

    A page that draws its title before opening the database (``page_title``)
    shows that title above the sign-in page.
    """
    assert not at.exception, at.exception
    assert [t.value for t in at.title] == [*([page_title] if page_title else []), "FieldKit"]
    assert _links(at) == [SIGN_IN_LINK]
    assert [b.label for b in at.button] == []
    assert [t.label for t in at.text_input] == []


# Pages that draw their title before they open the database.
TITLE_FIRST = {"metrics", "data"}


def _names(path) -> list[str]:
    return [name for (name,) in rows(path, "SELECT name FROM people LIMIT 50")]


@pytest.mark.parametrize("spec", nav.PAGES, ids=lambda s: s.url_path or "today")
def test_gate_every_page_shows_only_the_sign_in_page(sample_db, browser, spec):
    # A tab open on a page when a password is set: its next run of that
    # page shows the sign-in page and nothing from the data. (Under AppTest a
    # rerun runs the page without the frame, so this is open_db's guard at work;
    # tests/browser/test_privacy.py checks the frame's gate on a real server.)
    at = _start()
    at.switch_page(spec.file).run()
    assert at.title[0].value == spec.title
    with db.connect(sample_db) as conn:
        access.set_password(conn, PASSWORD)
    # (A plain at.run() after a file page does not rerun the script under AppTest.)
    at.switch_page(spec.file).run()
    _assert_sign_in_page(at, spec.title if spec.url_path in TITLE_FIRST else None)
    shown = _shown(at)
    assert [name for name in _names(sample_db) if name in shown] == []


def test_gate_sign_in_link_keeps_the_query(locked_db, browser):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params["id"] = "7"
    at.run()
    assert _links(at) == [SIGN_IN_LINK.replace("next=%2F", "next=%2F%3Fid%3D7")]


@pytest.mark.parametrize("token", [None, "", "not a token", "A" * 43, "\u00e9" * 43])
def test_gate_unknown_cookie_shows_only_the_sign_in_page(locked_db, browser, token):
    _device(locked_db)  # another browser is signed in
    browser["token"] = token
    _assert_sign_in_page(_start())


def test_gate_signed_in_device_opens_the_app_until_sign_out_this_device(locked_db, browser):
    browser["token"] = _device(locked_db)
    other = _device(locked_db)
    at = _start()
    assert at.title[0].value == "Today"
    at.switch_page("pages/settings.py").run()
    assert at.title[0].value == "Settings"
    labels = [b.label for b in at.button]
    assert labels[-2:] == ["Sign out this device", "Sign out everywhere"]
    assert "Sign out" not in labels
    assert "No wrong password in the last day." in _shown(at)
    next(b for b in at.button if b.label == "Sign out this device").click().run()
    _assert_sign_in_page(at)
    with db.connect(locked_db) as conn:
        assert access.device_signed_in(conn, browser["token"]) is False
        assert access.device_signed_in(conn, other) is True


def test_settings_lists_the_wrong_passwords_by_address_and_clears_them(locked_db, browser):
    browser["token"] = _device(locked_db)
    with db.connect(locked_db) as conn:
        for client, ago in (("203.0.113.9", 100), ("203.0.113.9", 50), ("198.51.100.4", 10)):
            with pytest.raises(access.SignInRefused):
                access.sign_in_device(conn, "wrong password", client=client,
                                      now=clock.utc_now() - timedelta(seconds=ago))
    at = _start()
    at.switch_page("pages/settings.py").run()
    assert "3 wrong passwords in the last day from 2 addresses." in _shown(at)
    table = at.dataframe[-1].value
    assert list(table["Address"]) == ["203.0.113.9", "198.51.100.4"]
    assert list(table["Wrong"]) == [2, 1]
    next(b for b in at.button if b.label == "Clear the wrong passwords").click().run()
    assert "No wrong password in the last day." in _shown(at)
    assert rows(locked_db, "SELECT count(*) FROM sign_in_failures") == [(0,)]


def test_gate_sign_out_everywhere_signs_every_device_out(locked_db, browser):
    mine, theirs = _device(locked_db), _device(locked_db)
    browser["token"] = theirs
    their_tab = _start()
    assert their_tab.title[0].value == "Today"
    browser["token"] = mine
    at = _start()
    at.switch_page("pages/settings.py").run()
    next(b for b in at.button if b.label == "Sign out everywhere").click().run()
    _assert_sign_in_page(at)
    assert rows(locked_db, "SELECT count(*) FROM devices") == [(0,)]
    browser["token"] = theirs
    their_tab.switch_page("pages/today.py").run()
    _assert_sign_in_page(their_tab)


def test_gate_new_password_signs_open_tabs_out(locked_db, browser):
    browser["token"] = _device(locked_db)
    at = _start()
    assert at.title[0].value == "Today"
    with db.connect(locked_db) as conn:
        access.set_password(conn, "another good password")
    at.switch_page("pages/today.py").run()
    _assert_sign_in_page(at)


def test_gate_expired_device_shows_only_the_sign_in_page(locked_db, browser):
    browser["token"] = _device(locked_db, now=clock.utc_now() - timedelta(days=2), days=1)
    _assert_sign_in_page(_start())


def test_gate_looks_the_device_up_again_only_after_a_change(locked_db, browser, monkeypatch):
    browser["token"] = _device(locked_db)
    looked = []
    real = access.device_expiry
    monkeypatch.setattr(access, "device_expiry",
                        lambda *args, **kwargs: looked.append(1) or real(*args, **kwargs))
    at = _start()
    at.switch_page("pages/today.py").run()
    at.switch_page("pages/people.py").run()
    assert at.title[0].value == "People"
    assert len(looked) == 1
    with db.connect(locked_db) as conn:
        access.sign_out_everywhere(conn)
    at.switch_page("pages/today.py").run()
    _assert_sign_in_page(at)
    assert len(looked) == 2


def test_gate_without_password_opens_directly(sample_db, browser):
    at = _start()
    assert at.title[0].value == "Today"
    at.switch_page("pages/settings.py").run()
    assert not [b for b in at.button if b.label.startswith("Sign out")]


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


def test_today_no_warning_when_password_set(locked_db, browser):
    browser["token"] = _device(locked_db)
    st.config.set_option("server.address", "0.0.0.0")
    try:
        at = _start()
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


def test_gate_a_save_tapped_after_a_password_was_set_saves_nothing(app_db, browser):
    # Saving runs in the Save button's callback, before the frame's gate: the
    # callback's own open_db() shows the sign-in page and stops the run.
    at = _start()
    at.switch_page("pages/capture.py").run()
    next(t for t in at.text_input if t.label == "Name").input("Ada Locked")
    with db.connect(app_db) as conn:
        access.set_password(conn, PASSWORD)
    at.get("form_submit_button")[0].click().run()
    _assert_sign_in_page(at)
    assert rows(app_db, "SELECT count(*) FROM people") == [(0,)]


def test_gate_a_save_tapped_after_sign_out_everywhere_saves_nothing(locked_db, browser):
    browser["token"] = _device(locked_db)
    at = _start()
    at.switch_page("pages/capture.py").run()
    next(t for t in at.text_input if t.label == "Name").input("Ada Locked")
    with db.connect(locked_db) as conn:
        access.sign_out_everywhere(conn)
    at.get("form_submit_button")[0].click().run()
    _assert_sign_in_page(at)
    assert rows(locked_db, "SELECT count(*) FROM people WHERE name = 'Ada Locked'") == [(0,)]
