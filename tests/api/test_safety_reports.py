"""The adverse-event and PRO-CTCAE tables: participants by term (or item) and worst grade."""

import csv
import io
from datetime import UTC, datetime

import pytest

from tests.api.symptom_helpers import MY_REPORTS, item, symptom_report
from tests.factories import auth, make_participant, make_site, make_staff, token_for

FROZEN_AT = datetime(2026, 3, 20, 3, tzinfo=UTC)  # noon in Seoul
pytestmark = pytest.mark.usefixtures("clock")
AE_URL = "/api/v1/reports/adverse-events"
SYMPTOM_URL = "/api/v1/reports/symptoms"


def event(term: str, grade: int, **fields) -> dict:
    return {"ctcae_term": term, "grade": grade, "onset_date": "2026-03-14",
            "outcome": "recovering", "relatedness": "possible", "action": "none"} | fields


def record(client, headers, participant, body) -> dict:
    response = client.post(f"/api/v1/participants/{participant.id}/adverse-events",
                           json=body, headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


@pytest.fixture
def four(site):
    return [make_participant(site=site, enrolled="2026-03-01", study_code=f"A{n}")
            for n in range(1, 5)]


@pytest.fixture
def events(client, headers, four):
    """A1: nausea 1 and 3; A2: nausea 2, corrected to 1; A3: serious fatigue 4; A4: none."""
    a1, a2, a3, _ = four
    record(client, headers, a1, event("Nausea", 1))
    record(client, headers, a1, event("Nausea", 3))
    changed = record(client, headers, a2, event("Nausea", 2))
    client.patch(f"/api/v1/participants/{a2.id}/adverse-events/{changed['id']}",
                 headers=headers, json={"grade": 1, "reason": "Graded again at the visit"})
    record(client, headers, a3, event("Fatigue", 4, seriousness=["hospitalisation"],
                                      site_aware_at="2026-03-15T09:30:00+09:00"))
    record(client, headers, a3, event("Insomnia", 2, ctcae_term=None,
                                      verbatim_term="Cannot sleep"))
    elsewhere = make_participant(site=make_site(), enrolled="2026-03-01")
    admin = auth(token_for(make_staff("admin", sites=[])))
    record(client, admin, elsewhere, event("Nausea", 5, outcome="fatal", seriousness=["death"],
                                           site_aware_at="2026-03-15T09:30:00+09:00"))


def test_each_participant_counts_once_per_term_at_the_worst_current_grade(
        client, headers, events):
    report = client.get(AE_URL, headers=headers).get_json()

    assert report["participants"] == 4
    terms = {term["term"]: term for term in report["terms"]}
    nausea = terms["Nausea"]
    assert nausea["any"] == {"n": 2, "percent": 50.0}
    assert nausea["grade_1_2"] == {"n": 1, "percent": 25.0}
    assert nausea["grade_3"] == {"n": 1, "percent": 25.0}
    assert nausea["grade_5"] == {"n": 0, "percent": 0.0}
    assert (terms["Fatigue"]["grade_4"], terms["Fatigue"]["serious_participants"]) == (
        {"n": 1, "percent": 25.0}, 1)
    assert (terms["Cannot sleep"]["coded"], terms["Nausea"]["coded"]) == (False, True)
    # The most frequent term first.
    assert report["terms"][0]["term"] == "Nausea"


def test_serious_events_are_listed(client, headers, events, four):
    serious = client.get(AE_URL, headers=headers).get_json()["serious_events"]

    assert [(s["study_code"], s["term"], s["grade"], s["seriousness"]) for s in serious] == [
        ("A3", "Fatigue", 4, ["hospitalisation"])]


def test_an_admin_sees_every_site(client, events):
    admin = auth(token_for(make_staff("admin", sites=[])))

    report = client.get(AE_URL, headers=admin).get_json()

    nausea = next(term for term in report["terms"] if term["term"] == "Nausea")
    assert report["participants"] == 5
    assert (nausea["any"]["n"], nausea["grade_5"]["n"]) == (3, 1)


def test_the_adverse_event_csv_has_a_row_per_term(client, headers, events):
    response = client.get(AE_URL, headers=headers | {"Accept": "text/csv"})

    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    nausea = next(row for row in rows if row["term"] == "Nausea")
    assert (nausea["participants"], nausea["any_n"], nausea["any_percent"],
            nausea["grade_3_n"]) == ("4", "2", "50.0", "1")
    assert len(rows) == 3


def test_percentages_round_halves_up_in_json_and_csv(client, headers, site):
    """1 of 16 is 6.25 %: shown 6.3, as the page rounds (round() would say 6.2)."""
    cohort = [make_participant(site=site, enrolled="2026-03-01") for _ in range(16)]
    record(client, headers, cohort[0], event("Nausea", 1))

    report = client.get(AE_URL, headers=headers).get_json()
    csv_text = client.get(AE_URL, headers=headers | {"Accept": "text/csv"}).get_data(
        as_text=True)

    (nausea,) = report["terms"]
    assert (report["participants"], nausea["any"], nausea["grade_1_2"]) == (
        16, {"n": 1, "percent": 6.3}, {"n": 1, "percent": 6.3})
    (row,) = csv.DictReader(io.StringIO(csv_text))
    assert (row["any_percent"], row["grade_3_percent"]) == ("6.3", "0.0")


def device(participant):
    return auth(token_for(participant))


def report(client, participant, day, *items):
    response = client.post(MY_REPORTS, headers=device(participant),
                           json=symptom_report(day, items=list(items)))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


@pytest.fixture
def symptoms(client, four):
    """A1: nausea at grade 3, then 0; A2: nausea 0 and cramps at 2; A3 and A4: nothing."""
    a1, a2, _, _ = four
    report(client, a1, "2026-03-05", item("nausea", frequency=4, severity=4))
    report(client, a1, "2026-03-08", item("nausea", frequency=0))
    report(client, a2, "2026-03-08", item("nausea", frequency=0),
           item("muscle_cramps", frequency=3, severity=2))


def test_each_item_counts_participants_at_their_worst_composite_grade(
        client, headers, symptoms):
    table = client.get(SYMPTOM_URL, headers=headers).get_json()

    items = {row["item"]: row for row in table["items"]}
    assert table["participants"] == 4
    assert items["nausea"]["participants"] == 2
    assert (items["nausea"]["grade_0"], items["nausea"]["grade_3"]) == (
        {"n": 1, "percent": 50.0}, {"n": 1, "percent": 50.0})
    assert items["muscle_cramps"]["grade_2"] == {"n": 1, "percent": 100.0}
    assert set(items) == {"nausea", "muscle_cramps"}


def test_the_symptom_window_keeps_reports_of_its_days(client, headers, symptoms):
    table = client.get(f"{SYMPTOM_URL}?from=2026-03-06&to=2026-03-08",
                       headers=headers).get_json()

    nausea = next(row for row in table["items"] if row["item"] == "nausea")
    assert (nausea["grade_0"]["n"], nausea["grade_3"]["n"]) == (2, 0)
    assert (table["from"], table["to"]) == ("2026-03-06", "2026-03-08")


def test_the_symptom_csv_has_a_row_per_item(client, headers, symptoms):
    response = client.get(SYMPTOM_URL, headers=headers | {"Accept": "text/csv"})

    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [(row["item"], row["participants"]) for row in rows] == [
        ("muscle_cramps", "1"), ("nausea", "2")]
    assert rows[1]["grade_3_percent"] == "50.0"


@pytest.mark.parametrize("query", ["from=2026-03-09&to=2026-03-08", "from=yesterday",
                                   "to=2026-02-30", "site="])
def test_a_bad_window_or_site_is_refused(client, headers, query):
    response = client.get(f"{SYMPTOM_URL}?{query}", headers=headers)

    assert response.status_code == 422
    assert set(response.get_json()) == {"code", "status", "message", "errors"}
