"""An append-only record of a change to participant or clinical data, a link in a hash chain.

``chain``, ``seq``, ``prev_hash`` and ``hash``: see ``diary.rules.audit_chain``.
"""

from datetime import datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from diary.extensions import db
from diary.types import UTCDateTime

ACTOR_TYPES = ("staff", "participant", "system")


class AuditEvent(db.Model):
    __tablename__ = "audit_event"
    __table_args__ = (
        Index("ix_audit_event_participant", "participant_id", "id"),
        # The backstop behind the chain lock: two events can never claim one place.
        UniqueConstraint("chain", "seq"),
    )

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(db.Integer, "sqlite"), primary_key=True
    )
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_type: Mapped[str] = mapped_column(String(12))
    actor_id: Mapped[int | None]
    action: Mapped[str] = mapped_column(String(60))
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int | None]
    participant_id: Mapped[int | None] = mapped_column(ForeignKey("participant.id"))
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
    reason: Mapped[str | None] = mapped_column(Text)
    request_id: Mapped[str | None] = mapped_column(String(64))
    chain: Mapped[str] = mapped_column(String(40))
    seq: Mapped[int]
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
