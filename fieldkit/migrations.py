"""FieldKit's schema: every migration, in order, and the tables they make.

Each migration is numbered and never edited once shipped; a change to the
schema is a new migration at the end. fieldkit.db applies them (after a
backup of the file) when it opens a database.
"""

from __future__ import annotations

from sqlite_utils import Database, Migrations

MIGRATION_SET = "fieldkit"

migrations = Migrations(MIGRATION_SET)

# Tables the product owns, in the order `info` lists them.
TABLES = (
    "settings",
    "events",
    "checkins",
    "people",
    "labelled_values",
    "person_tags",
    "attachments",
    "call_sessions",
    "touches",
    "followups",
    "debriefs",
    "assumptions",
    "evidence",
    "triage_days",
    "import_runs",
    "sign_in",
    "sign_in_failures",
    "devices",
    "received_cards",
    "reviews",
    "app_passwords",
    "phone_cards",
    "dav_changes",
    "dav_books",
    "calendar_feed",
    "mailbox",
    "mail_folders",
    "mail_touches",
    "mail_bounces",
)


@migrations(name="0001_initial")
def _initial(db: Database) -> None:
    # Shipped: never edit this migration; add a new one instead.
    db.executescript(
        """
        CREATE TABLE settings (
            name TEXT PRIMARY KEY,
            value TEXT NOT NULL,          -- JSON
            updated_at TEXT NOT NULL
        ) STRICT;

        CREATE TABLE events (
            id INTEGER PRIMARY KEY,
            uid TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL CHECK (length(trim(name, ' ' || char(9, 10, 13))) > 0),
            kind TEXT NOT NULL CHECK (kind IN ('trade_show', 'conference',
                'seminar', 'meetup', 'customer_visit', 'internal')),
            venue TEXT,
            city TEXT,
            tz TEXT NOT NULL,
            starts_at TEXT NOT NULL,
            ends_at TEXT NOT NULL CHECK (ends_at >= starts_at),
            goal_new_people INTEGER NOT NULL DEFAULT 0 CHECK (goal_new_people >= 0),
            goal_competitors INTEGER NOT NULL DEFAULT 0 CHECK (goal_competitors >= 0),
            notes TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        ) STRICT;
        CREATE INDEX events_starts_at ON events (starts_at);
        CREATE INDEX events_ends_at ON events (ends_at);

        CREATE TABLE checkins (
            id INTEGER PRIMARY KEY,
            event_id INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
            checked_in_at TEXT NOT NULL,
            checked_out_at TEXT CHECK (checked_out_at IS NULL
                OR checked_out_at >= checked_in_at)
        ) STRICT;
        CREATE INDEX checkins_event ON checkins (event_id);
        CREATE INDEX checkins_checked_in_at ON checkins (checked_in_at);
        -- At most one open check-in: the event new cards default to.
        CREATE UNIQUE INDEX checkins_one_open ON checkins (checked_out_at IS NULL)
            WHERE checked_out_at IS NULL;

        CREATE TABLE contacts (
            id INTEGER PRIMARY KEY,
            uid TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL CHECK (length(trim(name, ' ' || char(9, 10, 13))) > 0),
            -- Name and company without case, accents or extra spaces, for
            -- spotting the same person typed twice (normalise.match_key).
            name_key TEXT,
            company_key TEXT,
            kind TEXT NOT NULL DEFAULT 'other' CHECK (kind IN ('customer',
                'prospect', 'competitor', 'vendor', 'partner', 'colleague',
                'press', 'other')),
            department TEXT,
            company TEXT,
            title TEXT,
            email TEXT,
            phone TEXT,
            linkedin_url TEXT,
            website TEXT,
            note TEXT,
            important INTEGER NOT NULL DEFAULT 0 CHECK (important IN (0, 1)),
            tz TEXT,
            cadence_days INTEGER CHECK (cadence_days IS NULL OR cadence_days > 0),
            status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active',
                'let_go', 'declined', 'merged')),
            merged_into INTEGER REFERENCES contacts (id) ON DELETE SET NULL,
            event_id INTEGER REFERENCES events (id) ON DELETE SET NULL,
            met_at TEXT NOT NULL,
            source TEXT NOT NULL DEFAULT 'capture' CHECK (source IN ('capture',
                'scan', 'linkedin', 'vcard', 'sample', 'merge')),
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        ) STRICT;
        CREATE INDEX contacts_met_at ON contacts (met_at);
        CREATE INDEX contacts_kind ON contacts (kind, met_at);
        CREATE INDEX contacts_event ON contacts (event_id);
        CREATE INDEX contacts_status ON contacts (status);
        CREATE INDEX contacts_email ON contacts (email COLLATE NOCASE)
            WHERE email IS NOT NULL;
        CREATE INDEX contacts_phone ON contacts (phone) WHERE phone IS NOT NULL;
        CREATE INDEX contacts_linkedin ON contacts (linkedin_url)
            WHERE linkedin_url IS NOT NULL;
        CREATE INDEX contacts_name_company ON contacts (name_key, company_key);

        CREATE TABLE contact_tags (
            contact_id INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
            tag TEXT NOT NULL CHECK (length(trim(tag, ' ' || char(9, 10, 13))) > 0),
            PRIMARY KEY (contact_id, tag)
        ) STRICT, WITHOUT ROWID;
        CREATE INDEX contact_tags_tag ON contact_tags (tag, contact_id);

        CREATE TABLE attachments (
            id INTEGER PRIMARY KEY,
            contact_id INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
            kind TEXT NOT NULL CHECK (kind IN ('card_photo', 'voice_memo')),
            mime TEXT NOT NULL,
            bytes INTEGER NOT NULL CHECK (bytes >= 0),
            data BLOB NOT NULL,
            created_at TEXT NOT NULL
        ) STRICT;
        CREATE INDEX attachments_contact ON attachments (contact_id, kind);

        CREATE TABLE call_sessions (
            id INTEGER PRIMARY KEY,
            started_at TEXT NOT NULL,
            ended_at TEXT CHECK (ended_at IS NULL OR ended_at >= started_at),
            audience TEXT,                -- JSON: whom the session chose to call
            note TEXT
        ) STRICT;

        CREATE TABLE touches (
            id INTEGER PRIMARY KEY,
            contact_id INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
            event_id INTEGER REFERENCES events (id) ON DELETE SET NULL,
            call_session_id INTEGER REFERENCES call_sessions (id) ON DELETE SET NULL,
            at TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('met', 'attempt', 'dialog',
                'note', 'state')),
            channel TEXT CHECK (channel IS NULL OR channel IN ('in_person',
                'email', 'sms', 'message', 'linkedin', 'call', 'voicemail',
                'video', 'coffee', 'meeting', 'other')),
            outcome TEXT,
            minutes INTEGER NOT NULL DEFAULT 0 CHECK (minutes >= 0),
            note TEXT,
            data TEXT,                    -- JSON: what a state change changed
            undone_at TEXT,
            created_at TEXT NOT NULL
        ) STRICT;
        CREATE INDEX touches_contact_at ON touches (contact_id, at);
        CREATE INDEX touches_at ON touches (at);
        CREATE INDEX touches_kind_at ON touches (kind, at);
        CREATE INDEX touches_event ON touches (event_id) WHERE event_id IS NOT NULL;
        CREATE INDEX touches_call_session ON touches (call_session_id)
            WHERE call_session_id IS NOT NULL;

        CREATE TABLE followups (
            id INTEGER PRIMARY KEY,
            uid TEXT NOT NULL UNIQUE,
            contact_id INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
            due_on TEXT NOT NULL CHECK (due_on GLOB
                '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
            reason TEXT NOT NULL CHECK (reason IN ('ladder', 'keep_in_touch',
                'next_step')),
            rung INTEGER CHECK (rung IS NULL OR rung >= 1),
            note TEXT,
            status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done',
                'let_go', 'cancelled')),
            created_at TEXT NOT NULL,
            closed_at TEXT,
            closed_by_touch_id INTEGER REFERENCES touches (id) ON DELETE SET NULL
        ) STRICT;
        CREATE INDEX followups_open_due ON followups (due_on, contact_id)
            WHERE status = 'open';
        CREATE INDEX followups_contact ON followups (contact_id, status);
        CREATE INDEX followups_closed_at ON followups (closed_at)
            WHERE closed_at IS NOT NULL;

        CREATE TABLE debriefs (
            touch_id INTEGER PRIMARY KEY REFERENCES touches (id) ON DELETE CASCADE,
            why_not_us TEXT,
            next_step TEXT,
            followup_id INTEGER REFERENCES followups (id) ON DELETE SET NULL
        ) STRICT;

        CREATE TABLE assumptions (
            id INTEGER PRIMARY KEY,
            text TEXT NOT NULL UNIQUE CHECK (length(trim(text, ' ' || char(9, 10, 13))) > 0),
            status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open',
                'retired')),
            created_at TEXT NOT NULL
        ) STRICT;

        CREATE TABLE evidence (
            id INTEGER PRIMARY KEY,
            assumption_id INTEGER NOT NULL REFERENCES assumptions (id)
                ON DELETE CASCADE,
            touch_id INTEGER NOT NULL REFERENCES touches (id) ON DELETE CASCADE,
            verdict TEXT NOT NULL CHECK (verdict IN ('validated', 'invalidated')),
            note TEXT,
            created_at TEXT NOT NULL,
            UNIQUE (assumption_id, touch_id)
        ) STRICT;
        CREATE INDEX evidence_touch ON evidence (touch_id);

        CREATE TABLE triage_days (
            day TEXT PRIMARY KEY,
            cleared_at TEXT NOT NULL,
            due_count INTEGER NOT NULL CHECK (due_count >= 0)
        ) STRICT;

        CREATE TABLE import_runs (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL CHECK (kind IN ('linkedin', 'vcard', 'restore')),
            filename TEXT,
            sha256 TEXT NOT NULL,
            at TEXT NOT NULL,
            new_count INTEGER NOT NULL DEFAULT 0,
            matched_count INTEGER NOT NULL DEFAULT 0,
            skipped_count INTEGER NOT NULL DEFAULT 0
        ) STRICT;
        """
    )
    db.table("contacts").enable_fts(
        ["name", "company", "title", "note"],
        create_triggers=True,
        tokenize="unicode61 remove_diacritics 2",
    )


