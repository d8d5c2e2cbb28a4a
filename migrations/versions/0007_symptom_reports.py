"""Symptom reports: a report, an answer per item (its composite grade or a weight), a score
per attribute; and the site's phone number that participants are told to call.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 08:58:49.492696

"""
import sqlalchemy as sa
from alembic import op

import diary.types


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('symptom_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('report_date', sa.Date(), nullable=False),
    sa.Column('study_day', sa.Integer(), nullable=False),
    sa.Column('other_symptoms', sa.Text(), nullable=True),
    sa.Column('emergency_visit', sa.Boolean(), nullable=False),
    sa.Column('pregnancy', sa.Boolean(), nullable=False),
    sa.Column('pregnancy_of', sa.String(length=10), nullable=True),
    sa.Column('pregnancy_date', sa.Date(), nullable=True),
    sa.Column('advice', sa.String(length=20), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('client_id', sa.String(length=64), nullable=False),
    sa.Column('body_sha256', sa.String(length=64), nullable=False),
    sa.Column('recorded_at', diary.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('recorded_by_staff_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['participant_id'], ['participant.id'], name=op.f('fk_symptom_report_participant_id_participant')),
    sa.ForeignKeyConstraint(['recorded_by_staff_id'], ['staff_user.id'], name=op.f('fk_symptom_report_recorded_by_staff_id_staff_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_symptom_report')),
    sa.UniqueConstraint('participant_id', 'client_id', name=op.f('uq_symptom_report_participant_id_client_id'))
    )
    with op.batch_alter_table('symptom_report', schema=None) as batch_op:
        batch_op.create_index('ix_symptom_report_participant_day', ['participant_id', 'report_date'], unique=False)

    op.create_table('symptom_answer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('item_key', sa.String(length=40), nullable=False),
    sa.Column('grade', sa.SmallInteger(), nullable=True),
    sa.Column('kg', sa.Numeric(precision=5, scale=2), nullable=True),
    sa.CheckConstraint('grade BETWEEN 0 AND 3', name=op.f('ck_symptom_answer_grade')),
    sa.ForeignKeyConstraint(['participant_id'], ['participant.id'], name=op.f('fk_symptom_answer_participant_id_participant')),
    sa.ForeignKeyConstraint(['report_id'], ['symptom_report.id'], name=op.f('fk_symptom_answer_report_id_symptom_report')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_symptom_answer')),
    sa.UniqueConstraint('report_id', 'item_key', name=op.f('uq_symptom_answer_report_id_item_key'))
    )
    with op.batch_alter_table('symptom_answer', schema=None) as batch_op:
        batch_op.create_index('ix_symptom_answer_participant_item', ['participant_id', 'item_key'], unique=False)

    op.create_table('symptom_score',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('answer_id', sa.Integer(), nullable=False),
    sa.Column('attribute', sa.String(length=20), nullable=False),
    sa.Column('score', sa.SmallInteger(), nullable=False),
    sa.Column('imputed', sa.Boolean(), nullable=False),
    sa.CheckConstraint('score BETWEEN 0 AND 4', name=op.f('ck_symptom_score_score')),
    sa.ForeignKeyConstraint(['answer_id'], ['symptom_answer.id'], name=op.f('fk_symptom_score_answer_id_symptom_answer')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_symptom_score')),
    sa.UniqueConstraint('answer_id', 'attribute', name=op.f('uq_symptom_score_answer_id_attribute'))
    )
    with op.batch_alter_table('symptom_score', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_symptom_score_answer_id'), ['answer_id'], unique=False)

    with op.batch_alter_table('site', schema=None) as batch_op:
        # Filled from the study file when it is loaded again (its digest changes).
        batch_op.add_column(sa.Column('phone_e164', sa.String(length=20), nullable=True))


def downgrade():
    with op.batch_alter_table('site', schema=None) as batch_op:
        batch_op.drop_column('phone_e164')

    with op.batch_alter_table('symptom_score', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_symptom_score_answer_id'))

    op.drop_table('symptom_score')
    with op.batch_alter_table('symptom_answer', schema=None) as batch_op:
        batch_op.drop_index('ix_symptom_answer_participant_item')

    op.drop_table('symptom_answer')
    with op.batch_alter_table('symptom_report', schema=None) as batch_op:
        batch_op.drop_index('ix_symptom_report_participant_day')

    op.drop_table('symptom_report')
