"""Prefilled follow-up messages and the links that open the phone's own apps."""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import quote

from fieldkit import clock, config, labelled


# A word that leads to a value ("met at", "on"), left out with an empty value.
_LEAD_IN = re.compile(r"(?:\s+(?:at|on|in|from|with|of))?\s*$")


def stage(followup: Mapping) -> str:
    """Which messages suit a follow-up (config.MESSAGE_STAGES): the first note after
    meeting someone, a later attempt of the ladder, or keeping in touch.

    ``followup`` is a queue row (``reason``, ``rung``, ``met_today``) or a
    person's open follow-up; a next step agreed in a dialog keeps in touch.
    """
    if followup.get("reason") in ("keep_in_touch", "next_step"):
        return "keep"
    if followup.get("met_today") or (followup.get("rung") or 1) <= 1:
        return "first"
    return "later"


def needs_name(settings: Mapping) -> bool:
    """Whether messages wait for the user's name (asked before the first one goes out)."""
    return not (settings.get("my_name") or "").strip()


def fill(template: str, person: Mapping, settings: Mapping) -> str:
    """A template with this person's placeholders filled in.

    Templates were checked when saved (only known names, no attribute or
    index access); an unknown name reads as nothing. A placeholder with
    nothing to say takes the space and the word that lead to it along
    ("Ada Lovelace at {company}" reads "Ada Lovelace"): no message has a gap.
    """
    name = person.get("name") or ""
    met_on = ""
    if person.get("met_at"):
        met_on = clock.from_iso(person["met_at"]).astimezone(
            clock.zone(settings["timezone"])).strftime("%d %B").lstrip("0")
    values = {
        "first_name": name.split()[0] if name.split() else name,
        "name": name,
        "company": person.get("company") or "",
        "event": person.get("event") or "our meeting",
        "at_event": f" at {person['event']}" if person.get("event") else "",
        "met_on": met_on,
        "my_name": (settings.get("my_name") or "").strip(),
    }
    text = ""
    for literal, field, _, _ in string.Formatter().parse(template):
        text += literal
        if field is not None:
            value = values.get(field, "")
            text = text + value if value else _LEAD_IN.sub("", text)
    return text.strip()


@dataclass(frozen=True)
class Reach:
    """The ways to reach one person, each with its link or text."""

    email: str | None  # mailto: link with subject and body
    sms: str | None  # sms: link with the body
    call: str | None  # tel: link
    linkedin: str | None  # the profile URL
    linkedin_text: str  # to paste into LinkedIn, which takes no prefilled text


def reach(person: Mapping, settings: Mapping, stage: str = "first") -> Reach:
    """Links that open the phone's mail, messages and phone apps, prefilled with the
    ``stage``'s messages once the user's name is known (``needs_name``); before
    that they open empty, and there is no LinkedIn text."""
    def message(channel: str) -> str:
        return fill(settings[config.template_name(stage, channel)], person, settings)

    signed = not needs_name(settings)
    email = person.get("email")
    phone = labelled.dial(person.get("phone"))
    mailto = None
    if email:
        mailto = f"mailto:{quote(email, safe='@')}"
        if signed:
            mailto += (f"?subject={quote(message('email_subject'), safe='')}"
                       f"&body={quote(message('email'), safe='')}")
    sms = None
    if phone:
        # "?&body=" is read by both iOS and Android messaging apps. A text
        # goes to the number, never to an extension.
        sms = f"sms:{quote(phone.split(';')[0], safe='+')}"
        if signed:
            sms += f"?&body={quote(message('sms'), safe='')}"
    profile = person.get("linkedin_url")
    return Reach(
        email=mailto,
        sms=sms,
        # ";ext=42" is how a tel: link dials an extension (RFC 3966).
        call=f"tel:{quote(phone, safe='+;=')}" if phone else None,
        linkedin=profile if profile and profile.startswith("https://www.linkedin.com/in/")
        else None,
        linkedin_text=message("linkedin") if signed else "",
    )
