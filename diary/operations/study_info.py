"""What staff may read of the study they work on: its protocol figures, as loaded."""

from flask import current_app
from sqlalchemy import select

from diary.actor import Actor
from diary.errors import NotFound
from diary.extensions import db
from diary.models import Site, Study
from diary.operations.scope import at_staff_sites
from diary.rules.adverse_events import terms_from


def study_for_staff(actor: Actor, code: str | None = None) -> Study:
    """Return the caller's study: the one named, else the default study, else their first.

    A staff member's study is the study of one of their sites (an admin's: any study).
    """
    statement = (
        select(Study)
        .where(Study.id.in_(select(Site.study_id).where(at_staff_sites(actor, Site.id))))
        .order_by(Study.id)
    )
    if code is not None:
        statement = statement.where(Study.code == code)
    studies = list(db.session.execute(statement).scalars())
    if not studies:
        raise NotFound("No such study at your sites.")
    default = current_app.config["DIARY_DEFAULT_STUDY"]
    return next((study for study in studies if study.code == default), studies[0])


def study_summary(study: Study) -> dict:
    """Return the figures of a study's protocol that clients show or schedule by."""
    definition = study.definition
    reminders = definition.get("reminders", {})
    return {
        "code": study.code,
        "title": study.title,
        "regimen": {"drug": study.drug, "route": study.route, "dose_mg": study.dose_mg,
                    "doses_per_day": study.doses_per_day},
        "windows": {"primary_days": study.primary_window_days,
                    "late_entry_hours": study.late_entry_hours},
        "adherence": {"threshold": study.adherence_threshold,
                      "gap_alert_days": definition.get("adherence", {}).get("gap_alert_days")},
        "reminders": {"time": study.reminder_time,
                      "follow_up_after_minutes": reminders.get("follow_up_after_minutes"),
                      "expire_after_minutes": reminders.get("expire_after_minutes")},
        "quiet_hours": {"start": study.quiet_start, "end": study.quiet_end},
        "locales": study.locales,
        "adverse_event_terms": list(terms_from(definition).values()),
    }