@migrations(name="0002_sign_in")
def _sign_in(db: Database) -> None:
    # One row at most: the server's password (a scrypt hash, never the
    # password) and the wrong attempts that set the wait before the next.
    # execute, not executescript: that would commit the migration's transaction.
    db.execute(
        """
        CREATE TABLE sign_in (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            password_hash TEXT NOT NULL,
            failures INTEGER NOT NULL DEFAULT 0 CHECK (failures >= 0),
            last_failure_at TEXT,
            updated_at TEXT NOT NULL
        ) STRICT
        """
    )


@migrations(name="0003_speed")
def _speed(db: Database) -> None:
    # Shipped: never edit this migration; add a new one instead. Statements
    # one by one: executescript would commit the migration's transaction.
    # Networking actions by time: counting a day's actions (metrics,
    # streaks) reads only this index, never the table. Its kinds are
    # activity.NETWORKING_TOUCHES, written out because a shipped migration
    # never changes; test_db checks that the two agree.
    db.execute(
        """
        CREATE INDEX touches_networking_at ON touches (at)
            WHERE kind IN ('met', 'attempt', 'dialog') AND undone_at IS NULL
        """
    )
    # Minutes logged, by time: the weekly time chart sums a week's minutes
    # from this index alone.
    db.execute(
        """
        CREATE INDEX touches_minutes_at ON touches (at, minutes)
            WHERE undone_at IS NULL AND minutes > 0
        """
    )
    # The few captured cards among every meeting: the Capture page's
    # "Just saved" list.
    db.execute(
        """
        CREATE INDEX touches_captures ON touches (id)
            WHERE kind = 'met' AND data IS NOT NULL
        """
    )


