"""/reports: the cohort's days, adherence, adverse events and alerts, as text in the HTML."""

import re
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest

from diary.extensions import db
from diary.operations.adherence import adherence_between
from diary.operations.alerts import raise_alert
from tests.factories import (
    auth,
    default_study,
    load_other_study,
    make_dose,
    make_participant,
    make_site,
    make_staff,
    token_for,
    totp_code,
)
from tests.web.pages import sign_in

FROZEN_AT = "2026-06-20T03:00:00Z"  # noon on 20 June in Seoul: day 20 is under way
pytestmark = pytest.mark.usefixtures("clock")
ENROLLED = date(2026, 6, 1)


@pytest.fixture
def coordinator(site):
    return make_staff("coordinator", sites=[site], email="kim@example.org")


def _event(client, token, participant, term, grade, onset):
    body = {"ctcae_term": term, "grade": grade, "seriousness": [], "onset_date": onset,
            "outcome": "not_recovered", "relatedness": "possible", "action": "none"}
    answer = client.post(f"/api/v1/participants/{participant.id}/adverse-events",
                         json=body, headers=auth(token))
    assert answer.status_code == 201, answer.json


@pytest.fixture
def cohort(client, coordinator):
    """S01-101: days 1-19 over, day 3 missed, day 5 unreported, days 11-13 held."""
    first = make_participant(enrolled=ENROLLED, study_code="S01-101")
    for number in range(1, 20):
        day = ENROLLED + timedelta(days=number - 1)
        if number == 3:
            make_dose(first, day, status="missed", missed_reason="forgot")
        elif number != 5 and not 11 <= number <= 13:
            make_dose(first, day)
    token = token_for(coordinator)
    hold = {"start_date": "2026-06-11", "end_date": "2026-06-13", "reason": "Grade 3 rash"}
    assert client.post(f"/api/v1/participants/{first.id}/dose-holds", json=hold,
                       headers=auth(token)).status_code == 201
    second = make_participant(enrolled=ENROLLED, study_code="S01-102", phone=None)
    _event(client, token, first, "Fatigue", 2, "2026-06-04")
    _event(client, token, second, "Fatigue", 1, "2026-06-02")
    _event(client, token, second, "Fatigue", 3, "2026-06-10")
    _event(client, token, second, "Nausea", 1, "2026-06-03")
    elsewhere = make_site("OTH")
    make_participant(enrolled=ENROLLED, study_code="X99-001", site=elsewhere, phone=None)
    raise_alert("adherence_gap", second, details={"days": 3})
    db.session.commit()
    return first, second


def _page(client, email="kim@example.org", code=None):
    assert sign_in(client, email, code=code).status_code == 302
    answer = client.get("/reports")
    assert answer.status_code == 200
    return answer


def test_each_heatmap_cell_says_whose_day_it_is_and_what_it_counts_as(client, cohort):
    html = _page(client).text
    for title in ("S01-101 · day 1 · 2026-06-01 · taken",
                  "S01-101 · day 3 · 2026-06-03 · missed",
                  "S01-101 · day 5 · 2026-06-05 · unreported",
                  "S01-101 · day 12 · 2026-06-12 · held",
                  "S01-101 · day 20 · 2026-06-20 · not yet",
                  "S01-101 · day 112 · 2026-09-20 · not yet"):
        assert f"<title>{title}</title>" in html
    assert len(re.findall(r'<rect class="cell ', html)) == 2 * 112


def test_each_participant_s_adherence_is_shown_against_the_90_percent_line(client, cohort):
    html = _page(client).text
    # 14 doses taken of 16 expected (19 days over, 3 of them held).
    assert "S01-101: 87.5 % (14 of 16 expected doses taken)" in html
    assert "Below 90.0 %: S01-101, S01-102." in html
    assert "<title>Threshold 90.0 %</title>" in html


def test_the_page_figures_are_the_adherence_operation_s(client, cohort, study):
    first, _ = cohort
    figures = adherence_between(first, study, ENROLLED, date(2026, 6, 19))
    assert (figures.taken, figures.expected, figures.missed, figures.unreported,
            figures.held) == (14, 16, 1, 1, 3)
    row = (f'<th scope="row">S01-101</th><td>87.5 %</td><td>{figures.taken}</td>'
           f'<td>{figures.expected}</td><td>1</td><td>1</td><td>3</td>')
    assert row in _page(client).text


