"""A step in a participant's prescribed-dose history: from a date, this many mg a day."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Numeric, Text
from sqlalchemy.orm import Mapped, mapped_column

from diary.extensions import db
from diary.types import UTCDateTime


class PrescribedDose(db.Model):
    __tablename__ = "prescribed_dose"

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id"), index=True)
    effective_from: Mapped[date] = mapped_column(Date)
    dose_mg: Mapped[Decimal] = mapped_column(Numeric(8, 2))
    reason: Mapped[str] = mapped_column(Text)
    # Who prescribed it; for the starting dose, the staff member who enrolled.
    created_by_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
