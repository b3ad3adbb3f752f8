"""/dav/: the phone's Contacts (CardDAV) and Calendar (CalDAV), and the webcal feed.

Radicale speaks the protocol; FieldKit gives it a storage plugin over its
own tables (fieldkit.contacts_book, fieldkit.calendar_feed, fieldkit.sync_log)
and runs it in-process, a WSGI app behind a2wsgi in a Starlette Mount:

    /dav/fieldkit/                the principal (the one account)
    /dav/fieldkit/contacts/       the address book "FieldKit", read and write
    /dav/fieldkit/followups/      the calendar "FieldKit follow-ups", read-only
    /.well-known/carddav, caldav  redirects to /dav/, where clients look first
    /feeds/<token>.ics            the calendar as a webcal feed (no account)

Every /dav request passes ``DavGate`` first: HTTP Basic with an app password
(fieldkit.app_passwords) or 401, never the device cookie or the sign-in
password; wrong passwords wait longer each time, per client address; a
browser's request from another site is refused; the body is bounded before
it is read (a card with a photo: a few MB) and a card must be text. Radicale
strips its prefix a second time when a request carries X-Forwarded-*
headers (as it does behind Caddy): the gate removes them.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import functools
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping
from email.utils import formatdate
from pathlib import Path

import a2wsgi
import anyio.to_thread
import radicale
import radicale.auth
import radicale.config
import radicale.item
import radicale.pathutils
import radicale.rights
import radicale.storage
from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route
from starlette.types import Message, Receive, Scope, Send

from fieldkit import (access, app_passwords, calendar_feed, config, contacts_book,
                      db as fdb, phone_setup, sync_log)
from fieldkit.errors import FieldkitError, NotFound
from fieldkit.web import signin

PREFIX = phone_setup.DAV_PATH
USER = app_passwords.USERNAME
BOOKS = {contacts_book.BOOK: "VADDRESSBOOK", calendar_feed.BOOK: "VCALENDAR"}
NAMES = {contacts_book.BOOK: contacts_book.NAME, calendar_feed.BOOK: calendar_feed.NAME}
WELL_KNOWN = ("/.well-known/carddav", "/.well-known/caldav")
FEED_PATH = phone_setup.FEED_PATH
REALM = "FieldKit"
# A card with a photo from a phone's camera is at most a few MB as base64;
# an XML request (a multiget of a thousand cards) far less.
MAX_CARD_BYTES = 4 * 1024 * 1024
MAX_XML_BYTES = 1024 * 1024
METHODS = ["GET", "HEAD", "OPTIONS", "PROPFIND", "PROPPATCH", "REPORT", "PUT", "DELETE",
           "MKCOL", "MKCALENDAR", "MOVE", "COPY", "POST", "LOCK", "UNLOCK"]
# Headers a client or a proxy sends that would make Radicale see another
# path or another user than the gate did.
_DROPPED = (b"forwarded", b"x-script-name", b"x-remote-user", b"x-remote-addr",
            b"content-length", b"transfer-encoding", b"authorization")
HEADERS = {"cache-control": "no-store", "x-fieldkit-own": "1"}
_EPOCH = formatdate(0, usegmt=True)  # collections have no time of their own: ctags say it

_request = threading.local()  # the gate's word on the request a Radicale thread serves


def _context() -> dict:
    return getattr(_request, "context", None) or {}


# ---------------------------------------------------------------- per-client throttle

class Throttle:
    """Wrong app passwords per client address: after each, the next must wait longer.

    The same waits as the sign-in password (access.wait_after: 1, 2, 4 ...
    300 s); an attempt before the wait is over is refused unchecked. Kept
    in memory, for the addresses of the last ``size`` wrong attempts.
    """

    def __init__(self, size: int = 4096, now: Callable[[], float] = time.monotonic):
        self._failures: OrderedDict[str, tuple[int, float]] = OrderedDict()
        self._size = size
        self._now = now
        self._lock = threading.Lock()

    def wait(self, client: str) -> int:
        """Seconds ``client`` must still wait before its next attempt is looked at."""
        with self._lock:
            failures, at = self._failures.get(client, (0, 0.0))
        left = at + access.wait_after(failures) - self._now()
        return max(0, int(left + 0.999)) if failures else 0

    def failed(self, client: str) -> int:
        """Count a wrong attempt; returns the wait before the next."""
        with self._lock:
            failures = self._failures.pop(client, (0, 0.0))[0] + 1
            self._failures[client] = (failures, self._now())
            while len(self._failures) > self._size:
                self._failures.popitem(last=False)
        return access.wait_after(failures)

    def passed(self, client: str) -> None:
        with self._lock:
            self._failures.pop(client, None)


# ---------------------------------------------------------------- Radicale's plugins

class _Auth(radicale.auth.BaseAuth):
    """Signs in whom DavGate let through: Radicale never sees a password."""

    def get_external_login(self, environ):
        scope = environ.get("asgi.scope") or {}
        _request.context = scope.get("fieldkit.dav")
        return (USER, "") if _context().get("device") else ()

    def _login_ext(self, login, password, context):
        return USER if login == USER and _context().get("device") else ""


class _Rights(radicale.rights.BaseRights):
    """The account reads everything; it writes cards, never events or collections."""

    def authorization(self, user, user_groups, path):
        if user != USER:
            return ""
        parts = radicale.pathutils.strip_path(path).split("/") if path.strip("/") else []
        if len(parts) <= 1:
            return "R" if not parts or parts[0] == USER else ""
        if len(parts) == 2 and parts[0] == USER:
            return {contacts_book.BOOK: "rw", calendar_feed.BOOK: "r"}.get(parts[1], "")
        return ""


class _Item(radicale.item.Item):
    """An item whose text is made only when asked for (a sync mostly asks ETags)."""

    def __init__(self, text: Callable[[], str], **fields):
        super().__init__(text="", last_modified=_EPOCH, **fields)
        self._text = None
        self._make = text

    def serialize(self) -> str:
        if self._text is None:
            # Radicale serializes an item for its ETag alone too (a sync's
            # listing of every card): made only when the request asks for texts.
            self._text = self._make() if _context().get("texts", True) else ""
        return self._text


class _Cards:
    """Cards listed together, their texts made together when the first is read."""

    def __init__(self, storage: "_Storage", person_ids: list[int]):
        self._storage = storage
        self._ids = person_ids
        self._texts: dict[int, str] | None = None
        self._lock = threading.Lock()

    def text(self, person_id: int) -> str:
        with self._lock:
            if self._texts is None:
                with self._storage.db() as db:
                    self._texts = contacts_book.texts(db, self._ids,
                                                      config.load(db)["timezone"])
        return self._texts[person_id]


class _Collection(radicale.storage.BaseCollection):
    """The root, the principal, the address book or the calendar."""

    BATCH = 200  # cards made together

    def __init__(self, storage: "_Storage", path: str):
        self._storage = storage
        self._path = path
        parts = path.split("/")
        self._book = parts[1] if len(parts) == 2 else None

    @property
    def path(self) -> str:
        return self._path

    @property
    def last_modified(self) -> str:
        return _EPOCH

    @functools.cached_property
    def etag(self) -> str:
        if self._book is None:
            return '"fieldkit"'
        with self._storage.db() as db:
            return sync_log.collection_tag(db, self._book)

    @functools.cached_property
    def _meta(self) -> dict[str, str]:
        if self._book is None:
            return {}
        with self._storage.db() as db:
            meta = {**sync_log.props(db, self._book),
                    "tag": BOOKS[self._book], "D:displayname": NAMES[self._book]}
        if self._book == calendar_feed.BOOK:
            meta["C:supported-calendar-component-set"] = "VEVENT"
        return meta

    def get_meta(self, key=None):
        return dict(self._meta) if key is None else self._meta.get(key)

    def set_meta(self, props: Mapping[str, str]) -> None:
        if self._book is None:
            raise ValueError("only the address book and the calendar have properties")
        fixed = {"tag", "D:displayname", "C:supported-calendar-component-set"}
        if any(key in fixed and props[key] != self.get_meta(key) for key in props):
            raise ValueError("a collection's name and kind are FieldKit's")
        with self._storage.db() as db:
            sync_log.set_props(db, self._book,
                               {key: value for key, value in props.items() if key not in fixed})
        self.__dict__.pop("_meta", None)
        self.__dict__.pop("etag", None)

    def sync(self, old_token: str = ""):
        if self._book is None:
            return super().sync(old_token)
        with self._storage.db() as db:
            token = sync_log.token(db, self._book)
            if not old_token:
                return token, self._hrefs(db)
            try:
                return token, sync_log.changed_since(db, self._book, old_token)
            except sync_log.StaleToken as exc:
                raise ValueError(str(exc)) from None

    def _hrefs(self, db) -> list[str]:
        if self._book == contacts_book.BOOK:
            return [card.href for card in contacts_book.listing(db)]
        return [event.href for event in self._events(None)]

    def get_all(self) -> Iterator[radicale.item.Item]:
        if self._book == contacts_book.BOOK:
            with self._storage.db() as db:
                listed = contacts_book.listing(db)
            yield from self._cards(listed)
        elif self._book == calendar_feed.BOOK:
            yield from self._events(None)

    def get_multi(self, hrefs: Iterable[str]):
        wanted = list(dict.fromkeys(hrefs))
        if self._book == contacts_book.BOOK:
            with self._storage.db() as db:
                # A first sync asks for every card: the listing finds them at once.
                if len(wanted) > self.BATCH:
                    asked = set(wanted)
                    listed = [card for card in contacts_book.listing(db) if card.href in asked]
                else:
                    listed = contacts_book.find(db, wanted)
            found = {item.href: item for item in self._cards(listed)}
        elif self._book == calendar_feed.BOOK:
            found = {item.href: item for item in self._events(wanted)}
        else:
            found = {}
        for href in wanted:
            yield href, found.get(href)

    def has_uid(self, uid: str) -> bool:
        if self._book == contacts_book.BOOK:
            with self._storage.db() as db:
                return contacts_book.has_uid(db, uid)
        return any(item.uid == uid for item in self.get_all())

    def _cards(self, listed: list[contacts_book.Listed]) -> Iterator[radicale.item.Item]:
        for start in range(0, len(listed), self.BATCH):
            batch = listed[start:start + self.BATCH]
            made = _Cards(self._storage, [card.person_id for card in batch])
            for card in batch:
                yield _Item(functools.partial(made.text, card.person_id), collection=self,
                            href=card.href, etag=card.etag, uid=card.uid, name="VCARD",
                            component_name="VCARD")

    def _events(self, hrefs: list[str] | None) -> Iterator[radicale.item.Item]:
        with self._storage.db() as db:
            found = calendar_feed.events(db, config.load(db), _context().get("origin", ""), hrefs)
        for event in found:
            yield radicale.item.Item(collection=self, href=event.href, text=event.text,
                                     uid=event.uid, name="VCALENDAR",
                                     component_name="VEVENT", last_modified=_EPOCH)

    def upload(self, href: str, item: radicale.item.Item):
        if self._book != contacts_book.BOOK:
            raise ValueError("The follow-ups calendar is read-only.")
        context = _context()
        old = next(iter(self.get_multi([href])))[1]
        try:
            with self._storage.db() as db:
                written = contacts_book.write(db, href, item.uid, context.get("body") or
                                              item.serialize(), settings=config.load(db))
        except FieldkitError as exc:
            raise ValueError(str(exc)) from None
        # The client keeps what it sent under the ETag it gets back: only when
        # the card served is exactly that (RFC 6352, 6.3.2; RFC 4791, 5.3.4).
        context["as_sent"] = written.as_sent
        new = next(iter(self.get_multi([href])))[1]
        if new is None:  # pragma: no cover - the card was written just now
            raise ValueError("The card was not stored.")
        return new, old

    def delete(self, href: str | None = None) -> None:
        if self._book != contacts_book.BOOK or href is None:
            raise ValueError("Only a card can be deleted, and only from the address book.")
        try:
            with self._storage.db() as db:
                contacts_book.remove(db, href)
        except NotFound as exc:
            raise ValueError(str(exc)) from None


class _Storage(radicale.storage.BaseStorage):
    """FieldKit's tables as Radicale's storage: one connection per lock, per thread."""

    _supports_unicode = False

    def __init__(self, configuration, database: Callable[[], Path]):
        super().__init__(configuration)
        self._database = database
        self._local = threading.local()

    @contextlib.contextmanager
    def db(self) -> Iterator:
        """The connection of the request this thread serves (one, opened when first
        needed: Radicale locks twice, and reads properties and texts after its lock)."""
        held = getattr(self._local, "request", None)
        if held is None:
            stack = contextlib.ExitStack()
            held = self._local.request = (stack.enter_context(fdb.connect(self._database())),
                                          stack)
        yield held[0]

    def release(self) -> None:
        """Close the connection of the request this thread served (in this thread)."""
        held = getattr(self._local, "request", None)
        self._local.request = None
        if held is not None:
            held[1].close()

    @contextlib.contextmanager
    def acquire_lock(self, mode: str, user: str = "", *args, **kwargs):
        if getattr(self._local, "db", None) is not None:  # nested: the outer one holds it
            yield
            return
        with self.db() as db:
            self._local.db = db
            try:
                if mode == "w":
                    with fdb.transaction(db):
                        yield
                else:
                    # One snapshot for the whole request: the token, the hrefs
                    # and their ETags agree.
                    db.execute("BEGIN")
                    try:
                        yield
                    finally:
                        db.execute("COMMIT")
            finally:
                self._local.db = None

    def discover(self, path: str, depth: str = "0", child_context_manager=None,
                 user_groups=frozenset()):
        stripped = radicale.pathutils.strip_path(path)
        parts = stripped.split("/") if stripped else []
        if len(parts) >= 1 and parts[0] != USER:
            return
        if len(parts) == 2 and parts[1] not in BOOKS:
            return
        if len(parts) >= 4:
            return
        if len(parts) == 3:
            if parts[1] in BOOKS:
                collection = _Collection(self, "/".join(parts[:2]))
                item = next(iter(collection.get_multi([parts[2]])))[1]
                if item is not None:
                    yield item
            return
        collection = _Collection(self, stripped)
        yield collection
        if depth == "0":
            return
        if not parts:
            yield _Collection(self, USER)
        elif len(parts) == 1:
            for book in BOOKS:
                yield _Collection(self, f"{USER}/{book}")
        else:
            yield from collection.get_all()

    def move(self, item, to_collection, to_href) -> None:
        raise ValueError("Cards are not moved; a phone deletes and writes them.")

    def create_collection(self, href, items=None, props=None):
        raise ValueError("FieldKit has one address book and one calendar.")

    def verify(self) -> bool:
        return True


@functools.cache
def _logging() -> None:
    logging.getLogger("radicale").setLevel(logging.WARNING)


def application(database: Callable[[], Path]) -> Callable:
    """Radicale over FieldKit's tables, a WSGI app; ``database()`` says where the database is.

    Each request's one connection is closed when Radicale has answered, in
    the thread that served it (SQLite's rule), before the answer is sent.
    """
    _logging()
    configuration = radicale.config.load()
    configuration.update({
        # Radicale takes a resource of at most 80 % of a request.
        "server": {"max_content_length": str(MAX_CARD_BYTES * 5 // 4),
                   "max_resource_size": str(MAX_CARD_BYTES)},
        "auth": {"type": _Auth, "delay": "0", "realm": REALM, "cache_logins": "False"},
        "rights": {"type": _Rights, "permit_delete_collection": "False",
                   "permit_overwrite_collection": "False"},
        "storage": {"type": functools.partial(_Storage, database=database)},
        "web": {"type": "none"},
        "hook": {"type": "none"},
        "logging": {"level": "warning", "mask_passwords": "True"},
    }, "fieldkit", privileged=True)
    radicale_app = radicale.Application(configuration)
    storage = radicale_app._storage  # noqa: SLF001 - the instance Radicale made of _Storage

    def served(environ, start_response):
        try:
            return list(radicale_app(environ, start_response))
        finally:
            storage.release()

    return served


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


def _cross_site(request: Request) -> bool:
    """Whether a browser says another site's page made this request."""
    origin = request.headers.get("origin")
    if origin is not None and origin.strip().lower() != signin.own_origin(request):
        return True
    return request.headers.get("sec-fetch-site", "same-origin") not in (
        "same-origin", "none")


def _charset(content_type: str) -> str:
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

    def __init__(self, app, database: Callable[[], Path], throttle: Throttle | None = None):
        self.app = app
        self._database = database
        self.throttle = throttle or Throttle()

    def _device(self, username: str, password: str) -> str | None:
        # A connection of its own: the worker threads this runs in come and go.
        with fdb.connect(self._database()) as db:
            return app_passwords.device(db, username, password)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        request = Request(scope, receive)
        answer = await self._refused(request)
        if isinstance(answer, Response):
            await answer(scope, receive, send)
            return
        device, body = answer
        context = {"device": device, "origin": signin.own_origin(request),
                   "texts": _wants_texts(request.method, body),
                   "body": body.decode(_charset(request.headers.get("content-type", "")))
                   if request.method == "PUT" else None}
        headers = [(k, v) for k, v in scope["headers"]
                   if k not in _DROPPED and not k.startswith(b"x-forwarded-")]
        headers.append((b"content-length", str(len(body)).encode()))
        inner = dict(scope, headers=headers, **{"fieldkit.dav": context})
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        async def marked(message: Message) -> None:
            if message["type"] == "http.response.start":
                out = MutableHeaders(scope=message)
                for name, value in HEADERS.items():
                    out[name] = value
                if request.method == "PUT" and context.get("as_sent") is False:
                    del out["etag"]
            await send(message)

        await self.app(inner, replay, marked)

    async def _refused(self, request: Request) -> Response | tuple[str, bytes]:
        """The answer that ends the request here, or (device, body) to go on."""
        if _cross_site(request):
            return _refusal(403, "Only a phone's or computer's own contacts and calendar "
                                 "may ask this, not a web page.")
        unauthorized = {"www-authenticate": f'Basic realm="{REALM}", charset="UTF-8"'}
        credentials = basic_credentials(request.headers.get("authorization"))
        if credentials is None:
            return _refusal(401, "Sign in with FieldKit's username and an app password "
                                 "(Settings > Connect your phone).", **unauthorized)
        client = request.client.host if request.client else ""
        if wait := self.throttle.wait(client):
            return _refusal(429, f"Too many wrong app passwords. Try again in {wait} s.",
                            **{"retry-after": str(wait)})
        try:
            device = await anyio.to_thread.run_sync(self._device, *credentials)
        except FieldkitError as exc:
            return _refusal(503, str(exc))
        if device is None:
            wait = self.throttle.failed(client)
            return _refusal(401, f"Wrong username or app password. Try again in {wait} s.",
                            **unauthorized)
        self.throttle.passed(client)
        limit = MAX_CARD_BYTES if request.method == "PUT" else MAX_XML_BYTES
        body = await signin.body_at_most(request, limit)
        if body is None:
            return _refusal(413, f"The request is too large (at most {limit // 1024:,} kB).")
        if request.method == "PUT":
            try:
                body.decode(_charset(request.headers.get("content-type", "")))
            except (LookupError, UnicodeDecodeError):
                return _refusal(400, "A card is text in UTF-8 (or the charset it names).")
        return device, body


# ---------------------------------------------------------------- routes

def routes(database: Callable[[], Path]) -> list:
    """/dav/ (Radicale behind the gate), the well-known redirects and the webcal feed."""
    gate = DavGate(a2wsgi.WSGIMiddleware(application(database)), database)

    async def well_known(request: Request) -> Response:
        return Response(status_code=301, headers={**HEADERS, "location": f"{PREFIX}/"})

    def calendar(token: str, origin: str) -> bytes | None:
        with fdb.connect(database()) as db:
            if not calendar_feed.is_feed_token(db, token):
                return None
            return calendar_feed.feed(db, config.load(db), origin)

    async def feed(request: Request) -> Response:
        try:
            body = await anyio.to_thread.run_sync(
                calendar, request.path_params["token"], signin.own_origin(request))
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
