"""fieldkit.matching: the keys, the reasons, and capture, import and merge agreeing on them."""

import pytest

from fieldkit import cards, imports, matching, merge
from fieldkit import db as fdb
from fieldkit.cards import Card
from fieldkit.imports import Entry
from fieldkit.matching import card_keys
from tests.factory import NOW, SETTINGS, save_card

# Cards are typed, imported and saved in Germany: "030 1234567" is a Berlin number.
DE = {**SETTINGS, "phone_region": "DE"}


def card(**fields) -> Card:
    return cards.clean({"name": "Ada Lovelace", **fields}, phone_region=DE["phone_region"])


def preview(db, *rows: dict) -> list[imports.Row]:
    """The rows of a file holding ``rows``, as an import would preview them."""
    entries = [Entry(number, dict(fields)) for number, fields in enumerate(rows, 1)]
    return imports.build_preview(db, kind="vcard", filename=None, data=b"x", entries=entries,
                                 phone_region=DE["phone_region"]).rows


def paired(db) -> set[frozenset]:
    return {frozenset((p.first["id"], p.second["id"])) for p in merge.candidates(db)}


# --- keys ---------------------------------------------------------------------------


@pytest.mark.parametrize("key, value, expected", [
    (matching.name_key, "José  GARCÍA", "jose garcia"),
    (matching.name_key, "Ada Lovelace", "ada lovelace"),
    (matching.name_key, None, None),
    (matching.company_key, "ACME  GmbH", "acme gmbh"),
    (matching.company_key, "", None),
    (matching.email_key, "Ada@Example.COM", "ada@example.com"),
    (matching.email_key, "ÉMILE@zola.example", "Émile@zola.example"),  # ASCII letters only
    (matching.email_key, "STRAßE@x.example", "straße@x.example"),
    (matching.email_key, None, None),
    (matching.phone_key, "+4930123456", "+4930123456"),
    (matching.phone_key, "", None),
    (matching.phone_key, "+16502530000;ext=42", "+16502530000;ext=42"),
    (matching.phone_key, "123456", None),  # kept as written: not a key
    (matching.phone_key, "+234 1 270 0000", None),
    (matching.phone_key, "+1 555 CALL NOW", None),
    (matching.phone_key, "+12", None),
    (matching.linkedin_key, "https://www.linkedin.com/in/ada", "https://www.linkedin.com/in/ada"),
    (matching.linkedin_key, None, None),
])
def test_each_kind_of_key(key, value, expected):
    assert key(value) == expected


@pytest.mark.parametrize("a, b", [
    ("ada@example.com", "ADA@EXAMPLE.COM"),
    ("Émile@zola.example", "émile@zola.example"),
    ("straße@x.example", "STRASSE@x.example"),
    ("\u212a@x.example", "k@x.example"),  # the Kelvin sign folds to k in Unicode, not in SQLite
    ("İ@x.example", "i@x.example"),
    ("ada@example.com", "bea@example.com"),
])
def test_email_key_agrees_with_the_index_collation(db, a, b):
    (nocase,) = db.execute("SELECT ? = ? COLLATE NOCASE", [a, b]).fetchone()
    assert (matching.email_key(a) == matching.email_key(b)) is bool(nocase)


def test_card_keys_name_each_people_column():
    keys = card_keys(card(company="Analytical  ENGINES", email="Ada@Example.com",
                          phone="030 1234567", linkedin_url="in/ada"))
    assert keys[:5] == (("ada@example.com",), ("+49301234567",),
                        "https://www.linkedin.com/in/ada", "ada lovelace", "analytical engines")
    assert keys._fields[:5] == ("emails", "phones", "linkedin_url", "name_key", "company_key")


def test_card_keys_hold_every_email_and_phone_once():
    keys = card_keys(card(email="Ada@Example.com", phone="030 1234567", values=[
        ("email", "home", "ada@home.example"), ("email", None, "ADA@example.com"),
        ("phone", "fax", "030 7654321"), ("phone", None, "ask at reception")]))
    assert keys.emails == ("ada@example.com", "ada@home.example")
    # A number kept as written, which FieldKit could not read, names no one.
    assert keys.phones == ("+49301234567", "+49307654321")