# Migration 0004 gave the person one name in every table (the glossary in
# fieldkit/__init__.py): what a file older than it calls them, for reading
# an old backup.
RENAMED_TABLES = {"contacts": "people", "contact_tags": "person_tags"}
RENAMED_COLUMNS = {"contact_id": "person_id"}
SEARCH_COLUMNS = ("name", "company", "title", "note")  # people_fts, the search index


def _fts_sql(table: str) -> list[str]:
    """The full-text index of ``table`` and the triggers that keep it current.

    What sqlite-utils' enable_fts writes, run statement by statement: its
    executescript would commit a migration's transaction half-way.
    """
    cols = ", ".join(f'"{c}"' for c in SEARCH_COLUMNS)
    new = ", ".join(f'new."{c}"' for c in SEARCH_COLUMNS)
    old = ", ".join(f'old."{c}"' for c in SEARCH_COLUMNS)
    fts = f'"{table}_fts"'
    add = f"INSERT INTO {fts} (rowid, {cols}) VALUES (new.rowid, {new});"
    drop = f"INSERT INTO {fts} ({fts}, rowid, {cols}) VALUES('delete', old.rowid, {old});"
    return [
        f"CREATE VIRTUAL TABLE {fts} USING FTS5 ({cols}, "
        f"tokenize='unicode61 remove_diacritics 2', content=\"{table}\")",
        f"INSERT INTO {fts} ({fts}) VALUES ('rebuild')",
        f'CREATE TRIGGER "{table}_ai" AFTER INSERT ON "{table}" BEGIN {add} END',
        f'CREATE TRIGGER "{table}_ad" AFTER DELETE ON "{table}" BEGIN {drop} END',
        f'CREATE TRIGGER "{table}_au" AFTER UPDATE ON "{table}" BEGIN {drop} {add} END',
    ]


