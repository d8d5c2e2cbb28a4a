"""Adverse events as staff record and read them: writes, versions, the event."""

from typing import NamedTuple

import marshmallow as ma
from marshmallow.validate import Length, OneOf

from api.schemas.common import QueryArgsSchema, WriteSchema, not_blank, reason_field
from api.schemas.fields import Day, Id, Instant, Milligrams, QueryBoolean, Text, WholeNumber
from diary.models.adverse_event_version import (
    ACTIONS,
    GRADES,
    OUTCOMES,
    RELATEDNESS,
    SERIOUSNESS_CRITERIA,
)
from diary.rules.adverse_events import EventFacts, in_criteria_order, report_due_at
from diary.rules.partial_dates import FORMS, PRECISIONS, PartialDateError, parse_partial_date

_PARTIAL = {"pattern": r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$", "example": "2026-03",
            "description": f"{FORMS}: a partial date stays partial."}
_GRADE = {"enum": list(GRADES), "description": "CTCAE v5: 1 mild to 5 death related to the AE."}


def _partial_date(value: str) -> None:
    try:
        parse_partial_date(value)
    except PartialDateError as exc:
        raise ma.ValidationError(str(exc)) from None


def _no_repeats(values: list) -> None:
    if len(set(values)) != len(values):
        raise ma.ValidationError("A criterion is named twice.")


def _fields(required: bool) -> dict[str, ma.fields.Field]:
    """Return the event's fields for a write: required ones only when recording anew."""
    return _event_fields(required) | _action_and_report_fields()


def _event_fields(required: bool) -> dict[str, ma.fields.Field]:
    needed = {"required": True} if required else {}
    return {
        "ctcae_term": Text(allow_none=True, validate=Length(min=1, max=200), metadata={
            "description": "A term of the study's CTCAE v5 list (GET /api/v1/study): "
                           "coded, with its MedDRA code. Or else verbatim_term."}),
        "verbatim_term": Text(allow_none=True, validate=[Length(min=1, max=500), not_blank],
                              metadata={"description": "A term not on the list, as "
                                                       "written: kept, flagged not coded."}),
        "grade": WholeNumber(minimum=1, maximum=5, **needed, metadata=_GRADE),
        "seriousness": ma.fields.List(
            Text(validate=OneOf(SERIOUSNESS_CRITERIA)), validate=_no_repeats,
            **({"load_default": list} if required else {}),
            metadata={"description": "ICH E2A criteria met; serious if any."}),
        "onset_date": Text(validate=_partial_date, **needed, metadata=_PARTIAL | {
            "description": "Not before enrolment nor after today, at its own precision."}),
        "end_date": Text(allow_none=True, validate=_partial_date, metadata=_PARTIAL | {
            "description": "Not before the onset, at their common precision."}),
        "outcome": Text(validate=OneOf(OUTCOMES), **needed),
        "relatedness": Text(validate=OneOf(RELATEDNESS), **needed, metadata={
            "description": "To the study drug, as the investigator assesses it."}),
        "action": Text(validate=OneOf(ACTIONS), **needed, metadata={
            "description": "With the study drug. dose_reduced writes the dose change "
                           "(new_dose_mg from new_dose_from); interrupted writes the hold "
                           "(hold_from, and hold_to once known)."}),
    }


def _action_and_report_fields() -> dict[str, ma.fields.Field]:
    return {
        "new_dose_mg": Milligrams(allow_none=True, metadata={"example": 300}),
        "new_dose_from": Day(allow_none=True),
        "hold_from": Day(allow_none=True),
        "hold_to": Day(allow_none=True, metadata={"description": "Last day held (inclusive)."}),
        "site_aware_at": Instant(allow_none=True, metadata={
            "description": "When the site learned of the event; required when serious: "
                           "the report to the sponsor is due 24 hours later."}),
        "reported_to_sponsor_at": Instant(allow_none=True),
        "source_symptom_report_id": Id(allow_none=True, metadata={
            "description": "The participant's own symptom report it came from (its id)."}),
    }


class AdverseEventWrite(NamedTuple):
    """A new event's facts, and optionally why it is recorded."""

    facts: EventFacts
    reason: str | None


class AdverseEventChange(NamedTuple):
    """The facts that change (as EventFacts names them), and why."""

    changes: dict
    reason: str


def _as_facts(data: dict) -> dict:
    """Turn request fields into EventFacts fields (partial dates parsed, criteria ordered)."""
    facts = {}
    for name, value in data.items():
        if name in ("onset_date", "end_date"):
            facts[name.removesuffix("_date")] = (
                None if value is None else parse_partial_date(value))
        elif name == "seriousness":
            facts[name] = in_criteria_order(value)
        else:
            facts[name] = value
    return facts


class AdverseEventCreateSchema(WriteSchema.from_dict(_fields(required=True))):
    """A new adverse event: its term, grade, seriousness, dates, outcome and action."""

    # Optional: a new event is no change to explain (its audit event still keeps one given).
    reason = reason_field(required=False)

    @ma.post_load
    def _as_write(self, data, **kwargs) -> AdverseEventWrite:
        reason = data.pop("reason", None)
        facts = {"ctcae_term": None, "verbatim_term": None, "end": None} | _as_facts(data)
        return AdverseEventWrite(EventFacts(**facts), reason)


class AdverseEventUpdateSchema(WriteSchema.from_dict(_fields(required=False))):
    """What changes in an event, and why: a new version, the old one kept."""

    reason = reason_field()

    @ma.validates_schema
    def _changes_something(self, data, **kwargs):
        if set(data) <= {"reason"}:
            raise ma.ValidationError("Send the fields that change, with the reason.")

    @ma.post_load
    def _as_change(self, data, **kwargs) -> AdverseEventChange:
        reason = data.pop("reason")
        return AdverseEventChange(_as_facts(data), reason)


