"""A participant reports symptoms from the phone: POST and GET /api/v1/me/symptom-reports."""

import pytest
from sqlalchemy import func, select

from diary.extensions import db
from diary.models import Alert, AuditEvent, Site, SymptomReport
from diary.operations.studies import default_study_file
from tests.api.symptom_helpers import MY_ITEMS, MY_REPORTS, NOON_IN_SEOUL, item, symptom_report
from tests.factories import auth, make_participant, token_for

FROZEN_AT = NOON_IN_SEOUL
pytestmark = pytest.mark.usefixtures("clock")


@pytest.fixture
def patient(site):
    return make_participant(enrolled="2026-03-01", locale="en")


@pytest.fixture
def headers(patient):
    return auth(token_for(patient))


def post(client, headers, body):
    return client.post(MY_REPORTS, json=body, headers=headers)


def count(model) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def test_a_report_is_recorded_with_each_items_composite_grade(client, headers):
    body = symptom_report(items=[item("nausea", frequency=2, severity=2),
                                 item("diarrhea", frequency=0),
                                 item("rash", presence=True),
                                 item("weight_kg", kg=61.4)])
    response = post(client, headers, body)
    assert response.status_code == 201, response.get_json()
    report = response.get_json()["report"]
    assert (report["report_date"], report["study_day"], report["source"]) == (
        "2026-03-05", 5, "app")
    assert report["items"] == [
        {"item": "nausea", "grade": 2, "frequency": 2, "severity": 2, "imputed": []},
        {"item": "diarrhea", "grade": 0, "frequency": 0, "imputed": []},
        {"item": "rash", "grade": 1, "presence": True, "imputed": []},
        {"item": "weight_kg", "grade": None, "kg": 61.4, "imputed": []},
    ]
    assert report["recorded_at"] == "2026-03-05T03:00:00+00:00"


def test_an_item_whose_first_attribute_is_0_has_the_rest_scored_0_and_marked(client, headers):
    body = symptom_report(items=[item("pain_in_abdomen", frequency=0),
                                 item("fatigue", severity=0, interference=0)])
    items = post(client, headers, body).get_json()["report"]["items"]
    assert items == [
        {"item": "pain_in_abdomen", "grade": 0, "frequency": 0, "severity": 0,
         "interference": 0, "imputed": ["severity", "interference"]},
        {"item": "fatigue", "grade": 0, "severity": 0, "interference": 0, "imputed": []},
    ]


def test_several_reports_a_day_are_listed_by_day_then_in_order(client, headers):
    first = post(client, headers, symptom_report("2026-03-04")).get_json()["report"]
    morning = post(client, headers, symptom_report(
        items=[item("headache", frequency=1, severity=1, interference=0)])).get_json()["report"]
    evening = post(client, headers, symptom_report(
        items=[item("headache", frequency=2, severity=2, interference=1)])).get_json()["report"]
    listed = client.get(MY_REPORTS, headers=headers).get_json()
    assert [r["id"] for r in listed] == [first["id"], morning["id"], evening["id"]]
    window = client.get(MY_REPORTS + "?from=2026-03-05&to=2026-03-05", headers=headers)
    assert [r["id"] for r in window.get_json()] == [morning["id"], evening["id"]]
    empty = client.get(MY_REPORTS + "?from=2026-03-06&to=2026-03-05", headers=headers)
    assert empty.status_code == 422


def test_the_same_report_again_is_200_and_a_different_one_with_its_id_409(client, headers):
    body = symptom_report(items=[item("nausea", frequency=4, severity=4)])
    first = post(client, headers, body)
    again = post(client, headers, dict(body, items=list(reversed(body["items"]))))
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.get_json() == first.get_json()
    changed = post(client, headers, dict(body, items=[item("nausea", frequency=4, severity=3)]))
    assert changed.status_code == 409
    assert "client_id" in changed.get_json()["errors"]
    assert count(SymptomReport) == 1
    assert count(Alert) == 1


