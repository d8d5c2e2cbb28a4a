"""An offline phone uploads what it kept: POST /api/v1/me/sync."""

import pytest
import sqlalchemy as sa
import time_machine
from sqlalchemy import select

from diary.extensions import db
from diary.models import Alert, AuditEvent
from tests.api.dose_helpers import MY_DOSES, MY_SYNC, NOON_IN_SEOUL, missed, taken
from tests.api.symptom_helpers import MY_REPORTS, symptom_report
from tests.api.symptom_helpers import item as symptom_item
from tests.factories import auth, make_participant, token_for


@pytest.fixture
def headers(app_context):
    with time_machine.travel(NOON_IN_SEOUL, tick=False):
        patient = make_participant(enrolled="2026-03-01", tz="Asia/Seoul")
        yield auth(token_for(patient))


def sync(client, headers, entries):
    return client.post(MY_SYNC, json={"entries": entries}, headers=headers)


def test_batch_records_good_items_and_refuses_bad_ones_each_on_its_own(client, headers):
    already = taken("2026-03-01")
    client.post(MY_DOSES, json=already, headers=headers)
    conflicting = dict(already, dose_mg=200)
    fine = missed("2026-03-02")
    too_early = taken("2026-02-20")
    unknown_field = taken("2026-03-03", mood="good")
    response = sync(client, headers, [fine, already, too_early, unknown_field, conflicting, 7])
    assert response.status_code == 200
    results = response.get_json()["results"]
    assert [r["result"] for r in results] == [
        "created", "duplicate", "rejected", "rejected", "rejected", "rejected"]
    assert [r["client_id"] for r in results[:5]] == [
        fine["client_id"], already["client_id"], too_early["client_id"],
        unknown_field["client_id"], conflicting["client_id"]]
    assert results[0]["entry"]["status"] == "missed"
    assert "dose_date" in results[2]["errors"]
    assert results[2]["code"] == 422
    assert "mood" in results[3]["errors"]
    assert results[4]["code"] == 409
    days = [e["dose_date"] for e in client.get(MY_DOSES, headers=headers).get_json()]
    assert days == ["2026-03-01", "2026-03-02"]


def test_correction_uploaded_before_its_original_is_applied_after_it(client, headers):
    original = taken("2026-03-04", dose_mg=400)
    correction = taken("2026-03-04", dose_mg=200, correction_reason="Halved the dose")
    later_day = taken("2026-03-05")
    results = sync(client, headers, [later_day, original, correction]).get_json()["results"]
    outcomes = {r["client_id"]: r["result"] for r in results}
    assert outcomes[original["client_id"]] == "created"
    assert outcomes[correction["client_id"]] == "corrected"
    history = client.get(MY_DOSES + "?history=true&from=2026-03-04&to=2026-03-04",
                         headers=headers).get_json()
    assert [(e["version"], e["dose_mg"], e["is_current"]) for e in history] == [
        (1, 400, False), (2, 200, True)]


def test_second_entry_for_a_day_in_a_batch_without_reason_is_refused(client, headers):
    first, second = taken("2026-03-04"), missed("2026-03-04")
    results = sync(client, headers, [first, second]).get_json()["results"]
    assert [r["result"] for r in results] == ["created", "rejected"]
    assert "correction_reason" in results[1]["errors"]


def test_same_batch_uploaded_twice_creates_nothing_new(client, headers):
    batch = [taken("2026-03-02"), missed("2026-03-03")]
    sync(client, headers, batch)
    again = sync(client, headers, batch).get_json()["results"]
    assert [r["result"] for r in again] == ["duplicate", "duplicate"]


def test_batch_of_500_is_accepted_and_501_refused(client, headers):
    too_many = [missed("2026-03-05")] * 501
    response = sync(client, headers, too_many)
    assert response.status_code == 422
    assert response.get_json()["errors"]["entries"] == [
        "At most 500 entries per upload; send the rest in another upload."]
    response = sync(client, headers, too_many[:500])
    assert response.status_code == 200
    results = response.get_json()["results"]
    assert results[0]["result"] == "created"
    assert {r["result"] for r in results[1:]} == {"duplicate"}


