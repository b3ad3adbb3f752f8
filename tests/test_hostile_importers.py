"""Hostile files to every importer and reader: a clear error or success, never a crash.

Random bytes, valid files cut short or with bytes changed, the wrong
encoding (UTF-16 with and without BOM, Latin-1, Shift-JIS), NUL bytes, BOMs
and very large files go through the LinkedIn and vCard imports (preview,
then apply), the backup check and restore, and photo preparation. Each
either succeeds or raises a FieldkitError of one readable line; on error the
database file is byte-for-byte unchanged.
"""

import hashlib
import io
import sqlite3
import zlib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from fieldkit import backup, cards, imports, linkedin, normalise, photos, vcard
from fieldkit.errors import FieldkitError
from fieldkit.imports import ImportFileError, Preview, Row
from hostile import FEW, HOSTILE, NOW, assert_clear, attempt, fingerprint, hostile_text

FIXTURES = Path(__file__).parent / "fixtures"
CSVS = [p.read_bytes() for p in sorted((FIXTURES / "linkedin").glob("*.csv"))]
VCARDS = [p.read_bytes() for p in sorted((FIXTURES / "vcard").glob("*.vcf"))]
ENCODINGS = ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "latin-1", "cp1252", "shift_jis",
             "utf-8-sig", "utf-7", "koi8-r"]


def reencoded(data: bytes, encoding: str) -> bytes:
    return data.decode("utf-8", errors="replace").encode(encoding, errors="replace")


def mutated(data: bytes, at: int, insert: bytes, drop: int) -> bytes:
    at %= len(data) + 1
    return data[:at] + insert + data[at + drop:]


