"""The one-current-entry-per-day index carries what the adherence report reads.

The cohort report aggregates every current entry of the span by participant. With the
columns it reads in the index (INCLUDE, PostgreSQL 11+), PostgreSQL reads the index alone,
already in participant order, instead of every version's whole row: the aggregate costs
about half. The index is the one the write path already keeps, so a dose write maintains
no more indexes than before. SQLite has no INCLUDE; its index is unchanged.

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
    # Dropped and made again in the migration's one transaction: no write sees the table
    # without its one-current-entry-per-day rule.
    op.drop_index('uq_dose_entry_current_day', table_name='dose_entry')
    op.create_index('uq_dose_entry_current_day', 'dose_entry', ['participant_id', 'dose_date'],
                    unique=True, postgresql_where='is_current',
                    postgresql_include=include or None)
