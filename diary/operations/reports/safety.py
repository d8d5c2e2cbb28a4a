"""Safety tables: adverse events by CTCAE term and worst grade, PRO-CTCAE items by worst grade.

Each participant counts once per term (or item), at their worst grade, over the current
version of each adverse event; the sums are GROUP BYs in the database.
"""

from datetime import date

from sqlalchemy import case, func, select

from diary.actor import Actor
from diary.extensions import db
from diary.models import (
    AdverseEvent,
    AdverseEventVersion,
    Participant,
    SymptomAnswer,
    SymptomReport,
)
from diary.operations.reports.report_scope import Scope, check_dates, days, report_scope
from diary.rules.pro_ctcae import MAX_GRADE
from diary.rules.rounding import percent

# The columns of the table a paper prints: any grade, 1-2, 3, 4 and 5 (CTCAE v5).
GRADE_BANDS = {"any": (1, 5), "grade_1_2": (1, 2), "grade_3": (3, 3), "grade_4": (4, 4),
               "grade_5": (5, 5)}


def _denominator(scope: Scope) -> int:
    return db.session.execute(
        select(func.count()).select_from(Participant).where(scope.participants)
    ).scalar_one()


def adverse_event_table(actor: Actor, site: str | None = None) -> dict:
    """Return participants by CTCAE term and worst grade, and the serious events."""
    scope = report_scope(actor, site)
    participants = _denominator(scope)
    terms = [_term_row(row, participants) for row in _worst_by_term(scope)]
    return {"site": scope.site_code, "participants": participants,
            "terms": sorted(terms, key=lambda term: (-term["any"]["n"], term["term"])),
            "serious_events": _serious_events(scope)}


def _worst_by_term(scope: Scope):
    version = AdverseEventVersion
    worst = (
        select(version.ctcae_term, version.verbatim_term, AdverseEvent.participant_id,
               func.max(version.grade).label("grade"),
               func.max(case((version.serious.is_(True), 1), else_=0)).label("serious"))
        .join(AdverseEvent, AdverseEvent.id == version.adverse_event_id)
        .join(Participant, Participant.id == AdverseEvent.participant_id)
        .where(version.is_current.is_(True), scope.participants)
        .group_by(version.ctcae_term, version.verbatim_term, AdverseEvent.participant_id)
        .subquery()
    )
    bands = [func.sum(case((worst.c.grade.between(low, high), 1), else_=0)).label(name)
             for name, (low, high) in GRADE_BANDS.items()]
    return db.session.execute(
        select(worst.c.ctcae_term, worst.c.verbatim_term, *bands,
               func.sum(worst.c.serious).label("serious"))
        .group_by(worst.c.ctcae_term, worst.c.verbatim_term)
    ).all()


def _term_row(row, participants: int) -> dict:
    counts = {name: int(getattr(row, name) or 0) for name in GRADE_BANDS}
    return {"term": row.ctcae_term or row.verbatim_term, "coded": row.ctcae_term is not None,
            **{name: {"n": n, "percent": percent(n, participants)}
               for name, n in counts.items()},
            "serious_participants": int(row.serious or 0)}


def _serious_events(scope: Scope) -> list[dict]:
    version = AdverseEventVersion
    rows = db.session.execute(
        select(version, Participant.study_code, AdverseEvent.participant_id)
        .join(AdverseEvent, AdverseEvent.id == version.adverse_event_id)
        .join(Participant, Participant.id == AdverseEvent.participant_id)
        .where(version.is_current.is_(True), version.serious.is_(True), scope.participants)
        .order_by(version.onset_date, AdverseEvent.id)
    ).all()
    return [{"adverse_event_id": current.adverse_event_id, "participant_id": participant_id,
             "study_code": code, "term": current.term, "grade": current.grade,
             "seriousness": list(current.seriousness), "onset_date": current.onset_date,
             "end_date": current.end_date, "outcome": current.outcome,
             "relatedness": current.relatedness,
             "reported_to_sponsor_at": current.reported_to_sponsor_at}
            for current, code, participant_id in rows]


def symptom_table(actor: Actor, site: str | None = None, start: date | None = None,
                  end: date | None = None) -> dict:
    """Return, per PRO-CTCAE item, the participants by worst composite grade (0-3)."""
    check_dates(start, end)
    scope = report_scope(actor, site)
    answer = SymptomAnswer
    window = days(start, end, SymptomReport.report_date)
    worst = (
        select(answer.item_key, answer.participant_id, func.max(answer.grade).label("grade"))
        .join(SymptomReport, SymptomReport.id == answer.report_id)
        .join(Participant, Participant.id == answer.participant_id)
        # Measurements (weight) carry no grade.
        .where(answer.grade.is_not(None), scope.participants, window)
        .group_by(answer.item_key, answer.participant_id)
        .subquery()
    )
    grades = [func.sum(case((worst.c.grade == grade, 1), else_=0)).label(f"grade_{grade}")
              for grade in range(MAX_GRADE + 1)]
    rows = db.session.execute(
        select(worst.c.item_key, func.count().label("answered"), *grades)
        .group_by(worst.c.item_key).order_by(worst.c.item_key)
    ).all()
    return {"site": scope.site_code, "start": start, "end": end,
            "participants": _denominator(scope),
            "items": [_item_row(row) for row in rows]}


def _item_row(row) -> dict:
    answered = int(row.answered)
    return {"item": row.item_key, "participants": answered,
            **{f"grade_{grade}": {"n": int(getattr(row, f"grade_{grade}") or 0),
                                  "percent": percent(int(getattr(row, f"grade_{grade}") or 0),
                                                      answered)}
               for grade in range(MAX_GRADE + 1)}}
