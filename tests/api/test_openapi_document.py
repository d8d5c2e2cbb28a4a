"""The OpenAPI document tells the truth about what the API answers, nulls included."""

from datetime import UTC, datetime

import pytest
import schemathesis
import time_machine

from tests.factories import auth, make_participant, make_staff, token_for

# 1 December 2026, noon in Seoul.
NOON_IN_SEOUL = datetime(2026, 12, 1, 3, tzinfo=UTC)


@pytest.fixture
def document(client):
    return schemathesis.openapi.from_dict(client.get("/api/v1/openapi.json").get_json())


def _conforms(document, path: str, method: str, response) -> dict:
    assert response.status_code < 300, response.get_json()
    document[path][method].validate_response(response)
    return response.get_json()


def test_a_participant_not_started_yet_answers_as_documented(client, site, document):
    with time_machine.travel(NOON_IN_SEOUL, tick=False):
        patient = make_participant(site=site, enrolled="2026-12-20")
        staff = auth(token_for(make_staff("coordinator", sites=[site])))
        url = f"/api/v1/participants/{patient.id}"
        shown = _conforms(document, "/api/v1/participants/{participant_id}", "GET",
                          client.get(url, headers=staff))
        assert (shown["study_day"], shown["current_dose_mg"]) == (None, None)
        _conforms(document, "/api/v1/participants", "GET",
                  client.get("/api/v1/participants", headers=staff))
        _conforms(document, "/api/v1/participants/{participant_id}/regimen", "GET",
                  client.get(f"{url}/regimen", headers=staff))
        code = client.post(f"{url}/activation-code", headers=staff).get_json()["code"]
        activated = _conforms(document, "/api/v1/auth/activate", "POST",
                              client.post("/api/v1/auth/activate", json={"code": code}))
        assert activated["participant"]["study_day"] is None
        device = auth(activated["access_token"])
        profile = _conforms(document, "/api/v1/me", "GET", client.get("/api/v1/me",
                                                                       headers=device))
        assert profile["prescribed_mg_today"] is None
        overview = _conforms(document, "/api/v1/me/adherence", "GET",
                             client.get("/api/v1/me/adherence", headers=device))
        assert overview["so_far"]["adherence"] is None


def test_a_rejected_sync_entry_answers_as_documented(client, site, document):
    with time_machine.travel(NOON_IN_SEOUL, tick=False):
        device = auth(token_for(make_participant(site=site, enrolled="2026-11-20")))
        results = _conforms(document, "/api/v1/me/sync", "POST", client.post(
            "/api/v1/me/sync", json={"entries": [None, {"client_id": 7}]}, headers=device))
        assert [r["result"] for r in results["results"]] == ["rejected", "rejected"]
