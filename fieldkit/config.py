"""Every setting, with its name, default and help, in one table.

The database path, the host names and the trusted proxies come from the
environment (``FIELDKIT_DB``, ``FIELDKIT_HOSTS``, ``FIELDKIT_PROXIES``); everything
the user changes in the app is stored in the ``settings`` table as JSON and
validated here on the way in and on the way out.
"""

from __future__ import annotations

import ipaddress
import json
import re
import string
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import time
from pathlib import Path
from typing import Any

import phonenumbers
from sqlite_utils import Database

from fieldkit import clock, normalise
from fieldkit.db import transaction
from fieldkit.errors import SettingError, ValidationError
from fieldkit.kinds import PERSON_KINDS
from fieldkit.mail_rules import address_key
from fieldkit.normalise import quoted

DB_ENV = "FIELDKIT_DB"
DEFAULT_DB_PATH = "data/fieldkit.db"


HOSTS_ENV = "FIELDKIT_HOSTS"
PROXIES_ENV = "FIELDKIT_PROXIES"
_HOST_NAME = re.compile(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*")


def database_path(environ: Mapping[str, str]) -> Path:
    """Where the database lives: ``FIELDKIT_DB``, else ``data/fieldkit.db``."""
    return Path(environ.get(DB_ENV, "").strip() or DEFAULT_DB_PATH)


def _listed(environ: Mapping[str, str], name: str) -> list[str]:
    return [part.strip() for part in environ.get(name, "").replace(" ", ",").split(",")
            if part.strip()]


def allowed_hosts(environ: Mapping[str, str]) -> frozenset[str]:
    """The host names this server answers for besides its own (``FIELDKIT_HOSTS``).

    A comma-separated list of names or addresses (``fieldkit.example.org,
    192.168.1.20``), as a browser writes them in the Host header: the name
    behind a proxy, the LAN address a phone types. Raises SettingError on
    anything else, naming it.
    """
    hosts = set()
    for raw in _listed(environ, HOSTS_ENV):
        host = raw.lower().rstrip(".").removeprefix("[").removesuffix("]")
        try:
            host = ipaddress.ip_address(host).compressed
        except ValueError:
            if not _HOST_NAME.fullmatch(host) or len(host) > 253:
                raise SettingError(f"{HOSTS_ENV}: {quoted(raw)} is not a host name.") from None
        hosts.add(host)
    return frozenset(hosts)


def trusted_proxies(environ: Mapping[str, str]
                    ) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """Proxies whose X-Forwarded-For names the client (``FIELDKIT_PROXIES``), besides loopback.

    A comma-separated list of addresses or networks (``10.0.0.5,
    10.1.0.0/16``). Raises SettingError on anything else, naming it.
    """
    networks = []
    for raw in _listed(environ, PROXIES_ENV):
        try:
            networks.append(ipaddress.ip_network(raw, strict=False))
        except ValueError:
            raise SettingError(f"{PROXIES_ENV}: {quoted(raw)} is not an address or a "
                               "network.") from None
    return tuple(networks)


@dataclass(frozen=True)
class Setting:
    name: str
    label: str
    default: Any
    help: str
    parse: Callable[[str, Any], Any]
    group: str
    # How the settings page asks: timezone, region, int, days, time, line, text,
    # or a line typed on the email, phone or url keyboard.
    kind: str


def _int_between(low: int, high: int, unit: str) -> Callable[[str, Any], int]:
    def parse(label: str, raw: Any) -> int:
        if isinstance(raw, bool):
            raise SettingError(f"{label}: expected a whole number of {unit}.")
        if isinstance(raw, str):
            raw = raw.strip()
            if not re.fullmatch(r"[0-9]{1,7}", raw):
                raise SettingError(f"{label}: expected a whole number of {unit}.")
            raw = int(raw)
        if not isinstance(raw, int) and not (isinstance(raw, float) and raw.is_integer()):
            raise SettingError(f"{label}: expected a whole number of {unit}.")
        value = int(raw)
        if not low <= value <= high:
            raise SettingError(f"{label}: must be between {low} and {high} {unit}.")
        return value

    return parse


def _gaps(label: str, raw: Any) -> list[int]:
    if isinstance(raw, str):
        parts = [p for p in re.split(r"[,\s;]+", raw.strip()) if p]
    elif isinstance(raw, (list, tuple)):
        parts = list(raw)
    else:
        raise SettingError(f"{label}: expected days separated by commas, e.g. 2, 4, 7.")
    day = _int_between(1, 365, "days")
    try:
        gaps = [day(label, p if isinstance(p, (int, str)) else str(p)) for p in parts]
    except SettingError:
        raise SettingError(
            f"{label}: each gap is a whole number of days from 1 to 365, "
            "separated by commas."
        ) from None
    if not 1 <= len(gaps) <= 12:
        raise SettingError(f"{label}: give between 1 and 12 gaps.")
    if any(b < a for a, b in zip(gaps, gaps[1:])):
        raise SettingError(f"{label}: gaps must grow (or stay equal) from one rung to the next.")
    return gaps


def _hhmm(label: str, raw: Any) -> str:
    if isinstance(raw, time):
        return raw.strftime("%H:%M")
    if isinstance(raw, str):
        match = re.fullmatch(r"\s*([0-9]{1,2}):([0-9]{2})\s*", raw)
        if match and int(match[1]) < 24 and int(match[2]) < 60:
            return f"{int(match[1]):02d}:{match[2]}"
    raise SettingError(f"{label}: expected a time of day such as 09:00.")


def _timezone(label: str, raw: Any) -> str:
    name = raw.strip() if isinstance(raw, str) else raw
    try:
        clock.zone(name if isinstance(name, str) else "")
    except ValidationError:
        raise SettingError(f"{label}: unknown time zone {quoted(raw)}; use a name like Europe/Berlin.") from None
    return name


def phone_regions() -> list[str]:
    """Country codes phone numbers can be read for (DE, GB, US, ...)."""
    return sorted(phonenumbers.SUPPORTED_REGIONS)


def _region(label: str, raw: Any) -> str:
    code = raw.strip().upper() if isinstance(raw, str) else ""
    if code not in phone_regions():
        raise SettingError(f"{label}: expected a two-letter country code such as DE or US.")
    return code


# What a message template may mention, filled in per person by fieldkit.messages.
TEMPLATE_FIELDS = ("first_name", "name", "company", "event", "at_event", "met_on", "my_name")


def _template(limit: int) -> Callable[[str, Any], str]:
    def parse(label: str, raw: Any) -> str:
        if not isinstance(raw, str) or not raw.strip():
            raise SettingError(f"{label}: write the message (it cannot be empty).")
        # Control characters and lone surrogates could not go into a link.
        text = "".join(ch for ch in raw.replace("\r\n", "\n") if ch in "\n\t" or
                       unicodedata.category(ch) not in ("Cc", "Cs")).strip()
        if not text:
            raise SettingError(f"{label}: write the message (it cannot be empty).")
        if len(text) > limit:
            raise SettingError(f"{label}: at most {limit:,} characters.")
        try:
            parts = [(field, spec, conversion) for _, field, spec, conversion
                     in string.Formatter().parse(text) if field is not None]
        except ValueError:
            raise SettingError(f"{label}: a {{ or }} is not closed; write {{{{ or }}}} for a "
                               "literal brace.") from None
        # A format spec or conversion ({name:>999999999}, {name!r}) could fail
        # or blow up when the message is filled in; placeholders stay plain.
        if any(spec or conversion for _, spec, conversion in parts):
            raise SettingError(f"{label}: write placeholders plainly, like {{first_name}}, "
                               "without : or ! inside the braces.")
        names = {field for field, _, _ in parts}
        unknown = sorted(n for n in names if n not in TEMPLATE_FIELDS)
        if unknown:
            known = ", ".join("{" + f + "}" for f in TEMPLATE_FIELDS)
            raise SettingError(f"{label}: unknown placeholder {{{unknown[0]}}}; use {known}.")
        return text

    return parse


def _line(label: str, raw: Any) -> str:
    if raw is None:
        return ""
    if not isinstance(raw, str):
        raise SettingError(f"{label}: expected text.")
    text = " ".join(raw.split())
    if len(text) > 100:
        raise SettingError(f"{label}: at most 100 characters.")
    return text


def _checked(rule: Callable[[str | None], str | None]) -> Callable[[str, Any], str]:
    """A setting checked as a card's field is (an email, a web address): "" for none."""
    def parse(label: str, raw: Any) -> str:
        text = _line(label, raw)
        try:
            return (rule(text) if text else None) or ""
        except ValidationError as exc:
            raise SettingError(f"{label}: {str(exc).partition(': ')[2] or exc}") from None

    return parse


# "My card": what the user's own vCard and QR code carry (fieldkit.vcard.own_card
# reads my_<card field>). The phone is checked with the phone country when saved.
_CARD_SETTINGS = [
    Setting("my_name", "Your name", "",
            "Heads your card and signs your messages ({my_name}).", _line, "My card", "line"),
    Setting("my_title", "Title", "", "Your job title.", _line, "My card", "line"),
    Setting("my_company", "Company", "", "Where you work.", _line, "My card", "line"),
    Setting("my_email", "Email", "", "The address people write to.", _checked(normalise.email),
            "My card", "email"),
    Setting("my_phone", "Phone", "",
            "Without + and a country code, read as a number of your phone country.",
            _line, "My card", "phone"),
    Setting("my_website", "Website", "", "Yours or your company's.", _checked(normalise.website),
            "My card", "url"),
    Setting("my_linkedin_url", "LinkedIn", "", "Your profile's address, linkedin.com/in/…",
            _checked(normalise.linkedin), "My card", "url"),
]

# The messages of each stage of a follow-up (fieldkit.messages.stage picks one):
# a first note after meeting, the later attempts of the ladder, keeping in touch.
MESSAGE_STAGES = {"first": "First note", "later": "Later attempts", "keep": "Keep in touch"}
MESSAGE_CHANNELS = {"email_subject": "Email subject", "email": "Email",
                    "sms": "Text message", "linkedin": "LinkedIn message"}
_PLACEHOLDERS = ("Placeholders: {first_name}, {name}, {company}, {event}, {at_event} (\" at\" "
                 "and the event, or nothing), {met_on}, {my_name}.")
_TEMPLATE_DEFAULTS = {
    "first": {
        "email_subject": "Great to meet you{at_event}",
        "email": "Hi {first_name},\n\nit was good to meet you{at_event} on {met_on}. I would "
                 "love to hear more about how you work. Would you have 20 minutes for a call or "
                 "a coffee in the next weeks?\n\nBest,\n{my_name}",
        "sms": "Hi {first_name}, {my_name} here, we met{at_event} on {met_on}. Would you have 20 "
               "minutes for a quick call this week?",
        "linkedin": "Hi {first_name}, great meeting you{at_event}. Let's stay in touch!",
    },
    "later": {
        "email_subject": "Following up: 20 minutes?",
        "email": "Hi {first_name},\n\nI am following up on my note after we met{at_event} on "
                 "{met_on}. Would a 20-minute call in the next weeks work for you? Any day "
                 "that suits you is fine.\n\nBest,\n{my_name}",
        "sms": "Hi {first_name}, {my_name} again (we met{at_event}). Do you have 20 minutes for "
               "a quick call this week or next?",
        "linkedin": "Hi {first_name}, following up on my note after we met{at_event}. Would a "
                    "short call in the next weeks work for you?",
    },
    "keep": {
        "email_subject": "Catching up",
        "email": "Hi {first_name},\n\nit has been a while since we last talked. How are "
                 "things going on your side? I would enjoy catching up over a call or a "
                 "coffee soon.\n\nBest,\n{my_name}",
        "sms": "Hi {first_name}, {my_name} here. It has been a while: how are things? Up for a "
               "quick call or a coffee soon?",
        "linkedin": "Hi {first_name}, it has been a while since we talked. How are things "
                    "going? It would be good to catch up.",
    },
}
_TEMPLATE_LIMITS = {"email_subject": 200, "email": 2000, "sms": 600, "linkedin": 600}


def template_name(stage: str, channel: str) -> str:
    """The setting holding a stage's message for a channel (the first note's keep their
    names from before messages had stages)."""
    return f"template_{channel}" if stage == "first" else f"template_{stage}_{channel}"


_TEMPLATE_SETTINGS = [
    Setting(
        template_name(stage, channel), label, _TEMPLATE_DEFAULTS[stage][channel],
        "Copied for pasting into LinkedIn, which takes no prefilled messages. " + _PLACEHOLDERS
        if channel == "linkedin" else _PLACEHOLDERS,
        _template(_TEMPLATE_LIMITS[channel]), "Messages",
        "line" if channel == "email_subject" else "text",
    )
    for stage in MESSAGE_STAGES for channel, label in MESSAGE_CHANNELS.items()
]

def _some(label: str, raw: Any, parts: Callable[[str], list[str]],
          clean: Callable[[str], str], what: str, limit: int = 20) -> list[str]:
    """The cleaned items of a list setting typed as text, each once, at most ``limit``."""
    if raw is None:
        return []
    if not isinstance(raw, str):
        raise SettingError(f"{label}: expected {what}.")
    found: list[str] = []
    for part in parts(raw):
        item = clean(part)
        if item not in found:
            found.append(item)
    if len(found) > limit:
        raise SettingError(f"{label}: at most {limit}.")
    return found


def _aliases(label: str, raw: Any) -> str:
    def clean(part: str) -> str:
        key = address_key(part)
        if key is None:
            raise SettingError(f"{label}: {quoted(part[:80])} is not an email address.")
        return key

    return ", ".join(_some(label, raw, lambda text: [p for p in re.split(r"[,;\s]+", text) if p],
                           clean, "email addresses separated by commas"))


def _folder_names(label: str, raw: Any) -> str:
    def clean(name: str) -> str:
        if len(name) > 200 or any(unicodedata.category(ch) in ("Cc", "Cf", "Cs") for ch in name):
            raise SettingError(f"{label}: {quoted(name[:80])} is not a folder name.")
        return name

    def lines(text: str) -> list[str]:
        return [n for n in (line.strip() for line in text.replace("\r\n", "\n").split("\n")) if n]

    return "\n".join(_some(label, raw, lines, clean, "folder names, one a line"))


# Default keep-in-touch cadence per kind of relationship, in days.
DEFAULT_CADENCES = {
    "customer": 30,
    "prospect": 14,
    "competitor": 90,
    "vendor": 90,
    "partner": 30,
    "colleague": 60,
    "press": 45,
    "other": 90,
}

_SETTINGS = [
    Setting(
        "timezone", "Your time zone", "UTC",
        "Days, streaks and due dates are counted in this zone (an IANA name such as Europe/Berlin).",
        _timezone, "You", "timezone",
    ),
    Setting(
        "phone_region", "Country for phone numbers", "US",
        "Phone numbers typed without + and a country code are read as numbers of this country.",
        _region, "You", "region",
    ),
    Setting(
        "weekly_target_minutes", "Weekly networking target (minutes)", 180,
        "Minutes of touches and events you aim for each week; 180 is three hours.",
        _int_between(0, 7 * 24 * 60, "minutes"), "You", "int",
    ),
    Setting(
        "ladder_gaps", "Persistence ladder (days between attempts)", [2, 4, 7, 14, 30],
        "After each attempt without a dialog, the next one is due after the next gap. "
        "After the last rung the queue suggests letting go.",
        _gaps, "Follow-up", "days",
    ),
    *[
        Setting(
            f"cadence_{kind}", f"Keep in touch: {label.lower()} (days)", DEFAULT_CADENCES[kind],
            f"After a dialog with someone of this kind ({label.lower()}), the next touch is "
            "due this many days later, unless the person has a cadence of their own.",
            _int_between(1, 730, "days"), "Follow-up", "int",
        )
        for kind, label in PERSON_KINDS.items()
    ],
    Setting(
        "triage_time", "Evening triage time", "19:00",
        "Each follow-up in your phone's calendar (FieldKit follow-ups) rings at this time "
        "on the day it is due.",
        _hhmm, "Follow-up", "time",
    ),
    Setting(
        "calling_hours_start", "Calling hours start", "09:00",
        "Call sessions hide people for whom it is earlier than this, in their own time zone.",
        _hhmm, "Calls", "time",
    ),
    Setting(
        "calling_hours_end", "Calling hours end", "17:00",
        "Call sessions hide people for whom it is later than this, in their own time zone.",
        _hhmm, "Calls", "time",
    ),
    *_CARD_SETTINGS,
    *_TEMPLATE_SETTINGS,
    Setting(
        "mail_sync_minutes", "Read the mailbox every (minutes)", 15,
        "While FieldKit runs, it reads what is new in your mailbox this often.",
        _int_between(5, 24 * 60, "minutes"), "Mailbox", "int",
    ),
    Setting(
        "mail_first_days", "First sync reads the last (days)", 90,
        "A mailbox read for the first time is read this many days back; older mail is left.",
        _int_between(1, 3650, "days"), "Mailbox", "int",
    ),
    Setting(
        "mail_aliases", "Your other email addresses", "",
        "Mail from these addresses is yours too (separate them with commas). The mailbox's "
        "own address always is.",
        _aliases, "Mailbox", "line",
    ),
    Setting(
        "mail_folders", "More folders to read", "",
        "INBOX and your Sent folder are always read; add other folders, one a line.",
        _folder_names, "Mailbox", "text",
    ),
    Setting(
        "sign_in_days", "Stay signed in (days)", 30,
        "With a password set, a phone or computer that signed in stays signed in this many "
        "days. Applies from the next sign-in.",
        _int_between(1, 365, "days"), "Privacy", "int",
    ),
]

SETTINGS: dict[str, Setting] = {s.name: s for s in _SETTINGS}


def defaults() -> dict[str, Any]:
    return {name: s.default for name, s in SETTINGS.items()}


def validate(values: Mapping[str, Any]) -> dict[str, Any]:
    """Parse raw values for known settings; raise SettingError on the first bad one."""
    parsed = {}
    for name, raw in values.items():
        setting = SETTINGS.get(name)
        if setting is None:
            raise SettingError(f"Unknown setting: {quoted(name)}.")
        parsed[name] = setting.parse(setting.label, raw)
    return parsed


def _check_together(values: Mapping[str, Any]) -> None:
    if values["calling_hours_start"] >= values["calling_hours_end"]:
        raise SettingError(
            "Calling hours: the start must be earlier than the end.",
            field="calling_hours_end",
        )


def _my_phone(values: Mapping[str, Any]) -> str:
    label = SETTINGS["my_phone"].label
    try:
        return normalise.phone(values["my_phone"], values["phone_region"]) or ""
    except ValidationError as exc:
        raise SettingError(f"{label}: {str(exc).partition(': ')[2]}", field="my_phone") from None


def load(db: Database) -> dict[str, Any]:
    """Every setting's current value: the stored one, else the default.

    A stored value that no longer validates (hand-edited, or from a newer
    version) is ignored in favour of the default rather than breaking a page.
    """
    values = defaults()
    for row in db.execute("SELECT name, value FROM settings").fetchall():
        name, text = row
        setting = SETTINGS.get(name)
        if setting is None:
            continue
        try:
            values[name] = setting.parse(setting.label, json.loads(text))
        except (ValueError, SettingError):
            continue
    try:
        _check_together(values)
    except SettingError:
        for name in ("calling_hours_start", "calling_hours_end"):
            values[name] = SETTINGS[name].default
    return values


def save(db: Database, changes: Mapping[str, Any]) -> dict[str, Any]:
    """Validate ``changes`` and store them in one transaction.

    All or nothing: a single bad value raises SettingError naming it, and no
    setting is changed. Returns every setting's value afterwards.
    """
    parsed = {}
    for name, raw in changes.items():
        try:
            parsed.update(validate({name: raw}))
        except SettingError as exc:
            raise SettingError(str(exc), field=name) from None
    with transaction(db):
        merged = {**load(db), **parsed}
        _check_together(merged)
        if parsed.get("my_phone"):
            # Read with the phone country being saved along, if it is.
            parsed["my_phone"] = merged["my_phone"] = _my_phone(merged)
        now = clock.now_iso()
        for name, value in parsed.items():
            db.execute(
                "INSERT INTO settings (name, value, updated_at) VALUES (?, ?, ?) "
                "ON CONFLICT (name) DO UPDATE SET value = excluded.value, "
                "updated_at = excluded.updated_at",
                [name, json.dumps(value), now],
            )
    return merged


def reset(db: Database, names: list[str] | None = None) -> dict[str, Any]:
    """Forget stored values so the defaults apply again (all settings when None).

    Refuses, changing nothing, when the result would not hold together (one
    calling hour reset past the other).
    """
    names = list(SETTINGS) if names is None else names
    with transaction(db):
        for name in names:
            if name not in SETTINGS:
                raise SettingError(f"Unknown setting: {quoted(name)}.", field=name)
            db.execute("DELETE FROM settings WHERE name = ?", [name])
        stored = {
            name: json.loads(value)
            for name, value in db.execute("SELECT name, value FROM settings").fetchall()
            if name in SETTINGS
        }
        try:
            _check_together({**defaults(), **validate(stored)})
        except (SettingError, ValueError) as exc:
            raise SettingError(f"Cannot restore only these defaults: {exc}") from None
    return load(db)


def mail_aliases(settings: Mapping[str, Any]) -> list[str]:
    """Your own addresses besides the mailbox's (the setting, as a list)."""
    return [a for a in settings.get("mail_aliases", "").split(", ") if a]


def mail_folders(settings: Mapping[str, Any]) -> list[str]:
    """The folders to read besides INBOX and Sent (the setting, as a list)."""
    return [f for f in settings.get("mail_folders", "").split("\n") if f]


def cadence_days(settings: Mapping[str, Any], kind: str) -> int:
    """The keep-in-touch cadence for a kind of relationship."""
    return settings.get(f"cadence_{kind}", DEFAULT_CADENCES.get(kind, DEFAULT_CADENCES["other"]))


def cadence(settings: Mapping[str, Any], person: Mapping[str, Any]) -> int:
    """A person's keep-in-touch cadence: their own (``cadence_days``), else their kind's."""
    return person["cadence_days"] or cadence_days(settings, person["kind"])
