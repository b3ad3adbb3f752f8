"""Reading a mailbox over IMAP: read-only, headers only.

A ``Reader`` (from ``open_reader``) lists folders, opens them with EXAMINE
(read-only: the server changes no flag, \\Seen included), finds UIDs and
fetches each message's headers with ``BODY.PEEK[HEADER.FIELDS (...)]`` of
``mail_rules.HEADER_FIELDS`` and nothing more; of a bounce it may read the
delivery report part (message/delivery-status) with ``BODY.PEEK`` too, to
learn which address failed. Nothing here stores, moves, flags or deletes a
message; there is no method that could.

The protocol is IMAPClient's. What can go wrong on the way (a wrong
password, a TLS failure, a host that cannot be reached or found, a server
answering an error) becomes a ``MailboxError`` whose message is one line
the user can act on.
"""

from __future__ import annotations

import contextlib
import ipaddress
import re
import socket
import ssl
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timezone

import imapclient
from imapclient.exceptions import IMAPClientError, LoginError

from fieldkit import mail_rules
from fieldkit.errors import FieldkitError, ValidationError

SECURITY = {"ssl": "SSL/TLS", "starttls": "STARTTLS", "none": "None (this computer only)"}
SECURITY_SAID = {"ssl": "SSL/TLS", "starttls": "STARTTLS", "none": "unencrypted"}
DEFAULT_PORTS = {"ssl": 993, "starttls": 143, "none": 143}
CONNECT_SECONDS = 15
READ_SECONDS = 120
FETCH_CHUNK = 500  # UIDs per FETCH: one round trip per chunk, a bounded answer
REPORT_BYTES = 16_384  # of a bounce's delivery report: it names addresses in its first lines
HOST_LIMIT = 253
USER_LIMIT = 320
PASSWORD_LIMIT = 1024
FOLDER_LIMIT = 200
_FETCH_HEADERS = ("BODY.PEEK[HEADER.FIELDS (%s)]" % " ".join(
    name.upper() for name in mail_rules.HEADER_FIELDS)).encode()
_HOST = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                   r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$")


class MailboxError(FieldkitError):
    """The mailbox could not be reached or read; the message says why in one line."""


@dataclass(frozen=True)
class Account:
    """Where a mailbox is and how to reach it; the password is never part of it."""

    host: str
    port: int
    user: str
    security: str  # "ssl", "starttls" or "none"

    def describe(self) -> str:
        return f"{self.user} at {self.host}:{self.port} ({SECURITY_SAID[self.security]})"


def is_loopback(host: str) -> bool:
    """Whether ``host`` is this computer: localhost, 127.0.0.0/8 or ::1 (no name lookup)."""
    name = host.strip().rstrip(".").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name.strip("[]")).is_loopback
    except ValueError:
        return False


def _host(raw: object) -> str:
    host = raw.strip() if isinstance(raw, str) else ""
    if not host:
        raise ValidationError("Host: give the mail server's name, e.g. imap.gmail.com.",
                              field="host")
    bare = host.strip("[]")
    try:
        ipaddress.ip_address(bare)
        return bare
    except ValueError:
        pass
    if len(host) > HOST_LIMIT or not host.isascii() or not _HOST.match(host):
        raise ValidationError("Host: a server name such as imap.gmail.com, or an IP address.",
                              field="host")
    return host.rstrip(".").lower()


def account(host: object, port: object, user: object, security: object) -> Account:
    """A checked Account; ``port`` None or "" takes the security's usual port.

    ``none`` (no encryption) is accepted only for a server on this computer:
    a password sent in the clear over a network is a password given away.
    """
    if security not in SECURITY:
        raise ValidationError("Security: SSL/TLS, STARTTLS or none.", field="security")
    name = _host(host)
    if port in (None, ""):
        number = DEFAULT_PORTS[security]
    else:
        text = str(port).strip()
        if isinstance(port, bool) or not text.isdigit() or not 1 <= int(text) <= 65535:
            raise ValidationError("Port: a number from 1 to 65535 (993 for SSL/TLS, 143 for "
                                  "STARTTLS).", field="port")
        number = int(text)
    login = user.strip() if isinstance(user, str) else ""
    if not login or len(login) > USER_LIMIT or any(ch in login for ch in "\r\n\0"):
        raise ValidationError("User: the mailbox's login, usually your email address.",
                              field="user")
    if security == "none" and not is_loopback(name):
        raise ValidationError("Security: none is only for a server on this computer "
                              "(localhost); choose SSL/TLS or STARTTLS.", field="security")
    return Account(name, number, login, security)


