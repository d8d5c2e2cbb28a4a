"""On PostgreSQL the cohort report reads blocks of days, and entries only through an index.

The counts are the eight-week blocks' sums (``dose_block``, migration 0019), a row a
block; the entries of a window's edges, holds and what lies past a window are read
through the index the write path keeps anyway (one current entry per participant and
day), which carries the columns they read (0018), so they never visit the table. A
query that stopped matching the index's condition, or went back to aggregating every
entry, would give no wrong figure, only a slow one; these tests say so instead.
"""

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from bench.adherence_report import seed
from diary.actor import Actor
from diary.extensions import db
from diary.models import StaffUser
from diary.operations.reports import adherence
from diary.rules.report_windows import Window

pytestmark = pytest.mark.postgres_only


def _index_definition() -> str:
    return db.session.execute(sa.text(
        "SELECT indexdef FROM pg_indexes WHERE indexname = 'uq_dose_entry_current_day'")
    ).scalar_one()


def test_migration_0018_puts_the_reported_columns_in_the_index_and_takes_them_out(
        committed_app):
    with committed_app.app_context():
        assert "INCLUDE (study_day, status, dose_mg, missed_reason, late, vomited)" in (
            _index_definition())
        assert "UNIQUE" in _index_definition() and "WHERE is_current" in _index_definition()
        db.session.remove()
        downgrade(revision="0017")
        assert "INCLUDE" not in _index_definition()
        assert "UNIQUE" in _index_definition() and "WHERE is_current" in _index_definition()
        db.session.remove()
        upgrade()
        assert "INCLUDE" in _index_definition()


@pytest.mark.parametrize("window", [Window(1, 112), Window(3, 40), Window(from_day=8)],
                         ids=str)
def test_the_cohort_counts_read_the_blocks_and_entries_only_through_the_index(
        committed_app, window):
    with committed_app.app_context():
        seed(committed_app, participants=300, days=112)
        admin = db.session.execute(sa.select(StaffUser)).scalars().first()
        statement, _ = adherence.report_statement(
            adherence.Cohort(Actor.for_staff(admin)), window)
        compiled = statement.compile(db.engine, compile_kwargs={"render_postcompile": True})
        adherence.plan_for_the_report()
        plan = "\n".join(db.session.connection().exec_driver_sql(
            f"EXPLAIN {compiled}", compiled.params).scalars())
        db.session.rollback()
    assert "on dose_block" in plan, plan
    assert "Index Only Scan using uq_dose_entry_current_day on dose_entry" in plan
    assert "Seq Scan on dose_entry" not in plan, plan
    assert "Bitmap Heap Scan on dose_entry" not in plan, plan
