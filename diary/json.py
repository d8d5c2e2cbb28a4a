"""JSON for the API: decimals (milligrams) as numbers, instants as ISO 8601 with offset.

Request bodies are read strictly (``loads_strict``): a duplicate key, a constant that is
not JSON (NaN, Infinity) or nesting deeper than ``MAX_DEPTH`` is an error, not a guess.
"""

import json
from datetime import date, datetime, time
from decimal import Decimal

from flask.json.provider import DefaultJSONProvider

# Our deepest body is three levels ({"entries": [{...}]}); 32 leaves room and keeps the
# parser's recursion (about 1000 levels in CPython) far away.
MAX_DEPTH = 32


def decimal_to_json(value: Decimal) -> int | float:
    """Return a decimal as a JSON number: an int when whole, else a float.

    A float's shortest repr gives back the decimal's own digits for any value of up to
    15 significant digits, so every stored amount (NUMERIC(8, 2) mg, a 0.900 threshold)
    is written and read back exactly.
    """
    return int(value) if value == value.to_integral_value() else float(value)


def _default(value):
    if isinstance(value, Decimal):
        return decimal_to_json(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return DefaultJSONProvider.default(value)


class DiaryJSONProvider(DefaultJSONProvider):
    default = staticmethod(_default)
    sort_keys = False


class StrictJSONError(json.JSONDecodeError):
    """A body that parses as Python's JSON but that we refuse to guess about."""


def _unique_keys(pairs: list[tuple[str, object]]) -> dict:
    # The last of two equal keys wins in most parsers, the first in others: refuse both.
    result = dict(pairs)
    if len(result) != len(pairs):
        seen = set()
        for key, _value in pairs:
            if key in seen:
                raise ValueError(f"Duplicate key {key!r}.")
            seen.add(key)
    return result


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not a JSON number.")


def _depth(value) -> int:
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, level = stack.pop()
        if isinstance(node, dict | list):
            deepest = max(deepest, level)
            children = node.values() if isinstance(node, dict) else node
            stack.extend((child, level + 1) for child in children if isinstance(child, dict | list))
    return deepest


def loads_strict(text: str):
    """Parse a request body: numbers with a fraction as Decimal, every key once, depth bounded.

    Raises StrictJSONError (a JSONDecodeError) with a message fit for the client.
    """
    try:
        value = json.loads(text, object_pairs_hook=_unique_keys, parse_float=Decimal,
                           parse_constant=_refuse_constant)
    except RecursionError:
        raise StrictJSONError(f"Nested more than {MAX_DEPTH} levels deep.", text, 0) from None
    except json.JSONDecodeError:
        raise
    except ValueError as exc:
        raise StrictJSONError(str(exc), text, 0) from None
    if _depth(value) > MAX_DEPTH:
        raise StrictJSONError(f"Nested more than {MAX_DEPTH} levels deep.", text, 0)
    return value
