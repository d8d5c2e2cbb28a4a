"""Admins manage staff accounts: add, list, read, change, deactivate; never delete."""

import pytest
from sqlalchemy import select

from diary.extensions import db
from diary.models import AuditEvent, SetPasswordCode, StaffUser
from diary.phone_keys import phone_lookup
from tests.factories import auth, make_site, make_staff, token_for

URL = "/api/v1/staff"
STAFF_PAGE = "/api/v1/participants"


@pytest.fixture
def admin(site):
    return make_staff("admin", sites=[])


@pytest.fixture
def headers(admin):
    return auth(token_for(admin))


def _new(**overrides):
    body = {"email": "Kim.Coord@Example.org", "role": "coordinator", "sites": ["SEV"],
            "phone": "010-9999-0001"}
    body.update(overrides)
    return body


def _events(action, entity_id):
    return db.session.execute(
        select(AuditEvent).where(AuditEvent.action == action, AuditEvent.entity_id == entity_id)
    ).scalars().all()


def _add(client, headers, **overrides):
    response = client.post(URL, json=_new(**overrides), headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_admin_adds_a_coordinator_with_a_phone_read_in_the_sites_country(
        client, site, headers):
    body = _add(client, headers)
    assert body["email"] == "kim.coord@example.org"
    assert (body["role"], body["sites"], body["site_ids"]) == ("coordinator", ["SEV"], [site.id])
    assert body["phone"] == "+821099990001"
    assert body["locale"] == "ko"  # the study's first language
    assert (body["alerts_enabled"], body["active"], body["password_set"]) == (True, True, False)
    assert "password" not in body and "password_hash" not in body


def test_the_set_password_code_is_shown_once_and_stored_only_hashed(client, site, headers):
    body = _add(client, headers)
    code = body["set_password_code"]["code"]
    assert len(code.replace("-", "")) == 16
    stored = db.session.execute(
        select(SetPasswordCode).where(SetPasswordCode.staff_user_id == body["id"])
    ).scalar_one()
    assert code not in stored.code_hash and code.replace("-", "") not in stored.code_hash
    shown_again = client.get(f"{URL}/{body['id']}", headers=headers).get_json()
    assert "set_password_code" not in shown_again
    assert shown_again["email"] == body["email"]


def test_sites_may_be_named_by_id_as_well_as_by_code(client, site, headers):
    other = make_site("BUS", tz="Asia/Seoul")
    body = _add(client, headers, sites=[site.id, "BUS"])
    assert body["sites"] == ["BUS", "SEV"]
    assert body["site_ids"] == sorted([site.id, other.id])


def test_adding_is_audited_without_code_or_password(client, site, headers, admin):
    body = _add(client, headers)
    (created,) = _events("staff.created", body["id"])
    assert (created.actor_type, created.actor_id) == ("staff", admin.id)
    assert created.after["email"] == "kim.coord@example.org"
    assert created.after["site_codes"] == ["SEV"]
    issued = db.session.execute(
        select(AuditEvent).where(AuditEvent.action == "set_password_code.issued")
    ).scalar_one()
    recorded = str(created.after) + str(issued.after)
    assert body["set_password_code"]["code"] not in recorded
    assert "hash" not in recorded


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("email", "not an address"),
        ("role", "nurse"),
        ("sites", ["NOPE"]),
        ("sites", [99999]),
        ("sites", [True]),
        ("sites", []),  # a coordinator needs a site
        ("phone", "02-123-4567"),  # a Seoul landline cannot receive texts
        ("locale", "fr"),
        ("alerts_enabled", "maybe"),
        ("password", "chosen by the admin"),  # no admin ever sets a password
    ],
)
def test_adding_with_a_bad_field_is_422_naming_it(client, site, headers, field, value):
    response = client.post(URL, json=_new(**{field: value}), headers=headers)
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["errors"]
    assert db.session.execute(
        select(StaffUser).where(StaffUser.email == "kim.coord@example.org")).first() is None


def test_an_unknown_site_code_names_the_codes_one_may_use(client, site, headers):
    response = client.post(URL, json=_new(sites=["sev"]), headers=headers)
    assert "SEV" in response.get_json()["errors"]["sites"][0]


