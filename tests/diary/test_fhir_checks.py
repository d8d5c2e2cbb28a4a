"""The checks a FHIR Bundle passes before it leaves: R4B's models and the rules they skip."""

import copy

import pytest

from diary.exports.fhir.checks import InvalidBundle, bundle_problems, validate_bundle

PATIENT = "urn:uuid:0b0e7bde-3f3e-5b55-9d1d-0d7c3c1c0001"


def good_bundle() -> dict:
    """A Patient, a missed dose with its reason and an adverse event with a contained drug."""
    return {"resourceType": "Bundle", "type": "collection", "entry": [
        {"fullUrl": PATIENT, "resource": {"resourceType": "Patient", "identifier": [
            {"system": "urn:diary:study:X:subject", "value": "S01-001"}]}},
        {"fullUrl": "urn:uuid:0b0e7bde-3f3e-5b55-9d1d-0d7c3c1c0002", "resource": {
            "resourceType": "MedicationAdministration", "status": "not-done",
            "statusReason": [{"text": "Forgot"}],
            "medicationCodeableConcept": {"text": "imatinib"},
            "subject": {"reference": PATIENT}, "effectiveDateTime": "2026-03-02"}},
        {"fullUrl": "urn:uuid:0b0e7bde-3f3e-5b55-9d1d-0d7c3c1c0003", "resource": {
            "resourceType": "AdverseEvent", "actuality": "actual",
            "contained": [{"resourceType": "Medication", "id": "drug"}],
            "subject": {"reference": PATIENT},
            "severity": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/"
                                               "adverse-event-severity", "code": "mild"}]},
            "suspectEntity": [{"instance": {"reference": "#drug"}}]}},
    ]}


def broken(change) -> dict:
    bundle = copy.deepcopy(good_bundle())
    change(bundle)
    return bundle


def test_a_good_bundle_passes():
    assert bundle_problems(good_bundle()) == []
    validate_bundle(good_bundle())


def _dose(bundle):
    return bundle["entry"][1]["resource"]


def _event(bundle):
    return bundle["entry"][2]["resource"]


@pytest.mark.parametrize(("change", "where"), [
    (lambda b: _dose(b).update(subject={"reference": "urn:uuid:nobody"}),
     "entry.1.resource.subject.reference: the reference does not resolve"),
    (lambda b: _event(b)["suspectEntity"][0].update(instance={"reference": "#other"}),
     "entry.2.resource.suspectEntity.0.instance.reference: the reference does not resolve"),
    (lambda b: _dose(b).pop("statusReason"),
     "entry.1.resource.statusReason: a not-done administration must say why"),
    (lambda b: _dose(b).update(status="skipped"),
     "entry.1.resource.status: not a code of MedicationAdministration.status"),
    (lambda b: _event(b).update(actuality="suspected"),
     "entry.2.resource.actuality: not a code of AdverseEvent.actuality"),
    (lambda b: _event(b)["severity"]["coding"][0].update(code="grade 2"),
     "entry.2.resource.severity: no coding from AdverseEvent.severity"),
    (lambda b: b.update(type="bag"), "type: not a Bundle type code"),
    (lambda b: b["entry"][2].update(fullUrl=PATIENT), "entry: two entries share a fullUrl"),
    (lambda b: _dose(b).update(effectiveDateTime="2 March"), "entry.1.resource.effectiveDateTime"),
    (lambda b: _dose(b).pop("subject"), "entry.1.resource.subject: Field required"),
])
def test_the_checks_catch_a_broken_bundle(change, where):
    problems = bundle_problems(broken(change))

    assert any(problem.startswith(where) for problem in problems), problems
    with pytest.raises(InvalidBundle) as refused:
        validate_bundle(broken(change))
    assert refused.value.status == 422
    assert refused.value.errors == {"bundle": problems}


def test_bundles_inside_a_bundle_are_checked_each_on_its_own():
    inner = broken(lambda b: _dose(b).pop("statusReason"))
    outer = {"resourceType": "Bundle", "type": "collection", "entry": [
        {"fullUrl": "urn:uuid:0b0e7bde-3f3e-5b55-9d1d-0d7c3c1c0009", "resource": inner}]}

    assert bundle_problems(outer) == [
        "entry.0.resource.entry.1.resource.statusReason: a not-done administration must say "
        "why (mad-1)"]


def test_problems_quote_no_values():
    problems = bundle_problems(broken(lambda b: _dose(b).update(
        effectiveDateTime="+821055501234")))

    assert problems and not any("821055501234" in problem for problem in problems)
