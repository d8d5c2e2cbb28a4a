"""An investigator's electronic signature of a participant's data (21 CFR Part 11 §11.50).

The signature shows the printed name of the signer, the instant it was made and its
meaning, and is bound to the data it signs by the SHA-256 of that data's canonical form
(``diary.rules.record_digest``): a later change to the record gives another digest, and
the sign-off then shows as no longer current. Never changed or deleted.
"""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from diary.extensions import db
from diary.types import UTCDateTime

# What a signature means (§11.50(a)(3)); a fixed list, so every sign-off reads alike.
MEANINGS = ("reviewed and approved", "reviewed", "authored", "verified")


class SignOff(db.Model):
    __tablename__ = "sign_off"
    __table_args__ = (Index("ix_sign_off_participant", "participant_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id"))
    staff_user_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id"))
    # The signer's name as printed at the moment of signing, kept even if it changes later.
    printed_name: Mapped[str] = mapped_column(String(200))
    meaning: Mapped[str] = mapped_column(String(40))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # SHA-256 (hex) of the participant's clinical record as signed.
    data_sha256: Mapped[str] = mapped_column(String(64))
