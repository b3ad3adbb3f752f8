"""``python -m fieldkit app-password new|list|revoke``: the devices that sync contacts and calendar.

Registered by fieldkit.cli; a thin edge over fieldkit.app_passwords.
"""

from __future__ import annotations

import argparse

from fieldkit import app_passwords, db


def run_new(args) -> None:
    with db.connect(args.db) as conn:
        made = app_passwords.new(conn, args.name)
    print(f"device: {made.name}")
    print(f"username: {made.username}")
    print(f"password: {made.password}")
    print("The password is shown only now; FieldKit keeps only a hash of it.")


def run_list(args) -> None:
    with db.connect(args.db) as conn:
        found = app_passwords.listed(conn)
    if not found:
        print("No app passwords: no phone or computer syncs contacts and calendar.")
        return
    width = max(len(item.name) for item in found)
    print(f"{'name':<{width}}  {'created':<20}  last used")
    for item in found:
        print(f"{item.name:<{width}}  {item.created_at:<20}  {item.last_used_at or 'never'}")


def run_revoke(args) -> None:
    with db.connect(args.db) as conn:
        app_passwords.revoke(conn, args.name)
    print(f"Revoked the app password of {args.name}: it syncs nothing from now on.")


def register(commands, default_db: str) -> None:
    """Add ``app-password`` and its three commands to the command line's ``commands``."""
    group = commands.add_parser(
        "app-password", help="make, list and revoke the app passwords phones sync with",
        description="App passwords: one per phone or computer that syncs FieldKit's people "
                    "(CardDAV) and follow-ups (CalDAV).")
    actions = group.add_subparsers(dest="action", required=True, metavar="ACTION")

    def action(name: str, run, help: str) -> argparse.ArgumentParser:
        sub = actions.add_parser(name, help=help)
        sub.add_argument("--db", default=default_db, help=f"database file (default {default_db})")
        sub.set_defaults(run=run)
        return sub

    made = action("new", run_new, "make an app password for a device; prints it once")
    made.add_argument("--name", required=True, help="which phone or computer it is for")
    action("list", run_list, "list the app passwords: name, created, last used")
    gone = action("revoke", run_revoke, "revoke a device's app password at once")
    gone.add_argument("--name", required=True, help="the device's name, as listed")
