"""Repeated failed sign-ins lock a staff account for a while; every sign-in is audited."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from diary.extensions import db
from diary.models import AuditEvent
from diary.rules.lockout import after_failure, is_locked
from tests.factories import PASSWORD, make_staff

FROZEN_AT = datetime(2026, 3, 10, 1, tzinfo=UTC)
pytestmark = pytest.mark.usefixtures("clock")
LOGIN = "/api/v1/auth/login"


def sign_in(client, staff, password=PASSWORD):
    return client.post(LOGIN, json={"email": staff.email, "password": password})


def actions(staff) -> list[str]:
    return list(db.session.execute(
        select(AuditEvent.action).where(AuditEvent.entity_type == "staff_user",
                                        AuditEvent.entity_id == staff.id)
        .order_by(AuditEvent.id)).scalars())


@pytest.mark.parametrize("failures, locked", [(0, False), (3, False), (4, True)])
def test_the_fifth_failure_in_a_row_locks_for_the_lock_period(failures, locked):
    count, until = after_failure(failures, FROZEN_AT, attempts=5,
                                 lock_for=timedelta(minutes=15))
    assert (until is not None) is locked
    assert count == (0 if locked else failures + 1)
    if locked:
        assert is_locked(until, FROZEN_AT + timedelta(minutes=14, seconds=59))
        assert not is_locked(until, FROZEN_AT + timedelta(minutes=15))


def test_five_wrong_passwords_lock_the_account_even_for_the_right_one(client, site, clock):
    staff = make_staff("coordinator")
    for _ in range(5):
        assert sign_in(client, staff, "not my password at all").status_code == 401

    refused = sign_in(client, staff)
    assert refused.status_code == 401
    # The same words as a wrong password: nothing says the account exists or is locked.
    assert refused.get_json()["message"] == sign_in(
        client, make_staff("coordinator"), "wrong guess, again").get_json()["message"]

    clock.shift(timedelta(minutes=15))
    assert sign_in(client, staff).status_code == 200


def test_a_success_starts_the_count_again(client, site):
    staff = make_staff("coordinator")
    for _ in range(4):
        sign_in(client, staff, "not my password at all")
    assert sign_in(client, staff).status_code == 200
    for _ in range(4):
        sign_in(client, staff, "not my password at all")

    assert sign_in(client, staff).status_code == 200


def test_every_sign_in_and_failed_sign_in_is_in_the_audit_trail(client, site):
    staff = make_staff("coordinator")
    sign_in(client, staff, "not my password at all")
    sign_in(client, staff)

    assert actions(staff) == ["staff.sign_in_failed", "staff.signed_in"]
    failed = db.session.execute(
        select(AuditEvent).where(AuditEvent.action == "staff.sign_in_failed")).scalar_one()
    assert failed.after == {"locked": False, "second_factor": False, "failed_sign_ins": 1,
                            "locked_until": None}
    assert "not my password" not in str(failed.after)
