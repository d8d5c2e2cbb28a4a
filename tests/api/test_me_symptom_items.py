"""The phone learns what to ask: GET /api/v1/me/symptom-items."""

import pytest

from tests.api.symptom_helpers import MY_ITEMS
from tests.factories import auth, make_participant, make_staff, token_for


@pytest.mark.parametrize(("locale", "rash", "no", "pregnancy"), [
    ("ko", "발진", "아니요", "지난 보고 이후 본인 또는 배우자(파트너)가 임신하셨습니까?"),
    ("en", "Rash", "No", "Since your last report, have you or your partner become pregnant?"),
])
def test_items_come_with_their_attributes_and_texts_in_the_participants_locale(
        client, site, locale, rash, no, pregnancy):
    headers = auth(token_for(make_participant(locale=locale)))
    response = client.get(MY_ITEMS, headers=headers)
    assert response.status_code == 200
    body = response.get_json()
    assert body["recall_days"] == 7
    by_key = {entry["key"]: entry for entry in body["items"]}
    assert len(by_key) == 16
    assert by_key["rash"]["text"] == rash
    assert by_key["rash"]["attributes"] == ["presence"]
    assert by_key["rash"]["questions"][0]["choices"][0] == no
    assert by_key["pain_in_abdomen"]["attributes"] == ["frequency", "severity", "interference"]
    assert by_key["pain_in_abdomen"]["pro_ctcae_item"] == 17
    assert body["questions"]["pregnancy"] == pregnancy


def test_the_weight_item_asks_kg_within_its_bounds(client, site):
    body = client.get(MY_ITEMS, headers=auth(token_for(make_participant()))).get_json()
    (weight,) = [entry for entry in body["items"] if entry["key"] == "weight_kg"]
    assert (weight["attributes"], weight["unit"], weight["minimum"], weight["maximum"]) == (
        ["kg"], "kg", 20, 300)
    assert weight["pro_ctcae_item"] is None
    assert weight["questions"][0]["choices"] == []


def test_items_need_a_device_token(client, site):
    assert client.get(MY_ITEMS).status_code == 401
    staff = make_staff("coordinator")
    assert client.get(MY_ITEMS, headers=auth(token_for(staff))).status_code == 401
