"""The first checks on every request: the host it names, and sign-in at Streamlit's own doors.

FieldKit's routes check sign-in themselves; Streamlit's do not know of it.
``Doors`` (ASGI middleware, outside everything but the security headers)
closes what a browser on the same Wi-Fi could otherwise use without the
password:

- a request naming a host this server is not (DNS rebinding: another site's
  page made its name point here) gets 421, its websocket 403, and no data;
- uploads (``/_stcore/upload_file/``) need a browser that may open FieldKit,
  are refused before their body is read, and are capped per tab and in
  total; the files of a tab gone for ten minutes are freed;
- media (card photos, ``/media/``) and Streamlit's metrics need it too;
- on the websocket, a browser that has not signed in cannot clear the
  server's caches, and is not told the server's file path and versions.

Who may open FieldKit is ``access.may_open``, asked through ``Site.admits``.
"""

from __future__ import annotations

import logging
import time

from google.protobuf.message import DecodeError
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from streamlit import config as streamlit_config
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from fieldkit.errors import FieldkitError
from fieldkit.web import uploads
from fieldkit.web.site import Site

log = logging.getLogger("fieldkit.web")

STREAM_PATH = "/_stcore/stream"
UPLOAD_PREFIX = "/_stcore/upload_file/"
METRICS_PATH = "/_stcore/metrics"
MEDIA_PREFIX = "/media/"
SWEEP_EVERY_SECONDS = 60
# What Streamlit's upload form adds around a file (boundaries, part headers).
_FORM_OVERHEAD = 64 * 1024


async def _plain(send: Send, status: int, text: str) -> None:
    body = (text + "\n").encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", str(len(body)).encode()),
                            (b"cache-control", b"no-store")]})
    await send({"type": "http.response.body", "body": body})


def asks_to_clear_caches(data: bytes) -> bool:
    """Whether a message from the browser asks Streamlit to clear every cache."""
    message = BackMsg()
    try:
        message.ParseFromString(data)
    except DecodeError:
        return False  # Streamlit refuses it itself
    return message.WhichOneof("type") == "clear_cache"


def without_server_details(data: bytes) -> bytes:
    """A message to the browser without the server's file path, versions and install id.

    Only a new session's first message holds them; every other message is
    passed as it is.
    """
    message = ForwardMsg()
    try:
        message.ParseFromString(data)
    except DecodeError:
        return data
    if message.WhichOneof("type") != "new_session":
        return data
    message.new_session.main_script_path = ""
    # Blanked, not removed: Streamlit's page reads both messages, whatever they hold.
    for holder in (message.new_session.initialize.environment_info,
                   message.new_session.initialize.user_info):
        for field, _ in holder.ListFields():
            holder.ClearField(field.name)
        holder.SetInParent()
    return message.SerializeToString()


class Doors:
    """Host names checked on every request; Streamlit's own doors only for who may open."""

    def __init__(self, app: ASGIApp, site: Site | None = None,
                 gone: uploads.GoneTabs | None = None):
        self.app = app
        self.site = site or Site()
        self.gone = gone or uploads.GoneTabs()
        self._swept = 0.0
        self._reserved: dict[str, int] = {}  # bytes of uploads under way, by tab

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        conn = HTTPConnection(scope)
        try:
            allowed = self.site.host_allowed(conn)
        except FieldkitError as exc:  # FIELDKIT_HOSTS cannot be read: say so, serve nothing
            await self._refuse(scope, send, 500, str(exc))
            return
        if not allowed:
            log.warning("Refused a request for host %r from %s (not one of this server's "
                        "names; add it to FIELDKIT_HOSTS if it is)",
                        conn.headers.get("host", "")[:100], self.site.client(conn))
            await self._refuse(scope, send, 421, "This server does not answer for that host "
                               "name.")
            return
        path = scope["path"]
        if scope["type"] == "websocket":
            if path == STREAM_PATH:
                await self._stream(conn, scope, receive, send)
            else:
                await self.app(scope, receive, send)
            return
        self._sweep_now_and_then()
        if path.startswith(UPLOAD_PREFIX) and scope["method"] in ("PUT", "DELETE"):
            await self._upload(conn, scope, receive, send)
        elif path.startswith(MEDIA_PREFIX) or path == METRICS_PATH:
            if await self._admits(conn):
                await self.app(scope, receive, send)
            else:
                await _plain(send, 401, "Sign in to FieldKit on this device first.")
        else:
            await self.app(scope, receive, send)

    async def _refuse(self, scope: Scope, send: Send, status: int, text: str) -> None:
        if scope["type"] == "websocket":
            # Closed before it is accepted: the browser's handshake gets 403.
            await send({"type": "websocket.close", "code": 1008})
        else:
            await _plain(send, status, text)

    async def _admits(self, conn: HTTPConnection) -> bool:
        try:
            return await self.site.admits(conn)
        except FieldkitError:  # the file cannot be read: nobody can be told apart
            return False

    def _sweep_now_and_then(self) -> None:
        now = time.monotonic()
        if now - self._swept >= SWEEP_EVERY_SECONDS:
            self._swept = now
            if freed := self.gone.sweep():
                log.info("Freed the uploaded files of %d tab(s) gone for %d s.", len(freed),
                         self.gone.grace)

    async def _upload(self, conn: HTTPConnection, scope: Scope, receive: Receive,
                      send: Send) -> None:
        if not await self._admits(conn):
            await _plain(send, 401, "Sign in to FieldKit on this device to send files.")
            return
        if scope["method"] != "PUT":
            await self.app(scope, receive, send)
            return
        session_id = scope["path"][len(UPLOAD_PREFIX):].split("/", 1)[0]
        declared = conn.headers.get("content-length", "")
        size = (int(declared) if declared.isdigit() else
                streamlit_config.get_option("server.maxUploadSize") * uploads.MiB + _FORM_OVERHEAD)
        tab, total = uploads.held(session_id)
        reserved = self._reserved.get(session_id, 0)
        if tab + reserved + size > uploads.PER_TAB_BYTES:
            await _plain(send, 413, f"This page holds {uploads.PER_TAB_BYTES // uploads.MiB} MB "
                         "of files at most: remove one, or reload the page.")
            return
        if total + sum(self._reserved.values()) + size > uploads.TOTAL_BYTES:
            await _plain(send, 503, "The server holds as many uploaded files as it may; "
                         "try again in a few minutes.")
            return
        self._reserved[session_id] = reserved + size
        try:
            await self.app(scope, receive, send)
        finally:
            left = self._reserved.get(session_id, size) - size
            if left > 0:
                self._reserved[session_id] = left
            else:
                self._reserved.pop(session_id, None)

    async def _stream(self, conn: HTTPConnection, scope: Scope, receive: Receive,
                      send: Send) -> None:
        admitted = await self._admits(conn)

        async def receiving() -> Message:
            while True:
                message = await receive()
                if (message["type"] == "websocket.receive" and message.get("bytes")
                        and asks_to_clear_caches(message["bytes"])
                        and not await self._admits(conn)):
                    log.warning("Ignored a request to clear the caches from %s, not signed in.",
                                self.site.client(conn))
                    continue
                return message

        async def sending(message: Message) -> None:
            if not admitted and message["type"] == "websocket.send" and message.get("bytes"):
                message = dict(message, bytes=without_server_details(message["bytes"]))
            await send(message)

        await self.app(scope, receiving, sending)
