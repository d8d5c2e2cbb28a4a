"""Least privilege: what each kind of caller gets from every operation (OWASP API1, API3, API5).

One table, keyed by the operations of the OpenAPI document: a new operation fails
``test_the_table_has_a_row_for_every_documented_operation`` until someone decides who may
call it. Each (operation, caller) case is its own test with a fresh world, so a write by one
caller cannot change what the next one gets. The body sent is the operation's documented
example (with the world's real credentials where the example asks for them).
"""

import io
import zipfile

import pytest

from diary.operations.activation import issue_activation_code
from diary.operations.staff import issue_set_password_code
from tests.api.access_world import (
    STUDY_CODE,
    WORLD_TIME,
    P,
    admin_actor,
    caller_token,
    make_world,
    path_parameters,
    url,
)
from tests.factories import PASSWORD, auth, make_participant, make_staff, token_for, totp_code

FROZEN_AT = WORLD_TIME
pytestmark = pytest.mark.usefixtures("clock")

OK = "allowed"  # 2xx, or a 4xx about the body or the state: anything but 401, 403 and 404
# An explicit status (401, 403, 404, 422) is the exact answer expected.
CALLERS = ("anonymous", "participant", "other_participant", "coordinator", "stranger",
           "investigator", "admin", "deactivated")
# stranger: a coordinator of another site. deactivated: a coordinator whose account is off.
# Each row below gives the answers in that order.
PUBLIC = (OK, OK, OK, OK, OK, OK, OK, OK)  # the sign-ins: a token, good or bad, changes nothing
OWN_DIARY = (401, OK, OK, 401, 401, 401, 401, 401)  # /me: the token's participant, no one else
ANY_STAFF = (401, 401, 401, OK, OK, OK, OK, 401)  # each sees their own sites (or self) only
SITE_READ = (401, 401, 401, OK, 404, OK, OK, 401)  # a participant or alert of this site
SITE_WRITE = (401, 401, 401, OK, 404, OK, OK, 401)  # clinical facts: every role records them
# Enrolment, regimen, diary entries on a participant's behalf: coordinators (and admins).
SITE_EDIT = (401, 401, 401, OK, 404, 403, OK, 401)
# The example enrols at this site: the stranger hears only that it is not one of theirs.
ENROL = (401, 401, 401, OK, 422, 403, OK, 401)
SIGN = (401, 401, 401, 403, 404, OK, 403, 401)  # Part 11 sign-off: investigators only
ADMIN = (401, 401, 401, 403, 403, 403, OK, 401)  # staff accounts
# New recovery codes: only for someone with a second factor (the world's coordinators have
# none: 403, set one up first), and their password and a code entered again.
OWN_FACTOR = (401, 401, 401, 403, 403, OK, OK, 401)

