"""The card's layout: rows, parts of a line, reading order, which line stands under which."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from fieldkit.cardreader.model import Line
from fieldkit.cardreader.names import _name_tokens
from fieldkit.cardreader.words import title_score


def _rows(lines: Sequence[Line]) -> list[Line]:
    """Lines that OCR cut in pieces joined again: pieces on one row, close together."""
    pieces = sorted((line for line in lines if line.text.strip()), key=lambda x: x.left)
    rows: list[Line] = []
    for piece in pieces:
        for i, row in enumerate(rows):
            overlap = min(row.bottom, piece.bottom) - max(row.top, piece.top)
            gap = piece.left - row.right
            if (overlap >= 0.6 * min(row.height, piece.height)
                    and max(row.height, piece.height) <= 1.35 * min(row.height, piece.height)
                    and -0.5 * row.height <= gap <= 1.2 * max(row.height, piece.height)):
                top, bottom = min(row.top, piece.top), max(row.bottom, piece.bottom)
                rows[i] = Line(f"{row.text} {piece.text}", row.left, top,
                               max(row.right, piece.right) - row.left, bottom - top)
                break
        else:
            rows.append(Line(" ".join(piece.text.split()), piece.left, piece.top,
                             piece.width, piece.height))
    return sorted(rows, key=lambda x: (x.top, x.left))


_PARTS = re.compile(r"\s+[|·•–—]\s+|\s{3,}")


def _parts(line: Line) -> list[Line]:
    """A line of several things ("Jane Doe | CEO") as one line per thing, each in its place."""
    text = line.text
    cuts = [m.span() for m in _PARTS.finditer(text)]
    # "Jane Doe, CEO": a name, then a title after a comma.
    head, comma, tail = text.partition(", ")
    if not cuts and comma and _name_tokens(head) and title_score(tail) >= 2:
        cuts = [(len(head), len(head) + 2)]
    if not cuts:
        return [line]
    per_char = line.width / max(len(text), 1)
    out, start = [], 0
    for cut_start, cut_end in [*cuts, (len(text), len(text))]:
        piece = text[start:cut_start].strip()
        if piece:
            out.append(Line(piece, line.left + start * per_char, line.top,
                            len(piece) * per_char, line.height))
        start = cut_end
    return out


def _reading_order(lines: Sequence[Line]) -> list[Line]:
    """Top to bottom, and the lines of one row (each within the first's height) left to right."""
    rows: list[list[Line]] = []
    for line in sorted(lines, key=lambda x: x.middle):
        if rows and rows[-1][0].top <= line.middle <= rows[-1][0].bottom:
            rows[-1].append(line)
        else:
            rows.append([line])
    return [line for row in rows for line in sorted(row, key=lambda x: x.left)]


def _below(upper: Line, lower: Line) -> bool:
    """Whether ``lower`` stands under ``upper`` in the same column, a line or so apart."""
    gap = lower.top - upper.bottom
    if not -0.3 * upper.height <= gap <= 1.6 * max(upper.height, lower.height):
        return False
    return (abs(upper.left - lower.left) < upper.height
            or abs(upper.right - lower.right) < upper.height
            or abs((upper.left + upper.right) - (lower.left + lower.right)) < 2 * upper.height)


def _under(upper: Line, lines: Iterable[Line]) -> Line | None:
    """The line right under ``upper`` in its column, if any."""
    return min((line for line in lines if line is not upper and _below(upper, line)),
               key=lambda line: line.top, default=None)
