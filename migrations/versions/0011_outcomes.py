"""Tumour assessments (RECIST 1.1) and vital status, every version kept.

An assessment (tumour_assessment) is an identity; its versions (tumour_assessment_version)
hold the visit date and the overall response, one current per assessment. A vital status
(vital_status) is versioned per participant, one current per participant.

Revision ID: 0011
Revises: 0014
Create Date: 2026-12-01 11:00:00

"""
import sqlalchemy as sa
from alembic import op

import diary.types


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('tumour_assessment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('created_at', diary.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_staff_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_staff_id'], ['staff_user.id'], name=op.f('fk_tumour_assessment_created_by_staff_id_staff_user')),
    sa.ForeignKeyConstraint(['participant_id'], ['participant.id'], name=op.f('fk_tumour_assessment_participant_id_participant')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tumour_assessment'))
    )
    with op.batch_alter_table('tumour_assessment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tumour_assessment_participant_id'), ['participant_id'], unique=False)

    op.create_table('tumour_assessment_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('is_current', sa.Boolean(), nullable=False),
    sa.Column('visit_date', sa.Date(), nullable=False),
    sa.Column('response', sa.String(length=2), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('change_reason', sa.Text(), nullable=True),
    sa.Column('recorded_at', diary.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('recorded_by_staff_id', sa.Integer(), nullable=False),
    sa.Column('superseded_at', diary.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['assessment_id'], ['tumour_assessment.id'], name=op.f('fk_tumour_assessment_version_assessment_id_tumour_assessment')),
    sa.ForeignKeyConstraint(['recorded_by_staff_id'], ['staff_user.id'], name=op.f('fk_tumour_assessment_version_recorded_by_staff_id_staff_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tumour_assessment_version')),
    sa.UniqueConstraint('assessment_id', 'version', name=op.f('uq_tumour_assessment_version_assessment_id_version'))
    )
    with op.batch_alter_table('tumour_assessment_version', schema=None) as batch_op:
        batch_op.create_index('uq_tumour_assessment_version_current', ['assessment_id'], unique=True, sqlite_where=sa.text('is_current'), postgresql_where=sa.text('is_current'))

    op.create_table('vital_status',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('is_current', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=5), nullable=False),
    sa.Column('death_date', sa.Date(), nullable=True),
    sa.Column('last_known_alive_on', sa.Date(), nullable=True),
    sa.Column('change_reason', sa.Text(), nullable=True),
    sa.Column('recorded_at', diary.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('recorded_by_staff_id', sa.Integer(), nullable=False),
    sa.Column('superseded_at', diary.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['participant_id'], ['participant.id'], name=op.f('fk_vital_status_participant_id_participant')),
    sa.ForeignKeyConstraint(['recorded_by_staff_id'], ['staff_user.id'], name=op.f('fk_vital_status_recorded_by_staff_id_staff_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vital_status')),
    sa.UniqueConstraint('participant_id', 'version', name=op.f('uq_vital_status_participant_id_version'))
    )
    with op.batch_alter_table('vital_status', schema=None) as batch_op:
        batch_op.create_index('uq_vital_status_current', ['participant_id'], unique=True, sqlite_where=sa.text('is_current'), postgresql_where=sa.text('is_current'))


def downgrade():
    with op.batch_alter_table('vital_status', schema=None) as batch_op:
        batch_op.drop_index('uq_vital_status_current', sqlite_where=sa.text('is_current'), postgresql_where=sa.text('is_current'))
    op.drop_table('vital_status')
    with op.batch_alter_table('tumour_assessment_version', schema=None) as batch_op:
        batch_op.drop_index('uq_tumour_assessment_version_current', sqlite_where=sa.text('is_current'), postgresql_where=sa.text('is_current'))
    op.drop_table('tumour_assessment_version')
    with op.batch_alter_table('tumour_assessment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tumour_assessment_participant_id'))
    op.drop_table('tumour_assessment')
