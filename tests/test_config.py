"""fieldkit.config: where the database lives, and every setting's rules."""

import json
from datetime import time
from pathlib import Path

import pytest

import fieldkit.db
from fieldkit import config
from fieldkit.errors import SettingError
from fieldkit.kinds import PERSON_KINDS
from tests.factory import STAMP


def _store_raw(db, name, text):
    db.table("settings").insert({"name": name, "value": text, "updated_at": STAMP})


def _stored(db):
    return {
        name: json.loads(value)
        for name, value in db.execute("SELECT name, value FROM settings").fetchall()
    }


# --- database_path -----------------------------------------------------------


@pytest.mark.parametrize(
    "environ, expected",
    [
        ({"FIELDKIT_DB": "/srv/fieldkit/main.db"}, Path("/srv/fieldkit/main.db")),
        ({"FIELDKIT_DB": "  /srv/fieldkit/main.db \n"}, Path("/srv/fieldkit/main.db")),
        ({"FIELDKIT_DB": "relative/x.db"}, Path("relative/x.db")),
        ({}, Path("data/fieldkit.db")),
        ({"FIELDKIT_DB": ""}, Path("data/fieldkit.db")),
        ({"FIELDKIT_DB": "   \t"}, Path("data/fieldkit.db")),
        ({"OTHER": "/tmp/other.db"}, Path("data/fieldkit.db")),
    ],
    ids=["set", "stripped", "relative", "missing", "empty", "blank", "other_var"],
)
def test_database_path_from_environ(environ, expected):
    assert config.database_path(environ) == expected


def test_database_path_reads_only_the_mapping_given(monkeypatch):
    monkeypatch.setenv("FIELDKIT_DB", "/from/process/env.db")
    assert config.database_path({}) == Path("data/fieldkit.db")


# --- the settings table ------------------------------------------------------


@pytest.mark.parametrize("setting", list(config.SETTINGS.values()), ids=list(config.SETTINGS))
def test_setting_is_described_and_default_parses(setting):
    assert setting.label.strip()
    assert setting.help.strip()
    assert setting.group.strip()
    assert setting.parse(setting.label, setting.default) == setting.default


@pytest.mark.parametrize("kind", list(PERSON_KINDS))
def test_setting_cadence_exists_for_every_person_kind(kind):
    assert config.SETTINGS[f"cadence_{kind}"].default == config.DEFAULT_CADENCES[kind]


def test_defaults_name_every_setting():
    assert set(config.defaults()) == set(config.SETTINGS)


# --- load and save -----------------------------------------------------------


def test_load_empty_database_returns_defaults(db):
    assert config.load(db) == config.defaults()


ROUND_TRIPS = [
    ({"weekly_target_minutes": "120"}, {"weekly_target_minutes": 120}),
    ({"weekly_target_minutes": " 240 "}, {"weekly_target_minutes": 240}),
    ({"weekly_target_minutes": 0}, {"weekly_target_minutes": 0}),
    ({"weekly_target_minutes": 90.0}, {"weekly_target_minutes": 90}),
    ({"ladder_gaps": "2, 4, 7"}, {"ladder_gaps": [2, 4, 7]}),
    ({"ladder_gaps": "3;3 10"}, {"ladder_gaps": [3, 3, 10]}),
    ({"ladder_gaps": [1, 2, 3]}, {"ladder_gaps": [1, 2, 3]}),
    ({"ladder_gaps": ("5",)}, {"ladder_gaps": [5]}),
    ({"ladder_gaps": ",".join(["30"] * 12)}, {"ladder_gaps": [30] * 12}),
    ({"calling_hours_start": "9:00"}, {"calling_hours_start": "09:00"}),
    ({"calling_hours_start": time(8, 30)}, {"calling_hours_start": "08:30"}),
    ({"calling_hours_end": " 23:59 "}, {"calling_hours_end": "23:59"}),
    ({"timezone": "Europe/Berlin"}, {"timezone": "Europe/Berlin"}),
    ({"timezone": " Asia/Tokyo "}, {"timezone": "Asia/Tokyo"}),
    ({"cadence_customer": "45"}, {"cadence_customer": 45}),
    ({"sign_in_days": "365"}, {"sign_in_days": 365}),
    (
        {"timezone": "America/New_York", "weekly_target_minutes": "60", "cadence_press": 7},
        {"timezone": "America/New_York", "weekly_target_minutes": 60, "cadence_press": 7},
    ),
]


