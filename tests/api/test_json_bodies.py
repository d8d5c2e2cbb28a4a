"""What the API refuses in a JSON body before any schema reads it."""

import pytest
import time_machine

from tests.api.dose_helpers import MY_DOSES, NOON_IN_SEOUL, taken
from tests.factories import auth, make_participant, token_for

LOGIN = "/api/v1/auth/login"


def _post_raw(client, url, text, headers=None):
    return client.post(url, data=text, content_type="application/json", headers=headers or {})


def _bad_request(response) -> dict:
    assert response.status_code == 400, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"code", "status", "message", "errors"}
    return body


@pytest.mark.parametrize("opening", ["[", '{"a":'])
def test_json_nested_100000_deep_is_400_not_a_recursion_error(client, opening):
    body = _bad_request(_post_raw(client, LOGIN, opening * 100_000))
    assert "nested" in body["message"].lower()


def test_json_nested_deeper_than_the_limit_is_400_and_within_it_is_read(client):
    body = _bad_request(_post_raw(client, LOGIN, '{"email": ' + "[" * 33 + "]" * 33 + "}"))
    assert "32" in body["message"]
    within = _post_raw(client, LOGIN, '{"email": ' + "[" * 31 + "]" * 31 + "}")
    assert within.status_code == 422  # read, then refused by the schema: not a string


def test_a_duplicate_key_is_400_naming_it(client):
    text = '{"email": "a@example.org", "password": "x", "email": "b@example.org"}'
    body = _bad_request(_post_raw(client, LOGIN, text))
    assert body["errors"] == {"json": ["Duplicate key 'email'."]}


def test_a_duplicate_key_deep_inside_is_400(client):
    text = '{"email": [{"a": 1, "a": 2}], "password": "x"}'
    assert _bad_request(_post_raw(client, LOGIN, text))["errors"] == {
        "json": ["Duplicate key 'a'."]}


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_non_json_number_constants_are_400(client, constant):
    _bad_request(_post_raw(client, LOGIN, f'{{"email": {constant}, "password": "x"}}'))


def test_a_decimal_dose_is_read_exactly(client, app_context):
    with time_machine.travel(NOON_IN_SEOUL, tick=False):
        headers = auth(token_for(make_participant(enrolled="2026-03-01", dose_mg=400)))
        text = ('{"client_id": "6f1c1cde-7f52-4bd4-9a5b-5cb4f0a3e001", "dose_date": '
                '"2026-03-05", "status": "taken", "dose_mg": 200.1, '
                '"taken_at": "2026-03-05T08:00:00+09:00"}')
        response = _post_raw(client, MY_DOSES, text, headers=headers)
        assert response.status_code == 201, response.get_json()
        assert response.get_json()["dose_mg"] == 200.1


def test_an_empty_body_is_still_a_missing_field_error(client):
    response = client.post(LOGIN, data="", content_type="application/json")
    assert response.status_code == 422


def test_an_ordinary_body_still_works(client, app_context):
    with time_machine.travel(NOON_IN_SEOUL, tick=False):
        headers = auth(token_for(make_participant(enrolled="2026-03-01")))
        assert client.post(MY_DOSES, json=taken(), headers=headers).status_code == 201
