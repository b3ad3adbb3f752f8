"""fieldkit.scan: codes decoded from generated images, clean and photo-like, into card fields."""

import io
import json
import random
import subprocess
import sys
from pathlib import Path

import numpy
import pytest
import segno
import zxingcpp
from PIL import Image, ImageDraw, ImageFilter

from fieldkit import cards, scan, vcard
from fieldkit.cli import main
from fieldkit.errors import FieldkitError

REPO = Path(__file__).resolve().parent.parent

VCARD_30 = (
    "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Jane Doe\r\nN:Doe;Jane;;;\r\nORG:Acme Robotics;Sales\r\n"
    "TITLE:Head of Fleet\r\nEMAIL;TYPE=INTERNET:jane@acme.example\r\n"
    "TEL;TYPE=CELL:+49 30 1234567\r\nitem1.URL:https://linkedin.com/in/jane-doe\r\n"
    "item1.X-ABLabel:LinkedIn\r\nURL:https://acme.example\r\nNOTE:Booth B12\\, hall 3\r\n"
    "END:VCARD\r\n")
VCARD_21 = (
    "BEGIN:VCARD\r\nVERSION:2.1\r\nN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:M=C3=BCller;J=C3=BCrgen;;;\r\n"
    "ORG:Müller GmbH\r\nTEL;CELL:+49 89 7654321\r\nEMAIL;HOME:j@mueller.example\r\nEND:VCARD\r\n")
VCARD_40 = (
    "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Kenji Watanabe\r\nORG:Northwind\r\n"
    "TEL;VALUE=uri;TYPE=cell:tel:+81-3-1234-5678\r\nEMAIL:kenji@northwind.example\r\n"
    "CATEGORIES:fleet,ai\r\nEND:VCARD\r\n")
MECARD = ("MECARD:N:Rossi,Sofia;ORG:Rossi \\& Figli\\; S.p.A.;TEL:+39 06 1234567;"
          "EMAIL:sofia@rossi.example;URL:https://www.linkedin.com/in/sofia-rossi;"
          "NOTE:Wants a demo\\: Tuesday;;")
LINKEDIN = "https://www.linkedin.com/in/amara-okafor-4b2a1b37?utm_source=share&utm_medium=qr"
TEXT = "Ask me about the Q3 pilot"
URL = "https://fleettech-expo.example/exhibitors/42"

EXPECTED = {
    VCARD_30: ("vcard", {
        "name": "Jane Doe", "company": "Acme Robotics", "title": "Head of Fleet",
        "email": "jane@acme.example", "phone": "+49 30 1234567",
        "linkedin_url": "https://www.linkedin.com/in/jane-doe",
        "website": "https://acme.example", "note": "Booth B12, hall 3"}),
    VCARD_21: ("vcard", {"name": "Jürgen Müller", "company": "Müller GmbH",
                         "phone": "+49 89 7654321", "email": "j@mueller.example"}),
    VCARD_40: ("vcard", {"name": "Kenji Watanabe", "company": "Northwind",
                         "phone": "+81-3-1234-5678", "email": "kenji@northwind.example",
                         "tags": "fleet, ai"}),
    MECARD: ("mecard", {"name": "Sofia Rossi", "company": "Rossi & Figli; S.p.A.",
                        "phone": "+39 06 1234567", "email": "sofia@rossi.example",
                        "linkedin_url": "https://www.linkedin.com/in/sofia-rossi",
                        "note": "Wants a demo: Tuesday"}),
    LINKEDIN: ("linkedin", {"name": "Amara Okafor",
                            "linkedin_url": "https://www.linkedin.com/in/amara-okafor-4b2a1b37"}),
    TEXT: ("text", {"note": TEXT}),
    URL: ("link", {"note": URL}),
}
PAYLOADS = list(EXPECTED)
IDS = ["vcard3", "vcard21", "vcard4", "mecard", "linkedin", "text", "url"]


# ---------------------------------------------------------------- images

def png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def jpeg(image: Image.Image, quality: int = 80) -> bytes:
    out = io.BytesIO()
    image.convert("RGB").save(out, format="JPEG", quality=quality)
    return out.getvalue()


