"""fieldkit.people: safe full-text queries, search with filters and paging, one person."""

import io
import shutil
from datetime import datetime

import pytest
from PIL import Image

import fieldkit.db
from fieldkit import cards, events, people, photos
from fieldkit.errors import NotFound
from fieldkit.people import Filters
from tests.factory import SETTINGS, add_followup, add_touch, at, save_card


def make_event(db, name: str) -> int:
    return events.create(db, {"name": name, "kind": "trade_show", "tz": "Europe/Berlin",
                              "starts": datetime(2026, 3, 9, 9), "ends": datetime(2026, 3, 13, 18)})


def _fill(db) -> dict:
    """Six people, two events; Grace was met again at the first event."""
    messe, cebit = make_event(db, "Hannover Messe"), make_event(db, "CeBIT")
    ids = {
        "grace": save_card(db, "Grace Hopper", at=at("2026-03-09", 10), event_id=cebit,
                           kind="partner", company="Navy", tags="cobol"),
        "maria": save_card(db, "Maria Schneider", at=at("2026-03-10", 10), event_id=messe,
                           kind="customer", company="Siemens", title="Product Manager",
                           tags="ai"),
        "mark": save_card(db, "Mark Schulz", at=at("2026-03-10", 11), event_id=messe,
                          kind="competitor", company="SAP", tags="ai, ml"),
        "hans": save_card(db, "Hans Meyer", at=at("2026-03-11", 9), event_id=cebit,
                          kind="prospect", company="Schott AG", title="Engineer",
                          note="Runs marathons"),
        "jose": save_card(db, "José García", at=at("2026-03-11", 12), kind="vendor",
                          company="Telefónica"),
        "ada": save_card(db, "Ada Lovelace", at=at("2026-03-12", 8), note="met at dinner"),
    }
    cards.add_meeting(db, ids["grace"], cards.clean({"name": "Grace Hopper"}),
                      settings=SETTINGS, event_id=messe, now=at("2026-03-11", 15))
    return {**ids, "messe": messe, "cebit": cebit}


@pytest.fixture
def crowd(db):
    return _fill(db)


@pytest.fixture(scope="module")
def seen(tmp_path_factory, _migrated_file):
    """The same crowd in one database shared by the tests that only read."""
    path = tmp_path_factory.mktemp("people") / "fieldkit.db"
    shutil.copyfile(_migrated_file, path)
    with fieldkit.db.connect(path) as database:
        yield database, _fill(database)


def names(db, **filters) -> list[str]:
    rows, total = people.search(db, Filters(**filters))
    assert total == len(rows)
    return [r["name"] for r in rows]


# --- fts_query --------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("mar sch", '"mar"* "sch"*'),
        ("  Maria  ", '"Maria"*'),
        ("a-b", '"a"* "b"*'),
        ('ma"ria', '"ma"* "ria"*'),
        ("NEAR(maria, 2)", '"NEAR"* "maria"* "2"*'),
        ("maria OR hans", '"maria"* "OR"* "hans"*'),
        ("name:maria", '"name"* "maria"*'),
        ("García", '"García"*'),
        (" ".join("abcdefghijklmn"), " ".join(f'"{c}"*' for c in "abcdefghijkl")),  # 12 words
        ("", None),
        (None, None),
        ("   ", None),
        ('"', None),
        ("*(^)-:", None),
        ("😀 🎉", None),
    ],
)
def test_fts_query_quotes_every_word_as_prefix(typed, expected):
    assert people.fts_query(typed) == expected


# --- search: the query ------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("schnei", ["Maria Schneider"]),  # name
        ("siem", ["Maria Schneider"]),  # company
        ("engineer", ["Hans Meyer"]),  # title
        ("marath", ["Hans Meyer"]),  # note
        ("dinner", ["Ada Lovelace"]),
        ("MARIA", ["Maria Schneider"]),
        ("maria schneider", ["Maria Schneider"]),
        ("schneider maria", ["Maria Schneider"]),
        # Every word a prefix, all required: matches in name, company and note.
        ("mar sch", ["Hans Meyer", "Mark Schulz", "Maria Schneider"]),
        ("mar schu", ["Mark Schulz"]),
        ("garcia", ["José García"]),  # accents do not matter
        ("GARCÍA telef", ["José García"]),
        ("product manager", ["Maria Schneider"]),
        ("nobody", []),
        ("maria*", ["Maria Schneider"]),  # operators typed are plain text
        ("-maria", ["Maria Schneider"]),
        ('"maria"', ["Maria Schneider"]),
        ("(maria)", ["Maria Schneider"]),
        ("maria:", ["Maria Schneider"]),
        ("maria OR hans", []),  # OR is a word, not an operator
        ("maria " * 2000, ["Maria Schneider"]),
    ],
)
def test_search_query_finds_by_prefix(seen, query, expected):
    db, crowd = seen
    assert names(db, query=query) == expected


