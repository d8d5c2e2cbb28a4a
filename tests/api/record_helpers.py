"""A participant with a little of everything in their record, for sign-off and copy tests."""

from dataclasses import dataclass

from tests.api.dose_helpers import MY_DOSES, taken
from tests.api.symptom_helpers import MY_REPORTS, item, symptom_report
from tests.factories import auth, make_participant, make_staff, token_for

ADVERSE_EVENT = {"ctcae_term": "Edema limbs", "grade": 1, "onset_date": "2026-03-04",
                 "outcome": "not_recovered", "relatedness": "possible", "action": "none"}


@dataclass
class World:
    participant: object
    device: dict
    investigator: object
    signer: dict


def world_with_a_record(client, site, *, name="Dr. Lee Seo-yeon") -> World:
    """A participant with a corrected dose, an adverse event and a symptom report."""
    participant = make_participant(enrolled="2026-03-01", site=site, phone="+821055550123")
    device = auth(token_for(participant))
    investigator = make_staff("investigator", sites=[site], second_factor=True)
    investigator.display_name = name
    signer = auth(token_for(investigator))
    assert client.post(MY_DOSES, json=taken("2026-03-04"), headers=device).status_code == 201
    assert client.post(MY_DOSES, json=taken("2026-03-04", dose_mg=300,
                                            correction_reason="Took 300, not 400"),
                       headers=device).status_code == 201
    assert client.post(MY_REPORTS, json=symptom_report(items=[
        item("nausea", frequency=1, severity=1)]), headers=device).status_code == 201
    assert client.post(f"/api/v1/participants/{participant.id}/adverse-events",
                       json=ADVERSE_EVENT, headers=signer).status_code == 201
    return World(participant, device, investigator, signer)
