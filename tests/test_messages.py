"""fieldkit.messages: filled templates and the mailto:, sms:, tel: and LinkedIn links."""

import re
from datetime import date, datetime, timezone

import pytest

from fieldkit import config, events, messages, triage
from tests.factory import SETTINGS, save_card

GRACE = {**SETTINGS, "my_name": "Grace Hopper"}  # the user who signs the messages
ADA = {
    "name": "Ada Lovelace",
    "company": "Analytical Engines",
    "event": "Hannover Messe",
    "met_at": "2026-11-20T10:00:00Z",
    "email": "ada@example.com",
    "phone": "+4915112345678",
    "linkedin_url": "https://www.linkedin.com/in/ada",
}


def person(**changes) -> dict:
    return {**ADA, **changes}


# fill


@pytest.mark.parametrize(
    "name, first_name",
    [
        ("Ada Lovelace", "Ada"),
        ("Ada", "Ada"),
        ("Ada King Lovelace", "Ada"),
        ("  Ada   King ", "Ada"),
        ("José García", "José"),
        ("", ""),
        (None, ""),
    ],
)
def test_fill_first_name_is_first_word(name, first_name):
    assert messages.fill("[{first_name}]", person(name=name), GRACE) == f"[{first_name}]"


@pytest.mark.parametrize(
    "changes, expected",
    [
        ({}, "Hannover Messe"),
        ({"event": None}, "our meeting"),
        ({"event": ""}, "our meeting"),
        ({"event": "__absent__"}, "our meeting"),
    ],
)
def test_fill_event_falls_back_to_our_meeting(changes, expected):
    who = person(**changes)
    if who.get("event") == "__absent__":
        del who["event"]
    assert messages.fill("at {event}", who, GRACE) == f"at {expected}"


@pytest.mark.parametrize(
    "met_at, tz, met_on",
    [
        ("2026-11-20T10:00:00Z", "UTC", "20 November"),
        ("2026-03-05T10:00:00Z", "UTC", "5 March"),             # no leading zero
        ("2026-11-20T23:30:00Z", "Asia/Tokyo", "21 November"),  # 08:30 on the 21st
        ("2026-11-20T23:30:00Z", "America/New_York", "20 November"),
        ("2026-11-21T03:00:00Z", "America/New_York", "20 November"),  # 22:00 EST on the 20th
        ("2026-12-31T23:30:00Z", "Asia/Tokyo", "1 January"),
        (None, "UTC", None),
    ],
)
def test_fill_met_on_in_settings_zone(met_at, tz, met_on):
    settings = {**GRACE, "timezone": tz}
    filled = messages.fill("We met on {met_on}.", person(met_at=met_at), settings)
    assert filled == (f"We met on {met_on}." if met_on else "We met.")


@pytest.mark.parametrize(
    "template, changes, settings_changes, expected",
    [
        ("{name} at {company}", {}, {}, "Ada Lovelace at Analytical Engines"),
        ("{name} at {company}", {"company": None}, {}, "Ada Lovelace"),
        ("{name} of {company}, {my_name}", {"company": ""}, {"my_name": " "},
         "Ada Lovelace,"),
        ("Best, {my_name}", {}, {}, "Best, Grace Hopper"),
        ("Best, {my_name}", {}, {"my_name": ""}, "Best,"),
        ("Best,\n{my_name}", {}, {"my_name": None}, "Best,"),
        ("  Hi {first_name}  \n", {}, {}, "Hi Ada"),
        ("{{not a placeholder}} {first_name}", {}, {}, "{not a placeholder} Ada"),
    ],
    ids=["name_and_company", "no_company", "nothing_after_of", "my_name", "my_name_blank",
         "my_name_none",
         "stripped", "escaped_braces"],
)
def test_fill_placeholders(template, changes, settings_changes, expected):
    assert messages.fill(template, person(**changes), {**GRACE, **settings_changes}) == \
        expected


@pytest.mark.parametrize(
    "changes, template, expected",
    [
        ({"name": "{my_name} Smith"}, "{name} / {first_name} / {my_name}",
         "{my_name} Smith / {my_name} / Grace Hopper"),
        ({"company": "{0}"}, "at {company}", "at {0}"),
        ({"company": "{name.__class__}"}, "at {company}", "at {name.__class__}"),
        ({"event": "{event} {met_on}"}, "at {event}", "at {event} {met_on}"),
        ({"name": "Ada {first_name}"}, "Hi {name}", "Hi Ada {first_name}"),
    ],
    ids=["name_with_my_name", "company_with_index", "company_with_attribute",
         "event_with_placeholders", "name_with_first_name"],
)
def test_fill_inserts_person_text_literally(changes, template, expected):
    assert messages.fill(template, person(**changes), GRACE) == expected


