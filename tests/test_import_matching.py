"""Imports match in memory (imports.Known): the same answers as the database's queries."""

from dataclasses import replace

from fieldkit import cards, imports
from fieldkit.cards import Card


def _cards_like_known_people(db, count=300):
    rows = db.execute(
        "SELECT name, company, email, phone, linkedin_url FROM contacts ORDER BY id LIMIT ?",
        [count]).fetchall()
    for n, (name, company, email, phone, url) in enumerate(rows):
        card = Card(name=name, company=company, email=email, phone=phone, linkedin_url=url)
        yield card
        yield replace(card, email=email.upper() if email else None, phone=None)
        yield replace(card, linkedin_url=f"https://www.linkedin.com/in/someone-else-{n}")
        yield replace(card, company=None, email=None, phone=None, linkedin_url=None)
        yield replace(card, name=name.upper(), email=None, phone=None, linkedin_url=None)
        yield Card(name=f"Nobody {n}", company=company)


def test_known_matches_as_the_queries_do(sample_day_db):
    known = imports.Known(sample_day_db)
    checked = 0
    for card in _cards_like_known_people(sample_day_db):
        assert known.find_match(card) == imports.find_match(sample_day_db, card), card
        assert [(t["id"], t["why"]) for t in known.twins(card)] == [
            (t["id"], t["why"]) for t in cards.find_twins(sample_day_db, card)]
        checked += 1
    assert checked >= 900


def test_known_follows_an_import_as_it_writes(sample_day_db):
    known = imports.Known(sample_day_db)
    card = Card(name="Imre Newcastle", company="Quarry Data", email="imre@quarry.example")
    assert known.find_match(card) is None
    row = cards.imported_row(card, source="linkedin", met_at="2026-01-01T00:00:00Z",
                             stamp="2026-01-01T00:00:00Z")
    known.add(99_999, row)
    assert known.find_match(replace(card, company=None, email="IMRE@quarry.example"))[0] == 99_999
    assert known.find_match(replace(card, email=None))[0] == 99_999
    known.filled(99_999, {"phone": "+4930123456"})
    assert known.find_match(Card(name="X", phone="+4930123456"))[0] == 99_999
