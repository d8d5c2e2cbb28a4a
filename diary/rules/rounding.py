"""How every report rounds: halves up (6.25 % is 6.3 %), as a reader rounds by hand.

Python's ``round()`` and float formatting round halves to even (``round(6.25, 1)`` is 6.2),
and a float is often a hair under the half it prints as; a table whose percentages a
reader re-computes must not disagree with them by a tenth. So figures are computed as
Decimals and rounded here, ROUND_HALF_UP, whether JSON, CSV or the report page shows them.
"""

from decimal import ROUND_HALF_UP, Decimal

PERCENT_PLACES = 1
FRACTION_PLACES = 4


def half_up(value: Decimal | int | float | str, places: int) -> Decimal:
    """Return ``value`` to ``places`` decimals, halves away from zero.

    A float is read as it prints (``0.145`` is 0.145, not the binary 0.14499...).
    """
    exact = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    return exact.quantize(_quantum(places), ROUND_HALF_UP)


def _quantum(places: int) -> Decimal:
    # Built once per precision: a cohort report rounds three figures per participant.
    quantum = _QUANTA.get(places)
    if quantum is None:
        quantum = _QUANTA[places] = Decimal(1).scaleb(-places)
    return quantum


_QUANTA: dict[int, Decimal] = {}


def percent(n: int, of: int) -> Decimal | None:
    """Return n of ``of`` as a percentage to one decimal (1 of 16 is 6.3), None of nothing."""
    if not of:
        return None
    return half_up(Decimal(100 * n) / Decimal(of), PERCENT_PLACES)


def fraction(numerator, denominator) -> Decimal | None:
    """Return numerator / denominator to four places (0.8571), None when nothing to divide."""
    if not denominator:
        return None
    return half_up(Decimal(numerator) / Decimal(denominator), FRACTION_PLACES)


def whole_fraction(numerator: int, denominator: int) -> Decimal | None:
    """Return ``fraction(numerator, denominator)`` of whole numbers, by integer arithmetic.

    Exact (no 28-digit quotient rounded twice) and several times as fast, for a cohort
    report's three fractions per participant; a negative numerator takes ``fraction``.
    """
    if not denominator:
        return None
    if numerator < 0 or denominator < 0:
        return fraction(numerator, denominator)
    scaled, rest = divmod(numerator * _SCALE, denominator)
    if 2 * rest >= denominator:  # half up
        scaled += 1
    return Decimal(scaled).scaleb(-FRACTION_PLACES)


_SCALE = 10**FRACTION_PLACES
