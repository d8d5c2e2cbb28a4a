"""Alerts for study staff: raised in the caller's transaction, texted after its commit."""

from datetime import timedelta

from sqlalchemy import select

from diary.clock import utcnow
from diary.extensions import db
from diary.models import Alert, Participant, StaffUser, Study
from diary.models.alert import OPEN, URGENT
from diary.models.staff_user import staff_site
from notifications.outbox import enqueue
from notifications.templates import render

# Who is texted first for an alert; escalation goes on to investigators.
FIRST_RESPONDERS = ("coordinator",)


def raise_alert(
    kind: str,
    participant: Participant,
    *,
    urgency: str = "routine",
    dedupe_key: str | None = None,
    details: dict | None = None,
    report_due_hours: int | None = None,
) -> Alert | None:
    """Open an alert and queue a text to the site's coordinators; the caller commits.

    With a ``dedupe_key``, an alert already open for the same cause is returned instead
    of a second one (None is never returned for a new alert).
    """
    if dedupe_key is not None:
        existing = db.session.execute(
            select(Alert).where(Alert.dedupe_key == dedupe_key, Alert.status == OPEN)
        ).scalar_one_or_none()
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
        next_escalation_at=now + timedelta(minutes=15) if urgency == URGENT else None,
    )
    db.session.add(alert)
    db.session.flush()
    notify_staff(alert, participant, roles=FIRST_RESPONDERS, template="staff_alert")
    return alert


def notify_staff(alert: Alert, participant: Participant, *, roles, template: str) -> int:
    """Queue the alert text to every active staff member of the site with a role in ``roles``."""
    study = db.session.get(Study, participant.study_id)
    recipients = db.session.execute(
        select(StaffUser)
        .join(staff_site, staff_site.c.staff_user_id == StaffUser.id)
        .where(
            staff_site.c.site_id == alert.site_id,
            StaffUser.role.in_(roles),
            StaffUser.active.is_(True),
            StaffUser.phone_e164.is_not(None),
        )
    ).scalars()
    count = 0
    for staff in recipients:
        body = render(study, staff.locale, template, study=study.code, alert_id=alert.id,
                      kind=alert.kind, study_code=participant.study_code)
        enqueue(kind="alert" if template == "staff_alert" else "escalation", body=body,
                staff_user_id=staff.id, alert_id=alert.id,
                dedupe_key=f"{template}:{alert.id}:{alert.escalation_level}:{staff.id}")
        count += 1
    return count
