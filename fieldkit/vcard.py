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
import functools
import io
import itertools
import json
import quopri
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from urllib.parse import unquote_to_bytes

import segno
from sqlite_utils import Database

from fieldkit import cards, imports, labelled, normalise
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
    encoding: str = ""  # the transfer encoding, upper case: QUOTED-PRINTABLE, BASE64, ...

    def param(self, key: str) -> list[str]:
        return self.params.get(key, [])

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
    colon = line.find(b":")
    if colon < 0:
        return None
    head = line[:colon]
    if b'"' not in head:  # most lines: no quoted parameter value to look into
        parts, end = head.split(b";"), colon + 1
        if b"" in parts:
            parts = [part for part in parts if part]
    else:
        head = _HEAD.match(line)
        if head is None:
            return None
        parts, end = _PARAM.findall(head[1]), head.end()
    name = _name(parts[0]) if parts else None
    if name is None:
        return None
    params: dict[str, list[str]] = {}
    for part in parts[1:]:
        key, values = _param(part)
        params.setdefault(key, []).extend(values)
    encoding = (params.get("ENCODING") or [""])[0].upper()
    return Property(*name, params, line[end:], encoding)


# A file repeats a few names and parameters thousands of times: each is read once.
@functools.lru_cache(maxsize=1024)
def _name(text: bytes) -> tuple[str | None, str] | None:
    """(group, name) of ``item1.URL``; None when it is no property name."""
    name = _NAME.fullmatch(text.strip())
    if name is None:
        return None
    return (name[1].decode("ascii") if name[1] else None), name[2].decode("ascii").upper()


@functools.lru_cache(maxsize=4096)
def _param(raw: bytes) -> tuple[str, tuple[str, ...]]:
    """(KEY, values) of one parameter: ``TYPE=WORK,pref``, a bare ``CELL`` (a TYPE),
    ``QUOTED-PRINTABLE`` (an ENCODING), or Android's ``X-CUSTOM(...)``."""
    part = raw.decode("utf-8", errors="replace").strip()
    if part[:9].upper() == "X-CUSTOM(" and part.endswith(")"):
        return "X-CUSTOM", (_custom_label(part[9:-1]),)
    key, sep, value = part.partition("=")
    if not sep:
        key, value = ("ENCODING" if part.upper() in _ENCODINGS else "TYPE"), part
    values = [v.strip().strip('"') for v in value.strip().strip('"').split(",")]
    return key.strip().upper(), tuple(v for v in values if v)


def _custom_label(inner: str) -> str:
    """Android's own label: X-CUSTOM(CHARSET=UTF-8,ENCODING=QUOTED-PRINTABLE,=E5=A6=B9)."""
    *settings, label = inner.split(",")
    options = {key.strip().upper(): value.strip()
               for key, _, value in (setting.partition("=") for setting in settings)}
    if options.get("ENCODING", "").upper() == "QUOTED-PRINTABLE":
        data = quopri.decodestring(label.encode("utf-8", errors="replace"))
        try:
            return data.decode(options.get("CHARSET") or "utf-8")
        except (LookupError, UnicodeError, ValueError, TypeError):
            return data.decode("utf-8", errors="replace")
    return label


def unfolded(data: bytes) -> Iterator[bytes]:
    """The content lines of vCard data, folding (and 2.1's soft line breaks) undone."""
    return _logical_lines(data)


def parse_line(line: bytes) -> Property | None:
    """One content line read: group, name, parameters and raw value; None when it is none."""
    return _parse(line)


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
    if "\\" not in text:
        return text.split(separator)
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
    if "\\" not in text:
        return text
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


def _name_of(props: list[Property]) -> tuple[str | None, bool]:
    """The card's name, and whether it has a structured name (N) with something in it."""
    structured = None
    for prop in props:
        if prop.name == "N":
            # family;given;additional;prefix;suffix, each a list separated by commas
            parts = (split_escaped(prop.text(), ";") + [""] * 5)[:5]
            family, given, additional, prefix, suffix = (
                " ".join(_unescape(v).strip() for v in split_escaped(part, ",")).strip()
                for part in parts)
            structured = " ".join(x for x in (prefix, given, additional, family, suffix) if x)
            if structured:
                break
    for prop in props:
        if prop.name == "FN":
            name = " ".join(_unescape(prop.text()).split())
            if name:
                return name, bool(structured)
    return structured or None, bool(structured)


# TYPE words as labels (fieldkit.labelled orders and keeps them); words
# that only say what a value is anyway are left out.
_TYPE_WORDS = {"CELL": "mobile", "MSG": "messages", "X-ASSISTANT": "assistant",
               "X-MOBILE": "mobile", "X-OTHER": "other", "X-MAIN": "main"}
