"""fieldkit.merge: finding the same person met twice, and merging without losing history."""

import json
from datetime import date, datetime, timezone

import pytest

from fieldkit import cards, debriefs, followups, labelled, people, photos, sample
from fieldkit.labelled import Labelled
from fieldkit.errors import NotFound
from fieldkit.merge import FIELDS, MergeError, candidates, merge, preview
from tests.factory import NOW, SETTINGS, save_card

LATER = datetime(2026, 3, 20, 9, 0, tzinfo=timezone.utc)  # when the twins are merged
DE = {**SETTINGS, "phone_region": "DE"}  # Ben Ito's "030 1234567" is a Berlin number


def pairs_by_ids(db) -> dict[frozenset, tuple[str, ...]]:
    return {frozenset((p.first["id"], p.second["id"])): p.reasons for p in candidates(db)}


def open_main(db, person_id) -> list[tuple]:
    return db.execute(
        "SELECT id, due_on FROM followups WHERE person_id = ? AND status = 'open' "
        "AND reason IN ('ladder', 'keep_in_touch')", [person_id]).fetchall()


def stored(db, person_id) -> dict:
    cursor = db.execute("SELECT * FROM people WHERE id = ?", [person_id])
    return dict(zip([d[0] for d in cursor.description], cursor.fetchone()))


# --- candidates -----------------------------------------------------------------

@pytest.mark.parametrize("first, second, reasons", [
    ({"name": "Ada Okafor", "email": "Ada@northwind.example"},
     {"name": "A. Okafor", "email": "ada@NORTHWIND.example"}, ("same email",)),
    ({"name": "Ben Ito", "phone": "030 1234567"},
     {"name": "Benjamin Ito", "phone": "+49 30 1234567"}, ("same phone",)),
    ({"name": "Cleo Park", "linkedin_url": "linkedin.com/in/cleo-park"},
     {"name": "Cleopatra Park", "linkedin_url": "https://www.linkedin.com/in/Cleo-Park/"},
     ("same LinkedIn profile",)),
    ({"name": "Dana Weiss", "company": "Acme"}, {"name": "dana  WEISS", "company": "ACME"},
     ("same name and company",)),
    ({"name": "José García"}, {"name": "Jose Garcia"}, ("same name",)),
    ({"name": "Jon Smith", "company": "Acme"}, {"name": "John Smith", "company": "Acme"},
     ("similar name, same company",)),
    ({"name": "Ada Okafor", "company": "Northwind", "email": "ada@northwind.example"},
     {"name": "Ada Okafro", "company": "Northwind", "email": "ada@northwind.example"},
     ("same email", "similar name, same company")),
])
def test_candidates_found_for_each_reason(db, first, second, reasons):
    a = save_card(db, settings=DE, **first)
    b = save_card(db, settings=DE, **second)
    assert pairs_by_ids(db) == {frozenset((a, b)): reasons}


@pytest.mark.parametrize("first, second", [
    ({"name": "Ada Okafor", "company": "Northwind"}, {"name": "Ada Okafor", "company": "Acme"}),
    ({"name": "Ada Okafor", "company": "Northwind"}, {"name": "Ada Okafor"}),
    ({"name": "Jon Smith", "company": "Acme"}, {"name": "John Smith", "company": "Globex"}),
    ({"name": "Jonas Yilmaz", "company": "Acme"}, {"name": "Jana Yilmaz", "company": "Acme"}),
    ({"name": "Wei Zhang", "company": "Acme"}, {"name": "Wen Zhang", "company": "Acme"}),
    ({"name": "Ada Okafor", "email": "ada@northwind.example"},
     {"name": "Ben Ito", "email": "ben@northwind.example"}),
])
def test_candidates_not_found_for_different_people(db, first, second):
    save_card(db, settings=DE, **first)
    save_card(db, settings=DE, **second)
    assert candidates(db) == []


def test_candidates_rank_stronger_reasons_first_and_leave_out_merged(db):
    weak_a = save_card(db, "Jon Smith", company="Acme")
    weak_b = save_card(db, "John Smith", company="Acme")
    strong_a = save_card(db, "Ada Okafor", email="ada@northwind.example")
    strong_b = save_card(db, "Ada O.", email="ada@northwind.example")
    found = candidates(db)
    assert [frozenset((p.first["id"], p.second["id"])) for p in found] == [
        frozenset((strong_a, strong_b)), frozenset((weak_a, weak_b))]
    assert found[0].first.keys() >= {"id", *FIELDS, "met_at", "touches", "event"}
    assert found[0].key == f"{found[0].first['id']}-{found[0].second['id']}"
    assert candidates(db, limit=1) == found[:1]
    merge(db, strong_a, strong_b, now=LATER)
    assert pairs_by_ids(db) == {frozenset((weak_a, weak_b)): ("similar name, same company",)}


