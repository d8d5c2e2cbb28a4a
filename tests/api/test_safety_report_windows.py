"""The safety reports' window: adverse events by onset (partial onsets too), symptoms by date."""

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest

from diary.rules.partial_dates import could_lie_between, parse_partial_date, surely_between
from tests.api.symptom_helpers import item, staff_reports, symptom_report
from tests.factories import make_participant

FROZEN_AT = datetime(2026, 3, 20, 3, tzinfo=UTC)  # noon in Seoul
pytestmark = pytest.mark.usefixtures("clock")
AE_URL = "/api/v1/reports/adverse-events"
SYMPTOM_URL = "/api/v1/reports/symptoms"
ENROLLED = date(2025, 11, 20)
# Onsets of every precision, across a year's end; each event is its own verbatim term.
ONSETS = ["2025-11-20", "2025-11", "2025-12-31", "2025", "2026", "2026-01", "2026-02-28",
          "2026-02", "2026-03", "2026-03-19"]


def record(client, headers, participant, onset: str, term: str | None = None, grade: int = 1,
           **fields):
    body = {"ctcae_term": None, "verbatim_term": term or f"Onset {onset}", "grade": grade,
            "onset_date": onset, "outcome": "recovering", "relatedness": "possible",
            "action": "none"} | fields
    answer = client.post(f"/api/v1/participants/{participant.id}/adverse-events", json=body,
                         headers=headers)
    assert answer.status_code == 201, answer.get_json()


def table(client, headers, query: str) -> dict:
    answer = client.get(f"{AE_URL}?{query}", headers=headers)
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


@pytest.fixture
def onsets(client, headers, site):
    participant = make_participant(site=site, enrolled=ENROLLED, study_code="W1")
    for onset in ONSETS:
        record(client, headers, participant, onset)
    return participant


def _day(number: int) -> date:
    return ENROLLED + timedelta(days=number - 1)


@pytest.mark.parametrize(("query", "start", "end"), [
    ("from=2025-12-01&to=2026-01-31", date(2025, 12, 1), date(2026, 1, 31)),
    ("to=2025-12-31", None, date(2025, 12, 31)),
    ("from=2026-02-01", date(2026, 2, 1), None),
    ("from=2025-11-20&to=2026-03-20", ENROLLED, date(2026, 3, 20)),
    ("from=2026-02-28&to=2026-02-28", date(2026, 2, 28), date(2026, 2, 28)),
    ("from=2026-03-01&to=2026-03-31", date(2026, 3, 1), date(2026, 3, 31)),
    ("from_day=1&to_day=30", ENROLLED, _day(30)),
    ("from_day=12&to_day=42", _day(12), _day(42)),  # 1 to 31 December 2025
    ("to_day=1", None, ENROLLED),
    ("from_day=100", _day(100), None),
    ("", None, None),
])
def test_an_event_counts_when_its_onset_could_lie_in_the_window(client, headers, onsets,
                                                                 query, start, end):
    """The SQL keeps what the rule (diary.rules.partial_dates) keeps, on every precision."""
    report = table(client, headers, query)

    partial = [parse_partial_date(onset) for onset in ONSETS]
    counted = [p for p in partial if could_lie_between(p, start, end)]
    unsure = [p for p in counted if not surely_between(p, start, end, ENROLLED)]
    assert {term["term"] for term in report["terms"]} == {f"Onset {p.text}" for p in counted}
    assert (report["events"], report["partial_onsets"]) == (len(counted), len(unsure))
    assert all(p.precision != "day" for p in unsure)


def test_a_month_onset_is_counted_in_a_week_inside_it_and_said_to_be_partial(
        client, headers, onsets):
    report = table(client, headers, "from=2026-03-14&to=2026-03-20")

    assert sorted(term["term"] for term in report["terms"]) == [
        "Onset 2026", "Onset 2026-03", "Onset 2026-03-19"]
    assert (report["events"], report["partial_onsets"]) == (3, 2)
    assert report["window"] == {"from_day": None, "to_day": None, "from": "2026-03-14",
                                "to": "2026-03-20"}


def test_a_year_onset_lies_from_enrolment_on(client, headers, onsets):
    # "2025" for someone enrolled on 20 November 2025 cannot be earlier: surely in days 1-42.
    report = table(client, headers, "from_day=1&to_day=42")

    assert "Onset 2025" in {term["term"] for term in report["terms"]}
    assert report["partial_onsets"] == 0
    assert report["window"] == {"from_day": 1, "to_day": 42, "from": None, "to": None}


