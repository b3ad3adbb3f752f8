"""The capture form's actions, as widget callbacks: one tap, one run of the page.

A callback runs before the page is drawn, with what the form holds already
in session state under its widgets' keys. So Save card stores the card and
moves on to a fresh form (the next generation of keys, all empty) before
the page draws it: the run that saves is the run that shows the empty form
and the card under "Just saved", with no second run.

Every form action carries the generation of the form it was drawn in. The
second tap of a double tap can arrive while the first one's run is still
going, with the old form's values; its form is saved by then, so it
changes nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping

import streamlit as st
from sqlite_utils import Database

from fieldkit import cards, config, contract, matching, memos, photos
from fieldkit.ui import actions, cues
from fieldkit.ui import scan_widgets as scan
from fieldkit.ui.text import md

GEN = "capture_gen"  # bumped after a save: fresh, empty widgets
MESSAGE = "capture_message"  # (generation it belongs to, text)
ERROR, UNDO_ERROR = "capture_error", "capture_undo_error"  # shown once, then dropped
TWINS = "capture_twins"  # people the card in the form looks like
UNDOS = "capture_undos"  # bumped after an Undo: the list's buttons are new ones
FIELDS = cards.FIELD_NAMES  # each a widget of the form, under key(name)
CAMERA_CARD = "camera_card"  # under key(): the camera's photo was read as a paper card

state = st.session_state


def generation() -> int:
    """The generation of the form on screen."""
    return state.setdefault(GEN, 0)


def keys(gen: int) -> Callable[[str], str]:
    """The session-state key of each of the form's widgets in generation ``gen``."""
    return lambda name: f"{contract.CAPTURE_KEY}_{name}_{gen}"


def camera(gen: int) -> str:
    """The key of the form's camera control: one tap takes the photo, read at once."""
    return cues.camera_key(f"capture_{gen}")


def form_uid(gen: int) -> str:
    """The form's id: a second Save of it finds the card the first one stored.

    That covers a double tap and a tap resent after a dropped connection.
    """
    return state.setdefault(keys(gen)("uid"), str(uuid.uuid4()))


def _current(gen: int) -> bool:
    return state.get(GEN, 0) == gen


def _entered(gen: int, settings: Mapping) -> tuple[cards.Card, dict, int | None]:
    """The form's card, its photo and memo, and the event, validated; raises ValidationError."""
    key = keys(gen)
    card = cards.clean({f: state.get(key(f)) for f in FIELDS},
                       phone_region=settings["phone_region"])
    upload = state.get(key("photo")) or (state.get(camera(gen)) if state.get(key(CAMERA_CARD))
                                         else None)
    recording = state.get(key("memo"))
    extras = {"photo": photos.prepare(upload.getvalue()) if upload is not None else None,
              "memo": memos.prepare(recording.getvalue()) if recording is not None else None}
    return card, extras, state.get(key("event"))


def _saved(gen: int, message: str) -> None:
    """The form is done: the next run draws an empty one under ``message``."""
    state[MESSAGE] = (gen + 1, message)
    state.pop(TWINS, None)
    state.pop(keys(gen)("uid"), None)
    scan.forget()
    state[GEN] = gen + 1
    # The next card starts at the top: the confirmation, and Name ready for typing.
    cues.ask(top=True, focus=keys(gen + 1)("name"))


def _store(db: Database, gen: int, settings: Mapping, card: cards.Card, extras: dict,
           event_id: int | None) -> None:
    cards.save(db, card, settings=settings, event_id=event_id, **extras, uid=form_uid(gen),
               source="scan" if scan.scanned() else "capture")


def save(gen: int) -> None:
    """Save card: store the card, or first ask about the people it looks like.

    A code photographed but not read yet is read instead: the card it fills
    is checked, then saved with the next tap.
    """
    if not _current(gen):
        return
    if scan.pending(state.get(keys(gen)("scan"))):
        scan.read_code(keys(gen), gen)
        return
    state.pop(TWINS, None)
    _save(gen, check_twins=True)


def save_new(gen: int) -> None:
    """No, save as a new person: store the card despite the people it looks like."""
    if _current(gen):
        _save(gen, check_twins=False)


def _save(gen: int, *, check_twins: bool) -> None:
    def save(db):
        """The card stored, or the people it looks like (then nothing is stored)."""
        settings = config.load(db)
        card, extras, event_id = _entered(gen, settings)
        if check_twins and cards.saved_uid(db, form_uid(gen)) is None \
                and (twins := matching.twins(db, card)):
            return card, twins
        _store(db, gen, settings, card, extras, event_id)
        return card, None

    if not (written := actions.write(save, keep=ERROR)):
        return
    card, twins = written.value
    if twins:
        state[TWINS] = twins
    else:
        _saved(gen, f"Saved {md(card.name)}. Ready for the next person.")


def add_to(gen: int, person_id: int, name: str) -> None:
    """Add to a known person: record meeting them again instead of a twin."""
    if not _current(gen):
        return
    def add(db):
        settings = config.load(db)
        card, extras, event_id = _entered(gen, settings)
        return cards.add_meeting(db, person_id, card, settings=settings, event_id=event_id,
                                 **extras)

    if actions.write(add, keep=ERROR):
        _saved(gen, f"Added this meeting to {md(name)}.")


def read_code(gen: int) -> None:
    """Read code: fill the form's empty fields from the photographed code."""
    if _current(gen):
        scan.read_code(keys(gen), gen)


def undo_round() -> int:
    """How many captures this tab has taken back; part of each Undo's key."""
    return state.setdefault(UNDOS, 0)


def undo(round_: int, touch_id: int) -> None:
    """Undo under "Just saved": take back that card, or the meeting added."""
    if state.get(UNDOS, 0) != round_:  # the second tap of a double tap
        return
    if not (undone := actions.write(lambda db: cards.undo_capture(db, touch_id),
                                    keep=UNDO_ERROR)):
        return
    state[UNDOS] = round_ + 1
    state[MESSAGE] = (generation(), f"Took back {md(undone.value)}.")
    cues.ask(top=True)
