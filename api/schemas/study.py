"""The study and its sites, as staff read them."""

import marshmallow as ma

from api.schemas.common import LocalTime, QueryArgsSchema
from api.schemas.fields import Text


class RegimenSummarySchema(ma.Schema):
    """The drug and its starting daily dose."""

    drug = ma.fields.String(metadata={"example": "imatinib"})
    route = ma.fields.String(metadata={"example": "oral"})
    dose_mg = ma.fields.Decimal(metadata={"type": "number", "example": 400})
    doses_per_day = ma.fields.Integer(metadata={"example": 1})


class WindowsSchema(ma.Schema):
    """The primary window (from study day 1) and how late an entry may come unflagged."""

    primary_days = ma.fields.Integer(metadata={"example": 112})
    late_entry_hours = ma.fields.Integer(metadata={"example": 72})


class AdherenceRulesSchema(ma.Schema):
    """Below ``threshold`` adherence is flagged; ``gap_alert_days`` without entries alert."""

    threshold = ma.fields.Float(metadata={"example": 0.9})
    gap_alert_days = ma.fields.Integer(allow_none=True, metadata={"example": 3})


class ReminderDefaultsSchema(ma.Schema):
    """When a participant is reminded unless their own time is set, and the follow-up."""

    time = LocalTime()
    follow_up_after_minutes = ma.fields.Integer(allow_none=True, metadata={"example": 120})
    expire_after_minutes = ma.fields.Integer(allow_none=True, metadata={"example": 120})


class QuietHoursSchema(ma.Schema):
    """Local hours in which no text is sent; ``start`` after ``end`` spans midnight."""

    start = LocalTime(metadata={"example": "21:00"})
    end = LocalTime(metadata={"example": "08:00"})


class AdverseEventTermSchema(ma.Schema):
    """A CTCAE v5 term the study expects, with the MedDRA code CTCAE v5 gives it."""

    term = ma.fields.String(metadata={"example": "Edema limbs"})
    meddra_code = ma.fields.String(allow_none=True, metadata={
        "example": "10050068", "description": "Null where the study file gives none."})
    soc = ma.fields.String(allow_none=True, metadata={
        "description": "MedDRA system organ class."})
    pro_ctcae_item = ma.fields.Integer(allow_none=True, metadata={
        "description": "The PRO-CTCAE item (NCI item-library number) that maps to it."})


class StudySchema(ma.Schema):
    """A study's protocol figures, from its definition file."""

    code = ma.fields.String(metadata={"example": "NCT02495519"})
    title = ma.fields.String()
    regimen = ma.fields.Nested(RegimenSummarySchema)
    windows = ma.fields.Nested(WindowsSchema)
    adherence = ma.fields.Nested(AdherenceRulesSchema)
    reminders = ma.fields.Nested(ReminderDefaultsSchema)
    quiet_hours = ma.fields.Nested(QuietHoursSchema)
    locales = ma.fields.List(ma.fields.String(), metadata={"example": ["ko", "en"]})
    adverse_event_terms = ma.fields.List(ma.fields.Nested(AdverseEventTermSchema), metadata={
        "description": "Terms an adverse event is coded with (ctcae_term); others are "
                       "recorded verbatim."})


class StudyQueryArgsSchema(QueryArgsSchema):
    """Which study, for staff who work on more than one."""

    code = Text(validate=ma.validate.Length(min=1, max=40),
                metadata={"description": "By default the default study, if yours."})


class SiteSchema(ma.Schema):
    """A site: its code names it in requests (``"SEV"``), as its id does."""

    id = ma.fields.Integer()
    code = ma.fields.String(metadata={"example": "SEV"})
    name = ma.fields.String(metadata={"example": "Severance Hospital"})
    timezone = ma.fields.String(metadata={"example": "Asia/Seoul"})
