"""What a message in the mailbox means: pure functions over its headers.

``parse`` reads the few headers FieldKit asks the server for (``HEADER_FIELDS``)
into a ``Message``, whatever state they are in (malformed, wrongly encoded,
huge: a value that cannot be read counts as missing). ``meaning`` says what
the message is for the follow-up ladder:

- a **bounce** (``multipart/report; report-type=delivery-status``, or from
  MAILER-DAEMON) marks the addresses it names as bouncing and nothing else;
- **automated** mail logs nothing: ``Auto-Submitted`` other than ``no``,
  ``List-Id``, ``List-Unsubscribe``, ``Feedback-ID``, ``Precedence`` bulk,
  list or junk, an auto-reply header, an empty ``Return-Path``, a noreply-like
  sender, more than ``MAX_RECIPIENTS`` recipients;
- mail **from you** (in a Sent folder, or from one of your own addresses) to
  people you know is an email **attempt** with each of them;
- mail **from someone you know** is an email **dialog**; so is a reply to one
  of your messages (In-Reply-To, then References) from an address FieldKit
  does not know, when that message went to exactly one person you know;
- anything else (strangers, mail to no one you know) means nothing.

Addresses are compared without letter case (``address_key``).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from email.header import decode_header
from email.parser import HeaderParser
from email.policy import compat32
from email.utils import getaddresses, parsedate_to_datetime

# The headers FieldKit fetches (BODY.PEEK[HEADER.FIELDS (...)]); nothing else is read.
HEADER_FIELDS = (
    "From", "To", "Cc", "Bcc", "Date", "Message-ID", "In-Reply-To", "References", "Subject",
    "List-Id", "List-Unsubscribe", "Auto-Submitted", "Precedence", "Content-Type",
    "Feedback-ID", "Return-Path", "X-Failed-Recipients", "X-Autoreply", "X-Autorespond",
)
MAX_RECIPIENTS = 20  # more is a mailing, not a note to someone
MAX_HEADER_BYTES = 256 * 1024  # what a header block is read up to; beyond is junk
SUBJECT_LIMIT = 300
MESSAGE_ID_LIMIT = 500
REFERENCES_LIMIT = 50  # the newest ids of a long thread
ADDRESS_LIMIT = 320
ADDRESSES_KEPT = 4 * MAX_RECIPIENTS
ADDRESS_HEADER_LIMIT = ADDRESSES_KEPT * (ADDRESS_LIMIT + 80)  # characters of To, Cc or Bcc read
BULK_PRECEDENCE = ("bulk", "list", "junk")
# Local parts of senders no one answers: noreply@, no-reply@, donotreply@,
# notifications@, bounces+123@ ...
_NOREPLY = re.compile(
    r"^(?:.*no[-_.]?reply.*|.*do[-_.]?not[-_.]?reply.*|mailer[-_.]?daemon|postmaster|"
    r"bounces?(?:[-+_.].*)?|notifications?|notify|alerts?|automailer|auto[-_.]?confirm)$")
_MESSAGE_ID = re.compile(r"<[^<>\s]{1,%d}>" % (MESSAGE_ID_LIMIT - 2))
_CONTROL = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}


@dataclass(frozen=True)
class Message:
    """What FieldKit reads of one message: addresses lower-cased, text made safe."""

    sender: str | None  # the From address
    recipients: tuple[str, ...]  # To, Cc and Bcc, each once
    at: datetime | None  # its Date (else the server's date for it), aware UTC
    message_id: str  # "<...>", or one made from the headers when it has none
    replies_to: tuple[str, ...]  # In-Reply-To first, then References newest first
    subject: str | None
    automated: str | None  # why it is automated mail, or None
    bounce: bool
    failed: tuple[str, ...] = ()  # the addresses a bounce names


@dataclass(frozen=True)
class Meaning:
    """What a message does: an attempt or a dialog with people, a bounce, or nothing."""

    kind: str  # "attempt", "dialog", "bounce" or "nothing"
    people: tuple[int, ...] = ()  # attempt, dialog: whom
    addresses: tuple[str, ...] = ()  # bounce: which addresses bounced
    why: str = ""  # nothing: why not


def address_key(address: str | None) -> str | None:
    """An address as compared: without letter case, trimmed; None when it is no address."""
    if not address:
        return None
    text = address.strip().strip("<>").strip()
    if (not text or len(text) > ADDRESS_LIMIT or text.count("@") != 1 or text.startswith("@")
            or text.endswith("@") or any(ch.isspace() or ch in "<>,;\"" for ch in text)):
        return None
    if any(unicodedata.category(ch) in _CONTROL for ch in text):
        return None
    return text.casefold()


def _value(headers, name: str) -> str | None:
    values = headers.get_all(name) or []
    text = " ".join(str(v) for v in values if v is not None).strip()
    return text or None


def _addresses(values: Iterable[str]) -> list[str]:
    # Past MAX_RECIPIENTS a message is a mailing whoever is on it: a few
    # more are kept to tell so, not every one of a hostile header's thousands.
    found: dict[str, None] = {}
    try:
        pairs = getaddresses([v[:ADDRESS_HEADER_LIMIT] for v in values if v])
    except (TypeError, ValueError, IndexError):
        return []
    for _, address in pairs:
        key = address_key(address)
        if key:
            found[key] = None
            if len(found) > ADDRESSES_KEPT:
                break
    return list(found)


def _safe(text: str, limit: int) -> str | None:
    kept = "".join(" " if unicodedata.category(ch) in _CONTROL or ch in "\t\r\n" else ch
                   for ch in text)
    kept = " ".join(kept.split())[:limit].strip()
    return kept or None


def decode_text(raw: str | None, limit: int = SUBJECT_LIMIT) -> str | None:
    """A header's text with its encoded words (=?utf-8?q?...?=) decoded; never raises."""
    if not raw:
        return None
    parts = []
    try:
        for chunk, charset in decode_header(raw):
            if isinstance(chunk, bytes):
                try:
                    chunk = chunk.decode(charset or "ascii", "replace")
                except (LookupError, ValueError):
                    chunk = chunk.decode("latin-1", "replace")
            parts.append(chunk)
    except (ValueError, IndexError, AssertionError, TypeError):
        parts = [raw]
    return _safe("".join(parts), limit)


