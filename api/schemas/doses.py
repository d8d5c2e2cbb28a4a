"""Schemas of the dose diary: writes from the phone and from staff, entries, sync, figures."""

from typing import NamedTuple

import marshmallow as ma
from marshmallow.validate import Length, OneOf

from api.schemas.common import LocalTime, QueryArgsSchema, WriteSchema, not_blank, reason_field
from api.schemas.fields import Day, Instant, Milligrams, QueryBoolean, StrictBoolean, Text
from diary.models.dose_entry import MISSED, MISSED_REASONS, SOURCES, TAKEN
from diary.rules.doses import DoseInput, shape_errors


class DoseWriteSchema(WriteSchema):
    """One day's entry as the phone sends it."""

    client_id = ma.fields.UUID(required=True, metadata={
        "description": "Made by the phone for this write; the same id again is a retry."})
    dose_date = Day(required=True, metadata={
        "description": "The participant's local calendar date of the dose."})
    status = Text(required=True, validate=OneOf((TAKEN, MISSED)))
    dose_mg = Milligrams(allow_none=True, metadata={
        "description": "Required when taken; more than 0, at most twice the day's dose."})
    taken_at = Instant(allow_none=True, metadata={
        "description": "ISO 8601 with a UTC offset; within a day of the dose date."})
    missed_reason = Text(allow_none=True, validate=OneOf(MISSED_REASONS))
    missed_reason_text = Text(allow_none=True, validate=Length(max=500), metadata={
        "description": "Required when missed_reason is 'other'."})
    vomited = StrictBoolean(load_default=False)
    note = Text(allow_none=True, validate=Length(max=2000))
    correction_reason = Text(allow_none=True, validate=[Length(max=1000), not_blank],
                             metadata={"description":
                                       "Required to correct a day's entry."})

    @ma.validates_schema
    def _fits_status(self, data, **kwargs):
        errors = shape_errors(data)
        if errors:
            raise ma.ValidationError(errors)

    @ma.post_load
    def _as_input(self, data, **kwargs) -> DoseInput:
        return DoseInput(**data)


class StaffDoseWrite(NamedTuple):
    """An entry staff record, and why they record it."""

    dose: DoseInput
    reason: str


DOSE_WRITE_EXAMPLE = {
    "client_id": "3b241101-e2bb-4255-8caf-4136c566a962", "dose_date": "2026-03-05",
    "status": "taken", "dose_mg": 400, "taken_at": "2026-03-05T08:30:00+09:00",
    "vomited": False, "note": "With breakfast",
}
MISSED_DOSE_EXAMPLE = {
    "client_id": "9f0d6f3e-4c1a-4f7e-9a53-2f1de1c0b7aa", "dose_date": "2026-03-06",
    "status": "missed", "missed_reason": "forgot",
}


class StaffDoseWriteSchema(DoseWriteSchema):
    """An entry staff record on a participant's behalf, with the reason they do."""

    reason = reason_field()

    @ma.post_load
    def _as_input(self, data, **kwargs) -> StaffDoseWrite:
        reason = data.pop("reason")
        return StaffDoseWrite(DoseInput(**data), reason)


STAFF_DOSE_WRITE_EXAMPLE = {
    "client_id": "5e2b8a4c-1d7f-4b39-8f0e-6a9c3d2e1f04", "dose_date": "2026-03-04",
    "status": "taken", "dose_mg": 400, "taken_at": "2026-03-04T08:10:00+09:00",
    "reason": "Told the coordinator by phone; the app was not set up yet",
}


