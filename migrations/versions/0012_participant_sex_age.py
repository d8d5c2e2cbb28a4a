"""Enrolment records the participant's sex and age at enrolment (CDISC DM SEX, AGE).

Revision ID: 0012
Revises: 0009
Create Date: 2026-12-01 10:55:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('participant', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sex', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('age_at_enrolment', sa.SmallInteger(), nullable=True))


def downgrade():
    with op.batch_alter_table('participant', schema=None) as batch_op:
        batch_op.drop_column('age_at_enrolment')
        batch_op.drop_column('sex')