TABLE = {
    ("post", "/api/v1/auth/login"): PUBLIC,
    ("post", "/api/v1/auth/set-password"): PUBLIC,
    ("post", "/api/v1/auth/activate"): PUBLIC,
    ("post", "/api/v1/auth/logout"): ANY_STAFF,
    ("post", "/api/v1/auth/second-factor"): ANY_STAFF,
    ("post", "/api/v1/auth/second-factor/confirm"): ANY_STAFF,
    ("post", "/api/v1/auth/second-factor/recovery-codes"): OWN_FACTOR,
    ("post", "/api/v1/staff/{staff_id}/second-factor/reset"): ADMIN,
    ("get", "/api/v1/participants"): ANY_STAFF,
    ("post", "/api/v1/participants"): ENROL,
    ("get", P): SITE_READ,
    ("patch", P): SITE_EDIT,
    ("get", f"{P}/regimen"): SITE_READ,
    ("post", f"{P}/dose-changes"): SITE_EDIT,
    ("post", f"{P}/dose-holds"): SITE_EDIT,
    ("patch", f"{P}/dose-holds/{{hold_id}}"): SITE_EDIT,
    ("post", f"{P}/activation-code"): SITE_EDIT,
    ("get", f"{P}/audit"): SITE_READ,
    ("get", f"{P}/texts"): SITE_READ,
    ("get", f"{P}/messages"): SITE_READ,
    ("get", f"{P}/doses"): SITE_READ,
    ("post", f"{P}/doses"): SITE_EDIT,
    ("get", f"{P}/symptom-reports"): SITE_READ,
    ("post", f"{P}/symptom-reports"): SITE_EDIT,
    ("get", f"{P}/adverse-events"): SITE_READ,
    ("post", f"{P}/adverse-events"): SITE_WRITE,
    ("get", f"{P}/adverse-events/{{event_id}}"): SITE_READ,
    ("patch", f"{P}/adverse-events/{{event_id}}"): SITE_WRITE,
    ("get", f"{P}/assessments"): SITE_READ,
    ("post", f"{P}/assessments"): SITE_WRITE,
    ("get", f"{P}/assessments/{{assessment_id}}"): SITE_READ,
    ("patch", f"{P}/assessments/{{assessment_id}}"): SITE_WRITE,
    ("get", f"{P}/vital-status"): SITE_READ,
    ("post", f"{P}/vital-status"): SITE_WRITE,
    ("get", f"{P}/sign-offs"): SITE_READ,
    ("post", f"{P}/sign-offs"): SIGN,
    ("get", f"{P}/record"): SITE_READ,
    ("get", f"{P}/fhir"): SITE_READ,
    ("get", f"{P}/adherence"): SITE_READ,
    ("get", "/api/v1/me"): OWN_DIARY,
    ("get", "/api/v1/me/doses"): OWN_DIARY,
    ("post", "/api/v1/me/doses"): OWN_DIARY,
    ("post", "/api/v1/me/sync"): OWN_DIARY,
    ("get", "/api/v1/me/adherence"): OWN_DIARY,
    ("get", "/api/v1/me/symptom-items"): OWN_DIARY,
    ("get", "/api/v1/me/symptom-reports"): OWN_DIARY,
    ("post", "/api/v1/me/symptom-reports"): OWN_DIARY,
    ("get", "/api/v1/alerts"): ANY_STAFF,
    ("get", "/api/v1/alerts/{alert_id}"): SITE_READ,
    ("post", "/api/v1/alerts/{alert_id}/acknowledge"): SITE_WRITE,
    ("post", "/api/v1/alerts/{alert_id}/close"): SITE_WRITE,
    ("get", "/api/v1/reports/primary-endpoint"): ANY_STAFF,
    ("get", "/api/v1/reports/adverse-events"): ANY_STAFF,
    ("get", "/api/v1/reports/symptoms"): ANY_STAFF,
    ("get", "/api/v1/reports/alerts"): ANY_STAFF,
    ("get", "/api/v1/reports/adherence"): ANY_STAFF,
    ("get", "/api/v1/staff"): ADMIN,
    ("post", "/api/v1/staff"): ADMIN,
    ("get", "/api/v1/staff/me"): ANY_STAFF,
    ("patch", "/api/v1/staff/me"): ANY_STAFF,
    ("get", "/api/v1/staff/{staff_id}"): ADMIN,
    ("patch", "/api/v1/staff/{staff_id}"): ADMIN,
    ("post", "/api/v1/staff/{staff_id}/set-password-code"): ADMIN,
    ("get", "/api/v1/study"): ANY_STAFF,
    ("get", "/api/v1/sites"): ANY_STAFF,
    ("get", "/api/v1/exports/fhir"): ANY_STAFF,
    ("get", "/api/v1/exports/sdtm"): ANY_STAFF,
}
CASES = [(method, path, caller, expected) for (method, path), row in TABLE.items()
         for caller, expected in zip(CALLERS, row, strict=True)]


@pytest.fixture(scope="module")
def documented(app):
    """Every operation of the OpenAPI document, with its request example (or None)."""
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    return {(method, path): (operation.get("requestBody", {}).get("content", {})
                             .get("application/json", {}).get("example"))
            for path, item in spec["paths"].items() for method, operation in item.items()
            if method in ("get", "post", "put", "patch", "delete")}


def test_the_table_has_a_row_for_every_documented_operation(documented):
    assert set(documented) - set(TABLE) == set(), "decide who may call the new operation"
    assert set(TABLE) - set(documented) == set(), "the table lists an operation that is gone"


# Examples that name credentials: the world's real ones, so the answer is about the caller.
BODIES = {
    ("post", "/api/v1/auth/login"): lambda world, body: {
        "email": world["admin"].email, "password": PASSWORD, "totp_code": totp_code()},
    ("post", "/api/v1/auth/set-password"): lambda world, body: {
        **body, "code": issue_set_password_code(admin_actor(world), world["staff_id"])[0]},
    ("post", "/api/v1/auth/activate"): lambda world, body: {
        "code": issue_activation_code(admin_actor(world), world["participant_id"])[0]},
    ("post", "/api/v1/auth/second-factor/recovery-codes"): lambda world, body: {
        "password": PASSWORD, "totp_code": totp_code()},
    ("post", f"{P}/sign-offs"): lambda world, body: {
        **body, "password": PASSWORD, "second_factor_code": totp_code()},
}