def _when(raw: str | None, fallback: datetime | None) -> datetime | None:
    moment = None
    if raw:
        try:
            moment = parsedate_to_datetime(raw)
        except (TypeError, ValueError, IndexError, OverflowError):
            moment = None
    if moment is None:
        moment = fallback
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    try:
        return moment.astimezone(timezone.utc).replace(microsecond=0)
    except (OverflowError, ValueError):
        return None


def _ids(raw: str | None) -> list[str]:
    return _MESSAGE_ID.findall(raw or "")


def _content_type(raw: str | None) -> tuple[str, dict[str, str]]:
    if not raw:
        return "", {}
    kind, *params = raw.split(";")
    found = {}
    for param in params:
        name, _, value = param.partition("=")
        found[name.strip().lower()] = value.strip().strip('"').lower()
    return kind.strip().lower(), found


def _local_part(address: str | None) -> str:
    return address.rsplit("@", 1)[0] if address else ""


def _automated(headers, sender: str | None, recipients: list[str]) -> str | None:
    auto = _value(headers, "Auto-Submitted")
    if auto and auto.split(";")[0].strip().lower() != "no":
        return "Auto-Submitted"
    for name in ("List-Id", "List-Unsubscribe", "Feedback-ID", "X-Autoreply", "X-Autorespond"):
        if _value(headers, name):
            return name
    precedence = (_value(headers, "Precedence") or "").lower()
    if precedence in BULK_PRECEDENCE:
        return f"Precedence: {precedence}"
    return_path = _value(headers, "Return-Path")
    if return_path is not None and return_path.replace(" ", "") == "<>":
        return "empty Return-Path"
    if sender and _NOREPLY.match(_local_part(sender)):
        return "noreply sender"
    if len(recipients) > MAX_RECIPIENTS:
        return f"more than {MAX_RECIPIENTS} recipients"
    return None


