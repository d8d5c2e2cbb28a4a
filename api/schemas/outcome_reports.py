"""The primary-endpoint and safety reports: their query arguments and what they answer."""

import marshmallow as ma
from marshmallow.validate import Length

from api.schemas.adherence_reports import (
    WindowChecks,
    WindowSchema,
    study_day_field,
    study_field,
    window_of,
)
from api.schemas.common import QueryArgsSchema
from api.schemas.fields import Day, Text
from diary.rules import primary_endpoint as rules
from diary.rules.alerts import ALERT_KIND_NAMES

_FRACTION = {"description": "A fraction from 0 to 1 (null when there is nothing to divide)."}


class ReportQueryArgsSchema(QueryArgsSchema):
    """``site``: one of your sites by code (default: all of them); ``study``: one study."""

    site = Text(validate=Length(min=1, max=40), metadata={"example": "SEV"})
    study = study_field()


class WindowQueryArgsSchema(ReportQueryArgsSchema):
    """``from`` and ``to``: dates, both included (the UTC days the alerts were raised)."""

    start = Day(data_key="from")
    end = Day(data_key="to")


class SafetyWindowArgsSchema(WindowChecks, ReportQueryArgsSchema):
    """``site``, and a window: study days (``from_day``, ``to_day``) or dates (``from``,
    ``to``), both included, either bound optional; none: everything recorded."""

    from_day = study_day_field("First study day (day 1 = enrolment; no day 0), each "
                               "participant's own. Default: none (from enrolment).")
    to_day = study_day_field("Last study day, inclusive. Default: none.")
    start = Day(data_key="from", metadata={
        "description": "First date (instead of study days), inclusive. Default: none."})
    end = Day(data_key="to", metadata={"description": "Last date, inclusive. Default: none."})

    @ma.post_load
    def _as_window(self, data, **kwargs) -> dict:
        return {"window": window_of(data), "site": data.get("site"),
                "study": data.get("study")}


class RateSchema(ma.Schema):
    n = ma.fields.Integer(metadata={"description": "The denominator."})
    k = ma.fields.Integer(metadata={"description": "The numerator."})
    rate = ma.fields.Float(allow_none=True, metadata=_FRACTION)
    ci_low = ma.fields.Float(allow_none=True, metadata={
        "description": "Exact (Clopper-Pearson) 95 % confidence interval, lower bound."})
    ci_high = ma.fields.Float(allow_none=True)


class SurvivalSchema(RateSchema):
    alive = ma.fields.Integer()
    dead = ma.fields.Integer()
    censored = ma.fields.Integer(metadata={
        "description": "Last known alive before the target day: not in the denominator."})


class OutcomeAdherenceSchema(ma.Schema):
    n = ma.fields.Integer()
    mean = ma.fields.Float(allow_none=True, metadata=_FRACTION)
    median = ma.fields.Float(allow_none=True, metadata=_FRACTION)


class ParticipantOutcomeSchema(ma.Schema):
    participant_id = ma.fields.Integer()
    study_code = ma.fields.String()
    site = ma.fields.String()
    target_day = ma.fields.Integer()
    outcome = ma.fields.String(metadata={"enum": [rules.NON_PROGRESSING, rules.PROGRESSING,
                                                  rules.UNEVALUABLE]})
    not_evaluable_reason = ma.fields.String(allow_none=True, metadata={
        "enum": [rules.NO_ASSESSMENT, rules.ONLY_NE]})
    visit_date = ma.fields.Date(allow_none=True, metadata={
        "description": "The assessment counted: the evaluable one nearest the target day."})
    visit_day = ma.fields.Integer(allow_none=True)
    response = ma.fields.String(allow_none=True, metadata={"enum": list(rules.RESPONSES)})
    survival = ma.fields.String(metadata={"enum": [rules.ALIVE, rules.DEAD, rules.CENSORED]})
    adherence = ma.fields.Float(allow_none=True, metadata={
        "description": "Taken ÷ expected over days 1 to the target day (evaluable only)."})


class StudyWindowSchema(ma.Schema):
    code = ma.fields.String()
    target_day = ma.fields.Integer()
    window_days = ma.fields.Integer(metadata={"description": "Either side of the target."})


class AdherenceByOutcomeSchema(ma.Schema):
    non_progressing = ma.fields.Nested(OutcomeAdherenceSchema)
    progressing = ma.fields.Nested(OutcomeAdherenceSchema)


class PrimaryEndpointSchema(ma.Schema):
    """The week-16 non-progression rate, survival, and adherence by outcome."""

    site = ma.fields.String(allow_none=True)
    studies = ma.fields.List(ma.fields.Nested(StudyWindowSchema))
    participants = ma.fields.Integer()
    non_progression = ma.fields.Nested(RateSchema, metadata={
        "description": "CR, PR or SD among participants with an evaluable assessment "
                       "in the window."})
    not_evaluable = ma.fields.List(ma.fields.Nested(ParticipantOutcomeSchema))
    survival = ma.fields.Nested(SurvivalSchema)
    adherence = ma.fields.Nested(AdherenceByOutcomeSchema)
    rows = ma.fields.List(ma.fields.Nested(ParticipantOutcomeSchema))


