"""Withdrawing a participant records the local date of withdrawal (``withdrawn_on``)."""

from datetime import UTC, datetime

import pytest

from tests.factories import auth, make_participant, make_staff, token_for

FROZEN_AT = datetime(2026, 3, 20, 16, 0, tzinfo=UTC)  # 21 March, 01:00 in Seoul
pytestmark = pytest.mark.usefixtures("clock")


@pytest.fixture
def coordinator(site):
    return auth(token_for(make_staff("coordinator")))


@pytest.fixture
def participant(site):
    return make_participant(enrolled="2026-03-01", phone=None, sms_consent=False)


def _patch(client, headers, participant, **fields):
    return client.patch(f"/api/v1/participants/{participant.id}", headers=headers,
                        json={"reason": "Withdrew consent", **fields})


def test_withdrawal_defaults_to_today_in_the_participants_zone(client, coordinator,
                                                               participant):
    response = _patch(client, coordinator, participant, status="withdrawn")
    assert response.status_code == 200
    # 16:00 UTC on 20 March is already 21 March in Seoul.
    assert response.get_json()["withdrawn_on"] == "2026-03-21"
    audit = client.get(f"/api/v1/participants/{participant.id}/audit",
                       headers=coordinator).get_json()[0]
    assert audit["after"]["withdrawn_on"] == "2026-03-21"


@pytest.mark.parametrize("day", ["2026-02-28", "2026-03-22"])
def test_withdrawal_before_enrolment_or_in_the_future_is_refused(client, coordinator,
                                                                 participant, day):
    response = _patch(client, coordinator, participant, status="withdrawn", withdrawn_on=day)
    assert response.status_code == 422
    assert "withdrawn_on" in response.get_json()["errors"]
    again = client.get(f"/api/v1/participants/{participant.id}", headers=coordinator)
    assert (again.get_json()["status"], again.get_json()["withdrawn_on"]) == ("active", None)


def test_a_withdrawal_date_needs_a_withdrawal(client, coordinator, participant):
    response = _patch(client, coordinator, participant, withdrawn_on="2026-03-10")
    assert response.status_code == 422
    assert "withdrawn_on" in response.get_json()["errors"]


def test_the_date_can_be_corrected_and_is_cleared_on_return(client, coordinator, participant):
    _patch(client, coordinator, participant, status="withdrawn", withdrawn_on="2026-03-12")
    corrected = _patch(client, coordinator, participant, withdrawn_on="2026-03-11")
    assert corrected.get_json()["withdrawn_on"] == "2026-03-11"
    unchanged = _patch(client, coordinator, participant, reminder_time="10:00")
    assert unchanged.get_json()["withdrawn_on"] == "2026-03-11"
    back = _patch(client, coordinator, participant, status="active")
    assert (back.get_json()["status"], back.get_json()["withdrawn_on"]) == ("active", None)
