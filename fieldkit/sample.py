"""One deterministic sample data set, for tests, the demo button and benchmarks.

``fill(db, scale=1, today=...)`` writes a product manager's networking life:
a trade-show week running now (checked in, arrived early), months of
meetups, seminars, conferences and customer visits before it, cards of every
kind, attempts and dialogs that follow the persistence ladder, call sessions,
coffee debriefs with assumptions, and the open follow-ups that result.

The same seed, scale and day give the same rows. ``scale`` multiplies people
and events and stretches history (up to eight years), so ``scale=130`` is a
heavy user's database: over 20,000 people and 200,000 touches (``scale=134``,
the benchmark's, adds over 2,000 events and eight full years).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import random
import struct
import uuid
import zlib
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import phonenumbers
from phonenumbers import PhoneNumberType
from sqlite_utils import Database

from fieldkit import clock, config, labelled, matching
from fieldkit.db import row_counts, transaction
from fieldkit.errors import FieldkitError
from fieldkit.ladder import next_followup

SEED = 20261122
SAMPLE_TIMEZONE = "Europe/Berlin"
PEOPLE_PER_SCALE = 160
# Tables the sample leaves empty: it sets no password (so no device signed in
# with it, no wrong password tried), makes no app password or calendar feed
# address, no phone synced and no mailbox read.
LEFT_EMPTY = ("sign_in", "sign_in_failures", "devices", "app_passwords", "calendar_feed",
              "phone_cards", "dav_books", "mailbox", "mail_folders")
EVENTS_PER_SCALE = 15
# The sample's current streak: the day this many days ago is a day off, and
# every day after it has networking, so the streak today is this many days.
QUIET_DAY_AGO = 11

FIRST_NAMES = (
    "Amara", "Ben", "Chiara", "Dmitri", "Elena", "Farah", "Gustavo", "Hana",
    "Ibrahim", "Jana", "Kenji", "Laura", "Mateo", "Nadia", "Oluwaseun", "Priya",
    "Quentin", "Rosa", "Sven", "Tamar", "Uma", "Viktor", "Wei", "Ximena",
    "Yusuf", "Zofia", "Aisha", "Bruno", "Carmen", "David", "Emeka", "Freya",
    "Giulia", "Hiroshi", "Ines", "Jonas", "Kavya", "Lars", "Maya", "Nikolai",
    "Olivia", "Pablo", "Rahul", "Sofia", "Tomás", "Ulrike", "Valentina", "Wen",
    "Yara", "Zeynep", "Anders", "Beatriz", "Chen", "Dana", "Eitan", "Fatima",
    "Grace", "Henrik", "Isabel", "Jamal",
)
LAST_NAMES = (
    "Okafor", "Schneider", "Rossi", "Ivanov", "García", "Haddad", "Silva",
    "Tanaka", "Nasser", "Novák", "Watanabe", "Fischer", "López", "Kowalski",
    "Adeyemi", "Sharma", "Dubois", "Martins", "Lindqvist", "Cohen", "Patel",
    "Petrov", "Zhang", "Hernández", "Demir", "Nowak", "Khan", "Costa",
    "Müller", "O'Brien", "Nwosu", "Andersen", "Bianchi", "Sato", "Moreau",
    "Weber", "Iyer", "Johansson", "Levi", "Kuznetsov", "Murphy", "Fernández",
    "Gupta", "Ferreira", "Yılmaz", "Hoffmann", "Romano", "Liu", "Alvarez",
    "Becker", "Nakamura", "Eriksson", "Mensah", "Kim", "Park", "Singh",
    "Wright", "Svoboda", "Reyes", "Chowdhury",
)
COMPANIES = (
    "Northwind Logistics", "Helios Robotics", "Bluefin Analytics", "Cobalt Health",
    "Lumen Retail Group", "Orbital Freight", "Pinecrest Insurance", "Quarry Data",
    "Redwood Manufacturing", "Sable Energy", "Tidewater Foods", "Umbra Security",
    "Vantage Mobility", "Willow Pharma", "Zephyr Airlines", "Atlas Utilities",
    "Beacon Telecom", "Cedar Bank", "Delta Grid Systems", "Evergreen Farms",
    "Fjord Shipping", "Granite Construction Co.", "Harbor Hospitals",
    "Ironbridge Steel", "Juniper Media", "Keystone Retail",
)
COMPETITORS = ("FleetPulse", "Routewise", "TrackStack", "Opsly", "CargoMind")
VENDORS = ("Clearcloud Hosting", "Signal Print", "Metric Labs", "Boothworks Displays",
           "Quanta Research")
PRESS = ("Supply Chain Weekly", "Gartwell Research", "The Freight Ledger",
         "IDX Analysts", "Logistics Today")
OWN_COMPANY = "Brightline Software"
DEPARTMENTS = ("Sales", "Support", "Engineering", "Finance", "Legal", "Marketing",
               "Customer Success", "Operations", "Design", "Data Science")
TITLES = {
    "customer": ("Head of Operations", "Fleet Manager", "VP Supply Chain",
                 "Logistics Analyst", "Director of Transportation", "COO"),
    "prospect": ("Operations Director", "CTO", "Procurement Lead",
                 "Head of Digital", "Supply Chain Manager"),
    "competitor": ("Product Manager", "Solutions Engineer", "Head of Product",
                   "Account Executive"),
    "vendor": ("Account Manager", "Sales Director", "Partner Manager"),
    "partner": ("Alliance Manager", "Integration Lead", "Channel Director"),
    "colleague": ("Engineering Manager", "Support Lead", "Controller",
                  "Product Marketing Manager", "UX Researcher", "Data Scientist"),
    "press": ("Senior Analyst", "Editor", "Reporter", "Research Director"),
    "other": ("Consultant", "Founder", "Student", "Investor"),
}
KIND_WEIGHTS = {
    "customer": 25, "prospect": 20, "competitor": 10, "vendor": 9,
    "partner": 9, "colleague": 12, "press": 5, "other": 10,
}
# City, time zone, and the country whose example mobile number seeds phones.
CITIES = (
    ("Berlin", "Europe/Berlin", "DE"),
    ("Munich", "Europe/Berlin", "DE"),
    ("London", "Europe/London", "GB"),
    ("Paris", "Europe/Paris", "FR"),
    ("Amsterdam", "Europe/Amsterdam", "NL"),
    ("New York", "America/New_York", "US"),
    ("Chicago", "America/Chicago", "US"),
    ("Denver", "America/Denver", "US"),
    ("San Francisco", "America/Los_Angeles", "US"),
    ("São Paulo", "America/Sao_Paulo", "BR"),
    ("Bangalore", "Asia/Kolkata", "IN"),
    ("Singapore", "Asia/Singapore", "SG"),
    ("Tokyo", "Asia/Tokyo", "JP"),
    ("Sydney", "Australia/Sydney", "AU"),
)
VENUES = {
    "Berlin": ("Messe Berlin", "Factory Berlin", "Hotel Adlon", "Station Berlin"),
    "Munich": ("Messe München", "Werksviertel"),
    "London": ("ExCeL London", "Olympia London"),
    "Paris": ("Paris Expo Porte de Versailles", "Station F"),
    "Amsterdam": ("RAI Amsterdam",),
    "New York": ("Javits Center", "Convene Hudson Yards"),
    "Chicago": ("McCormick Place",),
    "Denver": ("Colorado Convention Center",),
    "San Francisco": ("Moscone West", "Fort Mason"),
    "São Paulo": ("Expo Center Norte",),
    "Bangalore": ("BIEC",),
    "Singapore": ("Marina Bay Sands Expo",),
    "Tokyo": ("Tokyo Big Sight",),
    "Sydney": ("ICC Sydney",),
}
EVENT_NAMES = {
    "conference": ("Product Leaders Summit", "Logistics Tech Conference",
                   "SaaS Growth Forum", "Mind the Product"),
    "seminar": ("Fleet Data Seminar", "Pricing Workshop", "Customer Discovery Seminar"),
    "meetup": ("ProductTank", "Supply Chain Drinks", "PM Breakfast Club",
               "Data & Coffee"),
    "customer_visit": ("Site visit", "Quarterly review", "Onboarding visit"),
    "internal": ("Sales kick-off", "All-hands", "Support open day"),
}
TAGS = ("ai", "beta-tester", "speaker", "hiring", "integration", "churn-risk",
        "reference", "board", "pricing", "europe")
NOTES = (
    "Asked about route optimisation for cold-chain.",
    "Runs 400 vans; unhappy with current dispatch tool.",
    "Wants an API for telematics data.",
    "Met at the coffee bar before the keynote.",
    "Knows the VP at Cedar Bank; offered an intro.",
    "Interested in the beta of the planning module.",
    "Presented on last-mile pricing; great slides.",
    "Evaluating us against Routewise next quarter.",
    "Prefers email; travels a lot.",
    "",
)
ASSUMPTIONS = (
    "Dispatchers plan routes the evening before",
    "Fleet managers buy on price, not features",
    "Customers want a mobile app for drivers first",
    "Telematics integration decides the deal",
    "Mid-size fleets (50-500 vehicles) are our sweet spot",
    "Customers export reports to Excel every week",
)
WHY_NOT_US = (
    "Already locked into a three-year contract.",
    "Missing SAP integration.",
    "Price per vehicle too high for small fleets.",
    "Did not know we existed.",
)
NEXT_STEPS = (
    "Send the integration one-pager",
    "Introduce to our solutions engineer",
    "Invite to the beta programme",
    "Share the pricing calculator",
)


@dataclass
class _Rows:
    events: list = field(default_factory=list)
    checkins: list = field(default_factory=list)
    people: list = field(default_factory=list)
    tags: list = field(default_factory=list)
    attachments: list = field(default_factory=list)
    sessions: dict = field(default_factory=dict)
    touches: list = field(default_factory=list)
    followups: list = field(default_factory=list)
    debriefs: list = field(default_factory=list)
    evidence: list = field(default_factory=list)
    work_days: set = field(default_factory=set)
    values: list = field(default_factory=list)


def _uid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _iso(day: date, hour: float, tz: str) -> str:
    minutes = int(hour * 60)
    local = datetime.combine(day, time(minutes // 60, minutes % 60), ZoneInfo(tz))
    return clock.to_iso(local)


def card_photo_png(width: int = 48, height: int = 28, shade: int = 200) -> bytes:
    """A tiny, valid PNG standing in for a photographed business card."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))

    rows = b"".join(
        b"\x00" + bytes([shade if 4 < y < height - 4 else 80] * width * 3)
        for y in range(height)
    )
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


