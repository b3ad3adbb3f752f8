"""The command line: ``python -m fieldkit COMMAND``.

A thin edge over the core, like the pages: it parses arguments, reads the
environment for defaults, calls fieldkit and prints plain results.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date
from pathlib import Path

from fieldkit import cli_app_passwords, config, db, imports, linkedin, mail_cli, sample, vcard
from fieldkit.errors import FieldkitError

# Exit statuses, as --help tells them.
OK = 0  # done; an import brought in every row of the file
FAILED = 1  # nothing done: an error, or a file refused whole; the database is unchanged
USAGE = 2  # the command line itself is wrong (argparse's own status)
SKIPPED = 3  # an import brought in the rest of the file, but skipped some rows (listed)

IMPORT_HELP = """Import people from a LinkedIn Connections.csv or a vCard (.vcf) file.

Every email, phone, web and postal address of a card is kept with its label;
a number or email that does not validate is kept as written ("not checked").
A card without a name is named after its company, email or phone; an empty
one is skipped. A file that is not such an export, or is cut off inside a
card, is refused whole."""

EXIT_STATUSES = f"""exit status:
  {OK}  done (an import brought in every row of the file)
  {FAILED}  nothing done: an error, or a file refused whole (not a vCard or LinkedIn
     export, or cut off inside a card); the database is unchanged
  {USAGE}  the command line is wrong
  {SKIPPED}  import: the other rows are in, some rows were skipped (each listed, with why)"""


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _scale(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 1000:
        raise argparse.ArgumentTypeError("scale is a whole number from 1 to 1000")
    return int(text)


def _existing(path: str) -> str:
    if not os.path.exists(path):
        raise FieldkitError(f"No database at {path}.")
    return path


def _print_counts(counts: dict[str, int]) -> None:
    width = max(len(name) for name in counts)
    for name, count in counts.items():
        print(f"  {name:<{width}}  {count:>9,}")


def _write(out: str, data: bytes) -> None:
    target = Path(out)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.write_bytes(data)
    partial.replace(target)


def run_sample(args) -> None:
    with db.connect(args.db) as conn:
        counts = sample.fill(conn, args.scale, today=args.today)
    print(f"Sample data (scale {args.scale}) written to {args.db}:")
    _print_counts(counts)


def run_info(args) -> None:
    with db.connect(_existing(args.db), migrate=False) as conn:
        version, latest = db.schema_version(conn), db.latest_version()
        print(f"Database: {args.db}")
        print(f"Schema version: {version} of {latest}"
              + ("" if version == latest else " (migrates when the app opens it)"))
        if version:
            _print_counts(db.row_counts(conn))


def run_backup(args) -> None:
    from fieldkit import backup

    if os.path.abspath(args.out) == os.path.abspath(_existing(args.db)):
        raise FieldkitError("The backup must go to another file than the database.")
    with db.connect(args.db, migrate=False) as conn:
        target = backup.backup_file(conn, args.out)
    print(f"Backed up {args.db} to {target}.")


def run_restore(args) -> None:
    from fieldkit import backup

    kept = backup.restore(Path(args.db), Path(args.file).read_bytes())
    print(f"Restored {args.db} from {args.file}; the previous file is kept as {kept}.")


def run_set_password(args) -> None:
    import getpass

    from fieldkit import access

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("New password: ")
        if getpass.getpass("Again: ") != password:
            raise FieldkitError("The two passwords differ; nothing was changed.")
    access.check_new_password(password)
    with db.connect(args.db) as conn:
        access.set_password(conn, password)
    print(f"Password set for {args.db}. Every device must sign in again.")


def run_clear_password(args) -> None:
    from fieldkit import access

    with db.connect(_existing(args.db)) as conn:
        removed = access.clear_password(conn)
    print(f"Password removed from {args.db}; every device is signed out." if removed
          else f"{args.db} had no password.")


def run_import(args) -> int:
    reader = {"linkedin": linkedin, "vcard": vcard}[args.format]
    data = Path(args.file).read_bytes()
    # The whole file is read before the database is opened: a file refused
    # (not an export, cut off inside a card) leaves it as it was.
    entries = reader.read(data)
    with db.connect(args.db) as conn:
        preview = imports.build_preview(
            conn, kind=args.format, filename=Path(args.file).name, data=data,
            entries=entries, phone_region=imports.settings_region(config.load(conn)))
        if args.dry_run:
            counts = preview.counts
        else:
            counts = imports.apply(conn, preview)
    for row in preview.rows:
        if row.action == "skip" or row.reason:
            print(f"  row {row.number}: {row.action}: {row.reason}")
    verb = "Would import" if args.dry_run else "Imported"
    print(f"{verb} {args.file}: {counts['new']} new, {counts['matched']} matched, "
          f"{counts['skipped']} skipped.")
    return SKIPPED if counts["skipped"] else OK


def run_export(args) -> None:
    from fieldkit import exports

    with db.connect(_existing(args.db)) as conn:
        if args.format == "csv":
            data = exports.csv_zip(conn)
        elif args.format == "vcard":
            data = vcard.export(conn).encode("utf-8")
        else:
            data = exports.followups_ics(conn, config.load(conn))
    _write(args.out, data)
    print(f"Exported {args.format} to {args.out}.")


def run_scan(args) -> None:
    import json

    from fieldkit import scan

    codes = scan.read(Path(args.image).read_bytes())
    print(json.dumps({"image": args.image, "codes": [c.as_dict() for c in codes]},
                     ensure_ascii=False, indent=2))
    if not codes:
        raise FieldkitError(f"No readable code in {args.image}.")


def _region(text: str) -> str:
    try:
        return config.validate({"phone_region": text})["phone_region"]
    except FieldkitError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _phone_region(path: str) -> str:
    """The database's phone region; the default one when there is no database yet."""
    if os.path.exists(path):
        with db.connect(path, migrate=False) as conn:
            if db.schema_version(conn):
                return config.load(conn)["phone_region"]
    return config.defaults()["phone_region"]