def test_the_adverse_event_table_counts_participants_at_their_worst_grade(client, cohort):
    html = _page(client).text
    assert ('<th scope="row">Fatigue</th><td>2 (100.0 %)</td><td>1 (50.0 %)</td>'
            '<td>1 (50.0 %)</td><td>0 (0.0 %)</td><td>0 (0.0 %)</td>') in html
    assert '<th scope="row">Nausea</th><td>1 (50.0 %)</td>' in html


def test_the_primary_endpoint_says_when_nobody_is_evaluable_yet(client, cohort):
    assert "No participant has an evaluable assessment" in _page(client).text


@pytest.mark.frozen_at("2026-10-01T03:00:00Z")  # past day 112 of a June enrolment
def test_the_primary_endpoint_shows_the_rate_its_interval_and_who_is_not_evaluable(
        client, coordinator):
    token = token_for(coordinator)
    for code, response in (("S01-201", "SD"), ("S01-202", "PD"), ("S01-203", "NE")):
        person = make_participant(enrolled=ENROLLED, study_code=code, phone=None)
        answer = client.post(f"/api/v1/participants/{person.id}/assessments",
                             json={"visit_date": "2026-09-20", "response": response},
                             headers=auth(token))
        assert answer.status_code == 201, answer.json
    html = _page(client).text
    # 1 of 2 evaluable; Clopper-Pearson for 1/2 is 0.0126 to 0.9874.
    assert "1 of 2 (50.0 %); exact 95 % interval (Clopper-Pearson) 1.3 % to 98.7 %" in html
    assert "1: S01-203" in html


def test_open_alerts_and_their_counts_are_listed(client, cohort):
    html = _page(client).text
    assert "<td>adherence gap</td><td>routine</td><td>open</td><td>S01-102</td>" in html
    # Raised 1, acknowledged 0, closed 0, acted on 0; nothing acknowledged to time yet.
    assert ('<th scope="row">adherence gap</th><td>routine</td><td>1</td><td>0</td><td>0</td>'
            '<td>0</td><td>n/a</td><td>n/a</td>') in html


def test_a_coordinator_sees_only_their_site_and_an_admin_every_site(client, cohort):
    assert "X99-001" not in _page(client).text
    make_staff("admin", sites=[], email="root@example.org", second_factor=True)
    assert "X99-001" in _page(client, "root@example.org", code=totp_code()).text


def test_the_page_runs_no_script_and_says_so_in_its_policy(client, cohort):
    answer = _page(client)
    assert "<script" not in answer.text
    policy = answer.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "script-src" not in policy
    assert answer.headers["Cache-Control"] == "no-store"
    with client.get("/static/web/report.css") as css:
        assert css.status_code == 200 and "overflow-x: auto" in css.text


def test_an_empty_cohort_still_renders(client, coordinator):
    html = _page(client).text
    assert "No adverse events recorded." in html and "No open alerts." in html
    assert default_study().code in html


def test_staff_with_no_site_in_a_study_are_told_there_is_nothing_to_report(client):
    make_staff("investigator", sites=[], email="solo@example.org", second_factor=True)
    assert sign_in(client, "solo@example.org", code=totp_code()).status_code == 302
    answer = client.get("/reports")
    assert answer.status_code == 404
    assert "nothing to report" in answer.text


