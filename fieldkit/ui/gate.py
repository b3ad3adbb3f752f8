"""The sign-in gate: with a password set, no page runs until this browser has signed in.

The frame (``nav.frame``) asks ``required()`` before routing; while it holds, the navigation
holds only the sign-in page, so no other page's code (and none of its data)
runs for this tab, whatever URL was opened. Pages read the database only
through ``open_db()``, which checks again with ``guard()`` first.

The password itself is given on /sign-in (fieldkit.web.signin), outside
Streamlit, which cannot set an HttpOnly cookie: that page signs the browser
in as a device and leaves its token in a cookie, which every tab of that
browser then shows the gate.
"""

from __future__ import annotations

import contextlib
import hashlib
import html
from collections.abc import Iterator
from urllib.parse import urlencode, urlsplit

import streamlit as st
from sqlite_utils import Database

from fieldkit import access, clock, contract
from fieldkit.ui import database
from fieldkit.ui.database import connection
from fieldkit.ui.text import md

# What this tab last learnt of its device: (token fingerprint, the file's
# change generation then, the device's expiry, when it was looked up).
DEVICE = "sign_in_device"

# A link styled as Streamlit's primary button (the theme's primaryColor,
# .streamlit/config.toml), full width and thumb-sized.
_BUTTON = ("display:flex;align-items:center;justify-content:center;width:100%;"
           "min-height:3rem;border-radius:0.5rem;color:#ffffff;font-weight:600;"
           f"text-decoration:none;background:{contract.THEME_COLOUR}")


def _provider() -> dict | None:
    """FieldKit's [fieldkit] secrets when Streamlit's OIDC sign-in ([auth]) is set up."""
    try:
        if not st.secrets.load_if_toml_exists() or "auth" not in st.secrets:
            return None
        return dict(st.secrets.get("fieldkit", {}))
    except Exception:  # unreadable secrets: fall back to FieldKit's own password
        return None


def provider_allowed_emails() -> tuple[str, ...] | None:
    """Who may open FieldKit through an identity provider; None when none is set up.

    For the HTTP routes and middleware, outside a run (app.py hands it on).
    """
    provider = _provider()
    if provider is None:
        return None
    return tuple(str(entry) for entry in provider.get("allowed_emails") or ())


def _password_stamp() -> str | None:
    """The stored password's stamp, read from the file only when it has changed."""
    return database.remember("password_stamp", access.password_stamp)


def device_token() -> str | None:
    """This browser's device token: the cookie /sign-in set, as the tab's connection sent it.

    One small function, so that tests (AppTest cannot send cookies) can
    stand in for it.
    """
    token = st.context.cookies.get(contract.DEVICE_COOKIE)
    return token if isinstance(token, str) else None  # AppTest's stand-in runtime gives a mock


def _device_signed_in() -> bool:
    """Whether this tab's browser is a signed-in device.

    Looked up in the file after anything was committed to it (a sign-out, a
    new password and a restore all commit) and at least hourly (so the
    device's last-seen note is kept); in between, what this tab learnt last
    holds until the device's expiry.
    """
    token = device_token()
    if not token:
        return False
    fingerprint = hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()
    _, generation = database.generation()
    now = clock.utc_now()
    kept = st.session_state.get(DEVICE)
    if (kept is not None and kept[:2] == (fingerprint, generation) and now < kept[2]
            and now - kept[3] < access.SEEN_EVERY):
        return True
    with connection() as db:
        expires = access.device_expiry(db, token, now=now)
    if expires is None:
        st.session_state.pop(DEVICE, None)
        return False
    # Kept under the generation read before the lookup: anything committed
    # since (a sign-out) is looked at on the next run.
    st.session_state[DEVICE] = (fingerprint, generation, expires, now)
    return True


def required() -> bool:
    """Whether this tab must sign in first.

    With an identity provider set up in secrets.toml: until an allowed account
    has signed in. Otherwise, when a password is set: until this browser has
    signed in as a device on /sign-in (a new password, or a sign-out, ends
    that for every tab of the device).
    """
    account = None
    if (allowed := provider_allowed_emails()) is not None:
        email = st.user.get("email") if st.user.get("is_logged_in", False) else None
        account = access.Provider(email, allowed)
    return not access.may_open(provider=account, password_set=_password_stamp() is not None,
                               device_signed_in=_device_signed_in)


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


def password_guarded() -> bool:
    """Whether FieldKit's own password (not an identity provider) guards this server."""
    return _provider() is None and _password_stamp() is not None


def sign_in_page() -> None:
    """The only page a tab sees before it has signed in."""
    st.title("FieldKit")
    st.caption("This FieldKit is private. Sign in to open it.")
    if _provider() is not None:
        _provider_sign_in()
        return
    # A plain link, opened in this tab: st.link_button and Markdown links open
    # a new one (on a phone's home-screen app, the browser, whose cookies the
    # app does not share).
    st.html(f'<a href="{html.escape(sign_in_url())}" style="{_BUTTON}">Sign in</a>')
    st.caption("The password is asked for on the next page. This phone or computer then "
               "stays signed in.")


def sign_in_url() -> str:
    """/sign-in, asked to come back to the page this tab is on."""
    url = st.context.url
    here = (urlsplit(url).path if url else "") or "/"
    if query := urlencode(st.query_params.to_dict()):
        here += "?" + query
    return f"{contract.SIGN_IN_PATH}?{urlencode({'next': here})}"


def _provider_sign_in() -> None:
    if st.user.get("is_logged_in", False):
        st.error(md(f"{st.user.get('email') or 'This account'} may not open this FieldKit."),
                 icon=":material/lock:")
        st.button("Sign out", on_click=st.logout, width="stretch")
    else:
        st.button("Sign in", type="primary", icon=":material/login:", width="stretch",
                  on_click=st.login)


def provider_sign_out_button() -> None:
    """A Sign out button, shown only when an identity provider signs people in."""
    if _provider() is not None and st.button("Sign out", icon=":material/logout:",
                                             width="stretch"):
        st.logout()


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
