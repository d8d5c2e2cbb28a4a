"""Rules for one dose entry, as plain functions: which fields fit together, which days
and times are possible, and what makes two writes "the same write"."""

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from diary.models.dose_entry import MISSED, MISSED_REASONS, TAKEN

# A phone's clock may run a little ahead of ours; more than this is a wrong time.
CLOCK_SKEW = timedelta(minutes=10)
# How far outside its local day a dose may have been taken (a late-night dose logged for
# the day before, a phone in another zone): "more than a day away" is refused.
TAKEN_AT_SLACK = timedelta(days=1)


@dataclass(frozen=True)
class DoseInput:
    """One day's entry as it is written: by the phone, by an SMS reply, or by staff.

    The API's schemas and the SMS path both build one; the diary stores it as is, with
    what only the server knows (version, source, recorded time, study day, late flag).
    """

    client_id: str
    dose_date: date
    status: str
    dose_mg: Decimal | None = None
    taken_at: datetime | None = None
    missed_reason: str | None = None
    missed_reason_text: str | None = None
    vomited: bool = False
    note: str | None = None
    correction_reason: str | None = None

    def __post_init__(self):
        # One canonical form whoever built it: the id as text, mg as Decimal, the time
        # in UTC (as every later read returns it).
        object.__setattr__(self, "client_id", str(self.client_id))
        object.__setattr__(self, "vomited", bool(self.vomited))
        if self.dose_mg is not None and not isinstance(self.dose_mg, Decimal):
            object.__setattr__(self, "dose_mg", Decimal(str(self.dose_mg)))
        if self.taken_at is not None and self.taken_at.utcoffset() is not None:
            object.__setattr__(self, "taken_at", self.taken_at.astimezone(UTC))

    def values(self) -> dict:
        """Return the fields by name (the columns of a dose entry they fill)."""
        return {name: getattr(self, name) for name in INPUT_FIELDS}


# The fields that make up a write; their canonical form decides retry vs. reuse.
INPUT_FIELDS = tuple(field.name for field in fields(DoseInput))


def shape_errors(data: Mapping) -> dict[str, list[str]]:
    """Return field errors for fields that do not fit the entry's status."""
    errors: dict[str, list[str]] = {}
    status = data.get("status")
    if status not in (TAKEN, MISSED):
        errors["status"] = [f"Must be one of: {TAKEN}, {MISSED}."]
        return errors
    if status == TAKEN:
        if data.get("dose_mg") is None:
            errors["dose_mg"] = ["Required when the dose was taken."]
        for name in ("missed_reason", "missed_reason_text"):
            if data.get(name) is not None:
                errors[name] = ["Only for a missed dose."]
        return errors
    for name in ("dose_mg", "taken_at"):
        if data.get(name) is not None:
            errors[name] = ["Not allowed for a missed dose."]
    reason = data.get("missed_reason")
    if reason is not None and reason not in MISSED_REASONS:
        errors["missed_reason"] = [f"Must be one of: {', '.join(MISSED_REASONS)}."]
    if reason == "other" and not (data.get("missed_reason_text") or "").strip():
        errors["missed_reason_text"] = ["Required when the reason is 'other'."]
    return errors


def date_errors(dose_date: date, *, enrolled_on: date, local_today: date) -> list[str]:
    """Return why a dose date is outside the diary (before enrolment or in the future)."""
    if dose_date < enrolled_on:
        return [f"Must not be before enrolment ({enrolled_on.isoformat()})."]
    if dose_date > local_today:
        return [f"Must not be after today ({local_today.isoformat()}) in your time zone."]
    return []


def taken_at_errors(
    taken_at: datetime, *, day_start: datetime, day_end: datetime, now: datetime
) -> list[str]:
    """Return why a time taken cannot belong to the day (bounds are the local day's)."""
    if taken_at.tzinfo is None or taken_at.utcoffset() is None:
        return ["Must include a UTC offset."]
    if taken_at > now + CLOCK_SKEW:
        return ["Must not be in the future."]
    if taken_at < day_start - TAKEN_AT_SLACK or taken_at >= day_end + TAKEN_AT_SLACK:
        return ["Must be within a day of the dose date."]
    return []


def dose_mg_errors(dose_mg: Decimal, prescribed_mg: Decimal | None) -> list[str]:
    """Return why a taken dose is implausible: not above 0, or over twice the prescription."""
    if dose_mg <= 0:
        return ["Must be more than 0."]
    if prescribed_mg is not None and dose_mg > 2 * prescribed_mg:
        return [f"Must not be more than twice the prescribed dose ({_mg(2 * prescribed_mg)} mg)."]
    return []


def body_sha256(dose: DoseInput, *, source: str, staff_reason: str | None = None) -> str:
    """Return the SHA-256 of a write's canonical form (same write -> same digest)."""
    canonical = {name: _canonical(value) for name, value in dose.values().items()}
    canonical["source"] = source
    canonical["staff_reason"] = staff_reason
    raw = json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def _canonical(value):
    if isinstance(value, Decimal):
        return _mg(value)
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | float):
        return value
    return str(value)


def _mg(value: Decimal) -> str:
    # 400, 400.0 and 400.00 are one dose.
    return format(value.normalize(), "f")
