"""The one source of "now"; tests move it with time-machine, ``diary demo`` replays it."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

# Set only while ``diary demo`` replays a synthetic diary through the real operations, so
# that each entry is recorded (and audited, and judged late or not) at the instant the
# story says, not all at the moment the command runs.
_replayed_now: ContextVar[datetime | None] = ContextVar("replayed_now", default=None)


def utcnow() -> datetime:
    """Return the current instant, time-zone aware, in UTC."""
    replayed = _replayed_now.get()
    return replayed if replayed is not None else datetime.now(UTC)


@contextmanager
def replaying(instant: datetime) -> Iterator[None]:
    """Make ``utcnow()`` answer ``instant`` inside the block (the demo cohort's story)."""
    if instant.tzinfo is None:
        raise ValueError("A replayed instant must be time-zone aware.")
    token = _replayed_now.set(instant.astimezone(UTC))
    try:
        yield
    finally:
        _replayed_now.reset(token)


def local_today(tz_name: str, now: datetime | None = None) -> date:
    """Return the calendar date it is now in the given IANA time zone."""
    return (now or utcnow()).astimezone(ZoneInfo(tz_name)).date()
