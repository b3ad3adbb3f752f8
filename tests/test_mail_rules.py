"""What a message means (fieldkit.mail_rules): pure rules over headers, as tables."""

from datetime import datetime, timezone

import pytest

from fieldkit import mail_rules
from fieldkit.mail_rules import Meaning

ME = "me@fieldkit.test"
OWN = frozenset({ME, "me.alias@example.net"})
PEOPLE = {"ada@example.org": (1,), "ada.private@example.com": (1,), "grace@example.org": (2,)}
MY_MESSAGES = {"<to-ada@fieldkit.test>": (1,), "<to-both@fieldkit.test>": (1, 2)}


def raw(**headers) -> bytes:
    fields = {"From": "Ada <ada@example.org>", "To": ME, "Subject": "Hello",
              "Date": "Mon, 07 Dec 2026 10:00:00 +0000", "Message-ID": "<m1@example.org>"}
    fields.update({k.replace("_", "-"): v for k, v in headers.items()})
    return "".join(f"{k}: {v}\r\n" for k, v in fields.items() if v is not None).encode() + b"\r\n"


def means(data: bytes, in_sent: bool = False) -> Meaning:
    return mail_rules.meaning(mail_rules.parse(data), in_sent=in_sent, own=OWN,
                              people_of=PEOPLE, people_of_message=lambda m: MY_MESSAGES.get(m, ()))


@pytest.mark.parametrize("headers, in_sent, expected", [
    # Sent to a known person, in any of To, Cc, Bcc, any letter case, any of their addresses.
    ({"From": ME, "To": "ada@example.org"}, True, Meaning("attempt", people=(1,))),
    ({"From": ME, "To": "Ada <ADA@Example.ORG>"}, True, Meaning("attempt", people=(1,))),
    ({"From": ME, "To": "x@stranger.test", "Cc": "grace@example.org"}, True,
     Meaning("attempt", people=(2,))),
    ({"From": ME, "To": "x@stranger.test", "Bcc": "ada.private@example.com"}, True,
     Meaning("attempt", people=(1,))),
    ({"From": ME, "To": "ada@example.org, grace@example.org, ada.private@example.com"}, True,
     Meaning("attempt", people=(1, 2))),
    # From one of your aliases, in any folder: you sent it.
    ({"From": "Me <ME.ALIAS@example.net>", "To": "grace@example.org"}, False,
     Meaning("attempt", people=(2,))),
    ({"From": ME, "To": "x@stranger.test"}, True,
     Meaning("nothing", why="from you, to no one you know")),
    ({"From": ME, "To": "me.alias@example.net"}, True,
     Meaning("nothing", why="from you, to no one you know")),
    # From a known person: a dialog.
    ({}, False, Meaning("dialog", people=(1,))),
    ({"From": "ADA.PRIVATE@EXAMPLE.COM"}, False, Meaning("dialog", people=(1,))),
    # A reply from an unknown address of theirs to your message to them.
    ({"From": "ada@new-job.example", "In-Reply-To": "<to-ada@fieldkit.test>"}, False,
     Meaning("dialog", people=(1,))),
    ({"From": "ada@new-job.example", "References": "<x@y> <to-ada@fieldkit.test>"}, False,
     Meaning("dialog", people=(1,))),
    ({"From": "someone@new-job.example", "In-Reply-To": "<to-both@fieldkit.test>"}, False,
     Meaning("nothing", why="from someone you do not know")),
    ({"From": "stranger@elsewhere.example"}, False,
     Meaning("nothing", why="from someone you do not know")),
    ({"From": None}, False, Meaning("nothing", why="no sender")),
])
def test_meaning_of_a_message(headers, in_sent, expected):
    assert means(raw(**headers), in_sent) == expected


