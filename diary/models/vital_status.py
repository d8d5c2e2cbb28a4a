"""A participant's vital status as staff last recorded it; a new record supersedes the old.

Rows are versions of the participant's one vital status: one current at a time, every
earlier one kept with the reason it was superseded.
"""

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from diary.extensions import db
from diary.types import UTCDateTime


class VitalStatus(db.Model):
    __tablename__ = "vital_status"
    __table_args__ = (
        UniqueConstraint("participant_id", "version"),
        # One current vital status per participant, enforced by the database.
        Index(
            "uq_vital_status_current",
            "participant_id",
            unique=True,
            sqlite_where=db.text("is_current"),
            postgresql_where=db.text("is_current"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id"))
    version: Mapped[int]
    is_current: Mapped[bool] = mapped_column(Boolean, default=True)
    # alive | dead (diary.rules.outcomes.VITAL_STATUSES).
    status: Mapped[str] = mapped_column(String(5))
    death_date: Mapped[date | None] = mapped_column(Date)
    last_known_alive_on: Mapped[date | None] = mapped_column(Date)
    change_reason: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_by_staff_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id"))
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
