"""The primary-endpoint report: week-16 non-progression with its exact CI, survival, adherence.

A hand-made cohort, all enrolled on 1 March 2026 (day 112 is 20 June; the window is days
98-126, 6 June to 4 July):

| who | assessments (study day, response)  | counts as         | vital status          |
|-----|------------------------------------|-------------------|-----------------------|
| P1  | 112 SD                             | non-progressing   | (visit) alive         |
| P2  | 105 PR, 140 PD                     | non-progressing   | (visit) alive         |
| P3  | 100 CR, 120 PD (nearer 112)        | progressing       | (visit) alive         |
| P4  | 112 NE                             | only NE           | (visit) alive         |
| P5  | none                               | no assessment     | dead on day 62        |
| P6  | 126 SD (the window's last day)     | non-progressing   | (visit) alive         |
| P7  | 127 PD (a day past the window)     | no assessment     | (visit) alive         |
| P8  | 50 SD                              | no assessment     | alive on day 62: censored |

Non-progression 3/4 = 0.75, exact 95 % CI 0.1941 to 0.9937 (0.975 ** 0.25). Survival at
day 112: 6 alive of 7 followed, P8 censored. Adherence over days 1-112: P1 112/112, P2
56/112, P6 28/112 (mean 0.5833, median 0.5); P3 84/112 (0.75).
"""

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest

from diary.extensions import db
from tests.factories import (
    auth,
    default_study,
    make_dose,
    make_participant,
    make_site,
    make_staff,
    token_for,
)

FROZEN_AT = datetime(2026, 7, 31, 3, tzinfo=UTC)  # noon in Seoul, day 153
pytestmark = pytest.mark.usefixtures("clock")
ENROLLED = date(2026, 3, 1)
URL = "/api/v1/reports/primary-endpoint"


def on_day(day: int) -> str:
    return (ENROLLED + timedelta(days=day - 1)).isoformat()


def assess(client, headers, participant, day, response):
    answer = client.post(f"/api/v1/participants/{participant.id}/assessments", headers=headers,
                         json={"visit_date": on_day(day), "response": response})
    assert answer.status_code == 201, answer.get_json()


def vital(client, headers, participant, **body):
    answer = client.post(f"/api/v1/participants/{participant.id}/vital-status",
                         headers=headers, json=body)
    assert answer.status_code == 201, answer.get_json()


def take(participant, days: int):
    for day in range(1, days + 1):
        make_dose(participant, on_day(day))


@pytest.fixture
def cohort(client, headers, site):
    people = {name: make_participant(site=site, enrolled=ENROLLED, study_code=name)
              for name in ("P1", "P2", "P3", "P4", "P5", "P6", "P7", "P8")}
    for name, visits in {"P1": [(112, "SD")], "P2": [(105, "PR"), (140, "PD")],
                         "P3": [(100, "CR"), (120, "PD")], "P4": [(112, "NE")],
                         "P6": [(126, "SD")], "P7": [(127, "PD")], "P8": [(50, "SD")]}.items():
        for day, response in visits:
            assess(client, headers, people[name], day, response)
    vital(client, headers, people["P5"], status="dead", death_date=on_day(62))
    vital(client, headers, people["P8"], status="alive", last_known_alive_on=on_day(62))
    for name, days in {"P1": 112, "P2": 56, "P6": 28, "P3": 84}.items():
        take(people[name], days)
    return people


def test_the_rate_is_3_of_4_with_its_exact_interval(client, headers, cohort):
    report = client.get(URL, headers=headers).get_json()

    rate = report["non_progression"]
    assert (rate["k"], rate["n"], rate["rate"]) == (3, 4, 0.75)
    assert rate["ci_low"] == pytest.approx(0.1941, abs=5e-5)
    assert rate["ci_high"] == pytest.approx(0.975 ** 0.25, abs=1e-9)
    assert report["participants"] == 8
    assert report["studies"] == [{"code": "NCT02495519", "target_day": 112, "window_days": 14}]


def test_participants_without_an_evaluable_assessment_are_listed_not_evaluable(
        client, headers, cohort):
    report = client.get(URL, headers=headers).get_json()

    listed = {row["study_code"]: row["not_evaluable_reason"] for row in report["not_evaluable"]}
    assert listed == {"P4": "only_ne_in_window", "P5": "no_assessment_in_window",
                      "P7": "no_assessment_in_window", "P8": "no_assessment_in_window"}


def test_the_assessment_nearest_day_112_counts_and_the_window_edges_hold(
        client, headers, cohort):
    rows = {row["study_code"]: row for row in client.get(URL, headers=headers).get_json()["rows"]}

    assert (rows["P3"]["visit_day"], rows["P3"]["response"], rows["P3"]["outcome"]) == (
        120, "PD", "progression")
    assert (rows["P2"]["visit_date"], rows["P2"]["response"]) == (on_day(105), "PR")
    assert (rows["P6"]["visit_day"], rows["P6"]["outcome"]) == (126, "non_progression")
    assert rows["P7"]["outcome"] == "not_evaluable"


