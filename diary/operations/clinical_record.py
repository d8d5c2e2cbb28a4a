"""A participant's whole clinical record as plain JSON values: what is signed and certified.

Every version is kept (nothing clinical is overwritten), so the record holds them all;
the phone number is contact data, not part of the record, and is left out.
"""

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from diary.extensions import db
from diary.models import (
    AdverseEvent,
    AuditEvent,
    DoseEntry,
    DoseHold,
    Participant,
    PrescribedDose,
    SignOff,
    SymptomAnswer,
    SymptomReport,
)
from diary.operations.audit import snapshot


def _row(row, *, leave_out=lambda name: False) -> dict:
    return snapshot(row, [column.key for column in row.__table__.columns
                          if not leave_out(column.key)])


def _all(model, participant_id: int, *order):
    return db.session.scalars(
        select(model).where(model.participant_id == participant_id).order_by(*order)).all()


def clinical_record(participant: Participant) -> dict:
    """Return the participant's record: identity, regimen, doses, events, reports."""
    pid = participant.id
    events = db.session.scalars(
        select(AdverseEvent).where(AdverseEvent.participant_id == pid)
        .options(selectinload(AdverseEvent.versions)).order_by(AdverseEvent.id)).all()
    reports = db.session.scalars(
        select(SymptomReport).where(SymptomReport.participant_id == pid)
        .options(selectinload(SymptomReport.answers).selectinload(SymptomAnswer.scores))
        .order_by(SymptomReport.id)).all()
    return {
        # Any phone column (the number, or its encrypted form and keyed hash) stays out.
        "participant": _row(participant, leave_out=lambda name: name.startswith("phone")),
        "regimen": {
            "prescribed_doses": [_row(step) for step in _all(
                PrescribedDose, pid, PrescribedDose.effective_from, PrescribedDose.id)],
            "holds": [_row(hold) for hold in _all(DoseHold, pid, DoseHold.start_date,
                                                  DoseHold.id)],
        },
        "doses": [_row(entry) for entry in _all(DoseEntry, pid, DoseEntry.dose_date,
                                                DoseEntry.version)],
        "adverse_events": [{**_row(event), "versions": [_row(v) for v in event.versions]}
                           for event in events],
        "symptom_reports": [
            {**_row(report), "answers": [
                {**_row(answer), "scores": [_row(score) for score in answer.scores]}
                for answer in report.answers]}
            for report in reports],
    }


def audit_trail(participant_id: int) -> list[AuditEvent]:
    """Return every audit event of the participant, in the order of their chain."""
    return db.session.scalars(
        select(AuditEvent).where(AuditEvent.participant_id == participant_id)
        .order_by(AuditEvent.seq)).all()


def sign_offs_of(participant_id: int) -> list[SignOff]:
    """Return the participant's sign-offs, oldest first."""
    return _all(SignOff, participant_id, SignOff.id)
