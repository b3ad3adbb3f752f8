"""/dav/: the phone's Contacts (CardDAV) and Calendar (CalDAV), and the webcal feed.

Radicale speaks the protocol, with a storage plugin over FieldKit's own
tables (fieldkit.web.dav_server). These are the addresses:

    /dav/fieldkit/                the principal (the one account)
    /dav/fieldkit/contacts/       the address book "FieldKit", read and write
    /dav/fieldkit/followups/      the calendar "FieldKit follow-ups", read-only
    /.well-known/carddav, caldav  redirects to /dav/, where clients look first
    /feeds/<token>.ics            the calendar as a webcal feed (no account)

Every /dav request passes ``DavGate`` first, in FieldKit's own process:
HTTP Basic with an app password (fieldkit.app_passwords) or 401, never the
device cookie or the sign-in password; wrong passwords wait longer each
time, per client address; a browser's request from another site is refused;
the body is bounded before it is read (a card with a photo: a few MB) and a
card must be text. X-Forwarded-* headers (Caddy sends them), with which
Radicale strips its prefix a second time, and X-Script-Name, with which it
takes another, are removed. Then ``Worker`` hands the request to Radicale's
process (dav_server), started on first use, over a Unix socket.
"""

from __future__ import annotations

import atexit
import base64
import binascii
import http.client
import json
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import anyio.to_thread
from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route
from starlette.types import Message, Receive, Scope, Send

from fieldkit import (access, app_passwords, calendar_feed, config, contract, db as fdb,
                      phone_setup, processes)
from fieldkit.errors import FieldkitError
from fieldkit.web import requests
from fieldkit.web.site import Site

PREFIX = phone_setup.DAV_PATH
WELL_KNOWN = ("/.well-known/carddav", "/.well-known/caldav")
FEED_PATH = phone_setup.FEED_PATH
REALM = "FieldKit"
# A card with a photo from a phone's camera is at most a few MB as base64;
# an XML request (a multiget of a thousand cards) far less.
MAX_CARD_BYTES = 4 * 1024 * 1024
MAX_XML_BYTES = 1024 * 1024
METHODS = ["GET", "HEAD", "OPTIONS", "PROPFIND", "PROPPATCH", "REPORT", "PUT", "DELETE",
           "MKCOL", "MKCALENDAR", "MOVE", "COPY", "POST", "LOCK", "UNLOCK"]
CONTEXT_HEADER = "x-fieldkit-dav"  # the gate's word on a request, to Radicale's process (JSON)
# Headers a client or a proxy sends that would make Radicale see another
# path or another user than the gate did.
_DROPPED = (b"forwarded", b"x-script-name", b"x-remote-user", b"x-remote-addr",
            b"content-length", b"transfer-encoding", b"authorization", b"connection",
            CONTEXT_HEADER.encode())
# "connection: close": the server's sockets lack TCP_NODELAY (asyncio sets it
# only for sockets made with proto IPPROTO_TCP, and Streamlit's are not), so on
# a kept connection each answer's body waits ~40 ms for the client's delayed
# ACK of its headers; a sync is hundreds of answers. A new connection is cheaper.
HEADERS = {"cache-control": "no-store", contract.OWN_HEADER: "1", "connection": "close"}
# Not passed back from Radicale's process: the connection's own.
_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "server", "date"}
START_TIMEOUT = 30.0
ANSWER_TIMEOUT = 300.0  # a first sync's listing of a heavy book takes seconds

# ---------------------------------------------------------------- Radicale's process

class WorkerUnavailable(FieldkitError):
    """Radicale's process could not be started or reached."""


class _UnixConnection(http.client.HTTPConnection):
    def __init__(self, path: str, timeout: float):
        super().__init__("localhost", timeout=timeout)
        self._path = path

    def connect(self) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self._path)