def run_read_card(args) -> None:
    import json

    from fieldkit import cardreader, photos

    region = args.region or _phone_region(args.db)
    failed = 0
    for image in args.images:
        try:
            data = photos.read_file(image, label="Card photo",
                                    error=cardreader.CardReadError)
            card = cardreader.read(data, region=region)
        except (FieldkitError, OSError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
            print(f"error: {image}: {reason}", file=sys.stderr)
            failed += 1
            continue
        print(json.dumps({"image": image, **card.as_dict()}, ensure_ascii=False), flush=True)
    if failed:
        raise FieldkitError(f"{failed} of {len(args.images)} images could not be read.")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m fieldkit", description="FieldKit's data, from the command line.",
        epilog=EXIT_STATUSES, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    default_db = str(config.database_path(os.environ))
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, run, help: str, **more) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help, **more)
        sub.add_argument("--db", default=default_db, help=f"database file (default {default_db})")
        sub.set_defaults(run=run)
        return sub

    fill = command("sample", run_sample, "fill an empty database with the sample data set")
    fill.add_argument("--scale", type=_scale, default=1,
                      help="multiply people and events (134 makes the benchmark's heavy user's database)")
    fill.add_argument("--today", type=_day, default=None,
                      help="anchor the data on this day (default: today)")
    command("info", run_info, "print the schema version and row counts")
    copy = command("backup", run_backup, "copy the database consistently, even while the app runs")
    copy.add_argument("--out", required=True, help="where to write the copy")
    back = command("restore", run_restore, "replace the database with a checked backup")
    back.add_argument("file", help="a backup made by FieldKit")
    secret = command("set-password", run_set_password,
                     "require a password to open FieldKit (stores a scrypt hash only)")
    secret.add_argument("--password-stdin", action="store_true",
                        help="read the password from the first line of standard input")
    command("clear-password", run_clear_password, "open FieldKit without a password again")
    bring = command(
        "import", run_import, "import people from LinkedIn or vCard",
        description=IMPORT_HELP,
        epilog=EXIT_STATUSES, formatter_class=argparse.RawDescriptionHelpFormatter)
    bring.add_argument("format", choices=("linkedin", "vcard"))
    bring.add_argument("file", help="Connections.csv or a .vcf file")
    bring.add_argument("--dry-run", action="store_true", help="only print what would happen")
    send = command("export", run_export, "export people, events and follow-ups")
    send.add_argument("format", choices=("csv", "vcard", "ics"))
    send.add_argument("--out", required=True, help="the file to write (csv: a .zip of tables)")
    read = commands.add_parser("scan", help="print the card fields the codes in an image fill")
    read.add_argument("image", help="a photo or screenshot of QR codes or barcodes")
    read.set_defaults(run=run_scan)
    paper = command("read-card", run_read_card,
                    "print the fields of the business cards in photos, one JSON line each")
    paper.add_argument("images", nargs="+", metavar="IMAGE",
                       help="a photo of a paper business card (JPEG, PNG or WebP)")
    paper.add_argument("--region", type=_region, default=None,
                       help="country for phone numbers without +country (default: the "
                            "database's phone region setting)")
    cli_app_passwords.register(commands, default_db)
    mail_cli.add(commands, default_db)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return args.run(args) or OK
    except FieldkitError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return FAILED
    except OSError as exc:
        print(f"error: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), file=sys.stderr)
        return FAILED
