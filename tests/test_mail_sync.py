"""fieldkit.mail_sync against a real IMAP server (Dovecot, tests/mailserver.py).

One test per rule of what the mailbox means. People are met a month before
today (fieldkit.clock) and messages are dated days before today, so the
tests hold on any day.
"""

import re
from datetime import datetime, time, timedelta, timezone

import pytest
from imapclient import IMAPClient

from fieldkit import clock, config, followups, mail_account, mail_sync, mailbox
from fieldkit.errors import FieldkitError
from tests.factory import SETTINGS, save_card
from tests.mailserver import PASSWORD, free_port, message

NOW = clock.utc_now()
MET = NOW - timedelta(days=30)
DAY = timedelta(days=1)


@pytest.fixture
def box(db, tmp_path, mail_server):
    """The `db` database with the private Dovecot connected (plain IMAP on loopback)."""
    path = tmp_path / "fieldkit.db"
    acct = mailbox.account(mail_server.host, mail_server.port, mail_server.user, "none")
    mail_account.connect(db, path, acct, PASSWORD)
    return db, path, mail_server


def person(db, name="Ada Lovelace", email="ada@example.org", more_emails=(), **fields) -> int:
    """Someone met a month ago, with an email (and ``more_emails``, labelled work)."""
    if isinstance(more_emails, str):
        more_emails = (more_emails,)
    values = [("email", "work", address) for address in more_emails]
    return save_card(db, name, at=MET, email=email, values=values, **fields)


def sync(db, path):
    return mail_sync.sync(db, path)


def touches(db, person_id, kind=None):
    """The person's attempts and dialogs as (kind, channel, at, note, undone)."""
    return db.execute(
        "SELECT kind, channel, at, note, undone_at IS NOT NULL FROM touches WHERE person_id = ? "
        "AND kind IN ('attempt', 'dialog') AND (? IS NULL OR kind = ?) ORDER BY id",
        [person_id, kind, kind]).fetchall()


def next_up(db, person_id):
    return db.execute(
        "SELECT due_on, reason, rung FROM followups WHERE person_id = ? AND status = 'open' "
        "AND reason IN ('ladder', 'keep_in_touch')", [person_id]).fetchall()


def sent(server, to="ada@example.org", when=None, **headers):
    when = when or NOW - 2 * DAY
    server.deliver("Sent", message(sender=f"Me <{server.user}>", to=to, date=when, **headers),
                   when=when)


def received(server, sender="Ada Lovelace <ada@example.org>", when=None, folder="INBOX",
             **headers):
    when = when or NOW - DAY
    server.deliver(folder, message(sender=sender, date=when, **headers), when=when)


# The meaning of a message


@pytest.mark.parametrize("headers", [
    {"to": "ada@example.org"},
    {"to": "Ada <ADA@EXAMPLE.ORG>"},
    {"to": "someone@stranger.test", "cc": "ada@example.org"},
    {"to": "someone@stranger.test", "bcc": "Ada.Work@Example.com"},
], ids=["to", "any letter case", "cc", "bcc to another address of hers"])
def test_sent_mail_to_a_known_person_is_an_email_attempt_as_if_tapped(box, headers):
    db, path, server = box
    ada = person(db, more_emails="ada.work@example.com")
    tapped = person(db, "Grace Hopper", "grace@example.org")
    when = NOW - 2 * DAY
    sent(server, when=when, **headers)
    followups.log_attempt(db, tapped, "email", config.load(db), now=when.replace(microsecond=0))

    result = sync(db, path)

    assert result.attempts == 1
    assert [t[:3] for t in touches(db, ada)] == [("attempt", "email", clock.to_iso(when))]
    assert next_up(db, ada) == next_up(db, tapped)  # the ladder moved as for the tap


