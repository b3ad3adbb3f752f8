"""The Follow-ups page driven through its real widgets against a temporary database.

Triage is one person at a time: the card shows the first person due, and
after a tap the next one; the confirmation of what was done shows above the
card, with its Undo.
"""

from datetime import timedelta
from urllib.parse import quote

import pytest
from apptest import rows, run_page

from fieldkit import cards, clock, config, db, debriefs, followups, ladder, messages, triage
from fieldkit.ui import queue_widgets
from fieldkit.ui.text import md

PAGE = "pages/queue.py"


def settings_and_today(path):
    with db.connect(path) as conn:
        settings = config.load(conn)
    return settings, clock.today(settings["timezone"])


def due(path, limit=1 + queue_widgets.UP_NEXT):
    settings, today = settings_and_today(path)
    with db.connect(path) as conn:
        return triage.due(conn, today, ladder_gaps=settings["ladder_gaps"], limit=limit)


def card_ids(at) -> list[int]:
    """Follow-up ids of the cards shown, top to bottom (from their attempt pills)."""
    return [int(w.key.rsplit("_", 1)[1]) for w in at.button_group
            if w.key and w.key.startswith("queue_attempt_")]


def one_due_today(path):
    """A database whose only person is due today; returns today."""
    settings, today = settings_and_today(path)
    with db.connect(path) as conn:
        cards.save(conn, cards.clean({"name": "Ada Okafor"}), settings=settings)
        conn.execute("UPDATE followups SET due_on = ?", [today.isoformat()])
    return today


def first_in_line(path, followup_id):
    """Make this follow-up the most overdue, so its card is the one shown."""
    with db.connect(path) as conn:
        conn.execute("UPDATE followups SET due_on = '2000-01-01' WHERE id = ?", [followup_id])


def first_in_line_on_the_ladder(path, count):
    """``count`` people due whose ladder still has rungs, made the first ``count`` in line.

    Which people the sample makes due, and how far up their ladder, moves
    with the date; these are chosen by that rule on any day.
    """
    chosen = [item for item in due(path, limit=100) if not item["exhausted"]][:count]
    assert len(chosen) == count
    with db.connect(path) as conn:
        for n, item in enumerate(chosen):
            conn.execute("UPDATE followups SET due_on = ? WHERE id = ?",
                         [f"2000-01-{n + 1:02d}", item["followup_id"]])
    return chosen


def followup(path, followup_id):
    return rows(path, "SELECT status, due_on FROM followups WHERE id = ?", [followup_id])[0]


def run(at):
    at.run()
    assert not at.exception, at.exception
    return at


def test_page_runs_on_an_empty_database_and_welcomes_a_new_user(app_db):
    at = run_page(PAGE)
    assert at.title[0].value == "Follow-ups"
    assert "Nobody to follow up yet" in at.info[0].value
    assert not at.success
    assert rows(app_db, "SELECT count(*) FROM triage_days") == [(0,)]


def test_card_shows_the_first_due_and_the_names_up_next(sample_db):
    expected = due(sample_db)
    at = run_page(PAGE)
    assert card_ids(at) == [expected[0]["followup_id"]]
    (up_next,) = [c.value for c in at.caption if c.value.startswith("Up next: ")]
    assert up_next.split(": ", 1)[1].split(" · ")[0].startswith(md(expected[1]["name"]))
    assert all(md(item["name"]) in up_next for item in expected[1:])
    settings, today = settings_and_today(sample_db)
    with db.connect(sample_db) as conn:
        counts = triage.due_counts(conn, today)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics == {"Due": str(counts["due"]), "Overdue": str(counts["overdue"])}
    first = expected[0]
    assert any(m.value.startswith(f"**{md(first['name'])}**") for m in at.markdown)


