"""Column types that behave the same on SQLite and PostgreSQL."""

from datetime import UTC, datetime

from sqlalchemy import DateTime, String, Text
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.types import TypeDecorator

from diary import phone_keys


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


# A ciphertext differs at every write, so these would never match: compare the lookup hash.
_NO_EQUALITY = frozenset({operators.eq, operators.ne, operators.in_op, operators.not_in_op})


def _compares_to_a_value(other: tuple) -> bool:
    # Column against column stays allowed: SQLAlchemy itself compares columns with ``==``
    # (its dictionaries keyed by column, an ORM UPDATE's SET clause).
    return bool(other) and other[0] is not None and not isinstance(other[0], ColumnElement)


class Encrypted(TypeDecorator):
    """Plain text in Python, a Fernet ciphertext in the column (diary.phone_keys).

    ``IS NULL`` works; ``==`` and ``IN`` against a value are refused, since they could only
    ever compare one ciphertext with another: query the row's HMAC lookup column instead.
    """

    cache_ok = True

    class comparator_factory(TypeDecorator.Comparator):  # the name SQLAlchemy looks up
        def operate(self, op, *other, **kwargs):
            if op in _NO_EQUALITY and _compares_to_a_value(other):
                raise TypeError("an encrypted column cannot be compared; use its lookup hash")
            return super().operate(op, *other, **kwargs)

    def process_bind_param(self, value: str | None, dialect):
        return None if value is None else phone_keys.current().encrypt(value)

    def process_result_value(self, value: str | None, dialect):
        return None if value is None else phone_keys.current().decrypt(value)


class EncryptedString(Encrypted):
    """An encrypted short text: a 16-character E.164 number takes 120 characters."""

    impl = String
    cache_ok = True


class EncryptedText(Encrypted):
    """An encrypted text of any length (a text message's body)."""

    impl = Text
    cache_ok = True


# The largest id an ``Integer`` primary key holds on every database we run on
# (PostgreSQL's 4-byte integer; SQLite's are 8 bytes). Beyond it nothing can match.
MAX_ID = 2**31 - 1
