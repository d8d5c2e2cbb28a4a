"""Staff second factor: set up at first sign-in, asked at every sign-in, reset by an admin."""

from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from sqlalchemy import select

from diary.errors import Forbidden, Unauthorized
from diary.extensions import db
from diary.models import AccessToken, AuditEvent, RecoveryCode, StaffUser
from diary.operations.sessions import confirm_identity
from diary.tokens import token_digest
from tests.factories import PASSWORD, auth, make_staff, token_for, totp_code

FROZEN_AT = datetime(2026, 3, 10, 1, 0, 10, tzinfo=UTC)
pytestmark = pytest.mark.usefixtures("clock")
LOGIN = "/api/v1/auth/login"
ENROL = "/api/v1/auth/second-factor"
CONFIRM = "/api/v1/auth/second-factor/confirm"
A_STAFF_PAGE = "/api/v1/participants"


def sign_in(client, staff, **factor):
    return client.post(LOGIN, json={"email": staff.email, "password": PASSWORD, **factor})


def actions(staff) -> list[str]:
    return list(db.session.execute(
        select(AuditEvent.action).where(AuditEvent.entity_type == "staff_user",
                                        AuditEvent.entity_id == staff.id)
        .order_by(AuditEvent.id)).scalars())


def enrol(client, token) -> tuple[str, dict]:
    """Start an enrolment with ``token``; return the new secret and the answer's body."""
    started = client.post(ENROL, headers=auth(token))
    assert started.status_code == 201, started.get_json()
    body = started.get_json()
    return pyotp.parse_uri(body["provisioning_uri"]).secret, body


@pytest.mark.parametrize("role", ["admin", "investigator"])
def test_first_sign_in_without_a_factor_gets_a_token_only_for_enrolment(client, site, role):
    staff = make_staff(role)
    answer = sign_in(client, staff)
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["scope"] == "enrol"
    assert body["expires_at"] == "2026-03-10T01:15:10+00:00"  # 15 minutes
    refused = client.get(A_STAFF_PAGE, headers=auth(body["access_token"]))
    assert refused.status_code == 403
    assert "second factor" in refused.get_json()["message"]


def test_enrolment_gives_a_uri_a_local_svg_qr_code_and_confirmation_gives_recovery_codes(
        client, site, clock):
    staff = make_staff("admin")
    enrolment_token = sign_in(client, staff).get_json()["access_token"]
    secret, body = enrol(client, enrolment_token)
    assert body["provisioning_uri"].startswith("otpauth://totp/")
    assert staff.email.replace("@", "%40") in body["provisioning_uri"]
    assert body["secret"] == secret
    # Drawn here: an SVG of paths, loading nothing from anywhere.
    assert body["qr_svg"].startswith("<svg") and "<path" in body["qr_svg"]
    assert "href" not in body["qr_svg"]

    wrong = client.post(CONFIRM, headers=auth(enrolment_token), json={"totp_code": "000000"})
    assert wrong.status_code == 422
    assert "totp_code" in wrong.get_json()["errors"]

    done = client.post(CONFIRM, headers=auth(enrolment_token),
                       json={"totp_code": totp_code(secret)})
    assert done.status_code == 200
    confirmed = done.get_json()
    assert confirmed["scope"] == "full"
    assert len(set(confirmed["recovery_codes"])) == 10
    assert client.get(A_STAFF_PAGE, headers=auth(confirmed["access_token"])).status_code == 200
    # The enrolment-only token ended with the confirmation.
    assert client.get(ENROL, headers=auth(enrolment_token)).status_code in (401, 405)
    assert client.post(ENROL, headers=auth(enrolment_token)).status_code == 401
    # Stored hashed: no recovery code is in the database as typed.
    stored = set(db.session.execute(select(RecoveryCode.code_sha256)).scalars())
    assert not stored & set(confirmed["recovery_codes"])
    assert actions(staff)[-3:] == ["staff.signed_in", "staff.second_factor_enrolment_started",
                                   "staff.second_factor_enrolled"]

    # From now on the password alone is not enough.
    clock.shift(timedelta(seconds=30))
    assert sign_in(client, staff).status_code == 401
    assert sign_in(client, staff, totp_code=totp_code(secret)).get_json()["scope"] == "full"


