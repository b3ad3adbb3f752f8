"""``python -m fieldkit mail connect|status|sync|disconnect``: the mailbox from the command line.

Registered by fieldkit.cli (``add``); like the rest of the command line it
parses, calls the core and prints plain lines. Errors are FieldkitErrors,
which cli.main prints in one line with exit status 1.
"""

from __future__ import annotations

import argparse
import os
import sys

from fieldkit import clock, config, db, mail_account, mail_schedule, mail_sync, mailbox

HELP = """Read your mailbox: read-only and headers only (From, To, Cc, Bcc, Date,
Message-ID, In-Reply-To, References, Subject and the headers that tell automated
mail). Mail you sent to people you know becomes an email attempt, their mail a
dialog; bounces mark the address. Nothing is marked read, moved or stored beyond
the Message-ID and subject of what was logged. The password is kept in a file
beside the database (<database>.mail-password, mode 0600), never in it."""


def run_connect(args) -> None:
    if args.password_stdin:
        secret = sys.stdin.readline().rstrip("\r\n")
    else:
        import getpass
        secret = getpass.getpass(f"Password for {args.user}: ")
    acct = mailbox.account(args.host, args.port, args.user, args.security)
    with db.connect(args.db) as conn:
        mail_account.connect(conn, args.db, acct, secret)
        days = config.load(conn)["mail_first_days"]
    print(f"Connected: {acct.describe()}. The password is kept in "
          f"{mail_account.password_path(args.db)} (only you can read it). "
          f"The first sync reads the last {days} days.")


def _when(stamp: str | None, tz: str) -> str:
    if not stamp:
        return "never"
    return clock.from_iso(stamp).astimezone(clock.zone(tz)).strftime("%Y-%m-%d %H:%M")


def run_status(args) -> None:
    with db.connect(args.db) as conn:
        found = mail_account.status(conn, args.db, running=mail_sync.is_running(args.db))
        settings = config.load(conn)
    if found.account is None:
        print("No mailbox is connected.")
        return
    tz = settings["timezone"]
    print(f"Mailbox: {found.account.describe()}, connected {_when(found.connected_at, tz)}")
    print(f"Password file: {found.password_file}")
    if found.problem:
        print(f"Problem: {found.problem}")
    if found.running:
        print(f"Syncing now: {found.done:,} of {found.total:,} headers read")
    result = ("ok" if found.ok else "failed") if found.ok is not None else ""
    print(f"Last sync: {_when(found.finished_at, tz)}"
          + (f" ({result}): {found.result}" if found.result else ""))
    print(f"Syncs every {settings['mail_sync_minutes']} minutes while FieldKit runs.")
    for folder in found.folders:
        print(f"  {folder['name']}: read up to UID {folder['last_uid']}, "
              f"{_when(folder['synced_at'], tz)}")


def run_sync(args) -> None:
    def progress(done: int, total: int) -> None:
        print(f"  read {done:,} of {total:,} headers", file=sys.stderr, flush=True)

    if args.background:  # started by the server: the pages come first
        os.nice(mail_schedule.NICENESS)
    quiet = args.quiet or args.background
    with db.connect(args.db) as conn:
        result = mail_sync.sync(conn, args.db, progress=None if quiet else progress)
    print(result.line())


def run_disconnect(args) -> None:
    with db.connect(args.db) as conn:
        had = mail_account.disconnect(conn, args.db)
    print("Disconnected: the mailbox is forgotten and its password file deleted. What it "
          "logged stays." if had else "No mailbox was connected.")


def add(commands, default_db: str) -> None:
    """Register ``mail`` and its commands on fieldkit.cli's subparsers."""
    mail = commands.add_parser("mail", help="read your mailbox (read-only, headers only)",
                               description=HELP)
    actions = mail.add_subparsers(dest="mail_command", required=True, metavar="ACTION")

    def action(name: str, run, help: str) -> argparse.ArgumentParser:
        sub = actions.add_parser(name, help=help, description=help)
        sub.add_argument("--db", default=default_db,
                         help=f"database file (default {default_db})")
        sub.set_defaults(run=run)
        return sub

    connect = action("connect", run_connect,
                     "log in to a mailbox and keep it (stores nothing when the login fails)")
    connect.add_argument("--host", required=True, help="the IMAP server, e.g. imap.gmail.com")
    connect.add_argument("--port", default=None,
                         help="default 993 for ssl, 143 for starttls and none")
    connect.add_argument("--user", required=True, help="the login, usually your address")
    connect.add_argument("--password-stdin", action="store_true",
                         help="read the password from the first line of standard input")
    connect.add_argument("--security", choices=tuple(mailbox.SECURITY), default="ssl",
                         help="ssl (default), starttls, or none (only for localhost)")
    action("status", run_status, "print the mailbox, its last sync and how far each folder "
                                 "was read")
    sync = action("sync", run_sync, "read what is new in the mailbox now and log what it means")
    sync.add_argument("--quiet", action="store_true", help="print no progress")
    sync.add_argument("--background", action="store_true",
                      help="as the server runs it: quiet, at a lower CPU priority")
    action("disconnect", run_disconnect, "forget the mailbox and delete its password file")
