"""Data out: every table as CSV a spreadsheet can open safely, follow-ups as iCalendar.

CSV files are UTF-8 with a byte-order mark (so Excel reads accents), CRLF line
ends and a header row. A cell that starts with ``=``, ``+``, ``-``, ``@``, a
tab or a carriage return is prefixed with a single quote, so a spreadsheet
shows it as text and never runs it as a formula (OWASP "CSV injection"). This
applies to every cell, numbers included: a phone number reads ``'+4930123456``,
which also keeps the spreadsheet from turning it into 4.9E+11. Photos and
other blobs stay out of the CSV files; the backup holds them.

The iCalendar file has one all-day event per open follow-up of an active
person. Each event's UID is the follow-up's own ``uid``, so importing or
subscribing again updates the events instead of duplicating them.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Mapping
from datetime import date, datetime, timedelta, timezone

from icalendar import Calendar, Event
from sqlite_utils import Database

from fieldkit import clock, config, labelled, normalise
from fieldkit.kinds import PERSON_KINDS
from fieldkit.ladder import is_exhausted, rungs

# Characters a spreadsheet may read as the start of a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# One query per exported file, in the order the zip lists them. Names joined
# in (the person's name, the event's name) make a sheet readable on its own.
_QUERIES: dict[str, str] = {
    "people": """
        SELECT c.id, c.uid, c.name, c.named_from, c.kind, c.department, c.company, c.title,
               c.email, c.email_label, c.phone, c.phone_label, c.linkedin_url, c.website,
               c.website_label, c.note, c.important, c.tz, c.cadence_days,
               c.status, c.merged_into, c.event_id, e.name AS event, c.met_at, c.source,
               (SELECT group_concat(tag, ', ') FROM
                   (SELECT tag FROM person_tags t WHERE t.person_id = c.id ORDER BY tag)
               ) AS tags,
               c.created_at, c.updated_at
        FROM people c LEFT JOIN events e ON e.id = c.event_id
        ORDER BY c.id""",
    "labelled_values": """
        SELECT v.id, v.person_id, c.name AS person, v.kind, v.label, v.value
        FROM labelled_values v JOIN people c ON c.id = v.person_id
        ORDER BY v.person_id, v.id""",
    "tags": """
        SELECT t.person_id, c.name AS person, t.tag
        FROM person_tags t JOIN people c ON c.id = t.person_id
        ORDER BY t.person_id, t.tag""",
    "events": """
        SELECT id, uid, name, kind, venue, city, tz, starts_at, ends_at, goal_new_people,
               goal_competitors, notes, created_at, updated_at
        FROM events ORDER BY id""",
    "checkins": """
        SELECT k.id, k.event_id, e.name AS event, k.checked_in_at, k.checked_out_at
        FROM checkins k JOIN events e ON e.id = k.event_id ORDER BY k.id""",
    "touches": """
        SELECT t.id, t.person_id, c.name AS person, t.at, t.kind, t.channel, t.outcome,
               t.minutes, t.note, t.event_id, e.name AS event, t.call_session_id, t.data,
               t.undone_at, t.created_at
        FROM touches t JOIN people c ON c.id = t.person_id
        LEFT JOIN events e ON e.id = t.event_id
        ORDER BY t.id""",
    "followups": """
        SELECT f.id, f.uid, f.person_id, c.name AS person, f.due_on, f.reason, f.rung,
               f.note, f.status, f.created_at, f.closed_at, f.closed_by_touch_id
        FROM followups f JOIN people c ON c.id = f.person_id ORDER BY f.id""",
    "call_sessions": """
        SELECT id, started_at, ended_at, audience, note FROM call_sessions ORDER BY id""",
    "debriefs": """
        SELECT d.touch_id, t.person_id, c.name AS person, t.at, d.why_not_us, d.next_step,
               d.followup_id
        FROM debriefs d JOIN touches t ON t.id = d.touch_id
        JOIN people c ON c.id = t.person_id ORDER BY d.touch_id""",
    "assumptions": """
        SELECT id, text, status, created_at FROM assumptions ORDER BY id""",
    "evidence": """
        SELECT v.id, v.assumption_id, a.text AS assumption, v.touch_id, t.person_id,
               c.name AS person, v.verdict, v.note, v.created_at
        FROM evidence v JOIN assumptions a ON a.id = v.assumption_id
        JOIN touches t ON t.id = v.touch_id JOIN people c ON c.id = t.person_id
        ORDER BY v.id""",
    "photos": """
        SELECT a.id, a.person_id, c.name AS person, a.kind, a.mime, a.bytes, a.created_at
        FROM attachments a JOIN people c ON c.id = a.person_id ORDER BY a.id""",
    "triage_days": """
        SELECT day, cleared_at, due_count FROM triage_days ORDER BY day""",
    "import_runs": """
        SELECT id, kind, filename, sha256, at, new_count, matched_count, skipped_count
        FROM import_runs ORDER BY id""",
    "settings": """
        SELECT name, value, updated_at FROM settings ORDER BY name""",
    "booth_cards": """
        SELECT r.card_id, r.person_id, c.name AS person, r.captured_at, r.received_at
        FROM received_cards r LEFT JOIN people c ON c.id = r.person_id
        ORDER BY r.received_at, r.card_id""",
    "reviews": """
        SELECT r.person_id, c.name AS person, r.reason, r.twins, r.created_at
        FROM reviews r JOIN people c ON c.id = r.person_id ORDER BY r.created_at, r.person_id""",
    # Who a phone wrote or deleted; the card as it wrote it stays in the backup.
    "phone_cards": """
        SELECT p.person_id, c.name AS person, p.href, p.removed_at
        FROM phone_cards p JOIN people c ON c.id = p.person_id ORDER BY p.person_id""",
    "mail_touches": """
        SELECT m.touch_id, t.person_id, c.name AS person, t.kind, t.at, m.message_id, m.subject,
               m.folder, m.logged, m.created_at
        FROM mail_touches m JOIN touches t ON t.id = m.touch_id
        JOIN people c ON c.id = t.person_id ORDER BY m.touch_id""",
    "mail_bounces": """
        SELECT address, bounced_at, message_id, created_at FROM mail_bounces ORDER BY address""",
}

# Which product table each file comes from (row counts match one for one).
SOURCE_TABLES: dict[str, str] = {
    "people": "people", "labelled_values": "labelled_values", "tags": "person_tags",
    "events": "events",
    "checkins": "checkins", "touches": "touches", "followups": "followups",
    "call_sessions": "call_sessions", "debriefs": "debriefs",
    "assumptions": "assumptions", "evidence": "evidence", "photos": "attachments",
    "triage_days": "triage_days", "import_runs": "import_runs", "settings": "settings",
    "booth_cards": "received_cards", "reviews": "reviews", "phone_cards": "phone_cards",
    "mail_touches": "mail_touches", "mail_bounces": "mail_bounces",
}


# Not exported: the password hash, the wrong-attempt count and the signed-in
# devices stay on the server (and the wrong attempts per address), as do the
# app passwords' hashes, the calendar feed's token and the mailbox FieldKit
# reads (where it is, how far it was read); the phones' change log is sync
# bookkeeping.
NOT_EXPORTED = frozenset({"sign_in", "sign_in_failures", "devices", "app_passwords",
                          "calendar_feed", "dav_changes", "dav_books", "mailbox", "mail_folders"})


def safe_cell(value: object) -> object:
    """One value, safe for a spreadsheet: None is empty, formulas are defused.

    Text or a number starting with ``=``, ``+``, ``-``, ``@``, a tab or a
    carriage return gets a single quote in front (``-2`` becomes ``'-2``).
    """
    kind = type(value)
    if kind is str:
        return "'" + value if value[:1] in _FORMULA_SET else value
    if value is None:
        return ""
    if kind is int or kind is float:
        return value if value >= 0 else f"'{value}"
    if isinstance(value, (bytes, bytearray, memoryview)):
        return ""  # blobs are not exported to CSV
    text = str(value)
    return "'" + text if text[:1] in _FORMULA_SET else text


_FORMULA_SET = frozenset(FORMULA_STARTS)


def csv_bytes(header: list[str], rows) -> bytes:
    """A CSV file: UTF-8 with BOM, CRLF, a header row, every cell made safe."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([safe_cell(name) for name in header])
    safe = safe_cell
    writer.writerows([safe(value) for value in row] for row in rows)
    return out.getvalue().encode("utf-8-sig")


def _readable_value(row: tuple) -> tuple:
    # A postal address as it is written on an envelope, not as stored (JSON).
    if row[3] == "address":
        return (*row[:5], ", ".join(labelled.address_lines(row[5])))
    return row


# Rows shown another way than they are stored, by file.
_SHOWN = {"labelled_values": _readable_value}


def csv_tables(db: Database) -> dict[str, bytes]:
    """Every table as a CSV file, keyed by file name without ``.csv``.

    ``people`` carries each person's tags joined by commas, and their
    primary email, phone and web address with its label; ``labelled_values``
    every other email, phone and web address and every postal address (on
    one line); ``photos`` lists attachments without their bytes.
    """
    files = {}
    for name, sql in _QUERIES.items():
        cursor = db.execute(sql)
        header = [d[0] for d in cursor.description]
        shown = _SHOWN.get(name)
        files[name] = csv_bytes(header, cursor if shown is None else map(shown, cursor))
    return files


# A fixed timestamp keeps the zip byte-for-byte the same for the same data.
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def csv_zip(db: Database) -> bytes:
    """All CSV files in one zip, in a fixed order (people first)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in csv_tables(db).items():
            info = zipfile.ZipInfo(f"{name}.csv", date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            # Level 1: a third of the time of the default for a little more size.
            archive.writestr(info, data, compresslevel=1)
    return out.getvalue()


# ---------------------------------------------------------------------------
# iCalendar
# ---------------------------------------------------------------------------

PRODID = "-//FieldKit//Follow-ups//EN"
CALENDAR_NAME = "FieldKit follow-ups"
UID_DOMAIN = "fieldkit"


def open_followups(db: Database) -> list[dict]:
    """Open follow-ups of active people, soonest first, each with its person's details."""
    cursor = db.execute(
        """
        SELECT f.uid, f.due_on, f.reason, f.rung, f.note, f.created_at,
               c.id AS person_id, c.name, c.company, c.title, c.kind, c.email, c.phone,
               c.linkedin_url, c.met_at, e.name AS event
        FROM followups f
        JOIN people c ON c.id = f.person_id
        LEFT JOIN events e ON e.id = c.event_id
        WHERE f.status = 'open' AND c.status = 'active'
        ORDER BY f.due_on, f.id
        """)
    keys = [d[0] for d in cursor.description]
    return [dict(zip(keys, row)) for row in cursor.fetchall()]


def _who(item: Mapping) -> str:
    return f"{item['name']} ({item['company']})" if item["company"] else item["name"]


def _summary(item: Mapping) -> str:
    if item["reason"] == "next_step":
        step = f" - {item['note']}" if item["note"] else ""
        return f"Next step: {_who(item)}{step}"
    if item["reason"] == "keep_in_touch":
        return f"Keep in touch: {_who(item)}"
    return f"Follow up: {_who(item)}"


def followup_description(item: Mapping, settings: Mapping) -> str:
    """What a follow-up's calendar event says: why now, who, where met, how to reach them."""
    lines = []
    if item["reason"] == "next_step":
        lines.append(f"Next step: {item['note'] or 'as agreed'}")
    elif item["reason"] == "keep_in_touch":
        lines.append("Keep in touch: it is time to hear how they are doing.")
    else:
        gaps = settings.get("ladder_gaps") or config.defaults()["ladder_gaps"]
        rung = item["rung"] or 1
        if is_exhausted(rung, gaps):
            lines.append("Follow up: every rung of the ladder was tried without a dialog; "
                         "one last try, or let go.")
        else:
            lines.append(f"Follow up until a dialog: attempt {rung} of {rungs(gaps)}.")
    about = ", ".join(part for part in (
        item["title"], item["company"], PERSON_KINDS.get(item["kind"], item["kind"]))
        if part)
    lines.append(f"{item['name']}: {about}")
    if item["met_at"]:
        met_on = clock.local_date(item["met_at"], settings.get("timezone") or "UTC")
        where = f" at {item['event']}" if item["event"] else ""
        lines.append(f"Met{where} on {met_on:%d %b %Y}.")
    reach = []
    if item["email"]:
        reach.append(f"Email: {item['email']}")
    if item["phone"]:
        reach.append(f"Phone: {normalise.phone_display(item['phone'])}")
    if item["linkedin_url"]:
        reach.append(f"LinkedIn: {item['linkedin_url']}")
    lines.extend(reach or ["No email, phone or LinkedIn on the card."])
    return "\n".join(lines)


def followups_ics(db: Database, settings: Mapping, *, now: datetime | None = None) -> bytes:
    """Open follow-ups of active people as an iCalendar file, one all-day event each.

    The event falls on the due day; its UID is the follow-up's uid at
    ``@fieldkit`` and stays the same across exports, so a calendar that
    imports the file again updates the event. ``settings`` gives the time
    zone (for "met on") and the ladder's length.
    """
    stamp = (now or clock.utc_now()).astimezone(timezone.utc).replace(microsecond=0)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", CALENDAR_NAME)
    calendar.add("name", CALENDAR_NAME)
    for item in open_followups(db):
        due = date.fromisoformat(item["due_on"])
        event = Event()
        event.add("uid", f"{item['uid']}@{UID_DOMAIN}")
        event.add("dtstamp", stamp)
        event.add("dtstart", due)
        event.add("dtend", due + timedelta(days=1))
        event.add("summary", _summary(item))
        event.add("description", followup_description(item, settings))
        # A reminder to act, not a meeting: it does not make the day look busy.
        event.add("transp", "TRANSPARENT")
        if item["created_at"]:
            event.add("created", clock.from_iso(item["created_at"]))
        calendar.add_component(event)
    return calendar.to_ical()