# Eight calendar years, leap days included, with a few days to spare.
MAX_HISTORY_DAYS = 8 * 366


def history_days(scale: int) -> int:
    """How far back the sample reaches: months at scale 1, eight years at most."""
    return min(MAX_HISTORY_DAYS, 90 + 60 * scale)


def _events(rng: random.Random, rows: _Rows, scale: int, today: date, tz: str) -> list[dict]:
    """The current trade-show week, history before it, and two upcoming events."""
    made = []

    def add(name, kind, start_day, days, city, venue, goals=(0, 0), notes=None):
        _, event_tz, _ = city
        event = {
            "id": len(rows.events) + 1,
            "uid": _uid(rng),
            "name": name,
            "kind": kind,
            "venue": venue,
            "city": city[0],
            "tz": event_tz,
            "starts_at": _iso(start_day, 9, event_tz),
            "ends_at": _iso(start_day + timedelta(days=days - 1), 18, event_tz),
            "goal_new_people": goals[0],
            "goal_competitors": goals[1],
            "notes": notes,
            "created_at": _iso(start_day - timedelta(days=30), 10, tz),
            "updated_at": _iso(start_day - timedelta(days=30), 10, tz),
        }
        rows.events.append(event)
        made.append((event, start_day, days))
        return event

    berlin = CITIES[0]
    show = add("FleetTech Expo", "trade_show", today - timedelta(days=2), 4, berlin,
               "Messe Berlin", goals=(25, 4),
               notes="Booth B12. Arrive early each day; meet every competitor booth.")
    span = history_days(scale)
    count = 12 + EVENTS_PER_SCALE * scale
    kinds = ["trade_show", "conference", "seminar", "meetup", "customer_visit", "internal"]
    quiet_day = today - timedelta(days=QUIET_DAY_AGO)
    for i in range(count):
        day = today - timedelta(days=5 + int((span - 5) * (i + rng.random()) / count))
        # The most recent events show every kind once; the rest are drawn.
        kind = kinds[i] if i < len(kinds) else rng.choices(kinds, weights=[1, 3, 3, 6, 4, 2])[0]
        city = berlin if rng.random() < 0.5 else rng.choice(CITIES)
        if kind == "trade_show":
            name, days = f"{rng.choice(('LogiMAT', 'TransportTech', 'Cargo Connect'))} {day.year}", 3
        elif kind == "customer_visit":
            name, days = f"{rng.choice(EVENT_NAMES[kind])}: {rng.choice(COMPANIES)}", 1
        else:
            name = f"{rng.choice(EVENT_NAMES[kind])} {city[0]}"
            days = 2 if kind == "conference" else 1
        if day <= quiet_day < day + timedelta(days=days):
            day = quiet_day - timedelta(days=days)  # keep the streak's known start
        goals = (rng.choice((5, 10, 15)), rng.choice((0, 1, 2))) if kind in (
            "trade_show", "conference") else (rng.choice((0, 3, 5)), 0)
        add(name, kind, day, days, city, rng.choice(VENUES[city[0]]), goals=goals)
    for ahead, name in ((9, "Product Leaders Summit"), (23, "ProductTank Berlin")):
        add(name, "conference" if ahead < 20 else "meetup", today + timedelta(days=ahead),
            1 if ahead > 20 else 2, berlin, rng.choice(VENUES["Berlin"]), goals=(10, 1))

    # Check-ins: most past events, a good share arrived early; the show is open now.
    for event, start_day, days in made:
        if start_day > today:
            continue
        is_show = event is show
        if not is_show and rng.random() > 0.85:
            continue
        for offset in range(days if is_show else 1):
            day = start_day + timedelta(days=offset)
            if day > today:
                break
            early = is_show or rng.random() < 0.45
            hour = 8.4 if early else 9 + rng.random() * 2
            checked_in = _iso(day, hour, event["tz"])
            open_now = is_show and day == today
            rows.checkins.append({
                "event_id": event["id"],
                "checked_in_at": checked_in,
                "checked_out_at": None if open_now else _iso(day, 17.5, event["tz"]),
            })
    return made


