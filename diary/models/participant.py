"""A person taking part in a study, known by a study code, never by name."""

from datetime import date, datetime, time

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    SmallInteger,
    String,
    Time,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from diary.extensions import db
from diary.phone_keys import phone_lookup
from diary.types import EncryptedString, UTCDateTime

STATUSES = ("active", "withdrawn", "completed")
LOCALES = ("ko", "en")
# CDISC SDTM controlled terminology for SEX (codelist C66731).
SEXES = ("M", "F", "U", "UNDIFFERENTIATED")


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
    # Encrypted at rest; found by its keyed hash (an inbound text's sender), set with it.
    phone_e164: Mapped[str | None] = mapped_column(EncryptedString(255),
                                                   info={"lookup": "phone_lookup"})
    phone_lookup: Mapped[str | None] = mapped_column(String(64), index=True)
    sms_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    sms_consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set when the participant texts STOP (or Twilio reports 21610); START clears it.
    sms_opted_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set when Twilio says the number is invalid or cannot receive SMS.
    phone_unreachable_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminder_time: Mapped[time] = mapped_column(Time)
    proxy_reporter: Mapped[bool] = mapped_column(Boolean, default=False)
    # Recorded at enrolment for the SDTM DM domain (SEX, AGE in years); null for
    # participants enrolled before the diary asked.
    sex: Mapped[str | None] = mapped_column(String(20))
    age_at_enrolment: Mapped[int | None] = mapped_column(SmallInteger)
    status: Mapped[str] = mapped_column(String(12), default="active")
    # Synthetic data made by `diary demo`, never a real person: reports and exports can
    # tell them apart.
    demo: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
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

    @validates("phone_e164")
    def _hash_phone(self, _key, phone: str | None) -> str | None:
        self.phone_lookup = phone_lookup(phone)
        return phone

    @property
    def can_receive_sms(self) -> bool:
        return (
            self.status == "active"
            and self.sms_consent
            and self.phone_e164 is not None
            and self.sms_opted_out_at is None
            and self.phone_unreachable_at is None
        )