@pytest.mark.parametrize(
    "changes, expected", ROUND_TRIPS, ids=[repr(c)[1:-1] for c, _ in ROUND_TRIPS]
)
def test_save_round_trips(db_path, changes, expected):
    with fieldkit.db.connect(db_path) as db:
        returned = config.save(db, changes)
    with fieldkit.db.connect(db_path) as db:
        loaded = config.load(db)
        stored = _stored(db)
    assert loaded == {**config.defaults(), **expected}
    assert returned == loaded
    assert stored == expected


def test_save_twice_keeps_latest_value(db):
    config.save(db, {"weekly_target_minutes": "120"})
    config.save(db, {"weekly_target_minutes": "300"})
    assert config.load(db)["weekly_target_minutes"] == 300
    assert db.table("settings").count == 1


BAD_VALUES = [
    ("weekly_target_minutes", -5),
    ("weekly_target_minutes", "-5"),
    ("weekly_target_minutes", 10**9),
    ("weekly_target_minutes", "99999999"),
    ("weekly_target_minutes", 7 * 24 * 60 + 1),
    ("weekly_target_minutes", "lots"),
    ("weekly_target_minutes", ""),
    ("weekly_target_minutes", "1.5"),
    ("weekly_target_minutes", 1.5),
    ("weekly_target_minutes", float("nan")),
    ("weekly_target_minutes", float("inf")),
    ("weekly_target_minutes", True),
    ("weekly_target_minutes", False),
    ("weekly_target_minutes", None),
    ("weekly_target_minutes", [120]),
    ("sign_in_days", 0),
    ("sign_in_days", "366"),
    ("ladder_gaps", "7, 4, 2"),
    ("ladder_gaps", [2, 4, 3]),
    ("ladder_gaps", "0, 2, 4"),
    ("ladder_gaps", [0]),
    ("ladder_gaps", ""),
    ("ladder_gaps", " , ;"),
    ("ladder_gaps", []),
    ("ladder_gaps", ",".join(["1"] * 13)),
    ("ladder_gaps", "2,x"),
    ("ladder_gaps", [2, "x"]),
    ("ladder_gaps", "2, 366"),
    ("ladder_gaps", "2.5"),
    ("ladder_gaps", [2.5]),
    ("ladder_gaps", [True, 2]),
    ("ladder_gaps", "-2, 4"),
    ("ladder_gaps", 7),
    ("ladder_gaps", None),
    ("calling_hours_start", "25:00"),
    ("calling_hours_start", "24:00"),
    ("calling_hours_start", "9am"),
    ("calling_hours_start", "9:60"),
    ("calling_hours_start", "9:5"),
    ("calling_hours_start", "9"),
    ("calling_hours_start", "09:00:00"),
    ("calling_hours_start", ""),
    ("calling_hours_start", 900),
    ("calling_hours_start", None),
    ("calling_hours_end", "-1:00"),
    ("timezone", "Mars/Olympus"),
    ("timezone", "../etc/passwd"),
    ("timezone", "Europe/../../etc/passwd"),
    ("timezone", "/etc/localtime"),
    ("timezone", "zone.tab"),
    ("timezone", ""),
    ("timezone", "   "),
    ("timezone", "Europe/Berlin\x00"),
    ("timezone", None),
    ("timezone", 1),
    ("cadence_customer", "0"),
    ("cadence_customer", 0),
    ("cadence_customer", 731),
    ("cadence_customer", "monthly"),
]


@pytest.mark.parametrize(
    "name, raw", BAD_VALUES, ids=[f"{n}={r!r}" for n, r in BAD_VALUES]
)
def test_save_bad_value_rejected_and_named(db, name, raw):
    with pytest.raises(SettingError) as info:
        config.save(db, {name: raw})
    assert info.value.field == name
    assert str(info.value).startswith(f"{config.SETTINGS[name].label}: ")
    assert _stored(db) == {}


@pytest.mark.parametrize("position", [0, 1, 2], ids=["first", "middle", "last"])
def test_save_one_bad_value_changes_nothing(db, position):
    config.save(db, {"weekly_target_minutes": "60"})
    before = config.load(db)
    changes = [
        ("timezone", "Europe/Berlin"),
        ("ladder_gaps", "1, 2, 3"),
        ("calling_hours_start", "08:00"),
    ]
    changes.insert(position, ("cadence_prospect", "2,x"))

    with pytest.raises(SettingError) as info:
        config.save(db, dict(changes))

    assert info.value.field == "cadence_prospect"
    assert config.load(db) == before
    assert _stored(db) == {"weekly_target_minutes": 60}
    assert not db.conn.in_transaction