@migrations(name="0004_people")
def _people(db: Database) -> None:
    # Shipped: never edit this migration; add a new one instead. One word
    # for a person: table people (was contacts), person_tags (was
    # contact_tags), column person_id (was contact_id). The search index
    # names its content table, so it is dropped and built again.
    for trigger in ("contacts_ai", "contacts_ad", "contacts_au"):
        db.execute(f"DROP TRIGGER [{trigger}]")
    db.execute("DROP TABLE contacts_fts")
    for old, new in RENAMED_TABLES.items():
        db.execute(f"ALTER TABLE [{old}] RENAME TO [{new}]")
    for table in ("person_tags", "attachments", "touches", "followups"):
        db.execute(f"ALTER TABLE [{table}] RENAME COLUMN contact_id TO person_id")
    # Index names follow (SQLite renames columns inside them, not the names).
    indexes = db.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
        "AND name LIKE '%contact%'").fetchall()
    for name, sql in indexes:
        renamed = (name.replace("contact_tags", "person_tags").replace("contacts", "people")
                   .replace("contact", "person"))
        db.execute(f"DROP INDEX [{name}]")
        db.execute(sql.replace(name, renamed, 1))
    for statement in _fts_sql("people"):
        db.execute(statement)


@migrations(name="0005_devices")
def _devices(db: Database) -> None:
    # Browsers signed in with the password (fieldkit.access). Only a hash of
    # each device's token is kept: the file (or a backup of it) in someone
    # else's hands signs no one in.
    db.execute(
        """
        CREATE TABLE devices (
            id INTEGER PRIMARY KEY,
            token_hash TEXT NOT NULL UNIQUE,
            created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL CHECK (expires_at > created_at),
            last_seen_at TEXT NOT NULL
        ) STRICT
        """
    )


@migrations(name="0006_labelled_values")
def _labelled_values(db: Database) -> None:
    # Every email, phone, web address and postal address of a person, with
    # its label (fieldkit.labelled). The columns email, phone and website
    # stay what they were and are the primary of their kind, now with a
    # label beside each; the other values, and every postal address, are
    # rows of labelled_values in the order given (id order). named_from: the
    # card had no name, and the person is named after their company, email,
    # phone, web or postal address. Statement by statement: executescript
    # would commit the migration's transaction.
    for column in ("email_label", "phone_label", "website_label"):
        db.execute(f"ALTER TABLE people ADD COLUMN {column} TEXT")
    db.execute(
        "ALTER TABLE people ADD COLUMN named_from TEXT CHECK (named_from IS NULL OR "
        "named_from IN ('company', 'email', 'phone', 'url', 'address'))")
    db.execute(
        """
        CREATE TABLE labelled_values (
            id INTEGER PRIMARY KEY,
            person_id INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
            kind TEXT NOT NULL CHECK (kind IN ('email', 'phone', 'url', 'address')),
            label TEXT,
            value TEXT NOT NULL CHECK (length(value) > 0)
        ) STRICT
        """
    )
    db.execute("CREATE INDEX labelled_values_person ON labelled_values (person_id, id)")
    # Twins by any email or phone (fieldkit.matching), as people_email and
    # people_phone find them by the primary.
    db.execute("CREATE INDEX labelled_values_email ON labelled_values "
               "(value COLLATE NOCASE) WHERE kind = 'email'")
    db.execute("CREATE INDEX labelled_values_phone ON labelled_values (value) "
               "WHERE kind = 'phone'")


