"""Alerts for study staff: raised in the caller's transaction, texted after its commit.

An alert is open, then acknowledged (someone is on it: escalation stops), then closed
(with a reason). Urgent alerts nobody acknowledges are texted to ever more people.
"""

from datetime import datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError

from diary.actor import Actor
from diary.clock import utcnow
from diary.errors import Conflict, NotFound
from diary.extensions import db
from diary.models import Alert, Participant, Site, StaffUser, Study
from diary.models.alert import ACKNOWLEDGED, CLOSED, OPEN, URGENT
from diary.models.staff_user import staff_site
from diary.operations.audit import record_audit, snapshot
from diary.operations.scope import at_staff_sites
from notifications.outbox import enqueue
from notifications.templates import render

# Who is texted first for an alert; escalation goes on to investigators.
FIRST_RESPONDERS = ("coordinator",)
# Level 1 wakes the site's investigators; from level 2 the whole site team and the admins.
ESCALATION_ROLES = {1: ("investigator",)}
EVERYONE = ("coordinator", "investigator", "admin")
ESCALATION_INTERVAL = timedelta(minutes=15)
# Four rounds (an hour) of texts; after that the alert stays open in the list, unescalated.
MAX_ESCALATION_LEVEL = 4
_AUDITED = ("status", "acknowledged_at", "acknowledged_by_staff_id", "closed_at",
            "closed_by_staff_id", "close_reason", "escalation_level")


def raise_alert(
    kind: str,
    participant: Participant,
    *,
    urgency: str = "routine",
    dedupe_key: str | None = None,
    details: dict | None = None,
    report_due_hours: int | None = None,
) -> Alert:
    """Open an alert and queue a text to the site's coordinators; the caller commits.

    With a ``dedupe_key``, an alert not yet closed for the same cause is returned instead
    of a second one (closing an alert releases its key).
    """
    if dedupe_key is not None:
        existing = _alert_with_key(dedupe_key)
        if existing is not None:
            return existing
    now = utcnow()
    alert = Alert(
        kind=kind,
        participant_id=participant.id,
        site_id=participant.site_id,
        urgency=urgency,
        status=OPEN,
        dedupe_key=dedupe_key,
        details=details or {},
        created_at=now,
        report_due_at=now + timedelta(hours=report_due_hours) if report_due_hours else None,
        escalation_level=0,
        next_escalation_at=now + ESCALATION_INTERVAL if urgency == URGENT else None,
    )
    try:
        # A concurrent request may raise the same cause first: its row wins.
        with db.session.begin_nested():
            db.session.add(alert)
    except IntegrityError:
        if dedupe_key is None:
            raise
        return _alert_with_key(dedupe_key)
    notify_staff(alert, participant, roles=FIRST_RESPONDERS, template="staff_alert")
    return alert


def _alert_with_key(dedupe_key: str) -> Alert | None:
    return db.session.execute(
        select(Alert).where(Alert.dedupe_key == dedupe_key)
    ).scalar_one_or_none()


def notify_staff(alert: Alert, participant: Participant | None, *, roles, template: str) -> int:
    """Queue the alert text to every active staff member of the site with a role in ``roles``.

    Admins are scoped to no site in particular, so when ``roles`` names them every active
    admin is texted.
    """
    site = db.session.get(Site, alert.site_id)
    study = db.session.get(Study, site.study_id)
    site_staff = StaffUser.id.in_(
        select(staff_site.c.staff_user_id).where(staff_site.c.site_id == alert.site_id)
    )
    scope = or_(site_staff, StaffUser.role == "admin") if "admin" in roles else site_staff
    recipients = db.session.execute(
        select(StaffUser)
        .where(
            scope,
            StaffUser.role.in_(roles),
            StaffUser.active.is_(True),
            StaffUser.alerts_enabled.is_(True),
            StaffUser.phone_e164.is_not(None),
        )
        .order_by(StaffUser.id)
    ).scalars()
    study_code = participant.study_code if participant is not None else "-"
    count = 0
    for staff in recipients:
        body = render(study, staff.locale, template, study=study.code, alert_id=alert.id,
                      kind=alert.kind, study_code=study_code)
        enqueue(kind="alert" if template == "staff_alert" else "escalation", body=body,
                staff_user_id=staff.id, alert_id=alert.id,
                dedupe_key=f"{template}:{alert.id}:{alert.escalation_level}:{staff.id}")
        count += 1
    return count


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
    """Return an alert of the staff member's sites; anything else is NotFound."""
    query = select(Alert).where(Alert.id == alert_id, visible_alerts(actor))
    if for_update:
        query = query.with_for_update()
    alert = db.session.execute(query).scalar_one_or_none()
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
    record_audit(actor, "alert.closed", alert, participant_id=alert.participant_id,
                 before=before, after=snapshot(alert, _AUDITED), reason=reason)
    db.session.commit()
    return alert


def escalate_due_alerts(now: datetime | None = None) -> int:
    """Escalate every open urgent alert whose escalation time has come; commit; return how many.

    Each round raises the level by one and texts the next circle of staff; a level is
    texted once (the outbox dedupe key names the level).
    """
    now = now or utcnow()
    due = db.session.execute(
        select(Alert)
        .where(Alert.status == OPEN, Alert.urgency == URGENT,
               Alert.next_escalation_at <= now)
        .order_by(Alert.next_escalation_at, Alert.id)
        .with_for_update(skip_locked=True)
    ).scalars().all()
    for alert in due:
        _escalate(alert, now)
    db.session.commit()
    return len(due)


def _escalate(alert: Alert, now: datetime) -> None:
    before = snapshot(alert, _AUDITED)
    alert.escalation_level += 1
    level = alert.escalation_level
    alert.next_escalation_at = (
        now + ESCALATION_INTERVAL if level < MAX_ESCALATION_LEVEL else None
    )
    participant = (
        db.session.get(Participant, alert.participant_id) if alert.participant_id else None
    )
    notify_staff(alert, participant, roles=ESCALATION_ROLES.get(level, EVERYONE),
                 template="staff_escalation")
    record_audit(Actor.system(), "alert.escalated", alert,
                 participant_id=alert.participant_id, before=before,
                 after=snapshot(alert, _AUDITED))
