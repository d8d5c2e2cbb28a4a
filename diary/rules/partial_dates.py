"""Partial dates: a year, a month or a day (ISO 8601 reduced precision), kept as given.

An adverse event's onset is often known only to the month ("in March") or the year; it
stays that way rather than being filled in with a guessed day (CDISC SDTM keeps such
dates partial too, as --STDTC "2026-03"). Two dates are compared at the coarser of their
precisions: "2026-03" is neither before nor after 14 March 2026.
"""

import re
from dataclasses import dataclass
from datetime import date

YEAR, MONTH, DAY = "year", "month", "day"
PRECISIONS = (YEAR, MONTH, DAY)
# ASCII digits only (Python's \d takes other scripts' digits too: fullwidth, Arabic-Indic),
# matched whole (``$`` would let a trailing newline through).
_FORM = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?")
# The years a diary can mean: the bounds of the API's full dates (api.schemas.fields).
EARLIEST_YEAR, LATEST_YEAR = 1900, 2999
FORMS = "YYYY, YYYY-MM or YYYY-MM-DD"


class PartialDateError(ValueError):
    """Text that is not a year, a month or a day of the calendar."""


@dataclass(frozen=True)
class PartialDate:
    """A year, a month or a day: ``parts`` holds as many numbers as the precision has."""

    parts: tuple[int, ...]

    @property
    def precision(self) -> str:
        """Return "year", "month" or "day"."""
        return PRECISIONS[len(self.parts) - 1]

    @property
    def text(self) -> str:
        """Return the date as ISO 8601 writes it at its precision: 2026, 2026-03, 2026-03-14."""
        return "-".join(f"{part:0{4 if i == 0 else 2}d}" for i, part in enumerate(self.parts))

    @classmethod
    def of_day(cls, day: date) -> "PartialDate":
        """Return a full date as a partial date of day precision."""
        return cls((day.year, day.month, day.day))


def parse_partial_date(text: str) -> PartialDate:
    """Read "2026", "2026-03" or "2026-03-14"; raise PartialDateError for anything else."""
    match = _FORM.fullmatch(text) if isinstance(text, str) else None
    if match is None:
        raise PartialDateError(f"Not a date written {FORMS}.")
    parts = tuple(int(part) for part in match.groups() if part is not None)
    if not EARLIEST_YEAR <= parts[0] <= LATEST_YEAR:
        raise PartialDateError(f"The year must be from {EARLIEST_YEAR} to {LATEST_YEAR}.")
    if len(parts) >= 2 and not 1 <= parts[1] <= 12:
        raise PartialDateError("The month must be from 01 to 12.")
    if len(parts) == 3:
        try:
            date(*parts)
        except ValueError:
            raise PartialDateError("No such day in that month.") from None
    return PartialDate(parts)


def compare(first: PartialDate, second: PartialDate) -> int:
    """Return -1, 0 or 1 as ``first`` is before, within or after ``second``.

    Compared at the coarser precision of the two: "2026-03" and "2026-03-14" are 0.
    """
    common = min(len(first.parts), len(second.parts))
    left, right = first.parts[:common], second.parts[:common]
    return (left > right) - (left < right)


def is_before(first: PartialDate, day: date) -> bool:
    """Say whether ``first`` is surely before a full date, at ``first``'s precision."""
    return compare(first, PartialDate.of_day(day)) < 0


def is_after(first: PartialDate, day: date) -> bool:
    """Say whether ``first`` is surely after a full date, at ``first``'s precision."""
    return compare(first, PartialDate.of_day(day)) > 0


def first_day(partial: PartialDate) -> date:
    """Return the first day a partial date can mean: 2026-03 → 1 March 2026."""
    year, month, day = (*partial.parts, 1, 1)[:3]
    return date(year, month, day)


def last_day(partial: PartialDate) -> date:
    """Return the last day a partial date can mean: 2026-02 → 28 February 2026."""
    if partial.precision == DAY:
        return date(*partial.parts)
    if partial.precision == YEAR:
        return date(partial.parts[0], 12, 31)
    year, month = partial.parts
    following = date(year + month // 12, month % 12 + 1, 1)
    return date.fromordinal(following.toordinal() - 1)


def could_lie_between(partial: PartialDate, start: date | None, end: date | None) -> bool:
    """Say whether some day a partial date can mean is from ``start`` to ``end`` (None: open).

    "2026-03" could lie between 14 and 20 March 2026: it is counted in that window.
    """
    return ((start is None or last_day(partial) >= start)
            and (end is None or first_day(partial) <= end))


def surely_between(partial: PartialDate, start: date | None, end: date | None,
                   not_before: date) -> bool:
    """Say whether every day a partial date can mean, from ``not_before`` on, is in the window.

    ``not_before`` is what the date cannot precede (an onset, the enrolment): "2026" for
    someone enrolled on 1 March 2026 surely lies between 1 March 2026 and the year's end.
    """
    earliest = max(first_day(partial), not_before)
    return ((start is None or earliest >= start)
            and (end is None or last_day(partial) <= end))
