"""``diary staff add|list|set|set-password-code`` and ``diary check``, through Flask's runner."""

import re

import pytest
from sqlalchemy import select

from diary.extensions import db
from diary.models import AccessToken, AuditEvent, Message, StaffUser
from diary.operations.alerts import raise_alert
from tests.factories import make_participant, make_site, make_staff, token_for


@pytest.fixture
def run(app):
    runner = app.test_cli_runner()

    def invoke(*args):
        return runner.invoke(args=list(args))

    return invoke


def _staff(email):
    return db.session.execute(select(StaffUser).where(StaffUser.email == email)).scalar_one()


def test_staff_add_creates_the_account_and_prints_its_code_once(run, client, site):
    result = run("staff", "add", "--email", "Kim@Example.org", "--role", "coordinator",
                 "--site", "SEV", "--phone", "010-9999-0001")
    assert result.exit_code == 0, result.output
    staff = _staff("kim@example.org")
    assert (staff.role, staff.site_codes, staff.phone_e164) == (
        "coordinator", ["SEV"], "+821099990001")
    assert staff.password_hash is None
    (code,) = re.findall(r"code: (\S+)", result.output)
    assert "+821099990001" not in result.output  # the operator's terminal is no place for it
    body = {"code": code, "password": "a long enough passphrase"}
    assert client.post("/api/v1/auth/set-password", json=body).status_code == 204


def test_staff_add_is_audited_as_the_system(run, site):
    run("staff", "add", "--email", "lee@example.org", "--role", "investigator", "--site",
        str(site.id))
    staff = _staff("lee@example.org")
    (event_,) = db.session.execute(
        select(AuditEvent).where(AuditEvent.action == "staff.created",
                                 AuditEvent.entity_id == staff.id)).scalars().all()
    assert (event_.actor_type, event_.reason) == ("system", "diary staff add")
    assert event_.after["site_codes"] == ["SEV"]


def test_staff_add_refuses_what_the_api_refuses(run, site):
    result = run("staff", "add", "--email", "x@example.org", "--role", "coordinator")
    assert result.exit_code != 0
    assert "at least one site" in result.output
    unknown = run("staff", "add", "--email", "x@example.org", "--role", "coordinator",
                  "--site", "NOPE")
    assert unknown.exit_code != 0
    assert "yours: SEV" in unknown.output
    assert db.session.execute(
        select(StaffUser).where(StaffUser.email == "x@example.org")).first() is None


def test_staff_list_shows_every_account_by_email(run, site):
    make_staff(email="b@example.org", phone="+821099990001")
    make_staff("investigator", email="a@example.org", active=False)
    result = run("staff", "list")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "a@example.org" in lines[0] and "inactive" in lines[0]
    assert "b@example.org" in lines[1] and "…0001" in lines[1]
    assert "+821099990001" not in result.output
    assert lines[-1] == "2 staff accounts"
    active_only = run("staff", "list", "--active-only").output
    assert "a@example.org" not in active_only


def test_staff_set_changes_the_account_with_a_reason_and_signs_out(run, site):
    other = make_site("BUS")
    staff = make_staff(email="move@example.org")
    token_for(staff)
    result = run("staff", "set", "move@example.org", "--site", "BUS", "--no-alerts",
                 "--reason", "Moved to Busan")
    assert result.exit_code == 0, result.output
    staff = _staff("move@example.org")
    assert (staff.site_ids, staff.alerts_enabled) == ({other.id}, False)
    live = db.session.execute(
        select(AccessToken).where(AccessToken.staff_user_id == staff.id,
                                  AccessToken.revoked_at.is_(None))).all()
    assert live == []
    (event_,) = db.session.execute(
        select(AuditEvent).where(AuditEvent.action == "staff.updated")).scalars().all()
    assert event_.reason == "Moved to Busan"


def test_staff_set_needs_a_reason_and_a_change(run, site):
    staff = make_staff()
    assert run("staff", "set", str(staff.id), "--inactive").exit_code != 0
    assert run("staff", "set", str(staff.id), "--reason", "Nothing").exit_code != 0
    assert run("staff", "set", "nobody@example.org", "--inactive",
               "--reason", "Left").exit_code != 0
    assert db.session.get(StaffUser, staff.id).active is True


def test_staff_set_password_code_issues_a_new_code(run, client, site):
    staff = make_staff(email="forgot@example.org")
    result = run("staff", "set-password-code", "forgot@example.org")
    assert result.exit_code == 0, result.output
    (code,) = re.findall(r"code: (\S+)", result.output)
    body = {"code": code, "password": "a long enough passphrase"}
    assert client.post("/api/v1/auth/set-password", json=body).status_code == 204
    assert db.session.get(StaffUser, staff.id).password_hash is not None


def test_check_passes_when_every_site_has_a_coordinator_who_gets_alerts(run, site):
    make_staff("coordinator", sites=[site], phone="+821099990001")
    result = run("check")
    assert result.exit_code == 0, result.output
    assert "ok    site SEV (NCT02495519): 1 coordinator gets alert texts" in result.output


@pytest.mark.parametrize(
    "who",
    [
        {"role": "coordinator"},  # no phone
        {"role": "coordinator", "phone": "+821099990001", "active": False},
        {"role": "coordinator", "phone": "+821099990001", "alerts_enabled": False},
        {"role": "investigator", "phone": "+821099990001"},
    ],
    ids=["no-phone", "inactive", "alerts-off", "investigator"],
)
def test_check_names_a_site_whose_alerts_text_nobody_and_fails(run, site, who):
    options = dict(who)
    alerts_enabled = options.pop("alerts_enabled", True)
    staff = make_staff(sites=[site], **options)
    staff.alerts_enabled = alerts_enabled
    db.session.commit()
    covered = make_site("BUS")
    make_staff("coordinator", sites=[covered], phone="+821099990002")

    result = run("check")

    assert result.exit_code == 1, result.output
    assert "FAIL  site SEV (NCT02495519)" in result.output
    assert "ok    site BUS" in result.output
    # What the check says is what happens: an alert at SEV queues no text.
    alert = raise_alert("sms_opt_out", make_participant(site=site))
    db.session.commit()
    assert db.session.execute(
        select(Message).where(Message.alert_id == alert.id)).first() is None
