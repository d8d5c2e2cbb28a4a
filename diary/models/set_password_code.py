"""A one-time code an admin hands a staff member so they can set their own password."""

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from diary.extensions import db
from diary.types import UTCDateTime


class SetPasswordCode(db.Model):
    __tablename__ = "set_password_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_user_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id"), index=True)
    # Only the keyed digest is kept: whoever reads the database cannot use a code.
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # None when the code came from the command line (``diary staff``), not an admin's token.
    created_by_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
