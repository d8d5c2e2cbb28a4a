"""A participant's audit trail: readable by staff of the site, never changeable."""

import json

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from diary.actor import Actor
from diary.extensions import db
from diary.models import AuditEvent
from diary.operations.audit import record_audit
from tests.conftest import TEST_DATABASE_URL
from tests.factories import auth, make_participant, make_site, make_staff, token_for


def _enrol(client, site, headers):
    response = client.post("/api/v1/participants", headers=headers, json={
        "study_code": "S01-301", "site_id": site.id, "enrolled_on": "2026-03-01"})
    assert response.status_code == 201
    return response.get_json()["id"]


def test_audit_trail_lists_changes_newest_first_with_who_and_why(client, site, headers,
                                                                  coordinator):
    participant_id = _enrol(client, site, headers)
    client.patch(f"/api/v1/participants/{participant_id}",
                 json={"locale": "en", "reason": "Prefers English"}, headers=headers)
    response = client.get(f"/api/v1/participants/{participant_id}/audit", headers=headers)
    assert response.status_code == 200
    events = response.get_json()
    assert [e["action"] for e in events] == [
        "participant.updated", "prescribed_dose.created", "participant.enrolled"]
    newest = events[0]
    assert (newest["actor_type"], newest["actor_id"]) == ("staff", coordinator.id)
    assert (newest["before"], newest["after"]) == ({"locale": "ko"}, {"locale": "en"})
    assert newest["reason"] == "Prefers English"
    assert newest["occurred_at"].endswith("+00:00")


def test_each_event_names_the_entity_and_the_request_that_made_it(client, site, headers):
    response = client.post("/api/v1/participants", headers={**headers, "X-Request-Id": "req-42"},
                           json={"study_code": "S01-302", "site_id": site.id,
                                 "enrolled_on": "2026-03-01"})
    assert response.headers["X-Request-Id"] == "req-42"
    participant_id = response.get_json()["id"]
    events = client.get(f"/api/v1/participants/{participant_id}/audit",
                        headers=headers).get_json()
    enrolled = next(e for e in events if e["action"] == "participant.enrolled")
    assert (enrolled["entity_type"], enrolled["entity_id"]) == ("participant", participant_id)
    assert enrolled["request_id"] == "req-42"
    assert enrolled["before"] is None
    assert enrolled["after"]["study_code"] == "S01-302"
    starting = next(e for e in events if e["action"] == "prescribed_dose.created")
    assert starting["entity_type"] == "prescribed_dose"
    assert {e["request_id"] for e in events} == {"req-42"}


def test_audit_trail_is_paginated(client, site, headers):
    participant_id = _enrol(client, site, headers)
    response = client.get(f"/api/v1/participants/{participant_id}/audit",
                          query_string={"page_size": 1, "page": 2}, headers=headers)
    assert [e["action"] for e in response.get_json()] == ["participant.enrolled"]
    assert json.loads(response.headers["X-Pagination"])["total"] == 2


def test_investigators_read_the_trail_but_other_sites_get_404(client, site):
    participant = make_participant(site=site)
    investigator = auth(token_for(make_staff("investigator", sites=[site])))
    stranger = auth(token_for(make_staff("coordinator", sites=[make_site("AUD")])))
    url = f"/api/v1/participants/{participant.id}/audit"
    assert client.get(url, headers=investigator).status_code == 200
    assert client.get(url, headers=stranger).status_code == 404


def test_no_route_changes_or_deletes_audit_events(client, site, headers):
    participant_id = _enrol(client, site, headers)
    url = f"/api/v1/participants/{participant_id}/audit"
    for method in (client.put, client.patch, client.delete, client.post):
        assert method(url, json={}, headers=headers).status_code == 405


@pytest.mark.skipif(not TEST_DATABASE_URL,
                    reason="the append-only trigger exists only on PostgreSQL")
@pytest.mark.parametrize("statement", [
    "UPDATE audit_event SET reason = 'rewritten' WHERE id = :id",
    "DELETE FROM audit_event WHERE id = :id",
    "TRUNCATE audit_event",
])
def test_database_refuses_to_alter_the_audit_trail(site, statement):
    participant = make_participant(site=site)
    record_audit(Actor.system(), "test.recorded", participant, participant_id=participant.id)
    db.session.commit()
    event = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "test.recorded")).one()
    with pytest.raises(sa.exc.DBAPIError, match="append-only"), db.session.begin_nested():
        db.session.execute(sa.text(statement), {"id": event.id})
    assert db.session.execute(
        select(AuditEvent.reason).where(AuditEvent.id == event.id)).one() == (None,)


def test_audited_amounts_keep_their_json_type_and_digits(client, site, headers):
    participant_id = _enrol(client, site, headers)
    client.post(f"/api/v1/participants/{participant_id}/dose-changes", headers=headers,
                json={"effective_from": "2026-03-15", "dose_mg": 312.5, "reason": "Toxicity"})
    events = client.get(f"/api/v1/participants/{participant_id}/audit",
                        headers=headers).get_json()
    amounts = [e["after"]["dose_mg"] for e in events if e["entity_type"] == "prescribed_dose"
               and e["action"] == "prescribed_dose.created"]
    assert amounts == [312.5, 400]
    assert [type(amount) for amount in amounts] == [float, int]
