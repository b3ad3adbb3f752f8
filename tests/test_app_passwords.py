"""App passwords: one per device, shown once, kept as a hash, revoked at once."""

import re
from datetime import timedelta

import pytest

from fieldkit import app_passwords
from fieldkit.errors import NotFound, ValidationError
from tests.factory import NOW, iso


def test_new_password_is_shown_once_and_only_its_hash_is_kept(db):
    made = app_passwords.new(db, "Ann's iPhone", now=NOW)
    assert made.username == "fieldkit" and made.name == "Ann's iPhone"
    assert re.fullmatch(r"([a-km-np-z2-9]{4}-){3}[a-km-np-z2-9]{4}", made.password)
    stored = db.execute("SELECT * FROM app_passwords").fetchall()
    assert made.password not in repr(stored)
    assert made.password.replace("-", "") not in repr(stored)
    assert [(p.name, p.created_at, p.last_used_at) for p in app_passwords.listed(db)] == [
        ("Ann's iPhone", iso(NOW), None)]


def test_passwords_are_random(db):
    made = {app_passwords.new(db, f"phone {n}").password for n in range(20)}
    assert len(made) == 20


@pytest.mark.parametrize("typed", [
    "{p}", "{p_upper}", "{p_spaced}", "{p_plain}", " {p} "])
def test_the_device_is_known_by_its_password_however_it_was_typed(db, typed):
    password = app_passwords.new(db, "Pixel").password
    variants = {"p": password, "p_upper": password.upper(),
                "p_spaced": password.replace("-", " "), "p_plain": password.replace("-", "")}
    assert app_passwords.device(db, "fieldkit", typed.format(**variants)) == "Pixel"


@pytest.mark.parametrize("username, password", [
    ("fieldkit", "wrong-wron-gwro-ngwr"), ("someone", None), ("", None), ("fieldkit", ""),
    (None, None), ("fieldkit", "x" * 201)])
def test_wrong_credentials_name_no_device(db, username, password):
    right = app_passwords.new(db, "Pixel").password
    assert app_passwords.device(db, username, right if password is None else password) is None


def test_a_revoked_password_names_no_device_at_once(db):
    password = app_passwords.new(db, "Pixel").password
    app_passwords.revoke(db, "Pixel")
    assert app_passwords.device(db, "fieldkit", password) is None
    assert app_passwords.listed(db) == []
    with pytest.raises(NotFound):
        app_passwords.revoke(db, "Pixel")


def test_last_used_is_noted_at_most_hourly(db):
    password = app_passwords.new(db, "Pixel", now=NOW).password
    app_passwords.device(db, "fieldkit", password, now=NOW)
    app_passwords.device(db, "fieldkit", password, now=NOW + timedelta(minutes=59))
    assert app_passwords.listed(db)[0].last_used_at == iso(NOW)
    app_passwords.device(db, "fieldkit", password, now=NOW + timedelta(minutes=61))
    assert app_passwords.listed(db)[0].last_used_at == iso(NOW + timedelta(minutes=61))


@pytest.mark.parametrize("name", ["", "   ", None, "x" * 61])
def test_a_device_needs_a_name_of_one_short_line(db, name):
    with pytest.raises(ValidationError):
        app_passwords.new(db, name)
    assert app_passwords.listed(db) == []


def test_one_password_per_device_name(db):
    app_passwords.new(db, "Pixel")
    with pytest.raises(ValidationError, match="already has"):
        app_passwords.new(db, "Pixel")
    assert len(app_passwords.listed(db)) == 1
