"""Alert figures a study team tunes its rules by: counts, time to acknowledge, yield.

- Counts by rule (kind) and urgency: GROUP BY in the database.
- Time to acknowledge: from raising to acknowledgement, over acknowledged alerts.
- The share of symptom reports that raised an alert: reports named in an alert's
  ``details.report_ids`` (how ``diary.operations.symptom_safety`` links them).
- The share of alerts acted on: closed by a staff member, whose close reason records
  what was done. Acknowledged but still open is seen, not yet acted on.
"""

from dataclasses import dataclass
from datetime import date, datetime

import numpy
from sqlalchemy import case, func, select

from diary.actor import Actor
from diary.extensions import db
from diary.models import Alert, Participant, SymptomReport
from diary.models.alert import CLOSED
from diary.operations.reports.report_scope import (
    Scope,
    check_dates,
    days,
    instants,
    report_scope,
)


def alert_figures(actor: Actor, site: str | None = None, start: date | None = None,
                  end: date | None = None, *, study_id: int | None = None) -> dict:
    """Return the alert figures of the alerts raised from ``start`` to ``end`` (UTC days)
    (``study_id``: at that study's sites only)."""
    check_dates(start, end)
    scope = report_scope(actor, site, study_id)
    raised = scope.where(Alert.site_id) & instants(start, end, Alert.created_at)
    waits = _waits(raised)
    kinds = [_kind_row(row) | {"acknowledge_minutes": _spread(waits.get((row.kind, row.urgency),
                                                                     []))}
             for row in _counts(raised)]
    total = sum(row["alerts"] for row in kinds)
    acted = sum(row["acted_on"] for row in kinds)
    return {"site": scope.site_code, "start": start, "end": end, "alerts": total,
            "by_kind": kinds,
            "acknowledge_minutes": _spread([wait for kind in waits.values() for wait in kind]),
            "acted_on": {"n": acted, "share": acted / total if total else None},
            "symptom_reports": _report_yield(scope, start, end)}


def _counts(raised):
    acknowledged = func.sum(case((Alert.acknowledged_at.is_not(None), 1), else_=0))
    closed = func.sum(case((Alert.closed_at.is_not(None), 1), else_=0))
    acted = func.sum(case((Alert.closed_by_staff_id.is_not(None), 1), else_=0))
    return db.session.execute(
        select(Alert.kind, Alert.urgency, func.count().label("alerts"),
               acknowledged.label("acknowledged"), closed.label("closed"),
               acted.label("acted_on"))
        .where(raised).group_by(Alert.kind, Alert.urgency).order_by(Alert.kind, Alert.urgency)
    ).all()


def _kind_row(row) -> dict:
    return {"kind": row.kind, "urgency": row.urgency, "alerts": int(row.alerts),
            "acknowledged": int(row.acknowledged or 0), "closed": int(row.closed or 0),
            "acted_on": int(row.acted_on or 0)}


def _waits(raised) -> dict[tuple[str, str], list[float]]:
    """Return the minutes from raising to acknowledgement, by kind and urgency."""
    rows = db.session.execute(
        select(Alert.kind, Alert.urgency, Alert.created_at, Alert.acknowledged_at)
        .where(raised, Alert.acknowledged_at.is_not(None))
    ).all()
    waits: dict[tuple[str, str], list[float]] = {}
    for kind, urgency, created, acknowledged in rows:
        waits.setdefault((kind, urgency), []).append(
            (acknowledged - created).total_seconds() / 60)
    return waits


def _spread(minutes: list[float]) -> dict:
    if not minutes:
        return {"n": 0, "median": None, "p90": None}
    # numpy's default (linear) percentile: p90 of one value is that value.
    return {"n": len(minutes), "median": float(numpy.median(minutes)),
            "p90": float(numpy.percentile(minutes, 90))}


def _report_yield(scope: Scope, start: date | None, end: date | None) -> dict:
    window = days(start, end, SymptomReport.report_date)
    reports = set(db.session.execute(
        select(SymptomReport.id)
        .join(Participant, Participant.id == SymptomReport.participant_id)
        .where(scope.participants, window)
    ).scalars())
    # The link lives in the alert's JSON details; read them for the covered sites only.
    details = db.session.execute(
        select(Alert.details).where(scope.where(Alert.site_id),
                                    Alert.participant_id.is_not(None))
    ).scalars()
    alerting = {report_id for detail in details for report_id in detail.get("report_ids", [])}
    n = len(reports & alerting)
    return {"reports": len(reports), "raised_alert": n,
            "share": n / len(reports) if reports else None}


@dataclass(frozen=True)
class OpenAlert:
    id: int
    kind: str
    urgency: str
    status: str
    study_code: str | None
    created_at: datetime


def open_alerts(actor: Actor, site: str | None = None, *,
                study_id: int | None = None) -> list[OpenAlert]:
    """Return the alerts not yet closed (open or acknowledged), newest first."""
    scope = report_scope(actor, site, study_id)
    rows = db.session.execute(
        select(Alert, Participant.study_code)
        .outerjoin(Participant, Participant.id == Alert.participant_id)
        .where(scope.where(Alert.site_id), Alert.status != CLOSED)
        .order_by(Alert.created_at.desc(), Alert.id.desc())
    ).all()
    return [OpenAlert(alert.id, alert.kind, alert.urgency, alert.status, code,
                      alert.created_at) for alert, code in rows]
