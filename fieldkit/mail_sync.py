"""Syncing the mailbox: reading what is new and logging what it means.

One sync reads the Sent folders (marked \\Sent), then INBOX, then the folders
the user added, each from where the last sync stopped: by UIDVALIDITY and the
last UID seen. A folder read for the first time, or whose UIDVALIDITY
changed (its UIDs were renumbered), is read from ``mail_first_days`` ago;
what it holds that was logged already is known by its Message-ID and never
logged twice. Every message's headers are read into a ``mail_rules.Message``
and its meaning (``mail_rules.meaning``) is applied through the ladder's own
door, ``followups.log_mail``; a bounce marks the address it names.

Most mail means nothing here and writes nothing. What does is logged in
short bursts (``_Reading``), each with how far the folder was read: a sync
cut short anywhere resumes from its last burst, and what it reads again is
never logged twice. Only one sync of a database runs at a time (a lock file
beside it, which also holds the running sync's progress:
``mail_account.progress``). The last sync's time and result are kept in the
``mailbox`` row for Settings.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from sqlite_utils import Database

from fieldkit import clock, config, followups, mail_account, mail_rules, mailbox
from fieldkit.db import transaction
from fieldkit.errors import FieldkitError
from fieldkit.followups import Mail
from fieldkit.mailbox import Folder, Reader

BURST_SECONDS = 3.0  # what the mail means is logged at most this often while reading
BURST_MESSAGES = 20  # messages applied per transaction: a page's write waits for one at most
# When a server marks no folder \Sent, these names are taken for it.
SENT_NAMES = ("sent", "sent items", "sent messages", "sent mail", "inbox.sent",
              "inbox/sent", "[gmail]/sent mail", "gesendet", "gesendete objekte", "envoyés")


class SyncRunning(FieldkitError):
    """Another sync of this mailbox is running; this one did nothing."""


@dataclass
class Result:
    """What one sync read and logged."""

    read: int = 0
    attempts: int = 0
    dialogs: int = 0
    bounces: int = 0
    first: bool = False  # some folder was read from mail_first_days ago
    notes: list[str] = field(default_factory=list)  # folders not found, ...

    def line(self) -> str:
        """One line for Settings and the command line."""
        if not self.read:
            said = "Nothing new."
        else:
            messages = f"{self.read:,} message{'s' if self.read != 1 else ''}"
            said = f"Read {messages}" + (" (first sync)" if self.first else "") + ": " + ", ".join(
                f"{n} {one if n == 1 else many}" for n, one, many in (
                    (self.attempts, "email attempt", "email attempts"),
                    (self.dialogs, "reply", "replies"), (self.bounces, "bounce", "bounces"))
            ) + " logged."
        return " ".join([said, *self.notes])


@contextlib.contextmanager
def _lock(db_path: str | Path) -> Iterator[int]:
    """Hold the sync's lock file (its descriptor is yielded, for the progress)."""
    path = mail_account.lock_path(db_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise SyncRunning("A sync of the mailbox is running already.") from None
        yield fd
    finally:
        os.close(fd)


def _tell(fd: int, done: int, total: int) -> None:
    # Into the lock file (mail_account.progress reads it): no commit, no page told.
    text = f"{done} {total}".encode()
    os.pwrite(fd, text, 0)
    os.ftruncate(fd, len(text))


def is_running(db_path: str | Path) -> bool:
    """Whether a sync of this database holds its lock now (in any process)."""
    try:
        with _lock(db_path):
            return False
    except SyncRunning:
        return True
    except OSError:
        return False


def _known_addresses(db: Database) -> dict[str, tuple[int, ...]]:
    found: dict[str, dict[int, None]] = defaultdict(dict)
    rows = db.execute(
        "SELECT id, email FROM people WHERE status != 'merged' AND email IS NOT NULL "
        "UNION ALL SELECT v.person_id, v.value FROM labelled_values v "
        "JOIN people p ON p.id = v.person_id WHERE v.kind = 'email' AND p.status != 'merged'")
    for person_id, value in rows:
        key = mail_rules.address_key(value)
        if key:
            found[key][person_id] = None
    return {key: tuple(ids) for key, ids in found.items()}


def _own(acct: mailbox.Account, settings: dict) -> frozenset[str]:
    keys = [mail_rules.address_key(a) for a in (acct.user, *config.mail_aliases(settings))]
    return frozenset(k for k in keys if k)


def _whom_you_wrote(db: Database) -> Callable[[str], tuple[int, ...]]:
    def people_of_message(message_id: str) -> tuple[int, ...]:
        return tuple(person_id for (person_id,) in db.execute(
            "SELECT DISTINCT t.person_id FROM mail_touches m JOIN touches t ON t.id = m.touch_id "
            "WHERE m.message_id = ? AND t.kind = 'attempt'", [message_id]))
    return people_of_message


@dataclass
class _Plan:
    folder: Folder
    uidvalidity: int
    uidnext: int
    uids: list[int]
    fresh: bool  # read from mail_first_days ago (first time, or UIDVALIDITY changed)


def _folders(reader: Reader, added: list[str], result: Result) -> list[Folder]:
    """Sent folders first (their messages are what replies answer), INBOX, then the added."""
    listed = reader.folders()
    by_name = {f.name: f for f in listed}
    by_key = {f.name.casefold(): f for f in listed}
    sent = [f for f in listed if f.sent] or [f for f in listed if f.name.casefold() in SENT_NAMES][:1]
    chosen = {f.name: Folder(f.name, True) for f in sent}
    inbox = by_key.get("inbox")
    if inbox and inbox.name not in chosen:
        chosen[inbox.name] = inbox
    for name in added:
        found = by_name.get(name) or by_key.get(name.casefold())
        if found is None:
            result.notes.append(f"Folder {mailbox.one_line(name)!r} was not found.")
        elif found.name not in chosen:
            chosen[found.name] = found
    return list(chosen.values())


def _plan(db: Database, reader: Reader, folder: Folder, since: datetime) -> _Plan | None:
    row = db.execute("SELECT uidvalidity, last_uid FROM mail_folders WHERE name = ?",
                     [folder.name]).fetchone()
    validity, uidnext = reader.status(folder.name)
    if row and row[0] == validity and uidnext <= row[1] + 1:
        return None  # nothing new: not even opened
    validity, uidnext = reader.examine(folder.name)
    if row is None or row[0] != validity:
        return _Plan(folder, validity, uidnext, reader.uids_since(since.date()), True)
    return _Plan(folder, validity, uidnext, reader.uids_after(row[1]), False)


def _save_folder(db: Database, plan: _Plan, last_uid: int, now: datetime) -> None:
    db.execute(
        "INSERT INTO mail_folders (name, uidvalidity, last_uid, synced_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (name) DO UPDATE SET uidvalidity = excluded.uidvalidity, "
        "last_uid = excluded.last_uid, synced_at = excluded.synced_at",
        [plan.folder.name, plan.uidvalidity, last_uid, clock.to_iso(now)])


class _Applier:
    """Applies messages' meanings to the database, counting what it logged."""

    def __init__(self, db: Database, settings: dict, own: frozenset[str], now: datetime,
                 result: Result):
        self.db, self.settings, self.own, self.now, self.result = db, settings, own, now, result
        self.people_of = _known_addresses(db)
        self.people_of_message = _whom_you_wrote(db)

    def meaning(self, message: mail_rules.Message, folder: Folder) -> mail_rules.Meaning:
        return mail_rules.meaning(message, in_sent=folder.sent, own=self.own,
                                  people_of=self.people_of,
                                  people_of_message=self.people_of_message)

    def apply(self, message: mail_rules.Message, meaning: mail_rules.Meaning,
              folder: Folder) -> None:
        at = min(message.at or self.now, self.now)  # a date in the future is a wrong clock
        if meaning.kind == "bounce":
            self._bounce(message, meaning.addresses, at)
            return
        if meaning.kind == "nothing":
            return
        mail = Mail(message.message_id, message.subject, folder.name)
        for person_id in meaning.people:
            try:
                done = followups.log_mail(self.db, person_id, meaning.kind, self.settings,
                                          mail, at=at)
            except FieldkitError:  # the person was deleted meanwhile, ...
                continue
            if done is not None:
                if meaning.kind == "attempt":
                    self.result.attempts += 1
                else:
                    self.result.dialogs += 1
        if meaning.kind == "dialog" and message.sender:
            # Mail from an address after it bounced: it works again.
            self.db.execute("DELETE FROM mail_bounces WHERE address = ? AND bounced_at < ?",
                            [message.sender, clock.to_iso(at)])

    def _bounce(self, message: mail_rules.Message, addresses, at: datetime) -> None:
        for address in addresses:
            if address not in self.people_of:
                continue  # a stranger's address is none of FieldKit's business
            stamp = clock.to_iso(at)
            cursor = self.db.execute(
                "INSERT INTO mail_bounces (address, bounced_at, message_id, created_at) "
                "VALUES (?, ?, ?, ?) ON CONFLICT (address) DO UPDATE SET "
                "bounced_at = excluded.bounced_at, message_id = excluded.message_id "
                "WHERE excluded.bounced_at > mail_bounces.bounced_at",
                [address, stamp, message.message_id, clock.now_iso()])
            if cursor.rowcount:
                self.result.bounces += 1


class _Reading:
    """One folder read: headers parsed as they come, what they mean logged in short bursts.

    Most mail means nothing to FieldKit and writes nothing. What does is
    kept until ``BURST_SECONDS`` have passed (or the folder is read), then
    applied in transactions of ``BURST_MESSAGES``: a page's own write waits
    for one short transaction at most, and the pages' caches (keyed on
    commits, fieldkit.changes) are told of a change once a burst, not once
    a message.
    """

    def __init__(self, db: Database, plan: _Plan, applier: _Applier):
        self.db, self.plan, self.applier = db, plan, applier
        self.pending: list[tuple[mail_rules.Message, mail_rules.Meaning]] = []
        self.last_uid = 0
        self.since = time.monotonic()

    def add(self, uid: int, message: mail_rules.Message) -> None:
        meaning = self.applier.meaning(message, self.plan.folder)
        if meaning.kind != "nothing":
            self.pending.append((message, meaning))
        self.last_uid = uid
        self.applier.result.read += 1
        if self.pending and time.monotonic() - self.since >= BURST_SECONDS:
            self.flush()

    def flush(self, *, last_uid: int | None = None) -> None:
        """Apply what is pending; the folder read up to the last UID seen (or ``last_uid``)."""
        batches = [self.pending[i:i + BURST_MESSAGES]
                   for i in range(0, len(self.pending), BURST_MESSAGES)] or [[]]
        for n, batch in enumerate(batches):
            with transaction(self.db):
                for message, meaning in batch:
                    self.applier.apply(message, meaning, self.plan.folder)
                if n == len(batches) - 1 and (self.last_uid or last_uid):
                    _save_folder(self.db, self.plan, max(self.last_uid, last_uid or 0),
                                 self.applier.now)
        self.pending.clear()
        self.since = time.monotonic()


def _read_folder(db: Database, reader: Reader, plan: _Plan, applier: _Applier, fd: int,
                 done: int, total: int, progress: Callable[[int, int], None] | None) -> int:
    validity, _ = reader.examine(plan.folder.name)
    if validity != plan.uidvalidity:  # renumbered since it was looked at: next time
        return done
    reading = _Reading(db, plan, applier)
    for n, header in enumerate(reader.headers(plan.uids), start=1):
        message = mail_rules.parse(header.raw, header.internal_date)
        if message.bounce and not message.failed:
            message = mail_rules.with_failed(
                message, mail_rules.failed_recipients(reader.delivery_report(header.uid)))
        reading.add(header.uid, message)
        if n % mailbox.FETCH_CHUNK == 0:
            _tell(fd, done + n, total)
            if progress:
                progress(done + n, total)
    done += len(plan.uids)
    # Read to the end: also what came in meanwhile and was not asked for.
    last = db.execute("SELECT last_uid FROM mail_folders WHERE name = ? AND uidvalidity = ?",
                      [plan.folder.name, plan.uidvalidity]).fetchone()
    reading.flush(last_uid=max(last[0] if last else 0, plan.uidnext - 1))
    _tell(fd, done, total)
    if progress and len(plan.uids) % mailbox.FETCH_CHUNK:
        progress(done, total)
    return done


def sync(db: Database, db_path: str | Path, *, now: datetime | None = None,
         progress: Callable[[int, int], None] | None = None,
         reader: Callable = mailbox.open_reader) -> Result:
    """Read what is new in the connected mailbox and log what it means.

    Raises NotConnected, SyncRunning, or MailboxError (also kept as the last
    sync's result, with what was read before it failed).
    """
    with _lock(db_path) as fd:
        acct, secret = mail_account.password(db, db_path)
        moment = now or clock.utc_now()
        settings = config.load(db)
        _tell(fd, 0, 0)
        with transaction(db):
            db.execute("UPDATE mailbox SET sync_started_at = ? WHERE id = 1",
                       [clock.to_iso(moment)])
        result = Result()
        try:
            with reader(acct, secret) as opened:
                since = moment - timedelta(days=settings["mail_first_days"])
                plans = [p for f in _folders(opened, config.mail_folders(settings), result)
                         if (p := _plan(db, opened, f, since)) is not None]
                total = sum(len(p.uids) for p in plans)
                _tell(fd, 0, total)
                applier = _Applier(db, settings, _own(acct, settings), moment, result)
                done = 0
                for plan in plans:
                    result.first = result.first or (plan.fresh and bool(plan.uids))
                    done = _read_folder(db, opened, plan, applier, fd, done, total, progress)
        except mailbox.MailboxError as exc:
            _finish(db, False, f"{exc} {result.line() if result.read else ''}".strip())
            raise
        except Exception as exc:  # a bug: say so where the user looks, then let it show
            _finish(db, False, f"The sync stopped: {type(exc).__name__}: "
                               f"{mailbox.one_line(exc)}")
            raise
        _finish(db, True, result.line())
        return result


def _finish(db: Database, ok: bool, line: str) -> None:
    with transaction(db):
        db.execute("UPDATE mailbox SET sync_finished_at = ?, sync_ok = ?, sync_result = ? "
                   "WHERE id = 1", [clock.now_iso(), int(ok), line])


# What the pages show


def bounced(db: Database) -> dict[int, list[tuple[str, str]]]:
    """Everyone with an address that bounced: (address, when it bounced), by person id."""
    found: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for person_id, address, at in db.execute(
            "SELECT p.id, b.address, b.bounced_at FROM mail_bounces b "
            "JOIN people p ON p.email = b.address COLLATE NOCASE WHERE p.status != 'merged' "
            "UNION SELECT v.person_id, b.address, b.bounced_at FROM mail_bounces b "
            "JOIN labelled_values v ON v.kind = 'email' AND v.value = b.address COLLATE NOCASE "
            "ORDER BY 1, 3"):
        found[person_id].append((address, at))
    return dict(found)


def recent(db: Database, limit: int = 5) -> list[dict]:
    """The latest touches the mailbox logged, newest first, each saying if Undo can take it back.

    Undo takes back a person's last action only (followups.undo), so a
    touch with something newer after it says so.
    """
    cursor = db.execute(
        "SELECT t.id AS touch_id, t.person_id, p.name, t.kind, t.at, m.subject, "
        "t.undone_at IS NOT NULL AS undone FROM mail_touches m "
        "JOIN touches t ON t.id = m.touch_id JOIN people p ON p.id = t.person_id "
        "WHERE m.logged = 1 ORDER BY m.rowid DESC LIMIT ?", [limit])
    keys = [d[0] for d in cursor.description]
    rows = [dict(zip(keys, row)) for row in cursor.fetchall()]
    for row in rows:
        last = followups.last_action(db, row["person_id"])
        row["undoable"] = bool(last and last["id"] == row["touch_id"])
    return rows
