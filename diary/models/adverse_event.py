"""An adverse event recorded by staff: the event itself, whose versions hold what is known.

What staff record (term, grade, seriousness, dates, outcome, ...) lives in its versions
(``adverse_event_version``), one current at a time; this row is the event's identity and
what the service itself keeps about it: its serious-event alert and reporting clock.
"""

from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column, relationship

from diary.extensions import db
from diary.types import UTCDateTime


class AdverseEvent(db.Model):
    __tablename__ = "adverse_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by_staff_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id"))
    # The serious_event alert raised for it (the latest, if it became serious twice).
    alert_id: Mapped[int | None] = mapped_column(ForeignKey("alert.id"))
    # When its 24-hour sponsor report passed unreported and the top of the ladder was
    # texted: once per alert.
    report_overdue_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # Every version, oldest first.
    versions: Mapped[list["AdverseEventVersion"]] = relationship(  # noqa: F821
        order_by="AdverseEventVersion.version", back_populates="event"
    )

    @property
    def current(self) -> "AdverseEventVersion":  # noqa: F821
        """Return the version in force (there is always exactly one)."""
        return next(version for version in self.versions if version.is_current)
