"""vCard (.vcf) files: importing address books, exporting people, the user's own card.

Reads versions 2.1, 3.0 and 4.0 as phones write them: Android's 2.1 with
quoted-printable values, soft line breaks and a CHARSET per property; the
iPhone's 3.0 with grouped properties (``item1.URL`` + ``item1.X-ABLabel``) and
folded base64 photos; 4.0's ``tel:`` URIs and ``data:`` photos. The reader is
small and hand-written because vobject 0.9.9 fails on a quoted-printable soft
line break, cuts a 4.0 ``data:`` photo at its comma and gives up on a whole
file for one bad line. Writes vCard 3.0, which every phone reads.
"""

from __future__ import annotations

import base64
import binascii
import io
import json
import quopri
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from urllib.parse import unquote_to_bytes

import segno
from sqlite_utils import Database

from fieldkit import cards, imports, normalise
from fieldkit.errors import ValidationError
from fieldkit.imports import Entry, ImportFileError, Preview

_LINE_BREAK = re.compile(rb"\r\n|\r|\n")
# Up to the first colon outside double quotes (4.0 quotes parameter values).
_HEAD = re.compile(rb'((?:[^":]++|"[^"]*+")*+):')
_PARAM = re.compile(rb'(?:[^";]++|"[^"]*+")++')
_NAME = re.compile(rb"(?:([A-Za-z0-9-]{1,64})\.)?([A-Za-z0-9-]{1,64})")
_ENCODINGS = {"QUOTED-PRINTABLE", "BASE64", "B", "8BIT", "7BIT"}


@dataclass
class Property:
    """One content line of a card: ``item1.URL;TYPE=pref:https://...``."""

    group: str | None
    name: str
    params: dict[str, list[str]]
    raw: bytes

    def param(self, key: str) -> list[str]:
        return self.params.get(key, [])

    @property
    def encoding(self) -> str:
        return (self.param("ENCODING") or [""])[0].upper()

    def data(self) -> bytes:
        """The value's bytes with its transfer encoding (QP, base64) undone."""
        if self.encoding == "QUOTED-PRINTABLE":
            return quopri.decodestring(self.raw)
        if self.encoding in ("B", "BASE64"):
            return _base64(self.raw)
        return self.raw

    def text(self) -> str:
        """The value as text in its CHARSET (UTF-8 if none), still escaped."""
        try:
            data = self.data()
        except ValueError:
            data = self.raw
        charset = (self.param("CHARSET") or [""])[0]
        for name in (charset, "utf-8"):
            if name:
                try:
                    return data.decode(name)
                except (LookupError, UnicodeError, ValueError, TypeError):
                    continue  # unknown, or a codec that is no text encoding ("undefined")
        return data.decode("cp1252", errors="replace")


def _base64(raw: bytes) -> bytes:
    compact = re.sub(rb"\s+", b"", raw)
    compact += b"=" * (-len(compact) % 4)
    try:
        return base64.b64decode(compact, validate=True)
    except binascii.Error:
        raise ValueError("not valid base64") from None


def _logical_lines(data: bytes) -> Iterator[bytes]:
    """Content lines with folding and quoted-printable soft breaks undone."""
    current: bytes | None = None
    qp = b64 = False
    for line in _LINE_BREAK.split(data):
        if current is not None:
            marker = line[:10].upper()
            if qp and current.endswith(b"=") and not marker.startswith((b"END:", b"BEGIN:")):
                current = current[:-1] + line  # a soft line break (Android 2.1)
                continue
            if line[:1] in (b" ", b"\t"):
                current += line[1:]
                continue
            if b64 and line.strip() and b":" not in line:
                current += line  # 2.1 base64 lines some writers leave unindented
                continue
            yield current
            current = None
        if not line.strip():
            continue
        current = line
        head = line.split(b":", 1)[0].upper()
        qp = b"QUOTED-PRINTABLE" in head
        b64 = b"BASE64" in head or b"ENCODING=B" in head
    if current is not None:
        yield current


