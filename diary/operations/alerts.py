"""Alerts for study staff: raised in the caller's transaction, texted after its commit.

An alert is open, then acknowledged (someone is on it: escalation stops), then closed
(with a reason). Urgent alerts nobody acknowledges are texted to ever more people.
"""

import logging
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from diary.actor import Actor
from diary.clock import utcnow
from diary.errors import Conflict, NotFound
from diary.extensions import db
from diary.messaging.outbox import cancel_alert_texts
from diary.messaging.staff_texts import queue_staff_texts
from diary.models import Alert, Participant, Site, Study
from diary.models.alert import ACKNOWLEDGED, CLOSED, OPEN
from diary.operations.audit import lock_chains, record_audit, snapshot
from diary.operations.scope import at_staff_sites
from diary.rules import alerts as policy

log = logging.getLogger(__name__)

_AUDITED = ("status", "acknowledged_at", "acknowledged_by_staff_id", "closed_at",
            "closed_by_staff_id", "close_reason", "escalation_level")


def raise_alert(
    kind: str,
    participant: Participant,
    *,
    cause: str | None = None,
    details: dict | None = None,
    report_due_at: datetime | None = None,
) -> Alert:
    """Open an alert of a registered kind and queue its staff texts; the caller commits.

    An alert not yet closed for the same cause (see ``diary.rules.alerts``: per
    participant, or per the ``cause`` named) is returned instead of a second one;
    closing an alert releases its key. A kind with a reporting clock is due its
    ``report_due`` after now, unless the caller knows when the clock started and gives
    ``report_due_at`` (a serious event's: 24 hours after the site learned of it).
    """
    registered = policy.alert_kind(kind)
    dedupe_key = policy.dedupe_key(registered, participant.id, cause)
    if dedupe_key is not None:
        existing = _alert_with_key(dedupe_key)
        if existing is not None:
            return existing
    now = utcnow()
    ladder = _ladder(participant.site_id, registered.urgency)
    alert = Alert(
        kind=kind,
        participant_id=participant.id,
        site_id=participant.site_id,
        urgency=registered.urgency,
        status=OPEN,
        dedupe_key=dedupe_key,
        details=details or {},
        created_at=now,
        report_due_at=report_due_at or (
            now + registered.report_due if registered.report_due else None),
        escalation_level=0,
        next_escalation_at=ladder.next_at(now, 0),
    )
    try:
        # A concurrent request may raise the same cause first: its row wins.
        with db.session.begin_nested():
            db.session.add(alert)
    except IntegrityError:
        if dedupe_key is None:
            raise
        return _alert_with_key(dedupe_key)
    alert.staff_texts_queued = queue_staff_texts(
        alert, participant, roles=ladder.roles(0), message_kind="alert",
        template=registered.template)
    _warn_if_nobody_told(alert, "raised")
    return alert


def _ladder(site_id: int, urgency: str) -> policy.Ladder:
    study = db.session.execute(
        select(Study).join(Site, Site.study_id == Study.id).where(Site.id == site_id)
    ).scalar_one()
    return policy.ladder_from(study.definition, urgency)


def _warn_if_nobody_told(alert: Alert, event: str) -> None:
    # Ids only: never a phone number, a name or what the alert is about in detail.
    if alert.staff_texts_queued == 0:
        log.warning("alert id=%s kind=%s %s: no staff member was texted (no active "
                    "recipient with a phone and alerts on at site id=%s)",
                    alert.id, alert.kind, event, alert.site_id)


def _alert_with_key(dedupe_key: str) -> Alert | None:
    return db.session.execute(
        select(Alert).where(Alert.dedupe_key == dedupe_key)
    ).scalar_one_or_none()


def visible_alerts(actor: Actor):
    """Return a WHERE clause limiting alerts to the staff member's sites."""
    return at_staff_sites(actor, Alert.site_id)


def list_alerts_for_staff(actor: Actor, *, status: str | None = None, kind: str | None = None,
                          page: int = 1, page_size: int = 20) -> tuple[list[Alert], int]:
    """Return one page of the alerts the staff member may see, newest first, and the total."""
    query = select(Alert).where(visible_alerts(actor))
    if status is not None:
        query = query.where(Alert.status == status)
    if kind is not None:
        query = query.where(Alert.kind == kind)
    total = db.session.execute(
        select(func.count()).select_from(query.subquery())
    ).scalar_one()
    items = db.session.execute(
        query.order_by(Alert.created_at.desc(), Alert.id.desc())
        .limit(page_size).offset((page - 1) * page_size)
    ).scalars().all()
    return list(items), total


