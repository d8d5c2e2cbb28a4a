"""A tumour assessment recorded by staff: its identity, whose versions hold what was found.

The visit date and the RECIST 1.1 overall response live in its versions
(``tumour_assessment_version``), one current at a time.
"""

from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column, relationship

from diary.extensions import db
from diary.types import UTCDateTime


class TumourAssessment(db.Model):
    __tablename__ = "tumour_assessment"

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by_staff_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id"))

    # Every version, oldest first.
    versions: Mapped[list["TumourAssessmentVersion"]] = relationship(  # noqa: F821
        order_by="TumourAssessmentVersion.version", back_populates="assessment"
    )

    @property
    def current(self) -> "TumourAssessmentVersion":  # noqa: F821
        """Return the version in force (there is always exactly one)."""
        return next(version for version in self.versions if version.is_current)
