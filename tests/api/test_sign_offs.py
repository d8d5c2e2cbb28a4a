"""An investigator signs off a participant's data: POST/GET /api/v1/participants/{id}/sign-offs."""

import pytest
from sqlalchemy import select

from diary.extensions import db
from diary.models import AuditEvent, SignOff
from tests.api.dose_helpers import MY_DOSES, NOON_IN_SEOUL, taken
from tests.api.record_helpers import world_with_a_record
from tests.factories import PASSWORD, auth, make_site, make_staff, token_for, totp_code

FROZEN_AT = NOON_IN_SEOUL
pytestmark = pytest.mark.usefixtures("clock")


def approve(step: int = 0) -> dict:
    """The body of a sign-off: the password and a TOTP code entered again (a later step
    for a second signature: a code is spent once)."""
    return {"password": PASSWORD, "second_factor_code": totp_code(steps_from_now=step),
            "meaning": "reviewed and approved"}


@pytest.fixture
def world(client, site):
    return world_with_a_record(client, site)


def url(world) -> str:
    return f"/api/v1/participants/{world.participant.id}/sign-offs"


def listed(client, world) -> list[dict]:
    response = client.get(url(world), headers=world.signer)
    assert response.status_code == 200
    return response.get_json()


def test_a_sign_off_shows_the_printed_name_the_instant_and_the_meaning(client, world):
    response = client.post(url(world), json=approve(), headers=world.signer)
    assert response.status_code == 201, response.get_json()
    signed = response.get_json()
    assert signed["printed_name"] == "Dr. Lee Seo-yeon"
    assert signed["meaning"] == "reviewed and approved"
    assert signed["signed_at"] == "2026-03-05T03:00:00+00:00"
    assert signed["staff_user_id"] == world.investigator.id
    assert len(signed["data_sha256"]) == 64 and signed["current"] is True
    assert "password" not in signed
    assert listed(client, world) == [signed]
    event = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "participant.signed_off")).one()
    assert (event.participant_id, event.actor_id) == (world.participant.id,
                                                       world.investigator.id)
    assert event.after["data_sha256"] == signed["data_sha256"]
    assert PASSWORD not in str(event.after)


def test_a_later_change_to_the_data_shows_the_sign_off_outdated(client, world):
    first = client.post(url(world), json=approve(), headers=world.signer).get_json()
    assert client.post(MY_DOSES, json=taken("2026-03-05"),
                       headers=world.device).status_code == 201
    assert [s["current"] for s in listed(client, world)] == [False]
    second = client.post(url(world), json=approve(1), headers=world.signer).get_json()
    assert second["data_sha256"] != first["data_sha256"]
    assert [s["current"] for s in listed(client, world)] == [False, True]


def test_a_correction_outdates_it_too_but_a_reminder_time_does_not(client, world, site):
    client.post(url(world), json=approve(), headers=world.signer)
    participant = f"/api/v1/participants/{world.participant.id}"
    coordinator = auth(token_for(make_staff("coordinator", sites=[site])))
    assert client.patch(participant, headers=coordinator, json={
        "reminder_time": "20:00", "reason": "Evening suits them"}).status_code == 200
    assert [s["current"] for s in listed(client, world)] == [True]
    assert client.post(MY_DOSES, json=taken("2026-03-04", dose_mg=400,
                                            correction_reason="It was 400 after all"),
                       headers=world.device).status_code == 201
    assert [s["current"] for s in listed(client, world)] == [False]


def test_a_signature_without_the_second_factor_is_refused_and_stores_nothing(client, world):
    body = {key: value for key, value in approve().items() if key != "second_factor_code"}
    response = client.post(url(world), json=body, headers=world.signer)
    assert response.status_code == 403
    assert "second_factor_code" in response.get_json()["errors"]
    assert db.session.scalars(select(SignOff)).all() == []


def test_a_second_factor_code_signs_once(client, world):
    body = approve()
    assert client.post(url(world), json=body, headers=world.signer).status_code == 201
    replayed = client.post(url(world), json=body, headers=world.signer)
    assert replayed.status_code == 403
    assert "second_factor_code" in replayed.get_json()["errors"]
    assert len(listed(client, world)) == 1


def test_an_investigator_without_a_second_factor_cannot_sign(client, world, site):
    plain = make_staff("investigator", sites=[site])
    plain.display_name = "Dr. Park"
    response = client.post(url(world), json=approve(), headers=auth(token_for(plain)))
    assert response.status_code == 403
    assert "second_factor_code" in response.get_json()["errors"]


def test_a_wrong_password_is_refused_counted_and_stores_nothing(client, world):
    response = client.post(url(world), json={**approve(), "password": "not my password"},
                           headers=world.signer)
    assert response.status_code == 403
    body = response.get_json()
    assert "password" in body["errors"] and "wrong" in body["message"]
    assert db.session.scalars(select(SignOff)).all() == []
    db.session.refresh(world.investigator)
    assert world.investigator.failed_sign_ins == 1
    assert "staff.reauthentication_failed" in db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.entity_id == world.investigator.id,
                                        AuditEvent.entity_type == "staff_user")).all()


def test_five_wrong_passwords_lock_the_account_for_sign_in_and_signing(client, world):
    wrong = {**approve(), "password": "not my password"}
    for _ in range(5):
        assert client.post(url(world), json=wrong, headers=world.signer).status_code == 403
    assert client.post(url(world), json=approve(), headers=world.signer).status_code == 403
    assert client.post("/api/v1/auth/login", json={
        "email": world.investigator.email, "password": PASSWORD}).status_code == 401


def test_only_an_investigator_with_a_printed_name_signs(client, world, site):
    coordinator = auth(token_for(make_staff("coordinator", sites=[site])))
    assert client.post(url(world), json=approve(), headers=coordinator).status_code == 403
    nameless = auth(token_for(make_staff("investigator", sites=[site])))
    response = client.post(url(world), json=approve(), headers=nameless)
    assert response.status_code == 409
    assert "display_name" in response.get_json()["errors"]
    stranger = auth(token_for(make_staff("investigator", sites=[make_site("SGN")])))
    assert client.post(url(world), json=approve(), headers=stranger).status_code == 404
    assert client.get(url(world), headers=stranger).status_code == 404
    assert client.get(url(world), headers=coordinator).status_code == 200


@pytest.mark.parametrize("body", [
    {"password": PASSWORD, "meaning": "looks fine"},
    {"password": PASSWORD},
    {"meaning": "reviewed"},
    {**approve(), "printed_name": "Someone Else"},
])
def test_a_sign_off_without_its_parts_is_422(client, world, body):
    assert client.post(url(world), json=body, headers=world.signer).status_code == 422
    assert db.session.scalars(select(SignOff)).all() == []


def test_an_admin_sets_the_printed_name(client, site):
    admin = auth(token_for(make_staff("admin", sites=[])))
    investigator = make_staff("investigator", sites=[site])
    response = client.patch(f"/api/v1/staff/{investigator.id}", headers=admin, json={
        "display_name": "  Park   Ji-ho ", "reason": "For signatures"})
    assert response.status_code == 200
    assert response.get_json()["display_name"] == "Park Ji-ho"