def hostile_file(valid: list[bytes]) -> st.SearchStrategy[bytes]:
    """Bytes shaped like ``valid`` files, or not at all."""
    source = st.sampled_from(valid)
    return st.one_of(
        st.binary(max_size=4096),
        st.builds(lambda d, n: d[:n], source, st.integers(0, 20_000)),  # cut short
        st.builds(mutated, source, st.integers(0, 20_000),
                  st.one_of(st.binary(max_size=16), st.sampled_from(
                      [b"\x00", b"\xff\xfe", b"\xef\xbb\xbf", b'"', b"\r", b"=\r\n", b"\\",
                       b";CHARSET=undefined", b";ENCODING=BASE64", b"BEGIN:VCARD\r\n"])),
                  st.integers(0, 8)),
        st.builds(reencoded, source, st.sampled_from(ENCODINGS)),
        st.builds(lambda bom, d: bom + d, st.sampled_from(
            [b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf\xef\xbb\xbf"]),
            st.one_of(source, st.binary(max_size=256))),
        st.builds(lambda d, n: d.replace(b"\n", b"\x00\n", n), source, st.integers(1, 5)),
    )


def preview_and_apply(db, reader, data: bytes, filename) -> None:
    preview = attempt(db, reader.preview, db, data, filename, {"phone_region": "DE"})
    if preview is not None:
        for row in preview.rows:
            assert row.action in ("new", "match", "skip")
            assert row.reason is None or "\n" not in row.reason
        attempt(db, imports.apply, db, preview, now=NOW)


filename = st.one_of(st.none(), st.sampled_from(["Connections.csv", "people.vcf"]), hostile_text)


# ---------------------------------------------------------------- LinkedIn

@HOSTILE
@given(data=hostile_file(CSVS), name=filename)
def test_linkedin_any_file_imports_or_changes_nothing(db, data, name):
    preview_and_apply(db, linkedin, data, name)


@FEW
@given(cells=st.lists(st.lists(hostile_text, min_size=1, max_size=9), min_size=1, max_size=6))
def test_linkedin_any_cells_import_or_change_nothing(db, cells):
    header = "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
    body = "\n".join(",".join('"' + c.replace('"', '""') + '"' for c in row) for row in cells)
    data = (header + body).encode("utf-8", errors="surrogatepass")
    preview_and_apply(db, linkedin, data, "Connections.csv")


# ---------------------------------------------------------------- vCard

prop_name = st.sampled_from(["FN", "N", "ORG", "TITLE", "EMAIL", "TEL", "URL", "NOTE",
                             "CATEGORIES", "PHOTO", "UID", "X-ABLABEL", "item1.URL",
                             "X-SOCIALPROFILE", "BEGIN", "END", "VERSION", "AGENT"])
param = st.sampled_from(["", ";CHARSET=UTF-8", ";CHARSET=undefined", ";CHARSET=idna",
                         ";CHARSET=utf-16", ";CHARSET=shift_jis", ";CHARSET=rot13",
                         ";ENCODING=QUOTED-PRINTABLE", ";ENCODING=b", ";BASE64",
                         ";TYPE=linkedin", ';TYPE="a:b"', ";VALUE=uri", ";=", ";;"])
prop_value = st.one_of(hostile_text, st.sampled_from(
    ["VCARD", "=C3=A9=\r\n=", "data:image/jpeg;base64,/9j/", "data:,%ff", "tel:+49", "mailto:",
     "https://linkedin.com/in/ada", "a\\,b\\;c\\n", "\\", "=ZZ", "iVBORw0KGgo="]))
vcard_line = st.builds(lambda n, p, v: f"{n}{p}:{v}", prop_name, param, prop_value)


@HOSTILE
@given(data=hostile_file(VCARDS), name=filename)
def test_vcard_any_file_imports_or_changes_nothing(db, data, name):
    preview_and_apply(db, vcard, data, name)


@HOSTILE
@given(lines=st.lists(vcard_line, max_size=12), end=st.booleans())
def test_vcard_any_properties_import_or_change_nothing(db, lines, end):
    text = "\r\n".join(["BEGIN:VCARD", "VERSION:3.0", *lines, *(["END:VCARD"] if end else [])])
    preview_and_apply(db, vcard, text.encode("utf-8", errors="surrogatepass"), "people.vcf")


@pytest.mark.parametrize("charset", ["undefined", "idna", "punycode", "utf-7", "hex", "zlib"])
def test_vcard_odd_charset_reads_the_card(db, charset):
    data = f"BEGIN:VCARD\r\nFN;CHARSET={charset}:Ada..Lovelace+\r\nEND:VCARD\r\n".encode()
    (row,) = vcard.preview(db, data, "x.vcf").rows
    assert row.action == "new" and row.name


# ---------------------------------------------------------------- sizes

@pytest.mark.parametrize("reader, name", [(linkedin, "Connections.csv"), (vcard, "a.vcf")])
def test_import_over_the_size_limit_is_refused_clearly(db, reader, name):
    data = b"a" * (imports.MAX_BYTES + 1)
    before = fingerprint(db)
    with pytest.raises(ImportFileError, match=r"^The file is 20\.0 MB; at most 20 MB\.$"):
        reader.preview(db, data, name)
    assert fingerprint(db) == before


@pytest.mark.parametrize("reader, make", [
    (linkedin, lambda n: ("First Name,Last Name\n" + "".join(f"A{i},B\n" for i in range(n)))),
    (vcard, lambda n: "".join(f"BEGIN:VCARD\r\nFN:A{i}\r\nEND:VCARD\r\n" for i in range(n))),
])
def test_import_with_too_many_people_is_refused_clearly(db, monkeypatch, reader, make):
    monkeypatch.setattr(imports, "MAX_ROWS", 30)
    assert len(reader.preview(db, make(30).encode(), "f").rows) == 30
    with pytest.raises(ImportFileError, match=r"^The file holds more than 30 people"):
        reader.preview(db, make(31).encode(), "f")


def test_linkedin_huge_cell_is_refused_clearly(db):
    data = b"First Name,Last Name\nAda," + b"x" * 200_000 + b"\n"
    with pytest.raises(ImportFileError) as info:
        linkedin.preview(db, data, "Connections.csv")
    assert_clear(info.value)


def test_vcard_huge_note_is_left_out_with_a_note(db):
    data = b"BEGIN:VCARD\r\nFN:Ada\r\nNOTE:" + b"x" * 5_000_000 + b"\r\nEND:VCARD\r\n"
    (row,) = vcard.preview(db, data, "a.vcf").rows
    assert row.action == "new" and row.card.note is None
    assert row.reason == "note ignored: Note is too long (5,000,000 characters; at most 4,000)."


def test_import_long_filename_is_stored_short_and_plain(db):
    name = "\u202e" + "x" * 5000 + "\x00.vcf"
    preview = vcard.preview(db, b"BEGIN:VCARD\r\nFN:Ada\r\nEND:VCARD\r\n", name)
    imports.apply(db, preview, now=NOW)
    (stored,) = db.execute("SELECT filename FROM import_runs").fetchone()
    assert len(stored) <= normalise.FILENAME_LIMIT and "\x00" not in stored
    assert "\u202e" not in stored and stored.endswith(".vcf")


@pytest.mark.parametrize("name", ["\ud800.vcf", "a\x00b.vcf", "x" * 10_000])
def test_apply_stores_any_filename_plainly(db, name):
    card = cards.clean({"name": "Ada Lovelace"})
    imports.apply(db, Preview("vcard", name, "0" * 64, [Row(1, "new", card.name, card=card)]),
                  now=NOW)
    (stored,) = db.execute("SELECT filename FROM import_runs").fetchone()
    assert len(stored) <= normalise.FILENAME_LIMIT and stored.isprintable()


# ---------------------------------------------------------------- apply is all or nothing

def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 20), "teal").save(out, "JPEG")
    return out.getvalue()


