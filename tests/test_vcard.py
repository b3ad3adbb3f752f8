"""vCard files: 2.1, 3.0 and 4.0 as phones write them; export; the user's own card."""

import io
from pathlib import Path

import pytest
from PIL import Image

from fieldkit import cards, config, db as fdb, imports, linkedin, vcard
from fieldkit.errors import ValidationError
from fieldkit.imports import ImportFileError
from tests.factory import NOW, save_imported

FIXTURES = Path(__file__).parent / "fixtures"


def read(name: str) -> bytes:
    return (FIXTURES / "vcard" / name).read_bytes()


def preview(db, data: bytes, region: str = "US", filename: str = "people.vcf"):
    return vcard.preview(db, data, filename, {"phone_region": region})


def card_of(text: str, region: str = "US"):
    """The one row a single card makes, in a fresh database."""
    (row,) = preview(fdb.memory(), text.encode("utf-8"), region).rows
    return row


def snapshot(db) -> tuple:
    return (
        db.execute("SELECT * FROM people ORDER BY id").fetchall(),
        db.execute("SELECT * FROM person_tags ORDER BY person_id, tag").fetchall(),
        db.execute("SELECT * FROM attachments ORDER BY id").fetchall(),
    )


# ---------------------------------------------------------------- 2.1 (Android)

def test_android_21_quoted_printable_with_charset_and_soft_breaks(db):
    result = preview(db, read("android-2.1.vcf"), region="DE")
    assert result.kind == "vcard"
    assert result.counts == {"new": 4, "matched": 0, "skipped": 0}
    jurgen = result.rows[0].card
    assert jurgen.name == "Jürgen Müller"  # ISO-8859-1, split by a soft line break
    assert jurgen.company == "Müller & Söhne GmbH"
    assert jurgen.title == "Head of Product"
    assert jurgen.phone == "+4917612345678"  # the preferred TEL, read as a German number
    assert jurgen.phone_label == "mobile"
    assert [(v.kind, v.label, v.value) for v in jurgen.more] == [
        ("phone", "work", "+49301234567")]
    assert jurgen.email == "juergen@mueller-soehne.example"
    assert jurgen.note == "Met at the Hannover fair, stand Bäckerei\nAsked about pricing – call in May"


def test_android_21_name_from_n_and_cards_without_name(db):
    rows = preview(db, read("android-2.1.vcf"), region="DE").rows
    assert (rows[1].action, rows[1].name, rows[1].card.phone) == (
        "new", "Björn Åström", "+46701234567")
    assert (rows[2].number, rows[2].action, rows[2].name, rows[2].reason) == (
        3, "new", "+44 20 7946 0958", "no name: named after its phone")
    assert (rows[2].card.phone, rows[2].card.named_from) == ("+442079460958", "phone")


def test_android_21_folded_base64_photo_and_plain_linkedin_url(db):
    jane = preview(db, read("android-2.1.vcf"), region="DE").rows[3]
    assert jane.name == "Dr. Jane Q. Doe"
    assert jane.card.linkedin_url == "https://www.linkedin.com/in/janedoe"
    assert jane.card.website is None
    assert jane.photo[:2] == b"\xff\xd8"


@pytest.mark.parametrize("line, expected", [
    ("FN;ENCODING=QUOTED-PRINTABLE;CHARSET=UTF-8:J=C3=BCrgen", "Jürgen"),
    ("FN;QUOTED-PRINTABLE;CHARSET=ISO-8859-1:J=FCrgen", "Jürgen"),
    ("FN;CHARSET=windows-1252;ENCODING=QUOTED-PRINTABLE:=80uro J=FCrgen", "€uro Jürgen"),
    ("FN;CHARSET=no-such-charset;ENCODING=QUOTED-PRINTABLE:J=C3=BCrgen", "Jürgen"),
    ("FN;CHARSET=hex;ENCODING=QUOTED-PRINTABLE:Ada=20Lovelace", "Ada Lovelace"),
    ("fn;encoding=quoted-printable:Ada =\r\nLovelace", "Ada Lovelace"),
    ("FN;ENCODING=BASE64;CHARSET=UTF-8:SsO8cmdlbg==", "Jürgen"),
])
def test_21_value_encodings(line, expected):
    assert card_of(f"BEGIN:VCARD\r\nVERSION:2.1\r\n{line}\r\nEND:VCARD\r\n").name == expected


