"""Tumour assessments and vital status as staff record and read them."""

import marshmallow as ma
from marshmallow.validate import Length, OneOf

from api.schemas.common import QueryArgsSchema, WriteSchema, reason_field
from api.schemas.fields import Day, QueryBoolean, Text
from diary.rules.outcomes import VITAL_STATUSES
from diary.rules.primary_endpoint import RESPONSES

_RESPONSE = {"enum": list(RESPONSES),
             "description": "RECIST 1.1 overall response: complete response, partial "
                            "response, stable disease, progressive disease, not evaluable."}


def _assessment_fields(required: bool) -> dict[str, ma.fields.Field]:
    needed = {"required": True} if required else {}
    return {
        "visit_date": Day(**needed, metadata={
            "description": "Not before enrolment nor after today (the participant's day)."}),
        "response": Text(validate=OneOf(RESPONSES), **needed, metadata=_RESPONSE),
        "note": Text(allow_none=True, validate=Length(max=2000)),
    }


class AssessmentCreateSchema(WriteSchema.from_dict(_assessment_fields(required=True))):
    """A new tumour assessment: the visit date and the overall response."""

    reason = reason_field(required=False)


class AssessmentUpdateSchema(WriteSchema.from_dict(_assessment_fields(required=False))):
    """What changes in an assessment, and why: a new version, the old one kept."""

    reason = reason_field()

    @ma.validates_schema
    def _changes_something(self, data, **kwargs):
        if set(data) <= {"reason"}:
            raise ma.ValidationError("Send the fields that change, with the reason.")


ASSESSMENT_CREATE_EXAMPLE = {"visit_date": "2026-06-20", "response": "SD",
                             "note": "MRI: target lesion 52 mm (baseline 55 mm)"}
ASSESSMENT_UPDATE_EXAMPLE = {"response": "PR", "reason": "Central review: 31 % shrinkage"}


class AssessmentQueryArgsSchema(QueryArgsSchema):
    """``history`` adds every version, oldest first."""

    history = QueryBoolean(load_default=False)


class AssessmentVersionSchema(ma.Schema):
    """One version of an assessment: what staff stated, when and why."""

    version = ma.fields.Integer()
    is_current = ma.fields.Boolean()
    visit_date = ma.fields.Date()
    response = ma.fields.String(metadata=_RESPONSE)
    note = ma.fields.String(allow_none=True)
    change_reason = ma.fields.String(allow_none=True)
    recorded_at = ma.fields.AwareDateTime()
    recorded_by_staff_id = ma.fields.Integer()
    superseded_at = ma.fields.AwareDateTime(allow_none=True)


_VERSION_ATTRIBUTES = tuple(AssessmentVersionSchema._declared_fields)


class AssessmentSchema(AssessmentVersionSchema):
    """An assessment: its current version, and its versions if asked."""

    id = ma.fields.Integer(metadata={"description": "The same for every version."})
    participant_id = ma.fields.Integer()
    created_at = ma.fields.AwareDateTime()
    created_by_staff_id = ma.fields.Integer()
    versions = ma.fields.List(ma.fields.Nested(AssessmentVersionSchema), metadata={
        "description": "Every version, oldest first: only with history=true."})

    @ma.pre_dump
    def _flatten(self, record, **kwargs) -> dict:
        assessment = record.assessment
        flat = {name: getattr(record.current, name) for name in _VERSION_ATTRIBUTES}
        flat |= {"id": assessment.id, "participant_id": assessment.participant_id,
                 "created_at": assessment.created_at,
                 "created_by_staff_id": assessment.created_by_staff_id}
        if record.history is not None:
            flat["versions"] = record.history
        return flat


class VitalStatusWriteSchema(WriteSchema):
    """A participant's vital status; it supersedes the current one, which needs a reason."""

    status = Text(required=True, validate=OneOf(VITAL_STATUSES))
    death_date = Day(allow_none=True, metadata={"description": "Required when dead."})
    last_known_alive_on = Day(allow_none=True, metadata={
        "description": "Required when alive; when dead, not after the death."})
    # Required once a record exists: the new one supersedes it.
    reason = reason_field(required=False)


VITAL_STATUS_EXAMPLE = {"status": "alive", "last_known_alive_on": "2026-06-20"}


class VitalStatusSchema(ma.Schema):
    """One vital status record; the current one has is_current."""

    id = ma.fields.Integer()
    participant_id = ma.fields.Integer()
    version = ma.fields.Integer()
    is_current = ma.fields.Boolean()
    status = ma.fields.String(metadata={"enum": list(VITAL_STATUSES)})
    death_date = ma.fields.Date(allow_none=True)
    last_known_alive_on = ma.fields.Date(allow_none=True)
    change_reason = ma.fields.String(allow_none=True)
    recorded_at = ma.fields.AwareDateTime()
    recorded_by_staff_id = ma.fields.Integer()
    superseded_at = ma.fields.AwareDateTime(allow_none=True)
