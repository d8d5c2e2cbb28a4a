"""Report windows: study days or dates, cut to enrolment, withdrawal and the last day over."""

from datetime import date

import pytest

from diary.rules.report_windows import (
    Window,
    last_counted_day,
    participant_dates,
    study_weeks,
    window_errors,
    with_defaults,
)

ENROLLED = date(2026, 3, 1)
YESTERDAY = date(2026, 3, 19)


@pytest.mark.parametrize(("window", "field"), [
    (Window(0, 5), "from_day"),
    (Window(1, 0), "to_day"),
    (Window(9, 5), "from_day"),
    (Window(1, None, None, date(2026, 3, 5)), "from_day"),
    (Window(start=date(2026, 3, 5), end=date(2026, 3, 1)), "from"),
])
def test_windows_that_cannot_be_read(window, field):
    assert field in window_errors(window)


@pytest.mark.parametrize(("window", "withdrawn", "dates"), [
    (Window(1, 112), None, (ENROLLED, YESTERDAY)),
    (Window(3, 9), None, (date(2026, 3, 3), date(2026, 3, 9))),
    (Window(1, 112), date(2026, 3, 10), (ENROLLED, date(2026, 3, 10))),
    (Window(start=date(2026, 2, 1)), None, (ENROLLED, YESTERDAY)),
    (Window(end=date(2026, 3, 4)), None, (ENROLLED, date(2026, 3, 4))),
    (Window(40, 50), None, (date(2026, 4, 9), YESTERDAY)),  # after the end: empty
])
def test_a_participants_dates(window, withdrawn, dates):
    assert participant_dates(with_defaults(window, 112), ENROLLED, withdrawn, YESTERDAY) == dates


def test_today_counts_once_it_has_an_entry():
    assert last_counted_day(date(2026, 3, 20), False) == YESTERDAY
    assert last_counted_day(date(2026, 3, 20), True) == date(2026, 3, 20)


def test_the_study_weeks_a_window_touches():
    assert study_weeks(ENROLLED, date(2026, 3, 6), date(2026, 3, 15)) == [
        (1, date(2026, 3, 6), date(2026, 3, 7)), (2, date(2026, 3, 8), date(2026, 3, 14)),
        (3, date(2026, 3, 15), date(2026, 3, 15))]