def test_21_raw_latin1_bytes_with_charset_and_without():
    data = b"BEGIN:VCARD\r\nVERSION:2.1\r\nN;CHARSET=ISO-8859-1:M\xfcller;J\xfcrgen\r\n" \
           b"ORG:Caf\xe9 Cr\xe8me\r\nEND:VCARD\r\n"
    (row,) = vcard.preview(fdb.memory(), data, "x.vcf", {}).rows
    assert (row.name, row.card.company) == ("Jürgen Müller", "Café Crème")


# ---------------------------------------------------------------- 3.0 (iPhone)

def test_iphone_30_groups_folding_escapes_and_categories(db):
    result = preview(db, read("iphone-3.0.vcf"))
    assert result.counts == {"new": 2, "matched": 0, "skipped": 0}
    chidi = result.rows[0].card
    assert (chidi.name, chidi.company, chidi.title) == (
        "Chidi Okafor", "Brightline Health", "VP Product")
    assert chidi.email == "chidi@brightline.example"
    assert chidi.phone == "+14155550134"
    assert chidi.linkedin_url == "https://www.linkedin.com/in/chidi-okafor"  # item1.URL
    assert chidi.website == "https://brightline.example"  # item2.URL, the home page
    assert chidi.note == (
        "Met at SaaStr by the coffee stand. Wants a demo of the offline mode, and asked "
        "about pricing for teams of 50.\nFollow up after the board meeting; she travels a lot.")
    assert chidi.tags == ("customer", "beta tester")
    anna = result.rows[1].card
    assert anna.linkedin_url == "https://www.linkedin.com/in/anna-lindqvist"
    assert anna.website == "https://nordictools.example/team"
    assert anna.phone == "+46812345678"


def test_iphone_folded_base64_photo_is_stored_as_jpeg(db):
    result = preview(db, read("iphone-3.0.vcf"))
    assert Image.open(io.BytesIO(result.rows[0].photo)).size == (24, 16)
    assert result.rows[1].photo is None
    imports.apply(db, result, now=NOW)
    (person_id, kind, mime, size, data), = db.execute(
        "SELECT person_id, kind, mime, bytes, data FROM attachments").fetchall()
    assert (person_id, kind, mime, size) == (1, "card_photo", "image/jpeg", len(data))
    assert data[:3] == b"\xff\xd8\xff"
    assert Image.open(io.BytesIO(data)).format == "JPEG"


def test_linkedin_labelled_url_and_social_profile():
    row = card_of("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ada Lovelace\r\n"
                  "item1.URL:in/ada-lovelace\r\nitem1.X-ABLabel:LinkedIn\r\nEND:VCARD\r\n")
    assert row.card.linkedin_url == "https://www.linkedin.com/in/ada-lovelace"
    row = card_of("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ada Lovelace\r\n"
                  "X-SOCIALPROFILE;type=linkedin;x-user=ada:http://www.linkedin.com/in/ada\r\n"
                  "URL:https://ada.example\r\nEND:VCARD\r\n")
    assert (row.card.linkedin_url, row.card.website) == (
        "https://www.linkedin.com/in/ada", "https://ada.example")


@pytest.mark.parametrize("n, expected", [
    ("N:Doe;Jane;;;", "Jane Doe"),
    ("N:Doe;Jane;Quinn,Ann;Dr.;PhD", "Dr. Jane Quinn Ann Doe PhD"),
    ("N:O\\;Brien;Pat\\,Jr", "Pat,Jr O;Brien"),
    ("N:Doe", "Doe"),
])
def test_name_from_n_when_fn_is_missing(n, expected):
    assert card_of(f"BEGIN:VCARD\r\nVERSION:3.0\r\n{n}\r\nFN: \r\nEND:VCARD\r\n").name == expected


def test_mailto_email_uri():
    row = card_of("BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Ada\r\n"
                  "EMAIL;VALUE=uri:mailto:ada@example.com\r\nEND:VCARD\r\n")
    assert row.card.email == "ada@example.com"


