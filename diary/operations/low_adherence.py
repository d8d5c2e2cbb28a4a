"""The daily check for participants whose adherence over the last two weeks slid below par."""

from datetime import datetime

from sqlalchemy import select

from diary.clock import local_today
from diary.extensions import db
from diary.models import Participant, Study
from diary.operations.adherence import adherence_between
from diary.operations.alerts import raise_alert
from diary.rules.adherence_gaps import recent_window

DEFAULT_WINDOW_DAYS = 14


def check_low_adherence(now: datetime) -> int:
    """Raise a routine alert for each active participant below the threshold; commit.

    The window is the study's ``low_adherence_window_days`` whole days before today.
    One alert per participant while it is not closed, so running this every hour is
    harmless. Returns how many alerts were raised or found still open.
    """
    rows = db.session.execute(
        select(Participant, Study).join(Study, Study.id == Participant.study_id)
        .where(Participant.status == "active")
        .order_by(Participant.id)
    ).all()
    flagged = 0
    for participant, study in rows:
        days = int(study.definition.get("adherence", {}).get("low_adherence_window_days",
                                                             DEFAULT_WINDOW_DAYS))
        window = recent_window(today=local_today(participant.timezone, now),
                               enrolled_on=participant.enrolled_on, days=days)
        if window is None:
            continue
        figures = adherence_between(participant, study, *window)
        if figures.adherence is None or not figures.below_threshold:
            continue
        raise_alert("low_adherence", participant, details={
            "from": window[0].isoformat(), "to": window[1].isoformat(),
            "taken": figures.taken, "expected": figures.expected,
            "adherence": str(figures.adherence)})
        flagged += 1
    db.session.commit()
    return flagged
