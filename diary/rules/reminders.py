"""When a day's reminder and follow-up are due: local wall-clock times, DST and quiet hours.

Pure functions of plain values (no database, no clock). A reminder belongs to a dose day,
the participant's local calendar date, and its text says "today": so whatever moves it,
it stays inside its own day, and a follow-up that cannot be sent in that day is dropped.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

_MINUTE = timedelta(minutes=1)
# The longest clock change anywhere is 2 hours (and a few 30-minute ones): a day is plenty.
_LONGEST_GAP_MINUTES = 24 * 60


@dataclass(frozen=True)
class DayPlan:
    """The instants (UTC) a dose day's texts are due and stop being worth sending."""

    day: date
    reminder_at: datetime
    reminder_expires_at: datetime
    follow_up_at: datetime | None
    follow_up_expires_at: datetime | None


def _zone(tz: str | ZoneInfo) -> ZoneInfo:
    return tz if isinstance(tz, ZoneInfo) else ZoneInfo(tz)


def wall_time_exists(day: date, local_time: time, tz: str | ZoneInfo) -> bool:
    """Say whether the wall-clock time happens on that day (false inside a spring-forward gap)."""
    local = datetime.combine(day, local_time.replace(tzinfo=None), tzinfo=_zone(tz))
    round_trip = local.astimezone(UTC).astimezone(local.tzinfo)
    return round_trip.replace(tzinfo=None, fold=0) == local.replace(tzinfo=None, fold=0)


def local_due_instant(day: date, local_time: time, tz: str | ZoneInfo) -> datetime:
    """Return the UTC instant of ``local_time`` on ``day`` in ``tz``.

    A time skipped by a spring-forward change is moved to the first valid minute after
    it (02:30 on a New York spring day is sent at 03:00); a time that happens twice on a
    fall-back day is taken once, at its first occurrence (fold=0).
    """
    zone = _zone(tz)
    wall = datetime.combine(day, local_time.replace(tzinfo=None, fold=0))
    for _ in range(_LONGEST_GAP_MINUTES):
        if wall_time_exists(wall.date(), wall.time(), zone):
            return wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
        # Whole minutes: 02:30 in a gap ending at 03:00 becomes 03:00, not 03:30.
        wall = wall.replace(second=0, microsecond=0) + _MINUTE
    raise ValueError(f"No valid local time after {local_time} on {day} in {zone.key}.")


def in_quiet_hours(local_time: time, quiet_start: time, quiet_end: time) -> bool:
    """Say whether a local time falls in quiet hours [start, end), which may wrap midnight."""
    t = local_time.replace(tzinfo=None)
    if quiet_start == quiet_end:
        return False
    if quiet_start < quiet_end:
        return quiet_start <= t < quiet_end
    return t >= quiet_start or t < quiet_end


def reminder_local_time(reminder_time: time, quiet_start: time, quiet_end: time) -> time:
    """Return the local time a day's reminder is sent: its own time, or the end of quiet hours.

    A reminder inside quiet hours moves to the end of the quiet hours *within its own
    day* (``quiet_end`` that morning): moving a 22:00 reminder to 08:00 the next morning
    would ask about "today" on the wrong day, after the dose day is over.
    """
    if in_quiet_hours(reminder_time, quiet_start, quiet_end):
        return quiet_end
    return reminder_time


def stop_sending_at(
    due_at: datetime, expire_after: timedelta, tz: str | ZoneInfo, quiet_start: time,
    quiet_end: time,
) -> datetime:
    """Return when a text due at ``due_at`` goes stale: after ``expire_after``, at the
    start of the next quiet hours or at the end of its local day, whichever comes first."""
    zone = _zone(tz)
    local = due_at.astimezone(zone)
    day = local.date()
    limits = [due_at + expire_after, local_due_instant(day + timedelta(days=1), time(0), zone)]
    if quiet_start != quiet_end:
        quiet_begins = local_due_instant(day, quiet_start, zone)
        if quiet_begins > due_at:
            limits.append(quiet_begins)
    return min(limits)


def plan_day(
    day: date,
    reminder_time: time,
    tz: str | ZoneInfo,
    *,
    quiet_start: time,
    quiet_end: time,
    follow_up_after: timedelta,
    expire_after: timedelta,
) -> DayPlan:
    """Plan one dose day: the reminder, and a follow-up unless it would land in quiet hours."""
    zone = _zone(tz)
    reminder_at = local_due_instant(day, reminder_local_time(reminder_time, quiet_start,
                                                             quiet_end), zone)
    reminder_expires = stop_sending_at(reminder_at, expire_after, zone, quiet_start, quiet_end)
    follow_up_at = reminder_at + follow_up_after
    local_follow_up = follow_up_at.astimezone(zone)
    follow_up_expires = None
    if local_follow_up.date() != day or in_quiet_hours(local_follow_up.time(), quiet_start,
                                                       quiet_end):
        follow_up_at = None
    else:
        follow_up_expires = stop_sending_at(follow_up_at, expire_after, zone, quiet_start,
                                            quiet_end)
    return DayPlan(day, reminder_at, reminder_expires, follow_up_at, follow_up_expires)


def follow_up_after_sent(
    day: date,
    reminder_sent_at: datetime,
    planned_at: datetime,
    tz: str | ZoneInfo,
    *,
    quiet_start: time,
    quiet_end: time,
    follow_up_after: timedelta,
    expire_after: timedelta,
) -> tuple[datetime, datetime] | None:
    """Return when a day's follow-up is due, and goes stale, once its reminder has left.

    A reminder that left late (the scheduler was down, Twilio was out) pushes its
    follow-up back: "no entry from you yet" minutes after "please record today's entry"
    only annoys. The follow-up never comes sooner than ``follow_up_after`` after the
    reminder actually left; if that falls in quiet hours or on the next day, there is
    none (None).
    """
    zone = _zone(tz)
    due_at = max(planned_at, reminder_sent_at + follow_up_after)
    local = due_at.astimezone(zone)
    if local.date() != day or in_quiet_hours(local.time(), quiet_start, quiet_end):
        return None
    return due_at, stop_sending_at(due_at, expire_after, zone, quiet_start, quiet_end)
