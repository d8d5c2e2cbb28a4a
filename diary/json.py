"""JSON for the API: decimals (milligrams) as numbers, instants as ISO 8601 with offset."""

from datetime import date, datetime, time
from decimal import Decimal

from flask.json.provider import DefaultJSONProvider


def _default(value):
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return DefaultJSONProvider.default(value)


class DiaryJSONProvider(DefaultJSONProvider):
    default = staticmethod(_default)
    sort_keys = False
