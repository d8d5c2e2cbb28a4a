"""Staff read the study's protocol figures and their own sites."""

import pytest

from tests.factories import auth, make_site, make_staff, token_for

STUDY = "/api/v1/study"
SITES = "/api/v1/sites"


@pytest.fixture
def coordinator(site):
    return make_staff("coordinator", sites=[site])


def test_staff_read_the_study_from_its_definition(client, coordinator):
    response = client.get(STUDY, headers=auth(token_for(coordinator)))
    assert response.status_code == 200
    body = response.get_json()
    body.pop("adverse_event_terms")
    assert body == {
        "code": "NCT02495519",
        "title": "A Trial of Imatinib for Patients With Aggressive Desmoid Tumor "
                 "(Aggressive Fibromatosis)",
        "regimen": {"drug": "imatinib", "route": "oral", "dose_mg": 400, "doses_per_day": 1},
        "windows": {"primary_days": 112, "late_entry_hours": 72},
        "adherence": {"threshold": 0.9, "gap_alert_days": 3},
        "reminders": {"time": "09:00", "follow_up_after_minutes": 120,
                      "expire_after_minutes": 120},
        "quiet_hours": {"start": "21:00", "end": "08:00"},
        "locales": ["ko", "en"],
    }


def test_the_study_lists_its_ctcae_terms_with_the_meddra_codes_it_gives(client, coordinator):
    terms = client.get(STUDY, headers=auth(token_for(coordinator))).get_json()[
        "adverse_event_terms"]
    by_term = {term["term"]: term for term in terms}
    assert len(terms) == 36
    assert by_term["Edema limbs"] == {"term": "Edema limbs", "meddra_code": "10050068",
                                      "soc": "General disorders and administration site "
                                             "conditions", "pro_ctcae_item": 22}
    # No code in the reference table: none is made up.
    assert by_term["Periorbital edema"]["meddra_code"] is None


def test_an_admin_without_sites_reads_the_default_study(client, site):
    admin = make_staff("admin", sites=[])
    response = client.get(STUDY, headers=auth(token_for(admin)))
    assert response.get_json()["code"] == "NCT02495519"


def test_a_study_not_ones_own_is_404(client, coordinator):
    response = client.get(STUDY, query_string={"code": "NCT00000000"},
                          headers=auth(token_for(coordinator)))
    assert response.status_code == 404


def test_the_study_and_sites_are_for_staff_only(client):
    assert client.get(STUDY).status_code == 401
    assert client.get(SITES).status_code == 401


def test_staff_list_their_own_sites_only(client, site):
    other = make_site("BUS", tz="Asia/Seoul")
    coordinator = make_staff("coordinator", sites=[site])
    response = client.get(SITES, headers=auth(token_for(coordinator)))
    assert response.status_code == 200
    assert response.get_json() == [{"id": site.id, "code": "SEV", "name": "Severance Hospital",
                                    "timezone": "Asia/Seoul"}]
    admin = make_staff("admin", sites=[])
    everyone = client.get(SITES, headers=auth(token_for(admin))).get_json()
    assert [s["code"] for s in everyone] == ["BUS", "SEV"]
    assert other.id in [s["id"] for s in everyone]
