"""What wraps every answer: security headers, and the page made into an installable shell.

Plain ASGI middleware (no per-request buffering except of the page, which
is small): ``SecurityHeaders`` adds its headers to every HTTP response,
Streamlit's own included; ``ShellPage`` adds FieldKit's head tags to
Streamlit's page and sets the page's Content-Security-Policy, keeping one
rewritten (and compressed) copy per page version.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Iterable

import anyio.to_thread
from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from fieldkit import contract
from fieldkit.errors import FieldkitError
from fieldkit.web import shell
from fieldkit.web.site import Site
from fieldkit.web.compress import ENCODERS, chosen_encoding


class StartUp:
    """ASGI middleware: ``tasks`` run once, each in a worker thread, as the server starts,
    before it answers anyone.

    What the first request would otherwise wait on (the pages' imports: a second of
    CPU), done before anyone asks: run beside the first phone's requests, it held the
    interpreter while they waited. The server's socket is open meanwhile; a phone that
    connects is answered when they are done. A task that fails leaves its work to the
    first request that needs it.
    """

    def __init__(self, app: ASGIApp, tasks: Iterable[Callable[[], object]] = ()):
        self.app = app
        self.tasks = tuple(tasks)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan" and self.tasks:
            async def started_after_the_tasks(message: Message) -> None:
                if message["type"] == "lifespan.startup.complete":
                    await self._run()
                await send(message)
            await self.app(scope, receive, started_after_the_tasks)
            return
        await self.app(scope, receive, send)

    async def _run(self) -> None:
        for task in self.tasks:
            try:
                await anyio.to_thread.run_sync(task)
            except Exception:  # the work is left to the first request that needs it
                pass


class SecurityHeaders:
    """Every HTTP response gets shell.SECURITY_HEADERS and a CSP, unless it set its own.

    An answer that went out over HTTPS (``site`` says so, trusting only its
    proxies) also tells the browser to use nothing else here (HSTS).
    """

    def __init__(self, app: ASGIApp, site: Site | None = None):
        self.app = app
        self.site = site or Site()
        self._policy = shell.content_security_policy()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = {"content-security-policy": self._policy}
        try:
            if self.site.is_https(HTTPConnection(scope)):
                extra["strict-transport-security"] = shell.STRICT_TRANSPORT
        except FieldkitError:  # FIELDKIT_PROXIES unreadable: Doors answers for it
            pass

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in {**shell.SECURITY_HEADERS, **extra}.items():
                    if name not in headers:
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, with_headers)


# Paths that are never Streamlit's page: its API, files and uploads.
NOT_PAGES = ("/_stcore/", "/static/", "/media/", "/component/", "/api/")


class ShellPage:
    """Streamlit's page with FieldKit's head tags and its own CSP, rewritten once per version."""

    def __init__(self, app: ASGIApp, own: Iterable[str] = ()):
        self.app = app
        # FieldKit's own pages and files (the booth's): never Streamlit's page, so
        # they keep the request's Accept-Encoding and compress themselves.
        self.own = frozenset(own)
        self._kept: dict[tuple[bytes, str | None], tuple[bytes, str]] = {}
        self._lock = threading.Lock()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (scope["type"] != "http" or scope["method"] not in ("GET", "HEAD")
                or scope["path"].startswith(NOT_PAGES) or scope["path"] in self.own):
            await self.app(scope, receive, send)
            return
        encoding = chosen_encoding(Headers(scope=scope).get("accept-encoding", ""))
        # Streamlit would gzip a page URL's answer itself; it comes here plain,
        # to be rewritten, and is compressed once with the rewritten page.
        scope = dict(scope, headers=[(k, v) for k, v in scope["headers"]
                                     if k != b"accept-encoding"])
        start: Message = {}
        chunks: list[bytes] = []
        passing = False

        async def catch_page(message: Message) -> None:
            nonlocal start, passing
            if message["type"] == "http.response.start":
                headers = Headers(raw=message["headers"])
                is_page = (message["status"] == 200
                           and headers.get("content-type", "").startswith("text/html")
                           and "content-encoding" not in headers
                           and contract.OWN_HEADER not in headers)
                if not is_page:
                    passing = True
                    await send(message)
                    return
                start = message
            elif passing:
                await send(message)
            else:
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    await self._send_page(encoding, start, b"".join(chunks), send,
                                          scope["method"] == "HEAD")

        await self.app(scope, receive, catch_page)

    async def _send_page(self, encoding: str | None, start: Message, html: bytes,
                         send: Send, head_only: bool) -> None:
        key = (hashlib.sha256(html).digest(), encoding)
        kept = self._kept.get(key)
        if kept is None and not shell.is_streamlit_page(html):
            await send(start)
            await send({"type": "http.response.body", "body": html})
            return
        if kept is None:
            page = shell.with_head_tags(html)
            policy = shell.content_security_policy(shell.inline_script_hashes(page))
            if encoding is not None:
                page = await anyio.to_thread.run_sync(ENCODERS[encoding], page)
            kept = (page, policy)
            with self._lock:
                self._kept[key] = kept
        body, policy = kept
        headers = MutableHeaders(raw=[(k, v) for k, v in start["headers"]
                                      if k not in (b"content-length", b"etag",
                                                   b"last-modified")])
        headers["content-length"] = str(len(body))
        headers["content-security-policy"] = policy
        headers["cache-control"] = "no-cache"
        headers["vary"] = "Accept-Encoding"
        headers[contract.SHELL_HEADER] = "1"  # what the service worker keeps
        if encoding is not None:
            headers["content-encoding"] = encoding
        await send({"type": "http.response.start", "status": 200, "headers": headers.raw})
        await send({"type": "http.response.body", "body": b"" if head_only else body})
