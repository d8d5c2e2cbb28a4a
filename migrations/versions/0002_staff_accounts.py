"""Staff accounts: set-password codes, alerts on/off, no password until one is set.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 07:50:59.929744

"""
import sqlalchemy as sa
from alembic import op

import diary.types


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('set_password_code',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('staff_user_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('created_by_staff_id', sa.Integer(), nullable=True),
    sa.Column('created_at', diary.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', diary.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('used_at', diary.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_staff_id'], ['staff_user.id'], name=op.f('fk_set_password_code_created_by_staff_id_staff_user')),
    sa.ForeignKeyConstraint(['staff_user_id'], ['staff_user.id'], name=op.f('fk_set_password_code_staff_user_id_staff_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_set_password_code')),
    sa.UniqueConstraint('code_hash', name=op.f('uq_set_password_code_code_hash'))
    )
    with op.batch_alter_table('set_password_code', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_set_password_code_staff_user_id'), ['staff_user_id'], unique=False)

    with op.batch_alter_table('staff_user', schema=None) as batch_op:
        # Existing staff keep getting alert texts.
        batch_op.add_column(sa.Column('alerts_enabled', sa.Boolean(), server_default=sa.true(), nullable=False))
        # A new account has no password until its owner sets one with a code.
        batch_op.alter_column('password_hash',
               existing_type=sa.VARCHAR(length=200),
               nullable=True)


def downgrade():
    # Accounts still waiting for their first password get a hash no password matches.
    op.execute("UPDATE staff_user SET password_hash = '!' WHERE password_hash IS NULL")
    with op.batch_alter_table('staff_user', schema=None) as batch_op:
        batch_op.alter_column('password_hash',
               existing_type=sa.VARCHAR(length=200),
               nullable=False)
        batch_op.drop_column('alerts_enabled')

    with op.batch_alter_table('set_password_code', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_set_password_code_staff_user_id'))

    op.drop_table('set_password_code')
