"""Staff's TOTP secrets encrypted at rest, under the keys that encrypt phone numbers.

A TOTP secret is as good as the second factor itself: whoever reads it makes valid codes.
The data step reads the keys the app reads (DIARY_PHONE_KEYS through diary.phone_keys), so
run it with the deployment's real keys in the environment; the downgrade decrypts again.

Revision ID: 0017
Revises: 0015
Create Date: 2026-12-01 12:00:00

"""
import sqlalchemy as sa
from alembic import op

from diary import phone_keys


# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    # A 32-character base32 secret takes 140 characters as a Fernet token.
    with op.batch_alter_table('staff_user', schema=None) as batch_op:
        batch_op.alter_column('totp_secret', existing_type=sa.String(length=64),
                              type_=sa.String(length=255))
    _rewrite(lambda keys, value: keys.encrypt(value))


def downgrade():
    _rewrite(lambda keys, value: keys.decrypt(value))
    with op.batch_alter_table('staff_user', schema=None) as batch_op:
        batch_op.alter_column('totp_secret', existing_type=sa.String(length=255),
                              type_=sa.String(length=64))


def _rewrite(change):
    """Apply ``change`` to every stored secret (a row at a time: staff are few)."""
    keys = phone_keys.current()
    connection = op.get_bind()
    table = sa.table('staff_user', sa.column('id'), sa.column('totp_secret'))
    rows = connection.execute(
        sa.select(table.c.id, table.c.totp_secret).where(table.c.totp_secret.is_not(None))
    ).all()
    for row_id, value in rows:
        connection.execute(sa.update(table).where(table.c.id == row_id)
                           .values(totp_secret=change(keys, value)))
