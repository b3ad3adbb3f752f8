"""Who may open FieldKit: an optional password for a self-hosted server.

Only a salted scrypt hash is stored (``sign_in`` table, one row). A sign-in
attempt is judged inside one write transaction, so two tabs guessing at once
still count every wrong attempt. Wrong attempts are counted per client
address (``sign_in_failures``): after each wrong one, the next attempt from
that address must wait longer (1, 2, 4 … 300 seconds) and is refused
unchecked until then, while the owner at another address signs in at once.
Past a server-wide ceiling of wrong attempts in an hour, far above what one
address can reach, every address waits.

A browser that gave the password is a signed-in device (``devices`` table)
until its sign-in expires or it is signed out: it holds a random token in a
cookie, and the file keeps only the token's sha256. A new password, or none,
signs every device out.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import math
import re
import secrets
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlite_utils import Database

from fieldkit import clock, db as fdb
from fieldkit.errors import FieldkitError, ValidationError

MIN_LENGTH = 8
MAX_LENGTH = 1024
# scrypt at n=2**15, r=8 needs 32 MiB and about a tenth of a second: slow
# for a guesser, quick for one person signing in.
_N, _R, _P, _DKLEN = 2**15, 8, 1, 32
_MAXMEM = 64 * 1024 * 1024
MAX_WAIT_SECONDS = 300
# One address guessing as fast as it may reaches about 20 wrong attempts an
# hour (its waits grow to 300 s); this many from all addresses together make
# everyone wait, so that many addresses cannot guess fast either.
CEILING_PER_HOUR = 200
CEILING_WINDOW = timedelta(hours=1)
# A wrong attempt older than this is forgotten: its address starts again at 1 s.
FORGET_FAILURES_AFTER = timedelta(days=1)
DEVICE_DAYS = 30  # config's sign_in_days default
# A device's last_seen_at is written at most this often: checking a device
# on every run of a page must stay a read.
SEEN_EVERY = timedelta(hours=1)
# What secrets.token_urlsafe(32) makes; anything else is not looked up.
_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")


class SignInRefused(FieldkitError):
    """A sign-in attempt was refused: wrong password, or too soon after one."""

    def __init__(self, message: str, wait_seconds: int = 0):
        super().__init__(message)
        self.wait_seconds = wait_seconds


class TooSoon(SignInRefused):
    """A sign-in attempt came before the wait after the last wrong one was over; not checked."""


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    """A self-describing scrypt hash: ``scrypt$n$r$p$salt$key`` (base64)."""
    salt = secrets.token_bytes(16) if salt is None else salt
    key = _scrypt(password, salt, _N, _R, _P)
    return "$".join(["scrypt", str(_N), str(_R), str(_P), _b64(salt), _b64(key)])


def verify_password(stored: str, password: str) -> bool:
    """Whether ``password`` matches ``stored``, compared in constant time."""
    try:
        scheme, n, r, p, salt, key = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(key, validate=True)
        actual = _scrypt(password, base64.b64decode(salt, validate=True),
                         int(n), int(r), int(p), len(expected))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


def wait_after(failures: int) -> int:
    """Seconds the next attempt must wait after ``failures`` wrong ones in a row."""
    if failures <= 0:
        return 0
    return min(2 ** (failures - 1), MAX_WAIT_SECONDS)


def check_new_password(password: str) -> str:
    """The password if it is acceptable; raises ValidationError otherwise."""
    if not isinstance(password, str) or len(password) < MIN_LENGTH:
        raise ValidationError(f"The password needs at least {MIN_LENGTH} characters.",
                              "password")
    if len(password) > MAX_LENGTH:
        raise ValidationError(f"The password is too long (at most {MAX_LENGTH} characters).",
                              "password")
    if password != password.strip():
        raise ValidationError("The password must not start or end with a space.", "password")
    try:
        password.encode("utf-8")
    except UnicodeEncodeError:
        raise ValidationError("The password holds characters that cannot be stored.",
                              "password") from None
    return password


def set_password(db: Database, password: str) -> None:
    """Store a new password's hash; every device is signed out, wrong-attempt counts start again."""
    stored = hash_password(check_new_password(password))
    with fdb.transaction(db):
        db.execute(
            "INSERT INTO sign_in (id, password_hash, updated_at) VALUES (1, ?, ?) "
            "ON CONFLICT (id) DO UPDATE SET password_hash = excluded.password_hash, "
            "updated_at = excluded.updated_at",
            [stored, clock.now_iso()],
        )
        db.execute("DELETE FROM sign_in_failures")
        # Whoever knew the old password must not stay in through a device.
        db.execute("DELETE FROM devices")


def clear_password(db: Database) -> bool:
    """Remove the password and sign every device out: anyone may open FieldKit again."""
    with fdb.transaction(db):
        db.execute("DELETE FROM devices")
        return db.execute("DELETE FROM sign_in").rowcount > 0