def test_reasons_strongest_first_with_their_weights():
    assert list(matching.REASONS.items()) == [
        ("same email", 3), ("same phone", 3), ("same LinkedIn profile", 3),
        ("same name and company", 2), ("same name", 1), ("similar name, same company", 1)]
    assert [probe.why for probe in matching.PROBES] == list(matching.REASONS)[:-1]


# --- twins of one card (capture) ----------------------------------------------------


@pytest.fixture
def known(db):
    """Five people already in the address book, by name."""
    return {
        "ada": save_card(db, name="Ada Lovelace", company="Analytical Engines",
                         email="Ada@Example.com", title="Countess", kind="customer"),
        "grace": save_card(db, name="Grace Hopper", phone="030 1234567", settings=DE),
        "alan": save_card(db, name="Alan Turing", company="Bletchley",
                          linkedin_url="in/alan-turing"),
        "mary": save_card(db, name="Mary Smith"),
        "emile": save_card(db, name="Émile Zola", company="Éditions Charpentier"),
    }


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"name": "Someone", "email": "ada@example.COM"}, [("Ada Lovelace", ["same email"])]),
        ({"name": "Someone", "email": "ADA@example.com"}, [("Ada Lovelace", ["same email"])]),
        ({"name": "Someone", "phone": "+49 30 123 4567"}, [("Grace Hopper", ["same phone"])]),
        ({"name": "Someone", "linkedin_url": "https://www.linkedin.com/in/Alan-Turing/?trk=x"},
         [("Alan Turing", ["same LinkedIn profile"])]),
        ({"name": "ada lovelace", "company": "ANALYTICAL ENGINES"},
         [("Ada Lovelace", ["same name and company"])]),
        ({"name": "MARY SMITH"}, [("Mary Smith", ["same name"])]),
        ({"name": "Ada Lovelace", "company": "Other Co"}, []),  # same name, other company
        ({"name": "Ada Lovelace"}, []),  # one has a company, the other not
        ({"name": "Mary Smith", "company": "Acme"}, []),
        ({"name": "Nobody Known"}, []),
        ({"name": "Ada Lovelace", "company": "Analytical Engines", "email": "ada@example.com"},
         [("Ada Lovelace", ["same email", "same name and company"])]),
        ({"name": "Grace Hopper", "phone": "030 1234567", "email": "ada@example.com"},
         [("Ada Lovelace", ["same email"]), ("Grace Hopper", ["same phone", "same name"])]),
    ],
)
def test_twins_reasons(db, known, fields, expected):
    twins = matching.twins(db, cards.clean(fields, phone_region=DE["phone_region"]))
    assert [(t["name"], t["why"]) for t in twins] == expected


def test_twins_returns_who_they_are(db, known):
    [twin] = matching.twins(db, card(email="ada@example.com"))
    assert twin == {"id": known["ada"], "name": "Ada Lovelace", "company": "Analytical Engines",
                    "title": "Countess", "kind": "customer", "why": ["same email"]}


def test_twins_name_and_company_ignore_case_beyond_ascii(db, known):
    # Typed in lower case at the booth: "émile zola" at "éditions charpentier".
    twins = matching.twins(db, cards.clean({"name": "émile zola",
                                            "company": "éditions charpentier"}))
    assert [(t["id"], t["why"]) for t in twins] == [(known["emile"], ["same name and company"])]


def test_twins_leave_out_merged_people(db, known):
    db.execute("UPDATE people SET status = 'merged' WHERE id = ?", [known["ada"]])
    assert matching.twins(db, card(company="Analytical Engines", email="ada@example.com")) == []


@pytest.mark.parametrize("status", ["let_go", "declined"])
def test_twins_keep_people_let_go(db, known, status):
    db.execute("UPDATE people SET status = ? WHERE id = ?", [status, known["ada"]])
    assert [t["id"] for t in matching.twins(db, card(email="ada@example.com"))] == [known["ada"]]


def test_twins_exclude_id(db, known):
    same = card(company="Analytical Engines", email="ada@example.com")
    assert matching.twins(db, same, exclude_id=known["ada"]) == []
    assert [t["id"] for t in matching.twins(db, same, exclude_id=known["grace"])] == [
        known["ada"]]


