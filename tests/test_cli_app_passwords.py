"""`python -m fieldkit app-password new|list|revoke`."""

import re
import subprocess
import sys

from fieldkit import app_passwords, db as fdb
from fieldkit.cli import FAILED, OK, main


def test_new_prints_the_username_and_the_password_once(db_path, capsys):
    assert main(["app-password", "new", "--name", "Ann's iPhone", "--db", str(db_path)]) == OK
    out = capsys.readouterr().out
    username = re.search(r"^username: (\S+)$", out, re.M)[1]
    password = re.search(r"^password: (\S+)$", out, re.M)[1]
    with fdb.connect(db_path) as db:
        assert app_passwords.device(db, username, password) == "Ann's iPhone"
    assert main(["app-password", "list", "--db", str(db_path)]) == OK
    listing = capsys.readouterr().out
    assert "Ann's iPhone" in listing and password not in listing


def test_revoke_refuses_the_device_at_once(db_path, capsys):
    main(["app-password", "new", "--name", "Pixel", "--db", str(db_path)])
    password = re.search(r"^password: (\S+)$", capsys.readouterr().out, re.M)[1]
    assert main(["app-password", "revoke", "--name", "Pixel", "--db", str(db_path)]) == OK
    with fdb.connect(db_path) as db:
        assert app_passwords.device(db, "fieldkit", password) is None
    assert main(["app-password", "revoke", "--name", "Pixel", "--db", str(db_path)]) == FAILED
    assert "No app password is named" in capsys.readouterr().err


def test_the_same_name_twice_fails_and_keeps_one(db_path, capsys):
    main(["app-password", "new", "--name", "Pixel", "--db", str(db_path)])
    assert main(["app-password", "new", "--name", "Pixel", "--db", str(db_path)]) == FAILED
    with fdb.connect(db_path) as db:
        assert len(app_passwords.listed(db)) == 1


def test_the_command_runs_as_a_module(db_path):
    done = subprocess.run([sys.executable, "-m", "fieldkit", "app-password", "new", "--name",
                           "Laptop", "--db", str(db_path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert re.search(r"^username: fieldkit$", done.stdout, re.M)


def test_the_core_never_loads_radicale():
    # Radicale is the web layer's: the core and the command line run without it.
    script = ("import sys, fieldkit.cli, fieldkit.contacts_book, fieldkit.calendar_feed, "
              "fieldkit.sync_log, fieldkit.phone_setup; print('radicale' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.stdout.strip() == "False", done.stderr