def test_the_window_is_the_study_files(client, headers, cohort):
    study = default_study()
    study.definition = {**study.definition, "windows": {
        **study.definition["windows"], "primary_assessment_window_days": 7}}
    db.session.commit()

    report = client.get(URL, headers=headers).get_json()

    # Days 105-119 now: P6 (126) and P3's PD (120) fall out; P3's CR (100) too.
    assert (report["non_progression"]["k"], report["non_progression"]["n"]) == (2, 2)
    assert report["studies"][0]["window_days"] == 7


def test_survival_at_16_weeks_counts_deaths_by_day_112_and_censors_the_unseen(
        client, headers, cohort):
    survival = client.get(URL, headers=headers).get_json()["survival"]

    assert (survival["alive"], survival["dead"], survival["censored"]) == (6, 1, 1)
    assert (survival["k"], survival["n"]) == (6, 7)
    assert survival["rate"] == pytest.approx(6 / 7)


def test_a_corrected_assessment_counts_as_corrected(client, headers, cohort):
    p1 = cohort["P1"]
    first = client.get(f"/api/v1/participants/{p1.id}/assessments", headers=headers).get_json()
    client.patch(f"/api/v1/participants/{p1.id}/assessments/{first[0]['id']}", headers=headers,
                 json={"response": "PD", "reason": "Central review: new lesion"})

    rate = client.get(URL, headers=headers).get_json()["non_progression"]

    assert (rate["k"], rate["n"]) == (2, 4)


def test_adherence_is_shown_for_the_non_progressing_and_the_progressing(
        client, headers, cohort):
    adherence = client.get(URL, headers=headers).get_json()["adherence"]

    assert adherence["non_progressing"]["n"] == 3
    assert adherence["non_progressing"]["mean"] == pytest.approx((1 + 0.5 + 0.25) / 3)
    assert adherence["non_progressing"]["median"] == pytest.approx(0.5)
    assert adherence["progressing"] == {"n": 1, "mean": 0.75, "median": 0.75}


def test_the_csv_has_a_row_per_participant(client, headers, cohort):
    response = client.get(URL, headers=headers | {"Accept": "text/csv"})

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [row["study_code"] for row in rows] == [f"P{n}" for n in range(1, 9)]
    assert (rows[0]["outcome"], rows[0]["response"], rows[0]["adherence"]) == (
        "non_progression", "SD", "1.0000")
    assert (rows[3]["outcome"], rows[3]["not_evaluable_reason"], rows[3]["adherence"]) == (
        "not_evaluable", "only_ne_in_window", "")


def test_other_sites_are_left_out_and_an_admin_sees_them(client, headers, cohort):
    other_site = make_site()
    elsewhere = make_participant(site=other_site, enrolled=ENROLLED, study_code="Q1")
    admin = auth(token_for(make_staff("admin", sites=[])))
    assess(client, admin, elsewhere, 112, "SD")

    mine = client.get(URL, headers=headers).get_json()["non_progression"]
    everyone = client.get(URL, headers=admin).get_json()["non_progression"]
    one_site = client.get(f"{URL}?site={other_site.code}", headers=admin).get_json()

    assert (mine["k"], mine["n"]) == (3, 4)
    assert (everyone["k"], everyone["n"]) == (4, 5)
    assert (one_site["site"], one_site["participants"]) == (other_site.code, 1)


def test_a_site_not_among_yours_is_refused(client, headers, cohort):
    other_site = make_site()

    response = client.get(f"{URL}?site={other_site.code}", headers=headers)

    assert response.status_code == 422
    assert "site" in response.get_json()["errors"]


def test_no_participants_give_no_rate(client, headers):
    report = client.get(URL, headers=headers).get_json()

    assert report["non_progression"] == {"n": 0, "k": 0, "rate": None, "ci_low": None,
                                         "ci_high": None}


def test_a_withdrawn_participant_s_adherence_ends_at_withdrawal(client, headers, site):
    # Every dose taken up to withdrawal on day 56, assessed SD at day 112 (follow-up goes
    # on): 56 of 56, as the adherence report counts it, not 56 of 112.
    person = make_participant(site=site, enrolled=ENROLLED, study_code="W1")
    take(person, 56)
    assess(client, headers, person, 112, "SD")
    answer = client.patch(f"/api/v1/participants/{person.id}", headers=headers,
                          json={"status": "withdrawn", "reason": "Withdrew consent",
                                "withdrawn_on": on_day(56)})
    assert answer.status_code == 200, answer.get_json()

    report = client.get(URL, headers=headers).get_json()
    cohort = client.get("/api/v1/reports/adherence", headers=headers).get_json()

    assert report["rows"][0]["adherence"] == 1.0
    assert cohort["participants"][0]["figures"]["adherence"] == 1.0


def test_adherence_by_outcome_takes_the_same_statements_for_a_bigger_cohort(
        client, headers, cohort, site, count_queries):
    with count_queries() as eight:
        client.get(URL, headers=headers)
    for number in range(5):
        person = make_participant(site=site, enrolled=ENROLLED, study_code=f"P9{number}")
        take(person, 10)
        assess(client, headers, person, 112, "SD")
    with count_queries() as thirteen:
        report = client.get(URL, headers=headers).get_json()

    assert report["participants"] == 13
    assert len(thirteen) == len(eight)