def qr(text: str, scale: int = 6) -> Image.Image:
    out = io.BytesIO()
    segno.make_qr(text, error="m", encoding="utf-8").save(out, kind="png", scale=scale, border=4)
    return Image.open(io.BytesIO(out.getvalue())).convert("RGB")


def busy_background(size=(1400, 1000), seed=7) -> Image.Image:
    """Camera noise under coloured shapes: a conference hall, roughly."""
    rng = random.Random(seed)
    background = Image.merge("RGB", [Image.effect_noise(size, 40) for _ in range(3)])
    draw = ImageDraw.Draw(background)
    for _ in range(40):
        x, y, r = rng.randrange(size[0]), rng.randrange(size[1]), rng.randrange(10, 120)
        draw.ellipse((x, y, x + r, y + r), fill=tuple(rng.randrange(256) for _ in range(3)))
    return background


def photo_like(code: Image.Image, *, angle=0.0, scale=1.0, blur=0.0, noisy=False,
               quality=80) -> bytes:
    """The code as a phone might see it: turned, smaller, soft, on a busy background."""
    if scale != 1.0:
        code = code.resize((round(code.width * scale), round(code.height * scale)),
                           Image.Resampling.BILINEAR)
    if angle:
        code = code.rotate(angle, expand=True, fillcolor=(255, 255, 255),
                           resample=Image.Resampling.BICUBIC)
    canvas = busy_background() if noisy else Image.new("RGB", (1400, 1000), (235, 232, 225))
    canvas.paste(code, ((canvas.width - code.width) // 2, (canvas.height - code.height) // 2))
    if blur:
        canvas = canvas.filter(ImageFilter.GaussianBlur(blur))
    return jpeg(canvas, quality)


PHOTOS = {
    "rotated": dict(angle=17),
    "sideways": dict(angle=90),
    "scaled-down": dict(scale=0.5),
    "blurred": dict(blur=1.0),
    "noisy-background": dict(noisy=True),
    "all-at-once": dict(angle=-23, scale=0.6, blur=0.8, noisy=True, quality=70),
}


def ean13() -> Image.Image:
    barcode = zxingcpp.create_barcode("4006381333931", zxingcpp.BarcodeFormat.EAN13)
    image = Image.fromarray(numpy.asarray(barcode.to_image(scale=3, add_quiet_zones=True)))
    return image.convert("RGB")


# ---------------------------------------------------------------- decoding

@pytest.mark.parametrize("payload", PAYLOADS, ids=IDS)
def test_clean_code_fills_the_fields_it_holds(payload):
    (code,) = scan.read(png(qr(payload)))
    kind, fields = EXPECTED[payload]
    assert (code.format, code.kind, code.fields) == ("QR Code", kind, fields)
    assert code.text == payload


@pytest.mark.parametrize("variant", PHOTOS.values(), ids=PHOTOS.keys())
@pytest.mark.parametrize("payload", [VCARD_30, MECARD, LINKEDIN, TEXT],
                         ids=["vcard", "mecard", "linkedin", "text"])
def test_photo_like_codes_are_read(payload, variant):
    codes = scan.read(photo_like(qr(payload), **variant))
    assert [c.fields for c in codes] == [EXPECTED[payload][1]]


def test_linkedin_name_is_marked_as_a_guess():
    (code,) = scan.read(png(qr(LINKEDIN)))
    assert code.guessed == ("name",)
    assert code.label == "LinkedIn: linkedin.com/in/amara-okafor-4b2a1b37"
    (typed,) = scan.read(png(qr(VCARD_30)))
    assert typed.guessed == ()


def test_several_codes_in_one_photo_are_all_listed_top_to_bottom():
    canvas = Image.new("RGB", (1300, 1500), "white")
    canvas.paste(qr(LINKEDIN, 5), (60, 40))
    canvas.paste(qr(MECARD, 5), (700, 60))
    canvas.paste(qr(TEXT, 8), (380, 820))
    canvas.paste(ean13(), (60, 1300))
    codes = scan.read(jpeg(canvas))
    assert [(c.format, c.kind) for c in codes] == [
        ("QR Code", "linkedin"), ("QR Code", "mecard"), ("QR Code", "text"),
        ("EAN-13", "text")]
    assert codes[3].fields == {"note": "4006381333931"}
    # Each labelled differently, so the picker on the Capture page tells them apart.
    assert [c.label for c in codes] == [
        "LinkedIn: linkedin.com/in/amara-okafor-4b2a1b37",
        "MECARD: Sofia Rossi · Rossi & Figli; S.p.A.",
        "Text: Ask me about the Q3 pilot", "Text: 4006381333931"]


def test_the_same_code_twice_is_listed_once():
    canvas = Image.new("RGB", (1200, 600), "white")
    canvas.paste(qr(TEXT), (50, 50))
    canvas.paste(qr(TEXT), (650, 50))
    assert [c.kind for c in scan.read(png(canvas))] == ["text"]


def test_a_photo_without_a_code_gives_nothing():
    assert scan.read(photo_like(Image.new("RGB", (300, 300), "white"), noisy=True)) == []
    assert scan.read(png(Image.new("RGB", (640, 480), (30, 120, 200)))) == []


@pytest.mark.parametrize("data, words", [
    (b"", "empty"),
    (b"\x89PNG\r\n\x1a\n definitely not a png", "not an image"),
    (bytes(random.Random(1).randrange(256) for _ in range(5000)), "not an image"),
    (b"BEGIN:VCARD\r\nFN:Jane\r\nEND:VCARD\r\n", "not an image"),
])
def test_bytes_that_are_no_image_raise_a_scan_error(data, words):
    with pytest.raises(scan.ScanError) as caught:
        scan.read(data)
    assert str(caught.value).startswith("Scan: ") and words in str(caught.value)
    assert isinstance(caught.value, FieldkitError)


def test_a_decompression_bomb_is_refused_before_decoding():
    from test_photos import png_with_size

    with pytest.raises(scan.ScanError, match="too large"):
        scan.read(png_with_size(8000, 8000))
    with pytest.raises(scan.ScanError, match="^Scan: "):  # Pillow's own guard
        scan.read(png_with_size(20_000, 20_000))


def test_own_card_qr_from_the_data_page_decodes_to_the_same_card():
    settings = {"my_name": "José García-Núñez", "my_company": "Fleet; Ops & Co",
                "my_title": "VP, Product", "my_email": "Jose@Example.COM",
                "my_phone": "030 1234567", "my_linkedin_url": "de.linkedin.com/in/jose-garcia/",
                "my_website": "fleet.example", "phone_region": "DE"}
    own = vcard.own_card(settings)
    (code,) = scan.read(vcard.own_qr_png(own))
    assert code.kind == "vcard"
    read_back = cards.clean(code.fields, phone_region="DE")
    expected = cards.clean({k.removeprefix("my_"): v for k, v in settings.items()},
                           phone_region="DE")
    assert read_back == expected
    # Shown at the booth on a phone and photographed: still the same card.
    (photographed,) = scan.read(photo_like(
        Image.open(io.BytesIO(vcard.own_qr_png(own))).convert("RGB"), angle=8, scale=0.7,
        blur=0.7, noisy=True))
    assert photographed.fields == code.fields


# ---------------------------------------------------------------- payloads

@pytest.mark.parametrize("slug, guess", [
    ("jane-doe", "Jane Doe"), ("jane-doe-4b2a1b3", "Jane Doe"), ("jane-doe-123456789", "Jane Doe"),
    ("maria-de-la-cruz", "Maria De La Cruz"), ("jos%C3%A9-garc%C3%ADa", "José García"),
    ("jdoe", None), ("jdoe-42", None), ("x-1-2-3", None), ("a-b-c-d-e-f", None),
])
def test_name_guess_from_a_profile_link(slug, guess):
    code = scan.fields_of(f"https://linkedin.com/in/{slug}/")
    assert code.kind == "linkedin"
    assert code.fields.get("name") == guess
    assert code.guessed == (("name",) if guess else ())


@pytest.mark.parametrize("text, kind, fields", [
    ("MECARD:N:Tanaka Hana;TEL:0312345678;;", "mecard",
     {"name": "Tanaka Hana", "phone": "0312345678"}),
    ("mecard:N:Doe,John;URL:acme.example;EMAIL:j@acme.example;TITLE:CTO;;", "mecard",
     {"name": "John Doe", "website": "acme.example", "email": "j@acme.example",
      "title": "CTO"}),
    ("MECARD:N:A\\,B;NOTE:line\\;two\\\\;;", "mecard", {"name": "A,B", "note": "line;two\\"}),
    ("BIZCARD:N:Jane;X:Doe;T:CTO;C:Acme;B:+1 202 555 0100;E:jane@acme.example;;", "bizcard",
     {"name": "Jane Doe", "title": "CTO", "company": "Acme", "phone": "+1 202 555 0100",
      "email": "jane@acme.example"}),
    ("mailto:ada@example.com?subject=Hi", "email", {"email": "ada@example.com"}),
    ("tel:+49301234567", "phone", {"phone": "+49301234567"}),
    ("linkedin.com/in/ben-sato", "linkedin",
     {"name": "Ben Sato", "linkedin_url": "https://www.linkedin.com/in/ben-sato"}),
    ("https://www.linkedin.com/company/acme", "link",
     {"note": "https://www.linkedin.com/company/acme"}),
    ("  two\n\n\n\nlines  ", "text", {"note": "two\n\nlines"}),
    ("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Cut Off\r\n", "vcard", {"name": "Cut Off"}),
])
def test_payloads_become_fields(text, kind, fields):
    code = scan.fields_of(text)
    assert (code.kind, code.fields) == (kind, fields)


def test_a_cut_off_vcard_says_so():
    code = scan.fields_of("BEGIN:VCARD\r\nFN:Cut Off\r\n")
    assert code.notes == ("the code ends inside the card (no END:VCARD)",)


def test_fill_sets_only_empty_fields_and_reports_what_it_kept():
    code = scan.fields_of(MECARD)
    filled, kept = scan.fill({"name": "Sofia R.", "company": "  ", "email": None,
                              "phone": "+39 06 1234567"}, code)
    assert filled == {k: v for k, v in code.fields.items() if k not in ("name", "phone")}
    assert kept == {"name": "Sofia Rossi"}  # the same phone typed is not worth a word


def test_as_dict_is_plain_json():
    (code,) = scan.read(png(qr(LINKEDIN)))
    assert json.loads(json.dumps(code.as_dict())) == {
        "format": "QR Code", "kind": "linkedin", "label": code.label,
        "fields": EXPECTED[LINKEDIN][1], "guessed": ["name"], "notes": [], "text": LINKEDIN}


# ---------------------------------------------------------------- command line

def test_cli_scan_prints_every_code_as_json(tmp_path, capsys):
    canvas = Image.new("RGB", (1300, 700), "white")
    canvas.paste(qr(VCARD_30, 5), (40, 40))
    canvas.paste(qr(LINKEDIN, 5), (700, 40))
    image = tmp_path / "badge.jpg"
    image.write_bytes(jpeg(canvas))
    assert main(["scan", str(image)]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["image"] == str(image)
    assert [c["fields"] for c in printed["codes"]] == [EXPECTED[VCARD_30][1],
                                                        EXPECTED[LINKEDIN][1]]
    assert printed["codes"][1]["guessed"] == ["name"]


def test_cli_scan_subprocess_and_its_failures(tmp_path):
    def run(*args):
        return subprocess.run([sys.executable, "-m", "fieldkit", "scan", *args], cwd=REPO,
                              capture_output=True, text=True, timeout=60)

    good = tmp_path / "code.png"
    good.write_bytes(png(qr(MECARD)))
    done = run(str(good))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["codes"][0]["fields"] == EXPECTED[MECARD][1]

    garbage = tmp_path / "notes.txt"
    garbage.write_bytes(b"not an image")
    done = run(str(garbage))
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.strip().splitlines() == [
        "error: Scan: this file is not an image FieldKit can read (use JPEG, PNG or WebP)."]


def test_cli_scan_says_so_in_one_line_when_nothing_is_read(tmp_path, capsys):
    assert main(["scan", str(tmp_path / "missing.png")]) == 1
    out, err = capsys.readouterr()
    assert (out, err) == ("", f"error: No such file or directory: {tmp_path / 'missing.png'}\n")

    blank = tmp_path / "blank.png"
    blank.write_bytes(png(Image.new("RGB", (200, 200), "white")))
    assert main(["scan", str(blank)]) == 1
    out, err = capsys.readouterr()
    assert json.loads(out)["codes"] == []
    assert err == f"error: No readable code in {blank}.\n"
