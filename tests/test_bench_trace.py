"""bench/trace.py: the benchmark's data floor is the core calls a page really made."""

import streamlit as st
from streamlit.testing.v1 import AppTest

from bench import trace
from fieldkit import config, db, people, today
from tests.apptest import APP, TIMEOUT


def _recorded(page: str) -> list[trace.Call]:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    at.switch_page(page).run()
    st.cache_data.clear()
    st.cache_resource.clear()
    with trace.record() as calls:
        at.run()
    assert not at.exception, at.exception
    return calls


def test_records_the_pages_calls_into_the_core_and_not_the_cores_own(sample_db):
    calls = _recorded("pages/today.py")
    names = [c.name for c in calls]
    assert names.count("config.load") == 1 and names.count("today.summary") == 1
    # today.summary asks triage and activity itself: that is part of its call.
    assert not {"triage.due_counts", "activity.current_streak"} & set(names)
    assert all(not c.function.__module__.startswith(("fieldkit.ui", "fieldkit.db"))
               for c in calls)


def test_replay_makes_the_same_calls_with_the_same_answers(sample_db):
    calls = _recorded("pages/today.py")
    summary_call = next(c for c in calls if c.name == "today.summary")
    assert isinstance(summary_call.arguments["db"], db.Database)
    results = trace.floor(calls, sample_db)()
    with db.connect(sample_db) as conn:
        expected = today.summary(conn, config.load(conn))
    assert results[calls.index(summary_call)] == expected


def test_records_what_the_widgets_asked_for(sample_db):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    at.switch_page("pages/people.py").run()
    at.text_input(key="people_query").input("maya").run()
    with trace.record() as calls:
        at.run()
    (search,) = [c for c in calls if c.name == "people.search"]
    assert search.arguments["filters"] == people.Filters("maya")
    assert search.arguments["limit"] == people.PAGE_SIZE


def test_nothing_is_recorded_outside_the_block(sample_db):
    with trace.record() as calls:
        pass
    with db.connect(sample_db) as conn:
        config.load(conn)
    assert calls == []