def _touch(rows, person_id, at, kind, channel=None, outcome=None, minutes=0,
           note=None, event_id=None, session_day=None, data=None):
    touch_id = len(rows.touches) + 1
    session_id = None
    if session_day is not None:
        session_id = rows.sessions.setdefault(session_day, len(rows.sessions) + 1)
    rows.touches.append({
        "id": touch_id, "person_id": person_id, "event_id": event_id,
        "call_session_id": session_id, "at": at, "kind": kind, "channel": channel,
        "outcome": outcome, "minutes": minutes, "note": note,
        "data": json.dumps(data) if data else None, "undone_at": None,
        "created_at": at,
    })
    return touch_id


@functools.cache
def _example_mobile(region: str) -> str:
    number = phonenumbers.example_number_for_type(region, PhoneNumberType.MOBILE)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _phone(rng: random.Random, region: str) -> str:
    """A valid mobile number of ``region`` in E.164: the example with new last digits."""
    example = _example_mobile(region)
    for _ in range(8):
        candidate = example[:-4] + f"{rng.randrange(10_000):04d}"
        if phonenumbers.is_valid_number(phonenumbers.parse(candidate, None)):
            return candidate
    return example


def _person(rng, rows, person_id, kind, met_at, event, tz):
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    city = rng.choice(CITIES)
    company = {
        "competitor": COMPETITORS, "vendor": VENDORS, "press": PRESS,
        "colleague": (OWN_COMPANY,),
    }.get(kind, COMPANIES)
    company = rng.choice(company) if kind != "other" or rng.random() < 0.5 else None
    slug = f"{first}-{last}".lower().replace("'", "").replace(" ", "-")
    domain = (company or "mail").lower().split()[0].replace(".", "").replace("&", "")
    sparse = rng.random() < 0.12  # a card with little more than the name
    person = {
        "id": person_id,
        "uid": _uid(rng),
        "name": f"{first} {last}",
        "name_key": matching.name_key(f"{first} {last}"),
        "company_key": None,
        "kind": kind,
        "department": rng.choice(DEPARTMENTS) if kind == "colleague" else None,
        "company": None if sparse else company,
        "title": None if sparse else rng.choice(TITLES[kind]),
        "email": None if sparse or rng.random() < 0.3 else
        f"{slug.encode('ascii', 'ignore').decode()}@{domain}.example",
        "phone": None if sparse or rng.random() < 0.5 else _phone(rng, city[2]),
        "linkedin_url": None if sparse or rng.random() < 0.4 else
        f"https://www.linkedin.com/in/{slug.encode('ascii', 'ignore').decode()}-{rng.randint(100, 999)}",
        "website": None,
        "email_label": None,
        "phone_label": None,
        "website_label": None,
        "named_from": None,
        "note": None if sparse else (rng.choice(NOTES) or None),
        "important": int(rng.random() < 0.12),
        "tz": city[1],
        "cadence_days": rng.choice((None, None, None, None, 21, 45)),
        "status": "active",
        "merged_into": None,
        "event_id": event["id"] if event else None,
        "met_at": met_at,
        "source": "sample",
        "created_at": met_at,
        "updated_at": met_at,
    }
    person["company_key"] = matching.company_key(person["company"])
    rows.people.append(person)
    for tag in rng.sample(TAGS, rng.choice((0, 0, 1, 1, 2))):
        rows.tags.append({"person_id": person_id, "tag": tag})
    if rng.random() < 0.04:
        photo = card_photo_png(shade=rng.randint(150, 250))
        rows.attachments.append({
            "person_id": person_id, "kind": "card_photo", "mime": "image/png",
            "bytes": len(photo), "data": photo, "created_at": met_at,
        })
    return person


