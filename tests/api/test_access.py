"""Who may call what, for every operation in the OpenAPI document (a new one is covered too).

OWASP API1/API5: a token of the wrong kind, none at all, a deactivated account, a staff
member of another site, a non-admin on staff management: each gets the same answer on
every endpoint, built from the document rather than listed by hand.
"""

import re
from datetime import UTC, datetime

import pytest

from diary.extensions import db
from diary.models import Alert
from diary.operations.alerts import raise_alert
from tests.factories import auth, make_participant, make_site, make_staff, token_for

FROZEN_AT = datetime(2026, 3, 10, 3, tzinfo=UTC)  # noon in Seoul
pytestmark = pytest.mark.usefixtures("clock")
_PARAM = re.compile(r"\{(\w+)\}")


def _operations(app):
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            kinds = {name for scheme in operation.get("security", []) for name in scheme}
            body = (operation.get("requestBody", {}).get("content", {})
                    .get("application/json", {}).get("example"))
            yield method, path, kinds, body


@pytest.fixture
def world(site):
    """A participant with an alert at the default site, and people inside and outside it."""
    participant = make_participant(enrolled="2026-03-01")
    alert = raise_alert("sms_opt_out", participant)
    db.session.commit()
    other_site = make_site()
    return {
        "participant_id": participant.id, "alert_id": alert.id, "hold_id": 1, "event_id": 1,
        "assessment_id": 1,
        "staff_id": make_staff("coordinator").id,
        "device": token_for(participant),
        "coordinator": token_for(make_staff("coordinator")),
        "stranger": token_for(make_staff("coordinator", sites=[other_site])),
        "deactivated": token_for(make_staff("coordinator", active=False)),
        "enrolling": token_for(make_staff("admin"), scope="enrol"),
    }


def _call(client, method, path, world, token=None, body=None):
    url = _PARAM.sub(lambda match: str(world[match.group(1)]), path)
    headers = auth(token) if token else {}
    if method in ("post", "put", "patch"):
        return client.open(url, method=method.upper(), headers=headers, json=body or {})
    return client.open(url, method=method.upper(), headers=headers)


def _secured(app, kind):
    return [(m, p, body) for m, p, kinds, body in _operations(app) if kind in kinds]


def test_every_operation_is_documented_with_its_token_kind_or_is_a_sign_in(app):
    public = {(m, p) for m, p, kinds, _ in _operations(app) if not kinds}
    assert public == {("post", "/api/v1/auth/login"), ("post", "/api/v1/auth/set-password"),
                      ("post", "/api/v1/auth/activate")}


def test_staff_operations_refuse_no_token_a_device_token_and_a_deactivated_account(
        app, client, world):
    for method, path, body in _secured(app, "staffToken"):
        for caller in (None, world["device"], world["deactivated"]):
            response = _call(client, method, path, world, caller, body)
            assert response.status_code == 401, (method, path, caller is None)
            assert set(response.get_json()) == {"code", "status", "message", "errors"}


def test_participant_operations_refuse_no_token_and_a_staff_token(app, client, world):
    for method, path, body in _secured(app, "deviceToken"):
        for caller in (None, world["coordinator"]):
            response = _call(client, method, path, world, caller, body)
            assert response.status_code == 401, (method, path, caller is None)


def test_another_sites_staff_learn_nothing_of_this_sites_participants_and_alerts(
        app, client, world):
    scoped = [(m, p, body) for m, p, body in _secured(app, "staffToken")
              if "{participant_id}" in p or "{alert_id}" in p]
    assert len(scoped) >= 20
    for method, path, body in scoped:
        response = _call(client, method, path, world, world["stranger"], body)
        # The same answer as for a participant or alert that does not exist.
        assert response.status_code == 404, (method, path, response.status_code)
    assert db.session.get(Alert, world["alert_id"]).status == "open"


def test_only_admins_manage_staff(app, client, world):
    managed = [(m, p, body) for m, p, body in _secured(app, "staffToken")
               if p.startswith("/api/v1/staff") and p != "/api/v1/staff/me"]
    assert len(managed) >= 5
    for method, path, body in managed:
        response = _call(client, method, path, world, world["coordinator"], body)
        assert response.status_code == 403, (method, path, response.status_code)


# What an enrolment-only token (second factor not set up yet) may call.
ENROLMENT_OPERATIONS = {("post", "/api/v1/auth/second-factor"),
                        ("post", "/api/v1/auth/second-factor/confirm"),
                        ("post", "/api/v1/auth/logout")}


def test_an_enrolment_only_token_opens_nothing_but_the_enrolment(app, client, world):
    for method, path, body in _secured(app, "staffToken"):
        if (method, path) in ENROLMENT_OPERATIONS:
            continue
        response = _call(client, method, path, world, world["enrolling"], body)
        assert response.status_code == 403, (method, path, response.status_code)
