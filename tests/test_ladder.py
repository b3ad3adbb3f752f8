"""fieldkit.ladder: when the next follow-up with a person is due."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fieldkit.ladder import NextFollowup, is_exhausted, next_followup, rungs
from tests.factory import d

GAPS = (2, 4, 7, 14, 30)
MET = date(2026, 3, 1)
CADENCE = 30


def days(*texts):
    return [d(t) for t in texts]


# The ladder climbed attempt by attempt after a card met on 2026-03-01, each
# attempt made on the day it fell due: 03-02 (+1), 03-04 (+2), 03-08 (+4),
# 03-15 (+7), 03-29 (+14), 04-28 (+30), 05-28 (+30 again: the last gap repeats).
LADDER = ["2026-03-02", "2026-03-04", "2026-03-08", "2026-03-15", "2026-03-29",
          "2026-04-28", "2026-05-28"]


@pytest.mark.parametrize(
    "attempts, due_on, rung, exhausted",
    [
        ([], "2026-03-02", 1, False),
        (LADDER[:1], "2026-03-04", 2, False),
        (LADDER[:2], "2026-03-08", 3, False),
        (LADDER[:3], "2026-03-15", 4, False),
        (LADDER[:4], "2026-03-29", 5, False),
        (LADDER[:5], "2026-04-28", 6, False),
        (LADDER[:6], "2026-05-28", 7, True),
        (LADDER[:7], "2026-06-27", 8, True),
    ],
    ids=["new_card", "after_1", "after_2", "after_3", "after_4", "after_5_last_rung",
         "after_6_exhausted", "after_7_still_exhausted"],
)
def test_next_followup_without_dialog_climbs_ladder(attempts, due_on, rung, exhausted):
    result = next_followup(MET, days(*attempts), [], GAPS, CADENCE)
    assert result == NextFollowup(d(due_on), "ladder", rung, exhausted)


@pytest.mark.parametrize(
    "attempts, dialogs, cadence, expected",
    [
        ([], ["2026-03-05"], 30, ("2026-04-04", "keep_in_touch", 1, False)),
        (["2026-03-02", "2026-03-04"], ["2026-03-05"], 30,
         ("2026-04-04", "keep_in_touch", 1, False)),
        ([], ["2026-03-05"], 14, ("2026-03-19", "keep_in_touch", 1, False)),
        ([], ["2026-03-05", "2026-03-20"], 30, ("2026-04-19", "keep_in_touch", 1, False)),
        ([], ["2026-03-01"], 90, ("2026-05-30", "keep_in_touch", 1, False)),
        (["2026-03-10"], ["2026-03-05"], 30, ("2026-03-12", "ladder", 2, False)),
        (["2026-03-02", "2026-03-04", "2026-03-10", "2026-03-12"], ["2026-03-05"], 30,
         ("2026-03-16", "ladder", 3, False)),
        (["2026-03-05"], ["2026-03-05"], 30, ("2026-04-04", "keep_in_touch", 1, False)),
        (["2026-03-05", "2026-03-06"], ["2026-03-05"], 30, ("2026-03-08", "ladder", 2, False)),
        (LADDER[:5], ["2026-04-01"], 30, ("2026-05-01", "keep_in_touch", 1, False)),
        (LADDER[:5] + ["2026-04-02"], ["2026-04-01"], 30, ("2026-04-04", "ladder", 2, False)),
        (LADDER[:6], ["2026-03-01"], 30, ("2026-05-28", "ladder", 7, True)),
    ],
    ids=["dialog_starts_keep_in_touch", "dialog_after_attempts", "own_cadence",
         "latest_of_two_dialogs", "dialog_on_met_day", "attempt_after_dialog",
         "only_attempts_after_dialog_count", "same_day_attempt_not_after_dialog",
         "same_day_attempt_skipped_next_day_counts", "dialog_resets_a_long_ladder",
         "ladder_restarts_from_first_gap", "exhausted_again_after_dialog"],
)
def test_next_followup_after_dialog(attempts, dialogs, cadence, expected):
    due_on, reason, rung, exhausted = expected
    result = next_followup(MET, days(*attempts), days(*dialogs), GAPS, cadence)
    assert result == NextFollowup(d(due_on), reason, rung, exhausted)


@pytest.mark.parametrize(
    "attempts, dialogs, expected",
    [
        (["2026-03-15", "2026-03-02", "2026-03-08", "2026-03-04"], [],
         ("2026-03-29", "ladder", 5)),
        ([], ["2026-03-20", "2026-03-05"], ("2026-04-19", "keep_in_touch", 1)),
        (["2026-03-12", "2026-03-02", "2026-03-10"], ["2026-03-05"], ("2026-03-16", "ladder", 3)),
    ],
    ids=["attempts", "dialogs", "attempts_around_a_dialog"],
)
def test_next_followup_unsorted_input(attempts, dialogs, expected):
    due_on, reason, rung = expected
    result = next_followup(MET, days(*attempts), days(*dialogs), GAPS, CADENCE)
    assert (result.due_on, result.reason, result.rung) == (d(due_on), reason, rung)


@pytest.mark.parametrize(
    "attempts, due_on, exhausted",
    [
        ([], "2026-03-02", False),
        (["2026-03-02"], "2026-03-05", False),
        (["2026-03-02", "2026-03-05"], "2026-03-08", True),
    ],
    ids=["new_card", "one_rung_climbed", "past_the_only_rung"],
)
def test_next_followup_single_gap_ladder(attempts, due_on, exhausted):
    result = next_followup(MET, days(*attempts), [], [3], CADENCE)
    assert (result.due_on, result.exhausted) == (d(due_on), exhausted)


@pytest.mark.parametrize("gaps", [[], ()], ids=["list", "tuple"])
def test_next_followup_empty_gaps_raises(gaps):
    with pytest.raises(ValueError, match="gap"):
        next_followup(MET, [], [], gaps, CADENCE)


def test_next_followup_empty_gaps_raises_after_dialog():
    with pytest.raises(ValueError):
        next_followup(MET, [d("2026-03-02")], [d("2026-03-03")], [], CADENCE)


offsets = st.lists(st.integers(min_value=0, max_value=800), max_size=12)


@given(
    met_on=st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 1, 1)),
    attempt_offsets=offsets,
    dialog_offsets=offsets,
    gaps=st.lists(st.integers(min_value=1, max_value=365), min_size=1, max_size=12),
    cadence=st.integers(min_value=1, max_value=730),
)
def test_next_followup_properties(met_on, attempt_offsets, dialog_offsets, gaps, cadence):
    attempts = [met_on + timedelta(days=n) for n in attempt_offsets]
    dialogs = [met_on + timedelta(days=n) for n in dialog_offsets]
    result = next_followup(met_on, attempts, dialogs, gaps, cadence)
    assert result.due_on > met_on
    assert all(result.due_on > day for day in attempts + dialogs)
    assert result.rung >= 1
    assert result.reason in {"ladder", "keep_in_touch"}
    if result.reason == "keep_in_touch":
        assert dialogs and result.rung == 1 and not result.exhausted
    if not dialogs:
        assert result.reason == "ladder"
    if result.exhausted:
        assert result.rung > len(gaps) + 1


@given(
    met_on=st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 1, 1)),
    count=st.integers(min_value=0, max_value=20),
    gaps=st.lists(st.integers(min_value=1, max_value=60), min_size=1, max_size=12),
)
def test_next_followup_exhausted_only_past_last_rung(met_on, count, gaps):
    attempts = [met_on + timedelta(days=n + 1) for n in range(count)]
    result = next_followup(met_on, attempts, [], gaps, 30)
    assert result.rung == count + 1
    assert result.exhausted is (count > len(gaps))


@pytest.mark.parametrize(
    "gaps, expected",
    [([30], 2), ([2, 4], 3), ([2, 4, 7, 14, 30], 6), ([1] * 12, 13)],
)
def test_rungs_the_first_attempt_and_one_after_each_gap(gaps, expected):
    assert rungs(gaps) == expected


@pytest.mark.parametrize(
    "rung, gaps, expected",
    [
        (1, [2, 4, 7, 14, 30], False),
        (6, [2, 4, 7, 14, 30], False),  # the last rung: rungs(gaps)
        (7, [2, 4, 7, 14, 30], True),
        (2, [30], False),
        (3, [30], True),
    ],
)
def test_is_exhausted_past_the_last_rung(rung, gaps, expected):
    assert is_exhausted(rung, gaps) is expected
