"""Reading a photographed paper business card into the capture form.

The photo read is the form's own card photo, the one kept with the card.
Read card is a button of the form: its callback runs before the page draws
the form, reads the photo (a spinner meanwhile) and fills the fields that
are still empty by setting their keys, so the same run shows them filled.
What the user typed is never overwritten, and nothing is saved before Save
card, which validates and checks for twins as for a typed card.

Each field the card filled is marked on the form, "read from the card —
check it", for as long as it holds what was read.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from fieldkit import cardreader, cards, config
from fieldkit.errors import FieldkitError
from fieldkit.ui import actions, cues, scan_widgets
from fieldkit.ui.capture_actions import CAMERA_CARD, camera, generation
from fieldkit.ui.gate import open_db
from fieldkit.ui.text import md

READ, NOTICE = "capture_card_read", "capture_card_notice"  # the last read, what it said
MARK = "read from the card — check it"
LABELS = {spec.name: spec.word for spec in cards.FIELDS if spec.paper}

state = st.session_state


def read_button(key: Callable[[str], str], gen: int) -> None:
    """Read card, a button of the capture form; the reader starts loading as it shows."""
    cardreader.warm_up()
    st.form_submit_button("Read card", icon=":material/document_scanner:",
                          on_click=read_card, args=(key, gen),
                          help="Fills the empty fields from the card photo (in the details above); "
                               "check them before you save.")


def _read(gen: int) -> dict | None:
    read = state.get(READ)
    return read if read and read["gen"] == gen else None


def filled(gen: int) -> dict[str, str]:
    """What the last card read into the form of generation ``gen`` filled."""
    return (_read(gen) or {}).get("filled", {})


def _empty(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def read_photo(key: Callable[[str], str], gen: int) -> None:
    """The camera's photo, in a callback, read at once: its code if it shows one, else the
    card's text (the photo is then the card's photo). The filled form comes on screen."""
    photo = state.get(camera(gen))
    if generation() != gen or photo is None:
        return
    state.pop(key(CAMERA_CARD), None)
    if not scan_widgets.read_code(key, gen, photo):
        state[key(CAMERA_CARD)] = True
        read_card(key, gen, photo)
    cues.ask(view=key("name"))


def read_card(key: Callable[[str], str], gen: int, photo=None) -> None:
    """Read card, in a callback: the card photo's fields into the form's empty fields.

    ``photo`` (the camera's) is read instead of the form's card photo.
    """
    if generation() != gen:  # the second tap of a double tap, after a save
        return
    # What an earlier read filled and the user left alone is that card's, not
    # typed: a new read (of another photo, perhaps) replaces it.
    previous = _read(gen) or {}
    state.pop(READ, None)
    earlier = [name for name, value in previous.get("filled", {}).items()
               if state.get(key(name)) == value]
    upload = photo or state.get(key("photo"))
    if upload is None:
        state[NOTICE] = ("warning", "Choose or take a photo of the card first, then tap "
                                    "**Read card**.")
        return
    with open_db() as db:
        region = config.load(db)["phone_region"]
    try:
        with st.spinner("Reading the card…"):
            card = cardreader.read(upload.getvalue(), region=region)
    except FieldkitError as exc:
        state[NOTICE] = ("error", md(str(exc)))
        return
    for name in earlier:
        state[key(name)] = ""
    filled, kept = {}, {}
    for name, value in card.form_fields().items():
        have = state.get(key(name))
        if _empty(have):
            state[key(name)] = value
            filled[name] = value
        elif str(have).strip() != value:
            kept[name] = value
    state[READ] = {"gen": gen, "filled": filled, "kept": kept,
                   "guessed": [n for n in card.guessed if n in filled],
                   "lines": len(card.lines)}


def notice() -> None:
    """After the form: what the last Read card had to say, shown once."""
    actions.show_notice(NOTICE, ":material/document_scanner:")


def read_result(key: Callable[[str], str], gen: int) -> None:
    """After the form: what the card filled and kept, and the marks on the fields it filled."""
    read = _read(gen)
    if read is None:
        return
    if not read["lines"]:
        st.warning("No text found on this card photo. Everything typed is kept; try again "
                   "closer, steadier, or with more light.", icon=":material/document_scanner:")
        return
    lines = []
    if read["filled"]:
        lines.append("Read from the card: " + ", ".join(LABELS[n] for n in read["filled"])
                     + ". Check each marked field, pick the kind and tap **Save card**.")
    else:
        lines.append("Nothing to fill from the card: every field it holds is typed already.")
    for name, value in read["kept"].items():
        lines.append(f"Kept your {LABELS[name]}; the card says “{md(value)}”.")
    if "company" in read["guessed"]:
        lines.append(":orange[The company is a guess from the email's domain: check it.]")
    st.info("  \n".join(lines), icon=":material/document_scanner:")
    _marks(key, gen)


def marked(key: Callable[[str], str], gen: int) -> tuple[str, ...]:
    """The fields the card filled that still hold what was read."""
    read = _read(gen) or {}
    return tuple(name for name, value in read.get("filled", {}).items()
                 if state.get(key(name)) == value)


def _marks(key: Callable[[str], str], gen: int) -> None:
    # Each widget's container carries its key as a class (st-key-<key>): the
    # mark goes after its label, without touching the page's inputs.
    names = marked(key, gen)
    if not names:
        return
    labels = ", ".join(f".st-key-{key(n)} [data-testid='stWidgetLabel'] p::after" for n in names)
    st.html(f"<style>{labels} {{content: ' · {MARK}'; color: #b45309; font-weight: 400;}}"
            "</style>")
