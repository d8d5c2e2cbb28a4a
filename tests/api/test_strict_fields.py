"""Values are read as sent: no string taken for a boolean or a number, nothing rounded."""

import pytest
import time_machine

from tests.api.dose_helpers import MY_DOSES, NOON_IN_SEOUL, taken
from tests.factories import auth, make_participant, make_staff, token_for

PARTICIPANTS = "/api/v1/participants"


@pytest.fixture
def device(app_context):
    with time_machine.travel(NOON_IN_SEOUL, tick=False):
        yield auth(token_for(make_participant(enrolled="2026-03-01")))


@pytest.fixture
def staff(site):
    return auth(token_for(make_staff("coordinator", sites=[site])))


def _dose(client, device, **fields):
    with time_machine.travel(NOON_IN_SEOUL, tick=False):
        return client.post(MY_DOSES, json=taken(**fields), headers=device)


@pytest.mark.parametrize("value", ["yes", "true", 1, 0, "1"])
def test_a_boolean_that_is_not_a_json_boolean_is_422(client, device, value):
    response = _dose(client, device, vomited=value)
    assert response.status_code == 422
    assert list(response.get_json()["errors"]) == ["vomited"]


def test_json_booleans_are_read(client, device):
    response = _dose(client, device, vomited=True)
    assert response.status_code == 201
    assert response.get_json()["vomited"] is True


@pytest.mark.parametrize("value", ["400", "400.00"])
def test_a_dose_sent_as_a_string_is_422(client, device, value):
    response = _dose(client, device, dose_mg=value)
    assert response.status_code == 422
    assert list(response.get_json()["errors"]) == ["dose_mg"]


@pytest.mark.parametrize("value", [399.999, 0.001, 400.005])
def test_a_dose_with_more_decimals_than_stored_is_422_not_rounded(client, device, value):
    response = _dose(client, device, dose_mg=value)
    assert response.status_code == 422
    assert response.get_json()["errors"]["dose_mg"] == ["At most 2 decimals."]
    with time_machine.travel(NOON_IN_SEOUL, tick=False):
        assert client.get(MY_DOSES, headers=device).get_json() == []


@pytest.mark.parametrize("value", [399.5, 400.00, 400.10])
def test_a_dose_with_up_to_two_decimals_is_kept_as_sent(client, device, value):
    response = _dose(client, device, dose_mg=value)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["dose_mg"] == value


def test_a_prescribed_dose_beyond_what_is_stored_is_422(client, staff, site):
    patient = make_participant(site=site)
    body = {"effective_from": "2026-03-01", "dose_mg": 10**9, "reason": "Escalation"}
    response = client.post(f"{PARTICIPANTS}/{patient.id}/dose-changes", json=body,
                           headers=staff)
    assert response.status_code == 422
    assert list(response.get_json()["errors"]) == ["dose_mg"]


def test_a_prescribed_dose_sent_as_a_string_is_422(client, staff, site):
    patient = make_participant(site=site)
    body = {"effective_from": "2026-03-01", "dose_mg": "300", "reason": "Toxicity"}
    response = client.post(f"{PARTICIPANTS}/{patient.id}/dose-changes", json=body,
                           headers=staff)
    assert response.status_code == 422
    assert list(response.get_json()["errors"]) == ["dose_mg"]


@pytest.mark.parametrize("field", ["sms_consent", "proxy_reporter"])
def test_enrolment_booleans_must_be_json_booleans(client, staff, site, field):
    body = {"study_code": "S01-777", "site_id": site.id, "enrolled_on": "2026-03-01",
            "phone": "010-1234-5678", field: "yes"}
    response = client.post(PARTICIPANTS, json=body, headers=staff)
    assert response.status_code == 422
    assert list(response.get_json()["errors"]) == [field]


def test_a_site_id_sent_as_a_string_is_422(client, staff, site):
    body = {"study_code": "S01-778", "site_id": str(site.id), "enrolled_on": "2026-03-01"}
    response = client.post(PARTICIPANTS, json=body, headers=staff)
    assert response.status_code == 422
    assert list(response.get_json()["errors"]) == ["site_id"]


@pytest.mark.parametrize("value", ["yes", "1", "on"])
def test_a_query_boolean_is_true_or_false(client, device, value):
    with time_machine.travel(NOON_IN_SEOUL, tick=False):
        response = client.get(MY_DOSES, query_string={"history": value}, headers=device)
        assert response.status_code == 422
        assert client.get(MY_DOSES, query_string={"history": "true"},
                          headers=device).status_code == 200


@pytest.mark.parametrize("taken_at", ["0001-01-01T00:00:00+14:00",
                                      "9999-12-31T23:59:59-14:00",
                                      "1899-12-31T23:00:00+00:00"])
def test_a_time_taken_outside_a_sane_range_is_422(client, device, taken_at):
    response = _dose(client, device, taken_at=taken_at)
    assert response.status_code == 422, response.get_json()
    assert list(response.get_json()["errors"]) == ["taken_at"]


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_a_date_outside_a_sane_range_is_422(client, device, day):
    with time_machine.travel(NOON_IN_SEOUL, tick=False):
        response = client.get(MY_DOSES, query_string={"from": day}, headers=device)
        assert response.status_code == 422
        assert list(response.get_json()["errors"]) == ["from"]