def _parse(line: bytes) -> Property | None:
    head = _HEAD.match(line)
    if head is None:
        return None
    parts = _PARAM.findall(head[1])
    name = _NAME.fullmatch(parts[0].strip()) if parts else None
    if name is None:
        return None
    params: dict[str, list[str]] = {}
    for part in parts[1:]:
        part = part.decode("utf-8", errors="replace").strip()
        key, sep, value = part.partition("=")
        if not sep:
            key, value = ("ENCODING" if part.upper() in _ENCODINGS else "TYPE"), part
        values = [v.strip().strip('"') for v in value.strip().strip('"').split(",")]
        params.setdefault(key.strip().upper(), []).extend(v for v in values if v)
    group = name[1].decode("ascii") if name[1] else None
    return Property(group, name[2].decode("ascii").upper(), params, line[head.end():])


def read_cards(data: bytes) -> Iterator[tuple[int, list[Property], bool]]:
    """(number, properties, complete) per card; cards nested in AGENT are left out."""
    depth = number = 0
    props: list[Property] = []
    for line in _logical_lines(data):
        prop = _parse(line)
        if prop is None:
            continue
        marker = prop.raw.strip().upper() == b"VCARD"
        if prop.name == "BEGIN" and marker:
            depth += 1
            if depth == 1:
                number += 1
                props = []
        elif prop.name == "END" and marker and depth:
            depth -= 1
            if depth == 0:
                yield number, props, True
        elif depth == 1:
            props.append(prop)
    if depth:
        yield number, props, False
    if number == 0:
        raise ImportFileError("Not a vCard file: no BEGIN:VCARD line.")


# ---------------------------------------------------------------- values

def split_escaped(text: str, separator: str) -> list[str]:
    """Split on separators not escaped by a backslash; escapes kept (vCard, MECARD)."""
    parts, current, escaped = [], [], False
    for ch in text:
        if escaped:
            current.append(ch)
            escaped = False
        elif ch == "\\":
            current.append(ch)
            escaped = True
        elif ch == separator:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return parts


_ESCAPED = re.compile(r"\\(.)", re.DOTALL)


def _unescape(text: str) -> str:
    return _ESCAPED.sub(lambda m: "\n" if m[1] in "nN" else m[1], text)


def _values(prop: Property, separator: str) -> list[str]:
    return [_unescape(part).strip() for part in split_escaped(prop.text(), separator)]


def _photo(prop: Property) -> tuple[bytes | None, str | None]:
    """A PHOTO's image bytes, or why there are none."""
    if prop.encoding in ("B", "BASE64"):
        try:
            return _base64(prop.raw), None
        except ValueError as exc:
            return None, f"photo ignored: {exc}"
    value = prop.raw.decode("ascii", errors="replace").strip()
    if value[:5].lower() == "data:":
        header, _, payload = value[5:].partition(",")
        try:
            if header.lower().endswith(";base64"):
                return _base64(payload.encode("ascii", errors="replace")), None
            return unquote_to_bytes(payload), None
        except ValueError as exc:
            return None, f"photo ignored: {exc}"
    if value:
        return None, "photo link not fetched (only photos inside the file are imported)"
    return None, None


def _first_valid(candidates: list[str], check, label: str,
                 notes: list[str]) -> str | None:
    problem = "not a usable link"
    for candidate in candidates:
        try:
            if check(candidate):
                return candidate
        except ValidationError as exc:
            problem = str(exc)
    if candidates:
        notes.append(f"{label} ignored: {problem.partition(': ')[2] or problem}")
    return None


def _name_of(props: list[Property]) -> str | None:
    for prop in props:
        if prop.name == "FN":
            name = " ".join(_unescape(prop.text()).split())
            if name:
                return name
    for prop in props:
        if prop.name == "N":
            # family;given;additional;prefix;suffix, each a list separated by commas
            parts = (split_escaped(prop.text(), ";") + [""] * 5)[:5]
            family, given, additional, prefix, suffix = (
                " ".join(_unescape(v).strip() for v in split_escaped(part, ",")).strip()
                for part in parts)
            name = " ".join(x for x in (prefix, given, additional, family, suffix) if x)
            if name:
                return name
    return None


