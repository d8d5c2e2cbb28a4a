"""The world the least-privilege tests call into: a participant of the default site with a
dose, a symptom report, an alert, an adverse event, an assessment and an open hold, and
the callers around them (tests/api/test_least_privilege.py, test_server_owned_fields.py).

Dates suit a clock stopped at WORLD_TIME (week 17 of the participant's diary).
"""

import re
from datetime import UTC, datetime

from diary.actor import Actor
from diary.extensions import db
from diary.operations.alerts import raise_alert
from tests.factories import auth, make_dose, make_participant, make_site, make_staff, token_for

WORLD_TIME = datetime(2026, 6, 25, 3, tzinfo=UTC)  # noon in Seoul
STUDY_CODE = "S01-901"  # the world's participant: no other caller may read it anywhere
P = "/api/v1/participants/{participant_id}"
_PARAM = re.compile(r"\{(\w+)\}")


def url(path: str, world: dict) -> str:
    """Return a documented path with the world's ids in place of its parameters."""
    return _PARAM.sub(lambda match: str(world[match.group(1)]), path)


def path_parameters(path: str) -> list[str]:
    """Return the names of a documented path's parameters, in order."""
    return _PARAM.findall(path)


def _post(client, path, body, token):
    response = client.post(path, json=body, headers=auth(token))
    assert response.status_code == 201, (path, response.get_json())
    return response.get_json()


def make_world(client, site) -> dict:
    """A participant of this site with something of every kind, and staff around them."""
    participant = make_participant(enrolled="2026-03-01", study_code=STUDY_CODE, site=site)
    make_dose(participant, "2026-03-02")
    alert = raise_alert("sms_opt_out", participant)
    db.session.commit()
    admin = make_staff("admin", second_factor=True)
    staff = make_staff("coordinator")
    world = {"participant_id": participant.id, "alert_id": alert.id, "staff_id": staff.id,
             "admin": admin, "participant": participant, "site": site}
    device, token, base = token_for(participant), token_for(admin), url(P, world)
    _post(client, "/api/v1/me/symptom-reports", {
        "client_id": "5d0c7b1e-8a1f-4c52-9a0e-3c1b2d4e5f60", "report_date": "2026-03-03",
        "emergency_visit": False, "pregnancy": False,
        "items": [{"item": "nausea", "frequency": 1, "severity": 1}]}, device)
    world["event_id"] = _post(client, f"{base}/adverse-events", {
        "ctcae_term": "Edema limbs", "grade": 1, "onset_date": "2026-03-04",
        "outcome": "not_recovered", "relatedness": "possible", "action": "none"}, token)["id"]
    world["assessment_id"] = _post(client, f"{base}/assessments", {
        "visit_date": "2026-06-20", "response": "SD"}, token)["id"]
    world["hold_id"] = _post(client, f"{base}/dose-holds", {
        "start_date": "2026-04-01", "reason": "Grade 3 neutropenia"}, token)["id"]
    return world


def caller_token(name: str, world) -> str | None:
    """Return the bearer token of one kind of caller (None: anonymous)."""
    if name == "anonymous":
        return None
    if name == "participant":
        return token_for(world["participant"])
    if name == "other_participant":
        return token_for(make_participant(enrolled="2026-03-01", site=world["site"]))
    if name == "admin":
        return token_for(world["admin"])
    if name == "investigator":
        investigator = make_staff("investigator", second_factor=True)
        investigator.display_name = "Dr. Lee Seo-yeon"
        db.session.commit()
        return token_for(investigator)
    sites = [make_site()] if name == "stranger" else None
    return token_for(make_staff("coordinator", sites=sites, active=name != "deactivated"))


def admin_actor(world) -> Actor:
    return Actor.for_staff(world["admin"])
