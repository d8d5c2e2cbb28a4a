"""Serious adverse events: their urgent alert and the 24-hour clock of the sponsor report.

A serious event raises the urgent ``serious_event`` alert (one per event) when it is
recorded serious or first becomes so; the alert's report is due 24 hours after the site
learned of the event. When that passes with no report to the sponsor recorded, the top
of the study's urgent ladder is texted, once, whatever the alert's state: acknowledging
an alert does not discharge the report.
"""

import logging
from datetime import datetime

from sqlalchemy import and_, select

from diary.actor import Actor
from diary.clock import utcnow
from diary.extensions import db
from diary.messaging.staff_texts import queue_report_overdue_texts
from diary.models import AdverseEvent, AdverseEventVersion, Alert, Participant, Study
from diary.models.alert import CLOSED
from diary.operations.alerts import raise_alert
from diary.operations.audit import lock_chains, record_audit
from diary.rules import adverse_events as rules
from diary.rules.alerts import ladder_from

KIND = "serious_event"
log = logging.getLogger(__name__)


def sync_serious_alert(actor: Actor, participant: Participant, event: AdverseEvent,
                       before: rules.EventFacts | None, after: rules.EventFacts) -> None:
    """Raise the event's alert when it becomes serious; keep its deadline with the facts."""
    due = rules.report_due_at(after.serious, after.site_aware_at)
    if due is None:
        return
    if before is None or not before.serious:
        alert = raise_alert(KIND, participant, cause=str(event.id),
                            details={"adverse_event_id": event.id}, report_due_at=due)
        if event.alert_id != alert.id:
            event.alert_id, event.report_overdue_at = alert.id, None
    elif before.site_aware_at != after.site_aware_at and event.alert_id is not None:
        alert = db.session.get(Alert, event.alert_id)
    else:
        return
    if alert.status != CLOSED and alert.report_due_at != due:
        # A corrected awareness time moves the deadline the alert shows.
        previous = alert.report_due_at
        alert.report_due_at = due
        record_audit(actor, "alert.report_due_changed", alert,
                     participant_id=participant.id,
                     before={"report_due_at": previous.isoformat() if previous else None},
                     after={"report_due_at": due.isoformat()},
                     reason=f"site_aware_at of adverse event {event.id}")


def text_overdue_reports(now: datetime | None = None) -> int:
    """Text the top of the ladder about every serious event now overdue; commit; how many.

    Overdue: the alert's report is due, the event is still serious, and no report to
    the sponsor is recorded. Each event's alert is texted about it once.
    """
    now = now or utcnow()
    found = db.session.execute(
        _overdue(select(AdverseEvent.id, AdverseEvent.participant_id), now)).all()
    # The audit-chain locks of their participants before the events' and alerts' row
    # locks, as every writer takes them (see ``lock_chains``); then the events, still
    # overdue, that nobody holds.
    lock_chains(row.participant_id for row in found)
    overdue = db.session.execute(
        _overdue(select(AdverseEvent, Alert), now)
        .where(AdverseEvent.id.in_([row.id for row in found]))
        .order_by(Alert.report_due_at, AdverseEvent.id)
        .with_for_update(of=AdverseEvent, skip_locked=True)
        .execution_options(populate_existing=True)
    ).all()
    for event, alert in overdue:
        _text_overdue(event, alert, now)
    db.session.commit()
    return len(overdue)


def _overdue(query, now: datetime):
    """Limit a query of adverse events (and their alerts) to those whose report is overdue."""
    current = AdverseEventVersion
    return (
        query.join(Alert, Alert.id == AdverseEvent.alert_id)
        .join(current, and_(current.adverse_event_id == AdverseEvent.id,
                            current.is_current.is_(True)))
        .where(AdverseEvent.report_overdue_at.is_(None), Alert.report_due_at <= now,
               current.serious.is_(True), current.reported_to_sponsor_at.is_(None))
    )


def _text_overdue(event: AdverseEvent, alert: Alert, now: datetime) -> None:
    participant = db.session.get(Participant, event.participant_id)
    study = db.session.get(Study, participant.study_id)
    ladder = ladder_from(study.definition, alert.urgency)
    texted = queue_report_overdue_texts(alert, participant,
                                        roles=ladder.roles(len(ladder.steps) - 1))
    alert.staff_texts_queued = (alert.staff_texts_queued or 0) + texted
    event.report_overdue_at = now
    if texted == 0:
        log.warning("adverse event id=%s report overdue: no staff member was texted "
                    "(alert id=%s)", event.id, alert.id)
    record_audit(Actor.system(), "adverse_event.report_overdue", event,
                 participant_id=participant.id, before={"report_overdue_at": None},
                 after={"report_overdue_at": now.isoformat(), "alert_id": alert.id,
                        "texts_queued": texted})
