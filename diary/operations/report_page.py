"""The figures of the report page, gathered for the staff member's sites (admins: all).

Stand-ins until the report operations (``diary.operations.reports``) arrive: the cohort's
days come in three queries for the whole cohort and are judged by the same pure rules as
``adherence_between``; the adverse-event table and the alert counts read the current
records. Each function answers one panel of the page.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from diary.actor import Actor
from diary.clock import local_today
from diary.extensions import db
from diary.models import (
    AdverseEvent,
    AdverseEventVersion,
    Alert,
    DoseEntry,
    DoseHold,
    Participant,
    PrescribedDose,
    Study,
)
from diary.models.alert import CLOSED
from diary.operations.alerts import visible_alerts
from diary.operations.scope import at_staff_sites
from diary.rules.adherence import AdherenceFigures, DayRecord, classify, summarise
from diary.rules.regimen import dates, prescribed_by_day
from diary.rules.safety_table import TermRow, worst_grade_table

NOT_YET = "not_yet"


@dataclass(frozen=True)
class CohortDay:
    study_day: int
    day: date
    status: str  # taken | missed | unreported | held | not_yet


@dataclass(frozen=True)
class ParticipantDays:
    participant_id: int
    study_code: str
    demo: bool
    days: list[CohortDay]
    # Over the window's days that are over (or already have an entry).
    figures: AdherenceFigures


def cohort_participants(actor: Actor, study: Study) -> list[Participant]:
    """Return the study's participants at the actor's sites, by study code."""
    return list(db.session.execute(
        select(Participant)
        .where(Participant.study_id == study.id, at_staff_sites(actor, Participant.site_id))
        .order_by(Participant.study_code)
    ).scalars())


def cohort_days(participants: list[Participant], study: Study,
                window_days: int) -> list[ParticipantDays]:
    """Return each participant's study days 1..``window_days`` and their figures over them."""
    ids = [participant.id for participant in participants]
    records, steps, holds = _entries(ids), _by_participant(PrescribedDose, ids), \
        _by_participant(DoseHold, ids)
    answer = []
    for participant in participants:
        first = participant.enrolled_on
        last = first + timedelta(days=window_days - 1)
        mine = records.get(participant.id, {})
        today = local_today(participant.timezone)
        counted = min(last, today if today in mine else today - timedelta(days=1))
        prescribed = prescribed_by_day(first, last, steps.get(participant.id, []),
                                       holds.get(participant.id, []))
        days = [CohortDay(number, day, classify(prescribed[day], mine.get(day))
                          if day <= counted else NOT_YET)
                for number, day in enumerate(dates(first, last), start=1)]
        figures = summarise(dates(first, counted), prescribed, mine, study.adherence_threshold)
        answer.append(ParticipantDays(participant.id, participant.study_code, participant.demo,
                                      days, figures))
    return answer


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


@dataclass(frozen=True)
class SeriousEvent:
    study_code: str
    term: str
    grade: int
    onset_date: str
    seriousness: list


def adverse_event_table(participants: list[Participant]) -> tuple[list[TermRow],
                                                                  list[SeriousEvent]]:
    """Return participants by term and worst grade (of ``participants``), and serious events."""
    codes = {participant.id: participant.study_code for participant in participants}
    rows = db.session.execute(
        select(AdverseEvent.participant_id, AdverseEventVersion)
        .join(AdverseEventVersion, AdverseEventVersion.adverse_event_id == AdverseEvent.id)
        .where(AdverseEvent.participant_id.in_(list(codes)),
               AdverseEventVersion.is_current.is_(True))
        .order_by(AdverseEventVersion.onset_date, AdverseEvent.id)
    ).all() if codes else []
    table = worst_grade_table([(pid, version.term, version.grade) for pid, version in rows],
                              len(codes))
    serious = [SeriousEvent(codes[pid], version.term, version.grade, version.onset_date,
                            list(version.seriousness)) for pid, version in rows if version.serious]
    return table, serious


@dataclass(frozen=True)
class OpenAlert:
    id: int
    kind: str
    urgency: str
    status: str
    study_code: str | None
    created_at: datetime


def alert_panel(actor: Actor) -> tuple[list[OpenAlert], dict[tuple[str, str], int]]:
    """Return the alerts not yet closed, newest first, and counts by kind and status."""
    rows = db.session.execute(
        select(Alert, Participant.study_code)
        .outerjoin(Participant, Participant.id == Alert.participant_id)
        .where(visible_alerts(actor), Alert.status != CLOSED)
        .order_by(Alert.created_at.desc(), Alert.id.desc())
    ).all()
    open_alerts = [OpenAlert(alert.id, alert.kind, alert.urgency, alert.status, code,
                             alert.created_at) for alert, code in rows]
    counted = db.session.execute(
        select(Alert.kind, Alert.status, func.count())
        .where(visible_alerts(actor)).group_by(Alert.kind, Alert.status)
    ).all()
    return open_alerts, dict(Counter({(kind, status): n for kind, status, n in counted}))
