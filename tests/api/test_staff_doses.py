"""Staff read and record a participant's diary: /api/v1/participants/{id}/doses."""

from datetime import date

import pytest
from sqlalchemy import select

from diary.extensions import db
from diary.messaging.outbox import enqueue
from diary.models import AuditEvent, Message
from tests.api.dose_helpers import MY_DOSES, NOON_IN_SEOUL, taken
from tests.factories import auth, make_participant, make_site, make_staff, token_for

FROZEN_AT = NOON_IN_SEOUL
pytestmark = pytest.mark.usefixtures("clock")


@pytest.fixture
def patient(app_context):
    return make_participant(enrolled="2026-03-01")


def doses_of(participant) -> str:
    return f"/api/v1/participants/{participant.id}/doses"


def test_coordinator_records_on_the_participant_behalf_with_a_reason(client, patient):
    staff = make_staff("coordinator")
    body = dict(taken("2026-03-03"), reason="Read from the paper diary at the visit")
    response = client.post(doses_of(patient), json=body, headers=auth(token_for(staff)))
    assert response.status_code == 201
    entry = response.get_json()
    assert (entry["source"], entry["recorded_by_staff_id"]) == ("staff", staff.id)
    event = db.session.execute(
        select(AuditEvent).where(AuditEvent.participant_id == patient.id)).scalar_one()
    assert (event.actor_type, event.actor_id) == ("staff", staff.id)
    assert event.reason == "Read from the paper diary at the visit"
    again = client.post(doses_of(patient), json=body, headers=auth(token_for(staff)))
    assert (again.status_code, again.get_json()["id"]) == (200, entry["id"])


def test_staff_entry_without_a_reason_is_refused(client, patient):
    headers = auth(token_for(make_staff("coordinator")))
    response = client.post(doses_of(patient), json=taken(), headers=headers)
    assert response.status_code == 422
    assert "reason" in response.get_json()["errors"]


def test_investigator_may_read_but_not_record(client, patient):
    headers = auth(token_for(make_staff("investigator")))
    assert client.get(doses_of(patient), headers=headers).status_code == 200
    body = dict(taken(), reason="Visit")
    assert client.post(doses_of(patient), json=body, headers=headers).status_code == 403


def test_staff_see_every_version_with_history(client, patient):
    own = auth(token_for(patient))
    client.post(MY_DOSES, json=taken(), headers=own)
    client.post(MY_DOSES, json=taken(dose_mg=300, correction_reason="Typo"), headers=own)
    headers = auth(token_for(make_staff("investigator")))
    current = client.get(doses_of(patient), headers=headers).get_json()
    history = client.get(doses_of(patient) + "?history=true", headers=headers).get_json()
    assert [e["version"] for e in current] == [2]
    assert [e["version"] for e in history] == [1, 2]
    assert history[1]["recorded_by_staff_id"] is None


def test_staff_of_another_site_get_404(client, patient):
    elsewhere = make_staff("coordinator", sites=[make_site()])
    headers = auth(token_for(elsewhere))
    assert client.get(doses_of(patient), headers=headers).status_code == 404
    body = dict(taken(), reason="Visit")
    assert client.post(doses_of(patient), json=body, headers=headers).status_code == 404


def test_admin_sees_every_site(client, patient):
    admin = make_staff("admin", sites=[make_site()])
    assert client.get(doses_of(patient), headers=auth(token_for(admin))).status_code == 200


def test_unknown_participant_is_404(client, app_context):
    headers = auth(token_for(make_staff("coordinator")))
    assert client.get("/api/v1/participants/999999/doses", headers=headers).status_code == 404


def test_participant_token_cannot_read_another_participant_diary(client, patient):
    other = make_participant(enrolled="2026-03-01")
    client.post(MY_DOSES, json=taken(), headers=auth(token_for(other)))
    response = client.get(doses_of(other), headers=auth(token_for(patient)))
    assert response.status_code == 401
    mine = client.get(MY_DOSES, headers=auth(token_for(patient))).get_json()
    assert mine == []


def test_staff_entry_cancels_that_days_pending_reminder_and_follow_up(client, patient):
    def day_texts(day):
        return [enqueue(kind=kind, body="x", participant_id=patient.id,
                        local_date=date.fromisoformat(day))
                for kind in ("reminder", "follow_up")]

    today, tomorrow = day_texts("2026-03-05"), day_texts("2026-03-06")
    db.session.commit()
    staff = make_staff("coordinator")
    body = dict(taken("2026-03-05"), reason="Participant phoned the site")
    assert client.post(doses_of(patient), json=body,
                       headers=auth(token_for(staff))).status_code == 201

    statuses = dict(db.session.execute(
        select(Message.id, Message.status).execution_options(populate_existing=True)).all())
    assert [statuses[m.id] for m in today] == ["cancelled", "cancelled"]
    assert [statuses[m.id] for m in tomorrow] == ["pending", "pending"]
