"""A staff member replaces their recovery codes with the password and a TOTP code."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from diary.extensions import db
from diary.models import AuditEvent, RecoveryCode, StaffUser
from tests.factories import PASSWORD, auth, make_staff, token_for, totp_code

FROZEN_AT = datetime(2026, 3, 10, 1, 0, 10, tzinfo=UTC)
pytestmark = pytest.mark.usefixtures("clock")
LOGIN = "/api/v1/auth/login"
CODES = "/api/v1/auth/second-factor/recovery-codes"


def regenerate(client, token, password=PASSWORD, code=None):
    return client.post(CODES, headers=auth(token),
                       json={"password": password, "totp_code": code or totp_code()})


def sign_in_with(client, staff, recovery_code):
    return client.post(LOGIN, json={"email": staff.email, "password": PASSWORD,
                                    "recovery_code": recovery_code})


@pytest.fixture
def admin_with_codes(client, site, clock):
    """An admin with a factor and a first set of codes (from an earlier regeneration)."""
    staff = make_staff("admin", second_factor=True)
    token = token_for(staff)
    first = regenerate(client, token)
    assert first.status_code == 200, first.get_json()
    clock.shift(timedelta(seconds=30))  # the next TOTP time-step: a code is good once
    return staff, token, first.get_json()["recovery_codes"]


def test_ten_new_codes_replace_the_old_ones(client, admin_with_codes):
    staff, token, old = admin_with_codes

    answer = regenerate(client, token)

    assert answer.status_code == 200, answer.get_json()
    new = answer.get_json()["recovery_codes"]
    assert len(new) == 10 == len(set(new)) and set(new).isdisjoint(old)
    assert sign_in_with(client, staff, old[0]).status_code == 401
    signed_in = sign_in_with(client, staff, new[0])
    assert signed_in.status_code == 200 and signed_in.get_json()["scope"] == "full"
    stored = db.session.execute(select(RecoveryCode.code_sha256)).scalars().all()
    assert not any(code in stored for code in new)  # only hashes are kept


def test_the_change_is_audited_without_a_code(client, admin_with_codes):
    staff, token, _ = admin_with_codes
    new = regenerate(client, token).get_json()["recovery_codes"]

    events = db.session.execute(
        select(AuditEvent).where(AuditEvent.action == "staff.recovery_codes_regenerated")
        .order_by(AuditEvent.id)).scalars().all()
    assert len(events) == 2 and events[-1].entity_id == staff.id
    assert events[-1].before == {"recovery_codes_left": 10}
    assert events[-1].after == {"recovery_codes": 10}
    assert not any(code in str(events[-1].before) + str(events[-1].after) for code in new)


@pytest.mark.parametrize("field, body", [
    ("password", {"password": "not my password"}),
    ("totp_code", {"code": "000000"}),
    ("totp_code", {"code": "ABCD-EFGH-IJKL-MNOP"}),  # a recovery code is not enough
])
def test_a_wrong_password_or_code_is_403_counted_and_the_old_codes_still_work(
        client, admin_with_codes, field, body):
    staff, token, old = admin_with_codes

    refused = regenerate(client, token, **body)

    assert refused.status_code == 403
    assert field in refused.get_json()["errors"]
    db.session.expire_all()
    assert db.session.get(StaffUser, staff.id).failed_sign_ins == 1
    assert sign_in_with(client, staff, old[0]).status_code == 200


def test_a_code_used_once_cannot_be_used_again(client, admin_with_codes):
    _, token, _ = admin_with_codes
    code = totp_code()
    assert regenerate(client, token, code=code).status_code == 200
    assert regenerate(client, token, code=code).status_code == 403


def test_someone_without_a_factor_is_told_to_set_one_up(client, site):
    refused = regenerate(client, token_for(make_staff("coordinator")))
    assert refused.status_code == 403
    assert "set one up" in refused.get_json()["message"]


def test_no_token_an_enrolment_token_and_the_document(client, site):
    body = {"password": PASSWORD, "totp_code": "123456"}
    assert client.post(CODES, json=body).status_code == 401
    enrolling = token_for(make_staff("admin"), scope="enrol")
    assert client.post(CODES, headers=auth(enrolling), json=body).status_code == 403
    operation = client.get("/api/v1/openapi.json").get_json()["paths"][CODES]["post"]
    assert {"200", "401", "403", "429"} <= set(operation["responses"])
