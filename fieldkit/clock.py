"""Time as FieldKit stores it: UTC ISO-8601 instants and plain calendar dates.

Instants are stored as ``YYYY-MM-DDTHH:MM:SSZ`` so that text order is time
order; they are shown in the user's or the event's time zone.
"""

from __future__ import annotations

import functools
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from fieldkit.errors import ValidationError
from fieldkit.normalise import quoted

ISO_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def utc_now() -> datetime:
    """The current instant, aware, in UTC, to the second."""
    return datetime.now(timezone.utc).replace(microsecond=0)


def to_iso(moment: datetime) -> str:
    """Store an aware datetime as UTC text; naive datetimes are refused."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: attach a time zone before storing")
    return moment.astimezone(timezone.utc).strftime(ISO_FORMAT)


def from_iso(text: str) -> datetime:
    """Read a stored instant back as an aware UTC datetime."""
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError(f"stored instant without a time zone: {text!r}")
    return moment.astimezone(timezone.utc)


def now_iso() -> str:
    return to_iso(utc_now())


def zone(name: str) -> ZoneInfo:
    """The IANA time zone ``name``, or a ValidationError naming it."""
    if not name or name != name.strip() or name.startswith("/") or ".." in name:
        raise ValidationError(f"Unknown time zone: {quoted(name)}", field="timezone")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ValidationError(f"Unknown time zone: {quoted(name)}", field="timezone") from None


def local_date(moment: datetime | str, tz: str) -> date:
    """The calendar day an instant falls on in time zone ``tz``."""
    if isinstance(moment, str):
        moment = from_iso(moment)
    elif moment.tzinfo is None:
        raise ValueError("naive datetime: attach a time zone first")
    return moment.astimezone(zone(tz)).date()


def today(tz: str) -> date:
    """Today's date in time zone ``tz``."""
    return local_date(utc_now(), tz)


_LEGACY_PREFIXES = ("Etc/", "US/", "SystemV/", "posix/", "right/", "Brazil/", "Canada/",
                    "Chile/", "Mexico/")


def timezone_names() -> list[str]:
    """IANA zone names for pickers: Area/City names and UTC, sorted.

    Legacy aliases (US/Eastern, GB, Etc/GMT+1) and the server's own
    "localtime" stay valid when typed but are not offered.
    """
    return list(_timezone_names())


@functools.cache
def _timezone_names() -> tuple[str, ...]:
    # available_timezones() walks the zone files on disk: once per process.
    return tuple(sorted(
        name for name in available_timezones()
        if name == "UTC" or ("/" in name and not name.startswith(_LEGACY_PREFIXES))
    ))