def test_twins_at_most_a_few_per_reason(db):
    ids = [save_card(db, name="Mary Smith") for _ in range(matching.TWINS_PER_PROBE + 2)]
    twins = matching.twins(db, card(name="Mary Smith"))
    assert [t["id"] for t in twins] == ids[:matching.TWINS_PER_PROBE]
    known = matching.Known.read(db, [card_keys(card(name="Mary Smith"))])
    assert known.twins(card_keys(card(name="Mary Smith"))) == [
        {"id": t["id"], "name": t["name"], "why": t["why"]} for t in twins]


# --- capture, import and merge agree ------------------------------------------------


@pytest.mark.parametrize("known_email, typed_email, same", [
    ("ada@example.com", "ADA@example.COM", True),
    ("émile@zola.example", "émile@ZOLA.example", True),  # a domain's case never counts
    ("émile@zola.example", "Émile@zola.example", False),  # É is not é to the stored index
    ("straße@zola.example", "STRASSE@zola.example", False),
])
def test_email_case_capture_import_and_merge_agree(db, known_email, typed_email, same):
    first = save_card(db, name="First Person", email=known_email)
    typed = card(name="Other Name", email=typed_email)
    # Capture asks the database about one card.
    assert [t["id"] for t in matching.twins(db, typed)] == ([first] if same else [])
    # An import asks memory, about the database and about the file's own rows.
    assert [row.action for row in preview(db, {"name": "Other Name", "email": typed_email})] \
        == ["match" if same else "new"]
    rows = preview(db, {"name": "Nobody Yet", "email": f"x{known_email}"},
                   {"name": "Other Name", "email": f"x{typed_email}"})
    assert (rows[1].action, rows[1].reason) == (
        ("match", "same person as row 1; nothing new") if same else ("new", None))
    # Merge pairs the people stored.
    second = save_card(db, name="Other Name", email=typed_email)
    assert (frozenset((first, second)) in paired(db)) is same


def test_exact_pairs_are_the_twins_of_each_person(db):
    people = [
        save_card(db, name="Ada Lovelace", company="Acme", email="ada@acme.example",
                  phone="030 1234567", linkedin_url="in/ada", settings=DE),
        save_card(db, name="ADA lovelace", company="ACME", email="ADA@acme.example"),
        save_card(db, name="Grace Hopper", phone="030 1234567", settings=DE),
        save_card(db, name="grace hopper", linkedin_url="in/ada"),
        save_card(db, name="Grace Hopper", company="Navy"),
        save_card(db, name="Émile Zola", email="émile@zola.example"),
        save_card(db, name="Emile Z.", email="Émile@zola.example"),
    ]
    pairs = matching.exact_pairs(db)
    # Grace at Navy has a company the other Graces lack; É is not é to the email index.
    assert pairs == {
        (people[0], people[1]): {"same email", "same name and company"},
        (people[0], people[2]): {"same phone"},
        (people[0], people[3]): {"same LinkedIn profile"},
        (people[2], people[3]): {"same name"}}
    for person_id in people:
        person = cards.card_of(cards.person_row(db, person_id))
        from_twins = {t["id"]: tuple(t["why"])
                      for t in matching.twins(db, person, exclude_id=person_id)}
        from_pairs = {b if a == person_id else a: tuple(r for r in matching.REASONS if r in why)
                      for (a, b), why in pairs.items() if person_id in (a, b)}
        assert from_twins == from_pairs, person.name


# --- one match, and the LinkedIn rule -----------------------------------------------


@pytest.mark.parametrize("fields, expected", [
    ({"name": "Ada Lovelace", "company": "Acme", "linkedin_url": "in/ada-b"}, None),
    ({"name": "Someone", "email": "ada@acme.example", "linkedin_url": "in/ada-b"}, None),
    ({"name": "Ada Lovelace", "company": "Acme"}, "same name and company"),
    ({"name": "Someone", "email": "ADA@acme.example"}, "same email"),
    ({"name": "Someone Else", "email": "x@y.example", "linkedin_url": "in/ada-a"},
     "same LinkedIn profile"),
    ({"name": "Ada Lovelace", "company": "Acme", "email": "ada@acme.example",
      "linkedin_url": "in/ada-a"}, "same LinkedIn profile"),
])
def test_find_match_two_linkedin_profiles_are_two_people(db, fields, expected):
    ada = save_card(db, name="Ada Lovelace", company="Acme", email="ada@acme.example",
                    linkedin_url="in/ada-a")
    typed = card(**fields)
    found = matching.find_match(db, typed)
    assert found == (None if expected is None else (ada, f"{expected} as Ada Lovelace (#{ada})"))
    assert matching.Known.read(db, [card_keys(typed)]).find_match(card_keys(typed)) == found


