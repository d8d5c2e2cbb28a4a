"""The one-current-entry-per-day index carries what the adherence report reads.

The cohort report aggregates every current entry of the span by participant. With the
columns it reads in the index (INCLUDE, PostgreSQL 11+), PostgreSQL reads the index alone,
already in participant order, instead of every version's whole row: the aggregate costs
about half. The index is the one the write path already keeps, so a dose write maintains
no more indexes than before. SQLite has no INCLUDE; its index is unchanged. On
PostgreSQL the new index is built concurrently, so writes go on during the build.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-01 17:00:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None

REPORTED = ['study_day', 'status', 'dose_mg', 'missed_reason', 'late', 'vomited']


def upgrade():
    _rebuild(REPORTED)


def downgrade():
    _rebuild([])


def _rebuild(include):
    if op.get_bind().dialect.name != 'postgresql':
        return
    # Built beside the old index without blocking dose writes (CONCURRENTLY, so outside
    # the migration's transaction), then swapped in: the old one is dropped and the new
    # one renamed in one short transaction, and the one-entry-per-day rule holds all along.
    with op.get_context().autocommit_block():
        # A build interrupted on an earlier run leaves an invalid index of this name.
        op.execute(f'DROP INDEX CONCURRENTLY IF EXISTS {BUILDING}')
        op.create_index(BUILDING, 'dose_entry', ['participant_id', 'dose_date'], unique=True,
                        postgresql_where='is_current', postgresql_include=include or None,
                        postgresql_concurrently=True)
    op.drop_index('uq_dose_entry_current_day', table_name='dose_entry')
    op.execute(f'ALTER INDEX {BUILDING} RENAME TO uq_dose_entry_current_day')


BUILDING = 'uq_dose_entry_current_day_building'
