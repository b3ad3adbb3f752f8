"""The Calls page driven through its real widgets against a temporary database."""

from datetime import datetime, timezone

from apptest import rows, run_page

from fieldkit import cards, config, db

PAGE = "pages/calls.py"


def zone_at(hour: int) -> str:
    """A fixed-offset zone where it is ``hour`` o'clock (give or take the minutes) now."""
    offset = (hour - datetime.now(timezone.utc).hour + 12) % 24 - 12  # -12 .. +11
    return "UTC" if offset == 0 else f"Etc/GMT{-offset:+d}"  # Etc/GMT-9 is UTC+9


def add(path, name, tz, phone="+4915123456789", kind="customer") -> int:
    with db.connect(path) as conn:
        settings = config.load(conn)
        card = cards.clean({"name": name, "kind": kind, "phone": phone})
        person_id = cards.save(conn, card, settings=settings)
        conn.execute("UPDATE people SET tz = ? WHERE id = ?", [tz, person_id])
    return person_id


def button(at, label):
    return next(b for b in at.button if b.label == label)


def toggle(at, label):
    return next(t for t in at.toggle if t.label == label)


def markdown(at) -> str:
    return "\n".join(m.value for m in at.markdown)


def tap(at, label):
    button(at, label).click()
    at.run()
    assert not at.exception, at.exception


def test_calls_page_runs_on_sample_data(sample_db):
    at = run_page(PAGE)
    assert at.title[0].value == "Calls"
    assert at.selectbox[0].value == "customer"
    assert any(b.label.startswith("Start a call session") for b in at.button)


def test_list_hides_people_outside_calling_hours_until_asked(app_db):
    add(app_db, "Nadia Noon", zone_at(12))
    add(app_db, "Otto Owl", zone_at(2))
    add(app_db, "Pia Prospect", zone_at(12), kind="prospect")
    add(app_db, "Quinn Nophone", zone_at(12), phone=None)
    at = run_page(PAGE)
    text = markdown(at)
    assert "Nadia Noon" in text and "Quinn Nophone" in text
    assert "Otto Owl" not in text and "Pia Prospect" not in text
    assert text.index("Nadia Noon") < text.index("Quinn Nophone")  # no phone: last
    assert "no phone" in text
    assert any("1 outside calling hours hidden" in c.value for c in at.caption)
    assert button(at, "Start a call session (1 to call)")
    toggle(at, "Show people outside calling hours").set_value(True)
    at.run()
    assert "Otto Owl" in markdown(at)
    assert button(at, "Start a call session (2 to call)")
    at.selectbox[0].set_value("any")
    at.run()
    assert "Pia Prospect" in markdown(at)


def test_session_logs_one_tap_outcomes_and_ends_with_the_funnel(sample_db):
    at = run_page(PAGE)
    toggle(at, "Show people outside calling hours").set_value(True)  # any time of day
    at.run()
    next(b for b in at.button if b.label.startswith("Start a call session")).click()
    at.run()
    assert not at.exception
    session_id = at.session_state["calls_session"]
    assert rows(sample_db, "SELECT audience, ended_at FROM call_sessions WHERE id = ?",
                [session_id]) == [('{"kinds": ["customer"], "due_only": false}', None)]

    (call,) = at.get("link_button")
    assert call.proto.url.startswith("tel:+") and call.proto.label.startswith("Call ")
    tap(at, "No answer")
    assert "No answer from" in at.success[0].value
    tap(at, "Voicemail")
    next(n for n in at.number_input if n.label == "Minutes talked").set_value(20)
    next(t for t in at.text_area if t.label == "Notes").set_value("Fleet manager, 3 years")
    tap(at, "Talked")
    assert "for 20 min" in at.success[0].value
    assert next(t for t in at.text_area if t.label == "Notes").value == ""  # fresh for the next

    logged = rows(sample_db, "SELECT person_id, kind, channel, outcome, minutes, note "
                  "FROM touches WHERE call_session_id = ? ORDER BY id", [session_id])
    assert [t[1:] for t in logged] == [
        ("attempt", "call", "no_answer", 0, None),
        ("attempt", "voicemail", "voicemail", 0, None),
        ("dialog", "call", "talked", 20, "Fleet manager, 3 years"),
    ]
    assert len({t[0] for t in logged}) == 3  # the next person each time
    kinds = rows(sample_db, "SELECT DISTINCT kind FROM people WHERE id IN (?, ?, ?)",
                 [t[0] for t in logged])
    assert kinds == [("customer",)]

    tap(at, "End the call session")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics == {"Dialed": "3", "Picked up": "1", "Talked": "1"}
    assert any("3 calls: 1 picked up (33%" in m.value for m in at.markdown)
    assert rows(sample_db, "SELECT ended_at IS NOT NULL FROM call_sessions WHERE id = ?",
                [session_id]) == [(1,)]
    tap(at, "Back to the list")
    assert any(b.label.startswith("Start a call session") for b in at.button)


def test_undo_takes_back_a_mistaken_tap(app_db):
    ben = add(app_db, "Ben Sato", zone_at(12))
    at = run_page(PAGE)
    tap(at, "Start a call session (1 to call)")
    tap(at, "Declined / busy")
    assert rows(app_db, "SELECT outcome FROM touches WHERE call_session_id IS NOT NULL "
                "AND undone_at IS NULL") == [("busy",)]
    tap(at, "Undo")
    assert "Took back the call to Ben Sato" in at.success[0].value
    assert not [b for b in at.button if b.label == "Undo"]  # one tap takes back one call
    assert rows(app_db, "SELECT count(*) FROM touches WHERE call_session_id IS NOT NULL "
                "AND undone_at IS NULL") == [(0,)]
    assert "Ben Sato" in markdown(at)  # up again
    assert rows(app_db, "SELECT count(*) FROM followups WHERE person_id = ? AND status = 'open'",
                [ben]) == [(1,)]


def test_markup_in_a_name_is_shown_as_text(app_db):
    add(app_db, "![x](http://tracker.example/p.png) *Eve*", zone_at(12))
    at = run_page(PAGE)
    assert "\\!\\[x\\]\\(http\u2060\\:" in markdown(at)


def test_session_resumes_after_a_reload(app_db):
    add(app_db, "Ben Sato", zone_at(12))
    at = run_page(PAGE)
    tap(at, "Start a call session (1 to call)")
    again = run_page(PAGE)  # a new browser session, as after a phone's reload
    assert again.session_state["calls_session"] == at.session_state["calls_session"]
    assert any(b.label == "No answer" for b in again.button)