def test_candidates_put_the_longer_history_first(db):
    older = save_card(db, "Ada Okafor", company="Northwind")
    busier = save_card(db, "Ada Okafor", company="Northwind")
    followups.log_attempt(db, busier, "email", SETTINGS, now=LATER)
    (pair,) = candidates(db)
    assert (pair.first["id"], pair.second["id"]) == (busier, older)


# --- merge -------------------------------------------------------------------------

@pytest.fixture
def twins(db):
    """Ada captured twice: once with email and a tag, once with phone, photo and title."""
    keep = save_card(db, "Ada Okafor", company="Northwind", email="ada@northwind.example",
                     tags="ai")
    drop = save_card(db, "Ada Okafor", company="Northwind", phone="+49 30 1234567",
                     title="CTO", tags="speaker, ai", note="Met at the booth",
                     photo=photos.prepare(sample.card_photo_png()),
                     at=datetime(2026, 3, 9, 10, 0, tzinfo=timezone.utc))
    # The dropped Ada gets an attempt: her ladder climbs to rung 2, due 12 March.
    followups.log_attempt(db, drop, "email", SETTINGS, now=NOW)
    return keep, drop


def test_merge_moves_history_and_takes_fields(db, twins):
    keep, drop = twins
    touches_before = db.execute("SELECT count(*) FROM touches").fetchone()[0]
    followup_ids = {i for (i,) in db.execute("SELECT id FROM followups")}
    done = merge(db, keep, drop, {"title": "drop", "note": "keep"}, now=LATER)
    kept = stored(db, keep)
    assert kept["email"] == "ada@northwind.example"  # keep's value
    assert kept["phone"] == "+49301234567"  # keep had none: the dropped one's
    assert kept["title"] == "CTO"  # chosen
    assert kept["note"] is None  # chosen "keep", although empty
    assert kept["met_at"] == "2026-03-09T10:00:00Z"  # the earlier meeting
    assert done.taken == ("title", "phone")
    assert db.execute("SELECT count(*) FROM touches WHERE person_id = ?",
                      [drop]).fetchone()[0] == 0
    assert db.execute("SELECT count(*) FROM touches").fetchone()[0] == touches_before + 1
    assert {i for (i,) in db.execute("SELECT id FROM followups WHERE person_id = ?",
                                     [keep])} == followup_ids
    assert [t for (t,) in db.execute(
        "SELECT tag FROM person_tags WHERE person_id = ? ORDER BY tag", [keep])] == \
        ["ai", "speaker"]
    assert db.execute("SELECT count(*) FROM person_tags WHERE person_id = ?",
                      [drop]).fetchone()[0] == 0
    assert db.execute("SELECT person_id FROM attachments").fetchall() == [(keep,)]
    dropped = stored(db, drop)
    assert (dropped["status"], dropped["merged_into"]) == ("merged", keep)
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []


def test_merge_leaves_one_open_followup_the_earliest_due(db, twins):
    keep, drop = twins
    assert open_main(db, keep)[0][1] == "2026-03-11"
    assert open_main(db, drop)[0][1] == "2026-03-12"
    done = merge(db, keep, drop, now=LATER)
    (still_open,) = open_main(db, keep)
    assert still_open[1] == "2026-03-11"
    cancelled = db.execute("SELECT id, status, closed_at FROM followups WHERE id = ?",
                           [done.cancelled[0]]).fetchone()
    assert cancelled[1:] == ("cancelled", "2026-03-20T09:00:00Z")


def test_merge_records_a_state_touch(db, twins):
    keep, drop = twins
    done = merge(db, keep, drop, {"title": "drop"}, now=LATER)
    kind, outcome, at, data = db.execute(
        "SELECT kind, outcome, at, data FROM touches WHERE id = ?", [done.touch_id]).fetchone()
    assert (kind, outcome, at) == ("state", "merged", "2026-03-20T09:00:00Z")
    data = json.loads(data)
    assert data["merged_from"] == drop
    assert data["fields"] == ["title", "phone", "note"]  # phone and note: keep had none
    assert data["cancelled"] == list(done.cancelled)
    assert data["moved"]["photos"] == 1


