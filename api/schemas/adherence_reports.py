"""Adherence reports for staff: the window asked for, one participant's figures, the cohort's."""

import marshmallow as ma

from api.schemas.common import QueryArgsSchema
from api.schemas.doses import AdherenceFiguresSchema
from api.schemas.fields import Day, Text, WholeNumber
from diary.rules.report_windows import Window, window_errors

# A century of study days: far past any trial, and inside every date either database holds.
MAX_STUDY_DAY = 36_600
_NO_DAY_0 = "Study days run from day 1 (enrolment) to {max}; there is no day 0."
_FRACTION = ("A fraction to four places (0.8571 is 85.71 %); null when nothing was "
             "expected.")


def study_day_field(description: str) -> WholeNumber:
    # A query string is text: "3" reads as 3 (strict=False), "3.0" and "0" are refused.
    return WholeNumber(minimum=1, maximum=MAX_STUDY_DAY, strict=False, error=_NO_DAY_0,
                       metadata={"description": description})


class WindowChecks:
    """Refuses a window that mixes study days and dates, or whose bounds are reversed."""

    @ma.validates_schema
    def _one_kind_in_order(self, data, **kwargs):
        errors = window_errors(window_of(data))
        if errors:
            raise ma.ValidationError(errors)


class AdherenceWindowArgsSchema(WindowChecks, QueryArgsSchema):
    """A window in study days (default 1 to the study's primary window) or in dates."""

    from_day = study_day_field("First study day (day 1 = enrolment; no day 0). Default 1.")
    to_day = study_day_field("Last study day, inclusive. Default: the study's primary window "
                        "(112 for NCT02495519).")
    start = Day(data_key="from", metadata={
        "description": "First local date (instead of study days). Default: enrolment."})
    end = Day(data_key="to", metadata={
        "description": "Last local date, inclusive. Default: the last day that counts."})

    @ma.post_load
    def _as_window(self, data, **kwargs) -> Window:
        return window_of(data)


def window_of(data: dict) -> Window:
    return Window(**{name: data[name] for name in Window._fields if name in data})


def study_field(description: str = (
        "A study code: that study's participants only (default: every study at the "
        "caller's sites; figures pooled over two protocols mean little).")) -> Text:
    return Text(validate=ma.validate.Length(min=1, max=40),
                metadata={"example": "NCT02495519", "description": description})


class CohortAdherenceArgsSchema(AdherenceWindowArgsSchema):
    """The window, and optionally one of the caller's sites by its code, or one study."""

    site = Text(validate=ma.validate.Length(min=1, max=40), metadata={
        "description": "A site code (SEV); default: all the caller's sites."})
    study = study_field()

    @ma.post_load
    def _as_window(self, data, **kwargs) -> dict:
        return {"window": window_of(data), "site": data.get("site"),
                "study": data.get("study")}


class ReportFiguresSchema(AdherenceFiguresSchema):
    """The figures over a window (fractions to four places, as in /me/adherence)."""

    adherence = ma.fields.Decimal(allow_none=True, metadata={
        "description": "taken / expected. " + _FRACTION})
    dose_intensity = ma.fields.Decimal(allow_none=True, metadata={
        "description": "mg taken / mg prescribed on the expected days. " + _FRACTION})
    relative_dose_intensity = ma.fields.Decimal(allow_none=True, metadata={
        "description": "mg taken / (the protocol dose x the window's days). " + _FRACTION})
    mg_protocol = ma.fields.Decimal(metadata={
        "description": "The protocol dose x the window's days."})
    missed_reasons = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer(),
                                    metadata={"description": "Missed expected days by reason "
                                              "('unspecified': none given)."})
    longest_gap = ma.fields.Integer(metadata={
        "description": "Longest run of expected days without a dose taken (missed and "
                       "unreported alike; held days skipped)."})
    late = ma.fields.Integer(metadata={"description": "Entries recorded after the late-entry "
                                                      "window."})
    vomited = ma.fields.Integer(metadata={"description": "Taken doses that were vomited "
                                                         "(counted as taken)."})
    below_threshold = ma.fields.Boolean(metadata={
        "description": "Adherence under the study's threshold (90 %), exactly."})