def test_up_next_counts_the_rest(sample_db):
    settings, today = settings_and_today(sample_db)
    with db.connect(sample_db) as conn:
        total = triage.due_counts(conn, today)["due"]
    assert total > 1 + queue_widgets.UP_NEXT  # the sample has more due than is shown
    at = run_page(PAGE)
    left = total - 1 - queue_widgets.UP_NEXT
    assert any(c.value.endswith(f", and {left:,} more") for c in at.caption)


def test_skip_shows_the_next_person_and_writes_nothing(sample_db):
    first, second, third = due(sample_db)[:3]
    before = rows(sample_db, "SELECT count(*), max(id) FROM touches")
    at = run_page(PAGE)
    at.button(key=f"queue_skip_{first['followup_id']}").click()
    run(at)
    assert card_ids(at) == [second["followup_id"]]
    at.button(key=f"queue_skip_{second['followup_id']}").click()
    run(at)
    assert card_ids(at) == [third["followup_id"]]
    assert rows(sample_db, "SELECT count(*), max(id) FROM touches") == before
    assert followup(sample_db, first["followup_id"])[0] == "open"
    at.button(key="queue_bring_back").click()
    run(at)
    assert card_ids(at) == [first["followup_id"]]


def test_skip_closes_a_form_left_open(sample_db):
    first = due(sample_db)[0]
    fid = first["followup_id"]
    at = open_notes(run_page(PAGE), sample_db, fid)
    assert len(notes_forms(at)) == 1
    at.button(key=f"queue_skip_{fid}").click()
    run(at)
    at.button(key="queue_bring_back").click()
    run(at)
    assert card_ids(at) == [fid]
    assert not notes_forms(at)  # the card comes back fresh: its pills' state went with it


def test_skipping_everyone_left_says_so_and_brings_them_back(app_db):
    one_due_today(app_db)
    at = run_page(PAGE)
    (fid,) = card_ids(at)
    at.button(key=f"queue_skip_{fid}").click()
    run(at)
    assert not card_ids(at)
    assert "skipped for now" in at.info[0].value
    assert at.button(key="queue_bring_back").label == "Bring back 1 skipped person"
    assert rows(app_db, "SELECT count(*) FROM triage_days") == [(0,)]  # not cleared
    at.button(key="queue_bring_back").click()
    run(at)
    assert card_ids(at) == [fid]


def test_attempt_pill_logs_the_channel_and_moves_the_followup(sample_db):
    item = due(sample_db)[0]
    at = run_page(PAGE)
    at.button_group(key=f"queue_attempt_{item['followup_id']}").set_value("email")
    run(at)
    touches = rows(sample_db, "SELECT kind, channel, outcome, undone_at FROM touches "
                   "WHERE person_id = ? ORDER BY id DESC LIMIT 1", [item["person_id"]])
    assert touches == [("attempt", "email", "sent", None)]
    assert followup(sample_db, item["followup_id"])[0] == "done"
    (next_due,) = rows(sample_db, "SELECT due_on FROM followups WHERE person_id = ? "
                       "AND status = 'open' AND reason != 'next_step'", [item["person_id"]])
    _, today = settings_and_today(sample_db)
    assert next_due[0] > today.isoformat()
    assert card_ids(at) == [due(sample_db)[0]["followup_id"]] != [item["followup_id"]]
    assert any(f"Logged an email attempt to {md(item['name'])}" in t.value
               and "Next due" in t.value
               for t in at.success)


def test_dialog_pill_starts_keep_in_touch(sample_db):
    item = next(i for i in due(sample_db) if i["reason"] == "ladder")
    first_in_line(sample_db, item["followup_id"])
    at = run_page(PAGE)
    at.button_group(key=f"queue_dialog_{item['followup_id']}").set_value("coffee")
    run(at)
    assert rows(sample_db, "SELECT kind, channel FROM touches WHERE person_id = ? "
                "ORDER BY id DESC LIMIT 1", [item["person_id"]]) == [("dialog", "coffee")]
    assert rows(sample_db, "SELECT reason FROM followups WHERE person_id = ? "
                "AND status = 'open'", [item["person_id"]]) == [("keep_in_touch",)]


