"""A participant's diary as one FHIR R4 Bundle of type "collection".

The Patient first, then a MedicationAdministration per current dose entry (by day), an
AdverseEvent per event (its current version) and a QuestionnaireResponse per symptom
report. Every entry's fullUrl is a urn:uuid made from the record's id, so two exports of
the same data are the same Bundle but for its timestamp, and every reference points at
the Patient inside the Bundle.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from diary.exports.fhir.adverse_event import adverse_event
from diary.exports.fhir.medication_administration import medication_administration
from diary.exports.fhir.patient import patient
from diary.exports.fhir.questionnaire_response import questionnaire_response
from diary.exports.fhir.systems import full_url, identifier_system
from diary.models import AdverseEvent, DoseEntry, Participant, SymptomReport
from diary.rules.symptom_items import SymptomItem


@dataclass(frozen=True)
class ParticipantRecords:
    """What one participant's Bundle is made of, gathered by the operation."""

    participant: Participant
    study_code: str
    drug: dict  # the study file's [drug]: name, route, rxnorm
    items: dict[str, SymptomItem]  # the study's symptom items by key
    doses: Sequence[DoseEntry]  # current versions only
    events: Sequence[AdverseEvent]  # with their versions loaded
    reports: Sequence[SymptomReport]  # with their answers and scores loaded


def participant_bundle(records: ParticipantRecords, generated_at: datetime) -> dict:
    """Return the collection Bundle of one participant's records."""
    participant, code = records.participant, records.study_code
    subject = full_url(code, "Patient", participant.id)
    common = {"subject": subject, "study_code": code, "timezone": participant.timezone}
    entries = [(subject, patient(participant, code))]
    entries += [(full_url(code, "MedicationAdministration", entry.id),
                 medication_administration(entry, drug=records.drug, **common))
                for entry in records.doses]
    entries += [(full_url(code, "AdverseEvent", event.id),
                 adverse_event(event, event.current, drug=records.drug, **common))
                for event in records.events]
    entries += [(full_url(code, "QuestionnaireResponse", report.id),
                 questionnaire_response(report, items=records.items, **common))
                for report in records.reports]
    return {
        "resourceType": "Bundle",
        "identifier": {"system": identifier_system(code, "fhir-bundle"),
                       "value": participant.study_code},
        "type": "collection",
        "timestamp": generated_at.isoformat(),
        "entry": [{"fullUrl": url, "resource": resource} for url, resource in entries],
    }