def test_study_days_are_each_participant_s_own(client, headers, site):
    early = make_participant(site=site, enrolled="2026-03-01", study_code="E1")
    late = make_participant(site=site, enrolled="2026-03-10", study_code="L1")
    record(client, headers, early, "2026-03-12", term="Day 12")  # early's day 12
    record(client, headers, late, "2026-03-12", term="Day 3")  # late's day 3

    report = table(client, headers, "from_day=1&to_day=5")

    assert [term["term"] for term in report["terms"]] == ["Day 3"]
    assert report["participants"] == 2


def test_the_denominator_is_who_was_followed_during_the_window(client, headers, site):
    """Enrolled after the window, withdrawn before it, or not yet at its first day: not in
    it; the others are, events or not."""
    make_participant(site=site, enrolled="2026-03-01", study_code="F1")
    make_participant(site=site, enrolled="2026-03-15", study_code="F2")
    gone = make_participant(site=site, enrolled="2026-03-01", study_code="F3")
    answer = client.patch(f"/api/v1/participants/{gone.id}", headers=headers,
                          json={"status": "withdrawn", "withdrawn_on": "2026-03-04",
                                "reason": "Withdrew consent"})
    assert answer.status_code == 200, answer.get_json()

    assert table(client, headers, "")["participants"] == 3
    assert table(client, headers, "from=2026-03-05&to=2026-03-10")["participants"] == 1
    assert table(client, headers, "from=2026-03-01&to=2026-03-20")["participants"] == 3
    # Day 10 of F2 (enrolled 15 March) is 24 March, still to come on 20 March.
    assert table(client, headers, "from_day=10")["participants"] == 1


def test_serious_events_are_kept_by_the_same_window(client, headers, site):
    participant = make_participant(site=site, enrolled="2026-03-01", study_code="S1")
    for onset in ("2026-03-02", "2026-03-16"):
        record(client, headers, participant, onset, term="Hiccups", grade=3,
               seriousness=["hospitalisation"], site_aware_at=f"{onset}T09:30:00+09:00")

    serious = table(client, headers, "from=2026-03-10")["serious_events"]

    assert [event["onset_date"] for event in serious] == ["2026-03-16"]


def test_the_csv_takes_the_window_too(client, headers, onsets):
    answer = client.get(f"{AE_URL}?from=2026-03-14&to=2026-03-20",
                        headers=headers | {"Accept": "text/csv"})

    rows = list(csv.DictReader(io.StringIO(answer.get_data(as_text=True))))
    assert sorted(row["term"] for row in rows) == [
        "Onset 2026", "Onset 2026-03", "Onset 2026-03-19"]


@pytest.mark.parametrize(("query", "field"), [
    ("from_day=0", "from_day"), ("from_day=5&to_day=3", "from_day"),
    ("from_day=1&from=2026-03-01", "from_day"), ("from=2026-03-09&to=2026-03-08", "from"),
    ("to_day=1.5", "to_day"), ("from=March", "from"),
])
@pytest.mark.parametrize("url", [AE_URL, SYMPTOM_URL])
def test_a_window_that_cannot_be_read_is_refused(client, headers, url, query, field):
    answer = client.get(f"{url}?{query}", headers=headers)

    assert answer.status_code == 422
    body = answer.get_json()
    assert set(body) == {"code", "status", "message", "errors"}
    assert field in str(body["errors"])


def test_symptom_reports_are_kept_by_their_study_day(client, headers, site):
    participant = make_participant(site=site, enrolled="2026-03-01", study_code="Q1")
    for day, frequency in (("2026-03-02", 4), ("2026-03-09", 1)):  # days 2 and 9
        answer = client.post(staff_reports(participant.id), headers=headers, json=symptom_report(
            day, items=[item("nausea", frequency=frequency, severity=frequency)],
            reason="Read from the paper questionnaire"))
        assert answer.status_code == 201, answer.get_json()

    table_ = client.get(f"{SYMPTOM_URL}?from_day=8&to_day=14", headers=headers).get_json()

    (nausea,) = table_["items"]
    assert (nausea["grade_1"]["n"], nausea["grade_3"]["n"]) == (1, 0)
    assert table_["window"] == {"from_day": 8, "to_day": 14, "from": None, "to": None}
