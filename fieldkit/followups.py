"""What the user does about a follow-up: attempts, dialogs, snoozes, letting go.

Every action is one transaction that records a touch (what happened, when,
on which channel, with what outcome) and moves the person's follow-up
according to the ladder in ``fieldkit.ladder``. The touch's ``data`` holds
what the action changed, so ``undo`` can put it back exactly; an undone touch
stays in the history, marked with ``undone_at``. An action that takes the
last due follow-up off today's queue records today as a triage day in the
same transaction (``triage.record_if_cleared``).

Also here: how soon people met were followed up (``first_followups``), the
one definition of "followed up within 48 hours" that event scorecards and
the metrics share.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlite_utils import Database

from fieldkit import activity, clock, config, debriefs, normalise, triage
from fieldkit.errors import NotFound
from fieldkit.db import transaction
from fieldkit.debriefs import Debrief
from fieldkit.errors import FieldkitError, ValidationError
from fieldkit.ladder import NextFollowup, next_followup

# Outcomes of an attempt (outbound, no answer) and of a dialog (two-way).
ATTEMPT_CHANNELS = {
    # FieldKit sends nothing: the tap says what it records.
    "email": "Logged an email attempt",
    "sms": "Text sent",
    "message": "Message sent",
    "linkedin": "LinkedIn message",
    "call": "Called, no answer",
    "voicemail": "Voicemail left",
}
DIALOG_CHANNELS = {
    "email": "Reply received",
    "call": "Talked on the phone",
    "video": "Video call",
    "coffee": "Coffee",
    "meeting": "Meeting",
    "in_person": "Talked in person",
}
SNOOZES = {"1 day": 1, "3 days": 3, "1 week": 7}
# "Followed up within 48 hours": an attempt or a dialog at most this long after meeting.
FOLLOW_UP_WINDOW = timedelta(hours=48)
FOLLOW_UP_HOURS = int(FOLLOW_UP_WINDOW.total_seconds() // 3600)  # as the user reads it
# A person in one of these states is no longer followed up and can be again.
REOPENABLE = ("let_go", "declined")
MAX_MINUTES = 24 * 60


class ActionError(FieldkitError):
    """An action that does not apply to this person now (nothing to undo, ...)."""


@dataclass(frozen=True)
class Done:
    """What an action did, for the confirmation line and its Undo."""

    touch_id: int
    person_id: int
    name: str
    message: str
    next_due: date | None


@dataclass(frozen=True)
class FirstFollowup:
    """How one person met was followed up: when, whether in time, whether a dialog came."""

    person_id: int
    kind: str  # the kind of relationship
    met_at: str  # their first "met" touch (at the event, when asked per event)
    followed_up_at: str | None  # the first attempt or dialog after it, or None
    within_window: bool  # followed_up_at at most FOLLOW_UP_WINDOW after met_at
    reached_dialog: bool  # a dialog any time after met_at


def first_followups(db: Database, *, event_id: int | None = None,
                    since: str = "") -> list[FirstFollowup]:
    """Everyone met and how soon they were followed up, first met first.

    A person's meeting is their first "met" touch, or with ``event_id`` their
    first at that event; only meetings at or after the instant ``since``
    (stored UTC text; "" for all) count. A follow-up is an attempt or a
    dialog after the meeting. Undone touches and merged people are left out.
    """
    at_event = "AND t.event_id = :event" if event_id is not None else ""
    window = f"+{int(FOLLOW_UP_WINDOW.total_seconds())} seconds"
    rows = db.execute(
        f"""
        WITH first_met AS (
            SELECT t.person_id, min(t.at) AS at, c.kind
            FROM touches t JOIN people c ON c.id = t.person_id
            WHERE t.kind = 'met' AND t.undone_at IS NULL AND c.status != 'merged' {at_event}
            GROUP BY t.person_id
        ),
        followed AS (
            SELECT m.person_id, m.kind, m.at,
                   (SELECT min(f.at) FROM touches f WHERE f.person_id = m.person_id
                    AND f.kind IN ('attempt', 'dialog') AND f.undone_at IS NULL
                    AND f.at > m.at) AS first,
                   EXISTS (SELECT 1 FROM touches d WHERE d.person_id = m.person_id
                    AND d.kind = 'dialog' AND d.undone_at IS NULL AND d.at > m.at) AS reached
            FROM first_met m WHERE m.at >= :since
        )
        SELECT person_id, kind, at, first,
               coalesce(first <= strftime('%Y-%m-%dT%H:%M:%SZ', at, :window), 0), reached
        FROM followed ORDER BY at, person_id
        """, {"event": event_id, "since": since, "window": window}).fetchall()
    return [FirstFollowup(person_id, kind, met_at, first, bool(within), bool(reached))
            for person_id, kind, met_at, first, within, reached in rows]


def _person(db: Database, person_id: int) -> dict:
    cursor = db.execute(
        "SELECT id, name, kind, status, cadence_days FROM people WHERE id = ?", [person_id])
    row = cursor.fetchone()
    if row is None:
        raise NotFound("This person no longer exists.")
    return dict(zip([d[0] for d in cursor.description], row))


def history(db: Database, person_id: int, tz: str) -> tuple[date, list[date], list[date]]:
    """The day first met and the days of every attempt and dialog, in ``tz``.

    Undone touches do not count.
    """
    rows = db.execute(
        "SELECT kind, at FROM touches WHERE person_id = ? AND undone_at IS NULL "
        f"AND kind IN {activity.NETWORKING_TOUCHES_SQL} ORDER BY at, id", [person_id]).fetchall()
    met = [clock.local_date(at, tz) for kind, at in rows if kind == "met"]
    attempts = [clock.local_date(at, tz) for kind, at in rows if kind == "attempt"]
    dialogs = [clock.local_date(at, tz) for kind, at in rows if kind == "dialog"]
    if not met:
        created = db.execute("SELECT met_at FROM people WHERE id = ?", [person_id]).fetchone()
        met = [clock.local_date(created[0], tz)]
    return min(met), attempts, dialogs


def plan(db: Database, person: Mapping, settings: Mapping) -> NextFollowup:
    """The person's next ladder or keep-in-touch follow-up, replayed from history."""
    met_on, attempts, dialogs = history(db, person["id"], settings["timezone"])
    return next_followup(met_on, attempts, dialogs, settings["ladder_gaps"],
                         config.cadence(settings, person))