def test_one_attempt_per_person_per_message_whatever_it_is_addressed_to(box):
    db, path, server = box
    ada = person(db, more_emails="ada.work@example.com")
    raw = message(sender=server.user, to="ada@example.org, ADA.WORK@example.com",
                  cc="ada@example.org", date=NOW - 2 * DAY, message_id="<once@fieldkit.test>")
    server.deliver("Sent", raw, when=NOW - 2 * DAY)
    server.deliver("Archive", raw, when=NOW - 2 * DAY)  # the same message in another folder
    config.save(db, {"mail_folders": "Archive"})

    sync(db, path)

    assert len(touches(db, ada)) == 1


def test_a_message_to_two_known_people_is_an_attempt_with_each(box):
    db, path, server = box
    ada, grace = person(db), person(db, "Grace Hopper", "grace@example.org")
    sent(server, to="ada@example.org, grace@example.org")

    assert sync(db, path).attempts == 2
    assert len(touches(db, ada)) == len(touches(db, grace)) == 1


def test_a_tapped_email_the_same_day_is_the_same_attempt(box):
    db, path, server = box
    ada = person(db)
    tz = "Pacific/Kiritimati"  # UTC+14: 08:00 and 20:00 there fall on two days in UTC
    config.save(db, {"timezone": tz})
    day = clock.local_date(NOW - 2 * DAY, tz)
    tapped_at = datetime.combine(day, time(8), clock.zone(tz))
    sent_at = datetime.combine(day, time(20), clock.zone(tz))
    assert clock.local_date(tapped_at, "UTC") != clock.local_date(sent_at, "UTC")
    tap = followups.log_attempt(db, ada, "email", config.load(db), now=tapped_at)
    sent(server, when=sent_at, subject="Great to meet you")

    assert sync(db, path).attempts == 0
    assert len(touches(db, ada)) == 1
    assert db.execute("SELECT touch_id, subject, logged FROM mail_touches").fetchall() == [
        (tap.touch_id, "Great to meet you", 0)]


def test_an_email_tapped_after_the_mailbox_logged_it_is_refused(box):
    db, path, server = box
    ada = person(db)
    noon = datetime.combine(clock.local_date(NOW - DAY, "UTC"), time(12), timezone.utc)
    sent(server, when=noon)
    sync(db, path)
    before = next_up(db, ada)

    with pytest.raises(followups.ActionError, match="already logged from your mailbox"):
        followups.log_attempt(db, ada, "email", config.load(db), now=noon + timedelta(hours=3))

    assert len(touches(db, ada)) == 1 and next_up(db, ada) == before


def test_a_tapped_email_on_another_day_is_another_attempt(box):
    db, path, server = box
    ada = person(db)
    followups.log_attempt(db, ada, "email", config.load(db), now=NOW - 5 * DAY)
    sent(server, when=NOW - 2 * DAY)

    assert sync(db, path).attempts == 1
    assert len(touches(db, ada, "attempt")) == 2


def test_mail_from_a_known_person_is_a_dialog_that_ends_the_ladder(box):
    db, path, server = box
    ada = person(db, kind="customer")
    received(server, when=NOW - DAY)

    assert sync(db, path).dialogs == 1
    assert [t[:2] for t in touches(db, ada)] == [("dialog", "email")]
    due = (clock.local_date(NOW - DAY, "UTC") + timedelta(
        days=SETTINGS["cadence_customer"])).isoformat()
    assert next_up(db, ada) == [(due, "keep_in_touch", 1)]


def test_a_reply_from_another_address_of_theirs_counts(box):
    db, path, server = box
    ada = person(db)
    sent(server, when=NOW - 3 * DAY, message_id="<note-to-ada@fieldkit.test>")
    received(server, sender="Ada <ada@her-new-job.example>", when=NOW - DAY,
             extra={"In-Reply-To": "<note-to-ada@fieldkit.test>",
                    "References": "<note-to-ada@fieldkit.test>"})

    result = sync(db, path)

    assert (result.attempts, result.dialogs) == (1, 1)
    assert [t[0] for t in touches(db, ada)] == ["attempt", "dialog"]


