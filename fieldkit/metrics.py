"""The weekly look back: networking metrics read from the database.

Each function takes the database first and returns plain data: a pandas
DataFrame with fixed columns (the contract with ``fieldkit.charts``) or a
small dataclass of figures. Days and weeks are counted in the user's time
zone; instants are stored in UTC.

A networking action is a new card or a known person met again, an attempt, a
dialog (calls included) or a check-in; undone actions do not count (the same
rule as ``fieldkit.activity``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

import pandas as pd
from sqlite_utils import Database

from fieldkit import activity, calls, clock, events, followups, streaks
from fieldkit.errors import ValidationError
from fieldkit.kinds import PERSON_KINDS
from fieldkit.streaks import Run

Period = Literal["4 weeks", "quarter", "year", "all"]

# How far back each period reaches, today included; None: all history.
PERIOD_DAYS: dict[str, int | None] = {"4 weeks": 28, "quarter": 91, "year": 365, "all": None}
PERIODS: tuple[str, ...] = tuple(PERIOD_DAYS)

# A check-in left open (or a forgotten check-out) counts for at most this long.
CHECKIN_CAP = timedelta(hours=12)
MAX_ATTEMPT = 7  # dialogs after the 7th attempt or later are counted as the 7th

_DATETIME = "datetime64[us]"
_FUNNEL_STAGES = ("Dialed", "Picked up", "Talked")


@dataclass(frozen=True)
class Summary:
    """Streaks over all history: current, longest, the best ones, and every networking day."""

    current: int
    longest: int
    best: list[Run]
    days: set[date]


@dataclass(frozen=True)
class Health:
    """How fast and how well people first met in a period were followed up.

    ``median_hours_to_first_followup``: from meeting to the first attempt or
    dialog, over those followed up at all. ``followed_up_48h_share``: of
    everyone met, the share followed up within 48 hours. ``response_rate``:
    of those followed up, the share who reached a dialog. Each is None when
    there is nobody to take it over. ``people``: how many were first met.
    """

    median_hours_to_first_followup: float | None
    followed_up_48h_share: float | None
    response_rate: float | None
    people: int


@dataclass(frozen=True)
class Reach:
    """How far beyond the comfort zone a period reached.

    People are counted once each. ``colleagues_other_departments`` counts
    every colleague met (FieldKit does not know the user's own department);
    ``colleague_departments`` the distinct departments among them.
    ``new_people`` got a new card in the period; ``known_again`` were known
    before and met again. Events count once each, arrived early when at
    least one check-in there came before the day's opening.
    """

    competitors: int
    colleague_departments: int
    colleagues_other_departments: int
    new_people: int
    known_again: int
    events_arrived_early: int
    events_checked_in: int


# ---------------------------------------------------------------------------
# Periods and time helpers
# ---------------------------------------------------------------------------


def period_start(period: str, today: date) -> date | None:
    """The first day of ``period`` ending today ("4 weeks": 28 days), or None for "all"."""
    if period not in PERIOD_DAYS:
        raise ValidationError(f"Period: {period!r} is not one of {', '.join(PERIODS)}.",
                              field="period")
    days = PERIOD_DAYS[period]
    return None if days is None else today - timedelta(days=days - 1)


def _midnight_iso(day: date, zone: ZoneInfo) -> str:
    return clock.to_iso(datetime.combine(day, time(0), zone))


def _since_iso(since: date | datetime | str | None, tz: str) -> str:
    """A lower bound for stored instants; "" (everything) for None."""
    if since is None:
        return ""
    if isinstance(since, str):
        return clock.to_iso(clock.from_iso(since))
    if isinstance(since, datetime):
        return clock.to_iso(since)
    return _midnight_iso(since, clock.zone(tz))


def _instants(texts: pd.Series) -> pd.Series:
    return pd.to_datetime(texts, format="%Y-%m-%dT%H:%M:%SZ", utc=True)


def _mondays(days: pd.Series) -> pd.Series:
    return (days - pd.to_timedelta(days.dt.day_of_week, unit="D")).astype(_DATETIME)


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


# ---------------------------------------------------------------------------
# Networking days and streaks
# ---------------------------------------------------------------------------


def daily_activity(db: Database, tz: str, since: date | None, until: date) -> pd.DataFrame:
    """Networking actions per local day from ``since`` (None: all history) to ``until``.

    Columns: day (datetime64, the local day at midnight, naive) and actions
    (int), one row per networking day, oldest first; days without actions
    have no row. Each day's local midnights are worked out here in ``tz``;
    SQLite counts the actions between them from two indexes
    (touches_networking_at, checkins_checked_in_at), without reading a row.
    """
    zone = clock.zone(tz)
    first = since if since is not None else _first_day(db, zone)
    if first is None or first > until:
        return pd.DataFrame({"day": pd.Series([], dtype=_DATETIME),
                             "actions": pd.Series([], dtype="int64")})
    count = (until - first).days + 1
    # Midnight of every day and of the day after the last: day i runs from
    # bounds[i] to bounds[i + 1].
    bounds = [_midnight_iso(first + timedelta(days=n), zone) for n in range(count + 1)]
    rows = db.execute(
        f"""
        WITH bounds(i, start, end) AS (
            SELECT key, value, lead(value) OVER (ORDER BY key) FROM json_each(:bounds)
        ),
        per_day(i, actions) AS MATERIALIZED (
            SELECT i,
                   (SELECT count(*) FROM touches INDEXED BY touches_networking_at
                    WHERE kind IN {activity.NETWORKING_TOUCHES_SQL} AND undone_at IS NULL
                    AND at >= start AND at < end)
                   + (SELECT count(*) FROM checkins
                      WHERE checked_in_at >= start AND checked_in_at < end)
            FROM bounds WHERE end IS NOT NULL
        )
        SELECT i, actions FROM per_day WHERE actions > 0 ORDER BY i
        """, {"bounds": json.dumps(bounds)}).fetchall()
    start = pd.Timestamp(first)
    return pd.DataFrame({
        "day": pd.Series([start + pd.Timedelta(days=i) for i, _ in rows], dtype=_DATETIME),
        "actions": pd.Series([n for _, n in rows], dtype="int64"),
    })


def networking_summary(db: Database, tz: str, today: date, *,
                       weekdays_only: bool = False) -> Summary:
    """Current and longest streak, the ten best, and every networking day up to today."""
    daily = daily_activity(db, tz, None, today)
    days = set(daily["day"].dt.date)
    return Summary(
        current=streaks.current_streak(days, today, weekdays_only=weekdays_only),
        longest=streaks.longest(days, weekdays_only=weekdays_only),
        best=streaks.best(days, 10, weekdays_only=weekdays_only),
        days=days,
    )


def strength_series(days: set[date], start: date, end: date) -> pd.DataFrame:
    """The habit-strength score (0..1) for each day from ``start`` to ``end``.

    Columns: day (datetime64, midnight) and score (float). Uses
    ``streaks.HALF_LIFE_DAYS``; the score starts from 0 at ``start``.
    """
    scores = streaks.strength(days, start, end)
    return pd.DataFrame({
        "day": pd.Series(pd.to_datetime([d for d, _ in scores]), dtype=_DATETIME),
        "score": pd.Series([s for _, s in scores], dtype="float64"),
    })


def triage_streak(db: Database, today: date) -> int:
    """Consecutive days the due queue was cleared, ending today (or yesterday)."""
    days = {date.fromisoformat(day) for (day,) in db.execute(
        "SELECT day FROM triage_days WHERE day <= ?", [today.isoformat()]).fetchall()}
    return streaks.current_streak(days, today)


# ---------------------------------------------------------------------------
# Weekly networking time
# ---------------------------------------------------------------------------


def _first_day(db: Database, zone: ZoneInfo) -> date | None:
    """The local day of the first touch or check-in: two index look-ups."""
    found = [row[0] for row in (
        db.execute("SELECT min(at) FROM touches").fetchone(),
        db.execute("SELECT min(checked_in_at) FROM checkins").fetchone(),
    ) if row[0]]
    return clock.from_iso(min(found)).astimezone(zone).date() if found else None


def weekly_time(db: Database, tz: str, since: date | None, until: date, target_minutes: int,
                *, now: datetime | None = None) -> pd.DataFrame:
    """Networking minutes per ISO week (Monday first) in ``tz``, against the weekly target.

    Minutes are those logged on touches (not undone) plus time at events:
    check-in to check-out, or to the event's end when left open (with
    ``now``, to no later than now), at most 12 hours per check-in, counted
    in the week of the check-in. Every week from the one holding ``since``
    (None: the first touch or check-in) to the one holding ``until`` has a
    row, 0 when nothing was logged; the first week counts from its Monday.

    Columns: week (datetime64, Monday), minutes (int), target_minutes (int),
    met (bool: minutes >= target).
    """
    zone = clock.zone(tz)
    last_week = _monday(until)
    first = since if since is not None else (_first_day(db, zone) or until)
    first_week = min(_monday(first), last_week)
    params = {
        "start": _midnight_iso(first_week, zone),
        "end": _midnight_iso(until + timedelta(days=1), zone),
    }
    # Each week's minutes between its Monday's local midnight and the next
    # (the last week up to the end of ``until``), summed from an index.
    weeks_count = (last_week - first_week).days // 7 + 1
    bounds = [_midnight_iso(first_week + timedelta(weeks=n), zone)
              for n in range(weeks_count)] + [params["end"]]
    rows = db.execute(
        """
        WITH bounds(i, start, end) AS (
            SELECT key, value, lead(value) OVER (ORDER BY key) FROM json_each(:bounds)
        ),
        per_week(i, minutes) AS MATERIALIZED (
            SELECT i, (SELECT coalesce(sum(minutes), 0) FROM touches
                       INDEXED BY touches_minutes_at
                       WHERE undone_at IS NULL AND minutes > 0
                       AND at >= start AND at < end)
            FROM bounds WHERE end IS NOT NULL
        )
        SELECT i, minutes FROM per_week WHERE minutes > 0
        """, {"bounds": json.dumps(bounds)}).fetchall()
    touched = pd.DataFrame({
        "week": pd.Series([pd.Timestamp(first_week + timedelta(weeks=i)) for i, _ in rows],
                          dtype=_DATETIME),
        "minutes": pd.Series([m for _, m in rows], dtype="int64"),
    })

    visits = pd.DataFrame(db.execute(
        "SELECT c.checked_in_at, coalesce(c.checked_out_at, e.ends_at), "
        "c.checked_out_at IS NULL FROM checkins c JOIN events e ON e.id = c.event_id "
        "WHERE c.checked_in_at >= :start AND c.checked_in_at < :end", params).fetchall(),
        columns=["arrived", "left", "open"])
    arrived, left = _instants(visits["arrived"]), _instants(visits["left"])
    if now is not None:
        left = left.where(~visits["open"].astype(bool), left.clip(upper=pd.Timestamp(now)))
    stayed = (left - arrived).clip(lower=pd.Timedelta(0), upper=CHECKIN_CAP)
    visits["minutes"] = (stayed.dt.total_seconds() // 60).astype("int64")
    local_arrival = arrived.dt.tz_convert(zone).dt.tz_localize(None).dt.normalize()
    visits["week"] = _mondays(local_arrival.astype(_DATETIME))

    spent = pd.concat([touched[["week", "minutes"]], visits[["week", "minutes"]]])
    per_week = spent.groupby("week")["minutes"].sum()
    weeks = pd.date_range(first_week, last_week, freq="7D").astype(_DATETIME)
    minutes = per_week.reindex(weeks, fill_value=0).astype("int64").to_numpy()
    return pd.DataFrame({
        "week": pd.Series(weeks, dtype=_DATETIME),
        "minutes": minutes,
        "target_minutes": pd.Series([int(target_minutes)] * len(weeks), dtype="int64"),
        "met": minutes >= int(target_minutes),
    })


def weeks_meeting_target_streak(weekly: pd.DataFrame) -> int:
    """Consecutive weeks that met the target, ending with the latest complete week.

    The last row of ``weekly`` is taken as the current week: it extends the
    streak once it has met the target, and does not break it before then.
    """
    met = [bool(m) for m in weekly["met"]]
    if met and not met[-1]:
        met.pop()
    count = 0
    for week_met in reversed(met):
        if not week_met:
            break
        count += 1
    return count


# ---------------------------------------------------------------------------
# Follow-up and persistence
# ---------------------------------------------------------------------------


def followup_health(db: Database, tz: str, since: date | None) -> Health:
    """Follow-up speed and response for people first met on or after ``since`` (in ``tz``).

    Who counts and what "within 48 hours" means is ``followups.first_followups``.
    """
    people = followups.first_followups(db, since=_since_iso(since, tz))
    met = pd.DataFrame({"met": [p.met_at for p in people],
                        "first": [p.followed_up_at for p in people],
                        "reached": [p.reached_dialog for p in people]})
    followed = met.dropna(subset=["first"])
    hours = (_instants(followed["first"]) - _instants(followed["met"])).dt.total_seconds() / 3600
    return Health(
        median_hours_to_first_followup=float(hours.median()) if len(hours) else None,
        followed_up_48h_share=(sum(p.within_window for p in people) / len(people)
                               if people else None),
        response_rate=(int(followed["reached"].sum()) / len(followed)
                       if len(followed) else None),
        people=len(people),
    )


def dialogs_by_attempt(db: Database, since: date | datetime | str | None, *,
                       tz: str = "UTC") -> pd.DataFrame:
    """Which attempt brought each dialog since ``since`` (a day in ``tz``, or an instant).

    A dialog's attempt number is the count of attempts since the person's
    previous dialog or meeting, plus one (no attempt before it: 1), capped
    at 7. Columns: attempt (int, 1..the highest seen, none missing) and
    dialogs (int, 0 where none). Empty when there was no dialog.
    """
    bound = _since_iso(since, tz)
    if bound:
        people = ("(SELECT DISTINCT person_id FROM touches WHERE kind = 'dialog' "
                  "AND undone_at IS NULL AND at >= :since) AS talked "
                  "JOIN touches t ON t.person_id = talked.person_id")
    else:
        # Everyone with a dialog: one pass over the table beats an index look-up per row.
        people = "touches t NOT INDEXED"
    rows = db.execute(
        f"""
        WITH steps AS (
            SELECT t.person_id, t.kind, t.at, t.id,
                   sum(t.kind = 'attempt') OVER (PARTITION BY t.person_id
                       ORDER BY t.at, t.id ROWS UNBOUNDED PRECEDING) AS attempts_so_far
            FROM {people}
            WHERE t.undone_at IS NULL AND t.kind IN {activity.NETWORKING_TOUCHES_SQL}
        ),
        -- attempts since the same person's previous meeting or dialog
        stretches AS (
            SELECT kind, at, attempts_so_far - coalesce(lag(attempts_so_far) OVER (
                       PARTITION BY person_id ORDER BY at, id), 0) AS attempts
            FROM steps WHERE kind != 'attempt'
        )
        SELECT min(attempts + 1, {MAX_ATTEMPT}) AS attempt, count(*)
        FROM stretches WHERE kind = 'dialog' AND at >= :since
        GROUP BY attempt ORDER BY attempt
        """, {"since": bound}).fetchall()
    counts = dict(rows)
    highest = max(counts, default=0)
    attempts = list(range(1, highest + 1))
    return pd.DataFrame({
        "attempt": pd.Series(attempts, dtype="int64"),
        "dialogs": pd.Series([counts.get(n, 0) for n in attempts], dtype="int64"),
    })


# ---------------------------------------------------------------------------
# Reach (comfort zone)
# ---------------------------------------------------------------------------


def reach_by_month(db: Database, tz: str, since: date | None) -> pd.DataFrame:
    """People met per month (in ``tz``) and kind of relationship, since ``since``.

    New cards and known people met again both count; a person met twice in
    a month counts once. Columns: month (datetime64, the first of the
    month), kind (label such as "Press / analyst"), people (int); only
    months and kinds with someone met, oldest month first, kinds in the
    product's order.
    """
    zone = clock.zone(tz)
    met = pd.DataFrame(db.execute(
        "SELECT t.person_id, c.kind, t.at FROM touches t "
        "JOIN people c ON c.id = t.person_id "
        "WHERE t.kind = 'met' AND t.undone_at IS NULL AND c.status != 'merged' "
        "AND t.at >= :since", {"since": _since_iso(since, tz)}).fetchall(),
        columns=["person_id", "kind", "at"])
    local = _instants(met["at"]).dt.tz_convert(zone).dt.tz_localize(None)
    met["month"] = (local.dt.normalize() - pd.to_timedelta(local.dt.day - 1, unit="D")
                    ).astype(_DATETIME)
    people = (met.drop_duplicates(["month", "person_id"])
              .groupby(["month", "kind"], as_index=False).size())
    order = {kind: n for n, kind in enumerate(PERSON_KINDS)}
    people["order"] = people["kind"].map(order)
    people = people.sort_values(["month", "order"], kind="stable")
    return pd.DataFrame({
        "month": pd.Series(people["month"].to_numpy(), dtype=_DATETIME),
        "kind": [PERSON_KINDS.get(k, k) for k in people["kind"]],
        "people": pd.Series(people["size"].to_numpy(), dtype="int64"),
    })


def reach_summary(db: Database, since: date | datetime | str | None, *,
                  tz: str = "UTC") -> Reach:
    """Competitors, colleagues, new vs. known people and events since ``since``.

    ``since`` is a day in ``tz``, an instant, or None for all history.
    """
    bound = {"since": _since_iso(since, tz)}
    competitors, departments, colleagues, new, known = db.execute(
        """
        WITH met AS (
            SELECT t.person_id, c.kind, c.department,
                   max(coalesce(CASE WHEN json_valid(t.data)
                                THEN json_extract(t.data, '$.created') END, 1)) AS new
            FROM touches t JOIN people c ON c.id = t.person_id
            WHERE t.kind = 'met' AND t.undone_at IS NULL AND c.status != 'merged'
              AND t.at >= :since
            GROUP BY t.person_id
        )
        SELECT coalesce(sum(kind = 'competitor'), 0),
               count(DISTINCT CASE WHEN kind = 'colleague'
                     THEN nullif(lower(trim(department)), '') END),
               coalesce(sum(kind = 'colleague'), 0),
               coalesce(sum(new = 1), 0),
               coalesce(sum(new = 0), 0)
        FROM met
        """, bound).fetchone()
    checked_in, early = set(), set()
    for event_id, arrived, starts_at, event_tz in db.execute(
            "SELECT c.event_id, c.checked_in_at, e.starts_at, e.tz FROM checkins c "
            "JOIN events e ON e.id = c.event_id WHERE c.checked_in_at >= :since",
            bound).fetchall():
        checked_in.add(event_id)
        if event_id not in early and events.arrived_early(arrived, starts_at, event_tz):
            early.add(event_id)
    return Reach(
        competitors=competitors,
        colleague_departments=departments,
        colleagues_other_departments=colleagues,
        new_people=new,
        known_again=known,
        events_arrived_early=len(early),
        events_checked_in=len(checked_in),
    )


# ---------------------------------------------------------------------------
# Calls
# ---------------------------------------------------------------------------


def call_funnel(db: Database, since_iso: str | None) -> pd.DataFrame:
    """The call funnel since an instant (None: every call), beside the essay's benchmark.

    Columns: stage ("Dialed", "Picked up", "Talked"), count (int), share
    (float, of all dialed; 0.0 when nothing was dialed) and benchmark (None
    for Dialed, else the share the essay found: 0.5 and 0.15).
    """
    since = clock.from_iso(since_iso) if since_iso else None
    result = calls.funnel(db, since=since)
    dialed = result["dialed"]
    counts = [dialed, result["picked_up"], result["talked"]]
    return pd.DataFrame({
        "stage": list(_FUNNEL_STAGES),
        "count": pd.Series(counts, dtype="int64"),
        "share": pd.Series([n / dialed if dialed else 0.0 for n in counts], dtype="float64"),
        "benchmark": pd.Series([None, calls.BENCHMARK["picked_up"],
                                calls.BENCHMARK["talked"]], dtype=object),
    })
