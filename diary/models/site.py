"""A place where participants are enrolled and staff work."""

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from diary.extensions import db


class Site(db.Model):
    __tablename__ = "site"
    __table_args__ = (UniqueConstraint("study_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("study.id"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64))
    # The study team's number participants are told to call (E.164), from the study file.
    phone_e164: Mapped[str | None] = mapped_column(String(20))