class Worker:
    """Radicale's process (``python -m fieldkit.web.dav_server``), one per FieldKit process.

    Started on the first request, on a Unix socket in a private folder;
    started again if it died; ended with FieldKit (and it ends itself when
    FieldKit is gone).
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._process: subprocess.Popen | None = None
        self._folder: str | None = None

    @property
    def socket_path(self) -> str:
        with self._lock:
            if self._process is None or self._process.poll() is not None:
                self._start()
            return str(Path(self._folder) / "dav.sock")

    def _start(self) -> None:
        self._stop()
        self._folder = tempfile.mkdtemp(prefix="fieldkit-dav-")  # 0700: FieldKit's alone
        path = str(Path(self._folder) / "dav.sock")
        self._process = subprocess.Popen(
            [sys.executable, "-m", "fieldkit.web.dav_server", path],
            stdin=subprocess.DEVNULL, cwd=str(Path(__file__).resolve().parents[2]))
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
                    probe.connect(path)
                return
            except OSError:
                if self._process.poll() is not None or time.monotonic() > deadline:
                    raise WorkerUnavailable("The contacts and calendar server did not start; "
                                            "see the server's log.") from None
                time.sleep(0.05)

    def _stop(self) -> None:
        if self._process is not None:
            processes.end(self._process)
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
        self._process = self._folder = None

    def stop(self) -> None:
        with self._lock:
            self._stop()

    def forward(self, method: str, target: str, headers: list[tuple[bytes, bytes]],
                body: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
        """Radicale's answer to a request: (status, headers, body). Blocking: run in a thread."""
        for attempt in (1, 2):
            connection = _UnixConnection(self.socket_path, ANSWER_TIMEOUT)
            try:
                connection.putrequest(method, target, skip_host=True,
                                      skip_accept_encoding=True)
                for name, value in headers:
                    connection.putheader(name.decode("latin-1"), value.decode("latin-1"))
                if not any(name == b"host" for name, _ in headers):  # HTTP/1.1 wants one
                    connection.putheader("Host", "localhost")
                connection.endheaders(body)
                answer = connection.getresponse()
                return answer.status, answer.getheaders(), answer.read()
            except (ConnectionError, FileNotFoundError, http.client.RemoteDisconnected):
                if attempt == 2:
                    raise WorkerUnavailable("The contacts and calendar server is not "
                                            "answering.") from None
            finally:
                connection.close()
        raise AssertionError("unreachable")  # pragma: no cover


WORKER = Worker()
atexit.register(WORKER.stop)


async def whole_body(receive: Receive) -> bytes:
    """A request's body, read to its end (a gate already bounded it)."""
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


def replaying(body: bytes, receive: Receive) -> Receive:
    """A receive that gives ``body`` once, then what ``receive`` gives (a disconnect)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


def forwarder(worker: Worker) -> Callable:
    """The ASGI app behind the gate: each request to Radicale's process and back."""

    async def forward(scope: Scope, receive: Receive, send: Send) -> None:
        body = await whole_body(receive)
        context = json.dumps(scope["fieldkit.dav"]).encode()
        headers = [*scope["headers"], (CONTEXT_HEADER.encode(), context)]
        target = scope.get("raw_path") or scope["path"].encode()
        if isinstance(target, bytes):
            target = target.decode("latin-1")
        if scope["query_string"]:
            target += "?" + scope["query_string"].decode("latin-1")
        try:
            status, answer_headers, answered = await anyio.to_thread.run_sync(
                worker.forward, scope["method"], target, headers, body)
        except WorkerUnavailable as exc:
            await _refusal(503, str(exc))(scope, receive, send)
            return
        raw = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in answer_headers
               if k.lower() not in _HOP]
        raw.append((b"content-length", str(len(answered)).encode()))
        await send({"type": "http.response.start", "status": status, "headers": raw})
        await send({"type": "http.response.body", "body": answered})

    return forward

# ---------------------------------------------------------------- the gate

def basic_credentials(header: str | None) -> tuple[str, str] | None:
    """(username, password) of an HTTP Basic Authorization header; None for anything else."""
    if not header or header[:6].lower() != "basic ":
        return None
    try:
        text = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    username, sep, password = text.partition(":")
    return (username, password) if sep else None


def _refusal(status: int, message: str, **headers: str) -> Response:
    return Response(message + "\n", status_code=status, media_type="text/plain",
                    headers={**HEADERS, **headers})


def _cross_site(site: Site, request: Request) -> bool:
    """Whether a browser says another site's page made this request."""
    origin = request.headers.get("origin")
    if origin is not None and origin.strip().lower() != site.own_origin(request):
        return True
    return request.headers.get("sec-fetch-site", "same-origin") not in (
        "same-origin", "none")


def charset_of(content_type: str) -> str:
    """The charset a Content-Type names; UTF-8 when it names none."""
    for part in content_type.split(";")[1:]:
        key, _, value = part.strip().partition("=")
        if key.strip().lower() == "charset":
            return value.strip().strip('"') or "utf-8"
    return "utf-8"


def _wants_texts(method: str, body: bytes) -> bool:
    """Whether a request may need cards' or events' texts, not only their ETags."""
    if method not in ("REPORT", "PROPFIND") or not body.strip():
        return True
    return any(word in body for word in (b"address-data", b"calendar-data",
                                         b"getcontentlength", b"allprop", b"propname"))