@pytest.mark.parametrize(("method", "path", "caller", "expected"), CASES,
                         ids=[f"{m.upper()} {p.removeprefix('/api/v1')} {c}"
                              for m, p, c, _ in CASES])
def test_each_caller_gets_exactly_the_answer_it_should(client, site, documented, method, path,
                                                       caller, expected):
    world, expected_row = make_world(client, site), TABLE[method, path]
    token = caller_token(caller, world)
    body = documented.get((method, path))
    if (method, path) in BODIES:
        body = BODIES[method, path](world, body)
    response = client.open(url(path, world), method=method.upper(),
                           headers=auth(token) if token else {},
                           json=body if method in ("post", "put", "patch") else None)
    status = response.status_code
    assert status < 500, response.get_data(as_text=True)
    if expected == OK:
        assert status not in (401, 403, 404), response.get_json()
    else:
        assert status == expected, response.get_json()
    if caller in ("stranger", "other_participant") and status < 300 and expected_row != PUBLIC:
        # Allowed to ask, but only about their own: the world's participant is not in it.
        assert STUDY_CODE not in _text(response)
        assert not _names(response.get_json(silent=True), world["participant_id"])


def _names(data, participant_id: int) -> bool:
    """Whether any object in a JSON answer belongs to the participant (``participant_id``)."""
    if isinstance(data, dict):
        return data.get("participant_id") == participant_id or any(
            _names(value, participant_id) for value in data.values())
    if isinstance(data, list):
        return any(_names(value, participant_id) for value in data)
    return False


def _text(response) -> str:
    """Return the answer as text; a zip (the SDTM package) as the text of its files."""
    if response.mimetype != "application/zip":
        return response.get_data(as_text=True)
    with zipfile.ZipFile(io.BytesIO(response.get_data())) as package:
        return "".join(package.read(name).decode("latin-1") for name in package.namelist())


def test_a_record_is_reached_only_through_its_own_participant(client, site, documented):
    """OWASP API1: this site's coordinator, naming another participant of the site with the
    world's adverse event, assessment or hold, finds nothing (404), and nothing changes."""
    nested = [(m, p) for m, p in documented if p.startswith(P + "/") and path_parameters(p)[1:]]
    assert len(nested) >= 5
    world = make_world(client, site)
    neighbour = make_participant(enrolled="2026-03-01", site=site)
    token = token_for(make_staff("coordinator"))
    for method, path in nested:
        response = client.open(url(path, {**world, "participant_id": neighbour.id}),
                               method=method.upper(), headers=auth(token),
                               json=documented[method, path] if method != "get" else None)
        assert response.status_code == 404, (method, path, response.get_json())
    base = url(P, world)
    for kind, name in (("adverse-events", "event_id"), ("assessments", "assessment_id")):
        answer = client.get(f"{base}/{kind}/{world[name]}?history=true", headers=auth(token))
        assert len(answer.get_json()["versions"]) == 1, answer.get_json()
    holds = client.get(f"{base}/regimen", headers=auth(token)).get_json()["holds"]
    assert [hold["end_date"] for hold in holds] == [None]


def test_a_site_filter_does_not_open_another_site(client, site, documented, spec_parameters):
    """A coordinator of another site naming this site in a documented filter (``site``,
    ``site_id``) is refused or answered without this site's participant."""
    filters = [(path, name) for path, names in spec_parameters.items()
               for name in names if name in ("site", "site_id")]
    assert len(filters) >= 6
    world = make_world(client, site)
    stranger = auth(caller_token("stranger", world))
    for path, name in filters:
        value = site.code if name == "site" else site.id
        response = client.get(path, query_string={name: value}, headers=stranger)
        assert response.status_code < 500, (path, response.get_json())
        if response.status_code < 300:
            assert STUDY_CODE not in _text(response), path
            assert not _names(response.get_json(silent=True), world["participant_id"]), path


@pytest.fixture(scope="module")
def spec_parameters(app):
    """The query parameters of each GET with no path parameter, by path."""
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    return {path: [parameter["name"] for parameter in item["get"].get("parameters", [])
                   if parameter["in"] == "query"]
            for path, item in spec["paths"].items() if "get" in item and "{" not in path}