def card_entry(number: int, props: list[Property], complete: bool) -> Entry:
    """What one card says about a person, as an import Entry."""
    def first(name: str) -> Property | None:
        return next((p for p in props if p.name == name and p.raw.strip()), None)

    def first_text(name: str, *, multiline: bool = False) -> str | None:
        prop = first(name)
        if prop is None:
            return None
        text = _unescape(prop.text())
        return text if multiline else " ".join(text.split())

    notes: list[str] = []
    name = _name_of(props)
    org = first("ORG")
    company = _values(org, ";")[0] if org else None
    email = first_text("EMAIL")
    if email and email[:7].lower() == "mailto:":
        email = email[7:]
    phone = first_text("TEL")
    if phone and phone[:4].lower() == "tel:":
        phone = phone[4:].split(";")[0]
    labels = {p.group: _unescape(p.text()).strip().lower()
              for p in props if p.name == "X-ABLABEL" and p.group}
    profiles, sites = [], []
    for prop in props:
        if prop.name == "URL":
            url = _unescape(prop.text()).strip()
            linkedin = "linkedin" in url.lower() or "linkedin" in labels.get(prop.group, "")
            (profiles if linkedin else sites).append(url)
        elif prop.name == "X-SOCIALPROFILE" and any(
                t.lower() == "linkedin" for t in prop.param("TYPE")):
            profiles.append(_unescape(prop.text()).strip())
    tags = [tag for prop in props if prop.name == "CATEGORIES"
            for tag in _values(prop, ",") if tag]
    photo = None
    photo_prop = first("PHOTO")
    if photo_prop is not None:
        photo, problem = _photo(photo_prop)
        if problem:
            notes.append(problem)
    uid = first_text("UID")
    fields = {
        "name": name,
        "company": company,
        "title": first_text("TITLE"),
        "email": email,
        "phone": phone,
        "linkedin_url": _first_valid(profiles, normalise.linkedin, "LinkedIn", notes),
        "website": _first_valid(sites, normalise.website, "website", notes),
        "note": first_text("NOTE", multiline=True),
        "tags": tags,
    }
    skip = None
    if not complete:
        skip = "the file ends inside this card (no END:VCARD)"
    elif not name:
        hint = company or email or phone
        skip = f"no name ({hint[:60]})" if hint else "no name"
    return Entry(number, fields, photo=photo, notes=notes, skip=skip,
                 uid=uid.removeprefix("urn:uuid:") if uid else None)


def read_card(data: bytes) -> Entry:
    """The first card in ``data``, as a QR code holds one; cards after it are ignored.

    Raises ImportFileError when there is no BEGIN:VCARD line.
    """
    for number, props, complete in read_cards(data):
        return card_entry(number, props, complete)
    raise ImportFileError("Not a vCard: no BEGIN:VCARD line.")  # pragma: no cover


def entries(data: bytes) -> Iterator[Entry]:
    """One Entry per card of a .vcf file (bytes as checked by imports.check_bytes)."""
    for number, props, complete in read_cards(data):
        yield card_entry(number, props, complete)


def preview(db: Database, data: bytes, filename: str | None,
            settings: Mapping | None = None) -> Preview:
    """Read a .vcf file of one or many cards and match it against the database.

    Writes nothing; pass the result to ``imports.apply``. Raises
    ImportFileError when the file is not a readable vCard file.
    """
    checked = imports.check_bytes(data)
    return imports.build_preview(
        db, kind="vcard", filename=filename, data=data, entries=entries(checked),
        phone_region=imports.settings_region(settings))


# ---------------------------------------------------------------- writing

