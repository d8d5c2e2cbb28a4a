"""A study, as loaded from its definition file."""

from datetime import datetime, time
from decimal import Decimal

from sqlalchemy import JSON, Numeric, String, Time
from sqlalchemy.orm import Mapped, mapped_column

from diary.extensions import db
from diary.types import UTCDateTime


class Study(db.Model):
    __tablename__ = "study"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    drug: Mapped[str] = mapped_column(String(100))
    route: Mapped[str] = mapped_column(String(40))
    dose_mg: Mapped[Decimal] = mapped_column(Numeric(8, 2))
    doses_per_day: Mapped[int]
    primary_window_days: Mapped[int]
    late_entry_hours: Mapped[int]
    adherence_threshold: Mapped[Decimal] = mapped_column(Numeric(4, 3))
    reminder_time: Mapped[time] = mapped_column(Time)
    quiet_start: Mapped[time] = mapped_column(Time)
    quiet_end: Mapped[time] = mapped_column(Time)
    # The whole definition (locales, SMS templates, reply keywords, symptom items):
    # read-only configuration that the code looks up by key.
    definition: Mapped[dict] = mapped_column(JSON)
    definition_sha256: Mapped[str] = mapped_column(String(64))
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime)

    @property
    def locales(self) -> list[str]:
        return list(self.definition.get("locales", []))