def test_search_query_typed_with_combining_accents(seen):
    db, crowd = seen
    # "García" as some keyboards and pasted text deliver it: i + combining acute.
    assert names(db, query="Garci\u0301a") == ["José García"]


HOSTILE = ['"', '""', "'", "*", "(", ")", "NEAR(", "AND OR NOT", "AND", ":", "^", "-", "\\",
           "{", "}", "[", "]", "+", "name:", "maria AND", "NOT maria", "\x00", "\u200b",
           "😀", "👩\u200d💻 maria", "مريم", "שלום", "\u202emaria", "_", "__", "²", "a" * 10_000,
           "x " * 5_000, "'; DROP TABLE people; --", "%", "maria%", "*" * 10_000]


@pytest.mark.parametrize("query", HOSTILE, ids=range(len(HOSTILE)))
def test_search_any_input_never_raises(seen, query):
    db, crowd = seen
    rows, total = people.search(db, Filters(query=query))
    assert isinstance(rows, list) and total == len(rows)
    assert people.search(db, Filters())[1] == 6  # nothing was harmed


@pytest.mark.parametrize(
    "query",
    ['"', '""', "'", "*", "(", ":", "^", "-", "\\", "...", "-- ;", "😀", "🎉🎉", "\u200b", "*" * 10_000],
)
def test_search_punctuation_only_returns_nothing(seen, query):
    db, crowd = seen
    assert people.search(db, Filters(query=query)) == ([], 0)


def test_search_empty_query_returns_everyone_most_recently_met_first(seen):
    db, crowd = seen
    expected = ["Ada Lovelace", "José García", "Hans Meyer", "Mark Schulz", "Maria Schneider",
                "Grace Hopper"]
    assert names(db) == expected
    assert names(db, query="   ") == expected


def test_search_result_rows_have_card_and_event(seen):
    db, crowd = seen
    rows, total = people.search(db, Filters(query="maria"))
    assert total == 1
    assert rows == [{"id": crowd["maria"], "name": "Maria Schneider", "kind": "customer",
                     "company": "Siemens", "title": "Product Manager", "important": 0,
                     "status": "active", "met_at": "2026-03-10T10:00:00Z",
                     "event": "Hannover Messe"}]


# --- search: filters --------------------------------------------------------


def test_search_filter_kind(seen):
    db, crowd = seen
    assert names(db, kind="competitor") == ["Mark Schulz"]
    assert names(db, kind="press") == []


def test_search_filter_event_includes_people_met_again_there(seen):
    db, crowd = seen
    assert names(db, event_id=crowd["messe"]) == ["Mark Schulz", "Maria Schneider",
                                                  "Grace Hopper"]
    assert names(db, event_id=crowd["cebit"]) == ["Hans Meyer", "Grace Hopper"]


def test_search_filter_tag(seen):
    db, crowd = seen
    assert names(db, tag="ai") == ["Mark Schulz", "Maria Schneider"]
    assert names(db, tag="ml") == ["Mark Schulz"]
    assert names(db, tag="unknown") == []


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"query": "mar", "kind": "customer"}, ["Maria Schneider"]),
        ({"query": "mar sch", "event_id": "messe"}, ["Mark Schulz", "Maria Schneider"]),
        ({"query": "grace", "event_id": "messe"}, ["Grace Hopper"]),
        ({"query": "hans", "event_id": "messe"}, []),
        ({"query": "ma", "tag": "ml"}, ["Mark Schulz"]),
        ({"tag": "ai", "kind": "customer"}, ["Maria Schneider"]),
        ({"tag": "ai", "event_id": "cebit"}, []),
        ({"kind": "partner", "event_id": "messe"}, ["Grace Hopper"]),
        ({"query": "s", "kind": "competitor", "event_id": "messe", "tag": "ai"}, ["Mark Schulz"]),
    ],
)
def test_search_filters_combine_with_the_query(seen, filters, expected):
    db, crowd = seen
    if "event_id" in filters:
        filters = {**filters, "event_id": crowd[filters["event_id"]]}
    assert names(db, **filters) == expected


