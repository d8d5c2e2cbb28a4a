"""The participant as a FHIR Patient: the study code and nothing else that identifies them.

No name, phone, birth date, address or gender: the diary holds no name, and the phone
number is for reminders only. The study code is the SUBJID a statistician joins on.
"""

from diary.exports.fhir.systems import identifier_system
from diary.models import Participant


def patient(participant: Participant, study_code: str) -> dict:
    """Return the Patient resource of a participant."""
    return {
        "resourceType": "Patient",
        "identifier": [{
            "use": "official",
            "system": identifier_system(study_code, "subject"),
            "value": participant.study_code,
        }],
    }
