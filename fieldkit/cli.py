"""The command line: ``python -m fieldkit COMMAND``.

A thin edge over the core, like the pages: it parses arguments, reads the
environment for defaults, calls fieldkit and prints plain results.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date

from fieldkit import config, db, sample
from fieldkit.errors import FieldkitError


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _scale(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 1000:
        raise argparse.ArgumentTypeError("scale is a whole number from 1 to 1000")
    return int(text)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m fieldkit", description="FieldKit's data, from the command line."
    )
    default_db = str(config.database_path(os.environ))
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    fill = commands.add_parser("sample", help="fill an empty database with the sample data set")
    fill.add_argument("--db", default=default_db, help=f"database file (default {default_db})")
    fill.add_argument("--scale", type=_scale, default=1,
                      help="multiply people and events (130 makes a heavy user's database)")
    fill.add_argument("--today", type=_day, default=None,
                      help="anchor the data on this day (default: today)")

    info = commands.add_parser("info", help="print the schema version and row counts")
    info.add_argument("--db", default=default_db, help=f"database file (default {default_db})")

    backup = commands.add_parser("backup", help="copy the database consistently, even while the app runs")
    backup.add_argument("--db", default=default_db, help=f"database file (default {default_db})")
    backup.add_argument("--out", required=True, help="where to write the copy")
    return parser


def _print_counts(counts: dict[str, int]) -> None:
    width = max(len(name) for name in counts)
    for name, count in counts.items():
        print(f"  {name:<{width}}  {count:>9,}")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "sample":
            with db.connect(args.db) as conn:
                counts = sample.fill(conn, args.scale, today=args.today)
            print(f"Sample data (scale {args.scale}) written to {args.db}:")
            _print_counts(counts)
        elif args.command == "info":
            if not os.path.exists(args.db):
                raise FieldkitError(f"No database at {args.db}.")
            with db.connect(args.db, migrate=False) as conn:
                version, latest = db.schema_version(conn), db.latest_version()
                print(f"Database: {args.db}")
                print(f"Schema version: {version} of {latest}"
                      + ("" if version == latest else " (migrates when the app opens it)"))
                if version:
                    _print_counts(db.row_counts(conn))
        elif args.command == "backup":
            if not os.path.exists(args.db):
                raise FieldkitError(f"No database at {args.db}.")
            if os.path.abspath(args.out) == os.path.abspath(args.db):
                raise FieldkitError("The backup must go to another file than the database.")
            with db.connect(args.db, migrate=False) as conn:
                target = db.backup_to(conn, args.out)
            print(f"Backed up {args.db} to {target}.")
    except FieldkitError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0