def _quiet_days(rng, made, span, today) -> set[date]:
    """Days off: most weekends and a few holidays, never an event day.

    The eleven days up to today are always active and the one before them is
    quiet, so the sample has a current streak of known length to show.
    """
    event_days = {start + timedelta(days=i) for _, start, days in made for i in range(days)}
    quiet = set()
    day = today - timedelta(days=span)
    while day < today - timedelta(days=QUIET_DAY_AGO):
        if day.weekday() >= 5 and rng.random() < 0.8:
            quiet.add(day)
        elif rng.random() < 0.01:
            quiet.update(day + timedelta(days=i) for i in range(rng.randint(5, 12)))
        day += timedelta(days=1)
    quiet -= event_days
    quiet.add(today - timedelta(days=QUIET_DAY_AGO))
    return {d for d in quiet if d <= today - timedelta(days=QUIET_DAY_AGO)}


def _simulate(rng, rows, person, met_on, today, tz, settings, assumption_ids, quiet):
    """Follow one person's ladder from the day met until today."""
    gaps = settings["ladder_gaps"]
    cadence = config.cadence(settings, person)
    attempts: list[date] = []
    dialogs: list[date] = []
    follow = next_followup(met_on, attempts, dialogs, gaps, cadence)
    reply_chance = 0.22 + (0.1 if person["important"] else 0)
    while True:
        lag = 0 if rng.random() < 0.55 else rng.choice((1, 1, 2, 3, 6))
        day = follow.due_on + timedelta(days=lag)
        while day in quiet:
            day += timedelta(days=1)
        if day > today or (day >= today - timedelta(days=4) and rng.random() < 0.3):
            break  # not done yet: this follow-up stays open (due or overdue)
        if follow.exhausted:
            if rng.random() < 0.7:
                person["status"] = "let_go"
                _touch(rows, person["id"], _iso(day, 20.5, tz), "state",
                       outcome="let_go", data={"after_attempts": len(attempts)})
                return None
        call = person["kind"] == "customer" and rng.random() < 0.5
        hour = 9 + rng.random() * 9
        at = _iso(day, hour, tz)
        rows.work_days.add(day)
        if call:
            roll = rng.random()
            if roll < 0.15:
                tid = _touch(rows, person["id"], at, "dialog", "call", "talked",
                             minutes=rng.randint(10, 35), session_day=day,
                             note="Walked through how they plan routes.")
                dialogs.append(day)
            elif roll < 0.5:
                _touch(rows, person["id"], at, "attempt", "call", "no_answer", 1,
                       session_day=day)
                attempts.append(day)
            elif roll < 0.6:
                _touch(rows, person["id"], at, "attempt", "call", "busy", 1,
                       session_day=day, note="Picked up, no time today.")
                attempts.append(day)
            else:
                _touch(rows, person["id"], at, "attempt", "voicemail", "voicemail", 2,
                       session_day=day)
                attempts.append(day)
        elif rng.random() < reply_chance:
            channel = rng.choice(("email", "coffee", "meeting", "video", "linkedin"))
            minutes = {"coffee": 45, "meeting": 60, "video": 30}.get(channel, 5)
            tid = _touch(rows, person["id"], at, "dialog", channel, "replied"
                         if channel in ("email", "linkedin") else "met", minutes)
            dialogs.append(day)
            if channel in ("coffee", "meeting") and rng.random() < 0.6:
                _debrief(rng, rows, person, tid, day, at, assumption_ids)
        else:
            if person["kind"] in ("vendor", "other") and len(attempts) >= 2 and rng.random() < 0.08:
                person["status"] = "declined"
                _touch(rows, person["id"], at, "state", "email", "declined",
                       note="Not the right time for them; no hard feelings.")
                return None
            channel = rng.choice(("email", "email", "linkedin", "sms", "message"))
            _touch(rows, person["id"], at, "attempt", channel, "sent", 3)
            attempts.append(day)
        follow = next_followup(met_on, attempts, dialogs, gaps, cadence)
    return follow