AUTOMATED = [
    {"Auto-Submitted": "auto-replied"},
    {"List-Id": "<product.lists.example.org>"},
    {"List-Unsubscribe": "<mailto:leave@example.org>"},
    {"Feedback-ID": "1:2:3:esp"},
    {"Precedence": "bulk"},
    {"Precedence": "list"},
    {"Precedence": "junk"},
]


@pytest.mark.parametrize("extra", AUTOMATED, ids=[next(iter(e.items()))[0] + " " +
                                                  next(iter(e.items()))[1] for e in AUTOMATED])
def test_automated_mail_logs_nothing(box, extra):
    db, path, server = box
    ada = person(db)
    received(server, extra=extra)
    sent(server, extra=extra)

    assert sync(db, path).read == 2
    assert touches(db, ada) == []


@pytest.mark.parametrize("sender", ["noreply@example.org", "Ada <no-reply@example.org>",
                                    "donotreply@example.org"])
def test_mail_from_a_noreply_sender_logs_nothing(box, sender):
    db, path, server = box
    ada = person(db, email=sender.split("<")[-1].strip(">"))
    received(server, sender=sender)

    sync(db, path)

    assert touches(db, ada) == []


def test_a_message_to_more_than_20_recipients_logs_nothing(box):
    db, path, server = box
    ada = person(db)
    crowd = ", ".join(f"guest{n}@example.net" for n in range(20))
    sent(server, to=f"ada@example.org, {crowd}")
    received(server, extra={"Cc": crowd})
    sent(server, to="ada@example.org", cc=", ".join(f"guest{n}@example.net" for n in range(19)),
         when=NOW - 3 * DAY)

    sync(db, path)

    assert [t[0] for t in touches(db, ada)] == ["attempt"]  # only the one with 20


def test_strangers_are_not_added_as_people(box):
    db, path, server = box
    person(db)
    before = db.execute("SELECT count(*) FROM people").fetchone()[0]
    received(server, sender="Stranger <stranger@elsewhere.example>")
    sent(server, to="another.stranger@elsewhere.example")

    result = sync(db, path)

    assert result.read == 2 and (result.attempts, result.dialogs) == (0, 0)
    assert db.execute("SELECT count(*) FROM people").fetchone()[0] == before
    assert db.execute("SELECT count(*) FROM touches WHERE kind IN ('attempt', 'dialog')"
                      ).fetchone()[0] == 0


def test_your_own_aliases_are_you(box):
    db, path, server = box
    ada = person(db)
    config.save(db, {"mail_aliases": "Me.Private@Example.NET"})
    # Sent from an alias, and lying in INBOX (a copy to yourself): an attempt, never a dialog.
    received(server, sender="Me <me.private@example.net>", when=NOW - 2 * DAY,
             extra={"Bcc": "ada@example.org"})

    assert sync(db, path).attempts == 1
    assert [t[0] for t in touches(db, ada)] == ["attempt"]


def test_mail_from_before_the_person_was_met_logs_nothing(box):
    db, path, server = box
    ada = person(db)
    received(server, when=MET - DAY)

    assert sync(db, path).read == 1
    assert touches(db, ada) == []


# Bounces


def bounce(server, failed="ada@example.org", when=None, header=False):
    when = when or NOW - DAY
    report = (
        "--b\nContent-Type: text/plain\n\nDelivery failed.\n"
        "--b\nContent-Type: message/delivery-status\n\n"
        "Reporting-MTA: dns; mx.example.org\n\n"
        f"Final-Recipient: rfc822; {failed}\nAction: failed\nStatus: 5.1.1\n"
        "\n--b--\n")
    extra = {"X-Failed-Recipients": failed} if header else {}
    server.deliver("INBOX", message(
        sender="Mail Delivery System <MAILER-DAEMON@mx.example.org>", date=when,
        content_type='multipart/report; report-type=delivery-status; boundary="b"',
        body=report, extra={"Auto-Submitted": "auto-replied", **extra}), when=when)


