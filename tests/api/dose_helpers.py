"""Bodies and regimen changes for the dose-diary tests."""

import uuid
from datetime import date
from decimal import Decimal

from diary.clock import utcnow
from diary.extensions import db
from diary.models import DoseHold, PrescribedDose

MY_DOSES = "/api/v1/me/doses"
MY_SYNC = "/api/v1/me/sync"
# 12:00 in Seoul on 5 March 2026: study day 5 of a participant enrolled on 1 March.
NOON_IN_SEOUL = "2026-03-05T03:00:00Z"


def taken(day: str = "2026-03-05", **fields) -> dict:
    return {"client_id": str(uuid.uuid4()), "dose_date": day, "status": "taken",
            "dose_mg": 400, "taken_at": f"{day}T08:00:00+09:00", **fields}


def missed(day: str = "2026-03-05", **fields) -> dict:
    return {"client_id": str(uuid.uuid4()), "dose_date": day, "status": "missed",
            "missed_reason": "forgot", **fields}


def add_step(participant, effective_from: str, mg: int, staff=None) -> None:
    db.session.add(PrescribedDose(
        participant_id=participant.id, effective_from=date.fromisoformat(effective_from),
        dose_mg=Decimal(mg), reason="Dose reduced for toxicity",
        created_by_staff_id=staff.id if staff else None, created_at=utcnow()))
    db.session.commit()


def add_hold(participant, staff, start: str, end: str | None) -> None:
    db.session.add(DoseHold(
        participant_id=participant.id, start_date=date.fromisoformat(start),
        end_date=date.fromisoformat(end) if end else None, reason="Held for neutropenia",
        created_by_staff_id=staff.id, created_at=utcnow()))
    db.session.commit()
