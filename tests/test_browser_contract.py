"""One contract between the phone's scripts and the server: declared in Python, filled in when served.

A script in fieldkit/web/static/ that types a path, a header name, a status, a limit or the theme
colour itself fails here; so does a placeholder left unfilled, and a copy that drifted (Streamlit's
theme colour in .streamlit/config.toml).
"""

import json
import re
import tomllib
from pathlib import Path

import pytest

from fieldkit import booth, contract, photos
from fieldkit.web import api, browser

ROOT = Path(__file__).resolve().parents[1]
STATIC = browser.STATIC
SCRIPTS = sorted(path.name for path in STATIC.glob("*.js"))
OWN_FILES = sorted(path.name for path in STATIC.iterdir() if path.suffix in (".js", ".html", ".css"))


def code(text: str) -> str:
    """A script without its comments (which may name what they are about)."""
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return "\n".join(re.sub(r"(^|\s)//(\s.*)?$", "", line) for line in text.splitlines())


def typed_in(text: str) -> list[str]:
    """What a script types itself that the contract declares."""
    declared = browser.declared()
    found = []
    body = code(text)
    for path in declared["paths"].values():
        for quote in "\"'`":
            if re.search(re.escape(quote + path) + r"(?=[\"'`?/#])", body):
                found.append(f"path {path}")
    for header in (contract.OWN_HEADER, contract.SHELL_HEADER, contract.TOOK_HEADER):
        if header in text.lower():  # not even in a comment: a header named is a header typed
            found.append(f"header {header}")
    for status in declared["statuses"].values():
        if re.search(rf"[\"'`]{status}[\"'`]", body):
            found.append(f"status {status}")
    limits = declared["limits"]
    numbers = {limits["request_bytes"], limits["photo_bytes"], limits["photo_side"],
               *limits["text"].values()}
    for number in numbers:
        if re.search(rf"(?<![\w.]){number}(?![\w.])", body):
            found.append(f"limit {number}")
    if re.search(r"1024\s*\*\s*1024", body):
        found.append("a size in MB")
    if re.search(r"\b(MAX|LIMIT)[A-Z_]*\s*=\s*\d", body):
        found.append("a limit set to a number")
    if contract.THEME_COLOUR in text.lower():
        found.append("the theme colour")
    return found


@pytest.mark.parametrize("name", SCRIPTS)
def test_no_script_types_what_the_contract_declares(name):
    assert typed_in(browser.static_text(name)) == []


@pytest.mark.parametrize("name", OWN_FILES)
def test_no_page_or_style_sheet_types_the_theme_colour_or_a_header(name):
    text = browser.static_text(name).lower()
    assert contract.THEME_COLOUR not in text
    assert "x-fieldkit-" not in text


@pytest.mark.parametrize(("script", "typed"), [
    ('fetch("/api/cards", {})', "path /api/cards"),
    ("location.href = '/sign-in?next=/booth';", "path /sign-in"),
    ("headers.get('X-FieldKit-Shell')", "header x-fieldkit-shell"),
    ('if (result.status === "stored") {}', "status stored"),
    ("const side = 1600;", "limit 1600"),
    ("const MAX_BYTES = 11 * 1024 * 1024;", "a size in MB"),
    ("const MAX_CARDS = 20;", "a limit set to a number"),
    ('link.style.color = "#0F766E";', "the theme colour"),
])
def test_the_check_finds_what_a_script_types_itself(script, typed):
    assert typed in typed_in(script)


def test_the_check_leaves_comments_and_the_contracts_own_names_alone():
    assert typed_in('// sends to /api/cards, answers "stored"\n'
                    "fetch(FIELDKIT.paths.cards); // 1600 px at most\n") == []


@pytest.mark.parametrize("name", OWN_FILES)
def test_every_placeholder_is_filled_when_served(name):
    served = browser.served(name)
    assert browser.PLACEHOLDER not in served and browser.COLOUR not in served
    if browser.PLACEHOLDER in browser.static_text(name):
        assert json.dumps(browser.declared(), separators=(",", ":")) in served


def test_the_contract_is_the_servers_own_values():
    declared = browser.declared()
    assert declared["paths"]["cards"] == contract.CARDS_PATH == api.CARDS_PATH
    assert declared["statuses"] == {"stored": booth.STORED, "already": booth.ALREADY,
                                    "invalid": booth.INVALID}
    assert declared["limits"]["cards_per_request"] == api.MAX_CARDS
    assert declared["limits"]["photo_bytes"] == photos.MAX_UPLOAD_BYTES
    assert declared["limits"]["text"] == booth.text_limits()
    assert declared["fields"] == list(booth.TEXT_FIELDS)
    assert [k["value"] for k in declared["kinds"]][:2] == ["customer", "prospect"]
    json.dumps(declared)


def test_streamlits_theme_colour_is_the_contracts():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["theme"]["primaryColor"].lower() == contract.THEME_COLOUR


def test_the_booths_form_has_an_input_for_every_field_of_the_contract():
    page = browser.static_text("booth.html")
    for name in browser.declared()["fields"]:
        assert f'id="{name}" name="{name}"' in page
    assert "maxlength" not in page  # set from the contract by booth.js


def test_the_sign_in_link_of_a_401_is_the_contracts():
    assert contract.SIGN_IN_FROM_BOOTH == f"{contract.SIGN_IN_PATH}?next={contract.BOOTH_PATH}"
    assert browser.declared()["paths"]["sign_in_from_booth"] == contract.SIGN_IN_FROM_BOOTH
