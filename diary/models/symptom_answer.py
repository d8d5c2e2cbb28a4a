"""One item's answer in a symptom report: its composite grade, or a measured weight.

One row per report and item, so the investigators' tables by item and grade are one
GROUP BY; the attribute scores behind the grade are ``SymptomScore`` rows.
"""

from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    Numeric,
    SmallInteger,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from diary.extensions import db


class SymptomAnswer(db.Model):
    __tablename__ = "symptom_answer"
    __table_args__ = (
        UniqueConstraint("report_id", "item_key"),
        # A participant's history of one item: baselines, recent weights.
        Index("ix_symptom_answer_participant_item", "participant_id", "item_key"),
        CheckConstraint("grade BETWEEN 0 AND 3", name="grade"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("symptom_report.id"))
    # The report's participant, repeated so an item's history needs no join to filter.
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id"))
    # The study's key for the item (diary.rules.symptom_items): "nausea", "weight_kg".
    item_key: Mapped[str] = mapped_column(String(40))
    # PRO-CTCAE composite grade 0-3 (not a CTCAE grade); None for a measurement.
    grade: Mapped[int | None] = mapped_column(SmallInteger)
    kg: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))

    scores: Mapped[list["SymptomScore"]] = relationship(  # noqa: F821
        order_by="SymptomScore.id", lazy="selectin")