class DavGate:
    """What every /dav request passes before Radicale: see the module's docstring."""

    def __init__(self, app, site: Site):
        self.app = app
        self.site = site

    def _judge(self, client: str, username: str, password: str) -> tuple[str | None, int]:
        """(the device, 0) for a right app password; else (None, seconds to wait).

        Wrong app passwords count with wrong sign-in passwords, per client
        address (fieldkit.access): one throttle. While an address must wait,
        its attempts are refused unchecked (negative seconds).
        """
        with fdb.connect(self.site.database()) as db:
            before = access.attempts(db, client)
            if before.wait_seconds:
                return None, -before.wait_seconds
            device = app_passwords.device(db, username, password)
            if device is None:
                return None, access.count_wrong(db, client)
            if before.failures:
                access.forget_wrong(db, client)
            return device, 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        request = Request(scope, receive)
        answer = await self._refused(request)
        if isinstance(answer, Response):
            await answer(scope, receive, send)
            return
        device, body = answer
        context = {"device": device, "origin": self.site.own_origin(request),
                   "texts": _wants_texts(request.method, body),
                   # Absolute: Radicale's process runs in the project's folder.
                   "database": str(Path(self.site.database()).resolve())}
        headers = [(k, v) for k, v in scope["headers"]
                   if k not in _DROPPED and not k.startswith(b"x-forwarded-")]
        headers.append((b"content-length", str(len(body)).encode()))
        inner = dict(scope, headers=headers, **{"fieldkit.dav": context})

        async def marked(message: Message) -> None:
            if message["type"] == "http.response.start":
                out = MutableHeaders(scope=message)
                for name, value in HEADERS.items():
                    out[name] = value
            await send(message)

        await self.app(inner, replaying(body, receive), marked)

    async def _refused(self, request: Request) -> Response | tuple[str, bytes]:
        """The answer that ends the request here, or (device, body) to go on."""
        if _cross_site(self.site, request):
            return _refusal(403, "Only a phone's or computer's own contacts and calendar "
                                 "may ask this, not a web page.")
        unauthorized = {"www-authenticate": f'Basic realm="{REALM}", charset="UTF-8"'}
        credentials = basic_credentials(request.headers.get("authorization"))
        if credentials is None:
            return _refusal(401, "Sign in with FieldKit's username and an app password "
                                 "(Settings > Connect your phone).", **unauthorized)
        try:
            device, wait = await anyio.to_thread.run_sync(
                self._judge, self.site.client(request), *credentials)
        except FieldkitError as exc:
            return _refusal(503, str(exc))
        if wait < 0:
            return _refusal(429, f"Too many wrong passwords. Try again in {-wait} s.",
                            **{"retry-after": str(-wait)})
        if device is None:
            return _refusal(401, f"Wrong username or app password. Try again in {wait} s.",
                            **unauthorized)
        limit = MAX_CARD_BYTES if request.method == "PUT" else MAX_XML_BYTES
        body = await requests.body_at_most(request, limit)
        if body is None:
            return _refusal(413, f"The request is too large (at most {limit // 1024:,} kB).")
        if request.method == "PUT":
            try:
                body.decode(charset_of(request.headers.get("content-type", "")))
            except (LookupError, UnicodeDecodeError):
                return _refusal(400, "A card is text in UTF-8 (or the charset it names).")
        return device, body


# ---------------------------------------------------------------- routes

def routes(site: Site) -> list:
    """/dav/ (Radicale behind the gate), the well-known redirects and the webcal feed."""
    gate = DavGate(forwarder(WORKER), site)

    async def well_known(request: Request) -> Response:
        return Response(status_code=301, headers={**HEADERS, "location": f"{PREFIX}/"})

    def calendar(token: str, origin: str) -> bytes | None:
        with fdb.connect(site.database()) as db:
            if not calendar_feed.is_feed_token(db, token):
                return None
            return calendar_feed.feed(db, config.load(db), origin)

    async def feed(request: Request) -> Response:
        try:
            body = await anyio.to_thread.run_sync(
                calendar, request.path_params["token"], site.own_origin(request))
        except FieldkitError as exc:
            return _refusal(503, str(exc))
        if body is None:
            return _refusal(404, "No such calendar feed (a new link replaced it?).")
        return Response(body, media_type="text/calendar; charset=utf-8",
                        headers={**HEADERS, "cache-control": "no-cache",
                                 "content-disposition": 'inline; filename="fieldkit.ics"'})

    return [
        *(Route(path, well_known, methods=METHODS) for path in WELL_KNOWN),
        Route(FEED_PATH + "{token}.ics", feed, methods=["GET", "HEAD"]),
        Mount(PREFIX, app=gate),
    ]