def test_a_confirmed_factor_cannot_be_swapped_by_whoever_holds_a_session(client, site):
    staff = make_staff("admin", second_factor=True)
    answer = client.post(ENROL, headers=auth(token_for(staff)))
    assert answer.status_code == 409
    assert db.session.get(StaffUser, staff.id).totp_secret is not None


def test_sign_in_asks_for_the_code_and_names_the_field(client, site):
    staff = make_staff("investigator", second_factor=True)
    answer = sign_in(client, staff)
    assert answer.status_code == 401
    body = answer.get_json()
    assert set(body) == {"code", "status", "message", "errors"}
    assert body["errors"] == {"totp_code": ["Required for this account."]}
    # Asking is not a failure: the account's count is untouched.
    assert db.session.get(StaffUser, staff.id).failed_sign_ins == 0


def test_a_code_signs_in_once_and_is_refused_again_within_its_window(client, site, clock):
    staff = make_staff("admin", second_factor=True)
    code = totp_code()
    assert sign_in(client, staff, totp_code=code).status_code == 200
    replayed = sign_in(client, staff, totp_code=code)
    assert replayed.status_code == 401
    assert replayed.get_json()["errors"] == {"totp_code": ["Wrong or already used."]}
    # The previous step's code is older than the one used: refused too.
    assert sign_in(client, staff, totp_code=totp_code(steps_from_now=-1)).status_code == 401
    clock.shift(timedelta(seconds=30))
    assert sign_in(client, staff, totp_code=totp_code()).status_code == 200


def test_a_code_from_one_step_either_side_is_accepted_for_clock_drift(client, site):
    staff = make_staff("admin", second_factor=True)
    assert sign_in(client, staff, totp_code=totp_code(steps_from_now=1)).status_code == 200
    other = make_staff("admin", second_factor=True)
    assert sign_in(client, other, totp_code=totp_code(steps_from_now=-1)).status_code == 200
    third = make_staff("admin", second_factor=True)
    assert sign_in(client, third, totp_code=totp_code(steps_from_now=2)).status_code == 401


def test_wrong_codes_count_toward_the_lockout(client, site):
    staff = make_staff("admin", second_factor=True)
    for _ in range(5):
        assert sign_in(client, staff, totp_code="123456").status_code == 401
    # Locked: the right password and the right code are refused, as a wrong password is.
    locked = sign_in(client, staff, totp_code=totp_code())
    assert locked.status_code == 401
    assert "totp_code" not in locked.get_json()["errors"]
    # In the order they happened: without ORDER BY, PostgreSQL may return them in any order.
    failures = db.session.execute(
        select(AuditEvent.after).where(AuditEvent.action == "staff.sign_in_failed",
                                       AuditEvent.entity_id == staff.id)
        .order_by(AuditEvent.id)).scalars().all()
    assert [failure["second_factor"] for failure in failures] == [True] * 5 + [False]


def test_a_recovery_code_signs_in_once(client, site):
    staff = make_staff("admin")
    enrolment_token = sign_in(client, staff).get_json()["access_token"]
    secret, _ = enrol(client, enrolment_token)
    codes = client.post(CONFIRM, headers=auth(enrolment_token),
                        json={"totp_code": totp_code(secret)}).get_json()["recovery_codes"]

    typed = codes[3].lower().replace("-", " ")  # case and separators forgiven
    assert sign_in(client, staff, recovery_code=typed).status_code == 200
    again = sign_in(client, staff, recovery_code=codes[3])
    assert again.status_code == 401
    assert again.get_json()["errors"] == {"recovery_code": ["Wrong or already used."]}
    assert "staff.recovery_code_used" in actions(staff)


def test_both_a_code_and_a_recovery_code_is_422(client, site):
    staff = make_staff("admin", second_factor=True)
    answer = sign_in(client, staff, totp_code=totp_code(), recovery_code="K7QX-3M9D-W2PA-8HNC")
    assert answer.status_code == 422


