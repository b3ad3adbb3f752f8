"""The sign-in gate: with a password set, no page runs until it is given.

The frame (``nav.frame``) asks ``required()`` before routing; while it holds, the navigation
holds only the sign-in page, so no other page's code (and none of its data)
runs for this tab, whatever URL was opened. Pages read the database only
through ``open_db()``, which checks again with ``guard()`` first.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import streamlit as st
from sqlite_utils import Database

from fieldkit import access
from fieldkit.ui import database, style
from fieldkit.ui.database import connection
from fieldkit.ui.text import md

STAMP = "sign_in_stamp"  # the password stamp this tab signed in with


def _provider() -> dict | None:
    """FieldKit's [fieldkit] secrets when Streamlit's OIDC sign-in ([auth]) is set up."""
    try:
        if not st.secrets.load_if_toml_exists() or "auth" not in st.secrets:
            return None
        return dict(st.secrets.get("fieldkit", {}))
    except Exception:  # unreadable secrets: fall back to FieldKit's own password
        return None


def _password_stamp() -> str | None:
    """The stored password's stamp, read from the file only when it has changed."""
    return database.remember("password_stamp", access.password_stamp)


def required() -> bool:
    """Whether this tab must sign in first.

    With an identity provider set up in secrets.toml: until an allowed account
    has signed in. Otherwise, when a password is set: until it is given (a new
    password changes the stamp and so signs every tab out).
    """
    if (provider := _provider()) is not None:
        return not (st.user.get("is_logged_in", False)
                    and access.email_allowed(st.user.get("email"), provider.get("allowed_emails")))
    stamp = _password_stamp()
    return stamp is not None and st.session_state.get(STAMP) != stamp


def guard() -> None:
    """Show the sign-in form and stop the run when this tab must sign in."""
    if required():
        sign_in_page()
        st.stop()


@contextlib.contextmanager
def open_db() -> Iterator[Database]:
    """The database for this run, migrated; closed when the block ends.

    Migrating here, not only in the frame, matters: a page opened by its own
    URL (/data) on a fresh server can run before the frame's code has. For
    the same reason the sign-in is checked here too: no page reads the data
    for a tab that has not signed in, however it came to run.
    """
    guard()
    with connection() as conn:
        yield conn


def protected() -> bool:
    """Whether a password or an identity provider guards this server."""
    if _provider() is not None:
        return True
    return _password_stamp() is not None


def sign_in_page() -> None:
    """The only page a tab sees before it has signed in."""
    style.apply()
    st.title("FieldKit")
    st.caption("This FieldKit is private. Sign in to open it.")
    if _provider() is not None:
        _provider_sign_in()
        return
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


def _provider_sign_in() -> None:
    if st.user.get("is_logged_in", False):
        st.error(md(f"{st.user.get('email') or 'This account'} may not open this FieldKit."),
                 icon=":material/lock:")
        st.button("Sign out", on_click=st.logout, width="stretch")
    else:
        st.button("Sign in", type="primary", icon=":material/login:", width="stretch",
                  on_click=st.login)


def sign_out_button() -> None:
    """A Sign out button, shown only when a password or a provider guards the server."""
    if not protected() or not st.button("Sign out", icon=":material/logout:", width="stretch"):
        return
    if _provider() is not None:
        st.logout()
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
