"""Real address books in, nothing lost: every value and label of the files that phones,
Google, Outlook and Thunderbird write, a round trip through FieldKit's export, and the
same for any card (Hypothesis)."""

import string
import unicodedata
from pathlib import Path

import phonenumbers
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fieldkit import db as fdb
from fieldkit import imports, labelled, vcard
from fieldkit.labelled import Labelled
from tests.factory import NOW

FIXTURES = Path(__file__).parent / "fixtures" / "vcard"
ADDRESS_BOOKS = ["iphone-many.vcf", "android-many.vcf", "google.vcf", "outlook.vcf",
                 "thunderbird.vcf", "iphone-3.0.vcf", "android-2.1.vcf", "v4.vcf"]


def read(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def imported(data: bytes, region: str = "US"):
    """A fresh database holding the people of a vCard file, and the preview's rows."""
    db = fdb.memory()
    result = vcard.preview(db, data, "people.vcf", {"phone_region": region})
    imports.apply(db, result, now=NOW)
    return db, result.rows


def values(card) -> list[tuple]:
    return [(v.kind, v.label, v.value if v.kind != "address" else labelled.address_parts(
        v.value)) for v in card.values()]


def address(**parts) -> dict:
    return {name: parts.get(name, "") for name in labelled.ADDRESS_PARTS}


def stored(db) -> list[dict]:
    """Everyone as stored, without what a database gives a row of its own (ids, times)."""
    cursor = db.execute("SELECT * FROM people ORDER BY name, id")
    columns = [c[0] for c in cursor.description]
    found = []
    for row in cursor.fetchall():
        person = dict(zip(columns, row))
        person_id = person["id"]
        for own in ("id", "uid", "created_at", "updated_at"):
            del person[own]
        person["tags"] = sorted(t for (t,) in db.execute(
            "SELECT tag FROM person_tags WHERE person_id = ?", [person_id]))
        person["values"] = labelled.of(db, [person_id]).get(person_id, ())
        found.append(person)
    return found


# ---------------------------------------------------------------- each address book


def test_iphone_seven_numbers_three_emails_two_addresses_and_their_labels():
    rows = vcard.preview(fdb.memory(), read("iphone-many.vcf"), "x.vcf", {}).rows
    keiko = rows[0].card
    assert (keiko.name, keiko.company, keiko.title) == (
        "Keiko Nakamura", "Hikari Robotics", "Director of Product")
    assert keiko.linkedin_url == "https://www.linkedin.com/in/keiko-nakamura-hikari"
    assert values(keiko) == [
        ("email", "other", "keiko@hikari.example"),  # type=pref: the primary
        ("email", "work", "k.nakamura@hikari.example"),
        ("email", "home", "keiko.n@mail.example"),
        ("phone", "mobile", "+819012345678"),
        ("phone", "iphone", "+818023456789"),
        ("phone", "home", "+81312345678"),
        ("phone", "work", "+81398765432"),
        ("phone", "home fax", "+81312345679"),
        ("phone", "work fax", "+81398765433"),
        ("phone", "pager", "+812041234567"),
        ("phone", "assistant", "+81398765400"),
        ("phone", "Cottage", "0467-22-0000"),  # no country: kept as written
        ("url", "homepage", "https://hikari.example"),
        ("address", "home", address(street="2-1-1 Nishi-Shinjuku\nApartment 1203",
                                    locality="Shinjuku-ku", region="Tokyo",
                                    postal_code="163-8001", country="Japan")),
        ("address", "work", address(street="3-4-5 Shiba, Tower B", locality="Minato-ku",
                                    region="Tokyo", postal_code="105-0014", country="Japan")),
    ]
    assert [v.checked for v in keiko.values()].count(False) == 1
    assert keiko.note == ("Met at CES in the robotics hall. Wants offline capture for their "
                          "field engineers; follow up with the pilot plan.")
    assert keiko.tags == ("prospect", "japan")
    assert rows[0].photo[:2] == b"\xff\xd8"


@pytest.mark.parametrize("name", ["\ufb1d", "\ufb1d\ufb1d Cohen"])
def test_a_name_that_grows_when_normalised_is_kept(name):
    # U+FB1D (Hebrew yod with hiriq) becomes two characters in NFC: still a name.
    data = f"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:{name}\r\nEND:VCARD\r\n".encode()
    db, rows = imported(data)
    expected = unicodedata.normalize("NFC", name)
    assert db.execute("SELECT name, named_from FROM people").fetchall() == [(expected, None)]


def test_iphone_company_card_and_email_only_card_are_named_after_them():
    rows = vcard.preview(fdb.memory(), read("iphone-many.vcf"), "x.vcf", {}).rows
    assert [(r.action, r.name, r.card.named_from, r.reason) for r in rows[1:]] == [
        ("new", "Fjord Analytics AS", "company", "no name: named after its company"),
        ("new", "mateo.silva@correo.example", "email", "no name: named after its email")]
    assert values(rows[1].card) == [("phone", "work", "+4722123456"),
                                    ("url", "homepage", "https://fjord.example")]


def test_android_21_quoted_printable_custom_labels_and_every_note():
    rows = vcard.preview(fdb.memory(), read("android-many.vcf"), "x.vcf",
                         {"phone_region": "DE"}).rows
    zoe = rows[0].card
    assert (zoe.name, zoe.company, zoe.title) == ("Zoë Weiß", "Weiß & Partner",
                                                  "Leiterin Vertrieb")
    assert values(zoe) == [
        ("email", "home", "zoe@weiss.example"),
        ("email", "work", "z.weiss@firma.example"),
        ("phone", "mobile", "+491712345678"),
        ("phone", "home", "+493098765432"),
        ("phone", "work fax", "+49301111222"),
        ("phone", "Schwester", "+491605556667"),  # X-CUSTOM(...,Schwester)
        ("phone", "pager", "+498003569377"),  # 0800 FLOWERS, as its digits
        ("url", None, "https://www.weiss-partner.example"),
        ("address", "home", address(street="Große Hamburger Straße 7\n2. Obergeschoss",
                                    locality="Berlin", postal_code="10115",
                                    country="Deutschland")),
        ("address", "work", address(street="Friedrichstr. 100", locality="Berlin",
                                    postal_code="10117", country="Deutschland")),
    ]
    # Both NOTE lines, each joined across its soft line breaks.
    assert zoe.note == ("Kennengelernt auf der re:publica, Stand der Stadtwerke.\n\n"
                        "Fragt nach Preisen für Teams – im Mai anrufen.")


def test_android_cards_without_a_name_are_named_and_an_empty_one_is_skipped():
    rows = vcard.preview(fdb.memory(), read("android-many.vcf"), "x.vcf",
                         {"phone_region": "DE"}).rows
    assert [(r.number, r.action, r.name, r.reason) for r in rows[1:]] == [
        (2, "new", "lars.berg@post.example", "no name: named after its email"),
        (3, "new", "Kaffeewerk GmbH", "no name: named after its company"),
        (4, "skip", None, imports.NOTHING_TO_NAME)]


def test_google_custom_labels_extension_and_one_line_address():
    rows = vcard.preview(fdb.memory(), read("google.vcf"), "x.vcf", {"phone_region": "US"}).rows
    priya = rows[0].card
    assert values(priya) == [
        ("email", "work", "priya@nimbus.example"),
        ("email", "home", "priya.raman@mail.example"),
        ("email", "Speaker desk", "praman@conference.example"),
        ("phone", "mobile", "+14155550172"),
        ("phone", "work", "+14155550100;ext=214"),
        ("phone", None, "+14155550199"),
        ("phone", "GRAND_CENTRAL", "+16502530000"),
        ("url", "profile", "http://priya.example"),
        ("url", "blog", "https://priya.example/blog"),
        ("url", "work", "https://nimbus.example"),
        ("address", "home", address(street="500 Terry A Francois Blvd\n"
                                           "San Francisco, CA 94158")),
        ("address", "Office SF", address(street="1 Market St", locality="San Francisco",
                                         region="CA", postal_code="94105", country="US")),
    ]
    assert (rows[1].name, rows[1].card.named_from, values(rows[1].card)) == (
        "events@nimbus.example", "email", [("email", "other", "events@nimbus.example")])


def test_outlook_21_every_number_and_address_once():
    (row,) = vcard.preview(fdb.memory(), read("outlook.vcf"), "x.vcf", {}).rows
    chinedu = row.card
    assert (chinedu.name, chinedu.company, chinedu.title) == (
        "Mr. Chinedu Okafor", "Lagos Freight Ltd", "VP Operations")
    assert values(chinedu) == [
        ("email", None, "chinedu@lagosfreight.example"),  # PREF
        ("email", None, "chinedu.okafor@mail.example"),
        ("phone", "work", "+234 1 270 0000"),  # too short for Nigeria: as written
        ("phone", "home", "+2348031234567"),
        ("phone", "mobile", "+2348057654321"),  # and the callback number, the same one
        ("phone", "work fax", "+234 1 270 0001"),
        ("phone", "pager", "+14255550100;ext=123"),
        ("url", "home", "http://chinedu.example"),
        ("url", "work", "http://lagosfreight.example"),
        # The printed LABEL repeats the ADR: one address, not two.
        ("address", "work", address(extended="Block C", street="12 Marina Road",
                                    locality="Lagos", region="Lagos State",
                                    postal_code="101001", country="Nigeria")),
        ("address", "home", address(street="7 Admiralty Way", locality="Lekki",
                                    region="Lagos State", country="Nigeria")),
    ]
    assert chinedu.note == "Met at Gitex.\nNeeds the call list for his account managers."


def test_thunderbird_40_and_30_cards():
    rows = vcard.preview(fdb.memory(), read("thunderbird.vcf"), "x.vcf", {}).rows
    assert values(rows[0].card) == [
        ("email", None, "ana.costa@tejo.example"),  # PREF=1
        ("email", "home", "ana@costa.example"),
        ("phone", "work", "+351211234567"),
        ("phone", "mobile", "+351912345678"),
        ("phone", "fax", "+351211234568"),
        ("url", "work", "https://tejo.example"),
        ("address", "work", address(street="Avenida da Liberdade 110", locality="Lisboa",
                                    postal_code="1269-046", country="Portugal")),
        ("address", "home", address(street="Rua das Flores 22, 3º Esq", locality="Porto",
                                    postal_code="4050-262", country="Portugal")),
    ]
    assert values(rows[1].card)[:4] == [
        ("email", None, "erik@norrsken.example"), ("email", None, "erik.lindgren@mail.example"),
        ("phone", "work", "+46812345678"), ("phone", "mobile", "+46709876543")]


@pytest.mark.parametrize("name", ADDRESS_BOOKS)
def test_every_value_is_stored_and_exported(name):
    db, rows = imported(read(name), region="DE")
    exported = vcard.export(db)
    again = vcard.preview(fdb.memory(), exported.encode("utf-8"), "x.vcf",
                          {"phone_region": "DE"}).rows
    kept = {(v.kind, v.label, v.key) for row in rows if row.card for v in row.card.values()}
    back = {(v.kind, v.label, v.key) for row in again for v in row.card.values()}
    assert kept == back
    primaries = sum(bool(person[column]) for person in stored(db)
                    for column in labelled.PRIMARY_COLUMNS.values())
    assert primaries + sum(len(person["values"]) for person in stored(db)) == sum(
        len(row.card.values()) for row in rows if row.card)


@pytest.mark.parametrize("name", ADDRESS_BOOKS)
def test_round_trip_into_an_empty_database_gives_the_same_people(name):
    first, _ = imported(read(name), region="DE")
    second, rows = imported(vcard.export(first).encode("utf-8"), region="DE")
    assert [row.action for row in rows] == ["new"] * len(rows)
    assert stored(second) == stored(first)


# ---------------------------------------------------------------- any card (Hypothesis)

# Labels as address books write them: TYPE words, Apple's own, the user's own.
TYPE_LABELS = {
    "email": [None, "home", "work"], "url": [None, "home", "work"],
    "address": [None, "home", "work"],
    "phone": [None, "home", "work", "mobile", "fax", "work fax", "home fax", "pager", "main",
              "iphone", "car"]}
APPLE_LABELS = {"assistant": "_$!<AssistantPhone>!$_", "homepage": "_$!<HomePage>!$_",
                "other": "_$!<Other>!$_"}
TYPE_WORDS = {"mobile": "CELL"}

printable = st.characters(exclude_categories=("Cc", "Cs", "Co", "Cn", "Zl", "Zp"))
text = st.text(printable, min_size=1, max_size=30).filter(lambda t: t.strip())
lines = st.lists(text, min_size=1, max_size=3).map("\n".join)
own_label = st.text(printable, min_size=1, max_size=12).filter(
    lambda t: t.strip() and t.strip().lower() not in labelled.LABEL_WORDS)


def phone_numbers() -> st.SearchStrategy[str]:
    """Numbers as people write them: valid ones, made-up ones, old ones, placeholders."""
    def example(region, digits):
        number = phonenumbers.example_number(region)
        written = phonenumbers.format_number(number,
                                             phonenumbers.PhoneNumberFormat.INTERNATIONAL)
        return written[:-4] + digits
    return st.one_of(
        st.builds(example, st.sampled_from(["DE", "US", "GB", "JP", "BR", "IN", "NG"]),
                  st.text("0123456789", min_size=4, max_size=4)),
        st.text("0123456789 -()+", min_size=3, max_size=18).filter(
            lambda t: any(c.isdigit() for c in t)),
        st.sampled_from(["BusinessPhone", "ask at reception", "+1 555 CALL NOW"]))


emails = st.one_of(st.emails(), st.builds(lambda a, b: f"{a}@{b}",
                                          st.text(string.ascii_letters + "ÉéÑñ.", min_size=1,
                                                  max_size=8),
                                          st.sampled_from(["x.example", "münchen.example"])),
                   text)
urls = st.one_of(st.builds(lambda host, path: f"https://{host}.example/{path}",
                           st.text(string.ascii_lowercase, min_size=1, max_size=8),
                           st.text(string.ascii_letters + "-_,;", max_size=10)),
                 st.builds(lambda slug: f"https://www.linkedin.com/in/{slug}",
                           st.text(string.ascii_lowercase + "-", min_size=3, max_size=12)),
                 st.sampled_from(["skype:ada.l", "ftp://files.example"]))
addresses = st.fixed_dictionaries({}, optional={
    name: lines if name == "street" else text for name in labelled.ADDRESS_PARTS}).filter(
    lambda parts: parts)


def a_value(kind):
    value = {"email": emails, "phone": phone_numbers(), "url": urls, "address": addresses}[kind]
    label = st.one_of(st.sampled_from(TYPE_LABELS[kind]), st.sampled_from(list(APPLE_LABELS)),
                      own_label)
    return st.tuples(st.just(kind), label, value, st.booleans())


cards_st = st.fixed_dictionaries({
    "name": st.one_of(st.none(), text),
    "company": st.one_of(st.none(), text),
    "title": st.one_of(st.none(), text),
    "note": st.one_of(st.none(), st.lists(text, max_size=4).map("\n".join)),
    "tags": st.lists(st.text(string.ascii_letters + "äß ,", min_size=1, max_size=10),
                     max_size=3),
    "values": st.lists(st.one_of(*(a_value(kind) for kind in labelled.KINDS)), max_size=9),
})


def escaped(value: str) -> str:
    return (value.replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;")
            .replace("\n", "\\n"))


def folded(line: str, width: int) -> list[str]:
    """A content line folded every ``width`` characters (a space starts each next one)."""
    pieces = [line[:width]] + [" " + line[i:i + width] for i in range(width, len(line), width)]
    return [piece for piece in pieces if piece.strip() or piece == pieces[0]]


def quoted_printable(value: str) -> list[str]:
    """A value as Android 2.1 writes it: UTF-8 bytes, quoted-printable, soft line breaks."""
    encoded = "".join(chr(b) if 33 <= b <= 126 and b != ord("=") else f"={b:02X}"
                      for b in value.encode("utf-8"))
    out, line = [], ""
    for piece in (encoded[i:i + 3] if encoded[i] == "=" else encoded[i]
                  for i in _qp_pieces(encoded)):
        if len(line) + len(piece) > 70:
            out.append(line + "=")
            line = ""
        line += piece
    return [*out, line]


def _qp_pieces(encoded: str):
    i = 0
    while i < len(encoded):
        yield i
        i += 3 if encoded[i] == "=" else 1


def vcard_text(card: dict, style: str, width: int) -> str:
    """One card as an iPhone (3.0, grouped labels), Android (2.1, quoted-printable) or
    another address book writes it."""
    lines = ["BEGIN:VCARD", "VERSION:2.1" if style == "android" else "VERSION:3.0"]
    items = iter(range(1, 100))

    def text_property(name: str, value: str) -> None:
        """``value`` escaped already; Android writes it quoted-printable."""
        if style == "android":
            qp = quoted_printable(value)
            lines.append(f"{name};CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:{qp[0]}")
            lines.extend(qp[1:])
        else:
            lines.append(f"{name}:{value}")

    if card["name"]:
        family, _, given = card["name"].partition(" ")
        text_property("N", f"{escaped(family)};{escaped(given)};;;")
        text_property("FN", escaped(card["name"]))
    for name, field in (("ORG", "company"), ("TITLE", "title"), ("NOTE", "note")):
        if card[field]:
            text_property(name, escaped(card[field]))
    if card["tags"]:
        lines.append("CATEGORIES:" + ",".join(escaped(tag) for tag in card["tags"]))
    for kind, label, value, preferred in card["values"]:
        name = {"email": "EMAIL", "phone": "TEL", "url": "URL", "address": "ADR"}[kind]
        if kind == "address":
            data = ";".join(escaped(value.get(part, "")) for part in labelled.ADDRESS_PARTS)
        else:
            data = value.replace("\\", "\\\\")
        words = label.split() if label else []
        types = ["PREF"] if preferred else []
        if all(word in TYPE_LABELS[kind] for word in words):
            types = [TYPE_WORDS.get(w, w.upper()) for w in words] + types
            params = (";" + ";".join(types) if style == "android" else
                      "".join(f";type={t}" for t in types))
            lines.append(f"{name}{params}:{data}")
        else:
            item = f"item{next(items)}"
            params = ";type=PREF" if preferred else ""
            lines += [f"{item}.{name}{params}:{data}",
                      f"{item}.X-ABLabel:{APPLE_LABELS.get(label, escaped(label))}"]
    lines.append("END:VCARD")
    out = []
    for line in lines:
        out += folded(line, width) if style != "android" else [line]
    return "\r\n".join(out) + "\r\n"


@settings(max_examples=80, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(people=st.lists(cards_st, min_size=1, max_size=4),
       style=st.sampled_from(["iphone", "android", "google"]),
       width=st.integers(20, 75))
def test_round_trip_of_any_cards_keeps_every_person_field_and_value(people, style, width):
    data = "".join(vcard_text(card, style, width) for card in people).encode("utf-8")
    first, rows = imported(data)
    # Nothing of a card is lost on the way in: every value, under its own key.
    for card, row in zip(people, rows):
        if row.action == "skip":
            assert row.reason == imports.NOTHING_TO_NAME
            continue
        kept = {(v.kind, v.key) for v in row.card.values()}
        if row.card.linkedin_url:
            kept.add(("url", row.card.linkedin_url))
        for kind, label, value, _ in card["values"]:
            cleaned = labelled.clean(kind, value, label=label, region="US")
            if kind == "url" and cleaned and cleaned.value.startswith(
                    "https://www.linkedin.com/in/"):
                continue  # the card's LinkedIn, or a repeated profile: checked below
            assert cleaned is None or (kind, cleaned.key) in kept
    # Out and in again, into an empty database: the same people, fields and values.
    if stored(first):
        second, _ = imported(vcard.export(first).encode("utf-8"))
        assert stored(second) == stored(first)


def test_a_generated_card_reads_as_written():
    card = {"name": "Zoë Weiß", "company": "Acme; Sons, Ltd", "title": None,
            "note": "line one\nline two, three", "tags": ["ai"],
            "values": [("phone", "work fax", "+49 30 1111222", False),
                       ("email", "Cottage", "zoe@x.example", True),
                       ("address", "home", {"street": "Hauptstraße 5\n2. OG",
                                            "locality": "Berlin"}, False)]}
    for style in ("iphone", "android", "google"):
        (row,) = vcard.preview(fdb.memory(), vcard_text(card, style, 23).encode(), "x.vcf",
                               {"phone_region": "DE"}).rows
        assert (row.name, row.card.company, row.card.note, row.card.tags) == (
            "Zoë Weiß", "Acme; Sons, Ltd", "line one\nline two, three", ("ai",))
        assert row.card.values() == (
            Labelled("email", "zoe@x.example", "Cottage"),
            Labelled("phone", "+49301111222", "work fax"),
            Labelled("address", labelled.address_value(
                {"street": "Hauptstraße 5\n2. OG", "locality": "Berlin"}), "home"))