def test_snooze_three_days_moves_the_due_date(sample_db):
    item = due(sample_db)[0]
    at = run_page(PAGE)
    at.button_group(key=f"queue_snooze_{item['followup_id']}").set_value("3 days")
    run(at)
    _, today = settings_and_today(sample_db)
    assert followup(sample_db, item["followup_id"]) == ("open",
                                                        (today + timedelta(days=3)).isoformat())
    assert item["followup_id"] not in card_ids(at)


def test_snooze_on_a_next_step_moves_that_step_only(sample_db):
    item = due(sample_db)[0]
    settings, today = settings_and_today(sample_db)
    with db.connect(sample_db) as conn:
        step = debriefs.clean(next_step="Send the pilot offer", next_step_on=today, today=today)
        followups.log_dialog(conn, item["person_id"], "coffee", settings, debrief=step)
        # The most overdue, so its card is the one shown.
        conn.execute("UPDATE followups SET due_on = ? WHERE person_id = ? AND "
                     "reason = 'next_step' AND status = 'open'",
                     [(today - timedelta(days=4000)).isoformat(), item["person_id"]])
    ((step_id,),) = rows(sample_db, "SELECT id FROM followups WHERE person_id = ? AND "
                         "reason = 'next_step' AND status = 'open'", [item["person_id"]])
    (main_before,) = rows(sample_db, "SELECT id, due_on FROM followups WHERE person_id = ? "
                          "AND status = 'open' AND reason != 'next_step'", [item["person_id"]])
    at = run_page(PAGE)
    assert any("Next step: Send the pilot offer" in m.value for m in at.markdown)
    at.button_group(key=f"queue_snooze_{step_id}").set_value("1 day")
    run(at)
    assert followup(sample_db, step_id) == ("open", (today + timedelta(days=1)).isoformat())
    assert rows(sample_db, "SELECT id, due_on FROM followups WHERE person_id = ? AND "
                "status = 'open' AND reason != 'next_step'", [item["person_id"]]) == [main_before]


def test_snooze_to_a_picked_date(sample_db):
    item = due(sample_db)[0]
    fid = item["followup_id"]
    at = run_page(PAGE)
    at.button_group(key=f"queue_snooze_{fid}").set_value(queue_widgets.PICK_DATE)
    run(at)
    assert followup(sample_db, fid)[0] == "open"  # nothing yet: the picker is shown
    _, today = settings_and_today(sample_db)
    at.date_input(key=f"queue_snooze_on_{fid}").set_value(today + timedelta(days=10))
    at.button(key=f"queue_snooze_go_{fid}").click()
    run(at)
    assert followup(sample_db, fid) == ("open", (today + timedelta(days=10)).isoformat())


def test_let_go_and_declined_set_the_status(sample_db):
    first, second = first_in_line_on_the_ladder(sample_db, 2)
    at = run_page(PAGE)
    at.button_group(key=f"queue_snooze_{first['followup_id']}").set_value(queue_widgets.LET_GO)
    run(at)
    assert card_ids(at) == [second["followup_id"]]
    at.button_group(key=f"queue_snooze_{second['followup_id']}").set_value(
        queue_widgets.DECLINED)
    run(at)
    status = dict(rows(sample_db, "SELECT id, status FROM people WHERE id IN (?, ?)",
                       [first["person_id"], second["person_id"]]))
    assert status == {first["person_id"]: "let_go", second["person_id"]: "declined"}
    assert followup(sample_db, first["followup_id"])[0] == "let_go"
    assert not {first["followup_id"], second["followup_id"]} & set(card_ids(at))


