"""Two scheduler jobs that each write several participants' audit events, run at once,
queue on the chain locks instead of deadlocking (PostgreSQL: advisory locks).

The escalation job meets its alerts in escalation order and the overdue-report job its
events in deadline order; here those orders are opposite (P2 then P1, P1 then P2), and
each job pauses after its first event until the other has written one too or waits on a
lock. Without ``lock_chains`` each holds one participant's chain and wants the other's.
"""

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from diary.extensions import db
from diary.models import Alert, AuditEvent
from diary.operations import alerts, serious_events
from diary.operations.alerts import escalate_due_alerts, raise_alert
from diary.operations.audit_verify import verify_chains
from diary.operations.serious_events import text_overdue_reports
from tests.api.races import someone_waits_on_a_lock
from tests.api.test_adverse_events import events_url
from tests.api.test_serious_events import hospitalised
from tests.factories import auth, make_participant, make_staff, token_for

FROZEN_AT = datetime(2026, 3, 20, 3, tzinfo=UTC)  # noon in Seoul
LATER = datetime(2026, 3, 21, 3, tzinfo=UTC)  # both reports overdue
pytestmark = pytest.mark.usefixtures("clock")
PAUSE_LIMIT_SECONDS = 20  # a safety net against a hung test, never reached when it passes


def _serious_event(client, headers, participant, aware: str) -> None:
    answer = client.post(events_url(participant), headers=headers,
                         json=hospitalised(site_aware_at=aware))
    assert answer.status_code == 201, answer.get_json()


def _world(app) -> tuple[int, int]:
    """P1 and P2: a serious event each (P1's report due first) and an alert each whose
    escalation is due (P2's first)."""
    with app.app_context():
        first, second = (make_participant(enrolled="2026-03-01") for _ in range(2))
        headers = auth(token_for(make_staff("coordinator", phone="+821099990001"),
                                 hours=24 * 7))
        client = app.test_client()
        _serious_event(client, headers, first, "2026-03-20T10:00:00+09:00")
        _serious_event(client, headers, second, "2026-03-20T11:00:00+09:00")
        # The events' own alerts stay out of the escalation job.
        db.session.execute(sa.update(Alert).values(next_escalation_at=None))
        for participant, minutes_ago in ((second, 20), (first, 10)):
            alert = raise_alert("serious_event", participant, cause=f"test-{participant.id}")
            alert.next_escalation_at = LATER - timedelta(minutes=minutes_ago)
        db.session.commit()
        ids = first.id, second.id
        db.session.remove()
    return ids


def _pausing_after_the_first_event(app, monkeypatch):
    """Make each job, after its first audit event, wait for the other job to write one."""
    wrote = {"escalate": threading.Event(), "overdue": threading.Event()}

    def pausing(module, me, other):
        record = module.record_audit
        calls = threading.local()

        def record_then_pause(*args, **kwargs):
            record(*args, **kwargs)
            if getattr(calls, "done", False):
                return
            calls.done = True
            wrote[me].set()
            limit = time.monotonic() + PAUSE_LIMIT_SECONDS
            while not (wrote[other].is_set() or someone_waits_on_a_lock(app)):
                assert time.monotonic() < limit, "the other job neither wrote nor waited"
                time.sleep(0.05)

        monkeypatch.setattr(module, "record_audit", record_then_pause)

    pausing(alerts, "escalate", "overdue")
    pausing(serious_events, "overdue", "escalate")


def test_the_escalation_and_overdue_report_jobs_run_at_once_without_deadlock(
        committed_app, monkeypatch, clock):
    first, second = _world(committed_app)
    clock.move_to(LATER)
    _pausing_after_the_first_event(committed_app, monkeypatch)
    results, errors = {}, []

    def run(name, job):
        try:
            with committed_app.app_context():
                results[name] = job(LATER)
                db.session.remove()
        except Exception as exc:  # the assertion below reports it
            errors.append(exc)

    threads = [threading.Thread(target=run, args=("escalate", escalate_due_alerts)),
               threading.Thread(target=run, args=("overdue", text_overdue_reports))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert results == {"escalate": 2, "overdue": 2}
    with committed_app.app_context():
        actions = db.session.execute(
            sa.select(AuditEvent.participant_id, AuditEvent.action)
            .where(AuditEvent.action.in_(["alert.escalated", "adverse_event.report_overdue"]))
        ).all()
        assert sorted(actions) == sorted([
            (first, "alert.escalated"), (second, "alert.escalated"),
            (first, "adverse_event.report_overdue"),
            (second, "adverse_event.report_overdue")])
        assert verify_chains()[2] == []
        db.session.remove()
