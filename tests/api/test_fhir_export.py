"""FHIR R4 exports: a participant's Bundle and the bulk NDJSON, valid, scoped and audited."""

import json
from datetime import UTC, datetime

import pytest
from fhir.resources.R4B.bundle import Bundle
from sqlalchemy import select

from diary.exports.fhir import systems
from diary.exports.fhir.checks import bundle_problems
from diary.extensions import db
from diary.models import AuditEvent
from diary.operations import fhir_export
from tests.api.symptom_helpers import item, staff_reports, symptom_report
from tests.factories import auth, make_dose, make_participant, make_site, make_staff, token_for

# Noon in Seoul on 20 March 2026; the participant was enrolled on 1 March.
FROZEN_AT = datetime(2026, 3, 20, 3, tzinfo=UTC)
pytestmark = pytest.mark.usefixtures("clock")
PHONE = "+821055501234"
SUBJECT_SYSTEM = "urn:diary:study:NCT02495519:subject"


def fhir_url(participant_id: int) -> str:
    return f"/api/v1/participants/{participant_id}/fhir"


@pytest.fixture
def coordinator(site):
    return make_staff("coordinator", sites=[site])


@pytest.fixture
def headers(coordinator):
    return auth(token_for(coordinator))


@pytest.fixture
def participant(client, site, headers):
    """A diary with a taken, a missed and a vomited dose, two events and a symptom report."""
    person = make_participant(site=site, enrolled="2026-03-01", study_code="S01-042",
                              phone=PHONE)
    make_dose(person, "2026-03-01", taken_at=datetime(2026, 3, 1, 0, 30, tzinfo=UTC))
    make_dose(person, "2026-03-02", status="missed", missed_reason="side_effects")
    make_dose(person, "2026-03-03", dose_mg=300, vomited=True)
    for event in (
        {"ctcae_term": "Nausea", "grade": 2, "onset_date": "2026-03", "outcome": "recovering",
         "relatedness": "possible", "action": "none"},
        {"ctcae_term": "Edema limbs", "grade": 3, "seriousness": ["hospitalisation"],
         "onset_date": "2026-03-14", "end_date": "2026-03-18", "outcome": "recovered",
         "relatedness": "probable", "action": "none",
         "site_aware_at": "2026-03-15T09:30:00+09:00"},
    ):
        response = client.post(f"/api/v1/participants/{person.id}/adverse-events",
                               json=event, headers=headers)
        assert response.status_code == 201, response.get_json()
    report = symptom_report("2026-03-04", reason="Paper form at the clinic visit", items=[
        item("nausea", frequency=0), item("rash", presence=True),
        item("weight_kg", kg=61.4)])
    response = client.post(staff_reports(person.id), json=report, headers=headers)
    assert response.status_code == 201, response.get_json()
    return person


def exported(client, participant, headers) -> dict:
    response = client.get(fhir_url(participant.id), headers=headers)
    assert response.status_code == 200, response.get_json()
    assert response.mimetype == "application/fhir+json"
    return json.loads(response.data)


def resources(bundle: dict, kind: str) -> list[dict]:
    return [entry["resource"] for entry in bundle["entry"]
            if entry["resource"]["resourceType"] == kind]


def test_the_bundle_is_valid_r4_with_a_resource_per_record(client, participant, headers):
    bundle = exported(client, participant, headers)

    assert Bundle.model_validate(bundle).type == "collection"
    assert bundle_problems(bundle) == []
    assert [entry["resource"]["resourceType"] for entry in bundle["entry"]] == [
        "Patient", *["MedicationAdministration"] * 3, *["AdverseEvent"] * 2,
        "QuestionnaireResponse"]


def test_the_patient_carries_the_study_code_only(client, participant, headers):
    (patient,) = resources(exported(client, participant, headers), "Patient")

    assert patient == {"resourceType": "Patient", "identifier": [
        {"use": "official", "system": SUBJECT_SYSTEM, "value": "S01-042"}]}


def test_no_export_carries_the_participants_phone_number(client, participant, headers):
    national = PHONE.replace("+82", "0")
    for text in (client.get(fhir_url(participant.id), headers=headers).get_data(as_text=True),
                 client.get("/api/v1/exports/fhir", headers=headers).get_data(as_text=True)):
        assert "S01-042" in text
        digits = "".join(ch for ch in text if ch.isdigit())
        for form in (PHONE, PHONE[1:], national, "10-5550-1234", "5550-1234", "55501234"):
            assert form not in text
        assert PHONE[1:] not in digits and national not in digits