def test_undo_after_an_attempt_restores_the_followup(sample_db):
    item = due(sample_db)[0]
    fid = item["followup_id"]
    before = followup(sample_db, fid)
    at = run_page(PAGE)
    at.button_group(key=f"queue_attempt_{fid}").set_value("call")
    run(at)
    tapped = clock.now_iso()
    at.button(key=f"queue_undo_recent_{fid}").click()
    run(at)
    assert followup(sample_db, fid) == before
    assert rows(sample_db, "SELECT count(*) FROM followups WHERE person_id = ? AND "
                "status = 'open' AND reason != 'next_step'", [item["person_id"]]) == [(1,)]
    ((undone,),) = rows(sample_db, "SELECT undone_at FROM touches WHERE person_id = ? "
                        "AND kind = 'attempt' ORDER BY id DESC LIMIT 1", [item["person_id"]])
    assert tapped <= undone <= clock.now_iso()  # undone when Undo was tapped
    assert card_ids(at)[0] == fid  # back at the top of the list
    assert not [b for b in at.button if b.key == f"queue_undo_recent_{fid}"]


def test_undo_refuses_when_something_newer_happened(sample_db):
    item = due(sample_db)[0]
    fid = item["followup_id"]
    at = run_page(PAGE)
    at.button_group(key=f"queue_attempt_{fid}").set_value("email")
    run(at)
    settings, _ = settings_and_today(sample_db)
    with db.connect(sample_db) as conn:
        followups.log_attempt(conn, item["person_id"], "sms", settings)
    at.button(key=f"queue_undo_recent_{fid}").click()
    run(at)
    assert "newer" in at.error[0].value
    assert rows(sample_db, "SELECT count(*) FROM touches WHERE person_id = ? AND "
                "kind = 'attempt' AND undone_at IS NOT NULL", [item["person_id"]]) == [(0,)]


def notes_forms(at):
    return [f for f in at.get("form") if f.proto.form.form_id.startswith("queue_notes_form_")]


def save_dialog(at):
    next(b for b in at.get("form_submit_button") if b.label == "Save dialog").click()


def open_notes(at, path, fid):
    before = rows(path, "SELECT count(*) FROM touches")
    at.button_group(key=f"queue_dialog_{fid}").set_value(queue_widgets.WITH_NOTES)
    run(at)
    assert rows(path, "SELECT count(*) FROM touches") == before  # the form opens, no log
    return at


def test_dialog_with_notes_records_the_debrief(sample_db):
    item = due(sample_db)[0]
    fid = item["followup_id"]
    with db.connect(sample_db) as conn:
        first, second = list(debriefs.open_assumptions(conn))[:2]
    _, today = settings_and_today(sample_db)
    at = open_notes(run_page(PAGE), sample_db, fid)
    at.selectbox(key=f"queue_notes_channel_{fid}").set_value("video")
    at.number_input(key=f"queue_notes_minutes_{fid}").set_value(25)
    at.text_area(key=f"queue_notes_note_{fid}").set_value("Plans routes at 6 am.")
    at.multiselect(key=f"queue_notes_validated_{fid}").set_value([first])
    at.multiselect(key=f"queue_notes_invalidated_{fid}").set_value([second])
    at.text_area(key=f"queue_notes_why_{fid}").set_value("Cheaper tool already in place")
    at.text_input(key=f"queue_notes_step_{fid}").set_value("Send the pilot offer")
    at.date_input(key=f"queue_notes_step_on_{fid}").set_value(today + timedelta(days=5))
    save_dialog(at)
    run(at)
    assert not at.error
    ((touch_id, channel, minutes, note),) = rows(
        sample_db, "SELECT id, channel, minutes, note FROM touches WHERE person_id = ? "
        "ORDER BY id DESC LIMIT 1", [item["person_id"]])
    assert (channel, minutes, note) == ("video", 25, "Plans routes at 6 am.")
    assert sorted(rows(sample_db, "SELECT assumption_id, verdict FROM evidence "
                       "WHERE touch_id = ?", [touch_id])) == sorted(
        [(first, "validated"), (second, "invalidated")])
    assert rows(sample_db, "SELECT why_not_us, next_step FROM debriefs WHERE touch_id = ?",
                [touch_id]) == [("Cheaper tool already in place", "Send the pilot offer")]
    assert rows(sample_db, "SELECT due_on, note FROM followups WHERE person_id = ? AND "
                "reason = 'next_step' AND status = 'open' ORDER BY id DESC LIMIT 1",
                [item["person_id"]]) == [((today + timedelta(days=5)).isoformat(),
                                           "Send the pilot offer")]


