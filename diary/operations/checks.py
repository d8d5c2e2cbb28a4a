"""Readiness checks an operator runs before going live (``diary check``)."""

from dataclasses import dataclass

from sqlalchemy import func, select

from diary.extensions import db
from diary.models import Site, StaffUser, Study, staff_site


@dataclass(frozen=True)
class SiteAlertCoverage:
    """How many people at a site an alert text would reach."""

    study_code: str
    site_code: str
    recipients: int


def alert_coverage() -> list[SiteAlertCoverage]:
    """Count, per site, the coordinators a new alert would text.

    The same people ``diary.operations.alerts.notify_staff`` texts first: active
    coordinators of the site with a phone and alerts on.
    """
    recipients = (
        select(func.count())
        .select_from(StaffUser)
        .join(staff_site, staff_site.c.staff_user_id == StaffUser.id)
        .where(staff_site.c.site_id == Site.id, StaffUser.role == "coordinator",
               StaffUser.active.is_(True), StaffUser.alerts_enabled.is_(True),
               StaffUser.phone_e164.is_not(None))
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(Study.code, Site.code, recipients)
        .join(Study, Study.id == Site.study_id)
        .order_by(Study.code, Site.code)
    ).all()
    return [SiteAlertCoverage(study, site, count) for study, site, count in rows]
