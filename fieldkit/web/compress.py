"""Streamlit's static files, compressed once each and kept in memory.

Streamlit sends its JavaScript uncompressed, on purpose (its own gzip pass
per request cost it start-up time and memory). On a venue's capped Wi-Fi
those bytes are most of the wait, so FieldKit compresses each static file
the first time a browser asks for it, with brotli (else gzip), and keeps the
result: every later request is answered from memory without touching the
file or compressing again. The files are content-hashed and immutable, so
what was kept never goes stale; it is also kept on disk (fieldkit.web.kept_files), so
a restarted server does not compress again. Nothing else passes through here: not the
page, the websocket, media or uploads, nor anything personal. A /static/
path that is not one of Streamlit's files is a plain 404 here, kept nowhere:
what is kept is bounded by the files there are.
"""

from __future__ import annotations

import asyncio
import gzip
import logging
import threading
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import anyio
import anyio.to_thread
import brotli
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from fieldkit import contract
from fieldkit.web import kept_files

log = logging.getLogger("fieldkit.web")

PREFIX = contract.STATIC_PREFIX
MINIMUM_BYTES = 1024  # smaller files gain less than the header costs
# Brotli's top quality is ten times slower than 9 for a few per cent: worth
# it once a file, not on the request that waits for it.
BROTLI_QUALITY = 11
GZIP_LEVEL = 9
# Already compressed: compressing again gains nothing.
SKIPPED_TYPES = ("image/", "font/woff", "audio/", "video/", "application/zip")

ENCODERS: dict[str, Callable[[bytes], bytes]] = {
    "br": lambda data: brotli.compress(data, quality=BROTLI_QUALITY),
    "gzip": lambda data: gzip.compress(data, compresslevel=GZIP_LEVEL, mtime=0),
}
DECODERS: dict[str, Callable[[bytes], bytes]] = {"br": brotli.decompress,
                                                 "gzip": gzip.decompress}
LEVELS = {"br": BROTLI_QUALITY, "gzip": GZIP_LEVEL}


def compressed(body: bytes, encoding: str, kept_in: Path | None = None) -> bytes:
    """``body`` compressed with ``encoding``; read back from ``kept_in`` when an earlier
    start compressed the same bytes (checked: it decompresses to them), else kept there."""
    return kept_files.made(
        kept_in, kept_files.name_for(f"{encoding}{LEVELS[encoding]}", body),
        lambda: ENCODERS[encoding](body),
        good=lambda kept: DECODERS[encoding](kept) == body)


async def whole_answer(app: ASGIApp, scope: Scope, receive: Receive) -> tuple[Message, bytes]:
    """What ``app`` answers a plain GET of ``scope``'s path: its start message and whole body.

    Asked unconditionally (no If-None-Match, If-Modified-Since or Range), so
    the answer is the whole file, to be compressed or cut and then kept.
    """
    plain = dict(scope, method="GET", headers=[
        (k, v) for k, v in scope["headers"]
        if k not in (b"if-none-match", b"if-modified-since", b"range")])
    start: Message = {}
    chunks: list[bytes] = []

    async def collect(message: Message) -> None:
        nonlocal start
        if message["type"] == "http.response.start":
            start = message
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(plain, receive, collect)
    return start, b"".join(chunks)


def after_start_up(send: Send, start: Callable[[], Awaitable[None]]) -> Send:
    """The lifespan's ``send``, calling ``start()`` in a task once the server is up.

    For work a first request would otherwise wait on (compressing, cutting a
    font): done in the background before a phone asks.
    """
    started = False

    async def sending(message: Message) -> None:
        nonlocal started
        await send(message)
        if message["type"] == "lifespan.startup.complete" and not started:
            started = True
            _STARTED.add(asyncio.get_running_loop().create_task(start()))
            for task in [t for t in _STARTED if t.done()]:
                _STARTED.discard(task)
    return sending


_STARTED: set[asyncio.Task] = set()  # held until done: the loop keeps only weak references


def plain_get(path: str, encoding: str | None = None) -> tuple[Scope, Receive]:
    """A GET of ``path`` from this machine, as a browser would ask, and its receive.

    The receive never answers: this "client" neither sends a body nor leaves.
    """
    idle = asyncio.Event()  # never set

    async def nothing_to_receive() -> Message:
        await idle.wait()
        return {"type": "http.disconnect"}

    headers = [(b"accept-encoding", encoding.encode())] if encoding else []
    return ({"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": "GET", "scheme": "http", "path": path, "raw_path": path.encode(),
             "root_path": "", "query_string": b"", "server": ("127.0.0.1", 80),
             "client": ("127.0.0.1", 0), "headers": headers}, nothing_to_receive)


def chosen_encoding(accept_encoding: str) -> str | None:
    """The best encoding the browser accepts: "br", then "gzip"; None for neither.

    An encoding listed with q=0 is refused, as RFC 9110 says.
    """
    accepted = set()
    for part in accept_encoding.lower().split(","):
        name, _, params = part.strip().partition(";")
        refused = any(p.strip().replace(" ", "") in ("q=0", "q=0.0", "q=0.00", "q=0.000")
                      for p in params.split(";"))
        if name and not refused:
            accepted.add(name.strip())
    for encoding in ENCODERS:
        if encoding in accepted or "*" in accepted:
            return encoding
    return None