@pytest.mark.parametrize("headers, why", [
    ({"Auto-Submitted": "auto-replied"}, "Auto-Submitted"),
    ({"Auto-Submitted": "auto-generated; owner-email=x@y"}, "Auto-Submitted"),
    ({"List-Id": "Product people <pm.lists.example.org>"}, "List-Id"),
    ({"List-Unsubscribe": "<mailto:unsub@example.org>"}, "List-Unsubscribe"),
    ({"Feedback-ID": "123:campaign:esp"}, "Feedback-ID"),
    ({"Precedence": "bulk"}, "Precedence: bulk"),
    ({"Precedence": "List"}, "Precedence: list"),
    ({"Precedence": "junk"}, "Precedence: junk"),
    ({"X-Autoreply": "yes"}, "X-Autoreply"),
    ({"Return-Path": "<>"}, "empty Return-Path"),
    ({"From": "noreply@example.org"}, "noreply sender"),
    ({"From": "No-Reply <no-reply@ada.example>"}, "noreply sender"),
    ({"From": "donotreply@example.org"}, "noreply sender"),
    ({"From": "bounces+4711@example.org"}, "noreply sender"),
    ({"From": "notifications@example.org"}, "noreply sender"),
    ({"To": ", ".join(f"p{n}@example.org" for n in range(21))}, "more than 20 recipients"),
    ({"To": ", ".join(f"p{n}@example.org" for n in range(15)),
      "Cc": ", ".join(f"q{n}@example.org" for n in range(6))}, "more than 20 recipients"),
])
def test_automated_mail_logs_nothing(headers, why):
    # From a known person, and sent by you: automated either way.
    assert means(raw(**headers)) == Meaning("nothing", why=f"automated ({why})")
    sent = {"From": ME, "To": "ada@example.org", **headers}
    if "From" not in headers:
        assert means(raw(**sent), in_sent=True) == Meaning("nothing", why=f"automated ({why})")


@pytest.mark.parametrize("headers", [
    {"Auto-Submitted": "no"},
    {"Auto-Submitted": "No"},
    {"Precedence": "first-class"},
    {"Return-Path": "<ada@example.org>"},
    {"To": ", ".join(f"p{n}@example.org" for n in range(19)) + ", " + ME},
    {"From": "Ada Noreplyson <ada@example.org>"},  # a name is not an address
])
def test_personal_mail_is_not_automated(headers):
    assert means(raw(**headers)) == Meaning("dialog", people=(1,))


@pytest.mark.parametrize("headers, failed", [
    ({"From": "MAILER-DAEMON@mx.example.org", "X-Failed-Recipients": "ada@example.org"},
     ("ada@example.org",)),
    ({"From": "Mail Delivery System <mailer-daemon@googlemail.com>"}, ()),
    ({"From": "postmaster@example.org",
      "Content-Type": 'multipart/report; report-type="delivery-status"; boundary="b"'}, ()),
    ({"From": "postmaster@example.org", "Auto-Submitted": "auto-replied",
      "Content-Type": "Multipart/Report; Report-Type=delivery-status; boundary=b",
      "X-Failed-Recipients": "GRACE@example.org, ada@example.org"},
     ("grace@example.org", "ada@example.org")),
])
def test_a_bounce_marks_addresses_and_logs_nothing_else(headers, failed):
    assert means(raw(**headers)) == Meaning("bounce", addresses=failed)


def test_a_disposition_report_is_not_a_bounce():
    # A read receipt is a report too, but not of a failed delivery.
    data = raw(Content_Type="multipart/report; report-type=disposition-notification",
               Auto_Submitted="auto-replied")
    assert means(data) == Meaning("nothing", why="automated (Auto-Submitted)")


REPORT = b"""Reporting-MTA: dns; mx.example.org\r
Arrival-Date: Mon, 7 Dec 2026 10:00:00 +0000\r
\r
Final-Recipient: rfc822; ada@example.org\r
Action: failed\r
Status: 5.1.1\r
\r
Final-Recipient: rfc822;Grace@Example.org\r
Original-Recipient: rfc822;grace@example.org\r
Action: delayed\r
Status: 4.4.1\r
\r
Original-Recipient: rfc822; x@stranger.test\r
Action: FAILED\r
"""


def test_failed_recipients_are_read_from_a_delivery_report():
    assert mail_rules.failed_recipients(REPORT) == ("ada@example.org", "x@stranger.test")


@pytest.mark.parametrize("report", [b"", b"garbage", b"\xff\xfe\x00" * 100,
                                    b"Action: failed\r\nFinal-Recipient: rfc822; not an address"])
def test_a_broken_delivery_report_names_no_one(report):
    assert mail_rules.failed_recipients(report) == ()


@pytest.mark.parametrize("value, expected", [
    ("=?utf-8?q?Gr=C3=BC=C3=9Fe_aus_M=C3=BCnchen?=", "Grüße aus München"),
    ("=?iso-8859-1?q?Caf=E9?= time", "Café time"),
    ("=?x-unknown-charset?q?Caf=E9?=", "Café"),  # read as Latin-1
    ("line\r\n one\ttwo\x07three\u202e", "line one two three"),
    ("", None),
    ("x" * 1000, "x" * mail_rules.SUBJECT_LIMIT),
])
def test_subjects_are_decoded_and_made_safe(value, expected):
    assert mail_rules.parse(raw(Subject=value)).subject == expected


