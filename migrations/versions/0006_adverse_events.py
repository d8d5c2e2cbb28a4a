"""Adverse events recorded by staff, every version kept.

An event (adverse_event) holds its serious-event alert and reporting clock; its versions
(adverse_event_version) hold what staff record, one current per event. Symptom reports
(0007) follow it: the two were written side by side and chained in the order they landed.

Revision ID: 0006
Revises: 0004
Create Date: 2026-12-01 08:55:50.045096

"""
import sqlalchemy as sa
from alembic import op

import diary.types


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('adverse_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('created_at', diary.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_staff_id', sa.Integer(), nullable=False),
    sa.Column('alert_id', sa.Integer(), nullable=True),
    sa.Column('report_overdue_at', diary.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['alert_id'], ['alert.id'], name=op.f('fk_adverse_event_alert_id_alert')),
    sa.ForeignKeyConstraint(['created_by_staff_id'], ['staff_user.id'], name=op.f('fk_adverse_event_created_by_staff_id_staff_user')),
    sa.ForeignKeyConstraint(['participant_id'], ['participant.id'], name=op.f('fk_adverse_event_participant_id_participant')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_adverse_event'))
    )
    with op.batch_alter_table('adverse_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_adverse_event_participant_id'), ['participant_id'], unique=False)

    op.create_table('adverse_event_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('adverse_event_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('is_current', sa.Boolean(), nullable=False),
    sa.Column('ctcae_term', sa.String(length=200), nullable=True),
    sa.Column('verbatim_term', sa.Text(), nullable=True),
    sa.Column('meddra_code', sa.String(length=8), nullable=True),
    sa.Column('grade', sa.SmallInteger(), nullable=False),
    sa.Column('seriousness', sa.JSON(), nullable=False),
    sa.Column('serious', sa.Boolean(), nullable=False),
    sa.Column('onset_date', sa.String(length=10), nullable=False),
    sa.Column('onset_precision', sa.String(length=5), nullable=False),
    sa.Column('end_date', sa.String(length=10), nullable=True),
    sa.Column('end_precision', sa.String(length=5), nullable=True),
    sa.Column('outcome', sa.String(length=30), nullable=False),
    sa.Column('relatedness', sa.String(length=20), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('new_dose_mg', sa.Numeric(precision=8, scale=2), nullable=True),
    sa.Column('new_dose_from', sa.Date(), nullable=True),
    sa.Column('hold_from', sa.Date(), nullable=True),
    sa.Column('hold_to', sa.Date(), nullable=True),
    sa.Column('prescribed_dose_id', sa.Integer(), nullable=True),
    sa.Column('dose_hold_id', sa.Integer(), nullable=True),
    sa.Column('site_aware_at', diary.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reported_to_sponsor_at', diary.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('source_symptom_report_id', sa.Integer(), nullable=True),
    sa.Column('change_reason', sa.Text(), nullable=True),
    sa.Column('recorded_at', diary.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('recorded_by_staff_id', sa.Integer(), nullable=False),
    sa.Column('superseded_at', diary.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['adverse_event_id'], ['adverse_event.id'], name=op.f('fk_adverse_event_version_adverse_event_id_adverse_event')),
    sa.ForeignKeyConstraint(['dose_hold_id'], ['dose_hold.id'], name=op.f('fk_adverse_event_version_dose_hold_id_dose_hold')),
    sa.ForeignKeyConstraint(['prescribed_dose_id'], ['prescribed_dose.id'], name=op.f('fk_adverse_event_version_prescribed_dose_id_prescribed_dose')),
    sa.ForeignKeyConstraint(['recorded_by_staff_id'], ['staff_user.id'], name=op.f('fk_adverse_event_version_recorded_by_staff_id_staff_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_adverse_event_version')),
    sa.UniqueConstraint('adverse_event_id', 'version', name=op.f('uq_adverse_event_version_adverse_event_id_version'))
    )
    with op.batch_alter_table('adverse_event_version', schema=None) as batch_op:
        batch_op.create_index('uq_adverse_event_version_current', ['adverse_event_id'], unique=True, sqlite_where=sa.text('is_current'), postgresql_where=sa.text('is_current'))


def downgrade():
    with op.batch_alter_table('adverse_event_version', schema=None) as batch_op:
        batch_op.drop_index('uq_adverse_event_version_current', sqlite_where=sa.text('is_current'), postgresql_where=sa.text('is_current'))

    op.drop_table('adverse_event_version')
    with op.batch_alter_table('adverse_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_adverse_event_participant_id'))

    op.drop_table('adverse_event')
