"""Hostile input to every validator and the search box: a clear error or success, never a crash.

Each test feeds generated values (any code points, nasty pieces, very long
text, values of the wrong type) through the core as a page would, against
one database file, and checks with ``hostile.attempt`` that a refusal is a
FieldkitError with one readable line and leaves the file byte-for-byte as
it was.
"""

import re
import unicodedata
from datetime import datetime, timedelta, timezone

import pytest
from hostile import (
    FEW, HOSTILE, NOW, assert_clear, attempt, hostile_text, maybe_text, odd_value,
)
from hypothesis import given
from hypothesis import strategies as st

from fieldkit import (
    calls,
    cards,
    checkins,
    config,
    debriefs,
    events,
    followups,
    messages,
    normalise,
    people,
)
from fieldkit.errors import FieldkitError, NotFound, SettingError, ValidationError
from fieldkit.kinds import EVENT_KINDS, PERSON_KINDS

ZONES = ["UTC", "Europe/Berlin", "America/Los_Angeles", "Asia/Kathmandu", "Pacific/Kiritimati",
         "Australia/Lord_Howe"]
zone_name = st.one_of(st.sampled_from(ZONES), hostile_text)
region = st.one_of(st.sampled_from(["US", "DE", "GB", "JP", "us"]), st.none(), hostile_text)


def refused_cleanly(call, *args, **kwargs):
    """``call``'s result, or None when it raised a clear FieldkitError."""
    try:
        return call(*args, **kwargs)
    except FieldkitError as exc:
        assert_clear(exc)
        return None


# ---------------------------------------------------------------- normalise

@HOSTILE
@given(value=hostile_text, limit=st.integers(1, 5000), multiline=st.booleans())
def test_text_any_input_is_clean_or_refused(value, limit, multiline):
    cleaned = refused_cleanly(normalise.text, value, "note", label="Note", limit=limit,
                              multiline=multiline)
    if cleaned is None:
        return
    assert 0 < len(cleaned) <= limit and cleaned == cleaned.strip()
    allowed = "\n\t" if multiline else ""
    assert not any(unicodedata.category(ch) in {"Cc", "Cf", "Cs", "Co", "Cn"}
                   and ch not in allowed for ch in cleaned)
    assert cleaned.encode("utf-8")  # storable: no lone surrogate left


@HOSTILE
@given(value=odd_value)
def test_text_wrong_types_are_refused(value):
    refused_cleanly(normalise.text, value, "name", label="Name", limit=200)


@pytest.mark.parametrize("clean", [normalise.email, normalise.linkedin, normalise.website,
                                   normalise.match_key, normalise.tags])
@HOSTILE
@given(value=maybe_text)
def test_field_cleaners_any_text_is_clean_or_refused(clean, value):
    result = refused_cleanly(clean, value)
    if isinstance(result, str):
        result.encode("utf-8")


@HOSTILE
@given(value=maybe_text, region=region)
def test_phone_any_text_is_e164_or_refused(value, region):
    result = refused_cleanly(normalise.phone, value, region)
    assert result is None or (result.startswith("+") and result[1:].isdigit())


@HOSTILE
@given(value=st.lists(maybe_text, max_size=30))
def test_tags_any_list_is_clean_or_refused(value):
    result = refused_cleanly(normalise.tags, value)
    assert result is None or (len(result) <= 20 and all(0 < len(t) <= 40 for t in result))


@HOSTILE
@given(value=hostile_text)
def test_linkedin_link_around_any_text_is_clean_or_refused(value):
    for form in (f"linkedin.com/in/{value}", f"https://{value}.linkedin.com/in/x",
                 f"https://www.linkedin.com/{value}"):
        result = refused_cleanly(normalise.linkedin, form)
        assert result is None or result.startswith("https://www.linkedin.com/in/")


# ---------------------------------------------------------------- cards

card_fields = st.fixed_dictionaries({}, optional={
    **{name: maybe_text for name in ("name", "department", "company", "title", "email",
                                     "phone", "linkedin_url", "website", "note")},
    "kind": st.one_of(st.sampled_from(list(PERSON_KINDS)), maybe_text),
    "tags": st.one_of(maybe_text, st.lists(maybe_text, max_size=25)),
    "important": odd_value,
})


def _save_card(db, fields, region):
    # Not tests.factory.save_card: the hostile fields reach cards.clean as drawn, name or none.
    card = cards.clean(fields, phone_region=region)
    return cards.save(db, card, settings=config.load(db), now=NOW)