def test_a_taken_dose_is_completed_in_mg_and_a_missed_one_not_done_with_its_reason(
        client, participant, headers):
    taken, missed, vomited = resources(exported(client, participant, headers),
                                       "MedicationAdministration")

    assert taken["status"] == "completed"
    assert taken["dosage"]["dose"] == {"value": 400, "unit": "mg",
                                       "system": "http://unitsofmeasure.org", "code": "mg"}
    assert taken["effectiveDateTime"] == "2026-03-01T09:30:00+09:00"  # the time taken, in Seoul
    assert taken["medicationCodeableConcept"]["coding"] == [{
        "system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "282388",
        "display": "imatinib"}]
    assert missed["status"] == "not-done"
    assert "dosage" not in missed
    assert missed["statusReason"][0]["coding"][0]["code"] == "side_effects"
    assert missed["statusReason"][0]["text"] == "Side effects"
    assert missed["effectiveDateTime"] == "2026-03-02"  # the local dose day
    assert vomited["dosage"]["dose"]["value"] == 300
    assert vomited["extension"] == [{"url": systems.DOSE_VOMITED, "valueBoolean": True}]


def test_adverse_events_carry_seriousness_severity_and_the_ctcae_grade(
        client, participant, headers):
    nausea, oedema = resources(exported(client, participant, headers), "AdverseEvent")

    def coded(resource, element):
        (coding,) = resource[element]["coding"]
        return coding["system"].rsplit("/", 1)[-1], coding["code"]

    def grade(resource):
        return [ext["valueInteger"] for ext in resource["extension"]
                if ext["url"] == systems.CTCAE_GRADE]

    assert nausea["actuality"] == "actual"
    assert coded(nausea, "seriousness") == ("adverse-event-seriousness", "non-serious")
    assert coded(nausea, "severity") == ("adverse-event-severity", "moderate")
    assert grade(nausea) == [2]
    assert nausea["date"] == "2026-03"  # partial onset stays partial
    assert nausea["event"]["coding"][0]["code"] == "10028813"  # MedDRA, from the study file
    assert coded(oedema, "seriousness") == ("adverse-event-seriousness", "serious")
    assert coded(oedema, "severity") == ("adverse-event-severity", "severe")
    assert grade(oedema) == [3]
    assert coded(oedema, "outcome") == ("adverse-event-outcome", "resolved")
    assert {"url": systems.SERIOUSNESS_CRITERION, "valueCode": "hospitalisation"} in \
        oedema["extension"]


def test_a_symptom_report_is_a_completed_response_with_imputed_scores_flagged(
        client, participant, headers):
    (response,) = resources(exported(client, participant, headers), "QuestionnaireResponse")

    assert response["status"] == "completed"
    assert response["questionnaire"] == "urn:diary:study:NCT02495519:Questionnaire:symptoms"
    items = {entry["linkId"]: entry for entry in response["item"]}
    nausea = {inner["linkId"]: inner["answer"][0] for inner in items["nausea"]["item"]}
    assert nausea["nausea.frequency"] == {"valueInteger": 0}
    assert nausea["nausea.severity"] == {"valueInteger": 0, "extension": [
        {"url": systems.SCORE_IMPUTED, "valueBoolean": True}]}
    assert items["rash"]["item"][0]["answer"] == [{"valueBoolean": True}]
    assert items["weight_kg"]["answer"][0]["valueQuantity"]["value"] == 61.4
    assert items["report_date"]["answer"] == [{"valueDate": "2026-03-04"}]


def test_every_reference_points_at_the_patient_inside_the_bundle(client, participant, headers):
    bundle = exported(client, participant, headers)
    patient_url = bundle["entry"][0]["fullUrl"]

    assert patient_url.startswith("urn:uuid:")
    for entry in bundle["entry"][1:]:
        assert entry["resource"]["subject"] == {"reference": patient_url}
    # The same records get the same fullUrls in the next export.
    assert [e["fullUrl"] for e in exported(client, participant, headers)["entry"]] == [
        e["fullUrl"] for e in bundle["entry"]]


def test_each_export_is_audited_with_who_what_and_when(client, participant, headers,
                                                       coordinator):
    exported(client, participant, headers)
    client.get("/api/v1/exports/fhir", headers=headers).get_data()

    single, bulk = db.session.execute(
        select(AuditEvent).where(AuditEvent.action.in_(
            ["participant.fhir_exported", "fhir.exported"])).order_by(AuditEvent.id)
    ).scalars()
    assert (single.action, single.actor_type, single.actor_id) == (
        "participant.fhir_exported", "staff", coordinator.id)
    assert single.participant_id == participant.id
    assert single.after["resources"] == {"Patient": 1, "MedicationAdministration": 3,
                                         "AdverseEvent": 2, "QuestionnaireResponse": 1}
    assert single.occurred_at == FROZEN_AT
    assert (bulk.action, bulk.actor_id, bulk.entity_type) == (
        "fhir.exported", coordinator.id, "staff_user")
    assert bulk.after == {"format": "fhir-r4-ndjson", "participant_ids": [participant.id]}


