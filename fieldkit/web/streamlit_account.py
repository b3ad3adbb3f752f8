"""The account Streamlit's own sign-in (an identity provider) keeps in its cookie.

Streamlit signs the cookie ``_streamlit_user`` with its cookie secret and
reads it back only on its websocket; FieldKit's routes and middleware read
it the same way, with Streamlit's own functions (listed in
docs/architecture.md, pinned by tests/test_web_doors.py), to know which
account a request comes from.
"""

from __future__ import annotations

import json

from starlette.requests import HTTPConnection
from streamlit.web.server.server_util import AUTH_COOKIE_NAME
from streamlit.web.server.starlette import starlette_websocket


def email(conn: HTTPConnection, origin: str) -> str | None:
    """The email of the account signed in through the provider, or None.

    None too for a cookie not signed with this server's secret, one made for
    another origin (``origin``, this server's as the browser sees it), or
    one that says the account is signed out.
    """
    try:
        raw = starlette_websocket._get_signed_cookie_with_chunks(
            dict(conn.cookies), AUTH_COOKIE_NAME)
        if not raw:
            return None
        payload = json.loads(raw.decode("utf-8"))
    except Exception:  # no secret configured, a cookie that is not Streamlit's: no account
        return None
    if (not isinstance(payload, dict) or payload.get("origin") != origin
            or payload.get("is_logged_in") is not True):
        return None
    found = payload.get("email")
    return found if isinstance(found, str) else None