@HOSTILE
@given(fields=card_fields, region=region)
def test_card_any_fields_save_or_change_nothing(db, fields, region):
    person_id = attempt(db, _save_card, db, fields, region)
    if person_id is not None:
        stored = cards.person_row(db, person_id)
        assert stored["name"] and len(stored["name"]) <= 200


@FEW
@given(fields=card_fields, cadence=odd_value, tz=st.one_of(zone_name, st.none()))
def test_card_update_any_fields_or_change_nothing(sample_day_db, fields, cadence, tz):
    db = sample_day_db
    person_id = db.execute("SELECT min(id) FROM people").fetchone()[0]

    def edit():
        card = cards.clean(fields, phone_region="US")
        people.update(db, person_id, card, cadence_days=cadence, tz=tz)

    attempt(db, edit)


# ---------------------------------------------------------------- events

moment = st.one_of(st.datetimes(), st.datetimes(timezones=st.just(timezone.utc)), odd_value)
event_fields = st.fixed_dictionaries(
    {"name": maybe_text, "kind": st.one_of(st.sampled_from(list(EVENT_KINDS)), odd_value),
     "tz": st.one_of(zone_name, odd_value), "starts": moment, "ends": moment},
    optional={"venue": maybe_text, "city": maybe_text, "notes": maybe_text,
              "goal_new_people": odd_value, "goal_competitors": odd_value},
)


@HOSTILE
@given(fields=event_fields)
def test_event_any_fields_create_or_change_nothing(db, fields):
    event_id = attempt(db, events.create, db, fields, now=NOW)
    if event_id is not None:
        event = events.get(db, event_id)
        assert event["ends_at"] >= event["starts_at"]
        events.when(event)


@FEW
@given(fields=event_fields)
def test_event_update_any_fields_or_change_nothing(sample_day_db, fields):
    db = sample_day_db
    event_id = db.execute("SELECT min(id) FROM events").fetchone()[0]
    attempt(db, events.update, db, event_id, fields)


@FEW
@given(event_id=st.integers())
def test_checkin_any_event_id_or_change_nothing(sample_day_db, event_id):
    attempt(sample_day_db, checkins.check_in, sample_day_db, event_id, now=NOW)


# ---------------------------------------------------------------- settings and templates

setting_value = st.one_of(odd_value, st.lists(odd_value, max_size=14),
                          st.sampled_from(["09:00", "23:59", "2, 4, 7", "DE", "Europe/Berlin"]),
                          st.times())
template = st.lists(st.one_of(
    hostile_text,
    st.sampled_from([f"{{{name}}}" for name in config.TEMPLATE_FIELDS]),
    st.builds("{{{}{}{}}}".format, st.sampled_from(config.TEMPLATE_FIELDS),
              st.sampled_from(["", "!r", "!s", "!a", "!x", "!"]),
              st.sampled_from(["", ":", ":>20", ":d", ":>999999999", ":{name}", ":.3",
                               ":%Y", ":,", "[0]", ".upper", "[x]"])),
), max_size=6).map("".join)


@HOSTILE
@given(name=st.sampled_from(sorted(config.SETTINGS)), value=setting_value)
def test_setting_any_value_saves_or_changes_nothing(db, name, value):
    saved = attempt(db, config.save, db, {name: value})
    if saved is not None:
        assert config.load(db)[name] == saved[name]


# What a stored person's name and company, or an event's name, can hold: text
# the core cleaned on the way in, at most 200 characters.
stored_text = maybe_text.map(
    lambda t: normalise.text(t and t[:200], "x", label="X", limit=200))


@HOSTILE
@given(name=st.sampled_from([n for n in config.SETTINGS if n.startswith("template_")]),
       text=template, person=st.fixed_dictionaries(
           {"name": stored_text, "company": stored_text, "event": stored_text,
            "email": st.just("a@example.com"), "phone": st.just("+4930123456"),
            "linkedin_url": maybe_text, "met_at": st.just("2026-11-20T10:00:00Z")}))
def test_template_any_text_saves_and_fills_or_changes_nothing(db, name, text, person):
    if attempt(db, config.save, db, {name: text}) is None:
        return
    settings = config.load(db)
    filled = messages.fill(settings[name], person, settings)
    assert len(filled) <= 20_000
    messages.reach(person, settings)


