"""Scanning at the booth: QR codes and barcodes in a photo, turned into card fields.

``read(data)`` decodes every code in an image (a phone photo of a badge, a
screenshot of someone's phone) with zxing-cpp, and reads each payload as
what it is:

- a vCard (2.1, 3.0, 4.0), through the vCard import's reader;
- a MECARD (``MECARD:N:Doe,Jane;ORG:...;TEL:...;EMAIL:...;;``) or a BIZCARD;
- a LinkedIn profile link, normalised, with a name guessed from the link
  (marked as a guess: ``linkedin.com/in/jane-doe-4b2a1b3`` says "Jane Doe");
- ``mailto:`` and ``tel:`` links, as the email and the phone;
- any other link or text, as the note.

Nothing here writes to the database: the capture form fills its empty
fields from a ``Code`` and the card is saved, validated like a typed one,
only when the user taps Save.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

import zxingcpp
from PIL import Image, ImageFilter

from fieldkit import cards, normalise, photos, vcard
from fieldkit.errors import ValidationError
from fieldkit.imports import ImportFileError

# The card fields a code can fill, in the order a form shows them.
FIELDS = tuple(spec.name for spec in cards.FIELDS if spec.scan)
KINDS = {"vcard": "vCard", "mecard": "MECARD", "bizcard": "BIZCARD", "linkedin": "LinkedIn",
         "email": "Email", "phone": "Phone", "link": "Link", "text": "Text"}
# Phone photos are up to ~50 MP; codes stay readable at 2400 px a side and
# decoding a photo without any code takes a second or two, not ten.
MAX_SIDE = 2400


class ScanError(ValidationError):
    """The image to scan cannot be read (empty, too large, not an image)."""

    def __init__(self, message: str, field: str | None = "scan"):
        super().__init__(message, field=field)


@dataclass(frozen=True)
class Code:
    """One code found in an image and the card fields it fills."""

    format: str  # as zxing-cpp names it: "QR Code", "EAN-13", "Data Matrix"...
    kind: str  # a key of KINDS: what the payload is
    text: str  # the payload as decoded
    label: str  # a short line for picking among several codes
    fields: dict[str, str]  # field name -> value, only fields the code fills
    guessed: tuple[str, ...] = ()  # fields whose value is a guess (a name from a link)
    notes: tuple[str, ...] = ()  # what was read but left out, and why

    def as_dict(self) -> dict:
        return {"format": self.format, "kind": self.kind, "label": self.label,
                "fields": dict(self.fields), "guessed": list(self.guessed),
                "notes": list(self.notes), "text": self.text}


# ---------------------------------------------------------------- decoding

def _grey(data: bytes) -> Image.Image:
    image = photos.load(data, label="Scan", field="scan", error=ScanError)
    image = image.convert("L")
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    return image


def _passes(image: Image.Image):
    """The same image, prepared ever harder, for codes the plain pass misses."""
    yield image, zxingcpp.Binarizer.LocalAverage
    # A global threshold copes with uneven light across the badge.
    yield image, zxingcpp.Binarizer.GlobalHistogram
    # Sharpening undoes a little camera blur...
    sharp = ImageFilter.UnsharpMask(radius=2, percent=200, threshold=2)
    yield image.filter(sharp), zxingcpp.Binarizer.LocalAverage
    # ...and doubling a small photo gives tiny modules pixels to stand on.
    if max(image.size) <= 2000:
        bigger = image.resize((image.width * 2, image.height * 2), Image.Resampling.BICUBIC)
        yield bigger.filter(ImageFilter.UnsharpMask(radius=3, percent=150, threshold=2)), \
            zxingcpp.Binarizer.LocalAverage


def _decode(image: Image.Image) -> list:
    for prepared, binarizer in _passes(image):
        found = zxingcpp.read_barcodes(prepared, binarizer=binarizer)
        if found:
            return found
    return []


def decode(data: bytes) -> list[tuple[str, str]]:
    """(format, text) of every code in the image, top to bottom, each payload once.

    Raises ScanError for bytes that are not a readable image; an image without
    a readable code gives an empty list.
    """
    found = _decode(_grey(data))
    found.sort(key=lambda b: (b.position.top_left.y // 40, b.position.top_left.x))
    seen: dict[tuple[str, str], None] = {}
    for barcode in found:
        seen.setdefault((str(barcode.format), barcode.text), None)
    return list(seen)


def read(data: bytes) -> list[Code]:
    """Every code in an image, each with the card fields it fills."""
    return [fields_of(text, fmt) for fmt, text in decode(data)]


# ---------------------------------------------------------------- payloads

def fields_of(text: str, fmt: str = "QR Code") -> Code:
    """What one payload says about a person, as a Code."""
    payload = text.strip().lstrip("\ufeff")
    head = payload[:12].upper()
    if head.startswith("BEGIN:VCARD"):
        return _vcard(payload, text, fmt)
    if head.startswith("MECARD:"):
        return _code(fmt, "mecard", text, _mecard(payload[7:]))
    if head.startswith("BIZCARD:"):
        return _code(fmt, "bizcard", text, _bizcard(payload[8:]))
    if head.startswith("MAILTO:"):
        address = unquote(payload[7:].split("?", 1)[0]).strip()
        if address:
            return _code(fmt, "email", text, {"email": address})
    if head.startswith("TEL:"):
        number = unquote(payload[4:].split(";", 1)[0]).strip()
        if number:
            return _code(fmt, "phone", text, {"phone": number})
    if _looks_like_link(payload):
        try:
            profile = normalise.linkedin(payload)
        except ValidationError:
            profile = None
        if profile:
            fields = {"linkedin_url": profile}
            name = guess_name(profile)
            if name:
                fields = {"name": name, **fields}
            return _code(fmt, "linkedin", text, fields, guessed=("name",) if name else ())
        return _code(fmt, "link", text, _note(payload))
    return _code(fmt, "text", text, _note(payload))


def _note(payload: str) -> dict[str, str]:
    note = normalise.text(payload, "note", label="Note", limit=100_000, multiline=True)
    return {"note": note} if note else {}


def _looks_like_link(payload: str) -> bool:
    if any(ch.isspace() for ch in payload):
        return False
    lowered = payload.lower()
    if lowered.startswith(("http://", "https://")):
        return True
    return lowered.startswith(("www.", "linkedin.com/", "in/")) or bool(
        re.match(r"[a-z]{2,3}\.linkedin\.com/", lowered))


def _vcard(payload: str, text: str, fmt: str) -> Code:
    try:
        entry = vcard.read_card(payload.encode("utf-8"))
    except ImportFileError:
        return _code(fmt, "text", text, _note(payload))
    fields: dict[str, str] = {}
    for name in FIELDS:
        value = entry.fields.get(name)
        if name == "tags":
            value = ", ".join(value or [])
        if isinstance(value, str) and value.strip():
            fields[name] = value.strip()
    # The form has one email and one phone: the card's first (its preferred).
    values = entry.fields.get("values") or []
    for kind in ("email", "phone"):
        first = next((value for k, _, value in values
                      if k == kind and isinstance(value, str) and value.strip()), None)
        if first is not None:
            fields[kind] = first.strip()
    _urls(fields, [value.strip() for k, _, value in values
                   if k == "url" and isinstance(value, str) and value.strip()])
    notes = tuple(entry.notes)
    if (entry.skip or "").startswith("the file ends"):
        notes += ("the code ends inside the card (no END:VCARD)",)
    return _code(fmt, "vcard", text, fields, notes=notes)


# MECARD (NTT Docomo) and BIZCARD: KEY:value pairs ended by ';', with
# backslash escapes for ';', ':', ',' and the backslash itself.

def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text, flags=re.DOTALL).strip()


def _pairs(body: str) -> list[tuple[str, str]]:
    pairs = []
    for part in vcard.split_escaped(body, ";"):
        key, sep, value = part.partition(":")
        if sep and key.strip():
            pairs.append((key.strip().upper(), value))
    return pairs


def _first(pairs: list[tuple[str, str]], *keys: str) -> str | None:
    for key in keys:
        for name, value in pairs:
            if name == key and _unescape(value):
                return value
    return None


def _mecard(body: str) -> dict[str, str]:
    pairs = _pairs(body)
    fields: dict[str, str] = {}
    raw_name = _first(pairs, "N")
    if raw_name is not None:
        # "Doe,Jane": family name, given name.
        parts = [_unescape(p) for p in vcard.split_escaped(raw_name, ",")]
        name = " ".join(p for p in reversed(parts) if p) if len(parts) == 2 \
            else " ".join(p for p in parts if p)
        if name:
            fields["name"] = " ".join(name.split())
    for field, keys in (("company", ("ORG",)), ("title", ("TITLE",)), ("email", ("EMAIL",)),
                        ("phone", ("TEL", "TEL-AV")), ("note", ("NOTE", "MEMO"))):
        value = _first(pairs, *keys)
        if value is not None:
            fields[field] = _unescape(value)
    _urls(fields, [_unescape(v) for k, v in pairs if k == "URL"])
    return fields


def _bizcard(body: str) -> dict[str, str]:
    pairs = _pairs(body)
    fields: dict[str, str] = {}
    name = " ".join(_unescape(v) for v in (_first(pairs, "N"), _first(pairs, "X")) if v)
    if name:
        fields["name"] = name
    for field, key in (("company", "C"), ("title", "T"), ("email", "E"), ("phone", "B")):
        value = _first(pairs, key)
        if value is not None:
            fields[field] = _unescape(value)
    return fields


def _urls(fields: dict[str, str], urls: list[str]) -> None:
    for url in urls:
        try:
            profile = normalise.linkedin(url)
        except ValidationError:
            profile = None
        if profile:
            fields.setdefault("linkedin_url", profile)
        elif url:
            fields.setdefault("website", url)


# ---------------------------------------------------------------- LinkedIn

def guess_name(profile_url: str) -> str | None:
    """A name guessed from a profile link: /in/jane-doe-4b2a1b3 -> "Jane Doe".

    LinkedIn adds a number to names already taken; it is dropped. A link of
    one word (/in/jdoe) or of other characters gives no guess.
    """
    slug = urlsplit(profile_url).path.rstrip("/").rsplit("/", 1)[-1]
    parts = [p for p in re.split(r"[-_.]+", unquote(slug)) if p]
    while parts and any(ch.isdigit() for ch in parts[-1]):
        parts.pop()
    if len(parts) < 2 or len(parts) > 5 or not all(p.isalpha() for p in parts):
        return None
    return " ".join(p[:1].upper() + p[1:] for p in parts)


# ---------------------------------------------------------------- labels

def _code(fmt: str, kind: str, text: str, fields: dict[str, str], *,
          guessed: tuple[str, ...] = (), notes: tuple[str, ...] = ()) -> Code:
    fields = {k: v for k, v in fields.items() if v}
    return Code(format=fmt, kind=kind, text=text, label=_label(kind, fields, text),
                fields=fields, guessed=guessed, notes=notes)


def _short(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _label(kind: str, fields: dict[str, str], text: str) -> str:
    if kind == "linkedin":
        what = fields["linkedin_url"].split("://", 1)[1].removeprefix("www.")
    elif kind in ("vcard", "mecard", "bizcard"):
        what = " · ".join(fields[k] for k in ("name", "company") if fields.get(k)) \
            or fields.get("email") or fields.get("phone") or "no name"
    elif kind == "link":
        what = text.strip().split("://", 1)[-1]
    else:
        what = next(iter(fields.values()), text)
    return f"{KINDS[kind]}: {_short(what)}"


def fill(current: dict[str, object], code: Code) -> tuple[dict[str, str], dict[str, str]]:
    """What a code adds to a form: (fields to set, fields kept as typed).

    Only empty fields are filled; a typed value is never overwritten. The
    kept ones map to the code's differing value, so the form can say so.
    """
    filled, kept = {}, {}
    for name, value in code.fields.items():
        have = current.get(name)
        if have is None or (isinstance(have, str) and not have.strip()):
            filled[name] = value
        elif str(have).strip() != value:
            kept[name] = value
    return filled, kept
