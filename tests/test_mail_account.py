"""Connecting a mailbox (fieldkit.mail_account, fieldkit.mailbox) against a real Dovecot.

A connection that fails says why in one line and stores nothing; the
password lives in a file of its own beside the database, never in it.
"""

import json
import stat
import zipfile
from io import BytesIO

import pytest

from fieldkit import backup, exports, mail_account, mailbox
from fieldkit.errors import ValidationError
from tests.mailserver import PASSWORD, free_port


def acct(server, **changes):
    fields = {"host": server.host, "port": server.port, "user": server.user,
              "security": "none", **changes}
    return mailbox.account(**fields)


def stored(db, path):
    return (db.execute("SELECT count(*) FROM mailbox").fetchone()[0],
            mail_account.password_path(path).exists())


@pytest.fixture
def path(tmp_path):
    return tmp_path / "fieldkit.db"


def test_connecting_keeps_the_mailbox_and_its_password_file(db, path, mail_server):
    mail_account.connect(db, path, acct(mail_server), PASSWORD)

    assert mail_account.stored_account(db) == mailbox.Account(
        "127.0.0.1", mail_server.port, mail_server.user, "none")
    secret = mail_account.password_path(path)
    assert secret == path.with_name("fieldkit.db.mail-password")
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    assert json.loads(secret.read_text())["password"] == PASSWORD
    assert mail_account.password(db, path) == (mail_account.stored_account(db), PASSWORD)


def test_the_password_is_not_in_the_database_a_backup_or_the_export(db, path, mail_server):
    mail_account.connect(db, path, acct(mail_server), PASSWORD)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    assert PASSWORD.encode() not in path.read_bytes()
    assert PASSWORD.encode() not in backup.backup_bytes(db)
    with zipfile.ZipFile(BytesIO(exports.csv_zip(db))) as zipped:
        assert all(PASSWORD.encode() not in zipped.read(name) for name in zipped.namelist())
        assert not any(mail_server.user.encode() in zipped.read(name)
                       for name in zipped.namelist())  # nor where the mailbox is


@pytest.mark.parametrize("change, said", [
    ({"password": "wrong-password"}, "Wrong user name or password: 127.0.0.1 refused"),
    ({"security": "ssl"}, "TLS failed with 127.0.0.1:"),
    ({"security": "starttls"}, "TLS failed: 127.0.0.1:"),
    ({"port": "closed"}, "Cannot reach 127.0.0.1:"),
    ({"host": "no-such-host.invalid"}, "Cannot find the mail server no-such-host.invalid"),
], ids=["wrong password", "TLS failure", "no STARTTLS", "nothing listening", "unknown host"])
def test_a_failed_connection_says_why_in_one_line_and_stores_nothing(db, path, mail_server,
                                                                     change, said):
    fields = {"host": mail_server.host, "port": mail_server.port, "user": mail_server.user,
              "security": "none"}
    fields.update({k: v for k, v in change.items() if k != "password"})
    if fields["port"] == "closed":
        fields["port"] = free_port()
    if fields["host"] != "127.0.0.1":
        fields["security"] = "ssl"

    with pytest.raises(mailbox.MailboxError) as raised:
        mail_account.connect(db, path, mailbox.account(**fields),
                             change.get("password", PASSWORD))

    assert str(raised.value).startswith(said)
    assert "\n" not in str(raised.value) and len(str(raised.value)) < 300
    assert stored(db, path) == (0, False)


def test_a_failed_reconnection_keeps_the_mailbox_as_it_was(db, path, mail_server):
    mail_account.connect(db, path, acct(mail_server), PASSWORD)
    before = path.with_name(path.name + ".mail-password").read_bytes()

    with pytest.raises(mailbox.MailboxError):
        mail_account.connect(db, path, acct(mail_server), "wrong-password")

    assert mail_account.password_path(path).read_bytes() == before
    assert mail_account.password(db, path)[1] == PASSWORD


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "127.1.2.3", "::1", "[::1]"])
def test_no_encryption_is_accepted_for_this_computer(host):
    assert mailbox.account(host, None, "me", "none").port == 143


@pytest.mark.parametrize("host", ["imap.example.org", "192.168.1.20", "10.0.0.1",
                                  "localhost.example.org", "127.0.0.1.example.org"])
def test_no_encryption_is_refused_for_any_other_host(host):
    with pytest.raises(ValidationError, match="none is only for a server on this computer"):
        mailbox.account(host, None, "me", "none")