def test_first_email_and_phone_win():
    row = card_of("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ada\r\nEMAIL:one@example.com\r\n"
                  "EMAIL:two@example.com\r\nTEL:\r\nTEL:+1 650 253 0000\r\n"
                  "TEL:+44 20 7946 0958\r\nEND:VCARD\r\n")
    assert (row.card.email, row.card.phone) == ("one@example.com", "+16502530000")


# ---------------------------------------------------------------- 4.0

def test_v4_tel_uri_quoted_params_and_data_uri_photo(db):
    (row,) = preview(db, read("v4.vcf"), region="DE").rows
    card = row.card
    assert (card.name, card.company, card.title) == (
        "Sofia Ramírez", "Nube Analytics", "Head of Data")
    assert card.phone == "+34912345678"
    assert card.email == "sofia@nube.example"
    assert card.website == "https://nube.example"
    assert card.tags == ("prospect", "madrid")
    assert Image.open(io.BytesIO(row.photo)).format == "PNG"
    imports.apply(db, preview(db, read("v4.vcf"), region="DE"), now=NOW)
    assert db.execute("SELECT mime FROM attachments").fetchall() == [("image/jpeg",)]


def test_v4_tel_uri_with_extension():
    row = card_of("BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Ada\r\n"
                  "TEL;VALUE=uri;TYPE=work:tel:+1-650-253-0000;ext=42\r\nEND:VCARD\r\n")
    assert (row.card.phone, row.card.phone_label) == ("+16502530000;ext=42", "work")


# ---------------------------------------------------------------- hostile files

def test_hostile_cards_are_read_as_text_and_bad_parts_dropped(db):
    result = preview(db, read("hostile.vcf"), region="DE")
    assert [(r.number, r.action, r.name) for r in result.rows] == [
        (1, "new", '=HYPERLINK("http://evil.example","click")'),
        (2, "new", "Not A Photo"),
        (3, "new", "Agent Smith"),  # the card nested in AGENT is not imported
        (4, "skip", "Z" * 200),
    ]
    first, second = result.rows[0], result.rows[1]
    assert first.card.company == "<script>alert(1)</script>"
    assert first.card.note == "![x](http://tracker.example/p.gif)"
    # Kept as written, never a link: it is no web address (labelled.checked).
    assert first.card.website == "javascript:alert(1)"
    assert [v.checked for v in first.card.values()] == [False]
    assert first.photo is None  # a photo link is never fetched
    assert first.reason == ("photo link not fetched (only photos inside the file are "
                            "imported)")
    assert (second.card.email, second.card.phone, second.photo) == ("@@@", "12", None)
    assert second.card.tags == tuple(f"t{i}" for i in range(20))
    assert second.reason.split("; ")[0] == "only the first 20 of 50 tags kept"
    assert "photo ignored: this file is not an image" in second.reason
    assert result.rows[3].reason == "Name is too long (500 characters; at most 200)."


@pytest.mark.parametrize("cut", [
    pytest.param(lambda data: data[:data.rindex(b"END:VCARD")], id="before its END"),
    pytest.param(lambda data: data[:data.rindex(b"NOTE")], id="in the middle of a card"),
    pytest.param(lambda data: data + b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Never Ends\r\n",
                 id="a last card begun"),
])
def test_file_cut_off_inside_a_card_is_refused_whole(db, cut):
    data = cut(read("iphone-3.0.vcf"))
    before = fdb.row_counts(db)
    with pytest.raises(ImportFileError, match=r"^The file ends inside card \d \(") as caught:
        preview(db, data)
    assert "Nothing was imported" in str(caught.value)
    assert fdb.row_counts(db) == before


@pytest.mark.parametrize("data, message", [
    pytest.param(b"", "The file is empty.", id="empty"),
    pytest.param(b"\r\n\r\n", "The file is empty.", id="blank lines"),
    pytest.param(b"FN:Ada Lovelace\r\nEMAIL:ada@example.com\r\n", "no BEGIN:VCARD",
                 id="no card"),
    pytest.param(b"First Name,Last Name\nAda,Lovelace\n", "no BEGIN:VCARD", id="a CSV"),
    pytest.param(bytes(range(256)) * 64, "NUL bytes", id="binary junk"),
    pytest.param("BEGIN:VCARD\nFN:Ada\nEND:VCARD\n".encode("utf-16-le"), "NUL bytes",
                 id="UTF-16 without BOM"),
    pytest.param(b"\xff\xd8\xff\xe0" + bytes(range(1, 32)) * 40, "looks binary",
                 id="a JPEG"),
])
def test_unreadable_files_raise_and_write_nothing(db, data, message):
    before = fdb.row_counts(db)
    with pytest.raises(ImportFileError, match=message):
        preview(db, data)
    assert fdb.row_counts(db) == before


