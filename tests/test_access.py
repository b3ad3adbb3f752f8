"""The optional password: hashing, constant-time checks, growing waits, signed-in devices."""

import hashlib
import sqlite3
from datetime import timedelta

import pytest

from fieldkit import access
from fieldkit.errors import ValidationError
from tests.factory import NOW

PASSWORD = "correct horse battery"
CLIENT = "192.0.2.10"  # the address the attempts come from
OWNER = "198.51.100.7"


def _at(seconds: float):
    return NOW + timedelta(seconds=seconds)


def _refused(db, password, seconds, client=CLIENT):
    with pytest.raises(access.SignInRefused) as caught:
        access.sign_in_device(db, password, client=client, now=_at(seconds))
    return caught.value


def _devices(db):
    return db.execute("SELECT token_hash, created_at, expires_at, last_seen_at FROM devices "
                      "ORDER BY id").fetchall()


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


def test_sign_in_device_keeps_only_the_hash_of_its_token(db):
    access.set_password(db, PASSWORD)
    token = access.sign_in_device(db, PASSWORD, client=CLIENT, now=NOW)
    assert len(token) == 43
    assert _devices(db) == [(hashlib.sha256(token.encode()).hexdigest(), "2026-03-10T14:00:00Z",
                             "2026-04-09T14:00:00Z", "2026-03-10T14:00:00Z")]
    assert token not in "\n".join(db.conn.iterdump())


def test_sign_in_device_each_sign_in_is_a_new_device(db):
    access.set_password(db, PASSWORD)
    first = access.sign_in_device(db, PASSWORD, client=CLIENT, now=NOW)
    second = access.sign_in_device(db, PASSWORD, client=CLIENT, now=NOW)
    assert first != second
    assert len(_devices(db)) == 2


def test_sign_in_device_lasts_the_days_given(db):
    access.set_password(db, PASSWORD)
    token = access.sign_in_device(db, PASSWORD, client=CLIENT, now=NOW, days=2)
    assert access.device_expiry(db, token, now=NOW) == NOW + timedelta(days=2)
    assert access.device_signed_in(db, token, now=_at(2 * 86400 - 1)) is True
    assert access.device_signed_in(db, token, now=_at(2 * 86400)) is False


def test_sign_in_device_drops_expired_devices(db):
    access.set_password(db, PASSWORD)
    access.sign_in_device(db, PASSWORD, client=CLIENT, now=NOW, days=1)
    kept = access.sign_in_device(db, PASSWORD, client=CLIENT, now=_at(3600), days=1)
    access.sign_in_device(db, PASSWORD, client=CLIENT, now=_at(86400), days=1)
    assert len(_devices(db)) == 2
    assert access.device_signed_in(db, kept, now=_at(86400)) is True


def test_sign_in_device_without_password_set_is_refused(db):
    assert _refused(db, PASSWORD, 0).wait_seconds == 0
    assert _devices(db) == []


def test_sign_in_device_wrong_password_adds_no_device(db):
    access.set_password(db, PASSWORD)
    _refused(db, "wrong password", 0)
    assert _devices(db) == []


@pytest.mark.parametrize("token", [
    None, "", "short", "x" * 43 + "y", "!" * 43, "é" * 43, 42,
    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",  # well formed, never handed out
])
def test_device_signed_in_unknown_or_malformed_token_is_false(db, token):
    access.set_password(db, PASSWORD)
    access.sign_in_device(db, PASSWORD, client=CLIENT, now=NOW)
    assert access.device_signed_in(db, token, now=NOW) is False
    assert access.device_expiry(db, token, now=NOW) is None


def test_device_signed_in_notes_last_seen_at_most_once_an_hour(db):
    access.set_password(db, PASSWORD)
    token = access.sign_in_device(db, PASSWORD, client=CLIENT, now=NOW)
    seen = []
    for seconds in (0, 1800, 3599, 3600, 5400, 7199, 7200):
        assert access.device_signed_in(db, token, now=_at(seconds)) is True
        seen.append(_devices(db)[0][3])
    assert seen == ["2026-03-10T14:00:00Z"] * 3 + ["2026-03-10T15:00:00Z"] * 3 + [
        "2026-03-10T16:00:00Z"]


