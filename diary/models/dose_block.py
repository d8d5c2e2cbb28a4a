"""What eight study weeks of a participant's current dose entries add up to, kept by the
database: the adherence report reads a row per block instead of an entry per day.

Triggers on ``dose_entry`` (migration 0019) add each current entry to its block and take a
superseded or deleted one back out, in the writing transaction, whatever writes it with
INSERT, UPDATE or DELETE: the API, SMS, staff, ``diary demo``, a test or a bulk load
(not TRUNCATE, nor SQLite's INSERT OR REPLACE, which fire no delete trigger; the service
uses neither). Every column is a sum over the
block's current entries; a day has at most one current entry, so the taken days' distinct
powers of two sum to the block's mask. Block 0 is study days 1-56; the 16-week primary
window is blocks 0 and 1.
"""

from sqlalchemy import BigInteger, ForeignKey, Integer, SmallInteger
from sqlalchemy.orm import Mapped, mapped_column

from diary.extensions import db
from diary.models.dose_entry import MISSED_REASONS

# Eight weeks: the most whole weeks whose days a signed 64-bit mask holds.
BLOCK_DAYS = 56

# The missed doses' reasons (None: none given) as fields of REASON_BITS bits, three to a
# BIGINT: a missed dose adds 1 << shift to its sum. Sums of sums stay exact over any
# window the API accepts (a field counts to 2 097 151 days), so a report adds the blocks'
# sums as they are and unpacks once.
# Migration 0019's triggers write the same fields: a reason added to MISSED_REASONS needs
# a migration that rebuilds them and the sums.
REASON_BITS = 21
REASON_FIELDS: dict[str | None, tuple[int, int]] = {
    reason: (k // 3, REASON_BITS * (k % 3)) for k, reason in enumerate((*MISSED_REASONS, None))
}


class DoseBlock(db.Model):
    __tablename__ = "dose_block"

    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participant.id", ondelete="CASCADE"), primary_key=True)
    # (study day - 1) // BLOCK_DAYS: block 0 is study days 1-56.
    block: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    # Bit d: study day BLOCK_DAYS * block + 1 + d has a current entry "taken".
    taken_days: Mapped[int] = mapped_column(BigInteger, default=0)
    # The missed doses by reason, packed as REASON_FIELDS says (sum 0 and sum 1).
    missed_reasons_0: Mapped[int] = mapped_column(BigInteger, default=0)
    missed_reasons_1: Mapped[int] = mapped_column(BigInteger, default=0)
    # The mg of the doses taken, in hundredths (the entries' two decimals), exactly.
    mg_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    late: Mapped[int] = mapped_column(SmallInteger, default=0)
    vomited: Mapped[int] = mapped_column(SmallInteger, default=0)
