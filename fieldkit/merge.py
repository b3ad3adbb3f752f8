"""The same person met twice: finding the pairs and merging them without losing history.

``candidates`` lists pairs of people who are probably one person, as
``matching.pairs`` finds them (the same email, phone or LinkedIn profile,
the same name at the same company, or nearly the same name at the same
company), the most certain first.

``merge`` folds one person into another in a single transaction: every
touch (with its debrief and evidence), follow-up, photo and tag moves to the
person kept, and every email, phone, web and postal address of both is kept
(fieldkit.labelled); the fields are taken from either side as chosen (for an
email, phone or web address: which is the primary), and the person dropped
stays in the database with status "merged" for history.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlite_utils import Database

from fieldkit import cards, clock, labelled, matching
from fieldkit.cards import person_row
from fieldkit.db import transaction
from fieldkit.errors import FieldkitError

# Fields a merge takes from one side or the other, with their labels: the
# card's stored fields, then what only a stored person has.
MERGE_FIELDS: dict[str, str] = {
    **{spec.name: spec.label for spec in cards.FIELDS if spec.column},
    "tz": "Time zone",
    "cadence_days": "Keep-in-touch cadence",
    "event_id": "Met at event",
    "status": "Status",
}
FIELDS: tuple[str, ...] = tuple(MERGE_FIELDS)
# Fields that go with another and are never chosen on their own: a label
# with its value, where a made name came from with the name.
FOLLOWS: dict[str, str] = {spec.name: spec.follows for spec in cards.FIELDS
                           if spec.follows and spec.name in MERGE_FIELDS}


class MergeError(FieldkitError):
    """These two people cannot be merged (the same person, or already merged)."""


@dataclass(frozen=True)
class Pair:
    """Two people who are probably one; ``first`` is the one to keep by default.

    ``first`` has the longer history (more touches), or was added first.
    Each side is a dict: id, every field of FIELDS, met_at, event (the
    event's name) and touches (how many).
    """

    first: dict
    second: dict
    reasons: tuple[str, ...]

    @property
    def key(self) -> str:
        """A stable name for this pair, for widget keys: "12-345"."""
        return f"{self.first['id']}-{self.second['id']}"


@dataclass(frozen=True)
class Merged:
    """What a merge did, for the confirmation line."""

    keep_id: int
    drop_id: int
    name: str
    taken: tuple[str, ...]  # fields whose value came from the dropped person
    cancelled: tuple[int, ...]  # follow-ups closed so that one stays open
    touch_id: int  # the "state" touch recording the merge
    message: str


def _people(db: Database, ids: list[int]) -> dict[int, dict]:
    if not ids:
        return {}
    marks = ", ".join("?" * len(ids))
    cursor = db.execute(
        f"SELECT c.id, {', '.join(f'c.{name}' for name in MERGE_FIELDS)}, "
        "c.met_at, e.name AS event, "
        "(SELECT count(*) FROM touches t WHERE t.person_id = c.id) AS touches "
        f"FROM people c LEFT JOIN events e ON e.id = c.event_id WHERE c.id IN ({marks})",
        ids)
    keys = [d[0] for d in cursor.description]
    return {row[0]: dict(zip(keys, row)) for row in cursor.fetchall()}


def candidates(db: Database, limit: int = 50) -> list[Pair]:
    """Pairs of people who are probably the same, most certain first.

    Pairs sharing an email, phone or profile rank above a shared name;
    among equals, the most recently added twin comes first. Merged people
    are left out.
    """
    ranked = sorted(matching.pairs(db).items(), key=lambda item: (
        -sum(matching.REASONS[r] for r in item[1]), -item[0][1], -item[0][0]))[:limit]
    people = _people(db, sorted({i for pair, _ in ranked for i in pair}))
    pairs = []
    for (a, b), reasons in ranked:
        first, second = people[a], people[b]
        if second["touches"] > first["touches"]:
            first, second = second, first
        order = [r for r in matching.REASONS if r in reasons]
        pairs.append(Pair(first=first, second=second, reasons=tuple(order)))
    return pairs


# ---------------------------------------------------------------------------
# Merging
# ---------------------------------------------------------------------------

def _empty(value: object) -> bool:
    return value is None or value == "" or value == 0


def default_choice(keep_value: object, drop_value: object) -> str:
    """Keep's value unless it is empty and the dropped person has one."""
    return "drop" if _empty(keep_value) and not _empty(drop_value) else "keep"


def _check_pair(keep: Mapping, drop: Mapping) -> None:
    if keep["id"] == drop["id"]:
        raise MergeError("A person cannot be merged with themselves.")
    for person in (keep, drop):
        if person["status"] == "merged":
            raise MergeError(f"{person['name']} was already merged into someone else.")


def preview(db: Database, keep_id: int, drop_id: int) -> dict:
    """Both people side by side, for choosing field by field before a merge.

    ``fields``: one dict per field to choose (field, label, keep, drop,
    default, same); a label goes with its value and is not among them.
    ``moves``: how many touches, follow-ups and photos move, the tags, and
    how many emails, phones, web and postal addresses the kept person gains.
    """
    keep, drop = person_row(db, keep_id), person_row(db, drop_id)
    _check_pair(keep, drop)
    fields = [
        {"field": name, "label": label, "keep": keep[name], "drop": drop[name],
         "default": default_choice(keep[name], drop[name]), "same": keep[name] == drop[name]}
        for name, label in MERGE_FIELDS.items() if name not in FOLLOWS
    ]
    more = labelled.of(db, [keep_id, drop_id])
    gained = labelled.missing(labelled.every(drop, more.get(drop_id, ())),
                              labelled.every(keep, more.get(keep_id, ())))
    touches, followups, photos = db.execute(
        "SELECT (SELECT count(*) FROM touches WHERE person_id = :id), "
        "(SELECT count(*) FROM followups WHERE person_id = :id), "
        "(SELECT count(*) FROM attachments WHERE person_id = :id)", {"id": drop_id}).fetchone()
    tags = [t for (t,) in db.execute(
        "SELECT tag FROM person_tags WHERE person_id = ? ORDER BY tag", [drop_id])]
    return {"keep": keep, "drop": drop, "fields": fields,
            "moves": {"touches": touches, "followups": followups, "photos": photos,
                      "tags": tags, "values": len(gained)}}


def _chosen(keep: Mapping, drop: Mapping, choices: Mapping[str, str]) -> tuple[dict, list[str]]:
    for name, side in choices.items():
        if name not in MERGE_FIELDS:
            raise MergeError(f"Unknown field to merge: {name!r}.")
        if name in FOLLOWS:
            raise MergeError(f"{MERGE_FIELDS[name]} goes with "
                             f"{MERGE_FIELDS[FOLLOWS[name]].lower()}: choose that.")
        if side not in ("keep", "drop"):
            raise MergeError(f"{MERGE_FIELDS[name]}: choose 'keep' or 'drop', not {side!r}.")
    values, taken, sides = {}, [], {}
    for name in MERGE_FIELDS:
        if name in FOLLOWS:
            continue
        side = sides[name] = choices.get(name) or default_choice(keep[name], drop[name])
        values[name] = drop[name] if side == "drop" else keep[name]
        if side == "drop" and drop[name] != keep[name]:
            taken.append(name)
    for name, leader in FOLLOWS.items():
        values[name] = (drop if sides[leader] == "drop" else keep)[name]
    for spec in cards.FIELDS:
        if spec.name in values and not cards.kept_for(spec, values["kind"]):
            values[spec.name] = None
    values["name_key"] = matching.name_key(values["name"])
    values["company_key"] = matching.company_key(values["company"])
    # The person was first met at the earlier of the two meetings.
    values["met_at"] = min(keep["met_at"], drop["met_at"])
    return values, taken


def _every_value(db: Database, keep: Mapping, drop: Mapping, chosen: dict) -> tuple:
    """Every value of both people, each once: the chosen primaries first, then the
    kept person's, then the dropped one's (fieldkit.labelled)."""
    more = labelled.of(db, [keep["id"], drop["id"]])
    values = labelled.ordered([
        *labelled.primaries(chosen),
        *labelled.every(keep, more.get(keep["id"], ())),
        *labelled.every(drop, more.get(drop["id"], ()))])
    return labelled.split(values)


def merge(db: Database, keep_id: int, drop_id: int, choices: Mapping[str, str] | None = None,
          *, now: datetime | None = None) -> Merged:
    """Fold the person ``drop_id`` into ``keep_id``, in one transaction.

    Every touch (and the debriefs and evidence on them), follow-up, photo,
    tag, email, phone, web and postal address of the dropped person moves to
    the kept one. ``choices`` maps a field of MERGE_FIELDS to "keep" or
    "drop"; a field not chosen keeps the kept person's value unless it is
    empty. For an email, phone or web address the choice is the primary:
    the other one is kept too, with its label. The dropped person stays, with
    status "merged" and ``merged_into`` set, hidden from lists. Afterwards
    the kept person has at most one open ladder or keep-in-touch follow-up
    (the one due first); a "state" touch records the merge.
    """
    stamp = clock.to_iso(now or clock.utc_now())
    with transaction(db):
        keep, drop = person_row(db, keep_id), person_row(db, drop_id)
        _check_pair(keep, drop)
        values, taken = _chosen(keep, drop, choices or {})
        columns, more = _every_value(db, keep, drop, values)
        values.update(columns)
        db.table("people").update(keep_id, {**values, "updated_at": stamp})
        labelled.replace(db, keep_id, more)
        db.execute("DELETE FROM labelled_values WHERE person_id = ?", [drop_id])
        db.execute(
            "INSERT OR IGNORE INTO person_tags (person_id, tag) "
            "SELECT ?, tag FROM person_tags WHERE person_id = ?", [keep_id, drop_id])
        db.execute("DELETE FROM person_tags WHERE person_id = ?", [drop_id])
        photos = db.execute("UPDATE attachments SET person_id = ? WHERE person_id = ?",
                            [keep_id, drop_id]).rowcount
        # A moved capture must never be undone as "delete the new person"
        # (that would now delete the kept one) nor clear fields it filled on
        # the dropped person: it becomes a plain meeting, its old data kept.
        db.execute(
            "UPDATE touches SET data = json_object('created', json('false'), "
            "'merged_from', ?, 'before_merge', json(data)) "
            "WHERE person_id = ? AND kind = 'met' AND data IS NOT NULL AND json_valid(data)",
            [drop_id, drop_id])
        touches = db.execute("UPDATE touches SET person_id = ? WHERE person_id = ?",
                             [keep_id, drop_id]).rowcount
        followups = db.execute("UPDATE followups SET person_id = ? WHERE person_id = ?",
                               [keep_id, drop_id]).rowcount
        db.execute("UPDATE people SET merged_into = ?, updated_at = ? WHERE merged_into = ?",
                   [keep_id, stamp, drop_id])
        db.execute("UPDATE people SET status = 'merged', merged_into = ?, updated_at = ? "
                   "WHERE id = ?", [keep_id, stamp, drop_id])
        cancelled = _one_open_followup(db, keep_id, values["status"], stamp)
        touch_id = db.execute(
            "INSERT INTO touches (person_id, at, kind, outcome, minutes, note, data, "
            "created_at) VALUES (?, ?, 'state', 'merged', 0, ?, ?, ?)",
            [keep_id, stamp, f"Merged with {drop['name']} (a duplicate).",
             json.dumps({"merged_from": drop_id, "name": drop["name"], "fields": taken,
                         "cancelled": cancelled,
                         "moved": {"touches": touches, "followups": followups,
                                   "photos": photos}}),
             stamp],
        ).lastrowid
    return Merged(keep_id, drop_id, values["name"], tuple(taken), tuple(cancelled), touch_id,
                  f"Merged {drop['name']} into {values['name']}.")


def _one_open_followup(db: Database, person_id: int, status: str, stamp: str) -> list[int]:
    """Close duplicate open follow-ups: one ladder/keep-in-touch stays, the earliest due.

    A person no longer active keeps none open at all.
    """
    if status == "active":
        rows = db.execute(
            "SELECT id FROM followups WHERE person_id = ? AND status = 'open' "
            "AND reason IN ('ladder', 'keep_in_touch') ORDER BY due_on, id",
            [person_id]).fetchall()
        extra = [fid for (fid,) in rows[1:]]
    else:
        extra = [fid for (fid,) in db.execute(
            "SELECT id FROM followups WHERE person_id = ? AND status = 'open' ORDER BY id",
            [person_id]).fetchall()]
    for followup_id in extra:
        db.execute("UPDATE followups SET status = 'cancelled', closed_at = ? WHERE id = ?",
                   [stamp, followup_id])
    return extra