@dataclass(frozen=True)
class Kept:
    """One static file's compressed answer, ready to send again."""

    headers: list[tuple[bytes, bytes]]
    body: bytes
    etag: bytes | None


class StaticCompression:
    """ASGI middleware: /static/ files compressed on first request, then served from memory."""

    def __init__(self, app: ASGIApp, prefix: str = PREFIX, warm: Sequence[str] = (),
                 root: Path | None = None, kept_in: Path | None = None):
        self.app = app
        self.kept_in = kept_in  # where earlier starts kept what they compressed (None: nowhere)
        self.prefix = prefix
        # The folder URL paths map onto (Streamlit's, where index.html is): only its
        # files under ``prefix`` are asked for (None: any path, for tests).
        self.folder = (root.resolve() / prefix.strip("/")) if root is not None else None
        self.warm = tuple(warm)  # files to compress at start-up, before anyone asks
        self._kept: dict[tuple[str, str], Kept | None] = {}  # None: not worth compressing
        self._locks: dict[tuple[str, str], anyio.Lock] = {}
        self._lock = threading.Lock()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan" and self.warm:
            await self.app(scope, receive, after_start_up(send, self._warm_up))
            return
        if (scope["type"] != "http" or scope["method"] not in ("GET", "HEAD")
                or not scope["path"].startswith(self.prefix)):
            await self.app(scope, receive, send)
            return
        if not self._is_a_file(scope["path"]):
            log.info("No static file %s: 404", scope["path"][:200])
            await send({"type": "http.response.start", "status": 404,
                        "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                                    (b"content-length", b"10")]})
            await send({"type": "http.response.body", "body": b"Not found\n"})
            return
        request = Headers(scope=scope)
        encoding = chosen_encoding(request.get("accept-encoding", ""))
        if encoding is None or "range" in request:
            await self.app(scope, receive, send)
            return
        kept = await self._kept_for(scope, receive, encoding)
        if kept is None:
            await self.app(scope, receive, send)
            return
        if kept.etag is not None and kept.etag.decode("latin-1") in request.get(
                "if-none-match", ""):
            await send({"type": "http.response.start", "status": 304,
                        "headers": [(k, v) for k, v in kept.headers
                                    if k in (b"etag", b"cache-control", b"vary")]})
            await send({"type": "http.response.body", "body": b""})
            return
        await send({"type": "http.response.start", "status": 200, "headers": kept.headers})
        await send({"type": "http.response.body",
                    "body": b"" if scope["method"] == "HEAD" else kept.body})

    def _is_a_file(self, path: str) -> bool:
        """Whether ``path`` names a file in the static folder (not outside it)."""
        if self.folder is None:
            return True
        try:
            found = (self.folder / path[len(self.prefix):]).resolve()
        except (OSError, ValueError):  # a NUL byte, a path too long
            return False
        return found.is_relative_to(self.folder) and found.is_file()

    async def _kept_for(self, scope: Scope, receive: Receive, encoding: str) -> Kept | None:
        """The file's compressed answer, made now if nobody made it yet."""
        key = (scope["path"], encoding)
        if key not in self._kept:
            # Requests for a file not kept yet wait for one compression of it.
            with self._lock:
                lock = self._locks.setdefault(key, anyio.Lock())
            async with lock:
                if key not in self._kept:
                    self._kept[key] = await self._compress(scope, receive, encoding)
        return self._kept[key]

    async def _warm_up(self) -> None:
        """Compress the page's own files (brotli: every phone's browser takes it) one by one.

        In the background after start-up, so the first phone at a venue gets
        them from memory instead of waiting on the compression, as at any
        later visit.
        """
        for path in self.warm:
            scope, nothing_to_receive = plain_get(path, "br")
            try:
                if await self._kept_for(scope, nothing_to_receive, "br") is None:
                    self._kept.pop((path, "br"), None)  # its first request tries again
            except Exception:  # a warm-up that fails leaves the file to its first request
                self._kept.pop((path, "br"), None)

    async def _compress(self, scope: Scope, receive: Receive, encoding: str) -> Kept | None:
        """Ask Streamlit for the whole file (unconditionally) and compress it, in a thread."""
        start, body = await whole_answer(self.app, scope, receive)
        headers = Headers(raw=start.get("headers", []))
        content_type = headers.get("content-type", "")
        if (start.get("status") != 200 or len(body) < MINIMUM_BYTES
                or "content-encoding" in headers
                or content_type.startswith(SKIPPED_TYPES)):
            return None
        packed = await anyio.to_thread.run_sync(compressed, body, encoding, self.kept_in)
        kept = [(k, v) for k, v in start["headers"]
                if k not in (b"content-length", b"content-encoding", b"vary",
                             b"accept-ranges", b"last-modified")]
        kept += [(b"content-encoding", encoding.encode()),
                 (b"content-length", str(len(packed)).encode()),
                 (b"vary", b"Accept-Encoding")]
        etag = headers.get("etag")
        if etag:  # the compressed form is another representation: another tag
            etag = etag.rstrip('"') + f'-{encoding}"'
            kept = [(k, v) for k, v in kept if k != b"etag"] + [(b"etag", etag.encode())]
        return Kept(kept, packed, etag.encode() if etag else None)
