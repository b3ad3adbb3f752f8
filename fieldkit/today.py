"""What the home screen shows: where you are, what is due, how the habit goes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlite_utils import Database

from fieldkit import activity, checkins, clock, events, triage


MET_TODAY_NAMES = 5  # people met today named on the home screen


@dataclass(frozen=True)
class Summary:
    today: date
    people: int
    checkin: dict | None
    checked_in_local: str | None  # "08:24" in the event's time zone
    due: int
    overdue: int
    streak: int
    running: list[dict]  # events running now, to check in to with one tap
    met_today: int  # people met today and not written to yet (triage.met_today)
    met_today_first: list[dict]  # the first of them, for their names

    @property
    def is_empty(self) -> bool:
        return self.people == 0 and self.checkin is None


def summary(db: Database, settings: dict, now: datetime | None = None) -> Summary:
    """Everything Today shows at ``now``, in the user's time zone."""
    tz = settings["timezone"]
    now = now or clock.utc_now()
    today = clock.local_date(now, tz)
    checkin = checkins.current(db, now=now)
    local = None
    if checkin:
        local = clock.from_iso(checkin["checked_in_at"]).astimezone(
            clock.zone(checkin["tz"])).strftime("%H:%M")
    counts = triage.due_counts(db, today)
    met = triage.met_today(db, today, tz, limit=MET_TODAY_NAMES)
    return Summary(
        today=today,
        people=db.execute("SELECT count(*) FROM people WHERE status != 'merged'").fetchone()[0],
        checkin=checkin,
        checked_in_local=local,
        due=counts["due"],
        overdue=counts["overdue"],
        streak=activity.current_streak(db, tz, today),
        running=[] if checkin else events.timeline(db, now=now, past_limit=0).current,
        met_today=len(met) if len(met) < MET_TODAY_NAMES else triage.met_today_count(
            db, today, tz),
        met_today_first=met,
    )