# ---------------------------------------------------------------- follow-ups, debriefs, calls

def _someone(db) -> int:
    return db.execute("SELECT min(id) FROM people WHERE status = 'active'").fetchone()[0]


@FEW
@given(channel=st.one_of(st.sampled_from(list(followups.ATTEMPT_CHANNELS)), hostile_text),
       note=maybe_text, minutes=odd_value, dialog=st.booleans())
def test_attempt_or_dialog_any_note_and_minutes_or_change_nothing(sample_day_db, channel, note,
                                                                  minutes, dialog):
    db = sample_day_db
    log = followups.log_dialog if dialog else followups.log_attempt
    attempt(db, log, db, _someone(db), channel, config.load(db), now=NOW, note=note,
            minutes=minutes)


@FEW
@given(until=st.one_of(st.dates(), st.datetimes(), odd_value,
                       st.integers(-400, 400).map(lambda n: NOW.date() + timedelta(days=n))),
       followup_id=st.one_of(st.none(), st.integers(-(2 ** 63), 2 ** 63 - 1)))
def test_snooze_any_day_or_change_nothing(sample_day_db, until, followup_id):
    db = sample_day_db
    attempt(db, followups.snooze, db, _someone(db), until, now=NOW, tz="Europe/Berlin",
            followup_id=followup_id)


@FEW
@given(note=maybe_text)
def test_declined_any_note_or_change_nothing(sample_day_db, note):
    db = sample_day_db
    done = attempt(db, followups.declined, db, _someone(db), now=NOW, note=note)
    if done is not None:
        followups.undo(db, done.person_id, now=NOW)


debrief_input = st.fixed_dictionaries({
    "validated": st.lists(st.integers(0, 5), max_size=3),
    "invalidated": st.lists(st.integers(0, 5), max_size=3),
    "why_not_us": maybe_text, "next_step": maybe_text,
    "next_step_on": st.one_of(st.none(), st.dates(), st.datetimes()),
})


@FEW
@given(form=debrief_input, note=maybe_text)
def test_debrief_any_form_or_change_nothing(sample_day_db, form, note):
    db = sample_day_db

    def log():
        debrief = debriefs.clean(**form, today=NOW.date())
        return followups.log_dialog(db, _someone(db), "coffee", config.load(db), now=NOW,
                                    note=note, debrief=debrief)

    attempt(db, log)


@HOSTILE
@given(text=odd_value)
def test_assumption_any_text_or_change_nothing(db, text):
    attempt(db, debriefs.add_assumption, db, text, now=NOW)
    attempt(db, debriefs.add_assumption, db, text, now=NOW)  # the same words twice


@FEW
@given(outcome=st.one_of(st.sampled_from(list(calls.OUTCOMES)), hostile_text),
       note=maybe_text, minutes=odd_value,
       kinds=st.one_of(st.none(), hostile_text, st.lists(st.sampled_from(list(PERSON_KINDS)))))
def test_call_any_outcome_note_and_audience_or_change_nothing(sample_day_db, outcome, note,
                                                              minutes, kinds):
    db = sample_day_db
    session_id = attempt(db, calls.start, db, {"kinds": kinds, "due_only": False}, now=NOW)
    if session_id is not None:
        attempt(db, calls.record, db, session_id, _someone(db), outcome, config.load(db),
                minutes=minutes, note=note, now=NOW)


# ---------------------------------------------------------------- the search box

@HOSTILE
@given(query=hostile_text, tag=st.one_of(st.none(), hostile_text), pick=st.integers(0, 10**6))
def test_search_any_query_never_fails_and_noise_around_a_name_still_finds_them(
        sample_day_db, query, tag, pick):
    found, total = people.search(sample_day_db, people.Filters(query=query, tag=tag))
    assert isinstance(total, int) and len(found) <= total
    assert all(person["status"] != "merged" for person in found)
    # The query's noise around someone's name (noise with no word in it: quotes, operators,
    # control characters) finds them all the same; noise with words narrows the search.
    ids = [i for (i,) in sample_day_db.execute("SELECT id FROM people WHERE status != 'merged' "
                                               "ORDER BY id")]
    person_id = ids[pick % len(ids)]
    (name,) = sample_day_db.execute("SELECT name FROM people WHERE id = ?", [person_id]).fetchone()
    noisy, count = people.search(sample_day_db, people.Filters(query=f"{query} {name} {query}"),
                                 limit=len(ids))
    if not re.search(r"\w", unicodedata.normalize("NFC", query)):
        assert person_id in {person["id"] for person in noisy}, (query, name)
    assert len(noisy) == count