class CountSchema(ma.Schema):
    n = ma.fields.Integer()
    percent = ma.fields.Float(allow_none=True, metadata={"description": "One decimal."})


class TermSchema(ma.Schema):
    term = ma.fields.String()
    coded = ma.fields.Boolean()
    any = ma.fields.Nested(CountSchema)
    grade_1_2 = ma.fields.Nested(CountSchema)
    grade_3 = ma.fields.Nested(CountSchema)
    grade_4 = ma.fields.Nested(CountSchema)
    grade_5 = ma.fields.Nested(CountSchema)
    serious_participants = ma.fields.Integer()


class SeriousEventSchema(ma.Schema):
    adverse_event_id = ma.fields.Integer()
    participant_id = ma.fields.Integer()
    study_code = ma.fields.String()
    term = ma.fields.String()
    grade = ma.fields.Integer()
    seriousness = ma.fields.List(ma.fields.String())
    onset_date = ma.fields.String()
    end_date = ma.fields.String(allow_none=True)
    outcome = ma.fields.String()
    relatedness = ma.fields.String()
    reported_to_sponsor_at = ma.fields.AwareDateTime(allow_none=True)


class AdverseEventTableSchema(ma.Schema):
    """Participants by CTCAE term and worst grade, over the events whose onset could lie in
    the window (denominator: the participants covered and followed during it)."""

    site = ma.fields.String(allow_none=True)
    window = ma.fields.Nested(WindowSchema, metadata={
        "description": "The window asked for (all null: none)."})
    participants = ma.fields.Integer(metadata={
        "description": "Covered, and followed during the window: enrolled by its last day, "
                       "its first day begun, not withdrawn before it."})
    events = ma.fields.Integer(metadata={"description": "Adverse events counted."})
    partial_onsets = ma.fields.Integer(metadata={
        "description": "Of them, counted on an onset known only to the month or year that "
                       "could lie in the window but also outside it."})
    terms = ma.fields.List(ma.fields.Nested(TermSchema))
    serious_events = ma.fields.List(ma.fields.Nested(SeriousEventSchema))


class ItemSchema(ma.Schema):
    item = ma.fields.String()
    participants = ma.fields.Integer(metadata={"description": "Who answered the item."})
    grade_0 = ma.fields.Nested(CountSchema)
    grade_1 = ma.fields.Nested(CountSchema)
    grade_2 = ma.fields.Nested(CountSchema)
    grade_3 = ma.fields.Nested(CountSchema)


class SymptomTableSchema(ma.Schema):
    """Participants by PRO-CTCAE item and worst composite grade (0-3)."""

    site = ma.fields.String(allow_none=True)
    window = ma.fields.Nested(WindowSchema, metadata={
        "description": "The window of report dates asked for (all null: none)."})
    start = ma.fields.Date(data_key="from", allow_none=True, metadata={
        "description": "The same as window.from."})
    end = ma.fields.Date(data_key="to", allow_none=True, metadata={
        "description": "The same as window.to."})
    participants = ma.fields.Integer(metadata={
        "description": "Covered, and followed during the window."})
    items = ma.fields.List(ma.fields.Nested(ItemSchema))


class MinutesSchema(ma.Schema):
    n = ma.fields.Integer(metadata={"description": "Acknowledged alerts."})
    median = ma.fields.Float(allow_none=True)
    p90 = ma.fields.Float(allow_none=True)


class AlertKindSchema(ma.Schema):
    kind = ma.fields.String(metadata={"enum": list(ALERT_KIND_NAMES)})
    urgency = ma.fields.String()
    alerts = ma.fields.Integer()
    acknowledged = ma.fields.Integer()
    closed = ma.fields.Integer()
    acted_on = ma.fields.Integer()
    acknowledge_minutes = ma.fields.Nested(MinutesSchema)


class ShareSchema(ma.Schema):
    n = ma.fields.Integer()
    share = ma.fields.Float(allow_none=True, metadata=_FRACTION)


class ReportYieldSchema(ma.Schema):
    reports = ma.fields.Integer()
    raised_alert = ma.fields.Integer()
    share = ma.fields.Float(allow_none=True, metadata=_FRACTION)


class AlertFiguresSchema(ma.Schema):
    """Alerts by rule and urgency, time to acknowledge, and their yield."""

    site = ma.fields.String(allow_none=True)
    start = ma.fields.Date(data_key="from", allow_none=True)
    end = ma.fields.Date(data_key="to", allow_none=True)
    alerts = ma.fields.Integer()
    by_kind = ma.fields.List(ma.fields.Nested(AlertKindSchema))
    acknowledge_minutes = ma.fields.Nested(MinutesSchema)
    acted_on = ma.fields.Nested(ShareSchema, metadata={
        "description": "Closed by a staff member, with a reason saying what was done."})
    symptom_reports = ma.fields.Nested(ReportYieldSchema)


