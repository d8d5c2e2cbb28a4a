"""The prebuilt-statement fast path: its models' defaults must be plain values."""

from datetime import datetime

import pytest
from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, func

from diary.models import DoseEntry
from diary.prebuilt import PrebuiltInsert, plain_defaults


def _table(*columns) -> Table:
    return Table("probe", MetaData(), Column("id", Integer, primary_key=True), *columns)


def test_plain_defaults_are_taken_and_missing_ones_are_none():
    table = _table(Column("flag", Integer, default=0), Column("note", String))
    assert plain_defaults(table) == {"flag": 0, "note": None}


@pytest.mark.parametrize("column", [
    Column("stamp", DateTime, default=datetime.now),
    Column("stamp", DateTime, default=func.now()),
    Column("stamp", DateTime, server_default=func.now()),
    Column("stamp", DateTime, onupdate=datetime.now),
])
def test_a_default_that_is_not_a_plain_value_is_refused(column):
    # Written by hand on the fast path, such a default would silently become NULL.
    with pytest.raises(TypeError, match=r"probe\.stamp"):
        plain_defaults(_table(column))


def test_dose_entries_insert_every_column_but_the_key():
    columns = {column.key for column in DoseEntry.__table__.columns} - {"id"}
    assert set(PrebuiltInsert(DoseEntry).defaults) == columns