class WeekFiguresSchema(ReportFiguresSchema):
    week = ma.fields.Integer(metadata={"description": "Study week: days 1-7 are week 1."})


class ParticipantAdherenceSchema(ma.Schema):
    """A participant's figures over a window and for each study week inside it."""

    participant_id = ma.fields.Integer()
    study_code = ma.fields.String()
    status = ma.fields.String()
    withdrawn_on = ma.fields.Date(allow_none=True, metadata={
        "description": "A withdrawn participant's window ends on this day."})
    from_day = ma.fields.Integer(allow_none=True, metadata={
        "description": "The first study day counted (null: no day counts yet)."})
    to_day = ma.fields.Integer(allow_none=True, metadata={
        "description": "The last study day counted: cut to withdrawal and to the last day "
                       "that is over (or today, once it has an entry)."})
    threshold = ma.fields.Decimal()
    protocol_dose_mg = ma.fields.Decimal()
    figures = ma.fields.Nested(ReportFiguresSchema)
    weeks = ma.fields.List(ma.fields.Nested(WeekFiguresSchema))


class WindowSchema(ma.Schema):
    from_day = ma.fields.Integer(allow_none=True)
    to_day = ma.fields.Integer(allow_none=True, metadata={
        "description": "Null with studies of different primary windows: each its own."})
    start = ma.fields.Date(data_key="from", allow_none=True)
    end = ma.fields.Date(data_key="to", allow_none=True)


class PooledSchema(ma.Schema):
    taken = ma.fields.Integer()
    expected = ma.fields.Integer()
    adherence = ma.fields.Decimal(allow_none=True, metadata={"description": _FRACTION})


class AdherenceSpreadSchema(ma.Schema):
    """The participants' adherence (those with expected doses), to four places."""

    mean = ma.fields.Decimal(allow_none=True)
    median = ma.fields.Decimal(allow_none=True)
    q1 = ma.fields.Decimal(allow_none=True, metadata={"description": "Inclusive method."})
    q3 = ma.fields.Decimal(allow_none=True)
    min = ma.fields.Decimal(allow_none=True)
    max = ma.fields.Decimal(allow_none=True)


class ParticipantRefSchema(ma.Schema):
    participant_id = ma.fields.Integer()
    study_code = ma.fields.String()


class BelowThresholdSchema(ma.Schema):
    count = ma.fields.Integer()
    participants = ma.fields.List(ma.fields.Nested(ParticipantRefSchema))


class _SummarySchema(ma.Schema):
    n = ma.fields.Integer(metadata={"description": "Participants in the report."})
    n_with_expected_doses = ma.fields.Integer(metadata={
        "description": "Those with a dose expected in the window (the spread's n)."})
    pooled = ma.fields.Nested(PooledSchema)
    adherence = ma.fields.Nested(AdherenceSpreadSchema)
    below_threshold = ma.fields.Nested(BelowThresholdSchema)


class SiteSummarySchema(_SummarySchema):
    site_id = ma.fields.Integer()
    site_code = ma.fields.String()


class CohortRowSchema(ma.Schema):
    participant_id = ma.fields.Integer()
    study_code = ma.fields.String()
    site_id = ma.fields.Integer()
    site_code = ma.fields.String()
    status = ma.fields.String()
    withdrawn_on = ma.fields.Date(allow_none=True)
    threshold = ma.fields.Decimal()
    figures = ma.fields.Nested(ReportFiguresSchema)


class CohortAdherenceSchema(_SummarySchema):
    """The cohort's adherence: pooled, the spread of participants, by site, and each one."""

    window = ma.fields.Nested(WindowSchema)
    by_site = ma.fields.List(ma.fields.Nested(SiteSummarySchema))
    participants = ma.fields.List(ma.fields.Nested(CohortRowSchema))
