"""Adherence figures for a participant: gather the diary and regimen, apply the pure rules."""

from datetime import date, timedelta

from sqlalchemy import select

from diary.clock import local_today
from diary.extensions import db
from diary.models import DoseEntry, DoseHold, Participant, PrescribedDose, Study
from diary.rules.adherence import AdherenceFigures, DayRecord, summarise
from diary.rules.enrolment import current_study_day
from diary.rules.regimen import dates, prescribed_by_day
from diary.rules.study_days import study_week, week_start


def adherence_between(
    participant: Participant, study: Study, start: date, end: date
) -> AdherenceFigures:
    """Return the participant's figures for the days from ``start`` to ``end`` inclusive."""
    start = max(start, participant.enrolled_on)
    records = _records(participant.id, start, end)
    return _figures(study, start, end, records, regimen_of(participant.id))


def adherence_overview(participant: Participant, study: Study) -> dict:
    """Return the figures so far (from day 1) and for the current study week.

    Today counts once it has an entry: a day still under way is not yet unreported.
    """
    today = local_today(participant.timezone)
    records = _records(participant.id, participant.enrolled_on, today)
    last = today if today in records else today - timedelta(days=1)
    week_first = week_start(participant.enrolled_on, max(today, participant.enrolled_on))
    regimen = regimen_of(participant.id)
    started = today >= participant.enrolled_on
    return {
        "today": today,
        "study_day": current_study_day(participant.enrolled_on, today),
        "study_week": study_week(participant.enrolled_on, today) if started else None,
        "started": started,
        "threshold": study.adherence_threshold,
        "so_far": _figures(study, participant.enrolled_on, last, records, regimen),
        "this_week": _figures(study, week_first, last, records, regimen),
    }


def _figures(study, start: date, end: date, records: dict, regimen) -> AdherenceFigures:
    days = dates(start, end)
    steps, holds = regimen
    prescribed = prescribed_by_day(start, end, steps, holds)
    return summarise(days, prescribed, records, study.adherence_threshold)


def _records(participant_id: int, start: date, end: date) -> dict[date, DayRecord]:
    rows = db.session.execute(
        select(DoseEntry.dose_date, DoseEntry.status, DoseEntry.dose_mg).where(
            DoseEntry.participant_id == participant_id,
            DoseEntry.is_current.is_(True),
            DoseEntry.dose_date >= start,
            DoseEntry.dose_date <= end,
        )
    )
    return {day: DayRecord(status, mg) for day, status, mg in rows}


def regimen_of(participant_id: int) -> tuple[list, list]:
    """Return the participant's dose steps (oldest first, ties by id) and holds."""
    steps = db.session.execute(
        select(PrescribedDose)
        .where(PrescribedDose.participant_id == participant_id)
        .order_by(PrescribedDose.effective_from, PrescribedDose.id)
    ).scalars().all()
    holds = db.session.execute(
        select(DoseHold).where(DoseHold.participant_id == participant_id)
    ).scalars().all()
    return steps, holds
