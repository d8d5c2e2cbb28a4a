"""Report windows: study days or dates, cut to the days a participant's diary can answer.

A window is given in study days (day 1 = enrolment; there is no day 0) or in dates. For
one participant it becomes dates: never before enrolment, never after withdrawal, and
never past the last day that is over in the participant's zone, unless today already has
an entry (as the participant's own adherence overview counts).
"""

from datetime import date, timedelta
from typing import NamedTuple

from diary.rules.study_days import date_of_study_day, study_week, week_start


class Window(NamedTuple):
    """What a request asked for: study days, or dates (None: from enrolment / to today)."""

    from_day: int | None = None
    to_day: int | None = None
    start: date | None = None
    end: date | None = None

    @property
    def in_days(self) -> bool:
        return self.start is None and self.end is None


def window_errors(window: Window) -> dict[str, list[str]]:
    """Return field errors for a window that cannot be read (empty when it can)."""
    days = window.from_day is not None or window.to_day is not None
    dates = window.start is not None or window.end is not None
    if days and dates:
        return {"from_day": ["Give study days (from_day, to_day) or dates (from, to), "
                             "not both."]}
    for name in ("from_day", "to_day"):
        value = getattr(window, name)
        if value is not None and value < 1:
            return {name: ["Study days start at day 1 (enrolment); there is no day 0."]}
    if days and None not in (window.from_day, window.to_day) and (
            window.from_day > window.to_day):
        return {"from_day": ["After to_day."]}
    if dates and None not in (window.start, window.end) and window.start > window.end:
        return {"from": ["After to."]}
    return {}


def with_defaults(window: Window, primary_window_days: int) -> Window:
    """Return the window with the study's primary window filling what was left out."""
    if not window.in_days:
        return window
    return Window(window.from_day or 1, window.to_day or primary_window_days)


def last_counted_day(today: date, today_has_entry: bool) -> date:
    """Return the last day that counts: yesterday, or today once it has an entry."""
    return today if today_has_entry else today - timedelta(days=1)


def participant_dates(window: Window, enrolled_on: date, withdrawn_on: date | None,
                      last_counted: date) -> tuple[date, date]:
    """Return the first and last date of the window for one participant (end < start: empty).

    ``window`` has its defaults (``with_defaults``); a withdrawn participant's window
    ends on the day of withdrawal, which counts.
    """
    if window.in_days:
        start = date_of_study_day(enrolled_on, window.from_day)
        end = date_of_study_day(enrolled_on, window.to_day)
    else:
        start = window.start or enrolled_on
        end = window.end or last_counted
    start = max(start, enrolled_on)
    end = min(end, last_counted, withdrawn_on or end)
    return start, end


def study_weeks(enrolled_on: date, start: date, end: date) -> list[tuple[int, date, date]]:
    """Return ``(week, first, last)`` for each study week the dates ``start..end`` touch."""
    weeks = []
    day = start
    while day <= end:
        last = min(end, week_start(enrolled_on, day) + timedelta(days=6))
        weeks.append((study_week(enrolled_on, day), day, last))
        day = last + timedelta(days=1)
    return weeks
