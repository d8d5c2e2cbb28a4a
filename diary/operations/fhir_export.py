"""FHIR R4 exports for staff: one participant's Bundle, or every Bundle of their sites.

Every export is scoped to the caller's sites, validated before it leaves, and audited
(who, what, when) in a transaction committed before the first byte is sent: an export
that starts is on record even if the client stops reading.
"""

import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from diary.actor import Actor
from diary.clock import utcnow
from diary.exports.fhir.bundle import ParticipantRecords, participant_bundle
from diary.exports.fhir.checks import InvalidBundle, bundle_problems
from diary.extensions import db
from diary.models import AdverseEvent, DoseEntry, Participant, Study, SymptomReport
from diary.operations.audit import record_audit
from diary.operations.participants import get_participant_for_staff, visible_to
from diary.rules.symptom_items import catalogue

log = logging.getLogger(__name__)

BUNDLE_FORMAT = "fhir-r4-bundle"
NDJSON_FORMAT = "fhir-r4-ndjson"
# Participants whose records are loaded together while the bulk export streams.
BATCH_SIZE = 100


def participant_fhir_bundle(actor: Actor, participant_id: int) -> dict:
    """Return one participant's validated Bundle and audit the export; commit.

    A Bundle that fails its checks is a fault in a mapping: it is logged and refused
    (InvalidBundle), never sent, and nothing is audited as exported.
    """
    participant = get_participant_for_staff(actor, participant_id)
    (records,) = _records([participant], {})
    bundle = participant_bundle(records, utcnow())
    problems = bundle_problems(bundle)
    if problems:
        _log_invalid(participant, problems)
        raise InvalidBundle(problems)
    record_audit(actor, "participant.fhir_exported", participant,
                 participant_id=participant.id,
                 after={"format": BUNDLE_FORMAT, "resources": _counts(bundle)})
    db.session.commit()
    return bundle


def export_fhir_bundles(actor: Actor) -> Iterator[dict]:
    """Audit a bulk export of the caller's sites' participants; commit; return its Bundles.

    The Bundles are made as they are read, a batch of participants at a time. One that
    fails its checks is logged and replaced by an OperationOutcome naming the study code
    and the problems, so the rest still arrive and the gap is plain to see.
    """
    ids = db.session.execute(
        select(Participant.id).where(visible_to(actor))
        .order_by(Participant.study_id, Participant.study_code, Participant.id)
    ).scalars().all()
    record_audit(actor, "fhir.exported", actor.staff,
                 after={"format": NDJSON_FORMAT, "participant_ids": list(ids)})
    db.session.commit()
    return _bundles(actor, ids, utcnow())


def _bundles(actor: Actor, ids: list[int], generated_at: datetime) -> Iterator[dict]:
    # Each study once, with its symptom items: (Study, catalogue) by id.
    studies: dict[int, tuple] = {}
    for start in range(0, len(ids), BATCH_SIZE):
        # Scoped again: a participant moved to another site since the audit is left out.
        participants = db.session.execute(
            select(Participant)
            .where(Participant.id.in_(ids[start:start + BATCH_SIZE]), visible_to(actor))
            .order_by(Participant.study_id, Participant.study_code, Participant.id)
        ).scalars().all()
        for records in _records(participants, studies):
            bundle = participant_bundle(records, generated_at)
            problems = bundle_problems(bundle)
            if problems:
                _log_invalid(records.participant, problems)
                yield operation_outcome(records.participant.study_code, problems)
            else:
                yield bundle


def operation_outcome(study_code: str, problems: list[str]) -> dict:
    """Return the OperationOutcome that stands in for a participant's invalid Bundle."""
    return {"resourceType": "OperationOutcome", "issue": [
        {"severity": "error", "code": "invalid",
         "diagnostics": f"Participant {study_code}: {problem}"} for problem in problems]}


def _log_invalid(participant: Participant, problems: list[str]) -> None:
    # The problems name elements and rules, never values: safe to log.
    log.error("FHIR bundle of participant %s failed its checks: %s", participant.id,
              "; ".join(problems))


def _counts(bundle: dict) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for entry in bundle["entry"]:
        counts[entry["resource"]["resourceType"]] += 1
    return dict(counts)


def _records(participants: Iterable[Participant],
             studies: dict[int, tuple]) -> list[ParticipantRecords]:
    """Load the records of several participants in three queries; return them per person."""
    participants = list(participants)
    ids = [participant.id for participant in participants]
    doses, events, reports = _grouped_rows(ids)
    found = []
    for participant in participants:
        if participant.study_id not in studies:
            study = db.session.get(Study, participant.study_id)
            studies[participant.study_id] = (study, catalogue(study.definition))
        study, items = studies[participant.study_id]
        found.append(ParticipantRecords(
            participant=participant, study_code=study.code, drug=study.definition["drug"],
            items=items, doses=doses[participant.id], events=events[participant.id],
            reports=reports[participant.id]))
    return found


def _grouped_rows(ids: list[int]) -> tuple[dict, dict, dict]:
    doses = db.session.execute(
        select(DoseEntry).where(DoseEntry.participant_id.in_(ids), DoseEntry.is_current)
        .order_by(DoseEntry.dose_date)
    ).scalars()
    events = db.session.execute(
        select(AdverseEvent).where(AdverseEvent.participant_id.in_(ids))
        .options(selectinload(AdverseEvent.versions)).order_by(AdverseEvent.id)
    ).scalars()
    reports = db.session.execute(
        select(SymptomReport).where(SymptomReport.participant_id.in_(ids))
        .order_by(SymptomReport.report_date, SymptomReport.id)
    ).scalars()
    return _by_participant(doses), _by_participant(events), _by_participant(reports)


def _by_participant(rows) -> dict[int, list]:
    grouped: dict[int, list] = defaultdict(list)
    for row in rows:
        grouped[row.participant_id].append(row)
    return grouped
