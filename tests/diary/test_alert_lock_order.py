"""A participant's audit-chain lock and the row locks of their alerts and adverse events,
taken in one order by all: the chain first (PostgreSQL).

A symptom report that adds to an open alert holds the participant's chain lock (it has
audited the report) when it locks the alert; the escalation job, acknowledging and
closing lock the alert and audit; the overdue-report job holds the chain lock when it
updates the alert; a change to an event with a dose hold has audited the hold when it
adds the event's version. Here one side stops holding its first lock, the other starts
and waits, then the first goes on. Taken in opposite orders (the row, then the chain),
each holds what the other wants and PostgreSQL aborts one of them as a deadlock; taken
chain first, the second only queues behind the first and both are done.
"""

import threading
import time

import pytest
from sqlalchemy import select, update

from diary.actor import Actor
from diary.clock import utcnow
from diary.extensions import db
from diary.models import Alert, StaffUser
from diary.operations import adverse_events, serious_events, symptom_safety
from diary.operations.alerts import acknowledge_alert, close_alert, escalate_due_alerts
from diary.operations.audit_verify import verify_chains
from diary.operations.serious_events import text_overdue_reports
from tests.api.races import someone_waits_on_a_lock
from tests.api.symptom_helpers import MY_REPORTS, NOON_IN_SEOUL, item, symptom_report
from tests.api.test_adverse_events import events_url
from tests.api.test_serious_events import hospitalised
from tests.factories import auth, make_participant, make_staff, token_for

pytestmark = [pytest.mark.postgres_only, pytest.mark.usefixtures("clock")]
FROZEN_AT = NOON_IN_SEOUL
SEVERE_NAUSEA = item("nausea", frequency=4, severity=4)
WAIT_LIMIT_SECONDS = 20  # a safety net against a hung test, never reached when it passes


class Pause:
    """Stop a thread the first time it calls a function, until the test lets it go on."""

    def __init__(self, module, name: str, monkeypatch):
        self.reached, self.go_on = threading.Event(), threading.Event()
        function = getattr(module, name)

        def paused(*args, **kwargs):
            if not self.reached.is_set():
                self.reached.set()
                assert self.go_on.wait(WAIT_LIMIT_SECONDS), "never let go on"
            return function(*args, **kwargs)

        monkeypatch.setattr(module, name, paused)


def _interleaved(app, pause: Pause, first, second) -> dict:
    """Run ``first`` until it reaches the pause, then ``second`` until it waits on a lock,
    then let ``first`` go on; return what each returned (or raised)."""
    results: dict = {}

    def start(name, work):
        def run():
            try:
                with app.app_context():
                    results[name] = work()
                    db.session.remove()
            except Exception as exc:  # the caller's assertion reports it
                results[name] = exc

        thread = threading.Thread(target=run)
        thread.start()
        return thread

    threads = [start("first", first)]
    assert pause.reached.wait(WAIT_LIMIT_SECONDS), "the first side never reached its pause"
    threads.append(start("second", second))
    limit = time.monotonic() + WAIT_LIMIT_SECONDS
    while not someone_waits_on_a_lock(app):
        assert time.monotonic() < limit, "the second side never waited on a lock"
        time.sleep(0.05)
    pause.go_on.set()
    for thread in threads:
        thread.join(WAIT_LIMIT_SECONDS)
    return results


def _open_symptom_alert(app) -> dict:
    """A participant whose severe nausea opened an alert, its next step now due."""
    with app.app_context():
        coordinator = make_staff("coordinator", phone="+821099990001")
        patient = make_participant(enrolled="2026-03-01")
        device = auth(token_for(patient))
        answer = app.test_client().post(MY_REPORTS, headers=device,
                                        json=symptom_report(items=[SEVERE_NAUSEA]))
        assert answer.status_code == 201, answer.get_json()
        alert = db.session.execute(
            select(Alert).where(Alert.participant_id == patient.id)).scalar_one()
        alert.next_escalation_at = utcnow()
        db.session.commit()
        world = {"device": device, "alert_id": alert.id, "staff_id": coordinator.id}
        db.session.remove()
    return world


def _another_severe_report(app, device):
    def send():
        return app.test_client().post(MY_REPORTS, headers=device, json=symptom_report(
            items=[SEVERE_NAUSEA])).status_code
    return send