def test_debrief_next_step_without_a_date_is_refused_and_writes_nothing(sample_db):
    item = due(sample_db)[0]
    fid = item["followup_id"]
    before = rows(sample_db, "SELECT count(*) FROM touches")
    at = open_notes(run_page(PAGE), sample_db, fid)
    at.text_input(key=f"queue_notes_step_{fid}").set_value("Send the pilot offer")
    save_dialog(at)
    run(at)
    assert at.error and at.error[0].value.startswith("Next step")
    assert rows(sample_db, "SELECT count(*) FROM touches") == before
    assert followup(sample_db, fid)[0] == "open"
    assert fid in card_ids(at)
    assert at.text_input(key=f"queue_notes_step_{fid}").value == "Send the pilot offer"


def test_nothing_due_says_so_and_looking_writes_nothing(app_db):
    settings, today = settings_and_today(app_db)
    with db.connect(app_db) as conn:  # met yesterday, snoozed until tomorrow
        cards.save(conn, cards.clean({"name": "Ada Okafor"}), settings=settings,
                   now=clock.utc_now() - timedelta(days=1))
        conn.execute("UPDATE followups SET due_on = ?",
                     [(today + timedelta(days=1)).isoformat()])
    before = rows(app_db, "SELECT count(*) FROM touches")
    at = run_page(PAGE)
    run(at)
    assert at.success[0].value == queue_widgets.NOTHING_DUE
    assert not at.metric and not card_ids(at)
    # A triage day is one the queue was cleared by acting, not by looking.
    assert rows(app_db, "SELECT count(*) FROM triage_days") == [(0,)]
    assert rows(app_db, "SELECT count(*) FROM touches") == before


def test_acting_on_the_last_due_person_clears_the_queue(app_db):
    today = one_due_today(app_db)
    at = run_page(PAGE)
    (fid,) = card_ids(at)
    at.button_group(key=f"queue_attempt_{fid}").set_value("linkedin")
    run(at)
    assert rows(app_db, "SELECT day FROM triage_days") == [(today.isoformat(),)]
    assert at.success[0].value == queue_widgets.CLEARED


def test_email_link_opens_the_mail_app_with_the_subject(sample_db):
    with db.connect(sample_db) as conn:
        config.save(conn, {"my_name": "Grace Hopper"})
    settings, _ = settings_and_today(sample_db)
    item = next(i for i in due(sample_db, limit=100) if i["email"])
    first_in_line(sample_db, item["followup_id"])
    stage = messages.stage(item)
    subject = messages.fill(settings[config.template_name(stage, "email_subject")], item, settings)
    at = run_page(PAGE)
    urls = [b.proto.url for b in at.get("link_button")]
    mailto = next(u for u in urls if u.startswith(f"mailto:{quote(item['email'], safe='@')}?"))
    assert f"subject={quote(subject, safe='')}" in mailto
    assert all(u.startswith(("mailto:", "sms:", "tel:", "https://www.linkedin.com/in/"))
               for u in urls)


def test_last_rung_is_still_an_attempt(sample_db):
    item = next(i for i in due(sample_db) if i["reason"] == "ladder")
    settings, _ = settings_and_today(sample_db)
    last = ladder.rungs(settings["ladder_gaps"])
    with db.connect(sample_db) as conn:
        conn.execute("UPDATE followups SET rung = ? WHERE id = ?", [last, item["followup_id"]])
    first_in_line(sample_db, item["followup_id"])
    at = run_page(PAGE)
    assert any(f"Attempt {last} of {last}" in m.value for m in at.markdown)
    assert not any("Every rung tried" in w.value for w in at.warning)


