"""/sign-in: the password form, outside Streamlit, that signs a device in.

Streamlit cannot set an HttpOnly cookie, so the password is given here, to a
plain HTML page of FieldKit's own: a right one answers with the device's
token in a cookie (``fieldkit_device``) and sends the browser on to the page
it asked for, where the gate (fieldkit.ui.gate) reads the cookie. A route
reads the request, calls fieldkit.access, answers; the database is opened
per request, in a worker thread.
"""

from __future__ import annotations

import functools
import html
import re
from dataclasses import dataclass
from urllib.parse import parse_qsl

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from fieldkit import access, config, contract, db as fdb
from fieldkit.errors import FieldkitError
from fieldkit.web.browser import served
from fieldkit.web.requests import body_at_most
from fieldkit.web.site import Site

COOKIE = contract.DEVICE_COOKIE
PATH = contract.SIGN_IN_PATH
CSS_PATH = "/sign-in.css"
FORM_TYPE = "application/x-www-form-urlencoded"
# A form of a thousand ASCII characters, or 300 of any script (12 bytes each, encoded).
MAX_BODY = 4096
# Nothing here may be kept by a browser or a proxy: the answers differ with
# the cookie, and a kept redirect or form would outlive a sign-out.
HEADERS = {"cache-control": "no-store", contract.OWN_HEADER: "1",  # own: ShellPage leaves it
           # The form's POST must carry this server's Origin, which "no-referrer"
           # (every other answer's policy) would turn into "null".
           "referrer-policy": "same-origin"}

# Where a browser may be sent after signing in: a path of this server. One
# "/" then anything printable but "\" (browsers read "/\evil" as "//evil")
# and no second "/" at once (a "//host" is another server). Spaces and
# control characters are refused too: browsers drop tabs and line breaks
# from a URL ("/\t/evil" becomes "//evil"), and a line break would split
# the Location header.
_LOCAL_PATH = re.compile(r"/(?![/\\])[\x21-\x5b\x5d-\x7e]{0,2000}")


def local_path(raw: str | None) -> str:
    """``raw`` when it is a path of this server (not the sign-in page), else "/"."""
    if not isinstance(raw, str) or not _LOCAL_PATH.fullmatch(raw):
        return "/"
    if raw == PATH or raw.startswith((PATH + "?", PATH + "/", PATH + "#")):
        return "/"
    return raw


def device_cookie(token: str, days: int, *, secure: bool) -> str:
    """The Set-Cookie value that keeps a device's token in its browser for ``days``.

    HttpOnly: no script on the page can read it. SameSite=Strict: another
    site's page never sends it along.
    """
    cookie = f"{COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/; Max-Age={days * 86400}"
    return cookie + "; Secure" if secure else cookie


@dataclass(frozen=True)
class _Attempt:
    """How a password fared: a new device's token, or why not."""

    days: int  # how long a device stays signed in
    token: str | None = None
    refused: access.SignInRefused | None = None
    guarded: bool = True  # False: no password is set, there is nothing to sign in to


@dataclass(frozen=True)
class _Form:
    """What the sign-in page shows."""

    next: str
    days: int
    message: str = ""