def test_device_signed_in_within_the_hour_writes_nothing(db):
    access.set_password(db, PASSWORD)
    token = access.sign_in_device(db, PASSWORD, client=CLIENT, now=NOW)
    before = db.conn.total_changes
    assert access.device_signed_in(db, token, now=_at(3599)) is True
    assert db.conn.total_changes == before


def test_sign_out_device_signs_out_that_device_only(db):
    access.set_password(db, PASSWORD)
    mine = access.sign_in_device(db, PASSWORD, client=CLIENT, now=NOW)
    other = access.sign_in_device(db, PASSWORD, client=CLIENT, now=NOW)
    assert access.sign_out_device(db, mine) is True
    assert access.device_signed_in(db, mine, now=NOW) is False
    assert access.device_signed_in(db, other, now=NOW) is True
    assert access.sign_out_device(db, mine) is False
    assert access.sign_out_device(db, None) is False


def test_sign_out_everywhere_signs_out_every_device(db):
    access.set_password(db, PASSWORD)
    tokens = [access.sign_in_device(db, PASSWORD, client=CLIENT, now=NOW) for _ in range(3)]
    assert access.sign_out_everywhere(db) == 3
    assert [access.device_signed_in(db, t, now=NOW) for t in tokens] == [False] * 3
    assert access.password_stamp(db) is not None  # the password stays
    assert access.sign_out_everywhere(db) == 0


@pytest.mark.parametrize("change", [
    lambda db: access.set_password(db, "another good password"),
    lambda db: access.set_password(db, PASSWORD),
    access.clear_password,
], ids=["new_password", "same_password_again", "cleared"])
def test_password_change_signs_every_device_out(db, change):
    access.set_password(db, PASSWORD)
    token = access.sign_in_device(db, PASSWORD, client=CLIENT, now=NOW)
    change(db)
    assert _devices(db) == []
    assert access.device_signed_in(db, token, now=NOW) is False


def test_sign_in_device_wrong_passwords_wait_longer_each_time(db):
    access.set_password(db, PASSWORD)
    waits, seconds = [], 0
    for _ in range(5):
        waits.append(_refused(db, "wrong password", seconds).wait_seconds)
        seconds += waits[-1]
    assert waits == [1, 2, 4, 8, 16]
    assert access.attempts(db, CLIENT, now=_at(seconds)).failures == 5


def test_sign_in_device_during_the_wait_is_refused_even_when_right(db):
    access.set_password(db, PASSWORD)
    _refused(db, "wrong password", 0)
    _refused(db, "wrong password", 1)  # wait is now 2 s, from second 1
    refused = _refused(db, PASSWORD, 2)
    assert str(refused) == "Too many wrong passwords. Try again in 1 s."
    assert refused.wait_seconds == 1
    # A refused-unchecked attempt is not counted as another wrong one.
    assert access.attempts(db, CLIENT, now=_at(2)).failures == 2
    assert _devices(db) == []
    token = access.sign_in_device(db, PASSWORD, client=CLIENT, now=_at(3))
    assert access.device_signed_in(db, token, now=_at(3)) is True


def test_sign_in_device_right_password_resets_the_count(db):
    access.set_password(db, PASSWORD)
    _refused(db, "wrong password", 0)
    access.sign_in_device(db, PASSWORD, client=CLIENT, now=_at(1))
    assert access.attempts(db, CLIENT, now=_at(1)) == access.Attempts(0, 0)
    assert _refused(db, "wrong again", 1).wait_seconds == 1


def test_sign_in_device_wrong_attempt_count_survives_a_new_connection(db):
    # The count lives in the file, not in one process or tab.
    access.set_password(db, PASSWORD)
    message = str(_refused(db, "wrong password", 0))
    assert message == "Wrong password. You can try again in 1 s."
    path = db.execute("PRAGMA database_list").fetchone()[2]
    other = sqlite3.connect(path)
    assert other.execute("SELECT client FROM sign_in_failures").fetchall() == [(CLIENT,)]
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


def _guess_as_fast_as_allowed(db, client, until_seconds):
    """Wrong passwords from ``client``, each as soon as its wait is over; how many were tried."""
    seconds, tried = 0, 0
    while seconds < until_seconds:
        seconds += _refused(db, "wrong password", seconds, client).wait_seconds
        tried += 1
    return tried


