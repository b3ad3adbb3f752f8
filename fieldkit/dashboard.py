"""Everything the metrics page shows for one period, gathered in one call."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pandas as pd
from sqlite_utils import Database

from fieldkit import clock, metrics, streaks
from fieldkit.streaks import Run

# The score needs history before the period to start from where it was:
# eight half-lives back it has forgotten more than 99% of what came before.
WARM_UP_DAYS = 8 * streaks.HALF_LIFE_DAYS
HEATMAP_WEEKS = 53  # a year of weeks and the current one, for the widest heat map


@dataclass(frozen=True)
class Dashboard:
    period: str
    since: date | None
    today: date
    summary: metrics.Summary
    daily: pd.DataFrame  # day, actions: networking days of the last year
    best: pd.DataFrame  # start, end, length: the ten best streaks
    strength: pd.DataFrame  # day, score over the period
    triage_streak: int
    weekly: pd.DataFrame  # week, minutes, target_minutes, met
    weeks_met_streak: int
    health: metrics.Health
    by_attempt: pd.DataFrame  # attempt, dialogs
    reach: metrics.Reach
    reach_monthly: pd.DataFrame  # month, kind, people
    funnel: pd.DataFrame  # stage, count, share, benchmark

    @property
    def is_empty(self) -> bool:
        return not self.summary.days

    @property
    def strength_now(self) -> float:
        return float(self.strength["score"].iloc[-1]) if len(self.strength) else 0.0


def best_frame(runs: list[Run]) -> pd.DataFrame:
    """Streak runs as the rows the streak chart takes."""
    return pd.DataFrame({
        "start": pd.Series(pd.to_datetime([r.start for r in runs]), dtype="datetime64[us]"),
        "end": pd.Series(pd.to_datetime([r.end for r in runs]), dtype="datetime64[us]"),
        "length": pd.Series([r.length for r in runs], dtype="int64"),
    })


def build(db: Database, settings: Mapping, period: str, *, weekdays_only: bool = False,
          now: datetime | None = None) -> Dashboard:
    """The dashboard for ``period`` ("4 weeks", "quarter", "year", "all") ending today."""
    tz = settings["timezone"]
    now = now or clock.utc_now()
    today = clock.local_date(now, tz)
    since = metrics.period_start(period, today)
    summary = metrics.networking_summary(db, tz, today, weekdays_only=weekdays_only)
    first = min(summary.days) if summary.days else today
    shown_from = max(since or first, first)
    strength = metrics.strength_series(
        summary.days, max(first, shown_from - timedelta(days=WARM_UP_DAYS)), today)
    strength = strength[strength["day"] >= pd.Timestamp(shown_from)].reset_index(drop=True)
    weekly = metrics.weekly_time(db, tz, shown_from, today, settings["weekly_target_minutes"],
                                 now=now)
    return Dashboard(
        period=period,
        since=since,
        today=today,
        summary=summary,
        daily=metrics.daily_activity(db, tz, today - timedelta(weeks=HEATMAP_WEEKS), today),
        best=best_frame(summary.best),
        strength=strength,
        triage_streak=metrics.triage_streak(db, today),
        weekly=weekly,
        weeks_met_streak=metrics.weeks_meeting_target_streak(weekly),
        health=metrics.followup_health(db, tz, since),
        by_attempt=metrics.dialogs_by_attempt(db, since, tz=tz),
        reach=metrics.reach_summary(db, since, tz=tz),
        reach_monthly=metrics.reach_by_month(db, tz, since),
        funnel=metrics.call_funnel(
            db, None if since is None else clock.to_iso(
                datetime.combine(since, datetime.min.time(), clock.zone(tz)))),
    )