@pytest.mark.parametrize("value", ["=?utf-8?b?broken base64?=", "=?utf-8?q?=FF=FE=00?=",
                                   "=?utf-16?b?2D3eAA==?=", "=?utf-8?", "=?=?=?"])
def test_broken_encoded_words_give_safe_text(value):
    subject = mail_rules.parse(raw(Subject=value)).subject
    assert subject is None or all(ch.isprintable() for ch in subject)
    assert subject is None or subject.encode("utf-8")


@pytest.mark.parametrize("date, expected", [
    ("Mon, 07 Dec 2026 10:00:00 +0100", datetime(2026, 12, 7, 9, 0, tzinfo=timezone.utc)),
    ("Mon, 07 Dec 2026 10:00:00 -0000", datetime(2026, 12, 7, 10, 0, tzinfo=timezone.utc)),
    ("not a date", datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)),
    (None, datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)),
    ("Mon, 07 Dec 99999 10:00:00 +0000", datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)),
])
def test_the_date_is_the_date_header_else_the_servers(date, expected):
    internal = datetime(2026, 1, 2, 3, 4, 5)  # as IMAPClient gives it: naive
    assert mail_rules.parse(raw(Date=date), internal.replace(tzinfo=timezone.utc)).at == expected


def test_a_message_without_message_id_gets_a_stable_one():
    first = mail_rules.parse(raw(Message_ID=None))
    again = mail_rules.parse(raw(Message_ID=None))
    other = mail_rules.parse(raw(Message_ID=None, Subject="Other"))
    assert first.message_id == again.message_id != other.message_id
    assert first.message_id.startswith("<") and first.message_id.endswith(">")


@pytest.mark.parametrize("data", [
    b"",
    b"\x00\x01\x02",
    b"From: \xff\xfe\xfd@\xc3\x28.example\r\nTo: ,,,<<<>>>\r\nSubject: \xe9\xe9\r\n\r\n",
    b"From: =?utf-8?q?=FF?= <ada@example.org>\r\nDate: Tue, 99 Foo 2026 99:99:99 +9999\r\n\r\n",
    b"From: ada@example.org\r\nTo: " + b"a" * 500_000 + b"@example.org\r\n\r\n",
    b"From: ada@example.org\r\nTo: " + b", ".join(b"p%d@x.example" % n for n in range(20_000))
    + b"\r\n\r\n",
    b"Content-Type: multipart/report; report-type\r\nFrom: \r\n\r\n",
    b"References: " + b"<a@b> " * 100_000 + b"\r\n\r\n",
    b"From: \"Ada\" <ada@example.org\r\nTo: <grace@example.org\r\n\r\n",
], ids=["empty", "control", "not utf-8", "bad encoded word and date", "huge address",
        "20,000 recipients", "bare report", "100,000 references", "unclosed brackets"])
def test_malformed_headers_never_raise(data):
    message = mail_rules.parse(data)
    assert len(message.replies_to) <= mail_rules.REFERENCES_LIMIT
    assert all(len(a) <= mail_rules.ADDRESS_LIMIT for a in message.recipients)
    means(data)
    means(data, in_sent=True)


def test_a_huge_header_block_is_cut_to_the_limit():
    data = b"From: ada@example.org\r\nSubject: " + b"y" * (2 * mail_rules.MAX_HEADER_BYTES)
    message = mail_rules.parse(data)
    assert message.sender == "ada@example.org"
    assert message.subject == "y" * mail_rules.SUBJECT_LIMIT


@pytest.mark.parametrize("address, key", [
    ("Ada@Example.ORG", "ada@example.org"),
    (" <ada@example.org> ", "ada@example.org"),
    ("ÉMILE@exemple.fr", "émile@exemple.fr"),
    ("no at sign", None),
    ("two@@example.org", None),
    ("a@b@c", None),
    ("@example.org", None),
    ("ada@", None),
    ("ada\u202e@example.org", None),
    ("x" * 400 + "@example.org", None),
    ("", None),
    (None, None),
])
def test_address_keys_ignore_letter_case(address, key):
    assert mail_rules.address_key(address) == key
