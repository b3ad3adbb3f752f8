"""Business-card photos: checked, turned upright, shrunk, stripped of metadata."""

from __future__ import annotations

import io
import os
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from fieldkit.errors import ValidationError

MAX_UPLOAD_BYTES = 15 * 1024 * 1024
MAX_SIDE = 1600
MAX_PIXELS = 50_000_000  # refuse decompression bombs before decoding
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
         error: type[ValidationError] = ValidationError) -> Image.Image:
    """The image in ``data``, decoded and turned upright per its EXIF orientation.

    Empty and oversized files, decompression bombs and anything that is not a
    readable image raise ``error`` (a ValidationError) naming ``label``.
    """
    if not data:
        raise error(f"{label}: the file is empty.", field=field)
    if len(data) > MAX_UPLOAD_BYTES:
        raise error(_too_large(len(data), label), field=field)
    try:
        with Image.open(io.BytesIO(data), formats=FORMATS) as probe:
            if probe.width * probe.height > MAX_PIXELS:
                raise error(f"{label}: the image is too large to read.", field=field)
            probe.verify()
        with Image.open(io.BytesIO(data), formats=FORMATS) as image:
            upright = ImageOps.exif_transpose(image)
            upright.load()
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


def prepare(data: bytes) -> Photo:
    """A JPEG of at most 1600 px a side from an uploaded or camera image.

    The result carries no EXIF data, so no location from the phone's camera
    is stored. Anything that is not a readable image raises ValidationError.
    """
    image = load(data)
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    out = io.BytesIO()
    image.convert("RGB").save(out, format="JPEG", quality=85, optimize=True)
    return Photo("image/jpeg", out.getvalue())