def test_search_paging_total_counts_all_matches(seen):
    db, crowd = seen
    everyone = names(db)
    pages = [people.search(db, Filters(), limit=2, offset=offset) for offset in (0, 2, 4, 6)]
    assert [total for _, total in pages] == [6, 6, 6, 6]
    assert [[r["name"] for r in rows] for rows, _ in pages] == [
        everyone[0:2], everyone[2:4], everyone[4:6], []]
    rows, total = people.search(db, Filters(query="mar sch"), limit=1, offset=1)
    assert ([r["name"] for r in rows], total) == (["Mark Schulz"], 3)


def test_search_hides_merged_people(db, crowd):
    db.execute("UPDATE people SET status = 'merged', merged_into = ? WHERE id = ?",
               [crowd["mark"], crowd["maria"]])
    assert names(db, query="maria") == []
    assert names(db, event_id=crowd["messe"]) == ["Mark Schulz", "Grace Hopper"]
    assert names(db, tag="ai") == ["Mark Schulz"]
    assert people.search(db, Filters())[1] == 5


@pytest.mark.parametrize("status", ["let_go", "declined"])
def test_search_keeps_people_let_go(db, crowd, status):
    db.execute("UPDATE people SET status = ? WHERE id = ?", [status, crowd["maria"]])
    rows, _ = people.search(db, Filters(query="maria"))
    assert [(r["name"], r["status"]) for r in rows] == [("Maria Schneider", status)]


def test_search_follows_edits_and_deletes(db, crowd):
    people.update(db, crowd["ada"], cards.clean({"name": "Augusta King", "company": "Babbage"}))
    assert names(db, query="babb") == ["Augusta King"]
    assert names(db, query="lovelace") == []
    people.delete(db, crowd["ada"])
    assert names(db, query="babb") == []


def test_tags_in_use_sorted_distinct(seen):
    db, crowd = seen
    assert people.tags_in_use(db) == ["ai", "cobol", "ml"]


# --- person -----------------------------------------------------------------


def _png() -> photos.Photo:
    out = io.BytesIO()
    Image.new("RGB", (20, 10), "olive").save(out, format="PNG")
    return photos.prepare(out.getvalue())


def test_person_has_card_tags_photos_touches_and_open_followups(db, crowd):
    grace = crowd["grace"]
    photo = _png()
    cards.add_meeting(db, grace, cards.clean({"name": "Grace", "tags": "navy, admiral"}),
                      settings=SETTINGS, photo=photo, now=at("2026-03-12", 9))
    # Logged after the meetings but happened between them: shown in time order.
    add_touch(db, grace, "2026-03-10T08:00:00Z", channel="email", note="sent slides",
              created_at="2026-03-12T10:00:00Z")
    add_followup(db, grace, "2026-03-01", rung=1, status="done",
                 created_at="2026-03-01T00:00:00Z")
    add_followup(db, grace, "2026-03-05", reason="next_step",
                 created_at="2026-03-01T00:00:00Z")
    found = people.person(db, grace)
    assert (found["id"], found["name"], found["company"], found["kind"]) == (
        grace, "Grace Hopper", "Navy", "partner")
    assert found["event"] == "CeBIT"
    assert found["tags"] == ["admiral", "cobol", "navy"]
    assert [(p["mime"], p["data"]) for p in found["photos"]] == [("image/jpeg", photo.data)]
    assert [(t["at"], t["kind"], t["event"], t["note"]) for t in found["touches"]] == [
        ("2026-03-09T10:00:00Z", "met", "CeBIT", None),
        ("2026-03-10T08:00:00Z", "attempt", None, "sent slides"),
        ("2026-03-11T15:00:00Z", "met", "Hannover Messe", None),
        ("2026-03-12T09:00:00Z", "met", None, None),
    ]
    assert [(f["due_on"], f["reason"], f["status"]) for f in found["followups"]] == [
        ("2026-03-05", "next_step", "open"),
        ("2026-03-10", "ladder", "open"),
    ]


def test_person_without_extras(db, crowd):
    found = people.person(db, crowd["jose"])
    assert (found["tags"], found["photos"], found["event"]) == ([], [], None)
    assert [t["kind"] for t in found["touches"]] == ["met"]


def test_person_missing_raises(db, crowd):
    with pytest.raises(NotFound, match="no longer exists"):
        people.person(db, 999)
    people.delete(db, crowd["ada"])
    with pytest.raises(NotFound):
        people.person(db, crowd["ada"])