def test_a_guesser_at_one_address_does_not_keep_the_owner_out(db):
    access.set_password(db, PASSWORD)
    hours = 2 * 3600
    tried = _guess_as_fast_as_allowed(db, CLIENT, hours)
    assert tried >= 25  # the guesser kept guessing, its waits capped at 300 s
    # One address's hour is far from the server-wide ceiling.
    assert tried < access.CEILING_PER_HOUR / 5
    assert access.attempts(db, CLIENT, now=_at(hours)).wait_seconds > 0
    assert access.attempts(db, OWNER, now=_at(hours)) == access.Attempts(0, 0)
    token = access.sign_in_device(db, PASSWORD, client=OWNER, now=_at(hours))
    assert access.device_signed_in(db, token, now=_at(hours))
    # The guesser still waits, right password or not.
    assert isinstance(_refused(db, PASSWORD, hours), access.TooSoon)


def test_a_right_password_clears_only_its_own_address(db):
    access.set_password(db, PASSWORD)
    _refused(db, "wrong password", 0)
    _refused(db, "wrong password", 0, OWNER)
    access.sign_in_device(db, PASSWORD, client=OWNER, now=_at(1))
    assert access.attempts(db, OWNER, now=_at(1)).failures == 0
    assert access.attempts(db, CLIENT, now=_at(1)).failures == 1


def test_many_addresses_together_reach_the_ceiling_and_everyone_waits(db, monkeypatch):
    monkeypatch.setattr(access, "CEILING_PER_HOUR", 30)  # each wrong password costs a hash
    access.set_password(db, PASSWORD)
    for n in range(30):
        _refused(db, "wrong password", n, f"203.0.113.{n}")
    refused = _refused(db, PASSWORD, 30, OWNER)
    assert isinstance(refused, access.TooSoon)
    # The ceiling holds until its oldest attempt is an hour old, then the owner gets in.
    assert refused.wait_seconds == 3600 - 30
    later = 3600 + 1
    token = access.sign_in_device(db, PASSWORD, client=OWNER, now=_at(later))
    assert access.device_signed_in(db, token, now=_at(later))


def test_wrong_passwords_are_forgotten_after_a_day(db):
    access.set_password(db, PASSWORD)
    for seconds in (0, 1, 3):
        _refused(db, "wrong password", seconds)
    day = access.FORGET_FAILURES_AFTER.total_seconds()
    assert access.attempts(db, CLIENT, now=_at(day + 4)) == access.Attempts(0, 0)
    assert _refused(db, "wrong password", day + 4).wait_seconds == 1


def test_guessers_lists_addresses_busiest_first_and_clear_failures_forgets_them(db):
    access.set_password(db, PASSWORD)
    _refused(db, "wrong password", 0)
    _refused(db, "wrong password", 1)
    _refused(db, "wrong password", 0, OWNER)
    found = access.guessers(db, now=_at(2))
    assert [(g.client, g.failures) for g in found] == [(CLIENT, 2), (OWNER, 1)]
    assert found[0].wait_seconds == 1 and found[1].wait_seconds == 0
    assert access.clear_failures(db) == 3
    assert access.guessers(db, now=_at(2)) == []
    token = access.sign_in_device(db, PASSWORD, client=CLIENT, now=_at(2))
    assert access.device_signed_in(db, token, now=_at(2))


def test_a_new_password_forgets_the_wrong_ones(db):
    access.set_password(db, PASSWORD)
    _refused(db, "wrong password", 0)
    access.set_password(db, "another good password")
    assert access.guessers(db, now=_at(0)) == []


@pytest.mark.parametrize(("provider", "password_set", "device", "expected"), [
    (None, False, False, True),  # nothing set up: anyone
    (None, True, False, False),
    (None, True, True, True),
    (access.Provider("me@example.org", ("me@example.org",)), True, False, True),
    (access.Provider("me@example.org", ("@example.org",)), False, False, True),
    (access.Provider("you@example.net", ("me@example.org",)), False, True, False),
    (access.Provider(None, ("me@example.org",)), False, True, False),
    (access.Provider("me@example.org", ()), False, True, False),  # an empty list: nobody
])
def test_may_open_is_one_rule_for_every_door(provider, password_set, device, expected):
    asked = []

    def device_signed_in():
        asked.append(1)
        return device

    assert access.may_open(provider=provider, password_set=password_set,
                           device_signed_in=device_signed_in) is expected
    # The device is looked up only when the password decides.
    assert asked == ([1] if provider is None and password_set else [])