def _settle(staff_id: int, alert_id: int, how: str = "acknowledge"):
    def settle():
        actor = Actor.for_staff(db.session.get(StaffUser, staff_id))
        if how == "close":
            return close_alert(actor, alert_id, "Called the participant").status
        return acknowledge_alert(actor, alert_id).status
    return settle


def _alert(app, alert_id: int) -> Alert:
    with app.app_context():
        alert = db.session.get(Alert, alert_id)
        db.session.expunge(alert)
        assert verify_chains()[2] == []
        db.session.remove()
    return alert


def test_a_report_adding_to_an_alert_and_the_escalation_job_at_once(
        committed_app, monkeypatch):
    world = _open_symptom_alert(committed_app)
    # The report has audited itself (the chain's lock is held) and is about to lock the alert.
    pause = Pause(symptom_safety, "_add_trigger", monkeypatch)

    results = _interleaved(committed_app, pause,
                           _another_severe_report(committed_app, world["device"]),
                           lambda: escalate_due_alerts(utcnow()))

    assert results == {"first": 201, "second": 1}
    alert = _alert(committed_app, world["alert_id"])
    assert len(alert.details["report_ids"]) == 2
    assert alert.escalation_level == 1


@pytest.mark.parametrize(("how", "status"), [("acknowledge", "acknowledged"),
                                           ("close", "closed")])
def test_a_report_adding_to_an_alert_and_its_acknowledgement_or_closing_at_once(
        committed_app, monkeypatch, how, status):
    world = _open_symptom_alert(committed_app)
    pause = Pause(symptom_safety, "_add_trigger", monkeypatch)

    results = _interleaved(committed_app, pause,
                           _another_severe_report(committed_app, world["device"]),
                           _settle(world["staff_id"], world["alert_id"], how))

    assert results == {"first": 201, "second": status}
    alert = _alert(committed_app, world["alert_id"])
    assert len(alert.details["report_ids"]) == 2
    assert alert.status == status


def _overdue_serious_event(app) -> dict:
    """A serious event whose report to the sponsor was due three hours ago, unreported."""
    with app.app_context():
        coordinator = make_staff("coordinator", phone="+821099990001")
        patient = make_participant(enrolled="2026-03-01")
        headers = auth(token_for(coordinator))
        answer = app.test_client().post(
            events_url(patient), headers=headers,
            json=hospitalised(onset_date="2026-03-03",
                              site_aware_at="2026-03-04T09:00:00+09:00"))
        assert answer.status_code == 201, answer.get_json()
        db.session.execute(update(Alert).values(next_escalation_at=None))  # not escalated
        db.session.commit()
        world = {"headers": headers, "staff_id": coordinator.id,
                 "alert_id": answer.get_json()["alert_id"],
                 "url": events_url(patient, answer.get_json()["id"])}
        db.session.remove()
    return world


def test_a_change_to_a_serious_event_and_the_overdue_report_job_at_once(
        committed_app, monkeypatch):
    world = _overdue_serious_event(committed_app)
    # The change has written the event's dose hold (and audited it: the chain's lock is
    # held) and is about to add the event's new version, which needs the event's row.
    pause = Pause(adverse_events, "_new_version", monkeypatch)

    def interrupt():
        return committed_app.test_client().patch(world["url"], headers=world["headers"], json={
            "action": "interrupted", "hold_from": "2026-03-05",
            "reason": "Held at the visit"}).status_code

    results = _interleaved(committed_app, pause, interrupt,
                           lambda: text_overdue_reports(utcnow()))

    assert results == {"first": 200, "second": 1}
    assert _alert(committed_app, world["alert_id"]).staff_texts_queued == 2


def test_the_overdue_report_job_and_an_acknowledgement_at_once(committed_app, monkeypatch):
    world = _overdue_serious_event(committed_app)
    staff_id, alert_id = world["staff_id"], world["alert_id"]
    # The job holds the chain locks of the events it found overdue; it is about to text
    # about the first and count the texts on its alert.
    pause = Pause(serious_events, "_text_overdue", monkeypatch)

    results = _interleaved(committed_app, pause, lambda: text_overdue_reports(utcnow()),
                           _settle(staff_id, alert_id))

    assert results == {"first": 1, "second": "acknowledged"}
    alert = _alert(committed_app, alert_id)
    assert alert.status == "acknowledged"
    assert alert.staff_texts_queued == 2  # when raised, and that its report is overdue
