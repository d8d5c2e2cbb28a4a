"""One participant's adherence over a window, with the same figures for each study week.

A single diary is at most a few hundred rows: the operation gathers them and the pure
rule (``diary.rules.adherence``) decides, as the participant's own overview does. The
cohort report computes the same figures in SQL (``diary.operations.reports.adherence``);
a property test holds the two equal.
"""

from datetime import date

from sqlalchemy import select

from diary.actor import Actor
from diary.clock import local_today
from diary.errors import InvalidInput
from diary.extensions import db
from diary.models import DoseEntry, Participant, Study
from diary.operations.adherence import regimen_of
from diary.operations.participants import get_participant_for_staff
from diary.rules.adherence import DayRecord, summarise
from diary.rules.regimen import dates, prescribed_by_day
from diary.rules.report_windows import (
    Window,
    last_counted_day,
    participant_dates,
    study_weeks,
    window_errors,
    with_defaults,
)
from diary.rules.study_days import study_day


def checked_window(window: Window, study: Study) -> Window:
    """Return the window with the study's defaults, or raise InvalidInput (422)."""
    errors = window_errors(window)
    if errors:
        raise InvalidInput("The request has invalid fields.", errors)
    return with_defaults(window, study.primary_window_days)


def participant_adherence(actor: Actor, participant_id: int, window: Window) -> dict:
    """Return a participant's figures over the window and per study week inside it."""
    participant = get_participant_for_staff(actor, participant_id)
    study = db.session.get(Study, participant.study_id)
    window = checked_window(window, study)
    records = diary_records(participant.id)
    today = local_today(participant.timezone)
    start, end = participant_dates(window, participant.enrolled_on, participant.withdrawn_on,
                                   last_counted_day(today, today in records))
    steps, holds = regimen_of(participant.id)

    def figures(first: date, last: date):
        prescribed = prescribed_by_day(first, last, steps, holds)
        return summarise(dates(first, last), prescribed, records,
                         study.adherence_threshold, protocol_mg=study.dose_mg)

    weeks = [{"week": week, **_as_dict(figures(first, last))}
             for week, first, last in study_weeks(participant.enrolled_on, start, end)]
    return {
        "participant_id": participant.id,
        "study_code": participant.study_code,
        "status": participant.status,
        "withdrawn_on": participant.withdrawn_on,
        "from_day": _day_or_none(participant, start, end, start),
        "to_day": _day_or_none(participant, start, end, end),
        "threshold": study.adherence_threshold,
        "protocol_dose_mg": study.dose_mg,
        "figures": figures(start, end),
        "weeks": weeks,
    }


def _day_or_none(participant: Participant, start: date, end: date, day: date) -> int | None:
    return study_day(participant.enrolled_on, day) if start <= end else None


def _as_dict(figures) -> dict:
    return {name: getattr(figures, name) for name in figures.__dataclass_fields__}


def diary_records(participant_id: int) -> dict[date, DayRecord]:
    """Return the participant's current entries by day, reduced to what figures need."""
    rows = db.session.execute(
        select(DoseEntry.dose_date, DoseEntry.status, DoseEntry.dose_mg,
               DoseEntry.missed_reason, DoseEntry.vomited, DoseEntry.late)
        .where(DoseEntry.participant_id == participant_id, DoseEntry.is_current.is_(True))
    )
    return {day: DayRecord(status, mg, reason, vomited, late)
            for day, status, mg, reason, vomited, late in rows}
