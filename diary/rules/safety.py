"""Safety rules over a participant's symptom reports: what needs a person, and how soon.

Pure functions of plain values; the operation gathers a report's history (each item's
baseline, the recent weights) and raises an alert per trigger. The parameters come from
the study file (``[safety]``); the defaults are NCT02495519's.

Urgent: a composite grade of 3 on any item; an emergency-room visit or a hospital
admission; a pregnancy (imatinib is teratogenic, and pregnancy excludes from the study).
Routine: an attribute scored 3 or 4 on an item graded below 3; an attribute 2 points or
more worse than the item's baseline (the first report that scored it; the rule used in
PRO-based monitoring studies); a weight 2 kg or more above the lowest of the previous 7
days (fluid retention, a known effect of imatinib); free text (a person must read it).
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from diary.json import decimal_to_json
from diary.rules.symptom_answers import GradedAnswer, SymptomReportInput

SEVERE_SYMPTOM = "severe_symptom"
EMERGENCY_VISIT = "emergency_visit"
PREGNANCY = "pregnancy"
SYMPTOM_HIGH = "symptom_high"
SYMPTOM_WORSE = "symptom_worse"
WEIGHT_GAIN = "weight_gain"
OTHER_SYMPTOMS = "other_symptoms"
# Every alert kind these rules raise (each registered in diary.rules.alerts).
KINDS = (SEVERE_SYMPTOM, EMERGENCY_VISIT, PREGNANCY, SYMPTOM_HIGH, SYMPTOM_WORSE,
         WEIGHT_GAIN, OTHER_SYMPTOMS)


@dataclass(frozen=True)
class SafetyParams:
    """The thresholds of the rules (study file, ``[safety]``)."""

    severe_grade: int = 3
    high_score: int = 3
    worse_by: int = 2
    weight_gain_kg: Decimal = Decimal(2)
    weight_window_days: int = 7


@dataclass(frozen=True)
class Baseline:
    """An item's scores in the first report that scored it."""

    report_id: int
    scores: Mapping[str, int]


@dataclass(frozen=True)
class Weighing:
    """A weight recorded in an earlier report."""

    report_id: int
    report_date: date
    kg: Decimal


@dataclass(frozen=True)
class Trigger:
    """A rule that fired: the alert kind, the item (None: the report as a whole), why.

    ``details`` hold keys, scores and ids only: never the participant's free text.
    """

    kind: str
    item: str | None
    details: dict


def safety_params(definition: dict) -> SafetyParams:
    """Return a study's rule thresholds: its file's ``[safety]``, or the defaults."""
    raw = definition.get("safety", {})
    values = {}
    for field in fields(SafetyParams):
        if field.name in raw:
            value = raw[field.name]
            values[field.name] = Decimal(str(value)) if field.type is Decimal else int(value)
    return SafetyParams(**values)


def safety_problems(definition: dict) -> list[str]:
    """Return what is wrong with a study's ``[safety]`` table (empty when usable)."""
    raw = definition.get("safety", {})
    if not isinstance(raw, dict):
        return ["Must be a table."]
    known = {field.name for field in fields(SafetyParams)}
    problems = [f"Unknown setting: {name}." for name in raw if name not in known]
    bounds = {"severe_grade": (1, 3), "high_score": (1, 4), "worse_by": (1, 4),
              "weight_window_days": (1, 90)}
    for name, (low, high) in bounds.items():
        value = raw.get(name, low)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            problems.append(f"{name}: a whole number from {low} to {high}.")
    try:
        gain = Decimal(str(raw.get("weight_gain_kg", 2)))
    except InvalidOperation:
        gain = Decimal(0)
    if isinstance(raw.get("weight_gain_kg"), bool) or not Decimal(0) < gain <= Decimal(50):
        problems.append("weight_gain_kg: more than 0 and at most 50.")
    return problems


