"""The participant's adherence: GET /api/v1/me/adherence."""

import time_machine

from tests.api.dose_helpers import MY_DOSES, add_hold, add_step, missed, taken
from tests.factories import auth, make_participant, make_staff, token_for

ADHERENCE = "/api/v1/me/adherence"
# 12:00 in Seoul on 10 March 2026: study day 10 (week 2) for an enrolment on 1 March.
NOON_DAY_10 = "2026-03-10T03:00:00Z"


def _diary(client, headers, entries):
    for body in entries:
        assert client.post(MY_DOSES, json=body, headers=headers).status_code == 201


def test_adherence_counts_missed_and_unreported_apart_and_leaves_out_holds(client,
                                                                          app_context):
    with time_machine.travel(NOON_DAY_10, tick=False):
        patient = make_participant(enrolled="2026-03-01")
        headers = auth(token_for(patient))
        add_hold(patient, make_staff(), "2026-03-04", "2026-03-05")
        _diary(client, headers, [
            taken("2026-03-01"), taken("2026-03-02"), missed("2026-03-03"),
            taken("2026-03-06"), taken("2026-03-07"), taken("2026-03-08"),
            taken("2026-03-09"),
        ])
        body = client.get(ADHERENCE, headers=headers).get_json()
    so_far = body["so_far"]
    # Today (10 March) has no entry yet, so the figures run to yesterday, day 9.
    assert (so_far["start"], so_far["end"], so_far["days"]) == ("2026-03-01", "2026-03-09", 9)
    assert (so_far["expected"], so_far["held"]) == (7, 2)
    assert (so_far["taken"], so_far["missed"], so_far["unreported"]) == (6, 1, 0)
    assert so_far["adherence"] == round(6 / 7, 4)
    assert so_far["below_threshold"] is True
    assert so_far["current_streak"] == 4
    week = body["this_week"]
    assert body["study_week"] == 2
    assert (week["start"], week["end"], week["taken"], week["expected"]) == (
        "2026-03-08", "2026-03-09", 2, 2)
    assert week["below_threshold"] is False


def test_unreported_days_count_against_adherence_but_not_as_missed(client, app_context):
    with time_machine.travel(NOON_DAY_10, tick=False):
        patient = make_participant(enrolled="2026-03-01")
        headers = auth(token_for(patient))
        _diary(client, headers, [taken("2026-03-01"), taken("2026-03-10")])
        so_far = client.get(ADHERENCE, headers=headers).get_json()["so_far"]
    assert so_far["end"] == "2026-03-10"
    assert (so_far["expected"], so_far["taken"], so_far["missed"], so_far["unreported"]) == (
        10, 2, 0, 8)
    assert so_far["adherence"] == 0.2


def test_dose_intensity_follows_the_dose_change(client, app_context):
    with time_machine.travel(NOON_DAY_10, tick=False):
        patient = make_participant(enrolled="2026-03-08")
        headers = auth(token_for(patient))
        add_step(patient, "2026-03-09", 300)
        _diary(client, headers, [taken("2026-03-08", dose_mg=400),
                                 taken("2026-03-09", dose_mg=300),
                                 taken("2026-03-10", dose_mg=200)])
        so_far = client.get(ADHERENCE, headers=headers).get_json()["so_far"]
    assert so_far["mg_prescribed"] == 1000
    assert so_far["mg_taken"] == 900
    assert so_far["dose_intensity"] == 0.9
    assert so_far["adherence"] == 1


def test_this_week_counts_taken_missed_unreported_and_the_streak(client, app_context):
    with time_machine.travel(NOON_DAY_10, tick=False):
        patient = make_participant(enrolled="2026-03-01")
        headers = auth(token_for(patient))
        # Week 2 runs from 8 March; the 9th has no entry.
        _diary(client, headers, [taken("2026-03-07"), missed("2026-03-08"),
                                 taken("2026-03-10")])
        body = client.get(ADHERENCE, headers=headers).get_json()
    week = body["this_week"]
    assert (week["start"], week["end"], week["days"]) == ("2026-03-08", "2026-03-10", 3)
    assert (week["expected"], week["taken"], week["missed"], week["unreported"]) == (
        3, 1, 1, 1)
    assert week["current_streak"] == 1
    assert week["below_threshold"] is True
    so_far = body["so_far"]
    assert (so_far["expected"], so_far["taken"], so_far["missed"], so_far["unreported"]) == (
        10, 2, 1, 7)
    assert body["today"] == "2026-03-10" and body["study_day"] == 10
