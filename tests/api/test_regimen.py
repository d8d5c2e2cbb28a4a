"""Dose changes and holds, by staff, each with a reason and an audit event."""

from datetime import UTC, datetime

import pytest
import time_machine
from sqlalchemy import select

from diary.extensions import db
from diary.models import AuditEvent
from tests.factories import auth, make_participant, make_site, make_staff, token_for

IN_SEOUL_ON_MARCH_20 = datetime(2026, 3, 20, 3, tzinfo=UTC)


@pytest.fixture
def headers(site):
    return auth(token_for(make_staff("coordinator", sites=[site])))


@pytest.fixture
def participant(site):
    return make_participant(site=site, enrolled="2026-03-01", dose_mg=400)


def _url(participant, tail):
    return f"/api/v1/participants/{participant.id}/{tail}"


def _change(client, participant, headers, **body):
    body = {"effective_from": "2026-03-15", "dose_mg": 300, "reason": "Grade 3 oedema"} | body
    return client.post(_url(participant, "dose-changes"), json=body, headers=headers)


def _hold(client, participant, headers, **body):
    body = {"start_date": "2026-03-10", "end_date": None, "reason": "Neutropenia"} | body
    return client.post(_url(participant, "dose-holds"), json=body, headers=headers)


def _actions(participant):
    return db.session.execute(
        select(AuditEvent.action, AuditEvent.reason)
        .where(AuditEvent.participant_id == participant.id).order_by(AuditEvent.id)
    ).all()


def test_dose_reduction_applies_from_its_date(client, participant, headers):
    response = _change(client, participant, headers)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["dose_mg"] == 300
    with time_machine.travel(IN_SEOUL_ON_MARCH_20, tick=False):
        regimen = client.get(_url(participant, "regimen"), headers=headers).get_json()
        shown = client.get(f"/api/v1/participants/{participant.id}", headers=headers).get_json()
    assert [(s["effective_from"], s["dose_mg"]) for s in regimen["prescribed_doses"]] == [
        ("2026-03-01", 400), ("2026-03-15", 300)]
    assert regimen["current_dose_mg"] == shown["current_dose_mg"] == 300
    assert ("prescribed_dose.created", "Grade 3 oedema") in _actions(participant)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"dose_mg": 0}, "dose_mg"),
        ({"dose_mg": -100}, "dose_mg"),
        ({"dose_mg": 4000}, "dose_mg"),  # a slip of the finger for 400
        ({"dose_mg": "lots"}, "dose_mg"),
        ({"effective_from": "2026-02-28"}, "effective_from"),  # before enrolment
        ({"reason": "  "}, "reason"),
        ({"reason": None}, "reason"),
    ],
)
def test_implausible_dose_changes_are_422(client, participant, headers, body, field):
    response = _change(client, participant, headers, **body)
    assert response.status_code == 422
    assert field in response.get_json()["errors"]


def test_two_dose_changes_from_one_date_are_409(client, participant, headers):
    assert _change(client, participant, headers).status_code == 201
    assert _change(client, participant, headers, dose_mg=200).status_code == 409
    assert _change(client, participant, headers, effective_from="2026-03-01").status_code == 409


def test_up_to_twice_the_study_dose_is_accepted(client, participant, headers):
    assert _change(client, participant, headers, dose_mg=800).status_code == 201


def test_open_hold_then_ended_is_listed_and_audited(client, participant, headers):
    created = _hold(client, participant, headers)
    assert created.status_code == 201, created.get_json()
    hold = created.get_json()
    with time_machine.travel(IN_SEOUL_ON_MARCH_20, tick=False):
        assert client.get(f"/api/v1/participants/{participant.id}",
                          headers=headers).get_json()["on_hold"] is True
    ended = client.patch(_url(participant, f"dose-holds/{hold['id']}"),
                         json={"end_date": "2026-03-16", "reason": "Counts recovered"},
                         headers=headers)
    assert ended.status_code == 200, ended.get_json()
    with time_machine.travel(IN_SEOUL_ON_MARCH_20, tick=False):
        regimen = client.get(_url(participant, "regimen"), headers=headers).get_json()
    assert [(h["start_date"], h["end_date"]) for h in regimen["holds"]] == [
        ("2026-03-10", "2026-03-16")]
    assert regimen["on_hold"] is False
    assert _actions(participant)[-2:] == [("dose_hold.created", "Neutropenia"),
                                          ("dose_hold.ended", "Counts recovered")]


def test_overlapping_holds_are_409(client, participant, headers):
    assert _hold(client, participant, headers, end_date="2026-03-12").status_code == 201
    assert _hold(client, participant, headers, start_date="2026-03-12").status_code == 409
    assert _hold(client, participant, headers, start_date="2026-03-05",
                 end_date="2026-03-10").status_code == 409
    assert _hold(client, participant, headers, start_date="2026-03-13",
                 end_date="2026-03-14").status_code == 201


def test_no_hold_can_start_while_one_is_open(client, participant, headers):
    assert _hold(client, participant, headers).status_code == 201
    assert _hold(client, participant, headers, start_date="2026-04-01").status_code == 409


@pytest.mark.parametrize(
    "body",
    [{"start_date": "2026-02-20"}, {"start_date": "2026-03-10", "end_date": "2026-03-09"}],
)
def test_holds_before_enrolment_or_ending_before_they_start_are_422(client, participant,
                                                                     headers, body):
    response = _hold(client, participant, headers, **body)
    assert response.status_code == 422


def test_ending_a_hold_twice_or_before_it_started_is_refused(client, participant, headers):
    hold = _hold(client, participant, headers).get_json()
    url = _url(participant, f"dose-holds/{hold['id']}")
    early = client.patch(url, json={"end_date": "2026-03-09", "reason": "Oops"},
                         headers=headers)
    assert early.status_code == 422
    assert client.patch(url, json={"end_date": "2026-03-12", "reason": "Recovered"},
                        headers=headers).status_code == 200
    assert client.patch(url, json={"end_date": "2026-03-13", "reason": "Again"},
                        headers=headers).status_code == 409


def test_another_participants_hold_is_404(client, participant, headers, site):
    other = make_participant(site=site, enrolled="2026-03-01")
    hold = _hold(client, other, headers).get_json()
    response = client.patch(_url(participant, f"dose-holds/{hold['id']}"),
                            json={"end_date": "2026-03-12", "reason": "Recovered"},
                            headers=headers)
    assert response.status_code == 404


def test_regimen_changes_are_for_coordinators_of_the_site(client, participant, site):
    investigator = auth(token_for(make_staff("investigator", sites=[site])))
    assert _change(client, participant, investigator).status_code == 403
    assert _hold(client, participant, investigator).status_code == 403
    assert client.get(_url(participant, "regimen"), headers=investigator).status_code == 200
    stranger = auth(token_for(make_staff("coordinator", sites=[make_site("NOP")])))
    assert _change(client, participant, stranger).status_code == 404
    assert client.get(_url(participant, "regimen"), headers=stranger).status_code == 404
