"""The phones' change log: every write that changes a card or an event notes its href,
a sync token says what came after, and a token from elsewhere is stale."""

from datetime import timedelta

import pytest

from fieldkit import (backup, cards, config, db as fdb, followups, labelled, merge, people,
                      sync_log)
from tests.factory import NOW, SETTINGS, add_event, save_card


def card(db, person_id):
    return db.execute("SELECT uid FROM people WHERE id = ?", [person_id]).fetchone()[0] + ".vcf"


def events(db, person_id, status="open"):
    return {uid + ".ics" for (uid,) in db.execute(
        "SELECT uid FROM followups WHERE person_id = ? AND status = ?", [person_id, status])}


def changed(db, before):
    return {book: set(sync_log.changed_since(db, book, token)) for book, token in before.items()}


def tokens(db):
    return {book: sync_log.token(db, book) for book in sync_log.BOOKS}


def test_a_token_names_the_log_and_its_last_change(db):
    first = sync_log.token(db, "contacts")
    assert first.startswith(sync_log.TOKEN_PREFIX)
    assert sync_log.changed_since(db, "contacts", first) == []
    save_card(db, "Ines Moreau")
    assert sync_log.token(db, "contacts") != first
    assert sync_log.changed_since(db, "contacts", sync_log.token(db, "contacts")) == []


def test_only_the_last_change_of_an_href_is_kept(db):
    person = save_card(db, "Ines Moreau")
    before = sync_log.token(db, "contacts")
    for title in ("CTO", "CEO", "Founder"):
        db.execute("UPDATE people SET title = ? WHERE id = ?", [title, person])
    assert sync_log.changed_since(db, "contacts", before) == [card(db, person)]
    assert db.execute("SELECT count(*) FROM dav_changes WHERE href = ?",
                      [card(db, person)]).fetchone()[0] == 1


def _edit(db, person):
    row = cards.person_row(db, person)
    people.update(db, person, cards.clean({**row, "title": "CTO"}))


def _tag(db, person):
    db.execute("INSERT INTO person_tags (person_id, tag) VALUES (?, 'berlin')", [person])


def _value(db, person):
    labelled.add(db, person, cards.person_row(db, person),
                 [labelled.Labelled("phone", "+4930123456", "work")])


def _photo(db, person):
    db.execute("INSERT INTO attachments (person_id, kind, mime, bytes, data, created_at) "
               "VALUES (?, 'card_photo', 'image/png', 1, x'00', '2026-03-01T00:00:00Z')",
               [person])


def _snooze(db, person):
    followups.snooze(db, person, NOW.date() + timedelta(days=5), now=NOW, tz="UTC")


def _attempt(db, person):
    followups.log_attempt(db, person, "email", SETTINGS, now=NOW)


def _rename_event(db, person):
    event = db.execute("SELECT event_id FROM people WHERE id = ?", [person]).fetchone()[0]
    db.execute("UPDATE events SET name = 'Web Summit' WHERE id = ?", [event])


def _timezone(db, person):
    config.save(db, {"timezone": "Asia/Tokyo"})


def _triage_time(db, person):
    config.save(db, {"triage_time": "20:30"})


def _delete(db, person):
    people.delete(db, person)


# (what is done, whether the person's card changes, which of their events change)
WRITES = [
    # A new phone number is on the card, and in the event's description.
    (_edit, True, "open"), (_tag, True, None), (_value, True, "open"), (_photo, True, None),
    (_snooze, True, "open"), (_attempt, True, "all"), (_rename_event, True, "open"),
    (_timezone, True, "open"), (_triage_time, False, "open"), (_delete, True, "all"),
]


@pytest.mark.parametrize("write, card_changes, events_change", WRITES,
                         ids=[w[0].__name__.strip("_") for w in WRITES])
