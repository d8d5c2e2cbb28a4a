"""Column types that behave the same on SQLite and PostgreSQL."""

from datetime import UTC, datetime

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator):
    """An instant: aware datetimes in, aware UTC datetimes out, on every database.

    PostgreSQL stores ``timestamptz``; SQLite keeps no offset at all, so the value is
    normalised to UTC before it is written and marked UTC when read back. A naive value
    is a programming error, not something to guess about.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("naive datetime given for a UTC instant")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


# The largest id an ``Integer`` primary key holds on every database we run on
# (PostgreSQL's 4-byte integer; SQLite's are 8 bytes). Beyond it nothing can match.
MAX_ID = 2**31 - 1
