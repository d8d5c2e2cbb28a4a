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


def test_symptom_answers_conform_to_the_document_and_name_keys_and_attributes_as_enums(
        client, site, document):
    spec = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    keys = spec["SymptomAnswerWrite"]["properties"]["item"]["enum"]
    assert {"nausea", "pain_in_abdomen", "muscle_cramps", "weight_kg"} <= set(keys)
    assert spec["SymptomItem"]["properties"]["attributes"]["items"]["enum"] == [
        "frequency", "severity", "interference", "presence", "kg"]
    with time_machine.travel(NOON_IN_SEOUL, tick=False):
        patient = make_participant(site=site, enrolled="2026-11-20")
        device = auth(token_for(patient))
        staff = auth(token_for(make_staff("coordinator", sites=[site])))
        _conforms(document, "/api/v1/me/symptom-items", "GET",
                  client.get("/api/v1/me/symptom-items", headers=device))
        body = {"client_id": "7c9e6679-7425-40de-944b-e07fc1f90ae7",
                "report_date": "2026-12-01", "emergency_visit": False, "pregnancy": True,
                "pregnancy_of": "partner", "pregnancy_date": "2026-11-30",
                "items": [{"item": "nausea", "frequency": 0}, {"item": "rash", "presence": True},
                          {"item": "weight_kg", "kg": 70.25}]}
        _conforms(document, "/api/v1/me/symptom-reports", "POST",
                  client.post("/api/v1/me/symptom-reports", json=body, headers=device))
        _conforms(document, "/api/v1/me/symptom-reports", "GET",
                  client.get("/api/v1/me/symptom-reports", headers=device))
        synced = dict(body, client_id="9a3f2b1c-0d4e-4f5a-8b6c-7d8e9f0a1b2c", kind="symptom_report",
                      pregnancy=False, pregnancy_of=None, pregnancy_date=None)
        _conforms(document, "/api/v1/me/sync", "POST",
                  client.post("/api/v1/me/sync", json={"entries": [synced, 7]}, headers=device))
        url = f"/api/v1/participants/{patient.id}/symptom-reports"
        back_entry = dict(body, client_id="1b4e28ba-2fa1-11d2-883f-0016d3cca427",
                          reason="Clinic visit")
        _conforms(document, "/api/v1/participants/{participant_id}/symptom-reports", "POST",
                  client.post(url, json=back_entry, headers=staff))
        _conforms(document, "/api/v1/participants/{participant_id}/symptom-reports", "GET",
                  client.get(url, headers=staff))
