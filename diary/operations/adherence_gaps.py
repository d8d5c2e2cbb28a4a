"""The daily check for participants whose diary has gone quiet."""

import logging
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from diary.clock import local_today
from diary.extensions import db
from diary.models import DoseEntry, Participant, Study
from diary.operations.alerts import raise_alert
from diary.rules.adherence_gaps import unreported_run

log = logging.getLogger(__name__)
DEFAULT_GAP_DAYS = 3


def check_adherence_gaps(now: datetime) -> int:
    """Raise an adherence alert for each active participant with a run of unreported days.

    One alert per participant while it is not closed (its dedupe key), so running this
    every hour is harmless. Returns how many alerts were raised or found still open.
    """
    last_entry = (
        select(DoseEntry.participant_id, func.max(DoseEntry.dose_date).label("last_day"))
        .where(DoseEntry.is_current.is_(True))
        .group_by(DoseEntry.participant_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Participant, Study, last_entry.c.last_day)
        .join(Study, Study.id == Participant.study_id)
        .outerjoin(last_entry, last_entry.c.participant_id == Participant.id)
        .where(Participant.status == "active")
        .options(selectinload(Participant.dose_holds))
    ).all()
    flagged = 0
    for participant, study, last_day in rows:
        days = int(study.definition.get("adherence", {}).get("gap_alert_days", DEFAULT_GAP_DAYS))
        since = unreported_run(
            today=local_today(participant.timezone, now),
            enrolled_on=participant.enrolled_on,
            last_entry=last_day,
            holds=participant.dose_holds,
            days=days,
        )
        if since is None:
            continue
        raise_alert(
            "adherence_gap",
            participant,
            details={"unreported_since": since.isoformat(), "days": days},
        )
        flagged += 1
    db.session.commit()
    return flagged
