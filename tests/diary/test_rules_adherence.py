"""Adherence figures from plain values: taken, missed, unreported, held, intensity, streak."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from diary.rules.adherence import (
    DayRecord,
    current_streak,
    longest_gap,
    missed_reasons,
    summarise,
)

D = [date(2026, 3, 1) + timedelta(days=n) for n in range(10)]
FULL = {day: Decimal(400) for day in D}
THRESHOLD = Decimal("0.90")
TAKEN = DayRecord("taken", Decimal(400))
MISSED = DayRecord("missed")


def test_missed_and_unreported_days_are_counted_apart():
    records = {D[0]: TAKEN, D[1]: MISSED, D[3]: TAKEN}
    figures = summarise(D[:4], FULL, records, THRESHOLD)
    assert (figures.expected, figures.taken, figures.missed, figures.unreported) == (4, 2, 1, 1)
    assert figures.adherence == Decimal("0.5")


def test_held_days_are_not_expected():
    plan = FULL | {D[1]: None, D[2]: None}
    records = {D[0]: TAKEN, D[3]: TAKEN}
    figures = summarise(D[:4], plan, records, THRESHOLD)
    assert (figures.expected, figures.held, figures.unreported) == (2, 2, 0)
    assert figures.adherence == 1
    assert not figures.below_threshold


def test_dose_taken_on_a_held_day_counts_as_exposure_not_adherence():
    plan = FULL | {D[1]: None}
    figures = summarise(D[:2], plan, {D[0]: TAKEN, D[1]: TAKEN}, THRESHOLD)
    assert figures.taken == 1
    assert figures.taken_while_held == 1
    assert figures.mg_taken == 800
    assert figures.mg_prescribed == 400


def test_dose_intensity_follows_a_dose_reduction():
    plan = {D[0]: Decimal(400), D[1]: Decimal(300)}
    records = {D[0]: DayRecord("taken", Decimal(400)), D[1]: DayRecord("taken", Decimal(150))}
    figures = summarise(D[:2], plan, records, THRESHOLD)
    assert figures.mg_prescribed == 700
    assert figures.dose_intensity == Decimal("0.7857")


def test_nine_of_ten_is_not_below_ninety_percent_but_eight_is():
    nine = {day: TAKEN for day in D[:9]}
    assert not summarise(D, FULL, nine, THRESHOLD).below_threshold
    eight = {day: TAKEN for day in D[:8]}
    assert summarise(D, FULL, eight, THRESHOLD).below_threshold


def test_nothing_expected_gives_no_ratio_and_no_flag():
    figures = summarise([D[0]], {D[0]: None}, {}, THRESHOLD)
    assert figures.adherence is None
    assert figures.dose_intensity is None
    assert not figures.below_threshold


def test_streak_skips_held_days_and_stops_at_a_gap():
    plan = FULL | {D[3]: None}
    records = {D[0]: TAKEN, D[2]: TAKEN, D[4]: TAKEN, D[5]: TAKEN}
    assert current_streak(D[:6], plan, records) == 3
    assert current_streak(D[:7], plan, records) == 0


@pytest.mark.parametrize(("days", "expected_gap"), [
    ("TTTT", 0),
    ("T.mT", 2),        # unreported and missed both extend a run
    ("T.H.T", 2),       # a held day is skipped: the run goes on across it
    ("....", 4),
    ("TmTmmT", 2),
    ("mT..", 2),        # the run at the window's end counts
    ("HHHH", 0),
])
def test_longest_gap_table(days, expected_gap):
    plan, records = _diary(days)
    assert longest_gap(D[:len(days)], plan, records) == expected_gap


def _diary(days: str):
    """T taken, m missed, . unreported, H held (with a missed entry), per day."""
    plan = {D[n]: None if mark == "H" else Decimal(400) for n, mark in enumerate(days)}
    records = {D[n]: TAKEN if mark == "T" else MISSED
               for n, mark in enumerate(days) if mark != "."}
    return plan, records


def test_missed_reasons_leave_out_held_days_and_name_a_missing_reason():
    plan = FULL | {D[2]: None}
    records = {D[0]: DayRecord("missed", missed_reason="forgot"), D[1]: MISSED,
               D[2]: DayRecord("missed", missed_reason="held_by_doctor")}
    assert missed_reasons(D[:3], plan, records) == {"forgot": 1, "unspecified": 1}


def test_partial_vomited_and_late_doses_and_the_relative_dose_intensity():
    plan = FULL | {D[1]: Decimal(300)}
    records = {D[0]: DayRecord("taken", Decimal(200), vomited=True, late=True),
               D[1]: DayRecord("taken", Decimal(300)), D[2]: DayRecord("missed", late=True)}
    figures = summarise(D[:4], plan, records, THRESHOLD, protocol_mg=Decimal(400))
    assert (figures.taken, figures.vomited, figures.late) == (2, 1, 2)
    assert (figures.mg_taken, figures.mg_prescribed, figures.mg_protocol) == (500, 1500, 1600)
    assert figures.dose_intensity == Decimal("0.3333")
    assert figures.relative_dose_intensity == Decimal("0.3125")
