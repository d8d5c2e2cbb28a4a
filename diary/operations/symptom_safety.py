"""The safety rules' inputs from the database, and their alerts, in the report's transaction.

``diary.rules.safety`` decides; this module reads each item's baseline and the recent
weights before the new report is stored, and raises one alert per trigger after it is.
"""

from collections.abc import Sequence
from datetime import date, timedelta

from sqlalchemy import func, select

from diary.actor import Actor
from diary.extensions import db
from diary.models import Participant, SymptomAnswer, SymptomReport, SymptomScore
from diary.operations.alerts import raise_alert
from diary.operations.audit import record_audit
from diary.rules.safety import Baseline, SafetyParams, Trigger, Weighing, evaluate
from diary.rules.symptom_answers import GradedAnswer, SymptomReportInput
from diary.rules.symptom_items import SymptomItem


def evaluate_report(participant: Participant, report: SymptomReportInput,
                    answers: Sequence[GradedAnswer], items: dict[str, SymptomItem],
                    params: SafetyParams) -> list[Trigger]:
    """Return the rules a report not yet stored triggers, against the reports before it.

    Before it: reports of an earlier day, or of the same day and recorded already.
    """
    graded = [answer.item for answer in answers if items[answer.item].graded]
    weights = [answer.item for answer in answers if not items[answer.item].graded]
    return evaluate(
        report, answers,
        baselines=_baselines(participant.id, graded, report.report_date),
        weighings=_weighings(participant.id, weights, report.report_date, params),
        params=params,
    )


def _baselines(participant_id: int, item_keys: list[str], until: date) -> dict[str, Baseline]:
    """Return each item's scores in the first report that scored it (by day, then order)."""
    if not item_keys:
        return {}
    ranked = (
        select(SymptomAnswer.id, SymptomAnswer.item_key, SymptomAnswer.report_id,
               func.row_number().over(partition_by=SymptomAnswer.item_key,
                                      order_by=(SymptomReport.report_date, SymptomReport.id))
               .label("rank"))
        .join(SymptomReport, SymptomReport.id == SymptomAnswer.report_id)
        .where(SymptomAnswer.participant_id == participant_id,
               SymptomAnswer.item_key.in_(item_keys), SymptomReport.report_date <= until)
        .subquery()
    )
    rows = db.session.execute(
        select(ranked.c.item_key, ranked.c.report_id, SymptomScore.attribute, SymptomScore.score)
        .join(SymptomScore, SymptomScore.answer_id == ranked.c.id)
        .where(ranked.c.rank == 1)
    ).all()
    baselines: dict[str, Baseline] = {}
    for row in rows:
        baseline = baselines.setdefault(row.item_key, Baseline(row.report_id, {}))
        baseline.scores[row.attribute] = row.score
    return baselines


def _weighings(participant_id: int, item_keys: list[str], until: date,
               params: SafetyParams) -> list[Weighing]:
    """Return the weights recorded within the rule's window before ``until``."""
    if not item_keys:
        return []
    rows = db.session.execute(
        select(SymptomAnswer.report_id, SymptomReport.report_date, SymptomAnswer.kg)
        .join(SymptomReport, SymptomReport.id == SymptomAnswer.report_id)
        .where(SymptomAnswer.participant_id == participant_id,
               SymptomAnswer.item_key.in_(item_keys), SymptomAnswer.kg.is_not(None),
               SymptomReport.report_date.between(
                   until - timedelta(days=params.weight_window_days), until))
    ).all()
    return [Weighing(row.report_id, row.report_date, row.kg) for row in rows]


def raise_safety_alerts(participant: Participant, report: SymptomReport,
                        triggers: Sequence[Trigger], actor: Actor) -> None:
    """Raise an alert per trigger of a stored report, or add it to the open one.

    One open alert per participant, rule and item (per participant and rule for the
    rules of the report as a whole): a new trigger while it is open is added to its
    details, with no new text; once it is closed, a new trigger opens a new alert.
    """
    # One order for every report, so two reports at once take the alerts' locks in turn.
    for trigger in sorted(triggers, key=lambda t: (t.kind, t.item or "")):
        entry = {"report_id": report.id, **trigger.details}
        cause = f"{participant.id}:{trigger.item}" if trigger.item else None
        details = {"report_ids": [report.id], "triggers": [entry]}
        if trigger.item:
            details["item"] = trigger.item
        alert = raise_alert(trigger.kind, participant, cause=cause, details=details)
        if report.id not in alert.details.get("report_ids", []):
            _add_trigger(alert, entry, report, actor)


def _add_trigger(alert, entry: dict, report: SymptomReport, actor: Actor) -> None:
    # Read it again under a row lock: two reports adding to one alert at once both stay.
    db.session.refresh(alert, with_for_update=True)
    # A new dict: the JSON column sees a replaced value, not a change inside one.
    alert.details = {
        **alert.details,
        "report_ids": [*alert.details.get("report_ids", []), report.id],
        "triggers": [*alert.details.get("triggers", []), entry],
    }
    record_audit(actor, "alert.triggered_again", alert, participant_id=alert.participant_id,
                 after={"report_id": report.id})
