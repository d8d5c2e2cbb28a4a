"""Texts to study staff about an alert: who receives them, and their words.

The alert's policy (which roles, at which level) is decided in ``diary.rules.alerts``;
this module turns roles into people with a phone and queues one outbox row each, in the
caller's transaction. A text names the study code, the kind of alert and where to look:
never a symptom, a drug or a diagnosis.
"""

from sqlalchemy import or_, select

from diary.extensions import db
from diary.messaging.outbox import enqueue
from diary.messaging.templates import render
from diary.models import Alert, Participant, Site, StaffUser, Study
from diary.models.staff_user import staff_site


def recipients(site_id: int, roles) -> list[StaffUser]:
    """Return the active staff with a phone, alerts on and one of ``roles`` at the site.

    Admins are scoped to no site in particular, so when ``roles`` names them every active
    admin is included.
    """
    site_staff = StaffUser.id.in_(
        select(staff_site.c.staff_user_id).where(staff_site.c.site_id == site_id)
    )
    scope = or_(site_staff, StaffUser.role == "admin") if "admin" in roles else site_staff
    return list(db.session.execute(
        select(StaffUser)
        .where(
            scope,
            StaffUser.role.in_(roles),
            StaffUser.active.is_(True),
            StaffUser.alerts_enabled.is_(True),
            StaffUser.phone_e164.is_not(None),
        )
        .order_by(StaffUser.id)
    ).scalars())


def queue_staff_texts(alert: Alert, participant: Participant | None, *, roles,
                      message_kind: str, template: str) -> int:
    """Queue the alert's text to every recipient with a role in ``roles``; return how many.

    Each text is queued once per alert, level and person (its dedupe key), so a round
    that runs twice texts nobody twice.
    """
    site = db.session.get(Site, alert.site_id)
    study = db.session.get(Study, site.study_id)
    study_code = participant.study_code if participant is not None else "-"
    count = 0
    for staff in recipients(alert.site_id, roles):
        body = render(study, staff.locale, template, study=study.code, alert_id=alert.id,
                      kind=alert.kind, study_code=study_code)
        enqueue(kind=message_kind, body=body, staff_user_id=staff.id, alert_id=alert.id,
                dedupe_key=f"{template}:{alert.id}:{alert.escalation_level}:{staff.id}")
        count += 1
    return count


REPORT_OVERDUE_TEMPLATE = "staff_report_overdue"


def queue_report_overdue_texts(alert: Alert, participant: Participant, *, roles) -> int:
    """Queue the text that an alert's report to the sponsor is overdue; return how many.

    The text is not tied to the alert's state (no ``alert_id``): acknowledging or closing
    the alert does not discharge the report, and the dispatcher holds back the texts of
    alerts that are no longer open. Once per alert and person (its dedupe key).
    """
    site = db.session.get(Site, alert.site_id)
    study = db.session.get(Study, site.study_id)
    count = 0
    for staff in recipients(alert.site_id, roles):
        body = render(study, staff.locale, REPORT_OVERDUE_TEMPLATE, study=study.code,
                      alert_id=alert.id, kind=alert.kind, study_code=participant.study_code)
        enqueue(kind="escalation", body=body, staff_user_id=staff.id,
                dedupe_key=f"{REPORT_OVERDUE_TEMPLATE}:{alert.id}:{staff.id}")
        count += 1
    return count
