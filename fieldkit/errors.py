"""Errors raised by the core and shown to the user at the edge (pages, CLI)."""


class FieldkitError(Exception):
    """Something the user can act on; the message is shown as it is."""


class ValidationError(FieldkitError):
    """An input value is not acceptable; nothing was written."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class NotFound(FieldkitError):
    """What was asked for (a person, an event, a call session, a capture) no longer exists."""


class SettingError(ValidationError):
    """A setting was given a value it cannot hold."""


class DatabaseError(FieldkitError):
    """The database file cannot be opened, read or migrated."""


class DatabaseBusy(DatabaseError):
    """Another writer held the database longer than the busy timeout; nothing was written."""
