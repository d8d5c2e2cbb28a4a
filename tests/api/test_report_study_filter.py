"""Every report takes ``study``: one study's participants only, never two protocols pooled.

A second study (NCT09999998, 56-day primary window) with a site also coded SEV: an admin
sees both. Unnamed, the reports cover both studies; with ``study`` each covers that one
study's participants, a site code shared by the two studies resolves within it, and a
study not at the caller's sites is a 422 that names theirs.
"""

from datetime import UTC, date, datetime, timedelta

import pytest

from tests.factories import (
    auth,
    load_other_study,
    make_dose,
    make_participant,
    make_staff,
    token_for,
)

FROZEN_AT = datetime(2026, 3, 20, 4, 30, tzinfo=UTC)
pytestmark = pytest.mark.usefixtures("clock")
REPORTS = ("/api/v1/reports/adherence", "/api/v1/reports/primary-endpoint",
           "/api/v1/reports/adverse-events", "/api/v1/reports/symptoms",
           "/api/v1/reports/alerts")


@pytest.fixture
def other_site(study, tmp_path):
    return load_other_study(tmp_path, primary_days=56)


def _diary(site):
    enrolled = date(2026, 3, 1)
    person = make_participant(enrolled=enrolled, site=site, phone=None, sms_consent=False)
    for day in range(10):
        make_dose(person, enrolled + timedelta(days=day), "taken" if day % 5 else "missed")
    return person


def test_each_report_covers_one_study_when_asked(client, site, other_site):
    here, there = _diary(site), _diary(other_site)
    headers = auth(token_for(make_staff("admin")))
    both = client.get("/api/v1/reports/adherence", headers=headers).get_json()
    assert {row["participant_id"] for row in both["participants"]} == {here.id, there.id}
    for study, person in (("NCT02495519", here), ("NCT09999998", there)):
        answer = client.get(f"/api/v1/reports/adherence?study={study}", headers=headers)
        assert answer.status_code == 200, answer.get_json()
        body = answer.get_json()
        assert [row["participant_id"] for row in body["participants"]] == [person.id]
        # One study in view: the default window is that study's own primary window.
        assert body["window"]["to_day"] == (112 if study == "NCT02495519" else 56)
        # 1 to 19 March are over in Seoul: 19 expected, 8 taken (days 1 and 6 missed).
        assert (body["pooled"]["expected"], body["pooled"]["taken"]) == (19, 8)
        csv_rows = client.get(f"/api/v1/reports/adherence?study={study}",
                              headers=headers | {"Accept": "text/csv"}).get_data(as_text=True)
        assert len(csv_rows.strip().splitlines()) == 2
        endpoint = client.get(f"/api/v1/reports/primary-endpoint?study={study}",
                              headers=headers).get_json()
        assert endpoint["participants"] == 1
        assert [s["code"] for s in endpoint["studies"]] == [study]
    for path in REPORTS[2:]:
        assert client.get(f"{path}?study=NCT09999998", headers=headers).status_code == 200


def test_a_site_code_two_studies_share_resolves_within_the_study(client, site, other_site):
    assert site.code == other_site.code == "SEV"
    _diary(site)
    there = _diary(other_site)
    headers = auth(token_for(make_staff("admin")))
    ambiguous = client.get("/api/v1/reports/adherence?site=SEV", headers=headers)
    assert ambiguous.status_code == 422
    for path in REPORTS:
        answer = client.get(f"{path}?site=SEV&study=NCT09999998", headers=headers)
        assert answer.status_code == 200, (path, answer.get_json())
    rows = client.get("/api/v1/reports/adherence?site=SEV&study=NCT09999998",
                      headers=headers).get_json()["participants"]
    assert [row["participant_id"] for row in rows] == [there.id]


@pytest.mark.parametrize("path", REPORTS)
@pytest.mark.parametrize("code", ["NCT09999998", "nope", "x" * 41, ""])
def test_a_study_not_at_your_sites_is_a_422_that_names_yours(client, site, other_site, path,
                                                              code):
    coordinator = make_staff("coordinator", sites=[site])
    answer = client.get(f"{path}?study={code}", headers=auth(token_for(coordinator)))
    assert answer.status_code == 422
    body = answer.get_json()
    assert set(body) == {"code", "status", "message", "errors"}
    assert "study" in body["errors"]
    if code == "NCT09999998":
        assert "NCT02495519" in body["errors"]["study"][0]