@pytest.mark.parametrize("host, port, user, security, field", [
    ("", 993, "me", "ssl", "host"),
    ("imap example.org", 993, "me", "ssl", "host"),
    ("imap.example.org/x", 993, "me", "ssl", "host"),
    ("-bad.example.org", 993, "me", "ssl", "host"),
    ("x" * 300, 993, "me", "ssl", "host"),
    ("imap.exämple.org", 993, "me", "ssl", "host"),
    ("imap.example.org", 0, "me", "ssl", "port"),
    ("imap.example.org", 70000, "me", "ssl", "port"),
    ("imap.example.org", "99a", "me", "ssl", "port"),
    ("imap.example.org", True, "me", "ssl", "port"),
    ("imap.example.org", 993, "", "ssl", "user"),
    ("imap.example.org", 993, "me\r\nA1 DELETE INBOX", "ssl", "user"),
    ("imap.example.org", 993, "me", "tls1.0", "security"),
])
def test_bad_fields_are_refused_with_the_field_named(host, port, user, security, field):
    with pytest.raises(ValidationError) as raised:
        mailbox.account(host, port, user, security)
    assert raised.value.field == field


@pytest.mark.parametrize("security, port", [("ssl", 993), ("starttls", 143)])
def test_the_port_defaults_to_the_securitys(security, port):
    assert mailbox.account("IMAP.Example.ORG.", "", "me", security) == mailbox.Account(
        "imap.example.org", port, "me", security)


@pytest.mark.parametrize("secret", ["", None, "x" * 2000, "line\nbreak", 42])
def test_a_bad_password_is_refused_before_anything_is_sent(db, path, secret):
    sent = []
    with pytest.raises(ValidationError, match="Password"):
        mail_account.connect(db, path, mailbox.account("imap.example.org", None, "me", "ssl"),
                             secret, check=lambda *a: sent.append(a))
    assert sent == [] and stored(db, path) == (0, False)


def test_a_password_with_any_characters_logs_in(db, path, _dovecot):
    # AUTHENTICATE PLAIN carries UTF-8, quotes and backslashes as they are.
    from tests.mailserver import MailServer

    secret = 'pässwörd "quoted" \\ back'
    with MailServer(password=secret.replace(" ", "_")) as server:
        box = server.mailbox("unicode@fieldkit.test")
        mail_account.connect(db, path, acct(box), secret.replace(" ", "_"))
    assert mail_account.password(db, path)[1] == secret.replace(" ", "_")


def test_disconnecting_forgets_the_mailbox_and_deletes_the_password_file(db, path,
                                                                          mail_server):
    mail_account.connect(db, path, acct(mail_server), PASSWORD)
    db.execute("INSERT INTO mail_folders (name, uidvalidity, last_uid, synced_at) "
               "VALUES ('INBOX', 1, 5, '2026-01-01T00:00:00Z')")

    assert mail_account.disconnect(db, path) is True

    assert stored(db, path) == (0, False)
    assert db.execute("SELECT count(*) FROM mail_folders").fetchone()[0] == 0
    assert mail_account.disconnect(db, path) is False


def test_a_password_file_for_another_mailbox_is_never_used(db, path, mail_server):
    # A restored backup that points at another server must not get this password.
    mail_account.connect(db, path, acct(mail_server), PASSWORD)
    db.execute("UPDATE mailbox SET host = 'imap.attacker.example', security = 'ssl'")

    with pytest.raises(mail_account.NotConnected, match="is for another mailbox"):
        mail_account.password(db, path)
    assert "another mailbox" in mail_account.status(db, path).problem


def test_a_missing_password_file_says_connect_again(db, path, mail_server):
    mail_account.connect(db, path, acct(mail_server), PASSWORD)
    mail_account.password_path(path).unlink()

    with pytest.raises(mail_account.NotConnected, match="connect the mailbox again"):
        mail_account.password(db, path)


def test_status_of_no_mailbox_and_of_one(db, path, mail_server):
    assert mail_account.status(db, path).account is None
    mail_account.connect(db, path, acct(mail_server), PASSWORD)

    found = mail_account.status(db, path)

    assert found.account.user == mail_server.user and found.problem is None
    assert (found.finished_at, found.ok, found.result) == (None, None, None)


def test_reading_the_newest_uid_again_is_filtered(mail_server):
    from tests.mailserver import message
    mail_server.deliver("INBOX", message())
    mail_server.deliver("INBOX", message())
    with mailbox.open_reader(acct(mail_server), PASSWORD) as reader:
        reader.examine("INBOX")
        # UID 3:* answers UID 2, the newest: not new.
        assert reader._client.search(["UID", "3:*"]) == [2]
        assert reader.uids_after(2) == []
        assert reader.uids_after(1) == [2]
        assert reader.uids_after(0) == [1, 2]
