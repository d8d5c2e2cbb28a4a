"""Plain subjects and records for the SDTM mapping tests: no database."""

from datetime import UTC, date, datetime
from decimal import Decimal
from types import SimpleNamespace

from diary.exports.sdtm.subject import Subject
from diary.rules.regimen import DoseStep, Hold
from diary.rules.symptom_items import SymptomItem

ENROLLED = date(2026, 3, 2)
NAUSEA = SymptomItem("nausea", "Nausea", ("frequency", "severity"), pro_ctcae_item=9)
CRAMPS = SymptomItem("muscle_cramps", "Muscle cramps", ("frequency", "severity"))
WEIGHT = SymptomItem("weight_kg", "Body weight", ("kg",), unit="kg", minimum=Decimal(20),
                     maximum=Decimal(300))


def subject(**fields) -> Subject:
    """A participant of NCT02495519 in Seoul, enrolled on 2 March 2026 at 400 mg."""
    values = dict(
        studyid="NCT02495519", subjid="S01-001", siteid="SEV", country="KOR",
        enrolled_on=ENROLLED, timezone="Asia/Seoul", sex="F", age=34, arm_code="IMA400",
        arm_name="Imatinib 400 mg QD", drug="imatinib", route="oral",
        steps=[DoseStep(ENROLLED, Decimal(400))], holds=[],
        items={"nausea": NAUSEA, "muscle_cramps": CRAMPS, "weight_kg": WEIGHT},
    )
    return Subject(**(values | fields))


def dose(day: str, status: str = "taken", mg="400", taken_at: datetime | None = None,
         **fields):
    return SimpleNamespace(
        dose_date=date.fromisoformat(day), status=status,
        dose_mg=Decimal(mg) if status == "taken" and mg is not None else None,
        taken_at=taken_at, missed_reason=fields.get("missed_reason"),
        missed_reason_text=fields.get("missed_reason_text"), vomited=fields.get("vomited", False))


def event(event_id: int = 1, **fields):
    values = dict(adverse_event_id=event_id, ctcae_term="Nausea", verbatim_term=None, grade=2,
                  seriousness=[], serious=False, onset_date="2026-03-14", onset_precision="day",
                  end_date=None, end_precision=None, outcome="recovering",
                  relatedness="possible", action="none")
    return SimpleNamespace(**(values | fields))


def report(report_id: int, day: str, answers, recorded_at: datetime | None = None):
    when = recorded_at or datetime.fromisoformat(f"{day}T03:00:00").replace(tzinfo=UTC)
    return SimpleNamespace(id=report_id, report_date=date.fromisoformat(day),
                           recorded_at=when, answers=answers)


def answer(key: str, *scores, kg: str | None = None):
    """An item's answer from (attribute, score, imputed) triples, or a measurement in kg."""
    return SimpleNamespace(item_key=key, kg=Decimal(kg) if kg is not None else None, scores=[
        SimpleNamespace(attribute=a, score=s, imputed=i) for a, s, i in scores])


__all__ = ["Hold", "answer", "dose", "event", "report", "subject"]
