"""A participant's token reaches that participant's diary only, and learns nothing of others."""

import pytest

from tests.api.dose_helpers import MY_DOSES, MY_SYNC, NOON_IN_SEOUL, taken
from tests.factories import auth, make_participant, token_for

FROZEN_AT = NOON_IN_SEOUL
pytestmark = pytest.mark.usefixtures("clock")


@pytest.fixture
def mine(app_context):
    return auth(token_for(make_participant(enrolled="2026-03-01")))


@pytest.fixture
def theirs(app_context):
    return auth(token_for(make_participant(enrolled="2026-03-01")))


def test_another_participants_client_id_is_a_new_entry_not_theirs(client, mine, theirs):
    body = taken("2026-03-04", note="kept private")
    their_entry = client.post(MY_DOSES, json=body, headers=theirs).get_json()
    # The same client id, with the same body and with another: neither their entry nor a
    # conflict that would tell this phone the id is in use elsewhere.
    same = client.post(MY_DOSES, json=body, headers=mine)
    assert same.status_code == 201
    assert same.get_json()["id"] != their_entry["id"]
    other_day = client.post(MY_DOSES, json=dict(body, dose_date="2026-03-03",
                                                taken_at="2026-03-03T08:00:00+09:00"),
                            headers=theirs)
    assert other_day.status_code == 409  # reuse within one participant is still a conflict
    assert [e["id"] for e in client.get(MY_DOSES, headers=theirs).get_json()] == [
        their_entry["id"]]


def test_sync_with_another_participants_client_id_creates_this_ones_entry(client, mine,
                                                                         theirs):
    body = taken("2026-03-04")
    client.post(MY_DOSES, json=body, headers=theirs)
    results = client.post(MY_SYNC, json={"entries": [body]}, headers=mine).get_json()["results"]
    assert [r["result"] for r in results] == ["created"]
    assert len(client.get(MY_DOSES, headers=mine).get_json()) == 1


def test_each_diary_lists_only_its_own_entries(client, mine, theirs):
    client.post(MY_DOSES, json=taken("2026-03-02"), headers=theirs)
    client.post(MY_DOSES, json=taken("2026-03-03"), headers=mine)
    assert [e["dose_date"] for e in client.get(MY_DOSES, headers=mine).get_json()] == [
        "2026-03-03"]
    history = client.get(MY_DOSES + "?history=true", headers=mine).get_json()
    assert [e["dose_date"] for e in history] == ["2026-03-03"]


def test_a_device_token_on_staff_urls_gets_the_same_answer_for_any_participant(
        client, app_context):
    patient = make_participant(enrolled="2026-03-01")
    other = make_participant(enrolled="2026-03-01")
    headers = auth(token_for(patient))
    answers = [
        client.get(f"/api/v1/participants/{participant_id}{tail}", headers=headers)
        for participant_id in (patient.id, other.id, other.id + 10_000)
        for tail in ("", "/doses", "/audit")
    ]
    assert {a.status_code for a in answers} == {401}
    assert len({a.get_data() for a in answers}) == 1
