"""Summaries of a cohort's per-participant figures: pooled, and the spread of individuals.

Pooled adherence (sum of taken / sum of expected) weighs each participant by their
expected doses; the mean, median and quartiles weigh each participant once. Papers give
both, and they differ when windows differ in length (a participant withdrawn early).
"""

import statistics
from collections.abc import Sequence
from decimal import Decimal

from diary.rules.adherence import ratio
from diary.rules.rounding import FRACTION_PLACES, half_up


def _rounded(value) -> Decimal:
    return half_up(value, FRACTION_PLACES)


def spread(values: Sequence[Decimal]) -> dict:
    """Return the mean, median, quartiles (Q1, Q3), minimum and maximum, to four places.

    Quartiles by the inclusive method (numpy's default, R's type 7): the median of each
    half, interpolating. All None for no values; one value is its own quartiles.
    """
    if not values:
        return dict.fromkeys(("mean", "median", "q1", "q3", "min", "max"))
    data = sorted(values)
    if len(data) == 1:
        q1 = q3 = data[0]
    else:
        q1, _, q3 = statistics.quantiles(data, n=4, method="inclusive")
    # A Decimal sum, not statistics.mean: that converts each value to a Fraction, a tenth
    # of a second for a cohort of ten thousand, and agrees to far more than four places.
    mean = sum(data, Decimal(0)) / len(data)
    return {"mean": _rounded(mean),
            "median": _rounded(statistics.median(data)), "q1": _rounded(q1),
            "q3": _rounded(q3), "min": _rounded(data[0]), "max": _rounded(data[-1])}


def pooled(taken: int, expected: int) -> dict:
    """Return the pooled adherence with both sums it is made of."""
    return {"taken": taken, "expected": expected, "adherence": ratio(taken, expected)}