def get_alert_for_staff(actor: Actor, alert_id: int, *, for_update: bool = False) -> Alert:
    """Return an alert of the staff member's sites; anything else is NotFound.

    ``for_update``: for a change that is audited. The alert is locked to the end of the
    transaction after its participant's audit-chain lock, the order every writer takes
    them in (see ``lock_chains``), and read again under its lock.
    """
    query = select(Alert).where(Alert.id == alert_id, visible_alerts(actor))
    alert = db.session.execute(query).scalar_one_or_none()
    if alert is not None and for_update:
        lock_chains([alert.participant_id])  # an alert's participant never changes
        alert = db.session.execute(
            query.with_for_update().execution_options(populate_existing=True)
        ).scalar_one_or_none()
    if alert is None:
        raise NotFound("No such alert.")
    return alert


def acknowledge_alert(actor: Actor, alert_id: int) -> Alert:
    """Mark an open alert as being dealt with, which stops its escalation; commit.

    Acknowledging an acknowledged alert again changes nothing.
    """
    alert = get_alert_for_staff(actor, alert_id, for_update=True)
    if alert.status == CLOSED:
        raise Conflict("The alert is already closed.")
    if alert.status == ACKNOWLEDGED:
        return alert
    before = snapshot(alert, _AUDITED)
    alert.status = ACKNOWLEDGED
    alert.acknowledged_at = utcnow()
    alert.acknowledged_by_staff_id = actor.id
    alert.next_escalation_at = None
    cancel_alert_texts(alert.id, "alert_acknowledged", alert.acknowledged_at)
    record_audit(actor, "alert.acknowledged", alert, participant_id=alert.participant_id,
                 before=before, after=snapshot(alert, _AUDITED))
    db.session.commit()
    return alert


def close_alert(actor: Actor, alert_id: int, reason: str) -> Alert:
    """Close an open or acknowledged alert with a reason; commit.

    Closing releases the alert's dedupe key, so the same cause can raise a new alert later.
    """
    alert = get_alert_for_staff(actor, alert_id, for_update=True)
    if alert.status == CLOSED:
        raise Conflict("The alert is already closed.")
    before = snapshot(alert, _AUDITED)
    alert.status = CLOSED
    alert.closed_at = utcnow()
    alert.closed_by_staff_id = actor.id
    alert.close_reason = reason
    alert.next_escalation_at = None
    alert.dedupe_key = None
    cancel_alert_texts(alert.id, "alert_closed", alert.closed_at)
    record_audit(actor, "alert.closed", alert, participant_id=alert.participant_id,
                 before=before, after=snapshot(alert, _AUDITED), reason=reason)
    db.session.commit()
    return alert


def escalate_due_alerts(now: datetime | None = None) -> int:
    """Text the next step of every open alert whose step is due; commit; return how many.

    A step is texted once (the outbox dedupe key names the level). After a scheduler
    outage only the step due now is texted, once, not every step that was missed.
    """
    now = now or utcnow()
    is_due = (Alert.status == OPEN, Alert.next_escalation_at <= now)
    found = db.session.execute(select(Alert.id, Alert.participant_id).where(*is_due)).all()
    # The audit-chain locks of their participants before the alerts' row locks, as every
    # writer takes them (see ``lock_chains``); then the alerts, still due, that nobody holds.
    lock_chains(row.participant_id for row in found)
    due = db.session.execute(
        select(Alert)
        .where(Alert.id.in_([row.id for row in found]), *is_due)
        .order_by(Alert.next_escalation_at, Alert.id)
        .with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)
    ).scalars().all()
    for alert in due:
        _escalate(alert, now)
    db.session.commit()
    return len(due)


def _escalate(alert: Alert, now: datetime) -> None:
    before = snapshot(alert, _AUDITED)
    ladder = _ladder(alert.site_id, alert.urgency)
    level = max(ladder.level_due(alert.created_at, now), alert.escalation_level + 1)
    alert.escalation_level = level
    alert.next_escalation_at = ladder.next_at(alert.created_at, level)
    participant = (
        db.session.get(Participant, alert.participant_id) if alert.participant_id else None
    )
    texted = queue_staff_texts(alert, participant, roles=ladder.roles(level),
                               message_kind="escalation",
                               template=policy.ESCALATION_TEMPLATE)
    alert.staff_texts_queued = (alert.staff_texts_queued or 0) + texted
    if texted == 0:
        log.warning("alert id=%s escalation level=%d: no staff member was texted",
                    alert.id, level)
    record_audit(Actor.system(), "alert.escalated", alert,
                 participant_id=alert.participant_id, before=before,
                 after=snapshot(alert, _AUDITED))
