"""SQL pieces both databases understand: dates as day numbers and back, least and greatest.

Date arithmetic differs between SQLite (dates are text) and PostgreSQL (dates subtract to
integers), so reports count days as integers, days since 1970-01-01, compiled per dialect.
"""

from datetime import date

from sqlalchemy import BigInteger, Date, Integer, String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

EPOCH = date(1970, 1, 1)
_EPOCH_ORDINAL = EPOCH.toordinal()
# Past any date the API accepts (2999-12-31 is day 376 199): "no end" in day numbers.
NO_END = 10_000_000


def to_number(day: date) -> int:
    """Return a date's day number, as ``day_number`` computes it in SQL."""
    return (day - EPOCH).days


def from_number(number: int) -> date:
    """Return the date of a day number."""
    return date.fromordinal(_EPOCH_ORDINAL + number)  # a report reads ten thousand


class day_number(FunctionElement):
    """The days from 1970-01-01 to a DATE column, as an integer."""

    type = Integer()
    inherit_cache = True


@compiles(day_number)
def _day_number(element, compiler, **kw):
    return f"({compiler.process(element.clauses, **kw)} - DATE '1970-01-01')"


@compiles(day_number, "sqlite")
def _day_number_sqlite(element, compiler, **kw):
    # julianday() of a date is a whole day plus one half; so is the epoch's.
    return f"CAST(julianday({compiler.process(element.clauses, **kw)}) - 2440587.5 AS INTEGER)"


class least(FunctionElement):
    """The smallest of its (non-null) arguments."""

    type = Integer()
    inherit_cache = True


class greatest(FunctionElement):
    """The largest of its (non-null) arguments."""

    type = Integer()
    inherit_cache = True


@compiles(least)
def _least(element, compiler, **kw):
    return f"LEAST({compiler.process(element.clauses, **kw)})"


@compiles(greatest)
def _greatest(element, compiler, **kw):
    return f"GREATEST({compiler.process(element.clauses, **kw)})"


# SQLite's scalar min() and max() with two or more arguments are LEAST and GREATEST.
@compiles(least, "sqlite")
def _least_sqlite(element, compiler, **kw):
    return f"min({compiler.process(element.clauses, **kw)})"


@compiles(greatest, "sqlite")
def _greatest_sqlite(element, compiler, **kw):
    return f"max({compiler.process(element.clauses, **kw)})"


class bit_or(FunctionElement):
    """The bitwise OR of an integer column's values: the days of a mask, in any order."""

    type = BigInteger()
    inherit_cache = True


@compiles(bit_or)
def _bit_or(element, compiler, **kw):
    return f"bit_or({compiler.process(element.clauses, **kw)})"


# SQLite has no bit_or; the masks ORed are distinct powers of two, so their sum is the same.
@compiles(bit_or, "sqlite")
def _bit_or_sqlite(element, compiler, **kw):
    return f"sum({compiler.process(element.clauses, **kw)})"


class date_of_number(FunctionElement):
    """The DATE of a day number (the inverse of ``day_number``): comparable to an index."""

    type = Date()
    inherit_cache = True


@compiles(date_of_number)
def _date_of_number(element, compiler, **kw):
    return f"(DATE '1970-01-01' + ({compiler.process(element.clauses, **kw)}))"


@compiles(date_of_number, "sqlite")
def _date_of_number_sqlite(element, compiler, **kw):
    return f"date(2440587.5 + ({compiler.process(element.clauses, **kw)}))"


class date_text(FunctionElement):
    """The ISO 8601 text ("2026-03-14") of a day number (days since 1970-01-01)."""

    type = String()
    inherit_cache = True


@compiles(date_text)
def _date_text(element, compiler, **kw):
    return (f"to_char(DATE '1970-01-01' + ({compiler.process(element.clauses, **kw)}), "
            "'YYYY-MM-DD')")


@compiles(date_text, "sqlite")
def _date_text_sqlite(element, compiler, **kw):
    return f"date(2440587.5 + ({compiler.process(element.clauses, **kw)}))"
