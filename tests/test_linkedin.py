"""LinkedIn Connections.csv: finding the header, mapping columns, re-imports."""

import gc
import hashlib
from datetime import datetime, timezone
from pathlib import Path

import pytest

import fieldkit.people
from fieldkit import cards, db as fdb, imports, linkedin
from fieldkit.imports import ImportFileError
from tests.factory import NOW, SETTINGS, save_imported

FIXTURES = Path(__file__).parent / "fixtures" / "linkedin"
HEADER = "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"


def read(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def preview(db, data: bytes, filename: str = "Connections.csv"):
    return linkedin.preview(db, data, filename, SETTINGS)


def people(db) -> list[dict]:
    cursor = db.execute("SELECT * FROM people ORDER BY id")
    names = [c[0] for c in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def snapshot(db) -> tuple:
    return (
        people(db),
        db.execute("SELECT * FROM person_tags ORDER BY person_id, tag").fetchall(),
        db.execute("SELECT id, person_id, kind FROM attachments ORDER BY id").fetchall(),
    )


def test_preview_finds_header_after_notes_preamble(db):
    result = preview(db, read("Connections.csv"))
    assert result.kind == "linkedin"
    assert result.filename == "Connections.csv"
    assert result.sha256 == hashlib.sha256(read("Connections.csv")).hexdigest()
    assert result.counts == {"new": 4, "matched": 1, "skipped": 1}
    first = result.rows[0]
    assert (first.number, first.action, first.name, first.reason) == (
        1, "new", "Ada Lovelace", None)
    assert first.met_at == "2020-10-05T00:00:00Z"
    assert first.card.company == "Analytical Engines Ltd"
    assert first.card.title == "Chief Mathematician"
    assert first.card.linkedin_url == "https://www.linkedin.com/in/ada-lovelace"
    assert first.card.kind == "other"


def test_preview_quoted_fields_keep_commas_and_newlines(db):
    rows = preview(db, read("Connections.csv")).rows
    grace, jurgen = rows[1].card, rows[2].card
    assert grace.company == "Cobol, Compilers & Co"
    assert grace.title == "Rear Admiral, retired"
    assert grace.email == "grace.hopper@example.com"
    assert jurgen.name == "Jürgen Müller"
    assert jurgen.title == "Head of Product EMEA"  # the newline inside quotes, on one line
    assert jurgen.linkedin_url == "https://www.linkedin.com/in/jürgen-müller-4a1b2c"


def test_preview_skips_empty_rows_and_repeats_add_to_the_earlier_row(db):
    rows = preview(db, read("Connections.csv")).rows
    assert (rows[4].action, rows[4].name, rows[4].reason) == (
        "skip", None, "no name, and no company, email, phone, web or postal address to "
        "name it by")
    assert (rows[5].action, rows[5].name, rows[5].reason, rows[5].person_id) == (
        "match", "Ada Lovelace", "same person as row 1; nothing new", None)


def test_preview_email_that_does_not_validate_is_kept_as_written(db):
    priya = preview(db, read("Connections.csv")).rows[3]
    assert priya.action == "new"
    assert priya.card.email == "priya at nimbus"
    assert [value.checked for value in priya.card.values()] == [False]
    assert priya.card.company == "Nimbus"
    assert priya.reason is None


def test_preview_writes_nothing(db):
    before = fdb.row_counts(db)
    preview(db, read("Connections.csv"))
    assert fdb.row_counts(db) == before


def _as_text(name: str) -> str:
    return read(name).decode("utf-8")


@pytest.mark.parametrize("encode", [
    pytest.param(lambda t: t.encode("utf-8"), id="utf-8"),
    pytest.param(lambda t: b"\xef\xbb\xbf" + t.encode("utf-8"), id="utf-8 BOM"),
    pytest.param(lambda t: t.replace("\n", "\r\n").encode("utf-8"), id="CRLF"),
    pytest.param(lambda t: b"\xef\xbb\xbf" + t.replace("\n", "\r\n").encode("utf-8"),
                 id="BOM and CRLF"),
    pytest.param(lambda t: t.encode("utf-16"), id="utf-16 BOM"),
    pytest.param(lambda t: b"\xfe\xff" + t.encode("utf-16-be"), id="utf-16-be BOM"),
    pytest.param(lambda t: t.encode("cp1252"), id="cp1252 from Excel"),
])
def test_preview_reads_every_encoding_alike(db, encode):
    result = preview(db, encode(_as_text("Connections.csv")))
    expected = preview(db, read("Connections.csv"))
    assert [(r.action, r.name, r.card) for r in result.rows] == \
        [(r.action, r.name, r.card) for r in expected.rows]


def test_preview_older_export_without_email_column(db):
    rows = preview(db, read("Connections-old.csv")).rows
    assert [(r.action, r.name, r.card.company, r.card.email, r.met_at) for r in rows] == [
        ("new", "Ada Lovelace", "Analytical Engines Ltd", None, "2020-10-05T00:00:00Z"),
        ("new", "Charles Babbage", "Difference Engines", None, "2019-01-01T00:00:00Z"),
    ]


def test_preview_maps_reordered_and_extra_columns_by_name(db):
    text = ("Connected On,Company,Tags,last name,FIRST NAME,Position,URL\n"
            "05 Oct 2020,Acme,vip,Lovelace,Ada,CTO,linkedin.com/in/ada-lovelace\n")
    (row,) = preview(db, text.encode()).rows
    assert (row.name, row.card.company, row.card.title, row.card.linkedin_url, row.met_at) == (
        "Ada Lovelace", "Acme", "CTO", "https://www.linkedin.com/in/ada-lovelace",
        "2020-10-05T00:00:00Z")
    assert row.card.tags == ()


def test_preview_short_rows_and_blank_lines(db):
    text = HEADER + "\nAda,Lovelace\n\n\nGrace,Hopper,,,Navy\n"
    rows = preview(db, text.encode()).rows
    assert [(r.number, r.name, r.card.company, r.met_at) for r in rows] == [
        (1, "Ada Lovelace", None, None), (2, "Grace Hopper", "Navy", None)]


def test_preview_header_only_has_no_rows(db):
    assert preview(db, ("Notes:\nnothing\n\n" + HEADER).encode()).rows == []


@pytest.mark.parametrize("text, expected", [
    ("05 Oct 2020", "2020-10-05T00:00:00Z"),
    ("5 Oct 2020", "2020-10-05T00:00:00Z"),
    ("29 Feb 2024", "2024-02-29T00:00:00Z"),
    ("01 Sept 2021", "2021-09-01T00:00:00Z"),
    ("12 December 2019", "2019-12-12T00:00:00Z"),
    ("2020-10-05", "2020-10-05T00:00:00Z"),
    (" 05  oct  2020 ", "2020-10-05T00:00:00Z"),
    ("29 Feb 2023", None),
    ("05 Okt 2020", None),
    ("10/5/20", None),
    ("Oct 5, 2020", None),
    ("", None),
])
def test_connected_on(text, expected):
    assert linkedin.connected_on(text) == expected


def test_unreadable_date_is_noted_and_apply_uses_now(db):
    text = HEADER + "Ada,Lovelace,,,,,someday\n"
    result = preview(db, text.encode())
    assert result.rows[0].met_at is None
    assert result.rows[0].reason == "date ignored: “someday” is not a date like 05 Oct 2020"
    imports.apply(db, result, now=NOW)
    assert people(db)[0]["met_at"] == "2026-03-10T14:00:00Z"


def test_apply_adds_people_without_touches_or_followups(db):
    before = fdb.row_counts(db)
    counts = imports.apply(db, preview(db, read("Connections.csv")), now=NOW)
    assert counts == {"new": 4, "matched": 1, "skipped": 1}
    after = fdb.row_counts(db)
    assert after["people"] == before["people"] + 4
    assert after["touches"] == before["touches"]
    assert after["followups"] == before["followups"]
    ada = people(db)[0]
    assert (ada["name"], ada["source"], ada["met_at"], ada["created_at"], ada["status"]) == (
        "Ada Lovelace", "linkedin", "2020-10-05T00:00:00Z", "2026-03-10T14:00:00Z", "active")
    assert ada["name_key"] == "ada lovelace"
    assert ada["company_key"] == "analytical engines ltd"
    run = db.execute("SELECT kind, filename, sha256, at, new_count, matched_count, "
                     "skipped_count FROM import_runs").fetchall()
    assert run == [("linkedin", "Connections.csv", imports.sha256(read("Connections.csv")),
                    "2026-03-10T14:00:00Z", 4, 1, 1)]


def test_reimport_of_same_file_adds_nothing_and_changes_nothing(db):
    imports.apply(db, preview(db, read("Connections.csv")), now=NOW)
    before = snapshot(db)
    again = preview(db, read("Connections.csv"))
    assert again.counts == {"new": 0, "matched": 5, "skipped": 1}
    assert again.rows[0].reason == "same LinkedIn profile as Ada Lovelace (#1); nothing new"
    later = datetime(2026, 4, 1, tzinfo=timezone.utc)
    assert imports.apply(db, again, now=later) == {"new": 0, "matched": 5, "skipped": 1}
    assert snapshot(db) == before
    assert db.execute("SELECT count(*) FROM import_runs").fetchone()[0] == 2


def test_applying_the_same_preview_twice_adds_no_one_twice(db):
    result = preview(db, read("Connections.csv"))
    imports.apply(db, result, now=NOW)
    before = snapshot(db)
    assert imports.apply(db, result, now=NOW) == {"new": 0, "matched": 5, "skipped": 1}
    assert snapshot(db) == before


def test_newer_export_adds_only_new_rows_and_overwrites_nothing(db):
    imports.apply(db, preview(db, read("Connections.csv")), now=NOW)
    known = people(db)
    newer = preview(db, read("Connections-newer.csv"), "Connections (1).csv")
    assert newer.counts == {"new": 2, "matched": 4, "skipped": 1}
    assert [r.name for r in newer.rows if r.action == "new"] == ["Chidi Okafor", "Mei Tanaka"]
    assert imports.apply(db, newer, now=NOW) == {"new": 2, "matched": 4, "skipped": 1}
    now_known = people(db)
    assert now_known[:4] == known  # Grace's new job does not overwrite what is known
    assert (now_known[1]["company"], now_known[1]["title"]) == (
        "Cobol, Compilers & Co", "Rear Admiral, retired")
    assert [p["name"] for p in now_known[4:]] == ["Chidi Okafor", "Mei Tanaka"]
    assert now_known[5]["met_at"] == "2025-02-28T00:00:00Z"


def test_match_with_booth_card_fills_only_empty_fields(db):
    person_id = save_imported(db, "ada  LOVELACE", source="scan", met_at="2024-01-01T00:00:00Z",
                              company="Analytical Engines Ltd", title="Countess", tags="speaker")
    result = preview(db, read("Connections.csv"))
    assert result.rows[0].action == "match"
    assert result.rows[0].person_id == person_id
    assert result.rows[0].reason == (
        f"same name and company as ada LOVELACE (#{person_id}); adds LinkedIn")
    assert result.rows[5].reason == "same person as row 1; nothing new"
    imports.apply(db, result, now=NOW)
    ada = people(db)[0]
    assert (ada["name"], ada["title"], ada["linkedin_url"], ada["met_at"], ada["source"]) == (
        "ada LOVELACE", "Countess", "https://www.linkedin.com/in/ada-lovelace",
        "2024-01-01T00:00:00Z", "scan")
    assert ada["updated_at"] == "2026-03-10T14:00:00Z"


def test_twin_with_another_linkedin_profile_is_someone_else(db):
    save_imported(db, source="linkedin", met_at="2024-01-01T00:00:00Z",
                  company="Analytical Engines Ltd", linkedin_url="linkedin.com/in/another-ada")
    assert preview(db, read("Connections.csv")).rows[0].action == "new"


def test_merged_people_are_not_matched(db):
    imports.apply(db, preview(db, read("Connections-old.csv")), now=NOW)
    db.execute("UPDATE people SET status = 'merged'")
    assert preview(db, read("Connections-old.csv")).counts == {
        "new": 2, "matched": 0, "skipped": 0}


def test_apply_after_person_deleted_adds_them_again(db):
    imports.apply(db, preview(db, read("Connections-old.csv")), now=NOW)
    result = preview(db, read("Connections-old.csv"))
    fieldkit.people.delete(db, result.rows[0].person_id)
    assert imports.apply(db, result, now=NOW) == {"new": 1, "matched": 1, "skipped": 0}


def test_apply_failure_writes_nothing(db, monkeypatch):
    result = preview(db, read("Connections.csv"))
    before = fdb.row_counts(db)
    real = cards.imported_row  # what apply asks for each new person
    calls = []

    def fail_on_third(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("disk full")
        return real(*args, **kwargs)

    monkeypatch.setattr(cards, "imported_row", fail_on_third)
    with pytest.raises(RuntimeError):
        imports.apply(db, result, now=NOW)
    assert fdb.row_counts(db) == before


@pytest.fixture
def gc_state():
    """Restores the garbage collector's state after the test, whatever it did."""
    enabled = gc.isenabled()
    yield
    gc.enable() if enabled else gc.disable()


@pytest.mark.parametrize("enabled", [True, False])
def test_preview_and_apply_leave_garbage_collector_as_they_found_it(db, gc_state, enabled):
    gc.enable() if enabled else gc.disable()
    result = preview(db, read("Connections.csv"))
    assert gc.isenabled() is enabled
    imports.apply(db, result, now=NOW)
    assert gc.isenabled() is enabled


def test_failed_preview_and_apply_turn_garbage_collector_back_on(db, gc_state, monkeypatch):
    gc.enable()
    with pytest.raises(ImportFileError):
        preview(db, HEADER.encode() + b'"unclosed,quote\n')
    assert gc.isenabled()
    result = preview(db, read("Connections.csv"))
    monkeypatch.setattr(cards, "imported_row", lambda *a, **k: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        imports.apply(db, result, now=NOW)
    assert gc.isenabled()


def test_hostile_values_are_stored_as_plain_text(db):
    result = preview(db, read("hostile.csv"))
    assert [(r.action, r.reason) for r in result.rows] == [
        ("new", None),
        ("new", None),
        ("new", "LinkedIn ignored: expected a profile link such as linkedin.com/in/jane-doe."),
        ("new", "title ignored: Title is too long (5,000 characters; at most 200)."),
        ("skip", "Name is too long (308 characters; at most 200)."),
    ]
    imports.apply(db, result, now=NOW)
    stored = {p["name"]: p for p in people(db)}
    tom = stored["Tom Baker"]
    assert (tom["company"], tom["title"]) == ('=HYPERLINK("http://evil.example","click")',
                                              "@SUM(1+1)")
    eve = stored["Eve ![x](http://tracker.example/p.gif)"]
    assert (eve["company"], eve["title"]) == ("<script>alert(1)</script>", "-2+3")
    # Bidi overrides and zero-width characters are dropped, the rest kept.
    mallory = stored["Mallory Kcalb"]
    assert (mallory["company"], mallory["title"], mallory["linkedin_url"]) == (
        "Evil Corp", "+cmd|' /C calc'!A0", None)


@pytest.mark.parametrize("data, message", [
    pytest.param(b"", "The file is empty.", id="empty"),
    pytest.param(b" \r\n\t\n", "The file is empty.", id="blank"),
    pytest.param(b"\xef\xbb\xbf", "The file is empty.", id="only a BOM"),
    pytest.param(b"name,email\nAda,ada@example.com\n",
                 "Not a LinkedIn Connections.csv: no header line", id="other CSV"),
    pytest.param(b"Notes:\n" + b"x\n" * 150 + HEADER.encode() + b"Ada,Lovelace\n",
                 "no header line", id="header too far down"),
    pytest.param(bytes(range(256)) * 64, "NUL bytes", id="binary junk"),
    pytest.param(b"\x89PNG\r\n\x1a\n" + bytes(range(1, 32)) * 50, "looks binary",
                 id="binary without NUL"),
    pytest.param(HEADER.encode() + b"Ada,Lo\x00velace\n", "NUL bytes", id="NUL byte"),
    pytest.param(HEADER.encode() + b"Ada,Lovelace" + b",x" * 100_000 + b"\n",
                 "100,002 columns", id="100,000 columns"),
    pytest.param(HEADER.encode() + b'Ada,"Lovelace\nGrace,Hopper\n', "malformed",
                 id="unclosed quote"),
    pytest.param(HEADER.encode() + b'Ada,"Love"lace\n', "malformed", id="stray quote"),
    pytest.param(HEADER.encode() + b"Ada," + b"x" * 200_000 + b"\n", "malformed",
                 id="giant field"),
    pytest.param(HEADER.encode() + "Jürgen,Müller\n".encode("utf-8")[:-4] + b"\x81\x8d\n",
                 "not UTF-8", id="undecodable"),
    pytest.param(b"\xff\xfe" + b"\x00\xd8", "UTF-16", id="broken UTF-16"),
])
def test_unreadable_files_raise_and_write_nothing(db, data, message):
    before = fdb.row_counts(db)
    with pytest.raises(ImportFileError, match=message.replace("(", r"\(")):
        preview(db, data)
    assert fdb.row_counts(db) == before


def test_too_large_file_is_refused(db):
    data = HEADER.encode() + b" " * (imports.MAX_BYTES + 1 - len(HEADER))
    with pytest.raises(ImportFileError, match="at most 20 MB"):
        preview(db, data)


def test_import_file_error_is_a_validation_error():
    from fieldkit.errors import ValidationError
    assert issubclass(ImportFileError, ValidationError)


def test_history_lists_runs_newest_first(db):
    imports.apply(db, preview(db, read("Connections-old.csv"), "old.csv"), now=NOW)
    imports.apply(db, preview(db, read("Connections.csv")),
                  now=datetime(2026, 4, 1, tzinfo=timezone.utc))
    assert [(r["filename"], r["new_count"], r["matched_count"])
            for r in imports.history(db)] == [("Connections.csv", 3, 2), ("old.csv", 2, 0)]
