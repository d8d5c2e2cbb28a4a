"""What an offline phone uploads (dose entries and symptom reports) and what became of each."""

import marshmallow as ma
from marshmallow.validate import Length

from api.schemas.common import WriteSchema
from api.schemas.doses import DOSE_WRITE_EXAMPLE, MISSED_DOSE_EXAMPLE, DoseSchema, DoseWriteSchema
from api.schemas.symptoms import (
    SYMPTOM_REPORT_EXAMPLE,
    AdviceSchema,
    SymptomReportSchema,
    SymptomReportWriteSchema,
)
from diary.operations.sync import DOSE, KINDS, SYMPTOM_REPORT, SyncItem

MAX_SYNC_ENTRIES = 500


class SyncSchema(WriteSchema):
    """What an offline phone uploads: its entries, in any order."""

    # Raw, and null allowed: each entry is read on its own, and a bad one is rejected alone.
    entries = ma.fields.List(ma.fields.Raw(allow_none=True), required=True,
                             validate=Length(max=MAX_SYNC_ENTRIES, error=(
                                 "At most {max} entries per upload; send the rest in "
                                 "another upload.")),
                             metadata={"description": (
                                 'Dose entries (see DoseWrite) and, with "kind": '
                                 '"symptom_report", symptom reports (see SymptomReportWrite);'
                                 f' an entry without a kind is a dose. At most '
                                 f'{MAX_SYNC_ENTRIES}.')})


SYNC_EXAMPLE = {"entries": [DOSE_WRITE_EXAMPLE, MISSED_DOSE_EXAMPLE,
                            {"kind": SYMPTOM_REPORT, **SYMPTOM_REPORT_EXAMPLE}]}


class SyncResultSchema(ma.Schema):
    """What became of one uploaded entry."""

    client_id = ma.fields.String(allow_none=True)
    kind = ma.fields.String(allow_none=True, metadata={
        "enum": list(KINDS), "description": "Null for an entry that is not an object or "
                                            "names no known kind."})
    result = ma.fields.String(metadata={
        "enum": ["created", "duplicate", "corrected", "rejected"]})
    entry = ma.fields.Nested(DoseSchema, allow_none=True, metadata={
        "description": "A dose entry, as recorded."})
    report = ma.fields.Nested(SymptomReportSchema, allow_none=True, metadata={
        "description": "A symptom report, as recorded."})
    advice = ma.fields.Nested(AdviceSchema, allow_none=True, metadata={
        "description": "For a symptom report: what the participant should do now."})
    code = ma.fields.Integer(metadata={
        "description": "When rejected: 409 or 422 (fix the entry), 500 (a fault on our side)"})
    message = ma.fields.String()
    errors = ma.fields.Dict()


class SyncResponseSchema(ma.Schema):
    results = ma.fields.List(ma.fields.Nested(SyncResultSchema))


_SCHEMAS = {DOSE: DoseWriteSchema(), SYMPTOM_REPORT: SymptomReportWriteSchema()}


def load_sync_items(raw_items: list) -> list[SyncItem]:
    """Parse each uploaded entry on its own: a bad one becomes errors, not a failed batch."""
    return [_load_one(raw) for raw in raw_items]


def _load_one(raw) -> SyncItem:
    # Not an object: no kind named, so a dose, refused by the dose schema as before.
    fields = raw if isinstance(raw, dict) else {}
    client_id = fields.get("client_id") if isinstance(fields.get("client_id"), str) else None
    kind = fields.get("kind", DOSE)
    if not isinstance(kind, str) or kind not in _SCHEMAS:
        return SyncItem(client_id=client_id, kind=None,
                        errors={"kind": [f"Must be one of: {', '.join(KINDS)}."]})
    body = {name: value for name, value in raw.items() if name != "kind"} if "kind" in fields \
        else raw
    try:
        data = _SCHEMAS[kind].load(body)
    except ma.ValidationError as exc:
        errors = exc.messages if isinstance(exc.messages, dict) else {"_schema": exc.messages}
        return SyncItem(client_id=client_id, kind=kind, errors=errors)
    return SyncItem(client_id=data.client_id, kind=kind, data=data)
