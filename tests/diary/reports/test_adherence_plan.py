"""On PostgreSQL the cohort report's counts read the current-day index alone (0018).

The index the write path keeps anyway (one current entry per participant and day) carries
the columns the counts read, so PostgreSQL aggregates it in participant order without
visiting the table: about half the cost of scanning and hashing every version's whole
row (bench/README.md). A query that stopped matching the index's condition, or a
migration that lost its columns, would go back to the scan without a wrong figure; these
tests say so instead.
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


def test_the_cohort_counts_read_the_current_day_index_and_never_the_table(committed_app):
    with committed_app.app_context():
        seed(committed_app, participants=300, days=112)
        admin = db.session.execute(sa.select(StaffUser)).scalars().first()
        actor, window = Actor.for_staff(admin), Window(1, 112)
        statement, _ = adherence.report_statement(adherence.Cohort(actor), window)
        compiled = statement.compile(db.engine, compile_kwargs={"render_postcompile": True})
        adherence.plan_for_the_report()
        plan = "\n".join(db.session.connection().exec_driver_sql(
            f"EXPLAIN {compiled}", compiled.params).scalars())
        db.session.rollback()
    assert "Index Only Scan using uq_dose_entry_current_day on dose_entry" in plan
    assert "Seq Scan on dose_entry" not in plan, plan
