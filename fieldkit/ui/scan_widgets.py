"""Scanning a code into the capture form.

The capture form's widgets are keyed by a generation counter; ``key(name)``
gives the session-state key of a field. Reading a code is a widget callback:
it runs before the page draws the form, so it fills the fields that are
still empty by setting their keys (what the user typed is never
overwritten) and the same run shows them filled. What it has to say is kept
for the page to show under the form.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from fieldkit import cards, photos, scan
from fieldkit.errors import FieldkitError
from fieldkit.ui import actions
from fieldkit.ui.text import md

IMAGE_TYPES = ["jpg", "jpeg", "png", "webp"]
# What a code can fill, as named in a sentence; and which of it the capture
# form folds away in its details.
LABELS = {spec.name: spec.word for spec in cards.FIELDS if spec.scan}
SCAN, NOTICE = "capture_scan", "capture_scan_notice"  # the last read, and what it said

state = st.session_state


def scan_uploader(key: Callable[[str], str]) -> None:
    """The scan control, inside the capture form: a photo from the camera or a file."""
    st.file_uploader("Scan a QR code or barcode: badge, phone, card", type=IMAGE_TYPES,
                     key=key("scan"), max_upload_size=photos.MAX_UPLOAD_BYTES // 1048576,
                     help="Take a photo or choose one, then tap Read code. Only its codes "
                          "are read; the photo is not kept.")


def _empty(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _apply(key: Callable[[str], str], index: int) -> None:
    """Fill the form's empty fields from the read's code ``index``."""
    read = state[SCAN]
    # Switching to another code first empties what the previous one filled,
    # where the user has not changed it since.
    for name, value in read.get("filled", {}).items():
        if state.get(key(name)) == value:
            state[key(name)] = ""
    code = read["codes"][index]
    current = {name: state.get(key(name)) for name in scan.FIELDS}
    filled, kept = scan.fill(current, code)
    for name, value in filled.items():
        state[key(name)] = value
    read.update(picked=index, filled=filled, kept=kept)


def filled(gen: int) -> dict[str, str]:
    """What the last code read into the form of generation ``gen`` filled."""
    read = state.get(SCAN) or {}
    return read.get("filled", {}) if read.get("gen") == gen else {}


def _pick_key(read: dict) -> str:
    return f"capture_pick_{read['gen']}_{read['number']}"


def pending(upload) -> bool:
    """Whether Save should read first: an image not read yet, or a code picked not used."""
    if upload is not None and state.get("capture_scan_file") != upload.file_id:
        return True
    read = state.get(SCAN)
    return bool(read) and state.get(_pick_key(read)) not in (None, read["picked"])


def _say(kind: str, text: str) -> None:
    state[NOTICE] = (kind, text)


def read_code(key: Callable[[str], str], gen: int, photo=None) -> bool:
    """Read code, in a callback: decode a new image, or use the code picked among several.

    One code is applied at once; several are offered to pick from (inside
    the form, so what is typed travels with the pick). ``photo`` (the
    camera's) is read instead of the form's scan photo, and one without a
    code is left for its card to be read: True when a code was found.
    """
    upload = photo or state.get(key("scan"))
    read = state.get(SCAN)
    # A pick among the codes of the photo read last (the camera's, or the scan photo's).
    if photo is None and read and len(read["codes"]) > 1 \
            and (upload is None or read["file"] == upload.file_id):
        choice = state.get(_pick_key(read))
        if choice is None or not 0 <= choice < len(read["codes"]):
            _say("warning", "Pick the person's code above, then tap **Read code**.")
        else:
            _apply(key, choice)
        return True
    if upload is None:
        _say("warning", "Choose or take a photo of the code first.")
        return False
    if photo is None:
        state["capture_scan_file"] = upload.file_id  # read once: Save then saves
    try:
        codes = scan.read(upload.getvalue())
    except FieldkitError as exc:
        _say("error", md(str(exc)))
        return photo is not None  # not an image: its card cannot be read either
    if not codes:
        state.pop(SCAN, None)
        if photo is None:
            _say("warning", "No readable code in this photo. Everything typed is kept; try "
                            "again closer, steadier, or with more light.")
        return False
    number = (read or {}).get("number", 0) + 1
    state[SCAN] = {"codes": codes, "gen": gen, "number": number, "file": upload.file_id,
                   "filled": (read or {}).get("filled", {}), "kept": {}, "picked": None}
    if len(codes) == 1:
        _apply(key, 0)
    return True


def notice() -> None:
    """After the form: what the last Read code had to say, shown once."""
    actions.show_notice(NOTICE, ":material/qr_code:")


def code_picker(gen: int) -> None:
    """Inside the form: which of several codes in the photo is the person's."""
    read = state.get(SCAN)
    if not read or read["gen"] != gen or len(read["codes"]) < 2:
        return
    codes = read["codes"]
    st.pills(f"{len(codes)} codes in this photo: pick the person's; Save card fills it in "
             "first",
             range(len(codes)), format_func=lambda i: codes[i].label, key=_pick_key(read))


def scan_result(gen: int) -> None:
    """After the form: what the code filled, what was kept as typed, what is a guess."""
    read = state.get(SCAN)
    if not read or read["gen"] != gen or read["picked"] is None:
        return
    code = read["codes"][read["picked"]]
    lines = [f"Read **{md(code.label)}**."]
    if read["filled"]:
        lines.append("Filled " + ", ".join(LABELS[n] for n in read["filled"]) +
                     ". Check it, pick the kind and tap **Save card**.")
    else:
        lines.append("Nothing to fill: every field it holds is typed already.")
    for name, value in read["kept"].items():
        lines.append(f"Kept your {LABELS[name]}; the code says “{md(value)}”.")
    if "name" in code.guessed and "name" in read["filled"]:
        lines.append(":orange[The name is a guess from the LinkedIn link: check it.]")
    for note in code.notes:
        lines.append(f"Left out: {md(note)}.")
    st.info("  \n".join(lines), icon=":material/qr_code_scanner:")


def forget() -> None:
    """After a save: the next card starts without a scan."""
    for name in (SCAN, NOTICE, "capture_scan_file"):
        state.pop(name, None)


def scanned() -> bool:
    """Whether the card in the form was filled from a code."""
    return bool((state.get(SCAN) or {}).get("filled"))