def test_merged_person_is_hidden_from_search(db, twins):
    keep, drop = twins
    found, total = people.search(db, people.Filters(query="okafor"))
    assert total == 2
    merge(db, keep, drop, now=LATER)
    found, total = people.search(db, people.Filters(query="okafor"))
    assert (total, [p["id"] for p in found]) == (1, [keep])
    assert pairs_by_ids(db) == {}


def test_merge_moves_debriefs_and_evidence_with_their_touch(db):
    keep = save_card(db, "Ada Okafor")
    drop = save_card(db, "Ada Okafor")
    assumption = debriefs.add_assumption(db, "Fleets plan routes the evening before", now=NOW)
    debrief = debriefs.clean(validated=[assumption], next_step="Send the one-pager",
                             next_step_on=date(2026, 3, 25))
    dialog = followups.log_dialog(db, drop, "coffee", SETTINGS, now=NOW, debrief=debrief)
    merge(db, keep, drop, now=LATER)
    assert db.execute("SELECT person_id FROM touches WHERE id = ?",
                      [dialog.touch_id]).fetchone() == (keep,)
    assert db.execute("SELECT t.person_id FROM evidence v JOIN touches t ON t.id = v.touch_id"
                      ).fetchall() == [(keep,)]
    # The next step stays open beside the one ladder/keep-in-touch follow-up, which
    # is the one due first (keep's ladder, 11 March) rather than the keep-in-touch.
    assert db.execute("SELECT reason, due_on FROM followups WHERE person_id = ? "
                      "AND status = 'open' ORDER BY reason", [keep]).fetchall() == [
        ("ladder", "2026-03-11"), ("next_step", "2026-03-25")]


def test_undoing_a_moved_capture_never_deletes_the_kept_person(db, twins):
    keep, drop = twins
    met = db.execute("SELECT id FROM touches WHERE person_id = ? AND kind = 'met'",
                     [drop]).fetchone()[0]
    merge(db, keep, drop, now=LATER)
    cards.undo_capture(db, met)
    assert stored(db, keep)["name"] == "Ada Okafor"
    assert stored(db, keep)["phone"] == "+49301234567"
    assert db.execute("SELECT count(*) FROM touches WHERE id = ?", [met]).fetchone()[0] == 0


def test_merge_into_someone_let_go_leaves_nothing_open(db, twins):
    keep, drop = twins
    followups.let_go(db, keep, now=NOW)
    merge(db, keep, drop, now=LATER)
    assert db.execute("SELECT count(*) FROM followups WHERE person_id = ? AND status = 'open'",
                      [keep]).fetchone()[0] == 0


def test_merge_can_take_the_status_of_the_dropped_person(db, twins):
    keep, drop = twins
    followups.let_go(db, keep, now=NOW)
    merge(db, keep, drop, {"status": "drop"}, now=LATER)
    assert stored(db, keep)["status"] == "active"
    assert [due for _, due in open_main(db, keep)] == ["2026-03-12"]


def test_merge_chain_points_to_the_last_person_kept(db):
    a, b, c = (save_card(db, "Ada Okafor") for _ in range(3))
    merge(db, b, c, now=NOW)
    merge(db, a, b, now=LATER)
    assert stored(db, c)["merged_into"] == a
    assert stored(db, b)["merged_into"] == a


@pytest.mark.parametrize("how, message", [
    ("itself", r"^A person cannot be merged with themselves\.$"),
    ("dropped already merged", r"^Ada Okafor was already merged into someone else\.$"),
    ("kept already merged", r"^Ada Okafor was already merged into someone else\.$"),
])
def test_merge_refuses_impossible_pairs(db, twins, how, message):
    keep, drop = twins
    third = save_card(db, "Ada Okafor")
    if how == "itself":
        pair = (keep, keep)
    else:
        merge(db, keep, drop, now=NOW)
        pair = (third, drop) if how == "dropped already merged" else (drop, third)
    before = db.execute("SELECT count(*), max(id) FROM touches").fetchone()
    with pytest.raises(MergeError, match=message):
        merge(db, *pair, now=LATER)
    assert db.execute("SELECT count(*), max(id) FROM touches").fetchone() == before


