"""One symptom report from a participant (or entered by staff on their behalf).

Several a day are allowed: a patient reports again when a symptom worsens. A report is
never changed; its answers are ``SymptomAnswer`` rows, one per item.
"""

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from diary.extensions import db
from diary.types import UTCDateTime

SOURCES = ("app", "staff")
# What the answer told the participant to do (eRAPID's three levels, and "recorded").
CONTACT_NOW = "contact_now"
TEAM_WILL_REVIEW = "team_will_review"
SELF_CARE = "self_care"
RECORDED = "recorded"
ADVICE = (CONTACT_NOW, TEAM_WILL_REVIEW, SELF_CARE, RECORDED)


class SymptomReport(db.Model):
    __tablename__ = "symptom_report"
    __table_args__ = (
        UniqueConstraint("participant_id", "client_id"),
        Index("ix_symptom_report_participant_day", "participant_id", "report_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id"))
    # The participant's local day the report was completed on.
    report_date: Mapped[date] = mapped_column(Date)
    study_day: Mapped[int]
    # Free text: read by a person (it raises a routine alert), never put in an alert.
    other_symptoms: Mapped[str | None] = mapped_column(Text)
    # Since the last report: an emergency-room visit or a hospital admission.
    emergency_visit: Mapped[bool] = mapped_column(Boolean)
    pregnancy: Mapped[bool] = mapped_column(Boolean)
    pregnancy_of: Mapped[str | None] = mapped_column(String(10))  # self | partner
    pregnancy_date: Mapped[date | None] = mapped_column(Date)
    advice: Mapped[str] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(String(10))
    # The id the phone made for this write; the same id again is the same write.
    client_id: Mapped[str] = mapped_column(String(64))
    body_sha256: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_by_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))

    answers: Mapped[list["SymptomAnswer"]] = relationship(  # noqa: F821
        order_by="SymptomAnswer.id", lazy="selectin")
