"""Fields every request schema loads with: strict types, values the database can hold.

A request is read as sent or refused: no string is taken for a number or a boolean, no
number is rounded, and nothing passes that the database would fail on.
"""

import marshmallow as ma

from diary.types import MAX_ID


class Id(ma.fields.Integer):
    """An id from 1 to the largest the database holds: a JSON integer in a body.

    In a query string every value is text; there ``strict=False`` reads "12" as 12.
    """

    def __init__(self, *, strict: bool = True, **kwargs):
        super().__init__(strict=strict, validate=ma.validate.Range(min=1, max=MAX_ID), **kwargs)