@migrations(name="0007_booth")
def _booth(db: Database) -> None:
    # Cards sent from the booth page's outbox (fieldkit.booth), by the id the
    # phone gave each: a card sent twice is stored once. Kept when the person
    # is deleted, so a late resend does not bring them back.
    db.execute(
        """
        CREATE TABLE received_cards (
            card_id TEXT PRIMARY KEY,
            person_id INTEGER REFERENCES people (id) ON DELETE SET NULL,
            captured_at TEXT NOT NULL,
            received_at TEXT NOT NULL
        ) STRICT
        """
    )
    # People stored without the user looking at them first (fieldkit.reviews):
    # a card taken offline that looks like someone known ('twin'), or whose
    # fields were read from its photo ('read').
    db.execute(
        """
        CREATE TABLE reviews (
            person_id INTEGER PRIMARY KEY REFERENCES people (id) ON DELETE CASCADE,
            reason TEXT NOT NULL CHECK (reason IN ('twin', 'read')),
            twins TEXT NOT NULL DEFAULT '[]',  -- JSON: ids of the people it looks like
            created_at TEXT NOT NULL
        ) STRICT
        """
    )


@migrations(name="0008_sign_in_failures")
def _sign_in_failures(db: Database) -> None:
    # Wrong passwords are counted per client address (fieldkit.access), one
    # row each, not once for the whole server: one guesser no longer makes
    # the owner wait. The server-wide count of the last hour is read from the
    # same rows. The old whole-server count leaves the sign_in table.
    db.execute(
        """
        CREATE TABLE sign_in_failures (
            id INTEGER PRIMARY KEY,
            client TEXT NOT NULL CHECK (length(client) BETWEEN 1 AND 64),
            at TEXT NOT NULL
        ) STRICT
        """
    )
    db.execute("CREATE INDEX sign_in_failures_client ON sign_in_failures (client, at)")
    db.execute("CREATE INDEX sign_in_failures_at ON sign_in_failures (at)")
    db.execute("ALTER TABLE sign_in DROP COLUMN failures")
    db.execute("ALTER TABLE sign_in DROP COLUMN last_failure_at")


def _book_log(book: str, href_sql: str, where: str = "") -> str:
    """A statement for a trigger: note ``href_sql`` (one or many rows) as changed in ``book``.

    Each href keeps one row, renumbered past every other at each change, so
    the log holds the last change of each card or event ever served: what
    changed since a sync token, and what is gone (a tombstone).
    """
    return (f"INSERT INTO dav_changes (seq, book, href) SELECT "
            f"(SELECT coalesce(max(seq), 0) FROM dav_changes) + row_number() OVER (), "
            f"'{book}', href FROM (SELECT {href_sql} AS href {where}) WHERE true "
            f"ON CONFLICT (book, href) DO UPDATE SET seq = excluded.seq;")


def _card_href(person: str) -> str:
    # A person's card: its own href when a phone wrote it, else the person's uid.
    return (f"coalesce((SELECT href FROM phone_cards WHERE person_id = {person}.id), "
            f"{person}.uid || '.vcf')")


def _person_card(person_id: str) -> str:
    return _book_log("contacts", _card_href("p"), f"FROM people p WHERE p.id = {person_id}")


def _open_events(where: str) -> str:
    return _book_log("followups", "f.uid || '.ics'",
                     f"FROM followups f WHERE f.status = 'open' AND {where}")