ADVERSE_EVENT_CREATE_EXAMPLE = {
    "ctcae_term": "Edema limbs", "grade": 3, "seriousness": ["hospitalisation"],
    "onset_date": "2026-03-14", "outcome": "not_recovered", "relatedness": "probable",
    "action": "interrupted", "hold_from": "2026-03-15",
    "site_aware_at": "2026-03-15T09:30:00+09:00",
}
ADVERSE_EVENT_UPDATE_EXAMPLE = {
    "end_date": "2026-03-27", "outcome": "recovered", "hold_to": "2026-03-27",
    "reported_to_sponsor_at": "2026-03-15T16:00:00+09:00",
    "reason": "Oedema resolved; imatinib restarted on 28 March",
}


class AdverseEventQueryArgsSchema(QueryArgsSchema):
    """``history`` adds every version, oldest first."""

    history = QueryBoolean(load_default=False)


def _report_due_at(version) -> object:
    return report_due_at(version.serious, version.site_aware_at)


class AdverseEventVersionSchema(ma.Schema):
    """One version of an event: what staff stated, when and why."""

    version = ma.fields.Integer()
    is_current = ma.fields.Boolean()
    term = ma.fields.String(metadata={"description": "The CTCAE term, or the verbatim one."})
    ctcae_term = ma.fields.String(allow_none=True)
    verbatim_term = ma.fields.String(allow_none=True)
    coded = ma.fields.Boolean(metadata={"description": "A term of the study's CTCAE list."})
    meddra_code = ma.fields.String(allow_none=True, metadata={
        "description": "As the study file gives it; null where it gives none."})
    grade = ma.fields.Integer(metadata=_GRADE)
    seriousness = ma.fields.List(ma.fields.String(
        metadata={"enum": list(SERIOUSNESS_CRITERIA)}))
    serious = ma.fields.Boolean()
    onset_date = ma.fields.String(metadata=_PARTIAL)
    onset_precision = ma.fields.String(metadata={"enum": list(PRECISIONS)})
    end_date = ma.fields.String(allow_none=True, metadata=_PARTIAL)
    end_precision = ma.fields.String(allow_none=True, metadata={"enum": list(PRECISIONS)})
    outcome = ma.fields.String(metadata={"enum": list(OUTCOMES)})
    relatedness = ma.fields.String(metadata={"enum": list(RELATEDNESS)})
    action = ma.fields.String(metadata={"enum": list(ACTIONS)})
    new_dose_mg = ma.fields.Decimal(allow_none=True, metadata={"type": "number"})
    new_dose_from = ma.fields.Date(allow_none=True)
    hold_from = ma.fields.Date(allow_none=True)
    hold_to = ma.fields.Date(allow_none=True)
    prescribed_dose_id = ma.fields.Integer(allow_none=True, metadata={
        "description": "The dose change this event wrote to the regimen."})
    dose_hold_id = ma.fields.Integer(allow_none=True, metadata={
        "description": "The hold this event wrote to the regimen."})
    site_aware_at = ma.fields.AwareDateTime(allow_none=True)
    report_due_at = ma.fields.Function(_report_due_at, allow_none=True, metadata={
        "type": "string", "format": "date-time",
        "description": "Serious events: 24 hours after site_aware_at."})
    reported_to_sponsor_at = ma.fields.AwareDateTime(allow_none=True)
    source_symptom_report_id = ma.fields.Integer(allow_none=True)
    change_reason = ma.fields.String(allow_none=True)
    recorded_at = ma.fields.AwareDateTime()
    recorded_by_staff_id = ma.fields.Integer()
    superseded_at = ma.fields.AwareDateTime(allow_none=True)


_VERSION_ATTRIBUTES = tuple(name for name in AdverseEventVersionSchema._declared_fields
                            if name != "report_due_at")


class AdverseEventSchema(AdverseEventVersionSchema):
    """An event: its current version, the event's own record, and its versions if asked."""

    id = ma.fields.Integer(metadata={"description": "The event's id (the same for every "
                                                    "version)."})
    participant_id = ma.fields.Integer()
    created_at = ma.fields.AwareDateTime()
    created_by_staff_id = ma.fields.Integer()
    alert_id = ma.fields.Integer(allow_none=True, metadata={
        "description": "Its serious_event alert, once it was serious."})
    report_overdue = ma.fields.Boolean(metadata={
        "description": "Serious, past report_due_at, and not reported to the sponsor."})
    report_overdue_at = ma.fields.AwareDateTime(allow_none=True, metadata={
        "description": "When the overdue report was texted to the top of the ladder."})
    versions = ma.fields.List(ma.fields.Nested(AdverseEventVersionSchema), metadata={
        "description": "Every version, oldest first: only with history=true."})
    report_due_at = ma.fields.AwareDateTime(allow_none=True, metadata={
        "description": "Serious events: 24 hours after site_aware_at."})

    @ma.pre_dump
    def _flatten(self, record, **kwargs) -> dict:
        event, current = record.event, record.current
        flat = {name: getattr(current, name) for name in _VERSION_ATTRIBUTES}
        flat |= {"id": event.id, "participant_id": event.participant_id,
                 "created_at": event.created_at,
                 "created_by_staff_id": event.created_by_staff_id, "alert_id": event.alert_id,
                 "report_overdue": record.report_overdue,
                 "report_overdue_at": event.report_overdue_at,
                 "report_due_at": _report_due_at(current)}
        if record.history is not None:
            flat["versions"] = record.history
        return flat