def _open_main(db: Database, person_id: int) -> tuple[int, str] | None:
    row = db.execute(
        "SELECT id, due_on FROM followups WHERE person_id = ? AND status = 'open' "
        "AND reason IN ('ladder', 'keep_in_touch') ORDER BY id DESC LIMIT 1",
        [person_id]).fetchone()
    return (row[0], row[1]) if row else None


def _close(db: Database, followup_id: int, status: str, stamp: str) -> None:
    db.execute("UPDATE followups SET status = ?, closed_at = ? WHERE id = ?",
               [status, stamp, followup_id])


def _open(db: Database, person_id: int, nxt: NextFollowup, stamp: str,
          not_before: date | None = None) -> int:
    due = max(nxt.due_on, not_before) if not_before else nxt.due_on
    return db.execute(
        "INSERT INTO followups (uid, person_id, due_on, reason, rung, status, created_at) "
        "VALUES (?, ?, ?, ?, ?, 'open', ?)",
        [str(uuid.uuid4()), person_id, due.isoformat(), nxt.reason, nxt.rung, stamp],
    ).lastrowid


def _touch(db: Database, person_id: int, stamp: str, kind: str, *, channel=None, outcome=None,
           minutes: int = 0, note: str | None = None, call_session_id: int | None = None) -> int:
    return db.execute(
        "INSERT INTO touches (person_id, call_session_id, at, kind, channel, outcome, "
        "minutes, note, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [person_id, call_session_id, stamp, kind, channel, outcome, minutes, note, stamp],
    ).lastrowid


def _record(db: Database, touch_id: int, changes: dict) -> None:
    db.execute("UPDATE touches SET data = ? WHERE id = ?", [json.dumps(changes), touch_id])


def _user_tz(db: Database, tz: str | None = None) -> str:
    # Actions that get no settings still need the user's calendar day for
    # the triage day: the stored time zone setting, the one pages pass.
    return tz or config.load(db)["timezone"]


def _note(note: object) -> str | None:
    return normalise.text(note, "note", label="Note", limit=4000, multiline=True)


