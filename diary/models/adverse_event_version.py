"""One version of what staff know about an adverse event; a change adds a version.

Terms are CTCAE v5 (with their MedDRA codes, from the study file) or verbatim text;
seriousness follows ICH E2A; dates may be partial ("2026-03") and stay so.
"""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Numeric,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from diary.extensions import db
from diary.types import UTCDateTime

# CTCAE v5: 1 mild, 2 moderate, 3 severe, 4 life-threatening, 5 death related to the AE.
GRADES = (1, 2, 3, 4, 5)
# ICH E2A: an event is serious if it meets any of these.
SERIOUSNESS_CRITERIA = ("death", "life_threatening", "hospitalisation", "disability",
                        "congenital_anomaly", "important_medical_event")
OUTCOMES = ("recovered", "recovering", "not_recovered", "recovered_with_sequelae", "fatal",
            "unknown")
RELATEDNESS = ("not_related", "unlikely", "possible", "probable", "definite")
NO_ACTION, DOSE_REDUCED, INTERRUPTED, WITHDRAWN = "none", "dose_reduced", "interrupted", "withdrawn"
ACTIONS = (NO_ACTION, DOSE_REDUCED, INTERRUPTED, WITHDRAWN)


class AdverseEventVersion(db.Model):
    __tablename__ = "adverse_event_version"
    __table_args__ = (
        UniqueConstraint("adverse_event_id", "version"),
        # One current version per event, enforced by the database.
        Index(
            "uq_adverse_event_version_current",
            "adverse_event_id",
            unique=True,
            sqlite_where=db.text("is_current"),
            postgresql_where=db.text("is_current"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    adverse_event_id: Mapped[int] = mapped_column(ForeignKey("adverse_event.id"))
    version: Mapped[int]
    is_current: Mapped[bool] = mapped_column(Boolean, default=True)
    # A term of the study's CTCAE list (coded), or else the verbatim term (not coded).
    ctcae_term: Mapped[str | None] = mapped_column(String(200))
    verbatim_term: Mapped[str | None] = mapped_column(Text)
    # As the study file gave it when recorded; null where it gives none.
    meddra_code: Mapped[str | None] = mapped_column(String(8))
    grade: Mapped[int] = mapped_column(SmallInteger)
    # The ICH E2A criteria met, in SERIOUSNESS_CRITERIA order; serious iff any.
    seriousness: Mapped[list] = mapped_column(JSON, default=list)
    serious: Mapped[bool] = mapped_column(Boolean, default=False)
    # Partial dates as given ("2026", "2026-03", "2026-03-14") and their precision.
    onset_date: Mapped[str] = mapped_column(String(10))
    onset_precision: Mapped[str] = mapped_column(String(5))
    end_date: Mapped[str | None] = mapped_column(String(10))
    end_precision: Mapped[str | None] = mapped_column(String(5))
    outcome: Mapped[str] = mapped_column(String(30))
    relatedness: Mapped[str] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(20))
    # Dose reduced: the new daily dose and its first day; interrupted: the hold's days.
    new_dose_mg: Mapped[Decimal | None] = mapped_column(Numeric(8, 2))
    new_dose_from: Mapped[date | None] = mapped_column(Date)
    hold_from: Mapped[date | None] = mapped_column(Date)
    hold_to: Mapped[date | None] = mapped_column(Date)
    # The regimen rows the action wrote, kept by later versions.
    prescribed_dose_id: Mapped[int | None] = mapped_column(ForeignKey("prescribed_dose.id"))
    dose_hold_id: Mapped[int | None] = mapped_column(ForeignKey("dose_hold.id"))
    # When the site learned of the event: a serious event's 24-hour clock starts here.
    site_aware_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reported_to_sponsor_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The participant's own symptom report it came from, if any.
    source_symptom_report_id: Mapped[int | None] = mapped_column(ForeignKey("symptom_report.id"))
    change_reason: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_by_staff_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id"))
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    event: Mapped["AdverseEvent"] = relationship(back_populates="versions")  # noqa: F821

    @property
    def term(self) -> str:
        """Return the term as recorded: the CTCAE term, or else the verbatim one."""
        return self.ctcae_term or self.verbatim_term or ""

    @property
    def coded(self) -> bool:
        """Say whether the term is one of the study's CTCAE list."""
        return self.ctcae_term is not None