def test_coordinators_need_no_factor_unless_the_study_says_so(client, site, study):
    staff = make_staff("coordinator")
    assert sign_in(client, staff).get_json()["scope"] == "full"

    study.definition = {**study.definition,
                        "security": {"coordinators_need_second_factor": True}}
    db.session.commit()
    assert sign_in(client, staff).get_json()["scope"] == "enrol"


def test_an_admin_resets_a_lost_factor_and_every_session_ends(client, site):
    admin = make_staff("admin", second_factor=True)
    staff = make_staff("investigator", second_factor=True)
    their_token = token_for(staff)
    answer = client.post(f"/api/v1/staff/{staff.id}/second-factor/reset",
                         headers=auth(token_for(admin)),
                         json={"reason": "Phone lost; identity checked in person"})
    assert answer.status_code == 204
    assert client.get(A_STAFF_PAGE, headers=auth(their_token)).status_code == 401
    # Their next sign-in is a first one again: password only, then enrolment.
    assert sign_in(client, staff).get_json()["scope"] == "enrol"
    listed = client.get(f"/api/v1/staff/{staff.id}", headers=auth(token_for(admin)))
    assert listed.get_json()["second_factor"] is False
    event = db.session.execute(
        select(AuditEvent).where(AuditEvent.action == "staff.second_factor_reset")
    ).scalar_one()
    assert (event.actor_id, event.entity_id, event.reason) == (
        admin.id, staff.id, "Phone lost; identity checked in person")
    assert event.after["sessions_revoked"] == 1


def test_the_command_line_resets_a_factor(app, site):
    staff = make_staff("admin", second_factor=True)
    live = token_for(staff)
    result = app.test_cli_runner().invoke(
        args=["staff", "reset-second-factor", staff.email, "--reason", "New phone"])
    assert result.exit_code == 0, result.output
    assert db.session.get(StaffUser, staff.id).totp_secret is None
    row = db.session.execute(
        select(AccessToken).where(AccessToken.token_sha256 == token_digest(live))).scalar_one()
    assert row.revoked_at is not None


def test_a_password_change_signs_the_person_out_and_is_audited(client, site):
    staff = make_staff("coordinator")
    other_session = token_for(staff)
    answer = client.patch("/api/v1/staff/me", headers=auth(token_for(staff)), json={
        "current_password": PASSWORD, "password": "a brand new long passphrase"})
    assert answer.status_code == 200
    assert client.get(A_STAFF_PAGE, headers=auth(other_session)).status_code == 401
    assert "staff.password_changed" in actions(staff)


def test_confirm_identity_needs_the_password_and_a_fresh_code_again(app_context, site):
    staff = make_staff("investigator", second_factor=True)
    with pytest.raises(Unauthorized):
        confirm_identity(staff.id, PASSWORD)
    with pytest.raises(Unauthorized):
        confirm_identity(staff.id, "not the password at all", totp_code=totp_code())
    assert confirm_identity(staff.id, PASSWORD, totp_code=totp_code()).id == staff.id
    db.session.commit()
    with pytest.raises(Unauthorized):  # the same code is spent
        confirm_identity(staff.id, PASSWORD, totp_code=totp_code())
    with pytest.raises(Forbidden):
        confirm_identity(make_staff("coordinator").id, PASSWORD, totp_code=totp_code())


def test_the_openapi_document_describes_every_second_factor_answer(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    login = paths["/api/v1/auth/login"]["post"]
    assert {"200", "401", "422", "429"} <= set(login["responses"])
    assert "totp_code" in login["responses"]["401"]["description"]
    assert login["responses"]["429"] == {"$ref": "#/components/responses/RATE_LIMITED"}
    assert {"201", "401", "403", "409"} <= set(paths[ENROL]["post"]["responses"])
    assert {"200", "409", "422"} <= set(paths[CONFIRM]["post"]["responses"])
    reset = paths["/api/v1/staff/{staff_id}/second-factor/reset"]["post"]
    assert {"204", "403", "404"} <= set(reset["responses"])
