"""Fields every request schema loads with: strict types, values the database can hold.

A request is read as sent or refused: no string is taken for a number or a boolean, no
number is rounded, and nothing passes that the database would fail on.
"""

import re

import marshmallow as ma

from diary.types import MAX_ID

_SURROGATE = re.compile("[\ud800-\udfff]")


class Id(ma.fields.Integer):
    """An id from 1 to the largest the database holds: a JSON integer in a body.

    In a query string every value is text; there ``strict=False`` reads "12" as 12.
    """

    def __init__(self, *, strict: bool = True, **kwargs):
        super().__init__(strict=strict, validate=ma.validate.Range(min=1, max=MAX_ID), **kwargs)


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
