"""The FHIR mappings read as tables: grades to severity, outcomes, partial dates, terms."""

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from diary.exports.fhir.adverse_event import OUTCOMES, adverse_event, severity_of
from diary.exports.fhir.checks import bundle_problems
from diary.models.adverse_event_version import OUTCOMES as RECORDED_OUTCOMES

DRUG = {"name": "imatinib", "route": "oral", "rxnorm": "282388"}
PATIENT = "urn:uuid:0b0e7bde-3f3e-5b55-9d1d-0d7c3c1c0001"


@pytest.mark.parametrize(("grade", "severity"), [
    (1, "mild"), (2, "moderate"), (3, "severe"), (4, "severe"), (5, "severe")])
def test_a_ctcae_grade_gives_fhirs_severity(grade, severity):
    assert severity_of(grade) == severity


def test_every_recorded_outcome_has_a_fhir_outcome():
    assert set(OUTCOMES) == set(RECORDED_OUTCOMES)


def event_version(**fields):
    return SimpleNamespace(**({
        "term": "Hiccups after each dose", "meddra_code": None, "grade": 5, "serious": True,
        "seriousness": ["death"], "outcome": "fatal", "relatedness": "not_related",
        "action": "withdrawn", "onset_date": "2026", "end_date": "2026-04"} | fields))


def bundle_of(resource: dict) -> dict:
    return {"resourceType": "Bundle", "type": "collection", "entry": [
        {"fullUrl": PATIENT, "resource": {"resourceType": "Patient"}},
        {"fullUrl": "urn:uuid:0b0e7bde-3f3e-5b55-9d1d-0d7c3c1c0002", "resource": resource}]}


def test_a_verbatim_fatal_event_with_partial_dates_is_valid_fhir():
    event = SimpleNamespace(id=7, created_at=datetime(2026, 4, 2, 1, tzinfo=UTC))

    resource = adverse_event(event, event_version(), subject=PATIENT, study_code="X",
                             drug=DRUG, timezone="Asia/Seoul")

    assert resource["event"] == {"text": "Hiccups after each dose"}  # no code invented
    assert (resource["date"], resource["recordedDate"]) == ("2026", "2026-04-02T10:00:00+09:00")
    assert resource["outcome"]["coding"][0]["code"] == "fatal"
    assert bundle_problems(bundle_of(resource)) == []
