"""fieldkit.cli: sample, info, backup, restore, import and export."""

import io
import re
import shutil
import sqlite3
import subprocess
from contextlib import closing
import sys
from pathlib import Path

import pytest

import fieldkit.db
import fieldkit.migrations
import fieldkit.sample
from fieldkit import access
from fieldkit.cli import main

LATEST = fieldkit.db.latest_version()

REPO = Path(__file__).resolve().parent.parent
COUNT_LINE = re.compile(r"^  (\w+) +([\d,]+)$")


def _counts(output):
    """Table name -> count from the lines `info` and `sample` print."""
    return {
        m[1]: int(m[2].replace(",", ""))
        for m in map(COUNT_LINE.match, output.splitlines()) if m
    }


def _row_counts(path):
    with fieldkit.db.connect(path, migrate=False) as database:
        return fieldkit.db.row_counts(database)


@pytest.fixture(scope="module")
def cli_sample_file(tmp_path_factory):
    """The anchored sample as the CLI's ``sample`` command writes it, for this module only.

    Its own file, not conftest's shared template: the commands below open it read-write.
    """
    path = tmp_path_factory.mktemp("cli") / "sample.db"
    assert main(["sample", "--db", str(path), "--today", "2026-11-22"]) == 0
    return path


def test_subprocess_sample_then_info(tmp_path):
    path = tmp_path / "data" / "fieldkit.db"
    run = dict(cwd=REPO, capture_output=True, text=True, timeout=60)
    filled = subprocess.run(
        [sys.executable, "-m", "fieldkit", "sample", "--db", str(path), "--today", "2026-11-22"],
        **run,
    )
    assert filled.returncode == 0, filled.stderr
    assert f"Sample data (scale 1) written to {path}" in filled.stdout
    info = subprocess.run([sys.executable, "-m", "fieldkit", "info", "--db", str(path)], **run)
    assert info.returncode == 0, info.stderr
    assert f"Schema version: {LATEST} of {LATEST}\n" in info.stdout
    assert f"Database: {path}" in info.stdout
    counts = _counts(info.stdout)
    assert list(counts) == list(fieldkit.migrations.TABLES)
    assert counts == _counts(filled.stdout)
    # Every table holds sample rows, except those the sample leaves empty.
    assert all(counts.pop(table) == 0 for table in fieldkit.sample.LEFT_EMPTY)
    assert all(count > 0 for count in counts.values()), counts
    assert counts["people"] == 160


