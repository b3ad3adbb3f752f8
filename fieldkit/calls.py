"""Call sessions: phone your existing customers, earliest time zones first.

The essay behind it: call the people who already use the product, starting
with those whose working day ends first. About half pick up; of those, some
have no time, and about 15% of everyone dialed ends in a real conversation.
Each call is one touch tied to its session (``touches.call_session_id``) and
moves the person's follow-up like any other attempt or dialog
(``fieldkit.followups``), so the ladder and the funnel read the same rows.
"""

from __future__ import annotations

import dataclasses
import functools
import json
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlite_utils import Database

from fieldkit import clock, followups, normalise
from fieldkit.errors import NotFound
from fieldkit.db import transaction
from fieldkit.errors import FieldkitError, ValidationError
from fieldkit.kinds import PERSON_KINDS

# What the essay found: about half pick up; about 15% of all dialed talk.
BENCHMARK = {"picked_up": 0.5, "talked": 0.15}
# The benchmark explained where it is shown (Metrics, the end of a call session).
BENCHMARK_NOTE = ("what the essay “Product Manager Secrets For Really Connecting With Your "
                  "Customers” found when its author phoned his own customers: about half "
                  "picked up, and about 15% of everyone dialed had a real conversation.")

# One tap each during a session; keys are what touches.outcome stores.
OUTCOMES = {
    "no_answer": "No answer",
    "voicemail": "Voicemail",
    "busy": "Declined / busy",
    "talked": "Talked",
}

INTERVIEW = """\
**Who they are**
- What is your job title?
- How long have you been at the company?
- Where did you work before?

**The product**
- Why do you use it?
- How do you use it, day to day? (Don't be surprised if it is not how it was meant.)

**Remember**
- Listen: be a sympathetic ear and learn about them.
- Don't defend the product and don't try to solve their problems on this call.
- Don't pitch the roadmap.
"""

NOTE_LIMIT = 4000

# Grouping a number costs ~40 µs; reruns during a session show the same people.
_phone_display = functools.lru_cache(maxsize=50_000)(normalise.phone_display)


class CallSessionClosed(FieldkitError):
    """The call session has ended; start a new one to log more calls."""


def _zone(name: str | None, fallback: ZoneInfo) -> ZoneInfo:
    if not name:
        return fallback
    try:
        return clock.zone(name)
    except FieldkitError:
        return fallback  # a bad zone from an import: call them on the user's clock


