"""Every page runs under AppTest against a temporary database file."""

import sqlite3
from datetime import time
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from fieldkit import clock, config, db, sample
from fieldkit.ui import nav

TIMEOUT = 60
APP = str(Path(__file__).resolve().parents[1] / "app.py")


@pytest.fixture
def app_db(tmp_path, monkeypatch):
    """FIELDKIT_DB pointing at a fresh file; Streamlit caches cleared."""
    path = tmp_path / "app.db"
    monkeypatch.setenv(config.DB_ENV, str(path))
    st.cache_data.clear()
    st.cache_resource.clear()
    return path


@pytest.fixture
def sample_db(app_db):
    with db.connect(app_db) as conn:
        sample.fill(conn, 1)
    return app_db


def run_page(file: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    if file != nav.PAGES[0].file:
        at.switch_page(file).run()
    return at


def count(path, table: str) -> int:
    with sqlite3.connect(path) as conn:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


@pytest.mark.parametrize("spec", nav.PAGES, ids=lambda p: p.url_path or "today")
def test_every_page_runs_without_exception_on_empty_database(app_db, spec):
    at = run_page(spec.file)
    assert not at.exception
    assert at.title[0].value == spec.title


@pytest.mark.parametrize("spec", nav.PAGES, ids=lambda p: p.url_path or "today")
def test_every_page_runs_without_exception_on_sample_data(sample_db, spec):
    at = run_page(spec.file)
    assert not at.exception


def test_app_migrates_a_new_database_file(app_db):
    run_page(nav.PAGES[0].file)
    with db.connect(app_db, migrate=False) as conn:
        assert db.schema_version(conn) == db.latest_version()


def test_today_welcomes_a_new_user_and_loads_sample_data(app_db):
    at = run_page("pages/today.py")
    assert any("Welcome" in h.value for h in at.subheader)
    assert not at.metric
    next(b for b in at.button if b.label == "Load sample data").click()
    at.run()
    assert not at.exception
    assert count(app_db, "contacts") > 0
    assert count(app_db, "touches") > 0
    labels = {m.label for m in at.metric}
    assert {"Follow-ups due", "Streak"} <= labels
    assert not [b for b in at.button if b.label == "Load sample data"]


def test_today_shows_checkin_due_count_and_streak(sample_db):
    with db.connect(sample_db) as conn:
        today = clock.today(config.load(conn)["timezone"])
        expected_due = conn.execute(
            "SELECT count(*) FROM followups f JOIN contacts c ON c.id = f.contact_id "
            "WHERE f.status = 'open' AND c.status = 'active' AND f.due_on <= ?",
            [today.isoformat()],
        ).fetchone()[0]
    at = run_page("pages/today.py")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Follow-ups due"] == str(expected_due)
    assert metrics["Streak"].endswith(" days") and int(metrics["Streak"].split()[0]) > 0
    assert "FleetTech Expo" in at.info[0].value


def test_today_escapes_markup_in_the_event_name(sample_db):
    with sqlite3.connect(sample_db) as conn:
        conn.execute("UPDATE events SET name = '![x](http://tracker.example/p.png) *Expo*' "
                     "WHERE id = (SELECT event_id FROM checkins WHERE checked_out_at IS NULL)")
    at = run_page("pages/today.py")
    body = at.info[0].value
    assert "\\!\\[x\\]\\(http\\:" in body and "\\*Expo\\*" in body


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