def test_fill_default_templates():
    assert messages.fill(GRACE["template_sms"], ADA, GRACE) == (
        "Hi Ada, Grace Hopper here, we met at Hannover Messe on 20 November. Would you have "
        "20 minutes for a quick call this week?")
    assert messages.fill(GRACE["template_email"], ADA, GRACE) == (
        "Hi Ada,\n\nit was good to meet you at Hannover Messe on 20 November. I would love "
        "to hear more about how you work. Would you have 20 minutes for a call or a coffee "
        "in the next weeks?\n\nBest,\nGrace Hopper")
    # Met outside an event: {at_event} reads as nothing, {event} as "our meeting".
    assert messages.fill(GRACE["template_email_subject"], person(event=None), GRACE) \
        == "Great to meet you"
    assert messages.fill("At {event}{at_event}.", person(event=None), GRACE) \
        == "At our meeting."
    assert messages.fill("Seen{at_event}.", ADA, GRACE) == "Seen at Hannover Messe."


# reach

ESCAPING = {
    **GRACE,
    "template_email_subject": "Q&A? #1 at {event}",
    "template_email": "Hi {first_name},\nsee you & bye?\n#{my_name}",
    "template_sms": "Hi {first_name} & co #1?",
    "template_linkedin": "Hi {first_name} from {my_name}",
}


def test_reach_mailto_percent_encodes_subject_body_and_address():
    links = messages.reach(person(email="ada+fk@example.com"), ESCAPING)
    assert links.email == (
        "mailto:ada%2Bfk@example.com"
        "?subject=Q%26A%3F%20%231%20at%20Hannover%20Messe"
        "&body=Hi%20Ada%2C%0Asee%20you%20%26%20bye%3F%0A%23Grace%20Hopper")


def test_reach_mailto_with_default_templates():
    links = messages.reach(person(event=None, met_at=None), GRACE)
    assert links.email == (
        "mailto:ada@example.com?subject=Great%20to%20meet%20you"
        "&body=Hi%20Ada%2C%0A%0Ait%20was%20good%20to%20meet%20you."
        "%20I%20would%20love%20to%20hear%20more%20about%20how%20you%20work."
        "%20Would%20you%20have%2020%20minutes%20for%20a%20call%20or%20a%20coffee%20in"
        "%20the%20next%20weeks%3F%0A%0ABest%2C%0AGrace%20Hopper")


@pytest.mark.parametrize("my_name", ["", "  ", None])
def test_reach_without_the_users_name_opens_the_apps_with_no_message(my_name):
    links = messages.reach(ADA, {**GRACE, "my_name": my_name})
    assert messages.needs_name({**GRACE, "my_name": my_name})
    assert (links.email, links.sms, links.call, links.linkedin_text) == (
        "mailto:ada@example.com", "sms:+4915112345678", "tel:+4915112345678", "")


def test_reach_sms_uses_question_ampersand_body():
    links = messages.reach(ADA, ESCAPING)
    assert links.sms == "sms:+4915112345678?&body=Hi%20Ada%20%26%20co%20%231%3F"


def test_reach_encodes_non_ascii_as_utf8():
    links = messages.reach(person(name="Zoë Ünal"), ESCAPING)
    assert links.sms == "sms:+4915112345678?&body=Hi%20Zo%C3%AB%20%26%20co%20%231%3F"


def test_reach_tel_link():
    assert messages.reach(ADA, GRACE).call == "tel:+4915112345678"


def test_reach_linkedin_text_is_filled():
    assert messages.reach(ADA, ESCAPING).linkedin_text == "Hi Ada from Grace Hopper"


def test_reach_person_text_with_braces_goes_into_links_literally():
    links = messages.reach(person(name="{my_name} {0}"), ESCAPING)
    assert links.sms == "sms:+4915112345678?&body=Hi%20%7Bmy_name%7D%20%26%20co%20%231%3F"
    assert links.linkedin_text == "Hi {my_name} from Grace Hopper"


@pytest.mark.parametrize(
    "url, link",
    [
        ("https://www.linkedin.com/in/ada", "https://www.linkedin.com/in/ada"),
        ("https://www.linkedin.com/in/ada-42/", "https://www.linkedin.com/in/ada-42/"),
        ("https://www.linkedin.com/company/analytical", None),
        ("http://www.linkedin.com/in/ada", None),
        ("https://linkedin.com/in/ada", None),
        ("https://www.linkedin.com.evil.example/in/ada", None),
        ("javascript:alert(1)//https://www.linkedin.com/in/ada", None),
        ("", None),
        (None, None),
    ],
)
def test_reach_linkedin_only_for_profile_urls(url, link):
    assert messages.reach(person(linkedin_url=url), GRACE).linkedin == link


