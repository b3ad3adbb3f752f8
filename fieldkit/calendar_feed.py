"""The calendar "FieldKit follow-ups" on the phone, and its webcal feed.

Each open follow-up of an active person is an all-day event on its due day,
titled "Follow up: Name (Company)", with an alarm at the evening triage time
(the ``triage_time`` setting) and, in its description, why it is due, who it
is, the prefilled message links and a link back to Follow-ups. The event
moves when the follow-up moves and is gone when it is done. fieldkit.web.dav
serves the events read-only over CalDAV (a client's change is refused), and
the whole calendar as a feed for calendars that only subscribe, at an
unguessable address (``feed_token``) that a new token ends.

An event's text depends only on the data (its DTSTAMP is when the follow-up
was made), so its ETag stays the same until the follow-up, the person or a
setting changes.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from icalendar import Alarm, Calendar, Event, vDuration
from sqlite_utils import Database

from fieldkit import clock, contract, exports, messages
from fieldkit.db import transaction

BOOK = "followups"
NAME = exports.CALENDAR_NAME
PRODID = "-//FieldKit//Follow-ups//EN"
# How often a subscribed calendar should fetch the feed again.
REFRESH = timedelta(hours=1)
QUEUE_PATH = contract.QUEUE_PATH


@dataclass(frozen=True)
class FollowupEvent:
    """One follow-up as an event of the calendar: its href, UID and iCalendar text."""

    href: str
    uid: str
    text: str


def href_of(followup_uid: str) -> str:
    return f"{followup_uid}.ics"


def title(item: Mapping) -> str:
    """ "Follow up: Name (Company)" """
    who = f"{item['name']} ({item['company']})" if item["company"] else item["name"]
    return f"Follow up: {who}"


def _links(item: Mapping, settings: Mapping, origin: str) -> list[str]:
    """The prefilled messages and the way back to Follow-ups, one line each."""
    reach = messages.reach(item, settings, messages.stage(item))
    lines = []
    if reach.email:
        lines.append(f"Write an email: {reach.email}")
    if reach.sms:
        lines.append(f"Send a text: {reach.sms}")
    if reach.call:
        lines.append(f"Call: {reach.call}")
    if reach.linkedin:
        lines.append(f"LinkedIn message: {reach.linkedin}")
        lines.append(reach.linkedin_text)
    lines.append(f"Follow-ups: {origin}{QUEUE_PATH}")
    return lines


def _alarm_after_start(settings: Mapping) -> timedelta:
    hour, minute = map(int, settings["triage_time"].split(":"))
    return timedelta(hours=hour, minutes=minute)


def _event(item: Mapping, settings: Mapping, origin: str) -> Event:
    due = date.fromisoformat(item["due_on"])
    event = Event()
    event.add("uid", f"{item['uid']}@{exports.UID_DOMAIN}")
    # When the follow-up was made, not when asked: the same data, the same text.
    event.add("dtstamp", clock.from_iso(item["created_at"]))
    event.add("dtstart", due)
    event.add("dtend", due + timedelta(days=1))
    event.add("summary", title(item))
    description = exports.followup_description(item, settings)
    event.add("description", "\n".join([description, "", *_links(item, settings, origin)]))
    event.add("url", f"{origin}{QUEUE_PATH}")
    # A reminder to act, not a meeting: it does not make the day look busy.
    event.add("transp", "TRANSPARENT")
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", title(item))
    # After the start of the (floating) all-day event: the triage time on the
    # due day, in the phone's time zone, as the iPhone writes all-day alarms.
    alarm.add("trigger", _alarm_after_start(settings))
    event.add_component(alarm)
    return event


def _calendar() -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    return calendar


def events(db: Database, settings: Mapping, origin: str,
           hrefs: Iterable[str] | None = None) -> list[FollowupEvent]:
    """The calendar's events, soonest first (only those of ``hrefs`` when given).

    ``origin`` is this server as the client reached it (``https://host``):
    the link back to Follow-ups.
    """
    wanted = None if hrefs is None else set(hrefs)
    found = []
    for item in exports.open_followups(db):
        href = href_of(item["uid"])
        if wanted is not None and href not in wanted:
            continue
        calendar = _calendar()
        calendar.add_component(_event(item, settings, origin))
        found.append(FollowupEvent(href, f"{item['uid']}@{exports.UID_DOMAIN}",
                                   calendar.to_ical().decode("utf-8")))
    return found


def feed(db: Database, settings: Mapping, origin: str) -> bytes:
    """The whole calendar as one iCalendar file, for a calendar that subscribes to it."""
    calendar = _calendar()
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", NAME)
    calendar.add("name", NAME)
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(REFRESH))
    for item in exports.open_followups(db):
        calendar.add_component(_event(item, settings, origin))
    return calendar.to_ical()


# ---------------------------------------------------------------- the feed's address

def feed_token(db: Database) -> str | None:
    """The token in the feed's address, or None before one was made."""
    row = db.execute("SELECT token FROM calendar_feed WHERE id = 1").fetchone()
    return row[0] if row else None


def new_feed_token(db: Database, *, now: datetime | None = None) -> str:
    """Make the feed's token anew: the address with the old one stops working."""
    token = secrets.token_urlsafe(24)
    with transaction(db):
        db.execute("INSERT INTO calendar_feed (id, token, created_at) VALUES (1, ?, ?) "
                   "ON CONFLICT (id) DO UPDATE SET token = excluded.token, "
                   "created_at = excluded.created_at",
                   [token, clock.to_iso(now or clock.utc_now())])
    return token


def is_feed_token(db: Database, token: object) -> bool:
    """Whether ``token`` is the feed's token now (compared in constant time)."""
    kept = feed_token(db)
    return (kept is not None and isinstance(token, str)
            and hmac.compare_digest(kept.encode(), token.encode("utf-8", "replace")))
