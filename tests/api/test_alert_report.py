"""The alert figures: counts by rule and urgency, time to acknowledge, and what alerts led to.

At the default site: a severe_symptom alert acknowledged after 10 minutes; a symptom_high
alert acknowledged after 30 minutes, then closed; an adherence_gap alert closed unseen; one
older alert, raised two days earlier. At another site, an opt-out alert (left out).
"""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest

from diary.extensions import db
from diary.operations.alerts import raise_alert
from tests.api.symptom_helpers import MY_REPORTS, symptom_report
from tests.factories import auth, make_participant, make_site, make_staff, token_for

FROZEN_AT = datetime(2026, 3, 10, 3, tzinfo=UTC)  # noon in Seoul
pytestmark = pytest.mark.usefixtures("clock")
URL = "/api/v1/reports/alerts"


def empty_report(client, participant, day="2026-03-09") -> int:
    response = client.post(MY_REPORTS, headers=auth(token_for(participant)),
                           json=symptom_report(day))
    assert response.status_code == 201, response.get_json()
    return response.get_json()["report"]["id"]


@pytest.fixture
def alerts(client, headers, site, clock):
    participant = make_participant(site=site, enrolled="2026-03-01")
    reports = [empty_report(client, participant, day) for day in
               ("2026-03-06", "2026-03-07", "2026-03-08", "2026-03-09")]
    clock.move_to(FROZEN_AT - timedelta(days=2))
    raise_alert("sms_not_understood", participant)
    clock.move_to(FROZEN_AT)
    severe = raise_alert("severe_symptom", participant, cause=f"{participant.id}:nausea",
                         details={"report_ids": [reports[0]]})
    high = raise_alert("symptom_high", participant, cause=f"{participant.id}:fatigue",
                       details={"report_ids": [reports[0], reports[1]]})
    gap = raise_alert("adherence_gap", participant)
    elsewhere = make_participant(site=make_site(), enrolled="2026-03-01")
    raise_alert("sms_opt_out", elsewhere, details={"report_ids": [empty_report(
        client, elsewhere)]})
    db.session.commit()
    clock.shift(timedelta(minutes=10))
    assert client.post(f"/api/v1/alerts/{severe.id}/acknowledge",
                       headers=headers).status_code == 200
    clock.shift(timedelta(minutes=20))
    client.post(f"/api/v1/alerts/{high.id}/acknowledge", headers=headers)
    for alert in (high, gap):
        closed = client.post(f"/api/v1/alerts/{alert.id}/close", headers=headers,
                             json={"reason": "Called the participant"})
        assert closed.status_code == 200, closed.get_json()


def test_alerts_are_counted_by_rule_and_urgency(client, headers, alerts):
    figures = client.get(URL, headers=headers).get_json()

    kinds = {(row["kind"], row["urgency"]): row for row in figures["by_kind"]}
    assert figures["alerts"] == 4
    assert set(kinds) == {("adherence_gap", "routine"), ("severe_symptom", "urgent"),
                          ("sms_not_understood", "routine"), ("symptom_high", "routine")}
    high = kinds[("symptom_high", "routine")]
    assert (high["alerts"], high["acknowledged"], high["closed"], high["acted_on"]) == (
        1, 1, 1, 1)
    assert kinds[("severe_symptom", "urgent")]["acknowledge_minutes"] == {
        "n": 1, "median": 10.0, "p90": 10.0}


def test_time_to_acknowledge_is_the_median_and_p90_of_acknowledged_alerts(
        client, headers, alerts):
    minutes = client.get(URL, headers=headers).get_json()["acknowledge_minutes"]

    # 10 and 30 minutes: the median halfway, p90 at 10 + 0.9 * 20 (linear).
    assert minutes == {"n": 2, "median": 20.0, "p90": pytest.approx(28.0)}


def test_acted_on_is_closed_by_staff(client, headers, alerts):
    acted = client.get(URL, headers=headers).get_json()["acted_on"]

    assert acted == {"n": 2, "share": 0.5}


def test_the_share_of_symptom_reports_that_raised_an_alert(client, headers, alerts):
    reports = client.get(URL, headers=headers).get_json()["symptom_reports"]

    assert reports == {"reports": 4, "raised_alert": 2, "share": 0.5}


def test_the_window_keeps_alerts_raised_on_its_days(client, headers, alerts):
    figures = client.get(f"{URL}?from=2026-03-10&to=2026-03-10", headers=headers).get_json()

    assert figures["alerts"] == 3
    assert figures["acted_on"]["share"] == pytest.approx(2 / 3)
    # Reports of 6-9 March are outside the window.
    assert figures["symptom_reports"] == {"reports": 0, "raised_alert": 0, "share": None}


def test_an_admin_sees_every_site(client, alerts):
    admin = auth(token_for(make_staff("admin", sites=[])))

    figures = client.get(URL, headers=admin).get_json()

    assert figures["alerts"] == 5
    assert figures["symptom_reports"]["reports"] == 5


def test_no_alerts_give_no_times(client, headers):
    figures = client.get(URL, headers=headers).get_json()

    assert figures["acknowledge_minutes"] == {"n": 0, "median": None, "p90": None}
    assert figures["acted_on"] == {"n": 0, "share": None}


def test_the_alert_csv_has_a_row_per_rule_and_urgency(client, headers, alerts):
    response = client.get(URL, headers=headers | {"Accept": "text/csv"})

    assert response.mimetype == "text/csv"
    assert 'filename="alerts.csv"' in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [(row["kind"], row["alerts"], row["acted_on"]) for row in rows] == [
        ("adherence_gap", "1", "1"), ("severe_symptom", "1", "0"),
        ("sms_not_understood", "1", "0"), ("symptom_high", "1", "1")]
    assert rows[3]["acknowledge_minutes_median"] == "30.0"
