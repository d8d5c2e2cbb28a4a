"""Integers in paths, queries and bodies stay within what the database can hold."""

import pytest

from tests.factories import auth, make_participant, make_staff, token_for

BIG = 10**20
TOO_BIG_FOR_INT4 = 2**31


@pytest.fixture
def headers(site):
    return auth(token_for(make_staff("admin", sites=[site])))


@pytest.mark.parametrize("path", [
    f"/api/v1/participants/{BIG}",
    f"/api/v1/participants/{TOO_BIG_FOR_INT4}",
    "/api/v1/participants/99999999999999999999999",
    f"/api/v1/participants/{BIG}/doses",
    f"/api/v1/participants/{BIG}/regimen",
    f"/api/v1/participants/{BIG}/audit",
    f"/api/v1/alerts/{BIG}",
])
def test_an_id_beyond_the_database_range_in_a_path_is_404(client, headers, path):
    response = client.get(path, headers=headers)
    assert response.status_code == 404, response.get_json()
    assert response.get_json()["code"] == 404


def test_an_id_beyond_the_range_in_a_write_path_is_404(client, headers, site):
    participant = make_participant(site=site)
    response = client.patch(f"/api/v1/participants/{participant.id}/dose-holds/{BIG}",
                            json={"end_date": "2026-03-01", "reason": "x"}, headers=headers)
    assert response.status_code == 404


@pytest.mark.parametrize("query", [
    {"page": BIG}, {"page": 1_000_001}, {"page_size": BIG}, {"site_id": BIG},
    {"site_id": TOO_BIG_FOR_INT4},
])
def test_query_integers_beyond_the_range_are_422(client, headers, query):
    response = client.get("/api/v1/participants", query_string=query, headers=headers)
    assert response.status_code == 422, response.get_json()
    assert set(response.get_json()["errors"]) == set(query)


def test_a_page_number_far_past_the_last_page_is_an_empty_page(client, headers):
    response = client.get("/api/v1/alerts", query_string={"page": 1_000_000}, headers=headers)
    assert response.status_code == 200
    assert response.get_json() == []


def test_a_site_id_beyond_the_range_in_a_body_is_422(client, headers):
    body = {"study_code": "S01-901", "site_id": BIG, "enrolled_on": "2026-03-01"}
    response = client.post("/api/v1/participants", json=body, headers=headers)
    assert response.status_code == 422
    assert "site_id" in response.get_json()["errors"]


def test_the_bounds_are_documented(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    item = spec["paths"]["/api/v1/participants/{participant_id}"]
    (param,) = [p for p in item["parameters"] if p["name"] == "participant_id"]
    assert param["schema"] == {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}
    listing = spec["paths"]["/api/v1/participants"]["get"]["parameters"]
    page = next(p for p in listing if p["name"] == "page")
    assert page["schema"]["maximum"] == 1_000_000
    site_id = next(p for p in listing if p["name"] == "site_id")
    assert site_id["schema"]["maximum"] == 2**31 - 1
