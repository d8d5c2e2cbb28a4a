"""``GET /api/v1/exports/sdtm`` and ``diary export sdtm``: the zip, scoped, audited."""

import csv
import io
import uuid
import zipfile
from datetime import UTC, datetime

import pyreadstat
import pytest
from sqlalchemy import select

from diary.extensions import db
from diary.models import AuditEvent
from diary.models.participant import Participant
from tests.factories import (
    auth,
    load_other_study,
    make_dose,
    make_participant,
    make_site,
    make_staff,
    token_for,
)

# Noon in Seoul on 20 March 2026.
FROZEN_AT = datetime(2026, 3, 20, 3, tzinfo=UTC)
pytestmark = pytest.mark.usefixtures("clock")
URL = "/api/v1/exports/sdtm"
KOREAN_NOTE = "어지러움과 두통"  # "dizziness and headache"


def enrol(client, headers, **fields):
    body = {"study_code": "S01-101", "site": "SEV", "enrolled_on": "2026-03-02",
            "phone": "010-2000-0101", "sms_consent": True} | fields
    return client.post("/api/v1/participants", json=body, headers=headers)


def rows(archive: zipfile.ZipFile, domain: str) -> list[dict]:
    text = archive.read(f"csv/{domain}.csv").decode("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def export(client, headers) -> zipfile.ZipFile:
    response = client.get(URL, headers=headers)
    assert response.status_code == 200, response.get_json()
    assert response.mimetype == "application/zip"
    return zipfile.ZipFile(io.BytesIO(response.data))


def test_enrolment_records_sex_and_age_and_dm_exports_them(client, headers):
    response = enrol(client, headers, sex="F", age_at_enrolment=14)
    assert response.status_code == 201, response.get_json()
    assert (response.get_json()["sex"], response.get_json()["age_at_enrolment"]) == ("F", 14)
    (dm,) = rows(export(client, headers), "dm")
    assert (dm["USUBJID"], dm["SUBJID"], dm["RFSTDTC"]) == (
        "NCT02495519-S01-101", "S01-101", "2026-03-02")
    assert (dm["SEX"], dm["AGE"], dm["AGEU"], dm["ARMCD"], dm["ARM"], dm["COUNTRY"]) == (
        "F", "14", "YEARS", "IMA400", "Imatinib 400 mg QD", "KOR")


def test_enrolment_below_the_protocols_minimum_age_is_refused(client, headers):
    response = enrol(client, headers, age_at_enrolment=9, sex="M")
    assert response.status_code == 422
    assert "10" in response.get_json()["errors"]["age_at_enrolment"][0]
    assert db.session.execute(select(Participant)).first() is None
    assert enrol(client, headers, age_at_enrolment=10).status_code == 201


def test_an_age_corrected_below_the_minimum_is_refused(client, headers):
    participant = enrol(client, headers, age_at_enrolment=15).get_json()
    response = client.patch(f"/api/v1/participants/{participant['id']}", headers=headers,
                            json={"age_at_enrolment": 9, "reason": "Typo at enrolment"})
    assert response.status_code == 422
    assert "age_at_enrolment" in response.get_json()["errors"]


@pytest.mark.parametrize("sex", ["female", "m", ""])
def test_sex_takes_only_cdisc_codes(client, headers, sex):
    response = enrol(client, headers, sex=sex)
    assert response.status_code == 422
    assert "sex" in response.get_json()["errors"]


def test_enrolment_without_sex_or_age_still_works(client, headers):
    participant = enrol(client, headers).get_json()
    assert (participant["sex"], participant["age_at_enrolment"]) == (None, None)


def test_staff_see_only_their_sites_participants_and_admins_see_all(client, site):
    other = make_site("OTH")
    here = make_participant(site=site, study_code="S01-001")
    make_participant(site=other, study_code="S02-001")
    for role in ("coordinator", "investigator"):
        archive = export(client, auth(token_for(make_staff(role, sites=[site]))))
        assert [r["SUBJID"] for r in rows(archive, "dm")] == [here.study_code]
    admin = auth(token_for(make_staff("admin", sites=[])))
    assert [r["SITEID"] for r in rows(export(client, admin), "dm")] == ["SEV", "OTH"]
    nobody = auth(token_for(make_staff("coordinator", sites=[make_site()])))
    assert rows(export(client, nobody), "dm") == []


def test_an_export_is_audited_and_carries_no_phone_number(client, site, coordinator,
                                                          headers):
    participant = make_participant(site=site, phone="+821055501234")
    make_dose(participant, "2026-03-12")
    archive = export(client, headers)
    everything = b"".join(archive.read(name) for name in archive.namelist())
    assert b"5550" not in everything and b"+82" not in everything
    event = db.session.execute(
        select(AuditEvent).where(AuditEvent.action == "export.sdtm")).scalar_one()
    assert (event.actor_type, event.actor_id, event.entity_type) == (
        "staff", coordinator.id, "export")
    assert event.occurred_at == FROZEN_AT
    assert event.after["participants"] == 1
    assert event.after["records"]["EC"] == 1
    assert event.after["site_ids"] == [site.id]


def test_a_missed_dose_is_exported_as_not_occurred_with_its_reason(client, site, headers):
    participant = make_participant(site=site, enrolled="2026-03-10")
    make_dose(participant, "2026-03-10")
    make_dose(participant, "2026-03-11", status="missed", missed_reason="side_effects")
    ec = rows(export(client, headers), "ec")
    assert [(r["ECSTDY"], r["ECOCCUR"], r["ECDOSE"], r["ECREASOC"]) for r in ec] == [
        ("1", "Y", "400", ""), ("2", "N", "", "ADVERSE EVENT")]


def test_korean_free_text_is_counted_in_the_header_and_flagged_in_suppae(client, site,
                                                                        headers):
    participant = make_participant(site=site, enrolled="2026-03-01")
    response = client.post(
        f"/api/v1/participants/{participant.id}/adverse-events", headers=headers,
        json={"ctcae_term": None, "verbatim_term": KOREAN_NOTE, "grade": 1,
              "onset_date": "2026-03", "outcome": "recovering", "relatedness": "possible",
              "action": "none"})
    assert response.status_code == 201, response.get_json()
    answer = client.get(URL, headers=headers)
    assert answer.headers["X-Non-ASCII-Replaced"] == "1"
    archive = zipfile.ZipFile(io.BytesIO(answer.data))
    (ae,) = rows(archive, "ae")
    assert (ae["AETERM"], ae["AESTDTC"], ae["AESTDY"]) == (KOREAN_NOTE, "2026-03", "")
    (flag,) = rows(archive, "suppae")
    assert (flag["QNAM"], flag["QVAL"], flag["IDVARVAL"]) == ("NONASCII", "AETERM", "1")


def test_a_value_xpt_cannot_hold_is_a_409_naming_it(client, site, headers):
    participant = make_participant(site=site, enrolled="2026-03-01")
    response = client.post(
        f"/api/v1/participants/{participant.id}/adverse-events", headers=headers,
        json={"ctcae_term": None, "verbatim_term": "Swelling " * 30, "grade": 1,
              "onset_date": "2026-03-02", "outcome": "recovering",
              "relatedness": "possible", "action": "none"})
    assert response.status_code == 201
    refused = client.get(URL, headers=headers)
    assert refused.status_code == 409
    assert "AE.AETERM" in refused.get_json()["message"]
    assert db.session.execute(
        select(AuditEvent).where(AuditEvent.action == "export.sdtm")).first() is None


def test_the_command_writes_every_sites_zip_and_says_what_it_replaced(app, tmp_path, site):
    make_participant(site=site, study_code="S01-001")
    make_participant(site=make_site("OTH"), study_code="S02-001")
    out = tmp_path / "sdtm.zip"
    result = app.test_cli_runner().invoke(args=["export", "sdtm", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "2 participants" in result.output
    assert "non-ASCII values replaced in the XPT files: 0" in result.output
    archive = zipfile.ZipFile(out)
    assert [r["SUBJID"] for r in rows(archive, "dm")] == ["S01-001", "S02-001"]
    event = db.session.execute(
        select(AuditEvent).where(AuditEvent.action == "export.sdtm")).scalar_one()
    assert (event.actor_type, event.after["site_ids"]) == ("system", "all")


def test_a_never_answer_exports_its_imputed_zero_with_a_suppqs_flag(client, site, headers):
    participant = make_participant(site=site, enrolled="2026-03-01")
    body = {"client_id": str(uuid.uuid4()), "report_date": "2026-03-05", "emergency_visit": False,
            "pregnancy": False, "items": [{"item": "nausea", "frequency": 0}],
            "reason": "Read from the paper questionnaire"}
    response = client.post(f"/api/v1/participants/{participant.id}/symptom-reports",
                           json=body, headers=headers)
    assert response.status_code == 201, response.get_json()
    archive = export(client, headers)
    qs = rows(archive, "qs")
    assert [(r["QSTESTCD"], r["QSORRES"], r["QSSTRESN"], r["QSDY"]) for r in qs] == [
        ("PRO009F", "Never", "0", "5"), ("PRO009S", "", "0", "5")]
    (flag,) = rows(archive, "suppqs")
    assert (flag["IDVAR"], flag["IDVARVAL"], flag["QNAM"], flag["QVAL"]) == (
        "QSSEQ", "2", "QSIMPUT", "Y")


def test_the_study_s_own_items_go_to_qs_and_the_weight_to_vs(client, site, headers, tmp_path):
    participant = make_participant(site=site, enrolled="2026-03-01")
    body = {"client_id": str(uuid.uuid4()), "report_date": "2026-03-05", "emergency_visit": False,
            "pregnancy": False, "reason": "Read from the paper questionnaire",
            "items": [{"item": "muscle_cramps", "frequency": 3, "severity": 2},
                      {"item": "periorbital_oedema", "severity": 1},
                      {"item": "weight_kg", "kg": 61.4}]}
    response = client.post(f"/api/v1/participants/{participant.id}/symptom-reports",
                           json=body, headers=headers)
    assert response.status_code == 201, response.get_json()
    archive = export(client, headers)
    qs = rows(archive, "qs")
    assert [(r["QSTESTCD"], r["QSTEST"], r["QSCAT"], r["QSORRES"], r["QSSTRESN"])
            for r in qs] == [
        ("MUSCLECF", "Muscle cramps Frequency", "SPONSOR-DEFINED SYMPTOM ITEMS", "Frequently",
         "3"),
        ("MUSCLECS", "Muscle cramps Severity", "SPONSOR-DEFINED SYMPTOM ITEMS", "Moderate", "2"),
        ("PERIORBS", "Swelling around the eyes Severity", "SPONSOR-DEFINED SYMPTOM ITEMS",
         "Mild", "1")]
    (weight,) = rows(archive, "vs")
    assert (weight["VSSEQ"], weight["VSTESTCD"], weight["VSTEST"], weight["VSORRES"],
            weight["VSORRESU"], weight["VSSTRESN"], weight["VSSTRESU"], weight["VSDY"]) == (
        "1", "WEIGHT", "Weight", "61.4", "kg", "61.4", "kg", "5")
    path = tmp_path / "vs.xpt"
    path.write_bytes(archive.read("xpt/vs.xpt"))
    frame, meta = pyreadstat.read_xport(str(path))
    assert (list(frame["VSSTRESN"]), list(frame["VSSTRESU"])) == ([61.4], ["kg"])
    labels = dict(zip(meta.column_names, meta.column_labels, strict=True))
    assert (labels["VSORRESU"], labels["VSSTRESU"]) == ("Original Units", "Standard Units")
    assert meta.table_name == "VS"


def test_tumour_assessments_are_exported_in_rs_with_their_current_response(client, site,
                                                                          headers):
    participant = make_participant(site=site, enrolled="2026-03-02")
    url = f"/api/v1/participants/{participant.id}/assessments"
    first = client.post(url, json={"visit_date": "2026-03-16", "response": "SD"},
                        headers=headers)
    assert first.status_code == 201, first.get_json()
    client.patch(f"{url}/{first.get_json()['id']}", headers=headers,
                 json={"response": "PR", "reason": "Central review read a partial response"})
    client.post(url, json={"visit_date": "2026-03-19", "response": "PD"}, headers=headers)

    rs = rows(export(client, headers), "rs")

    assert [(r["RSTESTCD"], r["RSORRES"], r["RSDTC"], r["RSDY"], r["RSSEQ"]) for r in rs] == [
        ("OVRLRESP", "PR", "2026-03-16", "15", "1"), ("OVRLRESP", "PD", "2026-03-19", "18", "2")]


@pytest.fixture
def second_study(study, tmp_path):
    """NCT09999998, a second study with a site SEV of its own."""
    return load_other_study(tmp_path)


def test_a_package_holds_one_study_so_two_need_one_named(client, site, second_study, app,
                                                         tmp_path):
    make_participant(site=site, study_code="S01-001")
    make_participant(site=second_study, study_code="T01-001")
    headers = auth(token_for(make_staff("admin")))
    refused = client.get(URL, headers=headers)
    assert refused.status_code == 422
    assert "NCT02495519, NCT09999998" in refused.get_json()["errors"]["study"][0]
    archive = zipfile.ZipFile(io.BytesIO(client.get(f"{URL}?study=NCT09999998",
                                                    headers=headers).data))
    assert [(r["STUDYID"], r["SUBJID"]) for r in rows(archive, "dm")] == [
        ("NCT09999998", "T01-001")]
    event = db.session.execute(
        select(AuditEvent).where(AuditEvent.action == "export.sdtm")).scalar_one()
    assert event.after["study"] == "NCT09999998"
    unknown = client.get(f"{URL}?study=NCT00000000", headers=headers)
    assert (unknown.status_code, set(unknown.get_json())) == (
        422, {"code", "status", "message", "errors"})
    runner = app.test_cli_runner()
    out = tmp_path / "sdtm.zip"
    result = runner.invoke(args=["export", "sdtm", "--out", str(out)])
    assert result.exit_code != 0 and "name one" in result.output
    result = runner.invoke(args=["export", "sdtm", "--out", str(out), "--study", "NCT02495519"])
    assert result.exit_code == 0, result.output
    assert [r["SUBJID"] for r in rows(zipfile.ZipFile(out), "dm")] == ["S01-001"]


def test_a_coordinator_of_one_study_needs_to_name_none(client, site, second_study):
    make_participant(site=site, study_code="S01-001")
    make_participant(site=second_study, study_code="T01-001")
    coordinator = make_staff("coordinator", sites=[site])
    archive = export(client, auth(token_for(coordinator)))
    assert [r["SUBJID"] for r in rows(archive, "dm")] == ["S01-001"]
    refused = client.get(f"{URL}?study=NCT09999998", headers=auth(token_for(coordinator)))
    assert refused.status_code == 422


def test_the_package_carries_the_trial_summary_with_its_start_date(client, site, headers,
                                                                   tmp_path):
    make_participant(site=site, study_code="S01-002", enrolled="2026-03-09")
    make_participant(site=site, study_code="S01-001", enrolled="2026-03-02")
    archive = export(client, headers)
    summary = {r["TSPARMCD"]: r for r in rows(archive, "ts")}
    assert (summary["SSTDTC"]["TSVAL"], summary["ACTSUB"]["TSVAL"]) == ("2026-03-02", "2")
    assert (summary["REGID"]["TSVAL"], summary["REGID"]["TSVCDREF"]) == (
        "NCT02495519", "ClinicalTrials.gov")
    assert (summary["PLANSUB"]["TSVAL"], summary["AGEMIN"]["TSVAL"]) == ("21", "P10Y")
    assert summary["TITLE"]["TSVAL"].startswith("A Trial of Imatinib")
    assert [r["TSSEQ"] for r in rows(archive, "ts")] == [
        str(n) for n in range(1, len(summary) + 1)]
    path = tmp_path / "ts.xpt"
    path.write_bytes(archive.read("xpt/ts.xpt"))
    frame, meta = pyreadstat.read_xport(str(path))
    assert meta.table_name == "TS" and list(frame["TSPARMCD"])[:2] == ["SSTDTC", "TITLE"]
