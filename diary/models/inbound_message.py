"""A text message a participant (or anyone) sent to the study number."""

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from diary.extensions import db
from diary.types import EncryptedString, EncryptedText, UTCDateTime


class InboundMessage(db.Model):
    __tablename__ = "inbound_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Twilio retries webhooks; its MessageSid makes a retry a no-op.
    message_sid: Mapped[str] = mapped_column(String(64), unique=True)
    # The sender and the words are the participant's own: both encrypted at rest.
    from_e164: Mapped[str] = mapped_column(EncryptedString(255))
    participant_id: Mapped[int | None] = mapped_column(ForeignKey("participant.id"), index=True)
    body: Mapped[str] = mapped_column(EncryptedText)
    # What the text was understood as: taken, missed, stop, start, help, unknown.
    intent: Mapped[str] = mapped_column(String(12))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
