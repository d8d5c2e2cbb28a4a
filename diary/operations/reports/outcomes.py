"""The primary endpoint and survival at week 16, over the participants of a report's scope.

The operation gathers each participant's current assessments and vital status; the rules
(``diary.rules.primary_endpoint``) decide. Adherence over days 1-112 is the cohort
adherence report's (``diary.operations.reports.adherence``): one statement for the whole
scope, each window cut to withdrawal and to the days already over.
"""

import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from diary.actor import Actor
from diary.extensions import db
from diary.models import (
    Participant,
    Site,
    Study,
    TumourAssessment,
    TumourAssessmentVersion,
    VitalStatus,
)
from diary.operations.reports.adherence import participant_figures
from diary.operations.reports.report_scope import Scope, report_scope
from diary.rules import primary_endpoint as rules
from diary.rules.outcomes import DEAD
from diary.rules.report_windows import Window
from diary.rules.study_days import date_of_study_day, study_day


@dataclass(frozen=True)
class ParticipantOutcome:
    """One participant's row of the primary analysis."""

    participant_id: int
    study_code: str
    site: str
    target_day: int
    outcome: str
    not_evaluable_reason: str | None
    visit_date: date | None
    visit_day: int | None
    response: str | None
    survival: str
    adherence: Decimal | None


def primary_endpoint(actor: Actor, site: str | None = None, *,
                     study_id: int | None = None) -> dict:
    """Return the week-16 non-progression rate, survival and adherence by outcome
    (``study_id``: that study's participants only)."""
    scope = report_scope(actor, site, study_id)
    rows = participant_outcomes(scope)
    return {
        "site": scope.site_code,
        "studies": _studies(scope),
        "participants": len(rows),
        "non_progression": _rate([row.outcome for row in rows if row.outcome
                                  != rules.UNEVALUABLE], rules.NON_PROGRESSING),
        "not_evaluable": [row for row in rows if row.outcome == rules.UNEVALUABLE],
        "survival": _survival(rows),
        "adherence": {
            "non_progressing": _spread(row.adherence for row in rows
                                       if row.outcome == rules.NON_PROGRESSING),
            "progressing": _spread(row.adherence for row in rows
                                   if row.outcome == rules.PROGRESSING),
        },
        "rows": rows,
    }


def participant_outcomes(scope: Scope) -> list[ParticipantOutcome]:
    """Return every covered participant's outcome, by study code."""
    participants = db.session.execute(
        select(Participant, Site.code).join(Site, Site.id == Participant.site_id)
        .where(scope.participants).order_by(Participant.study_code, Participant.id)
    ).all()
    studies = {study.id: study for study in db.session.execute(select(Study)).scalars()}
    assessed = _assessments(scope)
    vital = _vital_status(scope)
    adherence = _adherence(scope)
    return [_outcome(participant, code, studies[participant.study_id],
                     assessed.get(participant.id, []), vital.get(participant.id),
                     adherence.get(participant.id))
            for participant, code in participants]


def _outcome(participant: Participant, site_code: str, study: Study,
             visits: list[tuple[date, str, int]], vital: VitalStatus | None,
             adherence: Decimal | None) -> ParticipantOutcome:
    target = study.primary_window_days
    enrolled = participant.enrolled_on
    assessed = [rules.Assessed(study_day(enrolled, visit), response, order)
                for visit, response, order in visits]
    classified = rules.classify(assessed, target, rules.window_days(study.definition))
    chosen = classified.assessment
    return ParticipantOutcome(
        participant_id=participant.id, study_code=participant.study_code, site=site_code,
        target_day=target, outcome=classified.outcome,
        not_evaluable_reason=classified.reason,
        visit_date=date_of_study_day(enrolled, chosen.study_day) if chosen else None,
        visit_day=chosen.study_day if chosen else None,
        response=chosen.response if chosen else None,
        survival=_survival_of(enrolled, target, visits, vital),
        adherence=adherence if classified.outcome != rules.UNEVALUABLE else None)


def _survival_of(enrolled: date, target: int, visits: list, vital: VitalStatus | None) -> str:
    # A tumour assessment is a visit the participant came to: alive that day too.
    alive_on = [visit for visit, _, _ in visits]
    if vital is not None and vital.last_known_alive_on is not None:
        alive_on.append(vital.last_known_alive_on)
    dead = vital is not None and vital.status == DEAD
    return rules.survival_at(
        target, dead=dead,
        death_day=study_day(enrolled, vital.death_date) if dead else None,
        last_known_alive_day=study_day(enrolled, max(alive_on)) if alive_on else None)


def _adherence(scope: Scope) -> dict[int, Decimal | None]:
    # From day 1 to each study's primary window's end (the target day): no to_day given.
    site_id = scope.site.id if scope.site is not None else None
    # One study's: its participants only (the site filter alone would take every study's).
    ids = (None if scope.study_id is None
           else db.session.execute(select(Participant.id).where(scope.participants))
           .scalars().all())
    return {row.participant_id: row.figures.adherence
            for row in participant_figures(scope.actor, Window(from_day=1), site_id, ids)}


def _assessments(scope: Scope) -> dict[int, list[tuple[date, str, int]]]:
    version = TumourAssessmentVersion
    rows = db.session.execute(
        select(TumourAssessment.participant_id, version.visit_date, version.response,
               version.id)
        .join(version, version.assessment_id == TumourAssessment.id)
        .join(Participant, Participant.id == TumourAssessment.participant_id)
        .where(version.is_current.is_(True), scope.participants)
    ).all()
    by_participant: dict[int, list] = defaultdict(list)
    for participant_id, visit, response, order in rows:
        by_participant[participant_id].append((visit, response, order))
    return by_participant


def _vital_status(scope: Scope) -> dict[int, VitalStatus]:
    rows = db.session.execute(
        select(VitalStatus).join(Participant, Participant.id == VitalStatus.participant_id)
        .where(VitalStatus.is_current.is_(True), scope.participants)
    ).scalars()
    return {row.participant_id: row for row in rows}


def _studies(scope: Scope) -> list[dict]:
    studies = db.session.execute(
        select(Study).where(Study.id.in_(
            select(Participant.study_id).where(scope.participants)))
        .order_by(Study.code)
    ).scalars()
    return [{"code": study.code, "target_day": study.primary_window_days,
             "window_days": rules.window_days(study.definition)} for study in studies]


def _rate(outcomes: list[str], success: str) -> dict:
    n, k = len(outcomes), outcomes.count(success)
    interval = rules.exact_interval(k, n)
    return {"n": n, "k": k, "rate": k / n if n else None,
            "ci_low": interval[0] if interval else None,
            "ci_high": interval[1] if interval else None}


def _survival(rows: list[ParticipantOutcome]) -> dict:
    followed = [row.survival for row in rows if row.survival != rules.CENSORED]
    return _rate(followed, rules.ALIVE) | {
        "alive": followed.count(rules.ALIVE), "dead": followed.count(rules.DEAD),
        "censored": len(rows) - len(followed)}


def _spread(values) -> dict:
    known = [value for value in values if value is not None]
    return {"n": len(known),
            "mean": statistics.mean(known) if known else None,
            "median": statistics.median(known) if known else None}
