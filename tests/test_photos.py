"""fieldkit.photos.prepare: upright, shrunk, metadata-free JPEGs, or a clear refusal."""

import io
import struct
import zlib

import pytest
from PIL import Image, ImageFile

from fieldkit import photos
from fieldkit.errors import ValidationError

ORIENTATION = 0x0112
MAKE = 0x010F
GPS_IFD = 0x8825


def encode(image: Image.Image, fmt: str, **options) -> bytes:
    out = io.BytesIO()
    image.save(out, format=fmt, **options)
    return out.getvalue()


def opened(photo: photos.Photo) -> Image.Image:
    image = Image.open(io.BytesIO(photo.data))
    image.load()
    return image


def camera_jpeg(width: int, height: int, orientation: int) -> bytes:
    """A phone-camera-like JPEG: orientation, make and a GPS position in EXIF."""
    image = Image.new("RGB", (width, height), "white")
    # Mark the top-left corner so the rotation can be checked, not only the size.
    image.paste((255, 0, 0), (0, 0, width // 4, height // 4))
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    exif[MAKE] = "PhoneCam"
    exif[GPS_IFD] = {1: "N", 2: (52.0, 31.0, 12.0), 3: "E", 4: (13.0, 24.0, 36.0)}
    return encode(image, "JPEG", exif=exif.tobytes(), quality=95)


def png_with_size(width: int, height: int) -> bytes:
    """A 1x1 PNG whose header claims ``width`` x ``height`` (a decompression bomb)."""
    data = encode(Image.new("RGB", (1, 1)), "PNG")
    body = struct.pack(">II", width, height) + data[24:29]
    ihdr = struct.pack(">I", 13) + b"IHDR" + body + struct.pack(">I", zlib.crc32(b"IHDR" + body))
    return data[:8] + ihdr + data[33:]


@pytest.mark.parametrize(
    ("size", "fmt", "expected"),
    [
        ((3000, 1000), "PNG", (1600, 533)),
        ((1000, 3000), "JPEG", (533, 1600)),
        ((1800, 600), "WEBP", (1600, 533)),
        ((1600, 900), "PNG", (1600, 900)),  # at the limit: unchanged
        ((640, 480), "JPEG", (640, 480)),  # small images are never enlarged
    ],
)
def test_prepare_returns_jpeg_at_most_1600_a_side(size, fmt, expected):
    photo = photos.prepare(encode(Image.new("RGB", size, "navy"), fmt))
    assert photo.mime == "image/jpeg"
    assert photo.data[:3] == b"\xff\xd8\xff"
    image = opened(photo)
    assert image.format == "JPEG"
    assert image.size == expected


@pytest.mark.parametrize("mode", ["RGBA", "LA", "P", "L", "CMYK", "I;16"])
def test_prepare_converts_any_mode_to_rgb(mode):
    fmt = "JPEG" if mode == "CMYK" else "PNG"
    photo = photos.prepare(encode(Image.new(mode, (40, 30)), fmt))
    image = opened(photo)
    assert (image.mode, image.size) == ("RGB", (40, 30))


def test_prepare_strips_exif_including_gps():
    source = camera_jpeg(300, 100, orientation=1)
    assert Image.open(io.BytesIO(source)).getexif().get_ifd(GPS_IFD)  # the input has GPS
    image = opened(photos.prepare(source))
    assert dict(image.getexif()) == {}
    assert "exif" not in image.info
    assert b"Exif" not in photos.prepare(source).data
    assert b"PhoneCam" not in photos.prepare(source).data


def test_prepare_applies_exif_orientation():
    # Orientation 6: the camera was turned; viewers rotate 90 degrees clockwise.
    image = opened(photos.prepare(camera_jpeg(300, 100, orientation=6)))
    assert image.size == (100, 300)
    # The red top-left corner of the stored pixels ends up top-right once upright.
    red, green, blue = image.getpixel((90, 10))
    assert red > 200 and green < 60 and blue < 60
    assert image.getpixel((10, 290))[1] > 200  # bottom-left stays white


def test_prepare_orientation_and_shrinking_together():
    image = opened(photos.prepare(camera_jpeg(3200, 2000, orientation=6)))
    assert image.size == (1000, 1600)


def test_prepare_png_without_exif_keeps_orientation():
    image = opened(photos.prepare(encode(Image.new("RGB", (300, 100)), "PNG")))
    assert image.size == (300, 100)


def _truncated_png() -> bytes:
    data = encode(Image.radial_gradient("L").resize((300, 300)), "PNG")
    return data[: len(data) // 2]


def _truncated_jpeg() -> bytes:
    data = camera_jpeg(400, 300, orientation=1)
    return data[: len(data) // 2]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", r"^Photo: the file is empty\.$"),
        (bytes(range(256)) * 8, r"^Photo: this file is not an image"),
        (b"Ada Lovelace\nAnalytical Engines\n", r"^Photo: this file is not an image"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", r"^Photo: this file is not an image"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", r"^Photo: this file is not an image"),
        (b"\x89PNG\r\n\x1a\n", r"^Photo: this file is not an image"),  # signature only
        (_truncated_png(), r"^Photo: this file is not an image"),
        (_truncated_jpeg(), r"^Photo: this file is not an image"),
        (png_with_size(8000, 8000), r"^Photo: the image is too large to read\.$"),
        (png_with_size(20000, 20000), r"^Photo: "),  # Pillow's own bomb guard
    ],
    ids=["empty", "random", "text", "svg", "pdf", "png-signature", "truncated-png",
         "truncated-jpeg", "64-megapixels", "400-megapixels"],
)
def test_prepare_refuses_what_it_cannot_read(data, message):
    with pytest.raises(ValidationError, match=message) as err:
        photos.prepare(data)
    assert err.value.field == "photo"


def test_prepare_refuses_a_file_over_the_size_limit():
    data = encode(Image.new("RGB", (10, 10)), "PNG")
    data += b"\0" * (photos.MAX_UPLOAD_BYTES + 1 - len(data))
    with pytest.raises(ValidationError, match=r"^Photo: the file is 15\.0 MB; at most 15 MB\.$") as err:
        photos.prepare(data)
    assert err.value.field == "photo"


def test_prepare_accepts_a_file_at_the_size_limit(monkeypatch):
    data = encode(Image.new("RGB", (10, 10)), "PNG")
    monkeypatch.setattr(photos, "MAX_UPLOAD_BYTES", len(data))
    assert opened(photos.prepare(data)).size == (10, 10)
    monkeypatch.setattr(photos, "MAX_UPLOAD_BYTES", len(data) - 1)
    with pytest.raises(ValidationError, match=r"^Photo: the file is"):
        photos.prepare(data)


def _real_png(width: int, height: int) -> bytes:
    """A real PNG of one colour: a few hundred kB that decode to width x height pixels."""
    return encode(Image.new("RGB", (width, height), (240, 240, 240)), "PNG", optimize=True)


def _decodes(monkeypatch) -> list[tuple[int, int]]:
    """The size of each image whose pixels are decoded from now on, in order."""
    decoded = []
    real_load = ImageFile.ImageFile.load

    def load(self):
        if self.tile:  # pixels still in the file: this call decodes them
            decoded.append(self.size)
        return real_load(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", load)
    return decoded


def test_a_small_file_claiming_more_than_a_phone_camera_makes_is_refused_undecoded(monkeypatch):
    # The PNG of 7070 x 7070 px (50 MP) in 212 kB that took 450 MB and 6 s for one card.
    decoded = _decodes(monkeypatch)
    with pytest.raises(ValidationError, match="too large to read"):
        photos.prepare(png_with_size(7070, 7070))
    assert decoded == []


@pytest.mark.parametrize(("fmt", "size", "taken"), [
    ("JPEG", (6000, 4000), True),  # 24 MP: what a phone's camera makes at most
    ("JPEG", (6000, 4001), False),
    ("PNG", (4000, 2000), True),  # 8 MP decoded whole: a screenshot or a scan is smaller
    ("PNG", (4000, 2001), False),
    ("WEBP", (4000, 2001), False),
])
def test_the_pixel_limit_is_a_cameras_for_jpeg_and_a_third_for_what_is_decoded_whole(
        fmt, size, taken):
    data = encode(Image.new("RGB", size), fmt)
    if taken:
        assert max(opened(photos.prepare(data)).size) == 1600
    else:
        with pytest.raises(ValidationError, match="too large to read"):
            photos.prepare(data)


@pytest.mark.parametrize(("fmt", "size", "decoded_at_most"), [
    ("JPEG", (6000, 4000), (3000, 2000)),  # the decoder reads it at half its size, or less
    ("PNG", (3200, 2400), (3200, 2400)),  # a PNG has no smaller reading: whole, once
])
def test_load_decodes_once_and_small_from_the_start(monkeypatch, fmt, size, decoded_at_most):
    data = encode(Image.new("RGB", size, "white"), fmt)
    decoded = _decodes(monkeypatch)
    image = photos.load(data, side=photos.MAX_SIDE)
    assert max(image.size) == photos.MAX_SIDE
    assert len(decoded) == 1
    assert decoded[0][0] <= decoded_at_most[0] and decoded[0][1] <= decoded_at_most[1]
