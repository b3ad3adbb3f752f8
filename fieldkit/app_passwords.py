"""App passwords: one per phone or computer that syncs FieldKit's contacts and calendar.

The phone's own Contacts and Calendar reach FieldKit over CardDAV and CalDAV
(fieldkit.web.dav) with HTTP Basic: the account's username (``USERNAME``)
and an app password, never the sign-in password and never a device cookie.
Each app password has a name (the device it is for), is shown once when it
is made, and is stored only as a sha256: it is 80 random bits, so there is
nothing a salt or a slow hash would protect, and a check is one look-up.
Revoking one refuses its device at its next request.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlite_utils import Database

from fieldkit import clock, normalise
from fieldkit.db import transaction
from fieldkit.errors import NotFound, ValidationError

USERNAME = "fieldkit"  # the one account; the password says which device
# Letters and digits that cannot be mistaken for one another when typed
# from a screen into a phone's settings (no l, 1, o, 0).
ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"
GROUPS, GROUP_LENGTH = 4, 4  # xxxx-xxxx-xxxx-xxxx: 16 of 32 symbols, 80 bits
NAME_LIMIT = 60
# last_used_at is written at most this often: a sync makes many requests.
USED_EVERY = timedelta(hours=1)


@dataclass(frozen=True)
class AppPassword:
    """One device's app password as Settings lists it (never the password itself)."""

    name: str
    created_at: str
    last_used_at: str | None


@dataclass(frozen=True)
class NewPassword:
    """A password just made: the only time it can be read."""

    name: str
    username: str
    password: str


def make_password() -> str:
    """A new random app password: four groups of four letters and digits."""
    symbols = "".join(secrets.choice(ALPHABET) for _ in range(GROUPS * GROUP_LENGTH))
    return "-".join(symbols[i:i + GROUP_LENGTH] for i in range(0, len(symbols), GROUP_LENGTH))


def password_hash(password: str) -> str:
    """What the file keeps of an app password. Spaces and dashes are the reader's, not
    the password's: a phone that got "abcd efgh ..." typed in still signs in."""
    plain = "".join(password.split()).replace("-", "").lower()
    return hashlib.sha256(plain.encode("utf-8", "surrogatepass")).hexdigest()


def check_name(name: object) -> str:
    """A device's name as kept: one line, at most NAME_LIMIT characters."""
    text = normalise.text(name, "name", label="Device name", limit=NAME_LIMIT)
    if text is None:
        raise ValidationError("Device name: say which phone or computer it is for.",
                              field="name")
    return text


def new(db: Database, name: object, *, now: datetime | None = None) -> NewPassword:
    """Make an app password for the device ``name``; the password is returned only here.

    Raises ValidationError when the name is empty, too long, or already has one.
    """
    name = check_name(name)
    password = make_password()
    with transaction(db):
        if db.execute("SELECT 1 FROM app_passwords WHERE name = ?", [name]).fetchone():
            raise ValidationError(f"Device name: {normalise.quoted(name)} already has an app "
                                  "password; revoke it first or choose another name.",
                                  field="name")
        db.execute("INSERT INTO app_passwords (name, password_hash, created_at) VALUES (?, ?, ?)",
                   [name, password_hash(password), clock.to_iso(now or clock.utc_now())])
    return NewPassword(name, USERNAME, password)


def listed(db: Database) -> list[AppPassword]:
    """Every app password, oldest first: name, when made, when last used."""
    return [AppPassword(*row) for row in db.execute(
        "SELECT name, created_at, last_used_at FROM app_passwords ORDER BY created_at, id")]


def revoke(db: Database, name: str) -> None:
    """Revoke the app password of device ``name``: its next request is refused."""
    with transaction(db):
        if not db.execute("DELETE FROM app_passwords WHERE name = ?", [name]).rowcount:
            raise NotFound(f"No app password is named {normalise.quoted(name)}.")


def device(db: Database, username: object, password: object, *,
           now: datetime | None = None) -> str | None:
    """The name of the device these credentials are for, or None when they are wrong.

    Notes when the device was last seen, at most once an hour, so that a
    sync's many requests stay reads.
    """
    if (not isinstance(username, str) or not isinstance(password, str)
            or username.strip().lower() != USERNAME or len(password) > 200):
        return None
    digest = password_hash(password)
    row = db.execute("SELECT name, last_used_at FROM app_passwords WHERE password_hash = ?",
                     [digest]).fetchone()
    if row is None:
        return None
    name, last_used = row
    now = now or clock.utc_now()
    if last_used is None or now - clock.from_iso(last_used) >= USED_EVERY:
        db.execute("UPDATE app_passwords SET last_used_at = ? WHERE password_hash = ?",
                   [clock.to_iso(now), digest])
    return name


def any_made(db: Database) -> bool:
    """Whether any device has an app password (without one, nothing syncs)."""
    return db.execute("SELECT 1 FROM app_passwords LIMIT 1").fetchone() is not None
