"""A participant's regimen: dose changes and holds."""

import marshmallow as ma

from api.schemas.common import WriteSchema, reason_field
from api.schemas.fields import Day, Milligrams
from api.schemas.participants import DOSE_TODAY, HELD_TODAY, dose_mg_today, on_hold_today

_MG = {"description": "Milligrams a day", "example": 300}


class DoseChangeCreateSchema(WriteSchema):
    """A new daily dose from a date on."""

    effective_from = Day(required=True)
    dose_mg = Milligrams(required=True, metadata=_MG)
    reason = reason_field()


DOSE_CHANGE_EXAMPLE = {"effective_from": "2026-03-16", "dose_mg": 300,
                       "reason": "Grade 3 periorbital oedema: reduced per protocol"}


class DoseHoldCreateSchema(WriteSchema):
    """A period in which the drug is held; no end date while it is open."""

    start_date = Day(required=True)
    end_date = Day(load_default=None, allow_none=True,
                   metadata={"description": "Last day held (inclusive)."})
    reason = reason_field()

    @ma.validates_schema
    def _ends_after_start(self, data, **kwargs):
        if data.get("end_date") is not None and data["end_date"] < data["start_date"]:
            raise ma.ValidationError("Before the start date.", "end_date")


DOSE_HOLD_EXAMPLE = {"start_date": "2026-04-01", "end_date": "2026-04-07",
                     "reason": "Grade 3 neutropenia"}


class DoseHoldEndSchema(WriteSchema):
    """The last day of an open hold."""

    end_date = Day(required=True,
                   metadata={"description": "Last day held (inclusive)."})
    reason = reason_field()


DOSE_HOLD_END_EXAMPLE = {"end_date": "2026-04-05", "reason": "Neutrophils recovered early"}


class PrescribedDoseSchema(ma.Schema):
    """One step of the prescribed-dose history."""

    id = ma.fields.Integer()
    effective_from = ma.fields.Date()
    dose_mg = ma.fields.Decimal(metadata=_MG)
    reason = ma.fields.String()
    created_by_staff_id = ma.fields.Integer(allow_none=True)
    created_at = ma.fields.AwareDateTime()


class DoseHoldSchema(ma.Schema):
    """One hold."""

    id = ma.fields.Integer()
    start_date = ma.fields.Date()
    end_date = ma.fields.Date(allow_none=True)
    reason = ma.fields.String()
    created_by_staff_id = ma.fields.Integer()
    created_at = ma.fields.AwareDateTime()


class RegimenSchema(ma.Schema):
    """Every dose step and hold of a participant, oldest first, and today's position."""

    participant_id = ma.fields.Integer(attribute="id")
    prescribed_doses = ma.fields.List(ma.fields.Nested(PrescribedDoseSchema))
    holds = ma.fields.List(ma.fields.Nested(DoseHoldSchema), attribute="dose_holds")
    current_dose_mg = ma.fields.Function(dose_mg_today, allow_none=True, metadata=DOSE_TODAY)
    on_hold = ma.fields.Function(on_hold_today, metadata=HELD_TODAY)
