"""The URIs a FHIR export names: standard code systems, and ours for what has none.

Our own identifiers, code systems and extensions are ``urn:diary:…`` URNs: absolute URIs
that need no web host, stable from one export to the next, scoped by study where a value
is only unique within one.
"""

import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

UCUM = "http://unitsofmeasure.org"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
SNOMED = "http://snomed.info/sct"
MEDDRA = "http://terminology.hl7.org/CodeSystem/mdr"
AE_SERIOUSNESS = "http://terminology.hl7.org/CodeSystem/adverse-event-seriousness"
AE_SEVERITY = "http://terminology.hl7.org/CodeSystem/adverse-event-severity"
AE_OUTCOME = "http://terminology.hl7.org/CodeSystem/adverse-event-outcome"

MISSED_REASON = "urn:diary:CodeSystem:missed-dose-reason"
RELATEDNESS = "urn:diary:CodeSystem:relatedness"

CTCAE_GRADE = "urn:diary:StructureDefinition:ctcae-grade"
AE_END_DATE = "urn:diary:StructureDefinition:adverse-event-end-date"
SERIOUSNESS_CRITERION = "urn:diary:StructureDefinition:seriousness-criterion"
ACTION_TAKEN = "urn:diary:StructureDefinition:action-taken"
DOSE_VOMITED = "urn:diary:StructureDefinition:dose-vomited"
SCORE_IMPUTED = "urn:diary:StructureDefinition:score-imputed"

# uuid5 names under this namespace: the same record has the same fullUrl in every export.
_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:diary")


def identifier_system(study_code: str, kind: str) -> str:
    """Return the system of a study's identifiers of one kind ("subject", "dose-entry", …)."""
    return f"urn:diary:study:{study_code}:{kind}"


def questionnaire_url(study_code: str) -> str:
    """Return the canonical URL of a study's symptom questionnaire (its PRO-CTCAE set)."""
    return f"urn:diary:study:{study_code}:Questionnaire:symptoms"


def full_url(study_code: str, resource_type: str, local_id: int) -> str:
    """Return the urn:uuid fullUrl of one record's resource, the same in every export."""
    return f"urn:uuid:{uuid.uuid5(_NAMESPACE, f'{study_code}/{resource_type}/{local_id}')}"


def reference(url: str) -> dict:
    """Return a Reference to a resource of the same Bundle."""
    return {"reference": url}


def local_instant(moment: datetime, timezone: str) -> str:
    """Return a UTC instant as ISO 8601 with the participant's own offset."""
    return moment.astimezone(ZoneInfo(timezone)).isoformat()
