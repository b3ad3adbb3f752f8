"""The persistence ladder: when the next follow-up with a person is due.

Pure functions over dates. A new card is due the next day. Each attempt
without a dialog schedules the next one after a growing gap; after the last
rung the ladder is exhausted and the queue suggests letting go. A dialog ends
the ladder and starts keep-in-touch: the next touch is due one cadence after
it, and attempts after that climb the ladder again from its first gap.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class NextFollowup:
    due_on: date
    reason: str  # "ladder" or "keep_in_touch"
    rung: int  # attempt number this follow-up asks for, counted since the last dialog
    exhausted: bool  # every rung climbed without a dialog: suggest letting go


def rungs(gaps: Sequence[int]) -> int:
    """How many attempts the ladder holds: the first, then one after each gap.

    Rung 1 follows the meeting and rung k+1 the k-th attempt, so five gaps
    make six rungs.
    """
    return len(gaps) + 1


def is_exhausted(rung: int, gaps: Sequence[int]) -> bool:
    """Whether a ladder follow-up at ``rung`` comes after every rung was tried.

    With five gaps rung 6 is the last one and rung 7 is past the top.
    """
    return rung > rungs(gaps)


def next_followup(
    met_on: date,
    attempts: Sequence[date],
    dialogs: Sequence[date],
    gaps: Sequence[int],
    cadence: int,
) -> NextFollowup:
    """The next follow-up given what has happened with a person so far.

    ``attempts`` and ``dialogs`` are the days of every attempt and dialog;
    only attempts after the last dialog count toward the ladder.
    """
    if not gaps:
        raise ValueError("the ladder needs at least one gap")
    last_dialog = max(dialogs) if dialogs else None
    climbing = sorted(a for a in attempts if last_dialog is None or a > last_dialog)
    if not climbing:
        if last_dialog is None:
            return NextFollowup(met_on + timedelta(days=1), "ladder", 1, False)
        return NextFollowup(last_dialog + timedelta(days=cadence), "keep_in_touch", 1, False)
    done = len(climbing)
    gap = gaps[min(done, len(gaps)) - 1]
    return NextFollowup(
        due_on=climbing[-1] + timedelta(days=gap),
        reason="ladder",
        rung=done + 1,
        exhausted=is_exhausted(done + 1, gaps),
    )
