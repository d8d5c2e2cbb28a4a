"""A member of a study team: admin, coordinator or investigator, scoped to sites."""

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, Column, ForeignKey, String, Table, true
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from diary.extensions import db
from diary.models.site import Site
from diary.phone_keys import phone_lookup
from diary.types import EncryptedString, UTCDateTime

ROLES = ("admin", "coordinator", "investigator")

staff_site = Table(
    "staff_site",
    db.metadata,
    Column("staff_user_id", ForeignKey("staff_user.id"), primary_key=True),
    Column("site_id", ForeignKey("site.id"), primary_key=True),
)


class StaffUser(db.Model):
    __tablename__ = "staff_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    # The person's full name as printed under their electronic signature (Part 11 §11.50).
    display_name: Mapped[str | None] = mapped_column(String(200))
    # None until the person sets a password with their one-time set-password code.
    password_hash: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    # Encrypted at rest; the keyed hash finds the person from a number (a text they send).
    phone_e164: Mapped[str | None] = mapped_column(EncryptedString(255),
                                                   info={"lookup": "phone_lookup"})
    phone_lookup: Mapped[str | None] = mapped_column(String(64), index=True)
    # The language of the alert texts this person receives.
    locale: Mapped[str] = mapped_column(String(5), default="en")
    # Off: no alert texts even with a phone (on leave, say); the alerts list still shows them.
    alerts_enabled: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Failed sign-ins in a row, and until when the account refuses every sign-in.
    failed_sign_ins: Mapped[int] = mapped_column(default=0, server_default="0")
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The TOTP second factor (RFC 6238): the base32 secret, set at enrolment and in use
    # once confirmed with a first code; the last time-step accepted, so that a code seen
    # over someone's shoulder cannot be used again within its 30 seconds. The secret makes
    # valid codes, so it is encrypted at rest like the phone numbers (diary.phone_keys).
    totp_secret: Mapped[str | None] = mapped_column(EncryptedString(255))
    totp_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)

    sites: Mapped[list[Site]] = relationship(secondary=staff_site, lazy="selectin")

    @validates("phone_e164")
    def _hash_phone(self, _key, phone: str | None) -> str | None:
        self.phone_lookup = phone_lookup(phone)
        return phone

    @property
    def site_ids(self) -> set[int]:
        return {site.id for site in self.sites}

    @property
    def site_codes(self) -> list[str]:
        return sorted(site.code for site in self.sites)

    @property
    def has_second_factor(self) -> bool:
        return self.totp_secret is not None and self.totp_confirmed_at is not None

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"