def evaluate(report: SymptomReportInput, answers: Sequence[GradedAnswer], *,
             baselines: Mapping[str, Baseline], weighings: Sequence[Weighing],
             params: SafetyParams) -> list[Trigger]:
    """Return every rule a new report triggers, urgent ones first."""
    return [
        *severe_symptoms(answers, params),
        *report_level_urgent(report),
        *high_scores(answers, params),
        *worse_than_baseline(answers, baselines, params),
        *weight_gain(report.report_date, answers, weighings, params),
        *other_symptoms(report),
    ]


def severe_symptoms(answers: Sequence[GradedAnswer], params: SafetyParams) -> list[Trigger]:
    """Return an urgent trigger per item whose composite grade reaches the severe grade."""
    return [Trigger(SEVERE_SYMPTOM, answer.item, _scored(answer))
            for answer in answers if _grade(answer) >= params.severe_grade]


def report_level_urgent(report: SymptomReportInput) -> list[Trigger]:
    """Return the urgent triggers of the report's yes/no questions."""
    triggers = []
    if report.emergency_visit:
        triggers.append(Trigger(EMERGENCY_VISIT, None, {}))
    if report.pregnancy:
        triggers.append(Trigger(PREGNANCY, None, {"pregnancy_of": report.pregnancy_of}))
    return triggers


def high_scores(answers: Sequence[GradedAnswer], params: SafetyParams) -> list[Trigger]:
    """Return a routine trigger per item with a high score but a grade below severe."""
    return [
        Trigger(SYMPTOM_HIGH, answer.item, _scored(answer))
        for answer in answers
        if answer.grade is not None and answer.grade < params.severe_grade
        and any(score >= params.high_score for score in answer.scores.values())
    ]


def worse_than_baseline(answers: Sequence[GradedAnswer], baselines: Mapping[str, Baseline],
                        params: SafetyParams) -> list[Trigger]:
    """Return a routine trigger per item with an attribute far worse than its baseline.

    An item graded severe already raised an urgent alert: a routine one beside it would
    add a text and nothing else.
    """
    triggers = []
    for answer in answers:
        baseline = baselines.get(answer.item)
        if baseline is None or _grade(answer) >= params.severe_grade:
            continue
        worse = sorted(name for name, score in answer.scores.items()
                       if score - baseline.scores.get(name, score) >= params.worse_by)
        if worse:
            triggers.append(Trigger(SYMPTOM_WORSE, answer.item, {
                **_scored(answer), "worse": worse, "baseline_report_id": baseline.report_id,
                "baseline": dict(baseline.scores)}))
    return triggers


def weight_gain(report_date: date, answers: Sequence[GradedAnswer],
                weighings: Sequence[Weighing], params: SafetyParams) -> list[Trigger]:
    """Return a routine trigger when the weight is well above the recent lowest."""
    since = report_date - timedelta(days=params.weight_window_days)
    recent = [w for w in weighings if since <= w.report_date <= report_date]
    triggers = []
    for answer in answers:
        if answer.kg is None or not recent:
            continue
        lowest = min(recent, key=lambda w: (w.kg, w.report_date, w.report_id))
        if answer.kg - lowest.kg >= params.weight_gain_kg:
            triggers.append(Trigger(WEIGHT_GAIN, answer.item, {
                "item": answer.item, "kg": decimal_to_json(answer.kg),
                "lowest_kg": decimal_to_json(lowest.kg),
                "lowest_report_id": lowest.report_id}))
    return triggers


def other_symptoms(report: SymptomReportInput) -> list[Trigger]:
    """Return a routine trigger when the report has free text: a person must read it."""
    if report.other_symptoms and report.other_symptoms.strip():
        return [Trigger(OTHER_SYMPTOMS, None, {})]
    return []


def _grade(answer: GradedAnswer) -> int:
    return answer.grade if answer.grade is not None else -1


def _scored(answer: GradedAnswer) -> dict:
    return {"item": answer.item, "scores": dict(answer.scores), "grade": answer.grade}
