"""Prefilled follow-up messages and the links that open the phone's own apps."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import quote

from fieldkit import clock


class _Blank(dict):
    """Placeholders without a value read as nothing rather than failing."""

    def __missing__(self, key: str) -> str:
        return ""


def fill(template: str, person: Mapping, settings: Mapping) -> str:
    """A template with this person's placeholders filled in.

    Templates were checked when saved (only known names, no attribute or
    index access), so formatting cannot reach into objects.
    """
    name = person.get("name") or ""
    met_on = ""
    if person.get("met_at"):
        met_on = clock.from_iso(person["met_at"]).astimezone(
            clock.zone(settings["timezone"])).strftime("%d %B").lstrip("0")
    values = _Blank(
        first_name=name.split()[0] if name.split() else name,
        name=name,
        company=person.get("company") or "",
        event=person.get("event") or "our meeting",
        at_event=f" at {person['event']}" if person.get("event") else "",
        met_on=met_on,
        my_name=settings.get("my_name") or "",
    )
    return template.format_map(values).strip()


@dataclass(frozen=True)
class Reach:
    """The ways to reach one person, each with its link or text."""

    email: str | None  # mailto: link with subject and body
    sms: str | None  # sms: link with the body
    call: str | None  # tel: link
    linkedin: str | None  # the profile URL
    linkedin_text: str  # to paste into LinkedIn, which takes no prefilled text


def reach(person: Mapping, settings: Mapping) -> Reach:
    """Links that open the phone's mail, messages and phone apps, prefilled."""
    email = person.get("email")
    phone = person.get("phone")
    mailto = None
    if email:
        subject = fill(settings["template_email_subject"], person, settings)
        body = fill(settings["template_email"], person, settings)
        mailto = (f"mailto:{quote(email, safe='@')}?subject={quote(subject, safe='')}"
                  f"&body={quote(body, safe='')}")
    sms = None
    if phone:
        body = fill(settings["template_sms"], person, settings)
        # "?&body=" is read by both iOS and Android messaging apps. A text
        # goes to the number, never to an extension.
        sms = f"sms:{quote(phone.split(';')[0], safe='+')}?&body={quote(body, safe='')}"
    profile = person.get("linkedin_url")
    return Reach(
        email=mailto,
        sms=sms,
        # ";ext=42" is how a tel: link dials an extension (RFC 3966).
        call=f"tel:{quote(phone, safe='+;=')}" if phone else None,
        linkedin=profile if profile and profile.startswith("https://www.linkedin.com/in/")
        else None,
        linkedin_text=fill(settings["template_linkedin"], person, settings),
    )
