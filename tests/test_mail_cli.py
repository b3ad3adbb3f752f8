"""``python -m fieldkit mail ...`` against a real Dovecot."""

import io
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from fieldkit import clock, db as fdb
from fieldkit.cli import FAILED, OK, main
from tests.factory import save_card
from tests.mailserver import PASSWORD, free_port, message

REPO = Path(__file__).resolve().parents[1]


def connect(path, server, *extra, password=PASSWORD, monkeypatch=None):
    monkeypatch.setattr(sys, "stdin", io.StringIO(password + "\n"))
    return main(["mail", "connect", "--db", str(path), "--host", server.host, "--port",
                 str(server.port), "--user", server.user, "--security", "none",
                 "--password-stdin", *extra])


def test_connect_status_sync_disconnect(tmp_path, mail_server, monkeypatch, capsys):
    path = tmp_path / "fieldkit.db"
    with fdb.connect(path) as conn:
        save_card(conn, "Ada Lovelace", at=clock.utc_now() - timedelta(days=10),
                  email="ada@example.org")
    when = clock.utc_now() - timedelta(days=1)
    mail_server.deliver("INBOX", message(sender="ada@example.org", date=when), when=when)

    assert connect(path, mail_server, monkeypatch=monkeypatch) == OK
    out = capsys.readouterr().out
    assert out.startswith(f"Connected: {mail_server.user} at 127.0.0.1:{mail_server.port}")
    assert f"{path}.mail-password" in out and PASSWORD not in out

    assert main(["mail", "sync", "--db", str(path)]) == OK
    done = capsys.readouterr()
    assert done.out == "Read 1 message (first sync): 0 email attempts, 1 reply, 0 bounces " \
                       "logged.\n"
    assert "read 1 of 1 headers" in done.err

    assert main(["mail", "status", "--db", str(path)]) == OK
    status = capsys.readouterr().out
    assert f"Mailbox: {mail_server.user} at 127.0.0.1:{mail_server.port} (unencrypted)" in status
    assert "(ok): Read 1 message" in status and "INBOX: read up to UID 1" in status
    assert "Syncs every 15 minutes" in status

    assert main(["mail", "sync", "--db", str(path), "--quiet"]) == OK
    assert capsys.readouterr() == ("Nothing new.\n", "")

    assert main(["mail", "disconnect", "--db", str(path)]) == OK
    assert "password file deleted" in capsys.readouterr().out
    assert not Path(f"{path}.mail-password").exists()
    assert main(["mail", "status", "--db", str(path)]) == OK
    assert capsys.readouterr().out == "No mailbox is connected.\n"


def test_a_wrong_password_says_so_in_one_line_and_stores_nothing(tmp_path, mail_server,
                                                                  monkeypatch, capsys):
    path = tmp_path / "fieldkit.db"

    assert connect(path, mail_server, password="wrong", monkeypatch=monkeypatch) == FAILED

    err = capsys.readouterr().err
    assert err.startswith("error: Wrong user name or password") and err.count("\n") == 1
    assert not Path(f"{path}.mail-password").exists()
    with fdb.connect(path) as conn:
        assert conn.execute("SELECT count(*) FROM mailbox").fetchone()[0] == 0


def test_no_encryption_is_refused_for_a_remote_host(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO("secret\n"))
    code = main(["mail", "connect", "--db", str(tmp_path / "f.db"), "--host", "imap.example.org",
                 "--user", "me", "--security", "none", "--password-stdin"])
    assert code == FAILED
    assert "none is only for a server on this computer" in capsys.readouterr().err


def test_a_sync_that_cannot_reach_the_server_fails_with_one_line(tmp_path, mail_server,
                                                                monkeypatch, capsys):
    path = tmp_path / "fieldkit.db"
    connect(path, mail_server, monkeypatch=monkeypatch)
    with fdb.connect(path) as conn:
        conn.execute("UPDATE mailbox SET port = ?", [free_port()])
    capsys.readouterr()

    assert main(["mail", "sync", "--db", str(path)]) == FAILED
    # The password file names the port it was given for: it is not sent elsewhere.
    assert capsys.readouterr().err.startswith("error: The password in ")


def test_sync_without_a_mailbox_says_so(tmp_path, capsys):
    assert main(["mail", "sync", "--db", str(tmp_path / "f.db")]) == FAILED
    assert capsys.readouterr().err == "error: No mailbox is connected.\n"


def test_the_commands_run_as_a_user_runs_them(tmp_path, mail_server):
    path = tmp_path / "fieldkit.db"
    run = dict(cwd=REPO, capture_output=True, text=True, timeout=60)
    connected = subprocess.run(
        [sys.executable, "-m", "fieldkit", "mail", "connect", "--db", str(path), "--host",
         "localhost", "--port", str(mail_server.port), "--user", mail_server.user,
         "--password-stdin", "--security", "none"], input=PASSWORD + "\n", **run)
    assert connected.returncode == 0, connected.stderr
    synced = subprocess.run([sys.executable, "-m", "fieldkit", "mail", "sync", "--db",
                             str(path)], **run)
    assert (synced.returncode, synced.stdout) == (0, "Nothing new.\n"), synced.stderr
