"""Fields and bases shared by the API's schemas."""

import re
from datetime import time

import marshmallow as ma

from api.schemas.fields import Text
from diary.rules.zones import is_region_zone

# [0-9], not \d (which takes any script's digits), and fullmatch: $ admits a final newline.
_HH_MM = re.compile(r"^([01][0-9]|2[0-3]):([0-5][0-9])$")


class WriteSchema(ma.Schema):
    """A request body: a field the API does not know is an error, not ignored."""

    class Meta:
        unknown = ma.RAISE


class QueryArgsSchema(ma.Schema):
    """Query-string arguments; other arguments (page, page_size) belong to others."""

    class Meta:
        unknown = ma.EXCLUDE


class LocalTime(ma.fields.Field):
    """A local wall-clock time written ``HH:MM`` (24-hour), e.g. ``09:00``."""

    default_error_messages = {"invalid": "Not a time written HH:MM (00:00 to 23:59)."}

    def __init__(self, *, metadata: dict | None = None, **kwargs):
        documented = {"type": "string", "pattern": _HH_MM.pattern, "example": "09:00"}
        super().__init__(metadata=documented | (metadata or {}), **kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else value.strftime("%H:%M")

    def _deserialize(self, value, attr, data, **kwargs):
        match = _HH_MM.fullmatch(value) if isinstance(value, str) else None
        if match is None:
            raise self.make_error("invalid")
        return time(int(match.group(1)), int(match.group(2)))


def validate_timezone(value: str) -> None:
    """Accept only canonical zones of places (``Asia/Seoul``), not abbreviations or offsets."""
    if not is_region_zone(value):
        raise ma.ValidationError(
            "Not the time zone of a place: use a tz database zone such as Asia/Seoul or "
            "America/New_York. Offsets and abbreviations (UTC+9, EST, Etc/GMT-9) know no "
            "daylight saving time.")


def not_blank(value: str) -> None:
    """Refuse a string of nothing but spaces: a reason has to say something."""
    if not value.strip():
        raise ma.ValidationError("Must not be blank.")


def reason_field(*, required: bool = True, **kwargs) -> Text:
    """Return the free-text reason every change to clinical data carries (never blank)."""
    return Text(
        required=required,
        validate=[ma.validate.Length(max=1000), not_blank],
        metadata={"description": "Why the change is made (kept in the audit trail)."},
        **kwargs,
    )
