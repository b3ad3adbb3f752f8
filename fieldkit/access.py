"""Who may open FieldKit: an optional password for a self-hosted server.

Only a salted scrypt hash is stored (``sign_in`` table, one row). A sign-in
attempt is judged inside one write transaction, so two tabs guessing at once
still count every wrong attempt; after each wrong one the next attempt must
wait longer (1, 2, 4 … 300 seconds), and is refused unchecked until then.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import math
import secrets
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


class SignInRefused(FieldkitError):
    """A sign-in attempt was refused: wrong password, or too soon after one."""

    def __init__(self, message: str, wait_seconds: int = 0):
        super().__init__(message)
        self.wait_seconds = wait_seconds


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
    """Store a new password's hash; wrong-attempt counts start again."""
    stored = hash_password(check_new_password(password))
    with fdb.transaction(db):
        db.execute(
            "INSERT INTO sign_in (id, password_hash, failures, last_failure_at, updated_at) "
            "VALUES (1, ?, 0, NULL, ?) ON CONFLICT (id) DO UPDATE SET "
            "password_hash = excluded.password_hash, failures = 0, "
            "last_failure_at = NULL, updated_at = excluded.updated_at",
            [stored, clock.now_iso()],
        )


def clear_password(db: Database) -> bool:
    """Remove the password: anyone who reaches the server may open FieldKit."""
    with fdb.transaction(db):
        return db.execute("DELETE FROM sign_in").rowcount > 0


def password_stamp(db: Database) -> str | None:
    """A short fingerprint of the stored hash, or None when no password is set.

    A signed-in session keeps the stamp it saw; a new password changes it and
    so signs every session out.
    """
    row = db.execute("SELECT password_hash FROM sign_in WHERE id = 1").fetchone()
    if row is None:
        return None
    return hashlib.sha256(row[0].encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Attempts:
    failures: int
    wait_seconds: int  # before the next attempt is looked at


def attempts(db: Database, *, now: datetime | None = None) -> Attempts:
    """Wrong attempts in a row and how long the next one must still wait."""
    row = db.execute("SELECT failures, last_failure_at FROM sign_in WHERE id = 1").fetchone()
    if row is None:
        return Attempts(0, 0)
    return Attempts(row[0], _remaining(row[0], row[1], now or clock.utc_now()))


def sign_in(db: Database, password: str, *, now: datetime | None = None) -> str:
    """Check ``password``; returns the password stamp on success.

    Raises SignInRefused for a wrong password (and counts it) or for an
    attempt made before the wait after the last wrong one is over (not
    checked, not counted).
    """
    now = now or clock.utc_now()
    with fdb.transaction(db):
        row = db.execute(
            "SELECT password_hash, failures, last_failure_at FROM sign_in WHERE id = 1"
        ).fetchone()
        if row is None:
            raise SignInRefused("No password is set on this server.")
        stored, failures, last_failure_at = row
        if wait := _remaining(failures, last_failure_at, now):
            raise SignInRefused(f"Too many wrong passwords. Try again in {wait} s.", wait)
        right = (isinstance(password, str) and len(password) <= MAX_LENGTH
                 and verify_password(stored, password))
        # The count is committed before the refusal is raised: raising inside
        # the transaction would roll the wrong attempt back.
        failures = 0 if right else failures + 1
        db.execute("UPDATE sign_in SET failures = ?, last_failure_at = ? WHERE id = 1",
                   [failures, None if right else clock.to_iso(now)])
    if not right:
        wait = wait_after(failures)
        raise SignInRefused(f"Wrong password. You can try again in {wait} s.", wait)
    return password_stamp(db)


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
