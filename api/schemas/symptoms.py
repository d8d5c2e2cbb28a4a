"""Schemas of symptom reports: the items the app asks, a report as written, its answer."""

from typing import NamedTuple

import marshmallow as ma
from marshmallow.validate import Length, OneOf

from api.schemas.common import QueryArgsSchema, WriteSchema, reason_field
from api.schemas.fields import Day, Kilograms, Score, StrictBoolean, Text
from diary.models.symptom_report import ADVICE, SOURCES
from diary.operations.studies import shipped_item_keys
from diary.rules.symptom_answers import (
    MAX_OTHER_SYMPTOMS,
    PREGNANCY_OF,
    AnswerInput,
    SymptomReportInput,
)
from diary.rules.symptom_items import ATTRIBUTES, KG

# The keys of the shipped studies' items. The study's own list is checked when a report
# is recorded, so a study loaded from another file may have keys of its own.
ITEM_KEYS = list(shipped_item_keys())
MAX_ITEMS = 50
_ITEM = {"enum": ITEM_KEYS, "description": "An item's key (GET /me/symptom-items lists them)."}
_SCORE = "0-4, as PRO-CTCAE scores it (the answer's index in GET /me/symptom-items)."


class SymptomAnswerWriteSchema(WriteSchema):
    """One item's answer: only the attributes the item has."""

    item = Text(required=True, validate=Length(min=1, max=40), metadata=_ITEM)
    frequency = Score(metadata={"description": _SCORE})
    severity = Score(metadata={"description": _SCORE})
    interference = Score(metadata={"description": _SCORE})
    presence = StrictBoolean()
    kg = Kilograms(metadata={"description": "A weight, in kg."})

    @ma.post_load
    def _as_input(self, data, **kwargs) -> AnswerInput:
        item = data.pop("item")
        return AnswerInput(item, data)


class SymptomReportWriteSchema(WriteSchema):
    """A report as the phone sends it; several a day are allowed."""

    client_id = ma.fields.UUID(required=True, metadata={
        "description": "Made by the phone for this write; the same id again is a retry."})
    report_date = Day(required=True, metadata={
        "description": "The participant's local day the report was completed."})
    items = ma.fields.List(ma.fields.Nested(SymptomAnswerWriteSchema), required=True,
                           validate=Length(max=MAX_ITEMS), metadata={"description": (
                               "The items answered, each once. When an item's first "
                               "attribute is 0, the others may be left out (scored 0).")})
    other_symptoms = Text(allow_none=True, validate=Length(max=MAX_OTHER_SYMPTOMS), metadata={
        "description": "Anything else, in the participant's words; a person reads it."})
    emergency_visit = StrictBoolean(required=True, metadata={
        "description": "An emergency-room visit or a hospital admission since the last "
                       "report."})
    pregnancy = StrictBoolean(required=True, metadata={
        "description": "A pregnancy, the participant's own or a partner's."})
    pregnancy_of = Text(allow_none=True, validate=OneOf(PREGNANCY_OF), metadata={
        "description": "Required with a pregnancy."})
    pregnancy_date = Day(allow_none=True, metadata={
        "description": "Required with a pregnancy: the day it was found."})

    @ma.post_load
    def _as_input(self, data, **kwargs) -> SymptomReportInput:
        return SymptomReportInput(**data)


class StaffSymptomReportWrite(NamedTuple):
    """A report staff enter, and why they enter it."""

    report: SymptomReportInput
    reason: str


class StaffSymptomReportWriteSchema(SymptomReportWriteSchema):
    """A report staff enter on a participant's behalf, with the reason they do."""

    reason = reason_field()

    @ma.post_load
    def _as_input(self, data, **kwargs) -> StaffSymptomReportWrite:
        reason = data.pop("reason")
        return StaffSymptomReportWrite(SymptomReportInput(**data), reason)


SYMPTOM_REPORT_EXAMPLE = {
    "client_id": "7c9e6679-7425-40de-944b-e07fc1f90ae7", "report_date": "2026-03-05",
    "items": [
        {"item": "nausea", "frequency": 2, "severity": 1},
        {"item": "diarrhea", "frequency": 0},
        {"item": "fatigue", "severity": 1, "interference": 1},
        {"item": "rash", "presence": False},
        {"item": "weight_kg", "kg": 61.4},
    ],
    "emergency_visit": False, "pregnancy": False,
}
STAFF_SYMPTOM_REPORT_EXAMPLE = {
    "client_id": "0f8fad5b-d9cb-469f-a165-70867728950e", "report_date": "2026-03-04",
    "items": [{"item": "muscle_cramps", "frequency": 3, "severity": 2}],
    "emergency_visit": False, "pregnancy": False,
    "reason": "Told the coordinator at the clinic visit; the app was not set up yet",
}