def test_every_write_that_changes_a_card_or_an_event_is_noted(db, write, card_changes,
                                                                events_change):
    event = add_event(db)
    person = save_card(db, "Ines Moreau", event_id=event)
    other = save_card(db, "Kenji Watanabe")
    href = card(db, person)
    open_before = events(db, person)
    before = tokens(db)
    write(db, person)
    found = changed(db, before)
    assert (href in found["contacts"]) == card_changes
    expected = {None: set(), "open": open_before | events(db, person),
                "all": open_before | events(db, person) | events(db, person, "done")}
    theirs = {h for h in found["followups"] if h not in events(db, other)}
    assert theirs == expected[events_change]


def test_a_person_deleted_leaves_a_tombstone(db):
    person = save_card(db, "Ines Moreau")
    href = card(db, person)
    before = sync_log.token(db, "contacts")
    people.delete(db, person)
    assert sync_log.changed_since(db, "contacts", before) == [href]


def test_a_person_merged_away_leaves_a_tombstone_and_the_twin_changes(db):
    keep = save_card(db, "Ines Moreau", email="ines@example.com")
    drop = save_card(db, "Ines Moreau", phone="+33612345678")
    hrefs = {card(db, keep), card(db, drop)}
    before = sync_log.token(db, "contacts")
    merge.merge(db, keep, drop)
    assert set(sync_log.changed_since(db, "contacts", before)) == hrefs


def test_reading_changes_nothing(db):
    from fieldkit import contacts_book
    person = save_card(db, "Ines Moreau")
    before = tokens(db)
    contacts_book.texts(db, [person], "UTC")
    contacts_book.listing(db)
    assert changed(db, before) == {"contacts": set(), "followups": set()}


@pytest.mark.parametrize("stale", [
    "", "garbage", sync_log.TOKEN_PREFIX + "0123456789abcdef-0",
    "http://radicale.org/ns/sync/abc"])
def test_a_token_this_log_did_not_give_is_stale(db, stale):
    with pytest.raises(sync_log.StaleToken):
        sync_log.changed_since(db, "contacts", stale)


def test_a_token_ahead_of_the_log_is_stale(db):
    save_card(db, "Ines Moreau")
    token = sync_log.token(db, "contacts")
    name, _, seq = token.rpartition("-")
    with pytest.raises(sync_log.StaleToken):
        sync_log.changed_since(db, "contacts", f"{name}-{int(seq) + 1}")


def test_a_token_of_another_database_file_is_stale(db, tmp_path):
    token = sync_log.token(db, "contacts")
    with fdb.connect(tmp_path / "other.db") as other:
        with pytest.raises(sync_log.StaleToken):
            sync_log.changed_since(other, "contacts", token)


def test_a_restore_makes_every_token_stale(tmp_path):
    path = tmp_path / "fieldkit.db"
    with fdb.connect(path) as db:
        save_card(db, "Ines Moreau")
        token = sync_log.token(db, "contacts")
        copy = fdb.backup_to(db, tmp_path / "backup.db")
    backup.restore(path, copy.read_bytes(), wait=1)
    with fdb.connect(path) as db:
        with pytest.raises(sync_log.StaleToken):
            sync_log.changed_since(db, "contacts", token)


def test_the_books_tokens_are_apart(db):
    assert sync_log.token(db, "contacts") != sync_log.token(db, "followups")
    with pytest.raises(sync_log.StaleToken):
        sync_log.changed_since(db, "followups", sync_log.token(db, "contacts"))


def test_the_collection_tag_stays_until_a_change_or_a_property(db):
    tag = sync_log.collection_tag(db, "contacts")
    assert sync_log.collection_tag(db, "contacts") == tag
    sync_log.set_props(db, "contacts", {"ICAL:calendar-color": "#0f766e"})
    assert sync_log.props(db, "contacts") == {"ICAL:calendar-color": "#0f766e"}
    coloured = sync_log.collection_tag(db, "contacts")
    assert coloured != tag
    save_card(db, "Ines Moreau")
    assert sync_log.collection_tag(db, "contacts") != coloured


def test_the_triggers_survive_in_the_schema(db):
    # A table.transform() drops triggers silently: this says so if one did.
    names = {n for (n,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    from fieldkit.migrations import _DAV_TRIGGERS
    assert {name for name, _, _ in _DAV_TRIGGERS} <= names