def parse(raw: bytes, internal_date: datetime | None = None) -> Message:
    """The headers FieldKit reads of one message, from the bytes the server sent.

    ``internal_date`` (the server's date for the message) stands in for a
    missing or unreadable Date. Bytes that are not UTF-8 are replaced, a
    header block past MAX_HEADER_BYTES is cut: nothing raises.
    """
    text = bytes(raw[:MAX_HEADER_BYTES]).decode("utf-8", "replace").replace("\x00", "")
    headers = HeaderParser(policy=compat32).parsestr(text, headersonly=True)
    froms = _addresses(headers.get_all("From") or [])
    sender = froms[0] if froms else None
    recipients = _addresses([*(headers.get_all("To") or []), *(headers.get_all("Cc") or []),
                             *(headers.get_all("Bcc") or [])])
    ids = _ids(_value(headers, "Message-ID"))
    subject = decode_text(_value(headers, "Subject"))
    date = _value(headers, "Date")
    if ids:
        message_id = ids[0]
    else:  # the same message in two folders must still be one
        seed = "\n".join(str(v) for v in (sender, recipients, date, subject))
        message_id = f"<{hashlib.sha256(seed.encode()).hexdigest()[:32]}@no-message-id.fieldkit>"
    references = list(reversed(_ids(_value(headers, "References"))))
    replies = []
    for ref in [*_ids(_value(headers, "In-Reply-To")), *references][:REFERENCES_LIMIT]:
        if ref not in replies and ref != message_id:
            replies.append(ref)
    kind, params = _content_type(_value(headers, "Content-Type"))
    bounce = ((kind == "multipart/report" and params.get("report-type") == "delivery-status")
              or re.sub(r"[-_.]", "", _local_part(sender)) == "mailerdaemon")
    return Message(
        sender=sender, recipients=tuple(recipients), at=_when(date, internal_date),
        message_id=message_id, replies_to=tuple(replies), subject=subject,
        automated=None if bounce else _automated(headers, sender, recipients), bounce=bounce,
        failed=tuple(_addresses(headers.get_all("X-Failed-Recipients") or [])))


def failed_recipients(report: bytes) -> tuple[str, ...]:
    """The addresses a delivery report (message/delivery-status, RFC 3464) says failed."""
    text = bytes(report[:MAX_HEADER_BYTES]).decode("utf-8", "replace")
    found = []
    for block in re.split(r"\r?\n\s*\r?\n", text):
        fields: dict[str, str] = {}
        for line in block.splitlines():
            name, sep, value = line.partition(":")
            if sep and name.strip():
                fields.setdefault(name.strip().lower(), value.strip())
        if fields.get("action", "").lower() != "failed":
            continue
        recipient = fields.get("final-recipient") or fields.get("original-recipient") or ""
        key = address_key(recipient.split(";", 1)[-1])
        if key and key not in found:
            found.append(key)
    return tuple(found)


def with_failed(message: Message, addresses: Iterable[str]) -> Message:
    """The message with more bounced addresses (read from its delivery report)."""
    return replace(message, failed=tuple(dict.fromkeys([*message.failed, *addresses])))


def meaning(message: Message, *, in_sent: bool, own: Collection[str],
            people_of: Mapping[str, Iterable[int]],
            people_of_message: Callable[[str], Iterable[int]]) -> Meaning:
    """What ``message`` means for the ladder.

    ``in_sent``: it lies in a Sent folder; ``own``: your addresses (the
    mailbox's and your aliases, as ``address_key`` gives them);
    ``people_of``: the people each known address belongs to;
    ``people_of_message(message_id)``: whom one of your messages went to.
    """
    if message.bounce:
        return Meaning("bounce", addresses=message.failed)
    if message.automated:
        return Meaning("nothing", why=f"automated ({message.automated})")
    if in_sent or message.sender in own:
        people = _people([r for r in message.recipients if r not in own], people_of)
        if not people:
            return Meaning("nothing", why="from you, to no one you know")
        return Meaning("attempt", people=people)
    if message.sender is None:
        return Meaning("nothing", why="no sender")
    people = _people([message.sender], people_of)
    if people:
        return Meaning("dialog", people=people)
    for ref in message.replies_to:
        answered = tuple(dict.fromkeys(people_of_message(ref)))
        if len(answered) == 1:
            return Meaning("dialog", people=answered)
        if answered:
            break  # a reply to a message to several people: whose address is it?
    return Meaning("nothing", why="from someone you do not know")


def _people(addresses: Iterable[str], people_of: Mapping[str, Iterable[int]]) -> tuple[int, ...]:
    found: dict[int, None] = {}
    for address in addresses:
        for person_id in people_of.get(address, ()):
            found[person_id] = None
    return tuple(found)