@pytest.mark.parametrize(
    "changes, present",
    [
        ({}, {"email", "sms", "call", "linkedin"}),
        ({"email": None}, {"sms", "call", "linkedin"}),
        ({"email": ""}, {"sms", "call", "linkedin"}),
        ({"phone": None}, {"email", "linkedin"}),
        ({"linkedin_url": None}, {"email", "sms", "call"}),
        ({"email": None, "phone": None, "linkedin_url": None}, set()),
    ],
)
def test_reach_none_for_missing_channels(changes, present):
    links = messages.reach(person(**changes), GRACE)
    found = {name for name in ("email", "sms", "call", "linkedin")
             if getattr(links, name) is not None}
    assert found == present
    assert links.linkedin_text == (
        "Hi Ada, great meeting you at Hannover Messe. Let's stay in touch!")


def test_reach_from_a_queue_row(db):
    event = events.create(db, {
        "name": "Web Summit", "kind": "conference", "tz": "Europe/Lisbon",
        "starts": datetime(2026, 11, 10, 9, 0), "ends": datetime(2026, 11, 13, 18, 0),
    }, now=datetime(2026, 11, 1, tzinfo=timezone.utc))
    save_card(db, phone="+49 151 12345678", email="Ada@Example.com", settings=GRACE,
              event_id=event, at=datetime(2026, 11, 11, 23, 30, tzinfo=timezone.utc))
    (row,) = triage.due(db, date(2026, 11, 12), ladder_gaps=GRACE["ladder_gaps"])
    tokyo = {**GRACE, "timezone": "Asia/Tokyo", "template_sms": "{event}, {met_on}"}
    links = messages.reach(row, tokyo)
    assert links.sms == "sms:+4915112345678?&body=Web%20Summit%2C%2012%20November"
    assert links.email.startswith("mailto:Ada@example.com?subject=Great%20to%20meet%20you%20at"
                                  "%20Web%20Summit&body=")
    assert links.linkedin is None


def test_reach_dials_an_extension_and_texts_the_number():
    ways = messages.reach({"name": "Ada", "phone": "+16502530000;ext=42", "email": None,
                           "linkedin_url": None, "company": None}, GRACE)
    assert ways.call == "tel:+16502530000;ext=42"
    assert ways.sms.startswith("sms:+16502530000?&body=")


# stages


@pytest.mark.parametrize(
    "followup, expected",
    [
        ({"reason": "ladder", "rung": 1}, "first"),
        ({"reason": "ladder", "rung": 1, "met_today": True}, "first"),
        ({"reason": "ladder", "rung": None}, "first"),
        ({"reason": "ladder", "rung": 2}, "later"),
        ({"reason": "ladder", "rung": 6}, "later"),
        ({"reason": "ladder", "rung": 9}, "later"),  # past the last rung
        ({"reason": "keep_in_touch", "rung": 1}, "keep"),
        ({"reason": "keep_in_touch", "rung": 1, "met_today": True}, "keep"),  # met again
        ({"reason": "next_step", "rung": None}, "keep"),
    ],
)
def test_stage_of_a_followup(followup, expected):
    assert messages.stage(followup) == expected


@pytest.mark.parametrize("stage", list(config.MESSAGE_STAGES))
def test_reach_fills_the_stages_own_messages(stage):
    settings = {**GRACE, **{config.template_name(stage, channel): f"{stage} {channel} {{first_name}}"
                            for channel in config.MESSAGE_CHANNELS}}
    links = messages.reach(ADA, settings, stage)
    assert links.email == (f"mailto:ada@example.com?subject={stage}%20email_subject%20Ada"
                           f"&body={stage}%20email%20Ada")
    assert links.sms == f"sms:+4915112345678?&body={stage}%20sms%20Ada"
    assert links.linkedin_text == f"{stage} linkedin Ada"


# Two spaces, a space at either end of a line or before punctuation, a sentence
# ending on "at" or "on", a last line ending on a comma, a brace left over.
GAPS = re.compile(r"  |^[ \t]|[ \t]$| [,.!?;:]|\b(?:at|on|of|from|with)[,.!?]|[,;:]\s*\Z|[{}]",
                  re.MULTILINE)


@pytest.mark.parametrize("stage", list(config.MESSAGE_STAGES))
@pytest.mark.parametrize("channel", list(config.MESSAGE_CHANNELS))
@pytest.mark.parametrize("changes", [{}, {"event": None}, {"company": None, "event": ""},
                                     {"met_at": None, "event": None}, {"name": "Cher"}],
                         ids=["all", "no_event", "no_company", "no_meeting", "one_name"])
def test_no_default_message_has_a_gap(stage, channel, changes):
    template = config.SETTINGS[config.template_name(stage, channel)].default
    filled = messages.fill(template, person(**changes), GRACE)
    assert not GAPS.search(filled), filled
    assert "Grace Hopper" in filled or "{my_name}" not in template