def test_an_admin_needs_no_site_but_then_writes_the_phone_internationally(
        client, site, headers):
    national = client.post(URL, json=_new(role="admin", sites=[]), headers=headers)
    assert national.status_code == 422
    assert "international" in national.get_json()["errors"]["phone"][0]
    body = _add(client, headers, role="admin", sites=[], phone="+82 10 9999 0001")
    assert (body["sites"], body["phone"]) == ([], "+821099990001")


def test_an_email_in_use_is_409_whatever_its_case(client, site, headers):
    make_staff(email="kim.coord@example.org")
    response = client.post(URL, json=_new(), headers=headers)
    assert response.status_code == 409
    assert "email" in response.get_json()["errors"]


@pytest.mark.parametrize("role", ["coordinator", "investigator"])
def test_only_admins_manage_staff(client, site, role):
    headers = auth(token_for(make_staff(role)))
    someone = make_staff()
    assert client.get(URL, headers=headers).status_code == 403
    assert client.post(URL, json=_new(), headers=headers).status_code == 403
    assert client.get(f"{URL}/{someone.id}", headers=headers).status_code == 403
    assert client.patch(f"{URL}/{someone.id}", json={"active": False, "reason": "Left"},
                        headers=headers).status_code == 403
    assert client.post(f"{URL}/{someone.id}/set-password-code",
                       headers=headers).status_code == 403
    assert db.session.get(StaffUser, someone.id).active is True


def test_staff_are_never_deleted(client, site, headers):
    someone = make_staff()
    assert client.delete(f"{URL}/{someone.id}", headers=headers).status_code == 405
    assert db.session.get(StaffUser, someone.id) is not None


def test_list_pages_by_email_and_filters(client, site, headers, admin):
    for name in ("b", "a", "c"):
        make_staff(email=f"{name}@example.org")
    make_staff("investigator", email="i@example.org")
    first = client.get(URL, query_string={"page_size": 2}, headers=headers)
    assert first.status_code == 200
    assert [s["email"] for s in first.get_json()] == ["a@example.org", "b@example.org"]
    assert '"total": 5' in first.headers["X-Pagination"]
    investigators = client.get(URL, query_string={"role": "investigator"}, headers=headers)
    assert [s["email"] for s in investigators.get_json()] == ["i@example.org"]
    at_site = client.get(URL, query_string={"site_id": site.id}, headers=headers).get_json()
    assert admin.id not in [s["id"] for s in at_site]


def test_an_unknown_staff_id_is_404(client, headers):
    assert client.get(f"{URL}/99999", headers=headers).status_code == 404
    response = client.patch(f"{URL}/99999", json={"active": False, "reason": "x"},
                            headers=headers)
    assert response.status_code == 404


def _patch(client, headers, staff, **changes):
    return client.patch(f"{URL}/{staff.id}", json=changes, headers=headers)


@pytest.mark.parametrize("reason", [None, "", "   "])
def test_a_change_needs_a_reason_that_is_not_blank(client, site, headers, reason):
    someone = make_staff()
    changes = {"alerts_enabled": False} | ({} if reason is None else {"reason": reason})
    response = client.patch(f"{URL}/{someone.id}", json=changes, headers=headers)
    assert response.status_code == 422
    assert "reason" in response.get_json()["errors"]
    assert db.session.get(StaffUser, someone.id).alerts_enabled is True


def test_a_change_is_audited_with_before_after_and_reason(client, site, headers, admin):
    someone = make_staff(phone="+821099990001")
    response = _patch(client, headers, someone, phone="010 9999 0002", alerts_enabled=False,
                      reason="New work phone")
    assert response.status_code == 200, response.get_json()
    assert (response.get_json()["phone"], response.get_json()["alerts_enabled"]) == (
        "+821099990002", False)
    (event_,) = _events("staff.updated", someone.id)
    assert (event_.actor_type, event_.actor_id) == ("staff", admin.id)
    # The append-only trail keeps the last digits and a keyed fingerprint, never the number.
    assert event_.before == {"phone_e164": f"…0001 #{phone_lookup('+821099990001')[:8]}",
                             "alerts_enabled": True}
    assert event_.after == {"phone_e164": f"…0002 #{phone_lookup('+821099990002')[:8]}",
                            "alerts_enabled": False}
    assert event_.reason == "New work phone"


def test_a_change_that_changes_nothing_writes_no_audit_event(client, site, headers):
    someone = make_staff()
    assert _patch(client, headers, someone, role="coordinator",
                  reason="Same").status_code == 200
    assert _events("staff.updated", someone.id) == []