def _minutes(minutes: object) -> int:
    if minutes in (None, ""):
        return 0
    if isinstance(minutes, bool) or not isinstance(minutes, int) or not 0 <= minutes <= MAX_MINUTES:
        raise ValidationError("Minutes: a whole number from 0 to 1440.", field="minutes")
    return minutes


def _reschedule(db: Database, person: dict, settings: Mapping, stamp: str, touch_id: int,
                acted_on: int | None, extra: dict | None = None) -> date:
    """Close the open ladder follow-up (and the one acted on) and open the next."""
    closed = []
    current = _open_main(db, person["id"])
    if current:
        _close(db, current[0], "done", stamp)
        closed.append(current[0])
    if acted_on and acted_on not in closed:
        row = db.execute("SELECT status FROM followups WHERE id = ? AND person_id = ?",
                         [acted_on, person["id"]]).fetchone()
        if row and row[0] == "open":
            _close(db, acted_on, "done", stamp)
            closed.append(acted_on)
    for followup_id in closed:
        db.execute("UPDATE followups SET closed_by_touch_id = ? WHERE id = ?",
                   [touch_id, followup_id])
    opened = None
    due = None
    if person["status"] == "active":
        nxt = plan(db, person, settings)
        opened = _open(db, person["id"], nxt, stamp)
        due = nxt.due_on
    _record(db, touch_id, {"closed": closed, "opened": opened, **(extra or {})})
    return due


def log_attempt(db: Database, person_id: int, channel: str, settings: Mapping, *,
                now: datetime | None = None, note: str | None = None, minutes: object = None,
                followup_id: int | None = None, call_session_id: int | None = None,
                outcome: str | None = None, mail: Mail | None = None) -> Done:
    """An outbound touch without an answer; the next attempt climbs the ladder.

    ``mail``: the message it was read from (``log_mail``). A tapped "Email"
    on a day the mailbox already logged an email attempt to the person is
    refused (ActionError): it is the same email.
    """
    if channel not in ATTEMPT_CHANNELS:
        raise ValidationError(f"Channel: {normalise.quoted(channel)} is not a way to reach out.", field="channel")
    outcome = outcome or {"call": "no_answer", "voicemail": "voicemail"}.get(channel, "sent")
    moment = now or clock.utc_now()
    stamp = clock.to_iso(moment)
    with transaction(db), _triage(db, settings, moment, mail):
        person = _person(db, person_id)
        _not_twice(db, person, "attempt", channel, moment, settings, mail)
        touch_id = _touch(db, person_id, stamp, "attempt", channel=channel, outcome=outcome,
                          minutes=_minutes(minutes), note=_note(note), call_session_id=call_session_id)
        due = _reschedule(db, person, settings, stamp, touch_id, followup_id)
        if mail is not None:
            _keep_mail(db, touch_id, mail)
    said = (f"Called {person['name']}: no time to talk." if outcome == "busy"
            else f"{ATTEMPT_CHANNELS[channel]} to {person['name']}.")
    return Done(touch_id, person_id, person["name"], said, due)


def log_dialog(db: Database, person_id: int, channel: str, settings: Mapping, *,
               now: datetime | None = None, note: str | None = None, minutes: object = None,
               followup_id: int | None = None, call_session_id: int | None = None,
               debrief: Debrief | None = None, mail: Mail | None = None) -> Done:
    """A two-way exchange: the ladder ends and keep-in-touch begins.

    A ``debrief`` (assumptions tested, why not us, a next step) lands in the
    same transaction; its next step becomes a follow-up of its own. ``mail``
    and a tapped email "Reply": as for ``log_attempt``.
    """
    if channel not in DIALOG_CHANNELS:
        raise ValidationError(f"Channel: {normalise.quoted(channel)} is not a kind of dialog.", field="channel")
    moment = now or clock.utc_now()
    stamp = clock.to_iso(moment)
    outcome = "talked" if channel == "call" else "replied" if channel == "email" else "met"
    with transaction(db), _triage(db, settings, moment, mail):
        person = _person(db, person_id)
        _not_twice(db, person, "dialog", channel, moment, settings, mail)
        touch_id = _touch(db, person_id, stamp, "dialog", channel=channel, outcome=outcome,
                          minutes=_minutes(minutes), note=_note(note), call_session_id=call_session_id)
        steps = []
        if debrief is not None and not debrief.is_empty:
            step = debriefs.record(db, touch_id, debrief, now=now)
            steps = [step] if step else []
        due = _reschedule(db, person, settings, stamp, touch_id, followup_id,
                          extra={"next_steps": steps})
        if mail is not None:
            _keep_mail(db, touch_id, mail)
    return Done(touch_id, person_id, person["name"],
                f"{DIALOG_CHANNELS[channel]} with {person['name']}.", due)