@pytest.mark.parametrize(
    "changes",
    [
        {"calling_hours_start": "17:00"},
        {"calling_hours_start": "18:30"},
        {"calling_hours_end": "09:00"},
        {"calling_hours_end": "08:59"},
        {"calling_hours_start": "12:00", "calling_hours_end": "12:00"},
        {"calling_hours_start": "20:00", "calling_hours_end": "08:00"},
        {"timezone": "Europe/Berlin", "calling_hours_start": "9:00", "calling_hours_end": "8:00"},
    ],
)
def test_save_calling_hours_start_not_before_end_rejected(db, changes):
    with pytest.raises(SettingError) as info:
        config.save(db, changes)
    assert info.value.field in {"calling_hours_start", "calling_hours_end"}
    assert _stored(db) == {}
    assert not db.conn.in_transaction


def test_save_calling_hours_moved_together_accepted(db):
    values = config.save(db, {"calling_hours_start": "18:00", "calling_hours_end": "20:00"})
    assert (values["calling_hours_start"], values["calling_hours_end"]) == ("18:00", "20:00")


def test_validate_time_with_non_ascii_digits_is_stored_as_ascii_or_rejected():
    # "٠٩:٣٠" is 09:30 in Arabic-Indic digits; \d matches them.
    try:
        parsed = config.validate({"calling_hours_start": "٠٩:٣٠"})
    except SettingError:
        return
    assert parsed == {"calling_hours_start": "09:30"}


@pytest.mark.parametrize("changes", [{"colour": "blue"}, {"timezone": "UTC", "colour": "blue"}])
def test_save_unknown_setting_rejected(db, changes):
    with pytest.raises(SettingError) as info:
        config.save(db, changes)
    assert info.value.field == "colour"
    assert _stored(db) == {}


CORRUPT_VALUES = [
    ("weekly_target_minutes", "{not json"),
    ("weekly_target_minutes", ""),
    ("weekly_target_minutes", '"lots"'),
    ("weekly_target_minutes", "-1"),
    ("weekly_target_minutes", "NaN"),
    ("weekly_target_minutes", "1e999"),
    ("weekly_target_minutes", "true"),
    ("weekly_target_minutes", "9" * 5000),
    ("ladder_gaps", "[7, 2]"),
    ("ladder_gaps", '{"a": 1}'),
    ("ladder_gaps", "[[1]]"),
    ("ladder_gaps", "[null]"),
    ("timezone", '"Mars/Olympus"'),
    ("timezone", "null"),
    ("timezone", "Europe/Berlin"),
    ("calling_hours_start", '"25:00"'),
    ("calling_hours_start", "{}"),
    ("cadence_customer", "0"),
]


@pytest.mark.parametrize(
    "name, text", CORRUPT_VALUES, ids=[f"{n}={t[:20]!r}" for n, t in CORRUPT_VALUES]
)
def test_load_corrupt_stored_value_falls_back_to_default(db, name, text):
    config.save(db, {"cadence_vendor": 120})
    _store_raw(db, name, text)
    values = config.load(db)
    assert values[name] == config.SETTINGS[name].default
    assert values["cadence_vendor"] == 120


def test_load_ignores_unknown_stored_setting(db):
    _store_raw(db, "from_a_newer_version", "1")
    assert config.load(db) == config.defaults()


def test_reset_restores_defaults(db):
    config.save(
        db,
        {"timezone": "Europe/Berlin", "ladder_gaps": "1, 1", "calling_hours_end": "18:00"},
    )
    assert config.reset(db) == config.defaults()
    assert config.load(db) == config.defaults()
    assert _stored(db) == {}


def test_reset_named_settings_only(db):
    config.save(db, {"timezone": "Europe/Berlin", "weekly_target_minutes": 60})
    values = config.reset(db, ["timezone"])
    assert values == {**config.defaults(), "weekly_target_minutes": 60}


def test_reset_one_calling_hour_past_the_other_is_refused_and_changes_nothing(db):
    config.save(db, {"calling_hours_start": "18:00", "calling_hours_end": "20:00"})
    with pytest.raises(SettingError, match="Calling hours"):
        config.reset(db, ["calling_hours_end"])
    values = config.load(db)
    assert (values["calling_hours_start"], values["calling_hours_end"]) == ("18:00", "20:00")


def test_reset_both_calling_hours_restores_the_defaults(db):
    config.save(db, {"calling_hours_start": "18:00", "calling_hours_end": "20:00"})
    values = config.reset(db, ["calling_hours_start", "calling_hours_end"])
    assert (values["calling_hours_start"], values["calling_hours_end"]) == ("09:00", "17:00")


def test_load_falls_back_to_default_calling_hours_when_stored_pair_is_inverted(db):
    db.execute(
        "INSERT INTO settings (name, value, updated_at) VALUES "
        "('calling_hours_start', '\"18:00\"', 'x'), ('calling_hours_end', '\"10:00\"', 'x')"
    )
    values = config.load(db)
    assert (values["calling_hours_start"], values["calling_hours_end"]) == ("09:00", "17:00")
    assert config.save(db, {"timezone": "Europe/Berlin"})["timezone"] == "Europe/Berlin"


