"""fieldkit.ui.actions: the one way a page runs a write and shows a refusal."""

import pytest
from streamlit.testing.v1 import AppTest

from fieldkit.ui.text import md
from tests.apptest import TIMEOUT, rows


def _script(outcome: str, keep: str = "") -> AppTest:
    """A page that runs one write whose outcome is ``outcome``, then says what it got."""

    def page(outcome, keep):
        import streamlit as st

        from fieldkit.errors import ValidationError
        from fieldkit.ui import actions

        def action(db):
            db.execute("INSERT INTO assumptions (text, status, created_at) "
                       "VALUES ('Buyers plan ahead', 'open', '2026-01-01T00:00:00Z')")
            if outcome == "refused":
                raise ValidationError("Name: *not* [this](http://x.example/p.png).")
            if outcome == "bug":
                raise KeyError("bug")
            return 42

        # A core write is one transaction; here the refusal comes after the
        # insert, as a late validation in the core would.
        def in_one_transaction(db):
            from fieldkit.db import transaction

            with transaction(db):
                return action(db)

        written = actions.write(in_one_transaction, keep=keep or None)
        st.text(f"ok={bool(written)} value={written.value} error={written.error}")
        if keep:
            st.text(f"kept={st.session_state.get(keep)}")
            actions.show_kept(keep)

    return AppTest.from_function(page, args=(outcome, keep), default_timeout=TIMEOUT)


def test_write_returns_what_the_core_returned(app_db):
    at = _script("written").run()
    assert not at.exception
    assert at.text[0].value == "ok=True value=42 error=None"
    assert not at.error
    assert rows(app_db, "SELECT text FROM assumptions") == [("Buyers plan ahead",)]


def test_refusal_is_shown_escaped_and_nothing_is_written(app_db):
    at = _script("refused").run()
    assert not at.exception
    assert at.text[0].value.startswith("ok=False value=None error=Name: *not*")
    (error,) = at.error
    # Markdown in the message is shown as text: no emphasis, no link, no image.
    message = "Name: *not* [this](http://x.example/p.png)."
    assert error.value == md(message) != message
    assert rows(app_db, "SELECT count(*) FROM assumptions") == [(0,)]


def test_refusal_from_a_callback_is_kept_then_shown_once(app_db):
    at = _script("refused", keep="error_here").run()
    assert at.text[1].value == "kept=Name: *not* [this](http://x.example/p.png)."
    assert len(at.error) == 1
    assert "error_here" not in at.session_state


def test_a_bug_is_raised_not_shown(app_db):
    at = _script("bug").run()
    assert at.exception
    assert 'raise KeyError("bug")' in "\n".join(at.exception[0].stack_trace)
    assert not at.error
    assert rows(app_db, "SELECT count(*) FROM assumptions") == [(0,)]


@pytest.mark.parametrize("outcome", ["written", "refused"])
def test_write_needs_a_signed_in_tab(app_db, outcome):
    from fieldkit import access, db

    with db.connect(app_db) as conn:
        access.set_password(conn, "correct horse battery")
    at = _script(outcome).run()
    assert not at.exception
    assert not at.text  # the gate stopped the run before the write
    assert [t.value for t in at.title] == ["FieldKit"]  # the sign-in page
    assert rows(app_db, "SELECT count(*) FROM assumptions") == [(0,)]
