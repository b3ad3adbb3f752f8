"""LinkedIn's Connections.csv: the people you are connected with.

LinkedIn's export starts with a "Notes:" preamble, so the header line is
searched for rather than skipped by count, and columns are mapped by name:
older exports lack some (Email Address, URL), newer ones may add or reorder
them. The profile URL is the key that recognises a person on re-import.
"""

from __future__ import annotations

import csv
import functools
import io
import re
from collections.abc import Iterator, Mapping
from datetime import date

from sqlite_utils import Database

from fieldkit import imports, normalise
from fieldkit.imports import Entry, ImportFileError, Preview

HEADER_SEARCH_LINES = 100
MAX_COLUMNS = 100

# Column names (case-insensitive) and the card fields they fill.
COLUMNS = {
    "first name": "first",
    "last name": "last",
    "url": "linkedin_url",
    "profile url": "linkedin_url",
    "email address": "email",
    "email": "email",
    "company": "company",
    "position": "title",
    "connected on": "connected_on",
}

_MONTHS = {name: number for number, names in enumerate(
    [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
     ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
     ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
     ("dec", "december")], start=1) for name in names}
_DAY_MONTH_YEAR = re.compile(r"(\d{1,2})[ -]([A-Za-z]{3,9})\.?[ -](\d{4})")
_ISO_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


@functools.lru_cache(maxsize=4096)  # connections made on one day share its date
def connected_on(text: str) -> str | None:
    """"05 Oct 2020" (or 2020-10-05) as UTC midnight of that day; None if unreadable."""
    text = " ".join(text.split())
    if match := _DAY_MONTH_YEAR.fullmatch(text):
        day, month, year = int(match[1]), _MONTHS.get(match[2].lower()), int(match[3])
    elif match := _ISO_DAY.fullmatch(text):
        year, month, day = int(match[1]), int(match[2]), int(match[3])
    else:
        return None
    try:
        return date(year, month or 0, day).strftime("%Y-%m-%dT00:00:00Z")
    except ValueError:
        return None


def _cells(line: str) -> list[str]:
    try:
        return next(csv.reader([line]), [])
    except csv.Error:
        return []


def _find_header(lines: list[str]) -> int:
    for index, line in enumerate(lines[:HEADER_SEARCH_LINES]):
        names = {cell.strip().casefold() for cell in _cells(line)}
        if {"first name", "last name"} <= names:
            return index
    raise ImportFileError(
        "Not a LinkedIn Connections.csv: no header line (First Name,Last Name,URL,"
        f"Email Address,Company,Position,Connected On) in the first {HEADER_SEARCH_LINES} "
        "lines.")


def entries(text: str) -> Iterator[Entry]:
    """The people in a Connections.csv, one Entry per data row."""
    lines = text.splitlines(keepends=True)
    start = _find_header(lines)
    reader = csv.reader(io.StringIO("".join(lines[start:])), strict=True)
    number = 0
    columns: dict[str, int] = {}
    try:
        for cells in reader:
            line = start + reader.line_num
            if len(cells) > MAX_COLUMNS:
                raise ImportFileError(
                    f"Line {line:,} has {len(cells):,} columns; a LinkedIn export has about 7.")
            if not columns:
                for index, cell in enumerate(cells):
                    columns.setdefault(COLUMNS.get(cell.strip().casefold(), "?"), index)
                continue
            if not any(cell.strip() for cell in cells):
                continue
            number += 1
            value = {key: cells[index] if index < len(cells) else ""
                     for key, index in columns.items()}
            name = " ".join(f"{value.get('first', '')} {value.get('last', '')}".split())
            met_at, notes = None, []
            when = value.get("connected_on", "").strip()
            if when:
                met_at = connected_on(when)
                if met_at is None:
                    notes.append(f"date ignored: {normalise.quoted(when)} is not a date like 05 Oct 2020")
            email = value.get("email")
            yield Entry(number, {
                "name": name,
                "company": value.get("company"),
                "title": value.get("title"),
                # Kept as written even when it does not validate (fieldkit.labelled).
                "values": [("email", None, email)] if email and email.strip() else [],
                "linkedin_url": value.get("linkedin_url"),
            }, met_at=met_at, notes=notes)
    except csv.Error as exc:
        raise ImportFileError(
            f"Line {start + reader.line_num:,}: the CSV is malformed ({exc}).") from None


def read(data: bytes) -> list[Entry]:
    """Every connection of a Connections.csv, before anything is matched.

    Raises ImportFileError when the file is not a readable Connections.csv.
    """
    return imports.read_all(entries(imports.decode_text(data, fallback="cp1252")))


def preview(db: Database, data: bytes, filename: str | None,
            settings: Mapping | None = None) -> Preview:
    """Read a LinkedIn Connections.csv and match it against the database.

    Writes nothing; pass the result to ``imports.apply``. Raises
    ImportFileError when the file is not a readable Connections.csv.
    """
    return imports.build_preview(
        db, kind="linkedin", filename=filename, data=data, entries=read(data),
        phone_region=imports.settings_region(settings))
