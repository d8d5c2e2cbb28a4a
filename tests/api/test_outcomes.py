"""Tumour assessments and vital status: recorded by staff, changed as new versions, audited."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from diary.extensions import db
from diary.models import AuditEvent, TumourAssessmentVersion, VitalStatus
from tests.factories import make_participant

# Noon in Seoul on 10 July 2026; the participant was enrolled on 1 March (day 112: 20 June).
FROZEN_AT = datetime(2026, 7, 10, 3, tzinfo=UTC)
pytestmark = pytest.mark.usefixtures("clock")


@pytest.fixture
def participant(site):
    return make_participant(site=site, enrolled="2026-03-01")


def assessments_url(participant, assessment_id=None):
    base = f"/api/v1/participants/{participant.id}/assessments"
    return base if assessment_id is None else f"{base}/{assessment_id}"


def vital_url(participant):
    return f"/api/v1/participants/{participant.id}/vital-status"


def assess(client, participant, headers, **fields):
    body = {"visit_date": "2026-06-20", "response": "SD"} | fields
    return client.post(assessments_url(participant), json=body, headers=headers)


def audit_actions(participant) -> list[str]:
    return list(db.session.execute(
        select(AuditEvent.action).where(AuditEvent.participant_id == participant.id)
        .order_by(AuditEvent.id)).scalars())


def test_an_assessment_is_recorded_and_listed_with_its_audit_event(client, participant, headers):
    response = assess(client, participant, headers, note="MRI: 52 mm")

    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    assert (created["visit_date"], created["response"], created["note"]) == (
        "2026-06-20", "SD", "MRI: 52 mm")
    assert (created["version"], created["is_current"]) == (1, True)
    listed = client.get(assessments_url(participant), headers=headers).get_json()
    assert [item["id"] for item in listed] == [created["id"]]
    assert audit_actions(participant) == ["tumour_assessment.recorded"]


def test_assessments_are_listed_by_visit_date(client, participant, headers):
    assess(client, participant, headers, visit_date="2026-06-20")
    assess(client, participant, headers, visit_date="2026-04-20", response="PR")

    listed = client.get(assessments_url(participant), headers=headers).get_json()

    assert [item["visit_date"] for item in listed] == ["2026-04-20", "2026-06-20"]


def test_a_change_is_a_new_version_with_its_reason_and_the_old_one_kept(
        client, participant, headers):
    created = assess(client, participant, headers).get_json()

    response = client.patch(assessments_url(participant, created["id"]), headers=headers,
                            json={"response": "PD", "reason": "Central review: new lesion"})

    assert response.status_code == 200, response.get_json()
    changed = response.get_json()
    assert (changed["response"], changed["version"], changed["change_reason"]) == (
        "PD", 2, "Central review: new lesion")
    history = client.get(assessments_url(participant, created["id"]) + "?history=true",
                         headers=headers).get_json()["versions"]
    assert [(v["version"], v["response"], v["is_current"]) for v in history] == [
        (1, "SD", False), (2, "PD", True)]
    assert history[0]["superseded_at"] is not None
    assert len(db.session.execute(select(TumourAssessmentVersion)).scalars().all()) == 2
    assert audit_actions(participant) == ["tumour_assessment.recorded",
                                          "tumour_assessment.changed"]


def test_the_same_change_again_records_nothing(client, participant, headers):
    created = assess(client, participant, headers).get_json()
    body = {"response": "PD", "reason": "Central review"}
    client.patch(assessments_url(participant, created["id"]), headers=headers, json=body)

    again = client.patch(assessments_url(participant, created["id"]), headers=headers, json=body)

    assert again.get_json()["version"] == 2


@pytest.mark.parametrize(("body", "field"), [
    ({"visit_date": "2026-02-28"}, "visit_date"),      # before enrolment
    ({"visit_date": "2026-07-11"}, "visit_date"),      # tomorrow in Seoul
    ({"response": "MR"}, "response"),
    ({"response": "sd"}, "response"),
    ({"colour": "red"}, "colour"),
])
def test_an_assessment_with_a_bad_field_is_refused_naming_it(client, participant, headers,
                                                             body, field):
    response = assess(client, participant, headers, **body)

    assert response.status_code == 422
    assert field in str(response.get_json()["errors"])
    assert audit_actions(participant) == []


def test_a_change_needs_a_reason_and_something_to_change(client, participant, headers):
    created = assess(client, participant, headers).get_json()
    url = assessments_url(participant, created["id"])

    assert client.patch(url, headers=headers, json={"response": "PD"}).status_code == 422
    assert client.patch(url, headers=headers, json={"reason": "Why"}).status_code == 422
    assert client.patch(url, headers=headers, json={"visit_date": "2026-08-01",
                                                    "reason": "Typo"}).status_code == 422


def test_an_assessment_of_another_participant_is_not_found(client, participant, headers, site):
    created = assess(client, participant, headers).get_json()
    other = make_participant(site=site, enrolled="2026-03-01")

    response = client.get(assessments_url(other, created["id"]), headers=headers)

    assert response.status_code == 404


def test_a_vital_status_is_recorded_then_superseded_with_a_reason(client, participant, headers):
    first = client.post(vital_url(participant), headers=headers,
                        json={"status": "alive", "last_known_alive_on": "2026-06-01"})
    assert first.status_code == 201, first.get_json()

    second = client.post(vital_url(participant), headers=headers, json={
        "status": "dead", "death_date": "2026-07-02", "last_known_alive_on": "2026-06-30",
        "reason": "Hospital record of death"})

    assert second.status_code == 201, second.get_json()
    history = client.get(vital_url(participant), headers=headers).get_json()
    assert [(r["version"], r["status"], r["is_current"], r["change_reason"]) for r in history] == [
        (1, "alive", False, None), (2, "dead", True, "Hospital record of death")]
    assert audit_actions(participant) == ["vital_status.recorded", "vital_status.changed"]


def test_superseding_a_vital_status_without_a_reason_is_refused(client, participant, headers):
    client.post(vital_url(participant), headers=headers,
                json={"status": "alive", "last_known_alive_on": "2026-06-01"})

    response = client.post(vital_url(participant), headers=headers,
                           json={"status": "alive", "last_known_alive_on": "2026-07-01"})

    assert response.status_code == 422
    assert "reason" in response.get_json()["errors"]
    assert len(db.session.execute(select(VitalStatus)).scalars().all()) == 1


def test_the_same_vital_status_again_records_nothing(client, participant, headers):
    body = {"status": "alive", "last_known_alive_on": "2026-06-01"}
    client.post(vital_url(participant), headers=headers, json=body)

    again = client.post(vital_url(participant), headers=headers, json=body)

    assert again.get_json()["version"] == 1


@pytest.mark.parametrize(("body", "field"), [
    ({"status": "dead"}, "death_date"),
    ({"status": "alive"}, "last_known_alive_on"),
    ({"status": "alive", "last_known_alive_on": "2026-07-11"}, "last_known_alive_on"),
    ({"status": "dead", "death_date": "2026-02-01"}, "death_date"),
    ({"status": "dead", "death_date": "2026-06-01", "last_known_alive_on": "2026-06-05"},
     "last_known_alive_on"),
    ({"status": "missing"}, "status"),
])
def test_a_vital_status_with_bad_dates_is_refused_naming_the_field(client, participant,
                                                                  headers, body, field):
    response = client.post(vital_url(participant), headers=headers, json=body)

    assert response.status_code == 422
    assert field in response.get_json()["errors"]
