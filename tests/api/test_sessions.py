"""Staff sign-in and sign-out, and the create-admin command."""

from datetime import UTC, datetime, timedelta

import pyotp
import time_machine
from sqlalchemy import select

from diary.clock import utcnow
from diary.extensions import db
from diary.models import AccessToken, AuditEvent, StaffUser
from diary.rules.second_factor import code_at, time_step
from diary.tokens import token_digest
from tests.factories import PASSWORD, auth, make_staff, token_for

LOGIN = "/api/v1/auth/login"
LOGOUT = "/api/v1/auth/logout"
A_STAFF_ONLY_PAGE = "/api/v1/participants"


def _login(client, email, password=PASSWORD):
    return client.post(LOGIN, json={"email": email, "password": password})


def test_login_returns_a_token_that_opens_staff_pages(client, site):
    staff = make_staff("coordinator", email="kim@example.org")
    with time_machine.travel(datetime(2026, 3, 1, 9, tzinfo=UTC), tick=False):
        response = _login(client, "Kim@Example.org ")
        assert response.status_code == 200
        body = response.get_json()
        listing = client.get(A_STAFF_ONLY_PAGE, headers=auth(body["access_token"]))
    assert body["expires_at"] == "2026-03-01T21:00:00+00:00"  # DIARY_STAFF_TOKEN_HOURS = 12
    assert listing.status_code == 200
    row = db.session.execute(
        select(AccessToken).where(AccessToken.token_sha256 == token_digest(body["access_token"]))
    ).scalar_one()
    assert (row.kind, row.staff_user_id) == ("staff", staff.id)


