"""Every refusal, expected or not, comes back in the one error body."""

import re

import pytest

from diary.operations import participants
from tests.factories import auth, make_participant, make_site, make_staff, token_for

BODY_KEYS = {"code", "status", "message", "errors"}
LOGIN = "/api/v1/auth/login"
PARTICIPANTS = "/api/v1/participants"


def _error(response, code: int) -> dict:
    assert response.status_code == code, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == BODY_KEYS
    assert body["code"] == code
    assert isinstance(body["errors"], dict)
    return body


@pytest.fixture
def headers(site):
    return auth(token_for(make_staff("coordinator", sites=[site])))


def test_malformed_json_is_400(client):
    response = client.post(LOGIN, data='{"email": "a@example.org",',
                           content_type="application/json")
    body = _error(response, 400)
    assert body["message"] == "The body is not valid JSON."


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded"])
def test_a_body_that_is_not_json_is_400(client, content_type):
    response = client.post(LOGIN, data="email=a@example.org&password=x",
                           content_type=content_type)
    assert "JSON" in _error(response, 400)["message"]


def test_unknown_fields_are_422_naming_them(client):
    response = client.post(LOGIN, json={"email": "a@example.org", "password": "x",
                                        "remember_me": True})
    assert _error(response, 422)["errors"] == {"remember_me": ["Unknown field."]}


@pytest.mark.parametrize("body", [[1, 2], "a string", 7])
def test_a_json_body_that_is_not_an_object_is_422(client, body):
    _error(client.post(LOGIN, json=body), 422)


def test_a_body_over_the_size_limit_is_413(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 100)
    response = client.post(LOGIN, json={"email": "a@example.org", "password": "x" * 200})
    _error(response, 413)


def test_bad_query_arguments_are_422(client, headers):
    _error(client.get(PARTICIPANTS, query_string={"page": 0}, headers=headers), 422)
    _error(client.get(PARTICIPANTS, query_string={"status": "lost"}, headers=headers), 422)


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer not-a-token", "Basic dXNlcjpwdw=="])
def test_missing_or_bad_token_is_401(client, header):
    headers = {"Authorization": header} if header else {}
    _error(client.get(PARTICIPANTS, headers=headers), 401)


def test_a_device_token_does_not_open_staff_pages(client, site):
    device = auth(token_for(make_participant(site=site)))
    _error(client.get(PARTICIPANTS, headers=device), 401)


def test_wrong_role_is_403(client, site):
    investigator = auth(token_for(make_staff("investigator", sites=[site])))
    response = client.post(PARTICIPANTS, json={}, headers=investigator)
    _error(response, 403)


def test_another_sites_participant_is_404_not_403(client, headers):
    stranger = make_participant(site=make_site("ERR"))
    _error(client.get(f"{PARTICIPANTS}/{stranger.id}", headers=headers), 404)


def test_wrong_method_is_405_with_allow(client, headers):
    response = client.delete(LOGIN, headers=headers)
    _error(response, 405)
    assert "POST" in response.headers["Allow"]


def test_an_unexpected_failure_is_a_bare_500_without_a_traceback(client, headers, monkeypatch,
                                                                 caplog):
    def explode(*_args, **_kwargs):
        raise RuntimeError("secret internals: /srv/diary/operations.py line 42")

    monkeypatch.setattr(participants, "list_participants", explode)
    response = client.get(PARTICIPANTS, headers=headers)
    body = _error(response, 500)
    text = response.get_data(as_text=True)
    assert "Traceback" not in text and "secret internals" not in text
    assert body["errors"] == {}
    assert "RuntimeError" in caplog.text  # logged for us, not shown to the client


def test_openapi_documents_summaries_and_error_responses(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    participant = paths["/api/v1/participants/{participant_id}"]
    assert participant["get"]["summary"].startswith("Show a participant")
    assert {"401", "403", "404"} <= set(participant["get"]["responses"])
    assert {"404", "409", "422"} <= set(participant["patch"]["responses"])
    enrol = paths["/api/v1/participants"]["post"]
    assert {"201", "403", "409", "422"} <= set(enrol["responses"])
    login = paths["/api/v1/auth/login"]["post"]
    assert login["security"] == []
    assert {"200", "401", "422"} <= set(login["responses"])


def test_a_conflict_is_409_in_the_one_body(client, site, headers):
    body = {"study_code": "S01-409", "site_id": site.id, "enrolled_on": "2026-03-01"}
    assert client.post(PARTICIPANTS, json=body, headers=headers).status_code == 201
    conflict = _error(client.post(PARTICIPANTS, json=body, headers=headers), 409)
    assert conflict["errors"] == {"study_code": ["Already in use."]}


def _resolve(spec: dict, node: dict) -> dict:
    while "$ref" in node:
        *_, kind, name = node["$ref"].split("/")
        node = spec["components"][kind][name]
    return node


def _operations(spec: dict):
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method != "parameters":
                yield f"{method.upper()} {path}", path, operation


def test_every_operation_documents_its_schemas_and_error_responses(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    error = {"$ref": "#/components/schemas/Error"}
    operations = list(_operations(spec))
    assert len(operations) >= 20
    for where, path, operation in operations:
        codes = set(operation["responses"])
        assert operation.get("summary"), where
        successes = {code for code in codes if code.startswith("2")}
        assert successes, where
        for code in successes - {"204"}:
            content = _resolve(spec, operation["responses"][code])["content"]
            # JSON, or a download (the SDTM zip) documented with its own media type.
            assert any(media.get("schema") for media in content.values()), where
        if operation.get("security") != []:
            assert "401" in codes, where
        if "{" in path:
            assert "404" in codes, where
        if "requestBody" in operation:
            assert operation["requestBody"]["content"]["application/json"]["schema"], where
            assert {"400", "413", "422"} <= codes, where
        if any(p.get("in") == "query" for p in operation.get("parameters", [])):
            assert "422" in codes, where
        for code in codes - successes:
            response = _resolve(spec, operation["responses"][code])
            assert response["content"]["application/json"]["schema"] == error, (where, code)


def test_every_request_body_refuses_unknown_fields(client, app, site):
    """Whatever the endpoint, a field it does not know is named in a 422."""
    staff = auth(token_for(make_staff("admin", sites=[site])))
    device = auth(token_for(make_participant(site=site)))
    spec = client.get("/api/v1/openapi.json").get_json()
    checked = []
    for where, path, operation in _operations(spec):
        if "requestBody" not in operation:
            continue
        method = where.split()[0].lower()
        url = re.sub(r"\{[^}]+\}", "1", path)
        if operation.get("security") == []:
            headers = {}
        elif path.startswith("/api/v1/me"):
            headers = device
        else:
            headers = staff
        response = getattr(client, method)(url, json={"surprise": 1}, headers=headers)
        assert response.status_code == 422, (where, response.get_json())
        assert response.get_json()["errors"].get("surprise") == ["Unknown field."], where
        checked.append(where)
    assert len(checked) >= 10
