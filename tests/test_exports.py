"""fieldkit.exports: spreadsheet-safe CSV of every table, follow-ups as iCalendar."""

import csv
import io
import zipfile
from datetime import date, datetime, timezone

import pytest
from icalendar import Calendar

from fieldkit import access, config, db as fkdb, debriefs, exports, followups, migrations, photos, sample
from tests.factory import NOW, SETTINGS, save_card

BOM = b"\xef\xbb\xbf"


def rows_of(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


# --- CSV: formula injection -------------------------------------------------

@pytest.mark.parametrize("value, expected", [
    ("=1+1", "'=1+1"),
    ("+49 30 1234", "'+49 30 1234"),
    ("+4930123456", "'+4930123456"),  # phone numbers too: never a formula, never 4.9E+10
    ("-2", "'-2"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("\tx", "'\tx"),
    ("\rx", "'\rx"),
    ("Ada Okafor", "Ada Okafor"),
    ("a=b", "a=b"),  # only the first character matters
    (" =1+1", " =1+1"),
    ("", ""),
    (None, ""),
    (0, 0),
    (42, 42),
    (-2, "'-2"),
    (1.5, 1.5),
    (-0.5, "'-0.5"),
    (b"\x89PNG", ""),
])
def test_safe_cell_defuses_formulas(value, expected):
    assert exports.safe_cell(value) == expected


@pytest.mark.parametrize("cell, line", [
    ("=1+1", b"'=1+1"),
    ("+49 30 1234", b"'+49 30 1234"),
    ("-2", b"'-2"),
    ("@SUM(A1)", b"'@SUM(A1)"),
    ("\tx", b"'\tx"),
    ("\rx", b"\"'\rx\""),  # quoted: a carriage return inside a cell
    ("Ada Okafor", b"Ada Okafor"),
    ("Smith, Jo", b'"Smith, Jo"'),
    ('say "hi"', b'"say ""hi"""'),
    ("two\nlines", b'"two\nlines"'),
    ("Zoë Müller", "Zoë Müller".encode()),
])
def test_csv_bytes_writes_each_cell_safely(cell, line):
    data = exports.csv_bytes(["name"], [[cell]])
    assert data == BOM + b"name\r\n" + line + b"\r\n"
    assert rows_of(data)[1] == [exports.safe_cell(cell)]


def test_csv_bytes_header_bom_and_crlf():
    data = exports.csv_bytes(["id", "name"], [[1, "Ada"], [2, None]])
    assert data == BOM + b"id,name\r\n1,Ada\r\n2,\r\n"


# --- CSV: every table ---------------------------------------------------------

def test_csv_tables_cover_every_product_table():
    assert set(exports.SOURCE_TABLES.values()) == set(migrations.TABLES) - exports.NOT_EXPORTED


def test_csv_tables_leave_out_the_password_and_the_devices(db):
    access.set_password(db, "correct horse battery")
    token = access.sign_in_device(db, "correct horse battery", client="192.0.2.10", now=NOW)
    secrets = [access.token_hash(token).encode(),
               db.execute("SELECT password_hash FROM sign_in").fetchone()[0].encode()]
    files = exports.csv_tables(db)
    assert not {"sign_in", "sign_in_failures", "devices"} & set(files)
    assert [name for name, data in files.items() if any(s in data for s in secrets)] == []


def test_csv_tables_row_counts_match_the_sample(sample_day_readonly):
    counts = fkdb.row_counts(sample_day_readonly)
    files = exports.csv_tables(sample_day_readonly)
    assert list(files) == list(exports.SOURCE_TABLES)
    for name, data in files.items():
        assert data.startswith(BOM), name
        rows = rows_of(data)
        assert len(rows) - 1 == counts[exports.SOURCE_TABLES[name]], name
        assert all(len(row) == len(rows[0]) for row in rows), name
        text = data[len(BOM):]
        assert b"\n" not in text.replace(b"\r\n", b""), f"{name}: line ends are CRLF"


def test_csv_people_join_tags_and_neutralise_phones(db):
    ada = save_card(db, "Ada Okafor", company="Northwind", phone="+49 30 1234567",
                    tags="speaker, ai", note="=HYPERLINK(\"http://evil\")")
    save_card(db, "Ben Quiet")
    people = rows_of(exports.csv_tables(db)["people"])
    header, rows = people[0], {row[0]: dict(zip(people[0], row)) for row in people[1:]}
    assert "name_key" not in header and "data" not in header
    assert rows[str(ada)]["tags"] == "ai, speaker"
    assert rows[str(ada)]["phone"] == "'+49301234567"
    assert rows[str(ada)]["note"] == "'=HYPERLINK(\"http://evil\")"
    assert rows[str(ada)]["company"] == "Northwind"


def test_csv_people_and_their_other_values_with_labels(db):
    ada = save_card(db, "Ada Okafor", email="ada@northwind.example", email_label="work",
                    phone="+49 30 1234567", phone_label="mobile", values=[
                        ("phone", "fax", "+49 30 1234568"), ("phone", None, "=1+1"),
                        ("address", "work", {"street": "Hauptstraße 5\n2. OG",
                                             "locality": "Berlin", "postal_code": "10115"})])
    files = exports.csv_tables(db)
    people = rows_of(files["people"])
    person = dict(zip(people[0], people[1]))
    assert (person["email"], person["email_label"], person["phone"], person["phone_label"],
            person["named_from"]) == ("ada@northwind.example", "work", "'+49301234567",
                                      "mobile", "")
    assert rows_of(files["labelled_values"]) == [
        ["id", "person_id", "person", "kind", "label", "value"],
        ["1", str(ada), "Ada Okafor", "phone", "fax", "'+49301234568"],
        ["2", str(ada), "Ada Okafor", "phone", "", "'=1+1"],  # kept as written, defused
        ["3", str(ada), "Ada Okafor", "address", "work",
         "Hauptstraße 5, 2. OG, 10115 Berlin"]]


def test_csv_photos_list_attachments_without_their_bytes(db):
    photo = photos.prepare(sample.card_photo_png())
    ada = save_card(db, "Ada Okafor", photo=photo)
    rows = rows_of(exports.csv_tables(db)["photos"])
    assert rows[0] == ["id", "person_id", "person", "kind", "mime", "bytes", "created_at"]
    assert rows[1][1:6] == [str(ada), "Ada Okafor", "card_photo", photo.mime,
                            str(len(photo.data))]


def test_csv_zip_holds_every_file_in_a_fixed_order(db):
    save_card(db, "Ada Okafor", company="Northwind")
    first, second = exports.csv_zip(db), exports.csv_zip(db)
    assert first == second
    files = exports.csv_tables(db)
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert archive.namelist() == [f"{name}.csv" for name in files]
        for name, data in files.items():
            assert archive.read(f"{name}.csv") == data


# --- iCalendar ---------------------------------------------------------------

def events_of(ics: bytes) -> list:
    return Calendar.from_ical(ics).walk("VEVENT")


@pytest.fixture
def three_people(db):
    """Ada (ladder, due 11 Mar), Ben (let go: nothing open), Cleo (a next step too)."""
    ada = save_card(db, "Ada Okafor", company="Northwind", email="ada@northwind.example",
                    phone="+49 30 1234567")
    ben = save_card(db, "Ben Quiet")
    followups.let_go(db, ben, now=NOW)
    cleo = save_card(db, "Cleo Park; Jr., \\o/", company="Acme, Inc.")
    step = debriefs.clean(next_step="Send the one-pager", next_step_on=date(2026, 3, 20))
    followups.log_dialog(db, cleo, "coffee", SETTINGS, now=NOW, debrief=step)
    return ada, ben, cleo


def test_ics_one_all_day_event_per_open_followup_of_active_people(db, three_people):
    ada, ben, cleo = three_people
    ics = exports.followups_ics(db, SETTINGS, now=NOW)
    events = events_of(ics)
    summaries = sorted(str(e["SUMMARY"]) for e in events)
    assert summaries == [
        "Follow up: Ada Okafor (Northwind)",
        "Keep in touch: Cleo Park; Jr., \\o/ (Acme, Inc.)",
        "Next step: Cleo Park; Jr., \\o/ (Acme, Inc.) - Send the one-pager",
    ]
    ada_event = next(e for e in events if "Ada" in str(e["SUMMARY"]))
    assert ada_event["DTSTART"].params["VALUE"] == "DATE"
    assert ada_event.decoded("DTSTART") == date(2026, 3, 11)
    assert ada_event.decoded("DTEND") == date(2026, 3, 12)
    assert b"DTSTART;VALUE=DATE:20260311\r\n" in ics
    description = str(ada_event["DESCRIPTION"])
    assert "attempt 1 of 6" in description
    assert "Email: ada@northwind.example" in description
    assert "Phone: +49 30 1234567" in description


def test_ics_calendar_properties(db, three_people):
    calendar = Calendar.from_ical(exports.followups_ics(db, SETTINGS, now=NOW))
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["PRODID"]) == exports.PRODID
    assert str(calendar["CALSCALE"]) == "GREGORIAN"
    assert str(calendar["X-WR-CALNAME"]) == "FieldKit follow-ups"
    for event in calendar.walk("VEVENT"):
        assert event.decoded("DTSTAMP") == NOW


def test_ics_uid_is_the_followup_uid_and_stable(db, three_people):
    uids = {f"{uid}@fieldkit" for (uid,) in db.execute(
        "SELECT f.uid FROM followups f JOIN people c ON c.id = f.person_id "
        "WHERE f.status = 'open' AND c.status = 'active'")}
    first = {str(e["UID"]) for e in events_of(exports.followups_ics(db, SETTINGS, now=NOW))}
    later = datetime(2026, 3, 12, 8, 0, tzinfo=timezone.utc)
    second = {str(e["UID"]) for e in events_of(exports.followups_ics(db, SETTINGS, now=later))}
    assert first == second == uids
    assert len(uids) == 3


def test_ics_escapes_and_folds_for_phone_calendars(db, three_people):
    save_card(db, "Zoë Ærøskøbing-Müller " + "é" * 40, company="Ünïcödé GmbH",
              note="x" * 300)
    ics = exports.followups_ics(db, SETTINGS, now=NOW)
    assert ics.endswith(b"\r\n")
    assert b"\n" not in ics.replace(b"\r\n", b"")
    assert b"\r" not in ics.replace(b"\r\n", b"")
    lines = ics.split(b"\r\n")[:-1]
    assert max(len(line) for line in lines) <= 75
    for line in lines:
        line.decode("utf-8")  # folding never splits a character
    assert b"SUMMARY:Keep in touch: Cleo Park\\; Jr.\\, \\\\o/ (Acme\\, Inc.)" in ics.replace(
        b"\r\n ", b"")


def test_ics_sample_has_one_event_per_open_followup_of_active_people(sample_day_readonly):
    expected = sample_day_readonly.execute(
        "SELECT count(*) FROM followups f JOIN people c ON c.id = f.person_id "
        "WHERE f.status = 'open' AND c.status = 'active'").fetchone()[0]
    settings = config.load(sample_day_readonly)
    ics = exports.followups_ics(sample_day_readonly, settings, now=NOW)
    assert len(events_of(ics)) == expected > 0
    assert ics.count(b"BEGIN:VEVENT\r\n") == expected


def test_ics_empty_calendar_is_still_valid(db):
    calendar = Calendar.from_ical(exports.followups_ics(db, SETTINGS, now=NOW))
    assert calendar.walk("VEVENT") == []
    assert str(calendar["X-WR-CALNAME"]) == "FieldKit follow-ups"