@pytest.mark.parametrize("header", [False, True],
                         ids=["from the delivery report", "from X-Failed-Recipients"])
def test_a_bounce_marks_the_address_and_logs_nothing_else(box, header):
    db, path, server = box
    ada = person(db, more_emails="ada.work@example.com")
    followups_before = next_up(db, ada)
    bounce(server, failed="Ada.Work@example.com", header=header)

    assert sync(db, path).bounces == 1

    assert db.execute("SELECT address FROM mail_bounces").fetchall() == [("Ada.Work@example.com"
                                                                          .casefold(),)]
    assert touches(db, ada) == [] and next_up(db, ada) == followups_before


def test_a_bounce_of_a_strangers_address_is_not_kept(box):
    db, path, server = box
    person(db)
    bounce(server, failed="stranger@elsewhere.example")

    sync(db, path)

    assert db.execute("SELECT count(*) FROM mail_bounces").fetchone()[0] == 0


def test_mail_from_a_bounced_address_clears_the_mark(box):
    db, path, server = box
    person(db)
    bounce(server, when=NOW - 3 * DAY)
    sync(db, path)
    received(server, when=NOW - DAY)

    sync(db, path)

    assert db.execute("SELECT count(*) FROM mail_bounces").fetchone()[0] == 0


# What a touch from the mailbox keeps, undoing it, never twice


def test_a_mail_touch_keeps_message_id_and_subject_and_says_from_your_mailbox(box):
    db, path, server = box
    ada = person(db)
    sent(server, subject="=?utf-8?q?Gr=C3=BC=C3=9Fe?= from the booth",
         message_id="<booth-note@fieldkit.test>")

    sync(db, path)

    (touch_id, note), = db.execute(
        "SELECT id, note FROM touches WHERE person_id = ? AND kind = 'attempt'", [ada])
    assert note == "From your mailbox: Grüße from the booth"
    assert db.execute("SELECT touch_id, message_id, subject, folder FROM mail_touches"
                      ).fetchall() == [(touch_id, "<booth-note@fieldkit.test>",
                                        "Grüße from the booth", "Sent")]


def test_a_mail_touch_can_be_undone_and_a_sync_never_adds_it_again(box):
    db, path, server = box
    ada = person(db)
    before = next_up(db, ada)
    sent(server)
    sync(db, path)

    followups.undo(db, ada)
    assert next_up(db, ada) == before
    server.deliver("INBOX", message(sender=server.user, to="grace@example.org"))  # something new
    db.execute("DELETE FROM mail_folders")  # even read from scratch
    sync(db, path)

    assert [t[4] for t in touches(db, ada)] == [True]  # the one, undone
    assert next_up(db, ada) == before


def flags(server, folder):
    """Every message's flags in ``folder``, read by a client of the test's own (EXAMINE)."""
    client = IMAPClient(server.host, server.port, ssl=False)
    try:
        client.login(server.user, PASSWORD)
        client.select_folder(folder, readonly=True)
        found = client.fetch(client.search("ALL"), ["FLAGS"])
        return {uid: tuple(f for f in item[b"FLAGS"] if f != b"\\Recent")
                for uid, item in found.items()}
    finally:
        client.logout()


