"""One version of a participant's record of one day's dose.

A day has one current version; a correction adds a version and keeps the old one.
"""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Boolean, Date, ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from diary.extensions import db
from diary.types import UTCDateTime

TAKEN = "taken"
MISSED = "missed"
MISSED_REASONS = ("forgot", "side_effects", "held_by_doctor", "no_supply", "other")
SOURCES = ("app", "sms", "staff")


class DoseEntry(db.Model):
    __tablename__ = "dose_entry"
    __table_args__ = (
        UniqueConstraint("participant_id", "client_id"),
        UniqueConstraint("participant_id", "dose_date", "version"),
        # At most one current version per participant and day, enforced by the database.
        # On PostgreSQL it also carries what the cohort adherence report reads, which then
        # reads this index alone, in participant order (migration 0018).
        Index(
            "uq_dose_entry_current_day",
            "participant_id",
            "dose_date",
            unique=True,
            sqlite_where=db.text("is_current"),
            postgresql_where=db.text("is_current"),
            postgresql_include=["study_day", "status", "dose_mg", "missed_reason", "late",
                                "vomited"],
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id"))
    dose_date: Mapped[date] = mapped_column(Date)
    version: Mapped[int] = mapped_column(default=1)
    is_current: Mapped[bool] = mapped_column(Boolean, default=True)
    status: Mapped[str] = mapped_column(String(10))
    dose_mg: Mapped[Decimal | None] = mapped_column(Numeric(8, 2))
    taken_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    missed_reason: Mapped[str | None] = mapped_column(String(20))
    missed_reason_text: Mapped[str | None] = mapped_column(Text)
    vomited: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(10))
    # The id the phone made for this write; the same id again is the same write.
    client_id: Mapped[str] = mapped_column(String(64))
    # SHA-256 of the write's canonical body, to tell a retry from a conflicting reuse.
    body_sha256: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    study_day: Mapped[int]
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    correction_reason: Mapped[str | None] = mapped_column(Text)
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    recorded_by_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