def test_apply_that_fails_half_way_writes_nothing(db):
    good = cards.clean({"name": "Ada Lovelace"})
    bad = cards.clean({"name": "Grace Hopper"})
    preview = Preview("vcard", "a.vcf", "0" * 64, [
        Row(1, "new", good.name, card=good, photo=_jpeg()),
        Row(2, "new", bad.name, card=bad, photo=b"not an image"),  # fails inside apply
    ])
    before = fingerprint(db)
    with pytest.raises(FieldkitError) as info:
        imports.apply(db, preview, now=NOW)
    assert_clear(info.value)
    assert fingerprint(db) == before
    assert db.execute("SELECT count(*) FROM people").fetchone()[0] == 0


# ---------------------------------------------------------------- backups

# The anchored sample's backup as the Data page describes it before restoring
# (0.8 MB since migrations 0008 and 0010: wrong passwords, the phones' change log).
SAMPLE_BACKUP = ("A FieldKit backup of 0.8 MB: 160 people, 30 events, 897 touches, "
                 "153 open follow-ups.")


@pytest.fixture(scope="module")
def backup_data(sample_day_readonly):
    return backup.backup_bytes(sample_day_readonly)


def test_backup_of_the_sample_is_described_exactly(backup_data):
    assert backup.describe(backup.check_upload(backup_data)) == SAMPLE_BACKUP


def _file_hash(path: Path) -> str:
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return hashlib.sha256(path.read_bytes()).hexdigest()


@HOSTILE
@given(data=st.data())
def test_backup_check_any_file_describes_or_refuses(backup_data, data):
    upload = data.draw(st.one_of(
        st.binary(max_size=4096),
        st.builds(lambda b, n: backup.SQLITE_HEADER + b[:n], st.binary(max_size=200),
                  st.integers(0, 200)),
        st.builds(lambda n: backup_data[:n], st.integers(0, len(backup_data))),
        st.builds(mutated, st.just(backup_data), st.integers(0, len(backup_data)),
                  st.binary(min_size=1, max_size=64), st.integers(0, 64)),
    ))
    try:
        info = backup.check_upload(upload)
    except FieldkitError as exc:
        assert_clear(exc)
    else:
        # A change the check lets through touches no row (free space, bytes past the
        # last page): the file still holds the sample, within a few bytes of its size.
        assert backup.describe(info) == SAMPLE_BACKUP


@FEW
@given(data=st.data())
def test_restore_any_file_replaces_or_changes_nothing(tmp_path_factory, sample_day_file,
                                                      backup_data, data):
    upload = data.draw(st.one_of(
        st.binary(max_size=2048),
        st.builds(lambda n: backup_data[:n], st.integers(0, len(backup_data) - 1)),
        st.builds(mutated, st.just(backup_data), st.integers(0, len(backup_data)),
                  st.binary(min_size=1, max_size=32), st.integers(0, 32)),
    ))
    path = tmp_path_factory.mktemp("restore") / "fieldkit.db"
    path.write_bytes(sample_day_file.read_bytes())
    before = _file_hash(path)
    try:
        backup.restore(path, upload, now=NOW, wait=0.5)
    except FieldkitError as exc:
        assert_clear(exc)
        assert _file_hash(path) == before
        assert sorted(p.name for p in path.parent.iterdir()) == ["fieldkit.db"]
    else:
        with sqlite3.connect(path) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        conn.close()


