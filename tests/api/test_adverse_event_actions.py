"""An event's action with the drug: a dose reduction or a hold, written to the regimen."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from diary.extensions import db
from diary.models import AdverseEvent, AuditEvent
from tests.api.test_adverse_events import events_url, nausea
from tests.factories import auth, make_dose, make_participant, make_staff, token_for

# Noon in Seoul on 20 March 2026: study day 20 of a participant enrolled on 1 March.
FROZEN_AT = datetime(2026, 3, 20, 3, tzinfo=UTC)
pytestmark = pytest.mark.usefixtures("clock")


@pytest.fixture
def participant(site):
    return make_participant(site=site, enrolled="2026-03-01", dose_mg=400)


@pytest.fixture
def headers(site):
    return auth(token_for(make_staff("coordinator", sites=[site])))


def reduced(**fields) -> dict:
    """Grade 3 oedema of 14 March: imatinib reduced to 300 mg from 15 March."""
    return nausea(ctcae_term="Edema limbs", grade=3, action="dose_reduced", new_dose_mg=300,
                  new_dose_from="2026-03-15") | fields


def interrupted(**fields) -> dict:
    """Grade 3 neutropenia of 14 March: imatinib held from 15 March, open-ended."""
    return nausea(ctcae_term="Neutrophil count decreased", grade=3, action="interrupted",
                  hold_from="2026-03-15") | fields


def regimen(client, participant, headers) -> dict:
    return client.get(f"/api/v1/participants/{participant.id}/regimen",
                      headers=headers).get_json()


def post(client, participant, headers, body):
    return client.post(events_url(participant), json=body, headers=headers)


def test_a_dose_reduction_writes_the_dose_change_with_the_event_as_its_reason(
        client, participant, headers):
    response = post(client, participant, headers, reduced())
    assert response.status_code == 201, response.get_json()
    event = response.get_json()

    steps = regimen(client, participant, headers)["prescribed_doses"]
    assert [(s["effective_from"], s["dose_mg"]) for s in steps] == [
        ("2026-03-01", 400), ("2026-03-15", 300)]
    assert steps[1]["id"] == event["prescribed_dose_id"]
    assert steps[1]["reason"] == f"Adverse event {event['id']} (Edema limbs, grade 3)"
    assert (event["new_dose_mg"], event["new_dose_from"]) == (300, "2026-03-15")
    assert _audited(participant, "prescribed_dose.created") == [steps[1]["reason"]]


def test_an_interruption_writes_the_hold_and_a_later_version_ends_it(
        client, participant, headers):
    event = post(client, participant, headers, interrupted()).get_json()

    ended = client.patch(events_url(participant, event["id"]),
                         json={"hold_to": "2026-03-18", "outcome": "recovered",
                               "end_date": "2026-03-18", "reason": "Neutrophils recovered"},
                         headers=headers)

    assert ended.status_code == 200, ended.get_json()
    (hold,) = regimen(client, participant, headers)["holds"]
    assert (hold["id"], hold["start_date"], hold["end_date"]) == (
        event["dose_hold_id"], "2026-03-15", "2026-03-18")
    assert hold["reason"] == f"Adverse event {event['id']} (Neutrophil count decreased, grade 3)"
    assert ended.get_json()["dose_hold_id"] == hold["id"]
    assert _audited(participant, "dose_hold.ended") == [hold["reason"]]


def test_an_action_added_by_a_later_version_writes_it_then(client, participant, headers):
    event = post(client, participant, headers, nausea()).get_json()

    changed = client.patch(events_url(participant, event["id"]),
                           json={"action": "interrupted", "hold_from": "2026-03-19",
                                 "reason": "Held at the visit"}, headers=headers).get_json()

    (hold,) = regimen(client, participant, headers)["holds"]
    assert (changed["dose_hold_id"], hold["start_date"], hold["end_date"]) == (
        hold["id"], "2026-03-19", None)


def test_adherence_counts_the_interruption(client, participant, headers):
    for day in range(1, 15):
        make_dose(participant, date(2026, 3, day))
    device = auth(token_for(participant))
    before = client.get("/api/v1/me/adherence", headers=device).get_json()["so_far"]

    post(client, participant, headers, interrupted())
    after = client.get("/api/v1/me/adherence", headers=device).get_json()["so_far"]

    # Days 1-19 (today has no entry yet): 14 taken, then 15-19 unreported until held.
    assert (before["expected"], before["unreported"], before["below_threshold"]) == (
        19, 5, True)
    assert (after["expected"], after["held"], after["unreported"]) == (14, 5, 0)
    assert (after["adherence"], after["below_threshold"]) == (1, False)


def test_dose_intensity_counts_the_reduced_dose(client, participant, headers):
    post(client, participant, headers, reduced())
    for day in range(1, 20):
        make_dose(participant, date(2026, 3, day), dose_mg=400 if day < 15 else 300)

    so_far = client.get("/api/v1/me/adherence",
                        headers=auth(token_for(participant))).get_json()["so_far"]

    assert (so_far["mg_taken"], so_far["mg_prescribed"]) == (14 * 400 + 5 * 300,) * 2
    assert so_far["dose_intensity"] == 1


def test_an_action_the_regimen_refuses_keeps_no_event(client, participant, headers):
    assert post(client, participant, headers, reduced()).status_code == 201

    # A second dose change from the same day: the regimen refuses it, and the event
    # that carried it is not kept either (one transaction).
    response = post(client, participant, headers, reduced(new_dose_mg=200))

    assert response.status_code == 409
    assert "new_dose_from" in response.get_json()["errors"]
    assert _events(participant) == 1


def test_an_overlapping_hold_is_409_naming_hold_from(client, participant, headers):
    assert post(client, participant, headers, interrupted()).status_code == 201

    response = post(client, participant, headers, interrupted(hold_from="2026-03-17"))

    assert response.status_code == 409
    assert "hold_from" in response.get_json()["errors"]
    assert _events(participant) == 1


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"new_dose_mg": 400}, "new_dose_mg"),  # not a reduction
        ({"new_dose_mg": 500}, "new_dose_mg"),
        ({"new_dose_from": "2026-03-13"}, "new_dose_from"),  # before the onset
        # The onset is known to the year only: the change may not precede enrolment.
        ({"onset_date": "2026", "new_dose_from": "2026-02-20"}, "new_dose_from"),
        ({"hold_from": "2026-03-15"}, "hold_from"),  # not the action's field
    ],
)
def test_a_dose_reduction_that_is_not_one_is_422(client, participant, headers, fields, field):
    response = post(client, participant, headers, reduced(**fields))

    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["errors"]
    assert len(regimen(client, participant, headers)["prescribed_doses"]) == 1


@pytest.mark.parametrize(
    ("body", "change"),
    [
        (reduced(), {"new_dose_mg": 200}),
        (reduced(), {"new_dose_from": "2026-03-16"}),
        (reduced(), {"action": "none", "new_dose_mg": None, "new_dose_from": None}),
        (interrupted(), {"hold_from": "2026-03-16"}),
        (interrupted(hold_to="2026-03-16"), {"hold_to": "2026-03-17"}),
    ],
)
def test_correcting_what_the_event_wrote_to_the_regimen_is_409(
        client, participant, headers, body, change):
    event = post(client, participant, headers, body).get_json()
    before = regimen(client, participant, headers)

    response = client.patch(events_url(participant, event["id"]),
                            json=change | {"reason": "Correction"}, headers=headers)

    assert response.status_code == 409
    assert "dose-changes" in response.get_json()["message"]
    assert regimen(client, participant, headers) == before


def test_a_hold_ended_through_the_regimen_is_not_ended_twice(client, participant, headers):
    event = post(client, participant, headers, interrupted()).get_json()
    hold_url = f"/api/v1/participants/{participant.id}/dose-holds/{event['dose_hold_id']}"
    client.patch(hold_url, json={"end_date": "2026-03-18", "reason": "Restarted"},
                 headers=headers)

    response = client.patch(events_url(participant, event["id"]),
                            json={"hold_to": "2026-03-18", "reason": "As the regimen says"},
                            headers=headers)

    assert response.status_code == 200, response.get_json()
    assert _audited(participant, "dose_hold.ended") == ["Restarted"]


def test_an_investigator_records_the_reduction_they_decided(client, participant, site):
    investigator = auth(token_for(make_staff("investigator", sites=[site])))

    response = post(client, participant, investigator, reduced())

    assert response.status_code == 201
    assert len(regimen(client, participant, investigator)["prescribed_doses"]) == 2


def _audited(participant, action: str) -> list[str]:
    return list(db.session.execute(
        select(AuditEvent.reason).where(AuditEvent.participant_id == participant.id,
                                        AuditEvent.action == action).order_by(AuditEvent.id)
    ).scalars())


def _events(participant) -> int:
    return db.session.execute(
        select(func.count()).select_from(AdverseEvent)
        .where(AdverseEvent.participant_id == participant.id)
    ).scalar_one()