_NOT_LABELS = {"PREF", "VOICE", "INTERNET", "X400", "POSTAL", "PARCEL", "DOM", "INTL"}
# Apple's own labels (_$!<HomeFAX>!$_): the words they stand for.
_APPLE_LABELS = {"homefax": "home fax", "workfax": "work fax", "otherfax": "other fax",
                 "assistantphone": "assistant", "homepage": "homepage",
                 "companymain": "company main"}
_APPLE_LABEL = re.compile(r"_\$!<(.*)>!\$_")


def _apple_label(text: str) -> str | None:
    inner = _APPLE_LABEL.fullmatch(text)
    word = inner[1] if inner else text
    return labelled.clean_label(_APPLE_LABELS.get(word.lower(), word))


def _label(prop: Property, group_labels: Mapping[str, str]) -> str | None:
    """A value's label: its group's X-ABLabel, Android's X-CUSTOM(...), else its TYPE words."""
    if prop.group and prop.group in group_labels:
        return _apple_label(group_labels[prop.group])
    custom = prop.param("X-CUSTOM")
    if custom:
        return labelled.clean_label(custom[-1])
    types = [t.upper() for t in prop.param("TYPE")]
    if "IPHONE" in types:  # the iPhone writes its "iPhone" label as IPHONE, CELL
        types = [t for t in types if t != "CELL"]
    words = [_TYPE_WORDS.get(word, word.lower().removeprefix("x-"))
             for word in types if word not in _NOT_LABELS]
    return labelled.clean_label(" ".join(words))


def _preferred(prop: Property) -> bool:
    """TYPE=pref (2.1, 3.0) or PREF=1 (4.0): the value to put first."""
    return any(t.upper() == "PREF" for t in prop.param("TYPE")) or bool(prop.param("PREF"))


def _address(prop: Property) -> dict[str, str]:
    parts = (split_escaped(prop.text(), ";") + [""] * 7)[:7]
    return {name: _unescape(part) for name, part in zip(labelled.ADDRESS_PARTS, parts)}


def _card_values(props: list[Property]) -> list[tuple[str, str | None, object]]:
    """Every email, phone, web and postal address of a card as (kind, label, value).

    The preferred one of each kind comes first. A LABEL (a printed address)
    counts only on a card without any ADR, where it is the address.
    """
    group_labels = {p.group: _unescape(p.text()).strip()
                    for p in props if p.name == "X-ABLABEL" and p.group}
    has_adr = any(p.name == "ADR" for p in props)
    found: list[tuple[bool, str, str | None, object]] = []
    for prop in props:
        kind = _VALUE_PROPERTIES.get(prop.name)
        if kind is None or (prop.name == "LABEL" and has_adr):
            continue
        if prop.name == "X-SOCIALPROFILE":
            value = _unescape(prop.text()).strip()
            label = labelled.clean_label(" ".join(prop.param("TYPE"))) or "profile"
        elif kind == "address":
            value = _address(prop) if prop.name == "ADR" else {
                "street": _unescape(prop.text())}
            label = _label(prop, group_labels)
        else:
            value = _unescape(prop.text()).strip()
            if kind == "email" and value[:7].lower() == "mailto:":
                value = value[7:]
            elif kind == "phone" and value[:4].lower() == "tel:":
                value = value[4:]
            label = _label(prop, group_labels)
        found.append((_preferred(prop), kind, label, value))
    preferred = {kind for pref, kind, _, _ in found if pref}
    first = [(kind, label, value) for pref, kind, label, value in found
             if pref and kind in preferred]
    # Only the first preferred of a kind moves up; the rest stay in file order.
    kept, seen = [], set()
    for item in first:
        if item[0] not in seen:
            seen.add(item[0])
            kept.append(item)
    rest = [(kind, label, value) for _, kind, label, value in found
            if (kind, label, value) not in kept]
    return kept + rest


