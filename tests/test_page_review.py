"""Today's Review list: booth cards that look like someone known, answered in one tap."""

import uuid
from datetime import timedelta

from fieldkit import booth, clock, db as fdb, reviews
from tests.apptest import rows, run_page
from tests.factory import save_card


def _booth_twin(path, name="Amara O.", email="amara@example.com"):
    with fdb.connect(path) as conn:
        known = save_card(conn, "Amara Okafor", company="Acme", email=email, at=None)
        receipt = booth.receive(conn, {
            "id": str(uuid.uuid4()),
            "captured_at": (clock.utc_now() - timedelta(minutes=5)).isoformat(),
            "fields": {"name": name, "email": email}})
    return known, receipt.person_id


def _review_texts(at):
    return [m.value for m in at.markdown if "looks like someone you know" in m.value]


def test_a_booth_twin_is_listed_and_keep_both_ends_its_review(app_db):
    known, new = _booth_twin(app_db, name="<b>Amara</b> *O*")
    at = run_page()
    assert [s.value for s in at.subheader if s.value.startswith("Review")] == ["Review · 1"]
    assert _review_texts(at) == [
        r"**\<b\>Amara\<\/b\> \*O\*** looks like someone you know: **Amara Okafor** (Acme)."]
    at.button(key=f"review_keep_{new}").click().run()
    assert not at.exception
    assert rows(app_db, "SELECT count(*) FROM reviews") == [(0,)]
    assert rows(app_db, "SELECT count(*) FROM people WHERE status != 'merged'") == [(2,)]
    assert _review_texts(at) == []
    assert not [s for s in at.subheader if s.value.startswith("Review")]


def test_merge_into_the_known_person_folds_the_booth_card_in(app_db):
    known, new = _booth_twin(app_db)
    at = run_page()
    merge = at.button(key=f"review_merge_{new}")
    assert merge.label == "Merge into Amara Okafor"
    merge.click().run()
    assert not at.exception
    assert rows(app_db, "SELECT id, status, merged_into FROM people ORDER BY id") == [
        (known, "active", None), (new, "merged", known)]
    assert _review_texts(at) == []


def test_no_review_list_when_nothing_waits(app_db):
    with fdb.connect(app_db) as conn:
        save_card(conn, "Amara Okafor", at=None)
    at = run_page()
    assert not [s for s in at.subheader if s.value.startswith("Review")]


def test_a_card_read_from_its_photo_waits_until_it_looks_right(app_db):
    with fdb.connect(app_db) as conn:
        receipt = booth.receive(conn, {
            "id": str(uuid.uuid4()),
            "captured_at": (clock.utc_now() - timedelta(minutes=5)).isoformat(),
            "fields": {"name": "Amara"}, "photo": None})
        reviews.flag(conn, receipt.person_id, "read")
    at = run_page()
    assert [m.value for m in at.markdown if "card photo" in m.value] == [
        "**Amara** was filled in from its card photo: open it and check what was read."]
    looks_right = at.button(key=f"review_keep_{receipt.person_id}")
    assert looks_right.label == "Looks right"
    looks_right.click().run()
    assert rows(app_db, "SELECT count(*) FROM reviews") == [(0,)]
