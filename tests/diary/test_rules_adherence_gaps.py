"""Three unreported days in a row make an adherence alert (DESIGN.md)."""

from datetime import date

from diary.rules.adherence_gaps import unreported_run
from diary.rules.regimen import Hold

TODAY = date(2026, 5, 10)
ENROLLED = date(2026, 5, 1)


def test_three_whole_days_without_an_entry_make_a_run():
    assert unreported_run(today=TODAY, enrolled_on=ENROLLED, last_entry=date(2026, 5, 6),
                          holds=[], days=3) == date(2026, 5, 7)


def test_an_entry_inside_the_three_days_means_no_run():
    assert unreported_run(today=TODAY, enrolled_on=ENROLLED, last_entry=date(2026, 5, 7),
                          holds=[], days=3) is None


def test_today_not_being_over_does_not_count():
    assert unreported_run(today=TODAY, enrolled_on=ENROLLED, last_entry=date(2026, 5, 8),
                          holds=[], days=3) is None


def test_no_entry_ever_counts_from_enrolment():
    assert unreported_run(today=date(2026, 5, 4), enrolled_on=ENROLLED, last_entry=None,
                          holds=[], days=3) == ENROLLED


def test_days_before_enrolment_are_not_silence():
    assert unreported_run(today=date(2026, 5, 3), enrolled_on=ENROLLED, last_entry=None,
                          holds=[], days=3) is None


def test_a_hold_inside_the_run_expects_no_dose():
    holds = [Hold(date(2026, 5, 8), date(2026, 5, 8))]
    assert unreported_run(today=TODAY, enrolled_on=ENROLLED, last_entry=None,
                          holds=holds, days=3) is None
