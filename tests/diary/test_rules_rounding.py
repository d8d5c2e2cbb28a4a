"""Every report rounds halves up, as a reader re-computing a table by hand would."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from diary.rules.rounding import fraction, half_up, percent, whole_fraction


@pytest.mark.parametrize(("n", "of", "shown"), [
    (1, 16, Decimal("6.3")),  # 6.25: round() and "%.1f" say 6.2
    (3, 16, Decimal("18.8")),
    (1, 8, Decimal("12.5")),
    (1, 3, Decimal("33.3")),
    (2, 3, Decimal("66.7")),
    (0, 5, Decimal("0.0")),
    (5, 5, Decimal("100.0")),
])
def test_a_percentage_has_one_decimal_and_its_half_goes_up(n, of, shown):
    assert percent(n, of) == shown
    assert str(percent(n, of)) == str(shown)


def test_nothing_to_divide_is_no_figure():
    assert percent(0, 0) is None and fraction(3, 0) is None


def test_a_fraction_has_four_places_and_its_half_goes_up():
    assert fraction(1, 32) == Decimal("0.0313")  # 0.03125
    assert fraction(6, 7) == Decimal("0.8571")


def test_a_float_is_rounded_as_it_prints_not_as_its_binary_value():
    # 12.25 min and 0.145 are what a reader sees; the binary 0.145 is 0.14499999...
    assert half_up(12.25, 1) == Decimal("12.3")
    assert half_up(0.145, 2) == Decimal("0.15")
    assert round(12.25, 1) == 12.2 and f"{0.145:.2f}" == "0.14"


@given(st.integers(0, 10**9), st.integers(1, 10**9))
def test_whole_fraction_is_fraction_of_whole_numbers(numerator, denominator):
    # The cohort report's integer shortcut must round exactly as every other report does.
    assert whole_fraction(numerator, denominator) == fraction(numerator, denominator)
    assert str(whole_fraction(numerator, denominator)) == str(fraction(numerator, denominator))


def test_whole_fraction_rounds_halves_up_and_refuses_nothing_to_divide():
    assert str(whole_fraction(1, 16)) == "0.0625"
    assert str(whole_fraction(1, 32)) == "0.0313"  # 0.03125, half up
    assert str(whole_fraction(6, 7)) == "0.8571"
    assert str(whole_fraction(112, 112)) == "1.0000"
    assert whole_fraction(5, 0) is None
    assert whole_fraction(-1, 32) == fraction(-1, 32)
