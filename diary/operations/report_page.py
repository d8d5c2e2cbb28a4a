"""The report page's heatmap: each participant's study days and what each day counts as.

The page's figures (adherence, adverse events, alerts) come from the report operations in
``diary.operations.reports``, as the JSON reports do. Only the heatmap needs day-level
data: the cohort's days come in three queries for the whole cohort, are cut by the same
window rule as the reports (``diary.rules.report_windows``) and judged by the same
classification (``diary.rules.adherence.classify``).
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from diary.actor import Actor
from diary.clock import local_today
from diary.extensions import db
from diary.models import DoseEntry, DoseHold, Participant, PrescribedDose, Study
from diary.operations.scope import at_staff_sites
from diary.rules.adherence import DayRecord, classify
from diary.rules.regimen import dates, prescribed_by_day
from diary.rules.report_windows import Window, last_counted_day, participant_dates
from diary.rules.study_days import date_of_study_day

NOT_YET = "not_yet"
# Days after a withdrawal: outside the participant's window, as the reports count it.
WITHDRAWN = "withdrawn"


@dataclass(frozen=True)
class CohortDay:
    study_day: int
    day: date
    status: str  # taken | missed | unreported | held | not_yet | withdrawn


@dataclass(frozen=True)
class ParticipantDays:
    participant_id: int
    study_code: str
    demo: bool
    days: list[CohortDay]


def cohort_participants(actor: Actor, study: Study) -> list[Participant]:
    """Return the study's participants at the actor's sites, by study code."""
    return list(db.session.execute(
        select(Participant)
        .where(Participant.study_id == study.id, at_staff_sites(actor, Participant.site_id))
        .order_by(Participant.study_code, Participant.id)
    ).scalars())


def cohort_days(participants: list[Participant], window_days: int) -> list[ParticipantDays]:
    """Return each participant's study days 1..``window_days``, each with what it counts as."""
    ids = [participant.id for participant in participants]
    records, steps, holds = _entries(ids), _by_participant(PrescribedDose, ids), \
        _by_participant(DoseHold, ids)
    answer = []
    for participant in participants:
        mine = records.get(participant.id, {})
        today = local_today(participant.timezone)
        first = participant.enrolled_on
        last = date_of_study_day(first, window_days)
        # The last day that counts, as the adherence report cuts the window.
        _, counted = participant_dates(Window(1, window_days), participant.enrolled_on,
                                       participant.withdrawn_on,
                                       last_counted_day(today, today in mine))
        prescribed = prescribed_by_day(first, last, steps.get(participant.id, []),
                                       holds.get(participant.id, []))
        days = [CohortDay(number, day, _status(day, counted, participant.withdrawn_on,
                                               prescribed, mine))
                for number, day in enumerate(dates(first, last), start=1)]
        answer.append(ParticipantDays(participant.id, participant.study_code, participant.demo,
                                      days))
    return answer


def _status(day: date, counted: date, withdrawn_on: date | None, prescribed: dict,
            records: dict) -> str:
    if day <= counted:
        return classify(prescribed[day], records.get(day))
    return WITHDRAWN if withdrawn_on is not None and day > withdrawn_on else NOT_YET


def _entries(ids: list[int]) -> dict[int, dict[date, DayRecord]]:
    rows = db.session.execute(
        select(DoseEntry.participant_id, DoseEntry.dose_date, DoseEntry.status,
               DoseEntry.dose_mg)
        .where(DoseEntry.participant_id.in_(ids), DoseEntry.is_current.is_(True))
    ) if ids else []
    records: dict[int, dict] = defaultdict(dict)
    for participant_id, day, status, mg in rows:
        records[participant_id][day] = DayRecord(status, mg)
    return records


def _by_participant(model, ids: list[int]) -> dict[int, list]:
    if not ids:
        return {}
    order = model.effective_from if model is PrescribedDose else model.start_date
    rows = db.session.execute(
        select(model).where(model.participant_id.in_(ids)).order_by(order, model.id)
    ).scalars()
    grouped: dict[int, list] = defaultdict(list)
    for row in rows:
        grouped[row.participant_id].append(row)
    return grouped
