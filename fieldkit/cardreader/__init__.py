"""Reading a paper business card from a photo: lines of text, then the card's fields.

Two steps, each testable on its own:

1. ``ocr_lines(image)``: the text lines RapidOCR finds in the photo, each with
   its box turned upright (a card photographed askew gives level lines).
   The engine (ONNX models inside the rapidocr wheel; nothing is downloaded)
   is loaded on first use and kept for the life of the process.
2. ``fields_from_lines(lines, region=...)``: a pure function from lines to a
   ``ReadCard``. Email addresses, links and phone numbers are found by their
   form and checked by the same rules as typed ones (fieldkit.normalise);
   the name, company and title by cues and layout: the size of the type,
   title words in English, German, French, Spanish and Portuguese, legal
   forms of companies, the email address's domain and local part, and which
   line stands under which.

``read(data, region=...)`` does both for the bytes of an uploaded photo.
Nothing here writes anything: the capture form fills its empty fields from
a ReadCard and the user saves the card as a typed one.

One module an idea: ``model`` (Line, ReadCard), ``photo`` (the engine and
its lines), ``words`` (folding, title words, legal forms, addresses),
``contacts`` (emails, links, numbers), ``regions`` (the countries numbers
are read in), ``layout`` (rows and reading order), ``names`` (person and
company) and ``fields`` (lines to a ReadCard). Their public names are all
here.
"""

from __future__ import annotations

from PIL import Image

from fieldkit.cardreader.fields import fields_from_lines
from fieldkit.cardreader.model import DETECT_SIDE, FIELDS, MAX_SIDE, CardReadError, Line, ReadCard
from fieldkit.cardreader.photo import engine, load, ocr_lines, readable, upright, warm_up
from fieldkit.cardreader.regions import card_regions
from fieldkit.cardreader.words import address_score, has_legal_form, title_score

__all__ = ["CardReadError", "DETECT_SIDE", "FIELDS", "Line", "MAX_SIDE", "ReadCard",
           "address_score", "card_regions", "engine", "fields_from_lines", "has_legal_form",
           "load", "ocr_lines", "readable", "title_score", "upright", "warm_up", "read",
           "read_image"]


def read(data: bytes, *, region: str | None) -> ReadCard:
    """Read the card in a photo; phone numbers without +country are read in ``region``.

    Raises CardReadError for bytes that are not a readable image. A photo in
    which nothing can be read gives a ReadCard with no fields.
    """
    return fields_from_lines(ocr_lines(load(data)), region=region)


def read_image(image: Image.Image, *, region: str | None) -> ReadCard:
    """Read the card in a photo already decoded and turned upright (``photos.load``)."""
    return fields_from_lines(ocr_lines(readable(image)), region=region)