def _debrief(rng, rows, person, touch_id, day, at, assumption_ids):
    why = rng.choice(WHY_NOT_US) if person["kind"] in ("prospect", "competitor") else None
    step = rng.choice(NEXT_STEPS) if rng.random() < 0.5 else None
    rows.debriefs.append({"touch_id": touch_id, "why_not_us": why, "next_step": step,
                          "followup_id": None})
    for assumption_id in rng.sample(assumption_ids, rng.choice((1, 1, 2))):
        rows.evidence.append({
            "assumption_id": assumption_id, "touch_id": touch_id,
            "verdict": "validated" if rng.random() < 0.6 else "invalidated",
            "note": None, "created_at": at,
        })


def fill(db: Database, scale: int = 1, today: date | None = None, seed: int = SEED,
         now: datetime | None = None) -> dict[str, int]:
    """Write the sample data set into an empty FieldKit database.

    ``today`` anchors the data (the trade show runs around it, follow-ups
    fall due around it); by default it is today in the sample's time zone.
    Nothing that happened may lie after ``now``: by default, when ``today``
    is not given, the current instant; with an explicit ``today`` and no
    ``now`` the rows depend on the day alone.
    Returns the row count per table. Refuses a database that already holds
    people, so it never mixes invented people with real ones.
    """
    if isinstance(scale, bool) or not isinstance(scale, int) or not 1 <= scale <= 1000:
        raise FieldkitError("Scale must be a whole number from 1 to 1000.")
    tz = SAMPLE_TIMEZONE
    if today is None:
        now = now or clock.utc_now()
        today = clock.local_date(now, tz)
    rng = random.Random(f"{seed}:{scale}:{today.isoformat()}")
    rows = _Rows()
    settings = {**config.defaults(), "timezone": tz}
    made = _events(rng, rows, scale, today, tz)
    quiet = _quiet_days(rng, made, history_days(scale), today)
    assumption_ids = list(range(1, len(ASSUMPTIONS) + 1))
    span = history_days(scale)
    people = PEOPLE_PER_SCALE * scale
    past_events = [(e, s, d) for e, s, d in made if s <= today]
    kinds, weights = zip(*KIND_WEIGHTS.items())
    open_followups = []
    for person_id in range(1, people + 1):
        kind = rng.choices(kinds, weights)[0]
        # A quarter of the people were met at the trade show running now or
        # recently; the rest spread over the whole history.
        if person_id <= people // 8 or rng.random() < 0.6:
            event, start_day, days = (past_events[0] if person_id <= people // 8
                                      else rng.choice(past_events))
            met_on = min(today, start_day + timedelta(days=rng.randrange(days)))
            met_at = _iso(met_on, 9.5 + rng.random() * 8, event["tz"])
        else:
            event = None
            met_on = today - timedelta(days=rng.randrange(span))
            while met_on in quiet:
                met_on += timedelta(days=1)
            met_at = _iso(met_on, 8 + rng.random() * 11, tz)
        person = _person(rng, rows, person_id, kind, met_at, event, tz)
        met_on = clock.local_date(met_at, tz)
        _touch(rows, person_id, met_at, "met", "in_person" if event else "other",
               minutes=5, event_id=event["id"] if event else None)
        follow = _simulate(rng, rows, person, met_on, today, tz, settings, assumption_ids,
                           quiet)
        if follow is not None:
            open_followups.append((person, follow))
    for person, follow in open_followups:
        rows.followups.append({
            "uid": _uid(rng), "person_id": person["id"],
            "due_on": follow.due_on.isoformat(), "reason": follow.reason,
            "rung": follow.rung, "note": None, "status": "open",
            "created_at": person["updated_at"], "closed_at": None,
            "closed_by_touch_id": None,
        })
    # Their other phones, emails and addresses come from a generator of their
    # own: every other row stays as it was before people had them.
    _more_values(random.Random(f"{seed}:{scale}:{today.isoformat()}:values"), rows)
    if now is not None:
        _not_after(rows, clock.to_iso(now))
    _write(db, rows, rng, settings, today, tz)
    return row_counts(db)