@pytest.mark.parametrize("choices, message", [
    ({"uid": "drop"}, r"^Unknown field to merge: 'uid'\.$"),
    ({"title": "both"}, r"^Title: choose 'keep' or 'drop', not 'both'\.$"),
])
def test_merge_refuses_bad_choices_and_changes_nothing(db, twins, choices, message):
    keep, drop = twins
    before = (stored(db, keep), stored(db, drop))
    with pytest.raises(MergeError, match=message):
        merge(db, keep, drop, choices, now=LATER)
    assert (stored(db, keep), stored(db, drop)) == before


def test_merge_of_someone_gone_raises_not_found(db, twins):
    keep, _ = twins
    before = (stored(db, keep), db.execute("SELECT count(*) FROM touches").fetchone())
    with pytest.raises(NotFound, match=r"^This person no longer exists\.$"):
        merge(db, keep, 9999, now=LATER)
    assert (stored(db, keep), db.execute("SELECT count(*) FROM touches").fetchone()) == before


def test_preview_shows_both_sides_and_the_defaults(db, twins):
    keep, drop = twins
    shown = preview(db, keep, drop)
    fields = {f["field"]: f for f in shown["fields"]}
    assert fields["phone"]["keep"] is None and fields["phone"]["default"] == "drop"
    assert fields["email"]["default"] == "keep"
    assert fields["name"]["same"] is True
    assert shown["moves"] == {"touches": 2, "followups": 2, "photos": 1,
                              "tags": ["ai", "speaker"], "values": 1}
    assert not {"email_label", "phone_label", "website_label", "named_from"} & set(fields)


def test_merge_keeps_every_value_of_both_and_the_chosen_primary(db):
    keep = save_card(db, "Ada Okafor", email="ada@northwind.example", email_label="work",
                     phone="+49 30 1234567", phone_label="mobile",
                     values=[("phone", "fax", "+49 30 1234568"),
                             ("address", "work", {"street": "Hauptstraße 5"})])
    drop = save_card(db, "Ada Okafor", email="ada@home.example", email_label="home",
                     phone="+49 30 1234568", values=[
                         ("email", None, "ADA@northwind.example"),
                         ("phone", "Cottage", "ask at reception"),
                         ("url", "blog", "ada.example"),
                         ("address", "home", {"street": "Gartenweg 2"})])
    assert preview(db, keep, drop)["moves"]["values"] == 4
    done = merge(db, keep, drop, {"email": "drop"}, now=LATER)
    assert done.taken == ("email", "website")
    kept = people.person(db, keep)
    assert labelled.every(kept, kept["more"]) == (
        Labelled("email", "ada@home.example", "home"),  # chosen: the primary
        Labelled("email", "ada@northwind.example", "work"),  # kept too, with its label
        Labelled("phone", "+49301234567", "mobile"),
        Labelled("phone", "+49301234568", "fax"),  # the same number once
        Labelled("phone", "ask at reception", "Cottage"),
        Labelled("url", "https://ada.example", "blog"),
        Labelled("address", '{"street":"Hauptstraße 5"}', "work"),
        Labelled("address", '{"street":"Gartenweg 2"}', "home"))
    assert db.execute("SELECT count(*) FROM labelled_values WHERE person_id = ?",
                      [drop]).fetchone() == (0,)
    assert stored(db, drop)["email"] == "ada@home.example"  # the merged row, for history


def test_merge_refuses_a_label_chosen_apart_from_its_value(db, twins):
    keep, drop = twins
    with pytest.raises(MergeError, match=r"^Email label goes with email: choose that\.$"):
        merge(db, keep, drop, {"email_label": "drop"}, now=LATER)


def test_merging_a_sample_pair_keeps_the_invariant(sample_day_db):
    db = sample_day_db
    assert candidates(db) == []  # the sample has no twins of its own
    known = db.execute("SELECT id, name, email FROM people WHERE email IS NOT NULL "
                       "AND status = 'active' ORDER BY id LIMIT 1").fetchone()
    twin = save_card(db, known[1], email=known[2].upper())
    (pair,) = candidates(db)
    assert {pair.first["id"], pair.second["id"]} == {known[0], twin}
    merge(db, pair.first["id"], pair.second["id"], now=LATER)
    assert db.execute(
        "SELECT person_id FROM followups WHERE status = 'open' "
        "AND reason IN ('ladder', 'keep_in_touch') GROUP BY person_id HAVING count(*) > 1"
    ).fetchall() == []
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
