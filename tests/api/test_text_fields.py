"""Strings a database cannot store as UTF-8 text are refused with a 422, on every field."""

import pytest
import time_machine

from tests.api.dose_helpers import MY_DOSES, NOON_IN_SEOUL, taken
from tests.factories import auth, make_participant, make_staff, token_for

LOGIN = "/api/v1/auth/login"
NUL = "\x00"
LONE_SURROGATE = "\ud83d"  # the first half of 😀, as a phone that splits an emoji sends it


@pytest.fixture
def device(app_context):
    with time_machine.travel(NOON_IN_SEOUL, tick=False):
        yield auth(token_for(make_participant(enrolled="2026-03-01")))


@pytest.mark.parametrize("bad", [NUL, LONE_SURROGATE])
def test_a_note_that_cannot_be_stored_is_refused_with_422(client, device, bad):
    with time_machine.travel(NOON_IN_SEOUL, tick=False):
        response = client.post(MY_DOSES, json=taken(note=f"felt ok {bad}"), headers=device)
        assert response.status_code == 422, response.get_json()
        assert list(response.get_json()["errors"]) == ["note"]
        assert client.get(MY_DOSES, headers=device).get_json() == []


def test_a_nul_in_a_note_is_named_in_the_message(client, device):
    with time_machine.travel(NOON_IN_SEOUL, tick=False):
        response = client.post(MY_DOSES, json=taken(note=NUL), headers=device)
        assert "NUL" in response.get_json()["errors"]["note"][0]


def test_a_split_emoji_is_named_in_the_message(client, device):
    with time_machine.travel(NOON_IN_SEOUL, tick=False):
        response = client.post(MY_DOSES, json=taken(note=LONE_SURROGATE), headers=device)
        assert "emoji" in response.get_json()["errors"]["note"][0]


def test_a_whole_emoji_is_kept(client, device):
    with time_machine.travel(NOON_IN_SEOUL, tick=False):
        response = client.post(MY_DOSES, json=taken(note="felt ok 😀"), headers=device)
        assert response.status_code == 201
        assert response.get_json()["note"] == "felt ok 😀"


@pytest.mark.parametrize("bad", [NUL, LONE_SURROGATE])
@pytest.mark.parametrize("field", ["email", "password"])
def test_sign_in_with_an_unstorable_string_is_422(client, field, bad):
    body = {"email": "a@example.org", "password": "secret", field: f"a{bad}b"}
    response = client.post(LOGIN, json=body)
    assert response.status_code == 422
    assert list(response.get_json()["errors"]) == [field]


def test_a_nul_in_a_query_string_is_422(client, site):
    headers = auth(token_for(make_staff("coordinator", sites=[site])))
    response = client.get("/api/v1/alerts", query_string={"kind": "sms\x00"}, headers=headers)
    assert response.status_code == 422
    assert list(response.get_json()["errors"]) == ["kind"]


def test_a_nul_in_a_reason_is_422(client, site):
    headers = auth(token_for(make_staff("coordinator", sites=[site])))
    patient = make_participant(site=site)
    response = client.patch(f"/api/v1/participants/{patient.id}",
                            json={"proxy_reporter": True, "reason": "asked\x00"},
                            headers=headers)
    assert response.status_code == 422
    assert list(response.get_json()["errors"]) == ["reason"]
