"""/login and /logout: the staff sign-in as a form, with the API's lockout and audit."""

import pytest
from sqlalchemy import select

from diary.extensions import db
from diary.models import AccessToken, AuditEvent
from tests.factories import PASSWORD, make_staff, totp_code
from tests.web.pages import csrf_token, sign_in

FROZEN_AT = "2026-06-20T03:00:00Z"
pytestmark = pytest.mark.usefixtures("clock")


@pytest.fixture
def coordinator(site):
    return make_staff("coordinator", sites=[site], email="kim@example.org")


def _actions(staff) -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.entity_type == "staff_user", AuditEvent.entity_id == staff.id)
        .order_by(AuditEvent.id)))


def test_the_report_page_sends_a_stranger_to_the_sign_in_form(client):
    answer = client.get("/reports")
    assert answer.status_code == 302
    assert answer.headers["Location"] == "/login?next=/reports"
    form = client.get(answer.headers["Location"])
    assert form.status_code == 200
    assert 'type="password"' in form.text
    assert 'name="viewport"' in form.text


def test_signing_in_sets_a_strict_session_cookie_and_goes_to_the_page_asked_for(
        client, coordinator):
    answer = sign_in(client, "Kim@Example.org", next_page="/reports")
    assert answer.status_code == 302
    assert answer.headers["Location"] == "/reports"
    cookie = answer.headers["Set-Cookie"]
    assert cookie.startswith("diary_session=")
    for flag in ("Secure", "HttpOnly", "SameSite=Strict"):
        assert flag in cookie
    assert client.get("/reports").status_code == 200
    assert _actions(coordinator) == ["staff.signed_in"]


def test_an_investigator_signs_in_with_the_password_and_a_code(client, site):
    make_staff("investigator", sites=[site], email="lee@example.org", second_factor=True)
    without = sign_in(client, "lee@example.org")
    assert without.status_code == 401
    assert "code" in without.text.lower() and client.get("/reports").status_code == 302
    answer = sign_in(client, "lee@example.org", code=totp_code())
    assert answer.status_code == 302
    assert client.get("/reports").status_code == 200


def test_someone_who_must_set_up_a_second_factor_gets_no_session(client, site):
    # An admin without a factor: the API would hand an enrolment-only token, which opens
    # none of the pages.
    make_staff("admin", sites=[], email="root@example.org")
    answer = sign_in(client, "root@example.org")
    assert answer.status_code == 403
    assert "second factor" in answer.text
    assert client.get("/reports").status_code == 302


def test_a_wrong_password_shows_the_form_again_with_a_message(client, coordinator):
    answer = sign_in(client, "kim@example.org", "not the password at all")
    assert answer.status_code == 401
    assert "The e-mail address or password is wrong." in answer.text
    assert "Traceback" not in answer.text
    assert 'type="password"' in answer.text
    assert client.get("/reports").status_code == 302
    assert _actions(coordinator) == ["staff.sign_in_failed"]


def test_five_failures_lock_the_account_even_for_the_right_password(client, coordinator):
    for _ in range(5):
        sign_in(client, "kim@example.org", "not the password at all")
    answer = sign_in(client, "kim@example.org", PASSWORD)
    assert answer.status_code == 401
    assert client.get("/reports").status_code == 302


def test_a_post_without_the_csrf_token_is_refused(client, coordinator):
    answer = client.post("/login", data={"email": "kim@example.org", "password": PASSWORD})
    assert answer.status_code == 401
    assert "The form had expired" in answer.text
    assert _actions(coordinator) == []


def test_an_address_elsewhere_is_never_where_sign_in_leads(client, coordinator):
    answer = sign_in(client, "kim@example.org", next_page="//evil.example/x")
    assert answer.headers["Location"] == "/reports"


def test_signing_out_revokes_the_token(client, coordinator):
    sign_in(client, "kim@example.org")
    page = client.get("/reports")
    answer = client.post("/logout", data={"csrf_token": csrf_token(page.text)})
    assert answer.status_code == 302
    revoked_at = db.session.scalars(select(AccessToken.revoked_at).where(
        AccessToken.staff_user_id == coordinator.id)).one()
    assert revoked_at is not None
    assert client.get("/reports").status_code == 302


def test_signing_out_without_the_csrf_token_does_nothing(client, coordinator):
    sign_in(client, "kim@example.org")
    client.post("/logout", data={})
    assert client.get("/reports").status_code == 200


def test_a_deactivated_account_is_signed_out_of_the_pages(client, coordinator):
    sign_in(client, "kim@example.org")
    coordinator.active = False
    db.session.commit()
    assert client.get("/reports").status_code == 302