def test_sample_in_process_prints_counts(tmp_path, capsys):
    path = tmp_path / "fieldkit.db"
    assert main(["sample", "--db", str(path), "--today", "2026-11-22"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"Sample data (scale 1) written to {path}:\n")
    assert _counts(out) == _row_counts(path)


def test_sample_same_day_same_counts(cli_sample_file, tmp_path, capsys):
    path = tmp_path / "again.db"
    assert main(["sample", "--db", str(path), "--today", "2026-11-22"]) == 0
    assert _row_counts(path) == _row_counts(cli_sample_file)


def test_sample_scale_two(tmp_path, cli_sample_file, capsys):
    path = tmp_path / "fieldkit.db"
    assert main(["sample", "--db", str(path), "--scale", "2", "--today", "2026-11-22"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"Sample data (scale 2) written to {path}:\n")
    counts = _row_counts(path)
    assert counts["people"] == 2 * _row_counts(cli_sample_file)["people"]
    # Counts of a thousand and more are printed with a thousands separator.
    assert counts["touches"] >= 1000
    assert re.search(rf"^  touches +{counts['touches']:,}$", out, re.MULTILINE)


def test_info_in_process(cli_sample_file, capsys):
    assert main(["info", "--db", str(cli_sample_file)]) == 0
    out = capsys.readouterr().out
    assert f"Database: {cli_sample_file}\n" in out
    assert f"Schema version: {LATEST} of {LATEST}\n" in out
    assert _counts(out) == _row_counts(cli_sample_file)


def test_info_migrated_empty_db(db_path, capsys):
    with fieldkit.db.connect(db_path):
        pass
    assert main(["info", "--db", str(db_path)]) == 0
    out = capsys.readouterr().out
    assert f"Schema version: {LATEST} of {LATEST}\n" in out
    assert _counts(out) == {name: 0 for name in fieldkit.migrations.TABLES}


def test_info_unmigrated_db_not_migrated(tmp_path, capsys):
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (text TEXT)")
    conn.close()
    assert main(["info", "--db", str(path)]) == 0
    out = capsys.readouterr().out
    assert f"Schema version: 0 of {LATEST} (migrates when the app opens it)" in out
    assert _counts(out) == {}
    conn = sqlite3.connect(path)
    names = {n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    conn.close()
    assert names == {"notes"}


def test_info_missing_file_exits_1(tmp_path, capsys):
    path = tmp_path / "nowhere" / "fieldkit.db"
    assert main(["info", "--db", str(path)]) == 1
    captured = capsys.readouterr()
    assert captured.err.startswith("error: ")
    assert str(path) in captured.err
    assert captured.out == ""
    assert not path.exists()
    assert not path.parent.exists()


def test_info_default_db_from_environment(cli_sample_file, monkeypatch, capsys):
    monkeypatch.setenv("FIELDKIT_DB", str(cli_sample_file))
    assert main(["info"]) == 0
    assert f"Database: {cli_sample_file}\n" in capsys.readouterr().out


def test_sample_into_non_empty_db_exits_1(cli_sample_file, tmp_path, capsys):
    path = tmp_path / "full.db"
    path.write_bytes(cli_sample_file.read_bytes())
    before = _row_counts(path)
    assert main(["sample", "--db", str(path), "--today", "2026-11-23"]) == 1
    captured = capsys.readouterr()
    assert captured.err.startswith("error: ")
    assert "already holds people" in captured.err
    assert captured.out == ""
    assert _row_counts(path) == before


@pytest.mark.parametrize("scale", ["0", "-1", "1001", "abc", "1.5", "", " 3"])
def test_sample_bad_scale_exits_2(tmp_path, capsys, scale):
    path = tmp_path / "fieldkit.db"
    with pytest.raises(SystemExit) as exc:
        main(["sample", "--db", str(path), "--scale", scale])
    assert exc.value.code == 2
    assert "scale" in capsys.readouterr().err
    assert not path.exists()


@pytest.mark.parametrize("today", ["2026-13-01", "2026-02-30", "tomorrow", "22.11.2026", ""])
def test_sample_bad_today_exits_2(tmp_path, capsys, today):
    path = tmp_path / "fieldkit.db"
    with pytest.raises(SystemExit) as exc:
        main(["sample", "--db", str(path), "--today", today])
    assert exc.value.code == 2
    assert "not a date" in capsys.readouterr().err
    assert not path.exists()


def test_backup_copies_database(cli_sample_file, tmp_path, capsys):
    out = tmp_path / "backups" / "copy.db"
    assert main(["backup", "--db", str(cli_sample_file), "--out", str(out)]) == 0
    assert capsys.readouterr().out == f"Backed up {cli_sample_file} to {out}.\n"
    assert _row_counts(out) == _row_counts(cli_sample_file)
    with fieldkit.db.connect(out, migrate=False) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert fieldkit.db.schema_version(copy) == LATEST


def test_backup_leaves_out_uncommitted_writes(cli_sample_file, tmp_path):
    path = tmp_path / "live.db"
    path.write_bytes(cli_sample_file.read_bytes())
    out = tmp_path / "copy.db"
    before = _row_counts(path)
    with fieldkit.db.connect(path) as live:
        live.execute("BEGIN IMMEDIATE")
        live.execute("DELETE FROM assumptions")
        assert main(["backup", "--db", str(path), "--out", str(out)]) == 0
        live.execute("ROLLBACK")
    assert _row_counts(out) == before


@pytest.mark.parametrize("spelling", ["same", "dotted"])
def test_backup_onto_database_refused(cli_sample_file, tmp_path, capsys, spelling):
    path = tmp_path / "fieldkit.db"
    path.write_bytes(cli_sample_file.read_bytes())
    out = path if spelling == "same" else tmp_path / "sub" / ".." / "fieldkit.db"
    before = _row_counts(path)
    assert main(["backup", "--db", str(path), "--out", str(out)]) == 1
    assert capsys.readouterr().err.startswith("error: ")
    assert _row_counts(path) == before


def test_backup_missing_database_exits_1(tmp_path, capsys):
    out = tmp_path / "copy.db"
    assert main(["backup", "--db", str(tmp_path / "nowhere.db"), "--out", str(out)]) == 1
    assert capsys.readouterr().err.startswith("error: No database at ")
    assert not out.exists()
    assert not (tmp_path / "nowhere.db").exists()


def test_backup_without_out_exits_2(cli_sample_file):
    with pytest.raises(SystemExit) as exc:
        main(["backup", "--db", str(cli_sample_file)])
    assert exc.value.code == 2


@pytest.mark.parametrize("argv", [[], ["frobnicate"]], ids=["no_command", "unknown_command"])
def test_bad_command_exits_2(argv):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2


FIXTURES = Path(__file__).parent / "fixtures"


def test_import_linkedin_then_again_adds_nothing(tmp_path, capsys):
    db_file = tmp_path / "people.db"
    csv = FIXTURES / "linkedin" / "Connections.csv"
    # Exit status 3: the file holds a blank row, skipped (and listed).
    assert main(["import", "linkedin", str(csv), "--db", str(db_file), "--dry-run"]) == 3
    assert "Would import" in capsys.readouterr().out
    assert main(["import", "linkedin", str(csv), "--db", str(db_file)]) == 3
    first = capsys.readouterr().out
    new = int(first.split("Imported")[1].split(": ")[1].split(" new")[0])
    assert new == 4  # Ada, Grace, Jürgen and Priya; Ada's second row adds to her first
    assert "  row 5: skip: no name, and no company, email" in first
    assert main(["import", "linkedin", str(csv), "--db", str(db_file)]) == 3
    assert ": 0 new," in capsys.readouterr().out


def test_import_of_a_whole_file_exits_0(tmp_path, capsys):
    db_file = tmp_path / "people.db"
    vcf = FIXTURES / "vcard" / "iphone-many.vcf"
    assert main(["import", "vcard", str(vcf), "--db", str(db_file)]) == 0
    assert capsys.readouterr().out.endswith(": 3 new, 0 matched, 0 skipped.\n")


def test_import_skipping_some_rows_exits_3_and_lists_them(tmp_path, capsys):
    db_file = tmp_path / "people.db"
    vcf = FIXTURES / "vcard" / "android-many.vcf"
    assert main(["import", "vcard", str(vcf), "--db", str(db_file)]) == 3
    out = capsys.readouterr().out
    assert "  row 4: skip: no name, and no company, email, phone, web or postal address " \
           "to name it by\n" in out
    assert out.endswith(": 3 new, 0 matched, 1 skipped.\n")
    with sqlite3.connect(db_file) as conn:
        assert conn.execute("SELECT count(*) FROM people").fetchone() == (3,)


@pytest.mark.parametrize("exists", [True, False], ids=["database", "no database yet"])
def test_import_of_a_file_cut_off_inside_a_card_exits_1_and_changes_nothing(
        tmp_path, capsys, exists):
    db_file = tmp_path / "people.db"
    if exists:
        assert main(["import", "vcard", str(FIXTURES / "vcard" / "google.vcf"),
                     "--db", str(db_file)]) == 0
        capsys.readouterr()
        before = db_file.read_bytes()
    data = (FIXTURES / "vcard" / "iphone-many.vcf").read_bytes()
    cut = tmp_path / "cut.vcf"
    cut.write_bytes(data[:len(data) - 30])
    assert main(["import", "vcard", str(cut), "--db", str(db_file)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: The file ends inside card 3 (")
    assert "Nothing was imported" in err
    if exists:
        assert db_file.read_bytes() == before
        with sqlite3.connect(db_file) as conn:
            assert conn.execute("SELECT count(*) FROM import_runs").fetchone() == (1,)
    else:
        assert not db_file.exists()


@pytest.mark.parametrize("argv", [["--help"], ["import", "--help"]])
def test_help_tells_the_exit_statuses(capsys, argv):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert "exit status:\n  0  done" in out
    assert "\n  3  import: the other rows are in, some rows were skipped" in out


def test_import_of_a_broken_file_exits_1_and_writes_nothing(tmp_path, capsys):
    db_file = tmp_path / "people.db"
    junk = tmp_path / "junk.vcf"
    junk.write_bytes(b"\x00\xff" * 100)
    assert main(["import", "vcard", str(junk), "--db", str(db_file)]) == 1
    assert "error:" in capsys.readouterr().err
    assert not db_file.exists()  # the file is read before the database is opened


@pytest.mark.parametrize("fmt, starts", [("csv", b"PK"), ("vcard", b"BEGIN:VCARD"),
                                         ("ics", b"BEGIN:VCALENDAR")])
def test_export_writes_each_format(cli_sample_file, tmp_path, fmt, starts):
    out = tmp_path / "out" / f"export.{fmt}"
    assert main(["export", fmt, "--db", str(cli_sample_file), "--out", str(out)]) == 0
    assert out.read_bytes().startswith(starts)


def test_restore_from_a_backup_keeps_the_previous_file(cli_sample_file, tmp_path, capsys):
    live = tmp_path / "live.db"
    shutil.copyfile(cli_sample_file, live)
    copy = tmp_path / "copy.db"
    assert main(["backup", "--db", str(live), "--out", str(copy)]) == 0
    with closing(sqlite3.connect(live)) as conn, conn:
        (tags,) = conn.execute("SELECT count(*) FROM person_tags").fetchone()
        conn.execute("DELETE FROM person_tags")
    assert main(["restore", "--db", str(live), str(copy)]) == 0
    assert "previous file is kept" in capsys.readouterr().out
    with closing(sqlite3.connect(live)) as conn:
        assert conn.execute("SELECT count(*) FROM person_tags").fetchone() == (tags,)
    assert tags > 0


def test_restore_refuses_a_file_that_is_not_a_backup(cli_sample_file, tmp_path, capsys):
    live = tmp_path / "live.db"
    shutil.copyfile(cli_sample_file, live)
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"not a database")
    before = live.read_bytes()
    assert main(["restore", "--db", str(live), str(bad)]) == 1
    assert "error:" in capsys.readouterr().err
    assert live.read_bytes() == before


# --- set-password / clear-password ---------------------------------------------

def _stored_hash(path):
    with closing(sqlite3.connect(path)) as conn:
        row = conn.execute("SELECT password_hash FROM sign_in").fetchone()
    return row[0] if row else None


def test_set_password_from_stdin_stores_a_hash_only(tmp_path, monkeypatch, capsys):
    path = tmp_path / "fieldkit.db"
    monkeypatch.setattr(sys, "stdin", io.StringIO("correct horse battery\n"))
    assert main(["set-password", "--db", str(path), "--password-stdin"]) == 0
    assert "Password set" in capsys.readouterr().out
    stored = _stored_hash(path)
    assert stored.startswith("scrypt$") and "correct horse" not in stored
    assert access.verify_password(stored, "correct horse battery")


def test_set_password_too_short_changes_nothing(tmp_path, monkeypatch, capsys):
    path = tmp_path / "fieldkit.db"
    monkeypatch.setattr(sys, "stdin", io.StringIO("first good password\n"))
    main(["set-password", "--db", str(path), "--password-stdin"])
    before = _stored_hash(path)
    monkeypatch.setattr(sys, "stdin", io.StringIO("short\n"))
    assert main(["set-password", "--db", str(path), "--password-stdin"]) == 1
    assert "at least 8 characters" in capsys.readouterr().err
    assert _stored_hash(path) == before


def test_set_password_prompts_twice_and_refuses_a_mismatch(tmp_path, monkeypatch, capsys):
    path = tmp_path / "fieldkit.db"
    answers = iter(["correct horse battery", "correct horse batteyr"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    assert main(["set-password", "--db", str(path)]) == 1
    assert "differ" in capsys.readouterr().err
    assert not path.exists() or _stored_hash(path) is None


def test_clear_password_removes_it(tmp_path, monkeypatch, capsys):
    path = tmp_path / "fieldkit.db"
    monkeypatch.setattr(sys, "stdin", io.StringIO("correct horse battery\n"))
    main(["set-password", "--db", str(path), "--password-stdin"])
    assert main(["clear-password", "--db", str(path)]) == 0
    assert "Password removed" in capsys.readouterr().out
    assert _stored_hash(path) is None


def _signed_in_device(path):
    with fieldkit.db.connect(path) as conn:
        return access.sign_in_device(conn, "correct horse battery", client="192.0.2.10")


def _devices(path):
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute("SELECT count(*) FROM devices").fetchone()[0]


def test_set_password_signs_every_device_out(tmp_path, monkeypatch, capsys):
    path = tmp_path / "fieldkit.db"
    monkeypatch.setattr(sys, "stdin", io.StringIO("correct horse battery\n"))
    main(["set-password", "--db", str(path), "--password-stdin"])
    _signed_in_device(path)
    capsys.readouterr()
    monkeypatch.setattr(sys, "stdin", io.StringIO("another good password\n"))
    assert main(["set-password", "--db", str(path), "--password-stdin"]) == 0
    assert capsys.readouterr().out == f"Password set for {path}. Every device must sign in again.\n"
    assert _devices(path) == 0


def test_clear_password_signs_every_device_out(tmp_path, monkeypatch, capsys):
    path = tmp_path / "fieldkit.db"
    monkeypatch.setattr(sys, "stdin", io.StringIO("correct horse battery\n"))
    main(["set-password", "--db", str(path), "--password-stdin"])
    _signed_in_device(path)
    capsys.readouterr()
    assert main(["clear-password", "--db", str(path)]) == 0
    assert capsys.readouterr().out == f"Password removed from {path}; every device is signed out.\n"
    assert _devices(path) == 0


# --- read-card ----------------------------------------------------------------


def _clean_card(path, *lines) -> str:
    """A flat, sharp photo of a card holding ``lines``, as a PNG file; returns its path."""
    from PIL import Image, ImageDraw, ImageFont

    try:
        font = ImageFont.truetype("DejaVuSans.ttf", 44)
    except OSError:
        font = ImageFont.load_default(44)
    image = Image.new("RGB", (1050, 600), "white")
    draw = ImageDraw.Draw(image)
    for n, line in enumerate(lines):
        draw.text((70, 70 + n * 80), line, font=font, fill="black")
    image.save(path, format="PNG")
    return str(path)


def _json_lines(text):
    import json

    return [json.loads(line) for line in text.splitlines()]


def test_read_card_prints_one_json_line_per_image(tmp_path, capsys):
    from tests import cardgen

    made = [cardgen.card(seed) for seed in (7, 13)]
    paths = []
    for card in made:
        paths.append(tmp_path / f"card-{card.seed}.jpg")
        paths[-1].write_bytes(card.photo)
    assert main(["read-card", "--db", str(tmp_path / "none.db"), "--region", "DE",
                 *map(str, paths)]) == 0
    out = capsys.readouterr()
    read = _json_lines(out.out)
    assert [r["image"] for r in read] == list(map(str, paths))
    for card, got in zip(made, read):
        truth = card.truth
        assert (got["name"], got["company"], got["title"], got["email"], got["phones"]) == (
            truth.name, truth.company, truth.title, truth.email, list(truth.phones))
        assert {"website", "linkedin_url", "lines"} <= set(got)
        assert truth.name in got["lines"]
    assert out.err == ""
    assert not (tmp_path / "none.db").exists()  # reading a card opens no database


def test_read_card_reads_national_numbers_in_the_database_s_region(tmp_path, capsys):
    from fieldkit import config

    path = tmp_path / "fieldkit.db"
    with fieldkit.db.connect(path) as database:
        config.save(database, {"phone_region": "DE"})
    photo = _clean_card(tmp_path / "card.png", "Jane Doe", "Tel. 030 123456")
    assert main(["read-card", "--db", str(path), photo]) == 0
    assert [(r["name"], r["phones"]) for r in _json_lines(capsys.readouterr().out)] == [
        ("Jane Doe", ["+4930123456"])]
    # --region wins over the setting: 030 is no number in the US.
    assert main(["read-card", "--db", str(path), "--region", "us", photo]) == 0
    assert [r["phones"] for r in _json_lines(capsys.readouterr().out)] == [[]]


def test_read_card_unreadable_images_exit_1_and_the_others_are_read(tmp_path, capsys):
    not_image = tmp_path / "notes.jpg"
    not_image.write_text("Jane Doe, Acme\n")
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    photo = _clean_card(tmp_path / "card.png", "Jane Doe", "jane@acme.io")
    argv = ["read-card", "--db", str(tmp_path / "none.db"), str(not_image), photo,
            str(empty), str(tmp_path / "missing.jpg")]
    assert main(argv) == 1
    out = capsys.readouterr()
    assert [(r["image"], r["email"]) for r in _json_lines(out.out)] == [(photo, "jane@acme.io")]
    assert out.err.splitlines() == [
        f"error: {not_image}: Card photo: this file is not an image FieldKit can read "
        "(use JPEG, PNG or WebP).",
        f"error: {empty}: Card photo: the file is empty.",
        f"error: {tmp_path / 'missing.jpg'}: No such file or directory",
        "error: 3 of 4 images could not be read.",
    ]


def test_read_card_refuses_a_file_too_large_without_reading_it(tmp_path, capsys):
    big = tmp_path / "big.jpg"
    with open(big, "wb") as file:
        file.truncate(40 * 1024 * 1024)
    assert main(["read-card", "--db", str(tmp_path / "none.db"), str(big)]) == 1
    assert capsys.readouterr().err.splitlines()[0] == (
        f"error: {big}: Card photo: the file is 40.0 MB; at most 15 MB.")


def test_read_card_subprocess_exit_status_and_bad_region(tmp_path):
    run = dict(cwd=REPO, capture_output=True, text=True, timeout=60)
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n")
    done = subprocess.run([sys.executable, "-m", "fieldkit", "read-card", "--db",
                           str(tmp_path / "none.db"), str(bad)], **run)
    assert (done.returncode, done.stdout) == (1, "")
    assert "Card photo: this file is not an image" in done.stderr
    wrong = subprocess.run([sys.executable, "-m", "fieldkit", "read-card", "--region", "XX",
                            str(bad)], **run)
    assert wrong.returncode == 2 and "two-letter country code" in wrong.stderr