# Touches read from the mailbox (fieldkit.mail_sync)

FROM_MAILBOX = "from your mailbox"
MAIL_KINDS = ("attempt", "dialog")


@dataclass(frozen=True)
class Mail:
    """The message behind a touch from the mailbox."""

    message_id: str
    subject: str | None = None
    folder: str | None = None


def _day_bounds(moment: datetime, tz: str) -> tuple[str, str]:
    """The stored instants that start the local day of ``moment`` and the next one."""
    day = clock.local_date(moment, tz)
    zone = clock.zone(tz)
    start = datetime.combine(day, datetime.min.time(), zone)
    return clock.to_iso(start), clock.to_iso(start + timedelta(days=1))


def _email_touches_on(db: Database, person_id: int, kind: str, moment: datetime, tz: str,
                      from_mailbox: bool) -> list[int]:
    start, end = _day_bounds(moment, tz)
    linked = "EXISTS" if from_mailbox else "NOT EXISTS"
    return [touch_id for (touch_id,) in db.execute(
        f"SELECT t.id FROM touches t WHERE t.person_id = ? AND t.kind = ? "
        f"AND t.channel = 'email' AND t.undone_at IS NULL AND t.at >= ? AND t.at < ? "
        f"AND {linked} (SELECT 1 FROM mail_touches m WHERE m.touch_id = t.id) ORDER BY t.id",
        [person_id, kind, start, end])]


def _not_twice(db: Database, person: Mapping, kind: str, channel: str, moment: datetime,
               settings: Mapping, mail: Mail | None) -> None:
    """A tapped email attempt or reply on a day the mailbox logged one is that one."""
    if mail is None and channel == "email" and _email_touches_on(
            db, person["id"], kind, moment, settings["timezone"], from_mailbox=True):
        what = "An email attempt to" if kind == "attempt" else "A reply from"
        raise ActionError(f"{what} {person['name']} on that day is already logged "
                          f"{FROM_MAILBOX}; nothing was added.")


def _triage(db: Database, settings: Mapping, moment: datetime, mail: Mail | None):
    # A touch read from the mailbox is dated when the message was; the queue
    # it may clear is today's.
    return triage.record_if_cleared(db, settings["timezone"],
                                    now=clock.utc_now() if mail is not None else moment)


def mail_logged(db: Database, person_id: int, message_id: str) -> bool:
    """Whether ``message_id`` already made (or matched) a touch of this person, undone or not."""
    return db.execute(
        "SELECT 1 FROM mail_touches m JOIN touches t ON t.id = m.touch_id "
        "WHERE m.message_id = ? AND t.person_id = ? LIMIT 1",
        [message_id, person_id]).fetchone() is not None


def _keep_mail(db: Database, touch_id: int, mail: Mail, *, logged: bool = True) -> None:
    db.execute("INSERT INTO mail_touches (touch_id, message_id, subject, folder, logged, "
               "created_at) VALUES (?, ?, ?, ?, ?, ?)",
               [touch_id, mail.message_id, mail.subject, mail.folder, int(logged),
                clock.now_iso()])


