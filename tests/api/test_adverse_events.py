"""Adverse events by staff: recorded, read, changed as new versions, never deleted."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from diary.extensions import db
from diary.models import AdverseEventVersion, AuditEvent
from tests.factories import auth, make_participant, make_site, make_staff, token_for

# Noon in Seoul on 20 March 2026; the participant was enrolled on 1 March.
FROZEN_AT = datetime(2026, 3, 20, 3, tzinfo=UTC)
pytestmark = pytest.mark.usefixtures("clock")


def events_url(participant, event_id=None):
    base = f"/api/v1/participants/{participant.id}/adverse-events"
    return base if event_id is None else f"{base}/{event_id}"


def nausea(**fields) -> dict:
    """A grade 2 nausea of 14 March, possibly related, nothing done about it."""
    return {"ctcae_term": "Nausea", "grade": 2, "onset_date": "2026-03-14",
            "outcome": "recovering", "relatedness": "possible", "action": "none"} | fields


@pytest.fixture
def participant(site):
    return make_participant(site=site, enrolled="2026-03-01")


@pytest.fixture
def coordinator(site):
    return make_staff("coordinator", sites=[site])


@pytest.fixture
def headers(coordinator):
    return auth(token_for(coordinator))


def record(client, participant, headers, **fields):
    return client.post(events_url(participant), json=nausea(**fields), headers=headers)


def recorded(client, participant, headers, **fields) -> dict:
    response = record(client, participant, headers, **fields)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_a_listed_term_is_coded_with_its_meddra_code(client, participant, headers):
    event = recorded(client, participant, headers)

    assert (event["term"], event["ctcae_term"], event["coded"]) == ("Nausea", "Nausea", True)
    assert event["meddra_code"] == "10028813"
    assert (event["grade"], event["serious"], event["seriousness"]) == (2, False, [])
    assert (event["version"], event["is_current"]) == (1, True)
    assert (event["participant_id"], event["alert_id"]) == (participant.id, None)


def test_a_listed_term_without_a_code_keeps_the_code_empty(client, participant, headers):
    event = recorded(client, participant, headers, ctcae_term="Periorbital edema")

    assert (event["coded"], event["meddra_code"]) == (True, None)


def test_another_term_is_kept_verbatim_and_flagged_not_coded(client, participant, headers):
    event = recorded(client, participant, headers, ctcae_term=None,
                     verbatim_term="Hiccups after each dose")

    assert (event["term"], event["coded"], event["meddra_code"]) == (
        "Hiccups after each dose", False, None)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"ctcae_term": "Nausia"}, "ctcae_term"),  # not on the list: refused, not uncoded
        ({"ctcae_term": None, "verbatim_term": "nausea"}, "verbatim_term"),  # it is listed
        ({"verbatim_term": "Hiccups"}, "verbatim_term"),  # two terms
        ({"ctcae_term": None}, "ctcae_term"),  # no term
        ({"grade": 0}, "grade"),
        ({"grade": 6}, "grade"),
        ({"grade": "3"}, "grade"),
        ({"grade": 2.0}, "grade"),
        ({"seriousness": ["hospitalization"]}, "seriousness"),
        ({"seriousness": ["hospitalisation", "hospitalisation"]}, "seriousness"),
        ({"onset_date": "2026-02"}, "onset_date"),  # before enrolment, at month precision
        ({"onset_date": "2026-03-21"}, "onset_date"),  # after today
        ({"onset_date": "2026-3"}, "onset_date"),
        ({"onset_date": "2026-02-30"}, "onset_date"),
        ({"onset_date": "14/03/2026"}, "onset_date"),
        ({"end_date": "2026-03-13"}, "end_date"),  # before the onset
        ({"end_date": "2027"}, "end_date"),  # after today
        ({"outcome": "better"}, "outcome"),
        ({"relatedness": "maybe"}, "relatedness"),
        ({"action": "stopped"}, "action"),
        ({"grade": 5}, "grade"),  # grade 5 is death: the outcome is fatal
        ({"outcome": "fatal", "grade": 5}, "seriousness"),  # a death is serious: death
        ({"seriousness": ["hospitalisation"]}, "site_aware_at"),  # its clock needs a start
        ({"seriousness": ["hospitalisation"], "site_aware_at": "2026-03-20T13:00:00+09:00"},
         "site_aware_at"),  # in the future
        ({"seriousness": ["hospitalisation"], "site_aware_at": "2026-03-13T10:00:00+09:00"},
         "site_aware_at"),  # before the onset
        ({"site_aware_at": "2026-03-15T09:00:00+09:00",
          "reported_to_sponsor_at": "2026-03-15T08:00:00+09:00"}, "reported_to_sponsor_at"),
        ({"action": "dose_reduced"}, "new_dose_mg"),
        ({"action": "interrupted"}, "hold_from"),
        ({"hold_from": "2026-03-15"}, "hold_from"),  # only with the action interrupted
        ({"source_symptom_report_id": 0}, "source_symptom_report_id"),
        ({"reason": "  "}, "reason"),
        ({"severity": 3}, "severity"),  # not a field of an event
    ],
)
def test_an_event_that_breaks_a_rule_is_422_naming_the_field_and_nothing_is_kept(
        client, participant, headers, fields, field):
    response = record(client, participant, headers, **fields)

    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["errors"], response.get_json()
    assert client.get(events_url(participant), headers=headers).get_json() == []


@pytest.mark.parametrize("onset", ["2026", "2026-03", "2026-03-01", "2026-03-20"])
def test_an_onset_at_its_own_precision_within_enrolment_and_today_is_kept_as_given(
        client, participant, headers, onset):
    event = recorded(client, participant, headers, onset_date=onset)

    precision = {4: "year", 7: "month", 10: "day"}[len(onset)]
    assert (event["onset_date"], event["onset_precision"]) == (onset, precision)


def test_an_end_within_the_onsets_month_is_not_before_it(client, participant, headers):
    event = recorded(client, participant, headers, onset_date="2026-03-14", end_date="2026-03")

    assert (event["end_date"], event["end_precision"]) == ("2026-03", "month")


def test_a_change_makes_a_new_version_and_history_keeps_the_old(client, participant, headers):
    event = recorded(client, participant, headers)
    change = {"grade": 3, "outcome": "not_recovered", "reason": "Worse at the visit"}

    changed = client.patch(events_url(participant, event["id"]), json=change, headers=headers)
    assert changed.status_code == 200, changed.get_json()
    shown = client.get(events_url(participant, event["id"]), headers=headers).get_json()
    history = client.get(events_url(participant, event["id"]),
                         query_string={"history": "true"}, headers=headers).get_json()

    assert (shown["id"], shown["version"], shown["grade"]) == (event["id"], 2, 3)
    assert shown["change_reason"] == "Worse at the visit"
    assert "versions" not in shown
    assert [(v["version"], v["grade"], v["is_current"]) for v in history["versions"]] == [
        (1, 2, False), (2, 3, True)]
    assert history["versions"][0]["superseded_at"] is not None


def test_the_list_shows_current_versions_and_with_history_every_version(
        client, participant, headers):
    first = recorded(client, participant, headers)
    second = recorded(client, participant, headers, ctcae_term="Fatigue", grade=1)
    client.patch(events_url(participant, first["id"]), json={"grade": 1, "reason": "Milder"},
                 headers=headers)

    listed = client.get(events_url(participant), headers=headers).get_json()
    with_history = client.get(events_url(participant), query_string={"history": "true"},
                              headers=headers).get_json()

    assert [(e["id"], e["version"]) for e in listed] == [(first["id"], 2), (second["id"], 1)]
    assert [len(e["versions"]) for e in with_history] == [2, 1]


def test_a_change_names_its_reason_and_keeps_what_it_does_not_name(
        client, participant, headers):
    event = recorded(client, participant, headers, end_date=None)

    changed = client.patch(events_url(participant, event["id"]),
                           json={"end_date": "2026-03-18", "outcome": "recovered",
                                 "reason": "Resolved"}, headers=headers).get_json()

    assert (changed["end_date"], changed["outcome"]) == ("2026-03-18", "recovered")
    assert (changed["ctcae_term"], changed["grade"], changed["onset_date"]) == (
        "Nausea", 2, "2026-03-14")


def test_a_change_to_another_kind_of_term_replaces_the_term(client, participant, headers):
    event = recorded(client, participant, headers)

    changed = client.patch(events_url(participant, event["id"]),
                           json={"verbatim_term": "Reflux", "reason": "Re-read the notes"},
                           headers=headers).get_json()

    assert (changed["term"], changed["ctcae_term"], changed["coded"]) == ("Reflux", None, False)


@pytest.mark.parametrize("body", [{"reason": "Nothing really"}, {"grade": 3},
                                  {"grade": 3, "reason": " "}])
def test_a_change_without_fields_or_a_reason_is_422(client, participant, headers, body):
    event = recorded(client, participant, headers)

    response = client.patch(events_url(participant, event["id"]), json=body, headers=headers)

    assert response.status_code == 422
    assert _versions(event["id"]) == 1


def test_a_change_that_breaks_a_rule_is_422_and_keeps_the_version(
        client, participant, headers):
    event = recorded(client, participant, headers)

    response = client.patch(events_url(participant, event["id"]),
                            json={"end_date": "2026-03-01", "reason": "Typo"}, headers=headers)

    assert response.status_code == 422
    assert list(response.get_json()["errors"]) == ["end_date"]
    assert _versions(event["id"]) == 1


def test_the_same_change_again_records_nothing_more(client, participant, headers):
    event = recorded(client, participant, headers)
    change = {"grade": 3, "reason": "Worse"}
    url = events_url(participant, event["id"])

    first = client.patch(url, json=change, headers=headers)
    again = client.patch(url, json=change, headers=headers)

    assert first.status_code == again.status_code == 200
    assert again.get_json()["version"] == 2
    assert _versions(event["id"]) == 2


def test_every_change_is_audited_with_before_after_and_reason(client, participant, headers):
    event = recorded(client, participant, headers, reason="Told at the visit")
    client.patch(events_url(participant, event["id"]), json={"grade": 3, "reason": "Worse"},
                 headers=headers)

    audits = db.session.execute(
        select(AuditEvent).where(AuditEvent.entity_type == "adverse_event",
                                 AuditEvent.entity_id == event["id"]).order_by(AuditEvent.id)
    ).scalars().all()

    assert [(a.action, a.reason) for a in audits] == [
        ("adverse_event.recorded", "Told at the visit"), ("adverse_event.changed", "Worse")]
    assert audits[0].before is None and audits[0].after["grade"] == 2
    assert (audits[1].before["grade"], audits[1].after["grade"]) == (2, 3)
    assert (audits[1].before["version"], audits[1].after["version"]) == (1, 2)


@pytest.mark.parametrize("role", ["coordinator", "investigator", "admin"])
def test_coordinators_investigators_and_admins_record_events(client, participant, site, role):
    headers = auth(token_for(make_staff(role, sites=[site])))

    assert record(client, participant, headers).status_code == 201


def test_a_device_token_is_401_on_every_event_path(client, participant, headers):
    event = recorded(client, participant, headers)
    device = auth(token_for(participant))

    answers = [
        client.get(events_url(participant), headers=device),
        client.post(events_url(participant), json=nausea(), headers=device),
        client.get(events_url(participant, event["id"]), headers=device),
        client.patch(events_url(participant, event["id"]), json={"grade": 3, "reason": "x"},
                     headers=device),
    ]

    assert [answer.status_code for answer in answers] == [401] * 4


def test_another_sites_participant_or_event_is_404(client, participant, headers):
    event = recorded(client, participant, headers)
    other_site = make_site()
    stranger = auth(token_for(make_staff("coordinator", sites=[other_site])))
    elsewhere = make_participant(site=other_site, enrolled="2026-03-01", phone=None)
    their_event = recorded(client, elsewhere, stranger)
    change = {"grade": 3, "reason": "x"}

    answers = [
        client.get(events_url(participant), headers=stranger),
        client.post(events_url(participant), json=nausea(), headers=stranger),
        client.get(events_url(participant, event["id"]), headers=stranger),
        client.patch(events_url(participant, event["id"]), json=change, headers=stranger),
        # Another participant's event under one's own participant's path.
        client.get(events_url(participant, their_event["id"]), headers=headers),
        client.patch(events_url(participant, their_event["id"]), json=change, headers=headers),
    ]

    assert [answer.status_code for answer in answers] == [404] * 6
    assert _versions(event["id"]) == 1 and _versions(their_event["id"]) == 1


def _versions(event_id: int) -> int:
    return db.session.execute(
        select(func.count()).select_from(AdverseEventVersion)
        .where(AdverseEventVersion.adverse_event_id == event_id)
    ).scalar_one()


def _symptom_report(client, participant) -> int:
    from tests.api.symptom_helpers import MY_REPORTS, item, symptom_report

    response = client.post(MY_REPORTS, headers=auth(token_for(participant)),
                           json=symptom_report("2026-03-14", [item("nausea", frequency=3,
                                                                   severity=2)]))
    assert response.status_code == 201, response.get_json()
    return response.get_json()["report"]["id"]


def test_an_event_names_the_participants_own_symptom_report_as_its_source(
        client, participant, headers):
    report_id = _symptom_report(client, participant)

    event = recorded(client, participant, headers, source_symptom_report_id=report_id)

    assert event["source_symptom_report_id"] == report_id


@pytest.mark.parametrize("whose", ["another participant's", "no one's"])
def test_a_source_report_not_of_this_participant_is_refused(client, participant, site,
                                                             headers, whose):
    if whose == "no one's":
        report_id = 999_999
    else:
        report_id = _symptom_report(client, make_participant(site=site,
                                                             enrolled="2026-03-01",
                                                             phone="+821055509999"))
    response = record(client, participant, headers, source_symptom_report_id=report_id)

    assert response.status_code == 422
    assert "source_symptom_report_id" in response.get_json()["errors"]
    assert db.session.execute(select(func.count(AdverseEventVersion.id))).scalar_one() == 0