def test_a_second_sync_adds_nothing_and_leaves_every_flag_as_it_was(box):
    db, path, server = box
    ada = person(db)
    sent(server)
    received(server)
    received(server, when=NOW - 3 * DAY, extra={"List-Id": "<news.example.org>"})
    server.deliver("INBOX", message(sender="Ada <ada@example.org>", date=NOW - 2 * DAY),
                   when=NOW - 2 * DAY, seen=True)
    before = {folder: flags(server, folder) for folder in ("INBOX", "Sent")}
    files = {folder: [p.name.split(":2,")[1] for p in server.files(folder)]
             for folder in ("INBOX", "Sent")}

    first = sync(db, path)
    rows = db.execute("SELECT * FROM touches ORDER BY id").fetchall()
    second = sync(db, path)

    assert first.read == 4 and (first.attempts, first.dialogs) == (1, 2)
    assert (second.read, second.line()) == (0, "Nothing new.")
    assert db.execute("SELECT * FROM touches ORDER BY id").fetchall() == rows
    assert {folder: flags(server, folder) for folder in ("INBOX", "Sent")} == before
    assert all(b"\\Seen" not in f for f in before["Sent"].values())
    assert sorted(b"\\Seen" in f for f in before["INBOX"].values()) == [False, False, True]
    assert {folder: [p.name.split(":2,")[1] for p in server.files(folder)]
            for folder in ("INBOX", "Sent")} == files
    assert len(touches(db, ada)) == 3


# Reading incrementally


def test_the_first_sync_reads_only_the_last_days(box):
    db, path, server = box
    ada = person(db)
    db.execute("UPDATE people SET met_at = ?", [clock.to_iso(NOW - 400 * DAY)])
    config.save(db, {"mail_first_days": 30})
    received(server, when=NOW - 40 * DAY)
    received(server, when=NOW - 20 * DAY)

    result = sync(db, path)

    assert (result.read, result.first) == (1, True)
    assert len(touches(db, ada)) == 1
    assert "(first sync)" in result.line()


def test_only_messages_after_the_last_uid_are_read(box):
    db, path, server = box
    ada = person(db)
    received(server, when=NOW - 3 * DAY)
    sync(db, path)
    received(server, when=NOW - DAY, subject="Second")

    result = sync(db, path)

    assert result.read == 1
    assert len(touches(db, ada)) == 2


def test_a_changed_uidvalidity_reads_again_without_doubles(box):
    db, path, server = box
    ada = person(db)
    received(server, when=NOW - 3 * DAY)
    sync(db, path)
    (validity,), = db.execute("SELECT uidvalidity FROM mail_folders WHERE name = 'INBOX'")
    server.renumber("INBOX")
    received(server, when=NOW - DAY, subject="New")

    result = sync(db, path)

    assert result.read == 2  # both read again ...
    assert result.dialogs == 1  # ... and only the new one logged
    assert len(touches(db, ada)) == 2
    (after,), = db.execute("SELECT uidvalidity FROM mail_folders WHERE name = 'INBOX'")
    assert after != validity


def test_progress_is_reported_and_kept(box):
    db, path, server = box
    for n in range(3):
        received(server, sender=f"s{n}@elsewhere.example")
    seen = []

    mail_sync.sync(db, path, progress=lambda done, total: seen.append((done, total)))

    assert seen == [(3, 3)]
    assert mail_account.progress(path) == (3, 3)  # in the lock file, not the database


@pytest.mark.real_clock  # Dovecot dates an APPENDed message by its own clock
@pytest.mark.parametrize("name", ['Kunden "VIP" & Co', "Projekte/Überblick", "a\\b", "100%"])
def test_added_folders_with_hostile_names_are_read(box, name):
    db, path, server = box
    ada = person(db)
    client = IMAPClient(server.host, server.port, ssl=False)
    client.login(server.user, PASSWORD)
    client.create_folder(name)
    client.append(name, message(sender="ada@example.org", date=NOW - DAY), msg_time=NOW - DAY)
    client.logout()
    config.save(db, {"mail_folders": f"{name}\nNo such folder"})

    result = sync(db, path)

    assert result.dialogs == 1 and len(touches(db, ada)) == 1
    assert "Folder 'No such folder' was not found." in result.line()


