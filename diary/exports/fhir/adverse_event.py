"""An adverse event's current version as a FHIR R4 AdverseEvent.

FHIR's severity has three levels; CTCAE's grade five. The grade travels whole in an
extension, and severity is read from it: 1 mild, 2 moderate, 3 and above severe (CTCAE
v5 calls grade 3 severe; 4 life-threatening and 5 death are more than that, not less).
Seriousness is ICH E2A's: serious if any criterion is met; the criteria go in extensions.
"""

from diary.exports.fhir.medication_administration import medication
from diary.exports.fhir.systems import (
    ACTION_TAKEN,
    AE_END_DATE,
    AE_OUTCOME,
    AE_SERIOUSNESS,
    AE_SEVERITY,
    CTCAE_GRADE,
    MEDDRA,
    RELATEDNESS,
    SERIOUSNESS_CRITERION,
    identifier_system,
    local_instant,
    reference,
)
from diary.models import AdverseEvent, AdverseEventVersion

# Our outcomes (diary.models.adverse_event_version.OUTCOMES) in HL7's adverse-event-outcome.
OUTCOMES = {"recovered": "resolved", "recovering": "recovering", "not_recovered": "ongoing",
            "recovered_with_sequelae": "resolvedWithSequelae", "fatal": "fatal",
            "unknown": "unknown"}
_OUTCOME_DISPLAYS = {"resolved": "Resolved", "recovering": "Recovering", "ongoing": "Ongoing",
                     "resolvedWithSequelae": "Resolved with Sequelae", "fatal": "Fatal",
                     "unknown": "Unknown"}
_SERIOUSNESS_DISPLAYS = {"serious": "Serious", "non-serious": "Non-serious"}
# The study drug as a contained resource: the suspect entity the causality is about.
DRUG_ID = "study-drug"


def severity_of(grade: int) -> str:
    """Return FHIR's severity (mild, moderate, severe) for a CTCAE grade 1-5."""
    if grade <= 1:
        return "mild"
    return "moderate" if grade == 2 else "severe"


def adverse_event(event: AdverseEvent, version: AdverseEventVersion, *, subject: str,
                  study_code: str, drug: dict, timezone: str) -> dict:
    """Return the AdverseEvent resource of an event as its current version states it."""
    seriousness = "serious" if version.serious else "non-serious"
    outcome = OUTCOMES[version.outcome]
    severity = severity_of(version.grade)
    return {
        "resourceType": "AdverseEvent",
        "contained": [{"resourceType": "Medication", "id": DRUG_ID, "code": medication(drug)}],
        "extension": _extensions(version),
        "identifier": {"system": identifier_system(study_code, "adverse-event"),
                       "value": str(event.id)},
        "actuality": "actual",
        "event": _term(version),
        "subject": reference(subject),
        # Partial dates stay partial: FHIR's dateTime takes "2026" and "2026-03" as they are.
        "date": version.onset_date,
        "recordedDate": local_instant(event.created_at, timezone),
        "seriousness": _coded(AE_SERIOUSNESS, seriousness, _SERIOUSNESS_DISPLAYS[seriousness]),
        "severity": _coded(AE_SEVERITY, severity, severity.capitalize()),
        "outcome": _coded(AE_OUTCOME, outcome, _OUTCOME_DISPLAYS[outcome]),
        "suspectEntity": [{
            "instance": {"reference": f"#{DRUG_ID}"},
            "causality": [{"assessment": _coded(RELATEDNESS, version.relatedness,
                                                version.relatedness.replace("_", " "))}],
        }],
    }


def _term(version: AdverseEventVersion) -> dict:
    """Return the CTCAE (or verbatim) term, with its MedDRA code when the study gives one."""
    concept: dict = {"text": version.term}
    if version.meddra_code:
        concept["coding"] = [{"system": MEDDRA, "code": version.meddra_code,
                              "display": version.term}]
    return concept


def _extensions(version: AdverseEventVersion) -> list[dict]:
    extensions = [{"url": CTCAE_GRADE, "valueInteger": version.grade}]
    extensions += [{"url": SERIOUSNESS_CRITERION, "valueCode": criterion}
                   for criterion in version.seriousness]
    extensions.append({"url": ACTION_TAKEN, "valueCode": version.action})
    if version.end_date:
        extensions.append({"url": AE_END_DATE, "valueDateTime": version.end_date})
    return extensions


def _coded(system: str, code: str, display: str) -> dict:
    return {"coding": [{"system": system, "code": code, "display": display}]}