# What each change of a table changes on the phone: (trigger name, event, statements).
_DAV_TRIGGERS = (
    ("people_card_new", "AFTER INSERT ON people",
     _person_card("new.id")),
    ("people_card_changed", "AFTER UPDATE ON people",
     _person_card("new.id") + _open_events("f.person_id = new.id")),
    # Before the delete: the card's own href is still there to read.
    ("people_card_gone", "BEFORE DELETE ON people",
     _person_card("old.id") + _open_events("f.person_id = old.id")),
    ("person_tags_card_new", "AFTER INSERT ON person_tags", _person_card("new.person_id")),
    ("person_tags_card_gone", "AFTER DELETE ON person_tags", _person_card("old.person_id")),
    ("labelled_values_card_new", "AFTER INSERT ON labelled_values",
     _person_card("new.person_id")),
    ("labelled_values_card_changed", "AFTER UPDATE ON labelled_values",
     _person_card("new.person_id")),
    ("labelled_values_card_gone", "AFTER DELETE ON labelled_values",
     _person_card("old.person_id")),
    ("attachments_card_new", "AFTER INSERT ON attachments WHEN new.kind = 'card_photo'",
     _person_card("new.person_id")),
    ("attachments_card_gone", "AFTER DELETE ON attachments WHEN old.kind = 'card_photo'",
     _person_card("old.person_id")),
    # A follow-up is an event of its own and the next one shows on the card.
    ("followups_event_new", "AFTER INSERT ON followups",
     _book_log("followups", "new.uid || '.ics'") + _person_card("new.person_id")),
    ("followups_event_changed", "AFTER UPDATE ON followups",
     _book_log("followups", "new.uid || '.ics'") + _person_card("new.person_id")),
    ("followups_event_gone", "AFTER DELETE ON followups",
     _book_log("followups", "old.uid || '.ics'") + _person_card("old.person_id")),
    # Where people were met is on their cards and events.
    ("events_name_changed", "AFTER UPDATE OF name ON events",
     _book_log("contacts", _card_href("p"), "FROM people p WHERE p.event_id = new.id")
     + _open_events("f.person_id IN (SELECT id FROM people WHERE event_id = new.id)")),
    # The time zone dates the cards; every setting may be in an event (templates,
    # the triage time, the ladder).
    ("settings_events_changed", "AFTER UPDATE ON settings", _open_events("true")),
    ("settings_events_new", "AFTER INSERT ON settings", _open_events("true")),
    ("settings_cards_changed", "AFTER UPDATE ON settings WHEN new.name = 'timezone'",
     _book_log("contacts", _card_href("p"), "FROM people p WHERE p.status != 'merged'")),
    ("settings_cards_new", "AFTER INSERT ON settings WHEN new.name = 'timezone'",
     _book_log("contacts", _card_href("p"), "FROM people p WHERE p.status != 'merged'")),
    ("phone_cards_new", "AFTER INSERT ON phone_cards",
     _book_log("contacts", "new.href")),
    ("phone_cards_changed", "AFTER UPDATE ON phone_cards",
     _book_log("contacts", "old.href") + _book_log("contacts", "new.href")),
)


