"""One version of a tumour assessment: the visit date and RECIST 1.1 response; a change adds one."""

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from diary.extensions import db
from diary.types import UTCDateTime


class TumourAssessmentVersion(db.Model):
    __tablename__ = "tumour_assessment_version"
    __table_args__ = (
        UniqueConstraint("assessment_id", "version"),
        # One current version per assessment, enforced by the database.
        Index(
            "uq_tumour_assessment_version_current",
            "assessment_id",
            unique=True,
            sqlite_where=db.text("is_current"),
            postgresql_where=db.text("is_current"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("tumour_assessment.id"))
    version: Mapped[int]
    is_current: Mapped[bool] = mapped_column(Boolean, default=True)
    visit_date: Mapped[date] = mapped_column(Date)
    # One of diary.rules.primary_endpoint.RESPONSES: CR, PR, SD, PD, NE.
    response: Mapped[str] = mapped_column(String(2))
    note: Mapped[str | None] = mapped_column(Text)
    change_reason: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_by_staff_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id"))
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    assessment: Mapped["TumourAssessment"] = relationship(  # noqa: F821
        back_populates="versions")
