"""When silence in the diary becomes something a coordinator should hear about."""

from collections.abc import Iterable
from datetime import date, timedelta

from diary.rules.regimen import is_held


def unreported_run(
    *, today: date, enrolled_on: date, last_entry: date | None, holds: Iterable, days: int
) -> date | None:
    """Return the first day of a run of ``days`` expected days with no entry, else None.

    The run is the ``days`` whole local days before ``today`` (today is not over yet).
    Held days expect no dose, so a hold inside the run means no alert; so does a run that
    starts before enrolment. DESIGN.md: three days without a dose entry is an alert.
    """
    first = today - timedelta(days=days)
    if first < enrolled_on:
        return None
    if last_entry is not None and last_entry >= first:
        return None
    holds = list(holds)
    run = [first + timedelta(days=offset) for offset in range(days)]
    if any(is_held(day, holds) for day in run):
        return None
    return first


def recent_window(*, today: date, enrolled_on: date, days: int) -> tuple[date, date] | None:
    """Return the last ``days`` whole local days before ``today``, or None if not all enrolled.

    A window only counts once it is full: over a participant's first days one missed dose
    is already below 90 %, and the three-day gap alert covers a silent start.
    """
    first, last = today - timedelta(days=days), today - timedelta(days=1)
    return (first, last) if first >= enrolled_on else None