def _hhmm(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def _offset_label(seconds: int) -> str:
    sign = "+" if seconds >= 0 else "−"
    hours, rest = divmod(abs(seconds) // 60, 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def _kinds(kinds: Iterable[str] | None) -> list[str] | None:
    if kinds is None:
        return None
    chosen = [kinds] if isinstance(kinds, str) else list(kinds)
    unknown = [k for k in chosen if k not in PERSON_KINDS]
    if unknown or not chosen:
        raise ValidationError(f"Kinds: {normalise.quoted(unknown[0]) if unknown else 'none'} is not a kind "
                              "of relationship.", field="kinds")
    return chosen


def candidates(db: Database, settings: Mapping, *, kinds: Iterable[str] | None = ("customer",),
               due_only: bool = False, now: datetime | None = None) -> list[dict]:
    """Active people to call, in call order, with their local time at ``now``.

    ``kinds`` None means every kind. With ``due_only``, only people with an
    open follow-up due by today in the user's zone. Each row has ``phone``
    (E.164 or None), ``phone_display``, ``tz`` (the person's zone, else the
    user's), ``local_time`` ("14:05"), ``utc_offset`` (seconds) and
    ``offset_label`` ("UTC+9"), ``callable_now`` (their local time within
    calling hours, start inclusive, end exclusive) and ``due_on``.

    Call order: people with a phone first; among them the earliest time
    zones, whose working day ends first (largest UTC offset: Tokyo, then
    Berlin, then New York); then by name.
    """
    chosen = _kinds(kinds)
    now = now or clock.utc_now()
    user_zone = clock.zone(settings["timezone"])
    today = clock.local_date(now, settings["timezone"]).isoformat()
    start, end = _hhmm(settings["calling_hours_start"]), _hhmm(settings["calling_hours_end"])
    where = ["c.status = 'active'"]
    params: dict = {"today": today}
    if chosen is not None:
        where.append("c.kind IN (SELECT value FROM json_each(:kinds))")
        params["kinds"] = json.dumps(chosen)
    if due_only:
        where.append("EXISTS (SELECT 1 FROM followups f WHERE f.person_id = c.id "
                     "AND f.status = 'open' AND f.due_on <= :today)")
    cursor = db.execute(
        "SELECT c.id, c.name, c.company, c.title, c.kind, c.important, c.phone, c.tz, "
        "(SELECT min(f.due_on) FROM followups f WHERE f.person_id = c.id "
        "AND f.status = 'open') AS due_on "
        f"FROM people c WHERE {' AND '.join(where)}", params)
    keys = [d[0] for d in cursor.description]
    zones: dict[str | None, dict] = {}  # a few distinct zones among thousands of people
    people = []
    for values in cursor.fetchall():
        row = dict(zip(keys, values))
        where_now = zones.get(row["tz"])
        if where_now is None:
            zone = _zone(row["tz"], user_zone)
            local = now.astimezone(zone)
            offset = int(local.utcoffset().total_seconds())
            where_now = zones[row["tz"]] = {
                "tz": zone.key, "local_time": local.strftime("%H:%M"), "utc_offset": offset,
                "offset_label": _offset_label(offset),
                "callable_now": start <= local.time() < end,
            }
        row.update(where_now)
        row["phone_display"] = _phone_display(row["phone"]) if row["phone"] else ""
        people.append(row)
    people.sort(key=lambda p: (p["phone"] is None, -p["utc_offset"], p["name"].casefold(),
                               p["id"]))
    return people


@dataclasses.dataclass(frozen=True)
class CallList:
    """Whom the Calls page lists and whom a call session dials next."""

    shown: list[dict]  # in call order
    hidden: int  # left out: outside calling hours, not asked for
    to_dial: list[dict]  # shown, with a phone, not yet called or skipped: the next first


def call_list(candidates: list[dict], *, outside_hours: bool, called: Iterable[int] = (),
              skipped: Iterable[int] = ()) -> CallList:
    """Which of ``candidates`` to show and to dial, keeping their call order.

    People outside their calling hours are shown only when asked for
    (``outside_hours``); only those with a phone can be dialed, and nobody
    the session called or skipped comes up again.
    """
    shown = [p for p in candidates if p["callable_now"] or outside_hours]
    done = set(called) | set(skipped)
    return CallList(shown=shown, hidden=len(candidates) - len(shown),
                    to_dial=[p for p in shown if p["phone"] and p["id"] not in done])


def _audience(audience: Mapping) -> dict:
    if not isinstance(audience, Mapping):
        raise ValidationError("Audience: expected kinds and due_only.", field="audience")
    kinds = _kinds(audience.get("kinds"))
    return {"kinds": kinds, "due_only": bool(audience.get("due_only", False))}


def start(db: Database, audience: Mapping, *, now: datetime | None = None) -> int:
    """Begin a call session for ``audience`` ({"kinds": [...] or None, "due_only": bool})."""
    chosen = _audience(audience)
    stamp = clock.to_iso(now or clock.utc_now())
    with transaction(db):
        return db.execute(
            "INSERT INTO call_sessions (started_at, audience) VALUES (?, ?)",
            [stamp, json.dumps(chosen)]).lastrowid


def call_session(db: Database, session_id: int) -> dict:
    """The session's row, its audience decoded, and whom it called (not undone), in order."""
    cursor = db.execute("SELECT id, started_at, ended_at, audience, note FROM call_sessions "
                        "WHERE id = ?", [session_id])
    row = cursor.fetchone()
    if row is None:
        raise NotFound("This call session no longer exists.")
    found = dict(zip([d[0] for d in cursor.description], row))
    found["audience"] = json.loads(found["audience"] or "{}")
    found["called"] = [cid for (cid,) in db.execute(
        "SELECT person_id FROM touches WHERE call_session_id = ? AND undone_at IS NULL "
        "GROUP BY person_id ORDER BY min(id)", [session_id])]
    return found


def current(db: Database) -> int | None:
    """The latest session not ended yet, to resume after a reload, or None."""
    row = db.execute("SELECT id FROM call_sessions WHERE ended_at IS NULL "
                     "ORDER BY started_at DESC, id DESC LIMIT 1").fetchone()
    return row[0] if row else None


def end(db: Database, session_id: int, *, now: datetime | None = None) -> None:
    """End the session; ending it again keeps the first end."""
    moment = clock.to_iso(now or clock.utc_now())
    with transaction(db):
        row = db.execute("SELECT started_at, ended_at FROM call_sessions WHERE id = ?",
                         [session_id]).fetchone()
        if row is None:
            raise NotFound("This call session no longer exists.")
        if row[1] is None:
            db.execute("UPDATE call_sessions SET ended_at = ? WHERE id = ?",
                       [max(moment, row[0]), session_id])


def _open_session(db: Database, session_id: int) -> None:
    row = db.execute("SELECT ended_at FROM call_sessions WHERE id = ?", [session_id]).fetchone()
    if row is None:
        raise NotFound("This call session no longer exists.")
    if row[0] is not None:
        raise CallSessionClosed("This call session has ended; start a new one to log more calls.")


def record(db: Database, session_id: int, person_id: int, outcome: str, settings: Mapping, *,
           minutes: object = None, note: str | None = None,
           now: datetime | None = None) -> followups.Done:
    """Log one call of the session; the follow-up moves per the ladder.

    ``no_answer``, ``voicemail`` and ``busy`` (picked up, no time or not
    willing) are attempts; ``talked`` is a dialog, which ends the ladder and
    starts keep-in-touch. Raises ValidationError for an unknown outcome or a
    bad note or minutes, CallSessionClosed for an ended session.
    """
    if outcome not in OUTCOMES:
        raise ValidationError(f"Outcome: {normalise.quoted(outcome)} is not how a call can end.",
                              field="outcome")
    note = normalise.text(note, "note", label="Note", limit=NOTE_LIMIT, multiline=True)
    with transaction(db):
        _open_session(db, session_id)
        common = {"now": now, "note": note, "minutes": minutes, "call_session_id": session_id}
        if outcome == "talked":
            done = followups.log_dialog(db, person_id, "call", settings, **common)
        elif outcome == "voicemail":
            done = followups.log_attempt(db, person_id, "voicemail", settings, **common)
        else:
            done = followups.log_attempt(db, person_id, "call", settings, outcome=outcome,
                                         **common)
    return dataclasses.replace(done, message=_message(outcome, done.name, minutes))


def _message(outcome: str, name: str, minutes: object) -> str:
    if outcome == "talked":
        spent = f" for {minutes} min" if isinstance(minutes, int) and minutes else ""
        return f"Talked with {name}{spent}."
    return {
        "no_answer": f"No answer from {name}.",
        "voicemail": f"Left {name} a voicemail.",
        "busy": f"{name} picked up but had no time.",
    }[outcome]


def undo_last(db: Database, session_id: int, *, now: datetime | None = None) -> str:
    """Take back the session's latest call (a mistaken tap); returns the person's name.

    Only while the session is open, and only when that call is still the
    person's latest action (otherwise undo it from their page).
    """
    with transaction(db):
        _open_session(db, session_id)
        row = db.execute("SELECT id, person_id FROM touches WHERE call_session_id = ? "
                         "AND undone_at IS NULL ORDER BY id DESC LIMIT 1",
                         [session_id]).fetchone()
        if row is None:
            raise followups.ActionError("No call in this session to undo.")
        latest = followups.last_action(db, row[1])
        if latest is None or latest["id"] != row[0]:
            raise followups.ActionError(
                "Something else happened with this person since the call; undo it there.")
        return followups.undo(db, row[1], now=now)


def _since(since: datetime | date | None, tz: str) -> str | None:
    if since is None:
        return None
    if not isinstance(since, datetime):
        since = datetime.combine(since, time(0), clock.zone(tz))
    return clock.to_iso(since)


def funnel(db: Database, session_id: int | None = None, *, since: datetime | date | None = None,
           tz: str = "UTC") -> dict:
    """How the calls went: dialed, picked up, talked, with rates and the essay's benchmark.

    For one session, or for every session's calls (touches with a call
    session) at or after ``since`` (an aware datetime, or a day in ``tz``).
    Undone calls do not count. ``picked_up`` = declined/busy + talked;
    both rates are shares of all dialed (None when nothing was dialed).
    """
    where = ["t.call_session_id IS NOT NULL", "t.undone_at IS NULL",
             "((t.kind = 'attempt' AND t.channel IN ('call', 'voicemail')) "
             "OR (t.kind = 'dialog' AND t.channel = 'call'))"]
    params: dict = {}
    # Over every call ever made, one pass over the table beats the planner's
    # look-up of each attempt and dialog by kind (25 ms against 600 ms).
    hint = "NOT INDEXED" if session_id is None and since is None else ""
    if session_id is not None:
        where.append("t.call_session_id = :session")
        params["session"] = session_id
    if since is not None:
        where.append("t.at >= :since")
        params["since"] = _since(since, tz)
    dialed, no_answer, voicemail, busy, talked, minutes, people = db.execute(
        "SELECT count(*), "
        "coalesce(sum(t.kind = 'attempt' AND t.channel = 'call' AND t.outcome = 'no_answer'), 0), "
        "coalesce(sum(t.kind = 'attempt' AND t.channel = 'voicemail'), 0), "
        "coalesce(sum(t.kind = 'attempt' AND t.channel = 'call' AND t.outcome = 'busy'), 0), "
        "coalesce(sum(t.kind = 'dialog'), 0), "
        "coalesce(sum(CASE WHEN t.kind = 'dialog' THEN t.minutes ELSE 0 END), 0), "
        "count(DISTINCT t.person_id) "
        f"FROM touches t {hint} WHERE {' AND '.join(where)}", params).fetchone()
    picked_up = busy + talked
    return {
        "dialed": dialed,
        "no_answer": no_answer,
        "voicemail": voicemail,
        "busy": busy,
        "picked_up": picked_up,
        "talked": talked,
        "minutes": minutes,
        "people": people,
        "picked_up_rate": picked_up / dialed if dialed else None,
        "talked_rate": talked / dialed if dialed else None,
        "benchmark": dict(BENCHMARK),
    }


def percent(rate: float | None) -> str:
    """A rate as a whole percentage ("33%"), or "–" when there is none."""
    return "–" if rate is None else f"{rate:.0%}"


def funnel_sentence(result: Mapping) -> str:
    """The funnel in one plain sentence, next to what the essay found."""
    dialed = result["dialed"]
    if not dialed:
        return "No calls logged yet."
    calls = "1 call" if dialed == 1 else f"{dialed} calls"
    return (f"{calls}: {result['picked_up']} picked up ({percent(result['picked_up_rate'])}; "
            f"about half usually do) and {result['talked']} became a real conversation "
            f"({percent(result['talked_rate'])} of all dialed; about 15% is typical).")