_VALUE_PROPERTIES = {"EMAIL": "email", "TEL": "phone", "X-MS-TEL": "phone", "URL": "url",
                     "X-SOCIALPROFILE": "url", "ADR": "address", "LABEL": "address"}


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
    name, structured = _name_of(props)
    org = first("ORG")
    company = _values(org, ";")[0] if org else None
    tags = [tag for prop in props if prop.name == "CATEGORIES"
            for tag in _values(prop, ",") if tag]
    photo = None
    photo_prop = first("PHOTO")
    if photo_prop is not None:
        photo, problem = _photo(photo_prop)
        if problem:
            notes.append(problem)
    uid = first_text("UID")
    # Every NOTE: Android writes a second one rather than a longer first.
    note = "\n\n".join(text for text in (
        _unescape(p.text()).strip() for p in props if p.name == "NOTE") if text) or None
    # A company's own card (X-ABShowAs:COMPANY) is named after the company.
    if (first_text("X-ABSHOWAS") or "").upper() == "COMPANY" and company and company.strip():
        name, structured = None, False
    fields = {
        "name": name,
        "company": company,
        "title": first_text("TITLE"),
        "note": note,
        "tags": tags,
        "values": _card_values(props),
    }
    return Entry(number, fields, photo=photo, notes=notes,
                 skip=None if complete else "the file ends inside this card (no END:VCARD)",
                 uid=uid.removeprefix("urn:uuid:") if uid else None,
                 name_may_be_made=not structured)


def read_card(data: bytes) -> Entry:
    """The first card in ``data``, as a QR code holds one; cards after it are ignored.

    A card cut short is read as far as it goes (``skip`` says so). Raises
    ImportFileError when there is no BEGIN:VCARD line.
    """
    for number, props, complete in read_cards(data):
        return card_entry(number, props, complete)
    raise ImportFileError("Not a vCard: no BEGIN:VCARD line.")  # pragma: no cover


def entries(data: bytes) -> Iterator[Entry]:
    """One Entry per card of a .vcf file (bytes as checked by imports.check_bytes).

    A file that ends inside a card is cut off: ImportFileError, for the
    whole file, before anything is imported.
    """
    for number, props, complete in read_cards(data):
        if not complete:
            name = _name_of(props)[0]
            who = f" ({normalise.quoted(name)})" if name else ""
            raise ImportFileError(
                f"The file ends inside card {number:,}{who}: it has no END:VCARD, so it "
                "was cut off (an interrupted download or copy). Nothing was imported; "
                "export the address book again.")
        yield card_entry(number, props, complete)


def read(data: bytes) -> list[Entry]:
    """Every card of a .vcf file, before anything is matched.

    Raises ImportFileError when the file is not a vCard file, or is cut off
    inside a card: then nothing of it is imported.
    """
    return imports.read_all(entries(imports.check_bytes(data)))