class DoseSchema(ma.Schema):
    """One version of a day's entry."""

    id = ma.fields.Integer()
    client_id = ma.fields.String()
    dose_date = ma.fields.Date()
    study_day = ma.fields.Integer(metadata={"description": "Enrolment is day 1; no day 0."})
    version = ma.fields.Integer()
    is_current = ma.fields.Boolean()
    status = ma.fields.String(metadata={"enum": [TAKEN, MISSED]})
    dose_mg = ma.fields.Decimal(allow_none=True)
    taken_at = ma.fields.AwareDateTime(allow_none=True)
    missed_reason = ma.fields.String(allow_none=True)
    missed_reason_text = ma.fields.String(allow_none=True)
    vomited = ma.fields.Boolean()
    note = ma.fields.String(allow_none=True)
    source = ma.fields.String(metadata={"enum": list(SOURCES)})
    recorded_at = ma.fields.AwareDateTime()
    late = ma.fields.Boolean(metadata={
        "description": "Recorded after the study's late-entry window for the day."})
    correction_reason = ma.fields.String(allow_none=True)
    superseded_at = ma.fields.AwareDateTime(allow_none=True)


class StaffDoseSchema(DoseSchema):
    """An entry as staff see it: also who recorded it on the participant's behalf."""

    recorded_by_staff_id = ma.fields.Integer(allow_none=True)


class DoseQueryArgsSchema(QueryArgsSchema):
    """A window of dose dates, inclusive; ``history`` adds every superseded version."""

    start = Day(data_key="from", load_default=None)
    end = Day(data_key="to", load_default=None)
    history = QueryBoolean(load_default=False)


class StudySummarySchema(ma.Schema):
    code = ma.fields.String()
    title = ma.fields.String()


class ProfileSchema(ma.Schema):
    """The participant's own profile and today's plan (no phone number)."""

    study_code = ma.fields.String(attribute="participant.study_code")
    study = ma.fields.Nested(StudySummarySchema)
    enrolled_on = ma.fields.Date(attribute="participant.enrolled_on")
    today = ma.fields.Date(metadata={"description": "Today in the participant's time zone."})
    study_day = ma.fields.Integer(allow_none=True, metadata={
        "description": "Day 1 = enrolment; null before day 1: not started yet."})
    started = ma.fields.Boolean(metadata={"description": "Day 1 has come."})
    prescribed_mg_today = ma.fields.Decimal(allow_none=True, metadata={
        "description": "Null when the drug is held today, and before day 1."})
    held_today = ma.fields.Boolean()
    timezone = ma.fields.String(attribute="participant.timezone")
    locale = ma.fields.String(attribute="participant.locale")
    reminder_time = LocalTime(attribute="participant.reminder_time")
    status = ma.fields.String(attribute="participant.status")
    proxy_reporter = ma.fields.Boolean(attribute="participant.proxy_reporter")
    sms_consent = ma.fields.Boolean(attribute="participant.sms_consent")


class AdherenceFiguresSchema(ma.Schema):
    start = ma.fields.Date(allow_none=True)
    end = ma.fields.Date(allow_none=True)
    days = ma.fields.Integer()
    expected = ma.fields.Integer(metadata={"description": "Days not held."})
    taken = ma.fields.Integer()
    missed = ma.fields.Integer()
    unreported = ma.fields.Integer(metadata={"description": "Expected days with no entry."})
    held = ma.fields.Integer()
    taken_while_held = ma.fields.Integer()
    mg_taken = ma.fields.Decimal()
    mg_prescribed = ma.fields.Decimal()
    adherence = ma.fields.Decimal(allow_none=True, metadata={
        "description": "taken / expected; null when nothing was expected."})
    dose_intensity = ma.fields.Decimal(allow_none=True, metadata={
        "description": "mg taken / mg prescribed."})
    below_threshold = ma.fields.Boolean()
    current_streak = ma.fields.Integer()


class AdherenceOverviewSchema(ma.Schema):
    today = ma.fields.Date()
    study_day = ma.fields.Integer(allow_none=True, metadata={
        "description": "Null before day 1: not started yet."})
    study_week = ma.fields.Integer(allow_none=True, metadata={
        "description": "Days 1-7 are week 1; null before day 1."})
    started = ma.fields.Boolean(metadata={"description": "Day 1 has come."})
    threshold = ma.fields.Decimal()
    so_far = ma.fields.Nested(AdherenceFiguresSchema)
    this_week = ma.fields.Nested(AdherenceFiguresSchema)