@pytest.mark.parametrize(
    "changes",
    [{"active": False}, {"role": "investigator"}, {"sites": ["OTHER"]}],
    ids=["deactivation", "role", "sites"],
)
def test_deactivation_a_new_role_or_new_sites_sign_the_person_out(
        client, site, headers, changes):
    make_site("OTHER")
    someone = make_staff()
    token = token_for(someone)
    response = _patch(client, headers, someone, **changes, reason="Moved on")
    assert response.status_code == 200, response.get_json()
    assert client.get(STAFF_PAGE, headers=auth(token)).status_code == 401


def test_a_new_phone_or_language_keeps_the_person_signed_in(client, site, headers):
    someone = make_staff()
    token = token_for(someone)
    assert _patch(client, headers, someone, phone="010-9999-0003", locale="en",
                  reason="Asked").status_code == 200
    assert client.get(STAFF_PAGE, headers=auth(token)).status_code == 200


def test_a_deactivated_member_cannot_sign_in_and_can_be_reactivated(client, site, headers):
    someone = make_staff(email="leaving@example.org")
    assert _patch(client, headers, someone, active=False, reason="Left").status_code == 200
    login = {"email": "leaving@example.org", "password": "correct horse battery staple"}
    assert client.post("/api/v1/auth/login", json=login).status_code == 401
    assert _patch(client, headers, someone, active=True, reason="Back").status_code == 200
    assert client.post("/api/v1/auth/login", json=login).status_code == 200


def test_a_coordinator_cannot_lose_their_last_site(client, site, headers):
    someone = make_staff()
    response = _patch(client, headers, someone, sites=[], reason="Oops")
    assert response.status_code == 422
    assert "sites" in response.get_json()["errors"]
    assert db.session.get(StaffUser, someone.id).site_codes == ["SEV"]


def test_an_admin_made_coordinator_needs_a_site(client, site, headers):
    other_admin = make_staff("admin", sites=[])
    response = _patch(client, headers, other_admin, role="coordinator", reason="Demoted")
    assert response.status_code == 422
    assert "sites" in response.get_json()["errors"]
    assert db.session.get(StaffUser, other_admin.id).role == "admin"


def test_the_last_active_admin_cannot_be_demoted_or_deactivated(client, site, headers, admin):
    for changes in ({"role": "coordinator", "sites": ["SEV"]}, {"active": False}):
        response = _patch(client, headers, admin, **changes, reason="Oops")
        assert response.status_code == 409, response.get_json()
    second = make_staff("admin", sites=[])
    assert _patch(client, headers, second, active=False, reason="Left").status_code == 200
    assert _patch(client, headers, admin, active=True, reason="Still here").status_code == 200


def test_another_admin_may_be_deactivated_while_one_remains(client, site, headers, admin):
    second = make_staff("admin", sites=[])
    assert _patch(client, headers, second, active=False, reason="Left").status_code == 200
    assert db.session.get(StaffUser, second.id).active is False


def test_an_email_change_to_one_in_use_is_409(client, site, headers):
    make_staff(email="taken@example.org")
    someone = make_staff()
    response = _patch(client, headers, someone, email="Taken@example.org", reason="Typo")
    assert response.status_code == 409


def test_a_new_set_password_code_ends_the_earlier_one(client, site, headers):
    body = _add(client, headers)
    first = body["set_password_code"]["code"]
    response = client.post(f"{URL}/{body['id']}/set-password-code", headers=headers)
    assert response.status_code == 201
    second = response.get_json()["code"]
    assert second != first
    password = {"password": "a good long password"}
    assert client.post("/api/v1/auth/set-password",
                       json={"code": first, **password}).status_code == 401
    assert client.post("/api/v1/auth/set-password",
                       json={"code": second, **password}).status_code == 204


def test_deactivation_ends_an_unused_code_and_no_new_one_is_issued(client, site, headers):
    body = _add(client, headers)
    client.patch(f"{URL}/{body['id']}", json={"active": False, "reason": "Never started"},
                 headers=headers)
    used = client.post("/api/v1/auth/set-password",
                       json={"code": body["set_password_code"]["code"],
                             "password": "a good long password"})
    assert used.status_code == 401
    again = client.post(f"{URL}/{body['id']}/set-password-code", headers=headers)
    assert again.status_code == 409