def test_login_token_expires_after_the_configured_hours(client, site):
    make_staff(email="lee@example.org")
    start = datetime(2026, 3, 1, 9, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        token = _login(client, "lee@example.org").get_json()["access_token"]
    with time_machine.travel(start + timedelta(hours=11, minutes=59), tick=False):
        assert client.get(A_STAFF_ONLY_PAGE, headers=auth(token)).status_code == 200
    with time_machine.travel(start + timedelta(hours=12, seconds=1), tick=False):
        assert client.get(A_STAFF_ONLY_PAGE, headers=auth(token)).status_code == 401


def test_wrong_password_and_unknown_email_get_the_same_401(client, site):
    make_staff(email="park@example.org")
    wrong_password = _login(client, "park@example.org", "not the password")
    unknown_email = _login(client, "nobody@example.org")
    assert wrong_password.status_code == unknown_email.status_code == 401
    assert wrong_password.get_json() == unknown_email.get_json()
    assert set(wrong_password.get_json()) == {"code", "status", "message", "errors"}


def test_inactive_staff_cannot_sign_in(client, site):
    make_staff(email="gone@example.org", active=False)
    response = _login(client, "gone@example.org")
    assert response.status_code == 401
    assert response.get_json() == _login(client, "nobody@example.org").get_json()


def test_login_issues_no_token_on_failure(client, site):
    make_staff(email="choi@example.org")
    before = db.session.execute(select(AccessToken.id)).all()
    _login(client, "choi@example.org", "wrong")
    assert db.session.execute(select(AccessToken.id)).all() == before


def test_login_without_password_is_422(client):
    response = client.post(LOGIN, json={"email": "a@example.org"})
    assert response.status_code == 422
    assert "password" in response.get_json()["errors"]


def test_logout_revokes_the_presented_token_only(client, site):
    staff = make_staff()
    token, other = token_for(staff), token_for(staff)
    response = client.post(LOGOUT, headers=auth(token))
    assert response.status_code == 204
    assert client.get(A_STAFF_ONLY_PAGE, headers=auth(token)).status_code == 401
    assert client.post(LOGOUT, headers=auth(token)).status_code == 401
    assert client.get(A_STAFF_ONLY_PAGE, headers=auth(other)).status_code == 200


def test_logout_without_a_token_is_401(client):
    response = client.post(LOGOUT)
    assert response.status_code == 401
    assert response.get_json()["code"] == 401


def test_create_admin_makes_an_admin_who_can_sign_in_and_see_all_sites(app, client, monkeypatch):
    monkeypatch.setenv("DIARY_ADMIN_PASSWORD", "a long admin password")
    result = app.test_cli_runner().invoke(args=["create-admin", "--email", "Boss@Example.org"])
    assert result.exit_code == 0, result.output
    assert "boss@example.org" in result.output
    admin = db.session.execute(
        select(StaffUser).where(StaffUser.email == "boss@example.org")
    ).scalar_one()
    assert admin.role == "admin"
    assert admin.password_hash.startswith("$argon2id$")
    assert "a long admin password" not in admin.password_hash
    # The second factor is set up at once; its URI is printed this once.
    (uri,) = [line for line in result.output.splitlines() if line.startswith("otpauth://")]
    assert admin.totp_secret in uri and admin.has_second_factor
    assert _login(client, "boss@example.org", "a long admin password").status_code == 401
    response = client.post(LOGIN, json={
        "email": "boss@example.org", "password": "a long admin password",
        "totp_code": code_at(pyotp.parse_uri(uri).secret, time_step(utcnow()))})
    assert response.status_code == 200
    assert response.get_json()["scope"] == "full"


def test_create_admin_prompts_for_the_password_twice(app, client, monkeypatch):
    monkeypatch.delenv("DIARY_ADMIN_PASSWORD", raising=False)
    password = "typed at the prompt!"
    result = app.test_cli_runner().invoke(
        args=["create-admin", "--email", "prompt@example.org"],
        input=f"{password}\n{password}\n",
    )
    assert result.exit_code == 0, result.output
    assert password not in result.output
    # The password is right: what is missing is the second factor's code.
    refused = _login(client, "prompt@example.org", password)
    assert refused.status_code == 401
    assert "totp_code" in refused.get_json()["errors"]


def test_create_admin_refuses_an_existing_email(app, site, monkeypatch):
    make_staff(email="taken@example.org")
    monkeypatch.setenv("DIARY_ADMIN_PASSWORD", "a long admin password")
    result = app.test_cli_runner().invoke(args=["create-admin", "--email", "taken@example.org"])
    assert result.exit_code != 0
    assert "already exists" in result.output
    staff = db.session.execute(
        select(StaffUser).where(StaffUser.email == "taken@example.org")
    ).scalar_one()
    assert staff.role == "coordinator"


def test_create_admin_reset_password_changes_it_and_ends_sessions(app, client, site, monkeypatch):
    staff = make_staff(email="forgot@example.org")
    old_token = token_for(staff)
    monkeypatch.setenv("DIARY_ADMIN_PASSWORD", "a brand new password")
    result = app.test_cli_runner().invoke(
        args=["create-admin", "--email", "forgot@example.org", "--reset-password"]
    )
    assert result.exit_code == 0, result.output
    assert _login(client, "forgot@example.org").status_code == 401
    assert _login(client, "forgot@example.org", "a brand new password").status_code == 200
    assert client.get(A_STAFF_ONLY_PAGE, headers=auth(old_token)).status_code == 401


def test_create_admin_refuses_a_short_password(app, monkeypatch):
    monkeypatch.setenv("DIARY_ADMIN_PASSWORD", "short")
    result = app.test_cli_runner().invoke(args=["create-admin", "--email", "x@example.org"])
    assert result.exit_code != 0
    assert "12" in result.output


def test_create_admin_is_audited_as_the_system_without_the_password(app, monkeypatch):
    monkeypatch.setenv("DIARY_ADMIN_PASSWORD", "a long admin password")
    result = app.test_cli_runner().invoke(args=["create-admin", "--email", "first@example.org"])
    assert result.exit_code == 0, result.output
    admin = db.session.execute(
        select(StaffUser).where(StaffUser.email == "first@example.org")).scalar_one()
    (event_,) = db.session.execute(
        select(AuditEvent).where(AuditEvent.action == "staff.created",
                                 AuditEvent.entity_id == admin.id)
    ).scalars().all()
    assert (event_.actor_type, event_.actor_id) == ("system", None)
    assert event_.reason == "diary create-admin"
    assert (event_.after["email"], event_.after["role"]) == ("first@example.org", "admin")
    assert "a long admin password" not in str(event_.after)
    assert admin.password_hash not in str(event_.after)


def test_create_admin_reset_password_is_audited(app, site, monkeypatch):
    staff = make_staff(email="again@example.org")
    token_for(staff)
    monkeypatch.setenv("DIARY_ADMIN_PASSWORD", "a brand new password")
    app.test_cli_runner().invoke(
        args=["create-admin", "--email", "again@example.org", "--reset-password"])
    (event_,) = db.session.execute(
        select(AuditEvent).where(AuditEvent.action == "staff.password_set",
                                 AuditEvent.entity_id == staff.id)
    ).scalars().all()
    assert event_.actor_type == "system"
    assert event_.after == {"sessions_revoked": 1}