def _page(form: _Form, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    message = (f'<p class="message" role="alert">{html.escape(form.message)}</p>'
               if form.message else "")
    days = "1 day" if form.days == 1 else f"{form.days} days"
    body = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
<meta name="theme-color" content="{contract.THEME_COLOUR}">
<title>Sign in · FieldKit</title>
<link rel="stylesheet" href="{CSS_PATH}">
</head>
<body>
<main>
<h1>FieldKit</h1>
<p>This FieldKit is private. Sign in to open it.</p>
<form method="post" action="{PATH}">
<input type="hidden" name="next" value="{html.escape(form.next)}">
<input type="text" name="username" value="FieldKit" autocomplete="username" hidden>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password"
 maxlength="{access.MAX_LENGTH}" required autofocus>
{message}<button type="submit">Sign in</button>
</form>
<p class="note">This phone or computer then stays signed in for {days}.</p>
</main>
</body>
</html>
"""
    return Response(body, status_code=status, media_type="text/html",
                    headers={**HEADERS, **(headers or {})})


def _text(message: str, status: int) -> Response:
    return Response(message + "\n", status_code=status, media_type="text/plain", headers=HEADERS)


def _redirect(location: str, cookie: str | None = None) -> Response:
    response = Response(status_code=303, headers={**HEADERS, "location": location})
    if cookie is not None:
        response.headers.append("set-cookie", cookie)
    return response


@functools.cache
def _stylesheet() -> bytes:
    return served("sign-in.css").encode()


def _fields(body: bytes) -> dict[str, str] | None:
    """The form's fields, or None when the body is not a plain form (binary, repeated fields)."""
    try:
        pairs = parse_qsl(body.decode("ascii"), keep_blank_values=True, encoding="utf-8",
                          errors="strict", max_num_fields=8)
    except ValueError:  # UnicodeDecodeError is one
        return None
    fields = dict(pairs)
    return fields if len(fields) == len(pairs) else None


def routes(site: Site) -> list[Route]:
    """GET and POST /sign-in and its stylesheet, for the database ``site`` names."""

    def look(token: str | None) -> tuple[bool, int]:
        # Whether this browser may open FieldKit already, and the days a sign-in lasts.
        with fdb.connect(site.database()) as db:
            days = config.load(db)["sign_in_days"]
        return site.device_admits(token), days

    def sign_in(password: str, client: str) -> _Attempt:
        with fdb.connect(site.database()) as db:
            days = config.load(db)["sign_in_days"]
            if access.password_stamp(db) is None:
                return _Attempt(days, guarded=False)
            try:
                return _Attempt(days, token=access.sign_in_device(db, password, client=client,
                                                                  days=days))
            except access.SignInRefused as exc:
                return _Attempt(days, refused=exc)

    async def page(request: Request) -> Response:
        after = local_path(request.query_params.get("next"))
        try:
            admitted, days = await anyio.to_thread.run_sync(look, request.cookies.get(COOKIE))
        except FieldkitError as exc:
            return _text(str(exc), 503)
        if admitted:
            return _redirect(after)
        return _page(_Form(after, days))

    async def submit(request: Request) -> Response:
        if not site.same_origin(request):
            return _text("Sign in from FieldKit's own sign-in page.", 403)
        media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media_type != FORM_TYPE:
            return _text(f"Send the sign-in form as {FORM_TYPE}.", 415)
        body = await body_at_most(request, MAX_BODY)
        if body is None:
            return _text(f"The form is too long (at most {MAX_BODY} bytes).", 413)
        fields = _fields(body)
        if fields is None or "password" not in fields:
            return _text("This is not FieldKit's sign-in form.", 400)
        after = local_path(fields.get("next"))
        try:
            attempt = await anyio.to_thread.run_sync(sign_in, fields["password"],
                                                     site.client(request))
        except FieldkitError as exc:
            return _text(str(exc), 503)
        if not attempt.guarded:
            return _redirect(after)
        if (refused := attempt.refused) is not None:
            status = 429 if isinstance(refused, access.TooSoon) else 401
            return _page(_Form(after, attempt.days, str(refused)), status,
                         {"retry-after": str(refused.wait_seconds)})
        return _redirect(after, device_cookie(attempt.token, attempt.days,
                                              secure=site.is_https(request)))

    async def stylesheet(request: Request) -> Response:
        return Response(_stylesheet(), media_type="text/css", headers=HEADERS)

    return [
        Route(PATH, page, methods=["GET"]),
        Route(PATH, submit, methods=["POST"]),
        Route(CSS_PATH, stylesheet, methods=["GET"]),
    ]
