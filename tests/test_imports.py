"""fieldkit.imports: applying a preview to people already known."""

import sqlite3

import pytest

from fieldkit import imports, people, sample
from fieldkit.cards import Card
from fieldkit.imports import Preview, Row
from tests.factory import NOW, save_imported

# People scanned in January 2024 and stored then: what each import here finds known.
KNOWN = {"source": "scan", "met_at": "2024-01-01T00:00:00Z"}


def _matches(person_id: int, *found: tuple[Card, bytes | None]) -> Preview:
    rows = [Row(n, "match", card.name, "same name", person_id, card, None, photo)
            for n, (card, photo) in enumerate(found, start=1)]
    return Preview("vcard", "people.vcf", "0" * 64, rows)


def _person(db, person_id: int) -> dict:
    cursor = db.execute("SELECT * FROM people WHERE id = ?", [person_id])
    return dict(zip([c[0] for c in cursor.description], cursor.fetchone()))


def test_apply_fills_several_people_and_leaves_the_rest_alone(db):
    ada = save_imported(db, **KNOWN, company="Analytical Engines")
    bob = save_imported(db, "Bob Byte", **KNOWN, title="CTO")
    untouched = _person(db, bob)
    preview = Preview("vcard", None, "0" * 64, [
        Row(1, "match", "Ada", "same name", ada,
            Card(name="Ada Lovelace", company="Other Co", title="Countess",
                 email="ada@example.com")),
        Row(2, "match", "Bob", "same name", bob, Card(name="Bob Byte", title="CEO")),
    ])
    assert imports.apply(db, preview, now=NOW) == {"new": 0, "matched": 2, "skipped": 0}
    filled = _person(db, ada)
    assert (filled["company"], filled["company_key"], filled["title"], filled["email"],
            filled["updated_at"]) == (
        "Analytical Engines", "analytical engines", "Countess", "ada@example.com",
        "2026-03-10T14:00:00Z")
    assert _person(db, bob) == untouched  # nothing empty to fill: not even updated_at


def test_apply_fills_company_with_its_match_key(db):
    ada = save_imported(db, **KNOWN)
    imports.apply(db, _matches(ada, (Card(name="Ada Lovelace", company="ÉCOLE  Nord"), None)),
                  now=NOW)
    assert _person(db, ada)["company_key"] == "ecole nord"


def test_apply_two_rows_for_one_person_never_overwrite_each_other(db):
    ada = save_imported(db, **KNOWN)
    photo = sample.card_photo_png()
    imports.apply(db, _matches(
        ada,
        (Card(name="Ada Lovelace", company="First Co", tags=("speaker",)), photo),
        (Card(name="Ada Lovelace", company="Second Co", title="Countess",
              tags=("speaker", "math")), photo),
    ), now=NOW)
    person = _person(db, ada)
    assert (person["company"], person["title"]) == ("First Co", "Countess")
    assert [t for (t,) in db.execute(
        "SELECT tag FROM person_tags WHERE person_id = ? ORDER BY tag", [ada])] == [
        "math", "speaker"]
    assert db.execute("SELECT count(*) FROM attachments WHERE person_id = ?",
                      [ada]).fetchone()[0] == 1


@pytest.mark.parametrize("column, value, query", [
    ("title", "Countess of Lovelace", "countess"),
    ("company", "Analytical Engines", "analytical"),
    ("note", "Met at the Difference Engine demo", "difference"),
])
def test_search_finds_a_person_by_what_an_import_filled(db, column, value, query):
    ada = save_imported(db, **KNOWN)
    imports.apply(db, _matches(ada, (Card(name="Ada Lovelace", **{column: value}), None)),
                  now=NOW)
    found, total = people.search(db, people.Filters(query=query))
    assert ([p["id"] for p in found], total) == ([ada], 1)
    # FTS5's own check: raises if the search index disagrees with the people table.
    db.execute("INSERT INTO people_fts (people_fts) VALUES ('integrity-check')")


def _temp_tables(db) -> list[str]:
    return [name for (name,) in db.execute("SELECT name FROM temp.sqlite_master")]


def test_apply_adds_new_people_in_file_order_and_leaves_no_scratch_table(db):
    names = [f"Person {n}" for n in range(5)]
    preview = Preview("vcard", None, "0" * 64, [
        Row(n, "new", name, None, None, Card(name=name, title="Engineer"))
        for n, name in enumerate(names, start=1)])
    assert imports.apply(db, preview, now=NOW) == {"new": 5, "matched": 0, "skipped": 0}
    assert [n for (n,) in db.execute("SELECT name FROM people ORDER BY id")] == names
    found, total = people.search(db, people.Filters(query="engineer"))
    assert total == 5
    assert _temp_tables(db) == []


def test_apply_failing_while_adding_people_leaves_no_scratch_table(db):
    # A kind the schema refuses: the INSERT from the scratch table fails.
    preview = Preview("vcard", None, "0" * 64, [
        Row(1, "new", "Ada", None, None, Card(name="Ada Lovelace")),
        Row(2, "new", "Bob", None, None, Card(name="Bob Byte", kind="nonsense"))])
    with pytest.raises(sqlite3.IntegrityError):
        imports.apply(db, preview, now=NOW)
    assert _temp_tables(db) == []
    assert db.execute("SELECT count(*) FROM people").fetchone()[0] == 0
    assert db.execute("SELECT count(*) FROM import_runs").fetchone()[0] == 0
