"""Each participant's eight-week blocks, summed from their current dose entries by triggers.

The cohort adherence report read every current entry of its window: a million at 10 000
participants x 16 weeks. It now reads a row per block of 56 study days (``dose_block``;
the primary window is two), and entries only for the days at a window's edges and on
held days. Triggers keep the blocks: an entry that becomes current adds itself to its
block, one that stops being current (a correction supersedes it) or is deleted takes
itself back out, in the writing transaction, whoever writes (with INSERT, UPDATE or
DELETE). On PostgreSQL the triggers take the participant's audit-chain lock first. Each column is a sum, so
adding and taking back are the same upsert with the sign turned. Existing entries are
summed here, after the triggers exist and in the same transaction: on PostgreSQL dose
writes wait for it (about two seconds per million entries) and none is missed.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-01 19:50:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None

# As the model had them when this was written (diary.models.dose_block): a
# missed dose adds 1 << shift to its reason's sum (None: no reason given).
REASON_FIELDS = {'forgot': (0, 0), 'side_effects': (0, 21), 'held_by_doctor': (0, 42),
                 'no_supply': (1, 0), 'other': (1, 21), None: (1, 42)}
BLOCK_DAYS = 56
# An UPDATE of anything else (superseded_at, say) changes no block.
COUNTED = ('participant_id', 'study_day', 'is_current', 'status', 'dose_mg',
           'missed_reason', 'late', 'vomited')


def _sums(row: str) -> dict[str, str]:
    """Return what one entry (``NEW`` or ``OLD``, or a table's rows) adds to its block."""
    taken, missed = f"{row}.status = 'taken'", f"{row}.status = 'missed'"
    day = f"({row}.study_day - 1) % {BLOCK_DAYS}"
    sums = {'taken_days': f"CASE WHEN {taken} THEN CAST(1 AS BIGINT) << {day} ELSE 0 END"}
    for column in (0, 1):
        cases = ' '.join(
            f"WHEN {row}.missed_reason IS NULL THEN {1 << shift}" if reason is None else
            f"WHEN {row}.missed_reason = '{reason}' THEN {1 << shift}"
            for reason, (place, shift) in REASON_FIELDS.items() if place == column)
        sums[f'missed_reasons_{column}'] = (
            f"CASE WHEN {missed} THEN CASE {cases} ELSE 0 END ELSE 0 END")
    sums['mg_cents'] = (f"CASE WHEN {taken} THEN CAST(coalesce(round({row}.dose_mg * 100), 0)"
                        " AS BIGINT) ELSE 0 END")
    sums['late'] = f"CASE WHEN {row}.late THEN 1 ELSE 0 END"
    sums['vomited'] = f"CASE WHEN {row}.vomited AND {taken} THEN 1 ELSE 0 END"
    return sums


def _upsert(row: str, sign: str) -> str:
    """Return the statement that adds (sign '') or takes back (sign '-') an entry's sums."""
    sums = _sums(row)
    columns = ', '.join(sums)
    values = ', '.join(f'{sign}({value})' for value in sums.values())
    updates = ', '.join(f'{name} = dose_block.{name} + excluded.{name}' for name in sums)
    # Built from this module's constants only, no input.
    return (f'INSERT INTO dose_block (participant_id, block, {columns}) '  # noqa: S608
            f'VALUES ({row}.participant_id, ({row}.study_day - 1) / {BLOCK_DAYS}, {values}) '
            f'ON CONFLICT (participant_id, block) DO UPDATE SET {updates}')


# (trigger, event, condition, row, sign); on an UPDATE the old row's sums go before the
# new one's (PostgreSQL fires a table's triggers by name, SQLite in reverse creation order;
# the sums do not depend on it).
TRIGGERS = (
    ('dose_block_add_inserted', 'INSERT', 'NEW.is_current', 'NEW', ''),
    ('dose_block_take_back_updated', f"UPDATE OF {', '.join(COUNTED)}", 'OLD.is_current',
     'OLD', '-'),
    ('dose_block_update_adds', f"UPDATE OF {', '.join(COUNTED)}", 'NEW.is_current', 'NEW', ''),
    ('dose_block_take_back_deleted', 'DELETE', 'OLD.is_current', 'OLD', '-'),
)


def upgrade():
    op.create_table(
        'dose_block',
        sa.Column('participant_id', sa.Integer(), nullable=False),
        sa.Column('block', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('taken_days', sa.BigInteger(), nullable=False),
        sa.Column('missed_reasons_0', sa.BigInteger(), nullable=False),
        sa.Column('missed_reasons_1', sa.BigInteger(), nullable=False),
        sa.Column('mg_cents', sa.BigInteger(), nullable=False),
        sa.Column('late', sa.SmallInteger(), nullable=False),
        sa.Column('vomited', sa.SmallInteger(), nullable=False),
        sa.ForeignKeyConstraint(['participant_id'], ['participant.id'], ondelete='CASCADE',
                                name=op.f('fk_dose_block_participant_id_participant')),
        sa.PrimaryKeyConstraint('participant_id', 'block', name=op.f('pk_dose_block')),
    )
    # Triggers first: on PostgreSQL creating them locks out writes to dose_entry until this
    # commits, so no entry is written between the sum below and the triggers.
    postgresql = op.get_bind().dialect.name == 'postgresql'
    if postgresql:
        _functions()
    for name, event, condition, row, sign in TRIGGERS:
        if postgresql:
            function = 'dose_block_add' if sign == '' else 'dose_block_take_back'
            op.execute(f'CREATE TRIGGER {name} AFTER {event} ON dose_entry FOR EACH ROW '
                       f'WHEN ({condition}) EXECUTE FUNCTION {function}()')
        else:
            op.execute(f'CREATE TRIGGER {name} AFTER {event} ON dose_entry FOR EACH ROW '
                       f'WHEN {condition} BEGIN {_upsert(row, sign)}; END')
    sums = _sums('dose_entry')
    op.execute(  # noqa: S608 (this module's constants only)
        f"INSERT INTO dose_block (participant_id, block, {', '.join(sums)}) "
        f"SELECT participant_id, (study_day - 1) / {BLOCK_DAYS}, "
        f"{', '.join(f'sum({value})' for value in sums.values())} "
        f"FROM dose_entry WHERE is_current "
        f"GROUP BY participant_id, (study_day - 1) / {BLOCK_DAYS}")


# The participant's audit-chain lock (diary.operations.audit: pg_advisory_xact_lock(16725,
# participant id)), taken before the block's row: every write of a participant's entries
# audits under that lock anyway, so taking it first keeps one order. Otherwise a sync of
# two days locks its first block, then the chain (its first audit event), then its
# second block, while another write of that second block's days holds the block and
# waits for the chain: a deadlock. Taken again by the same transaction, it is a no-op.
CHAIN_LOCK = 16725


def _functions():
    for function, row, sign in (('dose_block_add', 'NEW', ''),
                                ('dose_block_take_back', 'OLD', '-')):
        op.execute(f'CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql '
                   f'SET search_path FROM CURRENT AS $$ '
                   f'BEGIN PERFORM pg_advisory_xact_lock({CHAIN_LOCK}, {row}.participant_id); '
                   f'{_upsert(row, sign)}; RETURN NULL; END $$')


def downgrade():
    postgresql = op.get_bind().dialect.name == 'postgresql'
    for name, *_ in TRIGGERS:
        op.execute(f'DROP TRIGGER IF EXISTS {name}' + (' ON dose_entry' if postgresql else ''))
    if postgresql:
        op.execute('DROP FUNCTION IF EXISTS dose_block_add()')
        op.execute('DROP FUNCTION IF EXISTS dose_block_take_back()')
    op.drop_table('dose_block')
