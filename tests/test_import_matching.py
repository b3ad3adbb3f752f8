"""Imports match in memory (matching.Known): the same answers as the database's queries."""

from dataclasses import replace

import pytest

from fieldkit import cards, matching
from fieldkit.cards import Card
from fieldkit.matching import card_keys
from tests.factory import save_imported


def _cards_like_known_people(db, count=300):
    rows = db.execute(
        "SELECT name, company, email, phone, linkedin_url FROM people ORDER BY id LIMIT ?",
        [count]).fetchall()
    for n, (name, company, email, phone, url) in enumerate(rows):
        card = Card(name=name, company=company, email=email, phone=phone, linkedin_url=url)
        yield card
        yield replace(card, email=email.upper() if email else None, phone=None)
        yield replace(card, linkedin_url=f"https://www.linkedin.com/in/someone-else-{n}")
        yield replace(card, company=None, email=None, phone=None, linkedin_url=None)
        yield replace(card, name=name.upper(), email=None, phone=None, linkedin_url=None)
        yield Card(name=f"Nobody {n}", company=company)


@pytest.mark.parametrize("given", ["everyone", "the cards"])
def test_known_matches_as_the_queries_do(sample_day_readonly, given):
    cards_to_match = list(_cards_like_known_people(sample_day_readonly))
    assert len(cards_to_match) == 6 * 160  # six cards for each of the sample's people
    known = matching.Known.read(
        sample_day_readonly,
        [card_keys(c) for c in cards_to_match] if given == "the cards" else None)
    for card in cards_to_match:
        assert known.find_match(card_keys(card)) == matching.find_match(
            sample_day_readonly, card), card
        assert [(t["id"], t["why"]) for t in known.twins(card_keys(card))] == [
            (t["id"], t["why"]) for t in matching.twins(sample_day_readonly, card)]


def test_known_follows_an_import_as_it_writes(sample_day_readonly):
    known = matching.Known.read(sample_day_readonly)
    card = Card(name="Imre Newcastle", company="Quarry Data", email="imre@quarry.example")
    assert known.find_match(card_keys(card)) is None
    row = cards.imported_row(card, source="linkedin", met_at="2026-01-01T00:00:00Z",
                             stamp="2026-01-01T00:00:00Z")
    known.add(99_999, row["name"], matching.person_keys(row))
    assert known.find_match(card_keys(
        replace(card, company=None, email="IMRE@quarry.example")))[0] == 99_999
    assert known.find_match(card_keys(replace(card, email=None)))[0] == 99_999
    known.filled(99_999, {"phone": "+4930123456"})
    assert known.find_match(card_keys(Card(name="X", phone="+4930123456")))[0] == 99_999


def test_known_of_cards_reads_only_people_sharing_a_key(sample_day_readonly):
    first, second = sample_day_readonly.execute(
        "SELECT id, name, company FROM people ORDER BY id LIMIT 2").fetchall()
    known = matching.Known.read(
        sample_day_readonly, [card_keys(Card(name=first[1], company=first[2]))], ids=[second[0]])
    # No one else in the sample has the first person's name: only the two asked for.
    assert sorted(known.people) == [first[0], second[0]]
    assert len(matching.Known.read(sample_day_readonly).people) == 160


def test_known_of_cards_keeps_a_matched_id_whose_keys_changed(sample_day_readonly):
    person_id = sample_day_readonly.execute("SELECT min(id) FROM people").fetchone()[0]
    known = matching.Known.read(sample_day_readonly, [card_keys(Card(name="Nobody Like Them"))],
                                ids=[person_id])
    assert person_id in known.people


@pytest.mark.parametrize("column, value, card", [
    ("email", "Zed@Example.COM", Card(name="X", email="zed@example.com")),
    ("phone", "+4930999888", Card(name="X", phone="+4930999888")),
    ("linkedin_url", "https://www.linkedin.com/in/zed",
     Card(name="X", linkedin_url="https://www.linkedin.com/in/zed")),
    ("company", "Zed Works", Card(name="Ada Zed", company="ZED  works")),
])
def test_known_of_cards_finds_each_kind_of_key(sample_day_db, column, value, card):
    person_id = save_imported(sample_day_db, "Ada Zed", source="vcard",
                              met_at="2026-01-01T00:00:00Z", **{column: value})
    known = matching.Known.read(sample_day_db, [card_keys(card)])
    assert known.find_match(card_keys(card))[0] == person_id
    assert known.find_match(card_keys(card)) == matching.find_match(sample_day_db, card)


def test_known_of_cards_leaves_out_merged_people(sample_day_db):
    person_id = sample_day_db.execute("SELECT min(id) FROM people").fetchone()[0]
    sample_day_db.execute("UPDATE people SET status = 'merged' WHERE id = ?", [person_id])
    name, company = sample_day_db.execute(
        "SELECT name, company FROM people WHERE id = ?", [person_id]).fetchone()
    known = matching.Known.read(sample_day_db, [card_keys(Card(name=name, company=company))],
                                ids=[person_id])
    assert person_id not in known.people
