"""Adherence reports for staff, checked against figures worked out by hand.

The cohort (site SEV unless said), days 1-15:

- A, enrolled 1 March (Seoul): held on days 4-5 (a missed entry on day 4 is held), 200 mg
  (partial) on day 3, a vomited dose on day 2, missed (forgot) on day 6, nothing on days 7
  and 8, a late entry on day 9, the rest taken: 10 of 13 expected, 3 800 of 5 200 mg.
- B, enrolled 1 March: reduced from 400 to 300 mg on day 8, every dose taken.
- C, enrolled 5 March in New York, across the change to summer time on 8 March: missed
  (side effects) on 8 March, nothing on 9 March; day 15 is 19 March, over in New York
  at 00:30 EDT (it would not be at 23:30 EST).
- D, enrolled 1 March, withdrawn on day 10: missed without a reason on day 9, a dose on
  day 12 after withdrawal that does not count: 9 of 10, exactly 90 %, not below.
- E, at another site, every dose taken.
"""

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import update

from diary.extensions import db
from diary.models import DoseEntry
from tests.api.dose_helpers import add_hold, add_step
from tests.factories import auth, make_dose, make_participant, make_site, make_staff, token_for

FROZEN_AT = datetime(2026, 3, 20, 4, 30, tzinfo=UTC)  # 13:30 in Seoul, 00:30 in New York
pytestmark = pytest.mark.usefixtures("clock")
REPORT = "/api/v1/reports/adherence"


def _adherence(participant_id: int) -> str:
    return f"/api/v1/participants/{participant_id}/adherence"


def _enrol(**fields):
    return make_participant(phone=None, sms_consent=False, **fields)


def _days(first: str, count: int) -> list[date]:
    start = date.fromisoformat(first)
    return [start + timedelta(days=n) for n in range(count)]


@pytest.fixture
def cohort(site):
    coordinator = make_staff("coordinator")
    a = _enrol(enrolled="2026-03-01", study_code="S01-A")
    add_hold(a, coordinator, "2026-03-04", "2026-03-05")
    for day in _days("2026-03-01", 15):
        if day.day in (5, 7, 8):
            continue
        if day.day == 4:
            make_dose(a, day, "missed", missed_reason="held_by_doctor")
        elif day.day == 6:
            make_dose(a, day, "missed", missed_reason="forgot")
        else:
            make_dose(a, day, dose_mg=200 if day.day == 3 else 400, vomited=day.day == 2)
    db.session.execute(update(DoseEntry).where(DoseEntry.participant_id == a.id,
                                               DoseEntry.dose_date == date(2026, 3, 9))
                       .values(late=True))
    db.session.commit()

    b = _enrol(enrolled="2026-03-01", study_code="S01-B")
    add_step(b, "2026-03-08", 300, coordinator)
    for day in _days("2026-03-01", 15):
        make_dose(b, day, dose_mg=400 if day.day < 8 else 300)

    c = _enrol(enrolled="2026-03-05", tz="America/New_York", study_code="S01-C")
    for day in _days("2026-03-05", 15):
        if day.day == 8:
            make_dose(c, day, "missed", missed_reason="side_effects")
        elif day.day != 9:
            make_dose(c, day)

    d = _enrol(enrolled="2026-03-01", study_code="S01-D")
    for day in _days("2026-03-01", 12):
        if day.day == 9:
            make_dose(d, day, "missed")
        elif day.day != 11:
            make_dose(d, day, source="staff" if day.day == 12 else "app")

    other = make_site("X1")
    e = _enrol(enrolled="2026-03-01", site=other, study_code="S02-E")
    for day in _days("2026-03-01", 15):
        make_dose(e, day)
    return {"a": a, "b": b, "c": c, "d": d, "e": e, "coordinator": coordinator,
            "other_site": other}


def _withdraw(client, token, participant, **fields):
    return client.patch(f"/api/v1/participants/{participant.id}", headers=auth(token),
                        json={"status": "withdrawn", "reason": "Withdrew consent", **fields})


@pytest.fixture
def coordinator_token(cohort):
    return token_for(cohort["coordinator"])


@pytest.fixture
def withdrawn(client, cohort, coordinator_token):
    response = _withdraw(client, coordinator_token, cohort["d"], withdrawn_on="2026-03-10")
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["withdrawn_on"] == "2026-03-10"
    return cohort