def log_mail(db: Database, person_id: int, kind: str, settings: Mapping, mail: Mail, *,
             at: datetime) -> Done | None:
    """An email attempt or dialog read from the mailbox, at the message's time ``at``.

    The ladder moves exactly as if "Email" (or "Reply") had been tapped then.
    Once per person and message: None when the message is already logged
    for them (also when that touch was undone since), and None when an
    "Email" (or "Reply") tapped on the same day is not yet matched to a
    message, which it then is: the tap was this email. A message from
    before the person was met is not a follow-up: None, nothing logged.
    The touch's note says it came from the mailbox, with the subject.
    """
    if kind not in MAIL_KINDS:
        raise ValidationError(f"Kind: {normalise.quoted(kind)} is not an attempt or a dialog.",
                              field="kind")
    tz = settings["timezone"]
    with transaction(db):
        if mail_logged(db, person_id, mail.message_id):
            return None
        met_at = db.execute("SELECT met_at FROM people WHERE id = ?", [person_id]).fetchone()
        if met_at is None:
            raise NotFound("This person no longer exists.")
        if clock.to_iso(at) < met_at[0]:
            return None
        tapped = _email_touches_on(db, person_id, kind, at, tz, from_mailbox=False)
        if tapped:
            _keep_mail(db, tapped[0], mail, logged=False)
            return None
        note = f"{FROM_MAILBOX.capitalize()}: {mail.subject}" if mail.subject \
            else FROM_MAILBOX.capitalize()
        log = log_attempt if kind == "attempt" else log_dialog
        done = log(db, person_id, "email", settings, now=at, note=note[:4000], mail=mail)
    return Done(done.touch_id, person_id, done.name, f"{done.message[:-1]}, {FROM_MAILBOX}.",
                done.next_due)


