"""Voice memos: a short recording kept with a card instead of a typed note.

A memo is an attachment of kind ``voice_memo``. The browser's audio input
records WAV (16 kHz mono: 32 kB a second); other common recording formats
are accepted too, recognised by their first bytes, never by the name or
the type the upload claims.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from datetime import datetime

from sqlite_utils import Database

from fieldkit import clock
from fieldkit.db import transaction
from fieldkit.errors import NotFound, ValidationError

MAX_BYTES = 4 * 1024 * 1024  # about two minutes of the audio input's 16 kHz WAV
MAX_MINUTES = 2


@dataclass(frozen=True)
class Memo:
    mime: str
    data: bytes


def _mime(data: bytes) -> str | None:
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return "audio/wav"
    if data[:4] == b"OggS":
        return "audio/ogg"
    if data[:4] == b"\x1a\x45\xdf\xa3":
        return "audio/webm"
    if data[4:8] == b"ftyp":
        return "audio/mp4"
    if data[:3] == b"ID3" or (len(data) > 1 and data[0] == 0xFF and data[1] & 0xE0 == 0xE0):
        return "audio/mpeg"
    return None


def prepare(data: bytes) -> Memo:
    """A recording checked for size and kind; ValidationError says what is wrong."""
    if not data:
        raise ValidationError("Voice memo: the recording is empty.", field="memo")
    if len(data) > MAX_BYTES:
        raise ValidationError(
            f"Voice memo: the recording is {len(data) / 1048576:.1f} MB; at most "
            f"{MAX_BYTES // 1048576} MB (about {MAX_MINUTES} minutes). Record a shorter one.",
            field="memo")
    mime = _mime(data)
    if mime is None:
        raise ValidationError("Voice memo: this is not a recording FieldKit can play "
                              "(WAV, Ogg, WebM, MP4 or MP3).", field="memo")
    return Memo(mime, bytes(data))


def seconds(data: bytes) -> float | None:
    """How long a WAV recording lasts, from its header; None for other formats."""
    if _mime(data) != "audio/wav":
        return None
    pos, rate = 12, None
    while pos + 8 <= len(data):
        chunk, size = data[pos:pos + 4], struct.unpack("<I", data[pos + 4:pos + 8])[0]
        if chunk == b"fmt " and size >= 16:
            rate = struct.unpack("<I", data[pos + 16:pos + 20])[0] or None  # bytes a second
        elif chunk == b"data" and rate:
            return min(size, len(data) - pos - 8) / rate
        pos += 8 + size + (size & 1)
    return None


def store(db: Database, person_id: int, memo: Memo, now: datetime | None = None) -> int:
    """Keep a memo with a person (inside the caller's transaction, if any); its id."""
    return db.execute(
        "INSERT INTO attachments (person_id, kind, mime, bytes, data, created_at) "
        "VALUES (?, 'voice_memo', ?, ?, ?, ?)",
        [person_id, memo.mime, len(memo.data), memo.data, clock.to_iso(now or clock.utc_now())],
    ).lastrowid


def add(db: Database, person_id: int, data: bytes, now: datetime | None = None) -> int:
    """Check a recording and keep it with a person; returns the memo's id."""
    memo = prepare(data)
    with transaction(db):
        if db.execute("SELECT 1 FROM people WHERE id = ?", [person_id]).fetchone() is None:
            raise NotFound("This person no longer exists.")
        return store(db, person_id, memo, now)


def of(db: Database, person_id: int) -> list[dict]:
    """A person's memos, oldest first: id, mime, data, created_at."""
    cursor = db.execute(
        "SELECT id, mime, data, created_at FROM attachments "
        "WHERE person_id = ? AND kind = 'voice_memo' ORDER BY id", [person_id])
    keys = [d[0] for d in cursor.description]
    return [dict(zip(keys, row)) for row in cursor.fetchall()]


def delete(db: Database, person_id: int, memo_id: int) -> bool:
    """Delete one of a person's memos; False when it was already gone."""
    with transaction(db):
        return db.execute(
            "DELETE FROM attachments WHERE id = ? AND person_id = ? AND kind = 'voice_memo'",
            [memo_id, person_id]).rowcount > 0