def test_a_participants_figures_over_days_1_to_15_with_a_hold_a_partial_and_a_vomited_dose(
        client, cohort, coordinator_token):
    response = client.get(_adherence(cohort["a"].id), query_string={"to_day": 15},
                          headers=auth(coordinator_token))
    assert response.status_code == 200
    body = response.get_json()
    assert (body["from_day"], body["to_day"]) == (1, 15)
    figures = body["figures"]
    assert (figures["days"], figures["held"], figures["expected"]) == (15, 2, 13)
    assert (figures["taken"], figures["missed"], figures["unreported"]) == (10, 1, 2)
    assert figures["missed_reasons"] == {"forgot": 1}
    assert figures["adherence"] == 0.7692
    assert figures["below_threshold"] is True
    assert (figures["mg_taken"], figures["mg_prescribed"], figures["mg_protocol"]) == (
        3800, 5200, 6000)
    assert (figures["dose_intensity"], figures["relative_dose_intensity"]) == (0.7308, 0.6333)
    # Days 6, 7 and 8: missed, unreported, unreported; the hold on days 4-5 is skipped.
    assert figures["longest_gap"] == 3
    assert (figures["late"], figures["vomited"]) == (1, 1)
    weeks = [(w["week"], w["start"], w["end"], w["taken"], w["expected"], w["adherence"])
             for w in body["weeks"]]
    assert weeks == [(1, "2026-03-01", "2026-03-07", 3, 5, 0.6),
                     (2, "2026-03-08", "2026-03-14", 6, 7, 0.8571),
                     (3, "2026-03-15", "2026-03-15", 1, 1, 1.0)]


def test_the_default_window_runs_to_day_112_but_stops_at_the_last_day_that_is_over(
        client, cohort, coordinator_token):
    body = client.get(_adherence(cohort["a"].id), headers=auth(coordinator_token)).get_json()
    # Today, 20 March (day 20), has no entry yet: the figures run to day 19.
    assert (body["from_day"], body["to_day"]) == (1, 19)
    assert body["figures"]["unreported"] == 2 + 4


def test_a_window_in_dates(client, cohort, coordinator_token):
    body = client.get(_adherence(cohort["a"].id), headers=auth(coordinator_token),
                      query_string={"from": "2026-03-06", "to": "2026-03-09"}).get_json()
    assert (body["from_day"], body["to_day"]) == (6, 9)
    figures = body["figures"]
    assert (figures["expected"], figures["taken"], figures["missed"],
            figures["unreported"], figures["adherence"]) == (4, 1, 1, 2, 0.25)


def test_a_dose_reduction_lowers_the_prescribed_mg_but_not_the_protocol_dose(
        client, cohort, coordinator_token):
    figures = client.get(_adherence(cohort["b"].id), query_string={"to_day": 15},
                         headers=auth(coordinator_token)).get_json()["figures"]
    assert (figures["adherence"], figures["dose_intensity"]) == (1.0, 1.0)
    assert (figures["mg_taken"], figures["relative_dose_intensity"]) == (5200, 0.8667)


def test_the_day_after_the_clocks_change_in_new_york_counts_once_it_is_over(
        client, cohort, coordinator_token):
    body = client.get(_adherence(cohort["c"].id), headers=auth(coordinator_token)).get_json()
    assert body["to_day"] == 15
    figures = body["figures"]
    assert (figures["end"], figures["expected"], figures["taken"]) == ("2026-03-19", 15, 13)
    assert figures["missed_reasons"] == {"side_effects": 1}
    assert (figures["adherence"], figures["longest_gap"]) == (0.8667, 2)


def test_a_withdrawn_participants_window_ends_on_the_day_of_withdrawal(client, withdrawn,
                                                                       coordinator_token):
    body = client.get(_adherence(withdrawn["d"].id), headers=auth(coordinator_token)).get_json()
    assert (body["status"], body["withdrawn_on"], body["to_day"]) == (
        "withdrawn", "2026-03-10", 10)
    figures = body["figures"]
    assert (figures["expected"], figures["taken"], figures["missed"]) == (10, 9, 1)
    assert figures["missed_reasons"] == {"unspecified": 1}
    assert (figures["adherence"], figures["below_threshold"]) == (0.9, False)


def test_the_cohort_as_the_sites_coordinator_sees_it(client, withdrawn, coordinator_token):
    response = client.get(REPORT, query_string={"to_day": 15}, headers=auth(coordinator_token))
    assert response.status_code == 200
    body = response.get_json()
    assert body["window"] == {"from_day": 1, "to_day": 15, "from": None, "to": None}
    assert body["n"] == 4
    assert body["pooled"] == {"taken": 47, "expected": 53, "adherence": 0.8868}
    assert body["adherence"] == {"mean": 0.884, "median": 0.8833, "q1": 0.8423, "q3": 0.925,
                                 "min": 0.7692, "max": 1.0}
    assert body["below_threshold"] == {"count": 2, "participants": [
        {"participant_id": withdrawn["a"].id, "study_code": "S01-A"},
        {"participant_id": withdrawn["c"].id, "study_code": "S01-C"}]}
    assert [row["study_code"] for row in body["participants"]] == [
        "S01-A", "S01-B", "S01-C", "S01-D"]
    a = body["participants"][0]["figures"]
    assert (a["taken"], a["expected"], a["adherence"], a["longest_gap"]) == (10, 13, 0.7692, 3)


