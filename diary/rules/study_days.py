"""Study days and a participant's local calendar days, as plain functions of dates and zones."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def study_day(enrolled_on: date, day: date) -> int:
    """Return the study day of a local date: the enrolment date is day 1, and there is no day 0.

    Days before enrolment count back from -1 (the CDISC SDTM --DY convention).
    """
    offset = (day - enrolled_on).days
    return offset + 1 if offset >= 0 else offset


def date_of_study_day(enrolled_on: date, day_number: int) -> date:
    """Return the calendar date of a study day (the inverse of ``study_day``)."""
    if day_number == 0:
        raise ValueError("there is no study day 0")
    offset = day_number - 1 if day_number > 0 else day_number
    return enrolled_on + timedelta(days=offset)


def study_week(enrolled_on: date, day: date) -> int:
    """Return the study week of a date on or after enrolment: days 1-7 are week 1."""
    return (study_day(enrolled_on, day) - 1) // 7 + 1


def week_start(enrolled_on: date, day: date) -> date:
    """Return the first date of the study week that contains ``day``."""
    return enrolled_on + timedelta(days=7 * (study_week(enrolled_on, day) - 1))


def day_bounds(day: date, tz_name: str) -> tuple[datetime, datetime]:
    """Return the instants a local calendar day starts and ends (the next day's start).

    Computed from local midnights, so a day with a DST change is 23 or 25 hours long.
    """
    zone = ZoneInfo(tz_name)
    start = datetime.combine(day, time(0), tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
    return _normalised(start), _normalised(end)


def _normalised(value: datetime) -> datetime:
    # A round trip through UTC settles wall times that DST skips or repeats.
    return value.astimezone(ZoneInfo("UTC"))


def late_entry_deadline(day: date, tz_name: str, late_entry_hours: int) -> datetime:
    """Return the instant after which an entry for ``day`` is late: hours after the day ends."""
    return day_bounds(day, tz_name)[1] + timedelta(hours=late_entry_hours)


def is_late(recorded_at: datetime, day: date, tz_name: str, late_entry_hours: int) -> bool:
    """Say whether an entry recorded at ``recorded_at`` for ``day`` is past the late window."""
    return recorded_at > late_entry_deadline(day, tz_name, late_entry_hours)