def test_too_large_file_is_refused(db):
    with pytest.raises(ImportFileError, match="at most 20 MB"):
        preview(db, b"BEGIN:VCARD\r\n" + b"x" * imports.MAX_BYTES)


def test_utf16_file_with_bom_is_read():
    data = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Jürgen Müller\r\nEND:VCARD\r\n".encode("utf-16")
    (row,) = vcard.preview(fdb.memory(), data, "x.vcf", {}).rows
    assert row.name == "Jürgen Müller"


def test_garbage_lines_and_huge_parameter_lists_are_ignored():
    text = ("BEGIN:VCARD\r\nVERSION:3.0\r\nthis is not a property\r\n"
            "TEL" + ";x" * 100_000 + ":+1 650 253 0000\r\n"
            '@@@;;;:::\r\nFN;X="a:b;c":Ada Lovelace\r\nEND:VCARD\r\n')
    row = card_of(text)
    assert (row.name, row.card.phone) == ("Ada Lovelace", "+16502530000")


# ---------------------------------------------------------------- applying

def test_apply_and_reimport_of_vcards_adds_nothing_twice(db):
    imports.apply(db, preview(db, read("iphone-3.0.vcf")), now=NOW)
    before = snapshot(db)
    again = preview(db, read("iphone-3.0.vcf"))
    assert again.counts == {"new": 0, "matched": 2, "skipped": 0}
    assert again.rows[0].reason == (
        "same LinkedIn profile as Chidi Okafor (#1); nothing new")
    assert imports.apply(db, again, now=NOW) == {"new": 0, "matched": 2, "skipped": 0}
    assert snapshot(db) == before
    person = db.execute("SELECT source, met_at FROM people WHERE id = 1").fetchone()
    assert person == ("vcard", "2026-03-10T14:00:00Z")
    assert db.execute("SELECT tag FROM person_tags ORDER BY tag").fetchall() == [
        ("beta tester",), ("customer",)]


def test_vcard_match_fills_empty_fields_adds_tags_and_photo(db):
    linkedin_csv = (FIXTURES / "linkedin" / "Connections-newer.csv").read_bytes()
    imports.apply(db, linkedin.preview(db, linkedin_csv, "c.csv", {}), now=NOW)
    chidi_id = db.execute("SELECT id FROM people WHERE name = 'Chidi Okafor'").fetchone()[0]
    db.execute("INSERT INTO person_tags (person_id, tag) VALUES (?, 'customer')", [chidi_id])
    result = preview(db, read("iphone-3.0.vcf"))
    row = result.rows[0]
    assert (row.action, row.person_id) == ("match", chidi_id)
    assert row.reason == (f"same LinkedIn profile as Chidi Okafor (#{chidi_id}); adds note, "
                          "an email, a phone, a web address, tags (beta tester), photo")
    imports.apply(db, result, now=NOW)
    person = db.execute("SELECT title, email, phone, note FROM people "
                        "WHERE id = ?", [chidi_id]).fetchone()
    assert person == ("VP Product", "chidi@brightline.example", "+14155550134", row.card.note)
    assert row.card.note.startswith("Met at SaaStr by the coffee stand.")
    assert db.execute("SELECT tag FROM person_tags WHERE person_id = ? ORDER BY tag",
                      [chidi_id]).fetchall() == [("beta tester",), ("customer",)]
    assert db.execute("SELECT count(*) FROM attachments WHERE person_id = ?",
                      [chidi_id]).fetchone() == (1,)


