"""The prescribed regimen on a given day: dose steps and holds, as plain values."""

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Protocol


class DoseStep(Protocol):
    effective_from: date
    dose_mg: Decimal


class Hold(Protocol):
    start_date: date
    end_date: date | None


def dose_on(steps: Iterable[DoseStep], day: date) -> Decimal | None:
    """Return the mg prescribed on ``day``: the latest step in effect, None before the first."""
    current = None
    for step in steps:
        if step.effective_from <= day and (current is None
                                           or step.effective_from > current.effective_from):
            current = step
    return current.dose_mg if current is not None else None


def hold_covers(hold: Hold, day: date) -> bool:
    """Say whether a hold (end inclusive, open when None) covers ``day``."""
    return hold.start_date <= day and (hold.end_date is None or day <= hold.end_date)


def is_held(holds: Iterable[Hold], day: date) -> bool:
    """Say whether any hold covers ``day`` (no dose is expected then)."""
    return any(hold_covers(hold, day) for hold in holds)


def periods_overlap(start_a: date, end_a: date | None, start_b: date, end_b: date | None) -> bool:
    """Say whether two inclusive date periods overlap (a None end runs on for ever)."""
    return (end_b is None or start_a <= end_b) and (end_a is None or start_b <= end_a)