@pytest.mark.parametrize("raw", [
    b"",
    b"From: \xff\xfe@\xc3\x28\r\nSubject: \xe9t\xe9\r\n\r\nbody",
    b"From: ada@example.org\r\nTo: " + b"x" * 300_000 + b"@example.org\r\n\r\n",
    b"From: ada@example.org\r\nDate: 31 Feb 99999 25:61:00 +9999\r\nMessage-ID: <\r\n\r\n",
    b"From: =?utf-8?b?!!!?= <ada@example.org>\r\nSubject: =?bogus?q?=FF?=\r\n\r\n",
], ids=["empty", "not utf-8", "huge header", "bad date and id", "bad encoded words"])
def test_malformed_messages_on_the_server_change_nothing_wrong(box, raw):
    db, path, server = box
    ada = person(db)
    server.deliver("INBOX", raw, when=NOW - DAY)
    received(server, when=NOW - DAY, subject="A good one")

    result = sync(db, path)

    assert result.read == 2
    logged = touches(db, ada)
    assert all(kind == "dialog" for kind, *_ in logged) and 1 <= len(logged) <= 2
    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)


# Read-only, and one at a time


def test_folders_are_examined_and_messages_only_peeked(box, monkeypatch):
    db, path, server = box
    person(db)
    sent(server)
    received(server)
    bounce(server, failed="ada@example.org")
    commands = []
    real = mailbox._client

    def recording(acct):
        client = real(acct)
        send = client._imap.send
        client._imap.send = lambda data: (commands.append(bytes(data)), send(data))[1]
        return client

    monkeypatch.setattr(mailbox, "_client", recording)
    sync(db, path)

    tagged = [c.strip().split(b" ") for c in commands if re.match(rb"^[A-Z]{4}\d+ ", c)]
    verbs = {w[1].upper() if w[1].upper() != b"UID" else w[2].upper() for w in tagged}
    assert verbs <= {b"AUTHENTICATE", b"CAPABILITY", b"LIST", b"STATUS", b"EXAMINE",
                     b"SEARCH", b"FETCH", b"LOGOUT"}
    fetches = [c for c in commands if b"FETCH" in c.upper()]
    assert fetches and all(b"BODY[" not in f.upper() and b"RFC822" not in f.upper()
                           for f in fetches)
    assert any(b"BODY.PEEK[HEADER.FIELDS (FROM TO CC BCC DATE MESSAGE-ID" in f for f in fetches)


def test_a_sync_while_another_runs_does_nothing(box):
    db, path, server = box
    received(server)
    with mail_sync._lock(path):
        assert mail_sync.is_running(path)
        with pytest.raises(mail_sync.SyncRunning):
            sync(db, path)
    assert not mail_sync.is_running(path)
    assert db.execute("SELECT count(*) FROM mail_folders").fetchone()[0] == 0


def test_a_failed_sync_says_why_and_keeps_it(box):
    db, path, server = box
    db.execute("UPDATE mailbox SET port = ?", [free_port()])  # nothing listens there
    mail_account.connect(db, path, mail_account.stored_account(db), PASSWORD,
                         check=lambda *_: None)

    with pytest.raises(mailbox.MailboxError, match="Cannot reach"):
        sync(db, path)

    ok, result = db.execute("SELECT sync_ok, sync_result FROM mailbox").fetchone()
    assert ok == 0 and result.startswith("Cannot reach 127.0.0.1:")


def test_a_sync_with_no_mailbox_connected_says_so(db, tmp_path):
    with pytest.raises(mail_account.NotConnected, match="No mailbox is connected"):
        mail_sync.sync(db, tmp_path / "fieldkit.db")


def test_a_sync_is_a_fieldkit_error_at_the_edge():
    assert issubclass(mail_sync.SyncRunning, FieldkitError)
    assert issubclass(mailbox.MailboxError, FieldkitError)


def test_a_sync_stopped_by_a_bug_says_so_where_the_user_looks(box, monkeypatch):
    db, path, server = box
    received(server)
    monkeypatch.setattr(mail_sync.mail_rules, "parse", lambda *a: 1 / 0)

    with pytest.raises(ZeroDivisionError):
        sync(db, path)

    assert db.execute("SELECT sync_ok, sync_result FROM mailbox").fetchone() == (
        0, "The sync stopped: ZeroDivisionError: division by zero")
    # INBOX is read again next time (Sent, empty, was read before the bug).
    assert db.execute("SELECT count(*) FROM mail_folders WHERE name = 'INBOX'").fetchone() == (0,)


