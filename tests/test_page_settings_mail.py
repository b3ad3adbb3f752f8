"""Settings' "Your mailbox", and the bounce marks on the People and Follow-ups cards."""

import re
from datetime import timedelta
from pathlib import Path

import pytest

from fieldkit import clock, db, mail_account, mail_schedule, mailbox
from tests.apptest import rows, run_page
from tests.factory import save_card
from tests.mailserver import PASSWORD, message

SETTINGS_PAGE = "pages/settings.py"


def plain(markdown: str) -> str:
    """Markdown as the user reads it: escapes (fieldkit.ui.text.md) taken out."""
    return re.sub(r"\\(.)", r"\1", markdown).replace("\u2060", "")


def texts(at) -> str:
    return "\n".join(plain(e.value) for kind in ("markdown", "caption", "success", "error",
                                                 "warning") for e in getattr(at, kind))


def fill(at, server, password=PASSWORD):
    at.text_input(key="mail_host").input(server.host)
    at.selectbox(key="mail_security").set_value("none")
    at.text_input(key="mail_port").input(str(server.port))
    at.text_input(key="mail_user").input(server.user)
    at.text_input(key="mail_password").input(password)
    next(b for b in at.get("form_submit_button") if b.label == "Connect").click()
    at.run()


def test_settings_offers_to_connect_a_mailbox(app_db):
    at = run_page(SETTINGS_PAGE)
    assert at.subheader[-1].value == "Your mailbox" or "Your mailbox" in [
        s.value for s in at.subheader]
    assert "read-only" in texts(at) and "Only headers are read" in texts(at)
    assert at.text_input(key="mail_password").proto.type == 1  # a password field
    assert not Path(f"{app_db}.mail-password").exists()


@pytest.mark.real_clock  # the sync runs as a process of its own
def test_connecting_on_settings_logs_in_starts_the_first_sync_and_shows_its_result(
        app_db, mail_server):
    with db.connect(app_db) as conn:
        ada = save_card(conn, "Ada Lovelace", at=clock.utc_now() - timedelta(days=30),
                        email="ada@example.org")
    when = clock.utc_now() - timedelta(days=1)
    mail_server.deliver("Sent", message(sender=mail_server.user, to="ada@example.org",
                                        date=when, subject="Good to meet you"), when=when)
    at = run_page(SETTINGS_PAGE)

    fill(at, mail_server)

    assert not at.exception
    assert plain(at.success[0].value).startswith(f"Connected: {mail_server.user} at 127.0.0.1")
    assert at.session_state["mail_password"] == ""  # not kept in the tab
    assert mail_schedule.wait_idle(app_db, 30)
    at.run()
    said = texts(at)
    assert "Last sync" in said and "Read 1 message (first sync): 1 email attempt" in said
    assert "Email attempt to Ada Lovelace" in said and "Good to meet you" in said
    assert rows(app_db, "SELECT count(*) FROM touches WHERE person_id = ? AND kind = 'attempt'",
                [ada]) == [(1,)]

    # Undo takes it back; the next sync does not log it again.
    next(b for b in at.button if b.label == "Undo").click()
    at.run()
    assert "Took back what the mailbox logged for Ada Lovelace" in texts(at)
    assert rows(app_db, "SELECT count(*) FROM touches WHERE person_id = ? AND kind = 'attempt' "
                        "AND undone_at IS NULL", [ada]) == [(0,)]
    next(b for b in at.button if b.label == "Sync now").click()
    at.run()
    assert mail_schedule.wait_idle(app_db, 30)
    at.run()
    assert "Nothing new." in texts(at) and "(undone)" in texts(at)


def test_a_wrong_password_on_settings_says_so_and_stores_nothing(app_db, mail_server):
    at = run_page(SETTINGS_PAGE)

    fill(at, mail_server, password="wrong")

    assert plain(at.error[0].value).startswith("Wrong user name or password")
    assert rows(app_db, "SELECT count(*) FROM mailbox") == [(0,)]
    assert not Path(f"{app_db}.mail-password").exists()
    assert at.text_input(key="mail_password").value == ""


def connected(app_db, server):
    with db.connect(app_db) as conn:
        mail_account.connect(conn, app_db, mailbox.account(server.host, server.port,
                                                           server.user, "none"), PASSWORD)


def test_a_running_sync_shows_its_progress(app_db, mail_server):
    connected(app_db, mail_server)
    from fieldkit import mail_sync
    with mail_sync._lock(app_db) as fd:
        mail_sync._tell(fd, 1200, 5000)
        at = run_page(SETTINGS_PAGE)
        progress = at.get("progress")
        assert progress and "Syncing: 1,200 of 5,000 messages read" in progress[0].proto.text
        assert next(b for b in at.button if b.label == "Sync now").disabled


def test_a_failed_sync_is_shown_as_an_error(app_db, mail_server):
    connected(app_db, mail_server)
    with db.connect(app_db) as conn:
        conn.execute("UPDATE mailbox SET sync_finished_at = ?, sync_ok = 0, sync_result = "
                     "'Cannot reach imap.example.org:993: no answer in time.'",
                     [clock.now_iso()])
    at = run_page(SETTINGS_PAGE)
    assert "Cannot reach imap.example.org" in plain(at.error[0].value)


def test_disconnecting_on_settings_deletes_the_password_file(app_db, mail_server):
    connected(app_db, mail_server)
    at = run_page(SETTINGS_PAGE)
    assert f"Connected: **{mail_server.user}** at 127.0.0.1" in texts(at)

    next(b for b in at.button if b.label == "Disconnect").click()
    at.run()

    assert plain(at.success[0].value).startswith("Disconnected")
    assert not Path(f"{app_db}.mail-password").exists()
    assert at.text_input(key="mail_host") is not None  # the form again


def test_a_bounced_address_is_marked_on_the_person_and_in_follow_ups(app_db):
    with db.connect(app_db) as conn:
        # Met yesterday: due today, so the person is the Follow-ups card.
        ada = save_card(conn, "Ada Lovelace", at=clock.utc_now() - timedelta(days=1),
                        email="Ada@Example.org")
        conn.execute("INSERT INTO mail_bounces VALUES ('ada@example.org', ?, '<b@x>', ?)",
                     [clock.now_iso(), clock.now_iso()])

    person = run_page("pages/people.py", query_params={"id": str(ada)})
    queue = run_page("pages/queue.py")

    for at in (person, queue):
        marks = [plain(m.value) for m in at.markdown if "bounced" in m.value]
        assert len(marks) == 1 and "from your mailbox" in marks[0], marks
