"""Tumour assessments recorded by staff: every change a new version with its reason.

Coordinators, investigators and admins of the participant's site record and change
them; any staff member of the site reads them.
"""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from diary.actor import Actor
from diary.clock import local_today, utcnow
from diary.errors import Forbidden, InvalidInput, NotFound
from diary.extensions import db
from diary.models import Participant, TumourAssessment, TumourAssessmentVersion
from diary.operations.adverse_events import WRITERS
from diary.operations.audit import record_audit, snapshot
from diary.operations.participants import get_participant_for_staff
from diary.operations.versions import commit_version
from diary.rules.outcomes import visit_date_errors

FACTS = ("visit_date", "response", "note")
AUDITED_FIELDS = ("version", "is_current", *FACTS, "change_reason", "recorded_at",
                  "recorded_by_staff_id", "superseded_at")
RACED = "The assessment changed while it was being written; read it again and retry."


@dataclass(frozen=True)
class AssessmentRecord:
    """An assessment as staff read it: its current version, and every version when asked."""

    assessment: TumourAssessment
    current: TumourAssessmentVersion
    history: list[TumourAssessmentVersion] | None = None


def _require_writer(actor: Actor) -> None:
    if actor.staff is None or actor.staff.role not in WRITERS:
        raise Forbidden("Your role does not allow this.")


def _check(participant: Participant, visit: date) -> None:
    errors = visit_date_errors(visit, enrolled_on=participant.enrolled_on,
                               today=local_today(participant.timezone, utcnow()))
    if errors:
        raise InvalidInput("The assessment has invalid fields.", errors)



def record_assessment(actor: Actor, participant_id: int, facts: dict,
                      reason: str | None = None) -> AssessmentRecord:
    """Record a tumour assessment of a participant of the caller's sites; commit."""
    _require_writer(actor)
    return commit_version(RACED, _record, actor, participant_id, facts, reason)


def _record(actor: Actor, participant_id: int, facts: dict,
            reason: str | None) -> AssessmentRecord:
    participant = get_participant_for_staff(actor, participant_id, for_update=True)
    facts = {"note": None} | facts
    _check(participant, facts["visit_date"])
    now = utcnow()
    assessment = TumourAssessment(participant_id=participant.id, created_at=now,
                                  created_by_staff_id=actor.staff.id)
    db.session.add(assessment)
    db.session.flush()
    version = _new_version(assessment, facts, 1, actor, now, None)
    db.session.add(version)
    db.session.flush()
    record_audit(actor, "tumour_assessment.recorded", assessment,
                 participant_id=participant.id, after=snapshot(version, AUDITED_FIELDS),
                 reason=reason)
    return AssessmentRecord(assessment, version)


def change_assessment(actor: Actor, participant_id: int, assessment_id: int, changes: dict,
                      reason: str) -> AssessmentRecord:
    """Record a new version of an assessment with what changes, and why; commit.

    A change that changes nothing (a retry) records nothing and returns the assessment.
    """
    _require_writer(actor)
    return commit_version(RACED, _change, actor, participant_id, assessment_id, changes, reason)


def _change(actor: Actor, participant_id: int, assessment_id: int, changes: dict,
            reason: str) -> AssessmentRecord:
    participant = get_participant_for_staff(actor, participant_id, for_update=True)
    assessment = _assessment_of(participant.id, assessment_id)
    current = assessment.current
    before = {name: getattr(current, name) for name in FACTS}
    after = before | changes
    if after == before:
        return AssessmentRecord(assessment, current)
    _check(participant, after["visit_date"])
    now = utcnow()
    audited_before = snapshot(current, AUDITED_FIELDS)
    current.is_current, current.superseded_at = False, now
    # Not current before the new version is inserted: one current version per assessment.
    db.session.flush()
    version = _new_version(assessment, after, current.version + 1, actor, now, reason)
    db.session.add(version)
    db.session.flush()
    record_audit(actor, "tumour_assessment.changed", assessment,
                 participant_id=participant.id, before=audited_before,
                 after=snapshot(version, AUDITED_FIELDS), reason=reason)
    return AssessmentRecord(assessment, version)


def _new_version(assessment: TumourAssessment, facts: dict, number: int, actor: Actor,
                 now: datetime, reason: str | None) -> TumourAssessmentVersion:
    return TumourAssessmentVersion(
        **{name: facts[name] for name in FACTS}, assessment_id=assessment.id,
        assessment=assessment, version=number, is_current=True, change_reason=reason,
        recorded_at=now, recorded_by_staff_id=actor.staff.id)


def _assessment_of(participant_id: int, assessment_id: int) -> TumourAssessment:
    assessment = db.session.execute(
        select(TumourAssessment)
        .where(TumourAssessment.id == assessment_id,
               TumourAssessment.participant_id == participant_id)
        .options(selectinload(TumourAssessment.versions))
    ).scalar_one_or_none()
    if assessment is None:
        raise NotFound("No such tumour assessment.")
    return assessment


def _read(assessment: TumourAssessment, history: bool) -> AssessmentRecord:
    return AssessmentRecord(assessment, assessment.current,
                            list(assessment.versions) if history else None)


def list_assessments(actor: Actor, participant_id: int, *,
                     history: bool = False) -> list[AssessmentRecord]:
    """Return a participant's assessments by visit date (every version with history)."""
    participant = get_participant_for_staff(actor, participant_id)
    assessments = db.session.execute(
        select(TumourAssessment)
        .where(TumourAssessment.participant_id == participant.id)
        .options(selectinload(TumourAssessment.versions))
        .order_by(TumourAssessment.id)
    ).scalars()
    records = [_read(assessment, history) for assessment in assessments]
    return sorted(records, key=lambda record: (record.current.visit_date, record.assessment.id))


def get_assessment(actor: Actor, participant_id: int, assessment_id: int, *,
                   history: bool = False) -> AssessmentRecord:
    """Return one assessment of a participant of the caller's sites (else NotFound)."""
    participant = get_participant_for_staff(actor, participant_id)
    return _read(_assessment_of(participant.id, assessment_id), history)
