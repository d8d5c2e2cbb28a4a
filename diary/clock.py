"""The one source of "now"; tests move it with time-machine."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo


def utcnow() -> datetime:
    """Return the current instant, time-zone aware, in UTC."""
    return datetime.now(UTC)


def local_today(tz_name: str, now: datetime | None = None) -> date:
    """Return the calendar date it is now in the given IANA time zone."""
    return (now or utcnow()).astimezone(ZoneInfo(tz_name)).date()
