"""Audit events become links of hash chains (existing events chained in order); staff get
a printed name; investigators' sign-offs of a participant's data.

Revision ID: 0015
Revises: 0010
Create Date: 2026-12-01 11:00:00

"""
import sqlalchemy as sa
from alembic import op

import diary.types
from diary.rules.audit_chain import GENESIS, HASHED_FIELDS, chain_of, link_hash

# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0010'
branch_labels = None
depends_on = None

# The event table as this revision knows it, so the backfill reads values exactly as the
# service will when it verifies them (UTC instants, parsed JSON).
_events = sa.table(
    'audit_event',
    sa.column('id', sa.BigInteger()),
    sa.column('occurred_at', diary.types.UTCDateTime(timezone=True)),
    sa.column('actor_type', sa.String()),
    sa.column('actor_id', sa.Integer()),
    sa.column('action', sa.String()),
    sa.column('entity_type', sa.String()),
    sa.column('entity_id', sa.Integer()),
    sa.column('participant_id', sa.Integer()),
    sa.column('before', sa.JSON()),
    sa.column('after', sa.JSON()),
    sa.column('reason', sa.Text()),
    sa.column('request_id', sa.String()),
    sa.column('chain', sa.String()),
    sa.column('seq', sa.Integer()),
    sa.column('prev_hash', sa.String()),
    sa.column('hash', sa.String()),
)


def upgrade():
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('chain', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('seq', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('prev_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('hash', sa.String(length=64), nullable=True))
    _chain_existing_events()
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        for name in ('chain', 'seq', 'prev_hash', 'hash'):
            batch_op.alter_column(name, nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_audit_event_chain_seq'),
                                          ['chain', 'seq'])

    if op.get_bind().dialect.name == 'postgresql':
        op.execute(CHAIN_TAIL_FUNCTION)

    with op.batch_alter_table('staff_user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('display_name', sa.String(length=200), nullable=True))

    op.create_table('sign_off',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('staff_user_id', sa.Integer(), nullable=False),
    sa.Column('printed_name', sa.String(length=200), nullable=False),
    sa.Column('meaning', sa.String(length=40), nullable=False),
    sa.Column('signed_at', diary.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('data_sha256', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['participant_id'], ['participant.id'], name=op.f('fk_sign_off_participant_id_participant')),
    sa.ForeignKeyConstraint(['staff_user_id'], ['staff_user.id'], name=op.f('fk_sign_off_staff_user_id_staff_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_off'))
    )
    with op.batch_alter_table('sign_off', schema=None) as batch_op:
        batch_op.create_index('ix_sign_off_participant', ['participant_id', 'id'], unique=False)


# The last link of a chain, read after taking the chain's lock (to the end of the
# transaction): a participant's id, or 0 for the staff chain, in a two-key advisory lock
# space of its own (16725, "AU"; the scheduler's leader lock uses the one-key form).
# VOLATILE, so the SELECT takes its snapshot after the lock is granted and sees the link a
# writer that held the lock just committed.
CHAIN_TAIL_FUNCTION = """
CREATE FUNCTION audit_chain_tail(chain_key integer, chain_name text)
RETURNS TABLE (seq integer, hash varchar) AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(16725, chain_key);
    RETURN QUERY SELECT e.seq, e.hash FROM audit_event e WHERE e.chain = chain_name
        ORDER BY e.seq DESC LIMIT 1;
END;
$$ LANGUAGE plpgsql VOLATILE
"""


def _chain_existing_events():
    """Link every existing event into its chain, in the order they were written (id)."""
    bind = op.get_bind()
    postgresql = bind.dialect.name == 'postgresql'
    if postgresql:
        # The append-only guard refuses every UPDATE; this one-time backfill is the only
        # change ever made to stored events, and it only fills the new columns.
        op.execute('ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only')
    tails = {}  # chain -> (seq, hash) of its last link so far
    rows = bind.execute(sa.select(*(_events.c[name] for name in (
        'id', *[f for f in HASHED_FIELDS if f not in ('chain', 'seq')])))
        .order_by(_events.c.id)).mappings().all()
    for row in rows:
        chain = chain_of(row['participant_id'])
        seq, prev_hash = tails.get(chain, (0, GENESIS))
        fields = {**row, 'chain': chain, 'seq': seq + 1}
        digest = link_hash(fields, prev_hash)
        bind.execute(_events.update().where(_events.c.id == row['id']).values(
            chain=chain, seq=seq + 1, prev_hash=prev_hash, hash=digest))
        tails[chain] = (seq + 1, digest)
    if postgresql:
        op.execute('ALTER TABLE audit_event ENABLE TRIGGER audit_event_append_only')


def downgrade():
    with op.batch_alter_table('sign_off', schema=None) as batch_op:
        batch_op.drop_index('ix_sign_off_participant')
    op.drop_table('sign_off')
    with op.batch_alter_table('staff_user', schema=None) as batch_op:
        batch_op.drop_column('display_name')
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP FUNCTION IF EXISTS audit_chain_tail(integer, text)')
        op.execute('ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_audit_event_chain_seq'), type_='unique')
        for name in ('hash', 'prev_hash', 'seq', 'chain'):
            batch_op.drop_column(name)
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('ALTER TABLE audit_event ENABLE TRIGGER audit_event_append_only')
