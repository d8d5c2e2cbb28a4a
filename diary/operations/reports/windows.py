"""A safety report's window in SQL: who is followed in it, and which dates and onsets it keeps.

The window is study days (``from_day``, ``to_day``: each participant's own dates, day 1
the enrolment) or dates (``from``, ``to``), both included; either bound may be left out,
and no window at all keeps everything. Per participant it becomes a first and a last day:

- **followed**: the participants whose time in the study overlaps the window, the tables'
  denominator: enrolled by its last day, its first day begun in their zone, not withdrawn
  before it;
- **a full date** (a symptom report's day) is kept inside the window;
- **a partial onset** (``2026-03``, ``2026``) is kept when it *could* lie in the window
  (``diary.rules.partial_dates.could_lie_between``), and counted apart when it could lie
  outside it too (``surely_between`` says no).

Onsets are compared as text at their own precision: "2026-03" could lie in a window from
14 March when it is not before "2026-03", the window's first day cut to a month.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import String, case, cast, false, func, literal, or_, true

from diary.models import Participant
from diary.operations.reports.report_scope import days
from diary.operations.reports.sql import date_text, day_number, to_number
from diary.rules.partial_dates import DAY, MONTH, YEAR
from diary.rules.report_windows import Window


@dataclass(frozen=True)
class _Day:
    """One bound of the window for the participant of the row: a day number and its text."""

    number: object
    text: object


def _literal_day(day: date) -> _Day:
    return _Day(literal(to_number(day)), cast(literal(day.isoformat()), String))


def _study_day(day: int) -> _Day:
    number = day_number(Participant.enrolled_on) + (day - 1)
    return _Day(number, date_text(number))


def _bounds(window: Window) -> tuple[_Day | None, _Day | None, _Day | None]:
    """Return the window's first day, last day and the day after it (None: open)."""
    if window.in_days:
        return tuple(None if day is None else _study_day(day)
                     for day in (window.from_day, window.to_day,
                                 None if window.to_day is None else window.to_day + 1))
    return tuple(None if day is None else _literal_day(day)
                 for day in (window.start, window.end,
                             None if window.end is None else window.end + timedelta(days=1)))


def followed(window: Window, todays: dict[str, date]):
    """Return a WHERE clause keeping the participants followed during the window.

    ``todays``: each zone's local date (the participants' zones), for "its first day has
    begun"; a window whose first day is still to come follows nobody yet.
    """
    first, last, _ = _bounds(window)
    enrolled = day_number(Participant.enrolled_on)
    clause = true()
    if last is not None:
        clause = clause & (enrolled <= last.number)
    if first is not None:
        if not todays:
            return false()
        today = case({zone: to_number(day) for zone, day in todays.items()},
                     value=Participant.timezone)
        clause = clause & (first.number <= today) & or_(
            Participant.withdrawn_on.is_(None),
            day_number(Participant.withdrawn_on) >= first.number)
    return clause


def on_days(window: Window, column):
    """Return a WHERE clause keeping a DATE column's rows inside the window."""
    if not window.in_days:  # the column against the dates themselves: its index serves
        return days(window.start, window.end, column)
    first, last, _ = _bounds(window)
    clause = true()
    if first is not None:
        clause = clause & (day_number(column) >= first.number)
    if last is not None:
        clause = clause & (day_number(column) <= last.number)
    return clause


def _cut(text, precision):
    """The window's bound ("2026-03-14") at the onset's precision ("2026-03")."""
    return func.substr(text, 1, case((precision == YEAR, 4), (precision == MONTH, 7),
                                     else_=10))


def could_lie_in(window: Window, onset, precision):
    """Return a WHERE clause keeping onsets that could lie in the window."""
    first, last, _ = _bounds(window)
    clause = true()
    if first is not None:
        clause = clause & (onset >= _cut(first.text, precision))
    if last is not None:
        clause = clause & (onset <= _cut(last.text, precision))
    return clause


def could_lie_outside(window: Window, onset, precision):
    """Return a WHERE clause keeping partial onsets not surely inside the window.

    Together with ``could_lie_in``: counted on a partial onset. An onset cannot precede
    enrolment (recording refuses it), so "2026" lies from day 1 on for someone enrolled
    in 2026.
    """
    first, last, after = _bounds(window)
    starts = onset + case((precision == YEAR, "-01-01"), (precision == MONTH, "-01"),
                          else_="")
    inside = true()
    if first is not None:
        begins_at_enrolment = (window.from_day == 1 if window.in_days
                               else Participant.enrolled_on >= window.start)
        inside = inside & or_(starts >= first.text, begins_at_enrolment)
    if last is not None:
        # Ends by the last day: the day after it is in a later year (month) than the onset.
        inside = inside & (onset < _cut(after.text, precision))
    return (precision != DAY) & ~inside
