"""FieldKit: a networking field companion for product managers.

The core package is plain Python over one SQLite file. ``fieldkit.ui`` is the
pages' part (Streamlit's script API), ``fieldkit.web`` the HTTP part (Starlette
and Streamlit's server); the core imports neither, and they do not import
each other (docs/architecture.md).

Glossary: one word for one thing, the same in tables, modules, functions and
what the user reads.

person, people
    Someone the user knows. Table ``people``, ids ``person_id``, module
    ``people`` (search, everything about one person, edit, delete), the
    People page.
labelled value
    An email, phone number, web address or postal address of a person, with
    its label (mobile, work, home, fax, ...; module ``labelled``). The
    primary email, phone and web address are the people columns ``email``,
    ``phone`` and ``website``; every other value, and every postal address,
    is a row of ``labelled_values``. One that does not validate is kept as
    written: "not checked".
card
    The details of one person as they come in: typed on Capture, read from a
    QR code or a photo, a row of an import. ``cards.Card``, whose fields are
    declared once in ``cards``. Saving a card adds a person, or a meeting
    with a person already known.
twin
    A person already known who may be the same as a card, or two people who
    may be one (same email, phone or LinkedIn profile, or the same name at
    the same company). Module ``matching``; merging two twins: ``merge``.
kind
    The kind of relationship: customer, prospect, competitor, ... (``kinds``).
touch
    Anything that happened with a person, kept as history: met, attempt,
    dialog, note, state. Table ``touches``.
attempt, dialog
    An outbound touch that got no answer yet; a two-way exchange.
networking day
    A day with a networking action: a card, an attempt, a dialog or a
    check-in (``activity``).
follow-up
    The next time to reach out to a person (table ``followups``): a rung of
    the ladder, keep-in-touch after a dialog, or a next step.
ladder, rung, cadence
    The growing gaps between attempts until a dialog; the days between
    dialogs after one (``ladder``, settings).
queue, triage
    The queue is the follow-ups due today or overdue (the Follow-ups page at
    /queue; module ``triage``). Triage is working through it in the evening;
    a triage day is a day it was cleared.
event, check-in
    A trade show, conference, ...; arriving at one (``events``, ``checkins``).
call session
    One sitting of calls to customers (table ``call_sessions``, module
    ``calls``). Never "session" alone.
tab
    One browser tab and its state on the server (what Streamlit calls a
    session, ``st.session_state``).
device
    A browser signed in with the password (table ``devices``; its cookie
    holds a token the database keeps only hashed). Signing out is per
    device, or everywhere.
connection
    One open handle on the database file (``db.connect``); a page gets its
    own from ``ui.gate.open_db``, which checks sign-in first.
migration
    One numbered change to the schema (``migrations``), applied once, after
    a backup of the file; never edited after it ships.
booth, outbox
    The page that takes cards with no network (/booth), and the phone's
    store of cards not yet on the server (IndexedDB, ``outbox.js``). A card
    sent from it is received once by its id (``booth``); the answer per card
    is a receipt: stored, already, or invalid with its message and field.
contract
    What the browser's scripts and the server agree on: paths, cookie and
    header names, fields, kinds, statuses, limits (``contract``, handed to
    the scripts by ``web.browser``).
may open
    Who may open FieldKit (``access.may_open``): the one rule every door
    asks. A wrong password is counted against the client address it came
    from.
import
    Bringing people in from a LinkedIn or vCard file (``imports``).
address book, phone card
    The people as the phone's own Contacts get them over CardDAV
    (``contacts_book``); a card a phone wrote is kept as it came
    (``phone_cards``). A person removed from the phone's contacts left the
    address book only. The follow-ups reach the phone's Calendar
    (``calendar_feed``).
app password
    What a phone or computer syncs contacts and calendar with: one per
    device, shown once, only its hash kept (``app_passwords``).
mailbox, sync, bounce
    The user's own email account, read over IMAP, read-only and headers only
    (``mailbox`` reads it, ``mail_account`` keeps where it is, ``mail_rules``
    says what a message means). A sync reads what is new in it and logs it
    through the ladder (``mail_sync``; in the background: ``mail_schedule``).
    A bounce is a delivery failure: it marks the address that bounced.
"""

__version__ = "0.1.0"
