"""Business-card photos: checked, turned upright, shrunk, stripped of metadata."""

from __future__ import annotations

import io
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


def prepare(data: bytes) -> Photo:
    """A JPEG of at most 1600 px a side from an uploaded or camera image.

    The result carries no EXIF data, so no location from the phone's camera
    is stored. Anything that is not a readable image raises ValidationError.
    """
    if not data:
        raise ValidationError("Photo: the file is empty.", field="photo")
    if len(data) > MAX_UPLOAD_BYTES:
        raise ValidationError(
            f"Photo: the file is {len(data) / 1048576:.1f} MB; at most "
            f"{MAX_UPLOAD_BYTES // 1048576} MB.",
            field="photo",
        )
    try:
        with Image.open(io.BytesIO(data), formats=FORMATS) as probe:
            if probe.width * probe.height > MAX_PIXELS:
                raise ValidationError("Photo: the image is too large to read.", field="photo")
            probe.verify()
        with Image.open(io.BytesIO(data), formats=FORMATS) as image:
            image = ImageOps.exif_transpose(image)
            image.thumbnail((MAX_SIDE, MAX_SIDE))
            out = io.BytesIO()
            image.convert("RGB").save(out, format="JPEG", quality=85, optimize=True)
    except ValidationError:
        raise
    except Image.DecompressionBombError:  # Pillow's own check, on opening
        raise ValidationError("Photo: the image is too large to read.", field="photo") from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise ValidationError(
            "Photo: this file is not an image FieldKit can read (use JPEG, PNG or WebP).",
            field="photo",
        ) from None
    return Photo("image/jpeg", out.getvalue())