def _a_year_after(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def snooze(db: Database, person_id: int, until: date, *, now: datetime | None = None,
           tz: str | None = None, followup_id: int | None = None) -> Done:
    """Move a follow-up that is due to ``until``; nothing else changes.

    ``followup_id`` names the queue item (a next step, say); by default the
    person's ladder or keep-in-touch follow-up. A snooze never brings a
    follow-up forward. Today is counted in ``tz``, by default the user's
    time zone setting.
    """
    moment = now or clock.utc_now()
    tz = _user_tz(db, tz)
    today = clock.local_date(moment, tz)
    if not isinstance(until, date) or isinstance(until, datetime):
        raise ValidationError("Snooze: choose a day.", field="until")
    if until <= today:
        raise ValidationError("Snooze: choose a day after today.", field="until")
    if until > _a_year_after(today):
        raise ValidationError("Snooze: at most a year ahead.", field="until")
    stamp = clock.to_iso(moment)
    with transaction(db), triage.record_if_cleared(db, tz, now=moment):
        person = _person(db, person_id)
        if followup_id is None:
            current = _open_main(db, person_id)
        else:
            current = db.execute(
                "SELECT id, due_on FROM followups WHERE id = ? AND person_id = ? "
                "AND status = 'open'", [followup_id, person_id]).fetchone()
        if current is None:
            raise ActionError(f"{person['name']} has no open follow-up to snooze.")
        if current[1] >= until.isoformat():
            raise ActionError(f"{person['name']} is not due before {until:%a %d %b}; "
                              "a snooze never brings a follow-up forward.")
        touch_id = _touch(db, person_id, stamp, "state", outcome="snoozed")
        db.execute("UPDATE followups SET due_on = ? WHERE id = ?",
                   [until.isoformat(), current[0]])
        _record(db, touch_id, {"followup": current[0], "from": current[1],
                               "to": until.isoformat()})
    return Done(touch_id, person_id, person["name"],
                f"Snoozed {person['name']} until {until:%a %d %b}.", until)


def _set_status(db: Database, person_id: int, status: str, outcome: str, moment: datetime,
                note: str | None = None) -> tuple[dict, int]:
    stamp = clock.to_iso(moment)
    person = _person(db, person_id)
    touch_id = _touch(db, person_id, stamp, "state", outcome=outcome, note=note)
    closed = [fid for (fid,) in db.execute(
        "SELECT id FROM followups WHERE person_id = ? AND status = 'open'", [person_id])]
    for followup_id in closed:
        _close(db, followup_id, "let_go", stamp)
    db.execute("UPDATE people SET status = ?, updated_at = ? WHERE id = ?",
               [status, stamp, person_id])
    _record(db, touch_id, {"status_from": person["status"], "closed": closed, "opened": None})
    return person, touch_id


def let_go(db: Database, person_id: int, *, now: datetime | None = None) -> Done:
    """Stop following up; the person and their history stay, and reopen undoes it."""
    moment = now or clock.utc_now()
    with transaction(db), triage.record_if_cleared(db, _user_tz(db), now=moment):
        person, touch_id = _set_status(db, person_id, "let_go", "let_go", moment)
    return Done(touch_id, person_id, person["name"], f"Let go of {person['name']}.", None)


def declined(db: Database, person_id: int, *, now: datetime | None = None,
             note: str | None = None) -> Done:
    """They said no: let them go without nagging (not everyone wants to network)."""
    note = _note(note)
    moment = now or clock.utc_now()
    with transaction(db), triage.record_if_cleared(db, _user_tz(db), now=moment):
        person, touch_id = _set_status(db, person_id, "declined", "declined", moment, note)
    return Done(touch_id, person_id, person["name"],
                f"{person['name']} declined; no more reminders.", None)


def can_reopen(status: str) -> bool:
    """Whether a person with ``status`` can be followed up again (``reopen``)."""
    return status in REOPENABLE


def reopen(db: Database, person_id: int, settings: Mapping, *,
           now: datetime | None = None) -> Done:
    """Follow up again with someone let go or declined: due per the ladder, today at the earliest."""
    moment = now or clock.utc_now()
    stamp = clock.to_iso(moment)
    with transaction(db):
        person = _person(db, person_id)
        if not can_reopen(person["status"]):
            raise ActionError(f"{person['name']} is already followed up.")
        touch_id = _touch(db, person_id, stamp, "state", outcome="reopened")
        db.execute("UPDATE people SET status = 'active', updated_at = ? WHERE id = ?",
                   [stamp, person_id])
        nxt = plan(db, person, settings)
        today = clock.local_date(moment, settings["timezone"])
        opened = _open(db, person_id, nxt, stamp, not_before=today)
        _record(db, touch_id, {"status_from": person["status"], "closed": [],
                               "opened": opened})
        due = max(nxt.due_on, today)
    return Done(touch_id, person_id, person["name"],
                f"Following up with {person['name']} again.", due)


def last_action(db: Database, person_id: int) -> dict | None:
    """The person's latest action that can be undone, or None."""
    cursor = db.execute(
        "SELECT id, at, kind, channel, outcome, data FROM touches WHERE person_id = ? "
        "AND undone_at IS NULL AND kind IN ('attempt', 'dialog', 'state') AND data IS NOT NULL "
        "AND coalesce(outcome, '') != 'merged' "
        "ORDER BY id DESC LIMIT 1", [person_id])
    row = cursor.fetchone()
    return dict(zip([d[0] for d in cursor.description], row)) if row else None


def undo(db: Database, person_id: int, *, touch_id: int | None = None,
         now: datetime | None = None) -> str:
    """Take back the person's last action; the touch stays in history, marked undone.

    With ``touch_id``, only if that action is still the last one: an Undo
    button never takes back something newer recorded from another tab.
    """
    moment = now or clock.utc_now()
    stamp = clock.to_iso(moment)
    # An undo can take the last due follow-up off too (a reopen taken back).
    with transaction(db), triage.record_if_cleared(db, _user_tz(db), now=moment):
        person = _person(db, person_id)
        action = last_action(db, person_id)
        if action is None:
            raise ActionError(f"Nothing to undo for {person['name']}.")
        if touch_id is not None and action["id"] != touch_id:
            raise ActionError(f"Something newer was recorded for {person['name']} since; "
                              "nothing was undone.")
        changes = json.loads(action["data"])
        if action["outcome"] == "snoozed":
            db.execute("UPDATE followups SET due_on = ? WHERE id = ?",
                       [changes["from"], changes["followup"]])
        else:
            if changes.get("opened"):
                db.execute("DELETE FROM followups WHERE id = ?", [changes["opened"]])
            for followup_id in changes.get("closed", []):
                db.execute("UPDATE followups SET status = 'open', closed_at = NULL, "
                           "closed_by_touch_id = NULL WHERE id = ?", [followup_id])
            if "status_from" in changes:
                db.execute("UPDATE people SET status = ? WHERE id = ?",
                           [changes["status_from"], person_id])
            for followup_id in changes.get("next_steps", []):
                db.execute("DELETE FROM followups WHERE id = ?", [followup_id])
        db.execute("UPDATE touches SET undone_at = ? WHERE id = ?", [stamp, action["id"]])
    return person["name"]
