"""What one study week of a participant's current dose entries adds up to, kept by the
database: the adherence report reads a row per week instead of an entry per day.

Triggers on ``dose_entry`` (migration 0019) add each current entry to its week and take a
superseded or deleted one back out, in the writing transaction, whatever writes it: the
API, SMS, staff, ``diary demo``, a test or a bulk load. Every column is a sum over the
week's current entries; a day has at most one current entry, so the taken days' distinct
powers of two sum to the week's mask. Week 0 is study days 1-7.
"""

from sqlalchemy import ForeignKey, Integer, SmallInteger
from sqlalchemy.orm import Mapped, mapped_column

from diary.extensions import db
from diary.models.dose_entry import MISSED_REASONS

# The missed doses' counts, a column per reason and one for no reason given.
MISSED_COLUMNS = tuple(f"missed_{reason}" for reason in (*MISSED_REASONS, "no_reason"))


class DoseWeek(db.Model):
    __tablename__ = "dose_week"

    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id"), primary_key=True)
    # (study day - 1) // 7: week 0 is study days 1-7.
    week: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    # Bit d: study day 7 * week + 1 + d has a current entry "taken".
    taken_days: Mapped[int] = mapped_column(Integer, default=0)
    missed_forgot: Mapped[int] = mapped_column(SmallInteger, default=0)
    missed_side_effects: Mapped[int] = mapped_column(SmallInteger, default=0)
    missed_held_by_doctor: Mapped[int] = mapped_column(SmallInteger, default=0)
    missed_no_supply: Mapped[int] = mapped_column(SmallInteger, default=0)
    missed_other: Mapped[int] = mapped_column(SmallInteger, default=0)
    missed_no_reason: Mapped[int] = mapped_column(SmallInteger, default=0)
    # The mg of the doses taken, in hundredths (the entries' two decimals), exactly.
    mg_cents: Mapped[int] = mapped_column(Integer, default=0)
    late: Mapped[int] = mapped_column(SmallInteger, default=0)
    vomited: Mapped[int] = mapped_column(SmallInteger, default=0)
