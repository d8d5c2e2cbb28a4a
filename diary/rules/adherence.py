"""Adherence figures from plain values: what was prescribed each day and what was recorded.

Adherence = doses taken / doses expected, where a dose is expected on every day the
regimen is not held. A day with no entry is "unreported", kept apart from "missed": an
unreported dose may have been taken. Dose intensity = mg taken / mg prescribed on the
expected days; relative dose intensity = mg taken / (the protocol dose x the window's days).
A partial dose is taken and adds its own mg; a vomited dose is taken too, and also counted
among the vomited doses.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from diary.models.dose_entry import MISSED, TAKEN
from diary.rules.rounding import fraction

HELD = "held"
UNREPORTED = "unreported"
# A missed entry that gives no reason is counted under this key.
NO_REASON = "unspecified"


@dataclass(frozen=True)
class DayRecord:
    """The current entry of a day, reduced to what the figures need."""

    status: str
    dose_mg: Decimal | None = None
    missed_reason: str | None = None
    vomited: bool = False
    late: bool = False


# Slotted, not frozen: the cohort report builds one per participant, ten thousand at a
# time, and a frozen dataclass takes about three times as long to build.
@dataclass(slots=True)
class AdherenceFigures:
    start: date | None
    end: date | None
    days: int
    expected: int
    taken: int
    missed: int
    unreported: int
    held: int
    taken_while_held: int
    mg_taken: Decimal
    mg_prescribed: Decimal
    adherence: Decimal | None
    dose_intensity: Decimal | None
    below_threshold: bool
    current_streak: int
    longest_gap: int = 0
    late: int = 0
    vomited: int = 0
    missed_reasons: dict = field(default_factory=dict)
    mg_protocol: Decimal | None = None
    relative_dose_intensity: Decimal | None = None


def classify(prescribed_mg: Decimal | None, record: DayRecord | None) -> str:
    """Return what a day counts as: held, taken, missed or unreported."""
    if prescribed_mg is None:
        return HELD
    if record is None:
        return UNREPORTED
    return TAKEN if record.status == TAKEN else MISSED


def ratio(numerator, denominator) -> Decimal | None:
    """Return numerator / denominator to four places, or None when nothing was expected."""
    return fraction(numerator, denominator)


def is_below_threshold(taken: int, expected: int, threshold: Decimal) -> bool:
    """Say whether adherence is under the threshold (exact, before any rounding)."""
    return expected > 0 and Decimal(taken) < Decimal(threshold) * expected


def current_streak(days: Sequence[date], prescribed: Mapping, records: Mapping) -> int:
    """Return how many expected days in a row, back from the last day, had a dose taken.

    Held days neither break nor extend a streak; a missed or unreported day ends it.
    """
    streak = 0
    for day in reversed(days):
        kind = classify(prescribed.get(day), records.get(day))
        if kind == HELD:
            continue
        if kind != TAKEN:
            break
        streak += 1
    return streak


def longest_gap(days: Sequence[date], prescribed: Mapping, records: Mapping) -> int:
    """Return the longest run of expected days in a row without a dose taken.

    Missed and unreported days both extend a run; held days are skipped (as in a streak).
    """
    longest = run = 0
    for day in days:
        kind = classify(prescribed.get(day), records.get(day))
        if kind == HELD:
            continue
        run = 0 if kind == TAKEN else run + 1
        longest = max(longest, run)
    return longest


def missed_reasons(days: Sequence[date], prescribed: Mapping, records: Mapping) -> dict:
    """Return ``{reason: missed expected days}`` (a missed entry on a held day is held)."""
    counts: dict[str, int] = {}
    for day in days:
        record = records.get(day)
        if classify(prescribed.get(day), record) == MISSED:
            reason = record.missed_reason or NO_REASON
            counts[reason] = counts.get(reason, 0) + 1
    return counts


def summarise(
    days: Sequence[date], prescribed: Mapping, records: Mapping, threshold: Decimal,
    protocol_mg: Decimal | None = None,
) -> AdherenceFigures:
    """Return the figures over ``days`` (ascending) given ``{day: mg or None}`` and entries.

    With ``protocol_mg`` (the study's dose) the relative dose intensity is given too.
    """
    counts = {TAKEN: 0, MISSED: 0, UNREPORTED: 0, HELD: 0}
    taken_while_held = 0
    mg_taken = mg_prescribed = Decimal(0)
    for day in days:
        mg, record = prescribed.get(day), records.get(day)
        kind = classify(mg, record)
        counts[kind] += 1
        if mg is not None:
            mg_prescribed += mg
        if record is not None and record.status == TAKEN:
            # Exposure counts whatever the plan said: a dose taken on a held day was taken.
            mg_taken += record.dose_mg or 0
            taken_while_held += kind == HELD
    expected = len(days) - counts[HELD]
    window = [records[day] for day in days if day in records]
    mg_protocol = None if protocol_mg is None else Decimal(protocol_mg) * len(days)
    return AdherenceFigures(
        start=days[0] if days else None,
        end=days[-1] if days else None,
        days=len(days),
        expected=expected,
        taken=counts[TAKEN],
        missed=counts[MISSED],
        unreported=counts[UNREPORTED],
        held=counts[HELD],
        taken_while_held=taken_while_held,
        mg_taken=mg_taken,
        mg_prescribed=mg_prescribed,
        adherence=ratio(counts[TAKEN], expected),
        dose_intensity=ratio(mg_taken, mg_prescribed),
        below_threshold=is_below_threshold(counts[TAKEN], expected, threshold),
        current_streak=current_streak(days, prescribed, records),
        longest_gap=longest_gap(days, prescribed, records),
        late=sum(record.late for record in window),
        vomited=sum(record.vomited and record.status == TAKEN for record in window),
        missed_reasons=missed_reasons(days, prescribed, records),
        mg_protocol=mg_protocol,
        relative_dose_intensity=None if mg_protocol is None else ratio(mg_taken, mg_protocol),
    )
