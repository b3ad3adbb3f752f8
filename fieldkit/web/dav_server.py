"""Radicale over FieldKit's tables, in a process of its own: what serves /dav/.

``python -m fieldkit.web.dav_server SOCKET`` serves Radicale (a WSGI app,
through a2wsgi, on uvicorn) on a Unix socket that only FieldKit's own
process reaches: fieldkit.web.dav starts it, and forwards each request that
passed its gate, with the gate's word on it (the device, the server's
origin, the database) in one header. Radicale's CPU-bound work (a first
sync renders every card) runs beside Streamlit's pages, not in the same
interpreter, so a page does not wait on it; the process runs at a lower
priority and ends when FieldKit's does.

The plugins: a storage (``_Storage``) whose collections are the address
book (fieldkit.contacts_book) and the calendar (fieldkit.calendar_feed),
each with the change log's tokens (fieldkit.sync_log); an auth plugin that
signs in whom the gate let through; rights that let the account write cards,
never events or collections. Used of Radicale beyond its plugin interface:
``Application._storage``, to close each request's connection in its thread.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import json
import logging
import os
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from email.utils import formatdate
from pathlib import Path

import a2wsgi
import radicale
import radicale.auth
import radicale.config
import radicale.item
import radicale.pathutils
import radicale.rights
import radicale.storage
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import Message, Receive, Scope, Send

from fieldkit import app_passwords, calendar_feed, config, contacts_book, db as fdb, sync_log
from fieldkit.errors import FieldkitError, NotFound
from fieldkit.web.dav import (CONTEXT_HEADER, MAX_CARD_BYTES, PREFIX, REALM, charset_of,
                              replaying, whole_body)

USER = app_passwords.USERNAME
BOOKS = {contacts_book.BOOK: "VADDRESSBOOK", calendar_feed.BOOK: "VCALENDAR"}
NAMES = {contacts_book.BOOK: contacts_book.NAME, calendar_feed.BOOK: calendar_feed.NAME}
_EPOCH = formatdate(0, usegmt=True)  # collections have no time of their own: ctags say it
NICENESS = 19  # pages first: a sync takes only the CPU the pages leave

_request = threading.local()  # the gate's word on the request a Radicale thread serves


def _context() -> dict:
    return getattr(_request, "context", None) or {}



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


def application(database: Callable[[], Path]) -> Callable:
    """Radicale over FieldKit's tables, a WSGI app; ``database()`` says where the database is.

    Each request's one connection is closed when Radicale has answered, in
    the thread that served it (SQLite's rule), before the answer is sent.
    """
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



def app() -> Callable:
    """The ASGI app of the process: the gate's word in the scope, then Radicale at /dav."""
    radicale_app = a2wsgi.WSGIMiddleware(application(
        lambda: Path(_context()["database"])))

    async def served(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        context = json.loads(Headers(scope=scope)[CONTEXT_HEADER])
        body = await whole_body(receive)
        if scope["method"] == "PUT":  # the card as the phone sent it (the gate checked it reads)
            context["body"] = body.decode(charset_of(Headers(scope=scope).get("content-type", "")))
        inner = dict(scope, root_path=PREFIX, headers=[
            (k, v) for k, v in scope["headers"] if k != CONTEXT_HEADER.encode()],
            **{"fieldkit.dav": context})

        async def answer(message: Message) -> None:
            # The client keeps what it sent under the ETag it gets back: only when
            # the card served is exactly that (RFC 6352, 6.3.2; RFC 4791, 5.3.4).
            if message["type"] == "http.response.start" and context.get("as_sent") is False:
                del MutableHeaders(scope=message)["etag"]
            await send(message)

        await radicale_app(inner, replaying(body, receive), answer)

    return served


def _watch_parent(parent: int) -> None:
    """End this process when FieldKit's has ended (this one is then another's child)."""
    while True:
        if os.getppid() != parent:
            os._exit(0)
        threading.Event().wait(1.0)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m fieldkit.web.dav_server")
    parser.add_argument("socket", help="the Unix socket to serve on")
    args = parser.parse_args(argv)
    import uvicorn

    logging.getLogger("radicale").setLevel(logging.WARNING)
    with contextlib.suppress(OSError):
        os.nice(NICENESS)
    with contextlib.suppress(OSError, AttributeError):  # Linux: run only on an idle core
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    threading.Thread(target=_watch_parent, args=(os.getppid(),), daemon=True).start()
    server = uvicorn.Server(uvicorn.Config(app(), uds=args.socket, log_level="warning",
                                           access_log=False, lifespan="off"))
    asyncio.run(server.serve())


if __name__ == "__main__":
    main(sys.argv[1:])
