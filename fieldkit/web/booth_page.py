"""The booth: a page that takes cards with no network, and the scripts it shares.

/booth is a plain HTML page of FieldKit's own (no Streamlit), with its
stylesheet and script; /outbox.js keeps cards in the phone's IndexedDB until
the server has them, for the booth, for Streamlit's pages and for the
service worker alike; /connection.js runs on Streamlit's pages (a head tag
of shell.py) and offers the booth when the connection drops. These are
files of static/, the same for everyone, holding nothing personal; the
service worker keeps them (OFFLINE) so that they open with no network.
"""

from __future__ import annotations

import functools
import hashlib

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from fieldkit import contract
from fieldkit.web import shell
from fieldkit.web.browser import served
from fieldkit.web.compress import ENCODERS, chosen_encoding

PATH = contract.BOOTH_PATH
# URL -> (file in static/, media type)
FILES: dict[str, tuple[str, str]] = {
    PATH: ("booth.html", "text/html; charset=utf-8"),
    "/booth.css": ("booth.css", "text/css; charset=utf-8"),
    "/booth.js": ("booth.js", "text/javascript; charset=utf-8"),
    contract.OUTBOX_PATH: ("outbox.js", "text/javascript; charset=utf-8"),
    contract.CONNECTION_PATH: ("connection.js", "text/javascript; charset=utf-8"),
    # The booth may be the first page of FieldKit a phone opens: it installs the worker too.
    contract.SW_REGISTER_PATH: ("sw-register.js", "text/javascript; charset=utf-8"),
}
# The icons booth.html links (the manifest's large ones are fetched when the app is
# installed, online): kept offline without costing a first visit 100 kB more.
BOOTH_ICONS = ("icon-192.png", "apple-touch-icon.png")
# What the service worker keeps for the booth to open with no network.
OFFLINE: tuple[str, ...] = (*FILES, shell.MANIFEST_PATH,
                            *(shell.ICON_PREFIX + name for name in BOOTH_ICONS))
HEADERS = {
    # Asked for again each time (the worker keeps its own copy for the offline case).
    "cache-control": "no-cache",
    "vary": "Accept-Encoding",
    contract.OWN_HEADER: "1",  # not Streamlit's page: ShellPage leaves it alone
}


def fingerprint() -> bytes:
    """The files' contents, for the service worker's version: a change installs it again."""
    return b"\0".join(served(name).encode() for name, _ in FILES.values())


@functools.cache
def _answer(path: str, encoding: str | None) -> tuple[bytes, str]:
    """The file at ``path``, compressed with ``encoding`` (once per process), and its ETag."""
    data = served(FILES[path][0]).encode()
    etag = '"' + hashlib.sha256(data).hexdigest()[:16] + (f"-{encoding}" if encoding else "") + '"'
    return (ENCODERS[encoding](data) if encoding else data), etag


def routes() -> list[Route]:
    """GET of the booth's page and of each of its files."""

    async def serve(request: Request) -> Response:
        path = request.url.path
        encoding = chosen_encoding(request.headers.get("accept-encoding", ""))
        body, etag = _answer(path, encoding)
        headers = {**HEADERS, "etag": etag}
        if encoding:
            headers["content-encoding"] = encoding
        if etag in request.headers.get("if-none-match", ""):
            return Response(status_code=304, headers=headers)
        return Response(body, media_type=FILES[path][1], headers=headers)

    return [Route(path, serve, methods=["GET"]) for path in FILES]