def preview(db: Database, data: bytes, filename: str | None,
            settings: Mapping | None = None) -> Preview:
    """Read a .vcf file of one or many cards and match it against the database.

    Writes nothing; pass the result to ``imports.apply``. Raises
    ImportFileError when the file is not a readable vCard file.
    """
    return imports.build_preview(
        db, kind="vcard", filename=filename, data=data, entries=read(data),
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


# Labels a vCard TYPE says (what _label reads back), per kind of value;
# any other label goes in an X-ABLabel beside the value, as the iPhone writes it.
_TYPES = {"home": "HOME", "work": "WORK", "mobile": "CELL", "fax": "FAX", "pager": "PAGER",
          "main": "MAIN", "iphone": "IPHONE", "car": "CAR", "video": "VIDEO", "isdn": "ISDN",
          "modem": "MODEM", "bbs": "BBS", "pcs": "PCS", "messages": "MSG", "text": "TEXT",
          "textphone": "TEXTPHONE"}
_TYPED = {"email": {"home", "work"}, "url": {"home", "work"}, "address": {"home", "work"},
          "phone": set(_TYPES)}
_PROPERTIES = {"email": "EMAIL", "phone": "TEL", "url": "URL", "address": "ADR"}
# What a phone number without a label is anyway (an email is INTERNET, always).
_PLAIN_TYPES = {"phone": ["VOICE"]}
# Labels of Apple's own, which an iPhone shows in the phone's language.
_APPLE_TOKENS = {"assistant": "_$!<AssistantPhone>!$_", "homepage": "_$!<HomePage>!$_",
                 "other": "_$!<Other>!$_"}


def _value_text(value: labelled.Labelled) -> str:
    if value.kind == "address":
        parts = labelled.address_parts(value.value)
        return ";".join(escape(parts[name]) for name in labelled.ADDRESS_PARTS)
    return value.value.replace("\\", "\\\\")  # the one escape a reader undoes in these


def _value_lines(values: Iterable[labelled.Labelled], group: Iterator[int]) -> list[str]:
    """Content lines of every value; the first of a kind with others is marked preferred."""
    lines, counts = [], {}
    values = list(values)
    for value in values:
        counts[value.kind] = counts.get(value.kind, 0) + 1
    seen: set[str] = set()
    for value in values:
        words = value.label.split() if value.label else []
        typed = all(word in _TYPED[value.kind] for word in words)
        types = [_TYPES[word] for word in words] if typed else []
        if value.kind == "email":
            types.insert(0, "INTERNET")
        elif not words:
            types += _PLAIN_TYPES.get(value.kind, [])
        # The primary comes first anyway; PREF says so to other address books.
        # Not on a web address: the LinkedIn profile, written before them,
        # must stay the first profile a reader meets.
        if value.kind not in seen and counts[value.kind] > 1 and value.kind != "url":
            types.append("PREF")
        seen.add(value.kind)
        params = f";TYPE={','.join(types)}" if types else ""
        prop = f"{_PROPERTIES[value.kind]}{params}:{_value_text(value)}"
        if typed:
            lines.append(prop)
        else:
            item = f"item{next(group)}"
            label = _APPLE_TOKENS.get(value.label, escape(value.label))
            lines += [f"{item}.{prop}", f"{item}.X-ABLabel:{label}"]
    return lines


def card_lines(person: Mapping, tags: Iterable[str] = (), *, more: Iterable = ()) -> list[str]:
    """The content lines of a person's vCard 3.0, unfolded, from FN to CATEGORIES.

    ``person`` is a people row (or the fields of a card); ``more`` their
    values beyond the primaries. Without BEGIN, VERSION and END, for a
    writer that adds lines of its own (the phone's address book does).
    """
    name = person["name"]
    given, _, family = name.rpartition(" ")
    made = bool(person.get("named_from"))
    # A name made from the company or an email is no person's name: no N,
    # as address books write such a card (and read it back as one).
    lines = [f"FN:{escape(name)}",
             "N:;;;;" if made else f"N:{escape(family)};{escape(given)};;;"]
    if person.get("named_from") == "company":
        lines.append("X-ABShowAs:COMPANY")
    if person.get("company"):
        org = escape(person["company"])
        if person.get("department"):
            org += ";" + escape(person["department"])
        lines.append(f"ORG:{org}")
    if person.get("title"):
        lines.append(f"TITLE:{escape(person['title'])}")
    group = itertools.count(1)
    values = labelled.every(person, more)
    lines += _value_lines([v for v in values if v.kind in ("email", "phone")], group)
    if person.get("linkedin_url"):
        item = f"item{next(group)}"
        lines += [f"{item}.URL:{person['linkedin_url']}", f"{item}.X-ABLabel:LinkedIn"]
    lines += _value_lines([v for v in values if v.kind in ("url", "address")], group)
    if person.get("note"):
        lines.append(f"NOTE:{escape(person['note'])}")
    tags = list(tags)
    if tags:
        lines.append("CATEGORIES:" + ",".join(escape(tag) for tag in tags))
    return lines


def _card_text(person: Mapping, tags: Iterable[str] = (), *, more: Iterable = (),
               extra: Iterable[str] = ()) -> str:
    lines = ["BEGIN:VCARD", "VERSION:3.0", *extra, *card_lines(person, tags, more=more),
             "END:VCARD"]
    return "".join(fold(line) for line in lines)


def export(db: Database, person_ids: Iterable[int] | None = None) -> str:
    """People as one vCard 3.0 file (UTF-8 text, CRLF lines), ordered by name.

    Everyone except merged people, or only ``person_ids``, with every email,
    phone, web and postal address and its label. Card photos are left out:
    they are pictures of business cards, not portraits.
    """
    where, args = "status != 'merged'", []
    if person_ids is not None:
        where += " AND id IN (SELECT value FROM json_each(?))"
        args.append(json.dumps([int(i) for i in person_ids]))
    cursor = db.execute(
        "SELECT id, uid, name, named_from, company, department, title, email, email_label, "
        "phone, phone_label, linkedin_url, website, website_label, note, updated_at "
        f"FROM people WHERE {where} ORDER BY name COLLATE NOCASE, id", args)
    names = [c[0] for c in cursor.description]
    people = [dict(zip(names, row)) for row in cursor.fetchall()]
    tags: dict[int, list[str]] = {}
    for person_id, tag in db.execute(
            f"SELECT person_id, tag FROM person_tags WHERE person_id IN "
            f"(SELECT id FROM people WHERE {where}) ORDER BY person_id, tag", args):
        tags.setdefault(person_id, []).append(tag)
    more = labelled.of(db, [person["id"] for person in people])
    out = io.StringIO()
    for person in people:
        out.write(_card_text(person, tags.get(person["id"], ()), more=more.get(person["id"], ()),
                             extra=["PRODID:-//FieldKit//FieldKit//EN", f"UID:{person['uid']}",
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
        raise ValidationError("Your card needs your name: fill in “Your name” under My card "
                              "in Settings.",
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