@migrations(name="0010_dav")
def _dav(db: Database) -> None:
    # The phone's own Contacts and Calendar (fieldkit.contacts_book,
    # fieldkit.calendar_feed, fieldkit.app_passwords): CardDAV and CalDAV
    # over FieldKit's own tables. Statement by statement: executescript
    # would commit the migration's transaction.
    #
    # One password per device. Only a sha256 of each is kept: a password is
    # random, so there is nothing a salt or a slow hash would protect.
    db.execute(
        """
        CREATE TABLE app_passwords (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE CHECK (length(trim(name)) > 0),
            password_hash TEXT NOT NULL UNIQUE,
            created_at TEXT NOT NULL,
            last_used_at TEXT
        ) STRICT
        """
    )
    # A person's card as a phone last wrote it (kept: properties FieldKit
    # does not model go back to the phone as they came) and FieldKit's own
    # lines for the person right after (base: what FieldKit changed since).
    # A card deleted on a phone leaves the address book only (removed_at).
    # A person no phone wrote to has no row: href and UID are their uid.
    db.execute(
        """
        CREATE TABLE phone_cards (
            person_id INTEGER PRIMARY KEY REFERENCES people (id) ON DELETE CASCADE,
            href TEXT NOT NULL UNIQUE,
            card_uid TEXT NOT NULL UNIQUE,
            kept TEXT,
            base TEXT,
            removed_at TEXT
        ) STRICT
        """
    )
    # The change log of the address book and the calendar: the last change
    # of every href, numbered (a sync token is a number). Plain INTEGER
    # PRIMARY KEY, numbered by the triggers: AUTOINCREMENT would add the
    # sqlite_sequence table.
    db.execute(
        """
        CREATE TABLE dav_changes (
            seq INTEGER PRIMARY KEY,
            book TEXT NOT NULL CHECK (book IN ('contacts', 'followups')),
            href TEXT NOT NULL,
            UNIQUE (book, href)
        ) STRICT
        """
    )
    db.execute("CREATE INDEX dav_changes_book_seq ON dav_changes (book, seq)")
    # The properties a client set on the address book or the calendar (its
    # colour, its order): JSON.
    db.execute(
        """
        CREATE TABLE dav_books (
            book TEXT PRIMARY KEY CHECK (book IN ('contacts', 'followups')),
            props TEXT NOT NULL DEFAULT '{}'
        ) STRICT
        """
    )
    # The webcal feed's unguessable token (one at a time; a new one ends the old).
    db.execute(
        """
        CREATE TABLE calendar_feed (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            token TEXT NOT NULL UNIQUE,
            created_at TEXT NOT NULL
        ) STRICT
        """
    )
    for name, event, statements in _DAV_TRIGGERS:
        db.execute(f"CREATE TRIGGER [{name}] {event} BEGIN {statements} END")


@migrations(name="0011_mail")
def _mail(db: Database) -> None:
    # The mailbox FieldKit reads (fieldkit.mail_account, fieldkit.mail_sync):
    # where it is and how the last sync went. Its password is never here: it
    # is in a file beside the database, readable by its owner only.
    db.execute(
        """
        CREATE TABLE mailbox (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            host TEXT NOT NULL CHECK (length(host) > 0),
            port INTEGER NOT NULL CHECK (port BETWEEN 1 AND 65535),
            user TEXT NOT NULL CHECK (length(user) > 0),
            security TEXT NOT NULL CHECK (security IN ('ssl', 'starttls', 'none')),
            connected_at TEXT NOT NULL,
            sync_started_at TEXT,         -- the sync running now, or the last one
            sync_finished_at TEXT,
            sync_ok INTEGER CHECK (sync_ok IS NULL OR sync_ok IN (0, 1)),
            sync_result TEXT              -- one line: what it read and logged, or what failed
        ) STRICT
        """
    )
    # How far each folder was read: a changed UIDVALIDITY means its UIDs
    # were renumbered, and the folder is read again.
    db.execute(
        """
        CREATE TABLE mail_folders (
            name TEXT PRIMARY KEY,
            uidvalidity INTEGER NOT NULL,
            last_uid INTEGER NOT NULL DEFAULT 0 CHECK (last_uid >= 0),
            synced_at TEXT NOT NULL
        ) STRICT
        """
    )
    # The message behind each attempt or dialog the mailbox logged (or a
    # tapped one it matched): a message is never logged twice for a person,
    # also after its touch was undone.
    db.execute(
        """
        CREATE TABLE mail_touches (
            touch_id INTEGER PRIMARY KEY REFERENCES touches (id) ON DELETE CASCADE,
            message_id TEXT NOT NULL CHECK (length(message_id) > 0),
            subject TEXT,
            folder TEXT,
            logged INTEGER NOT NULL CHECK (logged IN (0, 1)),  -- 0: it matched a tapped one
            created_at TEXT NOT NULL
        ) STRICT
        """
    )
    db.execute("CREATE INDEX mail_touches_message ON mail_touches (message_id)")
    # Addresses of people that bounced (a delivery failure in the mailbox).
    db.execute(
        """
        CREATE TABLE mail_bounces (
            address TEXT PRIMARY KEY COLLATE NOCASE,
            bounced_at TEXT NOT NULL,
            message_id TEXT NOT NULL,
            created_at TEXT NOT NULL
        ) STRICT
        """
    )