STREETS = ("Hauptstraße", "High Street", "Rue de Rivoli", "Main Street", "Keizersgracht",
           "Orchard Road", "Rua Augusta", "George Street")


def _more_values(rng: random.Random, rows: _Rows) -> None:
    """Labels for the phones and emails, and a second phone, a home email or a work
    address for some people, as an address book holds them (fieldkit.labelled)."""
    for person in rows.people:
        city = rng.choice(CITIES)
        if person["phone"]:
            person["phone_label"] = "mobile"
        if person["email"]:
            person["email_label"] = "work"
        if person["company"] and rng.random() < 0.2:
            rows.values.append({"person_id": person["id"], "kind": "phone", "label": "work",
                                "value": _phone(rng, city[2])})
        if person["email"] and rng.random() < 0.1:
            local = person["email"].split("@")[0]
            rows.values.append({"person_id": person["id"], "kind": "email", "label": "home",
                                "value": f"{local}@mail.example"})
        if person["company"] and rng.random() < 0.15:
            address = labelled.address_value({
                "street": f"{rng.choice(STREETS)} {rng.randint(1, 120)}",
                "locality": city[0], "postal_code": f"{rng.randint(10000, 99999)}"})
            rows.values.append({"person_id": person["id"], "kind": "address",
                                "label": "work", "value": address})


