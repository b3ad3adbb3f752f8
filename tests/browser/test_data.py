"""The Data page on a phone: upload, preview, apply, download."""

import sqlite3
from contextlib import closing
from pathlib import Path

from .helpers import assert_no_errors, assert_no_horizontal_overflow, expect, open_page, rerun

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def people(db_path) -> int:
    with closing(sqlite3.connect(db_path)) as conn:
        return conn.execute("SELECT count(*) FROM people").fetchone()[0]


def test_import_preview_apply_and_download_on_a_phone(server, phone_page, screenshot):
    page = phone_page
    open_page(page, server.url + "/data")
    assert_no_horizontal_overflow(page)
    with rerun(page):
        page.locator("input[type=file]").first.set_input_files(
            str(FIXTURES / "vcard" / "iphone-3.0.vcf"))
    new = page.get_by_test_id("stMetric").filter(has_text="New")
    expect(new.get_by_test_id("stMetricValue")).not_to_have_text("0")
    screenshot(page, "data-preview.png")
    assert_no_horizontal_overflow(page)
    assert people(server.db_path) == 0  # the preview wrote nothing

    with rerun(page):
        page.get_by_role("button", name="Import from this vCard file").tap()
    expect(page.get_by_text("Imported:")).to_be_visible()
    imported = people(server.db_path)
    assert imported > 0

    with page.expect_download() as arrival:
        page.get_by_role("button", name="People as vCard").tap()
    download = arrival.value
    text = Path(download.path()).read_text(encoding="utf-8")
    assert text.count("BEGIN:VCARD") == imported
    with page.expect_download() as arrival:
        page.get_by_role("button", name="Download a backup of everything").tap()
    assert Path(arrival.value.path()).read_bytes().startswith(b"SQLite format 3\x00")
    screenshot(page, "data-after.png")
    assert_no_horizontal_overflow(page)
    assert_no_errors(page)