def test_same_person_twice_in_one_file_is_one_person_with_the_values_of_both():
    text = ("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ada Lovelace\r\nEMAIL:ada@example.com\r\n"
            "END:VCARD\r\nBEGIN:VCARD\r\nVERSION:3.0\r\nFN:A. Lovelace\r\n"
            "EMAIL:ADA@example.com\r\nTEL;TYPE=CELL:+1 650 253 0000\r\nEND:VCARD\r\n")
    db = fdb.memory()
    result = preview(db, text.encode())
    assert [(r.action, r.reason) for r in result.rows] == [
        ("new", None), ("match", "same person as row 1; adds a phone")]
    assert imports.apply(db, result, now=NOW) == {"new": 1, "matched": 1, "skipped": 0}
    assert db.execute("SELECT name, email, phone, phone_label FROM people").fetchall() == [
        ("Ada Lovelace", "ada@example.com", "+16502530000", "mobile")]


# ---------------------------------------------------------------- export

# Customers scanned at a booth in May 2024: the people the export tests write out.
SCANNED = {"source": "scan", "met_at": "2024-05-01T09:00:00Z", "kind": "customer"}


def test_export_writes_escaped_folded_crlf_vcard_30(db):
    save_imported(db, "Zoë Weiß", **SCANNED, company="Acme; Sons, Ltd",
                  title="Head\\of Product", email="zoe@acme.example", phone="(650) 253-0000",
                  linkedin_url="linkedin.com/in/zoe-weiss", website="acme.example",
                  note="Line one, with comma\nLine two; " + "ü" * 60, tags="ai, beta tester")
    text = vcard.export(db)
    lines = text.split("\r\n")
    assert lines[-1] == "" and "\n" not in text.replace("\r\n", "")
    assert all(len(line.encode("utf-8")) <= 75 for line in lines)
    assert lines[:3] == ["BEGIN:VCARD", "VERSION:3.0", "PRODID:-//FieldKit//FieldKit//EN"]
    unfolded = text.replace("\r\n ", "").split("\r\n")
    assert "FN:Zoë Weiß" in unfolded
    assert "N:Weiß;Zoë;;;" in unfolded
    assert "ORG:Acme\\; Sons\\, Ltd" in unfolded
    assert "TITLE:Head\\\\of Product" in unfolded
    assert "EMAIL;TYPE=INTERNET:zoe@acme.example" in unfolded
    assert "TEL;TYPE=VOICE:+16502530000" in unfolded
    assert "item1.URL:https://www.linkedin.com/in/zoe-weiss" in unfolded
    assert "item1.X-ABLabel:LinkedIn" in unfolded
    assert "URL:https://acme.example" in unfolded
    assert f"NOTE:Line one\\, with comma\\nLine two\\; {'ü' * 60}" in unfolded
    assert "CATEGORIES:ai,beta tester" in unfolded
    assert unfolded[-2] == "END:VCARD"


def test_fold_never_splits_a_character():
    folded = vcard.fold("NOTE:" + "€" * 60)
    pieces = folded.removesuffix("\r\n").split("\r\n")
    assert [len(p.encode()) for p in pieces] == [74, 73, 40]
    assert "".join(p.removeprefix(" ") if i else p for i, p in enumerate(pieces)) == \
        "NOTE:" + "€" * 60


@pytest.mark.parametrize("text, expected", [
    ("a,b;c\\d", "a\\,b\\;c\\\\d"),
    ("one\r\ntwo\nthree\rfour", "one\\ntwo\\nthree\\nfour"),
    ("plain", "plain"),
])
def test_escape(text, expected):
    assert vcard.escape(text) == expected


def test_export_selected_people_and_not_merged(db):
    ada = save_imported(db, "Ada Lovelace", **SCANNED)
    grace = save_imported(db, "Grace Hopper", **SCANNED)
    gone = save_imported(db, "Merged Person", **SCANNED)
    db.execute("UPDATE people SET status = 'merged' WHERE id = ?", [gone])
    assert vcard.export(db).count("BEGIN:VCARD") == 2
    only = vcard.export(db, [grace])
    assert only.count("BEGIN:VCARD") == 1 and "FN:Grace Hopper" in only
    assert vcard.export(db, []) == ""
    assert "FN:Ada Lovelace" in vcard.export(db, [ada, gone])
    assert "Merged" not in vcard.export(db, [ada, gone])