def test_an_admin_sees_every_site_and_can_pick_one(client, withdrawn):
    admin = auth(token_for(make_staff("admin", sites=[])))
    body = client.get(REPORT, query_string={"to_day": 15}, headers=admin).get_json()
    assert body["n"] == 5
    by_site = {site["site_code"]: (site["n"], site["pooled"]) for site in body["by_site"]}
    assert by_site == {"SEV": (4, {"taken": 47, "expected": 53, "adherence": 0.8868}),
                       "X1": (1, {"taken": 15, "expected": 15, "adherence": 1.0})}
    only = client.get(REPORT, query_string={"to_day": 15, "site": "X1"}, headers=admin)
    assert [row["study_code"] for row in only.get_json()["participants"]] == ["S02-E"]


def test_another_sites_staff_see_neither_the_participant_nor_the_site(client, cohort):
    stranger = auth(token_for(make_staff("coordinator", sites=[cohort["other_site"]])))
    assert client.get(_adherence(cohort["a"].id), headers=stranger).status_code == 404
    body = client.get(REPORT, headers=stranger).get_json()
    assert [row["study_code"] for row in body["participants"]] == ["S02-E"]
    response = client.get(REPORT, query_string={"site": "SEV"}, headers=stranger)
    assert response.status_code == 422
    assert "site" in response.get_json()["errors"]


@pytest.mark.parametrize(("query", "field"), [
    ({"from_day": 0}, "from_day"),
    ({"to_day": 0}, "to_day"),
    ({"from_day": -3}, "from_day"),
    ({"from_day": 20, "to_day": 10}, "from_day"),
    ({"from_day": 1, "to": "2026-03-10"}, "from_day"),
    ({"from": "2026-03-10", "to": "2026-03-01"}, "from"),
    ({"from_day": "two"}, "from_day"),
])
def test_windows_that_cannot_be_read_are_refused(client, cohort, coordinator_token, query,
                                                 field):
    for url in (_adherence(cohort["a"].id), REPORT):
        response = client.get(url, query_string=query, headers=auth(coordinator_token))
        assert response.status_code == 422, (url, query)
        assert field in response.get_json()["errors"], response.get_json()


def test_the_cohort_as_csv_streams_one_row_per_participant(client, withdrawn,
                                                           coordinator_token):
    response = client.get(REPORT, query_string={"to_day": 15},
                          headers={**auth(coordinator_token), "Accept": "text/csv"})
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.is_streamed
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [row["study_code"] for row in rows] == ["S01-A", "S01-B", "S01-C", "S01-D"]
    a = rows[0]
    assert (a["expected"], a["taken"], a["missed"], a["unreported"], a["adherence"]) == (
        "13", "10", "1", "2", "0.7692")
    assert (a["missed_forgot"], a["vomited"], a["late"], a["below_threshold"]) == (
        "1", "1", "1", "True")
    assert rows[3]["withdrawn_on"] == "2026-03-10"


def test_a_refused_csv_request_gets_the_error_body(client, cohort, coordinator_token):
    response = client.get(REPORT, query_string={"from_day": 0},
                          headers={**auth(coordinator_token), "Accept": "text/csv"})
    assert response.status_code == 422
    assert set(response.get_json()) == {"code", "status", "message", "errors"}


def test_today_counts_once_it_has_an_entry(client, cohort, coordinator_token):
    b = cohort["b"]
    before = client.get(_adherence(b.id), headers=auth(coordinator_token)).get_json()
    make_dose(b, "2026-03-20", dose_mg=300)
    after = client.get(_adherence(b.id), headers=auth(coordinator_token)).get_json()
    assert (before["to_day"], after["to_day"]) == (19, 20)
    report = client.get(REPORT, headers=auth(coordinator_token)).get_json()
    row = next(row for row in report["participants"] if row["participant_id"] == b.id)
    assert (row["figures"]["end"], row["figures"]["taken"]) == ("2026-03-20", 16)


def test_a_participant_not_started_yet_has_no_figures_and_no_place_in_the_spread(
        client, cohort, coordinator_token):
    later = _enrol(enrolled="2026-04-01", study_code="S01-F")
    body = client.get(_adherence(later.id), headers=auth(coordinator_token)).get_json()
    assert (body["from_day"], body["to_day"], body["weeks"]) == (None, None, [])
    assert (body["figures"]["days"], body["figures"]["adherence"]) == (0, None)
    report = client.get(REPORT, query_string={"to_day": 15},
                        headers=auth(coordinator_token)).get_json()
    assert (report["n"], report["n_with_expected_doses"]) == (5, 4)