@pytest.fixture
def wider_cohort(client, coordinator, cohort):
    """The cohort, and S01-103 withdrawn on day 6 (doses days 1-8), S01-104 with today's dose,
    and a serious grade 3 event."""
    token = token_for(coordinator)
    withdrawn = make_participant(enrolled=ENROLLED, study_code="S01-103", phone=None,
                                 sms_consent=False)
    for number in range(1, 9):
        make_dose(withdrawn, ENROLLED + timedelta(days=number - 1))
    answer = client.patch(f"/api/v1/participants/{withdrawn.id}", headers=auth(token),
                          json={"status": "withdrawn", "reason": "Withdrew consent",
                                "withdrawn_on": "2026-06-06"})
    assert answer.status_code == 200, answer.json
    today = make_participant(enrolled=ENROLLED, study_code="S01-104", phone=None)
    for number in range(1, 21):  # day 20 is today, under way, and already has its dose
        if number != 7:
            make_dose(today, ENROLLED + timedelta(days=number - 1))
    body = {"ctcae_term": "Nausea", "grade": 3, "seriousness": ["hospitalisation"],
            "onset_date": "2026-06-08", "outcome": "recovering", "relatedness": "probable",
            "action": "none", "site_aware_at": "2026-06-08T09:30:00+09:00"}
    assert client.post(f"/api/v1/participants/{today.id}/adverse-events", json=body,
                       headers=auth(token)).status_code == 201
    db.session.commit()
    return token


def _page_rows(html: str, table: str) -> dict[str, list[str]]:
    body = re.search(rf'<table class="{table}">.*?<tbody>(.*?)</tbody>', html, re.S).group(1)
    return {head: re.findall(r"<td>(.*?)</td>", cells)
            for head, cells in re.findall(r'<th scope="row">(.*?)</th>(.*?)</tr>', body)}


def _percent(value) -> str:
    return f"{(Decimal(str(value)) * 100).quantize(Decimal('0.1'), ROUND_HALF_UP)} %"


def test_each_participant_s_adherence_on_the_page_is_the_json_report_s(client, wider_cohort):
    report = client.get("/api/v1/reports/adherence", headers=auth(wider_cohort)).json
    page = _page_rows(_page(client).text, "figures")
    expected = {row["study_code"]: [
        _percent(row["figures"]["adherence"]) if row["figures"]["adherence"] is not None
        else "n/a",
        *(str(row["figures"][name]) for name in ("taken", "expected", "missed", "unreported",
                                                 "held"))]
        for row in report["participants"]}
    assert page == expected
    # Withdrawn on day 6: days 1-6 count; today's dose counts for S01-104.
    assert page["S01-103"][:3] == ["100.0 %", "6", "6"]
    assert page["S01-104"][:3] == ["95.0 %", "19", "20"]


def test_the_heatmap_stops_counting_at_withdrawal_as_the_report_does(client, wider_cohort):
    html = _page(client).text
    assert "<title>S01-103 · day 6 · 2026-06-06 · taken</title>" in html
    # A dose logged after withdrawal does not count, on the page or in the report.
    assert "<title>S01-103 · day 7 · 2026-06-07 · after withdrawal</title>" in html
    assert "<title>S01-104 · day 20 · 2026-06-20 · taken</title>" in html


def test_the_adverse_event_table_on_the_page_is_the_json_report_s(client, wider_cohort):
    report = client.get("/api/v1/reports/adverse-events?from_day=1&to_day=112",
                        headers=auth(wider_cohort)).json
    html = _page(client).text

    def cell(count):
        return f"{count['n']} ({count['percent']:.1f} %)"

    assert _page_rows(html, "ae") == {
        term["term"]: [cell(term[key]) for key in ("any", "grade_1_2", "grade_3", "grade_4",
                                                   "grade_5")]
        for term in report["terms"]}
    assert f"of {report['participants']}), each counted once" in html
    for event in report["serious_events"]:
        assert (f"{event['study_code']}: {event['term']}, grade {event['grade']}, "
                f"onset {event['onset_date']} (hospitalisation)") in html