@pytest.mark.parametrize(("changes", "path"), [
    ({"items": [item("hiccups", frequency=1)]}, ("items", "0", "item")),
    ({"items": [item("nausea", frequency=1, severity=1, interference=1)]},
     ("items", "0", "interference")),
    ({"items": [item("nausea", frequency=5, severity=1)]}, ("items", "0", "frequency")),
    ({"items": [item("nausea", frequency=-1, severity=1)]}, ("items", "0", "frequency")),
    ({"items": [item("nausea", frequency="2", severity=1)]}, ("items", "0", "frequency")),
    ({"items": [item("nausea", frequency=2.5, severity=1)]}, ("items", "0", "frequency")),
    ({"items": [item("nausea", frequency=True, severity=1)]}, ("items", "0", "frequency")),
    ({"items": [item("nausea", frequency=None)]}, ("items", "0", "frequency")),
    ({"items": [item("nausea", frequency=2, mood=1)]}, ("items", "0", "mood")),
    ({"items": [item("rash", presence="yes")]}, ("items", "0", "presence")),
    ({"items": [item("nausea", frequency=0), item("nausea", frequency=1)]},
     ("items", "1", "item")),
    ({"items": [item("nausea", frequency=0, severity=2)]}, ("items", "0", "severity")),
    ({"items": [item("nausea", frequency=2)]}, ("items", "0", "severity")),
    ({"items": [item("weight_kg", kg=61.456)]}, ("items", "0", "kg")),
    ({"items": [item("weight_kg", kg=19.9)]}, ("items", "0", "kg")),
    ({"items": [item("weight_kg", kg="61")]}, ("items", "0", "kg")),
    ({"report_date": "2026-03-06"}, ("report_date",)),
    ({"report_date": "2026-02-28"}, ("report_date",)),
    ({"other_symptoms": "x" * 2001}, ("other_symptoms",)),
    ({"other_symptoms": "dizzy \x00"}, ("other_symptoms",)),
    ({"emergency_visit": None}, ("emergency_visit",)),
    ({"pregnancy": True}, ("pregnancy_date",)),
    ({"pregnancy": True, "pregnancy_of": "sister", "pregnancy_date": "2026-03-01"},
     ("pregnancy_of",)),
    ({"mood": "good"}, ("mood",)),
])
def test_a_report_that_breaks_a_rule_is_422_naming_the_field_and_stores_nothing(
        client, headers, changes, path):
    body = symptom_report(**changes)
    response = post(client, headers, body)
    assert response.status_code == 422, response.get_json()
    errors = response.get_json()["errors"]
    for key in path:
        assert key in errors, (path, errors)
        errors = errors[key]
    assert count(SymptomReport) == 0
    assert count(Alert) == 0


def test_a_report_needs_its_yes_no_questions_answered(client, headers):
    body = symptom_report()
    del body["emergency_visit"], body["pregnancy"]
    errors = post(client, headers, body).get_json()["errors"]
    assert set(errors) == {"emergency_visit", "pregnancy"}


@pytest.mark.parametrize(("locale", "body", "action", "message"), [
    ("en", symptom_report(items=[item("nausea", frequency=4, severity=4)]), "contact_now",
     "Please contact your study team now. Call +82 1599-1004."),
    ("ko", symptom_report(emergency_visit=True), "contact_now",
     "지금 바로 연구팀에 연락해 주세요. 전화: +82 1599-1004"),
    ("en", symptom_report(other_symptoms="Dizzy in the mornings"), "team_will_review",
     "Thank you. Your study team will look at this report and may contact you. If you feel "
     "worse, contact them."),
    ("en", symptom_report(items=[item("nausea", frequency=0)]), "recorded",
     "Thank you, your report is recorded."),
])
def test_the_answer_says_what_to_do_in_the_participants_language(
        client, site, locale, body, action, message):
    headers = auth(token_for(make_participant(enrolled="2026-03-01", locale=locale)))
    response = post(client, headers, body)
    advice = response.get_json()["advice"]
    assert (advice["action"], advice["message"]) == (action, message)
    assert advice["phone"] == "+82 1599-1004"
    assert response.get_json()["report"]["advice"] == action


