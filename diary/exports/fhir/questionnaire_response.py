"""A symptom report as a FHIR QuestionnaireResponse to the study's symptom questionnaire.

Each item is a group of its attributes' answers: a PRO-CTCAE score 0-4 as an integer,
presence as a boolean, a weight as a UCUM quantity. A score imputed after a "never"
(PRO-CTCAE's zero imputation) is exported as 0 and flagged, never passed off as answered.
The composite grade is derived, not answered, so it is not in the response.
"""

from diary.exports.fhir.systems import (
    SCORE_IMPUTED,
    UCUM,
    identifier_system,
    local_instant,
    questionnaire_url,
    reference,
)
from diary.json import decimal_to_json
from diary.models import SymptomAnswer, SymptomReport
from diary.rules.pro_ctcae import PRESENCE
from diary.rules.symptom_items import SymptomItem


def questionnaire_response(report: SymptomReport, *, subject: str, study_code: str,
                           items: dict[str, SymptomItem], timezone: str) -> dict:
    """Return the QuestionnaireResponse of one symptom report."""
    return {
        "resourceType": "QuestionnaireResponse",
        "identifier": {"system": identifier_system(study_code, "symptom-report"),
                       "value": str(report.id)},
        "questionnaire": questionnaire_url(study_code),
        "status": "completed",
        "subject": reference(subject),
        "authored": local_instant(report.recorded_at, timezone),
        "item": [*(_item(answer, items.get(answer.item_key)) for answer in report.answers),
                 *_report_items(report)],
    }


def _item(answer: SymptomAnswer, item: SymptomItem | None) -> dict:
    group = {"linkId": answer.item_key, "text": item.term if item else answer.item_key}
    if answer.kg is not None:
        group["answer"] = [{"valueQuantity": {"value": decimal_to_json(answer.kg), "unit": "kg",
                                              "system": UCUM, "code": "kg"}}]
        return group
    group["item"] = [_score(answer.item_key, score) for score in answer.scores]
    return group


def _score(key: str, score) -> dict:
    answer: dict = ({"valueBoolean": bool(score.score)} if score.attribute == PRESENCE
                    else {"valueInteger": score.score})
    if score.imputed:
        answer["extension"] = [{"url": SCORE_IMPUTED, "valueBoolean": True}]
    return {"linkId": f"{key}.{score.attribute}", "text": score.attribute,
            "answer": [answer]}


def _report_items(report: SymptomReport) -> list[dict]:
    """Return the report's own questions: the local day, a visit, a pregnancy, free text."""
    items = [
        _one("report_date", "Report date (local day)", {"valueDate": report.report_date
                                                         .isoformat()}),
        _one("emergency_visit", "Emergency visit or hospital admission",
             {"valueBoolean": report.emergency_visit}),
        _one("pregnancy", "Pregnancy", {"valueBoolean": report.pregnancy}),
    ]
    if report.pregnancy_of:
        items.append(_one("pregnancy_of", "Pregnancy of", {"valueString": report.pregnancy_of}))
    if report.pregnancy_date:
        items.append(_one("pregnancy_date", "Pregnancy date",
                          {"valueDate": report.pregnancy_date.isoformat()}))
    if report.other_symptoms:
        items.append(_one("other_symptoms", "Other symptoms",
                          {"valueString": report.other_symptoms}))
    return items


def _one(link_id: str, text: str, answer: dict) -> dict:
    return {"linkId": link_id, "text": text, "answer": [answer]}
