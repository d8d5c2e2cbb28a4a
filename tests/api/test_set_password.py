"""A new staff member sets their own password with the one-time code an admin handed them."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from diary.extensions import db
from diary.models import AuditEvent, StaffUser
from tests.factories import auth, make_staff, token_for

SET_PASSWORD = "/api/v1/auth/set-password"
LOGIN = "/api/v1/auth/login"
STAFF_PAGE = "/api/v1/participants"
PASSWORD = "a long enough passphrase"
T0 = datetime(2026, 3, 10, 1, tzinfo=UTC)


FROZEN_AT = T0
pytestmark = pytest.mark.usefixtures("clock")


@pytest.fixture
def admin_headers(site):
    return auth(token_for(make_staff("admin", sites=[])))


@pytest.fixture
def new_member(client, admin_headers):
    body = {"email": "new@example.org", "role": "coordinator", "sites": ["SEV"]}
    response = client.post("/api/v1/staff", json=body, headers=admin_headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _set(client, code, password=PASSWORD):
    return client.post(SET_PASSWORD, json={"code": code, "password": password})


def _login(client, password=PASSWORD):
    return client.post(LOGIN, json={"email": "new@example.org", "password": password})


def test_the_code_sets_a_password_the_member_then_signs_in_with(client, new_member):
    assert _login(client).status_code == 401  # no password yet
    response = _set(client, new_member["set_password_code"]["code"])
    assert response.status_code == 204
    assert _login(client).status_code == 200
    staff = db.session.get(StaffUser, new_member["id"])
    assert staff.password_hash.startswith("$argon2id$")


def test_the_code_forgives_case_and_missing_dashes(client, new_member):
    code = new_member["set_password_code"]["code"].replace("-", "").lower()
    assert _set(client, code).status_code == 204


def test_the_code_works_once(client, new_member):
    code = new_member["set_password_code"]["code"]
    assert _set(client, code).status_code == 204
    again = _set(client, code, "someone else's password")
    assert again.status_code == 401
    assert _login(client).status_code == 200
    assert _login(client, "someone else's password").status_code == 401


def test_the_code_expires_after_the_configured_hours(client, new_member, clock):
    assert new_member["set_password_code"]["expires_at"] == "2026-03-11T01:00:00+00:00"
    clock.move_to(T0 + timedelta(hours=24, seconds=1))
    assert _set(client, new_member["set_password_code"]["code"]).status_code == 401


def test_a_password_breaking_the_rules_is_422_and_leaves_the_code_usable(client, new_member):
    code = new_member["set_password_code"]["code"]
    short = _set(client, code, "too short")
    assert short.status_code == 422
    assert short.get_json()["errors"]["password"] == ["At least 12 characters."]
    assert _set(client, code).status_code == 204


def test_unknown_codes_get_the_one_answer(client, new_member):
    response = _set(client, "AAAA-BBBB-CCCC-DDDD")
    assert response.status_code == 401
    assert set(response.get_json()) == {"code", "status", "message", "errors"}


def test_setting_the_password_ends_every_session(client, site, admin_headers):
    staff = make_staff(email="forgot@example.org")
    token = token_for(staff)
    code = client.post(f"/api/v1/staff/{staff.id}/set-password-code",
                       headers=admin_headers).get_json()["code"]
    assert _set(client, code).status_code == 204
    assert client.get(STAFF_PAGE, headers=auth(token)).status_code == 401
    login = client.post(LOGIN, json={"email": "forgot@example.org", "password": PASSWORD})
    assert login.status_code == 200


def test_setting_the_password_is_audited_by_the_member_without_the_password(
        client, new_member):
    _set(client, new_member["set_password_code"]["code"])
    (event_,) = db.session.execute(
        select(AuditEvent).where(AuditEvent.action == "staff.password_set")
    ).scalars().all()
    assert (event_.actor_type, event_.actor_id) == ("staff", new_member["id"])
    assert PASSWORD not in str(event_.after)
    assert "hash" not in str(event_.after)


def test_unknown_fields_are_refused(client, new_member):
    body = {"code": new_member["set_password_code"]["code"], "password": PASSWORD,
            "email": "new@example.org"}
    assert client.post(SET_PASSWORD, json=body).status_code == 422
