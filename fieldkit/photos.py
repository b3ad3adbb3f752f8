"""Business-card photos: checked, turned upright, shrunk, stripped of metadata."""

from __future__ import annotations

import ctypes
import io
import os
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from fieldkit.errors import ValidationError

MAX_UPLOAD_BYTES = 15 * 1024 * 1024
MAX_SIDE = 1600
# What a phone's camera makes, with room (6000 x 4000 px): a larger image is
# refused before decoding. A small file can claim a huge image (a PNG of
# 7070 x 7070 px in 212 kB). A camera's JPEG is decoded at a half, quarter or
# eighth of its size (30 MB for 24 MP); other formats are decoded whole, at 4
# bytes a pixel, so they get a third: a phone's screenshot (4 MP) or a scan
# is far smaller still.
MAX_PIXELS = 24_000_000
MAX_PIXELS_DECODED_WHOLE = 8_000_000
# Formats a phone or an address book gives; anything else (EPS would start
# Ghostscript, TIFF and ICO carry odd codecs) is refused before decoding.
FORMATS = ("JPEG", "PNG", "WEBP", "GIF")


@dataclass(frozen=True)
class Photo:
    mime: str
    data: bytes


def _too_large(size: int, label: str) -> str:
    return (f"{label}: the file is {size / 1048576:.1f} MB; at most "
            f"{MAX_UPLOAD_BYTES // 1048576} MB.")


def read_file(path: str | os.PathLike, *, label: str = "Photo", field: str = "photo",
              error: type[ValidationError] = ValidationError) -> bytes:
    """The bytes of an image file; one larger than an upload may be is refused unread."""
    size = os.path.getsize(path)
    if size > MAX_UPLOAD_BYTES:
        raise error(_too_large(size, label), field=field)
    with open(path, "rb") as file:
        return file.read(MAX_UPLOAD_BYTES + 1)


def load(data: bytes, *, label: str = "Photo", field: str = "photo",
         error: type[ValidationError] = ValidationError, side: int | None = None) -> Image.Image:
    """The image in ``data``, decoded once and turned upright per its EXIF orientation.

    With ``side``, at most that many pixels a side, made smaller while it is
    decoded (a JPEG is read at a half, quarter or eighth of its size when that
    is enough), so a large photo never sits in memory whole. Empty and
    oversized files, decompression bombs and anything that is not a readable
    image raise ``error`` (a ValidationError) naming ``label``.
    """
    if not data:
        raise error(f"{label}: the file is empty.", field=field)
    if len(data) > MAX_UPLOAD_BYTES:
        raise error(_too_large(len(data), label), field=field)
    try:
        with Image.open(io.BytesIO(data), formats=FORMATS) as probe:
            most = MAX_PIXELS if probe.format == "JPEG" else MAX_PIXELS_DECODED_WHOLE
            if probe.width * probe.height > most:
                raise error(f"{label}: the image is too large to read.", field=field)
            probe.verify()
        with Image.open(io.BytesIO(data), formats=FORMATS) as image:
            if side is not None:
                # A JPEG is decoded at the smallest of 1/2, 1/4, 1/8 that still has
                # ``side`` px, then shrunk; the turn after does not change the size.
                image.draft(None, (side, side))
                image.thumbnail((side, side))
            upright = ImageOps.exif_transpose(image)
            upright.load()
        if side is not None:
            release_memory()  # the whole decode is freed: give it back before anything else
        return upright
    except ValidationError:
        raise
    except Image.DecompressionBombError:  # Pillow's own check, on opening
        raise error(f"{label}: the image is too large to read.", field=field) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise error(
            f"{label}: this file is not an image FieldKit can read (use JPEG, PNG or WebP).",
            field=field,
        ) from None


def release_memory() -> None:
    """Hand memory freed into glibc's heap back to the system.

    A decoded photo (tens of MB) or a card read (a few hundred) is freed into
    the heap, which keeps it from the rest of the server and makes the next
    large allocation grow the process instead of reusing it.
    """
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (AttributeError, OSError):  # not glibc
        pass


def prepare(data: bytes) -> Photo:
    """A JPEG of at most 1600 px a side from an uploaded or camera image.

    The result carries no EXIF data, so no location from the phone's camera
    is stored. Anything that is not a readable image raises ValidationError.
    """
    return stored(load(data, side=MAX_SIDE))


def stored(image: Image.Image) -> Photo:
    """``image`` as it is kept: a JPEG of at most 1600 px a side, without EXIF data."""
    if max(image.size) > MAX_SIDE:
        image = image.copy()
        image.thumbnail((MAX_SIDE, MAX_SIDE))
    out = io.BytesIO()
    image.convert("RGB").save(out, format="JPEG", quality=85, optimize=True)
    return Photo("image/jpeg", out.getvalue())
