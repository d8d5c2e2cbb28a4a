"""Participants as staff enrol, change and read them."""

import re

import marshmallow as ma
from marshmallow import validate

from api.schemas.common import (
    LocalTime,
    QueryArgsSchema,
    WriteSchema,
    reason_field,
    validate_timezone,
)
from api.schemas.fields import Day, Id, SiteRef, StrictBoolean, Text, WholeNumber
from diary.models.participant import LOCALES, SEXES, STATUSES
from diary.operations.regimen import standing_today
from diary.rules.study_design import OLDEST_AGE_YEARS

_STUDY_CODE = validate.Regexp(
    re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$"),
    error="Letters, digits, '.', '_' and '-' only, up to 40 (e.g. S01-001).",
)
_PHONE = {"description": "Mobile number; national forms are read in the site's country."}
_SITE = {"description": 'The site, by its code ("SEV") or its id; or give site_id.',
         "example": "SEV"}
_SITE_ID = {"description": "The site's id (the older form of site)."}
_SEX = {"description": "CDISC SEX: M, F, U (unknown) or UNDIFFERENTIATED.", "example": "F"}
_AGE = {"description": "Age at enrolment in whole years (SDTM AGE); the study's minimum "
                       "(min_age_years in its file) is checked.", "example": 34}


class _ParticipantFieldsSchema(WriteSchema):
    """Fields a coordinator sets at enrolment and may change later."""

    study_code = Text(validate=_STUDY_CODE, metadata={"example": "S01-001"})
    site = SiteRef(metadata=_SITE)
    site_id = Id(metadata=_SITE_ID)
    enrolled_on = Day(metadata={"description": "Study day 1."})
    timezone = Text(validate=validate_timezone,
                    metadata={"description": "IANA zone; the site's by default."})
    locale = Text(validate=validate.OneOf(LOCALES))
    phone = Text(allow_none=True, validate=validate.Length(max=40), metadata=_PHONE)
    sms_consent = StrictBoolean()
    reminder_time = LocalTime(metadata={"description": "Local HH:MM; the study's by default."})
    proxy_reporter = StrictBoolean(
        metadata={"description": "A parent reports for a child of 10-17."}
    )
    status = Text(validate=validate.OneOf(STATUSES))
    sex = Text(allow_none=True, validate=validate.OneOf(SEXES), metadata=_SEX)
    age_at_enrolment = WholeNumber(minimum=0, maximum=OLDEST_AGE_YEARS, allow_none=True,
                                   metadata=_AGE)


class ParticipantCreateSchema(_ParticipantFieldsSchema):
    """A new participant: no names, only a study code."""

    study_code = Text(required=True, validate=_STUDY_CODE,
                      metadata={"example": "S01-001"})
    enrolled_on = Day(required=True, metadata={"description": "Study day 1."})
    sms_consent = StrictBoolean(load_default=False)
    proxy_reporter = StrictBoolean(load_default=False)
    status = Text(load_default="active", validate=validate.OneOf(
        ["active"], error="A participant is enrolled active; withdraw or complete later."))

    @ma.validates_schema
    def _site_named_once(self, data, **kwargs):
        if "site" not in data and "site_id" not in data:
            raise ma.ValidationError('Name the site: its code ("SEV") or its id.', "site")
        _not_both_site_fields(data)

    @ma.validates_schema
    def _consent_needs_a_phone(self, data, **kwargs):
        if data.get("sms_consent") and not data.get("phone"):
            raise ma.ValidationError("Consent to texts needs a phone number.", "sms_consent")


PARTICIPANT_CREATE_EXAMPLE = {
    "study_code": "S01-001", "site_id": 1, "enrolled_on": "2026-03-02",
    "timezone": "Asia/Seoul", "locale": "ko", "phone": "010-2000-0000", "sms_consent": True,
    "reminder_time": "09:00", "proxy_reporter": False, "sex": "F", "age_at_enrolment": 34,
}


class ParticipantUpdateSchema(_ParticipantFieldsSchema):
    """Changes to a participant: only the fields given change, and a reason is required."""

    reason = reason_field()
    withdrawn_on = Day(metadata={"description": "With status withdrawn: the local date of "
                                 "withdrawal (default today), from enrolment to today."})

    @ma.validates_schema
    def _something_changes(self, data, **kwargs):
        if set(data) <= {"reason"}:
            raise ma.ValidationError("Name at least one field to change.", "_schema")
        _not_both_site_fields(data)


def _not_both_site_fields(data: dict) -> None:
    if "site" in data and "site_id" in data:
        raise ma.ValidationError("Give site or site_id, not both.", "site")


PARTICIPANT_UPDATE_EXAMPLE = {"reminder_time": "19:30",
                              "reason": "Now takes the dose with dinner"}


class ParticipantQueryArgsSchema(QueryArgsSchema):
    """Filters for the participant list."""

    status = Text(validate=validate.OneOf(STATUSES))
    site_id = Id(strict=False)


# Today's figures come from the domain's one function (diary.operations.regimen).
def study_day_today(participant) -> int | None:
    """Return the participant's study day on their local today; None before day 1."""
    return standing_today(participant).study_day


def started_today(participant) -> bool:
    """Say whether the participant's day 1 has come, in their time zone."""
    return standing_today(participant).started


def dose_mg_today(participant):
    """Return the dose prescribed on the participant's local today, holds aside."""
    return standing_today(participant).step_mg


def on_hold_today(participant) -> bool:
    """Say whether the drug is held on the participant's local today."""
    return standing_today(participant).held


STUDY_DAY = {"type": "integer", "description": "Today (local); day 1 = enrolment, no day 0. "
             "Null before day 1: not started yet."}
STARTED = {"type": "boolean", "description": "Day 1 (the enrolment date) has come."}
DOSE_TODAY = {"type": "number", "description": "Prescribed today (mg), holds aside; null "
              "before day 1."}
HELD_TODAY = {"type": "boolean", "description": "Drug held today."}


class ParticipantSchema(ma.Schema):
    """A participant as staff see it, with today's study day and prescribed dose."""

    id = ma.fields.Integer()
    study_code = ma.fields.String()
    site_id = ma.fields.Integer()
    enrolled_on = ma.fields.Date()
    timezone = ma.fields.String()
    locale = ma.fields.String()
    phone = ma.fields.String(attribute="phone_e164", allow_none=True,
                             metadata={"description": "E.164"})
    sms_consent = ma.fields.Boolean()
    sms_consent_at = ma.fields.AwareDateTime(allow_none=True)
    sms_opted_out_at = ma.fields.AwareDateTime(allow_none=True)
    phone_unreachable_at = ma.fields.AwareDateTime(allow_none=True)
    reminder_time = LocalTime()
    proxy_reporter = ma.fields.Boolean()
    status = ma.fields.String()
    sex = ma.fields.String(allow_none=True, metadata={"description": "CDISC SEX code."})
    age_at_enrolment = ma.fields.Integer(allow_none=True,
                                         metadata={"description": "Years, at enrolment."})
    withdrawn_on = ma.fields.Date(allow_none=True, metadata={
        "description": "Local date of withdrawal, the last day adherence counts."})
    study_day = ma.fields.Function(study_day_today, allow_none=True, metadata=STUDY_DAY)
    started = ma.fields.Function(started_today, metadata=STARTED)
    current_dose_mg = ma.fields.Function(dose_mg_today, allow_none=True, metadata=DOSE_TODAY)
    on_hold = ma.fields.Function(on_hold_today, metadata=HELD_TODAY)
    created_at = ma.fields.AwareDateTime()
    updated_at = ma.fields.AwareDateTime()
