"""/api/booth and /api/cards: what the booth page asks for and sends, outside Streamlit.

The booth page (fieldkit/web/static/booth.*) works without a network; these
two routes are how it talks to the server when there is one:

- ``GET /api/booth``: the event you are checked in to, the kinds and the
  limits, kept on the phone for when it is offline (``booth.state``).
- ``POST /api/cards``: cards from the phone's outbox, JSON
  ``{"cards": [...]}``, each stored once by its id (``booth.receive``);
  the answer says, per card and in the order sent, stored, already stored
  or refused with a message.

Both hold personal data, so both are guarded as Streamlit's pages are
(``access.may_open``): with a password set, only a signed-in device (its
cookie from /sign-in) gets an answer, with an identity provider only an
allowed account; anyone else 401 and nothing stored. Only FieldKit's own pages may
call them (the Origin header; the device cookie is SameSite=Strict too), and
a request's size and number of cards are bounded before anything is read.
"""

from __future__ import annotations

import json

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from fieldkit import booth, contract, db as fdb
from fieldkit.errors import FieldkitError
from fieldkit.web.requests import body_at_most
from fieldkit.web.site import Site

BOOTH_PATH = contract.BOOTH_STATE_PATH
CARDS_PATH = contract.CARDS_PATH
JSON_TYPE = "application/json"
MAX_CARDS = 20  # per request; the page sends more in turns
# One card at its largest (a photo at its limit, in base64, and its text)
# fits in a request; twenty typical ones (a 1600 px photo is 200-600 kB) too.
MAX_REQUEST_BYTES = booth.MAX_PHOTO_TEXT + 2 * booth.MAX_CARD_TEXT
HEADERS = {"cache-control": "no-store", contract.OWN_HEADER: "1"}


def _answer(content: dict, status: int = 200) -> Response:
    return JSONResponse(content, status_code=status, headers=HEADERS)


def _error(message: str, status: int, **more) -> Response:
    return _answer({"error": message, **more}, status)


def from_own_page(site: Site, request: Request) -> bool:
    """Whether the request comes from one of this server's pages.

    A POST must name this server as its Origin (``Site.same_origin``). A
    GET is refused when the browser says another site made it (Origin, or
    Sec-Fetch-Site); a browser sends neither on a plain visit.
    """
    if request.method == "POST":
        return site.same_origin(request)
    origin = request.headers.get("origin")
    if origin is not None and origin.strip().lower() != site.own_origin(request):
        return False
    return request.headers.get("sec-fetch-site", "same-origin") in ("same-origin", "none")


def _cards(body: bytes) -> list | str:
    """The list of cards in the body, or why the body is not one."""
    try:
        sent = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return "The request is not JSON in UTF-8."
    if not isinstance(sent, dict) or not isinstance(sent.get("cards"), list):
        return 'Send {"cards": [...]}.'
    found = sent["cards"]
    if not found:
        return "The request holds no card."
    if len(found) > MAX_CARDS:
        return f"At most {MAX_CARDS} cards a request."
    return found


def routes(site: Site) -> list[Route]:
    """GET /api/booth and POST /api/cards, for the database ``site`` names."""

    def state() -> dict:
        with fdb.connect(site.database()) as db:
            return booth.state(db)

    def receive(found: list) -> list[dict]:
        with fdb.connect(site.database()) as db:
            return [booth.receive(db, card, read_photo=booth.read_photo).as_dict()
                    for card in found]

    async def guarded(request: Request) -> Response | None:
        """The answer that ends the request here (refused), or None to go on."""
        if not from_own_page(site, request):
            return _error("Only FieldKit's own pages may ask this.", 403)
        try:
            ok = await site.admits(request)
        except FieldkitError as exc:
            return _error(str(exc), 503)
        if not ok:
            return _error("Sign in on this phone to send cards.", 401,
                          sign_in=contract.SIGN_IN_FROM_BOOTH)
        return None

    async def booth_state(request: Request) -> Response:
        if (refused := await guarded(request)) is not None:
            return refused
        try:
            return _answer(await anyio.to_thread.run_sync(state))
        except FieldkitError as exc:
            return _error(str(exc), 503)

    async def cards(request: Request) -> Response:
        if (refused := await guarded(request)) is not None:
            return refused
        media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media_type != JSON_TYPE:
            return _error(f"Send the cards as {JSON_TYPE}.", 415)
        body = await body_at_most(request, MAX_REQUEST_BYTES)
        if body is None:
            return _error(f"The request is too large (at most {MAX_REQUEST_BYTES // 2**20} MB); "
                          "send fewer cards at once.", 413)
        found = _cards(body)
        if isinstance(found, str):
            return _error(found, 400)
        try:
            return _answer({"results": await anyio.to_thread.run_sync(receive, found)})
        except FieldkitError as exc:  # the database busy or unreadable: send again later
            return _error(str(exc), 503)

    return [Route(BOOTH_PATH, booth_state, methods=["GET"]),
            Route(CARDS_PATH, cards, methods=["POST"])]
