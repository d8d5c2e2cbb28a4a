"""One symptom report as written, checked against the study's items, and graded.

A report answers some of the study's items (PRO-CTCAE's recall period is the past 7
days), says whether there was an emergency visit or a hospital admission and whether
there is a pregnancy, and may add free text. Zero imputation (PRO-CTCAE's own rule):
when an item's first attribute is 0 (never, none), the others may be left out; they
count as 0 and are marked imputed.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from diary.rules.doses import date_errors
from diary.rules.pro_ctcae import MAX_SCORE, PRESENCE, composite_grade
from diary.rules.symptom_items import KG, SymptomItem

PREGNANCY_OF = ("self", "partner")
MAX_OTHER_SYMPTOMS = 2000


@dataclass(frozen=True)
class AnswerInput:
    """One item's answer as sent: its key and the values by attribute name."""

    item: str
    values: dict


@dataclass(frozen=True)
class SymptomReportInput:
    """A report as the phone or staff write it."""

    client_id: str
    report_date: date
    emergency_visit: bool
    pregnancy: bool
    items: tuple[AnswerInput, ...] = ()
    other_symptoms: str | None = None
    pregnancy_of: str | None = None
    pregnancy_date: date | None = None

    def __post_init__(self):
        object.__setattr__(self, "client_id", str(self.client_id))
        object.__setattr__(self, "items", tuple(self.items))


@dataclass(frozen=True)
class GradedAnswer:
    """One item's answer, complete: every attribute scored (sent or imputed) and graded."""

    item: str
    scores: dict[str, int]  # presence: 1 yes, 0 no; empty for a measurement
    imputed: frozenset[str] = frozenset()
    grade: int | None = None  # None: a measurement (weight) has no grade
    kg: Decimal | None = None


def report_errors(report: SymptomReportInput, catalogue: dict[str, SymptomItem], *,
                  enrolled_on: date, local_today: date) -> dict:
    """Return the report's field errors (empty when it can be recorded)."""
    errors: dict = {}
    problems = date_errors(report.report_date, enrolled_on=enrolled_on, local_today=local_today)
    if problems:
        errors["report_date"] = problems
    items = answers_errors(report.items, catalogue)
    if items:
        errors["items"] = items
    errors.update(pregnancy_errors(report, local_today))
    return errors


def answers_errors(answers, catalogue: dict[str, SymptomItem]) -> dict[int, dict]:
    """Return errors by position in the list of answers, then by field."""
    errors: dict[int, dict] = {}
    seen: set[str] = set()
    for index, answer in enumerate(answers):
        item = catalogue.get(answer.item)
        if item is None:
            found = {"item": [f"Not an item of this study: {', '.join(catalogue)}."]}
        elif answer.item in seen:
            found = {"item": ["Answered twice in one report."]}
        else:
            found = answer_errors(answer.values, item)
        seen.add(answer.item)
        if found:
            errors[index] = found
    return errors


def answer_errors(values: dict, item: SymptomItem) -> dict[str, list[str]]:
    """Return what is wrong with one item's values: foreign, missing, out of range."""
    errors = {
        name: [f"{item.key} has no {name}; it has {', '.join(item.attributes)}."]
        for name in values if name not in item.attributes
    }
    for name in item.attributes:
        if name in values:
            problem = _value_problem(name, values[name], item)
            if problem:
                errors[name] = [problem]
    if errors:
        return errors
    first = values.get(item.first)
    if first is None:
        return {item.first: ["Required."]}
    for name in item.attributes[1:]:
        if first == 0 and values.get(name, 0) != 0:
            errors[name] = [f"Must be 0 (or left out) when {item.first} is 0."]
        elif first != 0 and name not in values:
            errors[name] = [f"Required unless {item.first} is 0."]
    return errors


def _value_problem(name: str, value, item: SymptomItem) -> str | None:
    if name == PRESENCE:
        return None if isinstance(value, bool) else "Must be true or false."
    if name == KG:
        if isinstance(value, bool) or not isinstance(value, int | Decimal):
            return "Must be a number of kg."
        if not item.minimum <= value <= item.maximum:
            return f"Must be from {item.minimum} to {item.maximum} kg."
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_SCORE:
        return f"Must be a whole number from 0 to {MAX_SCORE}."
    return None


def pregnancy_errors(report: SymptomReportInput, local_today: date) -> dict[str, list[str]]:
    """Return errors of the pregnancy question: who and when, only when there is one."""
    if not report.pregnancy:
        return {name: ["Only when pregnancy is true."]
                for name in ("pregnancy_of", "pregnancy_date")
                if getattr(report, name) is not None}
    errors = {}
    if report.pregnancy_of not in PREGNANCY_OF:
        errors["pregnancy_of"] = [f"Required with a pregnancy: {', '.join(PREGNANCY_OF)}."]
    if report.pregnancy_date is None:
        errors["pregnancy_date"] = ["Required with a pregnancy: the day it was found."]
    elif report.pregnancy_date > local_today:
        errors["pregnancy_date"] = [f"Must not be after today ({local_today.isoformat()})."]
    return errors


def grade_answer(answer: AnswerInput, item: SymptomItem) -> GradedAnswer:
    """Complete a checked answer (zero imputation) and grade it."""
    if not item.graded:
        return GradedAnswer(item.key, {}, kg=Decimal(answer.values[KG]))
    scores, imputed = {}, set()
    for name in item.attributes:
        if name in answer.values:
            scores[name] = int(answer.values[name])
        else:
            scores[name] = 0
            imputed.add(name)
    return GradedAnswer(item.key, scores, frozenset(imputed), composite_grade(scores))


def body_sha256(report: SymptomReportInput, *, source: str,
                staff_reason: str | None = None) -> str:
    """Return the SHA-256 of a report's canonical form (the same report -> the same digest).

    Items are a set: the same answers in another order are the same report.
    """
    canonical = {
        "report_date": report.report_date.isoformat(),
        "items": sorted((
            [answer.item, {name: _canonical(value) for name, value in answer.values.items()}]
            for answer in report.items), key=lambda pair: pair[0]),
        "other_symptoms": report.other_symptoms,
        "emergency_visit": report.emergency_visit,
        "pregnancy": report.pregnancy,
        "pregnancy_of": report.pregnancy_of,
        "pregnancy_date": report.pregnancy_date.isoformat() if report.pregnancy_date else None,
        "source": source,
        "staff_reason": staff_reason,
    }
    raw = json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def _canonical(value):
    if isinstance(value, Decimal):
        # 61.5 and 61.50 kg are one weight.
        return format(value.normalize(), "f")
    return value