def test_restore_over_the_size_limit_is_refused_clearly(tmp_path, monkeypatch, backup_data):
    monkeypatch.setattr(backup, "MAX_BYTES", len(backup_data) - 1)
    with pytest.raises(backup.RestoreError, match=r"^The file is .* MB; a backup can be at most"):
        backup.restore(tmp_path / "fieldkit.db", backup_data)
    assert not (tmp_path / "fieldkit.db").exists()


# ---------------------------------------------------------------- photos

def _image(fmt: str, size=(64, 48), mode="RGB", **save) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, 128 if mode in ("1", "L", "P", "I;16") else "teal").save(
        out, fmt, **save)
    return out.getvalue()


IMAGES = [_image("JPEG"), _image("PNG", mode="LA"), _image("PNG", mode="P"),
          _image("WEBP", mode="RGBA"), _image("GIF", mode="P"), _image("JPEG", mode="CMYK"),
          _image("PNG", size=(1, 1), mode="1"), _image("PNG", mode="I;16")]


@HOSTILE
@given(data=st.one_of(
    st.binary(max_size=2048),
    st.builds(lambda d, n: d[:n], st.sampled_from(IMAGES), st.integers(0, 2000)),
    st.builds(mutated, st.sampled_from(IMAGES), st.integers(0, 2000),
              st.binary(min_size=1, max_size=16), st.integers(0, 16)),
))
def test_photo_any_bytes_prepare_or_refuse(data):
    try:
        photo = photos.prepare(data)
    except FieldkitError as exc:
        assert_clear(exc)
    else:
        with Image.open(io.BytesIO(photo.data)) as image:
            assert image.format == "JPEG" and max(image.size) <= photos.MAX_SIDE
            assert not image.getexif()


@pytest.mark.parametrize("data", [
    b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\nshowpage\n",  # would run Ghostscript
    b"%PDF-1.4\n1 0 obj<<>>endobj\n",
    _image("BMP"), _image("TIFF"), _image("ICO", size=(16, 16)),
    b"<svg xmlns='http://www.w3.org/2000/svg'/>",
])
def test_photo_in_another_format_is_refused(data):
    with pytest.raises(FieldkitError, match=r"^Photo: this file is not an image FieldKit can "
                                            r"read \(use JPEG, PNG or WebP\)\.$"):
        photos.prepare(data)


def _png_claiming(width: int, height: int) -> bytes:
    """A small PNG whose header claims another size (a decompression bomb's first bytes)."""
    data = bytearray(_image("PNG", size=(1, 1), mode="L"))
    data[16:24] = width.to_bytes(4, "big") + height.to_bytes(4, "big")
    data[29:33] = zlib.crc32(bytes(data[12:29])).to_bytes(4, "big")
    return bytes(data)


@pytest.mark.parametrize("width, height", [(30_000, 30_000), (1, 60_000_000)])
def test_photo_with_huge_dimensions_is_refused_before_decoding(width, height):
    with pytest.raises(FieldkitError, match=r"^Photo: the image is too large to read\.$"):
        photos.prepare(_png_claiming(width, height))


def test_photo_over_the_size_limit_is_refused_clearly():
    with pytest.raises(FieldkitError, match=r"^Photo: the file is 15\.0 MB; at most 15 MB\.$"):
        photos.prepare(b"\xff" * (photos.MAX_UPLOAD_BYTES + 1))


@FEW
@given(data=st.binary(max_size=512))
def test_capture_with_a_bad_photo_changes_nothing(db, data):
    card = cards.clean({"name": "Ada Lovelace"})
    attempt(db, lambda: cards.save(db, card, settings={"timezone": "UTC",
                                                       "ladder_gaps": [2, 4], "cadence_other": 90},
                                   photo=photos.prepare(data), now=NOW))