class SymptomAnswerSchema(ma.Schema):
    """One item's answer: its scores (sent or imputed), its composite grade, or a weight."""

    item = ma.fields.String(metadata=_ITEM)
    grade = ma.fields.Integer(allow_none=True, metadata={
        "description": "PRO-CTCAE composite grade 0-3 (not a CTCAE grade); null for a weight."})
    frequency = ma.fields.Integer(allow_none=True)
    severity = ma.fields.Integer(allow_none=True)
    interference = ma.fields.Integer(allow_none=True)
    presence = ma.fields.Boolean(allow_none=True)
    kg = ma.fields.Decimal(allow_none=True)
    imputed = ma.fields.List(ma.fields.String(metadata={"enum": list(ATTRIBUTES)}), metadata={
        "description": "Attributes not sent, scored 0 because the first one was 0."})

    @ma.pre_dump
    def _flatten(self, answer, **kwargs) -> dict:
        # Only the item's own attributes, as it was asked.
        flat = {"item": answer.item_key, "grade": answer.grade,
                "imputed": [score.attribute for score in answer.scores if score.imputed]}
        if answer.kg is not None:
            flat["kg"] = answer.kg
        for score in answer.scores:
            flat[score.attribute] = bool(score.score) if score.attribute == "presence" else (
                score.score)
        return flat


class SymptomReportSchema(ma.Schema):
    """A recorded report."""

    id = ma.fields.Integer()
    client_id = ma.fields.String()
    report_date = ma.fields.Date()
    study_day = ma.fields.Integer(metadata={"description": "Enrolment is day 1; no day 0."})
    items = ma.fields.List(ma.fields.Nested(SymptomAnswerSchema), attribute="answers")
    other_symptoms = ma.fields.String(allow_none=True)
    emergency_visit = ma.fields.Boolean()
    pregnancy = ma.fields.Boolean()
    pregnancy_of = ma.fields.String(allow_none=True, metadata={"enum": list(PREGNANCY_OF)})
    pregnancy_date = ma.fields.Date(allow_none=True)
    advice = ma.fields.String(metadata={"enum": list(ADVICE), "description":
                                        "What the answer told the participant to do."})
    source = ma.fields.String(metadata={"enum": list(SOURCES)})
    recorded_at = ma.fields.AwareDateTime()


class StaffSymptomReportSchema(SymptomReportSchema):
    """A report as staff see it: also who entered it on the participant's behalf."""

    recorded_by_staff_id = ma.fields.Integer(allow_none=True)


class SelfCareSchema(ma.Schema):
    item = ma.fields.String(metadata=_ITEM)
    text = ma.fields.String()


class AdviceSchema(ma.Schema):
    """What to do now, in the participant's language."""

    action = ma.fields.String(metadata={"enum": list(ADVICE), "description": (
        "contact_now: call the study team now; team_will_review: the team will look at "
        "the report; self_care: the advice below; recorded: nothing to do.")})
    message = ma.fields.String()
    phone = ma.fields.String(allow_none=True, metadata={
        "description": "The study team's number, as dialled from anywhere."})
    self_care = ma.fields.List(ma.fields.Nested(SelfCareSchema), metadata={
        "description": "Advice for each item graded 1 or 2."})


class SymptomReportAnswerSchema(ma.Schema):
    """The report as recorded, and what the participant should do now."""

    report = ma.fields.Nested(SymptomReportSchema)
    advice = ma.fields.Nested(AdviceSchema)


class StaffSymptomReportAnswerSchema(SymptomReportAnswerSchema):
    report = ma.fields.Nested(StaffSymptomReportSchema)


class SymptomReportQueryArgsSchema(QueryArgsSchema):
    """A window of report dates, inclusive."""

    start = Day(data_key="from", load_default=None)
    end = Day(data_key="to", load_default=None)


class SymptomQuestionSchema(ma.Schema):
    attribute = ma.fields.String(metadata={"enum": list(ATTRIBUTES)})
    text = ma.fields.String()
    choices = ma.fields.List(ma.fields.String(), metadata={
        "description": "The answers, the first scoring 0 (presence: no, yes); none for kg."})


class SymptomItemSchema(ma.Schema):
    """One item: what to ask and what may be answered."""

    key = ma.fields.String(metadata=_ITEM)
    pro_ctcae_item = ma.fields.Integer(allow_none=True, metadata={
        "description": "The NCI PRO-CTCAE item-library number; null for a study item."})
    text = ma.fields.String()
    attributes = ma.fields.List(ma.fields.String(metadata={"enum": list(ATTRIBUTES)}))
    questions = ma.fields.List(ma.fields.Nested(SymptomQuestionSchema))
    unit = ma.fields.String(allow_none=True, metadata={"enum": [KG]})
    minimum = ma.fields.Decimal(allow_none=True)
    maximum = ma.fields.Decimal(allow_none=True)


class ReportQuestionsSchema(ma.Schema):
    emergency_visit = ma.fields.String()
    pregnancy = ma.fields.String()
    pregnancy_date = ma.fields.String()
    other_symptoms = ma.fields.String()


class SymptomItemsSchema(ma.Schema):
    """The study's items and the report's own questions, in the participant's language."""

    recall_days = ma.fields.Integer(metadata={"description": "The items ask about these days."})
    items = ma.fields.List(ma.fields.Nested(SymptomItemSchema))
    questions = ma.fields.Nested(ReportQuestionsSchema)