def test_round_trip_export_then_import_matches_everyone_and_changes_nothing(db):
    for name in ("android-2.1.vcf", "iphone-3.0.vcf", "v4.vcf"):
        imports.apply(db, preview(db, read(name), region="DE"), now=NOW)
    save_imported(db, "Alex", **SCANNED, note="Back\\slash; semi, comma\n\nTwo paragraphs",
                  tags="x, y")
    save_imported(db, "Alex", **SCANNED)  # two people with the same bare name
    before = snapshot(db)
    count = len(before[0])
    exported = vcard.export(db)
    result = preview(db, exported.encode("utf-8"), region="US")
    assert result.counts == {"new": 0, "matched": count, "skipped": 0}
    assert all(r.reason.endswith("nothing new") for r in result.rows)
    assert imports.apply(db, result, now=NOW) == {"new": 0, "matched": count, "skipped": 0}
    assert snapshot(db) == before


def test_round_trip_into_a_fresh_database_keeps_the_details(db):
    save_imported(db, "Zoë Weiß", **SCANNED, company="Acme; Sons, Ltd",
                  email="zoe@acme.example", phone="+44 20 7946 0958", note="a,b;c\\d\nline",
                  tags="ai, beta tester", linkedin_url="in/zoe",
                  website="https://acme.example/x?a=1,2")
    fresh = fdb.memory()
    (row,) = vcard.preview(fresh, vcard.export(db).encode(), "x.vcf", {}).rows
    assert row.card == cards.clean({
        "name": "Zoë Weiß", "company": "Acme; Sons, Ltd", "email": "zoe@acme.example",
        "phone": "+442079460958", "note": "a,b;c\\d\nline", "tags": "ai, beta tester",
        "linkedin_url": "in/zoe", "website": "https://acme.example/x?a=1,2"})


# ---------------------------------------------------------------- the user's own card

def test_own_card_from_settings():
    text = vcard.own_card({"my_name": "Sam Field", "phone_region": "US", "timezone": "UTC"})
    assert text == "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Sam Field\r\nN:Field;Sam;;;\r\n" \
                   "END:VCARD\r\n"


def test_own_card_from_fields_is_cleaned():
    text = vcard.own_card({"name": " Sam  Field ", "company": "FieldKit", "phone": "650 253 0000",
                           "email": "sam@fieldkit.example", "linkedin_url": "in/sam-field",
                           "phone_region": "US"})
    assert text.split("\r\n")[2:9] == [
        "FN:Sam Field", "N:Field;Sam;;;", "ORG:FieldKit", "EMAIL;TYPE=INTERNET:sam@fieldkit.example",
        "TEL;TYPE=VOICE:+16502530000", "item1.URL:https://www.linkedin.com/in/sam-field",
        "item1.X-ABLabel:LinkedIn"]


def test_own_card_carries_my_card_from_settings(db):
    config.save(db, {"my_name": "Sam Field", "my_title": "Head of Product",
                     "my_company": "FieldKit", "my_email": "sam@fieldkit.example",
                     "my_phone": "030 1234567", "phone_region": "DE",
                     "my_website": "fieldkit.example", "my_linkedin_url": "in/sam-field"})
    lines = vcard.own_card(config.load(db)).split("\r\n")
    assert lines[2:12] == [
        "FN:Sam Field", "N:Field;Sam;;;", "ORG:FieldKit", "TITLE:Head of Product",
        "EMAIL;TYPE=INTERNET:sam@fieldkit.example", "TEL;TYPE=VOICE:+49301234567",
        "item1.URL:https://www.linkedin.com/in/sam-field", "item1.X-ABLabel:LinkedIn",
        "URL:https://fieldkit.example", "END:VCARD"]


@pytest.mark.parametrize("fields", [{"my_name": ""}, {"my_name": "   "}, {}])
def test_own_card_needs_a_name(fields):
    with pytest.raises(ValidationError, match="Your name"):
        vcard.own_card(fields)


def test_own_card_with_bad_email_raises():
    with pytest.raises(ValidationError) as caught:
        vcard.own_card({"name": "Sam", "email": "not-an-email"})
    assert caught.value.field == "email"


def test_own_qr_png():
    png = vcard.own_qr_png(vcard.own_card({"name": "Jürgen Müller", "company": "Acme"}))
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    image = Image.open(io.BytesIO(png))
    assert image.width == image.height >= 21 * 8


def test_own_qr_png_refuses_text_too_long():
    with pytest.raises(ValidationError, match="too long for a QR code"):
        vcard.own_qr_png("x" * 5000)