def _triage_days(rng, rows, today, tz):
    """Evenings the queue was cleared: most days with follow-up work done."""
    cleared = []
    for day in sorted(rows.work_days):
        if day < today and rng.random() < 0.7:
            cleared.append({"day": day.isoformat(), "cleared_at": _iso(day, 21, tz),
                            "due_count": rng.randint(1, 6)})
    return cleared


# Instants of things that happened; event starts and ends may lie ahead.
_HAPPENED = ("at", "created_at", "updated_at", "met_at", "checked_in_at")


def _not_after(rows: _Rows, cap: str) -> None:
    """Move anything stamped later than ``cap`` (later today) back to ``cap``."""
    for items in (rows.events, rows.checkins, rows.people, rows.attachments,
                  rows.touches, rows.followups, rows.evidence):
        for item in items:
            for name in _HAPPENED:
                if item.get(name) is not None and item[name] > cap:
                    item[name] = cap


def _write(db, rows, rng, settings, today, tz):
    now = clock.now_iso()
    sessions = [
        {"id": sid, "started_at": _iso(day, 9, tz), "ended_at": _iso(day, 11, tz),
         "audience": json.dumps({"kinds": ["customer"]}), "note": None}
        for day, sid in rows.sessions.items()
    ]
    linkedin = b"First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
    with transaction(db):
        if db.execute("SELECT count(*) FROM people").fetchone()[0]:
            raise FieldkitError(
                "This database already holds people; sample data only goes into an empty one."
            )
        db.execute(
            "INSERT OR REPLACE INTO settings (name, value, updated_at) VALUES (?, ?, ?)",
            ["timezone", json.dumps(tz), now],
        )
        with _indexes_deferred(db, ("people", "touches")):
            for name, items in (
                ("events", rows.events), ("checkins", rows.checkins),
                ("people", rows.people), ("labelled_values", rows.values),
                ("person_tags", rows.tags),
                ("attachments", rows.attachments), ("call_sessions", sessions),
                ("touches", rows.touches), ("followups", rows.followups),
            ):
                _insert(db, name, items)
        _insert(db, "assumptions", [
            {"id": i, "text": text, "status": "open",
             "created_at": _iso(today - timedelta(days=history_days(1)), 10, tz)}
            for i, text in enumerate(ASSUMPTIONS, start=1)
        ])
        _insert(db, "debriefs", rows.debriefs)
        _insert(db, "evidence", rows.evidence)
        _insert(db, "triage_days", _triage_days(rng, rows, today, tz))
        _insert(db, "import_runs", [{
            "kind": "linkedin", "filename": "Connections.csv",
            "sha256": hashlib.sha256(linkedin).hexdigest(),
            "at": _iso(today - timedelta(days=30), 20, tz),
            "new_count": 0, "matched_count": 0, "skipped_count": 0,
        }])
        _booth_cards(db, rng, rows)
        _mail(db, rows)


