"""What a participant is prescribed on a day: dose steps and holds, as plain values.

Steps are anything with ``effective_from`` and ``dose_mg`` (a ``PrescribedDose`` or a
``DoseStep``); holds anything with ``start_date`` and ``end_date`` (inclusive, None while
open), such as a ``DoseHold`` or a ``Hold``.
"""

from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal
from typing import NamedTuple


class DoseStep(NamedTuple):
    effective_from: date
    dose_mg: Decimal


class Hold(NamedTuple):
    start_date: date
    end_date: date | None = None


def hold_covers(hold, day: date) -> bool:
    """Say whether a hold (end inclusive, open when None) covers ``day``."""
    return hold.start_date <= day and (hold.end_date is None or day <= hold.end_date)


def is_held(day: date, holds: Iterable) -> bool:
    """Say whether any hold covers ``day`` (no dose is expected then)."""
    return any(hold_covers(hold, day) for hold in holds)


def step_mg_on(day: date, steps: Iterable) -> Decimal | None:
    """Return the dose of the latest step in effect on ``day``, holds aside (None before any)."""
    current = None
    for step in steps:
        if step.effective_from <= day and (
            current is None or step.effective_from >= current.effective_from
        ):
            current = step
    return None if current is None else Decimal(current.dose_mg)


def dose_on(steps: Iterable, day: date) -> Decimal | None:
    """Return the mg of the latest step in effect on ``day`` (None before the first step)."""
    return step_mg_on(day, steps)


def prescribed_mg_on(day: date, steps: Iterable, holds: Iterable) -> Decimal | None:
    """Return the mg prescribed on ``day``: None when held or before the first step."""
    if is_held(day, holds):
        return None
    return step_mg_on(day, steps)


def dates(start: date, end: date) -> list[date]:
    """Return every date from ``start`` to ``end`` inclusive (empty when end < start)."""
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


def expected_days(start: date, end: date, holds: Iterable) -> set[date]:
    """Return the days from ``start`` to ``end`` inclusive on which a dose is expected."""
    holds = list(holds)
    return {day for day in dates(start, end) if not is_held(day, holds)}


def prescribed_by_day(start: date, end: date, steps: Iterable, holds: Iterable) -> dict:
    """Return ``{date: mg or None}`` for every day of a window (None: no dose expected)."""
    steps, holds = list(steps), list(holds)
    return {day: prescribed_mg_on(day, steps, holds) for day in dates(start, end)}
