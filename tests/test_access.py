"""The optional password: hashing, constant-time checks, growing waits."""

import sqlite3
from datetime import timedelta

import pytest

from fieldkit import access
from fieldkit.errors import ValidationError
from tests.factory import NOW

PASSWORD = "correct horse battery"


def _at(seconds: float):
    return NOW + timedelta(seconds=seconds)


def _refused(db, password, seconds):
    with pytest.raises(access.SignInRefused) as caught:
        access.sign_in(db, password, now=_at(seconds))
    return caught.value


def test_hash_password_stores_no_password_and_salts_each_hash():
    first, second = access.hash_password(PASSWORD), access.hash_password(PASSWORD)
    assert PASSWORD not in first
    assert first != second
    assert first.startswith("scrypt$")


@pytest.mark.parametrize(("candidate", "expected"), [
    (PASSWORD, True),
    (PASSWORD + " ", False),
    (PASSWORD.upper(), False),
    ("", False),
])
def test_verify_password_matches_only_the_same_password(candidate, expected):
    assert access.verify_password(access.hash_password(PASSWORD), candidate) is expected


@pytest.mark.parametrize("stored", [
    "", "plain", "md5$abc", "scrypt$1$2$3", "scrypt$32768$8$1$!!$!!",
    "scrypt$99999999999$8$1$AAAA$AAAA",  # parameters beyond the memory limit
])
def test_verify_password_malformed_hash_is_false_not_an_error(stored):
    assert access.verify_password(stored, PASSWORD) is False


def test_verify_password_uses_constant_time_comparison(monkeypatch):
    compared = []
    real = access.hmac.compare_digest
    monkeypatch.setattr(access.hmac, "compare_digest",
                        lambda a, b: compared.append((a, b)) or real(a, b))
    access.verify_password(access.hash_password(PASSWORD), "wrong password")
    assert len(compared) == 1


@pytest.mark.parametrize(("password", "message"), [
    ("short", "at least 8"),
    ("x" * 1025, "too long"),
    (" leading space", "space"),
    ("bad \udc80 surrogate", "cannot be stored"),
])
def test_set_password_refuses_bad_password_and_writes_nothing(db, password, message):
    with pytest.raises(ValidationError, match=message):
        access.set_password(db, password)
    assert access.password_stamp(db) is None


def test_set_password_keeps_only_the_hash(db):
    access.set_password(db, PASSWORD)
    stored = db.execute("SELECT password_hash FROM sign_in").fetchone()[0]
    assert access.verify_password(stored, PASSWORD)
    dump = "\n".join(db.conn.iterdump())
    assert PASSWORD not in dump


def test_sign_in_right_password_returns_the_stamp(db):
    access.set_password(db, PASSWORD)
    assert access.sign_in(db, PASSWORD, now=NOW) == access.password_stamp(db)


def test_sign_in_without_password_set_is_refused(db):
    assert _refused(db, PASSWORD, 0).wait_seconds == 0


def test_sign_in_wrong_passwords_wait_longer_each_time(db):
    access.set_password(db, PASSWORD)
    waits, seconds = [], 0
    for _ in range(5):
        waits.append(_refused(db, "wrong password", seconds).wait_seconds)
        seconds += waits[-1]
    assert waits == [1, 2, 4, 8, 16]
    assert access.attempts(db, now=_at(seconds)).failures == 5


def test_sign_in_during_the_wait_is_refused_even_when_right(db):
    access.set_password(db, PASSWORD)
    _refused(db, "wrong password", 0)
    _refused(db, "wrong password", 1)  # wait is now 2 s, from second 1
    refused = _refused(db, PASSWORD, 2)
    assert "Too many" in str(refused) and refused.wait_seconds == 1
    # A refused-unchecked attempt is not counted as another wrong one.
    assert access.attempts(db, now=_at(2)).failures == 2
    assert access.sign_in(db, PASSWORD, now=_at(3))


def test_sign_in_right_password_resets_the_count(db):
    access.set_password(db, PASSWORD)
    _refused(db, "wrong password", 0)
    access.sign_in(db, PASSWORD, now=_at(1))
    assert access.attempts(db, now=_at(1)) == access.Attempts(0, 0)
    assert _refused(db, "wrong again", 1).wait_seconds == 1


def test_sign_in_wrong_attempt_count_survives_a_new_connection(db):
    # The count lives in the file, not in one process or session.
    access.set_password(db, PASSWORD)
    _refused(db, "wrong password", 0)
    path = db.execute("PRAGMA database_list").fetchone()[2]
    other = sqlite3.connect(path)
    assert other.execute("SELECT failures FROM sign_in").fetchone()[0] == 1
    other.close()


def test_wait_after_is_capped():
    assert [access.wait_after(n) for n in (0, 1, 2, 3)] == [0, 1, 2, 4]
    assert access.wait_after(50) == access.MAX_WAIT_SECONDS


def test_new_password_changes_the_stamp_and_clear_removes_it(db):
    access.set_password(db, PASSWORD)
    first = access.password_stamp(db)
    access.set_password(db, PASSWORD)
    assert access.password_stamp(db) not in (None, first)
    assert access.clear_password(db) is True
    assert access.password_stamp(db) is None
    assert access.clear_password(db) is False


@pytest.mark.parametrize(("address", "local"), [
    ("127.0.0.1", True), ("localhost", True), ("::1", True), ("[::1]", True),
    ("127.0.0.5", True), (None, False), ("", False), ("0.0.0.0", False),
    ("192.168.1.20", False), ("::", False), ("fieldkit.example", False),
])
def test_is_local_address(address, local):
    assert access.is_local_address(address) is local


@pytest.mark.parametrize(("email", "allowed", "expected"), [
    ("me@work.example", ["me@work.example"], True),
    ("ME@work.example ", ["me@WORK.example"], True),
    ("colleague@work.example", ["@work.example"], True),
    ("me@work.example.evil", ["@work.example"], False),
    ("me@evil.example", ["me@work.example"], False),
    ("me@work.example", [], False),
    ("me@work.example", None, False),
    (None, ["me@work.example"], False),
    ("not-an-address", ["not-an-address"], False),
])
def test_email_allowed(email, allowed, expected):
    assert access.email_allowed(email, allowed) is expected
