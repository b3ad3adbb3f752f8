"""The sign-in gate: with a password set, no page runs until it is given.

app.py asks ``required()`` before routing; while it holds, the navigation
holds only the sign-in page, so no other page's code (and none of its data)
runs for this session, whatever URL was opened. ``session.open_db()`` checks
again with ``guard()`` before any page reads the database.
"""

from __future__ import annotations

import streamlit as st

from fieldkit import access
from fieldkit.ui import style
from fieldkit.ui.session import connection
from fieldkit.ui.text import md

STAMP = "sign_in_stamp"  # the password stamp this session signed in with


def required() -> bool:
    """Whether this session must sign in first (a password is set, not yet given).

    A new password changes the stamp and so signs every session out.
    """
    with connection() as db:
        stamp = access.password_stamp(db)
    return stamp is not None and st.session_state.get(STAMP) != stamp


def guard() -> None:
    """Show the sign-in form and stop the run when this session must sign in."""
    if required():
        sign_in_page()
        st.stop()


def protected() -> bool:
    """Whether a password is set on this server."""
    with connection() as db:
        return access.password_stamp(db) is not None


def sign_in_page() -> None:
    """The only page a session sees before it has signed in."""
    style.apply()
    st.title("FieldKit")
    st.caption("This FieldKit is private. Sign in to open it.")
    with st.form("sign_in", border=False, enter_to_submit=True):
        password = st.text_input("Password", type="password", autocomplete="current-password")
        submitted = st.form_submit_button("Sign in", type="primary", width="stretch",
                                          icon=":material/login:")
    if not submitted:
        return
    try:
        with connection() as db:
            st.session_state[STAMP] = access.sign_in(db, password)
    except access.SignInRefused as exc:
        st.error(md(str(exc)), icon=":material/lock:")
    else:
        st.rerun()


def sign_out_button() -> None:
    """A Sign out button, shown only when a password is set."""
    if protected() and st.button("Sign out", icon=":material/logout:", width="stretch"):
        st.session_state.pop(STAMP, None)
        st.rerun()


def exposure_warning() -> None:
    """Warn when anyone on the network can open FieldKit without a password."""
    if access.is_local_address(st.get_option("server.address")) or protected():
        return
    st.warning(
        "FieldKit is reachable from other machines on this network and has no password. "
        "Set one with `python -m fieldkit set-password`, or start it with "
        "`--server.address 127.0.0.1`.",
        icon=":material/lock_open:",
    )