def test_export_writes_every_value_with_its_label(db):
    save_imported(db, "Keiko Nakamura", **SCANNED, settings={"phone_region": "JP"}, values=[
        ("phone", "mobile", "+81 90-1234-5678"), ("phone", "work fax", "+81 3-9876-5433"),
        ("phone", "assistant", "+81 3-9876-5400"), ("phone", "Cottage; west", "front desk"),
        ("email", "work", "keiko@hikari.example"), ("email", "Old", "k@old.example"),
        ("url", "homepage", "hikari.example"), ("url", "work", "skype:keiko"),
        ("address", "home", {"street": "2-1-1 Nishi-Shinjuku\nApt 1203",
                             "locality": "Tokyo", "country": "Japan"})])
    unfolded = vcard.export(db).replace("\r\n ", "").split("\r\n")
    assert unfolded[5:-2] == [
        "FN:Keiko Nakamura", "N:Nakamura;Keiko;;;",
        "EMAIL;TYPE=INTERNET,WORK,PREF:keiko@hikari.example",
        "item1.EMAIL;TYPE=INTERNET:k@old.example", "item1.X-ABLabel:Old",
        "TEL;TYPE=CELL,PREF:+819012345678",
        "TEL;TYPE=WORK,FAX:+81398765433",
        "item2.TEL:+81398765400", "item2.X-ABLabel:_$!<AssistantPhone>!$_",
        "item3.TEL:front desk", "item3.X-ABLabel:Cottage\\; west",
        "item4.URL:https://hikari.example", "item4.X-ABLabel:_$!<HomePage>!$_",
        "URL;TYPE=WORK:skype:keiko",
        "ADR;TYPE=HOME:;;2-1-1 Nishi-Shinjuku\\nApt 1203;Tokyo;;;Japan"]


@pytest.mark.parametrize("named_from, lines", [
    ("company", ["FN:Fjord Analytics", "N:;;;;", "X-ABShowAs:COMPANY", "ORG:Fjord Analytics"]),
    ("email", ["FN:mateo@correo.example", "N:;;;;"]),
])
def test_export_of_a_person_named_after_their_company_or_email(db, named_from, lines):
    text = ("BEGIN:VCARD\r\nVERSION:3.0\r\nORG:Fjord Analytics\r\nEND:VCARD\r\n"
            if named_from == "company" else
            "BEGIN:VCARD\r\nVERSION:3.0\r\nEMAIL:mateo@correo.example\r\nEND:VCARD\r\n")
    imports.apply(db, preview(db, text.encode()), now=NOW)
    unfolded = vcard.export(db).split("\r\n")
    assert unfolded[5:5 + len(lines)] == lines
    (again,) = preview(fdb.memory(), vcard.export(db).encode()).rows
    assert (again.name, again.card.named_from) == (lines[0][3:], named_from)


def test_a_web_address_that_is_a_linkedin_profile_is_the_linkedin():
    row = card_of("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ada\r\nURL:https://ada.example\r\n"
                  "URL;TYPE=WORK:https://de.linkedin.com/in/ada-l/\r\n"
                  "URL:https://www.linkedin.com/company/acme\r\nEND:VCARD\r\n")
    assert row.card.linkedin_url == "https://www.linkedin.com/in/ada-l"
    assert row.card.all_of("url") == ["https://ada.example",
                                      "https://www.linkedin.com/company/acme"]


def test_two_cards_of_one_address_book_sharing_an_email_are_two_people(db):
    # Each card has its own UID: two contacts of the source book, twins at most
    # (the Data page offers to merge them). Without UIDs they would be one.
    text = ("BEGIN:VCARD\r\nVERSION:3.0\r\nUID:one\r\nFN:Ada Lovelace\r\n"
            "EMAIL:ada@example.com\r\nEND:VCARD\r\nBEGIN:VCARD\r\nVERSION:3.0\r\nUID:two\r\n"
            "FN:Ada L.\r\nEMAIL:ADA@example.com\r\nTEL:+1 650 253 0000\r\nEND:VCARD\r\n")
    result = preview(db, text.encode())
    assert [row.action for row in result.rows] == ["new", "new"]
    assert imports.apply(db, result, now=NOW) == {"new": 2, "matched": 0, "skipped": 0}
    assert preview(db, text.replace("UID:two", "UID:one").encode()).rows[1].action == "match"