def test_find_match_takes_the_next_twin_without_another_profile(db):
    save_card(db, name="Ada Lovelace", company="Acme", linkedin_url="in/ada-a")
    second = save_card(db, name="Ada Lovelace", company="Acme")
    typed = card(company="Acme", linkedin_url="in/ada-b")
    assert matching.find_match(db, typed) == (
        second, f"same name and company as Ada Lovelace (#{second})")


def test_merged_people_are_never_twins(db):
    fields = {"name": "Ada Lovelace", "company": "Acme", "email": "ada@acme.example",
              "phone": "030 1234567", "linkedin_url": "in/ada"}
    kept, dropped = (save_card(db, settings=DE, **fields) for _ in range(2))
    assert matching.pairs(db) == {(kept, dropped): {
        "same email", "same phone", "same LinkedIn profile", "same name and company"}}
    merge.merge(db, kept, dropped, now=NOW)
    typed = card(**fields)
    assert [t["id"] for t in matching.twins(db, typed)] == [kept]
    assert matching.find_match(db, typed)[0] == kept
    assert dropped not in matching.Known.read(db).people
    assert dropped not in matching.Known.read(db, [card_keys(typed)], ids=[dropped]).people
    assert matching.pairs(db) == {}


# --- the rows of one file -----------------------------------------------------------

FILES = [
    # (the rows of a file, the earlier row each one repeats)
    ([{"name": "Ada Lovelace", "email": "ada@x.example"},
      {"name": "A. Lovelace", "email": "ADA@x.example"}], [None, 1]),
    ([{"name": "Ada Lovelace", "company": "Acme"},
      {"name": "ada  LOVELACE", "company": "ACME"}], [None, 1]),
    ([{"name": "Ada Lovelace"}, {"name": "Ada Lovelace", "company": "Acme"}], [None, None]),
    ([{"name": "Ada One", "phone": "+4930123456"},
      {"name": "Bea Two", "phone": "030 123456"}], [None, 1]),
    ([{"name": "Émile One", "email": "émile@x.example"},
      {"name": "Emile Two", "email": "Émile@x.example"}], [None, None]),
    # Two profiles are two people; the third row is the second one again.
    ([{"name": "Ada Lovelace", "company": "Acme", "linkedin_url": "in/ada-a"},
      {"name": "Ada Lovelace", "company": "Acme", "linkedin_url": "in/ada-b"},
      {"name": "Ada Lovelace", "company": "Acme", "linkedin_url": "in/ada-b"}], [None, None, 2]),
    # The profile is asked first, whatever else an earlier row shares.
    ([{"name": "Ada One", "linkedin_url": "in/ada"},
      {"name": "Bea Two", "email": "b@x.example"},
      {"name": "Cleo Three", "email": "b@x.example", "linkedin_url": "in/ada"}],
     [None, None, 1]),
    # A row without a profile is the first earlier row sharing a key with it.
    ([{"name": "Ada Lovelace", "company": "Acme", "linkedin_url": "in/ada-a"},
      {"name": "Ada Lovelace", "company": "Acme", "linkedin_url": "in/ada-b"},
      {"name": "Ada Lovelace", "company": "Acme"}], [None, None, 1]),
]


@pytest.mark.parametrize("rows, repeats", FILES)
def test_rows_of_one_file_in_memory(rows, repeats):
    in_file, found = matching.Known(), []
    for number, fields in enumerate(rows, 1):
        keys = card_keys(card(**fields))
        match = in_file.find_match(keys)
        found.append(match[0] if match else None)
        if match is None:
            in_file.add(number, fields["name"], keys)
    assert found == repeats


