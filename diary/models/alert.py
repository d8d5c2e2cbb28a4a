"""Something a coordinator must look at: an unreachable number, an opt-out, a safety signal.

General on purpose: SMS delivery problems and safety rules raise the same kind of record,
with an urgency, an acknowledgement and (for urgent ones) escalation.
"""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from diary.extensions import db
from diary.types import UTCDateTime

OPEN = "open"
ACKNOWLEDGED = "acknowledged"
CLOSED = "closed"
ROUTINE = "routine"
URGENT = "urgent"


class Alert(db.Model):
    __tablename__ = "alert"
    __table_args__ = (Index("ix_alert_open", "status", "next_escalation_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # One of diary.rules.alerts.ALERT_KINDS.
    kind: Mapped[str] = mapped_column(String(30))
    participant_id: Mapped[int | None] = mapped_column(ForeignKey("participant.id"), index=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), index=True)
    urgency: Mapped[str] = mapped_column(String(10), default=ROUTINE)
    status: Mapped[str] = mapped_column(String(14), default=OPEN)
    # Keeps one open alert per cause (e.g. "unreachable:17") instead of one per event.
    dedupe_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    # Ids and codes only; never free text from the participant.
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Serious events carry a 24-hour reporting clock.
    report_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_by_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    close_reason: Mapped[str | None] = mapped_column(Text)
    escalation_level: Mapped[int] = mapped_column(default=0)
    # Texts queued to staff, when raised and by every escalation round since; zero means
    # nobody was told (None: raised before the count was kept).
    staff_texts_queued: Mapped[int | None]
    next_escalation_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
