"""Which enrolment dates the diary takes, as a plain function of the local date."""

from datetime import date, timedelta

# Enrolment is recorded as it happens or shortly before: five years back covers the
# late entry of a long study's first participants, 90 days ahead a screening period.
# Beyond that a date is a slip of the keyboard (0001-01-01, 9999-12-31), and day 1 of
# the diary, its reminders and its adherence would all hang on it.
YEARS_BACK = 5
DAYS_AHEAD = 90


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year - years, day=28)


def enrolment_window(local_today: date) -> tuple[date, date]:
    """Return the first and last enrolment dates allowed on ``local_today`` (inclusive)."""
    return _years_before(local_today, YEARS_BACK), local_today + timedelta(days=DAYS_AHEAD)


def enrolment_date_errors(enrolled_on: date, local_today: date) -> list[str]:
    """Return why an enrolment date is outside the window, if it is."""
    first, last = enrolment_window(local_today)
    if first <= enrolled_on <= last:
        return []
    return [f"Must be from {first.isoformat()} to {last.isoformat()}: at most "
            f"{YEARS_BACK} years back and {DAYS_AHEAD} days ahead."]


def current_study_day(enrolled_on: date, local_today: date) -> int | None:
    """Return today's study day, or None before day 1: the participant has not started."""
    if local_today < enrolled_on:
        return None
    return (local_today - enrolled_on).days + 1