def test_another_sites_coordinator_gets_a_404_and_no_audit_event(client, participant):
    stranger = make_staff("coordinator", sites=[make_site()])

    response = client.get(fhir_url(participant.id), headers=auth(token_for(stranger)))

    assert response.status_code == 404
    assert db.session.execute(select(AuditEvent).where(
        AuditEvent.action == "participant.fhir_exported")).first() is None


def test_the_bulk_export_streams_one_valid_bundle_per_line_of_the_callers_sites(
        client, participant, headers, site):
    other_site = make_site()
    make_participant(site=other_site, enrolled="2026-03-01", study_code="S02-001",
                                 phone="+821055509999")
    make_participant(site=site, enrolled="2026-03-01", study_code="S01-001", phone=None)

    response = client.get("/api/v1/exports/fhir", headers=headers)

    assert response.status_code == 200
    assert response.mimetype == "application/fhir+ndjson"
    assert response.is_streamed
    lines = response.get_data(as_text=True).splitlines()
    bundles = [json.loads(line) for line in lines]
    assert [bundle_problems(bundle) for bundle in bundles] == [[], []]
    codes = [bundle["entry"][0]["resource"]["identifier"][0]["value"] for bundle in bundles]
    assert codes == ["S01-001", "S01-042"]  # by study code; the other site's left out
    # An admin sees every site, so the other site's participant too.
    admin = auth(token_for(make_staff("admin", sites=[site])))
    everyone = client.get("/api/v1/exports/fhir", headers=admin).get_data(as_text=True)
    assert [json.loads(line)["entry"][0]["resource"]["identifier"][0]["value"]
            for line in everyone.splitlines()] == ["S01-001", "S01-042", "S02-001"]


@pytest.fixture
def broken_mapping(monkeypatch):
    """Make the mapping drop every missed dose's statusReason, as a bug in it would."""
    real = fhir_export.participant_bundle

    def without_reasons(records, generated_at):
        bundle = real(records, generated_at)
        for entry in bundle["entry"]:
            entry["resource"].pop("statusReason", None)
        return bundle

    monkeypatch.setattr(fhir_export, "participant_bundle", without_reasons)


@pytest.mark.usefixtures("broken_mapping")
def test_an_invalid_bundle_is_refused_with_its_problems_and_not_audited(
        client, participant, headers, caplog):
    response = client.get(fhir_url(participant.id), headers=headers)

    assert response.status_code == 422
    body = response.get_json()
    assert body["errors"] == {"bundle": [
        "entry.2.resource.statusReason: a not-done administration must say why (mad-1)"]}
    assert "nothing was exported" in body["message"]
    assert db.session.execute(select(AuditEvent).where(
        AuditEvent.action == "participant.fhir_exported")).first() is None
    assert "failed its checks" in caplog.text and PHONE not in caplog.text


@pytest.mark.usefixtures("broken_mapping")
def test_the_bulk_export_puts_an_operation_outcome_in_place_of_an_invalid_bundle(
        client, participant, headers, site):
    make_participant(site=site, enrolled="2026-03-01", study_code="S01-001", phone=None)

    lines = client.get("/api/v1/exports/fhir", headers=headers).get_data(as_text=True)

    first, second = (json.loads(line) for line in lines.splitlines())
    assert (first["resourceType"], bundle_problems(first)) == ("Bundle", [])
    assert second == {"resourceType": "OperationOutcome", "issue": [{
        "severity": "error", "code": "invalid",
        "diagnostics": "Participant S01-042: entry.2.resource.statusReason: a not-done "
                       "administration must say why (mad-1)"}]}


def test_the_bulk_export_reads_a_batch_of_participants_in_a_fixed_number_of_queries(
        client, participant, headers, site, count_queries):
    def statements() -> int:
        with count_queries() as sent:
            assert client.get("/api/v1/exports/fhir", headers=headers).status_code == 200
        return len(sent)

    alone = statements()
    for number in range(3):
        person = make_participant(site=site, enrolled="2026-03-01",
                                  study_code=f"S01-10{number}", phone=None)
        make_dose(person, "2026-03-01")
        make_dose(person, "2026-03-02", status="missed", missed_reason="forgot")

    assert statements() == alone
