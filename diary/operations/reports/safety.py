"""Safety tables: adverse events by CTCAE term and worst grade, PRO-CTCAE items by worst grade.

Each participant counts once per term (or item), at their worst grade, over the current
version of each adverse event; the sums are GROUP BYs in the database.

Both tables take a window (``diary.operations.reports.windows``): study days or dates.
Adverse events are kept by onset, symptom reports by report date; the denominator is the
participants followed during the window. An onset known only to the month or the year
counts when it could lie in the window, and the table says how many events were counted
so (``partial_onsets``): they could lie outside it too.
"""

from sqlalchemy import case, func, select

from diary.actor import Actor
from diary.clock import local_today
from diary.errors import InvalidInput
from diary.extensions import db
from diary.models import (
    AdverseEvent,
    AdverseEventVersion,
    Participant,
    SymptomAnswer,
    SymptomReport,
)
from diary.operations.reports import windows
from diary.operations.reports.report_scope import Scope, report_scope
from diary.rules.pro_ctcae import MAX_GRADE
from diary.rules.report_windows import Window, window_errors
from diary.rules.rounding import percent

# The columns of the table a paper prints: any grade, 1-2, 3, 4 and 5 (CTCAE v5).
GRADE_BANDS = {"any": (1, 5), "grade_1_2": (1, 2), "grade_3": (3, 3), "grade_4": (4, 4),
               "grade_5": (5, 5)}
NO_WINDOW = Window()


def _checked(window: Window) -> None:
    # The API's schema refuses these first; other callers get the same 422.
    errors = window_errors(window)
    if errors:
        raise InvalidInput("The request has invalid fields.", errors)


def _followed(scope: Scope, window: Window):
    """Return a WHERE clause keeping the covered participants followed during the window."""
    zones = db.session.execute(
        select(Participant.timezone).where(scope.participants).distinct()).scalars()
    return scope.participants & windows.followed(window, {zone: local_today(zone)
                                                          for zone in zones})


def _denominator(followed) -> int:
    return db.session.execute(
        select(func.count()).select_from(Participant).where(followed)
    ).scalar_one()


def adverse_event_table(actor: Actor, site: str | None = None, window: Window = NO_WINDOW,
                        *, study_id: int | None = None) -> dict:
    """Return participants by CTCAE term and worst grade, and the serious events, over the
    events whose onset could lie in the window (``study_id``: that study's sites only)."""
    _checked(window)
    scope = report_scope(actor, site, study_id)
    followed = _followed(scope, window)
    version = AdverseEventVersion
    kept = (version.is_current.is_(True) & followed
            & windows.could_lie_in(window, version.onset_date, version.onset_precision))
    participants = _denominator(followed)
    terms = [_term_row(row, participants) for row in _worst_by_term(kept)]
    events, partial = _event_counts(kept, window)
    return {"site": scope.site_code, "window": window._asdict(), "participants": participants,
            "events": events, "partial_onsets": partial,
            "terms": sorted(terms, key=lambda term: (-term["any"]["n"], term["term"])),
            "serious_events": _serious_events(kept)}


def _event_counts(kept, window: Window) -> tuple[int, int]:
    version = AdverseEventVersion
    partial = windows.could_lie_outside(window, version.onset_date, version.onset_precision)
    events, on_partial = db.session.execute(
        select(func.count(), func.sum(case((partial, 1), else_=0)))
        .select_from(version)
        .join(AdverseEvent, AdverseEvent.id == version.adverse_event_id)
        .join(Participant, Participant.id == AdverseEvent.participant_id)
        .where(kept)
    ).one()
    return int(events), int(on_partial or 0)


def _worst_by_term(kept):
    version = AdverseEventVersion
    worst = (
        select(version.ctcae_term, version.verbatim_term, AdverseEvent.participant_id,
               func.max(version.grade).label("grade"),
               func.max(case((version.serious.is_(True), 1), else_=0)).label("serious"))
        .join(AdverseEvent, AdverseEvent.id == version.adverse_event_id)
        .join(Participant, Participant.id == AdverseEvent.participant_id)
        .where(kept)
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


def _serious_events(kept) -> list[dict]:
    version = AdverseEventVersion
    rows = db.session.execute(
        select(version, Participant.study_code, AdverseEvent.participant_id)
        .join(AdverseEvent, AdverseEvent.id == version.adverse_event_id)
        .join(Participant, Participant.id == AdverseEvent.participant_id)
        .where(kept, version.serious.is_(True))
        .order_by(version.onset_date, AdverseEvent.id)
    ).all()
    return [{"adverse_event_id": current.adverse_event_id, "participant_id": participant_id,
             "study_code": code, "term": current.term, "grade": current.grade,
             "seriousness": list(current.seriousness), "onset_date": current.onset_date,
             "end_date": current.end_date, "outcome": current.outcome,
             "relatedness": current.relatedness,
             "reported_to_sponsor_at": current.reported_to_sponsor_at}
            for current, code, participant_id in rows]


def symptom_table(actor: Actor, site: str | None = None, window: Window = NO_WINDOW,
                  *, study_id: int | None = None) -> dict:
    """Return, per PRO-CTCAE item, the participants by worst composite grade (0-3), over
    the reports whose date is in the window."""
    _checked(window)
    scope = report_scope(actor, site, study_id)
    followed = _followed(scope, window)
    answer = SymptomAnswer
    worst = (
        select(answer.item_key, answer.participant_id, func.max(answer.grade).label("grade"))
        .join(SymptomReport, SymptomReport.id == answer.report_id)
        .join(Participant, Participant.id == answer.participant_id)
        # Measurements (weight) carry no grade.
        .where(answer.grade.is_not(None), followed,
               windows.on_days(window, SymptomReport.report_date))
        .group_by(answer.item_key, answer.participant_id)
        .subquery()
    )
    grades = [func.sum(case((worst.c.grade == grade, 1), else_=0)).label(f"grade_{grade}")
              for grade in range(MAX_GRADE + 1)]
    rows = db.session.execute(
        select(worst.c.item_key, func.count().label("answered"), *grades)
        .group_by(worst.c.item_key).order_by(worst.c.item_key)
    ).all()
    return {"site": scope.site_code, "window": window._asdict(),
            # Kept beside the window: the dates this report took before it took study days.
            "start": window.start, "end": window.end,
            "participants": _denominator(followed),
            "items": [_item_row(row) for row in rows]}


def _item_row(row) -> dict:
    answered = int(row.answered)
    return {"item": row.item_key, "participants": answered,
            **{f"grade_{grade}": {"n": int(getattr(row, f"grade_{grade}") or 0),
                                  "percent": percent(int(getattr(row, f"grade_{grade}") or 0),
                                                      answered)}
               for grade in range(MAX_GRADE + 1)}}