def test_the_alert_figures_on_the_page_are_the_json_report_s(client, wider_cohort, cohort,
                                                             clock):
    """Two adherence gaps (one acknowledged after 30 min) and the serious event (acknowledged
    after 90 min, then closed by staff): medians 30 and 90 min, 60 overall, p90 84 min."""
    headers = auth(wider_cohort)
    gap = raise_alert("adherence_gap", cohort[0], details={"days": 3})
    db.session.commit()
    serious = client.get("/api/v1/alerts?kind=serious_event", headers=headers).json[0]["id"]
    clock.shift(timedelta(minutes=30))
    assert client.post(f"/api/v1/alerts/{gap.id}/acknowledge", headers=headers).status_code == 200
    clock.shift(timedelta(minutes=60))
    assert client.post(f"/api/v1/alerts/{serious}/acknowledge",
                       headers=headers).status_code == 200
    assert client.post(f"/api/v1/alerts/{serious}/close", headers=headers,
                       json={"reason": "Reported to the sponsor"}).status_code == 200
    report = client.get("/api/v1/reports/alerts", headers=headers).json
    html = _page(client).text

    assert (report["alerts"], report["acknowledge_minutes"]) == (
        3, {"n": 2, "median": 60.0, "p90": 84.0})
    assert "<dd>median 60.0 min, 90th percentile 84.0 min</dd>" in html
    assert "<dt>Alerts acted on (closed by staff)</dt><dd>1 of 3 (33.3 %)</dd>" in html
    assert "<dt>Symptom reports that raised an alert</dt><dd>0 of 0 (n/a)</dd>" in html

    def minutes(value):
        return "n/a" if value is None else f"{value:.1f} min"

    assert _page_rows(html, "alert-counts") == {
        row["kind"].replace("_", " "): [
            row["urgency"], *(str(row[name]) for name in ("alerts", "acknowledged", "closed",
                                                          "acted_on")),
            minutes(row["acknowledge_minutes"]["median"]),
            minutes(row["acknowledge_minutes"]["p90"])]
        for row in report["by_kind"]}
    assert _page_rows(html, "alert-counts")["serious event"] == [
        "urgent", "1", "1", "1", "1", "90.0 min", "90.0 min"]


@pytest.mark.frozen_at("2026-10-01T03:00:00Z")  # day 123 of a June enrolment
def test_the_page_counts_adverse_events_by_onset_in_its_window(client, coordinator):
    """Days 1-112 end on 20 September: an onset on the 25th is outside, "2026-09" could be
    inside (and outside), and the page says so; the JSON without a window has them all."""
    token = token_for(coordinator)
    person = make_participant(enrolled=ENROLLED, study_code="S01-301", phone=None)
    _event(client, token, person, "Fatigue", 1, "2026-06-10")
    _event(client, token, person, "Rash maculo-papular", 2, "2026-09-25")
    _event(client, token, person, "Nausea", 1, "2026-09")

    html = _page(client).text

    assert set(_page_rows(html, "ae")) == {"Fatigue", "Nausea"}
    assert "(onset on study days 1\N{EN DASH}112)" in html
    assert ("over the 2 events whose onset could lie in days 1\N{EN DASH}112: 1 of them on "
            "an onset known only to the month or year, which could also lie outside.") in html
    everything = client.get("/api/v1/reports/adverse-events", headers=auth(token)).json
    assert {term["term"] for term in everything["terms"]} == {
        "Fatigue", "Nausea", "Rash maculo-papular"}


def _second_study(tmp_path):
    """NCT09999999: the default study file with its own code and one site, MSK."""
    return load_other_study(tmp_path, "NCT09999999", site_code="MSK",
                            site_name="Memorial Hospital")


def test_every_panel_covers_the_heatmap_s_participants_and_no_other_study_s(
        client, cohort, tmp_path):
    """An admin sees two studies' sites; the page is the default study's, and so are its
    adverse events, primary endpoint and alerts, not only its heatmap."""
    other = make_participant(enrolled=ENROLLED, study_code="Z88-001", site=_second_study(
        tmp_path), phone=None)
    admin = make_staff("admin", sites=[], email="root@example.org", second_factor=True)
    _event(client, token_for(admin), other, "Headache", 3, "2026-06-05")
    raise_alert("adherence_gap", other, details={"days": 3})
    db.session.commit()

    html = _page(client, "root@example.org", code=totp_code()).text

    heatmap = set(re.findall(r'<text class="code" x="0" y="\d+">(.*?)</text>',
                             html.split('<section id="adherence">')[0]))
    assert "Z88-001" not in heatmap and "S01-101" in heatmap
    assert "Headache" not in _page_rows(html, "ae")
    # The default study's participants at the admin's sites: S01-101, S01-102, X99-001.
    assert f"of {len(heatmap)}), each counted once" in html
    assert "Z88-001" not in html
    assert _page_rows(html, "alert-counts")["adherence gap"][:2] == ["routine", "1"]