def test_mild_and_moderate_items_get_their_self_care_advice(client, site):
    headers = auth(token_for(make_participant(enrolled="2026-03-01", locale="ko")))
    body = symptom_report(items=[item("nausea", frequency=1, severity=1),
                                 item("fatigue", severity=2, interference=2),
                                 item("diarrhea", frequency=0),
                                 item("weight_kg", kg=60)])
    advice = post(client, headers, body).get_json()["advice"]
    assert advice["action"] == "self_care"
    assert advice["message"].startswith("감사합니다. 아래 안내가 도움이 될 수 있습니다.")
    assert [entry["item"] for entry in advice["self_care"]] == ["nausea", "fatigue"]
    assert advice["self_care"][0]["text"].startswith("이매티닙은 식사와 함께")


def test_a_withdrawn_participant_can_no_longer_report_from_the_phone(client, site):
    headers = auth(token_for(make_participant(enrolled="2026-03-01", status="withdrawn")))
    response = post(client, headers, symptom_report())
    assert response.status_code == 409
    assert count(SymptomReport) == 0


def test_a_report_is_audited_with_every_answer(client, headers, patient):
    body = symptom_report(items=[item("nausea", frequency=0)], other_symptoms="Dry mouth")
    report = post(client, headers, body).get_json()["report"]
    event = db.session.execute(select(AuditEvent).where(
        AuditEvent.action == "symptom_report.recorded")).scalar_one()
    assert (event.entity_id, event.actor_type, event.participant_id) == (
        report["id"], "participant", patient.id)
    assert event.after["items"] == [{"item": "nausea", "grade": 0, "kg": None,
                                     "scores": {"frequency": 0, "severity": 0},
                                     "imputed": ["severity"]}]
    assert event.after["other_symptoms"] == "Dry mouth"


def test_another_participants_client_id_is_a_new_report_not_theirs(client, headers, site):
    theirs = auth(token_for(make_participant(enrolled="2026-03-01")))
    body = symptom_report(other_symptoms="kept private")
    their_report = post(client, theirs, body).get_json()["report"]
    mine = post(client, headers, body)
    assert mine.status_code == 201
    assert mine.get_json()["report"]["id"] != their_report["id"]
    assert [r["id"] for r in client.get(MY_REPORTS, headers=headers).get_json()] == [
        mine.get_json()["report"]["id"]]


def test_reports_need_a_device_token(client, headers):
    assert client.get(MY_REPORTS).status_code == 401
    assert client.post(MY_REPORTS, json=symptom_report()).status_code == 401


def test_a_study_whose_file_names_no_symptom_items_lists_none_and_takes_no_report(
        client, app, tmp_path):
    text = default_study_file("NCT02495519").read_text(encoding="utf-8")
    start, end = text.index("# Symptom items:"), text.index("# Safety rules")
    path = tmp_path / "NCT00000001.toml"
    path.write_text(text[:start].replace('code = "NCT02495519"', 'code = "NCT00000001"')
                    .replace('code = "SEV"', 'code = "PLAIN"') + text[end:], encoding="utf-8")
    assert app.test_cli_runner().invoke(args=["studies", "load", str(path)]).exit_code == 0
    site = db.session.execute(select(Site).where(Site.code == "PLAIN")).scalar_one()
    headers = auth(token_for(make_participant(enrolled="2026-03-01", site=site)))
    listing = client.get(MY_ITEMS, headers=headers)
    assert (listing.status_code, listing.get_json()["items"]) == (200, [])
    response = post(client, headers, symptom_report(pregnancy=True, pregnancy_of="self",
                                                    pregnancy_date="2026-03-04"))
    assert response.status_code == 409
    assert count(SymptomReport) == 0