# --- cadence_days ------------------------------------------------------------


@pytest.mark.parametrize("kind, days", list(config.DEFAULT_CADENCES.items()))
def test_cadence_days_default_per_kind(kind, days):
    assert config.cadence_days(config.defaults(), kind) == days


def test_cadence_days_unknown_kind_uses_other():
    assert config.cadence_days({}, "alien") == config.DEFAULT_CADENCES["other"]


def test_cadence_days_reflects_saved_override(db):
    config.save(db, {"cadence_prospect": "21"})
    settings = config.load(db)
    assert config.cadence_days(settings, "prospect") == 21
    assert config.cadence_days(settings, "customer") == config.DEFAULT_CADENCES["customer"]


# --- cadence: a person's own, else their kind's ---------------------------------


@pytest.mark.parametrize(
    "own, kind, settings, expected",
    [
        (None, "prospect", {}, 14),
        (None, "prospect", {"cadence_prospect": 21}, 21),
        (45, "prospect", {"cadence_prospect": 21}, 45),
        (7, "alien", {}, 7),
        (None, "alien", {}, 90),
    ],
)
def test_cadence_own_else_the_kinds(own, kind, settings, expected):
    assert config.cadence(settings, {"cadence_days": own, "kind": kind}) == expected


@pytest.mark.parametrize("raw, stored", [("de", "DE"), (" GB ", "GB"), ("US", "US")])
def test_save_phone_region_normalised(db, raw, stored):
    assert config.save(db, {"phone_region": raw})["phone_region"] == stored


@pytest.mark.parametrize("raw", ["", "XX", "Germany", "D", 49, None])
def test_save_phone_region_rejects_unknown_codes(db, raw):
    with pytest.raises(SettingError, match="country code") as caught:
        config.save(db, {"phone_region": raw})
    assert caught.value.field == "phone_region"
    assert config.load(db)["phone_region"] == "US"


# --- My card -----------------------------------------------------------------


@pytest.mark.parametrize(
    "changes, stored",
    [
        ({"my_email": " Ada@Example.COM "}, {"my_email": "Ada@example.com"}),
        ({"my_website": "example.com/ada"}, {"my_website": "https://example.com/ada"}),
        ({"my_linkedin_url": "linkedin.com/in/ada"},
         {"my_linkedin_url": "https://www.linkedin.com/in/ada"}),
        ({"my_phone": "+49 30 1234567"}, {"my_phone": "+49301234567"}),
        # A local number is read with the phone country, also one saved along with it.
        ({"my_phone": "030 1234567", "phone_region": "DE"}, {"my_phone": "+49301234567"}),
        ({"my_phone": "(650) 253-0000"}, {"my_phone": "+16502530000"}),
        ({"my_title": "  Head  of Product ", "my_company": "Analytical Engines"},
         {"my_title": "Head of Product", "my_company": "Analytical Engines"}),
        ({"my_email": "", "my_phone": "", "my_website": ""},
         {"my_email": "", "my_phone": "", "my_website": ""}),
    ],
)
def test_save_my_card_stores_each_value_as_a_card_would(db, changes, stored):
    config.save(db, changes)
    loaded = config.load(db)
    assert {name: loaded[name] for name in stored} == stored


@pytest.mark.parametrize(
    "name, raw, message",
    [
        ("my_email", "ada(at)example", "Email:"),
        ("my_website", "not a site", "Website:"),
        ("my_linkedin_url", "https://example.com/ada", "LinkedIn:"),
        ("my_phone", "12", "Phone:"),
        ("my_phone", "030 1234567", "Phone:"),  # not a US number
    ],
)
def test_save_my_card_bad_value_changes_nothing(db, name, raw, message):
    config.save(db, {"my_name": "Ada Lovelace"})
    with pytest.raises(SettingError, match=message) as caught:
        config.save(db, {"my_title": "CTO", name: raw})
    assert caught.value.field == name
    assert config.load(db)["my_title"] == ""


@pytest.mark.parametrize("stage", list(config.MESSAGE_STAGES))
@pytest.mark.parametrize("channel", list(config.MESSAGE_CHANNELS))
def test_every_stage_has_its_own_editable_message_for_every_channel(db, stage, channel):
    name = config.template_name(stage, channel)
    others = {config.SETTINGS[config.template_name(s, channel)].default
              for s in config.MESSAGE_STAGES if s != stage}
    assert config.SETTINGS[name].default not in others
    config.save(db, {name: "Hello {first_name}"})
    assert config.load(db)[name] == "Hello {first_name}"
