"""Partial dates: read as given, kept at their precision, compared at the coarser one."""

from datetime import date

import pytest

from diary.rules.partial_dates import (
    PartialDate,
    PartialDateError,
    compare,
    could_lie_between,
    first_day,
    is_after,
    is_before,
    last_day,
    parse_partial_date,
    surely_between,
)


@pytest.mark.parametrize(
    ("text", "precision", "parts"),
    [
        ("2026", "year", (2026,)),
        ("2026-03", "month", (2026, 3)),
        ("2026-03-14", "day", (2026, 3, 14)),
        ("2024-02-29", "day", (2024, 2, 29)),  # a leap day
        ("1900", "year", (1900,)),
        ("2999-12-31", "day", (2999, 12, 31)),
    ],
)
def test_a_partial_date_is_read_at_its_own_precision_and_written_back_as_given(
        text, precision, parts):
    parsed = parse_partial_date(text)
    assert (parsed.precision, parsed.parts, parsed.text) == (precision, parts, text)


@pytest.mark.parametrize(
    "text",
    ["", "26", "2026-3", "2026-03-4", "2026-13", "2026-00", "2026-02-29", "2026-04-31",
     "2026-03-00", "1899-12", "3000", "2026/03/14", "14-03-2026", "2026-03-14T10:00",
     " 2026", "2026-03\n", "2026-W11",
     "\uff12\uff10\uff12\uff16"],  # fullwidth digits
)
def test_anything_but_a_year_a_month_or_a_day_is_refused(text):
    with pytest.raises(PartialDateError):
        parse_partial_date(text)


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        ("2026-03-14", "2026-03-14", 0),
        ("2026-03-13", "2026-03-14", -1),
        ("2026-03-15", "2026-03-14", 1),
        ("2026-03", "2026-03-14", 0),  # March holds the 14th
        ("2026-03", "2026-03-01", 0),
        ("2026-03", "2026-03-31", 0),
        ("2026-02", "2026-03-01", -1),
        ("2026-04", "2026-03-31", 1),
        ("2026", "2026-12-31", 0),
        ("2025", "2026-01-01", -1),
        ("2027", "2026-12", 1),
        ("2026", "2026-03", 0),
        ("2026-12-31", "2027", -1),
    ],
)
def test_dates_are_compared_at_the_coarser_precision(first, second, expected):
    assert compare(parse_partial_date(first), parse_partial_date(second)) == expected
    assert compare(parse_partial_date(second), parse_partial_date(first)) == -expected


@pytest.mark.parametrize(
    ("text", "day", "before", "after"),
    [
        ("2026-03", date(2026, 3, 1), False, False),
        ("2026-02", date(2026, 3, 1), True, False),
        ("2026-03", date(2026, 2, 28), False, True),
        ("2026", date(2026, 6, 30), False, False),
        ("2026-03-01", date(2026, 3, 1), False, False),
        ("2026-02-28", date(2026, 3, 1), True, False),
    ],
)
def test_a_partial_date_is_surely_before_or_after_a_day_only_at_its_precision(
        text, day, before, after):
    parsed = parse_partial_date(text)
    assert (is_before(parsed, day), is_after(parsed, day)) == (before, after)


def test_a_full_date_is_a_partial_date_of_day_precision():
    assert PartialDate.of_day(date(2026, 3, 4)).text == "2026-03-04"


@pytest.mark.parametrize(("text", "first", "last"), [
    ("2026", date(2026, 1, 1), date(2026, 12, 31)),
    ("2026-02", date(2026, 2, 1), date(2026, 2, 28)),
    ("2028-02", date(2028, 2, 1), date(2028, 2, 29)),
    ("2026-12", date(2026, 12, 1), date(2026, 12, 31)),
    ("2026-03-14", date(2026, 3, 14), date(2026, 3, 14)),
])
def test_a_partial_date_spans_the_days_it_can_mean(text, first, last):
    partial = parse_partial_date(text)
    assert (first_day(partial), last_day(partial)) == (first, last)


@pytest.mark.parametrize(("text", "start", "end", "could", "surely"), [
    ("2026-03", date(2026, 3, 14), date(2026, 3, 20), True, False),
    ("2026-03", date(2026, 3, 1), date(2026, 3, 31), True, True),
    ("2026-03", None, date(2026, 3, 1), True, False),
    ("2026-03", None, date(2026, 2, 28), False, False),
    ("2026-03", date(2026, 4, 1), None, False, False),
    ("2026", date(2026, 3, 1), date(2026, 12, 31), True, True),  # enrolled 1 March
    ("2026", date(2026, 3, 2), None, True, False),
    ("2026-03-14", date(2026, 3, 14), date(2026, 3, 14), True, True),
    ("2026-03-14", date(2026, 3, 15), None, False, False),
    ("2026-03-14", None, None, True, True),
])
def test_a_partial_date_could_lie_in_a_window_that_meets_it(text, start, end, could, surely):
    partial = parse_partial_date(text)
    assert could_lie_between(partial, start, end) is could
    assert surely_between(partial, start, end, not_before=date(2026, 3, 1)) is surely
