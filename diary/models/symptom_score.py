"""One attribute's score in an item's answer: frequency, severity, interference, presence."""

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, SmallInteger, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from diary.extensions import db


class SymptomScore(db.Model):
    __tablename__ = "symptom_score"
    __table_args__ = (
        UniqueConstraint("answer_id", "attribute"),
        CheckConstraint("score BETWEEN 0 AND 4", name="score"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    answer_id: Mapped[int] = mapped_column(ForeignKey("symptom_answer.id"), index=True)
    attribute: Mapped[str] = mapped_column(String(20))
    # 0-4 as PRO-CTCAE scores it; presence is 1 (yes) or 0 (no).
    score: Mapped[int] = mapped_column(SmallInteger)
    # Not answered: scored 0 because the item's first attribute was 0 (zero imputation).
    imputed: Mapped[bool] = mapped_column(Boolean)