def check_password(password: object) -> str:
    if (not isinstance(password, str) or not password or len(password) > PASSWORD_LIMIT
            or any(ch in password for ch in "\r\n\0")):
        raise ValidationError("Password: the mailbox's password (for Gmail, iCloud and "
                              "Fastmail an app password).", field="password")
    return password


def one_line(text: object, limit: int = 200) -> str:
    """``text`` (a server's answer, a folder's name) as one line of at most ``limit``."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[:limit - 1] + "…"


@contextlib.contextmanager
def _said(acct: Account) -> Iterator[None]:
    """Whatever fails on the way to and from the server, as one clear line."""
    where = f"{acct.host}:{acct.port}"
    try:
        yield
    except MailboxError:
        raise
    except LoginError:
        raise MailboxError(
            f"Wrong user name or password: {acct.host} refused {acct.user} (Gmail, iCloud and "
            "Fastmail need an app password).") from None
    except ssl.SSLCertVerificationError as exc:
        raise MailboxError(f"TLS failed: the certificate of {acct.host} is not trusted "
                           f"({one_line(exc.verify_message or exc.reason)}).") from None
    except ssl.SSLError as exc:
        raise MailboxError(
            f"TLS failed with {where} ({one_line(exc.reason or exc)}): check the port and "
            "security (SSL/TLS is usually port 993, STARTTLS 143).") from None
    except socket.gaierror:
        raise MailboxError(f"Cannot find the mail server {acct.host}: check the host "
                           "name.") from None
    except ConnectionRefusedError:
        raise MailboxError(f"Cannot reach {where}: the connection was refused (check the "
                           "host and port).") from None
    except (TimeoutError, socket.timeout):
        raise MailboxError(f"Cannot reach {where}: no answer in time.") from None
    except (IMAPClientError, imapclient.exceptions.IMAPClientAbortError) as exc:
        raise MailboxError(f"The mail server {acct.host} answered with an error: "
                           f"{one_line(exc)}") from None
    except (ConnectionError, EOFError) as exc:
        raise MailboxError(f"The connection to {where} broke off ({one_line(exc)}).") from None
    except OSError as exc:
        raise MailboxError(f"Cannot reach {where}: {one_line(exc.strerror or exc)}.") from None


@dataclass(frozen=True)
class Folder:
    name: str
    sent: bool  # marked \Sent (SPECIAL-USE)


@dataclass(frozen=True)
class Header:
    """One message's header block as the server sent it, and the server's date for it."""

    uid: int
    raw: bytes
    internal_date: datetime | None


class Reader:
    """A logged-in, read-only view of a mailbox (``open_reader`` makes one)."""

    def __init__(self, client: imapclient.IMAPClient, acct: Account):
        self._client = client
        self._account = acct

    def folders(self) -> list[Folder]:
        """Every folder the server lists, those marked \\Sent marked so."""
        with _said(self._account):
            listed = self._client.list_folders()
        found = []
        for flags, _, name in listed:
            # A name FieldKit could not send back safely is not read.
            if (not isinstance(name, str) or not name or len(name) > FOLDER_LIMIT
                    or any(ord(ch) < 32 or ord(ch) == 127 for ch in name)):
                continue
            marks = {f.lower() if isinstance(f, bytes) else str(f).encode().lower()
                     for f in flags}
            if b"\\noselect" in marks or b"\\nonexistent" in marks:
                continue
            found.append(Folder(name, b"\\sent" in marks))
        return found

    def status(self, folder: str) -> tuple[int, int]:
        """The folder's UIDVALIDITY and UIDNEXT, without opening it."""
        with _said(self._account):
            found = self._client.folder_status(folder, [b"UIDVALIDITY", b"UIDNEXT"])
        return int(found[b"UIDVALIDITY"]), int(found[b"UIDNEXT"])

    def examine(self, folder: str) -> tuple[int, int]:
        """Open ``folder`` read-only (EXAMINE); its UIDVALIDITY and UIDNEXT."""
        with _said(self._account):
            found = self._client.select_folder(folder, readonly=True)
        if b"READ-ONLY" not in found:  # never read from a folder opened for writing
            raise MailboxError(f"The mail server did not open {folder!r} read-only; "
                               "nothing was read.")
        return int(found[b"UIDVALIDITY"]), int(found.get(b"UIDNEXT", 0))

    def uids_since(self, day: date) -> list[int]:
        """UIDs of the open folder's messages the server dates on or after ``day``."""
        with _said(self._account):
            return sorted(self._client.search(["SINCE", day]))

    def uids_after(self, last_uid: int) -> list[int]:
        """UIDs of the open folder above ``last_uid``.

        ``UID n:*`` also answers the newest message when n is past it, so
        the answer is filtered.
        """
        with _said(self._account):
            found = self._client.search(["UID", f"{last_uid + 1}:*"])
        return sorted(uid for uid in found if uid > last_uid)

    def headers(self, uids: Iterable[int]) -> Iterator[Header]:
        """The header block of each message (HEADER.FIELDS only, BODY.PEEK), in chunks."""
        wanted = sorted(set(uids))
        for start in range(0, len(wanted), FETCH_CHUNK):
            chunk = wanted[start:start + FETCH_CHUNK]
            with _said(self._account):
                answer = self._client.fetch(chunk, [_FETCH_HEADERS, b"INTERNALDATE"])
            for uid in chunk:
                item = answer.get(uid)
                if item is None:  # expunged meanwhile
                    continue
                raw = next((v for k, v in item.items()
                            if k.startswith(b"BODY[HEADER.FIELDS") and isinstance(v, bytes)),
                           b"")
                when = item.get(b"INTERNALDATE")
                if isinstance(when, datetime) and when.tzinfo is None:
                    when = when.replace(tzinfo=timezone.utc)
                yield Header(uid, raw, when if isinstance(when, datetime) else None)

    def delivery_report(self, uid: int) -> bytes:
        """The start of a bounce's delivery report (message/delivery-status), or b""."""
        with _said(self._account):
            found = self._client.fetch([uid], [b"BODYSTRUCTURE"]).get(uid, {})
        part = _report_part(found.get(b"BODYSTRUCTURE"))
        if part is None:
            return b""
        item = f"BODY.PEEK[{part}]<0.{REPORT_BYTES}>".encode()
        with _said(self._account):
            found = self._client.fetch([uid], [item]).get(uid, {})
        return next((v for k, v in found.items()
                     if k.startswith(f"BODY[{part}]".encode()) and isinstance(v, bytes)), b"")


