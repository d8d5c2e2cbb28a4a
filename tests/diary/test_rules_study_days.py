"""Study days and local-day bounds, without a database or a clock."""

from datetime import UTC, date, datetime

import pytest

from diary.rules.study_days import (
    date_of_study_day,
    day_bounds,
    is_late,
    late_entry_deadline,
    study_day,
    study_week,
    week_start,
)

ENROLLED = date(2026, 3, 1)


def test_enrolment_date_is_study_day_one():
    assert study_day(ENROLLED, date(2026, 3, 1)) == 1
    assert study_day(ENROLLED, date(2026, 3, 2)) == 2


def test_day_before_enrolment_is_minus_one_never_zero():
    assert study_day(ENROLLED, date(2026, 2, 28)) == -1
    values = {study_day(ENROLLED, date(2026, 2, d)) for d in range(20, 29)}
    assert 0 not in values


def test_date_of_study_day_inverts_study_day_and_refuses_day_zero():
    for number in (-3, -1, 1, 2, 112):
        assert study_day(ENROLLED, date_of_study_day(ENROLLED, number)) == number
    with pytest.raises(ValueError, match="no study day 0"):
        date_of_study_day(ENROLLED, 0)


def test_study_week_starts_on_enrolment_weekday():
    assert study_week(ENROLLED, date(2026, 3, 7)) == 1
    assert study_week(ENROLLED, date(2026, 3, 8)) == 2
    assert week_start(ENROLLED, date(2026, 3, 10)) == date(2026, 3, 8)


def test_local_day_bounds_are_local_midnights():
    start, end = day_bounds(date(2026, 3, 5), "Asia/Seoul")
    assert start == datetime(2026, 3, 4, 15, 0, tzinfo=UTC)
    assert end == datetime(2026, 3, 5, 15, 0, tzinfo=UTC)


def test_day_of_spring_dst_change_is_23_hours_long():
    start, end = day_bounds(date(2026, 3, 8), "America/New_York")
    assert (end - start).total_seconds() == 23 * 3600


def test_late_deadline_is_hours_after_end_of_local_day():
    deadline = late_entry_deadline(date(2026, 3, 5), "Asia/Seoul", 72)
    assert deadline == datetime(2026, 3, 8, 15, 0, tzinfo=UTC)
    assert not is_late(deadline, date(2026, 3, 5), "Asia/Seoul", 72)
    assert is_late(datetime(2026, 3, 8, 15, 0, 1, tzinfo=UTC), date(2026, 3, 5),
                   "Asia/Seoul", 72)
