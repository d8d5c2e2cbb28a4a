"""URL converters: ids in paths that the database can hold."""

from werkzeug.routing import IntegerConverter

from diary.types import MAX_ID


class IdConverter(IntegerConverter):
    """``<int:…>`` in our routes: 1 to MAX_ID; anything else matches no route (404)."""

    def __init__(self, url_map, fixed_digits=0, min=1, max=MAX_ID, signed=False):
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)
