"""Every page runs under AppTest against a temporary database file."""

from datetime import time

import pytest
from apptest import rows, run_page
from streamlit.testing.v1 import AppTest

from fieldkit import clock, config, db, sample
from fieldkit.ui import nav

def count(path, table: str) -> int:
    return rows(path, f"SELECT count(*) FROM {table}")[0][0]


@pytest.mark.parametrize("spec", nav.PAGES, ids=lambda p: p.url_path or "today")
def test_every_page_runs_without_exception_on_empty_database(app_db, spec):
    at = run_page(spec.file)
    assert not at.exception
    assert at.title[0].value == spec.title


@pytest.mark.parametrize("spec", nav.PAGES, ids=lambda p: p.url_path or "today")
def test_every_page_shows_itself_and_no_error_on_sample_data(sample_db, spec):
    at = run_page(spec.file)  # fails on any exception
    assert at.title[0].value == spec.title
    assert [e.value for e in at.error] == []


def test_app_creates_and_migrates_a_new_database_file(tmp_path, monkeypatch, app_db):
    fresh = tmp_path / "new" / "fieldkit.db"
    monkeypatch.setenv(config.DB_ENV, str(fresh))
    run_page()
    with db.connect(fresh, migrate=False) as conn:
        assert db.schema_version(conn) == db.latest_version()


def test_today_welcomes_a_new_user_and_loads_sample_data(app_db):
    at = run_page("pages/today.py")
    assert any("Welcome" in h.value for h in at.subheader)
    assert not at.metric
    next(b for b in at.button if b.label == "Load sample data").click()
    at.run()
    assert not at.exception
    with db.connect(app_db) as conn:
        loaded = db.row_counts(conn)
    assert loaded == sample.fill(db.memory(), 1)  # the sample at scale 1, anchored today
    assert loaded["people"] == 160
    labels = {m.label for m in at.metric}
    assert {"Follow-ups due", "Streak"} <= labels
    assert not [b for b in at.button if b.label == "Load sample data"]


def test_today_shows_checkin_due_count_and_streak(sample_db):
    with db.connect(sample_db) as conn:
        today = clock.today(config.load(conn)["timezone"])
        expected_due = conn.execute(
            "SELECT count(*) FROM followups f JOIN people c ON c.id = f.person_id "
            "WHERE f.status = 'open' AND c.status = 'active' AND f.due_on <= ?",
            [today.isoformat()],
        ).fetchone()[0]
    at = run_page("pages/today.py")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Follow-ups due"] == str(expected_due)
    # Every day since the sample's one quiet day is a networking day, today included.
    assert metrics["Streak"] == f"{sample.QUIET_DAY_AGO} days"
    assert "FleetTech Expo" in at.info[0].value


def test_today_escapes_markup_in_the_event_name(sample_db):
    with db.connect(sample_db) as conn:
        conn.execute("UPDATE events SET name = '![x](http://tracker.example/p.png) *Expo*' "
                     "WHERE id = (SELECT event_id FROM checkins WHERE checked_out_at IS NULL)")
    at = run_page("pages/today.py")
    body = at.info[0].value
    assert "\\!\\[x\\]\\(http\u2060\\:" in body and "\\*Expo\\*" in body


def settings_form(at: AppTest):
    return {w.key: w for w in [*at.number_input, *at.text_input, *at.selectbox, *at.time_input]}


def test_settings_saves_valid_values(app_db):
    at = run_page("pages/settings.py")
    widgets = settings_form(at)
    widgets["setting_weekly_target_minutes"].set_value(240)
    widgets["setting_ladder_gaps"].set_value("1, 3, 9")
    widgets["setting_timezone"].set_value("America/Chicago")
    at.get("form_submit_button")[0].click()
    at.run()
    assert not at.exception and not at.error
    assert at.success[0].value == "Settings saved."
    with db.connect(app_db) as conn:
        values = config.load(conn)
    assert values["weekly_target_minutes"] == 240
    assert values["ladder_gaps"] == [1, 3, 9]
    assert values["timezone"] == "America/Chicago"


@pytest.mark.parametrize(
    "key, bad, words",
    [
        ("setting_ladder_gaps", "7, 2", "grow"),
        ("setting_ladder_gaps", "two, four", "whole number"),
        ("setting_weekly_target_minutes", -5, "between"),
    ],
)
def test_settings_rejects_bad_values_and_saves_nothing(app_db, key, bad, words):
    at = run_page("pages/settings.py")
    widgets = settings_form(at)
    widgets["setting_cadence_customer"].set_value(21)
    widgets[key].set_value(bad)
    at.get("form_submit_button")[0].click()
    at.run()
    assert at.error and words in at.error[0].value
    assert count(app_db, "settings") == 0


def test_settings_rejects_calling_hours_that_end_before_they_start(app_db):
    at = run_page("pages/settings.py")
    widgets = settings_form(at)
    widgets["setting_calling_hours_start"].set_value(time(18, 0))
    widgets["setting_calling_hours_end"].set_value(time(8, 0))
    at.get("form_submit_button")[0].click()
    at.run()
    assert at.error and "earlier than the end" in at.error[0].value
    assert count(app_db, "settings") == 0
