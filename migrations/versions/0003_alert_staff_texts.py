"""Alerts count the staff texts they queued, so one that texted nobody shows it.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 08:20:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('alert', schema=None) as batch_op:
        # Alerts raised before this count are unknown: 0 would claim nobody was texted.
        batch_op.add_column(sa.Column('staff_texts_queued', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('alert', schema=None) as batch_op:
        batch_op.drop_column('staff_texts_queued')
