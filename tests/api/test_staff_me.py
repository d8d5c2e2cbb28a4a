"""Every staff member edits their own phone, texts' language, alerts and password."""

import pytest
from sqlalchemy import select

from diary.extensions import db
from diary.models import AuditEvent, StaffUser
from diary.phone_keys import phone_lookup
from tests.factories import PASSWORD, auth, make_staff, token_for

ME = "/api/v1/staff/me"
STAFF_PAGE = "/api/v1/participants"
NEW_PASSWORD = "an even longer passphrase"


@pytest.fixture
def me(site):
    return make_staff("investigator", email="me@example.org", phone="+821099990001")


@pytest.fixture
def token(me):
    return token_for(me)


def test_staff_read_their_own_account(client, me, token):
    response = client.get(ME, headers=auth(token))
    assert response.status_code == 200
    body = response.get_json()
    assert (body["id"], body["email"], body["sites"]) == (me.id, "me@example.org", ["SEV"])
    assert body["password_set"] is True


def test_staff_change_their_phone_language_and_alerts_and_it_is_audited(client, me, token):
    response = client.patch(ME, json={"phone": "010-9999-0002", "locale": "ko",
                                      "alerts_enabled": False}, headers=auth(token))
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["phone"], body["locale"], body["alerts_enabled"]) == (
        "+821099990002", "ko", False)
    (event_,) = db.session.execute(
        select(AuditEvent).where(AuditEvent.action == "staff.updated")).scalars().all()
    assert (event_.actor_id, event_.entity_id) == (me.id, me.id)
    assert event_.after == {"phone_e164": f"…0002 #{phone_lookup('+821099990002')[:8]}",
                            "locale": "ko", "alerts_enabled": False}


@pytest.mark.parametrize("field", ["role", "sites", "active", "email"])
def test_staff_cannot_change_what_only_an_admin_may(client, me, token, field):
    value = {"role": "admin", "sites": [], "active": True, "email": "x@example.org"}[field]
    response = client.patch(ME, json={field: value}, headers=auth(token))
    assert response.status_code == 422
    assert field in response.get_json()["errors"]


def test_a_bad_phone_or_language_is_422_and_changes_nothing(client, me, token):
    for changes in ({"phone": "02-123-4567"}, {"locale": "fr"}):
        response = client.patch(ME, json=changes, headers=auth(token))
        assert response.status_code == 422
        assert set(changes) <= set(response.get_json()["errors"])
    staff = db.session.get(StaffUser, me.id)
    assert (staff.phone_e164, staff.locale) == ("+821099990001", "en")


def test_a_new_password_needs_the_current_one(client, me, token):
    response = client.patch(ME, json={"password": NEW_PASSWORD}, headers=auth(token))
    assert response.status_code == 422
    assert "current_password" in response.get_json()["errors"]


def test_a_wrong_current_password_is_422_and_changes_nothing(client, me, token):
    response = client.patch(ME, json={"password": NEW_PASSWORD, "phone": None,
                                      "current_password": "not my password"},
                            headers=auth(token))
    assert response.status_code == 422
    assert "current_password" in response.get_json()["errors"]
    staff = db.session.get(StaffUser, me.id)
    assert staff.phone_e164 == "+821099990001"
    login = {"email": "me@example.org", "password": PASSWORD}
    assert client.post("/api/v1/auth/login", json=login).status_code == 200


def test_a_new_password_breaking_the_rules_is_422(client, me, token):
    response = client.patch(ME, json={"password": "short", "current_password": PASSWORD},
                            headers=auth(token))
    assert response.status_code == 422
    assert "password" in response.get_json()["errors"]


def test_a_password_change_signs_out_the_other_sessions_only(client, me, token):
    other = token_for(me)
    response = client.patch(ME, json={"password": NEW_PASSWORD, "current_password": PASSWORD},
                            headers=auth(token))
    assert response.status_code == 200, response.get_json()
    assert client.get(STAFF_PAGE, headers=auth(token)).status_code == 200
    assert client.get(STAFF_PAGE, headers=auth(other)).status_code == 401
    login = {"email": "me@example.org", "password": NEW_PASSWORD}
    assert client.post("/api/v1/auth/login", json=login).status_code == 200
    (event_,) = db.session.execute(
        select(AuditEvent).where(AuditEvent.action == "staff.password_changed")
    ).scalars().all()
    assert event_.after == {"other_sessions_revoked": 1}


def test_own_account_needs_a_staff_token(client):
    assert client.get(ME).status_code == 401