def test_exhausted_ladder_suggests_letting_go(sample_db):
    item = next(i for i in due(sample_db) if i["reason"] == "ladder")
    settings, _ = settings_and_today(sample_db)
    with db.connect(sample_db) as conn:
        conn.execute("UPDATE followups SET rung = ? WHERE id = ?",
                     [ladder.rungs(settings["ladder_gaps"]) + 1, item["followup_id"]])
    first_in_line(sample_db, item["followup_id"])
    at = run_page(PAGE)
    assert any("Every rung tried" in w.value for w in at.warning)
    let_go = at.button(key=f"queue_let_go_{item['followup_id']}")
    assert let_go.proto.type == "primary"
    later = at.button_group(key=f"queue_snooze_{item['followup_id']}")
    assert queue_widgets.LET_GO not in later.options  # once is enough: the primary button
    let_go.click()
    run(at)
    assert followup(sample_db, item["followup_id"])[0] == "let_go"


@pytest.mark.parametrize("reason, rung, note, expected", [
    ("ladder", 3, None, "Attempt 3 of 6"),
    ("keep_in_touch", 1, None, "Keep in touch"),
    ("next_step", None, "Send *the* deck", "Next step: Send \\*the\\* deck"),
])
def test_card_says_what_is_asked(reason, rung, note, expected):
    item = {"reason": reason, "rung": rung, "followup_note": note}
    assert queue_widgets.ask_text(item, 6) == expected


def test_markup_in_a_name_is_shown_literally(sample_db):
    item = due(sample_db)[0]
    with db.connect(sample_db) as conn:
        conn.execute("UPDATE people SET name = '![x](http://tracker.example/p.png) *Ada*' "
                     "WHERE id = ?", [item["person_id"]])
    at = run_page(PAGE)
    header = next(m.value for m in at.markdown if "tracker" in m.value)
    assert "\\!\\[x\\]\\(http\u2060\\:" in header and "\\*Ada\\*" in header


def open_board(at):
    at.session_state["queue_board"] = True
    return run(at)


def test_assumption_board_shows_evidence_and_adds_an_assumption(sample_db):
    at = open_board(run_page(PAGE))
    table = at.dataframe[0].value
    with db.connect(sample_db) as conn:
        board = debriefs.board(conn)
    assert list(table["Assumption"]) == [row["text"] for row in board]
    assert list(table["Validated"]) == [row["validated"] for row in board]
    assert list(table["Invalidated"]) == [row["invalidated"] for row in board]
    assert list(table.columns) == ["Validated", "Invalidated", "Assumption", "Last evidence",
                                   "Status"]
    at.text_input(key="queue_board_text").set_value("Drivers hate paper forms")
    next(b for b in at.get("form_submit_button") if b.label == "Add to the board").click()
    run(at)
    assert rows(sample_db, "SELECT status FROM assumptions WHERE text = ?",
                ["Drivers hate paper forms"]) == [("open",)]
    assert "Drivers hate paper forms" in list(at.dataframe[0].value["Assumption"])


def test_assumption_board_refuses_a_duplicate(sample_db):
    with db.connect(sample_db) as conn:
        text = next(iter(debriefs.open_assumptions(conn).values()))
    before = rows(sample_db, "SELECT count(*) FROM assumptions")
    at = open_board(run_page(PAGE))
    at.text_input(key="queue_board_text").set_value(text)
    next(b for b in at.get("form_submit_button") if b.label == "Add to the board").click()
    run(at)
    assert "already on the board" in at.error[0].value
    assert rows(sample_db, "SELECT count(*) FROM assumptions") == before


def test_assumption_board_retires_and_reopens(sample_db):
    with db.connect(sample_db) as conn:
        assumption_id = next(iter(debriefs.open_assumptions(conn)))
    at = open_board(run_page(PAGE))
    at.selectbox(key="queue_board_pick").set_value(assumption_id)
    run(at)
    at.button(key="queue_board_toggle").click()
    run(at)
    assert rows(sample_db, "SELECT status FROM assumptions WHERE id = ?",
                [assumption_id]) == [("retired",)]
    assert at.button(key="queue_board_toggle").label == "Reopen"
    at.button(key="queue_board_toggle").click()
    run(at)
    assert rows(sample_db, "SELECT status FROM assumptions WHERE id = ?",
                [assumption_id]) == [("open",)]


