"""Linking a participant's phone with a one-time activation code."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from api.auth import authenticate_participant
from diary.errors import Unauthorized
from diary.extensions import db
from diary.models import AccessToken, ActivationCode, AuditEvent
from diary.tokens import normalise_activation_code
from tests.factories import auth, make_participant, make_site, make_staff, token_for

ACTIVATE = "/api/v1/auth/activate"
START = datetime(2026, 3, 1, 0, tzinfo=UTC)


@pytest.fixture
def headers(site):
    return auth(token_for(make_staff("coordinator", sites=[site])))


@pytest.fixture
def participant(site):
    return make_participant(site=site, enrolled="2026-03-01")


def _code_url(participant):
    return f"/api/v1/participants/{participant.id}/activation-code"


def _issue(client, participant, headers):
    response = client.post(_code_url(participant), headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _device_token_works(app, token) -> bool:
    with app.test_request_context(headers=auth(token)):
        try:
            authenticate_participant()
        except Unauthorized:
            return False
        return True


def test_code_is_short_typeable_and_stored_only_as_a_digest(client, participant, headers):
    with time_machine.travel(START, tick=False):
        issued = _issue(client, participant, headers)
    assert len(issued["code"]) == 9 and issued["code"][4] == "-"
    assert issued["expires_at"] == "2026-03-04T00:00:00+00:00"  # 72 hours
    row = db.session.execute(select(ActivationCode)).scalar_one()
    assert issued["code"] not in row.code_hash
    assert normalise_activation_code(issued["code"]) not in row.code_hash


def test_activation_gives_a_device_token_and_the_participant(app, client, participant,
                                                              headers):
    with time_machine.travel(START, tick=False):
        code = _issue(client, participant, headers)["code"]
        response = client.post(ACTIVATE, json={"code": code.lower().replace("-", " ")})
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        assert _device_token_works(app, body["access_token"])
    assert body["expires_at"] == "2027-03-01T00:00:00+00:00"  # 365 days
    assert body["participant"]["id"] == participant.id
    assert body["participant"]["study_day"] == 1
    assert "phone" not in body["participant"]
    token = db.session.execute(
        select(AccessToken).where(AccessToken.participant_id == participant.id)
    ).scalar_one()
    assert token.kind == "device"


def test_a_code_works_only_once(client, participant, headers):
    code = _issue(client, participant, headers)["code"]
    assert client.post(ACTIVATE, json={"code": code}).status_code == 200
    again = client.post(ACTIVATE, json={"code": code})
    assert again.status_code == 401
    assert set(again.get_json()) == {"code", "status", "message", "errors"}


def test_an_expired_code_is_refused_and_changes_nothing(client, participant, headers):
    with time_machine.travel(START, tick=False):
        code = _issue(client, participant, headers)["code"]
    with time_machine.travel(START + timedelta(hours=72, seconds=1), tick=False):
        response = client.post(ACTIVATE, json={"code": code})
    assert response.status_code == 401
    assert db.session.execute(select(ActivationCode.used_at)).scalar_one() is None
    assert db.session.execute(select(AccessToken.id).where(
        AccessToken.participant_id == participant.id)).first() is None


def test_an_unknown_code_gets_the_same_401_as_a_used_one(client, participant, headers):
    code = _issue(client, participant, headers)["code"]
    client.post(ACTIVATE, json={"code": code})
    used = client.post(ACTIVATE, json={"code": code})
    unknown = client.post(ACTIVATE, json={"code": "ZZZZ-ZZZZ"})
    assert unknown.status_code == used.status_code == 401
    assert unknown.get_json() == used.get_json()


def test_a_new_code_makes_the_earlier_unused_one_stop_working(client, participant, headers):
    first = _issue(client, participant, headers)["code"]
    second = _issue(client, participant, headers)["code"]
    assert client.post(ACTIVATE, json={"code": first}).status_code == 401
    assert client.post(ACTIVATE, json={"code": second}).status_code == 200


def test_a_new_activation_revokes_the_previous_phone(app, client, participant, headers):
    old = client.post(ACTIVATE, json={"code": _issue(client, participant, headers)["code"]})
    new = client.post(ACTIVATE, json={"code": _issue(client, participant, headers)["code"]})
    assert not _device_token_works(app, old.get_json()["access_token"])
    assert _device_token_works(app, new.get_json()["access_token"])


def test_a_withdrawn_participant_gets_no_code_and_cannot_use_an_old_one(
        client, participant, headers):
    code = _issue(client, participant, headers)["code"]
    client.patch(f"/api/v1/participants/{participant.id}",
                 json={"status": "withdrawn", "reason": "Consent withdrawn"}, headers=headers)
    assert client.post(ACTIVATE, json={"code": code}).status_code == 401
    assert client.post(_code_url(participant), headers=headers).status_code == 409


def test_issuing_and_activating_are_audited_without_the_code(client, participant, headers):
    code = _issue(client, participant, headers)["code"]
    client.post(ACTIVATE, json={"code": code})
    events = db.session.execute(
        select(AuditEvent).where(AuditEvent.participant_id == participant.id)
        .order_by(AuditEvent.id)
    ).scalars().all()
    assert [(e.action, e.actor_type) for e in events] == [
        ("activation_code.issued", "staff"), ("device.activated", "participant")]
    assert all(normalise_activation_code(code) not in str(e.after) for e in events)


def test_codes_are_for_coordinators_of_the_participants_site(client, participant, site):
    investigator = auth(token_for(make_staff("investigator", sites=[site])))
    assert client.post(_code_url(participant), headers=investigator).status_code == 403
    elsewhere = auth(token_for(make_staff("coordinator", sites=[make_site("ZZZ")])))
    assert client.post(_code_url(participant), headers=elsewhere).status_code == 404


def test_activation_with_no_code_is_422(client):
    response = client.post(ACTIVATE, json={})
    assert response.status_code == 422
    assert "code" in response.get_json()["errors"]


def test_a_device_token_stops_working_when_it_expires(app, client, participant, headers):
    with time_machine.travel(START, tick=False):
        code = _issue(client, participant, headers)["code"]
        token = client.post(ACTIVATE, json={"code": code}).get_json()["access_token"]
    # DIARY_DEVICE_TOKEN_DAYS = 365
    with time_machine.travel(START + timedelta(days=365, seconds=-1), tick=False):
        assert client.get("/api/v1/me", headers=auth(token)).status_code == 200
    with time_machine.travel(START + timedelta(days=365, seconds=1), tick=False):
        assert client.get("/api/v1/me", headers=auth(token)).status_code == 401


def test_a_code_works_until_72_hours_after_issue(client, participant, headers):
    with time_machine.travel(START, tick=False):
        code = _issue(client, participant, headers)["code"]
    with time_machine.travel(START + timedelta(hours=71, minutes=59), tick=False):
        assert client.post(ACTIVATE, json={"code": code}).status_code == 200


def test_codes_use_only_unambiguous_characters(client, participant, headers):
    codes = [_issue(client, participant, headers)["code"] for _ in range(20)]
    letters = {c for code in codes for c in code.replace("-", "")}
    assert letters <= set("0123456789ABCDEFGHJKMNPQRSTVWXYZ")
    assert len(set(codes)) == len(codes)
