"""Phone numbers (participants', staff's, inbound senders') and inbound texts encrypted at
rest, with a keyed lookup hash for participants' and staff's numbers.

The data step reads the keys the app reads (DIARY_PHONE_KEYS, DIARY_PHONE_LOOKUP_KEY through
diary.phone_keys), so run it with the deployment's real keys in the environment. The
downgrade decrypts every value again with the same keys.

Revision ID: 0014
Revises: 0012
Create Date: 2026-12-01 11:10:00

"""
import sqlalchemy as sa
from alembic import op

from diary import phone_keys


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0012'
branch_labels = None
depends_on = None

# (table, encrypted column, its lookup column or None)
ENCRYPTED = (
    ('participant', 'phone_e164', 'phone_lookup'),
    ('staff_user', 'phone_e164', 'phone_lookup'),
    ('inbound_message', 'from_e164', None),
    ('inbound_message', 'body', None),
)
PHONE_COLUMNS = (('participant', 'phone_e164'), ('staff_user', 'phone_e164'),
                 ('inbound_message', 'from_e164'))


def upgrade():
    for table in ('participant', 'staff_user'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('phone_lookup', sa.String(length=64), nullable=True))
            batch_op.create_index(batch_op.f(f'ix_{table}_phone_lookup'), ['phone_lookup'],
                                  unique=False)
    with op.batch_alter_table('participant', schema=None) as batch_op:
        # A ciphertext index finds nothing: the lookup hash is the one that is searched.
        batch_op.drop_index('ix_participant_phone_e164')
    for table, column in PHONE_COLUMNS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(column, existing_type=sa.String(length=20),
                                  type_=sa.String(length=255))
    _rewrite(lambda keys, value: keys.encrypt(value), with_lookup=True)


def downgrade():
    _rewrite(lambda keys, value: keys.decrypt(value), with_lookup=False)
    for table, column in PHONE_COLUMNS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(column, existing_type=sa.String(length=255),
                                  type_=sa.String(length=20))
    with op.batch_alter_table('participant', schema=None) as batch_op:
        batch_op.create_index('ix_participant_phone_e164', ['phone_e164'], unique=False)
    for table in ('participant', 'staff_user'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f'ix_{table}_phone_lookup'))
            batch_op.drop_column('phone_lookup')


def _rewrite(change, *, with_lookup: bool):
    """Apply ``change`` to every stored value; on the way up, fill the lookup hash too."""
    keys = phone_keys.current()
    connection = op.get_bind()
    for table_name, column, lookup in ENCRYPTED:
        columns = [sa.column('id'), sa.column(column)]
        if lookup is not None and with_lookup:
            columns.append(sa.column(lookup))
        table = sa.table(table_name, *columns)
        rows = connection.execute(
            sa.select(table.c.id, table.c[column]).where(table.c[column].is_not(None))
        ).all()
        for row_id, value in rows:
            values = {column: change(keys, value)}
            if lookup is not None and with_lookup:
                values[lookup] = keys.lookup(value)
            connection.execute(sa.update(table).where(table.c.id == row_id).values(values))
