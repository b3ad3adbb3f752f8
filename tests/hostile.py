"""Helpers for the hostile-input tests: nasty values, and a check that a failure is clean.

A core call given hostile input either succeeds or raises a FieldkitError
whose message is one readable line; when it raises, the database file is
byte-for-byte what it was before the call.
"""

import hashlib
import os
import re
from datetime import datetime, timezone
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from fieldkit.errors import FieldkitError

# One database serves every example of a test (it is fingerprinted around
# each call), so the function-scoped fixture is deliberate. CI runs the same
# examples every time; locally each run explores new ones.
settings.register_profile(
    "hostile", deadline=None, max_examples=60, derandomize=os.environ.get("CI") == "true",
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                           HealthCheck.data_too_large],
)
HOSTILE = settings.get_profile("hostile")
FEW = settings(HOSTILE, max_examples=15)

# When the hostile writes happen: the afternoon of the anchored sample's day.
NOW = datetime(2026, 11, 22, 15, 0, tzinfo=timezone.utc)

# Pieces that have broken parsers before: quotes, FTS and format syntax,
# markup, bidi and zero-width characters, escapes, NUL, a lone surrogate.
NASTY = [
    '"', "'", "`", "\\", "*", "^", ":", "(", ")", "[", "]", "{", "}", "{{", "%s", "${x}",
    "AND", "OR", "NOT", "NEAR(", "-", "+", "@", "#", ";", ",", "\x00", "\ufeff", "\u202e",
    "\u200b", "\u00ad", "\u2028", "\r\n", "\t", "\x1b[31m", "../", "<script>", "![x](http://e/x)",
    "javascript:", "💥", "👩\u200d💻", "e\u0301", "ǅ", "Ⅷ", "²", "_", "İ", "ß", "\ud800",
    "linkedin.com/in/", "https://", "mailto:", "tel:", "+49", "0" * 30,
]

nasty_piece = st.sampled_from(NASTY)
# Text as typed or pasted: any code points (surrogates too), nasty pieces
# mixed in, and now and then something very long.
hostile_text = st.one_of(
    st.text(),
    st.text(st.characters(codec=None)),
    st.lists(st.one_of(nasty_piece, st.text(max_size=5)), max_size=12).map("".join),
    st.builds(lambda piece, n: piece * n, st.one_of(nasty_piece, st.text(min_size=1, max_size=3)),
              st.integers(100, 20_000)),
)
maybe_text = st.one_of(st.none(), hostile_text)
# What a form or a hand-edited request could hand the core instead of text.
odd_value = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), st.just(""),
    st.lists(st.text(max_size=5), max_size=3), hostile_text,
)

_REPR_NOISE = re.compile(
    r"Traceback|File \"|<[\w.]+ object at 0x|\\x[0-9a-fA-F]{2}|\\u[0-9a-fA-F]{4}"
    r"|\\U[0-9a-fA-F]{8}|\bb'|\bb\"|\b\w+(Error|Exception)\(")
MAX_MESSAGE = 400


def assert_clear(exc: BaseException) -> None:
    """The message of ``exc`` is one short readable line, with no Python noise."""
    message = str(exc)
    assert message.strip(), f"empty message from {type(exc).__name__}"
    assert "\n" not in message and "\r" not in message, f"not one line: {message[:200]!r}"
    assert len(message) <= MAX_MESSAGE, f"{len(message):,} characters: {message[:200]!r}"
    assert not _REPR_NOISE.search(message), f"Python noise: {message!r}"


def file_of(db) -> Path:
    (path,) = [file for _, name, file in db.execute("PRAGMA database_list") if name == "main"]
    return Path(path)


def fingerprint(db) -> str:
    """The hash of the database file with every committed write in it.

    The WAL is checkpointed and truncated first, so the main file alone
    holds the database and two equal hashes mean byte-for-byte equal files.
    """
    busy, _, _ = db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    assert busy == 0, "the WAL could not be checkpointed"
    path = file_of(db)
    wal = Path(f"{path}-wal")
    assert not wal.exists() or wal.stat().st_size == 0
    return hashlib.sha256(path.read_bytes()).hexdigest()


def attempt(db, call, *args, **kwargs):
    """``call(*args, **kwargs)``: its result, or None after a clean FieldkitError.

    Any other exception propagates (and fails the test); a FieldkitError
    must leave the database file exactly as it was.
    """
    before = fingerprint(db)
    try:
        return call(*args, **kwargs)
    except FieldkitError as exc:
        assert_clear(exc)
        assert not db.conn.in_transaction, "a transaction was left open"
        assert fingerprint(db) == before, f"the database changed although {exc} was raised"
        return None
