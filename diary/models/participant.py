"""A person taking part in a study, known by a study code, never by name."""

from datetime import date, datetime, time

from sqlalchemy import Boolean, Date, ForeignKey, String, Time, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from diary.extensions import db
from diary.types import UTCDateTime

STATUSES = ("active", "withdrawn", "completed")
LOCALES = ("ko", "en")


class Participant(db.Model):
    __tablename__ = "participant"
    __table_args__ = (UniqueConstraint("study_id", "study_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("study.id"), index=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), index=True)
    study_code: Mapped[str] = mapped_column(String(40))
    enrolled_on: Mapped[date] = mapped_column(Date)
    timezone: Mapped[str] = mapped_column(String(64))
    locale: Mapped[str] = mapped_column(String(5))
    phone_e164: Mapped[str | None] = mapped_column(String(20), index=True)
    sms_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    sms_consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set when the participant texts STOP (or Twilio reports 21610); START clears it.
    sms_opted_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set when Twilio says the number is invalid or cannot receive SMS.
    phone_unreachable_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminder_time: Mapped[time] = mapped_column(Time)
    proxy_reporter: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(12), default="active")
    # The participant's local date of withdrawal (their last study day); null otherwise.
    withdrawn_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    # The regimen, oldest first; loaded only when asked for (selectinload in lists).
    prescribed_doses: Mapped[list["PrescribedDose"]] = relationship(  # noqa: F821
        order_by="PrescribedDose.effective_from"
    )
    dose_holds: Mapped[list["DoseHold"]] = relationship(  # noqa: F821
        order_by="DoseHold.start_date"
    )

    @property
    def can_receive_sms(self) -> bool:
        return (
            self.status == "active"
            and self.sms_consent
            and self.phone_e164 is not None
            and self.sms_opted_out_at is None
            and self.phone_unreachable_at is None
        )