def _report_part(structure, prefix: str = "") -> str | None:
    """The part number ("2", "1.2") of a message/delivery-status part in a BODYSTRUCTURE."""
    try:
        if structure is None:
            return None
        if structure.is_multipart:
            for n, part in enumerate(structure[0], start=1):
                found = _report_part(part, f"{prefix}{n}.")
                if found:
                    return found
            return None
        kind = bytes(structure[0] or b"").lower(), bytes(structure[1] or b"").lower()
        if kind in ((b"message", b"delivery-status"), (b"message", b"global-delivery-status")):
            return prefix.rstrip(".") or "1"
    except (TypeError, IndexError, AttributeError):
        return None
    return None


def _client(acct: Account) -> imapclient.IMAPClient:
    timeout = imapclient.SocketTimeout(connect=CONNECT_SECONDS, read=READ_SECONDS)
    context = ssl.create_default_context()
    if acct.security == "ssl":
        client = imapclient.IMAPClient(acct.host, acct.port, ssl=True, ssl_context=context,
                                       timeout=timeout)
    else:
        client = imapclient.IMAPClient(acct.host, acct.port, ssl=False, timeout=timeout)
        if acct.security == "starttls":
            try:
                if not client.has_capability("STARTTLS"):
                    raise MailboxError(f"TLS failed: {acct.host}:{acct.port} does not offer "
                                       "STARTTLS.")
                client.starttls(context)
            except BaseException:
                client.shutdown()
                raise
    client.normalise_times = False  # aware datetimes, not the server machine's local time
    return client


def _login(client: imapclient.IMAPClient, user: str, password: str) -> None:
    # AUTHENTICATE PLAIN sends UTF-8; LOGIN only takes ASCII.
    if client.has_capability("AUTH=PLAIN"):
        client.plain_login(user, password)
    else:
        client.login(user, password)


@contextlib.contextmanager
def open_reader(acct: Account, password: str) -> Iterator[Reader]:
    """Connect, log in and hand out a read-only Reader; log out when the block ends.

    Raises MailboxError (one line: wrong password, TLS, unreachable, ...).
    """
    with _said(acct):
        client = _client(acct)
    try:
        with _said(acct):
            _login(client, acct.user, password)
        yield Reader(client, acct)
    finally:
        try:
            client.logout()
        except Exception:  # the connection may be gone already: nothing to tidy then
            with contextlib.suppress(Exception):
                client.shutdown()


def check_login(acct: Account, password: str) -> list[Folder]:
    """Log in and list the folders: raises MailboxError if the mailbox cannot be read."""
    with open_reader(acct, password) as reader:
        return reader.folders()
