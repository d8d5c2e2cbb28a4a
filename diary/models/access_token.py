"""A bearer token: a staff session or a participant's device. Only its SHA-256 is kept."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from diary.extensions import db
from diary.types import UTCDateTime

STAFF = "staff"
DEVICE = "device"
# What a staff token may do: everything its role allows, or only enrol a second factor
# (the token of someone who must have one and has none yet).
FULL = "full"
ENROL = "enrol"


class AccessToken(db.Model):
    __tablename__ = "access_token"
    __table_args__ = (
        CheckConstraint(
            "(kind = 'staff' AND staff_user_id IS NOT NULL AND participant_id IS NULL)"
            " OR (kind = 'device' AND participant_id IS NOT NULL AND staff_user_id IS NULL)",
            name="one_subject",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # A token is 256 random bits, so a plain SHA-256 is enough to look it up safely:
    # no per-request argon2 on the hot path.
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(10))
    staff_user_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"), index=True)
    participant_id: Mapped[int | None] = mapped_column(ForeignKey("participant.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    scope: Mapped[str] = mapped_column(String(10), default=FULL, server_default=FULL)