# The settings the sync reads


@pytest.mark.parametrize("raw, stored", [
    ("Me@Example.ORG, me.private@example.net", "me@example.org, me.private@example.net"),
    ("  a@x.example ;b@y.example\n a@x.example", "a@x.example, b@y.example"),
    ("", ""),
])
def test_your_other_addresses_are_kept_without_case(db, raw, stored):
    assert config.save(db, {"mail_aliases": raw})["mail_aliases"] == stored
    assert config.mail_aliases(config.load(db)) == [a for a in stored.split(", ") if a]


@pytest.mark.parametrize("raw", ["not an address", "a@b@c", ", ".join(
    f"a{n}@x.example" for n in range(21))])
def test_other_addresses_that_are_not_addresses_are_refused(db, raw):
    with pytest.raises(config.SettingError):
        config.save(db, {"mail_aliases": raw})


@pytest.mark.parametrize("raw, folders", [
    ("Archive\r\n  Clients/VIP \n\nArchive", ["Archive", "Clients/VIP"]),
    ('Kunden "VIP" & Co', ['Kunden "VIP" & Co']),
    ("", []),
])
def test_more_folders_are_one_a_line(db, raw, folders):
    config.save(db, {"mail_folders": raw})
    assert config.mail_folders(config.load(db)) == folders


@pytest.mark.parametrize("raw", ["bad\x00name", "x" * 201, "\u202eevil",
                                 "\n".join(f"f{n}" for n in range(21))])
def test_folder_names_that_cannot_be_sent_are_refused(db, raw):
    with pytest.raises(config.SettingError):
        config.save(db, {"mail_folders": raw})


@pytest.mark.parametrize("today", [
    datetime(2028, 2, 29, 23, 30, tzinfo=timezone.utc),  # a leap day, near midnight
    datetime(2027, 3, 28, 1, 30, tzinfo=timezone.utc),  # Europe's clocks go forward
    datetime(2026, 12, 31, 23, 59, 59, tzinfo=timezone.utc),  # the year turns
    datetime(2031, 7, 1, 0, 0, 1, tzinfo=timezone.utc),
])
def test_the_rules_hold_on_any_day(box, monkeypatch, today):
    db, path, server = box
    monkeypatch.setattr(clock, "utc_now", lambda: today)
    config.save(db, {"timezone": "Europe/Berlin"})
    ada = save_card(db, "Ada Lovelace", at=today - 30 * DAY, email="ada@example.org",
                    kind="customer")
    sent(server, when=today - 2 * DAY)
    received(server, when=today - DAY)
    received(server, when=today - 200 * DAY)  # before the first sync's 90 days

    result = sync(db, path)

    assert (result.read, result.attempts, result.dialogs) == (2, 1, 1)
    replied = clock.local_date(today - DAY, "Europe/Berlin")
    assert next_up(db, ada) == [
        ((replied + timedelta(days=SETTINGS["cadence_customer"])).isoformat(),
         "keep_in_touch", 1)]
    assert sync(db, path).read == 0


@pytest.mark.parametrize("strangers", [5, 60])
def test_mail_that_means_nothing_commits_nothing(box, strangers):
    # Every commit tells the pages' caches the data changed (fieldkit.changes):
    # a sync of mail that means nothing commits only its start, each folder's
    # place and its result, however much it reads.
    db, path, server = box
    for n in range(strangers):
        received(server, sender=f"s{n}@elsewhere.example")
    commits = []
    db.conn.set_trace_callback(lambda sql: commits.append(sql) if sql == "COMMIT" else None)

    assert sync(db, path).read == strangers

    db.conn.set_trace_callback(None)
    assert len(commits) == 4  # started, Sent read, INBOX read, finished