@pytest.mark.parametrize("rows, repeats", FILES)
def test_rows_of_one_file_in_a_preview(db, rows, repeats):
    # A repeat adds what it has to the person of the earlier row.
    assert [row.reason.split("; ")[0] if row.action == "match" else None
            for row in preview(db, *rows)] == [
        None if number is None else f"same person as row {number}" for number in repeats]


def test_known_keeps_ids_sorted_as_people_are_added_out_of_order():
    known = matching.Known()
    keys = card_keys(card(email="ada@x.example"))
    for person_id in (7, 3, 5):
        known.add(person_id, "Ada", keys)
    assert [t["id"] for t in known.twins(keys)] == [3, 5, 7]
    assert known.find_match(keys)[0] == 3


# --- every email and phone, not only the primary ------------------------------------


@pytest.fixture
def two_of_each(db):
    """Ada, whose second email and second phone are in labelled_values."""
    return save_card(db, name="Ada Lovelace", email="ada@work.example", phone="030 1234567",
                     settings=DE, values=[("email", "home", "Ada@Home.example"),
                                          ("phone", "fax", "030 7654321")])


@pytest.mark.parametrize("fields, why", [
    ({"email": "ADA@home.example"}, ["same email"]),
    ({"phone": "+49 30 7654321"}, ["same phone"]),
    ({"values": [("email", None, "nobody@x.example"), ("email", None, "ada@work.example")]},
     ["same email"]),
    ({"values": [("phone", None, "ask at reception"), ("phone", "fax", "030 7654321")]},
     ["same phone"]),
])
def test_twins_by_any_email_or_phone_of_either(db, two_of_each, fields, why):
    typed = card(name="Someone Else", **fields)
    assert [(t["id"], t["why"]) for t in matching.twins(db, typed)] == [(two_of_each, why)]
    assert matching.find_match(db, typed)[0] == two_of_each
    known = matching.Known.read(db, [card_keys(typed)])
    assert [(t["id"], t["why"]) for t in known.twins(card_keys(typed))] == [(two_of_each, why)]
    assert matching.Known.read(db).find_match(card_keys(typed))[0] == two_of_each


def test_pairs_by_a_value_beyond_the_primary(db, two_of_each):
    by_primary = save_card(db, name="Bea One", email="ada@home.example")
    by_value = save_card(db, name="Cleo Two", phone="0171 3333333", settings=DE,
                         values=[("phone", None, "+49 30 7654321")])
    unrelated = save_card(db, name="Dan Three", values=[("email", None, "dan@x.example")])
    assert matching.exact_pairs(db) == {
        (two_of_each, by_primary): {"same email"},
        (two_of_each, by_value): {"same phone"}}
    assert unrelated not in {i for pair in matching.exact_pairs(db) for i in pair}


def test_import_matches_by_a_value_beyond_the_primary_and_adds_the_rest(db, two_of_each):
    rows = preview(db, {"name": "A. Lovelace", "values": [
        ("phone", "mobile", "0171 2222222"), ("email", None, "ada@home.example")]})
    assert (rows[0].action, rows[0].person_id) == ("match", two_of_each)
    assert rows[0].reason == f"same email as Ada Lovelace (#{two_of_each}); adds a phone"


def test_a_row_repeating_an_earlier_row_lends_it_its_keys():
    # Row 3 shares nothing with row 1, only the phone row 2 brought to it.
    rows = [{"name": "Ada Lovelace", "email": "ada@x.example"},
            {"name": "A. L.", "email": "ada@x.example", "phone": "+4930123456"},
            {"name": "Countess L.", "phone": "+4930123456"}]
    assert [row.reason.split("; ")[0] if row.action == "match" else None
            for row in preview(fdb.memory(), *rows)] == [
        None, "same person as row 1", "same person as row 1"]


def test_a_number_kept_as_written_makes_no_twins(db):
    first = save_card(db, name="Ada Lovelace", values=[("phone", None, "123456")])
    second = save_card(db, name="Grace Hopper", values=[("phone", None, "123456")])
    typed = card(name="Someone", values=[("phone", None, "123456")])
    assert matching.twins(db, typed) == []
    assert (first, second) not in matching.exact_pairs(db)
    assert [row.action for row in preview(db, {"name": "A", "values": [("phone", None, "1234")]},
                                          {"name": "B", "values": [("phone", None, "1234")]})
            ] == ["new", "new"]