def password_stamp(db: Database) -> str | None:
    """A short fingerprint of the stored hash, or None when no password is set.

    Changes with every new password: a value to key what was learnt under
    one password on (the gate's check of a tab's device).
    """
    row = db.execute("SELECT password_hash FROM sign_in WHERE id = 1").fetchone()
    if row is None:
        return None
    return hashlib.sha256(row[0].encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Attempts:
    failures: int
    wait_seconds: int  # before the next attempt is looked at


def attempts(db: Database, client: str, *, now: datetime | None = None) -> Attempts:
    """Wrong attempts in a row from ``client`` and how long its next one must still wait.

    The wait is the longer of the address's own and the server-wide one.
    """
    now = now or clock.utc_now()
    failures, last = db.execute(
        "SELECT count(*), max(at) FROM sign_in_failures WHERE client = ? AND at > ?",
        [_client(client), clock.to_iso(now - FORGET_FAILURES_AFTER)]).fetchone()
    return Attempts(failures, max(_remaining(failures, last, now), _ceiling_wait(db, now)))


@dataclass(frozen=True)
class Guesser:
    """An address with wrong passwords not yet forgotten."""

    client: str
    failures: int
    last_at: datetime
    wait_seconds: int


def guessers(db: Database, *, now: datetime | None = None) -> list[Guesser]:
    """Every address with recent wrong passwords, the busiest first (for Settings)."""
    now = now or clock.utc_now()
    rows = db.execute(
        "SELECT client, count(*), max(at) FROM sign_in_failures WHERE at > ? "
        "GROUP BY client ORDER BY count(*) DESC, max(at) DESC",
        [clock.to_iso(now - FORGET_FAILURES_AFTER)]).fetchall()
    return [Guesser(client, failures, clock.from_iso(last), _remaining(failures, last, now))
            for client, failures, last in rows]


def count_wrong(db: Database, client: str, *, now: datetime | None = None) -> int:
    """Count a wrong password from ``client`` given elsewhere than the sign-in form (a
    phone's app password): one count for both. Returns the wait before that address's
    next attempt, in seconds."""
    now = now or clock.utc_now()
    with fdb.transaction(db):
        db.execute("INSERT INTO sign_in_failures (client, at) VALUES (?, ?)",
                   [_client(client), clock.to_iso(now)])
        return attempts(db, client, now=now).wait_seconds


def forget_wrong(db: Database, client: str) -> None:
    """A right password from ``client`` (an app password): its wrong ones are forgotten."""
    with fdb.transaction(db):
        db.execute("DELETE FROM sign_in_failures WHERE client = ?", [_client(client)])


def clear_failures(db: Database) -> int:
    """Forget every wrong password (Settings): no address waits any more. Returns how many."""
    with fdb.transaction(db):
        return db.execute("DELETE FROM sign_in_failures").rowcount


def sign_in_device(db: Database, password: str, *, client: str, now: datetime | None = None,
                   days: int = DEVICE_DAYS) -> str:
    """Check ``password`` from address ``client``; when right, a new device is signed in.

    The device stays signed in for ``days``. Returns its token, to be kept
    by the browser (a cookie) and shown to no one; the file keeps only its
    hash. Raises SignInRefused for a wrong password (and counts it against
    ``client``) or for an attempt made before the wait is over (not checked,
    not counted). The count and the new device are written in one
    transaction.
    """
    now = now or clock.utc_now()
    token = secrets.token_urlsafe(32)
    with fdb.transaction(db):
        failures = _judge(db, password, _client(client), now)
        if not failures:
            # Expired devices are dropped here, where a write happens anyway.
            db.execute("DELETE FROM devices WHERE expires_at <= ?", [clock.to_iso(now)])
            db.execute(
                "INSERT INTO devices (token_hash, created_at, expires_at, last_seen_at) "
                "VALUES (?, ?, ?, ?)",
                [token_hash(token), clock.to_iso(now),
                 clock.to_iso(now + timedelta(days=days)), clock.to_iso(now)])
    _refuse_wrong(failures)
    return token


def token_hash(token: str) -> str:
    """What the file keeps of a device's token.

    A plain sha256 is enough: the token is 32 random bytes, so there is
    nothing to guess that a salt or a slow hash would protect.
    """
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def device_expiry(db: Database, token: str | None, *,
                  now: datetime | None = None) -> datetime | None:
    """When the device holding ``token`` stops being signed in; None when it is not now.

    An unknown, malformed or expired token is not signed in. Notes when the
    device was last seen, at most once an hour, so that checking stays a
    read; a busy file skips the note rather than wait for it.
    """
    if not isinstance(token, str) or not _TOKEN.fullmatch(token):
        return None
    now = now or clock.utc_now()
    digest = token_hash(token)
    row = db.execute("SELECT expires_at, last_seen_at FROM devices WHERE token_hash = ?",
                     [digest]).fetchone()
    if row is None:
        return None
    expires = clock.from_iso(row[0])
    if expires <= now:
        return None
    if now - clock.from_iso(row[1]) >= SEEN_EVERY:
        try:
            db.execute("UPDATE devices SET last_seen_at = ? WHERE token_hash = ?",
                       [clock.to_iso(now), digest])
        except sqlite3.OperationalError:
            pass  # a note for later, not worth keeping anyone waiting
    return expires


def device_signed_in(db: Database, token: str | None, *, now: datetime | None = None) -> bool:
    """Whether the device holding ``token`` is signed in (known, not expired)."""
    return device_expiry(db, token, now=now) is not None


def sign_out_device(db: Database, token: str | None) -> bool:
    """Sign out the device holding ``token``; False when it was not signed in."""
    if not isinstance(token, str) or not _TOKEN.fullmatch(token):
        return False
    with fdb.transaction(db):
        return db.execute("DELETE FROM devices WHERE token_hash = ?",
                          [token_hash(token)]).rowcount > 0


def sign_out_everywhere(db: Database) -> int:
    """Sign out every device; returns how many were signed in."""
    with fdb.transaction(db):
        return db.execute("DELETE FROM devices").rowcount


def _judge(db: Database, password: str, client: str, now: datetime) -> int:
    """Wrong attempts in a row from ``client`` after this one (0: right), noted in the file.

    Call inside a transaction. Raises SignInRefused, noting nothing, when no
    password is set or the wait after the last wrong attempt is not over.
    """
    row = db.execute("SELECT password_hash FROM sign_in WHERE id = 1").fetchone()
    if row is None:
        raise SignInRefused("No password is set on this server.")
    db.execute("DELETE FROM sign_in_failures WHERE at <= ?",
               [clock.to_iso(now - FORGET_FAILURES_AFTER)])
    if wait := attempts(db, client, now=now).wait_seconds:
        raise TooSoon(f"Too many wrong passwords. Try again in {wait} s.", wait)
    if isinstance(password, str) and len(password) <= MAX_LENGTH and verify_password(row[0],
                                                                                     password):
        db.execute("DELETE FROM sign_in_failures WHERE client = ?", [client])
        return 0
    db.execute("INSERT INTO sign_in_failures (client, at) VALUES (?, ?)",
               [client, clock.to_iso(now)])
    return attempts(db, client, now=now).failures


def _client(client: str) -> str:
    """The address as counted: a stand-in when the server could not tell it."""
    return client[:64] if isinstance(client, str) and client else "unknown"


def _ceiling_wait(db: Database, now: datetime) -> int:
    """Seconds every address waits while the last hour holds the ceiling's wrong attempts."""
    since = clock.to_iso(now - CEILING_WINDOW)
    row = db.execute(
        "SELECT at FROM sign_in_failures WHERE at > ? ORDER BY at DESC LIMIT 1 OFFSET ?",
        [since, CEILING_PER_HOUR - 1]).fetchone()
    if row is None:
        return 0
    # Until the ceiling-th newest attempt leaves the window.
    until = clock.from_iso(row[0]) + CEILING_WINDOW
    return max(0, math.ceil((until - now).total_seconds()))


def _refuse_wrong(failures: int) -> None:
    # Raised only after the transaction has committed the count: raising
    # inside it would roll the wrong attempt back.
    if failures:
        wait = wait_after(failures)
        raise SignInRefused(f"Wrong password. You can try again in {wait} s.", wait)


@dataclass(frozen=True)
class Provider:
    """An identity provider signs people in: the account signed in there, and who may open."""

    email: str | None  # None: no account signed in
    allowed: tuple[str, ...]


def may_open(*, provider: Provider | None, password_set: bool,
             device_signed_in: Callable[[], bool]) -> bool:
    """Whether a browser may open FieldKit: the one rule every door asks.

    The pages' gate, the API, the sign-in page and Streamlit's own doors
    (uploads, media, the websocket) all call this. With an identity
    provider, its account must be an allowed one; otherwise, with a password
    set, the browser must be a signed-in device (``device_signed_in`` is
    asked only then: it may read the file). With neither, anyone may.
    """
    if provider is not None:
        return email_allowed(provider.email, provider.allowed)
    return not password_set or device_signed_in()


def email_allowed(email: str | None, allowed) -> bool:
    """Whether an account signed in through an identity provider may open FieldKit.

    ``allowed`` lists addresses (``me@example.com``) and whole domains
    (``@example.com``), compared without case. An empty list allows no one:
    a provider such as Google would otherwise let every account in.
    """
    if not email or "@" not in email:
        return False
    email = email.strip().lower()
    domain = email[email.rindex("@"):]
    wanted = {str(entry).strip().lower() for entry in allowed or ()}
    return email in wanted or domain in wanted


def is_local_address(address: str | None) -> bool:
    """Whether a server bound to ``address`` is reachable from this machine only.

    Streamlit listens on every interface when no address is given.
    """
    if not address or not address.strip():
        return False
    address = address.strip().strip("[]")
    if address.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def _remaining(failures: int, last_failure_at: str | None, now: datetime) -> int:
    if not failures or not last_failure_at:
        return 0
    until = clock.from_iso(last_failure_at) + timedelta(seconds=wait_after(failures))
    return max(0, math.ceil((until - now).total_seconds()))


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int, dklen: int = _DKLEN) -> bytes:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p,
                          maxmem=_MAXMEM, dklen=dklen)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
