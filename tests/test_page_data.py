"""The Data page under AppTest: import with preview, restore checks, merge."""

from pathlib import Path

from apptest import rows, run_page

from fieldkit import backup, cards, config, db

PAGE = "pages/data.py"
FIXTURES = Path(__file__).parent / "fixtures"


def count(path, table="people") -> int:
    return rows(path, f"SELECT count(*) FROM {table}")[0][0]


def test_page_runs_on_empty_and_sample_data(app_db, sample_db):
    at = run_page(PAGE)
    assert not at.exception
    titles = [h.value for h in at.subheader]
    assert titles[:3] == ["Import", "Export", "Your own card"]


def test_linkedin_import_previews_then_applies_once(app_db):
    at = run_page(PAGE)
    data = (FIXTURES / "linkedin" / "Connections.csv").read_bytes()
    at.get("file_uploader")[0].upload("Connections.csv", data, "text/csv")
    at.run()
    assert not at.exception
    figures = {m.label: int(m.value) for m in at.metric}
    # A blank row is skipped; Ada's second line (the same profile) adds to her row.
    assert figures == {"New": 4, "Matched": 1, "Skipped": 1}
    assert count(app_db) == 0  # a preview writes nothing
    next(b for b in at.button if b.label.startswith("Import from this")).click()
    at.run()
    assert rows(app_db, "SELECT name FROM people ORDER BY id") == [
        ("Ada Lovelace",), ("Grace Hopper",), ("Jürgen Müller",), ("Priya Raman",)]
    assert "Imported" in at.success[0].value
    # The same file again: everyone is matched, nothing new.
    at.get("file_uploader")[0].upload("Connections.csv", data, "text/csv")
    at.run()
    assert {m.label: int(m.value) for m in at.metric}["New"] == 0


def test_a_file_that_is_not_an_export_is_refused(app_db):
    at = run_page(PAGE)
    at.get("file_uploader")[0].upload("Connections.csv", b"\x00\x01garbage", "text/csv")
    at.run()
    assert at.error
    assert count(app_db) == 0


def test_a_vcard_cut_off_inside_a_card_is_refused_with_a_clear_message(app_db):
    data = (FIXTURES / "vcard" / "iphone-many.vcf").read_bytes()
    at = run_page(PAGE)
    at.get("file_uploader")[0].upload("contacts.vcf", data[:data.rindex(b"END:VCARD")],
                                      "text/vcard")
    at.run()
    assert not at.exception
    assert at.error[0].value.startswith("The file ends inside card 3")
    assert "Nothing was imported" in at.error[0].value
    assert not [b for b in at.button if b.label.startswith("Import from this")]
    assert count(app_db) == count(app_db, "import_runs") == 0


def test_a_vcard_import_keeps_every_phone_and_address(app_db):
    data = (FIXTURES / "vcard" / "iphone-many.vcf").read_bytes()
    at = run_page(PAGE)
    at.get("file_uploader")[0].upload("contacts.vcf", data, "text/vcard")
    at.run()
    next(b for b in at.button if b.label.startswith("Import from this")).click()
    at.run()
    assert at.success[0].value == "Imported: 3 new, 0 matched, 0 skipped."
    # Keiko's nine numbers: the first is her primary, the other eight are kept beside it.
    assert count(app_db, "labelled_values WHERE kind = 'phone'") == 8
    assert count(app_db, "labelled_values WHERE kind = 'address'") == 2


def test_restore_of_a_bad_file_is_refused_and_changes_nothing(sample_db):
    before = count(sample_db)
    at = run_page(PAGE)
    at.get("file_uploader")[1].upload("backup.db", b"SQLite format 3\x00 but not really",
                                      "application/octet-stream")
    at.run()
    assert at.error
    assert not [b for b in at.button if b.label.startswith("Replace my data")]
    assert count(sample_db) == before


def test_own_card_needs_a_name_then_shows_a_qr_code(app_db):
    at = run_page(PAGE)
    assert any("Set your name in Settings" in c.value for c in at.caption)
    with db.connect(app_db) as conn:
        config.save(conn, {"my_name": "Sam Rivera"})
    at = run_page(PAGE)
    assert len(at.get("image")) == 1  # the QR code
    assert not any("Set your name in Settings" in c.value for c in at.caption)


def test_twins_are_listed_and_merged(app_db):
    with db.connect(app_db) as conn:
        settings = config.load(conn)
        for _ in range(2):
            cards.save(conn, cards.clean({"name": "Ada Okafor", "company": "Northwind",
                                          "email": "ada@northwind.example"}), settings=settings)
    at = run_page(PAGE)
    assert any("Ada Okafor" in e.label for e in at.expander)
    assert not any(b.label == "Merge into one" for b in at.button)  # drawn when opened
    first, second = (i for (i,) in rows(app_db, "SELECT id FROM people ORDER BY id"))
    key = f"twin_open_{first}-{second}"
    at.session_state[key] = True  # the lazy expander, opened
    at.run()
    next(b for b in at.button if b.label == "Merge into one").click()
    at.run()
    assert not at.exception
    assert rows(app_db, "SELECT status FROM people ORDER BY id") in (
        [("active",), ("merged",)], [("merged",), ("active",)])
    assert count(app_db, "touches WHERE kind = 'met'") == 2


def test_restore_from_the_page_replaces_the_data_while_the_app_runs(sample_db, tmp_path):
    # The app keeps a connection open to watch for changes; a restore needs
    # the file to itself, so the page's restore must make it let go.
    other = tmp_path / "other.db"
    with db.connect(other) as conn:
        settings = config.load(conn)
        for name in ("Rita Restored", "Rob Restored"):
            cards.save(conn, cards.clean({"name": name}), settings=settings)
        data = backup.backup_bytes(conn)
    at = run_page(PAGE)
    assert count(sample_db) > 2
    at.get("file_uploader")[1].upload("backup.db", data, "application/vnd.sqlite3")
    at.run()
    next(b for b in at.button if b.label == "Replace my data with this backup").click()
    at.run()
    assert not at.exception and not at.error
    assert at.success[0].value.startswith("Restored\\. The previous data is kept as ")
    assert rows(sample_db, "SELECT name FROM people ORDER BY id") == [
        ("Rita Restored",), ("Rob Restored",)]
    kept = list(sample_db.parent.glob(f"{sample_db.stem}.before-restore-*.db"))
    assert len(kept) == 1 and count(kept[0]) > 2
    # The next run reads the restored file, not what was cached before.
    at = run_page("pages/people.py")
    assert at.caption[0].value == "2 people"