def test_sync_body_must_hold_an_entries_list(client, headers):
    assert client.post(MY_SYNC, json={"items": []}, headers=headers).status_code == 422
    assert client.post(MY_SYNC, json={"entries": []}, headers=headers).get_json() == {
        "results": []}


def test_a_refused_item_leaves_no_trace_and_the_others_are_audited(client, headers):
    original = taken("2026-03-04", dose_mg=400)
    bad_correction = taken("2026-03-04", dose_mg=900, correction_reason="Took more")
    fine = missed("2026-03-05")
    results = sync(client, headers, [original, bad_correction, fine]).get_json()["results"]
    assert [r["result"] for r in results] == ["created", "rejected", "created"]
    assert "dose_mg" in results[1]["errors"]
    history = client.get(MY_DOSES + "?history=true", headers=headers).get_json()
    assert [(e["dose_date"], e["version"], e["is_current"]) for e in history] == [
        ("2026-03-04", 1, True), ("2026-03-05", 1, True)]
    actions = db.session.execute(
        select(AuditEvent.action, AuditEvent.actor_type).where(
            AuditEvent.entity_type == "dose_entry").order_by(AuditEvent.id)).all()
    assert actions == [("dose.recorded", "participant"), ("dose.recorded", "participant")]


@pytest.mark.parametrize("bad", [
    {"note": "felt ok \x00"},
    {"note": "felt ok \ud83d"},
    {"correction_reason": "\ud83d"},
    {"taken_at": "0001-01-01T00:00:00+14:00"},
    {"taken_at": "9999-12-31T23:59:59-14:00"},
    {"dose_mg": "400"},
    {"vomited": "yes"},
])
def test_one_unstorable_item_is_rejected_and_the_others_are_stored(client, headers, bad):
    good_before, good_after = missed("2026-03-02"), taken("2026-03-04")
    item = taken("2026-03-03", **bad)
    response = sync(client, headers, [good_before, item, good_after])
    assert response.status_code == 200, response.get_json()
    results = response.get_json()["results"]
    assert [r["result"] for r in results] == ["created", "rejected", "created"]
    assert results[1]["code"] == 422
    assert results[1]["client_id"] == item["client_id"]
    assert set(results[1]["errors"]) == set(bad)
    days = [e["dose_date"] for e in client.get(MY_DOSES, headers=headers).get_json()]
    assert days == ["2026-03-02", "2026-03-04"]


@pytest.mark.parametrize("not_an_entry", [None, "taken", [1, 2], 3.5, True])
def test_an_item_that_is_not_an_object_is_rejected_on_its_own(client, headers, not_an_entry):
    good = missed("2026-03-02")
    results = sync(client, headers, [not_an_entry, good]).get_json()["results"]
    assert [r["result"] for r in results] == ["rejected", "created"]
    assert results[0]["client_id"] is None
    assert results[0]["code"] == 422


def _fail_inserts_with_note(note: str) -> None:
    # A fault inside the database on one row: the real engine raising, not a stand-in.
    if db.engine.dialect.name == "postgresql":
        db.session.execute(sa.text(
            "CREATE FUNCTION fail_note() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"IF NEW.note = '{note}' THEN RAISE EXCEPTION 'internal detail'; END IF; "
            "RETURN NEW; END $$"))
        db.session.execute(sa.text(
            "CREATE TRIGGER fail_note BEFORE INSERT ON dose_entry "
            "FOR EACH ROW EXECUTE FUNCTION fail_note()"))
    else:
        db.session.execute(sa.text(
            "CREATE TRIGGER fail_note BEFORE INSERT ON dose_entry "
            f"WHEN NEW.note = '{note}' BEGIN SELECT RAISE(ABORT, 'internal detail'); END"))


