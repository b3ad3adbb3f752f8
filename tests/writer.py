"""A writer for the concurrency and crash tests: cards, attempts and settings.

Run as a script it writes through the core the way a page run does (one
connection per round) and prints one line per acknowledged write, flushed
before the next write starts, so a parent that kills it knows exactly what
was acknowledged:

    card <person_id> <name>
    attempt <touch_id> <person_id>
    setting <name> <value>

    python tests/writer.py DB WORKER ROUNDS [--wait-for-go] [--cards-only]
                           [--stall-in-card N]

With ``--wait-for-go`` it prints ``ready`` once imported and waits for a
line on stdin, so that several processes start writing at the same moment.
With ``--stall-in-card N`` the N-th card (from 0) stops in the middle of its
transaction, its person and touch written but not its follow-up, prints
``stalled`` and waits there to be killed.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

import fieldkit.db
from fieldkit import cards, config, followups

# Each worker owns one setting, so its last acknowledged value must be the
# one stored at the end.
SETTING_OF_WORKER = ("cadence_customer", "cadence_prospect", "cadence_partner",
                     "cadence_vendor")


def card_name(worker: int, round_: int) -> str:
    return f"Writer {worker} card {round_}"


def _stall_before_followup(ack: Callable[[str], None]) -> Callable[[str], None]:
    def trace(statement: str) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO FOLLOWUPS"):
            ack("stalled")
            time.sleep(600)

    return trace


def write(path: str | Path, worker: int, rounds: int, ack: Callable[[str], None], *,
          cards_only: bool = False, stall_in_card: int | None = None) -> None:
    """Write ``rounds`` rounds; call ``ack`` with a line after each write returns."""
    setting = SETTING_OF_WORKER[worker % len(SETTING_OF_WORKER)]
    for n in range(rounds):
        with fieldkit.db.connect(path) as db:
            if n == stall_in_card:
                db.conn.set_trace_callback(_stall_before_followup(ack))
            settings = config.load(db)
            name = card_name(worker, n)
            person_id = cards.save(db, cards.clean({"name": name, "kind": "customer"}),
                                    settings=settings)
            ack(f"card {person_id} {name}")
            if cards_only:
                continue
            done = followups.log_attempt(db, person_id, "email", settings)
            ack(f"attempt {done.touch_id} {person_id}")
            config.save(db, {setting: n % 700 + 1})
            ack(f"setting {setting} {n % 700 + 1}")


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("db")
    parser.add_argument("worker", type=int)
    parser.add_argument("rounds", type=int)
    parser.add_argument("--wait-for-go", action="store_true")
    parser.add_argument("--cards-only", action="store_true")
    parser.add_argument("--stall-in-card", type=int)
    args = parser.parse_args(argv)

    def ack(line: str) -> None:
        print(line, flush=True)

    if args.wait_for_go:
        ack("ready")
        sys.stdin.readline()
    write(args.db, args.worker, args.rounds, ack, cards_only=args.cards_only,
          stall_in_card=args.stall_in_card)


if __name__ == "__main__":
    main(sys.argv[1:])