def escape(text: str) -> str:
    """A text value escaped for vCard 3.0: backslash, comma, semicolon, newline."""
    return (text.replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;")
            .replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n"))


def fold(line: str) -> str:
    """A content line folded at 75 octets (never inside a UTF-8 character), CRLF-ended."""
    data = line.encode("utf-8")
    pieces, limit = [], 75
    while len(data) > limit:
        cut = limit
        while data[cut] & 0xC0 == 0x80:  # a UTF-8 continuation byte
            cut -= 1
        pieces.append(data[:cut])
        data = data[cut:]
        limit = 74  # the leading space of a continuation line counts
    pieces.append(data)
    return b"\r\n ".join(pieces).decode("utf-8") + "\r\n"


def _card_text(person: Mapping, tags: Iterable[str] = (), *, extra: Iterable[str] = ()) -> str:
    name = person["name"]
    given, _, family = name.rpartition(" ")
    lines = ["BEGIN:VCARD", "VERSION:3.0", *extra,
             f"FN:{escape(name)}", f"N:{escape(family)};{escape(given)};;;"]
    if person.get("company"):
        org = escape(person["company"])
        if person.get("department"):
            org += ";" + escape(person["department"])
        lines.append(f"ORG:{org}")
    if person.get("title"):
        lines.append(f"TITLE:{escape(person['title'])}")
    if person.get("email"):
        lines.append(f"EMAIL;TYPE=INTERNET:{person['email']}")
    if person.get("phone"):
        lines.append(f"TEL;TYPE=VOICE:{person['phone']}")
    if person.get("linkedin_url"):
        lines += [f"item1.URL:{person['linkedin_url']}", "item1.X-ABLabel:LinkedIn"]
    if person.get("website"):
        lines.append(f"URL:{person['website']}")
    if person.get("note"):
        lines.append(f"NOTE:{escape(person['note'])}")
    tags = list(tags)
    if tags:
        lines.append("CATEGORIES:" + ",".join(escape(tag) for tag in tags))
    lines.append("END:VCARD")
    return "".join(fold(line) for line in lines)


def export(db: Database, person_ids: Iterable[int] | None = None) -> str:
    """People as one vCard 3.0 file (UTF-8 text, CRLF lines), ordered by name.

    Everyone except merged people, or only ``person_ids``. Card photos are
    left out: they are pictures of business cards, not portraits.
    """
    where, args = "status != 'merged'", []
    if person_ids is not None:
        where += " AND id IN (SELECT value FROM json_each(?))"
        args.append(json.dumps([int(i) for i in person_ids]))
    cursor = db.execute(
        "SELECT id, uid, name, company, department, title, email, phone, linkedin_url, "
        f"website, note, updated_at FROM people WHERE {where} "
        "ORDER BY name COLLATE NOCASE, id", args)
    names = [c[0] for c in cursor.description]
    people = [dict(zip(names, row)) for row in cursor.fetchall()]
    tags: dict[int, list[str]] = {}
    for person_id, tag in db.execute(
            f"SELECT person_id, tag FROM person_tags WHERE person_id IN "
            f"(SELECT id FROM people WHERE {where}) ORDER BY person_id, tag", args):
        tags.setdefault(person_id, []).append(tag)
    out = io.StringIO()
    for person in people:
        out.write(_card_text(person, tags.get(person["id"], ()), extra=[
            "PRODID:-//FieldKit//FieldKit//EN", f"UID:{person['uid']}",
            f"REV:{person['updated_at']}"]))
    return out.getvalue()


_OWN_KEYS = tuple(spec.name for spec in cards.FIELDS if spec.own_card)


def own_card(settings_or_fields: Mapping) -> str:
    """The user's own card as vCard 3.0 text, to download or show as a QR code.

    Takes the settings (``my_name``, and ``my_company``, ``my_email``... when
    they exist) or plain card fields (``name``, ``company``, ...). Values are
    cleaned like any card; only the name is required.
    """
    fields = {key: settings_or_fields.get(key) or settings_or_fields.get(f"my_{key}")
              for key in _OWN_KEYS}
    if not (fields["name"] or "").strip():
        raise ValidationError("Your card needs your name: set “Your name” in Settings.",
                              field="my_name")
    card = cards.clean(fields, phone_region=settings_or_fields.get("phone_region"))
    return _card_text({key: getattr(card, key) for key in _OWN_KEYS})


def own_qr_png(vcard_text: str, *, scale: int = 8) -> bytes:
    """A QR code (PNG bytes) of a vCard, for someone to scan at the booth."""
    try:
        code = segno.make_qr(vcard_text, error="m", encoding="utf-8")
    except segno.DataOverflowError:
        raise ValidationError("Your card is too long for a QR code; shorten the note or "
                              "leave out some details.") from None
    out = io.BytesIO()
    code.save(out, kind="png", scale=scale, border=4)
    return out.getvalue()
