"""The contract between the server and the scripts a browser runs, handed to them when served.

Paths, header names, the theme colour (fieldkit.contract), a card's fields,
kinds, statuses and limits (fieldkit.booth, photos, kinds, this package's
API) are declared in Python once. A file of ``static/`` names them as
``__FIELDKIT__`` (the whole contract, as a JSON object) and
``__THEME_COLOUR__``, and ``served`` fills them in: no script types a path,
a header, a status or a limit itself (tests/test_browser_contract.py).
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

from fieldkit import booth, contract, photos
from fieldkit.kinds import PERSON_KINDS
from fieldkit.web import api

PLACEHOLDER = "__FIELDKIT__"
COLOUR = "__THEME_COLOUR__"
STATIC = Path(__file__).with_name("static")


@functools.cache
def static_text(name: str) -> str:
    """A file a browser runs or shows, from ``static/``, as it is on disk."""
    return (STATIC / name).read_text(encoding="utf-8")


@functools.cache
def declared() -> dict:
    """Everything the scripts are told, as plain JSON data."""
    return {
        "paths": {
            "booth": contract.BOOTH_PATH,
            "capture": contract.CAPTURE_PATH,
            "static": contract.STATIC_PREFIX,
            "booth_state": contract.BOOTH_STATE_PATH,
            "cards": contract.CARDS_PATH,
            "api": contract.API_PREFIX,
            "sign_in": contract.SIGN_IN_PATH,
            "sign_in_from_booth": contract.SIGN_IN_FROM_BOOTH,
            "sw": contract.SW_PATH,
            "outbox": contract.OUTBOX_PATH,
        },
        "headers": {"shell": contract.SHELL_HEADER, "took": contract.TOOK_HEADER},
        "statuses": {"stored": booth.STORED, "already": booth.ALREADY, "invalid": booth.INVALID},
        "fields": list(booth.TEXT_FIELDS),
        "card_fields": list(booth.FIELDS),
        "capture_key": contract.CAPTURE_KEY,
        "kinds": [{"value": value, "label": label} for value, label in PERSON_KINDS.items()],
        "limits": {
            "cards_per_request": api.MAX_CARDS,
            "request_bytes": api.MAX_REQUEST_BYTES,
            "photo_bytes": photos.MAX_UPLOAD_BYTES,
            "photo_side": photos.MAX_SIDE,
            "text": booth.text_limits(),
        },
        "theme_colour": contract.THEME_COLOUR,
    }


@functools.cache
def served(name: str) -> str:
    """The file ``name`` of static/ with the contract filled in, as the browser gets it."""
    return (static_text(name)
            .replace(PLACEHOLDER, json.dumps(declared(), separators=(",", ":")))
            .replace(COLOUR, contract.THEME_COLOUR))