@FEW
@given(decoration=st.sampled_from(['"{}"', "{}*", "-{}", "^{}", "{}\x00", "'{}'",
                                   "({}", '{}")', "{}:", "+{}", "{} * ", "«{}»"]))
def test_search_operators_around_a_name_still_find_it(sample_day_db, decoration):
    db = sample_day_db
    name = db.execute("SELECT name FROM people WHERE status != 'merged' "
                      "ORDER BY id LIMIT 1").fetchone()[0]
    word = name.split()[0]
    found, _ = people.search(db, people.Filters(query=decoration.format(word)), limit=10_000)
    assert name in {row["name"] for row in found}


@FEW
@given(person_id=st.integers())
def test_person_any_id_is_found_or_not_found(sample_day_db, person_id):
    refused_cleanly(people.person, sample_day_db, person_id)


def test_search_huge_query_answers(sample_day_db):
    found, total = people.search(sample_day_db, people.Filters(query="a " * 500_000))
    assert len(found) == min(total, people.PAGE_SIZE)


def test_too_long_note_is_refused_with_its_limit(db):
    with pytest.raises(ValidationError, match=r"Note is too long \(4,001 characters; at most 4,000\)"):
        cards.clean({"name": "Ada", "note": "x" * 4001})


@pytest.mark.parametrize("starts, ends, tz", [
    (datetime.min, datetime(2026, 1, 1), "Pacific/Kiritimati"),  # before year 1 in UTC
    (datetime(2026, 1, 1), datetime.max, "America/Los_Angeles"),  # after year 9999 in UTC
    (datetime(999, 5, 1), datetime(2026, 1, 1), "UTC"),  # a three-digit year sorts wrong
])
def test_event_outside_the_years_is_refused(db, starts, ends, tz):
    fields = {"name": "Expo", "kind": "meetup", "tz": tz, "starts": starts, "ends": ends}
    with pytest.raises(ValidationError, match=r"choose a year from 1900 to 2199"):
        events.create(db, fields)


@pytest.mark.parametrize("goal", [float("inf"), float("-inf"), float("nan"), 10 ** 400, [1]])
def test_event_goal_that_is_no_number_is_refused(goal):
    fields = {"name": "Expo", "kind": "meetup", "tz": "UTC", "starts": datetime(2026, 1, 1, 9),
              "ends": datetime(2026, 1, 1, 17), "goal_new_people": goal}
    with pytest.raises(ValidationError, match=r"^New people to meet: "):
        events.clean(fields)


@pytest.mark.parametrize("person_id", [2 ** 63, -(2 ** 70), 0, True])
def test_person_id_out_of_range_is_not_found(sample_day_db, person_id):
    with pytest.raises(NotFound):
        people.person(sample_day_db, person_id)


@pytest.mark.parametrize("text", ["Hi {first_name:d}", "{name!r}", "{name:>999999999}",
                                  "{name:{first_name}}", "{name!s:}"])
def test_template_with_a_format_spec_is_refused(db, text):
    with pytest.raises(SettingError, match=r"^Text message: write placeholders plainly"):
        attempt(db, config.save, db, {"template_sms": text})
        config.save(db, {"template_sms": text})


def test_template_with_a_lone_surrogate_still_makes_links(db):
    settings = config.save(db, {"my_name": "Grace", "template_sms": "Hi {first_name}\ud800\x07!"})
    assert settings["template_sms"] == "Hi {first_name}!"
    assert messages.reach({"name": "Ada", "phone": "+4930123456"}, settings).sms.endswith("Hi%20Ada%21")


def test_declined_note_too_long_is_refused(sample_day_db):
    with pytest.raises(ValidationError, match=r"^Note is too long"):
        followups.declined(sample_day_db, _someone(sample_day_db), now=NOW, note="x" * 4001)


@pytest.mark.parametrize("value, shown", [
    ("Mars/Olympus", "“Mars/Olympus”"), ("a\x00b\u202e", "“a b”"), ("x" * 500, "“" + "x" * 39 + "…”"),
    (["\x1f"], "“”"),
])
def test_quoted_values_are_short_and_plain(value, shown):
    assert normalise.quoted(value) == shown