def _mail(db, rows):
    """The latest email touches as a connected mailbox logs them, and one address that bounced.

    No mailbox is connected: these are what an earlier one left behind.
    """
    emails = [t for t in rows.touches if t["channel"] == "email"][-12:]
    _insert(db, "mail_touches", [
        {"touch_id": t["id"], "message_id": f"<sample-{t['id']}@mail.fieldkit.invalid>",
         "subject": "Great to meet you" if t["kind"] == "attempt" else "Re: Great to meet you",
         "folder": "Sent" if t["kind"] == "attempt" else "INBOX", "logged": 1,
         "created_at": t["at"]}
        for t in emails])
    bounced = next((p for p in rows.people if p["email"] and p["status"] == "active"), None)
    if bounced is not None:
        _insert(db, "mail_bounces", [{
            "address": bounced["email"], "bounced_at": bounced["met_at"],
            "message_id": f"<sample-bounce-{bounced['id']}@mail.fieldkit.invalid>",
            "created_at": bounced["met_at"]}])


def _booth_cards(db, rng, rows):
    """Three cards of the trade show taken on the booth page offline, the last up for review.

    Sent when the network was back; the reviewed one shares its company with
    someone met before, as a twin the user should look at.
    """
    at_show = [p for p in rows.people if p["event_id"] == rows.events[0]["id"]][-3:]
    _insert(db, "received_cards", [
        {"card_id": _uid(rng), "person_id": person["id"], "captured_at": person["met_at"],
         "received_at": person["met_at"]} for person in at_show])
    reviewed = at_show[-1]
    others = [p for p in rows.people if p["id"] != reviewed["id"]]
    earlier = next((p for p in others if p["company"] == reviewed["company"]), others[0])
    _insert(db, "reviews", [{"person_id": reviewed["id"], "reason": "twin",
                             "twins": json.dumps([earlier["id"]]),
                             "created_at": reviewed["met_at"]}])


@contextlib.contextmanager
def _indexes_deferred(db: Database, tables: tuple[str, ...]):
    """Drop the tables' indexes and triggers during a bulk insert, then remake them.

    Building an index once over sorted keys is many times faster than
    updating it row by row; the SQL comes from the schema itself, so the
    migration stays the only place that defines them.
    """
    marks = ", ".join("?" * len(tables))
    saved = db.execute(
        f"SELECT type, name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') "
        f"AND tbl_name IN ({marks}) AND sql IS NOT NULL",
        list(tables),
    ).fetchall()
    for kind, name, _ in saved:
        db.execute(f"DROP {kind.upper()} [{name}]")
    yield
    for _, _, sql in saved:
        db.execute(sql)
    if "people" in tables:
        db.execute("INSERT INTO people_fts (people_fts) VALUES ('rebuild')")


def _insert(db: Database, table: str, items: list[dict]) -> None:
    if not items:
        return
    columns = list(items[0])
    sql = "INSERT INTO [{}] ({}) VALUES ({})".format(
        table, ", ".join(f"[{c}]" for c in columns), ", ".join("?" * len(columns))
    )
    db.conn.executemany(sql, ([item[c] for c in columns] for item in items))
