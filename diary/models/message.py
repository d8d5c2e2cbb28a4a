"""An outbound text message: a row first (the outbox), sent only after its cause commits."""

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from diary.extensions import db
from diary.types import UTCDateTime

KINDS = ("reminder", "follow_up", "alert", "escalation", "system")
# A participant's reminder is about "today's entry": two hours late it is noise, and it
# could land in the night.
REMINDER_KINDS = frozenset({"reminder", "follow_up"})
# Texts to staff about a participant's safety: a duplicate is acceptable, a lost one is not.
STAFF_ALERT_KINDS = frozenset({"alert", "escalation"})
PENDING = "pending"
SENDING = "sending"
SENT = "sent"
DELIVERED = "delivered"
UNDELIVERED = "undelivered"
FAILED = "failed"
CANCELLED = "cancelled"
EXPIRED = "expired"
# A reminder whose send was interrupted: it may or may not have left, so it is not resent.
UNKNOWN = "unknown"
STATUSES = (PENDING, SENDING, SENT, DELIVERED, UNDELIVERED, FAILED, CANCELLED, EXPIRED, UNKNOWN)
FINAL_STATUSES = frozenset({DELIVERED, UNDELIVERED, FAILED, CANCELLED, EXPIRED, UNKNOWN})


class Message(db.Model):
    __tablename__ = "message"
    __table_args__ = (
        CheckConstraint(
            "(participant_id IS NULL) <> (staff_user_id IS NULL)", name="one_recipient"
        ),
        Index("ix_message_due", "status", "next_attempt_at"),
        Index("ix_message_participant_day", "participant_id", "local_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int | None] = mapped_column(ForeignKey("participant.id"))
    staff_user_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    # Rendered from a template that carries no health information.
    body: Mapped[str] = mapped_column(Text)
    # e.g. "reminder:17:2026-03-04": planning the same message twice is a no-op.
    dedupe_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    # The recipient's local calendar day the message is about (reminders).
    local_date: Mapped[date | None] = mapped_column(Date)
    alert_id: Mapped[int | None] = mapped_column(ForeignKey("alert.id"), index=True)
    status: Mapped[str] = mapped_column(String(12), default=PENDING)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Reminders go stale; alerts never expire.
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When Twilio reported it delivered (updated_at is not it: a late send answer moves it).
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    provider_sid: Mapped[str | None] = mapped_column(String(64), unique=True)
    error_code: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
