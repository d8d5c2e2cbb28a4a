"""Fields every request schema loads with: strict types, values the database can hold.

A request is read as sent or refused: no string is taken for a number or a boolean, no
number is rounded, and nothing passes that the database would fail on.
"""

import datetime as dt
import decimal
import re

import marshmallow as ma

from diary.rules.pro_ctcae import MAX_SCORE
from diary.types import MAX_ID

_SURROGATE = re.compile("[\ud800-\udfff]")
# Dates and instants a diary can mean; the bounds keep date arithmetic (a day's end, a
# week's start) clear of the first and last dates Python and the databases can hold.
EARLIEST, LATEST = dt.date(1900, 1, 1), dt.date(2999, 12, 31)
# NUMERIC(8, 2): the largest amount of mg a column holds; NUMERIC(5, 2), of kg.
MAX_MG = decimal.Decimal("999999.99")
MAX_KG = decimal.Decimal("999.99")


class Id(ma.fields.Integer):
    """An id from 1 to the largest the database holds: a JSON integer in a body.

    In a query string every value is text; there ``strict=False`` reads "12" as 12.
    """

    def __init__(self, *, strict: bool = True, **kwargs):
        super().__init__(strict=strict, validate=ma.validate.Range(min=1, max=MAX_ID), **kwargs)


class WholeNumber(ma.fields.Integer):
    """A JSON integer from ``minimum`` to ``maximum`` (a grade, a score): 3, not "3" or 3.0.

    In a query string (``strict=False``) the text "3" is read as 3; "3.0" is still refused.
    """

    def __init__(self, *, minimum: int, maximum: int, strict: bool = True,
                 error: str = "Must be a whole number from {min} to {max}.", **kwargs):
        super().__init__(strict=strict, validate=ma.validate.Range(
            min=minimum, max=maximum, error=error), **kwargs)


class Text(ma.fields.String):
    """A string the database can store: no NUL character, no lone UTF-16 surrogate.

    PostgreSQL refuses NUL in text and SQLite would keep it; a lone surrogate (half an
    emoji, from a phone that split one) cannot be encoded as UTF-8 at all.
    """

    default_error_messages = {
        "nul": "Must not contain a NUL character (\\u0000).",
        "surrogate": "Contains half of a character (a split emoji, an unpaired UTF-16 "
                     "surrogate); send whole characters.",
    }

    def _deserialize(self, value, attr, data, **kwargs) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        if "\x00" in text:
            raise self.make_error("nul")
        if _SURROGATE.search(text):
            raise self.make_error("surrogate")
        return text


class StrictBoolean(ma.fields.Boolean):
    """A JSON ``true`` or ``false``; "yes", "true" and 1 are not booleans."""

    def _deserialize(self, value, attr, data, **kwargs) -> bool:
        if value is True or value is False:
            return value
        raise self.make_error("invalid", input=value)


class QueryBoolean(ma.fields.Boolean):
    """A boolean in a query string, written ``true`` or ``false``."""

    def __init__(self, **kwargs):
        super().__init__(truthy={"true"}, falsy={"false"}, **kwargs)


class _Amount(ma.fields.Decimal):
    """A JSON number above 0 with at most 2 decimals, as it is stored.

    A third decimal would be rounded away by the database (NUMERIC(…, 2)), so it is
    refused rather than changed; a number sent as a string is not a number.
    """

    default_error_messages = {"places": "At most 2 decimals."}
    unit: str
    maximum: decimal.Decimal

    def __init__(self, **kwargs):
        validate = ma.validate.Range(min=0, min_inclusive=False, max=self.maximum,
                                     error="Must be more than 0 and at most {max} "
                                           + self.unit + ".")
        super().__init__(allow_nan=False, validate=validate, **kwargs)

    def _validated(self, value):
        if isinstance(value, bool) or not isinstance(value, int | float | decimal.Decimal):
            raise self.make_error("invalid")
        amount = super()._validated(value)
        # 400.000 is 400.00; 400.001 is not. normalize() drops the trailing zeros.
        if amount.normalize().as_tuple().exponent < -2:
            raise self.make_error("places")
        return amount


class Milligrams(_Amount):
    """An amount in mg (NUMERIC(8, 2))."""

    unit, maximum = "mg", MAX_MG


class Score(WholeNumber):
    """A PRO-CTCAE score: a JSON integer from 0 to 4 (not 2.0, not "2", not true)."""

    def __init__(self, **kwargs):
        super().__init__(minimum=0, maximum=MAX_SCORE, **kwargs)


class Kilograms(_Amount):
    """A weight in kg (NUMERIC(5, 2))."""

    unit, maximum = "kg", MAX_KG


class Day(ma.fields.Date):
    """A calendar date written YYYY-MM-DD, from 1900-01-01 to 2999-12-31."""

    default_error_messages = {"range": f"Must be from {EARLIEST} to {LATEST}."}

    def _deserialize(self, value, attr, data, **kwargs) -> dt.date:
        day = super()._deserialize(value, attr, data, **kwargs)
        if not EARLIEST <= day <= LATEST:
            raise self.make_error("range")
        return day


class Instant(ma.fields.AwareDateTime):
    """An instant in ISO 8601 with a UTC offset, in UTC from 1900 to 2999."""

    default_error_messages = {"range": f"Must be from {EARLIEST} to {LATEST} (UTC)."}

    def _deserialize(self, value, attr, data, **kwargs) -> dt.datetime:
        instant = super()._deserialize(value, attr, data, **kwargs)
        try:
            # Year 1 at +14:00 is before the first instant Python can hold in UTC.
            day = instant.astimezone(dt.UTC).date()
        except OverflowError:
            raise self.make_error("range") from None
        if not EARLIEST <= day <= LATEST:
            raise self.make_error("range")
        return instant


class SiteRef(ma.fields.Field):
    """A site named by its code (a JSON string, ``"SEV"``) or its id (a JSON integer)."""

    default_error_messages = {
        "invalid": 'A site code (a string such as "SEV") or a site id (an integer).',
    }

    def __init__(self, *, metadata: dict | None = None, **kwargs):
        documented = {
            "oneOf": [{"type": "string", "minLength": 1, "maxLength": 40, "example": "SEV"},
                      {"type": "integer", "minimum": 1, "maximum": MAX_ID}],
            "example": "SEV",
        }
        super().__init__(metadata=documented | (metadata or {}), **kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        return value

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_ID:
            return value
        if isinstance(value, str) and 1 <= len(value.strip()) <= 40:
            # A code is text like any other: no NUL, no half of a character.
            return Text()._deserialize(value, attr, data, **kwargs).strip()
        raise self.make_error("invalid")
