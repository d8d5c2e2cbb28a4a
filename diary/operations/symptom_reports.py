"""Symptom reports: recorded from the app, an offline upload or staff, and checked for safety.

Every path goes through ``write_symptom_report``: the report, its answers, its audit
event and the alerts its safety rules raise are written in one transaction, so an alert
can no more be missed on an upload or a back-entry than on the app.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from diary.actor import Actor
from diary.clock import local_today, utcnow
from diary.errors import Conflict, InvalidInput
from diary.extensions import db
from diary.models import Participant, Site, Study, SymptomAnswer, SymptomReport, SymptomScore
from diary.models.symptom_report import SOURCES
from diary.operations.audit import record_audit, snapshot
from diary.operations.participants import check_can_record, get_participant_for_staff
from diary.operations.symptom_safety import evaluate_report, raise_safety_alerts
from diary.rules.phone import readable
from diary.rules.safety import safety_params
from diary.rules.study_days import study_day
from diary.rules.symptom_advice import advice, advice_action
from diary.rules.symptom_answers import (
    GradedAnswer,
    SymptomReportInput,
    body_sha256,
    grade_answer,
    report_errors,
)
from diary.rules.symptom_items import catalogue
from diary.rules.symptom_texts import item_listing

CREATED, DUPLICATE = "created", "duplicate"
RACED = "The report was being written twice at once; retry."
NO_ITEMS = "This study collects no symptom reports (its file names no symptom items)."
AUDITED_FIELDS = ("client_id", "report_date", "study_day", "other_symptoms", "emergency_visit",
                  "pregnancy", "pregnancy_of", "pregnancy_date", "advice", "source",
                  "recorded_at", "recorded_by_staff_id")


@dataclass(frozen=True)
class SymptomWriteResult:
    """The report a write produced (or found, for a retry), what happened, what to do."""

    report: SymptomReport
    outcome: str  # created | duplicate
    advice: dict


def symptom_items(participant: Participant, study: Study) -> dict:
    """Return the study's items as the participant's app asks them, in their locale."""
    return item_listing(study.definition, participant.locale)


def record_symptom_report(participant: Participant, study: Study, report: SymptomReportInput,
                          *, actor: Actor, source: str,
                          staff_reason: str | None = None) -> SymptomWriteResult:
    """Validate and record a report and raise its alerts; commit and return it.

    Raises InvalidInput (422) with field errors, or Conflict (409) for a reused client id.
    """
    for attempt in (1, 2):
        try:
            result = write_symptom_report(participant, study, report, actor=actor,
                                          source=source, staff_reason=staff_reason)
            db.session.commit()
            return result
        except IntegrityError:
            # The same client id written by a concurrent request: the retry finds it.
            db.session.rollback()
            if attempt == 2:
                raise Conflict(RACED) from None
    raise AssertionError("unreachable")


def write_symptom_report(participant: Participant, study: Study, report: SymptomReportInput,
                         *, actor: Actor, source: str,
                         staff_reason: str | None = None) -> SymptomWriteResult:
    """Do ``record_symptom_report``'s work inside the caller's transaction."""
    now = utcnow()
    check_can_record(participant, source, staff_reason, sources=SOURCES)
    items = catalogue(study.definition)
    if not items:
        raise Conflict(NO_ITEMS)
    errors = report_errors(report, items, enrolled_on=participant.enrolled_on,
                           local_today=local_today(participant.timezone, now))
    if errors:
        raise InvalidInput("The report has invalid fields.", errors)
    digest = body_sha256(report, source=source, staff_reason=staff_reason)
    existing = _with_client_id(participant.id, report.client_id)
    if existing is not None:
        if existing.body_sha256 != digest:
            raise Conflict("This client_id was already used for a different report.",
                           {"client_id": ["Already used for a different report; make a new id."]})
        return SymptomWriteResult(existing, DUPLICATE, report_advice(existing, participant, study))
    answers = [grade_answer(answer, items[answer.item]) for answer in report.items]
    params = safety_params(study.definition)
    triggers = evaluate_report(participant, report, answers, items, params)
    grades = [(answer.item, answer.grade) for answer in answers]
    stored = _store(participant, report, answers, now, source=source, digest=digest,
                    actor=actor, advice_given=advice_action(triggers, grades, params))
    record_audit(actor, "symptom_report.recorded", stored, participant_id=participant.id,
                 after=audit_snapshot(stored), reason=staff_reason)
    raise_safety_alerts(participant, stored, triggers, actor)
    return SymptomWriteResult(stored, CREATED, report_advice(stored, participant, study))


def _with_client_id(participant_id: int, client_id: str) -> SymptomReport | None:
    return db.session.execute(
        select(SymptomReport).where(SymptomReport.participant_id == participant_id,
                                    SymptomReport.client_id == client_id)
    ).scalar_one_or_none()


def _store(participant, report: SymptomReportInput, answers: list[GradedAnswer], now, *,
           source, digest, actor, advice_given) -> SymptomReport:
    stored = SymptomReport(
        participant_id=participant.id, report_date=report.report_date,
        study_day=study_day(participant.enrolled_on, report.report_date),
        other_symptoms=report.other_symptoms, emergency_visit=report.emergency_visit,
        pregnancy=report.pregnancy, pregnancy_of=report.pregnancy_of,
        pregnancy_date=report.pregnancy_date, advice=advice_given, source=source,
        client_id=report.client_id, body_sha256=digest, recorded_at=now,
        recorded_by_staff_id=actor.id if source == "staff" else None,
    )
    stored.answers = [
        SymptomAnswer(participant_id=participant.id, item_key=answer.item, grade=answer.grade,
                      kg=answer.kg,
                      scores=[SymptomScore(attribute=name, score=score,
                                           imputed=name in answer.imputed)
                              for name, score in answer.scores.items()])
        for answer in answers
    ]
    db.session.add(stored)
    db.session.flush()
    return stored


def audit_snapshot(report: SymptomReport) -> dict:
    """Return what the audit trail keeps of a report: its fields and every answer."""
    return {
        **snapshot(report, AUDITED_FIELDS),
        "items": [
            {"item": answer.item_key, "grade": answer.grade,
             **snapshot(answer, ("kg",)),
             "scores": {score.attribute: score.score for score in answer.scores},
             "imputed": [score.attribute for score in answer.scores if score.imputed]}
            for answer in report.answers
        ],
    }


def report_advice(report: SymptomReport, participant: Participant, study: Study) -> dict:
    """Return the advice the report's answer gives, in the participant's locale."""
    site = db.session.get(Site, participant.site_id)
    phone = readable(site.phone_e164) if site.phone_e164 else None
    grades = [(answer.item_key, answer.grade) for answer in report.answers]
    return advice(study.definition, participant.locale, report.advice, grades,
                  safety_params(study.definition), phone=phone)


def list_symptom_reports(participant: Participant, *, start: date | None = None,
                         end: date | None = None) -> list[SymptomReport]:
    """Return the participant's reports by day, then in the order they were recorded."""
    if start is not None and end is not None and start > end:
        raise InvalidInput("The window is empty.", {"from": ["Must not be after 'to'."]})
    statement = select(SymptomReport).where(SymptomReport.participant_id == participant.id)
    if start is not None:
        statement = statement.where(SymptomReport.report_date >= start)
    if end is not None:
        statement = statement.where(SymptomReport.report_date <= end)
    statement = statement.order_by(SymptomReport.report_date, SymptomReport.id)
    return list(db.session.execute(statement).scalars())


def list_symptom_reports_for_staff(actor: Actor, participant_id: int,
                                   **window) -> list[SymptomReport]:
    """Return a participant's reports to staff of the participant's sites (else NotFound)."""
    return list_symptom_reports(get_participant_for_staff(actor, participant_id), **window)


def record_symptom_report_for_staff(actor: Actor, participant_id: int,
                                    report: SymptomReportInput,
                                    reason: str) -> SymptomWriteResult:
    """Record a report on a participant's behalf (source staff); NotFound outside one's sites."""
    participant = get_participant_for_staff(actor, participant_id)
    study = db.session.get(Study, participant.study_id)
    return record_symptom_report(participant, study, report, actor=actor, source="staff",
                                 staff_reason=reason)
