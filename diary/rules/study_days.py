"""Study days: the enrolment date is day 1, and there is no day 0."""

from datetime import date, timedelta


def study_day(enrolled_on: date, day: date) -> int:
    """Return the study day of a local calendar date (day 1 = enrolment; -1 the day before)."""
    offset = (day - enrolled_on).days
    # Protocols count ... -2, -1, 1, 2 ...: the day before enrolment is day -1, not day 0.
    return offset + 1 if offset >= 0 else offset


def date_of_study_day(enrolled_on: date, day_number: int) -> date:
    """Return the calendar date of a study day (the inverse of ``study_day``)."""
    if day_number == 0:
        raise ValueError("there is no study day 0")
    offset = day_number - 1 if day_number > 0 else day_number
    return enrolled_on + timedelta(days=offset)