def test_an_item_whose_write_fails_unforeseen_is_rejected_and_the_others_kept(
        client, headers, caplog):
    _fail_inserts_with_note("trip")
    good_before, good_after = missed("2026-03-02"), missed("2026-03-04")
    failing = missed("2026-03-03", note="trip")
    response = sync(client, headers, [good_before, failing, good_after])
    assert response.status_code == 200, response.get_json()
    results = response.get_json()["results"]
    assert [r["result"] for r in results] == ["created", "rejected", "created"]
    assert results[1]["client_id"] == failing["client_id"]
    assert "internal detail" not in response.get_data(as_text=True)
    assert "internal detail" not in caplog.text
    if db.engine.dialect.name == "postgresql":
        # SQLite raises from a trigger as a constraint error: the conflict path, a 409.
        assert results[1]["code"] == 500
        assert "sync entry not recorded: ProgrammingError" in caplog.text
    days = [e["dose_date"] for e in client.get(MY_DOSES, headers=headers).get_json()]
    assert days == ["2026-03-02", "2026-03-04"]


def test_symptom_reports_ride_in_the_same_upload_each_with_its_own_result(client, headers):
    report = symptom_report("2026-03-04", items=[symptom_item("nausea", frequency=1,
                                                              severity=1)])
    bad_report = symptom_report(items=[symptom_item("nausea", frequency=1)])
    dose_named = dict(missed("2026-03-03"), kind="dose")
    entries = [taken("2026-03-02"), dict(report, kind="symptom_report"), dose_named,
               dict(bad_report, kind="symptom_report"), dict(missed("2026-03-04"), kind="mood")]
    results = sync(client, headers, entries).get_json()["results"]
    assert [(r["kind"], r["result"]) for r in results] == [
        ("dose", "created"), ("symptom_report", "created"), ("dose", "created"),
        ("symptom_report", "rejected"), (None, "rejected")]
    assert results[1]["report"]["items"][0]["grade"] == 1
    assert results[1]["advice"]["action"] == "self_care"
    assert results[3]["errors"] == {"items": {"0": {"severity": [
        "Required unless frequency is 0."]}}}
    assert results[4]["errors"] == {"kind": ["Must be one of: dose, symptom_report."]}
    assert results[4]["client_id"] is not None
    again = sync(client, headers, entries[:3]).get_json()["results"]
    assert [r["result"] for r in again] == ["duplicate"] * 3
    assert again[1]["report"]["id"] == results[1]["report"]["id"]
    listed = client.get(MY_REPORTS, headers=headers).get_json()
    assert [r["id"] for r in listed] == [results[1]["report"]["id"]]


def test_reports_in_an_upload_run_by_day_so_the_earlier_one_is_the_baseline(client, headers):
    later = symptom_report("2026-03-05", items=[symptom_item("periorbital_oedema", severity=2)])
    earlier = symptom_report("2026-03-02", items=[symptom_item("periorbital_oedema", severity=0)])
    entries = [dict(later, kind="symptom_report"), dict(earlier, kind="symptom_report")]
    results = sync(client, headers, entries).get_json()["results"]
    assert results[0]["advice"]["action"] == "team_will_review"
    assert results[1]["advice"]["action"] == "recorded"
    (alert,) = db.session.execute(select(Alert)).scalars()
    assert alert.kind == "symptom_worse"
    assert alert.details["triggers"][0]["baseline_report_id"] == results[1]["report"]["id"]


def test_a_report_reusing_a_client_id_is_rejected_and_the_others_kept(client, headers):
    report = symptom_report()
    client.post(MY_REPORTS, json=report, headers=headers)
    reused = dict(report, other_symptoms="Something else", kind="symptom_report")
    results = sync(client, headers, [reused, missed("2026-03-02")]).get_json()["results"]
    assert [(r["result"], r.get("code")) for r in results] == [("rejected", 409),
                                                               ("created", None)]
