"""A day's dose entry as a FHIR MedicationAdministration: completed, or not-done with why.

Only current versions are exported (a correction replaces what the day says; the old
versions stay in the diary and its audit trail). A missed dose is ``not-done`` with a
statusReason, never a dose of 0 mg, as SDTM's EC says ECOCCUR "N" rather than ECDOSE 0.
"""

from diary.exports.fhir.systems import (
    DOSE_VOMITED,
    MISSED_REASON,
    RXNORM,
    SNOMED,
    UCUM,
    identifier_system,
    local_instant,
    reference,
)
from diary.json import decimal_to_json
from diary.models import DoseEntry
from diary.models.dose_entry import TAKEN

REASON_DISPLAYS = {"forgot": "Forgot", "side_effects": "Side effects",
                   "held_by_doctor": "Held by the doctor", "no_supply": "No supply",
                   "other": "Other reason", "not_recorded": "Reason not recorded"}
# SNOMED CT 26643006 |Oral route|; other routes go as text only.
_ROUTES = {"oral": ("26643006", "Oral route")}


def medication(drug: dict) -> dict:
    """Return the study drug as a CodeableConcept, with its RxNorm code when the file gives it."""
    concept: dict = {"text": drug["name"]}
    if drug.get("rxnorm"):
        concept["coding"] = [{"system": RXNORM, "code": str(drug["rxnorm"]),
                              "display": drug["name"]}]
    return concept


def route(drug: dict) -> dict:
    """Return the drug's route as a CodeableConcept."""
    name = drug.get("route", "oral")
    if name in _ROUTES:
        code, display = _ROUTES[name]
        return {"coding": [{"system": SNOMED, "code": code, "display": display}], "text": name}
    return {"text": name}


def medication_administration(entry: DoseEntry, *, subject: str, study_code: str,
                              drug: dict, timezone: str) -> dict:
    """Return the MedicationAdministration of one current dose entry."""
    resource = {
        "resourceType": "MedicationAdministration",
        "identifier": [{"system": identifier_system(study_code, "dose-entry"),
                        "value": str(entry.id)}],
        "status": "completed" if entry.status == TAKEN else "not-done",
        "medicationCodeableConcept": medication(drug),
        "subject": reference(subject),
        # The recorded time it was taken, else the participant's local dose day.
        "effectiveDateTime": (local_instant(entry.taken_at, timezone)
                              if entry.taken_at is not None else entry.dose_date.isoformat()),
    }
    if entry.status == TAKEN:
        resource["dosage"] = {"route": route(drug)}
        if entry.dose_mg is not None:
            resource["dosage"]["dose"] = _mg(entry)
        if entry.vomited:
            resource["extension"] = [{"url": DOSE_VOMITED, "valueBoolean": True}]
    else:
        resource["statusReason"] = [_missed_reason(entry)]
    if entry.note:
        resource["note"] = [{"text": entry.note}]
    return resource


def _mg(entry: DoseEntry) -> dict:
    return {"value": decimal_to_json(entry.dose_mg), "unit": "mg", "system": UCUM, "code": "mg"}


def _missed_reason(entry: DoseEntry) -> dict:
    # A missed day may come without a reason; not-done still says so, as a code of its own.
    code = entry.missed_reason or "not_recorded"
    display = REASON_DISPLAYS.get(code, code)
    return {"coding": [{"system": MISSED_REASON, "code": code, "display": display}],
            "text": entry.missed_reason_text or display}