def test_empty_board_on_a_new_database(app_db):
    at = open_board(run_page(PAGE))
    assert any("Nothing on the board yet" in c.value for c in at.caption)


# Met today: the evening's first notes


def met_today(path):
    settings, today = settings_and_today(path)
    with db.connect(path) as conn:
        return triage.met_today(conn, today, settings["timezone"])


def test_people_met_today_are_on_the_page_tonight_and_a_note_starts_their_ladder(app_db):
    settings, today = settings_and_today(app_db)
    with db.connect(app_db) as conn:
        for name in ("Ada Okafor", "Ben Ito"):
            cards.save(conn, cards.clean({"name": name}), settings=settings)
    first, second = met_today(app_db)
    at = run_page(PAGE)
    assert not at.success  # not "Nothing due today"
    assert any(c.value.startswith("2 people met today") for c in at.caption)
    assert card_ids(at) == [first["followup_id"]]
    assert any("met today · first note" in m.value for m in at.markdown)
    at.button_group(key=f"queue_attempt_{first['followup_id']}").set_value("email")
    run(at)
    assert card_ids(at) == [second["followup_id"]]
    assert md(first["name"]) in at.success[0].value
    # The ladder climbs from tonight's note: due in two days, not tomorrow.
    assert rows(app_db, "SELECT due_on, rung FROM followups WHERE person_id = ? AND "
                "status = 'open'", [first["person_id"]]) == [
        ((today + timedelta(days=2)).isoformat(), 2)]
    assert [i["person_id"] for i in met_today(app_db)] == [second["person_id"]]


def test_due_and_met_today_are_two_groups_and_today_links_to_the_second(sample_db):
    met = met_today(sample_db)
    at = run_page(PAGE)
    assert [w.key for w in at.get("button_group") if w.key == queue_widgets.GROUP]
    assert card_ids(at) == [due(sample_db)[0]["followup_id"]]
    at = run_page(PAGE, query_params={"group": queue_widgets.MET})
    assert card_ids(at) == [met[0]["followup_id"]]
    assert met[0]["person_id"] not in {i["person_id"] for i in due(sample_db, limit=500)}


def test_your_name_is_asked_before_the_first_message(sample_db):
    item = next(i for i in due(sample_db, limit=100) if i["phone"])
    first_in_line(sample_db, item["followup_id"])
    at = run_page(PAGE)
    urls = [b.proto.url for b in at.get("link_button")]
    assert not [u for u in urls if u.startswith(("mailto:", "sms:"))]
    fid = item["followup_id"]
    at.text_input(key=f"queue_my_name_{fid}_value").set_value("Grace Hopper")
    next(b for b in at.get("form_submit_button") if b.label == "Save my name").click()
    run(at)
    settings, _ = settings_and_today(sample_db)
    assert settings["my_name"] == "Grace Hopper"
    urls = [b.proto.url for b in at.get("link_button")]
    body = messages.fill(settings[config.template_name(messages.stage(item), "sms")], item,
                         settings)
    assert f"sms:{quote(item['phone'].split(';')[0], safe='+')}?&body={quote(body, safe='')}" \
        in urls


def test_an_empty_name_is_refused_and_nothing_is_saved(sample_db):
    fid = due(sample_db)[0]["followup_id"]
    at = run_page(PAGE)
    at.text_input(key=f"queue_my_name_{fid}_value").set_value("   ")
    next(b for b in at.get("form_submit_button") if b.label == "Save my name").click()
    run(at)
    assert at.error[0].value.startswith("Your name")
    assert rows(sample_db, "SELECT count(*) FROM settings WHERE name = 'my_name'") == [(0,)]
